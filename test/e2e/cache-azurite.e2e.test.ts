// End-to-end: the v2 cache service with Azure's own storage. The Twirp side is
// our shim (test/helpers/cache-server.ts); the blobs live in Azurite, Microsoft's
// Azure Storage emulator, which checks every SAS signature the shim hands out.
// The bundled action on Node 24 builds the real 6.1 archive, saves it through the
// Azure SDK on a miss and restores it, byte-identical, on a hit: through the SDK
// (the *.blob.core.windows.net name, via a forward proxy to Azurite) and by a plain
// GET (a loopback URL). A refused upload only warns; a damaged entry is a miss.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { node24, runActionProcess, type ActionRun } from '../helpers/action-run.js';
import { fail, MTIME, NODE24_MISSING } from '../helpers/action-job.js';
import { azuriteBlobs, startAzurite, type Azurite, type BlobStyle } from '../helpers/azurite.js';
import { startCacheServer, type CacheServer } from '../helpers/cache-server.js';
import { kernelTree } from '../helpers/e2e-tree.js';
import { holdLock } from '../helpers/flock.js';

const CONTAINER = 'actions-cache';
let w: string;
let node: string;
let tree: string;
let lock: string;
let az: Azurite | undefined;
let srv: CacheServer | undefined;
let style: { current: BlobStyle };
let n = 0;
/** The archive the first job built and saved, its key, and the blob Azurite holds for it. */
let built: Buffer | undefined;
let savedKey: string;
let good: Buffer | undefined;

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
const warnings = (r: ActionRun): string[] => r.annotations.filter((a) => a.level === 'warning').map((a) => a.message);

/** One runner job (fresh workspace, the same RUNNER_TEMP as every job, as on one runner image). */
async function job(inputs: Record<string, string> = {}): Promise<ActionRun & { archive: Buffer }> {
  const dir = path.join(w, `job${n++}`);
  mkdirSync(dir);
  const out = path.join(dir, 'kheaders_data.tar.xz');
  // The cached tree is shared with the other e2e files: held only while a job may read it.
  const unlock = await holdLock(lock);
  const r = await runActionProcess({
    node, dir, runnerTemp: path.join(w, 'runner_temp'),
    inputs: { mode: 'build', source: tree, mtime: MTIME, verify: 'false', archive: out, ...inputs },
    env: { ...(srv as CacheServer).env('v2'), HTTP_PROXY: (az as Azurite).proxy, NO_PROXY: '127.0.0.1,localhost' },
  }).finally(unlock);
  return { ...r, archive: r.code === 0 && r.outputs.archive ? readFileSync(r.outputs.archive) : Buffer.alloc(0) };
}

/** The blobs Azurite holds: name -> size. */
async function blobs(): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for await (const b of (az as Azurite).service.getContainerClient(CONTAINER).listBlobsFlat()) out.set(b.name, b.properties.contentLength ?? -1);
  return out;
}

before(async () => {
  node = node24() ?? assert.fail(NODE24_MISSING);
  const get = await kernelTree(['--no-objtree']);
  tree = get('tree');
  lock = path.join(get('cache'), '.lock');
  w = mkdtempSync(path.join(os.tmpdir(), 'kh-e2e-azurite-'));
  az = await startAzurite(node);
  const backend = await azuriteBlobs(az, CONTAINER);
  style = backend.style;
  srv = await startCacheServer(backend);
}, { timeout: 3_600_000 });

after(async () => {
  await srv?.close();
  await az?.stop();
  if (w) rmSync(w, { recursive: true, force: true });
});

