// Unix conventions of the CLI, run in-process with captured streams: - as
// stdout/stdin, -q, key --json, "wrote PATH" on a cache hit, the usage on no
// arguments, a repeated option. Oracles: sha256sum, md5sum, xz, GNU tar.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseCli } from '../../src/cli/args.js';
import { runCli } from '../../src/cli/run.js';
import { makeSampleTree } from '../../src/cli/sample.js';
import { tempDir, writeTree } from '../helpers/action-tree.js';
import { captureIo } from '../helpers/cli-io.js';
import { throwsWith } from '../helpers/errors.js';

const tmp = tempDir('kh-streams-');
const saved = { TMPDIR: process.env.TMPDIR, XDG_CACHE_HOME: process.env.XDG_CACHE_HOME };
let src: string;
let cleanupSample: () => Promise<void>;
let archive: string;
const MT = ['--arch', 'x86_64', '--mtime', '@1700000000'];

before(async () => {
  // Nothing of these runs may land in the real temp dir or cache.
  process.env.TMPDIR = join(tmp.dir, 'tmp');
  process.env.XDG_CACHE_HOME = join(tmp.dir, 'xdg');
  mkdirSync(process.env.TMPDIR);
  const s = await makeSampleTree('x86', 'x86_64');
  src = s.tree.source;
  cleanupSample = s.cleanup;
  archive = join(tmp.dir, 'k.tar.xz');
  assert.equal(await runCli(['build', '-q', '--source', src, ...MT, '--no-cache', '-o', archive], captureIo().io), 0);
});
after(async () => {
  await cleanupSample();
  for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k]; else process.env[k] = v;
  tmp.cleanup();
});

/** What runs left in TMPDIR besides the sample tree this file made. */
const leftovers = (): string[] => readdirSync(process.env.TMPDIR!).filter((n) => n !== basename(src));
const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

