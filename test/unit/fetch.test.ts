import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { extractArchive, type ExtractOptions } from '../../src/core/extract/extract.js';
import type { Logger } from '../../src/core/log.js';
import { buildRealElf } from '../helpers/elf.js';
import { makeHeadersArchive, type HeadersFixture } from '../helpers/headers-archive.js';
import { rawTar, realXz } from '../helpers/hostile.js';
import { send, startServer, type TestServer } from '../helpers/http.js';
import { rejectsWith } from '../helpers/errors.js';

let dir: string;
let fx: HeadersFixture;
let bytes: Buffer;
let server: TestServer | undefined;

function logger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    debug: () => undefined,
    info: (m) => lines.push(`info: ${m}`),
    warning: (m) => lines.push(`warning: ${m}`),
    error: (m) => lines.push(`error: ${m}`),
    group: (_n, fn) => fn(),
    progress: () => undefined,
  };
}

const sum = (cmd: string, file: string): string => execFileSync(cmd, [file], { encoding: 'utf8' }).split(' ')[0];
const tarList = (file: string): string[] => execFileSync('tar', ['-tf', file], { encoding: 'utf8' }).split('\n').filter((l) => l && l !== './').map((l) => l.replace(/^\.\//, '').replace(/\/$/, '')).sort();
function treeList(root: string, pre = ''): string[] {
  const out: string[] = [];
  for (const e of readdirSync(join(root, pre), { withFileTypes: true })) {
    const rel = pre ? `${pre}/${e.name}` : e.name;
    out.push(rel);
    if (e.isDirectory()) out.push(...treeList(root, rel));
  }
  return out.sort();
}

/** A fresh empty dir per test, so "nothing was written" can be checked by listing it. */
function fresh(name: string): string {
  const d = join(dir, name);
  mkdirSync(d);
  return d;
}

/** Runs fn with TMPDIR set to dir (where the default output goes), then restores it. */
async function withTmpdir(dir: string, fn: () => Promise<void>): Promise<void> {
  const saved = process.env.TMPDIR;
  process.env.TMPDIR = dir;
  try {
    await fn();
  } finally {
    if (saved === undefined) delete process.env.TMPDIR; else process.env.TMPDIR = saved;
  }
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'kh-fetch-'));
  fx = makeHeadersArchive(dir);
  bytes = readFileSync(fx.archive);
});
afterEach(async () => {
  await server?.close();
  server = undefined;
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe('extractArchive', () => {
  it('plain .tar.xz: saves the archive byte for byte and extracts the same files as tar', async () => {
    const d = fresh('plain');
    const r = await extractArchive({ from: fx.archive, archive: join(d, 'saved.tar.xz'), output: join(d, 'h') }, logger());
    assert.equal(r.origin, 'file');
    assert.ok(readFileSync(join(d, 'saved.tar.xz')).equals(bytes));
    assert.deepEqual(treeList(join(d, 'h')), tarList(fx.archive));
    assert.equal(r.sha256, sum('sha256sum', fx.archive));
    assert.equal(r.md5, sum('md5sum', fx.archive));
    assert.equal(r.release, fx.release);
    assert.equal(r.verified, false);
    assert.match(r.hints.join('\n'), new RegExp(`BCC_KERNEL_SOURCE=${join(d, 'h')}`));
  });

  it('correct --sha256 / --md5 (any case): verified', async () => {
    const d = fresh('digest-ok');
    const r = await extractArchive({ from: fx.archive, archive: join(d, 'a.tar.xz'), sha256: sum('sha256sum', fx.archive).toUpperCase() }, logger());
    assert.equal(r.verified, true);
    const r2 = await extractArchive({ from: fx.archive, archive: join(d, 'b.tar.xz'), md5: sum('md5sum', fx.archive) }, logger());
    assert.equal(r2.verified, true);
  });

  for (const which of ['sha256', 'md5'] as const) {
    it(`wrong --${which}: error before anything is written`, async () => {
      const d = fresh(`digest-bad-${which}`);
      const wrong = which === 'sha256' ? '0'.repeat(64) : 'f'.repeat(32);
      await rejectsWith(extractArchive({ from: fx.archive, archive: join(d, 'a.tar.xz'), output: join(d, 'h'), [which]: wrong } as ExtractOptions, logger()),
        'DIGEST_MISMATCH');
      assert.deepEqual(readdirSync(d), []);
    });
  }

  it('malformed digest: usage error', async () => {
    await rejectsWith(extractArchive({ from: fx.archive, sha256: 'abc' }, logger()), 'USAGE');
  });

  it('.ko.zst module: origin elf, archive saved byte for byte', async () => {
    const d = fresh('ko');
    const ko = buildRealElf(d, fx.archive, 'rel');
    execFileSync('zstd', ['-q', '--rm', ko, '-o', join(d, 'kheaders.ko.zst')]);
    const r = await extractArchive({ from: join(d, 'kheaders.ko.zst'), archive: join(d, 'out.tar.xz') }, logger());
    assert.equal(r.origin, 'elf');
    assert.match(r.detail, /zstd-compressed ELF64 little-endian ET_REL/);
    assert.ok(readFileSync(join(d, 'out.tar.xz')).equals(bytes));
    assert.equal(r.release, fx.release);
    assert.equal(r.headersDir, undefined);
  });

  it('running, default output ${TMPDIR}/kheaders-<uname -r>, hints printed', async () => {
    const d = fresh('running');
    const root = join(d, 'root');
    mkdirSync(join(root, 'sys/kernel'), { recursive: true });
    mkdirSync(join(root, 'proc/sys/kernel'), { recursive: true });
    copyFileSync(fx.archive, join(root, 'sys/kernel/kheaders.tar.xz'));
    writeFileSync(join(root, 'proc/sys/kernel/osrelease'), '6.1.0-running\n');
    await withTmpdir(d, async () => {
      const log = logger();
      const r = await extractArchive({ from: 'running', root }, log);
      assert.equal(r.headersDir, join(d, 'kheaders-6.1.0-running'));
      assert.equal(r.release, '6.1.0-running');
      assert.ok(existsSync(join(d, 'kheaders-6.1.0-running/include/linux/kconfig.h')));
      assert.ok(log.lines.some((l) => l.includes(`BPFTRACE_KERNEL_SOURCE=${r.headersDir}`)));
    });
  });

  it('default output from the archive\'s UTS_RELEASE; an unsafe release needs --output', async () => {
    const d = fresh('release');
    const evil = join(d, 'evil.tar.xz');
    writeFileSync(evil, realXz(rawTar([{ name: 'include/generated/utsrelease.h', data: '#define UTS_RELEASE "../../etc"\n' }])));
    await withTmpdir(d, async () => {
      await rejectsWith(extractArchive({ from: evil }, logger()), 'BAD_INPUT', /no usable UTS_RELEASE/, /--output/);
      const r = await extractArchive({ from: fx.archive }, logger());
      assert.equal(r.headersDir, join(d, `kheaders-${fx.release}`));
    });
  });

  it('--archive only: hostile archive refused and not saved', async () => {
    const d = fresh('hostile');
    const bad = join(d, 'bad.tar.xz');
    writeFileSync(bad, realXz(rawTar([{ name: '../escape.h', data: 'x' }])));
    await rejectsWith(extractArchive({ from: bad, archive: join(d, 'saved.tar.xz') }, logger()), 'HOSTILE_ENTRY');
    assert.deepEqual(readdirSync(d), ['bad.tar.xz']);
  });

  it('URL template: expands, downloads, warns that it is unverified, leaves no download behind', async () => {
    server = await startServer((q, r) => (q.url === '/x86/6.1.0-t/k1.tar.xz' ? send(r, bytes) : send(r, Buffer.from('no'), 404)));
    const d = fresh('url');
    const before = readdirSync(tmpdir()).filter((n) => n.startsWith('kheaders-dl-')).length;
    const log = logger();
    const r = await extractArchive({ from: `${server.base}/{arch}/{release}/{key}.tar.xz`, urlVars: { key: 'k1', arch: 'x86', release: '6.1.0-t' }, archive: join(d, 'a.tar.xz') }, log);
    assert.equal(r.origin, 'url');
    assert.ok(readFileSync(join(d, 'a.tar.xz')).equals(bytes));
    assert.ok(log.lines.some((l) => /^warning: .*unverified/.test(l)));
    assert.equal(readdirSync(tmpdir()).filter((n) => n.startsWith('kheaders-dl-')).length, before);
  });

  it('URL with a wrong digest: error, download deleted, nothing written', async () => {
    server = await startServer((_q, r) => send(r, bytes));
    const d = fresh('url-bad');
    const before = readdirSync(tmpdir()).filter((n) => n.startsWith('kheaders-dl-')).length;
    await rejectsWith(extractArchive({ from: `${server.base}/a.tar.xz`, sha256: 'a'.repeat(64), archive: join(d, 'a.tar.xz'), output: join(d, 'h') }, logger()), 'DIGEST_MISMATCH');
    assert.deepEqual(readdirSync(d), []);
    assert.equal(readdirSync(tmpdir()).filter((n) => n.startsWith('kheaders-dl-')).length, before);
  });

  it('unsupported inputs get clear errors', async () => {
    const d = fresh('bad-inputs');
    const tarFile = join(d, 'plain.tar');
    execFileSync('tar', ['-cf', tarFile, '-C', fx.tree, '.']);
    const tgz = join(d, 'a.tar.gz');
    execFileSync('tar', ['-czf', tgz, '-C', fx.tree, '.']);
    await rejectsWith(extractArchive({ from: join(d, 'nope.tar.xz') }, logger()), 'BAD_INPUT', /no such file/);
    await rejectsWith(extractArchive({ from: tarFile }, logger()), 'BAD_INPUT', /uncompressed tar/, /xz -6/);
    await rejectsWith(extractArchive({ from: tgz }, logger()), 'BAD_INPUT', /gzip-compressed but holds no ELF module/);
    await rejectsWith(extractArchive({ from: 'ftp://h/x.tar.xz' }, logger()), 'USAGE', /unsupported source/);
  });
});
