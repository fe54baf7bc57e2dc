// The CLI front in-process: parseCli turns argv into the right settings variant,
// and runCli maps it onto the core and exit codes.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parseCli, type CliArgs } from '../../src/cli/args.js';
import { runCli } from '../../src/cli/run.js';
import { makeSampleTree } from '../../src/cli/sample.js';
import type { BuildSettings, ExtractSettings, KeySettings, Settings, VerifySettings } from '../../src/core/settings.js';
import { tempDir } from '../helpers/action-tree.js';
import { assertFields, throwsWith } from '../helpers/errors.js';

const tmp = tempDir('kheaders-front-cli-');
after(tmp.cleanup);
const cwd = join(tmp.dir, 'cwd');
mkdirSync(cwd, { recursive: true });
writeFileSync(join(cwd, 'x.config'), 'CONFIG_X=y\n');
const EMPTY: NodeJS.ProcessEnv = {};


/** The settings of a 'run' parse; fails on any other kind. */
function run(argv: string[], env: NodeJS.ProcessEnv = EMPTY): Settings {
  const r: CliArgs = parseCli(argv, env, cwd);
  assert.equal(r.kind, 'run', `expected a run, got ${JSON.stringify(r)}`);
  return (r as Extract<CliArgs, { kind: 'run' }>).settings;
}
const build = (argv: string[], env?: NodeJS.ProcessEnv): BuildSettings => {
  const s = run(['build', ...argv], env);
  assert.equal(s.command, 'build');
  return s as BuildSettings;
};

void describe('parseCli: build', () => {
  void it('resolves paths against cwd, defaults the output and the compat pack', () => {
    const s = build(['--source', 'linux', '--objtree', 'obj', '--arch', 'x86_64']);
    assertFields(s, {
      command: 'build',
      tree: { source: join(cwd, 'linux'), objtree: join(cwd, 'obj'), arch: 'x86', makeArch: 'x86_64', config: undefined },
      pack: { mtime: { epoch: 0, origin: 'default' }, compression: 'compat', threads: 1 },
      output: join(cwd, 'kheaders_data.tar.xz'),
      cacheDir: join(homedir(), '.cache', 'kheaders'),
    });
  });

  void it('-o, --cache-dir and --no-cache', () => {
    assert.equal(build(['--source', '/abs/linux', '-o', 'out/k.tar.xz']).output, join(cwd, 'out/k.tar.xz'));
    assert.equal(build(['--source', '/abs/linux']).tree.source, '/abs/linux');
    assert.equal(build(['--source', 'l', '--cache-dir', 'c']).cacheDir, join(cwd, 'c'));
    assert.equal(build(['--source', 'l', '--no-cache']).cacheDir, undefined);
    throwsWith(() => build(['--source', 'l', '--no-cache', '--cache-dir', 'c']), 'USAGE', /contradict/);
  });

  void it('the default cache dir honours an absolute XDG_CACHE_HOME', () => {
    assert.equal(build(['--source', 'l'], { XDG_CACHE_HOME: '/xdg' }).cacheDir, '/xdg/kheaders');
    assert.equal(build(['--source', 'l'], { XDG_CACHE_HOME: 'relative' }).cacheDir, join(homedir(), '.cache', 'kheaders'));
  });

  void it('an option first means build', () => {
    const r = parseCli(['--source', 'l', '--no-cache'], EMPTY, cwd);
    assert.equal(r.kind, 'run');
    assert.equal((r as Extract<CliArgs, { kind: 'run' }>).settings.command, 'build');
  });

  void it('without --source it is the sample build, with the default output', () => {
    const r = parseCli(['build', '--arch', 'arm64', '-v'], EMPTY, cwd);
    assert.equal(r.kind, 'sample');
    const s = r as Extract<CliArgs, { kind: 'sample' }>;
    assert.equal(s.verbose, true);
    assert.deepEqual(s.sample.arch, { srcarch: 'arm64', makeArch: 'arm64' });
    assert.equal(s.sample.output, join(cwd, 'kheaders_data.tar.xz'));
    assert.equal(s.sample.pack.compression, 'compat');
  });

  void it('--objtree or --config without --source is USAGE', () => {
    throwsWith(() => parseCli(['build', '--objtree', 'o'], EMPTY, cwd), 'USAGE');
    throwsWith(() => parseCli(['build', '--config', 'defconfig'], EMPTY, cwd), 'USAGE');
  });

  void it('--config: a target, an existing file, a missing file, a bogus word', () => {
    assert.deepEqual(build(['--source', 'l', '--config', 'defconfig']).tree.config, { kind: 'target', target: 'defconfig' });
    assert.deepEqual(build(['--source', 'l', '--config', 'x86_64_defconfig']).tree.config, { kind: 'target', target: 'x86_64_defconfig' });
    assert.deepEqual(build(['--source', 'l', '--config', './x.config']).tree.config, { kind: 'file', path: join(cwd, 'x.config') });
    assert.deepEqual(build(['--source', 'l', '--config', 'x.config']).tree.config, { kind: 'file', path: join(cwd, 'x.config') });
    throwsWith(() => build(['--source', 'l', '--config', './missing']), 'BAD_INPUT');
    throwsWith(() => build(['--source', 'l', '--config', 'bogus']), 'BAD_INPUT');
    throwsWith(() => build(['--source', 'l', '--config', '.']), 'BAD_INPUT'); // a directory
  });

  void it('--compression and --threads', () => {
    const fast = build(['--source', 'l', '--compression', 'fast', '--threads', '3']).pack;
    assert.deepEqual([fast.compression, fast.threads], ['fast', 3]);
    assert.ok(build(['--source', 'l', '--compression', 'fast']).pack.threads >= 2, 'fast defaults to >= 2 threads');
    assert.equal(build(['--source', 'l', '--threads', '4']).pack.threads, 4);
    throwsWith(() => build(['--source', 'l', '--compression', 'bad']), 'USAGE');
    throwsWith(() => build(['--source', 'l', '--threads', '0']), 'USAGE');
    throwsWith(() => build(['--source', 'l', '--threads', 'two']), 'USAGE');
    throwsWith(() => build(['--source', 'l', '--threads', '257']), 'USAGE');
    throwsWith(() => build(['--source', 'l', '--compression', 'fast', '--threads', '1']), 'USAGE');
  });

  void it('--mtime, then KBUILD_BUILD_TIMESTAMP, then SOURCE_DATE_EPOCH, each with its origin', () => {
    const env = { KBUILD_BUILD_TIMESTAMP: '@1700000000', SOURCE_DATE_EPOCH: '1600000000' };
    assert.deepEqual(build(['--source', 'l', '--mtime', '2024-01-01 00:00:00 UTC'], env).pack.mtime, { epoch: 1704067200, origin: '--mtime' });
    assert.deepEqual(build(['--source', 'l'], env).pack.mtime, { epoch: 1700000000, origin: 'KBUILD_BUILD_TIMESTAMP' });
    assert.deepEqual(build(['--source', 'l'], { KBUILD_BUILD_TIMESTAMP: '', SOURCE_DATE_EPOCH: '1600000000' }).pack.mtime,
      { epoch: 1600000000, origin: 'SOURCE_DATE_EPOCH' });
    throwsWith(() => build(['--source', 'l', '--mtime', 'yesterday']), 'BAD_INPUT');
    throwsWith(() => build(['--source', 'l'], { SOURCE_DATE_EPOCH: '12abc' }), 'BAD_INPUT');
  });

  void it('an unknown --arch is UNKNOWN_ARCH', () => {
    throwsWith(() => build(['--source', 'l', '--arch', 'vax11']), 'UNKNOWN_ARCH');
  });
});

