// Human output for verify: header facts, the first findings with diff
// excerpts, and one closing summary line with the counts.
import type { Finding, VerifyReport } from '../report.js';

export interface TextOptions {
  /** Findings listed before "... and N more" (default 20). Generated ones are only counted. */
  maxFindings?: number;
}

/** The one closing line: verdict and counts per category. */
export function summaryLine(r: VerifyReport): string {
  const c = r.counts;
  const parts = [
    `${c.match} match`, `${c.differs} differ`, `${c.missing} missing`, `${c.extra} extra`,
    `${c.generated} unverified (generated)`,
  ];
  if (r.config !== undefined) parts.push(`${c.config} config`);
  if (r.strict !== undefined) parts.push(`${c.metadata} metadata`, `reproducible: ${r.strict.reproducible ? 'yes' : 'no'}`);
  return `${r.result === 'match' ? 'MATCH' : 'MISMATCH'}: ${parts.join(', ')}`;
}

function kernelLine(r: VerifyReport): string {
  const id = r.identity;
  const rel = id.release ?? 'unknown release';
  const ver = id.version !== undefined && id.version !== id.release ? ` (version ${id.version})` : '';
  const mtime = r.mtime !== undefined ? `, mtime ${new Date(r.mtime * 1000).toISOString()}` : ', mixed mtimes';
  return `kernel ${rel}${ver}${mtime}`;
}

export function findingLine(f: Finding): string {
  const vals = f.expected !== undefined || f.actual !== undefined
    ? ` [expected: ${f.expected ?? '-'}; archive: ${f.actual ?? '-'}]` : '';
  return `${f.category.padEnd(8)} ${f.name}: ${f.detail}${vals}`;
}

export function renderText(r: VerifyReport, opts: TextOptions = {}): string {
  const max = opts.maxFindings ?? 20;
  const out: string[] = [];
  const obj = r.objtree !== undefined ? ` (objtree ${r.objtree})` : '';
  out.push(`verify ${r.archive}`);
  if (r.archiveFrom !== undefined) out.push(`  archive from ${r.archiveFrom}`);
  out.push(`  against ${r.source}${obj}, arch ${r.srcarch}, script variant ${r.variant.name}${r.variant.known ? '' : ' (unrecognised script)'}`);
  out.push(`  ${kernelLine(r)}; ${r.archiveStats.entries} entries`);
  if (r.config !== undefined) out.push(`  config ${r.config.file} (${r.config.options} options)`);
  if (r.imageConfig !== undefined) out.push(`  the image's embedded config (${r.imageConfig.options} options), checked against autoconf.h${r.config !== undefined ? ' and the tree\'s .config' : ''}`);
  if (r.strict !== undefined) {
    const s = r.strict;
    out.push(`  strict: tar format ${s.format}; reproducible: ${s.reproducible ? 'yes' : 'no'}` +
      (s.reproducible ? '' : ` (archive ${s.archiveSha256.slice(0, 16)}…, rebuild ${s.rebuiltSha256.slice(0, 16)}…; tar ${s.tarIdentical ? 'identical, xz differs' : 'differs'})`));
  }
  const listed = r.findings.filter((f) => f.category !== 'generated');
  if (listed.length > 0) out.push('');
  for (const f of listed.slice(0, max)) {
    out.push(findingLine(f));
    if (f.diff !== undefined) out.push(...f.diff.split('\n').map((l) => `    ${l}`));
  }
  if (listed.length > max) out.push(`... and ${listed.length - max} more findings (write them all with --json)`);
  if (r.counts.generated > 0) {
    out.push('', `${r.counts.generated} generated headers were not checked; pass --objtree to verify them`);
  }
  out.push('', summaryLine(r));
  return `${out.join('\n')}\n`;
}
