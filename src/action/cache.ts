import * as cache from '@actions/cache';
import { rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Logger } from '../core/log.js';
import { copyFileAtomically } from '../core/io/atomic.js';

/**
 * The Actions cache holds one file at a fixed path, so the client's "version"
 * (a hash of the paths) is the same in every run whatever `archive` says.
 */
export function stagePath(runnerTemp: string = process.env.RUNNER_TEMP || tmpdir()): string {
  return join(runnerTemp, 'kheaders-cache', 'kheaders_data.tar.xz');
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Restores the exact key into the stage path; the matched key, or undefined on a miss or any failure (warned). */
export async function restoreArchive(key: string, stage: string, log: Logger): Promise<string | undefined> {
  if (!cache.isFeatureAvailable()) {
    log.warning('the Actions cache service is not available here (no ACTIONS_RESULTS_URL / ACTIONS_CACHE_URL); continuing without the cache');
    return undefined;
  }
  await rm(dirname(stage), { recursive: true, force: true });
  try {
    const matched = await cache.restoreCache([stage], key);
    if (matched === undefined) {
      log.info(`cache miss for ${key}`);
      return undefined;
    }
    const st = await stat(stage).catch(() => undefined);
    if (!st?.isFile()) {
      log.warning(`cache entry ${matched} did not contain the archive; ignoring it`);
      return undefined;
    }
    log.info(`cache hit for ${matched}`);
    return matched;
  } catch (e) {
    log.warning(`cache restore failed, continuing without the cache: ${message(e)}`);
    return undefined;
  }
}

/** Saves archive under key; false when not saved. Never throws: caching is best effort. */
export async function saveArchive(key: string, archive: string, stage: string, log: Logger): Promise<boolean> {
  if (!cache.isFeatureAvailable()) return false;
  try {
    await copyFileAtomically(archive, stage);
    const id = await cache.saveCache([stage], key);
    if (id === -1) {
      log.info(`cache not saved for ${key} (see the messages above; another job may be saving it)`);
      return false;
    }
    log.info(`cache saved: ${key}`);
    return true;
  } catch (e) {
    log.warning(`cache save failed, the archive is still built: ${message(e)}`);
    return false;
  } finally {
    await rm(dirname(stage), { recursive: true, force: true });
  }
}
