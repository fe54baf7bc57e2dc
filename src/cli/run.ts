import { basename, dirname, join, relative } from 'node:path';
import { formatError, KheadersError, type Logger, type Settings } from '../core/index.js';
import { parseCli, STDIO, type CliArgs } from './args.js';
import { buildCommand, diffCommand, extractCommand, keyCommand, verifyCommand } from './commands.js';
import type { Ctx } from './io.js';
import { vmlinuxHCommand } from './vmlinux-h.js';
import { COMMAND_HELP, USAGE } from './help.js';
import { line, processIo, type CliIo } from './io.js';
import { version } from './version.js';
import { consoleLogger, useColour } from './logger.js';
import { keepSampleTree } from './sample.js';

/** How the user runs us, for commands we print: `kheaders`, or `node dist/cli.js` from a clone (npm start). */
function self(cwd: string): string {
  const script = process.argv[1] ?? '';
  if (basename(script) !== 'cli.js') return 'kheaders';
  const rel = relative(cwd, script);
  return `node ${rel.startsWith('..') ? script : rel}`;
}

const quote = (p: string): string => (/^[\w@%+=:,./-]+$/.test(p) ? p : `'${p.replace(/'/g, `'\\''`)}'`);
const shown = (cwd: string, p: string): string => {
  const rel = relative(cwd, p);
  return quote(rel === '' || rel.startsWith('..') ? p : rel.includes('/') ? rel : `./${rel}`);
};

/** The first run (build without --source): the sample tree, kept next to the archive; says what, from what, where, and how to check it. */
async function sampleBuild(args: Extract<CliArgs, { kind: 'sample' }>, ctx: Ctx): Promise<number> {
  const cwd = process.cwd();
  const { arch, pack, output } = args.sample;
  const dir = join(output === STDIO ? cwd : dirname(output), 'kheaders-sample');
  const tree = await keepSampleTree(dir, arch.srcarch, arch.makeArch);
  const where = output === STDIO ? 'stdout' : shown(cwd, output);
  ctx.log.info(`building ${where} from the sample tree ${shown(cwd, dir)}: a small made-up kernel-like tree (pass --source DIR for a real kernel)`);
  const code = await buildCommand({ command: 'build', tree, pack, output }, ctx);
  if (output !== STDIO) ctx.log.info(`check it against the tree: ${self(cwd)} verify --archive ${shown(cwd, output)} --source ${shown(cwd, dir)}`);
  return code;
}

/** Runs the CLI and returns the exit code; the only place errors become exit codes. */
export async function runCli(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  // Every command stops on SIGINT/SIGTERM through this signal and removes what it staged; a second signal, or a
  // command that does not stop within 5 s, ends the process with the same exit code.
  const abort = new AbortController();
  const onSignal = (sig: NodeJS.Signals): void => {
    const err = sig === 'SIGTERM' ? new KheadersError('TERMINATED', 'terminated (SIGTERM)', 'run the command again')
      : new KheadersError('INTERRUPTED', 'interrupted', 'run the command again');
    if (abort.signal.aborted) process.exit(err.exitCode);
    abort.abort(err);
    setTimeout(() => process.exit(err.exitCode), 5000).unref();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const tty = Boolean(io.stderr.isTTY);
  const colour = useColour(tty, process.env);
  let log: Logger = consoleLogger({ verbose: false, tty: false, colour, stream: io.stderr });
  try {
    const args = parseCli(argv, process.env, process.cwd());
    if (args.kind === 'usage') {
      line(io.stderr, USAGE);
      return 2;
    }
    if (args.kind === 'help') {
      line(io.stdout, args.command ? COMMAND_HELP[args.command] : USAGE);
      return 0;
    }
    if (args.kind === 'version') {
      line(io.stdout, `kheaders ${version()}`);
      return 0;
    }
    log = consoleLogger({ verbose: args.verbose, quiet: args.quiet, tty, colour, stream: io.stderr });
    const ctx: Ctx = { io, log, signal: abort.signal, json: args.json };
    if (args.kind === 'sample') return await sampleBuild(args, ctx);
    const settings: Settings = args.settings;
    switch (settings.command) {
      case 'build': return await buildCommand(settings, ctx);
      case 'key': return await keyCommand(settings, ctx);
      case 'verify': return await verifyCommand(settings, ctx);
      case 'extract': return await extractCommand(settings, ctx);
      case 'diff': return await diffCommand(settings, ctx);
      case 'vmlinux-h': return await vmlinuxHCommand(settings, ctx);
    }
  } catch (err) {
    return reportError(abort.signal.aborted ? abort.signal.reason : err, log);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

function reportError(err: unknown, log: Logger): number {
  const cause = err instanceof Error && err.name === 'AbortError' && err.cause instanceof KheadersError ? err.cause : err;
  if (cause instanceof KheadersError) {
    log.error(formatError(cause));
    return cause.exitCode;
  }
  log.error(cause instanceof Error ? (cause.stack ?? cause.message) : String(cause));
  return 1;
}
