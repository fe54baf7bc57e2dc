// End-to-end: verify the archives made by the kernel's own gen_kheaders.sh on
// a real Debian 6.1 tree (prepared and cached by scripts/kernel-tree.sh), then
// tampered copies, each of which must give exactly its one finding.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { lstat, mkdtemp, readFile, readdir, rm, symlink, unlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { nullLogger } from '../../src/core/log.js';
import { verifyArchive } from '../../src/core/verify/verify.js';
import type { Finding, VerifyOptions, VerifyReport } from '../../src/core/verify/report.js';
import { kernelTree } from '../helpers/e2e-tree.js';
import { holdLock } from '../helpers/flock.js';

const run = promisify(execFile);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const TREE_SCRIPT = path.join(ROOT, 'scripts/kernel-tree.sh');
const MTIME = process.env.KHEADERS_E2E_MTIME ?? '2024-01-01 00:00:00 UTC';
const BIG = 64 * 1024 * 1024;

interface Prepared { lock: string; tree: string; srctree: string; objtree: string; ref: string; refObjtree: string }

async function prepare(): Promise<Prepared> {
  const get = await kernelTree(['--reference', MTIME]);
  return { lock: path.join(get('cache'), '.lock'), tree: get('tree'), srctree: get('srctree'), objtree: get('objtree'), ref: get('ref'), refObjtree: get('ref_objtree') };
}

const notGenerated = (r: VerifyReport): Finding[] => r.findings.filter((f) => f.category !== 'generated');
const brief = (fs: Finding[]): string[][] => fs.map((f) => [f.category, f.name]);

