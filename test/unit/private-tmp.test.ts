// The test scripts run with a private TMPDIR (test/helpers/private-tmp.mjs),
// so nothing a test starts writes the user's /tmp/kheaders-*.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname } from 'node:path';
import { describe, it } from 'node:test';
import { defaultHeadersDir } from '../../src/core/io/unpack.js';

void describe('the tests\' temp directory', () => {
  void it('is private to this run, and what kheaders puts in TMPDIR by default lands in it', () => {
    const mine = process.env.KHEADERS_TEST_TMP;
    assert.ok(mine !== undefined && existsSync(mine), 'the runner made one (run the tests through npm run)');
    assert.match(basename(mine), /^kh-test-/);
    assert.equal(tmpdir(), mine);
    assert.equal(dirname(defaultHeadersDir('6.1.0-t')), mine);
    const child = spawnSync(process.execPath, ['-p', 'require("node:os").tmpdir()'], { encoding: 'utf8' });
    assert.equal(child.stdout.trim(), mine, 'the processes a test starts inherit it');
  });
});
