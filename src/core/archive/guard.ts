// Safety checks for archive members: names, entry types, links, duplicates.
import { KheadersError } from '../errors.js';

const FIX = 'use an archive made by kheaders or kernel/gen_kheaders.sh; do not trust this file';
const MAX_LINK_DEPTH = 40;
/** Name-part steps all symlink resolution of one archive may take (links that fan out cost tenfold per level). */
const MAX_LINK_WORK = 2_000_000;
/** Linux's NAME_MAX and PATH_MAX: no file system takes longer names. */
const NAME_MAX = 255;
const PATH_MAX = 4096;

function hostile(what: string, name: string, problem: string): KheadersError {
  return new KheadersError('HOSTILE_ENTRY', `${what}: refusing entry ${JSON.stringify(name)}: ${problem}`, FIX);
}

/** Splits a raw tar name into safe components; throws on absolute paths, '..', odd bytes. */
export function normalizeName(what: string, raw: string): string {
  if (raw === '') throw hostile(what, raw, 'empty name');
  if (raw.includes('\0') || raw.includes('\uFFFD')) throw hostile(what, raw, 'name has NUL or invalid UTF-8');
  if (raw.startsWith('/')) throw hostile(what, raw, 'absolute path');
  if (raw.includes('\\') || /^[A-Za-z]:/.test(raw)) throw hostile(what, raw, 'backslash or drive letter in name');
  if (Buffer.byteLength(raw) >= PATH_MAX) throw hostile(what, raw.slice(0, 80), `name of ${Buffer.byteLength(raw)} bytes is over PATH_MAX (${PATH_MAX})`);
  const parts: string[] = [];
  for (const p of raw.split('/')) {
    if (p === '' || p === '.') continue;
    if (p === '..') throw hostile(what, raw, "'..' component");
    if (Buffer.byteLength(p) > NAME_MAX) throw hostile(what, raw.slice(0, 80), `a name part of ${Buffer.byteLength(p)} bytes is over NAME_MAX (${NAME_MAX})`);
    parts.push(p);
  }
  return parts.length === 0 ? '.' : parts.join('/');
}

function dirOf(name: string): string[] {
  const parts = name === '.' ? [] : name.split('/');
  parts.pop();
  return parts;
}

/** Tracks members seen so far and rejects duplicates, links that escape, writes through links. */
export class TreeGuard {
  private readonly kinds = new Map<string, 'file' | 'dir' | 'symlink'>();
  private readonly links = new Map<string, string>();
  /** Directories made implicitly for the entries seen so far (tar -x creates them). */
  private readonly implied = new Set<string>();
  private work = 0;

  constructor(private readonly what: string) {}

  /** Records one member; throws if it collides with or sits under a file or symlink. */
  add(name: string, kind: 'file' | 'dir' | 'symlink', target?: string): void {
    if (name === '.' && kind !== 'dir') throw hostile(this.what, name, `the archive's root "." as a ${kind}`);
    const prev = this.kinds.get(name);
    if (prev !== undefined && !(prev === 'dir' && kind === 'dir')) {
      throw hostile(this.what, name, 'duplicate entry (a later copy would replace the first)');
    }
    if (kind !== 'dir' && this.implied.has(name)) {
      throw hostile(this.what, name, `a ${kind} where an earlier entry needed a directory of that name`);
    }
    for (let i = name.indexOf('/'); i > 0; i = name.indexOf('/', i + 1)) {
      const up = name.slice(0, i);
      const k = this.kinds.get(up);
      if (k === 'symlink') throw hostile(this.what, name, `path goes through the symlink ${up}`);
      if (k === 'file') throw hostile(this.what, name, `path goes through the file ${up}`);
    }
    this.kinds.set(name, kind);
    for (let i = name.indexOf('/'); i > 0; i = name.indexOf('/', i + 1)) this.implied.add(name.slice(0, i));
    if (kind === 'symlink') {
      if (target === undefined || target === '') throw hostile(this.what, name, 'symlink without a target');
      if (Buffer.byteLength(target) >= PATH_MAX) throw hostile(this.what, name, `symlink target of ${Buffer.byteLength(target)} bytes is over PATH_MAX (${PATH_MAX})`);
      if (target.includes('\0') || target.startsWith('/') || /^[A-Za-z]:/.test(target) || target.includes('\\')) {
        throw hostile(this.what, name, `symlink to an absolute or odd path ${JSON.stringify(target)}`);
      }
      this.links.set(name, target);
      this.checkLink(name, target);
    }
  }

  /** Re-checks every symlink against the complete set (a later link can change where an earlier one leads). */
  finish(): void {
    for (const [name, target] of this.links) this.checkLink(name, target);
  }

  private checkLink(name: string, target: string): void {
    if (this.resolve(dirOf(name), target, 0) === undefined) {
      throw hostile(this.what, name, `symlink target ${JSON.stringify(target)} points outside the archive (or loops)`);
    }
  }

  /** Resolves target from dir, following known symlinks; undefined when it leaves the root. */
  private resolve(dir: string[], target: string, depth: number): string[] | undefined {
    if (depth > MAX_LINK_DEPTH) return undefined;
    const at = [...dir];
    for (const p of target.split('/')) {
      if (++this.work > MAX_LINK_WORK) {
        throw new KheadersError('LIMIT_EXCEEDED', `${this.what}: its symlinks take more than ${MAX_LINK_WORK} steps to resolve (links through links that fan out)`, FIX);
      }
      if (p === '' || p === '.') continue;
      if (p === '..') {
        if (at.length === 0) return undefined;
        at.pop();
        continue;
      }
      at.push(p);
      const link = this.links.get(at.join('/'));
      if (link !== undefined) {
        at.pop();
        const next = this.resolve(at, link, depth + 1);
        if (next === undefined) return undefined;
        at.splice(0, at.length, ...next);
      }
    }
    return at;
  }
}

/** Maps a tar entry type to a member kind, or throws for types we never accept. */
export function memberKind(what: string, name: string, type: string | null | undefined): 'file' | 'dir' | 'symlink' {
  switch (type) {
    case 'file':
    case 'contiguous-file':
      return 'file';
    case 'directory':
      return 'dir';
    case 'symlink':
      return 'symlink';
    case 'link':
      throw hostile(what, name, 'hard link (kheaders archives never contain them)');
    case 'character-device':
    case 'block-device':
      throw hostile(what, name, 'device node');
    case 'fifo':
      throw hostile(what, name, 'FIFO');
    default:
      throw hostile(what, name, `unsupported entry type ${JSON.stringify(type ?? 'unknown')}`);
  }
}
