import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { resolveArch, type ArchInfo } from '../core/arch.js';
import { checkThreads, defaultThreads } from '../core/compress.js';
import { KheadersError } from '../core/errors.js';
import { resolveMtime } from '../core/mtime.js';
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
  'cache-dir': { type: 'string' },
  'no-cache': { type: 'boolean' },
  verbose: { type: 'boolean', short: 'v' },
  help: { type: 'boolean', short: 'h' },
} as const;

function parseCompression(value: string | undefined): Compression {
  if (value === undefined || value === 'compat' || value === 'fast') return value ?? 'compat';
  throw new KheadersError(`--compression must be "compat" or "fast", got "${value}"`, 'use --compression compat (kernel-identical) or fast');
}

function parseThreads(value: string | undefined, compression: Compression): number {
  if (value === undefined) return compression === 'fast' ? defaultThreads() : 1;
  if (!/^\d+$/.test(value)) throw new KheadersError(`--threads must be a whole number, got "${value}"`, 'pass e.g. --threads 4');
  return checkThreads(Number(value), compression);
}

/** Parses argv (without node and script) into settings; throws KheadersError on bad usage. */
export function parseCli(argv: readonly string[], env: NodeJS.ProcessEnv, cwd: string): CliArgs {
  const [first, ...rest] = argv;
  if (first === undefined || first === '-h' || first === '--help' || first === 'help') {
    const pack = { mtime: { epoch: 0, origin: 'default' }, compression: 'compat' as const, threads: 1 };
    return { settings: { command: 'build', pack }, arch: { srcarch: 'x86', makeArch: 'x86' }, sample: false, verbose: false, help: true };
  }
  const command = (first.startsWith('-') ? 'build' : first) as Command;
  if (!COMMANDS.includes(command)) {
    throw new KheadersError(`unknown command "${first}"`, `use one of: ${COMMANDS.join(', ')} (kheaders --help)`);
  }
  let parsed;
  try {
    parsed = parseArgs({ args: first.startsWith('-') ? [...argv] : rest, options: OPTIONS, strict: true, allowPositionals: false });
  } catch (err) {
    throw new KheadersError((err as Error).message, 'see kheaders --help for the options');
  }
  const v = parsed.values;
  const compression = parseCompression(v.compression);
  const source = v.source === undefined ? undefined : resolve(cwd, v.source);
  const arch = resolveArch(v.arch, source);
  const settings: Settings = {
    command,
    pack: { mtime: resolveMtime(v.mtime, env), compression, threads: parseThreads(v.threads, compression) },
    archive: v.output === undefined ? undefined : resolve(cwd, v.output),
    cacheDir: v['no-cache'] ? undefined : v['cache-dir'] === undefined ? undefined : resolve(cwd, v['cache-dir']),
  };
  if (source !== undefined) {
    settings.tree = {
      source,
      objtree: v.objtree === undefined ? undefined : resolve(cwd, v.objtree),
      arch: arch.srcarch,
      makeArch: arch.makeArch,
      config: v.config === undefined ? undefined : configPath(v.config, cwd),
    };
  } else if (v.objtree !== undefined || v.config !== undefined) {
    throw new KheadersError('--objtree and --config need --source', 'pass --source DIR, the kernel source tree');
  }
  return { settings, arch, sample: source === undefined && command === 'build', verbose: v.verbose ?? false, help: v.help ?? false };
}

/** A --config that looks like a path is made absolute; a bare target name stays as is. */
function configPath(config: string, cwd: string): string {
  const path = resolve(cwd, config);
  return config.includes('/') || config.startsWith('.') || existsSync(path) ? path : config;
}
