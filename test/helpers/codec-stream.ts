// Feeding the codec table in tests: an input cut into pieces, decoded whole,
// and what the real tool makes of an input (the oracle).
import { spawnSync } from 'node:child_process';
import { decodeStream } from '../../src/core/sources/codecs/table.js';

/** `b` cut into chunks of `n` bytes (the last one shorter). */
export const pieces = (b: Buffer, n: number): Buffer[] => Array.from({ length: Math.ceil(b.length / n) }, (_, i) => b.subarray(i * n, (i + 1) * n));

/** Everything the table decodes from `input` as `kind`. */
export async function drain(input: Iterable<Buffer> | AsyncIterable<Buffer>, kind: string, opts: Parameters<typeof decodeStream>[3] = {}): Promise<Buffer> {
  const out: Buffer[] = [];
  for await (const c of decodeStream(input, kind, 'input', opts)) out.push(c);
  return Buffer.concat(out);
}

/** What `cmd args` (bzip2 -d -c, zstd -d -c) makes of `input`: its output, or undefined when it fails. */
export function toolOutput(cmd: string, args: string[], input: Buffer): Buffer | undefined {
  const r = spawnSync(cmd, args, { input, maxBuffer: 1 << 28 });
  return r.status === 0 ? r.stdout : undefined;
}
