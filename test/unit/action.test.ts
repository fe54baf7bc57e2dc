// The bundled action (dist/index.js) as the runner runs it, under Node 24 and
// Node 20, with the real bundled @actions/cache client against the emulator:
// miss and save, hit without make, verification, and agreement with the CLI.
// (Modes, url, failing caches and bad inputs: action-modes.test.ts.)
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { copyTree } from '../helpers/action-tree.js';
import { ACTION, node24, type ActionRun } from '../helpers/action-run.js';
import { actionJobs, fail, md5sum, MTIME, NODE24_MISSING, sha256sum } from '../helpers/action-job.js';
import { startCacheServer, type CacheServer } from '../helpers/cache-server.js';

const jobs = actionJobs('kheaders-action-');
const CLI = resolve(import.meta.dirname, '../../dist/cli.js');
let srv: CacheServer;

before(async () => { srv = await startCacheServer(); });
after(async () => { await srv.close(); jobs.cleanup(); });

const runtimes: Array<[string, string | undefined]> = [['Node 24', node24()], ['Node 20', process.version.startsWith('v20') ? process.execPath : undefined]];

function skipReason(name: string): string {
  return name === 'Node 24' ? NODE24_MISSING : `${name} runs these only when the tests run on it (this is Node ${process.version})`;
}

void describe('dist/index.js', () => {
  void it('is bundled (run npm run build first)', () => assert.ok(existsSync(ACTION), `${ACTION} missing`));

  for (const [name, node] of runtimes) {
    if (node === undefined && name === 'Node 24' && process.env.CI === 'true') {
      // In CI the action's own runtime must be tested: a missing Node 24 fails, it does not skip.
      void it(`runs on ${name}`, () => assert.fail(`${NODE24_MISSING} (CI=true: the action tests must run on Node 24)`));
      continue;
    }
    void describe(`under ${name}`, { skip: node === undefined ? skipReason(name) : false }, () => {
      const bin = node as string;
      const prefix = `kh-${name.replace(' ', '')}`;
      const inputs = { config: 'x86_64_defconfig', arch: 'x86_64', mtime: MTIME, 'cache-key-prefix': prefix, verify: 'false' };
      let first: ActionRun & { tree: string };

      void it(`runs on ${name}`, () => {
        assert.match(execFileSync(bin, ['--version']).toString(), name === 'Node 24' ? /^v24\./ : /^v20\./);
      });

      void it('run 1 misses, builds with make, saves to the cache', async () => {
        const before = jobs.makeCalls().length;
        first = await jobs.job(bin, inputs, srv.env('v2'));
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
        const calls = jobs.makeCalls().slice(before);
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
        const tree = copyTree(jobs.pristine, jobs.unique('cli'));
        const out = `${jobs.unique('cli')}.tar.xz`;
        execFileSync(process.execPath, [CLI, 'build', '--source', tree, '--arch', 'x86_64', '--config', 'x86_64_defconfig', '--mtime', MTIME, '--output', out],
          { env: { ...process.env, PATH: jobs.PATH, XDG_CACHE_HOME: jobs.unique('xdg') }, stdio: 'ignore' }); // never the user's cache
        assert.equal(sha256sum(out), first.outputs['archive-sha256']);
      });

      void it('the key equals what `kheaders key` prints for the same tree and flags', async (t) => {
        if (!existsSync(CLI)) return t.skip('dist/cli.js not built');
        const tree = copyTree(jobs.pristine, jobs.unique('clikey'));
        const printed = execFileSync(process.execPath, [CLI, 'key', '--source', tree, '--arch', 'x86_64', '--config', 'x86_64_defconfig', '--mtime', MTIME],
          { env: { PATH: jobs.PATH, HOME: process.env.HOME ?? jobs.dir }, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
        assert.equal(printed, first.outputs.key);
      });

      void it('run 2 on a fresh copy of the unprepared tree hits without running make', async () => {
        const before = jobs.makeCalls().length;
        const r = await jobs.job(bin, inputs, srv.env('v2'));
        assert.equal(r.code, 0, fail(r));
        assert.equal(r.outputs['cache-hit'], 'true');
        assert.equal(r.outputs.origin, 'cache');
        assert.equal(r.outputs.key, first.outputs.key);
        assert.equal(r.outputs['cache-matched-key'], first.outputs['cache-primary-key']);
        assert.equal(sha256sum(r.outputs.archive), first.outputs['archive-sha256']);
        assert.deepEqual(jobs.makeCalls().slice(before), [], 'make must not run on a hit');
        assert.equal(existsSync(join(r.tree, 'include/generated')), false, 'no generated headers appear');
        assert.equal(srv.entries.filter((e) => e.key === r.outputs['cache-primary-key']).length, 1, 'nothing saved on a hit');
        assert.match(r.summary, /\*\*hit\*\*/);
      });

      void it('verifies by default: verified, mismatches, report, summary table', async () => {
        assert.equal(first.outputs.verified, '', 'run 1 had verify: false');
        const r = await jobs.job(bin, { ...inputs, verify: '' }, srv.env('v2'));
        assert.equal(r.code, 0, fail(r));
        assert.equal(r.outputs.verified, 'true');
        assert.equal(r.outputs.mismatches, '0');
        const report = JSON.parse(readFileSync(r.outputs.report, 'utf8')) as { result: string; counts: { match: number } };
        assert.equal(report.result, 'match');
        assert.ok(report.counts.match >= 5);
        assert.match(r.summary.split('\n')[0] ?? '', new RegExp(`^### ✅ 6\\.1\\.0-kh x86 — ${report.counts.match} headers match the tree, `));
      });

      void it('a changed config option is a different key (a miss)', async () => {
        const r = await jobs.job(bin, { ...inputs, config: 'tiny_defconfig' }, srv.env('v2'));
        assert.equal(r.code, 0, fail(r));
        assert.notEqual(r.outputs.key, first.outputs.key);
        assert.equal(r.outputs['cache-hit'], 'false');
      });
    });
  }
});
