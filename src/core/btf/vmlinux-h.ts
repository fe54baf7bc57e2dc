// vmlinux.h and BTF from a headers archive, with no kernel build: unpack,
// find the arch, probe which headers compile, compile them to DWARF, encode
// BTF with pahole, dump it as C with bpftool. Same archive and tools, same bytes.
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { digestBuffer, digestFile, writeFileAtomically } from '../io/atomic.js';
import { unpackArchive } from '../io/unpack.js';
import { nullLogger, phase, type Logger } from '../log.js';
import { listCandidates } from './candidates.js';
import { headerComment } from './comment.js';
import { compileObjects, dumpC, encodeBtf } from './encode.js';
import { loadProbe, saveProbe } from './probe-cache.js';
import { probeHeaders, type LeftOut } from './probe.js';
import { compileFlags, detectTarget } from './target.js';
import { checkTools, toolPaths, type ToolPaths } from './tools.js';

export interface VmlinuxHOptions {
  /** Write vmlinux.h here (atomically). */
  output?: string;
  /** Write the raw BTF here too (libbpf's btf_custom_path reads it). */
  btf?: string;
  /** Where the probe's header list is cached under the archive's md5; false: no cache. */
  cacheDir?: string | false;
  /** Parallel clang processes for the probe (default: the CPU count). */
  jobs?: number;
  /** Tool programs (default: clang, pahole, bpftool on PATH, or KHEADERS_CLANG/_PAHOLE/_BPFTOOL). */
  tools?: ToolPaths;
  signal?: AbortSignal;
  log?: Logger;
}

export interface VmlinuxHResult {
  /** The vmlinux.h text (comment + bpftool's dump). */
  header: string;
  /** The raw BTF. */
  btf: Buffer;
  release?: string;
  srcarch: string;
  triple: string;
  md5: string;
  included: number;
  noTypes: number;
  leftOut: LeftOut[];
  /** Named struct definitions in the header. */
  structs: number;
  /** The probe's list came from the cache. */
  probeCached: boolean;
  /** Milliseconds per phase. */
  timings: Record<string, number>;
}

/** Makes vmlinux.h (and the BTF) from a kheaders archive, a path or its bytes. */
export async function vmlinuxHeader(archive: Buffer | string, opts: VmlinuxHOptions = {}): Promise<VmlinuxHResult> {
  const log = opts.log ?? nullLogger;
  const timings: Record<string, number> = {};
  const paths = opts.tools ?? toolPaths();
  const versions = await checkTools(paths, opts.signal);
  const md5 = (typeof archive === 'string' ? await digestFile(archive) : digestBuffer(archive)).md5;
  const tmp = await mkdtemp(join(tmpdir(), 'kheaders-vmlinux-h-'));
  try {
    const root = join(tmp, 'tree');
    const unpacked = await phase(log, timings, 'unpack', () => unpackArchive(archive, root, { signal: opts.signal, log }));
    const target = await detectTarget(root);
    const flags = compileFlags(target);
    log.info(`arch ${target.srcarch}: clang --target=${target.triple}`);
    const cands = await listCandidates(root, target.srcarch);
    const cacheDir = opts.cacheDir === false ? undefined : opts.cacheDir;
    let probed = cacheDir ? await loadProbe(cacheDir, md5, versions.clang, target.triple) : undefined;
    const probeCached = probed !== undefined;
    const jobs = opts.jobs ?? availableParallelism();
    if (probed) log.info(`header list from the cache (${probed.units.flat().length} headers)`);
    probed ??= await phase(log, timings, 'probe', () => probeHeaders(root, cands.headers, target.triple, {
      clang: paths.clang, flags, srcarch: target.srcarch, jobs, signal: opts.signal, log,
    }));
    const { units, leftOut } = probed;
    const included = units.flat().length;
    const compiled = await phase(log, timings, 'compile', () => compileObjects(root, units, paths.clang, flags, jobs, !probeCached, opts.signal));
    // Cached with the joins that compiled, so a later run compiles fewer, larger units.
    if (cacheDir && !probeCached) await saveProbe(cacheDir, md5, versions.clang, target.triple, { units: compiled.units, leftOut });
    const objects = compiled.objects;
    const btfPath = join(tmp, 'vmlinux.btf');
    const btf = await phase(log, timings, 'pahole', () => encodeBtf(objects, btfPath, paths, opts.signal));
    const dump = await phase(log, timings, 'bpftool', () => dumpC(btfPath, paths, opts.signal));
    const header = headerComment({
      release: unpacked.release, srcarch: target.srcarch, triple: target.triple, md5, tools: versions,
      included, noTypes: cands.noTypes, leftOut,
    }) + dump;
    if (opts.output) await writeFileAtomically(opts.output, header);
    if (opts.btf) await writeFileAtomically(opts.btf, btf);
    const structs = (dump.match(/^struct \w+ \{$/gm) ?? []).length;
    return {
      header, btf, release: unpacked.release, srcarch: target.srcarch, triple: target.triple, md5,
      included, noTypes: cands.noTypes, leftOut, structs, probeCached, timings,
    };
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
