// kheaders diff: compares two kheaders archives with no tree, member by member
// and container by container, and names the cause of the difference.
import { nullLogger, type Logger } from '../log.js';
import { verdictOf } from './cause.js';
import { compareMembers } from './compare.js';
import { loadArchive } from './load.js';
import { orderDiff } from './order.js';
import { DIFF_SCHEMA_VERSION, type DiffOptions, type DiffReport } from './report.js';

/** Reads both archives (each through the hostile-input-safe reader) and compares them; throws KheadersError on bad input. */
export async function diffArchives(opts: DiffOptions, log: Logger = nullLogger): Promise<DiffReport> {
  const [la, lb] = await Promise.all([loadArchive(opts.a, opts.limits), loadArchive(opts.b, opts.limits)]);
  log.debug(`diff: A has ${la.members.length} members, B ${lb.members.length}`);
  const cmp = compareMembers(la.members, lb.members, { diffLines: opts.diffLines ?? 40, maxDiffs: opts.maxDiffs ?? 50 });
  const order = orderDiff(cmp.commonA, cmp.commonB);
  const facts = {
    a: la.side, b: lb.side,
    tarIdentical: la.side.tarSha256 === lb.side.tarSha256,
    counts: { ...cmp.counts, order: order === undefined ? 0 : 1 },
    findings: cmp.findings,
    ...(order !== undefined ? { order } : {}),
  };
  const inB = new Set(cmp.commonA);
  const mtimes = {
    a: la.members.filter((m) => inB.has(m.name)).map((m) => m.mtime),
    b: lb.members.filter((m) => inB.has(m.name)).map((m) => m.mtime),
  };
  const { cause, verdict } = verdictOf(facts, mtimes);
  return {
    schemaVersion: DIFF_SCHEMA_VERSION,
    result: la.side.sha256 === lb.side.sha256 ? 'identical' : 'different',
    verdict, cause, ...facts,
  };
}
