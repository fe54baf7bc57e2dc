// diff on widely different archives: one-archive subtrees collapse, and the
// causes are named from the members (hand-made member lists; the real 6.1
// archive pairs are in test/e2e/diff.e2e.test.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Member } from '../../src/core/archive/read.js';
import { compareMembers } from '../../src/core/diff/compare.js';
import { explain } from '../../src/core/diff/evidence.js';
import { collapseFindings, onlySubtrees } from '../../src/core/diff/subtree.js';

let index = 0;
const m = (name: string, data?: string, over: Partial<Member> = {}): Member => ({
  name, rawName: name, index: index++, kind: data === undefined ? 'dir' : 'file', mode: data === undefined ? 0o755 : 0o644,
  uid: 0, gid: 0, uname: '', gname: '', mtime: 0, size: data?.length ?? 0, ...(data !== undefined ? { data: Buffer.from(data) } : {}), ...over,
});
const autoconf = (...defs: string[]): Member => m('include/generated/autoconf.h', defs.map((d) => `#define ${d}\n`).join(''));
const release = (r: string): Member => m('include/generated/utsrelease.h', `#define UTS_RELEASE "${r}"\n`);
const version = (code: number): Member => m('include/generated/uapi/linux/version.h', `#define LINUX_VERSION_CODE ${code}\n`);
const LIMITS = { diffLines: 40, maxDiffs: 50 };
const run = (a: Member[], b: Member[]): ReturnType<typeof explain> & { findings: ReturnType<typeof compareMembers>['findings'] } => {
  const c = compareMembers(a, b, LIMITS);
  return { ...explain(a, b, c.findings), findings: c.findings };
};

void describe('diff subtrees and causes', () => {
  void it('a directory with nothing of it in the other archive collapses to one finding with its count; JSON findings stay complete', () => {
    const common = [m('include'), m('include/a.h', 'a'), m('include/x'), release('6.1.0'), version(393472)];
    const a = [...common, m('arch'), m('arch/x86'), m('arch/x86/include'), m('arch/x86/include/asm.h', 'x'), m('include/x/only.h', '1'), m('include/lone', undefined)];
    const b = [...common, m('arch'), m('arch/arm64'), m('arch/arm64/include'), m('arch/arm64/include/asm.h', 'y'), m('include/x/other.h', '2')];
    const c = compareMembers(a, b, LIMITS);
    const subtrees = onlySubtrees(c.findings, { a: a.map((x) => x.name), b: b.map((x) => x.name) });
    assert.deepEqual(subtrees, [{ side: 'a', name: 'arch/x86', members: 3 }, { side: 'b', name: 'arch/arm64', members: 3 }]);
    const shown = collapseFindings(c.findings, subtrees).map((f) => `${f.field} ${f.name}`);
    assert.deepEqual(shown, ['only-a arch/x86', 'only-a include/x/only.h', 'only-a include/lone', 'only-b arch/arm64', 'only-b include/x/other.h']);
    assert.equal(c.findings.filter((f) => f.field === 'only-a').length, 5, 'every member is still a finding');
  });

  void it('another arch: named with CONFIG_<ARCH>, explaining the arch trees; the config explains autoconf.h and generated headers', () => {
    const base = [m('include/a.h', 'a'), release('6.1.0'), version(393472)];
    const a = [...base, autoconf('CONFIG_X86 1', 'CONFIG_SMP 1'), m('include/generated/bounds.h', '1'), m('arch/x86/include/asm/a.h', 'x'), m('arch/x86/include/asm/b.h', 'x')];
    const b = [...base, autoconf('CONFIG_ARM64 1', 'CONFIG_SMP 1'), m('include/generated/bounds.h', '2'), m('arch/arm64/include/asm/a.h', 'y')];
    const r = run(a, b);
    assert.deepEqual(r.explanations.map((e) => [e.cause, e.detail, e.members.length]), [
      ['arch', 'different arch (A: x86 (CONFIG_X86); B: arm64 (CONFIG_ARM64))', 3],
      ['config', 'different config (2 autoconf.h options differ: CONFIG_ARM64, CONFIG_X86)', 2],
    ]);
    assert.equal(r.unexplained, 0);
  });

  void it('another kernel version explains any finding; the same version with another release string only its stamps', () => {
    const a = [m('include/a.h', 'old'), release('6.1.0'), version(393472), autoconf('CONFIG_X86 1')];
    const newer = [m('include/a.h', 'new'), release('6.12.0'), version(396288), autoconf('CONFIG_X86 1')];
    const r = run(a, newer);
    assert.deepEqual(r.explanations.map((e) => e.cause), ['version']);
    assert.match(r.explanations[0]!.detail, /UTS_RELEASE A: 6\.1\.0, B: 6\.12\.0; LINUX_VERSION_CODE A: 393472, B: 396288/);
    assert.equal(r.unexplained, 0);
    const local = [m('include/a.h', 'new'), release('6.1.0-kh'), version(393472), autoconf('CONFIG_X86 1')];
    const l = run(a, local);
    assert.deepEqual(l.explanations.map((e) => [e.cause, e.members]), [['version', ['include/generated/utsrelease.h']]]);
    assert.equal(l.unexplained, 1, 'include/a.h is not explained by a release string');
  });

  void it('another script form: non-.h files, dot-names, utsversion.h, and the tar style', () => {
    const h = [m('include'), m('include/a.h', 'a'), release('6.1.0'), version(393472)];
    const v52 = [...h.map((x) => ({ ...x, uid: 1000, gid: 1000, uname: 'kh', gname: 'kh', mtime: 5, mode: x.kind === 'dir' ? 0o775 : 0o664 })),
      m('include/Kbuild', 'k', { mtime: 6 }), m('include/.hidden.h', 'h'), m('include/generated/utsversion.h', 'v')];
    const r = run(v52, h);
    assert.deepEqual(r.explanations.map((e) => e.cause), ['script-form']);
    assert.match(r.explanations[0]!.detail, /A takes non-\.h files \(1\), the other only \*\.h; A takes dot-names \(1\); A keeps include\/generated\/utsversion\.h, the other drops it; modes: A staged, B normalized; owner: A builder, B numeric; mtime: A files, B one/);
    assert.equal(r.unexplained, 0);
  });
});
