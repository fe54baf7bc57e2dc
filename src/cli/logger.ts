import type { Location, Logger } from '../core/index.js';

/** A Logger for terminals: messages on stderr, a live status line on a TTY. */
export function consoleLogger(opts: { verbose: boolean; tty: boolean }): Logger {
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
    debug: (m) => { if (opts.verbose) line(`debug: ${m}`); },
    info: (m) => line(m),
    warning: (m, at) => line(`warning: ${where(at)}${m}`),
    error: (m, at) => line(`error: ${where(at)}${m}`),
    async group<T>(name: string, fn: () => Promise<T>): Promise<T> {
      line(`== ${name}`);
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
