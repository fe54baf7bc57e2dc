import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { download } from '../../src/core/sources/transport/download.js';
import { expandUrlTemplate, redact } from '../../src/core/sources/transport/url.js';
import { bypassProxy } from '../../src/core/sources/transport/http.js';
import { rejectsWith, throwsWith } from '../helpers/errors.js';
import { makeHeadersArchive } from '../helpers/headers-archive.js';
import { send, sendTruncated, startServer, type Handler, type TestServer } from '../helpers/http.js';

let dir: string;
let body: Buffer;
let server: TestServer | undefined;
const fast = { retryDelayMs: 10, attempts: 3 };

async function serve(h: Handler, onConnect?: (a: string) => number): Promise<TestServer> {
  server = await startServer(h, onConnect);
  return server;
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'kh-url-'));
  body = readFileSync(makeHeadersArchive(dir).archive);
});
afterEach(async () => {
  await server?.close();
  server = undefined;
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe('download', () => {
  it('success: file is byte for byte the served body', async () => {
    const s = await serve((_q, r) => send(r, body));
    const dest = join(dir, 'ok.bin');
    const got = await download(`${s.base}/a.tar.xz`, dest, fast);
    assert.equal(got.bytes, body.length);
    assert.ok(readFileSync(dest).equals(body));
    assert.equal(s.hits.length, 1);
  });

  it('404: clear error at once (no retries), nothing left behind', async () => {
    const s = await serve((_q, r) => send(r, Buffer.from('no'), 404));
    const dest = join(dir, '404.bin');
    await rejectsWith(download(`${s.base}/missing.tar.xz`, dest, fast), 'NETWORK');
    assert.equal(s.hits.length, 1);
    assert.equal(existsSync(dest), false);
  });

  it('500 then success: retried', async () => {
    const s = await serve((_q, r, n) => (n === 1 ? send(r, Buffer.from('oops'), 500) : send(r, body)));
    const dest = join(dir, 'retry.bin');
    await download(`${s.base}/a`, dest, fast);
    assert.equal(s.hits.length, 2);
    assert.ok(readFileSync(dest).equals(body));
  });

  it('500 every time: gives up after the attempts, names the status', async () => {
    const s = await serve((_q, r) => send(r, Buffer.from('oops'), 503));
    const dest = join(dir, 'fail.bin');
    await rejectsWith(download(`${s.base}/a`, dest, fast), 'NETWORK', /failed after 3 attempts: HTTP 503/);
    assert.equal(s.hits.length, 3);
    assert.equal(existsSync(dest), false);
  });

  it('truncated body: retried, and the good copy wins', async () => {
    const s = await serve((_q, r, n) => (n === 1 ? sendTruncated(r, body, 100) : send(r, body)));
    const dest = join(dir, 'trunc.bin');
    await download(`${s.base}/a`, dest, fast);
    assert.equal(s.hits.length, 2);
    assert.ok(readFileSync(dest).equals(body));
  });

  it('always truncated: error, no partial file', async () => {
    const s = await serve((_q, r) => sendTruncated(r, body, 100));
    const dest = join(dir, 'trunc2.bin');
    await rejectsWith(download(`${s.base}/a`, dest, fast), 'NETWORK');
    assert.equal(s.hits.length, 3);
    assert.equal(existsSync(dest), false);
  });

  it('redirects (absolute and relative) are followed', async () => {
    const s = await serve((q, r) => {
      if (q.url === '/start') { r.writeHead(302, { location: `http://127.0.0.1:${s.port}/mid` }); r.end(); }
      else if (q.url === '/mid') { r.writeHead(301, { location: '/final.tar.xz' }); r.end(); }
      else send(r, body);
    });
    const dest = join(dir, 'redir.bin');
    const got = await download(`${s.base}/start`, dest, fast);
    assert.equal(got.finalUrl, `${s.base}/final.tar.xz`);
    assert.deepEqual(s.hits.map((h) => h.url), ['/start', '/mid', '/final.tar.xz']);
    assert.ok(readFileSync(dest).equals(body));
  });

  it('redirect loop: error after the redirect limit', async () => {
    const s = await serve((_q, r) => { r.writeHead(302, { location: '/again' }); r.end(); });
    await rejectsWith(download(`${s.base}/loop`, join(dir, 'loop.bin'), { ...fast, maxRedirects: 3 }), 'NETWORK');
    assert.equal(s.hits.length, 4);
  });

  it('size cap: a too-large Content-Length is refused without retry', async () => {
    const s = await serve((_q, r) => send(r, body));
    const dest = join(dir, 'cap.bin');
    await rejectsWith(download(`${s.base}/a`, dest, { ...fast, maxBytes: 100 }), 'LIMIT_EXCEEDED');
    assert.equal(s.hits.length, 1);
    assert.equal(existsSync(dest), false);
  });

  it('size cap without Content-Length (chunked): stopped while streaming', async () => {
    const s = await serve((_q, r) => { r.writeHead(200); r.end(body); });
    await rejectsWith(download(`${s.base}/a`, join(dir, 'cap2.bin'), { ...fast, maxBytes: 100 }), 'LIMIT_EXCEEDED');
    assert.equal(s.hits.length, 1, 'a size cap is not retried');
  });

  it('stalled server: idle timeout, retried, then an error', async () => {
    const s = await serve((_q, r) => { r.writeHead(200, { 'content-length': '10' }); r.write('abc'); });
    const t0 = Date.now();
    await rejectsWith(download(`${s.base}/a`, join(dir, 'stall.bin'), { ...fast, attempts: 2, idleTimeoutMs: 150 }), 'NETWORK');
    assert.equal(s.hits.length, 2);
    assert.ok(Date.now() - t0 < 5000);
  });

  it('HTTP_PROXY: a plain-http request goes to the proxy with the absolute URL', async () => {
    const s = await serve((_q, r) => send(r, body));
    const saved = { HTTP_PROXY: process.env.HTTP_PROXY, NO_PROXY: process.env.NO_PROXY };
    process.env.HTTP_PROXY = `http://user:pw@127.0.0.1:${s.port}`;
    delete process.env.NO_PROXY;
    try {
      const dest = join(dir, 'proxy.bin');
      await download('http://mirror.kheaders.invalid/k.tar.xz', dest, fast);
      assert.equal(s.hits[0].url, 'http://mirror.kheaders.invalid/k.tar.xz');
      assert.equal(s.hits[0].headers['proxy-authorization'], `Basic ${Buffer.from('user:pw').toString('base64')}`);
      assert.ok(readFileSync(dest).equals(body));
    } finally {
      for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k]; else process.env[k] = v;
    }
  });

  it('HTTPS_PROXY: https goes through CONNECT; a refusing proxy is an error', async () => {
    const s = await serve((_q, r) => send(r, body), () => 403);
    const saved = process.env.HTTPS_PROXY;
    process.env.HTTPS_PROXY = `127.0.0.1:${s.port}`;
    try {
      await rejectsWith(download('https://mirror.kheaders.invalid/k.tar.xz', join(dir, 'p2.bin'), { ...fast, attempts: 1 }), 'NETWORK');
      assert.equal(s.hits[0].method, 'CONNECT');
      assert.equal(s.hits[0].url, 'mirror.kheaders.invalid:443');
    } finally {
      if (saved === undefined) delete process.env.HTTPS_PROXY; else process.env.HTTPS_PROXY = saved;
    }
  });
});

describe('URL helpers', () => {
  it('expandUrlTemplate fills and encodes {key}, {arch}, {release}', () => {
    assert.equal(expandUrlTemplate('https://h/{arch}/{release}/{key}.tar.xz', { key: 'k 1', arch: 'x86', release: '6.1.0-13+deb' }),
      'https://h/x86/6.1.0-13%2Bdeb/k%201.tar.xz');
  });
  it('expandUrlTemplate refuses unknown or missing placeholders', () => {
    throwsWith(() => expandUrlTemplate('https://h/{sha}', {}), 'USAGE');
    throwsWith(() => expandUrlTemplate('https://h/{key}', {}), 'USAGE');
  });
  it('redact hides credentials', () => {
    assert.equal(redact('https://u:secret@h/x'), 'https://***@h/x');
  });
  it('bypassProxy: loopback, exact host, domain suffix, port, and *', () => {
    const u = (s: string): URL => new URL(s);
    assert.equal(bypassProxy(u('http://127.0.0.1/x'), ''), true);
    assert.equal(bypassProxy(u('https://a.example.com/x'), 'example.com'), true);
    assert.equal(bypassProxy(u('https://a.example.com/x'), '.example.com'), true);
    assert.equal(bypassProxy(u('https://badexample.com/x'), 'example.com'), false);
    assert.equal(bypassProxy(u('https://h.org:8443/x'), 'h.org:443'), false);
    assert.equal(bypassProxy(u('https://h.org/x'), 'h.org:443'), true);
    assert.equal(bypassProxy(u('https://h.org/x'), '*'), true);
  });
});