void describe('parseCli: key, verify, extract', () => {
  void it('key gives KeySettings (no output, no cache) and needs --source', () => {
    const s = run(['key', '--source', 'l', '--arch', 'x86', '--mtime', '@5']) as KeySettings;
    assertFields(s, { command: 'key', tree: { source: join(cwd, 'l'), objtree: undefined, arch: 'x86', makeArch: 'x86', config: undefined },
      pack: { mtime: { epoch: 5, origin: '--mtime' }, compression: 'compat', threads: 1 } });
    throwsWith(() => parseCli(['key'], EMPTY, cwd), 'USAGE');
    throwsWith(() => parseCli(['key', '--arch', 'x86'], EMPTY, cwd), 'USAGE');
  });

  void it('verify needs --source and --archive and gives VerifySettings', () => {
    const s = run(['verify', '--source', 'l', '--archive', 'a.tar.xz', '--objtree', 'o', '--config', 'c', '--strict', '--json', 'r.json', '--markdown', 'r.md']) as VerifySettings;
    assertFields(s, { command: 'verify', archive: join(cwd, 'a.tar.xz'), source: join(cwd, 'l'), objtree: join(cwd, 'o'), arch: undefined,
      config: join(cwd, 'c'), strict: true, json: join(cwd, 'r.json'), markdown: join(cwd, 'r.md') });
    assert.equal((run(['verify', '--source', 'l', '--archive', 'a']) as VerifySettings).strict, false);
    throwsWith(() => parseCli(['verify', '--archive', 'a'], EMPTY, cwd), 'USAGE');
    throwsWith(() => parseCli(['verify', '--source', 'l'], EMPTY, cwd), 'USAGE');
  });

  void it('extract needs --from; running and URLs stay, paths resolve; one digest only', () => {
    const s = run(['extract', '--from', 'k.ko', '--archive', 'a.tar.xz', '-o', 'hdr', '--sha256', 'ab', '--force', '--arch', 'x86_64']) as ExtractSettings;
    assertFields(s, { command: 'extract', from: join(cwd, 'k.ko'), archive: join(cwd, 'a.tar.xz'), output: join(cwd, 'hdr'),
      sha256: 'ab', md5: undefined, replace: true, arch: 'x86' });
    assert.equal((run(['extract', '--from', 'running']) as ExtractSettings).from, 'running');
    assert.equal((run(['extract', '--from', 'https://example.com/{arch}.tar.xz']) as ExtractSettings).from, 'https://example.com/{arch}.tar.xz');
    const plain = run(['extract', '--from', 'running']) as ExtractSettings;
    assert.deepEqual([plain.replace, plain.arch, plain.output], [false, undefined, undefined]);
    throwsWith(() => parseCli(['extract'], EMPTY, cwd), 'USAGE');
    throwsWith(() => parseCli(['extract', '--from', 'running', '--sha256', 'a', '--md5', 'b'], EMPTY, cwd), 'USAGE');
  });
});

