import * as core from '@actions/core';
import { formatError, KheadersError } from '../core/index.js';
import { actionsCache } from './cache.js';
import { ExportedEnv, Outputs } from './constants.js';
import { getInputs } from './inputs.js';
import { actionsLogger } from './logger.js';
import { execute, type RunResult } from './run.js';
import { writeSummary } from './summary.js';

function setOutputs(r: RunResult): void {
  const out: Record<Outputs, string> = {
    [Outputs.Archive]: r.lookupOnly ? '' : r.archive,
    [Outputs.ArchiveMd5]: r.md5,
    [Outputs.ArchiveSha256]: r.sha256,
    [Outputs.Key]: r.keyMd5 ?? '',
    [Outputs.CacheHit]: String(r.cacheHit),
    [Outputs.CachePrimaryKey]: r.primaryKey ?? '',
    [Outputs.CacheMatchedKey]: r.matchedKey ?? '',
    [Outputs.Origin]: r.origin,
    [Outputs.HeadersDir]: r.headersDir ?? '',
    [Outputs.KernelRelease]: r.kernelRelease ?? '',
    [Outputs.Verified]: r.verify ? String(r.verify.report.result === 'match') : '',
    [Outputs.Mismatches]: r.verify ? String(r.verify.mismatches) : '',
    [Outputs.Report]: r.verify?.reportPath ?? '',
    [Outputs.Config]: r.config ?? '',
    [Outputs.VmlinuxH]: r.vmlinuxH ?? '',
  };
  for (const [name, value] of Object.entries(out)) core.setOutput(name, value);
}

/** The action: read inputs, run, publish outputs and the summary. The one place a step fails. */
export async function runAction(): Promise<void> {
  try {
    const settings = getInputs();
    const result = await execute(settings, { cache: actionsCache(actionsLogger) }, actionsLogger);
    setOutputs(result);
    if (settings.exportEnv && result.headersDir !== undefined) {
      core.exportVariable(ExportedEnv.Bcc, result.headersDir);
      core.exportVariable(ExportedEnv.Bpftrace, result.headersDir);
    }
    await writeSummary(result);
    core.info(`${result.origin}: ${result.archive} md5 ${result.md5} sha256 ${result.sha256}`);
    if (result.verify && result.verify.mismatches > 0 && settings.failOnMismatch) {
      core.setFailed(`the archive does not match the tree: ${result.verify.mismatches} mismatches (report: ${result.verify.reportPath})`);
    }
  } catch (e) {
    if (e instanceof KheadersError) core.setFailed(formatError(e));
    else core.setFailed(e instanceof Error ? (e.stack ?? e.message) : String(e));
  }
}
