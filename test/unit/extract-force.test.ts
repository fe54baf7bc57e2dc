// What extract (and the action's extract-to) may replace: only what kheaders
// made (a previous extraction, or with --force a regular file that is no input
// of the run). Everything else is refused with the reason and left byte for byte.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { lstatSync, mkdirSync, readFileSync, symlinkSync, writeFileSync, copyFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../../src/cli/run.js';
import { inspectTarget } from '../../src/core/io/headers-dir.js';
import { unpackArchive } from '../../src/core/io/unpack.js';
import { extractArchive } from '../../src/core/extract/extract.js';
import { nullLogger } from '../../src/core/log.js';
import { getInputs } from '../../src/action/inputs.js';
import { execute } from '../../src/action/run.js';
import { collector, inprocJobs } from '../helpers/action-inproc.js';
import { tempDir } from '../helpers/action-tree.js';
import { rejectsWith } from '../helpers/errors.js';
import { makeHeadersArchive, type HeadersFixture } from '../helpers/headers-archive.js';
import { snapshot } from '../helpers/packages.js';

const tmp = tempDir('kh-force-');
after(tmp.cleanup);
let fx: HeadersFixture;
let n = 0;
before(() => { fx = makeHeadersArchive(tmp.dir, { release: '6.1.0-kh-force' }); });

/** A fresh case directory holding a copy of the archive as c.tar.xz. */
function caseDir(): { d: string; input: string } {
  const d = join(tmp.dir, `case${n++}`);
  mkdirSync(d);
  const input = join(d, 'c.tar.xz');
  copyFileSync(fx.archive, input);
  return { d, input };
}
const bytes = (p: string): Buffer => readFileSync(p);
const quiet = ['-q'];

