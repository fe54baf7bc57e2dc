import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decompress, detectCompression } from '../../src/core/sources/codecs/table.js';
import { archiveFromElf } from '../../src/core/sources/images/elf.js';
import { bufferSource } from '../../src/core/sources/images/byte-source.js';
import { buildRealElf } from '../helpers/elf.js';
import { rejectsWith } from '../helpers/errors.js';
import { makeHeadersArchive } from '../helpers/headers-archive.js';

let dir: string;
let archive: Buffer;
let ko: string;
let koBytes: Buffer;

// The kernel's own module compression commands (scripts/Makefile.modinst), run with the real CLIs.
const COMPRESSORS: Array<{ kind: 'xz' | 'gzip' | 'zstd'; cmd: string; args: string[] }> = [
  { kind: 'xz', cmd: 'xz', args: ['--check=crc32', '--lzma2=dict=1MiB', '-c'] },
  { kind: 'gzip', cmd: 'gzip', args: ['-n', '-c'] },
  { kind: 'zstd', cmd: 'zstd', args: ['-T0', '-q', '-c'] },
];

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'kh-mod-'));
  const fx = makeHeadersArchive(dir);
  archive = readFileSync(fx.archive);
  ko = buildRealElf(dir, fx.archive, 'rel');
  koBytes = readFileSync(ko);
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe('compressed modules', () => {
  for (const c of COMPRESSORS) {
    it(`.ko.${c.kind === 'gzip' ? 'gz' : c.kind === 'zstd' ? 'zst' : 'xz'}: detected, decompressed byte for byte, archive extracted`, async () => {
      const packed = execFileSync(c.cmd, [...c.args, ko], { maxBuffer: 1 << 28 });
      assert.equal(detectCompression(packed), c.kind);
      const plain = await decompress(packed, c.kind, 'kheaders.ko');
      assert.ok(plain.equals(koBytes));
      const got = await archiveFromElf(bufferSource(plain), 'kheaders.ko');
      assert.ok(got.archive.equals(archive));
    });

    it(`${c.kind}: truncated input is a clear error`, async () => {
      const packed = execFileSync(c.cmd, [...c.args, ko], { maxBuffer: 1 << 28 });
      const cut = packed.subarray(0, Math.floor(packed.length / 2));
      await rejectsWith(decompress(cut, c.kind, 'cut.ko'), 'CORRUPT_ARCHIVE');
    });

    it(`${c.kind}: output cap is enforced`, async () => {
      const packed = execFileSync(c.cmd, [...c.args, ko], { maxBuffer: 1 << 28 });
      await rejectsWith(decompress(packed, c.kind, 'big.ko', { maxBytes: 1000 }), 'LIMIT_EXCEEDED');
    });
  }

  it('multi-frame zstd (two frames concatenated) decodes whole', async () => {
    const a = execFileSync('zstd', ['-q', '-c'], { input: koBytes.subarray(0, 1000) });
    const b = execFileSync('zstd', ['-q', '-c'], { input: koBytes.subarray(1000) });
    const plain = await decompress(Buffer.concat([a, b]), 'zstd', 'two.ko');
    assert.ok(plain.equals(koBytes));
  });

  it('stopAfter returns a prefix without decoding everything', async () => {
    const packed = execFileSync('xz', ['-c'], { input: koBytes });
    const head = await decompress(packed, 'xz', 'k.ko.xz', { stopAfter: 4 });
    assert.ok(head.length >= 4 && koBytes.subarray(0, head.length).equals(head));
  });

  it('detectCompression says none for ELF and tar', () => {
    assert.equal(detectCompression(koBytes), 'none');
    assert.equal(detectCompression(Buffer.from('ustar')), 'none');
  });
});
