// The first run (`npm start` = build with no --source) and running extract
// again: what a newcomer sees, in-process, in a temp cwd with TMPDIR and the
// cache pointed at temp dirs (never the real /tmp/kheaders-*).
import assert from 'node:assert/strict';
import { lstatSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../../src/cli/run.js';
import { tempDir } from '../helpers/action-tree.js';
import { captureIo } from '../helpers/cli-io.js';

const tmp = tempDir('kh-first-run-');
const cwd = join(tmp.dir, 'clone');
const saved = { TMPDIR: process.env.TMPDIR, XDG_CACHE_HOME: process.env.XDG_CACHE_HOME, cwd: process.cwd() };
before(() => {
  mkdirSync(cwd);
  mkdirSync(join(tmp.dir, 'tmp'));
  process.env.TMPDIR = join(tmp.dir, 'tmp');
  process.env.XDG_CACHE_HOME = join(tmp.dir, 'xdg');
  process.chdir(cwd);
});
after(() => {
  process.chdir(saved.cwd);
  for (const k of ['TMPDIR', 'XDG_CACHE_HOME'] as const) if (saved[k] === undefined) delete process.env[k]; else process.env[k] = saved[k];
  tmp.cleanup();
});

void describe('the first run: build with no --source', () => {
  void it('leads with what was built, from what and where; keeps the tree; the printed verify command passes', async () => {
    const c = captureIo();
    assert.equal(await runCli(['build'], c.io), 0, c.err());
    const lines = c.err().split('\n');
    assert.match(lines[0]!, /^building \.\/kheaders_data\.tar\.xz from the sample tree \.\/kheaders-sample: a small made-up kernel-like tree \(pass --source DIR for a real kernel\)$/);
    assert.doesNotMatch(c.err(), /claim:|MB tar/, 'the claim and sizes are for -v');
    assert.match(c.err(), /^wrote .*kheaders_data\.tar\.xz: 11 headers, \d+ bytes/m);
    assert.ok(lstatSync(join(cwd, 'kheaders-sample', 'include/linux/sample.h')).isFile(), 'the tree is kept');
    const check = /^check it against the tree: kheaders verify (.*)$/m.exec(c.err());
    assert.ok(check, c.err());
    assert.deepEqual(check[1]!.split(' '), ['--archive', './kheaders_data.tar.xz', '--source', './kheaders-sample']);
    const v = captureIo();
    assert.equal(await runCli(['verify', ...check[1]!.split(' ')], v.io), 0, v.err());
    assert.match(v.out().toString(), /match/);
    assert.deepEqual(readdirSync(join(tmp.dir, 'tmp')), [], 'nothing left in the temp dir');
  });

  void it('-v adds the claim; a second run reuses the kept tree and gives the same bytes', async () => {
    const before = readFileSync(join(cwd, 'kheaders_data.tar.xz'));
    const c = captureIo();
    assert.equal(await runCli(['build', '-v'], c.io), 0, c.err());
    assert.match(c.err(), /debug: claim: /);
    assert.ok(readFileSync(join(cwd, 'kheaders_data.tar.xz')).equals(before));
  });

  void it('a kheaders-sample that is not the sample tree is refused and left alone', async () => {
    const dir = join(tmp.dir, 'other');
    mkdirSync(join(dir, 'kheaders-sample'), { recursive: true });
    writeFileSync(join(dir, 'kheaders-sample', 'notes.txt'), 'mine');
    const c = captureIo();
    assert.equal(await runCli(['build', '-o', join(dir, 'k.tar.xz')], c.io), 2);
    assert.match(c.err(), /is not kheaders' sample tree/);
    assert.deepEqual(readdirSync(join(dir, 'kheaders-sample')), ['notes.txt']);
    assert.equal(readFileSync(join(dir, 'kheaders-sample', 'notes.txt'), 'utf8'), 'mine');
  });
});

void describe('extract again: one rule for --output and the default directory', () => {
  void it('the npm start archive extracted twice into one --output: kept the second time, never an error', async () => {
    const out = join(tmp.dir, 'hdr');
    const first = captureIo();
    assert.equal(await runCli(['extract', '--from', 'kheaders_data.tar.xz', '--output', out], first.io), 0, first.err());
    const ino = lstatSync(out).ino;
    const again = captureIo();
    assert.equal(await runCli(['extract', '--from', 'kheaders_data.tar.xz', '--output', out], again.io), 0, again.err());
    assert.match(again.err(), /kept .*already holds this archive/);
    assert.equal(lstatSync(out).ino, ino);
  });

  void it('the same into the default ${TMPDIR}/kheaders-<release>', async () => {
    const dflt = join(tmp.dir, 'tmp', 'kheaders-6.1.0-sample');
    for (const round of [1, 2]) {
      const c = captureIo();
      assert.equal(await runCli(['extract', '--from', 'kheaders_data.tar.xz'], c.io), 0, c.err());
      assert.equal(c.out().toString().split('\n')[0], dflt);
      if (round === 2) assert.match(c.err(), /kept .*already holds this archive/);
    }
  });
});
