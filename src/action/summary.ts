import * as core from '@actions/core';
import { renderMarkdown } from '../core/index.js';
import type { RunResult } from './run.js';

const ORIGIN: Record<RunResult['origin'], string> = {
  cache: 'restored from the Actions cache',
  url: 'downloaded',
  build: 'built from the tree',
  running: 'read from the running kernel',
  file: 'the given archive',
};

function mb(bytes: number): string {
  return `${(bytes / 1e6).toFixed(2)} MB (${bytes} bytes)`;
}

/** The job summary as markdown: origin and key, phase timings, the archive's digests, then the verification. */
export function renderSummary(r: RunResult): string {
  const rows: Array<[string, string]> = [
    ['origin', `\`${r.origin}\` (${ORIGIN[r.origin]})`],
    ['cache', r.primaryKey === undefined ? 'not used' : r.cacheHit ? '**hit**' : r.cacheSaved ? 'miss, saved' : 'miss, not saved'],
    ['key', r.primaryKey === undefined ? '' : `\`${r.primaryKey}\``],
    ['kernel release', r.kernelRelease ?? ''],
    ['archive', `\`${r.archive}\``],
    ['size', mb(r.size)],
    ['md5', `\`${r.md5}\``],
    ['sha256', `\`${r.sha256}\``],
  ];
  const lines = ['## kheaders', '', '| | |', '|---|---|', ...rows.map(([k, v]) => `| ${k} | ${v} |`), ''];
  const phases = Object.entries(r.timings);
  if (phases.length > 0) {
    lines.push('### Phases', '', '| phase | time |', '|---|---:|', ...phases.map(([k, ms]) => `| ${k} | ${(ms / 1000).toFixed(2)} s |`), '');
  }
  if (r.headersDir !== undefined) lines.push(`Headers extracted to \`${r.headersDir}\`.`, '');
  if (r.verify) lines.push('### Verification', '', renderMarkdown(r.verify.report, { maxFindings: 30, maxDiffs: 3 }), '');
  return lines.join('\n');
}

/** Appends the summary to $GITHUB_STEP_SUMMARY (a no-op outside Actions). */
export async function writeSummary(r: RunResult): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return;
  await core.summary.addRaw(renderSummary(r), true).write();
}
