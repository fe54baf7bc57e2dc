// What a build claims from the script's rules, the mtime's origin and the compression;
// the claims on the real script forms (and --variant, --strict-variant) are in test/forms/claim.test.ts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { claimFor, describeClaim } from '../../src/core/kernel/claim.js';

void describe('claims', () => {
  void it('the mtime source decides: a KBUILD_BUILD_TIMESTAMP script with our SOURCE_DATE_EPOCH is content-identical', () => {
    const info = { known: true, unknown: [], rules: { excludeSillyRename: true, dropUtsversion: false, objOverrides: true } };
    assert.equal(claimFor(info, { epoch: 1, origin: 'KBUILD_BUILD_TIMESTAMP' }).fidelity, 'byte-identical');
    assert.deepEqual(claimFor(info, { epoch: 1, origin: 'SOURCE_DATE_EPOCH' }).fields, ['mtime']);
    assert.deepEqual(claimFor(info, { epoch: 1, origin: 'default' }).fields, ['mtime']);
    assert.deepEqual(claimFor(info, { epoch: 1, origin: '--mtime' }, 'fast').fields, ['xz']);
  });

  void it('a claim names the system xz when it wrote the bytes, and only then', () => {
    const info = { known: true, unknown: [], rules: { excludeSillyRename: true, dropUtsversion: false, objOverrides: true } };
    const c = claimFor(info, { epoch: 1, origin: '--mtime' });
    assert.doesNotMatch(describeClaim(c), /system/);
    assert.match(describeClaim({ ...c, encoder: 'xz (XZ Utils) 5.4.1' }), /^byte-identical .*; the xz bytes were written by the system xz \(XZ Utils\) 5\.4\.1$/);
  });

});
