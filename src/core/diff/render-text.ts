// Human output for diff: the two archives and their xz containers, the first
// findings with diff excerpts, and the verdict as the last line.
import { sizeText } from './cause.js';
import { collapseFindings } from './subtree.js';
import type { DiffFinding, DiffReport, DiffSide, OrderDiff, XzInfo } from './report.js';

export interface DiffTextOptions {
  /** Findings listed before "... and N more" (default 20). */
  maxFindings?: number;
  /** Blocks listed per archive (default 4). */
  maxBlocks?: number;
}

/** "crc64, preset 6 (dict 8 MiB), single-threaded, compat" */
export function xzLine(x: XzInfo): string {
  const dict = x.dictBytes !== undefined ? ` (dict ${sizeText(x.dictBytes)})` : '';
  const preset = x.preset !== undefined ? `preset ${x.preset}${dict}` : `unknown preset${dict}`;
  const ours = x.mode !== undefined ? `, like kheaders --compression ${x.mode}` : '';
  return `${x.check}, ${preset}, ${x.multithreaded ? 'multi-threaded' : 'single-threaded'}${ours}`;
}

/** "3 blocks (compressed -> uncompressed bytes): 1000 -> 3145728, ..." */
export function blocksLine(x: XzInfo, max: number): string {
  const n = x.blocks.length;
  const shown = x.blocks.slice(0, max).map((b) => `${b.compressed} -> ${b.uncompressed}`);
  const more = n > max ? `, ... (${n - max} more)` : '';
  return `${n} block${n === 1 ? '' : 's'} (compressed -> uncompressed bytes): ${shown.join(', ')}${more}`;
}

function sideLines(label: string, s: DiffSide, maxBlocks: number): string[] {
  return [
    `  ${label}: ${s.path}`,
    `     ${s.bytes} bytes, sha256 ${s.sha256.slice(0, 16)}…; tar ${s.tarBytes} bytes (${s.format}), ${s.entries} entries`,
    `     xz: ${xzLine(s.xz)}`,
    `     ${blocksLine(s.xz, maxBlocks)}`,
  ];
}

export function findingLine(f: DiffFinding): string {
  return `${f.field.padEnd(8)} ${f.name}: ${f.detail}`;
}

export function orderLine(o: OrderDiff): string {
  return `order    first differs at #${o.index} of the common members: A has ${o.a}, B has ${o.b} (A ${o.aSort}-sorted, B ${o.bSort}-sorted)`;
}

/** The causes the archives show, each with how many findings it explains. */
export function causeLines(r: DiffReport): string[] {
  if (r.explanations === undefined) return [];
  const n = (k: number): string => `${k} finding${k === 1 ? '' : 's'}`;
  const out = ['', 'causes (from the archives\' own members)'];
  for (const e of r.explanations) {
    const which = e.members.length > 0 && e.members.length <= 3 ? ` (${e.members.join(', ')})` : '';
    out.push(`  ${e.cause.padEnd(11)} ${e.detail}: explains ${n(e.members.length)}${which}`);
  }
  if ((r.unexplained ?? 0) > 0) out.push(`  ${''.padEnd(11)} ${n(r.unexplained ?? 0)} not explained`);
  return out;
}

export function renderDiffText(r: DiffReport, opts: DiffTextOptions = {}): string {
  const max = opts.maxFindings ?? 20;
  const maxBlocks = opts.maxBlocks ?? 4;
  const out = ['diff', ...sideLines('A', r.a, maxBlocks), ...sideLines('B', r.b, maxBlocks)];
  out.push(`  tar: ${r.tarIdentical ? 'identical' : 'differs'}; ${r.counts.common} members in both`);
  out.push(...causeLines(r));
  const shown = collapseFindings(r.findings, r.subtrees ?? []);
  if (shown.length > 0 || r.order !== undefined) out.push('');
  // With the causes named, a finding they explain is one line: its diff is in --json.
  const explained = new Set((r.explanations ?? []).flatMap((e) => e.members));
  for (const f of shown.slice(0, max)) {
    out.push(findingLine(f));
    if (f.diff !== undefined && !explained.has(f.name)) out.push(...f.diff.split('\n').map((l) => `    ${l}`));
  }
  if (shown.length > max) out.push(`... and ${shown.length - max} more findings (write them all with --json)`);
  if (r.order !== undefined) out.push(orderLine(r.order));
  out.push('', `verdict: ${r.verdict}`);
  return `${out.join('\n')}\n`;
}
