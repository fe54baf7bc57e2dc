import { formatError, KheadersError, type Logger, type Settings } from '../core/index.js';
import { parseCli } from './args.js';
import { buildCommand, diffCommand, extractCommand, keyCommand, verifyCommand } from './commands.js';
import { COMMAND_HELP, USAGE } from './help.js';
import { version } from './version.js';
import { consoleLogger, useColour } from './logger.js';
import { makeSampleTree } from './sample.js';

/** Runs the CLI and returns the exit code; the only place errors become exit codes. */
export async function runCli(argv: readonly string[]): Promise<number> {
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
  const tty = Boolean(process.stderr.isTTY);
  let log: Logger = consoleLogger({ verbose: false, tty: false, colour: useColour(tty, process.env) });
  let cleanup = async (): Promise<void> => undefined;
  try {
    const args = parseCli(argv, process.env, process.cwd());
    if (args.kind === 'help') {
      process.stdout.write(`${args.command ? COMMAND_HELP[args.command] : USAGE}\n`);
      return 0;
    }
    if (args.kind === 'version') {
      process.stdout.write(`kheaders ${version()}\n`);
      return 0;
    }
    log = consoleLogger({ verbose: args.verbose, tty, colour: useColour(tty, process.env) });
    let settings: Settings;
    if (args.kind === 'sample') {
      const { arch, pack, output } = args.sample;
      const sample = await makeSampleTree(arch.srcarch, arch.makeArch);
      cleanup = sample.cleanup;
      log.info(`no --source given: building the embedded sample tree at ${sample.tree.source} (pass --source DIR for a real kernel tree)`);
      settings = { command: 'build', tree: sample.tree, pack, output };
    } else {
      settings = args.settings;
    }
    switch (settings.command) {
      case 'build': return await buildCommand(settings, log, abort.signal);
      case 'key': return await keyCommand(settings, log);
      case 'verify': return await verifyCommand(settings, log);
      case 'extract': return await extractCommand(settings, log, abort.signal);
      case 'diff': return await diffCommand(settings, log);
    }
  } catch (err) {
    return reportError(abort.signal.aborted ? abort.signal.reason : err, log);
  } finally {
    await cleanup();
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