describe('kheaders verify on the real 6.1 tree', () => {
  let prep: Prepared;
  let tmp: string;
  let unlock: (() => Promise<void>) | undefined;
  let entries = 0;

  before(async () => {
    prep = await prepare();
    unlock = await holdLock(prep.lock);
    tmp = await mkdtemp(path.join(os.tmpdir(), 'kheaders-verify-e2e-'));
    const { stdout } = await run('tar', ['-tJf', prep.refObjtree], { maxBuffer: BIG });
    entries = stdout.split('\n').filter((l) => l !== '').length;
  });

  after(async () => {
    if (unlock) await unlock();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  const objOpts = (archive: string, extra: Partial<VerifyOptions> = {}): VerifyOptions =>
    ({ archive, source: prep.srctree, objtree: prep.objtree, ...extra });

  test('the O= reference archive verifies clean, config included, and is reproducible (--strict)', async () => {
    const r = await verifyArchive(objOpts(prep.refObjtree, { strict: true }), nullLogger);
    assert.deepEqual(r.findings, []);
    assert.equal(r.result, 'match');
    assert.equal(r.counts.match, entries);
    assert.ok((r.config?.options ?? 0) > 1000, 'the real .config was cross-checked with the real autoconf.h');
    assert.match(r.identity.release ?? '', /^6\.1\.\d+/);
    assert.equal(r.identity.version?.split('.').slice(0, 2).join('.'), '6.1');
    assert.equal(r.strict?.reproducible, true);
    assert.equal(r.strict?.format, 'gnu');
  });

  test('the in-tree reference verifies clean, its generated headers checked in the tree without --objtree', async () => {
    const r = await verifyArchive({ archive: prep.ref, source: prep.tree }, nullLogger);
    assert.equal(r.result, 'match');
    assert.deepEqual(r.findings, []);
    assert.deepEqual([r.objtree, r.counts.generated, r.counts.match], [prep.tree, 0, r.archiveStats.entries]);
    const r2 = await verifyArchive({ archive: prep.ref, source: prep.tree, objtree: prep.tree }, nullLogger);
    assert.deepEqual(r2.findings, []);
    console.log(`# verify timings (in-tree, ${r.archiveStats.entries} entries): ${JSON.stringify(r.timings)}`);
  });

  /** Unpacks the O= reference, lets edit() tamper with it, repacks it the kernel's way. */
  async function tampered(name: string, edit: (stage: string) => Promise<void>): Promise<string> {
    const stage = path.join(tmp, name);
    await run('mkdir', ['-p', stage]);
    await run('tar', ['-xJf', prep.refObjtree, '-C', stage]);
    await edit(stage);
    const out = path.join(tmp, `${name}.tar.xz`);
    await run('tar', [`--mtime=${MTIME}`, '--owner=0', '--group=0', '--sort=name', '--numeric-owner', '--mode=u=rw,go=r,a+X',
      '-I', 'xz -0 -T2', '-cf', out, '-C', `${stage}/`, '.'], { env: { ...process.env, LC_ALL: 'C' } });
    await rm(stage, { recursive: true, force: true });
    return out;
  }

  test('one header edited -> exactly one differs, with a diff excerpt', async () => {
    const rel = 'include/linux/kernel.h';
    const archive = await tampered('edited', async (s) => {
      const p = path.join(s, rel);
      await writeFile(p, `${await readFile(p, 'utf8')}#define KHEADERS_TAMPERED 1\n`);
    });
    const r = await verifyArchive(objOpts(archive), nullLogger);
    assert.deepEqual(brief(r.findings), [['differs', rel]]);
    assert.match(r.findings[0]?.diff ?? '', /^\+#define KHEADERS_TAMPERED 1$/m);
    assert.equal(r.result, 'mismatch');
  });

  test('one header removed -> exactly one missing', async () => {
    const rel = 'include/linux/list.h';
    const archive = await tampered('removed', async (s) => unlink(path.join(s, rel)));
    const r = await verifyArchive(objOpts(archive), nullLogger);
    assert.deepEqual(brief(r.findings), [['missing', rel]]);
  });

  test('one header added -> exactly one extra', async () => {
    const rel = 'include/linux/kheaders-added.h';
    const archive = await tampered('added', async (s) => writeFile(path.join(s, rel), '#define ADDED 1\n'));
    const r = await verifyArchive(objOpts(archive), nullLogger);
    assert.deepEqual(brief(r.findings), [['extra', rel]]);
  });

  test('one symlink retargeted -> exactly one differs naming both targets', async () => {
    let rel = '';
    let target = '';
    const archive = await tampered('retargeted', async (s) => {
      const dir = path.join(s, 'include/dt-bindings/clock');
      const names = (await readdir(dir)).sort();
      for (const n of names) if (rel === '' && (await lstat(path.join(dir, n))).isSymbolicLink()) rel = `include/dt-bindings/clock/${n}`;
      target = names.find((n) => n.endsWith('.h') && !rel.endsWith(`/${n}`)) ?? '';
      assert.ok(rel !== '' && target !== '', 'the 6.1 archive has symlinks under include/dt-bindings/clock');
      await unlink(path.join(s, rel));
      await symlink(target, path.join(s, rel));
    });
    const r = await verifyArchive(objOpts(archive), nullLogger);
    assert.deepEqual(brief(r.findings), [['differs', rel]]);
    assert.equal(r.findings[0]?.actual, target);
    assert.equal(r.findings[0]?.kind, 'symlink');
  });

  test('one CONFIG flipped in autoconf.h -> the option is named', async () => {
    const dot = await readFile(path.join(prep.objtree, '.config'), 'utf8');
    const auto = await readFile(path.join(prep.objtree, 'include/generated/autoconf.h'), 'utf8');
    const option = [...auto.matchAll(/^#define (CONFIG_\w+) 1$/gm)].map((m) => m[1] ?? '').find((o) => dot.includes(`\n${o}=y\n`));
    assert.ok(option);
    const archive = await tampered('config', async (s) => {
      const p = path.join(s, 'include/generated/autoconf.h');
      await writeFile(p, (await readFile(p, 'utf8')).replace(`#define ${option} 1\n`, `#define ${option}_MODULE 1\n`));
    });
    // --config without an objtree: autoconf.h is unverified as a file, so the option is the only finding.
    const r = await verifyArchive({ archive, source: prep.srctree, config: path.join(prep.objtree, '.config') }, nullLogger);
    assert.deepEqual(brief(notGenerated(r)), [['config', option]]);
    assert.equal(r.result, 'mismatch');
    // With the objtree, the file also differs from the tree's autoconf.h.
    const r2 = await verifyArchive(objOpts(archive), nullLogger);
    assert.deepEqual(brief(r2.findings).sort(), [['config', option], ['differs', 'include/generated/autoconf.h']]);
  });
});

if (!existsSync(TREE_SCRIPT)) throw new Error(`${TREE_SCRIPT} is missing`);
