// The per-header compile probe: which headers compile for this arch and
// config. Headers are tried in large units; a header with an error there is
// tried on its own, and one that fails on its own is left out with its error;
// the others go round again until every unit compiles as a whole.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { KheadersError } from '../errors.js';
import { nullLogger, type Logger } from '../log.js';
import { parseUnitErrors, type UnitErrors } from './diagnostics.js';
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
  signal?: AbortSignal;
  log?: Logger;
}

/** Headers per unit: large enough that the shared includes are parsed few times. */
const UNIT_SIZE = 250;
/** Per unit in later rounds, where the headers left are the troublesome ones. */
const RETRY_UNIT_SIZE = 60;
/** A header that compiles alone but fails this many times in units is a conflict. */
const MAX_TRIES = 3;

let serial = 0;

/** Compiles headers as one marked unit (syntax only) in root; returns the attributed errors. */
export async function compileUnit(root: string, headers: readonly string[], opts: Pick<ProbeOptions, 'clang' | 'flags' | 'signal'>, extra: string[] = ['-fsyntax-only']): Promise<UnitErrors & { ok: boolean; stderr: string }> {
  const name = `.kheaders-unit-${process.pid}-${serial++}.c`;
  await writeFile(join(root, name), unitText(headers));
  const r = await run(opts.clang, [...opts.flags, ...MARKER_FLAGS, ...extra, name], { cwd: root, signal: opts.signal });
  return { ...parseUnitErrors(r.stderr), ok: r.code === 0, stderr: r.stderr };
}

/** The error for a prelude (types.h, kernel.h) that does not compile: nothing can be, for this arch. */
export function archFailure(srcarch: string, triple: string, detail: string): KheadersError {
  return new KheadersError('COMPILE_FAILED', `the archive's basic headers do not compile for arch "${srcarch}" (clang --target=${triple}): ${detail}`,
    `check that this clang supports ${triple} (clang -print-targets); x86 and arm64 are tested, other arches are best effort`);
}

export async function probeHeaders(root: string, candidates: readonly string[], triple: string, opts: ProbeOptions): Promise<ProbeResult> {
  const log = opts.log ?? nullLogger;
  const order = new Map(candidates.map((h, i) => [h, i]));
  const tries = new Map<string, number>();
  const bad = new Map<string, string>();
  const units: string[][] = [];
  let queue = [...candidates];
  for (let round = 0; queue.length > 0; round++) {
    const size = round === 0 ? UNIT_SIZE : RETRY_UNIT_SIZE;
    const batch: string[][] = [];
    for (let i = 0; i < queue.length; i += size) batch.push(queue.slice(i, i + size));
    queue = [];
    const suspects: string[] = [];
    await pool(batch, opts.jobs, async (unit) => {
      const r = await compileUnit(root, unit, opts);
      if (r.prelude) throw archFailure(opts.srcarch, triple, r.prelude);
      if (r.ok) return void units.push(unit);
      if (r.errors.size === 0) throw new KheadersError('COMPILE_FAILED', `clang failed with no error to trace to a header: ${r.stderr.trim().split('\n').slice(-3).join(' / ')}`, 'report this with the archive');
      // What came before the first error compiled as a whole (a unit's prefix is a unit);
      // the rest goes round again, to end up in a unit that compiles as a whole.
      const first = Math.min(...r.errors.keys());
      if (first > 0) units.push(unit.slice(0, first));
      unit.forEach((h, i) => (r.errors.has(i) ? suspects.push(h) : i > first ? queue.push(h) : undefined));
    });
    // Each suspect on its own: failing there is its own fault; passing means another header broke it.
    await pool(suspects, opts.jobs, async (h) => {
      const alone = await compileUnit(root, [h], opts);
      if (alone.prelude) throw archFailure(opts.srcarch, triple, alone.prelude);
      const err = alone.errors.get(0) ?? (alone.ok ? undefined : 'clang failed');
      const n = (tries.get(h) ?? 0) + 1;
      tries.set(h, n);
      if (err !== undefined) bad.set(h, err);
      else if (n >= MAX_TRIES) bad.set(h, 'compiles on its own, but not after other headers (a macro or type clash)');
      else queue.push(h);
    });
    log.info(`probe: ${units.reduce((n, u) => n + u.length, 0)} compile, ${bad.size} left out, ${queue.length} to retry`);
    queue.sort((a, b) => (order.get(a) ?? 0) - (order.get(b) ?? 0));
  }
  units.sort((a, b) => (order.get(a[0]) ?? 0) - (order.get(b[0]) ?? 0));
  const leftOut = candidates.filter((h) => bad.has(h)).map((h) => ({ header: h, reason: bad.get(h) ?? '' }));
  return { units, leftOut };
}

/** Runs fn over items with at most n at a time; the first failure rejects. */
export async function pool<T>(items: readonly T[], n: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(n, items.length)) }, worker));
}
