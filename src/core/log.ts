/** Where a finding points, for annotations (core.error with file/line). */
export interface Location {
  file?: string;
  startLine?: number;
}

/**
 * Logging and progress, injected into the core. The CLI passes a console
 * logger; the action passes one backed by @actions/core.
 */
export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warning(message: string, where?: Location): void;
  error(message: string, where?: Location): void;
  /** Run fn inside a named, collapsible phase; the phase closes even if fn throws. */
  group<T>(name: string, fn: () => Promise<T>): Promise<T>;
  /** Transient progress (a TTY status line); may be a no-op. */
  progress(message: string): void;
}

/** A logger that drops everything; for tests and library use. */
export const nullLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warning: () => undefined,
  error: () => undefined,
  group: (_name, fn) => fn(),
  progress: () => undefined,
};

/** Runs fn as a logged phase and records its duration in timings (ms). */
export async function phase<T>(log: Logger, timings: Record<string, number>, name: string, fn: () => Promise<T>): Promise<T> {
  const start = performance.now();
  try {
    return await log.group(name, fn);
  } finally {
    timings[name] = Math.round(performance.now() - start);
  }
}
