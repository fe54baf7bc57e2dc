// Types for seek-bzip, which ships none (only what we call).
declare module 'seek-bzip' {
  interface ByteIn { readByte(): number; seek(pos: number): void; eof(): boolean }
  interface ByteOut { writeByte(b: number): void }
  class Bunzip {
    constructor(input: ByteIn, output: ByteOut);
    /** Reads the next block header: true for a block, false at the end-of-stream marker. */
    _init_block(): boolean;
    /** Decodes the current block into the output (checks its CRC). */
    _read_bunzip(): number;
    /** Reads the next stream's "BZh" header and starts it (a concatenated stream). */
    _start_bunzip(input: ByteIn, output: ByteOut): void;
    streamCRC: number;
    reader: { read(bits: number): number };
  }
  export = Bunzip;
}
