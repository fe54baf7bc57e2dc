// key, verify and extract through the bundled CLI: exit codes, stdout, report files.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { cliWithSample, runNode } from '../helpers/cli.js';
import { assertDocumentedReport } from '../helpers/report-schema.js';

let cli: string;
let work: string;
let tree: string;
let archive: string;
let cleanup: () => Promise<void> = async () => undefined;

before(async () => {
  ({ cli, work, tree, cleanup } = await cliWithSample('kh-cmd-'));
  archive = join(work, 'k.tar.xz');
  const r = await runNode(cli, ['build', '--source', tree, '--arch', 'x86', '--no-cache', '--mtime', '@1700000000', '-o', archive]);
  assert.equal(r.code, 0, r.stderr);
});
after(() => cleanup());

test('key prints only the md5, stable across runs, and it changes with --compression', async () => {
  const a = await runNode(cli, ['key', '--source', tree, '--arch', 'x86', '--mtime', '@1700000000']);
  const b = await runNode(cli, ['key', '--source', tree, '--arch', 'x86', '--mtime', '@1700000000']);
  const c = await runNode(cli, ['key', '--source', tree, '--arch', 'x86', '--mtime', '@1700000000', '--compression', 'fast']);
  assert.equal(a.code, 0, a.stderr);
  assert.match(a.stdout, /^[0-9a-f]{32}\n$/);
  assert.equal(a.stdout, b.stdout);
  assert.notEqual(a.stdout, c.stdout);
});

test('verify: a clean archive exits 0 with one summary line; reports are written', async () => {
  const json = join(work, 'r.json');
  const md = join(work, 'r.md');
  const r = await runNode(cli, ['verify', '--archive', archive, '--source', tree, '--json', json, '--markdown', md]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  // The exact verdict line, from GNU tar's listing: the sample is built in-tree, so its generated
  // headers are checked in the source tree without --objtree, and every entry matches.
  const names = execFileSync('tar', ['-tJf', archive], { encoding: 'utf8' }).split('\n').filter((l) => l !== '')
    .map((l) => l.replace(/^\.\//, '').replace(/\/$/, ''));
  const generated = names.filter((n) => /^(arch\/[^/]+\/)?include\/generated(\/|$)/.test(n)).length;
  assert.ok(generated > 0, 'the sample tree is prepared in-tree');
  const summary = `MATCH: ${names.length} match, 0 differ, 0 missing, 0 extra, 0 unverified (generated)`;
  assert.equal(r.stdout.trimEnd().split('\n').at(-1), summary);
  const report = JSON.parse(readFileSync(json, 'utf8')) as { result: string; schemaVersion: number };
  assertDocumentedReport(report);
  assert.equal(report.result, 'match');
  assert.equal(report.schemaVersion, 1);
  const markdown = readFileSync(md, 'utf8');
  assert.match(markdown, /\|/);
  assert.equal(markdown.trimEnd().split('\n').at(-1), summary);
});

test('verify: an edited header exits 1 and names the file with a diff', async () => {
  const copy = mkdtempSync(join(work, 'edited-'));
  execFileSync('cp', ['-a', `${tree}/.`, copy]);
  appendFileSync(join(copy, 'include/linux/types.h'), '#define EDITED 1\n');
  const r = await runNode(cli, ['verify', '--archive', archive, '--source', copy]);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stdout, /include\/linux\/types\.h/);
  assert.match(r.stdout, /EDITED/);
});

test('verify: usage and input errors exit 2', async () => {
  let r = await runNode(cli, ['verify', '--source', tree]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--archive/);
  r = await runNode(cli, ['verify', '--archive', join(work, 'nope.tar.xz'), '--source', tree]);
  assert.equal(r.code, 2, r.stderr);
  r = await runNode(cli, ['verify', '--archive', join(tree, 'Makefile'), '--source', tree]);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /xz/i);
});

test('extract: unpacks what GNU tar unpacks; a wrong digest writes nothing', async () => {
  const out = join(work, 'headers');
  const sha = createHash('sha256').update(readFileSync(archive)).digest('hex');
  let r = await runNode(cli, ['extract', '--from', archive, '--output', out, '--sha256', sha]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /BCC_KERNEL_SOURCE=/);
  const ref = mkdtempSync(join(work, 'ref-'));
  execFileSync('tar', ['-xJf', archive, '-C', ref]);
  const list = (d: string): string => execFileSync('find', ['.', '-printf', '%p %y %l %s\n'], { cwd: d, encoding: 'utf8' }).split('\n').sort().join('\n');
  assert.equal(list(out), list(ref));
  assert.equal(execFileSync('diff', ['-r', '--no-dereference', out, ref], { encoding: 'utf8' }), '');
  const bad = join(work, 'bad');
  r = await runNode(cli, ['extract', '--from', archive, '--output', bad, '--sha256', '0'.repeat(64)]);
  assert.equal(r.code, 1, r.stderr); // DIGEST_MISMATCH: a failed run, not a usage error
  assert.match(r.stderr, /sha256/);
  assert.ok(!existsSync(bad));
  assert.deepEqual(readdirSync(work).filter((f) => f.includes('.tmp')), []);
});