void describe('- is stdout or stdin', () => {
  void it('build --output - writes the archive to stdout, the same bytes as a file; the digests go to stderr', async () => {
    const c = captureIo();
    assert.equal(await runCli(['build', '--source', src, ...MT, '--no-cache', '--output', '-'], c.io), 0, c.err());
    assert.ok(c.out().equals(readFileSync(archive)), 'the same bytes as -o FILE');
    execFileSync('xz', ['-t'], { input: c.out() });
    assert.match(c.err(), /^wrote stdout: /m);
    assert.match(c.err(), new RegExp(`^sha256 {2}${sha256(c.out())}$`, 'm'));
    assert.equal(existsSync(join(src, '..', '-')), false);
    assert.deepEqual(leftovers(), [], 'the staged archive is removed');
  });

  void it('build --output - refuses a terminal', async () => {
    const c = captureIo({ stdoutTty: true });
    assert.equal(await runCli(['build', '--source', src, ...MT, '--no-cache', '-o', '-'], c.io), 2);
    assert.match(c.err(), /refusing to write the archive to a terminal/);
    assert.equal(c.out().length, 0);
  });

  void it('verify --json - and --markdown - print the report on stdout, the verdict on stderr; both at once is USAGE', async () => {
    const j = captureIo();
    assert.equal(await runCli(['verify', '--source', src, '--archive', archive, '--json', '-'], j.io), 0, j.err());
    const report = JSON.parse(j.out().toString()) as { result: string };
    assert.equal(report.result, 'match');
    assert.match(j.err(), /match/);
    const m = captureIo();
    assert.equal(await runCli(['verify', '--source', src, '--archive', archive, '--markdown', '-'], m.io), 0);
    assert.match(m.out().toString(), /^#+ /m);
    assert.equal(existsSync('-'), false, 'no file named -');
    const both = captureIo();
    assert.equal(await runCli(['verify', '--source', src, '--archive', archive, '--json', '-', '--markdown', '-'], both.io), 2);
  });

  void it('diff --json - prints the JSON report on stdout', async () => {
    const c = captureIo();
    assert.equal(await runCli(['diff', archive, archive, '--json', '-'], c.io), 0, c.err());
    assert.equal((JSON.parse(c.out().toString()) as { result: string }).result, 'identical');
  });

  void it('extract --from - reads stdin; errors name stdin; the spooled copy is removed; a terminal is refused', async () => {
    const out = join(tmp.dir, 'from-stdin');
    const c = captureIo({ stdin: readFileSync(archive) });
    assert.equal(await runCli(['extract', '--from', '-', '-o', out], c.io), 0, c.err());
    assert.equal(c.out().toString().split('\n')[0], out);
    const listed = execFileSync('tar', ['-tJf', archive], { encoding: 'utf8' }).split('\n').filter((l) => l.endsWith('.h'));
    for (const f of listed) assert.ok(existsSync(join(out, f)), f);
    const bad = captureIo({ stdin: Buffer.from('not an archive at all') });
    assert.equal(await runCli(['extract', '--from', '-', '-o', join(tmp.dir, 'bad')], bad.io), 2);
    assert.match(bad.err(), /error: stdin is not a \.tar\.xz/);
    assert.doesNotMatch(bad.err(), /kheaders-stdin-/);
    assert.deepEqual(leftovers(), []);
    const tty = captureIo({ stdinTty: true });
    assert.equal(await runCli(['extract', '--from', '-'], tty.io), 2);
    assert.match(tty.err(), /stdin is a terminal/);
  });
});

void describe('quiet, JSON and what build says', () => {
  void it('-q prints errors only: nothing on stderr for a good run, the error for a bad one; -q with -v is USAGE', async () => {
    const ok = captureIo();
    assert.equal(await runCli(['extract', '-q', '--from', archive, '-o', join(tmp.dir, 'q')], ok.io), 0);
    assert.equal(ok.err(), '');
    assert.match(ok.out().toString(), /^\/.*\/q\nmd5 /);
    const loud = captureIo();
    assert.equal(await runCli(['extract', '--from', archive, '-o', join(tmp.dir, 'q')], loud.io), 0);
    assert.notEqual(loud.err(), '', 'without -q it talks');
    const bad = captureIo();
    assert.equal(await runCli(['extract', '--quiet', '--from', join(tmp.dir, 'missing.tar.xz')], bad.io), 2);
    assert.match(bad.err(), /^error: cannot read .*missing\.tar\.xz/);
    throwsWith(() => parseCli(['build', '-q', '-v'], {}, '/'), 'USAGE', /--verbose and --quiet contradict/);
  });

  void it('key --json gives the md5 and every input: the md5 recomputed from the JSON is the key', async () => {
    const t = writeTree(join(tmp.dir, 'keytree'));
    const plain = captureIo();
    assert.equal(await runCli(['key', '--source', t, '--arch', 'x86_64'], plain.io), 0);
    const c = captureIo();
    assert.equal(await runCli(['key', '--json', '--source', t, '--arch', 'x86_64'], c.io), 0, c.err());
    const k = JSON.parse(c.out().toString()) as { md5: string; facts: string[]; inputs: Array<{ group: string; path: string; kind: string; digest: string }> };
    assert.equal(`${k.md5}\n`, plain.out().toString());
    // docs/action.md "The cache key": md5 over the facts, then every record, in this order
    const h = createHash('md5');
    for (const f of k.facts) h.update(`fact\0${f}\n`);
    for (const r of k.inputs) h.update(`${r.group}\0${r.path}\0${r.kind}\0${r.digest}\n`);
    assert.equal(h.digest('hex'), k.md5);
    const types = k.inputs.find((r) => r.path === 'include/linux/types.h');
    assert.equal(types?.digest, execFileSync('md5sum', [join(t, 'include/linux/types.h')], { encoding: 'utf8' }).split(' ')[0]);
  });

  void it('build says "wrote PATH" on a cache hit too', async () => {
    const out = join(tmp.dir, 'cached.tar.xz');
    const args = ['build', '--source', src, ...MT, '--cache-dir', join(tmp.dir, 'cache'), '-o', out];
    const first = captureIo();
    assert.equal(await runCli(args, first.io), 0);
    const hit = captureIo();
    assert.equal(await runCli(args, hit.io), 0);
    assert.match(hit.err(), /cache hit/);
    assert.match(hit.err(), new RegExp(`^wrote ${out}: \\d+ bytes, from the cache`, 'm'));
    assert.deepEqual(hit.out(), first.out(), 'the same digests on stdout');
  });

  void it('no arguments: the usage on stderr, exit 2; --help: on stdout, exit 0', async () => {
    const none = captureIo();
    assert.equal(await runCli([], none.io), 2);
    assert.match(none.err(), /^kheaders: build, fetch/);
    assert.equal(none.out().length, 0);
    const help = captureIo();
    assert.equal(await runCli(['--help'], help.io), 0);
    assert.match(help.out().toString(), /^kheaders: build, fetch/);
  });

  void it('a single-valued option given twice is USAGE; a repeated flag is harmless', () => {
    throwsWith(() => parseCli(['build', '--source', 'a', '--source', 'b'], {}, '/'), 'USAGE', /--source was given twice/);
    throwsWith(() => parseCli(['build', '--source', 'a', '-o', 'x', '--output', 'y'], {}, '/'), 'USAGE', /--output was given twice/);
    throwsWith(() => parseCli(['extract', '--from', 'a', '--from=b'], {}, '/'), 'USAGE', /--from was given twice/);
    assert.equal(parseCli(['build', '--source', 'a', '--no-cache', '--no-cache'], {}, '/').kind, 'run');
  });
});

void describe('TMPDIR and the cache stay ours', () => {
  void it('nothing above was written outside this test\'s temp dir', () => {
    assert.deepEqual(leftovers(), []);
  });
});
