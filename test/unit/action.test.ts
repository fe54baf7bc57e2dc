// The bundled action (dist/index.js) as the runner runs it, under Node 24 and
// Node 20, with the real bundled @actions/cache client against the emulator.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { copyTree, makeShim, tempDir, writeTree } from '../helpers/action-tree.js';
import { ACTION, node24, runActionProcess, type ActionRun } from '../helpers/action-run.js';
import { startCacheServer, type CacheServer } from '../helpers/cache-server.js';
import { rawTar, realXz } from '../helpers/hostile.js';

const tmp = tempDir('kheaders-action-');
const pristine = writeTree(join(tmp.dir, 'pristine'));
const shim = makeShim(tmp.dir);
const PATH = `${shim.bin}:${process.env.PATH ?? '/usr/bin:/bin'}`;
const MTIME = '2024-01-01 00:00:00 UTC';
const CLI = resolve(import.meta.dirname, '../../dist/cli.js');
let srv: CacheServer;
let n = 0;

before(async () => { srv = await startCacheServer(); });
after(async () => { await srv.close(); tmp.cleanup(); });

const makeCalls = (): string[] => (existsSync(shim.log) ? readFileSync(shim.log, 'utf8').trim().split('\n').filter(Boolean) : []);
const md5sum = (p: string): string => createHash('md5').update(readFileSync(p)).digest('hex');
const sha256sum = (p: string): string => createHash('sha256').update(readFileSync(p)).digest('hex');

/** One runner job: a fresh dir with its own workspace, temp and a fresh copy of the unprepared tree. */
async function job(node: string, inputs: Record<string, string>, env: Record<string, string>): Promise<ActionRun & { tree: string }> {
  const dir = join(tmp.dir, `job${n++}`);
  mkdirSync(dir);
  mkdirSync(join(dir, 'workspace'));
  const tree = copyTree(pristine, join(dir, 'workspace', 'linux'));
  const r = await runActionProcess({ node, dir, path: PATH, inputs: { source: tree, ...inputs }, env, runnerTemp: join(tmp.dir, 'runner_temp') });
  return { ...r, tree };
}

function fail(r: ActionRun): string {
  return `exit ${r.code}\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-2000)}`;
}

const runtimes: Array<[string, string | undefined]> = [['Node 24', node24()], ['Node 20', process.version.startsWith('v20') ? process.execPath : undefined]];

