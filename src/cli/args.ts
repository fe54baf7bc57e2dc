import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  defaultCacheDir, didYouMean, KheadersError, parseConfigSpec, resolveArch, resolveMtime,
  type ArchInfo, type BuildSettings, type Command, type PackSettings, type Settings, type TreeSettings,
} from '../core/index.js';
import { checkKey, checkRelease, optionError, parseCompression, parseLimits, parseThreads, parseTimeout } from './options.js';
import { COMMANDS, optionFor, parseConfig, type Option } from './option-table.js';
import { vmlinuxHSettings } from './vmlinux-h.js';

/** `-` as a path: stdout (build --output, --json, --markdown) or stdin (extract --from). */
export const STDIO = '-';

/** build without --source: the sample tree, kept next to the archive. */
export interface SampleRequest {
  arch: ArchInfo;
  pack: PackSettings;
  output: string;
}

/** CLI-only switches: how much to say, and key's JSON. */
export interface Talk {
  verbose: boolean;
  quiet: boolean;
  /** key --json: the md5 and every key input as JSON on stdout. */
  json?: boolean;
}

/** CLI parse result: one command's settings (or the sample build), plus CLI-only switches. */
export type CliArgs =
  | { kind: 'help'; command?: Command }
  /** No arguments at all: the usage on stderr, exit 2. */
  | { kind: 'usage' }
  | { kind: 'version' }
  | ({ kind: 'run'; settings: Settings } & Talk)
  | ({ kind: 'sample'; sample: SampleRequest } & Talk);

/** A single-valued option given twice is an error, not "the last one wins". */
function refuseRepeats(tokens: ReadonlyArray<{ kind: string; name?: string }>, command: Command): void {
  const seen = new Set<string>();
  for (const t of tokens) {
    if (t.kind !== 'option' || t.name === undefined || optionFor(command, t.name as Option).type !== 'string') continue;
    if (seen.has(t.name)) throw new KheadersError('USAGE', `--${t.name} was given twice`, `pass --${t.name} once (it takes one value)`);
    seen.add(t.name);
  }
}

