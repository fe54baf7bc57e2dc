// vmlinux.h and BTF from a headers archive, with no kernel build: unpack,
// find the arch, probe which headers compile (to DWARF as it goes), encode
// BTF with pahole, dump it as C with bpftool. Same archive and tools, same bytes.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { digestBuffer, digestFile, writeFileAtomically } from '../io/atomic.js';
import { unpackArchive } from '../io/unpack.js';
import { nullLogger, phase, type Logger } from '../log.js';
import { listCandidates } from './candidates.js';
import { headerComment } from './comment.js';
import { compileObjects, dumpC, encodeBtf } from './encode.js';
import { loadOutput, saveOutput } from './output-cache.js';
import { loadProbe, saveProbe } from './probe-cache.js';
import { probeHeaders, type LeftOut } from './probe.js';
import { stubMissing } from './stubs.js';
import { compileFlags, detectTarget } from './target.js';
import { checkTools, toolPaths, type ToolPaths } from './tools.js';

export interface VmlinuxHOptions {
  /** Write vmlinux.h here (atomically). */
  output?: string;
  /** Write the raw BTF here too (libbpf's btf_custom_path reads it). */
  btf?: string;
  /** Where the probe's header list and the finished outputs are cached under the archive's md5; false: no cache. */
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
  /** The finished header and BTF came from the cache (nothing was compiled). */
  outputCached: boolean;
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
  const cacheDir = opts.cacheDir === false ? undefined : opts.cacheDir;
  const toolsKey = JSON.stringify(versions);
  const done = cacheDir ? await loadOutput(cacheDir, md5, toolsKey) : undefined;
  if (done) {
    log.info(`vmlinux.h and BTF from the cache (${md5})`);
    if (opts.output) await writeFileAtomically(opts.output, done.header);
    if (opts.btf) await writeFileAtomically(opts.btf, done.btf);
    return { ...done, md5, probeCached: true, outputCached: true, timings };
  }
  const tmp = await mkdtemp(join(tmpdir(), 'kheaders-vmlinux-h-'));
  try {
    const root = join(tmp, 'tree');
    const unpacked = await phase(log, timings, 'unpack', () => unpackArchive(archive, root, { signal: opts.signal, log }));
    const target = await detectTarget(root);
    const flags = compileFlags(target);
    log.info(`arch ${target.srcarch}: clang --target=${target.triple}`);
    const cands = await listCandidates(root, target.srcarch, target.config.has('CONFIG_64BIT'));
    const cached = cacheDir ? await loadProbe(cacheDir, md5, versions.clang, target.triple) : undefined;
    const jobs = opts.jobs ?? availableParallelism();
    const objectDir = join(tmp, 'objects');
    await mkdir(objectDir);
    let units: string[][];
    let leftOut: LeftOut[];
    let objects: string[];
    if (cached) {
      log.info(`header list from the cache (${cached.units.flat().length} headers)`);
      ({ units, leftOut } = cached);
      objects = await phase(log, timings, 'compile', () => compileObjects(root, units, objectDir, { clang: paths.clang, flags, jobs, signal: opts.signal }));
    } else {
      const stubs = await phase(log, timings, 'stubs', () => stubMissing(root, cands.headers, join(tmp, 'stubs'), paths.clang, flags, opts.signal));
      ({ units, leftOut, objects } = await phase(log, timings, 'probe', () => probeHeaders(root, cands.headers, target.triple, {
        clang: paths.clang, flags: [...flags, ...stubs.flags], known: stubs.missing, srcarch: target.srcarch, jobs, objectDir, signal: opts.signal, log,
      })));
      // The other word size's arch headers were never tried: listed first, with why.
      leftOut = [...[...cands.otherWidth].map(([header, reason]) => ({ header, reason })), ...leftOut];
      if (cacheDir) await saveProbe(cacheDir, md5, versions.clang, target.triple, { units, leftOut });
    }
    const included = units.flat().length;
    const btfPath = join(tmp, 'vmlinux.btf');
    const btf = await phase(log, timings, 'pahole', () => encodeBtf(objects, btfPath, paths, opts.signal));
    const dump = await phase(log, timings, 'bpftool', () => dumpC(btfPath, paths, opts.signal));
    const header = headerComment({
      release: unpacked.release, srcarch: target.srcarch, triple: target.triple, md5, tools: versions,
      included, noTypes: cands.noTypes, leftOut,
    }) + dump;
    if (opts.output) await writeFileAtomically(opts.output, header);
    if (opts.btf) await writeFileAtomically(opts.btf, btf);
    const meta = {
      release: unpacked.release, srcarch: target.srcarch, triple: target.triple,
      included, noTypes: cands.noTypes, leftOut, structs: (dump.match(/^struct \w+ \{$/gm) ?? []).length,
    };
    if (cacheDir) await saveOutput(cacheDir, md5, toolsKey, meta, header, btf);
    return { ...meta, header, btf, md5, probeCached: cached !== undefined, outputCached: false, timings };
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
