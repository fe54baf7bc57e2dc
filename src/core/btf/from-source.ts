// vmlinux-h from what the fronts are given: anything `extract --from` takes
// (through the extract pipeline), or a tree built through the cache as `build` does.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cachedBuild } from '../cache/cached-build.js';
import type { CachePort } from '../cache/port.js';
import { extractArchive } from '../extract/extract.js';
import type { Logger } from '../log.js';
import type { VmlinuxHSettings } from '../settings.js';
import { vmlinuxHeader, type VmlinuxHResult } from './vmlinux-h.js';

export interface VmlinuxHSourceOptions {
  /** The archive cache for a tree (the CLI's directory, the action's @actions/cache). */
  cache?: CachePort;
  signal?: AbortSignal;
}

/** Gets the archive (extract pipeline or cached build) into a temp dir, then makes vmlinux.h from it. */
export async function vmlinuxHeaderFor(s: VmlinuxHSettings, opts: VmlinuxHSourceOptions, log: Logger): Promise<VmlinuxHResult & { origin: string }> {
  const tmp = await mkdtemp(join(tmpdir(), 'kheaders-vmlinux-src-'));
  try {
    const archive = join(tmp, 'kheaders_data.tar.xz');
    let origin: string;
    if (s.source.kind === 'from') {
      const r = await extractArchive({ from: s.source.from, archive, extract: false, sha256: s.source.sha256, md5: s.source.md5, release: s.source.release, signal: opts.signal }, log);
      origin = r.detail;
    } else {
      const r = await cachedBuild({ command: 'build', tree: s.source.tree, pack: s.source.pack, output: archive }, { cache: opts.cache, signal: opts.signal }, log);
      origin = r.origin === 'cache' ? `the cache (${r.primaryKey ?? ''})` : `a build of ${s.source.tree.source}`;
    }
    const res = await vmlinuxHeader(archive, { output: s.output, btf: s.btf, cacheDir: s.cacheDir ?? false, jobs: s.jobs, signal: opts.signal, log });
    return { ...res, origin };
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
