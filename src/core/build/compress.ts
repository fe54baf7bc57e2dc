import { availableParallelism } from 'node:os';
import { PassThrough, type Transform } from 'node:stream';
import { createXz } from '../archive/xz.js';
import { KheadersError } from '../errors.js';
import type { Compression } from '../settings.js';

/** compat: what the kernel runs (xz -6, CRC64, one thread). */
export const COMPAT_PRESET = 6;
/**
 * fast: liblzma's multithreaded encoder at preset 1. Its block size is fixed
 * by the preset (3 x 1 MiB dictionary), so the bytes never depend on the
 * thread count.
 */
export const FAST_PRESET = 1;

/** Default worker threads for fast mode: every core, and at least 2. */
export function defaultThreads(): number {
  return Math.max(2, availableParallelism());
}

/** Checks a --threads value; fast mode needs the multithreaded encoder (>= 2). */
export function checkThreads(threads: number, compression: Compression): number {
  if (!Number.isInteger(threads) || threads < 1 || threads > 256) {
    throw new KheadersError('USAGE', `threads must be an integer from 1 to 256, got ${threads}`, 'pass e.g. --threads 4');
  }
  if (compression === 'fast' && threads < 2) {
    throw new KheadersError('USAGE',
      'fast compression always uses the multithreaded encoder (its bytes must not depend on the thread count), so it needs at least 2 threads',
      'use --threads 2 or more, or --compression compat for a single thread');
  }
  return threads;
}

/** An xz encoder stream for the chosen mode. */
export function createCompressor(compression: Compression, threads: number): Transform {
  if (compression === 'none') return new PassThrough();
  if (compression === 'compat') return createXz({ preset: COMPAT_PRESET, threads: 1 });
  return createXz({ preset: FAST_PRESET, threads: checkThreads(threads, 'fast') });
}
