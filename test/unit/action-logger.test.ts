// GitHub's log viewer cannot nest groups: an inner phase must not open one.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { actionsLogger } from '../../src/action/logger.js';

void it('a phase inside a phase is a plain line, and groups open and close in pairs even when one throws', async () => {
  const out: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array): boolean => { out.push(String(chunk)); return true; }) as typeof process.stdout.write;
  try {
    await actionsLogger.group('outer', async () => {
      await actionsLogger.group('inner', async () => { actionsLogger.info('work'); });
    });
    await actionsLogger.group('fails', async () => { throw new Error('x'); }).catch(() => undefined);
    await actionsLogger.group('after', async () => undefined);
  } finally {
    process.stdout.write = write;
  }
  const lines = out.join('').split('\n').filter(Boolean);
  assert.deepEqual(lines, ['::group::outer', '-- inner', 'work', '::endgroup::', '::group::fails', '::endgroup::', '::group::after', '::endgroup::']);
});
