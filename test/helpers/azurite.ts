// Azurite, Microsoft's Azure Storage emulator (npm `azurite`), as the blob store
// behind the cache-server shim: started on 127.0.0.1 with its data in a temp dir,
// SAS URLs signed with its account key (which Azurite checks), and a forward
// proxy that lets the cache client reach it under a *.blob.core.windows.net name,
// the one name for which @actions/cache downloads with the Azure SDK.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { createServer as netServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { BlobSASPermissions, BlobServiceClient, generateBlobSASQueryParameters, SASProtocol, StorageSharedKeyCredential } from '@azure/storage-blob';
import type { BlobBackend } from './cache-server.js';

/** The storage account Azurite is started with (AZURITE_ACCOUNTS), with a fresh random key per run. */
const ACCOUNT = 'khcache';
const KEY = randomBytes(64).toString('base64');
/** azurite-blob's entry, from node_modules (a devDependency; NODE_PATH is honoured). */
const MAIN = createRequire(import.meta.url).resolve('azurite/dist/src/blob/main.js');
/** The public endpoint name the cache client treats as Azure (it then uses the Azure SDK). */
export const AZURE_HOST = `${ACCOUNT}.blob.core.windows.net`;

export interface Azurite {
  /** http://127.0.0.1:PORT */
  origin: string;
  /** A client with the account key, for the test's own looks at the store. */
  service: BlobServiceClient;
  /** Requests that went through the *.blob.core.windows.net proxy: method, path, x-ms-range/Range, status. */
  proxied: { method: string; path: string; range?: string; status: number }[];
  /** http://127.0.0.1:PORT of the forward proxy (HTTP_PROXY for the action). */
  proxy: string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const s = netServer();
  await new Promise<void>((ok) => s.listen(0, '127.0.0.1', ok));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((ok) => s.close(() => ok()));
  return port;
}

/** Waits for Azurite's "listens on" line; fails with its output when it exits first or takes over a minute. */
function started(child: ChildProcess): Promise<void> {
  return new Promise((ok, fail) => {
    let out = '';
    const timer = setTimeout(() => fail(new Error(`azurite did not start in 60 s:\n${out}`)), 60_000);
    const seen = (d: Buffer): void => {
      out += d.toString();
      if (/successfully listens on/.test(out)) { clearTimeout(timer); ok(); }
    };
    child.stdout?.on('data', seen);
    child.stderr?.on('data', seen);
    child.on('exit', (code) => { clearTimeout(timer); fail(new Error(`azurite exited ${String(code)} before listening:\n${out}`)); });
  });
}

/** A forward proxy that sends requests for AZURE_HOST to Azurite and refuses every other host. */
function startProxy(azPort: number, log: Azurite['proxied']): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const u = new URL(req.url ?? '/', `http://${req.headers.host ?? ''}`);
    if (u.hostname !== AZURE_HOST) {
      res.writeHead(502);
      return void res.end(`the test proxy only forwards ${AZURE_HOST}`);
    }
    const headers = { ...req.headers, host: `127.0.0.1:${azPort}` };
    delete (headers as Record<string, unknown>)['proxy-connection'];
    const up = request({ host: '127.0.0.1', port: azPort, method: req.method, path: u.pathname + u.search, headers }, (r) => {
      const range = String(req.headers['x-ms-range'] ?? req.headers.range ?? '') || undefined;
      log.push({ method: req.method ?? '', path: u.pathname, range, status: r.statusCode ?? 0 });
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    up.on('error', (e) => { res.writeHead(502); res.end(e.message); });
    req.pipe(up);
  });
  return new Promise((ok) => server.listen(0, '127.0.0.1', () => ok({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })));
}

/** Starts azurite-blob under node (it needs Node 22 or newer) on a free loopback port, data in a temp dir. */
export async function startAzurite(node: string): Promise<Azurite> {
  const dir = mkdtempSync(join(tmpdir(), 'kh-azurite-'));
  const port = await freePort();
  const child = spawn(node, [MAIN, '--blobHost', '127.0.0.1', '--blobPort', String(port), '--location', dir, '--silent',
    '--disableTelemetry', '--skipApiVersionCheck', '--disableProductStyleUrl'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, AZURITE_ACCOUNTS: `${ACCOUNT}:${KEY}` } });
  const exited = new Promise<void>((ok) => child.on('exit', () => ok()));
  const kill = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await started(child);
  } catch (err) {
    await kill();
    throw err;
  }
  const origin = `http://127.0.0.1:${port}`;
  const service = new BlobServiceClient(`${origin}/${ACCOUNT}`, new StorageSharedKeyCredential(ACCOUNT, KEY));
  const proxied: Azurite['proxied'] = [];
  const proxy = await startProxy(port, proxied);
  return {
    origin, service, proxied, proxy: proxy.url,
    async stop() {
      proxy.server.closeAllConnections();
      await new Promise<void>((ok) => proxy.server.close(() => ok()));
      await kill();
    },
  };
}

/** How the shim names the store in the URLs it hands out. */
export type BlobStyle = 'azure' | 'loopback' | 'forged';

/**
 * The shim's blob side in Azurite: container `container`, one blob per entry,
 * SAS URLs with create+write (upload) or read (download) rights for one hour.
 * style.current: 'azure' (AZURE_HOST, through the proxy), 'loopback' (127.0.0.1),
 * or 'forged' (AZURE_HOST with a signature Azurite must refuse).
 */
export async function azuriteBlobs(az: Azurite, container: string): Promise<BlobBackend & { style: { current: BlobStyle } }> {
  const c = az.service.getContainerClient(container);
  await c.createIfNotExists();
  const cred = new StorageSharedKeyCredential(ACCOUNT, KEY);
  const style = { current: 'azure' as BlobStyle };
  const url = (id: number, perms: string): string => {
    const blobName = `entry-${id}`;
    const sas = generateBlobSASQueryParameters({
      containerName: container, blobName, permissions: BlobSASPermissions.parse(perms),
      startsOn: new Date(Date.now() - 60_000), expiresOn: new Date(Date.now() + 3_600_000), protocol: SASProtocol.HttpsAndHttp,
    }, cred).toString();
    const base = style.current === 'loopback' ? `${az.origin}/${ACCOUNT}` : `http://${AZURE_HOST}/${ACCOUNT}`;
    const query = style.current === 'forged' ? sas.replace(/sig=[^&]+/, `sig=${encodeURIComponent(Buffer.alloc(32, 7).toString('base64'))}`) : sas;
    return `${base}/${container}/${blobName}?${query}`;
  };
  return {
    style,
    uploadUrl: async (id) => url(id, 'cw'),
    downloadUrl: async (id) => url(id, 'r'),
    size: async (id) => c.getBlockBlobClient(`entry-${id}`).getProperties().then((p) => p.contentLength, () => undefined),
  };
}
