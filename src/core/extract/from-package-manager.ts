// The distro's package manager as a source: `apt:NAME` / `dnf:NAME` on the
// command line, and the running kernel's modules package (before modprobe).
// The package is downloaded (not installed) by apt or dnf, which check it
// against their signed indexes, then read like any package file.
import { KheadersError } from '../errors.js';
import type { Logger } from '../log.js';
import type { PackageLimits } from '../sources/containers/table.js';
import {
  detectPackageManager, downloadPackage, modulesPackages, untrustedError, type MissingPackage, type PackageManager, type PackageManagerOptions,
} from '../sources/transport/package-manager.js';
import type { FoundArchive } from './found.js';
import { archiveFromFile } from './from-file.js';

/** `apt:NAME` or `dnf:NAME`, else undefined. */
export function packageManagerSource(from: string): { pm: PackageManager; name: string } | undefined {
  const m = /^(apt|dnf):(?!\/\/)(.*)$/.exec(from);
  return m ? { pm: m[1] as PackageManager, name: m[2] } : undefined;
}

interface ReadOptions { release?: string; maxBytes: number; log: Logger; packageLimits?: Partial<PackageLimits>; pm?: PackageManagerOptions }

/** Downloads the package with pm and reads the archive out of it; MissingPackage when pm has no such package. */
async function fromPackage(pm: PackageManager, name: string, o: ReadOptions): Promise<FoundArchive | MissingPackage> {
  const got = await downloadPackage(pm, name, { log: o.log, ...o.pm });
  if ('missing' in got) return got;
  try {
    const found = await archiveFromFile(got.path, { maxBytes: o.maxBytes, log: o.log, release: o.release, packageLimits: o.packageLimits });
    return { ...found, detail: `${pm}:${name} (${found.detail})` };
  } finally {
    await got.cleanup();
  }
}

/** `--from apt:NAME` / `dnf:NAME`: a missing package is an error naming the fix. */
export async function archiveFromPackageManager(pm: PackageManager, name: string, o: ReadOptions): Promise<FoundArchive> {
  const found = await fromPackage(pm, name, o);
  if (!('missing' in found)) return found;
  // The package may be in the repository whose signature apt refused: that is the error to show.
  if (found.refused) throw untrustedError(`apt-get update (no package "${name}" in what verified)`, found.refused);
  throw new KheadersError('NOT_FOUND', `${pm} has no package "${name}"${pm === 'apt' ? ' (apt-get download: unable to locate it)' : ' (dnf download: no match)'}`,
    pm === 'apt' ? 'check the name (apt-cache policy NAME) and the sources, and refresh the lists with `sudo apt-get update`' : 'check the name (dnf list NAME) and the enabled repositories');
}

/**
 * The running kernel's modules package through the system's package manager,
 * tried in order (linux-modules-R, then linux-modules-extra-R; or
 * kernel-modules-core-R, then kernel-modules-R); undefined when none holds kheaders.ko.
 */
export async function archiveFromModulesPackage(release: string, o: ReadOptions & { root?: string }): Promise<FoundArchive | undefined> {
  const pm = await detectPackageManager(o.root, o.pm?.env);
  if (!pm) {
    o.log.info('no apt-get or dnf here: the modules package of the running kernel was not looked for');
    return undefined;
  }
  for (const name of modulesPackages(pm, release)) {
    let found: FoundArchive | MissingPackage;
    try {
      found = await fromPackage(pm, name, { ...o, release });
    } catch (err) {
      // A package without the module: try the next one. Refused signatures and the rest are errors.
      if (err instanceof KheadersError && err.code === 'NOT_FOUND' && /kheaders\.ko/.test(err.message)) {
        o.log.info(`${pm}:${name} holds no kheaders.ko`);
        continue;
      }
      throw err;
    }
    if (!('missing' in found)) return found;
    o.log.info(`${pm} has no package ${name}${found.refused ? ' in the repositories that verified' : ''}`);
  }
  return undefined;
}
