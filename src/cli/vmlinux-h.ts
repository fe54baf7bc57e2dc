// kheaders vmlinux-h: its settings from the parsed options, and the command.
import { resolve } from 'node:path';
import {
  defaultCacheDir, KheadersError, localCache, parseConfigSpec, resolveArch, resolveMtime, vmlinuxHeaderFor,
  type VmlinuxHSettings,
} from '../core/index.js';
import type { Ctx } from './io.js';
import { line } from './io.js';
import { checkRelease } from './options.js';
import { spoolStdin } from './stdin.js';

type Values = Partial<Record<string, string | boolean>>;

/** --from SOURCE, or --source TREE [--objtree] [--config] [--arch]; -o, --btf, the cache. */
export function vmlinuxHSettings(v: Values, env: NodeJS.ProcessEnv, cwd: string): VmlinuxHSettings {
  const str = (k: string): string | undefined => (typeof v[k] === 'string' ? v[k] : undefined);
  const path = (p: string | undefined): string | undefined => (p === undefined ? undefined : resolve(cwd, p));
  const from = str('from');
  const source = str('source');
  if ((from === undefined) === (source === undefined)) {
    throw new KheadersError('USAGE', from === undefined ? 'vmlinux-h needs --from SOURCE or --source TREE' : '--from and --source contradict each other',
      'pass --from (an archive, kheaders.ko, vmlinux, package, URL or running) or --source DIR (a kernel tree), not both');
  }
  if (from !== undefined && ['objtree', 'config', 'arch'].some((k) => v[k] !== undefined)) {
    throw new KheadersError('USAGE', '--objtree, --config and --arch go with --source, not --from', 'with --from, the arch and config are the archive\'s own');
  }
  if (v['no-cache'] && v['cache-dir'] !== undefined) throw new KheadersError('USAGE', '--no-cache and --cache-dir contradict each other', 'keep one');
  if (str('output') === '-' || str('btf') === '-') throw new KheadersError('USAGE', 'vmlinux-h writes files, not stdout', 'pass -o FILE (and --btf FILE)');
  if (str('sha256') !== undefined && str('md5') !== undefined) throw new KheadersError('USAGE', 'pass --sha256 or --md5, not both', 'keep one digest');
  const cacheDir = v['no-cache'] ? undefined : (path(str('cache-dir')) ?? defaultCacheDir(env));
  const common = { command: 'vmlinux-h' as const, output: path(str('output')) ?? resolve(cwd, 'vmlinux.h'), btf: path(str('btf')), cacheDir };
  if (from !== undefined) {
    const f = /^[a-z]+:\/\//i.test(from) || from === 'running' || from === '-' ? from : resolve(cwd, from);
    return { ...common, source: { kind: 'from', from: f, sha256: str('sha256'), md5: str('md5'), release: checkRelease(str('release')) } };
  }
  if (['sha256', 'md5', 'release'].some((k) => v[k] !== undefined)) {
    throw new KheadersError('USAGE', '--sha256, --md5 and --release go with --from, not --source', 'drop them, or use --from');
  }
  const arch = resolveArch(str('arch'));
  const config = str('config');
  return { ...common, source: { kind: 'tree',
    tree: { source: resolve(cwd, source ?? '.'), objtree: path(str('objtree')), arch: arch.srcarch, makeArch: arch.makeArch,
      config: config === undefined ? undefined : parseConfigSpec(config, cwd) },
    pack: { mtime: resolveMtime(undefined, env), compression: 'compat', threads: 1 } } };
}

/** Writes vmlinux.h (and --btf); says what went in and what was left out; prints the header's path. */
export async function vmlinuxHCommand(s: VmlinuxHSettings, ctx: Ctx): Promise<number> {
  const stdin = s.source.kind === 'from' && s.source.from === '-' ? await spoolStdin(ctx.io.stdin) : undefined;
  try {
    const settings = stdin && s.source.kind === 'from' ? { ...s, source: { ...s.source, from: stdin.path } } : s;
    const cache = s.cacheDir === undefined ? undefined : localCache(s.cacheDir, ctx.log);
    const r = await vmlinuxHeaderFor(settings, { cache, signal: ctx.signal }, ctx.log);
    ctx.log.info(`wrote ${s.output}: Linux ${r.release ?? '?'} ${r.srcarch}, ${r.structs} structs from ${r.included} headers (${r.leftOut.length} left out, listed at its top)${s.btf ? `; BTF in ${s.btf}` : ''}`);
    line(ctx.io.stdout, s.output);
    return 0;
  } finally {
    await stdin?.cleanup();
  }
}
