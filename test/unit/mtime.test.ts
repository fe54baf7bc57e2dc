import { execFileSync } from 'node:child_process';
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { parseMtime, resolveMtime, scriptMtime } from '../../src/core/kernel/mtime.js';
import { throwsWith } from '../helpers/errors.js';

/** GNU date as the oracle: epoch seconds, or undefined when date rejects the text. */
function gnuDate(text: string, tz: string): number | undefined {
  try {
    const out = execFileSync('date', ['-d', text, '+%s'], {
      env: { ...process.env, TZ: tz, LC_ALL: 'C' },
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    return Number(out.toString().trim());
  } catch {
    return undefined;
  }
}

const savedTz = process.env['TZ'];
function useTz(tz: string): void {
  process.env['TZ'] = tz;
}
afterEach(() => {
  if (savedTz === undefined) delete process.env['TZ'];
  else process.env['TZ'] = savedTz;
});

const ZONED = [
  '2024-01-01 00:00:00 UTC',
  '2023-07-15 13:45:09 UTC',
  '@1704067200',
  '@0',
  '@1.9',
  'Mon Jan  1 00:00:00 UTC 2024',
  'Sat Jul 15 13:45:09 UTC 2023',
  'Thu Feb 29 23:59:59 GMT 2024',
  'Mon Jan 1 00:00 UTC 2024',
  'Mon Jan  1 01:00:00 CET 2024',
  'Sat Jul 15 09:45:09 EDT 2023',
  '2024-01-01T00:00:00Z',
  '2024-01-01T02:00:00+02:00',
  '2024-01-01T00:00:00+0200',
  '2024-01-01T00:00:00 +02',
  '2024-01-01 00:00:00 -02:30',
  '2024-01-01 00:00:00 +0530',
  '2024-01-01T00:00:00.123456789+01:00',
  '2024-01-01 00:00:00 utc',
  '2024-01-01 00:00:00 z',
  '2024-01-01 00:00:00 UTC+2',
  '2024-01-01 00:00:00 GMT-3:30',
  '2024-01-01 00:00:00 PST',
  '2024-01-01 00:00:00 JST',
  '2024-01-01 00:00:00 IST',
  'Mon, 01 Jan 2024 00:00:00 +0000',
  'Sat, 15 Jul 2023 15:45:09 +0200',
  '  2024-01-01   00:00:00   UTC  ',
];

// Forms without a zone: local time, like tar and date.
const LOCAL = [
  '2024-01-01 00:00:00',
  '2024-01-01 00:00',
  '2024-01-01',
  '2023-07-15 13:45:09',
  '2024-1-1 0:0:0',
  '2024-01-01T08:30:00',
  'Mon Jan  1 00:00:00 2024',
  'Mon, 01 Jan 2024 00:00:00',
];

// Both we and GNU date must reject these.
const BAD = ['2024-02-30', '2024-01-01 24:00:00', '2024-13-01', 'tomorrow-ish', '2024-01-01 00:00:00 XYZ'];

describe('parseMtime', () => {
  for (const text of ZONED) {
    it(`matches GNU date for ${JSON.stringify(text)}`, () => {
      const want = gnuDate(text, 'UTC');
      assert.notEqual(want, undefined, 'oracle rejected the text');
      assert.equal(parseMtime(text), want);
    });
  }

  for (const tz of ['Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'UTC']) {
    for (const text of LOCAL) {
      it(`takes ${JSON.stringify(text)} as local time in ${tz}`, () => {
        useTz(tz);
        const want = gnuDate(text, tz);
        assert.notEqual(want, undefined, 'oracle rejected the text');
        assert.equal(parseMtime(text), want);
      });
    }
  }

  it('rejects a local time skipped by daylight saving, as date does', () => {
    useTz('Europe/Berlin');
    assert.equal(gnuDate('2024-03-31 02:30:00', 'Europe/Berlin'), undefined);
    throwsWith(() => parseMtime('2024-03-31 02:30:00'), 'BAD_INPUT');
  });

  for (const text of BAD) {
    it(`rejects ${JSON.stringify(text)} with the accepted forms`, () => {
      assert.equal(gnuDate(text, 'UTC'), undefined, 'oracle accepted the text');
      throwsWith(() => parseMtime(text), 'BAD_INPUT', undefined, /@1704067200/);
    });
  }

  for (const text of ['', '   ', '@-5', '1969-12-31 23:59:59 UTC', '@99999999999999']) {
    it(`rejects ${JSON.stringify(text)} (empty, before 1970 or too late)`, () => {
      throwsWith(() => parseMtime(text), 'BAD_INPUT');
    });
  }
});

describe('resolveMtime', () => {
  const k = '2024-01-01 00:00:00 UTC';
  it('prefers the flag', () => {
    const m = resolveMtime('@5', { KBUILD_BUILD_TIMESTAMP: k, SOURCE_DATE_EPOCH: '7' });
    assert.deepEqual(m, { epoch: 5, origin: '--mtime', sde: 7 }); // SOURCE_DATE_EPOCH kept for scripts that read it
  });
  it('then KBUILD_BUILD_TIMESTAMP', () => {
    const m = resolveMtime(undefined, { KBUILD_BUILD_TIMESTAMP: k, SOURCE_DATE_EPOCH: '7' });
    assert.deepEqual(m, { epoch: gnuDate(k, 'UTC'), origin: 'KBUILD_BUILD_TIMESTAMP', sde: 7 });
  });
  it('then SOURCE_DATE_EPOCH', () => {
    const m = resolveMtime('', { KBUILD_BUILD_TIMESTAMP: '', SOURCE_DATE_EPOCH: '1700000000' });
    assert.deepEqual(m, { epoch: 1700000000, origin: 'SOURCE_DATE_EPOCH', sde: 1700000000 });
  });
  it('defaults to 0', () => {
    assert.deepEqual(resolveMtime(undefined, {}), { epoch: 0, origin: 'default' });
  });
  it('rejects a SOURCE_DATE_EPOCH that is not digits', () => {
    throwsWith(() => resolveMtime(undefined, { SOURCE_DATE_EPOCH: '2024-01-01' }), 'BAD_INPUT');
  });
  it('reports a bad KBUILD_BUILD_TIMESTAMP', () => {
    throwsWith(() => resolveMtime(undefined, { KBUILD_BUILD_TIMESTAMP: 'soon' }), 'BAD_INPUT');
  });
});

describe('scriptMtime: the script decides which date wins (docs/fidelity.md)', () => {
  const sde = { mtime: 'sde' as const, mtimeDefault: '@0' };
  it('a SOURCE_DATE_EPOCH script takes that variable over --mtime, else its own default', () => {
    assert.deepEqual(scriptMtime(sde, resolveMtime('@5', { SOURCE_DATE_EPOCH: '7' })), { epoch: 7, origin: 'SOURCE_DATE_EPOCH', sde: 7 });
    assert.deepEqual(scriptMtime(sde, resolveMtime('@5', {})), { epoch: 0, origin: 'script' });
    assert.deepEqual(scriptMtime({ mtime: 'sde', mtimeDefault: '@99' }, resolveMtime(undefined, { KBUILD_BUILD_TIMESTAMP: '@5' })), { epoch: 99, origin: 'script' });
  });
  it('without a default and with SOURCE_DATE_EPOCH unset, ours stays what was given (the claim names mtime)', () => {
    assert.deepEqual(scriptMtime({ mtime: 'sde' }, resolveMtime('@5', {})), { epoch: 5, origin: '--mtime' });
  });
  it('a KBUILD_BUILD_TIMESTAMP script takes --mtime, else its default; a fixed date holds unless --mtime overrides it', () => {
    const kb = { mtime: 'kbuild' as const, mtimeDefault: '@3' };
    assert.deepEqual(scriptMtime(kb, resolveMtime('@5', {})), { epoch: 5, origin: '--mtime' });
    assert.deepEqual(scriptMtime(kb, resolveMtime(undefined, { SOURCE_DATE_EPOCH: '7' })), { epoch: 3, origin: 'script', sde: 7 });
    const fixed = { mtime: 'fixed' as const, fixedMtime: '@11' };
    assert.deepEqual(scriptMtime(fixed, resolveMtime(undefined, {})), { epoch: 11, origin: 'script' });
    assert.deepEqual(scriptMtime(fixed, resolveMtime('@5', {})), { epoch: 5, origin: '--mtime' });
  });
});
