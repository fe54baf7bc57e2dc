// The members of a tar stream (tar-stream), inside a .deb's data.tar or an
// Arch package, with the end-of-archive marker checked.
import { Readable } from 'node:stream';
import { extract as tarExtract } from 'tar-stream';
import { corrupt, KheadersError } from '../../errors.js';
import type { PackageMember } from './member.js';

function tarError(what: string, err: unknown): KheadersError {
  if (err instanceof KheadersError) return err;
  const msg = err instanceof Error ? err.message : String(err);
  return corrupt(`${what}: ${/unexpected end/i.test(msg) ? 'tar data is truncated' : `cannot read tar (${msg})`}`);
}

/** Yields the members; a body left unread is skipped. */
export async function* tarMembers(input: AsyncIterable<Buffer>, what: string, maxEntries: number): AsyncGenerator<PackageMember> {
  let total = 0;
  let tail = Buffer.alloc(0);
  async function* tap(): AsyncGenerator<Buffer> {
    for await (const c of input) {
      total += c.length;
      tail = Buffer.concat([tail, c.subarray(-1024)]).subarray(-1024);
      yield c;
    }
  }
  const extract = tarExtract();
  const src = Readable.from(tap());
  src.on('error', (e) => extract.destroy(e));
  src.pipe(extract);
  let n = 0;
  try {
    for await (const entry of extract) {
      if (++n > maxEntries) {
        throw new KheadersError('LIMIT_EXCEEDED', `${what}: more than ${maxEntries} entries`, 'pass a real distro package, or raise the entry limit');
      }
      const h = entry.header;
      // tar-stream never ends the stream of a directory that claims data (its bytes would be read as headers).
      if (h.type === 'directory' && (h.size ?? 0) !== 0) throw corrupt(`${what}: directory ${JSON.stringify(h.name)} claims ${h.size} data bytes`);
      let read = false;
      yield {
        name: h.name, size: h.size ?? 0, regular: h.type === 'file' || h.type === 'contiguous-file',
        body: async function* body(): AsyncGenerator<Buffer> {
          read = true;
          try {
            for await (const c of entry) yield c as Buffer;
          } catch (err) {
            throw tarError(what, err);
          }
        },
      };
      // Skip an unread body: tar-stream needs it read before the next header.
      if (!read) for await (const chunk of entry) void chunk;
    }
    if (total % 512 !== 0 || tail.length < 1024 || tail.some((b) => b !== 0)) throw corrupt(`${what}: tar data is truncated (no end-of-archive marker)`);
  } catch (err) {
    throw tarError(what, err);
  } finally {
    extract.destroy();
    src.destroy();
  }
}
