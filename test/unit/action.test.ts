// The bundled action (dist/index.js) as the runner runs it, under Node 24 and
// Node 20, with the real bundled @actions/cache client against the emulator.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { copyTree, makeShim, tempDir, writeTree } from '../helpers/action-tree.js';
import { ACTION, node24, runActionProcess, type ActionRun } from '../helpers/action-run.js';
import { startCacheServer, type CacheServer } from '../helpers/cache-server.js';

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
  const tree = copyTree(pristine, join(dir, 'linux'));
  const r = await runActionProcess({ node, dir, path: PATH, inputs: { source: tree, ...inputs }, env, runnerTemp: join(tmp.dir, 'runner_temp') });
  return { ...r, tree };
}

function fail(r: ActionRun): string {
  return `exit ${r.code}\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-2000)}`;
}

const runtimes: Array<[string, string | undefined]> = [['Node 24', node24()], ['Node 20', process.version.startsWith('v20') ? process.execPath : undefined]];

describe('dist/index.js', () => {
  it('is bundled (run npm run build first)', () => assert.ok(existsSync(ACTION), `${ACTION} missing`));

  for (const [name, node] of runtimes) {
    describe(`under ${name}`, { skip: node === undefined ? `${name} not found (npm install --prefix /tmp/node24 node@24)` : false }, () => {
      const bin = node as string;
      const prefix = `kh-${name.replace(' ', '')}`;
      const inputs = { config: 'x86_64_defconfig', arch: 'x86_64', mtime: MTIME, 'cache-key-prefix': prefix, verify: 'false' };
      let first: ActionRun & { tree: string };

      it(`runs on ${name}`, () => {
        assert.match(execFileSync(bin, ['--version']).toString(), name === 'Node 24' ? /^v24\./ : /^v20\./);
      });

      it('run 1 misses, builds with make, saves to the cache', async () => {
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

      it('the archive equals what the CLI builds from the same tree and flags', async (t) => {
        if (!existsSync(CLI)) return t.skip('dist/cli.js not built');
        const tree = copyTree(pristine, join(tmp.dir, `cli${n++}`));
        const out = join(tmp.dir, `cli${n++}.tar.xz`);
        execFileSync(process.execPath, [CLI, 'build', '--source', tree, '--arch', 'x86_64', '--config', 'x86_64_defconfig', '--mtime', MTIME, '--output', out],
          { env: { ...process.env, PATH }, stdio: 'ignore' });
        assert.equal(sha256sum(out), first.outputs['archive-sha256']);
      });

      it('run 2 on a fresh copy of the unprepared tree hits without running make', async () => {
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

      it('a changed config option is a different key (a miss)', async () => {
        const r = await job(bin, { ...inputs, config: 'tiny_defconfig' }, srv.env('v2'));
        assert.equal(r.code, 0, fail(r));
        assert.notEqual(r.outputs.key, first.outputs.key);
        assert.equal(r.outputs['cache-hit'], 'false');
      });
    });
  }

  describe('a failing cache service never fails the step', () => {
    const bin = node24() ?? process.execPath;
    it('v1 (GHES) answering 500 to everything: built, with warnings', async () => {
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

    it('v2 service unreachable: built, with a warning', async () => {
      const gone = await startCacheServer();
      const env = gone.env('v2');
      await gone.close();
      const r = await job(bin, { config: 'x86_64_defconfig', arch: 'x86_64', mtime: MTIME, verify: 'false' }, env);
      assert.equal(r.code, 0, fail(r));
      assert.equal(r.outputs.origin, 'build');
      assert.ok(r.annotations.some((a) => a.level === 'warning' && /restore/i.test(a.message)), r.stdout);
    });
  });

  describe('bad inputs fail the step, naming the input', () => {
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
      it(what, async () => {
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
