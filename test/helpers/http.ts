// A scripted HTTP server on 127.0.0.1 for download tests (protocol-level boundary only).
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Hit {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
}

export interface TestServer {
  /** Base URL, e.g. http://127.0.0.1:40123 */
  base: string;
  port: number;
  hits: Hit[];
  close(): Promise<void>;
}

/** Handler gets the request, the response and the 1-based count of requests so far. */
export type Handler = (req: IncomingMessage, res: ServerResponse, n: number) => void;

/** Starts a server; CONNECT requests (proxy tunnels) are answered by onConnect, default 403. */
export async function startServer(handler: Handler, onConnect?: (authority: string) => number): Promise<TestServer> {
  const hits: Hit[] = [];
  const server = http.createServer((req, res) => {
    hits.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    handler(req, res, hits.length);
  });
  server.on('connect', (req: IncomingMessage, socket) => {
    hits.push({ method: 'CONNECT', url: req.url ?? '', headers: req.headers });
    const code = onConnect ? onConnect(req.url ?? '') : 403;
    socket.end(`HTTP/1.1 ${code} Nope\r\nContent-Length: 0\r\n\r\n`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    base: `http://127.0.0.1:${port}`,
    port,
    hits,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/** Sends `body` with a correct Content-Length. */
export function send(res: ServerResponse, body: Buffer, status = 200): void {
  res.writeHead(status, { 'content-length': String(body.length), 'content-type': 'application/octet-stream' });
  res.end(body);
}

/** Announces the full length, sends only `keep` bytes, then drops the connection. */
export function sendTruncated(res: ServerResponse, body: Buffer, keep: number): void {
  res.writeHead(200, { 'content-length': String(body.length) });
  res.write(body.subarray(0, keep), () => res.socket?.destroy());
}

/** A server of `files` by URL path (decoded); 404 for any other path. */
export function serveFiles(files: ReadonlyMap<string, Buffer>): Promise<TestServer> {
  return startServer((req, res) => {
    const body = files.get(decodeURIComponent(req.url ?? ''));
    if (body) send(res, body);
    else send(res, Buffer.from('no'), 404);
  });
}
