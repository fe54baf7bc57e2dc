// Decodes a file through the codec table and prints what came out, as JSON: for
// running the table under another Node (Node 24's node:zlib zstd) from a test.
// Usage: node --import tsx test/helpers/codec-probe.ts FILE CODEC [MAX_BYTES] [CHUNK_BYTES]
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { KheadersError } from '../../src/core/errors.js';
import { decodeStream } from '../../src/core/sources/codecs/table.js';
import { pieces } from './codec-stream.js';
import { zstdBackend } from '../../src/core/sources/codecs/zstd/zstd.js';

export interface ProbeResult {
  backend: string;
  length?: number;
  sha256?: string;
  code?: string;
  message?: string;
  /** Resident set growth while decoding, bytes. */
  rssGrowth: number;
  ms: number;
}

async function main(): Promise<void> {
  const [file, codec, max, chunk] = process.argv.slice(2) as [string, string, string | undefined, string | undefined];
  const input = readFileSync(file);
  const step = chunk === undefined ? input.length : Number(chunk);
  const backend = codec === 'zstd' ? zstdBackend() : codec;
  const rss0 = process.memoryUsage().rss;
  const t0 = Date.now();
  const h = createHash('sha256');
  let length = 0;
  let out: ProbeResult;
  try {
    for await (const c of decodeStream(pieces(input, step), codec, 'input', { maxBytes: max === undefined ? undefined : Number(max) })) {
      h.update(c);
      length += c.length;
    }
    out = { backend, length, sha256: h.digest('hex'), rssGrowth: process.memoryUsage().rss - rss0, ms: Date.now() - t0 };
  } catch (err) {
    out = { backend, code: err instanceof KheadersError ? err.code : 'OTHER', message: err instanceof Error ? err.message : String(err), rssGrowth: process.memoryUsage().rss - rss0, ms: Date.now() - t0 };
  }
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

await main();
