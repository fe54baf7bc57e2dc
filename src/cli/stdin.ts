// `extract --from -`: stdin is copied to a private temp file first (the
// readers need a file they can seek: ELF, packages), with the input size cap.
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { KheadersError, MAX_INPUT_BYTES } from '../core/index.js';

/** Copies stdin to a temp file; returns its path and the cleanup. Refuses a terminal and more than maxBytes. */
export async function spoolStdin(stdin: NodeJS.ReadableStream & { isTTY?: boolean }, maxBytes = MAX_INPUT_BYTES): Promise<{ path: string; cleanup: () => Promise<void> }> {
  if (stdin.isTTY) {
    throw new KheadersError('USAGE', '--from - reads the archive from stdin, but stdin is a terminal', 'pipe the archive in (… | kheaders extract --from -), or pass --from FILE');
  }
  const dir = await mkdtemp(join(tmpdir(), 'kheaders-stdin-'));
  const path = join(dir, 'stdin');
  let seen = 0;
  const cap = new Transform({
    transform(chunk: Buffer, _enc, done) {
      seen += chunk.length;
      if (seen > maxBytes) done(new KheadersError('LIMIT_EXCEEDED', `stdin holds more than ${maxBytes} bytes`, 'pass the right input, or raise --max-size for an input you trust'));
      else done(null, chunk);
    },
  });
  try {
    await pipeline(stdin, cap, createWriteStream(path, { mode: 0o600 }));
  } catch (e) {
    await rm(dir, { recursive: true, force: true });
    throw e;
  }
  if (seen === 0) {
    await rm(dir, { recursive: true, force: true });
    throw new KheadersError('BAD_INPUT', 'stdin was empty', 'pipe the archive in (… | kheaders extract --from -)');
  }
  return { path, cleanup: () => rm(dir, { recursive: true, force: true }) };
}
