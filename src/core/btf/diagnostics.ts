// Reading clang's stderr for a marked unit: which header each error came from.
import { MARKER } from './unit.js';

export interface UnitErrors {
  /** Header index -> its first error (file:line: message). */
  errors: Map<number, string>;
  /** The last marker clang reached: after a fatal error, later headers were not compiled. */
  reached: number;
  /** An error before the first marker: the prelude itself failed. */
  prelude?: string;
  fatal: boolean;
}

const DIAG = /^(.+?):(\d+):\d+: (fatal error|error): (.*)$/;
const MARK = new RegExp(`warning: ${MARKER}(\\d+)`);

export function parseUnitErrors(stderr: string): UnitErrors {
  const errors = new Map<number, string>();
  let current = -1;
  let prelude: string | undefined;
  let fatal = false;
  for (const line of stderr.split('\n')) {
    const mark = MARK.exec(line);
    if (mark) {
      current = Number(mark[1]);
      continue;
    }
    const d = DIAG.exec(line);
    if (!d) continue;
    const text = `${d[1].replace(/^\.\//, '')}:${d[2]}: ${d[3]}: ${d[4]}`;
    if (d[3] === 'fatal error') fatal = true;
    if (current < 0) prelude ??= text;
    else if (!errors.has(current)) errors.set(current, text);
  }
  return { errors, reached: current, prelude, fatal };
}
