import { KheadersError } from '../errors.js';
import type { FileRules } from '../kernel/script.js';
import type { HeaderEntry } from '../types.js';

/** One tar member in archive order. name is as written in the archive: './', './include/', './include/a.h'. */
export interface TarItem {
  name: string;
  kind: 'dir' | 'file' | 'symlink';
  entry?: HeaderEntry;
  /** Per-member mtime (epoch seconds); overrides the archive-wide mtime when set. */
  mtime?: number;
  /** Permission bits; undefined: the --mode=u=rw,go=r,a+X result (0644, dirs 0755). */
  mode?: number;
}

interface Node {
  kind: 'dir' | 'file' | 'symlink';
  entry?: HeaderEntry;
  children?: Map<string, Node>;
}

function badName(name: string, why: string): KheadersError {
  return new KheadersError('BAD_INPUT',
    `header entry name ${JSON.stringify(name)} ${why}`,
    'entry names must be tree-relative paths like "include/linux/a.h" (no leading "/" or "./", no "." or ".." parts)',
  );
}

function splitName(name: string): string[] {
  if (name === '') throw badName(name, 'is empty');
  const parts = name.split('/');
  for (const p of parts) {
    if (p === '') throw badName(name, 'has an empty path part (leading, trailing or doubled "/")');
    if (p === '.' || p === '..') throw badName(name, `has a "${p}" path part`);
    if (p.includes('\0')) throw badName(name, 'contains a NUL character');
  }
  return parts;
}

function conflict(name: string, a: string, b: string): KheadersError {
  return new KheadersError('BAD_INPUT',
    `header entry ${JSON.stringify(name)} is both a ${a} and a ${b}`,
    'each path must be taken as one kind only; check the header lists for a file that shadows a directory',
  );
}

/** Sorts names by their UTF-8 bytes, like strcmp in GNU tar --sort=name. */
function byteSorted(names: Iterable<string>): string[] {
  const keyed = Array.from(names, (n) => ({ n, b: Buffer.from(n, 'utf8') }));
  keyed.sort((x, y) => Buffer.compare(x.b, y.b));
  return keyed.map((k) => k.n);
}

/**
 * Archive order: adds './' and every directory on the way; GNU --sort=name order
 * (each directory's children by byte order, directories recursed in place).
 * Entries of kind 'dir' become dir items, without duplicates. A repeated
 * file/symlink name keeps the last entry (later copies overwrite earlier ones).
 */
export function archiveOrder(entries: readonly HeaderEntry[]): TarItem[] {
  const root: Node = { kind: 'dir', children: new Map() };
  for (const e of entries) {
    const parts = splitName(e.name);
    let dir = root;
    for (let i = 0; i < parts.length - 1; i++) {
      const kids = dir.children as Map<string, Node>;
      let next = kids.get(parts[i]);
      if (!next) {
        next = { kind: 'dir', children: new Map() };
        kids.set(parts[i], next);
      } else if (next.kind !== 'dir') {
        throw conflict(parts.slice(0, i + 1).join('/'), next.kind, 'directory');
      }
      dir = next;
    }
    const kids = dir.children as Map<string, Node>;
    const leaf = parts[parts.length - 1];
    const old = kids.get(leaf);
    if (e.kind === 'dir') {
      if (old && old.kind !== 'dir') throw conflict(e.name, old.kind, 'directory');
      if (old) old.entry = e;
      else kids.set(leaf, { kind: 'dir', entry: e, children: new Map() });
    } else {
      if (e.kind === 'symlink' && e.target === undefined) {
        throw new KheadersError('BAD_INPUT',
          `symlink entry ${JSON.stringify(e.name)} has no target`,
          'read the link target (fs.readlink) when listing the tree',
        );
      }
      if (old && old.kind === 'dir') throw conflict(e.name, 'directory', e.kind);
      kids.set(leaf, { kind: e.kind, entry: e });
    }
  }
  const out: TarItem[] = [{ name: './', kind: 'dir' }];
  const walk = (node: Node, prefix: string): void => {
    const kids = node.children as Map<string, Node>;
    for (const key of byteSorted(kids.keys())) {
      const child = kids.get(key) as Node;
      const name = prefix + key;
      if (child.kind === 'dir') {
        out.push(child.entry ? { name: name + '/', kind: 'dir', entry: child.entry } : { name: name + '/', kind: 'dir' });
        walk(child, name + '/');
      } else {
        out.push({ name, kind: child.kind, entry: child.entry });
      }
    }
  };
  walk(root, './');
  return out;
}

/** find -printf "./%P" | LC_ALL=C sort: the whole path, without a directory's trailing "/", in byte order. */
function listKey(it: TarItem): Buffer {
  return Buffer.from(it.name.length > 2 && it.name.endsWith('/') ? it.name.slice(0, -1) : it.name, 'utf8');
}

/** The mode a member has in a stage that no --mode normalises: the tree's, 0777 for links, umask for created dirs. */
function stagedMode(it: TarItem, umask: number): number {
  if (it.kind === 'symlink') return 0o777;
  if (it.entry?.mode !== undefined) return it.entry.mode;
  return it.kind === 'dir' ? 0o777 & ~umask : 0o644;
}

/** The umask the kernel's copy would run under: this process's. */
export function currentUmask(): number {
  const old = process.umask(0o022);
  process.umask(old);
  return old;
}

/**
 * The members the tar step writes for these entries under the script's rules:
 * the order (--sort=name, or a sorted path list) and, without --mode, the modes.
 */
export function tarItems(entries: readonly HeaderEntry[], rules: Pick<FileRules, 'sort' | 'mode'>, umask = currentUmask()): TarItem[] {
  const items = archiveOrder(entries);
  if (rules.sort === 'list') {
    const keyed = items.map((it) => ({ it, k: listKey(it) }));
    keyed.sort((a, b) => Buffer.compare(a.k, b.k));
    items.splice(0, items.length, ...keyed.map((x) => x.it));
  }
  if (rules.mode === false) for (const it of items) it.mode = stagedMode(it, umask);
  return items;
}
