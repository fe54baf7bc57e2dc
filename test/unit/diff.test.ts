// kheaders diff through the real CLI entry, on pairs of archives made with
// real GNU tar and xz, one pair per cause: the verdict line, the exit code,
// the JSON report against docs/diff.md's schema, and the markdown report.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { DiffReport } from '../../src/core/index.js';
import { parseCli } from '../../src/cli/args.js';
import { runCli } from '../../src/cli/run.js';
import { ROOT } from '../helpers/cli.js';
import { throwsWith } from '../helpers/errors.js';
import { kernelTarFlags } from '../helpers/gnutar.js';
import { rawTar, realXz } from '../helpers/hostile.js';
import { documentedSchema, schemaProblems } from '../helpers/report-schema.js';

const T = 1_700_000_000;
const MAIN = join(ROOT, 'src/cli/main.ts');
const SCHEMA = documentedSchema(readFileSync(join(ROOT, 'docs/diff.md'), 'utf8'));
const ENV = { ...process.env, LC_ALL: 'C', TZ: 'UTC' };
let work: string;
let base: string;

/** Writes a small kernel-like tree with every mtime at T; returns its path. */
function makeTree(dir: string): string {
  const files: Record<string, string | Buffer> = {
    'include/linux/a.h': '#define a 1\n',
    'include/linux/b.h': '#define b 1\n',
    'include/linux/c.h': '#define c 1\n',
    'include/linux/blob.bin': Buffer.from([1, 0, 2, 0]),
    'arch/x86/include/asm/vdso.h': 'int v;\n',
    'arch/x86/include/asm/vdso/x.h': 'int x;\n',
  };
  for (const [name, data] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), data);
  }
  symlinkSync('a.h', join(dir, 'include/linux/l.h'));
  stamp(dir);
  return dir;
}

/** Sets every mtime in a tree to `at` (symlinks themselves included). */
function stamp(dir: string, at = T): void {
  execFileSync('find', [dir, '-exec', 'touch', '-h', '-d', `@${at}`, '{}', '+']);
}

/** A copy of the base tree (mtimes kept), changed by `edit`. */
function variant(name: string, edit: (dir: string) => void = () => undefined): string {
  const dir = join(work, name);
  execFileSync('cp', ['-a', `${base}/.`, dir]); // keeps every mtime, symlinks' too
  edit(dir);
  return dir;
}

/** tar of a tree with these flags, compressed with `xz` (a command line); returns the file. */
function tarXz(name: string, dir: string, flags: string[], xz = 'xz -6'): string {
  const out = join(work, `${name}.tar.xz`);
  execFileSync('tar', [...flags, '-I', xz, '-cf', out, '-C', `${dir}/`, '.'], { env: ENV });
  return out;
}

const KERNEL = kernelTarFlags(T);
const without = (flag: string): string[] => KERNEL.filter((f) => !f.startsWith(flag));

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
  report?: DiffReport;
  markdown?: string;
}

/** Runs `kheaders diff A B --json --markdown` through src/cli/main.ts. */
function runDiff(a: string, b: string, reports = true): Promise<Result> {
  const json = join(work, 'r.json');
  const md = join(work, 'r.md');
  rmSync(json, { force: true });
  rmSync(md, { force: true });
  const args = ['--import', 'tsx', MAIN, 'diff', a, b, ...(reports ? ['--json', json, '--markdown', md] : [])];
  return new Promise((done) => {
    execFile(process.execPath, args, { cwd: ROOT, env: ENV }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : null;
      const r: Result = { code, stdout, stderr };
      if (reports && code !== 2) {
        r.report = JSON.parse(readFileSync(json, 'utf8')) as DiffReport;
        r.markdown = readFileSync(md, 'utf8');
      }
      done(r);
    });
  });
}

/** Checks exit code, verdict (text, JSON, markdown), cause and the JSON schema; returns the report. */
async function expectVerdict(a: string, b: string, code: number, cause: string, verdict: string): Promise<DiffReport> {
  const r = await runDiff(a, b);
  assert.equal(r.code, code, r.stdout + r.stderr);
  assert.equal(r.stdout.trimEnd().split('\n').at(-1), `verdict: ${verdict}`, r.stdout);
  assert.ok(r.report && r.markdown !== undefined);
  assert.deepEqual(schemaProblems(r.report, SCHEMA), [], 'the report differs from the schema in docs/diff.md');
  assert.equal(r.report.verdict, verdict);
  assert.equal(r.report.cause, cause);
  assert.equal(r.markdown.trimEnd().split('\n').at(-1), `verdict: ${verdict}`);
  return r.report;
}

before(() => {
  work = mkdtempSync(join(tmpdir(), 'kh-diff-'));
  base = makeTree(join(work, 'base'));
});
after(() => rmSync(work, { recursive: true, force: true }));

