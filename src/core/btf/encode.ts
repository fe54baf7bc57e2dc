// The encoding steps: clang compiles each cached unit of headers to DWARF
// (the probe does it on a first run), pahole -J turns the DWARF of all units
// into one deduplicated BTF, bpftool dumps it as C.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { KheadersError } from '../errors.js';
import { compileUnit, DEBUG_FLAGS, pool } from './probe.js';
import { run, type ToolPaths } from './tools.js';

/** Compiles the cached units with debug info, one object each: the same units as the run that cached them, so the same bytes. */
export async function compileObjects(root: string, units: readonly string[][], objectDir: string, opts: { clang: string; flags: string[]; jobs: number; signal?: AbortSignal }): Promise<string[]> {
  const objects = units.map((_, i) => join(objectDir, `types-${i}.o`));
  await pool(units.map((_, i) => i), opts.jobs, async (i) => {
    if (!(await compileUnit(root, units[i], opts, [...DEBUG_FLAGS, '-o', objects[i]])).ok) throw unitFailed(units[i][0]);
  });
  return objects;
}

function unitFailed(first: string): KheadersError {
  return new KheadersError('COMPILE_FAILED', `clang failed on a unit of headers that passed the probe (from ${first})`,
    'the cached header list may be stale: pass --no-cache (or remove the vmlinux-h directory in the cache dir) and retry');
}

function lastLines(text: string): string {
  return text.trim().split('\n').slice(-3).join(' / ') || 'no message';
}

/** pahole -J: the object's DWARF as raw BTF in btfPath (the format libbpf's btf_custom_path reads). */
export async function encodeBtf(objects: readonly string[], btfPath: string, tools: ToolPaths, signal?: AbortSignal): Promise<Buffer> {
  // One BTF for all objects: pahole deduplicates the types they share, as for vmlinux's many units.
  const r = await run(tools.pahole, [`--btf_encode_detached=${btfPath}`, ...objects], { signal });
  if (r.code !== 0) throw new KheadersError('COMPILE_FAILED', `pahole failed to encode BTF (exit ${r.code}): ${lastLines(r.stderr)}`, 'pahole 1.22 or newer is needed (--btf_encode_detached)');
  return readFile(btfPath);
}

/** bpftool btf dump ... format c: the BTF as a C header. */
export async function dumpC(btfPath: string, tools: ToolPaths, signal?: AbortSignal): Promise<string> {
  const r = await run(tools.bpftool, ['btf', 'dump', 'file', btfPath, 'format', 'c'], { signal });
  if (r.code !== 0 || !r.stdout.includes('#ifndef __VMLINUX_H__')) {
    throw new KheadersError('COMPILE_FAILED', `bpftool could not dump the BTF as C (exit ${r.code}): ${lastLines(r.stderr)}`, 'bpftool 5.x or newer is needed');
  }
  return r.stdout;
}
