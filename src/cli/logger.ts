import type { Location, Logger } from '../core/index.js';
import type { Out } from './io.js';

/** Colour on a TTY only, and never when NO_COLOR is set (no-color.org). */
export function useColour(tty: boolean, env: NodeJS.ProcessEnv): boolean {
  return tty && (env.NO_COLOR === undefined || env.NO_COLOR === '') && env.TERM !== 'dumb';
}

/** A Logger for terminals: messages on stderr, a live status line on a TTY; quiet: errors only. */
export function consoleLogger(opts: { verbose: boolean; quiet?: boolean; tty: boolean; colour?: boolean; stream?: Out }): Logger {
  const stderr: Out = opts.stream ?? process.stderr;
  const quiet = opts.quiet ?? false;
  const paint = (code: string, s: string): string => (opts.colour ? `\x1b[${code}m${s}\x1b[0m` : s);
  let status = false;
  const clear = (): void => {
    if (status) stderr.write('\r\x1b[K');
    status = false;
  };
  const line = (text: string): void => {
    clear();
    stderr.write(`${text}\n`);
  };
  const where = (at?: Location): string => (at?.file ? `${at.file}${at.startLine ? `:${at.startLine}` : ''}: ` : '');
  let last = 0;
  return {
    debug: (m) => { if (opts.verbose) line(paint('2', `debug: ${m}`)); },
    info: (m) => { if (!quiet) line(m); },
    warning: (m, at) => { if (!quiet) line(`${paint('33', 'warning:')} ${where(at)}${m}`); },
    error: (m, at) => line(`${paint('31', 'error:')} ${where(at)}${m}`),
    async group<T>(name: string, fn: () => Promise<T>): Promise<T> {
      if (!quiet) line(paint('1', `== ${name}`));
      try {
        return await fn();
      } finally {
        clear();
      }
    },
    progress(m) {
      if (!opts.tty || quiet) return;
      const now = Date.now();
      if (now - last < 100) return;
      last = now;
      stderr.write(`\r\x1b[K${m}`);
      status = true;
    },
  };
}
