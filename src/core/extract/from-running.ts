// The running kernel as a source, in order: the archive it exposes (sysfs,
// procfs), else its installed module file read through the file pipeline (no
// loading, no root), else loading the module (as root, or with passwordless
// `sudo -n`), reading, and unloading it again (only if we loaded it).
import { join } from 'node:path';
import { MAX_INPUT_BYTES } from '../constants.js';
import { KheadersError } from '../errors.js';
import { nullLogger, type Logger } from '../log.js';
import { findModuleFile } from '../sources/running/module-file.js';
import {
  exists, hasPasswordlessSudo, ikheadersConfig, modprobe, readExposedArchive, RUNNING_PATHS, runningRelease, sudoModprobe, type ModuleLoader,
} from '../sources/running/running.js';
import { archiveFromFile } from './from-file.js';

export interface RunningOptions {
  /** Root under which /sys, /proc, /boot and /lib/modules are looked up (default '/'); for tests. */
  root?: string;
  /** Module loader (default: modprobe as root, `sudo -n` otherwise). */
  loader?: ModuleLoader;
  /** Whether we may load modules ourselves (default: effective uid is 0). */
  isRoot?: boolean;
  /** Environment for sudo and modprobe (PATH; default process.env). */
  env?: NodeJS.ProcessEnv;
  log?: Logger;
}

export interface RunningArchive {
  archive: Buffer;
  /** The file it was read from: /sys/kernel/kheaders.tar.xz, or the module file. */
  path: string;
  /** sysfs/procfs, the installed module file, or sysfs after loading the module. */
  via: 'sysfs' | 'module-file' | 'loaded';
  /** The running kernel's release (`uname -r`). */
  release: string;
  /** True when we loaded the kheaders module (and unloaded it again). */
  loadedModule: boolean;
}

/** The archive inside the installed module file, or undefined when there is none (or it is unreadable to us). */
async function fromModuleFile(root: string, release: string, log: Logger): Promise<RunningArchive | undefined> {
  const mod = await findModuleFile(root, release);
  if (!mod) return undefined;
  try {
    const got = await archiveFromFile(mod.path, { maxBytes: MAX_INPUT_BYTES, log });
    log.info(`read the archive from the installed module ${mod.path} (found through ${mod.how}; ${got.detail}): no loading needed`);
    return { archive: got.archive, path: mod.path, via: 'module-file', release, loadedModule: false };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EACCES' && code !== 'EPERM') throw err;
    log.info(`cannot read ${mod.path} (${code}); loading the module instead`);
    return undefined;
  }
}

/**
 * Reads the running kernel's archive: from sysfs (or procfs), else from the
 * installed module file (no loading, no root), else by loading the module
 * (as root, or with passwordless `sudo -n`), reading, and unloading it again
 * (only if we loaded it).
 */
export async function readRunningArchive(opts: RunningOptions = {}): Promise<RunningArchive> {
  const root = opts.root ?? '/';
  const log = opts.log ?? nullLogger;
  const release = await runningRelease(root);
  const found = await readExposedArchive(root);
  if (found) {
    log.info(`read ${found.data.length} bytes from ${found.path}`);
    return { archive: found.data, path: found.path, via: 'sysfs', release, loadedModule: false };
  }
  const file = await fromModuleFile(root, release, log);
  if (file) return file;
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
  const modules = join(root, 'lib/modules', release);
  let loader = opts.loader ?? modprobe;
  if (!isRoot) {
    if (!(await hasPasswordlessSudo(opts.env))) {
      throw new KheadersError('NOT_FOUND', `no ${paths} and no kheaders.ko[.xz|.zst|.gz] under ${modules}; loading the module of kernel ${release} needs root, and \`sudo -n true\` failed (no sudo, or it asks for a password)`,
        'run as root or with passwordless sudo (kheaders then loads and unloads the module), run `sudo modprobe kheaders` first, or install the package with the kernel\'s kheaders.ko');
    }
    loader = opts.loader ?? sudoModprobe(opts.env);
    log.info(`no kheaders archive exposed and no module file under ${modules}; loading the kheaders module with sudo -n`);
  } else {
    log.info(`no kheaders archive exposed and no module file under ${modules}; loading the kheaders module`);
  }
  try {
    await loader.load('kheaders');
  } catch (err) {
    const why = config === 'm' ? 'CONFIG_IKHEADERS=m but the module did not load' : 'the kheaders module did not load (CONFIG_IKHEADERS may be off)';
    throw new KheadersError('NOT_FOUND', `${why}: ${(err as Error).message}`,
      `install the kernel's extra modules package for ${release} (it holds kheaders.ko), or pass --from with another source`);
  }
  let loaded: { path: string; data: Buffer } | undefined;
  try {
    loaded = await readExposedArchive(root);
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
  return { archive: loaded.data, path: loaded.path, via: 'loaded', release, loadedModule: true };
}
