// One HTTP GET with Node's own http/https (src/core may not use @actions/*),
// honouring HTTP(S)_PROXY and NO_PROXY like curl and @actions/http-client.
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import tls from 'node:tls';
import type { Duplex } from 'node:stream';

/** The part of a response the downloader needs. */
export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: AsyncIterable<Uint8Array>;
  /** Stops reading and frees the connection. */
  destroy(): void;
}

/** A single GET, no redirects followed. Injectable (the action may pass one built on @actions/http-client). */
export type HttpGet = (url: URL, opts: { signal: AbortSignal; headers: Record<string, string> }) => Promise<HttpResponse>;

function env(...names: string[]): string | undefined {
  for (const n of names) {
    const v = process.env[n] ?? process.env[n.toLowerCase()];
    if (v) return v;
  }
  return undefined;
}

/** True when NO_PROXY (or loopback) says to go direct for this URL. */
export function bypassProxy(url: URL, noProxy = env('NO_PROXY') ?? ''): boolean {
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.startsWith('127.') || host === '::1') return true;
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  for (const raw of noProxy.split(/[,\s]+/)) {
    const entry = raw.trim().toLowerCase();
    if (!entry) continue;
    if (entry === '*') return true;
    const [name, p] = entry.startsWith('[') ? [entry.replace(/^\[|\](:\d+)?$/g, ''), /\]:(\d+)$/.exec(entry)?.[1]] : entry.split(':');
    if (p && p !== port) continue;
    const bare = name.replace(/^\*?\./, '');
    if (host === bare || host.endsWith(`.${bare}`)) return true;
  }
  return false;
}

/** The proxy URL for a request URL, or undefined to go direct. */
export function proxyFor(url: URL): URL | undefined {
  if (bypassProxy(url)) return undefined;
  const p = url.protocol === 'https:' ? env('HTTPS_PROXY') : env('HTTP_PROXY');
  if (!p) return undefined;
  return new URL(p.includes('://') ? p : `http://${p}`);
}

function proxyAuth(proxy: URL): Record<string, string> {
  if (!proxy.username) return {};
  const cred = `${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`;
  return { 'proxy-authorization': `Basic ${Buffer.from(cred).toString('base64')}` };
}

function tunnel(proxy: URL, target: URL, signal: AbortSignal): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    const authority = `${target.hostname}:${target.port || 443}`;
    const req = http.request({
      host: proxy.hostname, port: proxy.port || 80, method: 'CONNECT', path: authority,
      headers: { host: authority, ...proxyAuth(proxy) }, signal,
    });
    req.once('connect', (res, socket) => {
      if (res.statusCode === 200) resolve(socket);
      else {
        socket.destroy();
        reject(new Error(`proxy ${proxy.host} refused CONNECT ${authority}: HTTP ${res.statusCode}`));
      }
    });
    req.once('error', reject);
    req.end();
  });
}

function wrap(res: IncomingMessage): HttpResponse {
  return { status: res.statusCode ?? 0, headers: res.headers, body: res, destroy: () => res.destroy() };
}

/** The default HttpGet: Node http/https with proxy support. */
export const nodeHttpGet: HttpGet = async (url, { signal, headers }) => {
  const proxy = proxyFor(url);
  const hdrs = { 'user-agent': 'kheaders', ...headers };
  let req: http.ClientRequest;
  if (proxy && url.protocol === 'http:') {
    req = http.request({ host: proxy.hostname, port: proxy.port || 80, path: url.href, headers: { ...hdrs, host: url.host, ...proxyAuth(proxy) }, signal });
  } else if (proxy) {
    const socket = await tunnel(proxy, url, signal);
    req = https.request(url, { headers: hdrs, signal, agent: false, createConnection: () => tls.connect({ socket, servername: url.hostname }) });
  } else {
    req = (url.protocol === 'https:' ? https : http).request(url, { headers: hdrs, signal });
  }
  return new Promise((resolve, reject) => {
    req.once('response', (res) => resolve(wrap(res)));
    req.once('error', reject);
    req.end();
  });
};
