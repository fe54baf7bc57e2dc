// Downloads a URL to a file: redirects, retries with backoff, the overall
// deadline, an idle timeout and the size cap; the URL is redacted in every message.
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { KheadersError } from '../../errors.js';
import { redact } from './url.js';
import { nodeHttpGet, type HttpGet, type HttpResponse } from './http.js';
import { nullLogger, type Logger } from '../../log.js';
import { DEFAULT_TIMEOUT_S, MAX_INPUT_BYTES } from '../../constants.js';

export interface DownloadOptions {
  get?: HttpGet;
  /** Total attempts for retryable failures (default 4). */
  attempts?: number;
  /** First backoff delay; doubles each retry, capped at 30 s (default 1000). */
  retryDelayMs?: number;
  /** Abort an attempt when no bytes arrive for this long (default 60 s). */
  idleTimeoutMs?: number;
  /** Refuse bodies larger than this (default 1 GiB: a vmlinux with debug info fits). */
  maxBytes?: number;
  maxRedirects?: number;
  /** The deadline for the whole download, retries included (default DEFAULT_TIMEOUT_S). */
  timeoutMs?: number;
  log?: Logger;
}


class Retryable extends Error {
  constructor(message: string, readonly retryAfterMs?: number) { super(message); }
}

function retryAfter(res: HttpResponse): number | undefined {
  const v = res.headers['retry-after'];
  const s = Array.isArray(v) ? v[0] : v;
  if (!s) return undefined;
  const n = Number(s);
  const ms = Number.isFinite(n) ? n * 1000 : Date.parse(s) - Date.now();
  return Number.isFinite(ms) && ms > 0 ? Math.min(ms, 60_000) : undefined;
}

/** Reads one response into `dest`, enforcing the size cap and Content-Length. */
async function save(res: HttpResponse, dest: string, maxBytes: number, where: string, reset: () => void, log: Logger = nullLogger): Promise<number> {
  const lenHeader = res.headers['content-length'];
  const expected = typeof lenHeader === 'string' && /^\d+$/.test(lenHeader) ? Number(lenHeader) : undefined;
  if (expected !== undefined && expected > maxBytes) {
    throw new KheadersError('LIMIT_EXCEEDED', `${where} is ${expected} bytes, over the ${maxBytes}-byte limit`, 'check the URL (kheaders reads archives and packages up to this size)');
  }
  let got = 0;
  const began = Date.now();
  const count = new Transform({
    transform(chunk: Buffer, _enc, cb): void {
      reset();
      got += chunk.length;
      const pct = expected ? `${Math.floor((100 * got) / expected)}% ` : '';
      log.progress(`${pct}${(got / 1e6).toFixed(1)}${expected ? `/${(expected / 1e6).toFixed(1)}` : ''} MB from ${where}, ${((Date.now() - began) / 1000).toFixed(1)} s`);
      if (got > maxBytes) cb(new KheadersError('LIMIT_EXCEEDED', `${where} sent more than ${maxBytes} bytes`, 'check the URL (kheaders reads archives and packages up to this size)'));
      else cb(null, chunk);
    },
  });
  try {
    await pipeline(res.body, count, createWriteStream(dest));
  } catch (err) {
    if (err instanceof KheadersError) throw err;
    throw new Retryable(`download interrupted after ${got} bytes: ${(err as Error).message}`);
  }
  if (expected !== undefined && got !== expected) throw new Retryable(`truncated body: got ${got} of ${expected} bytes`);
  return got;
}

