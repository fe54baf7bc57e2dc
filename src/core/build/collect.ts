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

/** How a walk picks entries: like `find -name '*.h'`, or everything (tar's recursion). */
type Mode = 'find' | 'all';

interface Walk {
  tree: string;
  from: From;
  copy: 'cpio' | 'tar';
  out: Map<string, HeaderEntry>;
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
    const path = Buffer.concat([dir, raw]);
    const part = decode(path, raw);
    const err = bad ?? (part instanceof KheadersError ? part : undefined);
    const name = `${rel}/${part instanceof KheadersError ? raw.toString('latin1') : part}`;
    if (name === prune) return;
    if (mode === 'all' || isH) {
      if (err) throw err;
      const p = `${w.tree}/${name}`;
      if (kind === 'other') {
        throw new KheadersError('BAD_INPUT', `cannot archive ${p}: not a regular file, directory or symlink`, 'remove it from the tree');
      }
      const e: HeaderEntry = { name, path: p, kind, from: w.from };
      w.out.set(name, e);
      if (kind === 'symlink') later.push(readTarget(e, path));
    }
    if (kind !== 'dir') return;
    // A directory named *.h: tar copies all of it, cpio only the directory itself.
    const next: Mode = mode === 'all' || (isH && w.copy === 'tar') ? 'all' : 'find';
    later.push(walk(w, name, path, next, undefined, err));
  };
  for (const d of ents) {
    const kind = direntKind(d);
    if (kind !== undefined) visit(d, kind);
    else later.push(lstatKind(Buffer.concat([dir, d.name])).then((k) => visit(d, k)));
  }
  await Promise.all(later);
}

/** Start a walk at a tree-relative root dir, if it exists. */
async function root(w: Walk, rel: string, followLink: boolean, prune?: string): Promise<void> {
  const p = join(w.tree, rel);
  try {
    const st = followLink ? await stat(p) : await lstat(p);
    if (!st.isDirectory()) return;
  } catch {
    return; // find reports a missing start point; the kernel build goes on without it.
  }
  await walk(w, rel, Buffer.from(p), 'find', prune);
}

async function sameDir(a: string, b: string): Promise<boolean> {
  if (resolve(a) === resolve(b)) return true;
  try {
    return (await realpath(a)) === (await realpath(b));
  } catch {
    return false;
  }
}

/** tar --exclude=.__afs* --exclude=.nfs*: unanchored, so any part of the name counts. */
function sillyRename(name: string): boolean {
  return name.split('/').some((p) => p.startsWith('.nfs') || p.startsWith('.__afs'));
}

/** Add a 'dir' entry for each copied directory that lost all its contents to the excludes. */
function keepEmptied(
  all: Map<string, HeaderEntry>, parents: Map<string, From>, rules: FileRules, srctree: string, objtree: string,
): void {
  const live = new Set<string>();
  for (const name of all.keys()) {
    for (let i = name.indexOf('/'); i > 0; i = name.indexOf('/', i + 1)) live.add(name.slice(0, i));
  }
  for (const [dir, from] of parents) {
    if (live.has(dir) || all.has(dir) || (rules.excludeSillyRename && sillyRename(dir))) continue;
    const tree = from === 'obj' ? objtree : srctree;
    all.set(dir, { name: dir, path: `${tree}/${dir}`, kind: 'dir', from });
  }
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
    // find "<dir>/" -name '*.h' in srctree (out-of-tree only), then in objtree.
    if (!inTree) await Promise.all(dirs.map((d) => root(src, d, true)));
    await Promise.all(dirs.map((d) => root(obj, d, true)));
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
  if (rules.excludeSillyRename) {
    for (const name of [...all.keys()]) if (sillyRename(name)) all.delete(name);
  }
  keepEmptied(all, parents, rules, srctree, objtree);

  const keyed = [...all.values()].map((e) => ({ e, k: Buffer.from(e.name, 'utf8') }));
  keyed.sort((a, b) => Buffer.compare(a.k, b.k));
  return keyed.map((x) => x.e);
}
