// The encoding steps: clang compiles each unit of headers to DWARF, pahole
// -J turns the DWARF of all units into one deduplicated BTF, bpftool dumps it as C.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { KheadersError } from '../errors.js';
import { compileUnit, pool } from './probe.js';
import { run, type ToolPaths } from './tools.js';

/** Debug info for every declared type, used or not, in DWARF 4 (what pahole reads best). */
export const DEBUG_FLAGS = ['-g', '-gdwarf-4', '-fno-eliminate-unused-debug-types', '-c'];

/** Largest joined unit: its -g compile stays well under a minute. */
const JOINED_SIZE = 1200;

/** Neighbouring units joined up to JOINED_SIZE headers. */
export function joinUnits(units: readonly string[][]): string[][][] {
  const groups: string[][][] = [];
  for (const u of units) {
    const last = groups.at(-1);
    if (last && last.reduce((n, x) => n + x.length, 0) + u.length <= JOINED_SIZE) last.push(u);
    else groups.push([u]);
  }
  return groups;
}

export interface Compiled {
  objects: string[];
  /** The units as compiled: joins that compiled are one unit now. */
  units: string[][];
}

/**
 * Compiles the units with debug info, one object each. Neighbours are first
 * tried joined (fewer units: the shared headers are parsed fewer times); a join
 * that fails is compiled as its units, which compile (the probe made sure).
 * The result is what gets cached.
 */
export async function compileObjects(root: string, units: readonly string[][], clang: string, flags: string[], jobs: number, join_: boolean, signal?: AbortSignal): Promise<Compiled> {
  // Units from the cache are compiled as they are: the same objects as the run that cached them, so the same bytes.
  const groups = join_ ? joinUnits(units) : units.map((u) => [u]);
  const done: { objects: string[]; units: string[][] }[] = groups.map(() => ({ objects: [], units: [] }));
  const compile = async (headers: string[], object: string): Promise<boolean> => (await compileUnit(root, headers, { clang, flags, signal }, [...DEBUG_FLAGS, '-o', object])).ok;
  await pool(groups.map((_, i) => i), jobs, async (g) => {
    const group = groups[g];
    const joined = group.flat();
    if (await compile(joined, join(root, `.kheaders-types-${g}.o`))) {
      done[g] = { objects: [join(root, `.kheaders-types-${g}.o`)], units: [joined] };
      return;
    }
    if (group.length === 1) throw unitFailed(joined[0]);
    for (const [k, u] of group.entries()) {
      const object = join(root, `.kheaders-types-${g}-${k}.o`);
      if (!(await compile(u, object))) throw unitFailed(u[0]);
      done[g].objects.push(object);
      done[g].units.push(u);
    }
  });
  return { objects: done.flatMap((d) => d.objects), units: done.flatMap((d) => d.units) };
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
