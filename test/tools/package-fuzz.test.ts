// The package fuzzer (scripts/fuzz.ts) runs, covers every package target, and
// finds no crash or hang in a short run; --replay runs one saved input.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { tempDir } from '../helpers/action-tree.js';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../..');
const tmp = tempDir('kheaders-package-fuzz-');
after(tmp.cleanup);

void describe('scripts/fuzz.ts', () => {
  void it('250 seeded cases over ar, deb-tar, rpm-header, cpio and zstd: counts per outcome, no other', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'scripts/fuzz.ts', '--cases', '250', '--seed', '7'], { cwd: ROOT, maxBuffer: 1 << 24 });
    for (const t of ['ar', 'deb-tar', 'rpm-header', 'cpio', 'zstd']) assert.match(stdout, new RegExp(`^${t} +(\\S+ \\d+(, )?)+$`, 'm'), t);
    assert.match(stdout, /^250 cases in [\d.]+ s: 0 other$/m);
    assert.match(stdout, /error:CORRUPT_ARCHIVE \d+/);
    assert.match(stdout, /ok \d+/);
  });

  void it('--replay FILE classifies one input', async () => {
    const file = join(tmp.dir, 'case.bin');
    writeFileSync(file, Buffer.concat([Buffer.from('!<arch>\n'), Buffer.from('debian-binary   0           0     0     100644  4         `\n2.0\n')]));
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'scripts/fuzz.ts', '--replay', file], { cwd: ROOT });
    assert.equal(stdout.trim(), `${file}: error:CORRUPT_ARCHIVE`);
  });
});
