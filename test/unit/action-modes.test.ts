// The bundled action (dist/index.js) as the runner runs it, beyond the plain
// build: verify mode and extraction, url in auto mode (digests, hostile and
// odd archives, 404), a failing cache service, and bad inputs. Each runs on
// Node 24 when it is installed (see README.md), else on this Node.
// (Runtimes, cache miss/hit and agreement with the CLI: action.test.ts.)
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { copyTree } from '../helpers/action-tree.js';
import { runActionProcess } from '../helpers/action-run.js';
import { actionJobs, fail, MTIME, sha256sum } from '../helpers/action-job.js';
import { startCacheServer } from '../helpers/cache-server.js';
import { rawTar, realXz } from '../helpers/hostile.js';

const jobs = actionJobs('kheaders-action-modes-');
after(() => jobs.cleanup());

void describe('verify mode, extraction and export-env', () => {
  const bin = jobs.node;
  let archive = '';
  before(async () => {
    const r = await jobs.job(bin, { config: 'x86_64_defconfig', arch: 'x86_64', mtime: MTIME, cache: 'false', verify: 'false', archive: join(jobs.dir, 'kept.tar.xz') }, {});
    assert.equal(r.code, 0, fail(r));
    archive = r.outputs.archive;
  });

  void it('mode verify against an edited tree fails with an error annotation on the header', async () => {
    const dir = jobs.unique('job');
    mkdirSync(join(dir, 'workspace'), { recursive: true });
    const tree = copyTree(jobs.pristine, join(dir, 'workspace', 'linux'));
    appendFileSync(join(tree, 'include/linux/made-up.h'), '#define EDITED 1\n');
    const r = await runActionProcess({ node: bin, dir, path: jobs.PATH, inputs: { source: tree, mode: 'verify', archive }, runnerTemp: join(jobs.dir, 'runner_temp') });
    assert.equal(r.code, 1, fail(r));
    assert.equal(r.outputs.verified, 'false');
    assert.equal(r.outputs.mismatches, '1');
    assert.equal(r.outputs.origin, 'file');
    const ann = r.annotations.filter((a) => a.level === 'error' && a.file !== undefined);
    assert.deepEqual(ann.map((a) => a.file), ['linux/include/linux/made-up.h']);
    assert.ok((ann[0].line ?? 0) >= 1);
    assert.ok(r.annotations.some((a) => a.level === 'error' && /does not match/.test(a.message)));
    // with fail-on-mismatch: false it is a warning and the step passes
    const w = await runActionProcess({ node: bin, dir, path: jobs.PATH, inputs: { source: tree, mode: 'verify', archive, 'fail-on-mismatch': 'false' }, runnerTemp: join(jobs.dir, 'runner_temp') });
    assert.equal(w.code, 0, fail(w));
    assert.ok(w.annotations.some((a) => a.level === 'warning' && a.file === 'linux/include/linux/made-up.h'));
  });

  void it('export-env extracts to bcc\'s path and exports BCC_KERNEL_SOURCE / BPFTRACE_KERNEL_SOURCE', async () => {
    const tmpdirForJob = jobs.unique('tmpdir');
    mkdirSync(tmpdirForJob);
    const r = await jobs.job(bin, { mode: 'verify', archive, 'export-env': 'true' }, { TMPDIR: tmpdirForJob });
    assert.equal(r.code, 0, fail(r));
    const dir = join(tmpdirForJob, 'kheaders-6.1.0-kh');
    assert.equal(r.outputs['headers-dir'], dir);
    assert.equal(r.exported.BCC_KERNEL_SOURCE, dir);
    assert.equal(r.exported.BPFTRACE_KERNEL_SOURCE, dir);
    assert.equal(readFileSync(join(dir, 'include/generated/utsrelease.h'), 'utf8'), '#define UTS_RELEASE "6.1.0-kh"\n');
    const listed = execFileSync('tar', ['-tJf', archive]).toString().split('\n').filter((l) => l.endsWith('.h'));
    for (const name of listed) assert.ok(existsSync(join(dir, name)), name);
  });
});

