// One HTTP GET with undici (bundled; src/core may not use @actions/*),
// honouring HTTP(S)_PROXY and NO_PROXY like curl and @actions/http-client.
import { Agent, ProxyAgent, request, type Dispatcher } from 'undici';

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

/**
 * A dispatcher for one request, closed when its body ends: undici's
 * ProxyAgent (CONNECT tunnels for https, an absolute-URL request for http,
 * Proxy-Authorization from the URL's user:pass) or a plain Agent. Not undici's
 * EnvHttpProxyAgent: it proxies loopback unless NO_PROXY names it and refuses a
 * scheme-less HTTPS_PROXY (host:port, as curl takes it), so which proxy to use
 * stays ours (proxyFor above).
 */
function dispatcherFor(proxy: URL | undefined): Dispatcher {
  return proxy === undefined ? new Agent() : new ProxyAgent({ uri: proxy.href, proxyTunnel: false });
}

/** The default HttpGet: undici, through the proxy the environment names. */
export const nodeHttpGet: HttpGet = async (url, { signal, headers }) => {
  const dispatcher = dispatcherFor(proxyFor(url));
  const close = (): void => { dispatcher.close().catch(() => undefined); };
  try {
    const res = await request(url, { method: 'GET', headers: { 'user-agent': 'kheaders', ...headers }, signal, dispatcher, maxRedirections: 0 });
    res.body.once('close', close);
    // dump, not destroy: a destroyed undici body reports an unhandled "Request aborted".
    return { status: res.statusCode, headers: res.headers, body: res.body, destroy: () => { res.body.dump().catch(() => undefined); } };
  } catch (err) {
    close();
    throw err;
  }
};