void describe('extract --force refuses what kheaders did not make', () => {
  void it('the input archive itself: --output equal to --from', async () => {
    const { input } = caseDir();
    const before = bytes(input);
    assert.equal(await runCli(['extract', ...quiet, '--from', input, '--output', input, '--force']), 2);
    await rejectsWith(extractArchive({ from: input, output: input, replace: true }, nullLogger), 'BAD_INPUT', /is the input of this run/, /--output names where the headers go/);
    assert.ok(bytes(input).equals(before), 'the input is untouched');
  });

  void it('the input through a symlink, a symlinked directory, or ..', async () => {
    const { d, input } = caseDir();
    const before = bytes(input);
    symlinkSync(input, join(d, 'alias.tar.xz'));
    symlinkSync(d, join(d, '..', `case${n - 1}-link`));
    mkdirSync(join(d, 'sub'));
    for (const output of [join(d, 'alias.tar.xz'), join(tmp.dir, `case${n - 1}-link`, 'c.tar.xz'), `${d}/sub/../c.tar.xz`]) {
      await rejectsWith(extractArchive({ from: input, output, replace: true }, nullLogger), 'BAD_INPUT', /is the input of this run/);
      assert.equal(await runCli(['extract', ...quiet, '--from', input, '--output', output, '--force']), 2, output);
    }
    // the input named through the link, the output by its real path
    await rejectsWith(extractArchive({ from: join(d, 'alias.tar.xz'), output: input, replace: true }, nullLogger), 'BAD_INPUT', /the same file as/);
    assert.ok(bytes(input).equals(before));
    assert.ok(lstatSync(join(d, 'alias.tar.xz')).isSymbolicLink());
  });

  void it('a directory that holds the input, and the --archive path of the same run', async () => {
    const { d, input } = caseDir();
    const hdr = join(d, 'hdr');
    mkdirSync(join(hdr, 'include'), { recursive: true });
    const inner = join(hdr, 'include', 'c.tar.xz');
    copyFileSync(input, inner);
    await rejectsWith(extractArchive({ from: inner, output: hdr, replace: true }, nullLogger), 'BAD_INPUT', /holds the input of this run/);
    assert.ok(existsSync(inner));
    const saved = join(d, 'saved.tar.xz');
    writeFileSync(saved, 'an older save');
    await rejectsWith(extractArchive({ from: input, archive: saved, output: saved, replace: true }, nullLogger), 'BAD_INPUT', /is the --archive file of this run/);
    assert.equal(readFileSync(saved, 'utf8'), 'an older save');
  });

  void it('a directory with other content, a kernel tree: refused with or without --force, left as it was', async () => {
    const { d, input } = caseDir();
    const project = join(d, 'project');
    mkdirSync(join(project, 'include'), { recursive: true });
    writeFileSync(join(project, 'main.c'), 'int main(void) { return 0; }\n');
    writeFileSync(join(project, 'include', 'mine.h'), '#define MINE 1\n');
    const kernel = join(d, 'linux');
    for (const f of ['Makefile', 'Kconfig', 'include/linux/types.h', 'arch/x86/Kconfig']) {
      mkdirSync(join(kernel, f, '..'), { recursive: true });
      writeFileSync(join(kernel, f), `# ${f}\n`);
    }
    const shots = [snapshot(project), snapshot(kernel)];
    for (const force of [[], ['--force']]) {
      assert.equal(await runCli(['extract', ...quiet, '--from', input, '--output', project, ...force]), 2);
      assert.equal(await runCli(['extract', ...quiet, '--from', input, '--output', kernel, ...force]), 2);
    }
    await rejectsWith(extractArchive({ from: input, output: project, replace: true }, nullLogger), 'BAD_INPUT', /it holds main\.c, which no extraction made.*even with --force/);
    await rejectsWith(extractArchive({ from: input, output: kernel, replace: true }, nullLogger), 'BAD_INPUT', /it is a kernel source tree/);
    assert.deepEqual([snapshot(project), snapshot(kernel)], shots);
  });

  void it('/ and $HOME (even one holding only include/ and arch/)', async () => {
    // `/` is only inspected (a read), never handed to the unpacker.
    await rejectsWith(inspectTarget('/', 'x'.repeat(64), 'force'), 'BAD_INPUT', /is the root directory \//);
    const home = join(tmp.dir, 'home');
    mkdirSync(join(home, 'include'), { recursive: true });
    mkdirSync(join(home, 'arch'));
    writeFileSync(join(home, 'include', 'dotfile.h'), 'mine');
    const saved = process.env.HOME;
    process.env.HOME = home;
    try {
      await rejectsWith(unpackArchive(fx.archive, home, { replace: true }), 'BAD_INPUT', /your home directory/);
      await rejectsWith(unpackArchive(fx.archive, join(home, 'x', '..'), { replace: true }), 'BAD_INPUT', /your home directory/);
    } finally {
      if (saved === undefined) delete process.env.HOME;
      else process.env.HOME = saved;
    }
    assert.equal(readFileSync(join(home, 'include', 'dotfile.h'), 'utf8'), 'mine');
  });

  void it('a FIFO: never replaced', async () => {
    const { d, input } = caseDir();
    const fifo = join(d, 'fifo');
    execFileSync('mkfifo', [fifo]);
    await rejectsWith(extractArchive({ from: input, output: fifo, replace: true }, nullLogger), 'BAD_INPUT', /neither a directory nor a regular file/);
    assert.ok(lstatSync(fifo).isFIFO());
  });
});

void describe('extract --force replaces what kheaders made', () => {
  void it('a regular file that is no input: refused without --force, replaced with it', async () => {
    const { d, input } = caseDir();
    const file = join(d, 'out');
    writeFileSync(file, 'a file');
    assert.equal(await runCli(['extract', ...quiet, '--from', input, '--output', file]), 2);
    assert.equal(readFileSync(file, 'utf8'), 'a file');
    assert.equal(await runCli(['extract', ...quiet, '--from', input, '--output', file, '--force']), 0);
    assert.ok(existsSync(join(file, 'include/linux/kconfig.h')));
  });

  void it('a previous extraction (its record next to it) is extracted again; one holding only include/ and arch/ is replaced', async () => {
    const { d, input } = caseDir();
    const hdr = join(d, 'hdr');
    assert.equal(await runCli(['extract', ...quiet, '--from', input, '--output', hdr]), 0);
    const ino = lstatSync(hdr).ino;
    assert.equal(await runCli(['extract', ...quiet, '--from', input, '--output', hdr, '--force']), 0);
    assert.notEqual(lstatSync(hdr).ino, ino, 'extracted again');
    const bare = join(d, 'bare');
    mkdirSync(join(bare, 'include', 'linux'), { recursive: true });
    mkdirSync(join(bare, 'arch'));
    writeFileSync(join(bare, 'include', 'linux', 'old.h'), 'old');
    assert.equal(await runCli(['extract', ...quiet, '--from', input, '--output', bare, '--force']), 0);
    assert.equal(existsSync(join(bare, 'include', 'linux', 'old.h')), false);
    assert.ok(existsSync(join(bare, 'include/linux/kconfig.h')));
  });
});

void describe("the action's extract-to follows the same rules", () => {
  const jobs = inprocJobs(join(tmp.dir, 'jobs'));
  const step = (inputs: Record<string, string>): ReturnType<typeof jobs.job> & { run: () => ReturnType<typeof execute> } => {
    const j = jobs.job({ mode: 'verify', verify: 'false', source: 'linux', arch: 'x86', ...inputs });
    return { ...j, run: () => execute(getInputs(), {}, collector().log) };
  };

  void it('the kernel tree, the archive itself and a directory with other content are refused', async () => {
    for (const [target, why] of [['linux', /is the kernel tree/], ['k.tar.xz', /is the archive of this step/], ['docs', /holds notes\.md/]] as const) {
      const j = step({ archive: 'k.tar.xz', 'extract-to': target });
      copyFileSync(fx.archive, join(j.workspace, 'k.tar.xz'));
      mkdirSync(join(j.workspace, 'docs'));
      writeFileSync(join(j.workspace, 'docs', 'notes.md'), 'notes');
      const shot = snapshot(j.workspace);
      await rejectsWith(j.run(), 'BAD_INPUT', new RegExp(`^input "extract-to": .*${why.source}`));
      assert.deepEqual(snapshot(j.workspace), shot, target);
    }
  });

  void it('a previous extraction is kept when it holds this archive and replaced when it does not', async () => {
    const other = makeHeadersArchive(join(tmp.dir), { name: 'other', release: '6.1.0-kh-other', filler: 10 });
    const j = step({ archive: 'k.tar.xz', 'extract-to': 'hdr' });
    copyFileSync(other.archive, join(j.workspace, 'k.tar.xz'));
    assert.equal((await j.run()).headersDir, join(j.workspace, 'hdr'));
    const ino = lstatSync(join(j.workspace, 'hdr')).ino;
    await j.run();
    assert.equal(lstatSync(join(j.workspace, 'hdr')).ino, ino, 'kept');
    copyFileSync(fx.archive, join(j.workspace, 'k.tar.xz'));
    await j.run();
    assert.equal(readFileSync(join(j.workspace, 'hdr/include/generated/utsrelease.h'), 'utf8'), `#define UTS_RELEASE "${fx.release}"\n`);
  });
});
