// The one place that loads node-liblzma, and only when xz work starts (so
// --help, --version and key work where its native addon cannot load). Decoding
// uses the addon, else the WASM liblzma of the same package (xz-wasm.ts);
// encoding uses the addon, else the system xz (xz-spawn.ts); with neither, a
// clear error names the platform.
import { Transform, type Duplex, type TransformCallback, type TransformOptions } from 'node:stream';
import { KheadersError } from '../errors.js';
import { wasmUnxz } from './xz-wasm.js';
import { spawnXz, systemXz } from './xz-spawn.js';

// liblzma's return codes (lzma/base.h), the same for the addon and the WASM build.
export const LZMA_MEMLIMIT_ERROR = 6;
export const LZMA_FORMAT_ERROR = 7;
export const LZMA_OPTIONS_ERROR = 8;
export const LZMA_DATA_ERROR = 9;
export const LZMA_BUF_ERROR = 10;
/** The CRC64 check id. */
export const CHECK_CRC64 = 4;

type Addon = typeof import('node-liblzma');
let addon: Promise<Addon | Error> | undefined;

/** node-liblzma with its native addon, or why it cannot load here. */
export function loadAddon(): Promise<Addon | Error> {
  addon ??= import('node-liblzma').then((m) => m, (e: unknown) => (e instanceof Error ? e : new Error(String(e))));
  return addon;
}

export const platform = (): string => `${process.platform}-${process.arch}`;

/** Which encoder writes the xz bytes: the addon's liblzma, or the system xz (named with its version). */
export interface XzEncoder {
  kind: 'addon' | 'system';
  /** e.g. "liblzma 5.8.2 (node-liblzma addon)" or "xz (XZ Utils) 5.4.1". */
  name: string;
}

/** The encoder a build will use; throws a KheadersError naming the platform when there is none. */
export async function xzEncoder(): Promise<XzEncoder> {
  const a = await loadAddon();
  if (!(a instanceof Error)) return { kind: 'addon', name: `liblzma ${a.versionString()} (node-liblzma addon)` };
  const xz = systemXz();
  if (xz !== null) return { kind: 'system', name: xz.version };
  throw new KheadersError('UNSUPPORTED_PLATFORM',
    `cannot compress xz on ${platform()}: the bundled native xz addon does not load here (${firstLine(a)}) and there is no xz on PATH`,
    'install xz (XZ Utils: apt-get install xz-utils, dnf install xz, apk add xz, brew install xz), or pass --compression none');
}

const firstLine = (e: Error): string => e.message.split('\n')[0] ?? e.message;

export interface XzOptions {
  preset: number;
  /** 1: liblzma's single-threaded encoder (xz -T1); 2 or more: the multithreaded one. */
  threads: number;
  chunkSize?: number;
}

/** An xz encoder (CRC64), resolved when the first byte arrives. */
export function createXz(opts: XzOptions): Transform {
  return new Lazy(async () => {
    const enc = await xzEncoder();
    if (enc.kind === 'system') return spawnXz(systemXz()!, opts.preset, opts.threads);
    const a = (await loadAddon()) as Addon;
    return a.createXz({ preset: opts.preset, check: a.check.CRC64, threads: opts.threads, chunkSize: opts.chunkSize ?? 1 << 20 }) as unknown as Transform;
  });
}

/** An xz decoder for one stream: the addon's, else the WASM one. */
export function createUnxz(opts: { chunkSize?: number } = {}, streamOpts: TransformOptions = {}): Transform {
  return new Lazy(async () => {
    const a = await loadAddon();
    if (a instanceof Error) return wasmUnxz(streamOpts);
    const unxz = a.createUnxz(opts, streamOpts);
    stopWhenDestroyed(unxz);
    return unxz as unknown as Transform;
  }, streamOpts);
}

/** A Transform over a codec made asynchronously on first use (first chunk, or the end). */
export class Lazy extends Transform {
  private inner?: Promise<Duplex>;
  constructor(private readonly make: () => Promise<Duplex>, opts: TransformOptions = {}) {
    super(opts.highWaterMark === undefined ? {} : { highWaterMark: opts.highWaterMark });
  }
  private codec(): Promise<Duplex> {
    this.inner ??= this.make().then((t) => {
      t.on('data', (c: Buffer) => {
        if (!this.push(c)) t.pause();
      });
      t.on('error', (e) => this.destroy(e));
      if (this.destroyed) t.destroy();
      return t;
    });
    return this.inner;
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.codec().then((t) => {
      if (t.write(chunk)) cb();
      else t.once('drain', () => cb());
    }, cb);
  }
  override _flush(cb: TransformCallback): void {
    this.codec().then((t) => {
      t.once('end', () => cb());
      t.end();
    }, cb);
  }
  override _read(size: number): void {
    super._read(size);
    void this.inner?.then((t) => t.resume(), () => undefined);
  }
  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    void this.inner?.then((t) => t.destroy(), () => undefined);
    cb(err);
  }
}

/** The binding's per-stream engine: code() runs one step in the thread pool and calls back. */
interface Engine { code: (...args: unknown[]) => void }

/**
 * node-liblzma keeps decoding the rest of an input chunk after its stream is
 * destroyed (a refused 6 GiB member would drain for a minute at full CPU):
 * once destroyed, the next step is not started, so the work ends at once.
 */
function stopWhenDestroyed(unxz: { destroyed: boolean }): void {
  const holder = unxz as unknown as { lzma?: Engine };
  const engine = holder.lzma;
  if (engine === undefined || typeof engine.code !== 'function') return;
  const code = (...args: unknown[]): void => {
    if (!unxz.destroyed) engine.code(...args);
  };
  holder.lzma = new Proxy(engine, {
    get(target, prop): unknown {
      if (prop === 'code') return code;
      const v = (target as unknown as Record<string | symbol, unknown>)[prop];
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}