void describe('dist/index.js', () => {
  void it('is bundled (run npm run build first)', () => assert.ok(existsSync(ACTION), `${ACTION} missing`));

  for (const [name, node] of runtimes) {
    void describe(`under ${name}`, { skip: node === undefined ? `${name} not found (npm install --prefix /tmp/node24 node@24)` : false }, () => {
      const bin = node as string;
      const prefix = `kh-${name.replace(' ', '')}`;
      const inputs = { config: 'x86_64_defconfig', arch: 'x86_64', mtime: MTIME, 'cache-key-prefix': prefix, verify: 'false' };
      let first: ActionRun & { tree: string };

      void it(`runs on ${name}`, () => {
        assert.match(execFileSync(bin, ['--version']).toString(), name === 'Node 24' ? /^v24\./ : /^v20\./);
      });

      void it('run 1 misses, builds with make, saves to the cache', async () => {
        const before = makeCalls().length;
        first = await job(bin, inputs, srv.env('v2'));
        assert.equal(first.code, 0, fail(first));
        const o = first.outputs;
        assert.equal(o.origin, 'build');
        assert.equal(o['cache-hit'], 'false');
        assert.match(o.key, /^[0-9a-f]{32}$/);
        assert.equal(o['cache-primary-key'], `${prefix}-linux-x86-${o.key}`);
        assert.equal(o['cache-matched-key'], '');
        assert.equal(o['archive-md5'], md5sum(o.archive));
        assert.equal(o['archive-sha256'], sha256sum(o.archive));
        assert.equal(o['kernel-release'], '6.1.0-kh');
        const calls = makeCalls().slice(before);
        assert.ok(calls.some((c) => c.endsWith('x86_64_defconfig')) && calls.some((c) => c.endsWith('prepare')), calls.join('\n'));
        assert.ok(srv.entries.some((e) => e.key === o['cache-primary-key'] && e.finalized), 'saved in the service');
        assert.match(first.summary, new RegExp(`${o['cache-primary-key']}`));
        assert.match(first.summary, /miss, saved/);
        assert.match(first.summary, new RegExp(o['archive-sha256']));
        const names = execFileSync('tar', ['-tJf', o.archive]).toString().split('\n');
        assert.ok(names.includes('./include/generated/autoconf.h') && names.includes('./include/linux/made-up.h'));
      });

      void it('the archive equals what the CLI builds from the same tree and flags', async (t) => {
        if (!existsSync(CLI)) return t.skip('dist/cli.js not built');
        const tree = copyTree(pristine, join(tmp.dir, `cli${n++}`));
        const out = join(tmp.dir, `cli${n++}.tar.xz`);
        execFileSync(process.execPath, [CLI, 'build', '--source', tree, '--arch', 'x86_64', '--config', 'x86_64_defconfig', '--mtime', MTIME, '--output', out],
          { env: { ...process.env, PATH }, stdio: 'ignore' });
        assert.equal(sha256sum(out), first.outputs['archive-sha256']);
      });

      void it('the key equals what `kheaders key` prints for the same tree and flags', async (t) => {
        if (!existsSync(CLI)) return t.skip('dist/cli.js not built');
        const tree = copyTree(pristine, join(tmp.dir, `clikey${n++}`));
        const printed = execFileSync(process.execPath, [CLI, 'key', '--source', tree, '--arch', 'x86_64', '--config', 'x86_64_defconfig', '--mtime', MTIME],
          { env: { PATH, HOME: process.env.HOME ?? tmp.dir }, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
        assert.equal(printed, first.outputs.key);
      });

      void it('run 2 on a fresh copy of the unprepared tree hits without running make', async () => {
        const before = makeCalls().length;
        const r = await job(bin, inputs, srv.env('v2'));
        assert.equal(r.code, 0, fail(r));
        assert.equal(r.outputs['cache-hit'], 'true');
        assert.equal(r.outputs.origin, 'cache');
        assert.equal(r.outputs.key, first.outputs.key);
        assert.equal(r.outputs['cache-matched-key'], first.outputs['cache-primary-key']);
        assert.equal(sha256sum(r.outputs.archive), first.outputs['archive-sha256']);
        assert.deepEqual(makeCalls().slice(before), [], 'make must not run on a hit');
        assert.equal(existsSync(join(r.tree, 'include/generated')), false, 'no generated headers appear');
        assert.equal(srv.entries.filter((e) => e.key === r.outputs['cache-primary-key']).length, 1, 'nothing saved on a hit');
        assert.match(r.summary, /\*\*hit\*\*/);
      });

      void it('verifies by default: verified, mismatches, report, summary table', async () => {
        assert.equal(first.outputs.verified, '', 'run 1 had verify: false');
        const r = await job(bin, { ...inputs, verify: '' }, srv.env('v2'));
        assert.equal(r.code, 0, fail(r));
        assert.equal(r.outputs.verified, 'true');
        assert.equal(r.outputs.mismatches, '0');
        const report = JSON.parse(readFileSync(r.outputs.report, 'utf8')) as { result: string; counts: { match: number } };
        assert.equal(report.result, 'match');
        assert.ok(report.counts.match >= 5);
        assert.match(r.summary, /### Verification/);
      });

      void it('a changed config option is a different key (a miss)', async () => {
        const r = await job(bin, { ...inputs, config: 'tiny_defconfig' }, srv.env('v2'));
        assert.equal(r.code, 0, fail(r));
        assert.notEqual(r.outputs.key, first.outputs.key);
        assert.equal(r.outputs['cache-hit'], 'false');
      });
    });
  }

  void describe('verify mode, extraction and export-env', () => {
    const bin = node24() ?? process.execPath;
    let archive = '';
    before(async () => {
      const r = await job(bin, { config: 'x86_64_defconfig', arch: 'x86_64', mtime: MTIME, cache: 'false', verify: 'false', archive: join(tmp.dir, 'kept.tar.xz') }, {});
      assert.equal(r.code, 0, fail(r));
      archive = r.outputs.archive;
    });

    void it('mode verify against an edited tree fails with an error annotation on the header', async () => {
      const dir = join(tmp.dir, `job${n++}`);
      mkdirSync(join(dir, 'workspace'), { recursive: true });
      const tree = copyTree(pristine, join(dir, 'workspace', 'linux'));
      appendFileSync(join(tree, 'include/linux/made-up.h'), '#define EDITED 1\n');
      const r = await runActionProcess({ node: bin, dir, path: PATH, inputs: { source: tree, mode: 'verify', archive }, runnerTemp: join(tmp.dir, 'runner_temp') });
      assert.equal(r.code, 1, fail(r));
      assert.equal(r.outputs.verified, 'false');
      assert.equal(r.outputs.mismatches, '1');
      assert.equal(r.outputs.origin, 'file');
      const ann = r.annotations.filter((a) => a.level === 'error' && a.file !== undefined);
      assert.deepEqual(ann.map((a) => a.file), ['linux/include/linux/made-up.h']);
      assert.ok((ann[0].line ?? 0) >= 1);
      assert.ok(r.annotations.some((a) => a.level === 'error' && /does not match/.test(a.message)));
      // with fail-on-mismatch: false it is a warning and the step passes
      const w = await runActionProcess({ node: bin, dir, path: PATH, inputs: { source: tree, mode: 'verify', archive, 'fail-on-mismatch': 'false' }, runnerTemp: join(tmp.dir, 'runner_temp') });
      assert.equal(w.code, 0, fail(w));
      assert.ok(w.annotations.some((a) => a.level === 'warning' && a.file === 'linux/include/linux/made-up.h'));
    });

    void it('export-env extracts to bcc\'s path and exports BCC_KERNEL_SOURCE / BPFTRACE_KERNEL_SOURCE', async () => {
      const tmpdirForJob = join(tmp.dir, `tmpdir${n++}`);
      mkdirSync(tmpdirForJob);
      const r = await job(bin, { mode: 'verify', archive, 'export-env': 'true' }, { TMPDIR: tmpdirForJob });
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
    const bin = node24() ?? process.execPath;
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
      const r = await job(bin, { ...common, archive: join(tmp.dir, 'served.tar.xz') }, {});
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
      const before = makeCalls().length;
      const sha = createHash('sha256').update(served).digest('hex');
      const r = await job(bin, { ...common, url: `${base}/kh/{key}.tar.xz`, sha256: sha }, {});
      assert.equal(r.code, 0, fail(r));
      assert.equal(r.outputs.origin, 'url', r.annotations.map((x) => x.message).join('\n'));
      assert.equal(requested.at(-1), `/kh/${r.outputs.key}.tar.xz`);
      assert.equal(r.outputs['archive-sha256'], sha);
      assert.deepEqual(makeCalls().slice(before), []);
    });

    void it('a wrong sha256 fails naming the input and writes no archive', async () => {
      const r = await job(bin, { ...common, url: `${base}/kh/{key}.tar.xz`, sha256: 'f'.repeat(64) }, {});
      assert.equal(r.code, 1, fail(r));
      assert.ok(r.annotations.some((a) => a.level === 'error' && a.message.includes('input "sha256"')), r.stdout);
      assert.equal(existsSync(join(tmp.dir, 'runner_temp', 'kheaders', 'kheaders_data.tar.xz')), false);
    });

    void it('the sha256 is checked before writing: an archive already at the path stays as it was', async () => {
      const archive = join(tmp.dir, 'kept.tar.xz');
      writeFileSync(archive, 'previous contents');
      const r = await job(bin, { ...common, archive, url: `${base}/kh/{key}.tar.xz`, sha256: 'f'.repeat(64) }, {});
      assert.equal(r.code, 1, fail(r));
      assert.equal(readFileSync(archive, 'utf8'), 'previous contents');
    });

    void it('without sha256 or verify, the downloaded archive is reported unverified', async () => {
      const r = await job(bin, { ...common, url: `${base}/kh/{key}.tar.xz` }, {});
      assert.equal(r.code, 0, fail(r));
      assert.equal(r.outputs.origin, 'url');
      assert.equal(r.outputs['kernel-release'], '6.1.0-kh');
      assert.ok(r.annotations.some((a) => a.level === 'warning' && /unverified/.test(a.message)), r.stdout);
    });

    void it('a hostile archive at the url is refused before it is written, and the step builds instead', async () => {
      const r = await job(bin, { ...common, url: `${base}/evil/{key}.tar.xz` }, {});
      assert.equal(r.code, 0, fail(r));
      assert.equal(r.outputs.origin, 'build');
      assert.ok(r.annotations.some((a) => a.level === 'warning' && /download failed/.test(a.message) && /escape\.h/.test(a.message)), r.stdout);
      assert.equal(r.outputs['archive-sha256'], sha256sum(r.outputs.archive));
      assert.equal(r.outputs['archive-sha256'], createHash('sha256').update(served).digest('hex'));
    });

    void it('extract-to auto refuses a release that is not a plain file name', async () => {
      const r = await job(bin, { ...common, url: `${base}/odd/{key}.tar.xz`, 'extract-to': 'auto' }, {});
      assert.equal(r.code, 1, fail(r));
      assert.ok(r.annotations.some((a) => a.level === 'error' && /no usable UTS_RELEASE/.test(a.message) && a.message.includes('extract-to')), r.stdout);
      assert.equal(existsSync(join(process.env.TMPDIR || '/tmp', escape)), false);
    });

    void it('a 404 warns and falls back to building', async () => {
      const r = await job(bin, { ...common, url: `${base}/missing/{key}.tar.xz` }, {});
      assert.equal(r.code, 0, fail(r));
      assert.equal(r.outputs.origin, 'build');
      assert.ok(r.annotations.some((a) => a.level === 'warning' && /download failed/.test(a.message)), r.stdout);
    });
  });

  void describe('a failing cache service never fails the step', () => {
    const bin = node24() ?? process.execPath;
    void it('v1 (GHES) answering 500 to everything: built, with warnings', async () => {
      const bad = await startCacheServer();
      bad.fault = { status: 500 };
      try {
        const r = await job(bin, { config: 'x86_64_defconfig', arch: 'x86_64', mtime: MTIME, verify: 'false' }, bad.env('ghes'));
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
      const r = await job(bin, { config: 'x86_64_defconfig', arch: 'x86_64', mtime: MTIME, verify: 'false' }, env);
      assert.equal(r.code, 0, fail(r));
      assert.equal(r.outputs.origin, 'build');
      assert.ok(r.annotations.some((a) => a.level === 'warning' && /restore/i.test(a.message)), r.stdout);
    });
  });

  void describe('bad inputs fail the step, naming the input', () => {
    const bin = node24() ?? process.execPath;
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
        const before = makeCalls().length;
        const r = await job(bin, inputs, {});
        assert.equal(r.code, 1, fail(r));
        const errors = r.annotations.filter((a) => a.level === 'error');
        assert.equal(errors.length, 1, r.stdout);
        assert.ok(errors[0].message.includes(`input "${input}"`), errors[0].message);
        assert.match(errors[0].message, /fix: /);
        assert.deepEqual(makeCalls().slice(before), []);
      });
    }
  });
});
