// The zstd guard: a scan of the frame structure (frame headers, block
// headers) that runs ahead of every zstd decoder (node:zlib, the system zstd,
// fzstd), so all three refuse the same input in the same words: windows over
// zstd's own default limit (128 MiB), blocks over the format's maximum, bytes
// after the last frame that start no other, a frame that never ends. It tells
// where frames end (node:zlib decodes one frame per stream). fzstd allocates a
// frame's whole window up front and moves it once per block, so for fzstd it
// also refuses streams whose window moves would cost far more than their size
// justifies (a few bytes per block, each moving a large window, would keep it
// busy for hours). Errors leave out the input's name: the codec table puts it in front.
import { KheadersError } from '../../../errors.js';

/** zstd's default decoder limit (ZSTD_WINDOWLOG_LIMIT_DEFAULT = 27): what `zstd -d` accepts without --memory. */
export const MAX_ZSTD_WINDOW = 1 << 27;
export const FRAME_MAGIC = 0xfd2fb528;
const MAX_BLOCK = 128 * 1024;
/**
 * Window bytes fzstd may move, in all: 32 GiB (about 2 s), or 4 KiB per compressed input
 * byte. A real package (modules already compressed, about 1:1) uses a small
 * fraction: 150 MB with a 32 MiB window moves 38 GB of the 600 GB allowed.
 */
const WORK_FLOOR = 32 * 1024 ** 3;
const WORK_PER_INPUT_BYTE = 4096;

type State = 'magic' | 'skippable' | 'descriptor' | 'header' | 'block' | 'checksum' | 'skip';

/** Follows frame and block boundaries without decoding. */
export class FrameScanner {
  private state: State = 'magic';
  private want = 4;
  private pend: Buffer = Buffer.alloc(0);
  private skipLeft = 0;
  private after: State = 'magic';
  private descriptor = 0;
  private checksum = false;
  private window = 0;
  blocks = 0;
  frames = 0;
  /** Window bytes the decoder will move: the frame's window per block. */
  work = 0;

  constructor(private readonly maxWindow: number) {}

  /** The offsets in the last scanned chunk where a frame (zstd or skippable) ended. */
  ends: number[] = [];

  /** Scans a chunk; returns the chunk offsets where block headers start. */
  scan(chunk: Buffer): number[] {
    const starts: number[] = [];
    this.ends = [];
    for (let i = 0; i < chunk.length;) {
      const before = this.state;
      if (this.state === 'skip') {
        const n = Math.min(this.skipLeft, chunk.length - i);
        this.skipLeft -= n;
        i += n;
        if (this.skipLeft === 0) this.expect(this.after);
      } else {
        if (this.state === 'block' && this.pend.length === 0) starts.push(i);
        const take = Math.min(this.want - this.pend.length, chunk.length - i);
        this.pend = Buffer.concat([this.pend, chunk.subarray(i, i + take)]);
        i += take;
        if (this.pend.length < this.want) break;
        const field = this.pend;
        this.pend = Buffer.alloc(0);
        this.onField(field);
      }
      if (this.state === 'magic' && before !== 'magic') this.ends.push(i);
    }
    return starts;
  }

  /** Throws unless the input ended between frames. */
  finish(): void {
    if (this.frames === 0 && this.state === 'magic' && this.pend.length === 0) throw new Error('the zstd stream is empty');
    if (this.state !== 'magic' || this.pend.length !== 0) {
      throw new Error(`a zstd frame never ends: the input stops inside it (after ${this.blocks} blocks)`);
    }
  }

  private expect(state: State, want = state === 'block' ? 3 : 4): void {
    this.state = state;
    this.want = want;
  }

  private skip(n: number, then: State): void {
    if (n === 0) return this.expect(then);
    this.skipLeft = n;
    this.after = then;
    this.state = 'skip';
  }

  private onField(f: Buffer): void {
    switch (this.state) {
      case 'magic': {
        const m = f.readUInt32LE(0);
        if (m === FRAME_MAGIC) return this.expect('descriptor', 1);
        if ((m & 0xfffffff0) >>> 0 === 0x184d2a50) return this.expect('skippable', 4);
        throw new Error(`not a zstd frame (magic 0x${m.toString(16)})`);
      }
      case 'skippable':
        return this.skip(f.readUInt32LE(0), 'magic');
      case 'descriptor': {
        const d = f[0];
        if (d & 8) throw new Error('a zstd frame header has its reserved bit set');
        this.descriptor = d;
        this.checksum = ((d >> 2) & 1) === 1;
        const single = (d >> 5) & 1;
        const want = (single ? 0 : 1) + [0, 1, 2, 4][d & 3] + [single, 2, 4, 8][d >> 6];
        return this.expect('header', want);
      }
      case 'header':
        this.checkHeader(f);
        this.frames++;
        return this.expect('block');
      case 'block': {
        const h = f[0] | (f[1] << 8) | (f[2] << 16);
        const type = (h >> 1) & 3;
        const size = h >>> 3;
        if (type === 3) throw new Error('a zstd block has the reserved type');
        const max = Math.min(this.window, MAX_BLOCK);
        if (size > max) throw new Error(`a zstd block claims ${size} bytes (at most ${max} in this frame)`);
        this.blocks++;
        this.work += this.window;
        const last = (h & 1) === 1;
        return this.skip(type === 1 ? 1 : size, last ? (this.checksum ? 'checksum' : 'magic') : 'block');
      }
      case 'checksum':
        return this.expect('magic');
      default:
        throw new Error(`zstd scanner: unexpected state ${this.state}`);
    }
  }

  /** The frame header after its descriptor: window size, dictionary id, content size. */
  private checkHeader(f: Buffer): void {
    const d = this.descriptor;
    const single = ((d >> 5) & 1) === 1;
    let at = 0;
    let window = 0;
    if (!single) {
      const wd = f[at++];
      const base = 2 ** (10 + (wd >> 3));
      window = base + (base / 8) * (wd & 7);
    }
    const dictBytes = [0, 1, 2, 4][d & 3];
    const dict = dictBytes === 0 ? 0 : f.readUIntLE(at, dictBytes);
    at += dictBytes;
    if (dict !== 0) throw new KheadersError('BAD_INPUT', `the zstd frame needs dictionary ${dict}`, 'recompress without a dictionary (distro packages never use one)');
    const fcsBytes = f.length - at;
    if (single) window = fcsBytes === 8 ? Number(f.readBigUInt64LE(at)) : f.readUIntLE(at, fcsBytes) + (fcsBytes === 2 ? 256 : 0);
    if (window > this.maxWindow) {
      throw new KheadersError('LIMIT_EXCEEDED', `a zstd frame needs a ${window}-byte window, over the ${this.maxWindow}-byte limit`,
        'recompress with a smaller window (zstd -d refuses it by default too)');
    }
    this.window = window;
  }
}

/** Refuses input whose window moves would cost far more than its size justifies. */
export function checkWork(scanner: FrameScanner, seen: number): void {
  const budget = Math.max(WORK_FLOOR, seen * WORK_PER_INPUT_BYTE);
  if (scanner.work > budget) {
    throw new KheadersError('LIMIT_EXCEEDED', `${scanner.blocks} zstd blocks would make the decoder move ${scanner.work} window bytes for ${seen} bytes of input (over ${budget})`,
      'pass a package made by a real zstd encoder (or decompress it with zstd -d and recompress it with a smaller window)');
  }
}
