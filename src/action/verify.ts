import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Logger } from '../core/log.js';
import type { TreeSettings } from '../core/settings.js';
import { verifyArchive, type Finding, type VerifyReport } from '../core/verify/verify.js';
import { writeFileAtomically } from '../core/io/atomic.js';

/** Categories that make the archive disagree with the tree. */
const MISMATCH: ReadonlySet<Finding['category']> = new Set(['differs', 'missing', 'extra', 'config', 'metadata']);

export interface VerifyOutcome {
  report: VerifyReport;
  /** Path of the JSON report. */
  reportPath: string;
  mismatches: number;
}

/** First line number of the tree side of a unified diff ("@@ -N,..."), else 1. */
function firstLine(diff: string | undefined): number {
  const m = diff ? /^@@ -(\d+)/m.exec(diff) : null;
  return m ? Math.max(1, Number(m[1])) : 1;
}

/**
 * Verifies the archive against the tree, writes the JSON report, and turns
 * each mismatch into an annotation on the header (error or warning).
 */
export async function verifyStep(archive: string, tree: TreeSettings, reportDir: string, asError: boolean, log: Logger): Promise<VerifyOutcome> {
  // In-tree builds keep their generated headers in the source tree: check them when present.
  const objtree = tree.objtree ?? (existsSync(join(tree.source, 'include/generated/autoconf.h')) ? tree.source : undefined);
  const config = tree.config !== undefined && existsSync(tree.config) ? tree.config : undefined;
  const report = await verifyArchive({ archive, source: tree.source, objtree, arch: tree.arch, config }, log);
  const reportPath = join(reportDir, 'kheaders-verify.json');
  await writeFileAtomically(reportPath, `${JSON.stringify(report, null, 2)}\n`, 'set RUNNER_TEMP to a writable directory');
  const bad = report.findings.filter((f) => MISMATCH.has(f.category));
  const workspace = process.env.GITHUB_WORKSPACE || process.cwd();
  for (const f of bad.slice(0, 20)) {
    const onDisk = f.category === 'config' ? undefined : relative(workspace, join(objtree && f.name.includes('/generated/') ? objtree : tree.source, f.name));
    const where = onDisk !== undefined && !onDisk.startsWith('..') ? { file: onDisk, startLine: firstLine(f.diff) } : undefined;
    const text = `${f.category}: ${f.name}: ${f.detail}`;
    if (asError) log.error(text, where);
    else log.warning(text, where);
  }
  if (bad.length > 20) log.info(`${bad.length - 20} more findings are in ${reportPath}`);
  log.info(`verification: ${report.result} (${bad.length} mismatches, ${report.counts.match} matching, ${report.counts.generated} generated unverified)`);
  return { report, reportPath, mismatches: bad.length };
}
