import { execFile } from 'node:child_process';
import { access, readFile } from 'node:fs/promises';
import { release as osRelease } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { KheadersError } from '../errors.js';
import { nullLogger, type Logger } from '../log.js';

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

function run(cmd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { timeout: 60_000 }, (err, _out, stderr) => {
      if (err) reject(new Error(`${cmd} ${args.join(' ')}: ${String(stderr).trim() || err.message}`));
      else resolve();
    });
  });
}

export interface RunningOptions {
  /** Root under which /sys, /proc and /boot are looked up (default '/'); for tests. */
  root?: string;
  /** Module loader (default: modprobe). */
  loader?: ModuleLoader;
  /** Whether we may load modules (default: effective uid is 0). */
  isRoot?: boolean;
  log?: Logger;
}

export interface RunningArchive {
  archive: Buffer;
  /** The file it was read from, e.g. /sys/kernel/kheaders.tar.xz. */
  path: string;
  /** The running kernel's release (`uname -r`). */
  release: string;
  /** True when we loaded the kheaders module (and unloaded it again). */
  loadedModule: boolean;
}

/** Where the running kernel exposes the archive: sysfs since 5.3, procfs in 5.2. */
export const RUNNING_PATHS = ['sys/kernel/kheaders.tar.xz', 'proc/kheaders.tar.xz'];

async function readFirst(root: string): Promise<{ path: string; data: Buffer } | undefined> {
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

async function exists(path: string): Promise<boolean> {
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

/**
 * Reads the running kernel's archive. When absent and we are root, loads the
 * kheaders module, reads, and unloads it again (only if we loaded it).
 */
export async function readRunningArchive(opts: RunningOptions = {}): Promise<RunningArchive> {
  const root = opts.root ?? '/';
  const log = opts.log ?? nullLogger;
  const release = await runningRelease(root);
  const found = await readFirst(root);
  if (found) {
    log.info(`read ${found.data.length} bytes from ${found.path}`);
    return { archive: found.data, path: found.path, release, loadedModule: false };
  }
  const config = await ikheadersConfig(root, release);
  const paths = RUNNING_PATHS.map((p) => join(root, p)).join(' or ');
  if (config === 'n') {
    throw new KheadersError('NOT_FOUND', `the running kernel ${release} was built without CONFIG_IKHEADERS (no ${paths})`,
      'use another source: --from a kheaders.ko, vmlinux, .tar.xz or URL, or build the archive from the kernel tree');
  }
  if (config === 'y' || (await exists(join(root, 'sys/module/kheaders')))) {
    throw new KheadersError('NOT_FOUND', `kernel ${release} has kheaders built in or loaded, but ${paths} is not visible`,
      'mount sysfs at /sys (in a container, bind-mount the host /sys), or pass --from with another source');
  }
  const isRoot = opts.isRoot ?? process.geteuid?.() === 0;
  if (!isRoot) {
    throw new KheadersError('NOT_FOUND', `no ${paths}; the kheaders module of kernel ${release} is probably not loaded, and loading it needs root`,
      'run as root (kheaders then loads and unloads the module), or run `sudo modprobe kheaders` first');
  }
  const loader = opts.loader ?? modprobe;
  log.info('no kheaders archive exposed; loading the kheaders module');
  try {
    await loader.load('kheaders');
  } catch (err) {
    const why = config === 'm' ? 'CONFIG_IKHEADERS=m but the module did not load' : 'the kheaders module did not load (CONFIG_IKHEADERS may be off)';
    throw new KheadersError('NOT_FOUND', `${why}: ${(err as Error).message}`,
      `install the kernel's extra modules package for ${release} (it holds kheaders.ko), or pass --from with another source`);
  }
  let loaded: { path: string; data: Buffer } | undefined;
  try {
    loaded = await readFirst(root);
  } finally {
    await loader.unload('kheaders').then(
      () => log.info('unloaded the kheaders module again'),
      (err: unknown) => log.warning(`could not unload the kheaders module: ${(err as Error).message}`),
    );
  }
  if (!loaded) {
    throw new KheadersError('NOT_FOUND', `modprobe kheaders succeeded but ${paths} did not appear`,
      'check `dmesg` and that /sys is mounted, or pass --from with another source');
  }
  log.info(`read ${loaded.data.length} bytes from ${loaded.path}`);
  return { archive: loaded.data, path: loaded.path, release, loadedModule: true };
}
