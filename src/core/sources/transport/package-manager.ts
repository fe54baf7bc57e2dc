// The distro's own package manager as a transport: `apt-get download NAME` or
// `dnf download NAME` into a temp dir, downloaded, never installed. The package
// manager checks what it fetched against its signed indexes, so nothing unsigned
// is trusted. argv only (no shell); APT_CONFIG, `-o` and `--setopt` options are
// honoured; stale lists are refreshed only as root or with passwordless `sudo -n`.
import { execFile } from 'node:child_process';
import { access, constants, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { KheadersError } from '../../errors.js';
import { nullLogger, type Logger } from '../../log.js';

export type PackageManager = 'apt' | 'dnf';

/** The packages that hold a kernel's kheaders.ko, in the order to try: Debian/Ubuntu, Fedora/RHEL. */
export function modulesPackages(pm: PackageManager, release: string): string[] {
  return pm === 'apt' ? [`linux-modules-${release}`, `linux-modules-extra-${release}`] : [`kernel-modules-core-${release}`, `kernel-modules-${release}`];
}

export interface PackageManagerOptions {
  /** apt: `-o Name=Value` items; dnf: `--setopt` items (`name=value`). */
  options?: string[];
  /** Environment for the package manager (PATH, APT_CONFIG); default process.env. */
  env?: NodeJS.ProcessEnv;
  /** May refresh stale lists (`apt-get update`, as root or with `sudo -n`); default true. */
  refresh?: boolean;
  /** Whether we are root (default: effective uid 0). */
  isRoot?: boolean;
  /** Per command, ms (default 10 minutes). */
  timeoutMs?: number;
  log?: Logger;
}

export interface DownloadedPackage {
  /** The package file, in a temp dir of its own. */
  path: string;
  /** Removes the temp dir. */
  cleanup(): Promise<void>;
}

interface Run { code: number; stderr: string; stdout: string }

function run(cmd: string, args: string[], o: PackageManagerOptions, cwd?: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { cwd, env: o.env ?? process.env, timeout: o.timeoutMs ?? 600_000, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      const e = err as (NodeJS.ErrnoException & { code?: number | string }) | null;
      if (e && typeof e.code === 'string') {
        reject(new KheadersError('NOT_FOUND', `cannot run ${cmd}: ${e.code === 'ENOENT' ? 'not installed (not on PATH)' : e.message}`,
          `install ${cmd}, or pass --from with another source`));
        return;
      }
      resolve({ code: e ? (typeof e.code === 'number' ? e.code : 1) : 0, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

/** Whether an executable named cmd is on PATH. */
export async function onPath(cmd: string, env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  for (const dir of (env.PATH ?? '').split(delimiter).filter(Boolean)) {
    if (await access(join(dir, cmd), constants.X_OK).then(() => true, () => false)) return true;
  }
  return false;
}

/** The system's package manager: from /etc/os-release (ID, ID_LIKE), else whichever is on PATH; undefined when none. */
export async function detectPackageManager(root = '/', env: NodeJS.ProcessEnv = process.env): Promise<PackageManager | undefined> {
  const text = await readFile(join(root, 'etc/os-release'), 'utf8').catch(() => '');
  const ids = [...text.matchAll(/^(?:ID|ID_LIKE)=["']?([^"'\n]*)/gm)].flatMap((m) => m[1].split(/\s+/));
  if (ids.some((i) => ['debian', 'ubuntu'].includes(i)) && (await onPath('apt-get', env))) return 'apt';
  if (ids.some((i) => ['fedora', 'rhel', 'centos'].includes(i)) && (await onPath('dnf', env))) return 'dnf';
  if (await onPath('apt-get', env)) return 'apt';
  return (await onPath('dnf', env)) ? 'dnf' : undefined;
}

/** A package name (optionally =version): no option-looking or shell-looking characters. */
function checkName(name: string): void {
  if (!/^[A-Za-z0-9][A-Za-z0-9+._~:=-]*$/.test(name)) {
    throw new KheadersError('USAGE', `"${name}" is not a package name`, 'pass a package name such as apt:linux-modules-6.8.0-31-generic');
  }
}

/** apt's and dnf's "no such package" messages. */
const NOT_FOUND = /Unable to locate package|Can't select (?:candidate )?version|has no installation candidate|No package .* available|No match for argument/i;
/** A signature or hash the package manager refused. */
const UNTRUSTED = /GPG error|NO_PUBKEY|BADSIG|EXPKEYSIG|signatures (?:were invalid|couldn't be verified)|is not signed|Hash Sum mismatch|File has unexpected size|GPG check FAILED|Public key for .* is not installed|Checksum doesn't match|GPG signature verification error|Bad GPG signature|signature .* (?:BAD|NOKEY)/i;

const lines = (text: string, re: RegExp): string => text.split('\n').filter((l) => re.test(l)).map((l) => l.trim()).join('; ');

/** The error for a signature or hash the package manager refused (`lines`: what it said). */
export function untrustedError(what: string, said: string): KheadersError {
  return new KheadersError('DIGEST_MISMATCH', `${what}: the package manager refused the repository's signature or the package's hash: ${said}`,
    'check the repository\'s signing key (signed-by / gpgkey) and its mirror; a package that does not verify must not be trusted');
}

const untrusted = (what: string, stderr: string): KheadersError => untrustedError(what, lines(stderr, UNTRUSTED));

/** Whether apt's lists are missing or older than a day (a stale list may not name the running kernel's package). */
async function aptListsStale(o: PackageManagerOptions): Promise<boolean> {
  const r = await run('apt-config', [...aptOptions(o), 'shell', 'LISTS', 'Dir::State::lists/d'], o).catch(() => undefined);
  const dir = /LISTS='([^']*)'/.exec(r?.stdout ?? '')?.[1];
  if (!dir) return true;
  const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => /_(?:In)?Release$|_Packages(?:\.\w+)?$/.test(n));
  let newest = 0;
  for (const n of names) newest = Math.max(newest, (await stat(join(dir, n)).catch(() => ({ mtimeMs: 0 }))).mtimeMs);
  return Date.now() - newest > 24 * 3600_000;
}

const aptOptions = (o: PackageManagerOptions): string[] => (o.options ?? []).flatMap((x) => ['-o', x]);

/** `apt-get update` (as root, or `sudo -n` when that needs no password). Resolves to whether it ran, and the signature lines apt refused. */
async function aptUpdate(o: PackageManagerOptions, log: Logger): Promise<{ ran: boolean; refused?: string }> {
  const isRoot = o.isRoot ?? process.geteuid?.() === 0;
  if (!isRoot && (await run('sudo', ['-n', 'true'], { ...o, timeoutMs: 10_000 }).catch(() => undefined))?.code !== 0) {
    log.info('apt\'s package lists are stale, and refreshing them needs root (no passwordless sudo): not refreshed');
    return { ran: false };
  }
  // sudo resets the environment: APT_CONFIG crosses it as apt-get's own -c.
  const config = !isRoot && (o.env ?? process.env).APT_CONFIG ? ['-c', String((o.env ?? process.env).APT_CONFIG)] : [];
  const argv = ['apt-get', ...config, ...aptOptions(o), '-q', 'update'];
  log.info(`apt's package lists are missing or stale: ${isRoot ? '' : 'sudo -n '}${argv.join(' ')}`);
  const r = isRoot ? await run(argv[0], argv.slice(1), o) : await run('sudo', ['-n', ...argv], o);
  // apt keeps using only what verified; a repository whose signature it refused is left out, and said so.
  const refused = UNTRUSTED.test(r.stderr) ? lines(r.stderr, UNTRUSTED) : undefined;
  if (refused) log.warning(`apt-get update refused a repository's signature: ${refused}`);
  else if (r.code !== 0) log.warning(`apt-get update failed (exit ${r.code}): ${r.stderr.trim().split('\n').slice(-3).join('; ')}`);
  return { ran: r.code === 0 || refused !== undefined, refused };
}

async function once(pm: PackageManager, name: string, dir: string, o: PackageManagerOptions): Promise<Run> {
  if (pm === 'apt') return run('apt-get', [...aptOptions(o), '-q', 'download', name], o, dir);
  return run('dnf', ['-q', '-y', 'download', '--destdir', dir, ...(o.options ?? []).map((x) => `--setopt=${x}`), name], o, dir);
}

/** The package manager has no such package; `refused` names signatures apt refused on the way (the package may be behind them). */
export interface MissingPackage { missing: true; refused?: string }

/**
 * Downloads one package file (not installed) into a fresh temp dir. Resolves to
 * MissingPackage when the package manager has no such package; throws
 * DIGEST_MISMATCH when it refuses the package's signature or hash, NOT_FOUND when it cannot run.
 */
export async function downloadPackage(pm: PackageManager, name: string, o: PackageManagerOptions = {}): Promise<DownloadedPackage | MissingPackage> {
  checkName(name);
  const log = o.log ?? nullLogger;
  const dir = await mkdtemp(join(tmpdir(), `kheaders-${pm}-`));
  const cleanup = (): Promise<void> => rm(dir, { recursive: true, force: true });
  try {
    const what = pm === 'apt' ? `apt-get download ${name}` : `dnf download ${name}`;
    let r = await once(pm, name, dir, o);
    let refused: string | undefined;
    if (r.code !== 0 && !UNTRUSTED.test(r.stderr) && NOT_FOUND.test(r.stderr) && pm === 'apt' && o.refresh !== false && (await aptListsStale(o))) {
      const upd = await aptUpdate(o, log);
      refused = upd.refused;
      if (upd.ran) r = await once(pm, name, dir, o);
    }
    if (UNTRUSTED.test(r.stderr)) throw untrusted(what, r.stderr);
    if (r.code !== 0 && NOT_FOUND.test(r.stderr + r.stdout)) {
      await cleanup();
      return { missing: true, refused };
    }
    if (r.code !== 0) {
      throw new KheadersError('NETWORK', `${what} failed (exit ${r.code}): ${r.stderr.trim().split('\n').slice(-4).join('; ')}`,
        pm === 'apt' ? 'check the sources and the network (apt-get update), or pass --from with another source' : 'check the repositories and the network (dnf makecache), or pass --from with another source');
    }
    const files = (await readdir(dir)).filter((f) => f.endsWith(pm === 'apt' ? '.deb' : '.rpm'));
    if (files.length !== 1) throw new KheadersError('NOT_FOUND', `${what} left ${files.length} package files (${files.join(', ')})`, 'name one package, with no wildcard');
    log.info(`${what}: ${files[0]} (checked by ${pm} against its signed indexes; not installed)`);
    return { path: join(dir, files[0]), cleanup };
  } catch (err) {
    await cleanup();
    throw err;
  }
}
