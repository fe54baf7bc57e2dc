// Inputs the fuzzer once found mishandled (test/fixtures/fuzz/TARGET-seedS-caseN.bin):
// each must now end in a KheadersError, quickly, with no stack trace.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { it } from 'node:test';
import { KheadersError } from '../../src/core/errors.js';
import { readCase } from '../../scripts/fuzz-archive.js';
import { archiveFromPackage } from '../../src/core/extract/from-package.js';
import { packageKind } from '../../src/core/sources/containers/table.js';

const DIR = resolve(import.meta.dirname, '../fixtures/fuzz');
const cases = readdirSync(DIR).filter((f) => f.endsWith('.bin'));

void it('the fixture folder holds the regressions', () => assert.ok(cases.length >= 1));

for (const f of cases.filter((c) => /^(tar|xz|elf)-/.test(c))) {
  void it(`${f}: refused with a KheadersError`, async () => {
    const kind = f.split('-')[0] as 'tar' | 'xz' | 'elf';
    const t0 = Date.now();
    await assert.rejects(readCase(readFileSync(join(DIR, f)), kind), (e: unknown) => e instanceof KheadersError);
    assert.ok(Date.now() - t0 < 5000);
  });
}

// Packages: ar-seed7-case3 (a data.tar.zst holding xz data) and -case83 (a
// control.tar.zst cut short) once left a decoder whose reads never ended.
for (const f of cases.filter((c) => /^(ar|deb-tar|rpm-header|cpio|zstd)-/.test(c))) {
  void it(`${f}: refused with a KheadersError`, async () => {
    const input = readFileSync(join(DIR, f));
    const t0 = Date.now();
    const kind = await packageKind(input, input.subarray(0, 4096));
    assert.ok(kind !== undefined, 'recognised as a package');
    await assert.rejects(archiveFromPackage(input, kind, { limits: { maxPayloadBytes: 256 << 20 } }), (e: unknown) => e instanceof KheadersError);
    assert.ok(Date.now() - t0 < 5000);
  });
}
