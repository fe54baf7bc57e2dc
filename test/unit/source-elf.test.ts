import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { archiveFromElf, isElf } from '../../src/core/sources/images/elf.js';
import { bufferSource, fileSource } from '../../src/core/sources/images/byte-source.js';
import { buildRealElf, craftElf, type RealKind } from '../helpers/elf.js';
import { makeHeadersArchive } from '../helpers/headers-archive.js';
import { rejectsWith } from '../helpers/errors.js';

let dir: string;
let archivePath: string;
let archive: Buffer;
let decoy: string;

/** readelf -h as the oracle for class, data and type. */
function readelfHeader(file: string): { bits: number; endian: string; type: string } {
  const out = execFileSync('readelf', ['-h', file], { encoding: 'utf8' });
  return {
    bits: /Class:\s+ELF(\d+)/.exec(out)?.[1] === '64' ? 64 : 32,
    endian: /little endian/.test(out) ? 'little' : 'big',
    type: `ET_${/Type:\s+(\w+)/.exec(out)?.[1] ?? '?'}`,
  };
}

async function fromFile(file: string): ReturnType<typeof archiveFromElf> {
  const src = await fileSource(file);
  try {
    return await archiveFromElf(src, file);
  } finally {
    await src.close();
  }
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'kh-elf-'));
  ({ archive: archivePath } = makeHeadersArchive(dir));
  archive = readFileSync(archivePath);
  // A decoy: a real xz'd tar whose files are not headers, placed before the real archive.
  const d = join(dir, 'decoy');
  mkdirSync(join(d, 'etc'), { recursive: true });
  writeFileSync(join(d, 'etc/notes.txt'), 'not headers\n');
  decoy = join(dir, 'decoy.tar.xz');
  execFileSync('tar', ['-I', 'xz', '-cf', decoy, '-C', d, '.']);
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe('archiveFromElf on real gcc output', () => {
  for (const m32 of [false, true]) {
    for (const kind of ['rel', 'exec', 'dyn'] as RealKind[]) {
      it(`${m32 ? '32' : '64'}-bit ${kind}: returns the embedded archive byte for byte`, async () => {
        const elf = buildRealElf(dir, archivePath, kind, { m32 });
        const got = await fromFile(elf);
        assert.ok(got.archive.equals(archive));
        assert.equal(got.method, 'symbols');
        const oracle = readelfHeader(elf);
        assert.deepEqual({ bits: got.bits, endian: got.endian, type: got.elfType }, oracle);
        // The offset is where the bytes really are in the file.
        assert.ok(readFileSync(elf).subarray(got.offset, got.offset + archive.length).equals(archive));
      });
    }
  }

  for (const kind of ['rel', 'exec'] as RealKind[]) {
    it(`stripped ${kind} with a decoy xz tar before it: found by scanning`, async () => {
      const elf = buildRealElf(dir, archivePath, kind, { strip: true, decoy });
      assert.doesNotMatch(execFileSync('readelf', ['-s', elf], { encoding: 'utf8' }), /kernel_headers_data/);
      const got = await fromFile(elf);
      assert.equal(got.method, 'scan');
      assert.ok(got.archive.equals(archive));
    });
  }

  it('extended section numbering (over 65280 sections, SHN_XINDEX): still found by symbols', async () => {
    const elf = buildRealElf(dir, archivePath, 'rel', { manySections: 66000 });
    assert.match(execFileSync('readelf', ['-h', elf], { encoding: 'utf8' }), /Number of section headers:\s+0 \(660\d\d\)/);
    const got = await fromFile(elf);
    assert.equal(got.method, 'symbols');
    assert.ok(got.archive.equals(archive));
  });

  it('stripped image without an archive: clear error naming CONFIG_IKHEADERS', async () => {
    const elf = buildRealElf(dir, decoy, 'exec', { strip: true });
    await rejectsWith(fromFile(elf), 'NOT_FOUND', /no kernel_headers_data symbol/, /CONFIG_IKHEADERS/);
  });

  it('symbols around something that is not xz: clear error', async () => {
    const junk = join(dir, 'junk.bin');
    writeFileSync(junk, 'plain text, not xz');
    const elf = buildRealElf(dir, junk, 'rel');
    await rejectsWith(fromFile(elf), 'NOT_FOUND');
  });

  it('truncated ELF: malformed error, no crash', async () => {
    const elf = readFileSync(buildRealElf(dir, archivePath, 'rel'));
    const cut = elf.subarray(0, elf.length - 100);
    await rejectsWith(archiveFromElf(bufferSource(cut), 'cut.o'), 'CORRUPT_ARCHIVE');
  });
});

describe('archiveFromElf on crafted ELF (all classes and byte orders)', () => {
  for (const bits of [32, 64] as const) {
    for (const little of [true, false]) {
      for (const type of ['rel', 'exec'] as const) {
        const label = `ELF${bits} ${little ? 'LE' : 'BE'} ${type}`;
        it(`${label}: readelf agrees with the writer, and the archive comes back byte for byte`, async () => {
          const buf = craftElf({ bits, little, type, archive, at: 29 });
          const file = join(dir, `craft-${bits}-${little}-${type}.elf`);
          writeFileSync(file, buf);
          const syms = execFileSync('readelf', ['-sW', file], { encoding: 'utf8' });
          const val = (n: string): bigint => BigInt(`0x${new RegExp(`\\s([0-9a-f]+)\\s+0 NOTYPE\\s+GLOBAL\\s+DEFAULT\\s+1 ${n}$`, 'm').exec(syms)?.[1] ?? 'x'}`);
          assert.equal(val('kernel_headers_data_end') - val('kernel_headers_data'), BigInt(archive.length));
          const got = await fromFile(file);
          assert.ok(got.archive.equals(archive));
          assert.deepEqual({ bits: got.bits, endian: got.endian, type: got.elfType }, readelfHeader(file));
        });
      }
    }
  }

  it('crafted big-endian stripped image: scan fallback', async () => {
    const buf = craftElf({ bits: 64, little: false, type: 'exec', archive, stripped: true });
    const got = await archiveFromElf(bufferSource(buf), 'be-stripped');
    assert.equal(got.method, 'scan');
    assert.ok(got.archive.equals(archive));
  });

  it('isElf tells ELF from xz', () => {
    assert.equal(isElf(craftElf({ bits: 32, little: true, type: 'rel', archive })), true);
    assert.equal(isElf(archive), false);
  });
});
