// Named cases for the constructs vendors add to kernel/gen_kheaders.sh (issue 19):
// each script is run as kbuild runs it and compared with `kheaders build` on the
// same tree, with the claim's field list checked against the fields that differ.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { buildArchive, type BuildResult } from '../../src/core/build/build.js';
import { resolveMtime } from '../../src/core/kernel/mtime.js';
import { resolveTree } from '../../src/core/kernel/resolve.js';
import { detectVariant, type VariantInfo } from '../../src/core/kernel/script.js';
import { nullLogger } from '../../src/core/log.js';
import { corpusForms, keep, runForm, writeFormTree, type Form } from '../helpers/forms.js';
import { tempDir, type Node } from '../helpers/kernel-tree.js';
import { syntheticScript, type Choices } from '../helpers/synthetic-script.js';
import { claimGaps, differingFields, tarMembers, type TarMember } from '../helpers/tar-fields.js';

const tmp = tempDir('kh-classes-');
after(tmp.cleanup);
let n = 0;
const sha = (p: string): string => createHash('sha256').update(readFileSync(p)).digest('hex');
const LINKS: Record<string, Node> = { 'include/linux/dirlink': { link: 'odd.h' } };
const BASE: Choices = {
  tool: 'cpio', cpioFlags: '-pdu', tarDeref: false, tarName: 'tar', names: 'headers', rmUts: false, excludes: 'silly',
  sort: 'name', mode: true, owner: 'numeric', mtime: 'kbuild', compressor: '-J', vendor: false,
};

interface Run {
  variant: VariantInfo;
  ours: BuildResult;
  theirs: TarMember[];
  mine: TarMember[];
  fields: Set<string>;
}

/**
 * Runs `oracle` (default: the form itself) as kbuild would and builds with kheaders from a tree holding `form`;
 * checks the claim: byte-identical means the same bytes, else exactly the named fields differ.
 */
async function check(form: Form, opts: { flag?: string; env?: Record<string, string>; outOfTree?: boolean; extra?: Record<string, Node>; oracle?: Form } = {}): Promise<Run> {
  const root = join(tmp.dir, `c${n++}`);
  mkdirSync(root);
  const oracleRoot = join(root, 'oracle');
  mkdirSync(oracleRoot);
  const o = opts.oracle ?? form;
  const [osrc, oobj] = writeFormTree(oracleRoot, o, opts.outOfTree ?? false, opts.extra ?? {});
  const theirsPath = keep(runForm(o, osrc, oobj, opts.flag, opts.env ?? {}), join(root, 'theirs.tar.xz'));
  const [src, obj] = opts.oracle === undefined ? [osrc, oobj] : writeFormTree(root, form, opts.outOfTree ?? false, opts.extra ?? {});
  const tree = { source: src, objtree: obj, arch: 'x86', makeArch: 'x86' };
  const variant = await resolveTree(tree, nullLogger);
  assert.equal(variant.known, true, variant.reason);
  const ours = await buildArchive({ tree, pack: { mtime: resolveMtime(opts.flag, opts.env ?? {}), compression: 'compat', threads: 1 }, output: join(root, 'ours.tar.xz'), variant }, nullLogger);
  const theirs = await tarMembers(theirsPath);
  const mine = await tarMembers(ours.archive);
  const diff = differingFields(theirs, mine);
  assert.ok(!diff.fields.has('members'), diff.detail.join('\n'));
  if (ours.claim.fidelity === 'byte-identical') {
    assert.deepEqual([...diff.fields], [], diff.detail.join('\n'));
    assert.equal(sha(ours.archive), sha(theirsPath));
  } else {
    assert.equal(ours.claim.fidelity, 'content-identical');
    assert.deepEqual(claimGaps(ours.claim.fields, diff.fields), [], `claim: ${ours.claim.fields.join(', ')}; ${diff.detail.join('; ')}`);
  }
  return { variant, ours, theirs, mine, fields: diff.fields };
}

const synthetic = (c: Partial<Choices>): Form => ({ name: 'synthetic', script: syntheticScript({ ...BASE, ...c }) });
const corpus = (name: string): Form => {
  const f = corpusForms().find((x) => x.name === name);
  assert.ok(f, `corpus form ${name}`);
  return f;
};
const TS = '2024-01-01 00:00:00 UTC';

