// The --markdown report (also the action's job summary): facts, counts and
// findings as tables, then the first diffs in collapsible blocks.
import { mdCell as cell, mdCode as code, mdFence as fence, mdSummary } from '../../markdown.js';
import { summaryLine } from './text.js';
import type { VerifyReport } from '../report.js';

export interface MarkdownOptions {
  /** Findings in the table (default 50). */
  maxFindings?: number;
  /** Diff blocks shown (default 5). */
  maxDiffs?: number;
}

export function renderMarkdown(r: VerifyReport, opts: MarkdownOptions = {}): string {
  const maxFindings = opts.maxFindings ?? 50;
  const maxDiffs = opts.maxDiffs ?? 5;
  const ok = r.result === 'match';
  const out: string[] = [];
  out.push(`### kheaders verify: ${ok ? '✅ match' : '❌ mismatch'}`, '');
  out.push('| | |', '| --- | --- |');
  out.push(`| Archive | ${code(r.archive)}${r.archiveFrom !== undefined ? ` (${cell(r.archiveFrom)})` : ''} |`);
  out.push(`| Source | ${code(r.source)}${r.objtree !== undefined ? ` (objtree ${code(r.objtree)})` : ''} |`);
  out.push(`| Kernel | ${cell(r.identity.release ?? 'unknown')}${r.identity.version !== undefined ? ` (${r.identity.version})` : ''} |`);
  out.push(`| Arch / variant | ${r.srcarch} / ${r.variant.name}${r.variant.known ? '' : ' (unrecognised script)'} |`);
  if (r.config !== undefined) out.push(`| Config | ${code(r.config.file)} (${r.config.options} options) |`);
  if (r.imageConfig !== undefined) out.push(`| Image config | embedded, ${r.imageConfig.options} options |`);
  if (r.strict !== undefined) {
    out.push(`| Reproducible | ${r.strict.reproducible ? 'yes' : 'no'} (format ${r.strict.format}, sha256 ${code(r.strict.archiveSha256.slice(0, 16))}) |`);
  }
  out.push('', '| Category | Count |', '| --- | ---: |');
  for (const [k, v] of Object.entries(r.counts)) out.push(`| ${k === 'generated' ? 'generated (unverified)' : k} | ${v} |`);
  const listed = r.findings.filter((f) => f.category !== 'generated');
  if (listed.length > 0) {
    const shown = listed.slice(0, maxFindings);
    out.push('', `#### Findings${listed.length > shown.length ? ` (first ${shown.length} of ${listed.length})` : ''}`, '');
    out.push('| Category | Entry | Detail |', '| --- | --- | --- |');
    for (const f of shown) out.push(`| ${f.category} | ${code(f.name)} | ${cell(f.detail)} |`);
  }
  const diffs = listed.filter((f) => f.diff !== undefined).slice(0, maxDiffs);
  for (const f of diffs) {
    out.push('', `<details><summary>${mdSummary(f.name)}</summary>`, '', fence(f.diff as string), '', '</details>');
  }
  if (r.counts.generated > 0) out.push('', `${r.counts.generated} generated headers were not checked (no objtree given).`);
  out.push('', summaryLine(r), '');
  return out.join('\n');
}
