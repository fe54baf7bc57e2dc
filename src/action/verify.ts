import { join, relative } from 'node:path';
import {
  mismatches, renderJson, verifyArchive, writeFileAtomically, type Logger, type TreeSettings, type VerifyReport, type VerifySettings,
} from '../core/index.js';

export interface VerifyOutcome {
  report: VerifyReport;
  /** Path of the JSON report. */
  reportPath: string;
  mismatches: number;
}

/** The action's tree as the core's verify settings (the core finds an in-tree build's generated headers itself). */
export function verifySettings(archive: string, tree: TreeSettings, strict = false): VerifySettings {
  const config = tree.config?.kind === 'file' ? tree.config.path : undefined;
  return { command: 'verify', archive, source: tree.source, objtree: tree.objtree, arch: tree.arch, config, strict, rules: tree.rules };
}

/**
 * Verifies the archive against the tree, writes the JSON report, and turns
 * each mismatch into an annotation on the header (error or warning).
 */
export async function verifyStep(archive: string, tree: TreeSettings, out: { report: string; strict: boolean }, asError: boolean, log: Logger): Promise<VerifyOutcome> {
  const s = verifySettings(archive, tree, out.strict);
  const report = await verifyArchive(s, log);
  const reportPath = out.report;
  await writeFileAtomically(reportPath, renderJson(report), 'set RUNNER_TEMP to a writable directory');
  const bad = mismatches(report.findings);
  const workspace = process.env.GITHUB_WORKSPACE || process.cwd();
  for (const f of bad.slice(0, 20)) {
    const onDisk = f.category === 'config' ? undefined : relative(workspace, join(report.objtree && f.name.includes('/generated/') ? report.objtree : tree.source, f.name));
    const where = onDisk !== undefined && !onDisk.startsWith('..') ? { file: onDisk, startLine: f.line } : undefined;
    const text = `${f.category}: ${f.name}: ${f.detail}`;
    if (asError) log.error(text, where);
    else log.warning(text, where);
  }
  if (bad.length > 20) log.info(`${bad.length - 20} more findings are in ${reportPath}`);
  log.info(`verification: ${report.result} (${bad.length} mismatches, ${report.counts.match} matching, ${report.counts.generated} generated unverified)`);
  return { report, reportPath, mismatches: bad.length };
}
