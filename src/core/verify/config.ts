// Cross-checks a .config with the archive's include/generated/autoconf.h,
// following how Kconfig writes the header for each option type.
import { readFile } from 'node:fs/promises';
import { KheadersError } from '../errors.js';
import type { Finding } from './report.js';

/** Option name -> its .config value; null for "# CONFIG_X is not set" (or =n). */
export type DotConfig = Map<string, string | null>;

const SET_RE = /^(CONFIG_[A-Za-z0-9_]+)=(.*)$/;
const UNSET_RE = /^# (CONFIG_[A-Za-z0-9_]+) is not set$/;
const DEFINE_RE = /^#define (CONFIG_[A-Za-z0-9_]+) (.*)$/;

export function parseDotConfig(text: string): DotConfig {
  const out: DotConfig = new Map();
  for (const line of text.split('\n')) {
    const set = SET_RE.exec(line);
    if (set) {
      const [, name = '', value = ''] = set;
      out.set(name, value === 'n' ? null : value);
      continue;
    }
    const unset = UNSET_RE.exec(line);
    if (unset?.[1]) out.set(unset[1], null);
  }
  return out;
}

/** CONFIG_ macro name -> its replacement text, from autoconf.h. */
export function parseAutoconf(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = DEFINE_RE.exec(line);
    if (m?.[1] !== undefined) out.set(m[1], m[2] ?? '');
  }
  return out;
}

export async function loadDotConfig(file: string): Promise<DotConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new KheadersError('BAD_INPUT', `cannot read the config file ${file}: ${(err as Error).message}`,
      'pass --config with the .config the kernel was built with');
  }
  const cfg = parseDotConfig(text);
  if (cfg.size === 0) {
    throw new KheadersError('BAD_INPUT', `${file} has no CONFIG_ lines; it is not a kernel .config`,
      'pass --config with the .config the kernel was built with');
  }
  return cfg;
}

/**
 * The autoconf.h values Kconfig may write for a .config value: strings and
 * ints as they are; a hex value without a 0x prefix gains one (the .config
 * alone cannot tell "10" hex from "10" int, so both forms are accepted).
 */
function headerValues(value: string): string[] {
  return /^[0-9a-fA-F]+$/.test(value) ? [value, `0x${value}`] : [value];
}

const show = (name: string, value: string | undefined): string =>
  value === undefined ? `${name} not defined` : `#define ${name} ${value}`;

/** One finding per option whose autoconf.h form disagrees with the .config. */
export function checkConfig(cfg: DotConfig, autoconf: Map<string, string>): Finding[] {
  const findings: Finding[] = [];
  const seen = new Set<string>();
  const bad = (name: string, detail: string, expected: string, actual: string): void => {
    findings.push({ category: 'config', name, detail, expected, actual });
  };
  for (const [name, value] of cfg) {
    const mod = `${name}_MODULE`;
    seen.add(name);
    seen.add(mod);
    const plain = autoconf.get(name);
    const module = autoconf.get(mod);
    const found = module !== undefined ? show(mod, module) : show(name, plain);
    if (value === null) {
      if (plain !== undefined || module !== undefined) bad(name, 'is not set in .config but defined in autoconf.h', show(name, undefined), found);
    } else if (value === 'y') {
      if (plain !== '1' || module !== undefined) bad(name, '=y in .config; autoconf.h disagrees', show(name, '1'), found);
    } else if (value === 'm') {
      if (module !== '1' || plain !== undefined) bad(name, '=m in .config; autoconf.h disagrees', show(mod, '1'), found);
    } else {
      const want = headerValues(value);
      const ok = plain !== undefined && want.includes(plain) && module === undefined;
      if (!ok) bad(name, `=${value} in .config; autoconf.h disagrees`, show(name, /[a-fA-F]/.test(value) && want.length > 1 ? `0x${value}` : value), found);
    }
  }
  for (const [name, value] of autoconf) {
    if (!seen.has(name)) bad(name, 'defined in autoconf.h but absent from .config', show(name, undefined), show(name, value));
  }
  return findings;
}
