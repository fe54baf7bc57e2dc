import * as cache from '@actions/cache';
import { rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { copyFileAtomically, KheadersError, readMembers, type CachePort, type Logger } from '../core/index.js';

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

/** What the port needs of @actions/cache; tests may pass their own. */
export type CacheClient = Pick<typeof cache, 'isFeatureAvailable' | 'restoreCache' | 'saveCache'>;

/** @actions/cache as the core's CachePort. Failures warn and count as a miss or "not saved". */
export function actionsCache(log: Logger, client: CacheClient = cache, stage: string = stagePath()): CachePort {
  const clear = (): Promise<void> => rm(dirname(stage), { recursive: true, force: true });
  return {
    name: 'the Actions cache',
    available: () => {
      const ok = client.isFeatureAvailable();
      if (!ok) log.warning('the Actions cache service is not available here (no ACTIONS_RESULTS_URL / ACTIONS_CACHE_URL); continuing without the cache');
      return ok;
    },
    async restore(key, dest) {
      await clear();
      let matched: string | undefined;
      try {
        matched = await client.restoreCache([stage], key);
        if (matched !== undefined && !(await stat(stage).catch(() => undefined))?.isFile()) {
          log.warning(`cache entry ${matched} did not contain the archive; ignoring it`);
          matched = undefined;
        }
        if (matched !== undefined) {
          // A full read (the hostile-input checks, the xz index) before the entry is used.
          for await (const m of readMembers(stage)) void m;
        }
      } catch (e) {
        log.warning(e instanceof KheadersError ? `cache entry for ${key} is damaged, building instead: ${e.message}` : `cache restore failed, continuing without the cache: ${message(e)}`);
        matched = undefined;
      }
      try {
        if (matched !== undefined) await copyFileAtomically(stage, dest);
        return matched;
      } finally {
        await clear();
      }
    },
    async lookup(key) {
      try {
        return (await client.restoreCache([stage], key, [], { lookupOnly: true })) === key;
      } catch (e) {
        log.warning(`cache lookup failed: ${message(e)}`);
        return false;
      }
    },
    async save(key, archive) {
      try {
        await copyFileAtomically(archive, stage);
        const id = await client.saveCache([stage], key);
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
        await clear();
      }
    },
  };
}
