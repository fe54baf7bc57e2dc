import { open, type FileHandle } from 'node:fs/promises';

/** Random access to bytes, so a 1 GiB vmlinux need not be read whole. */
export interface ByteSource {
  readonly size: number;
  /** Exactly `length` bytes at `offset`; throws RangeError past the end. */
  read(offset: number, length: number): Promise<Buffer>;
  close(): Promise<void>;
}

function checkRange(size: number, offset: number, length: number): void {
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > size) {
    throw new RangeError(`read of ${length} bytes at ${offset} is outside the ${size}-byte input`);
  }
}

/** A ByteSource over a Buffer in memory. */
export function bufferSource(buf: Buffer): ByteSource {
  return {
    size: buf.length,
    read: async (offset, length) => {
      checkRange(buf.length, offset, length);
      return buf.subarray(offset, offset + length);
    },
    close: () => Promise.resolve(),
  };
}

/** A ByteSource over a file, read with positional reads. */
export async function fileSource(path: string): Promise<ByteSource> {
  const fh: FileHandle = await open(path, 'r');
  try {
    const { size } = await fh.stat();
    return {
      size,
      read: async (offset, length) => {
        checkRange(size, offset, length);
        const out = Buffer.alloc(length);
        let done = 0;
        while (done < length) {
          const { bytesRead } = await fh.read(out, done, length - done, offset + done);
          if (bytesRead === 0) throw new RangeError(`${path} shrank while being read`);
          done += bytesRead;
        }
        return out;
      },
      close: () => fh.close(),
    };
  } catch (err) {
    await fh.close();
    throw err;
  }
}