void describe('url in auto mode', () => {
  const bin = jobs.node;
  const requested: string[] = [];
  let base = '';
  let served: Buffer;
  const evil = realXz(rawTar([{ name: './include/linux/ok.h', data: '#define OK 1\n' }, { name: '../escape.h', data: 'x' }]));
  const escape = `kh-escape-${process.pid}-${Date.now()}`;
  const odd = realXz(rawTar([
    { name: './include/generated/utsrelease.h', data: `#define UTS_RELEASE "x/../${escape}"\n` },
    { name: './include/linux/ok.h', data: '#define OK 1\n' },
  ]));
  let close: () => void = () => undefined;
  const common = { config: 'x86_64_defconfig', arch: 'x86_64', mtime: MTIME, cache: 'false', verify: 'false' };
  before(async () => {
    const r = await jobs.job(bin, { ...common, archive: join(jobs.dir, 'served.tar.xz') }, {});
    served = readFileSync(r.outputs.archive);
    const http = createServer((req, res) => {
      requested.push(req.url ?? '');
      if (/^\/kh\/[0-9a-f]{32}\.tar\.xz$/.test(req.url ?? '')) res.writeHead(200, { 'Content-Length': served.length }).end(served);
      else if (/^\/evil\/[0-9a-f]{32}\.tar\.xz$/.test(req.url ?? '')) res.writeHead(200, { 'Content-Length': evil.length }).end(evil);
      else if (/^\/odd\/[0-9a-f]{32}\.tar\.xz$/.test(req.url ?? '')) res.writeHead(200, { 'Content-Length': odd.length }).end(odd);
      else res.writeHead(404).end('not found');
    });
    await new Promise<void>((res) => http.listen(0, '127.0.0.1', res));
    base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
    close = () => http.close();
  });
  after(() => close());

  void it('downloads {key} instead of building, and checks sha256', async () => {
    const before = jobs.makeCalls().length;
    const sha = createHash('sha256').update(served).digest('hex');
    const r = await jobs.job(bin, { ...common, url: `${base}/kh/{key}.tar.xz`, sha256: sha }, {});
    assert.equal(r.code, 0, fail(r));
    assert.equal(r.outputs.origin, 'url', r.annotations.map((x) => x.message).join('\n'));
    assert.equal(requested.at(-1), `/kh/${r.outputs.key}.tar.xz`);
    assert.equal(r.outputs['archive-sha256'], sha);
    assert.deepEqual(jobs.makeCalls().slice(before), []);
  });

  void it('a wrong sha256 fails naming the input and writes no archive', async () => {
    const r = await jobs.job(bin, { ...common, url: `${base}/kh/{key}.tar.xz`, sha256: 'f'.repeat(64) }, {});
    assert.equal(r.code, 1, fail(r));
    assert.ok(r.annotations.some((a) => a.level === 'error' && a.message.includes('input "sha256"')), r.stdout);
    assert.equal(existsSync(join(jobs.dir, 'runner_temp', 'kheaders', 'kheaders_data.tar.xz')), false);
  });

  void it('the sha256 is checked before writing: an archive already at the path stays as it was', async () => {
    const archive = join(jobs.dir, 'kept.tar.xz');
    writeFileSync(archive, 'previous contents');
    const r = await jobs.job(bin, { ...common, archive, url: `${base}/kh/{key}.tar.xz`, sha256: 'f'.repeat(64) }, {});
    assert.equal(r.code, 1, fail(r));
    assert.equal(readFileSync(archive, 'utf8'), 'previous contents');
  });

  void it('without sha256 or verify, the downloaded archive is reported unverified', async () => {
    const r = await jobs.job(bin, { ...common, url: `${base}/kh/{key}.tar.xz` }, {});
    assert.equal(r.code, 0, fail(r));
    assert.equal(r.outputs.origin, 'url');
    assert.equal(r.outputs['kernel-release'], '6.1.0-kh');
    assert.ok(r.annotations.some((a) => a.level === 'warning' && /unverified/.test(a.message)), r.stdout);
  });

  void it('a hostile archive at the url is refused before it is written, and the step builds instead', async () => {
    const r = await jobs.job(bin, { ...common, url: `${base}/evil/{key}.tar.xz` }, {});
    assert.equal(r.code, 0, fail(r));
    assert.equal(r.outputs.origin, 'build');
    assert.ok(r.annotations.some((a) => a.level === 'warning' && /download failed/.test(a.message) && /escape\.h/.test(a.message)), r.stdout);
    assert.equal(r.outputs['archive-sha256'], sha256sum(r.outputs.archive));
    assert.equal(r.outputs['archive-sha256'], createHash('sha256').update(served).digest('hex'));
  });

  void it('extract-to auto refuses a release that is not a plain file name', async () => {
    const r = await jobs.job(bin, { ...common, url: `${base}/odd/{key}.tar.xz`, 'extract-to': 'auto' }, {});
    assert.equal(r.code, 1, fail(r));
    assert.ok(r.annotations.some((a) => a.level === 'error' && /no usable UTS_RELEASE/.test(a.message) && a.message.includes('extract-to')), r.stdout);
    assert.equal(existsSync(join(process.env.TMPDIR || '/tmp', escape)), false);
  });

  void it('a 404 warns and falls back to building', async () => {
    const r = await jobs.job(bin, { ...common, url: `${base}/missing/{key}.tar.xz` }, {});
    assert.equal(r.code, 0, fail(r));
    assert.equal(r.outputs.origin, 'build');
    assert.ok(r.annotations.some((a) => a.level === 'warning' && /download failed/.test(a.message)), r.stdout);
  });
});