void describe('class 1: tar named through a variable', () => {
  for (const tarName of ['${TAR:-tar}', '$TAR', '"$TAR"'] as const) {
    void it(`${tarName} reads as tar, in the final tar and in a tar copy: byte-identical`, async () => {
      for (const tool of ['cpio', 'tar'] as const) {
        const r = await check(synthetic({ tarName, tool }), { flag: TS, outOfTree: tool === 'tar' });
        assert.equal(r.ours.claim.fidelity, 'byte-identical', r.variant.reason);
      }
    });
    void it(`a 5.15 text carrying ${tarName}: the same rules as the plain text, byte-identical`, async () => {
      const f = corpus('5.15.y-late');
      const viaVar = { ...f, script: f.script.replace(/^tar /gm, `${tarName} `).replace(/\|\s*tar /g, `| ${tarName} `) };
      assert.notEqual(viaVar.script, f.script);
      const r = await check(viaVar, { flag: TS, outOfTree: true });
      assert.equal(r.ours.claim.fidelity, 'byte-identical');
      const plain = await check(f, { flag: TS, outOfTree: true });
      assert.deepEqual(r.variant.rules, plain.variant.rules);
    });
  }
});

void describe('class 2: the mtime from SOURCE_DATE_EPOCH, with and without a default', () => {
  const cases: Array<{ mtime: 'sde' | 'sde-default'; env: Record<string, string>; flag?: string; epoch?: number; named: boolean }> = [
    { mtime: 'sde-default', env: {}, flag: TS, epoch: 0, named: false },
    { mtime: 'sde-default', env: {}, epoch: 0, named: false },
    { mtime: 'sde-default', env: { SOURCE_DATE_EPOCH: '1704067200' }, flag: '@5', epoch: 1704067200, named: false },
    { mtime: 'sde', env: { SOURCE_DATE_EPOCH: '1704067200' }, flag: TS, epoch: 1704067200, named: false },
    { mtime: 'sde', env: {}, flag: TS, named: true },
  ];
  for (const c of cases) {
    const label = `${c.mtime === 'sde' ? '${SOURCE_DATE_EPOCH:+--mtime=@…}' : '--mtime=@${SOURCE_DATE_EPOCH:-0}'}, SOURCE_DATE_EPOCH ${c.env.SOURCE_DATE_EPOCH !== undefined ? 'set' : 'unset'}, --mtime ${c.flag ?? 'not given'}`;
    void it(`${label}: ${c.named ? 'the claim names mtime' : 'the script\'s date, byte-identical'}`, async () => {
      const r = await check(synthetic({ mtime: c.mtime }), { env: c.env, ...(c.flag !== undefined ? { flag: c.flag } : {}) });
      assert.equal(r.ours.claim.fields.includes('mtime'), c.named, r.ours.claim.why.join('; '));
      if (c.epoch !== undefined) {
        assert.equal(r.ours.mtime.epoch, c.epoch);
        assert.ok(r.theirs.every((m) => m.mtime === c.epoch), 'the script stamps the same date');
      }
    });
  }

  void it('the -v rules line says the script follows SOURCE_DATE_EPOCH, else its default, and not --mtime', async () => {
    const root = join(tmp.dir, `v${n++}`);
    mkdirSync(root);
    const [src] = writeFormTree(root, synthetic({ mtime: 'sde-default' }), false);
    const v = await detectVariant(src);
    assert.equal(v.rules.mtimeDefault, '@0');
    assert.match(v.reason, /mtime: SOURCE_DATE_EPOCH, else the script's default @0; --mtime and KBUILD_BUILD_TIMESTAMP are not read/);
  });

  void it('with --compression fast and SOURCE_DATE_EPOCH unset, a script without a default: mtime and xz are both named', async () => {
    const root = join(tmp.dir, `f${n++}`);
    mkdirSync(root);
    const [src] = writeFormTree(root, synthetic({ mtime: 'sde' }), false);
    const tree = { source: src, arch: 'x86', makeArch: 'x86' };
    const r = await buildArchive({ tree, pack: { mtime: resolveMtime(TS, {}), compression: 'fast', threads: 2 }, output: join(root, 'a.tar.xz') }, nullLogger);
    assert.deepEqual(r.claim.fields, ['mtime', 'xz']);
  });
});

void describe('class 3: find -L DIR -print before the name tests', () => {
  const names = (ms: readonly TarMember[]): Set<string> => new Set(ms.map((m) => m.name.replace(/^\.\//, '').replace(/\/$/, '')));
  for (const outOfTree of [false, true]) {
    void it(`every name is taken, links dereferenced and directories behind them walked (${outOfTree ? 'O=' : 'in-tree'})`, async () => {
      const r = await check(synthetic({ names: 'print-first', cpioFlags: '-pdL', excludes: 'none' }), { flag: TS, outOfTree, extra: LINKS });
      assert.deepEqual([r.variant.rules.names, r.variant.rules.followLinks, r.variant.rules.dereference], ['every', true, true]);
      const got = names(r.mine);
      for (const m of ['include/linux/notes.txt', 'include/linux/.kernel.h.cmd', 'include/linux/.hidden.h', 'include/linux/dirlink/inner.h', 'include/uapi/linux/Kbuild']) assert.ok(got.has(m), m);
      assert.equal(r.mine.find((m) => m.name.endsWith('include/linux/link.h'))?.type, 'file', 'a link is archived as its file');
      assert.equal(r.ours.claim.fidelity, 'byte-identical');
    });
  }

  void it('a vendor v5.2 text with find -L … -print first and cpio -Lpd: read fully, no empty commands', async () => {
    const f = corpus('v5.2');
    const vendor = {
      ...f,
      script: f.script.replace(/\bfind "\$f" ! -name/g, 'find -L "$f" -print ! -name').replace(/cpio --quiet -pd/g, 'cpio --quiet -Lpd'),
    };
    assert.equal((vendor.script.match(/find -L "\$f" -print/g) ?? []).length, 2);
    const r = await check(vendor, { flag: TS, outOfTree: true, extra: LINKS });
    assert.equal(r.variant.unknown.length, 0, r.variant.reason);
    assert.equal(r.variant.rules.names, 'every');
    assert.ok(r.variant.constructs.every((c) => c.rule.trim() !== ''), 'no empty construct');
    assert.ok(names(r.mine).has('include/linux/.kernel.h.cmd'), 'the -print before the tests takes *.cmd too');
  });

  void it('an unknown construct in such a text names its command, never an empty one', async () => {
    const f = corpus('v5.2');
    const odd = { ...f, script: f.script.replace(/cpio --quiet -pd/g, 'cpio --quiet -Lpd').replace(/^(rm -rf \$cpio_dir)$/m, 'touch $cpio_dir/include/stamp.h\n$1') };
    const root = join(tmp.dir, `u${n++}`);
    mkdirSync(root);
    const [src] = writeFormTree(root, odd, false);
    const v = await detectVariant(src);
    assert.equal(v.known, false);
    assert.deepEqual(v.unknown.map((u) => u.rule), ['touch $cpio_dir/include/stamp.h']);
  });
});

void describe('vendor layouts: CRLF endings, tabs, continued lines, comments between commands', () => {
  void it('tabs, continuations and comments between commands: read as the plain text, byte-identical', async () => {
    for (const tool of ['cpio', 'tar'] as const) {
      const vendor = synthetic({ vendor: true, tool, sort: 'list' });
      assert.match(vendor.script, /\t# /);
      const r = await check(vendor, { flag: TS, outOfTree: true });
      const plain = await check(synthetic({ tool, sort: 'list' }), { flag: TS, outOfTree: true });
      assert.deepEqual(r.variant.rules, plain.variant.rules);
      assert.equal(r.ours.claim.fidelity, 'byte-identical');
    }
  });

  for (const name of ['6.1.y-late', 'v6.14', 'v5.4']) {
    void it(`${name} with CRLF endings reads as with LF (sh cannot run CRLF: the oracle is the LF text)`, async () => {
      const f = corpus(name);
      const crlf = { ...f, script: f.script.replace(/\n/g, '\r\n') };
      const r = await check(crlf, { flag: TS, outOfTree: true, oracle: f });
      const root = join(tmp.dir, `l${n++}`);
      mkdirSync(root);
      const [src] = writeFormTree(root, f, false);
      const lf = await detectVariant(src);
      assert.deepEqual([r.variant.rules, r.variant.unknown], [lf.rules, lf.unknown]);
      assert.match(r.variant.notes?.join('\n') ?? '', /CRLF line endings: read as LF, but sh cannot run it/);
      assert.equal(lf.notes, undefined);
      assert.equal(r.ours.claim.fidelity, 'byte-identical');
    });
  }
});
