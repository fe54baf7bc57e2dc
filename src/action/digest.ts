import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

/** md5, sha256 and size of a file, read once. */
export async function digestFile(path: string): Promise<{ md5: string; sha256: string; size: number }> {
  const md5 = createHash('md5');
  const sha = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
    md5.update(chunk);
    sha.update(chunk);
    size += chunk.length;
  }
  return { md5: md5.digest('hex'), sha256: sha.digest('hex'), size };
}
