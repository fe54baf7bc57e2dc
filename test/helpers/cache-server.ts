// An emulator of the GitHub Actions cache service on 127.0.0.1, speaking the
// protocols the bundled @actions/cache@6 client speaks (read from its source):
//   v2 (ACTIONS_CACHE_SERVICE_V2 + ACTIONS_RESULTS_URL): Twirp JSON at
//     POST /twirp/github.actions.results.api.v1.CacheService/<Method>, snake_case
//     fields, errors as {code, msg}; the archive goes to a signed Azure Blob URL
//     (Put Blob, or Put Block + Put Block List) and comes back by a plain GET.
//   v1 (ACTIONS_CACHE_URL, and always on GHES): REST under _apis/artifactcache/
//     with Accept application/json;api-version=6.0-preview.1, chunked PATCH
//     uploads with Content-Range, then a commit POST.
// Both check the bearer token (and the blob URLs their signature). With a
// BlobBackend (test/helpers/azurite.ts), v2 hands out that store's signed URLs
// instead, and the store checks them.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

const TWIRP = '/twirp/github.actions.results.api.v1.CacheService/';
const V1 = '/_apis/artifactcache/';
const BLOB = '/devstoreaccount1/actions-cache/';

export interface Entry {
  id: number;
  key: string;
  version: string;
  data: Buffer;
  /** Blocks staged with Put Block (v2) before Put Block List. */
  blocks: Map<string, Buffer>;
  finalized: boolean;
  sig: string;
  created: number;
}

export interface Logged {
  method: string;
  path: string;
  status: number;
}

/** Make matching requests fail with a status (and a protocol-shaped error body). */
export interface Fault {
  status: number;
  /** Which requests: a path prefix such as TWIRP, '/_apis/' or BLOB; default all. */
  prefix?: string;
}

/** A real blob store behind v2: signed URLs per entry id, and the size of what was committed. */
export interface BlobBackend {
  uploadUrl(id: number): Promise<string>;
  downloadUrl(id: number): Promise<string>;
  /** The committed blob's size, or undefined when there is none. */
  size(id: number): Promise<number | undefined>;
}

export interface CacheServer {
  /** http://127.0.0.1:PORT/ */
  url: string;
  token: string;
  entries: Entry[];
  log: Logged[];
  fault?: Fault;
  /** The env that makes the real client use this server. */
  env(protocol: 'v2' | 'v1' | 'ghes'): Record<string, string>;
  close(): Promise<void>;
}

