import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  checkThreads, defaultCacheDir, defaultThreads, KheadersError, parseConfigSpec, resolveArch, resolveMtime,
  type ArchInfo, type BuildSettings, type Command, type Compression, type PackSettings, type Settings, type TreeSettings,
} from '../core/index.js';

/** build without --source: the embedded sample tree, written at run time. */
export interface SampleRequest {
  arch: ArchInfo;
  pack: PackSettings;
  output: string;
}

/** CLI parse result: one command's settings (or the sample build), plus CLI-only switches. */
export type CliArgs =
  | { kind: 'help' }
  | { kind: 'run'; settings: Settings; verbose: boolean }
  | { kind: 'sample'; sample: SampleRequest; verbose: boolean };

const COMMANDS: readonly Command[] = ['build', 'key', 'verify', 'extract'];

const OPTIONS = {
  source: { type: 'string' },
  objtree: { type: 'string' },
  arch: { type: 'string' },
  config: { type: 'string' },
  mtime: { type: 'string' },
  compression: { type: 'string' },
  threads: { type: 'string' },
  output: { type: 'string', short: 'o' },
  archive: { type: 'string' },
  'cache-dir': { type: 'string' },
  'no-cache': { type: 'boolean' },
  strict: { type: 'boolean' },
  json: { type: 'string' },
  markdown: { type: 'string' },
  from: { type: 'string' },
  sha256: { type: 'string' },
  md5: { type: 'string' },
  force: { type: 'boolean' },
  variant: { type: 'string' },
  'strict-variant': { type: 'boolean' },
  verbose: { type: 'boolean', short: 'v' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Option = keyof typeof OPTIONS;
const COMMON: Option[] = ['verbose', 'help'];
const TREE: Option[] = ['source', 'objtree', 'arch', 'config', 'variant'];
const PACK: Option[] = ['mtime', 'compression', 'threads'];
/** Which options each command takes; anything else is a usage error. */
const ALLOWED: Record<Command, Option[]> = {
  build: [...COMMON, ...TREE, ...PACK, 'output', 'cache-dir', 'no-cache', 'strict-variant'],
  key: [...COMMON, ...TREE, ...PACK],
  verify: [...COMMON, ...TREE, 'archive', 'strict', 'json', 'markdown'],
  extract: [...COMMON, 'from', 'archive', 'output', 'sha256', 'md5', 'force', 'arch'],
};

function parseCompression(value: string | undefined): Compression {
  if (value === undefined || value === 'compat' || value === 'fast') return value ?? 'compat';
  throw new KheadersError('USAGE', `--compression must be "compat" or "fast", got "${value}"`, 'use --compression compat (kernel-identical) or fast');
}

function parseThreads(value: string | undefined, compression: Compression): number {
  if (value === undefined) return compression === 'fast' ? defaultThreads() : 1;
  if (!/^\d+$/.test(value)) throw new KheadersError('USAGE', `--threads must be a whole number, got "${value}"`, 'pass e.g. --threads 4');
  return checkThreads(Number(value), compression);
}

/** Parses argv (without node and script) into settings; throws KheadersError on bad usage. */
export function parseCli(argv: readonly string[], env: NodeJS.ProcessEnv, cwd: string): CliArgs {
  const [first, ...rest] = argv;
  if (first === undefined || first === '-h' || first === '--help' || first === 'help') return { kind: 'help' };
  const implicit = first.startsWith('-');
  const command = (implicit ? 'build' : first) as Command;
  if (!COMMANDS.includes(command)) {
    throw new KheadersError('USAGE', `unknown command "${first}"`, `use one of: ${COMMANDS.join(', ')} (kheaders --help)`);
  }
  let parsed;
  try {
    parsed = parseArgs({ args: implicit ? [...argv] : rest, options: OPTIONS, strict: true, allowPositionals: false });
  } catch (err) {
    throw new KheadersError('USAGE', (err as Error).message, 'see kheaders --help for the options');
  }
  const v = parsed.values;
  if (v.help) return { kind: 'help' };
  const extra = (Object.keys(v) as Option[]).filter((k) => !ALLOWED[command].includes(k));
  if (extra.length > 0) {
    throw new KheadersError('USAGE', `${command} does not take ${extra.map((k) => `--${k}`).join(', ')}`, 'see kheaders --help for each command\'s options');
  }
  const verbose = v.verbose ?? false;
  const path = (p: string | undefined): string | undefined => (p === undefined ? undefined : resolve(cwd, p));
  const source = path(v.source);
  if (command === 'verify') {
    if (source === undefined) throw new KheadersError('USAGE', 'verify needs --source', 'pass --source DIR, the kernel source tree');
    const archive = path(v.archive);
    if (archive === undefined) throw new KheadersError('USAGE', 'verify needs --archive FILE.tar.xz', 'pass the archive to check with --archive');
    return { kind: 'run', verbose, settings: { command, archive, source, objtree: path(v.objtree), arch: v.arch,
      config: path(v.config), rules: v.variant, strict: v.strict ?? false, json: path(v.json), markdown: path(v.markdown) } };
  }
  if (command === 'extract') {
    if (v.from === undefined) throw new KheadersError('USAGE', 'extract needs --from SOURCE', 'pass --from running, a .tar.xz / kheaders.ko / vmlinux path, or a URL');
    if (v.sha256 !== undefined && v.md5 !== undefined) throw new KheadersError('USAGE', 'pass --sha256 or --md5, not both', 'keep one digest');
    const from = /^[a-z]+:\/\//i.test(v.from) || v.from === 'running' ? v.from : resolve(cwd, v.from);
    return { kind: 'run', verbose, settings: { command, from, archive: path(v.archive), output: path(v.output), sha256: v.sha256, md5: v.md5,
      replace: v.force ?? false, arch: v.arch === undefined ? undefined : resolveArch(v.arch).srcarch } };
  }
  const compression = parseCompression(v.compression);
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
  const build: BuildSettings = { command, tree, pack, output: path(v.output) ?? resolve(cwd, 'kheaders_data.tar.xz'),
    cacheDir: v['no-cache'] ? undefined : (path(v['cache-dir']) ?? defaultCacheDir(env)), strictVariant: v['strict-variant'] ?? false };
  return { kind: 'run', verbose, settings: build };
}
