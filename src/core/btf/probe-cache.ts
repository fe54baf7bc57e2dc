// The probe's result cached under the archive's md5 (in the kheaders cache
// dir), valid for the same clang and target; a later run skips the probe.
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomically } from '../io/atomic.js';
import type { ProbeResult } from './probe.js';

/** Bumped when the probe's rules change, so old lists are not reused. */
const FORMAT = 4;

interface Entry extends ProbeResult {
  format: number;
  clang: string;
  triple: string;
}

export function probeCachePath(cacheDir: string, md5: string): string {
  return join(cacheDir, 'vmlinux-h', `${md5}.probe.json`);
}

export async function loadProbe(cacheDir: string, md5: string, clang: string, triple: string): Promise<ProbeResult | undefined> {
  const text = await readFile(probeCachePath(cacheDir, md5), 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  try {
    const e = JSON.parse(text) as Entry;
    if (e.format !== FORMAT || e.clang !== clang || e.triple !== triple || !Array.isArray(e.units) || !Array.isArray(e.leftOut)) return undefined;
    return { units: e.units, leftOut: e.leftOut };
  } catch {
    return undefined;
  }
}

/** Saves the list (atomically); a cache that cannot be written only costs the next run a probe. */
export async function saveProbe(cacheDir: string, md5: string, clang: string, triple: string, r: ProbeResult): Promise<boolean> {
  const entry: Entry = { format: FORMAT, clang, triple, units: r.units, leftOut: r.leftOut };
  try {
    await mkdir(join(cacheDir, 'vmlinux-h'), { recursive: true });
    await writeFileAtomically(probeCachePath(cacheDir, md5), `${JSON.stringify(entry, null, 1)}\n`);
    return true;
  } catch {
    return false;
  }
}
