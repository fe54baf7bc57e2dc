// The running kernel: the archive it exposes (sysfs, procfs), its release and
// config, and loading its kheaders module (modprobe, or sudo -n).
import { execFile } from 'node:child_process';
import { access, readFile } from 'node:fs/promises';
import { release as osRelease } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { KheadersError } from '../../errors.js';

/** Loads and unloads a kernel module; injectable so tests can watch it. */
export interface ModuleLoader {
  load(name: string): Promise<void>;
  unload(name: string): Promise<void>;
}

/** The real loader: `modprobe NAME` and `modprobe -r NAME`, no shell. */
export const modprobe: ModuleLoader = {
  load: (name) => run('modprobe', [name]),
  unload: (name) => run('modprobe', ['-r', name]),
};

/** Not root, with passwordless sudo (GitHub's hosted runners): `sudo -n modprobe NAME` and `sudo -n rmmod NAME`. */
export function sudoModprobe(env: NodeJS.ProcessEnv = process.env): ModuleLoader {
  return {
    load: (name) => run('sudo', ['-n', 'modprobe', name], env),
    unload: (name) => run('sudo', ['-n', 'rmmod', name], env),
  };
}

/** Whether `sudo -n true` succeeds: sudo on PATH, and no password needed. */
export async function hasPasswordlessSudo(env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  return run('sudo', ['-n', 'true'], env, 10_000).then(() => true, () => false);
}

function run(cmd: string, args: string[], env?: NodeJS.ProcessEnv, timeout = 60_000): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { timeout, env }, (err, _out, stderr) => {
      if (err) reject(new Error(`${cmd} ${args.join(' ')}: ${String(stderr).trim() || err.message}`));
      else resolve();
    });
  });
}

/** Where the running kernel exposes the archive: sysfs since 5.3, procfs in 5.2. */
export const RUNNING_PATHS = ['sys/kernel/kheaders.tar.xz', 'proc/kheaders.tar.xz'];

/** The archive as the running kernel exposes it (sysfs, procfs), or undefined when neither file is there. */
export async function readExposedArchive(root: string): Promise<{ path: string; data: Buffer } | undefined> {
  for (const rel of RUNNING_PATHS) {
    const path = join(root, rel);
    try {
      return { path, data: await readFile(path) };
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') continue;
      throw new KheadersError('NOT_FOUND', `cannot read ${path}: ${(err as Error).message}`,
        code === 'EACCES' ? 'run as root (or with sudo)' : 'check the file and try again');
    }
  }
  return undefined;
}

export async function exists(path: string): Promise<boolean> {
  return access(path).then(() => true, () => false);
}

/** The running kernel's release: /proc/sys/kernel/osrelease under root, else uname -r. */
export async function runningRelease(root = '/'): Promise<string> {
  try {
    const r = (await readFile(join(root, 'proc/sys/kernel/osrelease'), 'utf8')).trim();
    if (r) return r;
  } catch {
    // fall through
  }
  return osRelease();
}

/** CONFIG_IKHEADERS of the running kernel: 'y', 'm', 'n', or undefined when no config is readable. */
export async function ikheadersConfig(root: string, release: string): Promise<'y' | 'm' | 'n' | undefined> {
  let text: string | undefined;
  try {
    text = gunzipSync(await readFile(join(root, 'proc/config.gz'))).toString('utf8');
  } catch {
    try {
      text = await readFile(join(root, 'boot', `config-${release}`), 'utf8');
    } catch {
      return undefined;
    }
  }
  const m = /^CONFIG_IKHEADERS=([ym])$/m.exec(text);
  if (m) return m[1] as 'y' | 'm';
  return /^# CONFIG_IKHEADERS is not set$/m.test(text) || /^CONFIG_/m.test(text) ? 'n' : undefined;
}
