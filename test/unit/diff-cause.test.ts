// The verdict rules of diff on hand-made comparisons: the causes that real
// archive pairs in diff.test.ts do not reach, and the two sort orders.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { countSummary, verdictOf } from '../../src/core/diff/cause.js';
import { compareNames, comparePaths, orderDiff, sortStyle } from '../../src/core/diff/order.js';
import type { DiffCounts, DiffFinding, DiffSide, XzInfo } from '../../src/core/diff/report.js';

const XZ6: XzInfo = { check: 'crc64', blocks: [{ compressed: 100, uncompressed: 10240, sizesInHeader: false }], dictBytes: 8 << 20, preset: 6, multithreaded: false };
const side = (over: Partial<DiffSide> = {}): DiffSide => ({
  path: '/a', bytes: 100, sha256: 'a', tarSha256: 't', tarBytes: 10240, format: 'gnu', entries: 3, xz: XZ6, ...over,
});
const counts = (over: Partial<DiffCounts> = {}): DiffCounts =>
  ({ common: 3, onlyA: 0, onlyB: 0, content: 0, type: 0, target: 0, mode: 0, mtime: 0, owner: 0, order: 0, ...over });
const mtime = (name: string, delta: number): DiffFinding => ({ field: 'mtime', name, kind: 'file', detail: '', delta });
const same = { a: [1, 1, 1], b: [1, 1, 1] };

test('same tar: other xz bytes with the same settings, or another check', () => {
  const facts = { a: side(), b: side({ sha256: 'b' }), tarIdentical: true, counts: counts(), findings: [] };
  assert.deepEqual(verdictOf(facts, same), {
    cause: 'xz-encoding', verdict: 'same tar, different xz bytes with the same settings (preset 6, 1 block): another xz version?',
  });
  const crc32 = { ...facts, b: side({ sha256: 'b', xz: { ...XZ6, check: 'crc32' } }) };
  assert.equal(verdictOf(crc32, same).verdict, 'same tar, different xz settings (A: preset 6, 1 block, crc64; B: preset 6, 1 block, crc32)');
});

test('same members, other tar bytes: the tar encoding', () => {
  const facts = { a: side(), b: side({ sha256: 'b', tarSha256: 'u', format: 'ustar' }), tarIdentical: false, counts: counts(), findings: [] };
  assert.deepEqual(verdictOf(facts, same), {
    cause: 'tar-encoding', verdict: 'same members and metadata, different tar bytes (A: gnu format, B: ustar format): pax records, padding or another tar',
  });
});

test('mtimes: the files\' own on one side; mixed deltas; with other differences, a count summary', () => {
  const base = { a: side(), b: side({ sha256: 'b', tarSha256: 'u' }), tarIdentical: false };
  const two = [mtime('x.h', 5), mtime('y.h', 9)];
  assert.equal(verdictOf({ ...base, counts: counts({ mtime: 2 }), findings: two }, { a: [1, 1, 1], b: [1, 6, 10] }).verdict,
    "2 mtimes differ: B keeps the files' own mtimes (a script without a fixed --mtime)");
  assert.equal(verdictOf({ ...base, counts: counts({ mtime: 2 }), findings: two }, { a: [1, 2, 3], b: [1, 7, 12] }).verdict,
    "2 members' mtimes differ (first: x.h, +5 s)");
  const mixed = [...two, { field: 'content', name: 'z.h', kind: 'file', detail: '' } as const];
  assert.deepEqual(verdictOf({ ...base, counts: counts({ mtime: 2, content: 1, onlyB: 1, order: 1 }), findings: mixed }, same),
    { cause: 'summary', verdict: '1 member differs in content, 2 in mtime, 1 only in B, order differs' });
  assert.equal(countSummary(counts({ target: 1 }), [{ field: 'target', name: 'l.h', kind: 'symlink', detail: '' }]),
    'one member differs in link target: l.h');
});

test('sort orders: GNU tar --sort=name per directory, a sorted path list bytewise', () => {
  const byName = ['.', 'asm', 'asm/vdso', 'asm/vdso/x.h', 'asm/vdso.h'];
  const byPath = ['.', 'asm', 'asm/vdso', 'asm/vdso.h', 'asm/vdso/x.h'];
  assert.deepEqual([...byPath].sort(compareNames), byName);
  assert.deepEqual([...byName].sort(comparePaths), byPath);
  assert.deepEqual([sortStyle(byName), sortStyle(byPath), sortStyle(['b', 'a'])], ['name', 'path', 'other']);
  const o = orderDiff(byName, ['.', 'asm', 'asm/vdso.h', 'asm/vdso', 'asm/vdso/x.h']);
  assert.deepEqual(o, { index: 2, a: 'asm/vdso', b: 'asm/vdso.h', aSort: 'name', bSort: 'other' });
  const facts = { a: side(), b: side({ sha256: 'b', tarSha256: 'u' }), tarIdentical: false, counts: counts({ order: 1 }), findings: [], order: o };
  assert.equal(verdictOf(facts, same).verdict,
    'order differs: B is unsorted (directory read order: a tar without --sort=name; from #2: A asm/vdso, B asm/vdso.h)');
  assert.equal(orderDiff(byName, byName), undefined);
});