void describe('parseCli: usage errors and help', () => {
  void it('-h, --help, help and --help after a command are help; no arguments at all is the usage (exit 2)', () => {
    for (const argv of [['-h'], ['--help'], ['help']]) assert.deepEqual(parseCli(argv, EMPTY, cwd), { kind: 'help' }, argv.join(' '));
    assert.deepEqual(parseCli([], EMPTY, cwd), { kind: 'usage' });
    assert.deepEqual(parseCli(['build', '--help'], EMPTY, cwd), { kind: 'help', command: 'build' });
    assert.deepEqual(parseCli(['verify', '-h'], EMPTY, cwd), { kind: 'help', command: 'verify' });
  });

  void it('unknown commands and options, positionals, and options of another command are USAGE', () => {
    const cases = [
      ['frobnicate'], ['build', '--bogus'], ['build', 'extra'], ['key', '--strict', '--source', 'l'],
      ['build', '--source', 'l', '--from', 'x'], ['extract', '--from', 'running', '--source', 'l'],
      ['verify', '--source', 'l', '--archive', 'a', '--no-cache'], ['key', '--source', 'l', '-o', 'x'], ['build', '--source'],
    ];
    for (const argv of cases) throwsWith(() => parseCli(argv, EMPTY, cwd), 'USAGE', undefined, /./);
  });
});

void describe('runCli in-process', () => {
  const saved = process.env.XDG_CACHE_HOME;
  after(() => {
    if (saved === undefined) delete process.env.XDG_CACHE_HOME;
    else process.env.XDG_CACHE_HOME = saved;
  });
  process.env.XDG_CACHE_HOME = join(tmp.dir, 'xdg'); // never the user's cache

  void it('--help returns 0; an unknown command or a bad flag returns 2', async () => {
    assert.equal(await runCli(['--help']), 0);
    assert.equal(await runCli(['frobnicate']), 2);
    assert.equal(await runCli(['build', '--threads', '0']), 2);
  });

  void it('a sample build returns 0 and writes an archive GNU tar lists', async () => {
    const out = join(tmp.dir, 'sample', 'k.tar.xz');
    assert.equal(await runCli(['build', '-o', out, '--arch', 'x86_64']), 0);
    const list = execFileSync('tar', ['-tJf', out], { encoding: 'utf8' });
    assert.match(list, /^\.\/include\/linux\/sample\.h$/m);
    assert.match(list, /^\.\/include\/generated\/utsrelease\.h$/m);
  });

  void it('a build of a missing tree returns 2 and writes nothing', async () => {
    const out = join(tmp.dir, 'none.tar.xz');
    assert.equal(await runCli(['build', '--source', join(tmp.dir, 'nope'), '--arch', 'x86', '--no-cache', '-o', out]), 2);
    assert.equal(existsSync(out), false);
  });

  void it('key, verify and extract on the sample tree return 0; a missing archive returns 2', async () => {
    const sample = await makeSampleTree('x86', 'x86_64');
    try {
      const out = join(tmp.dir, 'k2.tar.xz');
      const src = sample.tree.source;
      assert.equal(await runCli(['build', '--source', src, '--arch', 'x86_64', '--mtime', '@1700000000', '-o', out]), 0);
      assert.ok(existsSync(join(tmp.dir, 'xdg', 'kheaders')), 'the default cache dir is under XDG_CACHE_HOME');
      assert.equal(await runCli(['key', '--source', src, '--arch', 'x86_64', '--mtime', '@1700000000']), 0);
      assert.equal(await runCli(['verify', '--source', src, '--archive', out]), 0);
      assert.equal(await runCli(['extract', '--from', out, '-o', join(tmp.dir, 'hdr')]), 0);
      assert.ok(existsSync(join(tmp.dir, 'hdr', 'include/linux/sample.h')));
      assert.equal(await runCli(['verify', '--source', src, '--archive', join(tmp.dir, 'missing.tar.xz')]), 2);
    } finally {
      await sample.cleanup();
    }
  });
});
