// The probe: which headers compile for this arch and config, all in one unit
// compiled with debug info and clang's include tree. One unit, not several:
// a type two units defined differently would reach the BTF twice, with all
// that refers to it. When the unit fails, each header an error belongs to
// (diagnostics.ts) is tried on its own: failing there leaves it out with its
// own error; passing, it clashes with the headers before it and is left out
// too (they come first: the kernel's own headers win). The headers an error
// only reached through a file they include go round again without them.
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { KheadersError } from '../errors.js';
import { nullLogger, type Logger } from '../log.js';
import { hasIncludeGuard, INCLUDE_TREE_FLAGS, parseUnitErrors, type UnitErrors } from './diagnostics.js';
import { run } from './tools.js';
import { MARKER_FLAGS, unitText } from './unit.js';

export interface LeftOut {
  header: string;
  /** The first error clang gave, or why it was not tried. */
  reason: string;
}

export interface ProbeResult {
  /** The headers that compile, in units that each compile as a whole, in a stable order. */
  units: string[][];
  leftOut: LeftOut[];
}

export interface ProbeOptions {
  clang: string;
  flags: string[];
  srcarch: string;
  jobs: number;
  /** Where the objects go. */
  objectDir: string;
  /** Headers already known to fail, with their error: left out untried. */
  known?: ReadonlyMap<string, string>;
  signal?: AbortSignal;
  log?: Logger;
}

/** Debug info for every declared type, used or not, in DWARF 4 (what pahole reads best). */
export const DEBUG_FLAGS = ['-g', '-gdwarf-4', '-fno-eliminate-unused-debug-types', '-c'];

let serial = 0;

/** Compiles headers as one marked unit in root (syntax only, or as `extra` says); returns the attributed errors. */
export async function compileUnit(root: string, headers: readonly string[], opts: Pick<ProbeOptions, 'clang' | 'flags' | 'signal'> & { guarded?: (file: string) => boolean }, extra: string[] = ['-fsyntax-only']): Promise<UnitErrors & { ok: boolean; stdout: string; stderr: string }> {
  const name = `.kheaders-unit-${process.pid}-${serial++}.c`;
  await writeFile(join(root, name), unitText(headers));
  const r = await run(opts.clang, [...opts.flags, ...MARKER_FLAGS, ...extra, name], { cwd: root, signal: opts.signal });
  return { ...parseUnitErrors(r.stderr, opts.guarded), ok: r.code === 0, stdout: r.stdout, stderr: r.stderr };
}

/** Whether a file (relative to root) has an include guard, read once; an unreadable one counts as guarded. */
function guardReader(root: string): (file: string) => boolean {
  const seen = new Map<string, boolean>();
  return (file) => {
    let g = seen.get(file);
    if (g === undefined) {
      try {
        g = hasIncludeGuard(readFileSync(resolve(root, file), 'latin1'));
      } catch {
        g = true;
      }
      seen.set(file, g);
    }
    return g;
  };
}

/** The error for a prelude (types.h, kernel.h) that does not compile: nothing can be, for this arch. */
export function archFailure(srcarch: string, triple: string, detail: string): KheadersError {
  return new KheadersError('COMPILE_FAILED', `the archive's basic headers do not compile for arch "${srcarch}" (clang --target=${triple}): ${detail}`,
    `check that this clang supports ${triple} (clang -print-targets); x86 and arm64 are tested, other arches are best effort`);
}

export interface Probed extends ProbeResult {
  /** One object per unit, in the units' order. */
  objects: string[];
}

export async function probeHeaders(root: string, candidates: readonly string[], triple: string, opts: ProbeOptions): Promise<Probed> {
  const log = opts.log ?? nullLogger;
  const unitOpts = { ...opts, guarded: guardReader(root) };
  const bad = new Map<string, string>(opts.known);
  const object = join(opts.objectDir, 'types.o');
  let unit = candidates.filter((h) => !bad.has(h));
  for (let round = 1; ; round++) {
    const r = await compileUnit(root, unit, unitOpts, [...DEBUG_FLAGS, ...INCLUDE_TREE_FLAGS, '-o', object]);
    if (r.prelude) throw archFailure(opts.srcarch, triple, r.prelude);
    if (r.ok) break;
    if (r.errors.size === 0) throw new KheadersError('COMPILE_FAILED', `clang failed with no error to trace to a header: ${r.stderr.trim().split('\n').slice(-3).join(' / ')}`, 'report this with the archive');
    const owners: number[] = [];
    unit.forEach((h, i) => {
      const missing = r.missing.get(i);
      if (missing !== undefined) bad.set(h, missing);
      else if (r.errors.has(i)) owners.push(i);
    });
    // Each header with an error of its own, on its own: failing there is its own fault;
    // passing, it clashes with the headers before it (the kernel's own come first, and win).
    await pool(owners, opts.jobs, async (i) => {
      const alone = await compileUnit(root, [unit[i]], opts);
      if (alone.prelude) throw archFailure(opts.srcarch, triple, alone.prelude);
      const own = alone.errors.get(0) ?? (alone.ok ? undefined : 'clang failed');
      bad.set(unit[i], own ?? `compiles on its own, but not after the headers before it (a clash: ${r.errors.get(i) ?? ''})`);
    });
    // The rest (an error reached some only through a file they include) go round again.
    unit = unit.filter((h) => !bad.has(h));
    log.info(`probe round ${round}: ${bad.size} left out, ${unit.length} go round again`);
  }
  const leftOut = candidates.filter((h) => bad.has(h)).map((h) => ({ header: h, reason: bad.get(h) ?? '' }));
  return { units: [unit], objects: [object], leftOut };
}

/** Runs fn over items with at most n at a time; the first failure rejects. */
export async function pool<T>(items: readonly T[], n: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(n, items.length)) }, worker));
}
