import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { resolveArch, type ArchInfo } from '../core/kernel/arch.js';
import { defaultCacheDir } from '../core/cache/local.js';
import { checkThreads, defaultThreads } from '../core/build/compress.js';
import { KheadersError } from '../core/errors.js';
import { resolveMtime } from '../core/kernel/mtime.js';
import type { Command, Compression, Settings } from '../core/settings.js';

/** CLI parse result: the shared settings plus CLI-only switches. */
export interface CliArgs {
  settings: Settings;
  /** build without --source: use the embedded sample tree. */
  sample: boolean;
  /** The resolved arch, also for the sample tree. */
  arch: ArchInfo;
  verbose: boolean;
  help: boolean;
}

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
  verbose: { type: 'boolean', short: 'v' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Option = keyof typeof OPTIONS;
const COMMON: Option[] = ['verbose', 'help'];
const TREE: Option[] = ['source', 'objtree', 'arch', 'config'];
const PACK: Option[] = ['mtime', 'compression', 'threads'];
/** Which options each command takes; anything else is a usage error. */
const ALLOWED: Record<Command, Option[]> = {
  build: [...COMMON, ...TREE, ...PACK, 'output', 'cache-dir', 'no-cache'],
  key: [...COMMON, ...TREE, ...PACK],
  verify: [...COMMON, ...TREE, 'archive', 'strict', 'json', 'markdown'],
  extract: [...COMMON, 'from', 'archive', 'output', 'sha256', 'md5', 'force', 'arch'],
};

function parseCompression(value: string | undefined): Compression {
  if (value === undefined || value === 'compat' || value === 'fast') return value ?? 'compat';
  throw new KheadersError(`--compression must be "compat" or "fast", got "${value}"`, 'use --compression compat (kernel-identical) or fast');
}

function parseThreads(value: string | undefined, compression: Compression): number {
  if (value === undefined) return compression === 'fast' ? defaultThreads() : 1;
  if (!/^\d+$/.test(value)) throw new KheadersError(`--threads must be a whole number, got "${value}"`, 'pass e.g. --threads 4');
  return checkThreads(Number(value), compression);
}

const HELP: CliArgs = {
  settings: { command: 'build', pack: { mtime: { epoch: 0, origin: 'default' }, compression: 'compat', threads: 1 } },
  arch: { srcarch: 'x86', makeArch: 'x86' },
  sample: false,
  verbose: false,
  help: true,
};

/** Parses argv (without node and script) into settings; throws KheadersError on bad usage. */
export function parseCli(argv: readonly string[], env: NodeJS.ProcessEnv, cwd: string): CliArgs {
  const [first, ...rest] = argv;
  if (first === undefined || first === '-h' || first === '--help' || first === 'help') return HELP;
  const implicit = first.startsWith('-');
  const command = (implicit ? 'build' : first) as Command;
  if (!COMMANDS.includes(command)) {
    throw new KheadersError(`unknown command "${first}"`, `use one of: ${COMMANDS.join(', ')} (kheaders --help)`);
  }
  let parsed;
  try {
    parsed = parseArgs({ args: implicit ? [...argv] : rest, options: OPTIONS, strict: true, allowPositionals: false });
  } catch (err) {
    throw new KheadersError((err as Error).message, 'see kheaders --help for the options');
  }
  const v = parsed.values;
  if (v.help) return HELP;
  const extra = (Object.keys(v) as Option[]).filter((k) => !ALLOWED[command].includes(k));
  if (extra.length > 0) {
    throw new KheadersError(`${command} does not take ${extra.map((k) => `--${k}`).join(', ')}`, 'see kheaders --help for each command\'s options');
  }
  const path = (p: string | undefined): string | undefined => (p === undefined ? undefined : resolve(cwd, p));
  const compression = parseCompression(v.compression);
  const source = path(v.source);
  const arch = command === 'verify' || command === 'extract' ? { srcarch: '', makeArch: '' } : resolveArch(v.arch);
  const settings: Settings = {
    command,
    pack: { mtime: resolveMtime(v.mtime, env), compression, threads: parseThreads(v.threads, compression) },
    archive: path(command === 'build' ? v.output : v.archive),
    cacheDir: v['no-cache'] ? undefined : (path(v['cache-dir']) ?? defaultCacheDir(env)),
  };
  if (source !== undefined) {
    settings.tree = { source, objtree: path(v.objtree), arch: arch.srcarch, makeArch: arch.makeArch, config: v.config === undefined ? undefined : configPath(v.config, cwd) };
  } else if (v.objtree !== undefined || v.config !== undefined) {
    throw new KheadersError('--objtree and --config need --source', 'pass --source DIR, the kernel source tree');
  }
  if (command === 'verify') {
    if (settings.archive === undefined) throw new KheadersError('verify needs --archive FILE.tar.xz', 'pass the archive to check with --archive');
    settings.verify = { strict: v.strict ?? false, config: path(v.config), arch: v.arch, json: path(v.json), markdown: path(v.markdown) };
  }
  if (command === 'extract') {
    if (v.from === undefined) throw new KheadersError('extract needs --from SOURCE', 'pass --from running, a .tar.xz / kheaders.ko / vmlinux path, or a URL');
    if (v.sha256 !== undefined && v.md5 !== undefined) throw new KheadersError('pass --sha256 or --md5, not both', 'keep one digest');
    const from = /^[a-z]+:\/\//i.test(v.from) || v.from === 'running' ? v.from : resolve(cwd, v.from);
    const srcarch = v.arch === undefined ? undefined : resolveArch(v.arch).srcarch;
    settings.fetch = { from, output: path(v.output), sha256: v.sha256, md5: v.md5, replace: v.force ?? false, arch: srcarch };
  }
  return { settings, arch, sample: source === undefined && command === 'build', verbose: v.verbose ?? false, help: false };
}

/** A --config that names an existing file or looks like a path is made absolute; a bare target stays. */
function configPath(config: string, cwd: string): string {
  const path = resolve(cwd, config);
  return config.includes('/') || config.startsWith('.') || existsSync(path) ? path : config;
}
