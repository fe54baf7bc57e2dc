// --variant RULES: the rules stated by hand, overriding what the script says.
// Form: comma-separated key=value, e.g. "copy=cpio,objwins=no,sort=list,mode=no".
import { KheadersError } from '../errors.js';
import type { Variant } from '../types.js';
import { defaultRules, describe, type FileRules, type VariantInfo } from './script.js';

const KEYS: Record<string, readonly string[]> = {
  copy: ['cpio', 'tar', 'lists'],
  objwins: ['yes', 'no'],
  names: ['headers', 'all', 'every'],
  follow: ['yes', 'no'],
  script: ['yes', 'no'],
  deref: ['yes', 'no'],
  uts: ['keep', 'drop'],
  silly: ['yes', 'no'],
  sort: ['name', 'list', 'none'],
  mode: ['yes', 'no'],
  owner: ['numeric', 'root', 'builder'],
  mtime: ['kbuild', 'sde', 'files'],
};

const FIX = `use key=value pairs separated by commas: ${Object.entries(KEYS).map(([k, v]) => `${k}=${v.join('|')}`).join(', ')}, exclude=PATTERN (repeatable), mtime=@EPOCH`;

/** Parses a --variant spec, starting from the script's rules (or a variant's defaults). */
export function applyRulesSpec(spec: string, base: VariantInfo | undefined): VariantInfo {
  let variant: Variant = base?.variant ?? 'cpio';
  const r: FileRules = { ...(base?.rules ?? defaultRules(variant)) };
  const excludes: string[] = [];
  for (const part of spec.split(',').map((p) => p.trim()).filter(Boolean)) {
    const m = /^([a-z]+)=(.+)$/.exec(part);
    if (!m) throw new KheadersError('USAGE', `--variant: "${part}" is not key=value`, FIX);
    const [, key, value] = m as unknown as [string, string, string];
    if (key === 'exclude') { excludes.push(value); continue; }
    if (key === 'mtime' && /^@\d+$/.test(value)) { r.mtime = 'fixed'; r.fixedMtime = value; continue; }
    const allowed = KEYS[key];
    if (allowed === undefined) throw new KheadersError('USAGE', `--variant: unknown key "${key}"`, FIX);
    if (!allowed.includes(value)) throw new KheadersError('USAGE', `--variant: ${key} must be one of ${allowed.join(', ')}, got "${value}"`, FIX);
    const yes = value === 'yes';
    switch (key) {
      case 'copy': variant = value === 'lists' ? 'makefile' : (value as Variant); break;
      case 'objwins': r.objOverrides = yes; break;
      case 'names': r.names = value as 'headers' | 'all' | 'every'; break;
      case 'follow': r.followLinks = yes; break;
      case 'script': r.withScript = yes; break;
      case 'deref': r.dereference = yes; break;
      case 'uts': r.dropUtsversion = value === 'drop'; break;
      case 'silly': r.excludeSillyRename = yes; break;
      case 'sort': r.sort = value as 'name' | 'list' | 'none'; break;
      case 'mode': r.mode = yes; break;
      case 'owner': r.owner = value as 'numeric' | 'root' | 'builder'; break;
      case 'mtime': r.mtime = value as 'kbuild' | 'sde' | 'files'; break;
    }
  }
  if (excludes.length > 0) r.excludes = excludes;
  return { variant, known: true, rules: r, constructs: [], unknown: [], reason: `rules given by --variant: ${describe(variant, r)}` };
}
