// The finished vmlinux.h and BTF cached under the archive's md5 (beside the
// probe's list): the same archive and tools give the same bytes, so a later
// run returns them without unpacking or compiling. Each file's sha256 is kept
// with the entry; a file that does not match is a miss, never an output.
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { digestBuffer, writeFileAtomically } from '../io/atomic.js';
import type { LeftOut } from './probe.js';

/** Bumped when what goes into the header changes. */
const FORMAT = 1;

/** What a run reports besides the bytes. */
export interface OutputMeta {
  release?: string;
  srcarch: string;
  triple: string;
  included: number;
  noTypes: number;
  leftOut: LeftOut[];
  structs: number;
}

interface Entry extends OutputMeta {
  format: number;
  tools: string;
  header: string;
  btf: string;
}

const base = (cacheDir: string, md5: string): string => join(cacheDir, 'vmlinux-h', md5);

export async function loadOutput(cacheDir: string, md5: string, tools: string): Promise<(OutputMeta & { header: string; btf: Buffer }) | undefined> {
  try {
    const e = JSON.parse(await readFile(`${base(cacheDir, md5)}.json`, 'utf8')) as Entry;
    if (e.format !== FORMAT || e.tools !== tools) return undefined;
    const [header, btf] = await Promise.all([readFile(`${base(cacheDir, md5)}.h`), readFile(`${base(cacheDir, md5)}.btf`)]);
    if (digestBuffer(header).sha256 !== e.header || digestBuffer(btf).sha256 !== e.btf) return undefined;
    const meta: OutputMeta = { release: e.release, srcarch: e.srcarch, triple: e.triple, included: e.included, noTypes: e.noTypes, leftOut: e.leftOut, structs: e.structs };
    return { ...meta, header: header.toString('utf8'), btf };
  } catch {
    return undefined;
  }
}

/** Saves the outputs, the entry last (atomically each); a cache that cannot be written only costs the next run a build. */
export async function saveOutput(cacheDir: string, md5: string, tools: string, meta: OutputMeta, header: string, btf: Buffer): Promise<boolean> {
  try {
    await mkdir(join(cacheDir, 'vmlinux-h'), { recursive: true });
    await writeFileAtomically(`${base(cacheDir, md5)}.h`, header);
    await writeFileAtomically(`${base(cacheDir, md5)}.btf`, btf);
    const entry: Entry = { format: FORMAT, tools, header: digestBuffer(Buffer.from(header)).sha256, btf: digestBuffer(btf).sha256, ...meta };
    await writeFileAtomically(`${base(cacheDir, md5)}.json`, `${JSON.stringify(entry, null, 1)}\n`);
    return true;
  } catch {
    return false;
  }
}
