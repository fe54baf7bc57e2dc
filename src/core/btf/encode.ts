// The encoding steps: clang compiles each unit of headers to DWARF, pahole
// -J turns the DWARF of all units into one deduplicated BTF, bpftool dumps it as C.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { KheadersError } from '../errors.js';
import { compileUnit, pool } from './probe.js';
import { run, type ToolPaths } from './tools.js';

/** Debug info for every declared type, used or not, in DWARF 4 (what pahole reads best). */
export const DEBUG_FLAGS = ['-g', '-gdwarf-4', '-fno-eliminate-unused-debug-types', '-c'];

/** Compiles each unit with debug info into its own object (units compile as a whole: the probe made sure). */
export async function compileObjects(root: string, units: readonly string[][], clang: string, flags: string[], jobs: number, signal?: AbortSignal): Promise<string[]> {
  const objects = units.map((_, i) => join(root, `.kheaders-types-${i}.o`));
  await pool(units.map((u, i) => i), jobs, async (i) => {
    const r = await compileUnit(root, units[i], { clang, flags, signal }, [...DEBUG_FLAGS, '-o', objects[i]]);
    if (!r.ok) {
      throw new KheadersError('COMPILE_FAILED', `clang failed on a unit of headers that passed the probe: ${r.prelude ?? [...r.errors.values()][0] ?? lastLines(r.stderr)}`,
        'the cached header list may be stale: pass --no-cache (or remove the vmlinux-h directory in the cache dir) and retry');
    }
  });
  return objects;
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
