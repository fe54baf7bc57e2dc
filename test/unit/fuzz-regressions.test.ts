// Inputs the fuzzer once found mishandled (test/fixtures/fuzz/TARGET-seedS-caseN.bin):
// each must now end in a KheadersError, quickly, with no stack trace.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { it } from 'node:test';
import { KheadersError } from '../../src/core/errors.js';
import { readCase } from '../../scripts/fuzz-archive.js';

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
