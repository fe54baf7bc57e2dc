// Safety checks for archive members: names, entry types, links, duplicates.
import { KheadersError } from '../errors.js';

const FIX = 'use an archive made by kheaders or kernel/gen_kheaders.sh; do not trust this file';
const MAX_LINK_DEPTH = 40;

function hostile(what: string, name: string, problem: string): KheadersError {
  return new KheadersError('HOSTILE_ENTRY', `${what}: refusing entry ${JSON.stringify(name)}: ${problem}`, FIX);
}

/** Splits a raw tar name into safe components; throws on absolute paths, '..', odd bytes. */
export function normalizeName(what: string, raw: string): string {
  if (raw === '') throw hostile(what, raw, 'empty name');
  if (raw.includes('\0') || raw.includes('\uFFFD')) throw hostile(what, raw, 'name has NUL or invalid UTF-8');
  if (raw.startsWith('/')) throw hostile(what, raw, 'absolute path');
  if (raw.includes('\\') || /^[A-Za-z]:/.test(raw)) throw hostile(what, raw, 'backslash or drive letter in name');
  const parts: string[] = [];
  for (const p of raw.split('/')) {
    if (p === '' || p === '.') continue;
    if (p === '..') throw hostile(what, raw, "'..' component");
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

  constructor(private readonly what: string) {}

  /** Records one member; throws if it collides with or sits under a file or symlink. */
  add(name: string, kind: 'file' | 'dir' | 'symlink', target?: string): void {
    const prev = this.kinds.get(name);
    if (prev !== undefined && !(prev === 'dir' && kind === 'dir')) {
      throw hostile(this.what, name, 'duplicate entry (a later copy would replace the first)');
    }
    for (let i = name.indexOf('/'); i > 0; i = name.indexOf('/', i + 1)) {
      const up = name.slice(0, i);
      const k = this.kinds.get(up);
      if (k === 'symlink') throw hostile(this.what, name, `path goes through the symlink ${up}`);
      if (k === 'file') throw hostile(this.what, name, `path goes through the file ${up}`);
    }
    this.kinds.set(name, kind);
    if (kind === 'symlink') {
      if (target === undefined || target === '') throw hostile(this.what, name, 'symlink without a target');
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
