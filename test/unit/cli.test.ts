import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync, existsSync, readFileSync } from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { cliWithSample, runNode } from '../helpers/cli.js';

let cli: string;
let work: string;
let tree: string;
let cleanup: () => Promise<void> = async () => undefined;

before(async () => {
  ({ cli, work, tree, cleanup } = await cliWithSample('kh-cli-'));
});
after(() => cleanup());

const sha256 = (p: string): string => createHash('sha256').update(readFileSync(p)).digest('hex');

test('build without node_modules: prints md5/sha256 that match the file, and GNU tar lists it', async () => {
  const out = join(work, 'a', 'kheaders_data.tar.xz');
  const r = await runNode(cli, ['build', '--source', tree, '--arch', 'x86_64', '--no-cache', '--output', out], { env: { KBUILD_BUILD_TIMESTAMP: '', SOURCE_DATE_EPOCH: '' } });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`sha256\\s+${sha256(out)}`));
  const list = execFileSync('tar', ['-tJf', out], { encoding: 'utf8' });
  assert.match(list, /^\.\/include\/linux\/sample\.h$/m);
  assert.match(list, /^\.\/arch\/x86\/include\/generated\/asm\/sample-offsets\.h$/m);
});

test('npm start path: no --source builds the embedded sample tree and says so', async () => {
  const dir = mkdtempSync(join(work, 'start-'));
  const r = await runNode(cli, ['build'], { cwd: dir });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /^building \.\/kheaders_data\.tar\.xz from the sample tree \.\/kheaders-sample/);
  assert.doesNotMatch(r.stderr, /warning|unrecognised/, 'the sample script is read as a known form');
  assert.ok(existsSync(join(dir, 'kheaders_data.tar.xz')));
});

test('two builds with no flags give the same bytes (deterministic default mtime)', async () => {
  const env = { KBUILD_BUILD_TIMESTAMP: '', SOURCE_DATE_EPOCH: '' };
  const a = join(work, 'r1.tar.xz');
  const b = join(work, 'r2.tar.xz');
  assert.equal((await runNode(cli, ['build', '--source', tree, '--arch', 'x86', '--no-cache', '-o', a], { env })).code, 0);
  assert.equal((await runNode(cli, ['build', '--source', tree, '--arch', 'x86', '--no-cache', '-o', b], { env })).code, 0);
  assert.equal(sha256(a), sha256(b));
});

test('local cache: the second build of the same inputs is a hit with the same bytes; an edit misses', async () => {
  const cacheDir = mkdtempSync(join(work, 'cache-'));
  const copy = mkdtempSync(join(work, 'cachetree-'));
  cpTree(tree, copy);
  const args = (o: string): string[] => ['build', '--source', copy, '--arch', 'x86', '--cache-dir', cacheDir, '-o', o];
  const first = await runNode(cli, args(join(work, 'c1.tar.xz')));
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stderr, /cache miss/);
  const second = await runNode(cli, args(join(work, 'c2.tar.xz')));
  assert.match(second.stderr, /cache hit/);
  assert.equal(sha256(join(work, 'c1.tar.xz')), sha256(join(work, 'c2.tar.xz')));
  assert.equal(second.stdout, first.stdout);
  writeFileSync(join(copy, 'include/linux/types.h'), '#define EDITED 1\n');
  const third = await runNode(cli, args(join(work, 'c3.tar.xz')));
  assert.match(third.stderr, /cache miss/);
  assert.notEqual(sha256(join(work, 'c3.tar.xz')), sha256(join(work, 'c1.tar.xz')));
});

function assertNoOutput(dir: string): void {
  assert.deepEqual(readdirSync(dir).filter((f) => f.includes('kheaders') || f.endsWith('.tmp')), []);
}

test('bad input: not a kernel tree, unknown arch, unprepared tree, unwritable output — exit 2, clear error, no file', async () => {
  const dir = mkdtempSync(join(work, 'bad-'));
  const out = join(dir, 'kheaders_data.tar.xz');
  const notKernel = mkdtempSync(join(work, 'empty-'));
  let r = await runNode(cli, ['build', '--source', notKernel, '--arch', 'x86', '-o', out]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /not a (Linux )?kernel (source )?tree/i);
  r = await runNode(cli, ['build', '--source', join(work, 'no-such-dir'), '--arch', 'x86', '-o', out]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /does not exist|not found|no such/i);
  r = await runNode(cli, ['build', '--source', tree, '--arch', 'vax', '-o', out]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /vax/);
  const unprepared = mkdtempSync(join(work, 'unprep-'));
  cpTree(tree, unprepared);
  rmSync(join(unprepared, 'include/generated'), { recursive: true });
  r = await runNode(cli, ['build', '--source', unprepared, '--arch', 'x86', '-o', out]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /not prepared/);
  assert.match(r.stderr, /^ {2}fix: .*--config/m, 'the fix line tells to pass --config');
  assertNoOutput(dir);
  // root ignores directory permissions, so use a path under a regular file, unwritable for everyone
  writeFileSync(join(dir, 'file'), '');
  r = await runNode(cli, ['build', '--source', tree, '--arch', 'x86', '-o', join(dir, 'file', 'k.tar.xz')]);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /cannot (create|write)/);
  assert.match(r.stderr, /^ {2}fix: /m);
  assert.deepEqual(readdirSync(dir), ['file']);
  if (process.getuid?.() !== 0) {
    const ro = mkdtempSync(join(work, 'ro-'));
    chmodSync(ro, 0o555);
    r = await runNode(cli, ['build', '--source', tree, '--arch', 'x86', '--no-cache', '-o', join(ro, 'k.tar.xz')]);
    assert.equal(r.code, 2, r.stderr);
    assert.deepEqual(readdirSync(ro), []);
  }
  r = await runNode(cli, ['build', '--source', tree, '--bogus']);
  assert.equal(r.code, 2);
});

function cpTree(from: string, to: string): void {
  execFileSync('cp', ['-a', `${from}/.`, to]);
}

test('interrupted run (SIGINT during compression) exits 130 and leaves no partial file', async () => {
  const big = mkdtempSync(join(work, 'big-'));
  cpTree(tree, big);
  mkdirSync(join(big, 'include/noise'), { recursive: true });
  for (let i = 0; i < 40; i++) writeFileSync(join(big, 'include/noise', `n${i}.h`), randomBytes(1 << 20));
  const dir = mkdtempSync(join(work, 'int-'));
  let sent = false;
  const r = await runNode(cli, ['build', '--source', big, '--arch', 'x86', '--no-cache', '-o', join(dir, 'k.tar.xz')], {
    onStderr: (text, kill) => {
      if (!sent && text.includes('pack and compress')) {
        sent = true;
        setTimeout(() => kill('SIGINT'), 300);
      }
    },
  });
  assert.ok(sent, r.stderr);
  assert.equal(r.code, 130, r.stderr);
  assert.match(r.stderr, /interrupted/);
  assert.deepEqual(readdirSync(dir), []);
});
