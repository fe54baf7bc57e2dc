// The installed kheaders module of a kernel, /lib/modules/<release>/.../kheaders.ko[.xz|.zst|.gz]:
// read as a file, it holds the archive, with no loading and no root.
import { readdir, readFile, stat } from 'node:fs/promises';
import { isAbsolute, join, normalize, sep } from 'node:path';

/** A module file name kheaders can read: kheaders.ko, .ko.xz, .ko.zst, .ko.gz. */
export const KHEADERS_MODULE = /^kheaders\.ko(?:\.(?:xz|zst|gz))?$/;

/** Bounds of the walk when modules.dep does not name the module (a kernel's tree has ~6,000 files). */
export const MODULE_WALK_LIMITS = { entries: 200_000, depth: 12 };

/** modules.dep is a few hundred KB; a bigger one is not read. */
const MAX_DEP_BYTES = 64 * 1024 * 1024;

/** The paths modules.dep names for kheaders (relative to dir, or absolute under root), in its order. */
function fromModulesDep(text: string, root: string, dir: string): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const p = line.slice(0, colon).trim();
    const base = p.slice(p.lastIndexOf('/') + 1);
    if (!KHEADERS_MODULE.test(base) || normalize(p).split(sep).includes('..')) continue;
    out.push(isAbsolute(p) ? join(root, p) : join(dir, p));
  }
  return out;
}

/** Bounded walk for kheaders.ko*, not following symlinks (build/ and source/ point at whole trees). */
async function walk(dir: string): Promise<string[]> {
  const found: string[] = [];
  let seen = 0;
  const todo: Array<[string, number]> = [[dir, 0]];
  while (todo.length > 0 && seen < MODULE_WALK_LIMITS.entries) {
    const [d, depth] = todo.shift() as [string, number];
    const ents = await readdir(d, { withFileTypes: true }).catch(() => []);
    for (const e of ents.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      if (++seen > MODULE_WALK_LIMITS.entries) break;
      const p = join(d, e.name);
      if (e.isDirectory() && depth + 1 < MODULE_WALK_LIMITS.depth) todo.push([p, depth + 1]);
      else if (e.isFile() && KHEADERS_MODULE.test(e.name)) found.push(p);
    }
  }
  return found;
}

async function isFile(path: string): Promise<boolean> {
  return stat(path).then((s) => s.isFile(), () => false);
}

/**
 * Finds the kheaders module file of `release` under `root`: the one modules.dep
 * names, else the first a bounded walk of /lib/modules/<release>/ finds
 * (kernel/kernel/ first, as the kernel installs it). Undefined when there is none.
 */
export async function findModuleFile(root: string, release: string): Promise<{ path: string; how: 'modules.dep' | 'walk' } | undefined> {
  const dir = join(root, 'lib/modules', release);
  const dep = await readFile(join(dir, 'modules.dep')).catch(() => undefined);
  if (dep !== undefined && dep.length <= MAX_DEP_BYTES) {
    for (const p of fromModulesDep(dep.toString('utf8'), root, dir)) if (await isFile(p)) return { path: p, how: 'modules.dep' };
  }
  const all = await walk(dir);
  const preferred = all.find((p) => p.startsWith(join(dir, 'kernel/kernel') + sep)) ?? all[0];
  return preferred === undefined ? undefined : { path: preferred, how: 'walk' };
}
