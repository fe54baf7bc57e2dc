// The --markdown report of diff: the two archives side by side, counts and
// findings as tables, the first diffs in collapsible blocks, the verdict last.
import { mdCell as cell, mdCode as code, mdFence as fence, mdSummary } from '../markdown.js';
import { sizeText } from './cause.js';
import { blocksLine, orderLine } from './render-text.js';
import { collapseFindings } from './subtree.js';
import type { DiffReport, DiffSide } from './report.js';

export interface DiffMarkdownOptions {
  /** Findings in the table (default 50). */
  maxFindings?: number;
  /** Diff blocks shown (default 5). */
  maxDiffs?: number;
}

function sideRows(a: DiffSide, b: DiffSide): string[] {
  const row = (label: string, f: (s: DiffSide) => string): string => `| ${label} | ${f(a)} | ${f(b)} |`;
  const preset = (s: DiffSide): string =>
    `${s.xz.preset ?? '?'}${s.xz.dictBytes !== undefined ? ` (dict ${sizeText(s.xz.dictBytes)})` : ''}`;
  return [
    '| | A | B |', '| --- | --- | --- |',
    row('File', (s) => code(s.path)),
    row('Size', (s) => `${s.bytes} bytes`),
    row('sha256', (s) => code(s.sha256)),
    row('Tar', (s) => `${s.tarBytes} bytes, ${s.format}, ${s.entries} entries`),
    row('xz check', (s) => s.xz.check),
    row('xz preset', preset),
    row('xz blocks', (s) => cell(blocksLine(s.xz, 4))),
    row('xz threads', (s) => (s.xz.multithreaded ? 'multi' : 'single') + (s.xz.mode !== undefined ? ` (kheaders ${s.xz.mode})` : '')),
  ];
}

export function renderDiffMarkdown(r: DiffReport, opts: DiffMarkdownOptions = {}): string {
  const maxFindings = opts.maxFindings ?? 50;
  const maxDiffs = opts.maxDiffs ?? 5;
  const out = [`### kheaders diff: ${r.result === 'identical' ? '✅ identical' : '❌ different'}`, ''];
  out.push(...sideRows(r.a, r.b));
  out.push('', `Tar: ${r.tarIdentical ? 'identical' : 'differs'}.`);
  out.push('', '| Difference | Count |', '| --- | ---: |');
  for (const [k, v] of Object.entries(r.counts)) out.push(`| ${k} | ${v} |`);
  if (r.explanations !== undefined) {
    out.push('', '#### Causes', '', '| Cause | What the archives show | Findings explained |', '| --- | --- | ---: |');
    for (const e of r.explanations) out.push(`| ${e.cause} | ${cell(e.detail)} | ${e.members.length} |`);
    if ((r.unexplained ?? 0) > 0) out.push(`| | not explained | ${r.unexplained ?? 0} |`);
  }
  const all = collapseFindings(r.findings, r.subtrees ?? []);
  if (all.length > 0) {
    const shown = all.slice(0, maxFindings);
    out.push('', `#### Findings${all.length > shown.length ? ` (first ${shown.length} of ${all.length})` : ''}`, '');
    out.push('| Field | Member | Detail |', '| --- | --- | --- |');
    for (const f of shown) out.push(`| ${f.field} | ${code(f.name)} | ${cell(f.detail)} |`);
  }
  if (r.order !== undefined) out.push('', cell(orderLine(r.order).replace(/^order\s+/, 'Order: ')));
  for (const f of r.findings.filter((x) => x.diff !== undefined).slice(0, maxDiffs)) {
    out.push('', `<details><summary>${mdSummary(f.name)}</summary>`, '', fence(f.diff as string), '', '</details>');
  }
  out.push('', `verdict: ${r.verdict}`, '');
  return out.join('\n');
}