async function body(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

function json(res: ServerResponse, status: number, value: unknown): void {
  const text = JSON.stringify(value);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function azureHeaders(extra: Record<string, string> = {}): Record<string, string> {
  return { 'x-ms-request-id': randomBytes(8).toString('hex'), 'x-ms-version': '2024-11-04', ETag: `"0x${randomBytes(6).toString('hex')}"`,
    'Last-Modified': new Date().toUTCString(), 'Content-Length': '0', ...extra };
}

/** Starts the emulator on an ephemeral port of 127.0.0.1. */
export async function startCacheServer(blobs?: BlobBackend): Promise<CacheServer> {
  const entries: Entry[] = [];
  const log: Logged[] = [];
  const token = randomBytes(12).toString('hex');
  let nextId = 1;
  let base = '';
  const server: CacheServer = {
    url: '', token, entries, log,
    env(protocol) {
      const common = { ACTIONS_RUNTIME_TOKEN: token };
      if (protocol === 'v2') return { ...common, ACTIONS_CACHE_SERVICE_V2: 'true', ACTIONS_RESULTS_URL: base };
      if (protocol === 'v1') return { ...common, ACTIONS_CACHE_URL: base };
      // GHES: the client forces v1 whatever ACTIONS_CACHE_SERVICE_V2 says.
      return { ...common, ACTIONS_CACHE_URL: base, ACTIONS_CACHE_SERVICE_V2: 'true', GITHUB_SERVER_URL: 'https://ghes.example.com' };
    },
    close: () => new Promise((resolve) => { http.closeAllConnections(); http.close(() => resolve()); }),
  };

  /** Exact key first, then each restore key by prefix (newest first), as the service matches. */
  const find = (keys: string[], version: string): Entry | undefined => {
    const done = entries.filter((e) => e.finalized && e.version === version).sort((a, b) => b.created - a.created);
    for (const k of keys) {
      const hit = done.find((e) => e.key === k) ?? done.find((e) => e.key.startsWith(k));
      if (hit) return hit;
    }
    return undefined;
  };
  const reserve = (key: string, version: string): Entry | undefined => {
    if (entries.some((e) => e.key === key && e.version === version)) return undefined;
    const e: Entry = { id: nextId++, key, version, data: Buffer.alloc(0), blocks: new Map(), finalized: false, sig: randomBytes(9).toString('base64url'), created: Date.now() + nextId };
    entries.push(e);
    return e;
  };
  const blobUrl = (e: Entry): string => `${base.replace(/\/$/, '')}${BLOB}${e.id}?sv=2024-11-04&se=2099-01-01&sp=rcw&sig=${encodeURIComponent(e.sig)}`;

  async function twirp(method: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!String(req.headers['content-type']).startsWith('application/json')) return json(res, 415, { code: 'bad_route', msg: 'json only' });
    const r = JSON.parse((await body(req)).toString('utf8')) as Record<string, unknown>;
    const key = String(r.key ?? '');
    const version = String(r.version ?? '');
    if (method === 'CreateCacheEntry') {
      const e = reserve(key, version);
      if (!e) return json(res, 409, { code: 'already_exists', msg: 'cache entry with the same key, version, and scope already exists' });
      return json(res, 200, { ok: true, signed_upload_url: blobs ? await blobs.uploadUrl(e.id) : blobUrl(e) });
    }
    if (method === 'FinalizeCacheEntryUpload') {
      const e = entries.find((x) => x.key === key && x.version === version && !x.finalized);
      if (!e) return json(res, 404, { code: 'not_found', msg: 'no cache entry is being uploaded for this key' });
      const size = blobs ? await blobs.size(e.id) : e.data.length;
      if (String(size) !== String(r.size_bytes)) return json(res, 200, { ok: false, message: `size ${r.size_bytes} does not match the ${size} bytes uploaded` });
      e.finalized = true;
      return json(res, 200, { ok: true, entry_id: String(e.id) });
    }
    if (method === 'GetCacheEntryDownloadURL') {
      const e = find([key, ...((r.restore_keys as string[] | undefined) ?? [])], version);
      return json(res, 200, e ? { ok: true, signed_download_url: blobs ? await blobs.downloadUrl(e.id) : blobUrl(e), matched_key: e.key } : { ok: false });
    }
    return json(res, 404, { code: 'bad_route', msg: `no method ${method}` });
  }

  async function blob(req: IncomingMessage, res: ServerResponse, u: URL): Promise<void> {
    const e = entries.find((x) => String(x.id) === u.pathname.slice(BLOB.length));
    if (!e || u.searchParams.get('sig') !== e.sig) {
      res.writeHead(403, { 'x-ms-error-code': 'AuthenticationFailed' });
      return void res.end();
    }
    if (req.method === 'GET') {
      res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': e.data.length });
      return void res.end(e.data);
    }
    if (req.method !== 'PUT' || e.finalized) {
      res.writeHead(409, { 'x-ms-error-code': 'BlobImmutable' });
      return void res.end();
    }
    const data = await body(req);
    const comp = u.searchParams.get('comp');
    if (comp === 'block') {
      e.blocks.set(String(u.searchParams.get('blockid')), data);
    } else if (comp === 'blocklist') {
      const ids = [...data.toString('utf8').matchAll(/<(?:Latest|Uncommitted|Committed)>([^<]*)<\//g)].map((m) => m[1]);
      if (ids.some((id) => !e.blocks.has(id))) {
        res.writeHead(400, { 'x-ms-error-code': 'InvalidBlockList' });
        return void res.end();
      }
      e.data = Buffer.concat(ids.map((id) => e.blocks.get(id) as Buffer));
    } else if (req.headers['x-ms-blob-type'] === 'BlockBlob') {
      e.data = data;
    } else {
      res.writeHead(400, { 'x-ms-error-code': 'MissingRequiredHeader' });
      return void res.end();
    }
    res.writeHead(201, azureHeaders({ 'x-ms-request-server-encrypted': 'true' }));
    res.end();
  }

  async function v1(req: IncomingMessage, res: ServerResponse, u: URL): Promise<void> {
    if (req.headers.accept !== 'application/json;api-version=6.0-preview.1' && req.method !== 'PATCH') return json(res, 400, { message: 'bad Accept' });
    const rest = u.pathname.slice(V1.length);
    if (req.method === 'GET' && rest === 'cache') {
      const e = find(String(u.searchParams.get('keys')).split(','), String(u.searchParams.get('version')));
      if (!e) {
        res.writeHead(204);
        return void res.end();
      }
      return json(res, 200, { cacheKey: e.key, scope: 'refs/heads/main', cacheVersion: e.version, creationTime: new Date(e.created).toISOString(),
        archiveLocation: `${base}${BLOB.slice(1)}${e.id}?sig=${encodeURIComponent(e.sig)}` });
    }
    if (req.method === 'GET' && rest === 'caches') {
      const k = String(u.searchParams.get('key'));
      const list = entries.filter((e) => e.finalized && e.key === k).map((e) => ({ cacheKey: e.key, cacheVersion: e.version, scope: 'refs/heads/main' }));
      return json(res, 200, { totalCount: list.length, artifactCaches: list });
    }
    if (req.method === 'POST' && rest === 'caches') {
      const r = JSON.parse((await body(req)).toString('utf8')) as { key: string; version: string; cacheSize?: number };
      const e = reserve(r.key, r.version);
      if (!e) return json(res, 409, { message: `Cache already exists. Scope: refs/heads/main, Key: ${r.key}, Version: ${r.version}`, typeKey: 'ReserveCacheConflictException' });
      return json(res, 201, { cacheId: e.id });
    }
    const m = /^caches\/(\d+)$/.exec(rest);
    const e = m ? entries.find((x) => x.id === Number(m[1]) && !x.finalized) : undefined;
    if (!e) return json(res, 404, { message: 'no such cache' });
    if (req.method === 'PATCH') {
      const range = /^bytes (\d+)-(\d+)\/\*$/.exec(String(req.headers['content-range']));
      const data = await body(req);
      if (!range || Number(range[2]) - Number(range[1]) + 1 !== data.length) return json(res, 400, { message: 'bad Content-Range' });
      const start = Number(range[1]);
      if (e.data.length < start + data.length) e.data = Buffer.concat([e.data, Buffer.alloc(start + data.length - e.data.length)]);
      data.copy(e.data, start);
      res.writeHead(204);
      return void res.end();
    }
    if (req.method === 'POST') {
      const r = JSON.parse((await body(req)).toString('utf8')) as { size: number };
      if (r.size !== e.data.length) return json(res, 400, { message: `size ${r.size} != ${e.data.length} uploaded` });
      e.finalized = true;
      res.writeHead(204);
      return void res.end();
    }
    return json(res, 405, { message: 'method not allowed' });
  }

  const http = createServer((req, res) => {
    const u = new URL(req.url ?? '/', base);
    res.on('finish', () => log.push({ method: req.method ?? '', path: u.pathname, status: res.statusCode }));
    const handle = async (): Promise<void> => {
      const fault = server.fault;
      if (fault && u.pathname.startsWith(fault.prefix ?? '/')) {
        await body(req);
        return json(res, fault.status, u.pathname.startsWith(TWIRP) ? { code: 'internal', msg: 'emulated failure' } : { message: 'emulated failure' });
      }
      if (u.pathname.startsWith(BLOB)) return blob(req, res, u);
      if (req.headers.authorization !== `Bearer ${token}`) return json(res, 401, { code: 'unauthenticated', msg: 'bad token', message: 'bad token' });
      if (req.method === 'POST' && u.pathname.startsWith(TWIRP)) return twirp(u.pathname.slice(TWIRP.length), req, res);
      if (u.pathname.startsWith(V1)) return v1(req, res, u);
      return json(res, 404, { message: `no route ${req.method} ${u.pathname}` });
    };
    handle().catch((err: Error) => {
      if (!res.headersSent) json(res, 500, { code: 'internal', msg: err.message, message: err.message });
      else res.destroy(err);
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(http.address() as AddressInfo).port}/`;
  server.url = base;
  return server;
}

export const ROUTES = { TWIRP, V1, BLOB };