/** Parses argv (without node and script) into settings; throws KheadersError on bad usage. */
export function parseCli(argv: readonly string[], env: NodeJS.ProcessEnv, cwd: string): CliArgs {
  const [first, ...rest] = argv;
  if (first === undefined) return { kind: 'usage' };
  if (first === '-h' || first === '--help') return { kind: 'help' };
  if (first === '--version' || first === '-V' || first === 'version') return { kind: 'version' };
  if (first === 'help') return { kind: 'help', ...(COMMANDS.includes(rest[0] as Command) ? { command: rest[0] as Command } : {}) };
  const implicit = first.startsWith('-');
  const command = (implicit ? 'build' : first) as Command;
  if (!COMMANDS.includes(command)) {
    throw new KheadersError('USAGE', `unknown command "${first}"${didYouMean(first, COMMANDS)}`, `use one of: ${COMMANDS.join(', ')} (kheaders --help)`);
  }
  let parsed;
  try {
    parsed = parseArgs({ args: implicit ? [...argv] : rest, options: parseConfig(command), strict: true, allowPositionals: command === 'diff', tokens: true });
  } catch (err) {
    throw optionError(err as Error, command);
  }
  const values = parsed.values as Partial<Record<Option, string | boolean>>;
  if (values.help) return { kind: 'help', command };
  refuseRepeats(parsed.tokens, command);
  const v = values as Partial<Record<Option, string>> & Partial<Record<'plain-tar' | 'no-cache' | 'strict' | 'force' | 'strict-variant' | 'verbose' | 'quiet' | 'help', boolean>>;
  if (v.verbose && v.quiet) throw new KheadersError('USAGE', '--verbose and --quiet contradict each other', 'keep one: -v to say more, -q for errors only');
  const talk: Talk = { verbose: v.verbose ?? false, quiet: v.quiet ?? false };
  const limits = parseLimits(v);
  const path = (p: string | undefined): string | undefined => (p === undefined ? undefined : resolve(cwd, p));
  /** A path where - means stdout. */
  const sink = (p: string | undefined): string | undefined => (p === STDIO ? STDIO : path(p));
  const source = path(v.source);
  if (command === 'diff') {
    const [a, b, ...more] = parsed.positionals;
    if (a === undefined || b === undefined || more.length > 0) {
      throw new KheadersError('USAGE', `diff takes two archives, got ${parsed.positionals.length}`, 'run kheaders diff A.tar.xz B.tar.xz (a name starting with - goes after --)');
    }
    return { kind: 'run', ...talk, settings: { command, a: resolve(cwd, a), b: resolve(cwd, b), json: sink(v.json), markdown: sink(v.markdown), ...(limits ? { limits } : {}) } };
  }
  if (command === 'verify') {
    if (source === undefined) throw new KheadersError('USAGE', 'verify needs --source', 'pass --source DIR, the kernel source tree');
    const archive = path(v.archive);
    if (archive === undefined) throw new KheadersError('USAGE', 'verify needs --archive FILE.tar.xz', 'pass the archive to check with --archive');
    return { kind: 'run', ...talk, settings: { command, archive, source, objtree: path(v.objtree), arch: v.arch,
      config: path(v.config), rules: v.variant, strict: v.strict ?? false, json: sink(v.json), markdown: sink(v.markdown), ...(limits ? { limits } : {}) } };
  }
  if (command === 'extract') {
    if (v.from === undefined) throw new KheadersError('USAGE', 'extract needs --from SOURCE', 'pass --from running, a .tar.xz / kheaders.ko / vmlinux path, or a URL');
    if (v.sha256 !== undefined && v.md5 !== undefined) throw new KheadersError('USAGE', 'pass --sha256 or --md5, not both', 'keep one digest');
    const from = /^[a-z]+:\/\//i.test(v.from) || /^(?:apt|dnf):/.test(v.from) || v.from === 'running' || v.from === STDIO ? v.from : resolve(cwd, v.from);
    if (v.output === STDIO) throw new KheadersError('USAGE', 'extract --output is a directory; it cannot be stdout', 'pass --output DIR, or --archive FILE to save the archive itself');
    return { kind: 'run', ...talk, settings: { command, from, archive: path(v.archive), output: path(v.output), sha256: v.sha256, md5: v.md5,
      replace: v.force ?? false, arch: v.arch === undefined ? undefined : resolveArch(v.arch).srcarch, release: checkRelease(v.release),
      key: checkKey(v.key), timeout: parseTimeout(v.timeout), configOut: path(v['config-out']), ...(limits ? { limits } : {}) } };
  }
  if (command === 'vmlinux-h') return { kind: 'run', ...talk, settings: vmlinuxHSettings(values, env, cwd) };
  const compression = parseCompression(v.compression, v['plain-tar']);
  const pack: PackSettings = { mtime: resolveMtime(v.mtime, env), compression, threads: parseThreads(v.threads, compression) };
  const arch = resolveArch(v.arch);
  if (source === undefined) {
    if (v.objtree !== undefined || v.config !== undefined) throw new KheadersError('USAGE', '--objtree and --config need --source', 'pass --source DIR, the kernel source tree');
    if (command === 'key') throw new KheadersError('USAGE', 'key needs --source', 'pass --source DIR, the kernel source tree');
    return { kind: 'sample', ...talk, sample: { arch, pack, output: sink(v.output) ?? resolve(cwd, 'kheaders_data.tar.xz') } };
  }
  const tree: TreeSettings = { source, objtree: path(v.objtree), arch: arch.srcarch, makeArch: arch.makeArch,
    config: v.config === undefined ? undefined : parseConfigSpec(v.config, cwd), rules: v.variant };
  if (command === 'key') return { kind: 'run', ...talk, json: values.json === true, settings: { command, tree, pack } };
  if (v['no-cache'] && v['cache-dir'] !== undefined) throw new KheadersError('USAGE', '--no-cache and --cache-dir contradict each other', 'keep one: --cache-dir DIR to use that cache, or --no-cache for none');
  const build: BuildSettings = { command, tree, pack, output: sink(v.output) ?? resolve(cwd, 'kheaders_data.tar.xz'),
    cacheDir: v['no-cache'] ? undefined : (path(v['cache-dir']) ?? defaultCacheDir(env)), strictVariant: v['strict-variant'] ?? false };
  return { kind: 'run', ...talk, settings: build };
}