test('identical files exit 0 and say so', async () => {
  const a = tarXz('same', base, KERNEL);
  const b = join(work, 'same-copy.tar.xz');
  copyFileSync(a, b);
  const r = await expectVerdict(a, b, 0, 'identical', 'identical');
  assert.equal(r.result, 'identical');
  assert.equal(r.findings.length, 0);
  assert.ok(r.tarIdentical);
});

test('the same tar recompressed: xz settings, blocks as xz -lvv lists them', async () => {
  const tar = join(work, 'plain.tar');
  execFileSync('tar', [...KERNEL, '-cf', tar, '-C', `${base}/`, '.'], { env: ENV });
  const xz = (name: string, args: string[]): string => {
    const out = join(work, `${name}.tar.xz`);
    writeFileSync(out, execFileSync('xz', [...args, '-c', tar]));
    return out;
  };
  const compat = xz('compat', ['-6']);
  const fast = xz('fast', ['-1', '-T2']);
  const r = await expectVerdict(compat, fast, 1, 'xz-settings',
    'same tar, different xz settings (A: preset 6, 1 block; B: preset 1, 1 block, multi-threaded)');
  assert.equal(r.result, 'different');
  assert.ok(r.tarIdentical);
  assert.deepEqual([r.a.xz.mode, r.a.xz.multithreaded, r.b.xz.mode, r.b.xz.multithreaded], ['compat', false, 'fast', true]);
  const three = xz('three', ['-1', '-T2', '--block-size=8KiB']);
  const r3 = await expectVerdict(compat, three, 1, 'xz-settings',
    'same tar, different xz settings (A: preset 6, 1 block; B: preset 1, 3 blocks of 8 KiB)');
  for (const [file, side] of [[compat, r3.a], [three, r3.b]] as const) {
    const oracle = execFileSync('xz', ['--robot', '-lvv', file], { encoding: 'utf8' }).split('\n')
      .filter((l) => l.startsWith('block\t')).map((l) => l.split('\t'))
      .map((f) => ({ compressed: Number(f[6]), uncompressed: Number(f[7]), sizesInHeader: f[12] !== '--' }));
    assert.deepEqual(side.xz.blocks, oracle, file);
    assert.equal(side.xz.check, 'crc64');
  }
});

test('one member touched in a tar without --mtime', async () => {
  const flags = without('--mtime');
  const a = tarXz('staged-a', variant('staged'), flags);
  const b = tarXz('staged-b', variant('touched', (d) => utimesSync(join(d, 'include/linux/b.h'), T + 3600, T + 3600)), flags);
  const r = await expectVerdict(a, b, 1, 'one-mtime', "one member's mtime differs: include/linux/b.h (+3600 s)");
  assert.deepEqual(r.findings.map((f) => [f.field, f.name, f.delta]), [['mtime', 'include/linux/b.h', 3600]]);
});

test('the whole archive with another --mtime: a different KBUILD_BUILD_TIMESTAMP', async () => {
  const b = tarXz('later', base, [...without('--mtime'), `--mtime=@${T + 86400}`]);
  const r = await expectVerdict(tarXz('kernel', base, KERNEL), b, 1, 'mtime-shift',
    'all mtimes differ by the same amount (+86400 s): a different KBUILD_BUILD_TIMESTAMP');
  assert.equal(r.counts.mtime, r.counts.common);
});

test('an archive made without --mode: symlink modes, then modes', async () => {
  const kernel = tarXz('kernel', base, KERNEL);
  await expectVerdict(kernel, tarXz('nomode', base, without('--mode')), 1, 'symlink-modes',
    'symlink modes differ: a script without --mode (A 0644, B 0777)');
  const g = variant('groupw', (d) => chmodSync(join(d, 'include/linux/a.h'), 0o664));
  const r = await expectVerdict(kernel, tarXz('nomode-g', g, without('--mode')), 1, 'modes',
    'modes differ: a script without --mode (2 members, e.g. include/linux/a.h: A 0644, B 0664)');
  assert.deepEqual(r.findings.map((f) => [f.name, f.a, f.b]), [['include/linux/a.h', '0644', '0664'], ['include/linux/l.h', '0644', '0777']]);
});

test('another --owner: owners', async () => {
  const flags = [...without('--owner').filter((f) => !f.startsWith('--group') && f !== '--numeric-owner'), '--owner=kh:1000', '--group=kh:1000'];
  await expectVerdict(tarXz('kernel', base, KERNEL), tarXz('owner', base, flags), 1, 'owners',
    'owners differ: a script without --owner=0 --group=0 --numeric-owner (A 0/0, B 1000/1000 kh/kh)');
});