describe('v2 cache, Azurite as the blob store, bundled action on Node 24, Debian 6.1 tree', { timeout: 900_000 }, () => {
  test('miss: builds the 6.1 archive and saves it; the Azure SDK put it into Azurite through the signed URL', async () => {
    style.current = 'azure';
    const r = await job();
    assert.equal(r.code, 0, fail(r));
    assert.deepEqual([r.outputs.origin, r.outputs['cache-hit']], ['build', 'false']);
    assert.match(r.stdout, /cache saved: kheaders-linux-x86-[0-9a-f]{32}/, fail(r));
    assert.equal(r.outputs['archive-sha256'], sha(r.archive));
    built = r.archive;
    savedKey = r.outputs['cache-primary-key'];
    const held = await blobs();
    assert.equal(held.size, 1, JSON.stringify([...held]));
    const entry = srv?.entries.find((e) => e.key === r.outputs['cache-primary-key']);
    assert.ok(entry?.finalized, 'the shim finalized the entry after checking the blob\'s size in Azurite');
    assert.ok(az?.proxied.some((p) => p.method === 'PUT' && p.status === 201 && p.path.endsWith(`/entry-${entry.id}`)), JSON.stringify(az?.proxied));
    console.log(`saved: ${built.length}-byte archive, sha256 ${sha(built)}; Azurite holds ${[...held].map(([k, v]) => `${k} (${v} bytes)`).join(', ')}`);
  });

  test('hit through the Azure SDK (blob.core.windows.net name): restored byte-identical, nothing built or saved', async () => {
    style.current = 'azure';
    az?.proxied.splice(0);
    assert.ok(built, 'the first test saved an entry');
    const r = await job();
    assert.equal(r.code, 0, fail(r));
    assert.deepEqual([r.outputs.origin, r.outputs['cache-hit']], ['cache', 'true']);
    assert.ok(r.archive.equals(built), `restored ${r.archive.length} bytes, sha256 ${sha(r.archive)}; saved ${built.length}, ${sha(built)}`);
    assert.deepEqual(warnings(r), []);
    const methods = az?.proxied.map((p) => `${p.method} ${p.status}${p.range ? ' ranged' : ''}`) ?? [];
    assert.ok(methods.includes('HEAD 200') && methods.some((m) => m === 'GET 206 ranged' || m === 'GET 200 ranged'), `the SDK's getProperties then ranged GETs: ${methods.join(', ')}`);
  });

  test('hit by a plain GET (loopback URL): restored byte-identical', async () => {
    assert.ok(built, 'the first test saved an entry');
    style.current = 'loopback';
    az?.proxied.splice(0);
    const r = await job();
    assert.equal(r.code, 0, fail(r));
    assert.deepEqual([r.outputs.origin, r.outputs['cache-hit']], ['cache', 'true']);
    assert.ok(r.archive.equals(built));
    assert.deepEqual(az?.proxied, [], 'straight to Azurite, not through the proxy');
  });

  test('a save Azurite refuses (forged signature): a warning, the step succeeds with the built archive', async () => {
    assert.ok(built, 'the first test saved an entry');
    style.current = 'forged';
    const before = await blobs();
    const r = await job({ 'cache-key-prefix': 'kh-forged' });
    assert.equal(r.code, 0, fail(r));
    assert.deepEqual([r.outputs.origin, r.outputs['cache-hit']], ['build', 'false']);
    assert.ok(r.archive.equals(built), 'the same inputs build the same bytes');
    // Azurite answers 403 before the body is in, and may close the connection: the client sees the 403 or EPIPE.
    assert.ok(warnings(r).some((m) => /Failed to save/.test(m) && /403|authenticat|signature|EPIPE|ECONNRESET/i.test(m)), `warnings: ${warnings(r).join(' | ')}`);
    assert.doesNotMatch(r.stdout, /cache saved/);
    assert.ok(!az?.proxied.some((p) => p.method === 'PUT' && p.status < 300), JSON.stringify(az?.proxied));
    assert.deepEqual(await blobs(), before, 'nothing new in Azurite');
    assert.ok(!srv?.entries.find((e) => e.key === r.outputs['cache-primary-key'])?.finalized);
  });

  for (const [what, damage, said] of [
    ['its blob overwritten with garbage (the client cannot untar it)', (b: Buffer): Buffer => Buffer.alloc(b.length, 0x5a), /^Failed to restore: .*tar/],
    ['a valid cache tarball whose kheaders archive has a flipped byte (our full read refuses it)', flipInArchive, /^cache entry for kheaders-linux-x86-[0-9a-f]{32} is damaged, building instead: /],
  ] as const) {
    test(`the saved entry damaged in Azurite, ${what}: a miss with a warning, then built again`, async () => {
      assert.ok(built, 'the first test saved an entry');
      style.current = 'azure';
      const entry = srv?.entries.find((e) => e.key === savedKey);
      assert.ok(entry?.finalized);
      const blob = az?.service.getContainerClient(CONTAINER).getBlockBlobClient(`entry-${entry.id}`);
      good ??= await blob?.downloadToBuffer();
      assert.ok(good);
      const bad = damage(good);
      assert.ok(!bad.equals(good));
      await blob?.uploadData(bad);
      const r = await job();
      assert.equal(r.code, 0, fail(r));
      assert.deepEqual([r.outputs.origin, r.outputs['cache-hit']], ['build', 'false']);
      assert.ok(r.archive.equals(built), 'rebuilt, byte-identical');
      const warned = warnings(r).find((m) => said.test(m));
      assert.ok(warned, `warnings: ${warnings(r).join(' | ')}`);
      console.log(`warning (${what}): ${warned.slice(0, 200)}`);
    });
  }
});

/** Unpacks the cache's tar.zst, flips one byte inside the xz stream of kheaders_data.tar.xz, packs it again. */
function flipInArchive(blob: Buffer): Buffer {
  const tar = execFileSync('zstd', ['-d', '-q', '-c', '--long=30'], { input: blob, maxBuffer: 1 << 28 });
  const at = tar.indexOf(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]));
  assert.ok(at > 0 && at % 512 === 0, 'the xz stream starts a tar data block');
  const copy = Buffer.from(tar);
  copy[at + 200_000] ^= 0xff;
  // As the client packs it (zstdmt, no --long: its unzstd would refuse a long-window frame).
  return execFileSync('zstd', ['-q', '-c', '-T0'], { input: copy, maxBuffer: 1 << 28 });
}
