import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, readlink, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { HeaderEntry } from '../../src/core/types.js';

const run = promisify(execFile);

/** The flags kernel/gen_kheaders.sh passes to GNU tar (minus -I and --exclude); no --mtime when mtime is undefined. */
export function kernelTarFlags(mtime: number | undefined): string[] {
  return [...(mtime === undefined ? [] : [`--mtime=@${mtime}`]), '--owner=0', '--group=0', '--sort=name', '--numeric-owner', '--mode=u=rw,go=r,a+X'];
}

/** Packs dir with real GNU tar exactly as the kernel does; returns the tar bytes. */
export async function gnuTar(dir: string, mtime: number | undefined): Promise<Buffer> {
  const out = await mkdtemp(join(tmpdir(), 'kh-gnutar-'));
  try {
    const file = join(out, 'out.tar');
    await run('tar', [...kernelTarFlags(mtime), '-cf', file, '-C', `${dir}/`, '.'], { env: { ...process.env, LC_ALL: 'C' } });
    return await readFile(file);
  } finally {
    await rm(out, { recursive: true, force: true });
  }
}

/** Runs `tar -tv` on a tar file (UTC, full time, numeric owners, names unescaped); returns stdout. */
export async function gnuList(file: string): Promise<string> {
  const { stdout } = await run('tar', ['--full-time', '--numeric-owner', '--quoting-style=literal', '-tvf', file], {
    env: { ...process.env, TZ: 'UTC', LC_ALL: 'C' },
    maxBuffer: 64 * 1024 * 1024,
  });
  return stdout;
}

/**
 * Lists a tree as HeaderEntry[] (unsorted, readdir order). Directories are
 * listed as kind 'dir' when dirs is 'all', or only when empty for 'empty'.
 */
export async function listTree(root: string, dirs: 'all' | 'empty' = 'empty'): Promise<HeaderEntry[]> {
  const out: HeaderEntry[] = [];
  const walk = async (rel: string): Promise<void> => {
    const abs = rel ? join(root, rel) : root;
    const kids = await readdir(abs, { withFileTypes: true });
    if (rel && (dirs === 'all' || kids.length === 0)) out.push({ name: rel, path: abs, kind: 'dir', from: 'src' });
    for (const k of kids) {
      const name = rel ? `${rel}/${k.name}` : k.name;
      const path = join(root, name);
      if (k.isDirectory()) await walk(name);
      else if (k.isSymbolicLink()) out.push({ name, path, kind: 'symlink', target: await readlink(path), from: 'src' });
      else out.push({ name, path, kind: 'file', from: 'src' });
    }
  };
  await walk('');
  return out;
}
