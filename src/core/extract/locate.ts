// The first stage of the extract pipeline: which source `from` names, and the
// archive's bytes from it (a URL is downloaded to a temporary file first).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { KheadersError } from '../errors.js';
import { resolveArch } from '../kernel/arch.js';
import type { Logger } from '../log.js';
import type { PackageLimits } from '../sources/containers/table.js';
import { download, type DownloadOptions } from '../sources/transport/download.js';
import { expandUrlTemplate, isUrl, redact, type UrlVars } from '../sources/transport/url.js';
import { runningRelease, type ModuleLoader } from '../sources/running/running.js';
import type { FoundArchive } from './found.js';
import { archiveFromFile } from './from-file.js';
import { readRunningArchive } from './from-running.js';

/** Where the archive comes from, and how to reach it. */
export interface LocateOptions {
  /** 'running', a local path (.tar.xz, kheaders.ko[.xz|.gz|.zst], kheaders.o, vmlinux, .deb, .rpm, .pkg.tar.*) or an http(s) URL / URL template. */
  from: string;
  /** The kernel to take from a package holding several; also {release} in a URL template. */
  release?: string;
  /** Caps for reading distro packages (tests; defaults in constants.ts). */
  packageLimits?: Partial<PackageLimits>;
  /** Values for {key}, {arch}, {release} in a URL template (arch/release default to this machine). */
  urlVars?: UrlVars;
  /** For `running`: root of /sys, /proc, /boot (tests), module loader, root override. */
  root?: string;
  loader?: ModuleLoader;
  isRoot?: boolean;
  http?: Omit<DownloadOptions, 'log'>;
}

async function fromUrl(opts: LocateOptions, log: Logger, maxBytes: number): Promise<FoundArchive> {
  const need = (n: string): boolean => opts.from.includes(`{${n}}`);
  const vars: UrlVars = {
    key: opts.urlVars?.key,
    arch: opts.urlVars?.arch ?? (need('arch') ? resolveArch(undefined).srcarch : undefined),
    release: opts.urlVars?.release ?? opts.release ?? (need('release') ? await runningRelease(opts.root) : undefined),
  };
  const url = expandUrlTemplate(opts.from, vars);
  const dir = await mkdtemp(join(tmpdir(), 'kheaders-dl-'));
  try {
    const file = join(dir, 'download');
    await download(url, file, { maxBytes, ...opts.http, log });
    const got = await archiveFromFile(file, { maxBytes, log, release: opts.release, packageLimits: opts.packageLimits }).catch((e: unknown) => {
      // Errors about what was downloaded name the URL, not our temp file.
      if (e instanceof KheadersError) throw new KheadersError(e.code, e.message.split(file).join(redact(url)), e.fix);
      throw e;
    });
    return { archive: got.archive, origin: 'url', detail: `${redact(url)} (${got.detail})`, release: got.release, packageDigest: got.packageDigest };
  } finally {
    // The download never outlives this call (a digest mismatch included).
    await rm(dir, { recursive: true, force: true });
  }
}

/** The archive's bytes from the source `opts.from` names. */
export async function locate(opts: LocateOptions, log: Logger, maxBytes: number): Promise<FoundArchive> {
  if (opts.from === 'running') {
    const r = await readRunningArchive({ root: opts.root, loader: opts.loader, isRoot: opts.isRoot, log });
    return { archive: r.archive, origin: 'running', detail: r.via === 'module-file' ? `${r.path} (the installed module file)` : r.path, release: r.release };
  }
  if (isUrl(opts.from)) return fromUrl(opts, log, maxBytes);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(opts.from)) {
    throw new KheadersError('USAGE', `unsupported source ${redact(opts.from)}`, 'use http:// or https:// URLs, a local path, or `running`');
  }
  const got = await archiveFromFile(resolve(opts.from), { maxBytes, log, release: opts.release, packageLimits: opts.packageLimits });
  return { ...got };
}
