import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { KheadersError } from '../errors.js';
import type { ConfigSpec } from '../settings.js';

/** make targets that write a .config end in "config" (defconfig, x86_64_defconfig, tinyconfig). */
const TARGET = /^[A-Za-z0-9_.+-]*config$/;

function kindAt(path: string): 'file' | 'other' | 'missing' {
  try {
    return statSync(path).isFile() ? 'file' : 'other';
  } catch {
    return 'missing';
  }
}

/**
 * The one reading of a --config / `config:` value: a path (it has a "/", starts
 * with ".", or names an existing file under cwd) must be a file; anything else
 * must be a make target ending in "config".
 */
export function parseConfigSpec(text: string, cwd: string): ConfigSpec {
  const path = resolve(cwd, text);
  const at = kindAt(path);
  if (text.includes('/') || text.startsWith('.') || at !== 'missing') {
    if (at === 'file') return { kind: 'file', path };
    throw new KheadersError('BAD_INPUT', `config file ${path} ${at === 'missing' ? 'does not exist' : 'is not a regular file'}`,
      'pass a .config file that exists, or a make target such as defconfig');
  }
  if (TARGET.test(text)) return { kind: 'target', target: text };
  throw new KheadersError('BAD_INPUT', `config "${text}" is neither a file nor a make target ending in "config"`,
    'pass a .config path, or a target such as defconfig, x86_64_defconfig or tinyconfig');
}

/** The spec as the user would write it, for logs. */
export function describeConfig(spec: ConfigSpec): string {
  return spec.kind === 'file' ? spec.path : spec.target;
}
