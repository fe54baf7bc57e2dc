import * as core from '@actions/core';
import type { Location, Logger } from '../core/index.js';

function props(at?: Location): core.AnnotationProperties | undefined {
  return at?.file ? { file: at.file, startLine: at.startLine } : undefined;
}

/** The core's Logger over @actions/core: groups per phase, annotations with file and line. */
export const actionsLogger: Logger = {
  debug: (m) => core.debug(m),
  info: (m) => core.info(m),
  warning: (m, at) => core.warning(m, props(at)),
  error: (m, at) => core.error(m, props(at)),
  // core.group ends the group in a finally, so it closes when fn throws.
  group: <T>(name: string, fn: () => Promise<T>): Promise<T> => core.group(name, fn),
  progress: () => undefined,
};