/** Downloads `url` to `dest` with redirects, retries and backoff; removes `dest` on failure. */
export async function download(url: string, dest: string, opts: DownloadOptions = {}): Promise<{ bytes: number; finalUrl: string }> {
  const get = opts.get ?? nodeHttpGet;
  const log = opts.log ?? nullLogger;
  const attempts = Math.max(1, opts.attempts ?? 4);
  const maxBytes = opts.maxBytes ?? MAX_INPUT_BYTES;
  const idle = opts.idleTimeoutMs ?? 60_000;
  let delay = opts.retryDelayMs ?? 1000;
  const shown = redact(url);
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_S * 1000;
  const deadline = AbortSignal.timeout(timeoutMs);
  const late = (): KheadersError => new KheadersError('NETWORK', `download of ${shown} did not finish within ${Math.round(timeoutMs / 1000)} s`,
    'check the network and the URL, or pass a longer --timeout (the action: timeout:)');
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        return await once(url, dest, { get, maxBytes, idle, maxRedirects: opts.maxRedirects ?? 5, log, deadline });
      } catch (err) {
        if (deadline.aborted) throw late();
        if (!(err instanceof Retryable) || attempt >= attempts) {
          if (err instanceof Retryable) {
            throw new KheadersError('NETWORK', `download of ${shown} failed after ${attempt} attempts: ${err.message}`,
              'check the network, the proxy settings (HTTPS_PROXY, NO_PROXY) and the URL, then retry');
          }
          throw err;
        }
        const wait = err.retryAfterMs ?? delay;
        log.warning(`download of ${shown} failed (${err.message}); retry ${attempt}/${attempts - 1} in ${wait} ms`);
        await sleep(wait, undefined, { signal: deadline }).catch(() => { throw late(); });
        delay = Math.min(delay * 2, 30_000);
      }
    }
  } catch (err) {
    await rm(dest, { force: true });
    throw err;
  }
}

async function once(start: string, dest: string, o: { get: HttpGet; maxBytes: number; idle: number; maxRedirects: number; log: Logger; deadline: AbortSignal }): Promise<{ bytes: number; finalUrl: string }> {
  let url = new URL(start);
  for (let hop = 0; ; hop++) {
    const ac = new AbortController();
    if (o.deadline.aborted) ac.abort();
    o.deadline.addEventListener('abort', () => ac.abort(), { once: true });
    let timer = setTimeout(() => ac.abort(), o.idle);
    const reset = (): void => { clearTimeout(timer); timer = setTimeout(() => ac.abort(), o.idle); };
    const shown = redact(url.href);
    let res: HttpResponse;
    try {
      res = await o.get(url, { signal: ac.signal, headers: { accept: '*/*' } });
    } catch (err) {
      clearTimeout(timer);
      throw new Retryable(ac.signal.aborted ? `no response within ${o.idle} ms` : (err as Error).message);
    }
    try {
      const s = res.status;
      if (s >= 300 && s < 400 && s !== 304 && res.headers.location) {
        res.destroy();
        if (hop >= o.maxRedirects) throw new KheadersError('NETWORK', `${shown}: more than ${o.maxRedirects} redirects`, 'check the URL');
        const next = new URL(String(res.headers.location), url);
        if (next.protocol !== 'http:' && next.protocol !== 'https:') throw new KheadersError('NETWORK', `${shown} redirects to unsupported ${next.protocol}`, 'use an http(s) URL');
        if (url.protocol === 'https:' && next.protocol === 'http:') {
          throw new KheadersError('NETWORK', `${shown} redirects from https to http`, 'use a URL that stays on https');
        }
        o.log.debug(`redirect ${s}: ${redact(next.href)}`);
        url = next;
        continue;
      }
      if (s === 404 || s === 410) {
        res.destroy();
        throw new KheadersError('NETWORK', `not found (HTTP ${s}): ${shown}`, 'check the URL; for a template, check that {key}, {arch} and {release} expand to a published archive');
      }
      if (s === 408 || s === 429 || s >= 500) {
        res.destroy();
        throw new Retryable(`HTTP ${s}`, retryAfter(res));
      }
      if (s < 200 || s >= 300) {
        res.destroy();
        throw new KheadersError('NETWORK', `HTTP ${s} for ${shown}`, s === 401 || s === 403 ? 'the server refused access; check credentials in the URL or its permissions' : 'check the URL');
      }
      const bytes = await save(res, dest, o.maxBytes, shown, reset, o.log);
      o.log.info(`downloaded ${bytes} bytes from ${shown}`);
      return { bytes, finalUrl: url.href };
    } catch (err) {
      if (ac.signal.aborted && !(err instanceof KheadersError)) throw new Retryable(`no data for ${o.idle} ms`);
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }
}
