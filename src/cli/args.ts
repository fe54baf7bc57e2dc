import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  defaultCacheDir, didYouMean, KheadersError, parseConfigSpec, resolveArch, resolveMtime,
  type ArchInfo, type BuildSettings, type Command, type PackSettings, type Settings, type TreeSettings,
} from '../core/index.js';
import { ALLOWED, checkKey, checkRelease, COMMANDS, OPTIONS, optionError, parseCompression, parseLimits, parseThreads, parseTimeout, type Option } from './options.js';

/** build without --source: the embedded sample tree, written at run time. */
export interface SampleRequest {
  arch: ArchInfo;
  pack: PackSettings;
  output: string;
}

/** CLI parse result: one command's settings (or the sample build), plus CLI-only switches. */
export type CliArgs =
  | { kind: 'help'; command?: Command }
  | { kind: 'version' }
  | { kind: 'run'; settings: Settings; verbose: boolean }
  | { kind: 'sample'; sample: SampleRequest; verbose: boolean };

/** Parses argv (without node and script) into settings; throws KheadersError on bad usage. */
export function parseCli(argv: readonly string[], env: NodeJS.ProcessEnv, cwd: string): CliArgs {
  const [first, ...rest] = argv;
  if (first === undefined || first === '-h' || first === '--help') return { kind: 'help' };
  if (first === '--version' || first === '-V' || first === 'version') return { kind: 'version' };
  if (first === 'help') return { kind: 'help', ...(COMMANDS.includes(rest[0] as Command) ? { command: rest[0] as Command } : {}) };
  const implicit = first.startsWith('-');
  const command = (implicit ? 'build' : first) as Command;
  if (!COMMANDS.includes(command)) {
    throw new KheadersError('USAGE', `unknown command "${first}"${didYouMean(first, COMMANDS)}`, `use one of: ${COMMANDS.join(', ')} (kheaders --help)`);
  }
  let parsed;
  try {
    parsed = parseArgs({ args: implicit ? [...argv] : rest, options: OPTIONS, strict: true, allowPositionals: command === 'diff' });
  } catch (err) {
    throw optionError(err as Error, command);
  }
  const v = parsed.values;
  if (v.help) return { kind: 'help', command };
  const extra = (Object.keys(v) as Option[]).filter((k) => !ALLOWED[command].includes(k));
  if (extra.length > 0) {
    throw new KheadersError('USAGE', `${command} does not take ${extra.map((k) => `--${k}`).join(', ')}`, `see kheaders ${command} --help for its options`);
  }
  const limits = parseLimits(v);
  const verbose = v.verbose ?? false;
  const path = (p: string | undefined): string | undefined => (p === undefined ? undefined : resolve(cwd, p));
  const source = path(v.source);
  if (command === 'diff') {
    const [a, b, ...more] = parsed.positionals;
    if (a === undefined || b === undefined || more.length > 0) {
      throw new KheadersError('USAGE', `diff takes two archives, got ${parsed.positionals.length}`, 'run kheaders diff A.tar.xz B.tar.xz (a name starting with - goes after --)');
    }
    return { kind: 'run', verbose, settings: { command, a: resolve(cwd, a), b: resolve(cwd, b), json: path(v.json), markdown: path(v.markdown), ...(limits ? { limits } : {}) } };
  }
  if (command === 'verify') {
    if (source === undefined) throw new KheadersError('USAGE', 'verify needs --source', 'pass --source DIR, the kernel source tree');
    const archive = path(v.archive);
    if (archive === undefined) throw new KheadersError('USAGE', 'verify needs --archive FILE.tar.xz', 'pass the archive to check with --archive');
    return { kind: 'run', verbose, settings: { command, archive, source, objtree: path(v.objtree), arch: v.arch,
      config: path(v.config), rules: v.variant, strict: v.strict ?? false, json: path(v.json), markdown: path(v.markdown), ...(limits ? { limits } : {}) } };
  }
  if (command === 'extract') {
    if (v.from === undefined) throw new KheadersError('USAGE', 'extract needs --from SOURCE', 'pass --from running, a .tar.xz / kheaders.ko / vmlinux path, or a URL');
    if (v.sha256 !== undefined && v.md5 !== undefined) throw new KheadersError('USAGE', 'pass --sha256 or --md5, not both', 'keep one digest');
    const from = /^[a-z]+:\/\//i.test(v.from) || v.from === 'running' ? v.from : resolve(cwd, v.from);
    return { kind: 'run', verbose, settings: { command, from, archive: path(v.archive), output: path(v.output), sha256: v.sha256, md5: v.md5,
      replace: v.force ?? false, arch: v.arch === undefined ? undefined : resolveArch(v.arch).srcarch, release: checkRelease(v.release),
      key: checkKey(v.key), timeout: parseTimeout(v.timeout), configOut: path(v['config-out']), ...(limits ? { limits } : {}) } };
  }
  const compression = parseCompression(v.compression, v['plain-tar']);
  const pack: PackSettings = { mtime: resolveMtime(v.mtime, env), compression, threads: parseThreads(v.threads, compression) };
  const arch = resolveArch(v.arch);
  if (source === undefined) {
    if (v.objtree !== undefined || v.config !== undefined) throw new KheadersError('USAGE', '--objtree and --config need --source', 'pass --source DIR, the kernel source tree');
    if (command === 'key') throw new KheadersError('USAGE', 'key needs --source', 'pass --source DIR, the kernel source tree');
    return { kind: 'sample', verbose, sample: { arch, pack, output: path(v.output) ?? resolve(cwd, 'kheaders_data.tar.xz') } };
  }
  const tree: TreeSettings = { source, objtree: path(v.objtree), arch: arch.srcarch, makeArch: arch.makeArch,
    config: v.config === undefined ? undefined : parseConfigSpec(v.config, cwd), rules: v.variant };
  if (command === 'key') return { kind: 'run', verbose, settings: { command, tree, pack } };
  if (v['no-cache'] && v['cache-dir'] !== undefined) throw new KheadersError('USAGE', '--no-cache and --cache-dir contradict each other', 'keep one: --cache-dir DIR to use that cache, or --no-cache for none');
  const build: BuildSettings = { command, tree, pack, output: path(v.output) ?? resolve(cwd, 'kheaders_data.tar.xz'),
    cacheDir: v['no-cache'] ? undefined : (path(v['cache-dir']) ?? defaultCacheDir(env)), strictVariant: v['strict-variant'] ?? false };
  return { kind: 'run', verbose, settings: build };
}
