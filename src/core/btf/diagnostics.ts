// Reading clang's stderr for a marked unit: which header each error belongs
// to. An error belongs to the header whose marker came last; with clang's -H
// include tree (skipped includes shown), also to every later header that
// includes the (guarded) file it was in, since that header was compiled broken
// too. A missing header's stub breaks every header that reaches it.
import { posix } from 'node:path';
import { MARKER, STUB_ERROR } from './unit.js';

export interface UnitErrors {
  /** Header index -> its first error (file:line: message). */
  errors: Map<number, string>;
  /** The last marker clang reached: after a fatal error, later headers were not compiled. */
  reached: number;
  /** Headers that include a file with an error (not their own): compiled broken, but maybe fine elsewhere. */
  broken: Set<number>;
  /** Headers that reach a header the archive lacks (a stub): they fail anywhere, with this error. */
  missing: Map<number, string>;
  /** An error before the first marker: the prelude itself failed. */
  prelude?: string;
  fatal: boolean;
}

/** What clang prints its include tree with (-H), skipped (guarded) includes too. */
export const INCLUDE_TREE_FLAGS = ['-H', '-fshow-skipped-includes'];

const DIAG = /^(.+?):(\d+):\d+: (fatal error|error): (.*)$/;
const MARK = new RegExp(`warning: ${MARKER}(\\d+)`);
const INCLUDE = /^(\.+) (.+)$/;
/** The innermost line of "In file included from" chains: where the diagnostic's file was included. */
const FROM = /^(?:In file included from|\s+from) (.+):(\d+)[:,]$/;
const STUB = new RegExp(`^"${STUB_ERROR} (.*)"$`);

const norm = (p: string): string => posix.normalize(p).replace(/^\.\//, '');

/** The include tree: who includes whom, and which file each header's #include opened. */
class IncludeTree {
  readonly children = new Map<string, Set<string>>();
  readonly top = new Map<number, string>();
  private readonly stack: string[] = [];

  add(depth: number, file: string, marker: number): void {
    this.stack.length = depth - 1;
    const parent = this.stack.at(-1);
    if (parent !== undefined) {
      let set = this.children.get(parent);
      if (set === undefined) this.children.set(parent, (set = new Set()));
      set.add(file);
    } else if (marker >= 0 && !this.top.has(marker)) {
      this.top.set(marker, file);
    }
    this.stack.push(file);
  }

  /** Per file: the first marker at which an error hit a file it includes (itself included). */
  firstBroken(errAt: ReadonlyMap<string, number>): Map<string, number> {
    const first = new Map(errAt);
    for (let changed = true; changed;) {
      changed = false;
      for (const [parent, kids] of this.children) {
        for (const k of kids) {
          const m = first.get(k);
          if (m !== undefined && m < (first.get(parent) ?? Infinity)) {
            first.set(parent, m);
            changed = true;
          }
        }
      }
    }
    return first;
  }
}

const GUARD = /^#\s*(?:ifndef\s+(\w+)|if\s+!\s*defined\s*\(?\s*(\w+)\s*\)?)\s*\n\s*#\s*define\s+(\w+)/;

/** True when a header's text starts with an include guard (or #pragma once): a second #include skips it. */
export function hasIncludeGuard(text: string): boolean {
  const body = text.replace(/\/\*[^]*?\*\//g, ' ').replace(/\/\/[^\n]*/g, '').trimStart();
  if (/^#\s*pragma\s+once\b/.test(body)) return true;
  const m = GUARD.exec(body);
  return m !== null && (m[1] ?? m[2]) === m[3];
}

/**
 * The errors of a unit, by header. `guarded` tells whether a file has an
 * include guard: an error in a file without one is not passed on to later
 * includers, which compile that file again themselves.
 */
export function parseUnitErrors(stderr: string, guarded: (file: string) => boolean = () => true): UnitErrors {
  const errors = new Map<number, string>();
  const tree = new IncludeTree();
  const errAt = new Map<string, number>();
  const stubAt = new Map<string, { at: number; text: string }>();
  let current = -1;
  let prelude: string | undefined;
  let fatal = false;
  let from = 'a header:0';
  for (const line of stderr.split('\n')) {
    const f = FROM.exec(line);
    if (f) {
      from = `${norm(f[1])}:${f[2]}`;
      continue;
    }
    const mark = MARK.exec(line);
    if (mark) {
      current = Number(mark[1]);
      continue;
    }
    const inc = INCLUDE.exec(line);
    if (inc) {
      tree.add(inc[1].length, norm(inc[2]), current);
      continue;
    }
    const d = DIAG.exec(line);
    if (!d) continue;
    const file = norm(d[1]);
    // A stub's #error reads as clang's own would, without the stub's temp path.
    const stub = STUB.exec(d[4]);
    const text = stub ? `${from}: error: '${stub[1]}' file not found in the archive` : `${file}:${d[2]}: ${d[3]}: ${d[4]}`;
    if (d[3] === 'fatal error') fatal = true;
    if (current < 0) {
      prelude ??= text;
      continue;
    }
    if (!errors.has(current)) errors.set(current, text);
    if (stub && !stubAt.has(file)) stubAt.set(file, { at: current, text });
    else if (!stub && !errAt.has(file) && guarded(file)) errAt.set(file, current);
  }
  // A later header that includes a file an error hit was compiled broken as well.
  const broken = new Set<number>();
  const missing = new Map<number, string>();
  if ((errAt.size > 0 || stubAt.size > 0) && tree.top.size > 0) {
    const first = tree.firstBroken(new Map([...errAt, ...[...stubAt].map(([f, s]) => [f, s.at] as const)]));
    const stubs = stubAt.size > 0 ? tree.firstBroken(new Map([...stubAt].map(([f, s]) => [f, s.at]))) : new Map<string, number>();
    const stubText = new Map([...stubAt.values()].map((s) => [s.at, s.text]));
    for (const [i, file] of tree.top) {
      const m = first.get(file);
      if (m !== undefined && m <= i && !errors.has(i)) broken.add(i);
      const k = stubs.get(file);
      if (k !== undefined && k <= i) missing.set(i, stubText.get(k) ?? 'includes a header the archive lacks');
    }
  }
  return { errors, broken, missing, reached: current, prelude, fatal };
}
