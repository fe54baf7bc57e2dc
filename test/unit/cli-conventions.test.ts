// CLI conventions: per-command help, "did you mean", --version, hints that name
// real options, key -v, colour only on a TTY without NO_COLOR.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { parseCli } from '../../src/cli/args.js';
import { COMMAND_HELP } from '../../src/cli/help.js';
import { useColour } from '../../src/cli/logger.js';
import { OPTIONS } from '../../src/cli/option-table.js';
import { throwsWith } from '../helpers/errors.js';
import { tempDir, writeTree } from '../helpers/action-tree.js';

const ROOT = resolve(import.meta.dirname, '../..');
const cli = (...args: string[]): { code: number; out: string; err: string } => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), ...args], { encoding: 'utf8', cwd: ROOT, env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
};

void describe('CLI conventions', () => {
  void it('each command has its own --help with examples; help COMMAND is the same text', () => {
    for (const c of ['build', 'key', 'verify', 'extract', 'diff'] as const) {
      assert.deepEqual(parseCli([c, '--help'], {}, '/'), { kind: 'help', command: c });
      assert.match(COMMAND_HELP[c], new RegExp(`^kheaders ${c}: `));
      assert.match(COMMAND_HELP[c], /\nExamples:\n {2}kheaders /);
    }
    const r = cli('build', '--help');
    assert.equal(r.code, 0);
    assert.equal(r.out.trim(), COMMAND_HELP.build.trim());
    assert.deepEqual(parseCli(['help', 'verify'], {}, '/'), { kind: 'help', command: 'verify' });
  });

  void it('--version prints the package version', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    assert.deepEqual(cli('--version'), { code: 0, out: `kheaders ${pkg.version}\n`, err: '' });
  });

  void it('unknown options, commands and values suggest the nearest one', () => {
    throwsWith(() => parseCli(['build', '--sorce', '.'], {}, '/'), 'USAGE', /has no option --sorce \(did you mean --source\?\)/);
    throwsWith(() => parseCli(['biuld'], {}, '/'), 'USAGE', /unknown command "biuld" \(did you mean build\?\)/);
    throwsWith(() => parseCli(['build', '--arch', 'x86-64'], {}, '/'), 'UNKNOWN_ARCH', /did you mean x86_64\?/);
    throwsWith(() => parseCli(['build', '--compression', 'fats'], {}, '/'), 'USAGE', /did you mean fast\?/);
    const r = cli('verify', '--archiv', 'x');
    assert.equal(r.code, 2);
    assert.match(r.err, /^error: verify has no option --archiv \(did you mean --archive\?\)\n {2}fix: see kheaders verify --help/m);
  });

  void it('every option a fix hint names exists', () => {
    const files: string[] = [];
    const walk = (d: string): void => {
      for (const e of readdirSync(d, { withFileTypes: true })) {
        if (e.isDirectory()) walk(join(d, e.name));
        else if (e.name.endsWith('.ts')) files.push(join(d, e.name));
      }
    };
    walk(join(ROOT, 'src'));
    const named = new Set<string>();
    for (const f of files) {
      for (const m of readFileSync(f, 'utf8').matchAll(/\b(?:pass|use|keep one:|drop|add|run kheaders \w+) (?:e\.g\. )?(--[a-z][a-z0-9-]*)/g)) named.add(m[1]!.slice(2));
    }
    assert.ok(named.size >= 8, [...named].join(' '));
    for (const o of named) assert.ok(o in OPTIONS, `a fix hint names --${o}, which no command takes`);
    for (const f of files) assert.doesNotMatch(readFileSync(f, 'utf8'), /raise the (?:per-entry|entry-count|total-size) (?:size )?limit|the uncompressed option|pass the cache key/, f);
  });

  void it('limits, --key and --plain-tar parse', () => {
    const v = parseCli(['verify', '--source', 's', '--archive', 'a', '--max-entry-size', '64M', '--max-size', '2G', '--max-entries', '9'], {}, '/');
    assert.ok(v.kind === 'run' && v.settings.command === 'verify');
    assert.deepEqual(v.settings.limits, { maxEntryBytes: 64 * 2 ** 20, maxTotalBytes: 2 * 2 ** 30, maxEntries: 9 });
    throwsWith(() => parseCli(['extract', '--from', 'running', '--key', 'nothex'], {}, '/'), 'USAGE', /32 hex digits/);
    const b = parseCli(['build', '--source', 's', '--plain-tar'], {}, '/');
    assert.ok(b.kind === 'run' && b.settings.command === 'build' && b.settings.pack.compression === 'none');
  });

  void it('colour only on a TTY, never with NO_COLOR or TERM=dumb', () => {
    assert.equal(useColour(true, {}), true);
    assert.equal(useColour(false, {}), false);
    assert.equal(useColour(true, { NO_COLOR: '1' }), false);
    assert.equal(useColour(true, { TERM: 'dumb' }), false);
  });

  void it('key -v prints every key input; without -v only the md5', () => {
    const tmp = tempDir('kh-conv-');
    try {
      const t = writeTree(join(tmp.dir, 't'));
      const quiet = cli('key', '--source', t, '--arch', 'x86_64');
      assert.equal(quiet.code, 0, quiet.err);
      assert.match(quiet.out, /^[0-9a-f]{32}\n$/);
      assert.doesNotMatch(quiet.err, /key input/);
      const loud = cli('key', '-v', '--source', t, '--arch', 'x86_64');
      assert.equal(loud.out, quiet.out);
      const md5 = execFileSync('md5sum', [join(t, 'include/linux/types.h')], { encoding: 'utf8' }).split(' ')[0];
      assert.match(loud.err, new RegExp(`debug: key input: src include/linux/types\\.h f ${md5}`));
      assert.match(loud.err, /debug: key input: variant=/);
      assert.match(loud.err, /debug: script variant: /, 'the rules line shows with -v only');
      assert.doesNotMatch(quiet.err, /script variant:/);
    } finally {
      tmp.cleanup();
    }
  });
});
