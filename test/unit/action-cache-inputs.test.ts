// The inputs users know from actions/cache (lookup-only, fail-on-cache-miss,
// save), and strict verification with a report path, run in-process.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { getInputs } from '../../src/action/inputs.js';
import { execute } from '../../src/action/run.js';
import { renderSummary } from '../../src/action/summary.js';
import { collector, inprocJobs, memoryPort } from '../helpers/action-inproc.js';
import { tempDir } from '../helpers/action-tree.js';
import { rejectsWith, throwsWith } from '../helpers/errors.js';

const tmp = tempDir('kh-cache-inputs-');
after(tmp.cleanup);
const { job, makeCalls } = inprocJobs(tmp.dir);
const base = { source: 'linux', arch: 'x86_64', config: 'x86_64_defconfig', mode: 'build', verify: 'false', mtime: '2024-01-01 00:00:00 UTC' };

void describe('actions/cache inputs', () => {
  void it('lookup-only reports the hit or miss and neither builds nor downloads; fail-on-cache-miss fails a miss', async () => {
    const port = memoryPort();
    job({ ...base, 'lookup-only': 'true' });
    const before = makeCalls().length;
    const miss = await execute(getInputs(), { cache: port }, collector().log);
    assert.deepEqual([miss.lookupOnly, miss.cacheHit, port.calls], [true, false, [`lookup ${miss.primaryKey}`]]);
    assert.equal(makeCalls().length, before, 'no make on lookup-only');
    assert.equal(existsSync(getInputs().archive), false, 'no archive');
    assert.match(renderSummary(miss), /^### ➖ .* lookup-only: the cache does not have `kheaders-/);
    job({ ...base });
    const built = await execute(getInputs(), { cache: port }, collector().log);
    assert.equal(built.primaryKey, miss.primaryKey);
    job({ ...base, 'lookup-only': 'true', 'fail-on-cache-miss': 'true' });
    const hit = await execute(getInputs(), { cache: port }, collector().log);
    assert.deepEqual([hit.cacheHit, hit.matchedKey], [true, miss.primaryKey]);
    job({ ...base, 'lookup-only': 'true', 'fail-on-cache-miss': 'true', 'cache-key-prefix': 'other' });
    await rejectsWith(execute(getInputs(), { cache: port }, collector().log), 'NOT_FOUND', /cache miss for other-/, /fail-on-cache-miss/);
  });

  void it('fail-on-cache-miss fails before building; save: false restores but never saves', async () => {
    const port = memoryPort();
    job({ ...base, 'fail-on-cache-miss': 'true' });
    const before = makeCalls().length;
    await rejectsWith(execute(getInputs(), { cache: port }, collector().log), 'NOT_FOUND', /cache miss/);
    assert.equal(makeCalls().length, before, 'no make after the miss');
    job({ ...base, save: 'false' });
    const r = await execute(getInputs(), { cache: port }, collector().log);
    assert.deepEqual([r.origin, r.cacheSaved, port.calls.filter((c) => c.startsWith('save'))], ['build', false, []]);
  });

  void it('strict: true verifies strictly and writes the report where `report` says', async () => {
    const { workspace } = job({ ...base, verify: 'true', strict: 'true', report: 'out/verify.json' });
    const r = await execute(getInputs(), { cache: memoryPort() }, collector().log);
    const path = join(workspace, 'out/verify.json');
    assert.equal(r.verify?.reportPath, path);
    const report = JSON.parse(readFileSync(path, 'utf8')) as { result: string; strict?: { reproducible: boolean; fidelity: string } };
    assert.equal(report.result, 'match');
    assert.deepEqual([report.strict?.reproducible, report.strict?.fidelity], [true, 'byte-identical']);
  });

  void it('inputs that cannot go together are refused, naming the input', () => {
    job({ ...base, mode: 'download', url: 'https://example.com/{key}.tar.xz', 'lookup-only': 'true' });
    throwsWith(() => getInputs(), 'USAGE', /^input "lookup-only": mode download has no cache/);
    job({ ...base, cache: 'false', 'lookup-only': 'true' });
    throwsWith(() => getInputs(), 'USAGE', /^input "lookup-only": the cache is off/);
    job({ ...base, strict: 'true' });
    throwsWith(() => getInputs(), 'USAGE', /^input "strict": strict verification needs verify/);
  });
});
