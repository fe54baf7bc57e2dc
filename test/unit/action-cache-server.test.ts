// The cache-service emulator against the real @actions/cache client (and the
// Azure SDK it uses for v2 uploads), in process.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as cache from '@actions/cache';
import { BlockBlobClient } from '@azure/storage-blob';
import { ROUTES, startCacheServer, type CacheServer } from '../helpers/cache-server.js';
import { tempDir } from '../helpers/action-tree.js';

const tmp = tempDir('kheaders-cachesrv-');
let srv: CacheServer;
const saved = { ...process.env };
// @actions/core prints workflow commands on stdout; keep the TAP stream readable.
const write = process.stdout.write.bind(process.stdout);

before(async () => {
  srv = await startCacheServer();
  process.env.RUNNER_TEMP = join(tmp.dir, 'runner-temp');
  process.env.GITHUB_WORKSPACE = tmp.dir;
  mkdirSync(process.env.RUNNER_TEMP, { recursive: true });
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: never[]) =>
    (String(chunk).startsWith('::') ? true : write(chunk, ...rest))) as typeof process.stdout.write;
});
after(async () => {
  process.stdout.write = write;
  for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
  Object.assign(process.env, saved);
  await srv.close();
  tmp.cleanup();
});

function useProtocol(p: 'v2' | 'v1' | 'ghes'): void {
  for (const k of ['ACTIONS_CACHE_SERVICE_V2', 'ACTIONS_RESULTS_URL', 'ACTIONS_CACHE_URL', 'GITHUB_SERVER_URL']) delete process.env[k];
  Object.assign(process.env, srv.env(p));
}

for (const protocol of ['v2', 'v1', 'ghes'] as const) {
  void describe(`emulator, ${protocol} protocol, real client`, () => {
    void it('miss, save, hit with identical bytes; a second save of the key is refused', async () => {
      useProtocol(protocol);
      const file = join(tmp.dir, `${protocol}-payload.bin`);
      const payload = randomBytes(300_000);
      writeFileSync(file, payload);
      const key = `kh-${protocol}-${randomBytes(4).toString('hex')}`;
      srv.log.length = 0;
      assert.equal(await cache.restoreCache([file], key), undefined);
      const id = await cache.saveCache([file], key);
      assert.ok(id > 0, `saved with id ${id}`);
      rmSync(file);
      assert.equal(await cache.restoreCache([file], key), key);
      assert.deepEqual(readFileSync(file), payload);
      assert.equal(await cache.saveCache([file], key), -1, 'a reserve conflict means "not saved"');
      const paths = srv.log.map((l) => l.path);
      if (protocol === 'v2') {
        assert.ok(paths.some((p) => p.endsWith('/CreateCacheEntry')) && paths.some((p) => p.endsWith('/FinalizeCacheEntryUpload')));
        assert.ok(srv.log.some((l) => l.method === 'PUT' && l.path.startsWith(ROUTES.BLOB)), 'uploaded with Put Blob');
      } else {
        assert.ok(srv.log.some((l) => l.method === 'PATCH' && l.path.startsWith(ROUTES.V1)), 'uploaded with PATCH chunks');
        assert.ok(!paths.some((p) => p.startsWith(ROUTES.TWIRP)), 'no Twirp calls on v1/GHES');
      }
    });
  });
}

void describe('emulator details', () => {
  void it('rejects a wrong bearer token (the client treats it as a failed restore, not a hit)', async () => {
    useProtocol('v1');
    process.env.ACTIONS_RUNTIME_TOKEN = 'wrong';
    try {
      assert.equal(await cache.restoreCache([join(tmp.dir, 'x')], 'kh-token'), undefined);
      assert.equal(srv.log.at(-1)?.status, 401);
    } finally {
      process.env.ACTIONS_RUNTIME_TOKEN = srv.token;
    }
  });

  void it('Put Block + Put Block List from the Azure SDK assemble the blob in order', async () => {
    useProtocol('v2');
    const data = randomBytes(5000);
    const res = await fetch(new URL(`${ROUTES.TWIRP}CreateCacheEntry`, srv.url), {
      method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${srv.token}` },
      body: JSON.stringify({ key: 'kh-blocks', version: 'v' }),
    });
    const { signed_upload_url: url } = (await res.json()) as { signed_upload_url: string };
    await new BlockBlobClient(url).uploadData(data, { maxSingleShotSize: 1000, blockSize: 1024, concurrency: 3 });
    const entry = srv.entries.find((e) => e.key === 'kh-blocks');
    assert.equal(entry?.blocks.size, 5);
    assert.deepEqual(entry?.data, data);
    assert.equal((await fetch(url)).status, 200);
    assert.equal((await fetch(url.replace(/sig=[^&]*/, 'sig=forged'))).status, 403);
  });
});
