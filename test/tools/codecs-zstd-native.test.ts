// zstd through Node 24's node:zlib (the action's runtime), run for real: the
// codec table under Node 24 (test/helpers/codec-probe.ts) against the system
// zstd as the oracle, on the kernel's own zstd22 settings (--ultra -22 from a
// pipe: a 128 MiB window), several frames with a skippable one, a window over
// the limit, corrupt data, and a bomb under the cap. Needs Node 24: without it
// these fail with how to install it (as the action tests do).
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createHash } from 'node:crypto';
import { NODE24_MISSING } from '../helpers/action-job.js';
import { node24 } from '../helpers/action-run.js';
import type { ProbeResult } from '../helpers/codec-probe.js';

const ROOT = resolve(import.meta.dirname, '../..');
const PROBE = join(ROOT, 'test/helpers/codec-probe.ts');
/** Kernel-like input: text-ish runs and random stretches, 3 MB. */
const plain = Buffer.concat(Array.from({ length: 24 }, (_, i) => (i % 3 === 0 ? randomBytes(40_000) : Buffer.alloc(110_000, `line ${i} of the kernel\n`))));
const zstd = (args: string[], input: Buffer): Buffer => execFileSync('zstd', ['-q', '-c', ...args], { input, maxBuffer: 1 << 28 });
const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

let dir = '';
let node = '';
function probe(input: Buffer, opts: { max?: number; chunk?: number } = {}): ProbeResult {
  const f = join(dir, `in-${randomBytes(4).toString('hex')}.zst`);
  writeFileSync(f, input);
  const args = ['--import', 'tsx', PROBE, f, 'zstd', ...(opts.max === undefined ? [] : [String(opts.max)]), ...(opts.chunk === undefined ? [] : [...(opts.max === undefined ? ['1073741824'] : []), String(opts.chunk)])];
  const r = spawnSync(node, args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 24, env: { ...process.env, KHEADERS_SYSTEM_CODECS: '0' } });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as ProbeResult;
}
/** What the system zstd makes of `input`: its output, or undefined when it refuses it. */
function oracle(input: Buffer): Buffer | undefined {
  const r = spawnSync('zstd', ['-d', '-c', '-q'], { input, maxBuffer: 1 << 28 });
  return r.status === 0 ? r.stdout : undefined;
}

void describe('zstd under Node 24: node:zlib behind the frame guard', () => {
  before(() => {
    node = node24() ?? assert.fail(NODE24_MISSING);
    dir = mkdtempSync(join(tmpdir(), 'kh-zstd-native-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  void it('decodes the kernel\'s zstd22 (--ultra -22 from a pipe, a 128 MiB window) as zstd -d does, whole and in 7 KiB chunks', () => {
    const packed = zstd(['--ultra', '-22'], plain);
    assert.equal(packed[5] >> 3, 27 - 10, 'the frame asks for a 128 MiB window');
    const want = oracle(packed) as Buffer;
    assert.ok(want.equals(plain));
    for (const chunk of [undefined, 7 * 1024]) {
      const got = probe(packed, { chunk });
      assert.equal(got.backend, 'node:zlib', 'KHEADERS_SYSTEM_CODECS=0 does not turn off Node\'s own zstd');
      assert.deepEqual([got.length, got.sha256], [want.length, sha(want)], JSON.stringify(got));
    }
  });

  void it('decodes every frame of a multi-frame stream, skippable frames included, as zstd -d does', () => {
    const skippable = Buffer.concat([Buffer.from([0x50, 0x2a, 0x4d, 0x18, 5, 0, 0, 0]), Buffer.from('hello')]);
    const packed = Buffer.concat([zstd(['-3'], plain.subarray(0, 100_000)), skippable, zstd(['-19', '--no-check'], plain.subarray(100_000)), zstd([], Buffer.alloc(0))]);
    const want = oracle(packed) as Buffer;
    assert.ok(want.equals(plain));
    for (const chunk of [undefined, 4096]) {
      const got = probe(packed, { chunk });
      assert.deepEqual([got.backend, got.length, got.sha256], ['node:zlib', want.length, sha(want)], JSON.stringify(got));
    }
  });

  void it('refuses a window over 128 MiB (zstd --long=28) as zstd -d does, naming the limit', () => {
    const packed = zstd(['--long=28', '-1'], plain);
    assert.equal(oracle(packed), undefined, 'zstd -d refuses it too');
    const got = probe(packed);
    assert.equal(got.code, 'LIMIT_EXCEEDED', JSON.stringify(got));
    assert.match(got.message ?? '', /input: a zstd frame needs a 268435456-byte window, over the 134217728-byte limit/);
  });

  void it('corrupt data and bytes after the last frame are CORRUPT_ARCHIVE "corrupt zstd data", as zstd -d fails them', () => {
    const packed = zstd(['-19'], plain);
    const flipped = Buffer.from(packed);
    for (let i = 2000; i < 2400; i++) flipped[i] ^= 0x5a;
    assert.equal(oracle(flipped), undefined);
    const got = probe(flipped);
    assert.equal(got.code, 'CORRUPT_ARCHIVE', JSON.stringify(got));
    assert.match(got.message ?? '', /^input: corrupt zstd data \(.+\)$/);
    const trailing = Buffer.concat([packed, Buffer.from('garbage')]);
    assert.equal(oracle(trailing), undefined);
    assert.match(probe(trailing).message ?? '', /^input: corrupt zstd data \(not a zstd frame \(magic 0x62726167\)\)$/);
    assert.match(probe(packed.subarray(0, packed.length - 10)).message ?? '', /^input: corrupt zstd data \(a zstd frame never ends/);
  });

  void it('a bomb (16,384 RLE blocks, 2 GiB out, in one chunk) stops at the cap, promptly and without buffering the rest', () => {
    const header = Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x38]);
    const blocks = Buffer.alloc(16_384 * 4);
    for (let i = 0; i < 16_384; i++) blocks.writeUIntLE(((128 * 1024) << 3) | (1 << 1) | (i === 16_383 ? 1 : 0), i * 4, 3);
    const got = probe(Buffer.concat([header, blocks]), { max: 8 << 20 });
    assert.equal(got.code, 'LIMIT_EXCEEDED', JSON.stringify(got));
    assert.match(got.message ?? '', /input: decompresses to more than 8388608 bytes/);
    assert.ok(got.ms < 5000 && got.rssGrowth < 256 << 20, JSON.stringify(got));
  });
});
