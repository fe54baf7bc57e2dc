// kheaders diff: compares two kheaders archives with no tree, member by member
// and container by container, and names the cause of the difference.
import { nullLogger, type Logger } from '../log.js';
import { verdictOf } from './cause.js';
import { compareMembers } from './compare.js';
import { explain } from './evidence.js';
import { loadArchive } from './load.js';
import { orderDiff } from './order.js';
import { onlySubtrees } from './subtree.js';
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
  const first = verdictOf(facts, mtimes);
  const subtrees = onlySubtrees(cmp.findings, { a: la.members.map((m) => m.name), b: lb.members.map((m) => m.name) });
  const wide = first.cause === 'summary'
    ? explain(la.members, lb.members, cmp.findings, order !== undefined ? { a: order.aSort, b: order.bSort } : undefined)
    : undefined;
  const named = wide !== undefined && wide.explanations.length > 0 ? wide : undefined;
  const rest = named === undefined ? 0 : named.unexplained;
  const orderLeft = order !== undefined && !(named?.explanations.some((e) => e.cause === 'script-form' && e.detail.includes('order: ')) ?? false);
  const tail = [rest > 0 ? `${rest} other finding${rest === 1 ? '' : 's'}` : '', named !== undefined && orderLeft ? 'order differs' : ''].filter(Boolean);
  const { cause, verdict } = named === undefined ? first
    : { cause: named.explanations[0]!.cause, verdict: [...named.explanations.map((e) => e.detail), ...tail].join('; ') };
  return {
    schemaVersion: DIFF_SCHEMA_VERSION,
    result: la.side.sha256 === lb.side.sha256 ? 'identical' : 'different',
    verdict, cause, ...facts,
    ...(named !== undefined ? { explanations: named.explanations, unexplained: rest } : {}),
    ...(subtrees.length > 0 ? { subtrees } : {}),
  };
}
