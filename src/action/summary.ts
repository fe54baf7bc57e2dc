import * as core from '@actions/core';
import { mdCell as cell, mdCode as code, mdFence as fence, mdSummary, mismatches, type Claim, type Finding, type VerifyReport } from '../core/index.js';
import type { RunResult } from './run.js';

const ORIGIN: Record<RunResult['origin'], string> = {
  cache: 'restored from the Actions cache',
  url: 'downloaded',
  build: 'built from the tree',
  running: 'read from the running kernel',
  file: 'the given archive',
};

const num = (n: number): string => n.toLocaleString('en-US');
const LABEL: Record<string, string> = { differs: 'changed', missing: 'missing', extra: 'extra', config: 'config', metadata: 'metadata' };

/** ", byte-identical to the kernel's own script", or what the claim allows. */
function claimText(c: Claim | undefined): string {
  if (c === undefined) return '';
  if (c.fidelity === 'byte-identical') return ", byte-identical to the kernel's own script";
  if (c.fidelity === 'content-identical') return `, content-identical to the kernel's own script (${c.fields.join(', ')} cannot match)`;
  return ', following the closest rules (the script has constructs kheaders does not model)';
}

/** The verdict, in one line: what, for which kernel, and whether it holds. */
export function verdictLine(r: RunResult): string {
  const who = [r.kernelRelease, r.arch].filter(Boolean).join(' ') || 'kheaders';
  if (r.lookupOnly) return `${r.cacheHit ? '✅' : '➖'} ${who} — lookup-only: the cache ${r.cacheHit ? 'has' : 'does not have'} ${code(r.primaryKey ?? '?')}`;
  const v = r.verify?.report;
  if (v === undefined) return `✅ ${who} — archive ${ORIGIN[r.origin]}${r.origin === 'build' || r.origin === 'cache' ? claimText(r.claim) : ''}`;
  if (v.result === 'match') return `✅ ${who} — ${num(v.counts.match)} headers match the tree${claimText(r.claim)}`;
  const bad = mismatches(v.findings).length;
  const counts = Object.entries(v.counts).filter(([k, n]) => n > 0 && k !== 'match' && k !== 'generated').map(([k, n]) => `${num(n)} ${LABEL[k] ?? k}`);
  return `❌ ${who} — ${num(bad)} of ${num(v.archiveStats.entries)} entries do not match the tree (${counts.join(', ')})`;
}

function cacheCell(r: RunResult): string {
  if (r.primaryKey === undefined || !r.cacheUsed) return 'off';
  return r.cacheHit ? '**hit**' : r.cacheSaved ? 'miss, saved' : 'miss, not saved';
}

/** Findings as a table, then their diffs: open when there are few. */
function findings(v: VerifyReport, max = 30, maxDiffs = 3): string[] {
  const bad = mismatches(v.findings);
  if (bad.length === 0) return [];
  const shown = bad.slice(0, max);
  const out = ['| finding | entry | detail |', '| --- | --- | --- |'];
  for (const f of shown) out.push(`| ${f.category} | ${code(f.name)}${f.line ? ` line ${f.line}` : ''} | ${cell(f.detail)} |`);
  if (bad.length > shown.length) out.push('', `${num(bad.length - shown.length)} more findings are in the JSON report.`);
  const open = bad.length <= 3 ? ' open' : '';
  for (const f of bad.filter((x: Finding) => x.diff !== undefined).slice(0, maxDiffs)) {
    out.push('', `<details${open}><summary>${mdSummary(f.name)}</summary>`, '', fence(f.diff as string), '', '</details>');
  }
  return out;
}

/** The job summary as markdown: the verdict first, one compact table, then the findings. */
export function renderSummary(r: RunResult): string {
  const lines = [`### ${verdictLine(r)}`, ''];
  lines.push('| origin | cache | key | size |', '| --- | --- | --- | ---: |');
  lines.push(`| ${r.origin} | ${cacheCell(r)} | ${r.primaryKey ? code(r.primaryKey) : '—'} | ${(r.size / 1e6).toFixed(2)} MB |`, '');
  lines.push(`sha256 ${code(r.sha256)} · md5 ${code(r.md5)}`, '');
  const v = r.verify?.report;
  if (v !== undefined && v.result === 'match') {
    const counts = Object.entries(v.counts).filter(([k, n]) => n > 0 && k !== 'match').map(([k, n]) => `${num(n)} ${k === 'generated' ? 'generated (unverified)' : k}`);
    if (counts.length > 0) lines.push(`Also: ${counts.join(', ')}.`, '');
  }
  const phases = Object.entries(r.timings).filter(([, ms]) => ms >= 50).map(([k, ms]) => `${k} ${(ms / 1000).toFixed(1)} s`);
  if (phases.length > 0) lines.push(`Phases: ${phases.join(' · ')}`, '');
  if (r.headersDir !== undefined) lines.push(`Headers extracted to ${code(r.headersDir)}.`, '');
  if (v !== undefined) lines.push(...findings(v), '');
  return lines.join('\n');
}

/** Appends the summary to $GITHUB_STEP_SUMMARY (a no-op outside Actions). */
export async function writeSummary(r: RunResult): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return;
  await core.summary.addRaw(renderSummary(r), true).write();
}
