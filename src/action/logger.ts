import * as core from '@actions/core';
import type { Location, Logger } from '../core/index.js';

function props(at?: Location): core.AnnotationProperties | undefined {
  return at?.file ? { file: at.file, startLine: at.startLine } : undefined;
}

/** A phase inside a phase: GitHub's log viewer cannot nest groups, so an inner one is a plain line. */
let inGroup = false;

/** The core's Logger over @actions/core: groups per phase (never nested), annotations with file and line. */
export const actionsLogger: Logger = {
  debug: (m) => core.debug(m),
  info: (m) => core.info(m),
  warning: (m, at) => core.warning(m, props(at)),
  error: (m, at) => core.error(m, props(at)),
  async group<T>(name: string, fn: () => Promise<T>): Promise<T> {
    if (inGroup) {
      core.info(`-- ${name}`);
      return fn();
    }
    inGroup = true;
    try {
      // core.group ends the group in a finally, so it closes when fn throws.
      return await core.group(name, fn);
    } finally {
      inGroup = false;
    }
  },
  progress: () => undefined,
};
