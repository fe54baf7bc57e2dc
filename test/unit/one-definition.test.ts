// Rules that both fronts and the core rely on are written once (issue 16's
// list of copies): the kernel-release pattern, the md5 pattern, the action's
// modes and the download timeout default. A copy anywhere else in src/ fails.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { getInputs } from '../../src/action/inputs.js';
import { DEFAULT_TIMEOUT_S, KERNEL_RELEASE, MD5_HEX } from '../../src/core/constants.js';
import { MODES } from '../../src/core/settings.js';
import { checkKey, checkRelease } from '../../src/cli/options.js';
import { throwsWith } from '../helpers/errors.js';

const SRC = resolve(import.meta.dirname, '../../src');
const files = (d: string): string[] => readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(d, e.name)) : e.name.endsWith('.ts') ? [join(d, e.name)] : []));
/** The files of src/ whose text contains needle. */
const holders = (needle: string | RegExp): string[] => files(SRC).filter((f) => (typeof needle === 'string' ? readFileSync(f, 'utf8').includes(needle) : needle.test(readFileSync(f, 'utf8')))).map((f) => relative(SRC, f));

void describe('one definition', () => {
  void it('the kernel-release and md5 patterns live in core/constants.ts only', () => {
    assert.deepEqual(holders('{1,128}'), ['core/constants.ts']);
    assert.deepEqual(holders('[0-9a-f]{32}'), ['core/constants.ts']);
    assert.equal(checkRelease('6.8.0-31-generic'), '6.8.0-31-generic');
    throwsWith(() => checkRelease('a/b'), 'USAGE');
    assert.ok(KERNEL_RELEASE.test('6.1.0+') && !KERNEL_RELEASE.test('x'.repeat(129)));
    assert.equal(checkKey('0'.repeat(32)), '0'.repeat(32));
    throwsWith(() => checkKey('0'.repeat(31)), 'USAGE');
    assert.ok(MD5_HEX.test('f'.repeat(32)));
  });

  void it("the action's modes are one list", () => {
    assert.deepEqual(holders(/'download',\s*'running'/), ['core/settings.ts']);
    assert.deepEqual([...MODES], ['auto', 'build', 'download', 'running', 'verify']);
  });

  void describe('the timeout default', () => {
    let saved: NodeJS.ProcessEnv;
    beforeEach(() => { saved = { ...process.env }; });
    afterEach(() => { for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k]; Object.assign(process.env, saved); });
    void it('is DEFAULT_TIMEOUT_S in the action, the downloader and the help', () => {
      assert.deepEqual(holders(/\b300\b/).filter((f) => f.startsWith('action/') || f.startsWith('cli/')), [], 'the fronts do not write the number');
      for (const k of Object.keys(process.env)) if (k.startsWith('INPUT_')) delete process.env[k];
      Object.assign(process.env, { INPUT_MODE: 'running', INPUT_SOURCE: '', INPUT_VERIFY: 'false', GITHUB_WORKSPACE: SRC });
      assert.equal(getInputs().timeout, DEFAULT_TIMEOUT_S);
    });
  });
});
