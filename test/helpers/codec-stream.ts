// Feeding the codec table in tests: an input cut into pieces, decoded whole,
// and what the real tool makes of an input (the oracle).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after } from 'node:test';
import { KheadersError } from '../../src/core/errors.js';
import { decodeStream } from '../../src/core/sources/codecs/table.js';
import { childrenOf, strayChildren } from './children.js';
import { rejectsWith } from './errors.js';

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

/**
 * Decoding `packed` as `kind` through the system `tool`: going over the cap,
 * an abort, and a reader that stops must each kill the tool, which exits.
 */
export async function checkToolStops(kind: string, tool: string, packed: Buffer): Promise<void> {
  // The child is there while the output flows (so the checks below are not vacuous).
  let seen = 0;
  await rejectsWith((async () => {
    for await (const c of decodeStream([packed], kind, 'input', { maxBytes: 8 << 20 })) if (c.length > 0) seen ||= childrenOf().filter(([, n]) => n === tool).length;
  })(), 'LIMIT_EXCEEDED', /decompresses to more than 8388608 bytes/);
  assert.ok(seen >= 1, `a ${tool} process decoded`);
  assert.deepEqual(await strayChildren(tool), []);

  const ac = new AbortController();
  await rejectsWith((async () => {
    for await (const c of decodeStream([packed], kind, 'input', { signal: ac.signal })) if (c.length > 0) ac.abort(new KheadersError('INTERRUPTED', 'stopped'));
  })(), 'INTERRUPTED', /stopped/);
  assert.deepEqual(await strayChildren(tool), []);

  for await (const c of decodeStream([packed], kind, 'input')) if (c.length > 0) break;
  assert.deepEqual(await strayChildren(tool), []);
}

/** For a suite that switches KHEADERS_SYSTEM_CODECS: puts the caller's value back after it. */
export function restoreSystemCodecsAfter(): void {
  const saved = process.env.KHEADERS_SYSTEM_CODECS;
  after(() => {
    if (saved === undefined) delete process.env.KHEADERS_SYSTEM_CODECS;
    else process.env.KHEADERS_SYSTEM_CODECS = saved;
  });
}
