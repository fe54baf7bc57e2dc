// Property: random combinations of the constructs, in a synthetic script in the
// kernel's shell style, give what running that script gives (as our claim says).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { buildArchive } from '../../src/core/build/build.js';
import { resolveMtime } from '../../src/core/kernel/mtime.js';
import { resolveTree } from '../../src/core/kernel/resolve.js';
import { nullLogger } from '../../src/core/log.js';
import { keep, runForm, writeFormTree } from '../helpers/forms.js';
import { tempDir } from '../helpers/kernel-tree.js';
import { prng, randomChoices, syntheticScript } from '../helpers/synthetic-script.js';
import { claimGaps, differingFields, tarMembers } from '../helpers/tar-fields.js';

const CASES = Number(process.env.KHEADERS_PROPERTY_CASES ?? 60);
const SEED = Number(process.env.KHEADERS_PROPERTY_SEED ?? 20261201);
const tmp = tempDir('kh-prop-');
after(tmp.cleanup);
const sha = (p: string): string => createHash('sha256').update(readFileSync(p)).digest('hex');
/** A link to a directory, for find -L and tar -h to walk. */
const LINKS = { 'include/linux/dirlink': { link: 'odd.h' } };
const ENVS: Array<Record<string, string>> = [
  { KBUILD_BUILD_TIMESTAMP: '2024-01-01 00:00:00 UTC' },
  { SOURCE_DATE_EPOCH: '1704067200' },
  { KBUILD_BUILD_TIMESTAMP: '@1700000000', SOURCE_DATE_EPOCH: '1704067200' },
  {},
];
/** Besides the environment, half the cases pass --mtime (KBUILD_BUILD_TIMESTAMP's stand-in). */
const FLAGS = [undefined, '@1600000000'];

void it(`${CASES} random scripts (seed ${SEED}): bytes equal when we claim byte-identical, else exactly the named fields differ`, async () => {
  const rnd = prng(SEED);
  const tally = { 'byte-identical': 0, 'content-identical': 0, unknown: 0 };
  for (let i = 0; i < CASES; i++) {
    const c = randomChoices(rnd);
    const env = ENVS[Math.floor(rnd() * ENVS.length)]!;
    const flag = FLAGS[Math.floor(rnd() * FLAGS.length)];
    const outOfTree = rnd() < 0.5;
    const root = join(tmp.dir, `c${i}`);
    mkdirSync(root);
    const form = { name: `synthetic-${i}`, script: syntheticScript(c) };
    const what = `case ${i} ${JSON.stringify({ ...c, env, flag, outOfTree })}`;
    const [src, obj] = writeFormTree(root, form, outOfTree, LINKS);
    const theirs = keep(runForm(form, src, obj, flag, env), join(root, 'theirs.tar.xz'));
    const tree = { source: src, objtree: obj, arch: 'x86', makeArch: 'x86' };
    const variant = await resolveTree(tree, nullLogger);
    assert.equal(variant.known, true, `${what}: ${variant.reason}`);
    const ours = await buildArchive({ tree, pack: { mtime: resolveMtime(flag, env), compression: 'compat', threads: 1 }, output: join(root, 'ours.tar.xz'), variant }, nullLogger);
    tally[ours.claim.fidelity]++;
    const diff = differingFields(await tarMembers(theirs), await tarMembers(ours.archive));
    assert.ok(!diff.fields.has('members'), `${what}: ${diff.detail.join('; ')}`);
    if (ours.claim.fidelity === 'byte-identical') {
      assert.deepEqual([...diff.fields], [], `${what}: ${diff.detail.join('; ')}`);
      assert.equal(sha(ours.archive), sha(theirs), what);
    } else {
      assert.deepEqual(claimGaps(ours.claim.fields, diff.fields), [], `${what}: claim names ${ours.claim.fields.join(', ')}: ${diff.detail.join('; ')}`);
    }
  }
  console.log(`property cases by claim: ${JSON.stringify(tally)}`);
  assert.ok(tally['byte-identical'] > 0 && tally['content-identical'] > 0, 'both claims were exercised');
});
