import type { Location, Logger } from '../core/index.js';

/** Colour on a TTY only, and never when NO_COLOR is set (no-color.org). */
export function useColour(tty: boolean, env: NodeJS.ProcessEnv): boolean {
  return tty && (env.NO_COLOR === undefined || env.NO_COLOR === '') && env.TERM !== 'dumb';
}

/** A Logger for terminals: messages on stderr, a live status line on a TTY. */
export function consoleLogger(opts: { verbose: boolean; tty: boolean; colour?: boolean }): Logger {
  const paint = (code: string, s: string): string => (opts.colour ? `\x1b[${code}m${s}\x1b[0m` : s);
  let status = false;
  const clear = (): void => {
    if (status) process.stderr.write('\r\x1b[K');
    status = false;
  };
  const line = (text: string): void => {
    clear();
    process.stderr.write(`${text}\n`);
  };
  const where = (at?: Location): string => (at?.file ? `${at.file}${at.startLine ? `:${at.startLine}` : ''}: ` : '');
  let last = 0;
  return {
    debug: (m) => { if (opts.verbose) line(paint('2', `debug: ${m}`)); },
    info: (m) => line(m),
    warning: (m, at) => line(`${paint('33', 'warning:')} ${where(at)}${m}`),
    error: (m, at) => line(`${paint('31', 'error:')} ${where(at)}${m}`),
    async group<T>(name: string, fn: () => Promise<T>): Promise<T> {
      line(paint('1', `== ${name}`));
      try {
        return await fn();
      } finally {
        clear();
      }
    },
    progress(m) {
      if (!opts.tty) return;
      const now = Date.now();
      if (now - last < 100) return;
      last = now;
      process.stderr.write(`\r\x1b[K${m}`);
      status = true;
    },
  };
}
