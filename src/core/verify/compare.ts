// Compares archive members with what the builder would put in the archive.
import { readFileSync, readlinkSync } from 'node:fs';
import { KheadersError } from '../errors.js';
import { unifiedDiff } from '../unified-diff.js';
import { archiveOrder } from '../build/order.js';
import type { Member } from '../archive/read.js';
import { originalLine, stripComments } from '../build/strip.js';
import type { HeaderEntry } from '../types.js';
import type { Finding } from './report.js';

/** One member the builder would write, named like Member.name. */
export interface Expected {
  name: string;
  kind: 'file' | 'dir' | 'symlink';
  entry?: HeaderEntry;
}

/** Member names of the generated trees the build takes from the objtree. */
export function isGenerated(name: string): boolean {
  return /^(arch\/[^/]+\/)?include\/generated(\/|$)/.test(name);
}

/** archiveOrder's name ('./include/a.h', './') in Member.name form. */
export function memberName(tarName: string): string {
  const n = tarName.replace(/^\.\//, '').replace(/\/$/, '');
  return n === '' || n === '.' ? '.' : n;
}

/** The builder's own member list for these header entries, in archive order. */
export function expectedMembers(entries: readonly HeaderEntry[]): Expected[] {
  return archiveOrder(entries).map((it) => {
    const e: Expected = { name: memberName(it.name), kind: it.kind };
    if (it.entry !== undefined) e.entry = it.entry;
    return e;
  });
}

/**
 * A tree file's bytes, comment-stripped as the build does. Synchronous on
 * purpose: page-cached reads are fast, and they keep the libuv pool free for
 * the xz decoder running at the same time.
 */
export function loadStripped(entry: HeaderEntry): Buffer {
  try {
    return stripComments(readFileSync(entry.path));
  } catch (err) {
    throw new KheadersError('BAD_INPUT', `cannot read ${entry.path}: ${(err as Error).message}`,
      'check that the source tree is readable and unchanged while verifying');
  }
}

/** A unified diff excerpt (tree -> archive), at most maxLines lines; undefined for binary. */
export function diffExcerpt(name: string, tree: Buffer, archive: Buffer, maxLines: number): string | undefined {
  if (tree.includes(0) || archive.includes(0)) return undefined;
  return unifiedDiff(`tree/${name}`, `archive/${name}`, tree, archive, maxLines);
}

/** The tree-side line number of the first change in a unified diff. */
export function firstChangedLine(diff: string): number | undefined {
  const lines = diff.split('\n');
  const at = lines.findIndex((l) => l.startsWith('@@ '));
  const start = /^@@ -(\d+)/.exec(lines[at] ?? '');
  if (start?.[1] === undefined) return undefined;
  let n = Number(start[1]);
  for (const l of lines.slice(at + 1)) {
    if (l.startsWith('-') || l.startsWith('+')) return Math.max(1, n);
    n++;
  }
  return undefined;
}

/** Compares one archive member with its expected counterpart; undefined when they match. */
export function compareMember(m: Member, exp: Expected, diffLines: number): Finding | undefined {
  const differs = (detail: string, extra: Partial<Finding> = {}): Finding =>
    ({ category: 'differs', name: m.name, kind: m.kind, detail, ...extra });
  if (m.kind !== exp.kind) return differs(`is a ${m.kind} in the archive but a ${exp.kind} in the tree`, { expected: exp.kind, actual: m.kind });
  if (m.kind === 'symlink') {
    const target = exp.entry?.target ?? (exp.entry ? readlinkSync(exp.entry.path) : undefined);
    if (target === m.target) return undefined;
    return differs(`symlink points to ${JSON.stringify(m.target)}, the tree's to ${JSON.stringify(target)}`,
      { expected: target ?? '', actual: m.target ?? '' });
  }
  if (m.kind !== 'file' || exp.entry === undefined) return undefined;
  const tree = loadStripped(exp.entry);
  const data = m.data ?? Buffer.alloc(0);
  if (tree.equals(data)) return undefined;
  const f = differs(`contents differ (tree ${tree.length} bytes after comment stripping, archive ${data.length} bytes)`);
  const diff = diffExcerpt(m.name, tree, data, diffLines);
  if (diff !== undefined) {
    f.diff = diff;
    // The annotation points into the tree's own file, so map the stripped line back.
    const line = firstChangedLine(diff);
    if (line !== undefined) f.line = originalLine(readFileSync(exp.entry.path), line);
  }
  return f;
}