test('--sort=name against find | LC_ALL=C sort | tar -T -', async () => {
  const list = join(work, 'list.tar.xz');
  execFileSync('sh', ['-c', `find . | LC_ALL=C sort | tar ${without('--sort').join(' ')} --no-recursion -T - -I 'xz -6' -cf '${list}'`],
    { cwd: base, env: ENV });
  const r = await expectVerdict(tarXz('kernel', base, KERNEL), list, 1, 'order',
    'order differs: --sort=name against a sorted path list (A: --sort=name, B: a sorted path list)');
  assert.deepEqual(r.order && [r.order.a, r.order.b, r.order.aSort, r.order.bSort],
    ['arch/x86/include/asm/vdso/x.h', 'arch/x86/include/asm/vdso.h', 'name', 'path']);
  assert.equal(r.findings.length, 0);
});

test('changed contents: a unified diff, capped; binary data named as such', async () => {
  const long = Array.from({ length: 100 }, (_, i) => `#define C${i} ${i}`).join('\n');
  const b = tarXz('edited', variant('edited', (d) => {
    writeFileSync(join(d, 'include/linux/a.h'), '#define a 1\n#define EDITED 1\n');
    writeFileSync(join(d, 'include/linux/c.h'), `${long}\n`);
    writeFileSync(join(d, 'include/linux/blob.bin'), Buffer.from([1, 0, 3]));
  }), KERNEL);
  const r = await expectVerdict(tarXz('kernel', base, KERNEL), b, 1, 'summary', '3 members differ in content');
  const by = new Map(r.findings.map((f) => [f.name, f]));
  assert.equal(by.get('include/linux/a.h')?.diff,
    '--- a/include/linux/a.h\n+++ b/include/linux/a.h\n@@ -1,1 +1,2 @@\n #define a 1\n+#define EDITED 1');
  const capped = by.get('include/linux/c.h')?.diff?.split('\n') ?? [];
  assert.equal(capped.length, 41);
  assert.match(capped.at(-1) ?? '', /^\.\.\. \(\d+ more diff lines\)$/);
  const blob = by.get('include/linux/blob.bin');
  assert.deepEqual([blob?.binary, blob?.diff, blob?.detail], [true, undefined, 'binary contents differ (A 4 bytes, B 3 bytes)']);
  const text = (await runDiff(tarXz('kernel', base, KERNEL), b, false)).stdout;
  assert.match(text, /^content {2}include\/linux\/a\.h: contents differ \(A 12 bytes, B 29 bytes\)\n {4}--- a\/include\/linux\/a\.h$/m);
  assert.match(text, /^ {4}\+#define EDITED 1$/m);
});

test('a member only in A and one only in B', async () => {
  const b = tarXz('moved', variant('moved', (d) => {
    unlinkSync(join(d, 'include/linux/c.h'));
    writeFileSync(join(d, 'include/linux/d.h'), '#define d 1\n');
  }), KERNEL);
  const r = await expectVerdict(tarXz('kernel', base, KERNEL), b, 1, 'summary', '1 member only in A, 1 only in B');
  assert.deepEqual(r.findings.map((f) => [f.field, f.name]), [['only-a', 'include/linux/c.h'], ['only-b', 'include/linux/d.h']]);
});

test('a hostile, a missing and a non-xz archive exit 2 with error: and fix: lines', async () => {
  const good = tarXz('kernel', base, KERNEL);
  const hostile = join(work, 'hostile.tar.xz');
  writeFileSync(hostile, realXz(rawTar([{ name: '../x', data: 'x' }])));
  const notXz = join(work, 'plain.txt');
  writeFileSync(notXz, 'not an archive\n');
  for (const [a, b, why] of [[good, hostile, /refusing entry "\.\.\/x"/], [join(work, 'nope.tar.xz'), good, /not found/], [good, notXz, /not an xz file/]] as const) {
    const r = await runDiff(a, b);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /^error: .+$/m);
    assert.match(r.stderr, why);
    assert.match(r.stderr, /^ {2}fix: .+$/m);
    assert.equal(r.stdout, '');
  }
});

test('usage: diff takes exactly two positionals, resolved from the cwd; other commands still take none', async () => {
  assert.deepEqual(parseCli(['diff', 'a.tar.xz', '--json', 'r.json', '--', '-b.tar.xz'], {}, '/w'), {
    kind: 'run', verbose: false, quiet: false, settings: { command: 'diff', a: '/w/a.tar.xz', b: '/w/-b.tar.xz', json: '/w/r.json', markdown: undefined },
  });
  for (const argv of [['diff', 'one.tar.xz'], ['diff', 'a', 'b', 'c'], ['diff', 'a', 'b', '--source', 'x'], ['build', '--source', 'l', 'extra']]) {
    throwsWith(() => parseCli(argv, {}, '/w'), 'USAGE', undefined, /./);
  }
  assert.equal(await runCli(['diff', 'one.tar.xz']), 2);
});
