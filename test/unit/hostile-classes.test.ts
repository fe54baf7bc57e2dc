// Hostile classes of issue 10, each with inputs of our own: refused with our
// error (never a stack trace), as GNU tar and xz refuse them, and quickly.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { readMembers } from '../../src/core/archive/read.js';
import { rejectsWith } from '../helpers/errors.js';
import { rawTar, realXz, type RawEntry } from '../helpers/hostile.js';

const read = async (buf: Buffer, compressed = true): Promise<number> => {
  let n = 0;
  for await (const m of readMembers(Readable.from([buf]), { compressed, label: 'case' })) { void m; n++; }
  return n;
};
const gnuTarRefuses = (tar: Buffer): boolean => {
  const r = spawnSync('tar', ['-tvf', '-'], { input: tar });
  return r.status !== 0 || String(r.stderr).trim() !== '';
};
const file = (name: string, data = 'x'): RawEntry => ({ name, data });

/** A header whose numeric field (offset, width) holds text; the checksum is computed over it, so only the field is wrong. */
function withField(e: RawEntry, off: number, text: string): Buffer {
  const tar = rawTar([e]);
  tar.write(text.padEnd(off === 124 || off === 136 ? 11 : 7, '\0'), off, 'latin1');
  tar.fill(0x20, 148, 156);
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += tar[i]!;
  tar.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return tar;
}

void describe('numeric fields and entry types', () => {
  // GNU tar refuses a bad mode or mtime; it lists a bad uid or gid as 0, which we refuse too (never extract a guess).
  for (const [field, off, tarRefuses] of [['mode', 100, true], ['uid', 108, false], ['gid', 116, false], ['mtime', 136, true]] as const) {
    void it(`a ${field} field that is not an octal number is refused${tarRefuses ? ', as GNU tar refuses it' : ''}`, async () => {
      const tar = withField(file('a.h'), off, 'abcdefg');
      assert.equal(gnuTarRefuses(tar), tarRefuses, 'what the oracle does');
      await rejectsWith(read(realXz(tar)), 'CORRUPT_ARCHIVE', new RegExp(`invalid ${field} field`));
    });
  }
  void it('an unknown type flag is refused, not skipped', async () => {
    await rejectsWith(read(realXz(rawTar([{ name: 'v.h', type: 'Z', data: 'x' }]))), 'HOSTILE_ENTRY', /unsupported entry type "Z"/);
  });
  void it('a malformed pax record is refused, as GNU tar refuses it', async () => {
    const tar = rawTar([{ name: 'PaxHeaders/x', type: 'x', data: '99 path=a.h\n', magic: 'ustar' }, file('b.h')]);
    assert.ok(gnuTarRefuses(tar));
    await rejectsWith(read(realXz(tar)), 'CORRUPT_ARCHIVE', /malformed pax/);
  });
});

void describe('names and links', () => {
  void it('an entry where an earlier one needed a directory (a/b, then a file a)', async () => {
    await rejectsWith(read(realXz(rawTar([file('a/b.h'), file('a')]))), 'HOSTILE_ENTRY', /where an earlier entry needed a directory/);
  });
  void it('a member named "." that is a file or a symlink', async () => {
    await rejectsWith(read(realXz(rawTar([file('.')]))), 'HOSTILE_ENTRY', /root "\." as a file/);
    await rejectsWith(read(realXz(rawTar([{ name: './', type: '2', linkname: 'x' }]))), 'HOSTILE_ENTRY', /root "\." as a symlink/);
  });
  void it('a name part over NAME_MAX, a name or a link target over PATH_MAX', async () => {
    await rejectsWith(read(realXz(rawTar([{ name: '././@LongLink', type: 'L', data: `${'d/'.repeat(3)}${'n'.repeat(300)}.h\0` }, file('x')]))), 'HOSTILE_ENTRY', /over NAME_MAX/);
    await rejectsWith(read(realXz(rawTar([{ name: '././@LongLink', type: 'L', data: `${'d/'.repeat(2100)}x.h\0` }, file('x')]))), 'HOSTILE_ENTRY', /over PATH_MAX/);
    await rejectsWith(read(realXz(rawTar([{ name: '././@LongLink', type: 'K', data: `${'a/'.repeat(2100)}\0` }, { name: 'l.h', type: '2', linkname: 'x' }]))), 'HOSTILE_ENTRY', /target .* over PATH_MAX/);
  });
  void it('symlinks that fan out (each through the last, many times) end at once with a limit, not a hang', async () => {
    const links: RawEntry[] = [file('d/x.h')];
    let prev = 'd';
    for (let i = 0; i < 14; i++) {
      const name = `l${i}`;
      links.push({ name, type: '2', linkname: Array(10).fill(`${prev}/..`).join('/') + `/${prev}` });
      prev = name;
    }
    const t0 = Date.now();
    await rejectsWith(read(realXz(rawTar(links))), 'LIMIT_EXCEEDED', /symlinks take more than/);
    assert.ok(Date.now() - t0 < 5000, `${Date.now() - t0} ms`);
  });
});

void describe('xz', () => {
  const good = realXz(rawTar([file('a.h', 'y'.repeat(3000))]));
  const xzAccepts = (b: Buffer): boolean => spawnSync('xz', ['-t'], { input: b }).status === 0;
  void it('stream padding (NULs by fours) is valid xz and is accepted', async () => {
    const padded = Buffer.concat([good, Buffer.alloc(8)]);
    assert.ok(xzAccepts(padded));
    assert.equal(await read(padded), 1);
  });
  void it('padding that is not a multiple of four is refused, as xz -t refuses it', async () => {
    const odd = Buffer.concat([good, Buffer.alloc(3)]);
    assert.equal(xzAccepts(odd), false);
    await rejectsWith(read(odd), 'CORRUPT_ARCHIVE');
  });
  void it('every single-bit flip between the last block and the footer is refused whenever xz -t refuses it', async () => {
    for (let back = 12; back < 40 && back < good.length - 12; back++) {
      const b = Buffer.from(good);
      b[b.length - back] ^= 0x10;
      if (xzAccepts(b)) continue;
      await rejectsWith(read(b), 'CORRUPT_ARCHIVE');
    }
  });
});
