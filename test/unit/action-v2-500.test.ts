// The v2 (Twirp) cache service answering 500: the real client retries each
// call for about 25 s, then the step must still succeed, with warnings. Kept
// in its own file so it runs alongside the other test files.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { copyTree, makeShim, tempDir, writeTree } from '../helpers/action-tree.js';
import { node24, runActionProcess } from '../helpers/action-run.js';
import { ROUTES, startCacheServer, type CacheServer } from '../helpers/cache-server.js';

const tmp = tempDir('kheaders-v2-500-');
let bad: CacheServer;
before(async () => {
  bad = await startCacheServer();
  bad.fault = { status: 500, prefix: ROUTES.TWIRP };
});
after(async () => {
  await bad.close();
  tmp.cleanup();
});

void it('v2 Twirp answering 500 to every call: built, with restore and save warnings', { timeout: 180_000 }, async () => {
  const shim = makeShim(tmp.dir);
  const dir = join(tmp.dir, 'job');
  mkdirSync(join(dir, 'workspace'), { recursive: true });
  const tree = copyTree(writeTree(join(tmp.dir, 'pristine')), join(dir, 'workspace', 'linux'));
  const r = await runActionProcess({
    node: node24() ?? process.execPath,
    dir,
    path: `${shim.bin}:${process.env.PATH ?? '/usr/bin:/bin'}`,
    inputs: { source: tree, config: 'x86_64_defconfig', arch: 'x86_64', mtime: '2024-01-01 00:00:00 UTC', verify: 'false' },
    env: bad.env('v2'),
    runnerTemp: join(tmp.dir, 'runner_temp'),
  });
  assert.equal(r.code, 0, `${r.stdout.slice(-3000)}\n${r.stderr.slice(-2000)}`);
  assert.equal(r.outputs.origin, 'build');
  assert.equal(r.outputs['cache-hit'], 'false');
  const warnings = r.annotations.filter((a) => a.level === 'warning').map((a) => a.message);
  assert.ok(warnings.some((w) => /restore/i.test(w)), warnings.join('\n'));
  assert.ok(warnings.some((w) => /save/i.test(w)), warnings.join('\n'));
  assert.ok(bad.log.length >= 2 && bad.log.every((l) => l.status === 500), JSON.stringify(bad.log));
});
