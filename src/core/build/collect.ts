import type { Dirent } from 'node:fs';
import { lstat, readdir, readlink, realpath, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { KheadersError } from '../errors.js';
import type { HeaderEntry, Variant } from '../types.js';
import { defaultRules, type FileRules } from '../kernel/script.js';

export interface CollectOptions {
  srctree: string;
  /** Object tree of an O= build; undefined or equal to srctree: in-tree build. */
  objtree?: string;
  srcarch: string;
  variant: Variant;
  /** Rules found by detectVariant; missing ones default to the variant's. */
  rules?: Partial<FileRules>;
}

type Kind = HeaderEntry['kind'];
type From = HeaderEntry['from'];

/** How a walk picks entries: `find -name '*.h'`, everything (tar's recursion), every name but *.cmd and dot-names (v5.2), or every name find lists. */
type Mode = 'find' | 'all' | 'names' | 'every';

interface Walk {
  tree: string;
  from: From;
  copy: 'cpio' | 'tar';
  out: Map<string, HeaderEntry>;
  /** find -L: walk directories behind symlinks (not one that holds the link: find's loop check). */
  follow?: boolean;
  /** tar -h copy: a taken symlink to a directory is copied as that directory, with all it holds. */
  tarDeref?: boolean;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const SLASH = Buffer.from('/');

function nameError(path: Buffer, why: string): KheadersError {
  return new KheadersError('BAD_INPUT',
    `cannot archive ${JSON.stringify(path.toString('latin1'))}: its name ${why}`,
    'rename or remove that file; the kernel script cannot handle such names either',
  );
}

/** A name part as text, or the error to throw if an entry under it is ever taken. */
function decode(path: Buffer, raw: Buffer): string | KheadersError {
  let s: string;
  try {
    s = utf8.decode(raw);
  } catch {
    return nameError(path, 'is not valid UTF-8');
  }
  return s.includes('\n') ? nameError(path, 'contains a newline') : s;
}

function direntKind(d: Dirent<Buffer>): Kind | 'other' | undefined {
  if (d.isFile()) return 'file';
  if (d.isDirectory()) return 'dir';
  if (d.isSymbolicLink()) return 'symlink';
  if (d.isFIFO() || d.isSocket() || d.isBlockDevice() || d.isCharacterDevice()) return 'other';
  return undefined; // DT_UNKNOWN on some file systems: ask lstat
}

async function lstatKind(path: Buffer): Promise<Kind | 'other'> {
  const st = await lstat(path);
  return st.isFile() ? 'file' : st.isDirectory() ? 'dir' : st.isSymbolicLink() ? 'symlink' : 'other';
}

async function readTarget(e: HeaderEntry, path: Buffer): Promise<void> {
  const target = decode(path, await readlink(path, { encoding: 'buffer' }));
  if (target instanceof KheadersError) throw target;
  e.target = target;
}

/**
 * Walk the tree-relative dir rel, adding what find+cpio or find+tar would take.
 * bad: set when a part of rel is not a usable name; thrown only if something under it is taken.
 */
async function walk(w: Walk, rel: string, dirPath: Buffer, mode: Mode, prune?: string, bad?: KheadersError): Promise<void> {
  const dir = Buffer.concat([dirPath, SLASH]);
  const ents = await readdir(dir, { withFileTypes: true, encoding: 'buffer' });
  const later: Array<Promise<void>> = [];
  const visit = (d: Dirent<Buffer>, kind: Kind | 'other'): void => {
    const raw = d.name;
    const isH = raw.length >= 2 && raw[raw.length - 2] === 0x2e && raw[raw.length - 1] === 0x68;
    if (mode === 'find' && !isH && kind !== 'dir') return;
    const named = mode === 'every' || (mode === 'names' && raw[0] !== 0x2e && !raw.toString('latin1').endsWith('.cmd'));
    const path = Buffer.concat([dir, raw]);
    const part = decode(path, raw);
    const err = bad ?? (part instanceof KheadersError ? part : undefined);
    const name = `${rel}/${part instanceof KheadersError ? raw.toString('latin1') : part}`;
    if (name === prune) return;
    if (mode === 'all' || named || (mode === 'find' && isH)) {
      if (err) throw err;
      const p = `${w.tree}/${name}`;
      if (kind === 'other') {
        throw new KheadersError('BAD_INPUT', `cannot archive ${p}: not a regular file, directory or symlink`, 'remove it from the tree');
      }
      const e: HeaderEntry = { name, path: p, kind, from: w.from };
      w.out.set(name, e);
      if (kind === 'symlink') later.push(readTarget(e, path));
    }
    const taken = mode === 'all' || named || (mode === 'find' && isH);
    if (kind === 'symlink' && (w.follow || (taken && w.tarDeref))) later.push(followLink(w, name, path, dirPath, taken && w.tarDeref ? 'all' : mode, err));
    if (kind !== 'dir') return;
    // A directory named *.h: tar copies all of it, cpio only the directory itself.
    // A directory named *.h (or any taken directory): tar copies all of it, cpio only the directory itself.
    const next: Mode = mode === 'all' || (w.copy === 'tar' && ((mode === 'find' && isH) || named)) ? 'all' : mode;
    later.push(walk(w, name, path, next, undefined, err));
  };
  for (const d of ents) {
    const kind = direntKind(d);
    if (kind !== undefined) visit(d, kind);
    else later.push(lstatKind(Buffer.concat([dir, d.name])).then((k) => visit(d, k)));
  }
  await Promise.all(later);
}

/** find -L at a symlink: walk the directory behind it, unless that directory holds the link (a loop find skips). */
async function followLink(w: Walk, name: string, path: Buffer, parent: Buffer, mode: Mode, bad?: KheadersError): Promise<void> {
  const st = await stat(path).catch(() => undefined);
  if (st === undefined || !st.isDirectory()) return;
  const [target, here] = await Promise.all([realpath(path), realpath(parent)]);
  if (here.toString() === target.toString() || here.toString().startsWith(`${target.toString()}/`)) return;
  await walk(w, name, path, mode === 'all' || (w.copy === 'tar' && mode !== 'find') ? 'all' : mode, undefined, bad);
}

/** Start a walk at a tree-relative root dir, if it exists. */
async function root(w: Walk, rel: string, followLink: boolean, prune?: string, mode: Mode = 'find'): Promise<void> {
  const p = join(w.tree, rel);
  try {
    const st = followLink ? await stat(p) : await lstat(p);
    if (!st.isDirectory()) return;
  } catch {
    return; // find reports a missing start point; the kernel build goes on without it.
  }
  if (mode === 'names' || mode === 'every') w.out.set(rel, { name: rel, path: p, kind: 'dir', from: w.from });
  await walk(w, rel, Buffer.from(p), (mode === 'names' || mode === 'every') && w.copy === 'tar' ? 'all' : mode, prune);
}

async function sameDir(a: string, b: string): Promise<boolean> {
  if (resolve(a) === resolve(b)) return true;
  try {
    return (await realpath(a)) === (await realpath(b));
  } catch {
    return false;
  }
}

/** GNU tar's --exclude match: unanchored (from any name part on), and "*" also matches "/". */
export function excludeMatcher(patterns: readonly string[]): (name: string) => boolean {
  if (patterns.length === 0) return () => false;
  const glob = (p: string): string => p.replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  const re = new RegExp(`(^|/)(${patterns.map(glob).join('|')})(/|$)`);
  return (name) => re.test(name);
}

/** Every --exclude pattern of the final tar. */
function excludesOf(rules: FileRules): string[] {
  return [...(rules.excludeSillyRename ? ['.__afs*', '.nfs*'] : []), ...(rules.excludes ?? [])];
}

/** Add a 'dir' entry for each copied directory that lost all its contents to the excludes. */
function keepEmptied(
  all: Map<string, HeaderEntry>, parents: Map<string, From>, excluded: (name: string) => boolean, srctree: string, objtree: string,
): void {
  const live = new Set<string>();
  for (const name of all.keys()) {
    for (let i = name.indexOf('/'); i > 0; i = name.indexOf('/', i + 1)) live.add(name.slice(0, i));
  }
  for (const [dir, from] of parents) {
    if (live.has(dir) || all.has(dir) || excluded(dir)) continue;
    const tree = from === 'obj' ? objtree : srctree;
    all.set(dir, { name: dir, path: `${tree}/${dir}`, kind: 'dir', from });
  }
}

/** What the copy leaves in the stage: a dereferenced link becomes its target's kind; without --mode, the mode is kept. */
async function stage(e: HeaderEntry, rules: FileRules): Promise<void> {
  if (rules.dereference && e.kind === 'symlink') {
    const st = await stat(e.path).catch(() => undefined);
    if (st === undefined) {
      throw new KheadersError('BAD_INPUT', `cannot archive ${e.path}: the script copies symlinks as their targets, and this one is dangling`, 'fix or remove the symlink; the kernel\'s cpio -L would fail on it too');
    }
    e.kind = st.isDirectory() ? 'dir' : 'file';
    delete e.target;
    if (rules.mode === false) e.mode = st.mode & 0o7777;
    return;
  }
  if (rules.mode === false && e.kind !== 'symlink') e.mode = (await lstat(e.path)).mode & 0o7777;
}

/** Every header the kernel script would put in the archive, sorted by name (byte order). */
export async function collectHeaders(opts: CollectOptions): Promise<HeaderEntry[]> {
  const rules: FileRules = { ...defaultRules(opts.variant), ...opts.rules };
  const srctree = resolve(opts.srctree);
  const objtree = opts.objtree === undefined ? srctree : resolve(opts.objtree);
  const inTree = await sameDir(srctree, objtree);
  const dirs = ['include', `arch/${opts.srcarch}/include`];
  const copy = opts.variant === 'cpio' ? 'cpio' : 'tar';
  const src: Walk = { tree: srctree, from: 'src', copy, out: new Map() };
  const obj: Walk = { tree: objtree, from: inTree ? 'src' : 'obj', copy, out: new Map() };

  if (opts.variant === 'makefile') {
    // srclist: srctree minus each <dir>/generated; objlist: objtree <dir>/generated only.
    await Promise.all(dirs.map((d) => root(src, d, false, `${d}/generated`)));
    await Promise.all(dirs.map((d) => root(obj, `${d}/generated`, false)));
  } else {
    // find "<dir>/" -name '*.h' (or every name) in srctree (out-of-tree only), then in objtree.
    const how: Mode = rules.names === 'all' ? 'names' : rules.names === 'every' ? 'every' : 'find';
    src.follow = obj.follow = rules.followLinks === true;
    src.tarDeref = obj.tarDeref = copy === 'tar' && rules.dereference === true;
    if (!inTree) await Promise.all(dirs.map((d) => root(src, d, true, undefined, how)));
    await Promise.all(dirs.map((d) => root(obj, d, true, undefined, how)));
    if (rules.withScript) src.out.set('kernel/gen_kheaders.sh', { name: 'kernel/gen_kheaders.sh', path: join(srctree, 'kernel/gen_kheaders.sh'), kind: 'file', from: 'src' });
  }

  const all = new Map(src.out);
  for (const [name, e] of obj.out) {
    if (rules.objOverrides || !all.has(name)) all.set(name, e);
  }
  // Directories the copy step creates stay in the archive even when emptied below.
  const parents = new Map<string, From>();
  for (const e of all.values()) {
    for (let i = e.name.indexOf('/'); i > 0; i = e.name.indexOf('/', i + 1)) {
      parents.set(e.name.slice(0, i), e.from);
    }
  }
  const uts = all.get('include/generated/utsversion.h');
  if (rules.dropUtsversion && uts && uts.kind !== 'dir') all.delete(uts.name);
  const excluded = excludeMatcher(excludesOf(rules));
  for (const name of [...all.keys()]) if (excluded(name)) all.delete(name);
  keepEmptied(all, parents, excluded, srctree, objtree);
  if (rules.dereference || rules.mode === false) await Promise.all([...all.values()].map((e) => stage(e, rules)));

  const keyed = [...all.values()].map((e) => ({ e, k: Buffer.from(e.name, 'utf8') }));
  keyed.sort((a, b) => Buffer.compare(a.k, b.k));
  return keyed.map((x) => x.e);
}
