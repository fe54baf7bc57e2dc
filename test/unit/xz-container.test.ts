// The xz container around the blocks: bytes inserted between the last block
// and the index (or between blocks), a damaged index or header, are refused
// exactly when `xz -t` refuses them; the index read in TypeScript agrees with
// `xz --robot -l` on what real xz writes.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, describe, test } from 'node:test';
import { readMembers } from '../../src/core/archive/read.js';
import { parseXzIndex } from '../../src/core/archive/xz-index.js';
import { rejectsWith } from '../helpers/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'kh-xzc-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A tar of a few headers (~1.5 MB, so a 256 KiB block size gives several blocks). */
function sampleTar(): Buffer {
  const t = join(dir, 'tree');
  mkdirSync(join(t, 'include/linux'), { recursive: true });
  for (let i = 0; i < 24; i++) writeFileSync(join(t, `include/linux/h${i}.h`), `/* ${i} */\n${`#define X${i}_%d ${i}\n`.repeat(4000).replace(/%d/g, () => String(Math.random()).slice(2, 8))}`);
  return execFileSync('tar', ['--sort=name', '--owner=0', '--group=0', '--numeric-owner', '-cf', '-', '-C', t, '.'], { maxBuffer: 1 << 26 });
}
const tar = sampleTar();
const xz = (...args: string[]): Buffer => execFileSync('xz', [...args, '-c'], { input: tar, maxBuffer: 1 << 26 });
const oneBlock = xz('-6', '-T1');
const blocks = xz('-1', '-T2', '--block-size=256KiB');

/** Where the index starts (from the footer's backward size). */
const indexAt = (b: Buffer): number => b.length - 12 - (b.readUInt32LE(b.length - 8) + 1) * 4;
const insert = (b: Buffer, at: number, bytes: Buffer): Buffer => Buffer.concat([b.subarray(0, at), bytes, b.subarray(at)]);
const xzTest = (b: Buffer): boolean => spawnSync('xz', ['-t'], { input: b }).status === 0;

async function read(b: Buffer): Promise<number> {
  let n = 0;
  for await (const m of readMembers(Readable.from([b]), { label: 'case' })) if (m.kind === 'file') n++;
  return n;
}

describe('bytes between the blocks and the index', () => {
  // A block header's first byte is its size: 'A' (0x41) announces a 264-byte header that never ends,
  // so liblzma waits for more input, and its stream wrapper used to end quietly there.
  const cases: Array<[string, Buffer]> = [
    ['"AAAA" after the last block', insert(oneBlock, indexAt(oneBlock), Buffer.from('AAAA'))],
    ['64 bytes of 0x41 after the last block', insert(oneBlock, indexAt(oneBlock), Buffer.alloc(64, 0x41))],
    ['one byte after the last block', insert(oneBlock, indexAt(oneBlock), Buffer.from([0x41]))],
    ['four NUL bytes after the last block', insert(oneBlock, indexAt(oneBlock), Buffer.alloc(4))],
    ['"AAAA" after the last of several blocks', insert(blocks, indexAt(blocks), Buffer.from('AAAA'))],
  ];
  for (const [name, bytes] of cases) {
    test(`${name}: xz -t refuses it, and so do we`, async () => {
      assert.equal(xzTest(bytes), false, 'the oracle must refuse this case');
      await rejectsWith(read(bytes), 'CORRUPT_ARCHIVE', /xz/);
    });
  }
  test('the untouched files, and one with stream padding, are read (xz -t accepts them)', async () => {
    for (const b of [oneBlock, blocks, Buffer.concat([oneBlock, Buffer.alloc(8)])]) {
      assert.equal(xzTest(b), true);
      assert.equal(await read(b), 24);
    }
  });
});

describe('the index in TypeScript', () => {
  test('agrees with xz --robot -l on block count, sizes and check', () => {
    for (const b of [oneBlock, blocks]) {
      const f = join(dir, 'l.xz');
      writeFileSync(f, b);
      const robot = execFileSync('xz', ['--robot', '-l', '-v', f]).toString().split('\n');
      const totals = robot.find((l) => l.startsWith('totals'))?.split('\t') ?? [];
      const idx = parseXzIndex(b);
      assert.equal(idx.streamCount, Number(totals[1]));
      assert.equal(idx.blockCount, Number(totals[2]));
      assert.equal(idx.uncompressedSize, Number(totals[4]));
      assert.equal(idx.check, 4); // CRC64
      const sizes = robot.filter((l) => l.startsWith('block')).map((l) => Number(l.split('\t')[7]));
      assert.deepEqual(idx.streams[0]?.blocks.map((x) => x.uncompressed), sizes);
    }
  });
  test('a flipped bit in the index, the footer or a block header is refused, as xz -t refuses it', () => {
    const at = indexAt(blocks);
    for (const off of [at + 2, blocks.length - 10, 12 + 1]) {
      const b = Buffer.from(blocks);
      b[off]! ^= 0x04;
      assert.equal(xzTest(b), false, `oracle at ${off}`);
      assert.throws(() => parseXzIndex(b), `offset ${off}`);
    }
  });
});
