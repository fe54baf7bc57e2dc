// Loaded first by every test script (--import): the test runner makes one
// private temp directory and points TMPDIR at it, so the test processes, and
// the kheaders runs they start, put every temp file there and never meet the
// user's /tmp/kheaders-* (the default output directories, downloads). The
// runner removes it at exit; the test files it starts inherit it.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

if (process.env.KHEADERS_TEST_TMP === undefined) {
  const dir = mkdtempSync(join(tmpdir(), 'kh-test-'));
  // As /tmp is: tests run kheaders (and tsx, which keeps its cache here) as nobody.
  chmodSync(dir, 0o1777);
  process.env.TMPDIR = dir;
  process.env.KHEADERS_TEST_TMP = dir;
  process.on('exit', () => {
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch (err) {
      process.stderr.write(`could not remove the tests' temp directory ${dir}: ${String(err)}\n`);
    }
  });
}
