// The checks of single option values (the options themselves are in option-table.ts).
// A wrong option or value names the nearest right one.
import { checkThreads, defaultThreads, didYouMean, KERNEL_RELEASE, KheadersError, MD5_HEX, type Command, type Compression, type ReadLimits } from '../core/index.js';
import { ALLOWED, OPTIONS, type Option } from './option-table.js';

/** parseArgs' error as ours: an unknown option names the nearest one. */
export function optionError(err: Error, command: Command): KheadersError {
  const unknown = /Unknown option '(-{1,2})([^']+)'/.exec(err.message);
  if (unknown) {
    const [, dashes, name] = unknown as unknown as [string, string, string];
    if (dashes === '--' && name in OPTIONS) {
      const others = Object.entries(ALLOWED).filter(([, opts]) => opts.includes(name as Option)).map(([c]) => c);
      return new KheadersError('USAGE', `${command} does not take --${name} (${others.join(' and ')} ${others.length > 1 ? 'do' : 'does'})`, `see kheaders ${command} --help for its options`);
    }
    const near = didYouMean(name, [...ALLOWED[command]], '--');
    return new KheadersError('USAGE', `${command} has no option ${dashes}${name}${near}`, `see kheaders ${command} --help for its options`);
  }
  return new KheadersError('USAGE', err.message, `see kheaders ${command} --help for its options`);
}

const COMPRESSIONS: readonly Compression[] = ['compat', 'fast', 'none'];

export function parseCompression(value: string | undefined, plainTar: boolean | undefined): Compression {
  if (plainTar) {
    if (value !== undefined && value !== 'none') throw new KheadersError('USAGE', `--plain-tar and --compression ${value} contradict each other`, 'keep one');
    return 'none';
  }
  if (value === undefined) return 'compat';
  if ((COMPRESSIONS as readonly string[]).includes(value)) return value as Compression;
  throw new KheadersError('USAGE', `--compression must be "compat", "fast" or "none", got "${value}"${didYouMean(value, COMPRESSIONS)}`,
    'use --compression compat (kernel-identical), fast, or none (the plain tar; also --plain-tar)');
}

export function parseThreads(value: string | undefined, compression: Compression): number {
  if (value === undefined) return compression === 'fast' ? defaultThreads() : 1;
  if (!/^\d+$/.test(value)) throw new KheadersError('USAGE', `--threads must be a whole number, got "${value}"`, 'pass e.g. --threads 4');
  return checkThreads(Number(value), compression);
}

/** --release: a kernel release as uname -r prints it. */
export function checkRelease(value: string | undefined): string | undefined {
  if (value === undefined || KERNEL_RELEASE.test(value)) return value;
  throw new KheadersError('USAGE', `--release must be a kernel release such as 6.8.0-31-generic, got "${value}"`, 'pass the release as uname -r prints it');
}

/** --key: the md5 the cache key ends in (`kheaders key` prints it), for {key} in a URL. */
export function checkKey(value: string | undefined): string | undefined {
  if (value === undefined || MD5_HEX.test(value)) return value;
  throw new KheadersError('USAGE', `--key must be 32 hex digits, got "${value}"`, 'pass the md5 that kheaders key prints');
}

const SIZE = /^(\d+)\s*([kmg]i?b?)?$/i;
const UNIT: Record<string, number> = { k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/** --max-entry-size 64M, --max-size 2G, --max-entries 500000: the reader's limits. */
export function parseLimits(v: Partial<Record<Option, unknown>>): Partial<ReadLimits> | undefined {
  const out: Partial<ReadLimits> = {};
  const size = (opt: Option, key: 'maxEntryBytes' | 'maxTotalBytes'): void => {
    const s = v[opt];
    if (typeof s !== 'string') return;
    const m = SIZE.exec(s.trim());
    const n = m ? Number(m[1]) * (UNIT[(m[2] ?? '').charAt(0).toLowerCase()] ?? 1) : NaN;
    if (!Number.isSafeInteger(n) || n <= 0) throw new KheadersError('USAGE', `--${opt} must be a size such as 64M or 2G, got "${s}"`, `pass e.g. --${opt} 64M`);
    out[key] = n;
  };
  size('max-entry-size', 'maxEntryBytes');
  size('max-size', 'maxTotalBytes');
  const e = v['max-entries'];
  if (typeof e === 'string') {
    if (!/^\d+$/.test(e) || Number(e) <= 0) throw new KheadersError('USAGE', `--max-entries must be a whole number, got "${e}"`, 'pass e.g. --max-entries 500000');
    out.maxEntries = Number(e);
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/** --timeout SECONDS: the deadline of a download, retries included. */
export function parseTimeout(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > 86_400) {
    throw new KheadersError('USAGE', `--timeout must be whole seconds from 1 to 86400, got "${value}"`, 'pass e.g. --timeout 600');
  }
  return Number(value);
}