void describe('a failing cache service never fails the step', () => {
  const bin = jobs.node;
  void it('v1 (GHES) answering 500 to everything: built, with warnings', async () => {
    const bad = await startCacheServer();
    bad.fault = { status: 500 };
    try {
      const r = await jobs.job(bin, { config: 'x86_64_defconfig', arch: 'x86_64', mtime: MTIME, verify: 'false' }, bad.env('ghes'));
      assert.equal(r.code, 0, fail(r));
      assert.equal(r.outputs.origin, 'build');
      assert.equal(r.outputs['cache-hit'], 'false');
      const warnings = r.annotations.filter((a) => a.level === 'warning').map((a) => a.message);
      assert.ok(warnings.some((w) => /Failed to restore.*500/.test(w)), warnings.join('\n'));
      assert.ok(warnings.some((w) => /Failed to save.*500/.test(w)), warnings.join('\n'));
      assert.ok(bad.log.length >= 2 && bad.log.every((l) => l.status === 500));
    } finally {
      await bad.close();
    }
  });

  void it('v2 service unreachable: built, with a warning', async () => {
    const gone = await startCacheServer();
    const env = gone.env('v2');
    await gone.close();
    const r = await jobs.job(bin, { config: 'x86_64_defconfig', arch: 'x86_64', mtime: MTIME, verify: 'false' }, env);
    assert.equal(r.code, 0, fail(r));
    assert.equal(r.outputs.origin, 'build');
    assert.ok(r.annotations.some((a) => a.level === 'warning' && /restore/i.test(a.message)), r.stdout);
  });
});

void describe('bad inputs fail the step, naming the input', () => {
  const bin = jobs.node;
  const cases: Array<[string, Record<string, string>, string]> = [
    ['unknown mode', { mode: 'fetch' }, 'mode'],
    ['unknown arch', { arch: 'vax11' }, 'arch'],
    ['missing source', { source: '/nonexistent/linux' }, 'source'],
    ['url without a template', { url: 'https://example.com/kheaders.tar.xz' }, 'url'],
    ['bad sha256', { sha256: 'abc123' }, 'sha256'],
    ['unknown compression', { compression: 'zstd' }, 'compression'],
    ['non-boolean cache', { cache: 'maybe' }, 'cache'],
  ];
  for (const [what, inputs, input] of cases) {
    void it(what, async () => {
      const before = jobs.makeCalls().length;
      const r = await jobs.job(bin, inputs, {});
      assert.equal(r.code, 1, fail(r));
      const errors = r.annotations.filter((a) => a.level === 'error');
      assert.equal(errors.length, 1, r.stdout);
      assert.ok(errors[0].message.includes(`input "${input}"`), errors[0].message);
      assert.match(errors[0].message, /fix: /);
      assert.deepEqual(jobs.makeCalls().slice(before), []);
    });
  }
});
