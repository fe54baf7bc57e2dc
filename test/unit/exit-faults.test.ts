// The process ends when the error is printed, and faults leave nothing behind:
// early refusals of huge inputs, signals, races, full and read-only file
// systems, dead runs' temp files, and a download that drips. Runs dist/cli.js.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ROOT, runNode } from '../helpers/cli.js';
import { buildRealElf } from '../helpers/elf.js';
import { rawTar } from '../helpers/hostile.js';
import { startServer, type TestServer } from '../helpers/http.js';
import { tempDir } from '../helpers/kernel-tree.js';

const CLI = join(ROOT, 'dist/cli.js');
const tmp = tempDir('kh-exit-');
after(tmp.cleanup);
let n = 0;
const fresh = (): string => { const d = join(tmp.dir, `d${n++}`); mkdirSync(d); return d; };
const litter = (dir: string): string[] => readdirSync(dir).filter((f) => /\.tmp|\.old$/.test(f));
const noStack = (stderr: string): void => assert.doesNotMatch(stderr, /^\s+at /m, stderr);

/** A tar whose first member declares `size` bytes, then `fill` MiB of zeros: tiny as xz, huge decoded. */
function bomb(size: number, fill: number, name = 'a.h'): Buffer {
  const head = rawTar([{ name, size, data: Buffer.alloc(0) }], { endMarker: false });
  return execFileSync('xz', ['-0', '-T1', '-c'], { input: Buffer.concat([head, Buffer.alloc(fill << 20)]), maxBuffer: 1 << 30 });
}

before(() => assert.ok(existsSync(CLI), 'dist/cli.js is built (npm run build)'));

void describe('the process exits when the error is printed', () => {
  const cases: Array<[string, () => string]> = [
    ['a first member that declares 6 GiB (in 400 MiB of tar)', () => { const f = join(fresh(), 'big.tar.xz'); writeFileSync(f, bomb(6 * 2 ** 30, 400)); return f; }],
    ['an early ../ entry before 400 MiB of data', () => { const f = join(fresh(), 'dots.tar.xz'); writeFileSync(f, bomb(100, 400, '../evil.h')); return f; }],
    ['an ELF holding such a stream', () => { const d = fresh(); const a = join(d, 'a.tar.xz'); writeFileSync(a, bomb(6 * 2 ** 30, 400)); return buildRealElf(d, a, 'rel'); }],
  ];
  for (const [what, make] of cases) {
    void it(`${what}: exit 2 within 2 s of start, nothing left`, async () => {
      const input = make();
      const out = join(fresh(), 'hdr');
      const t0 = Date.now();
      const r = await runNode(CLI, ['extract', '--from', input, '--output', out]);
      const ms = Date.now() - t0;
      assert.equal(r.code, 2, r.stderr);
      assert.ok(ms < 2000, `exited after ${ms} ms`);
      assert.match(r.stderr, /^error: .*\n {2}fix: /m);
      noStack(r.stderr);
      assert.deepEqual([existsSync(out), litter(join(out, '..'))], [false, []]);
      console.log(`${what}: exit ${r.code} after ${ms} ms`);
    });
  }
});

/** An archive of many 1 MiB members: valid, and slow enough to interrupt. */
function slowArchive(dir: string): string {
  const src = join(dir, 'src');
  mkdirSync(join(src, 'include'), { recursive: true });
  for (let i = 0; i < 300; i++) writeFileSync(join(src, 'include', `f${i}.h`), Buffer.alloc(1 << 20, i % 251));
  const out = join(dir, 'slow.tar.xz');
  execFileSync('sh', ['-c', 'tar -cf - -C "$1" . | xz -0 -T1 > "$2"', 'sh', src, out]);
  return out;
}

void describe('faults', () => {
  let slow = '';
  before(() => { slow = slowArchive(fresh()); });

  for (const [sig, code] of [['SIGTERM', 143], ['SIGINT', 130]] as const) {
    void it(`${sig} during extract: exit ${code}, the staged tree removed`, async () => {
      const out = join(fresh(), 'hdr');
      let sent = false;
      const r = await runNode(CLI, ['extract', '--from', slow, '--output', out], {
        // One signal at a random moment in the first 400 ms of extracting (which takes seconds).
        onStderr: (text, kill) => {
          if (sent || !/found a \d+-byte archive/.test(text)) return;
          sent = true;
          setTimeout(() => kill(sig), Math.floor(Math.random() * 400));
        },
      });
      assert.equal(r.code, code, r.stderr);
      assert.deepEqual([existsSync(out), litter(join(out, '..'))], [false, []]);
    });
  }

  void it('two extracts racing to one --output: one wins, the other gets our error, nothing is left', async () => {
    const out = join(fresh(), 'hdr');
    const [a, b] = await Promise.all([runNode(CLI, ['extract', '--from', slow, '--output', out]), runNode(CLI, ['extract', '--from', slow, '--output', out])]);
    assert.deepEqual([a.code, b.code].sort(), [0, 2], a.stderr + b.stderr);
    const loser = a.code === 0 ? b : a;
    assert.match(loser.stderr, /^error: /m);
    noStack(loser.stderr);
    assert.equal(readdirSync(out).length > 0, true);
    assert.deepEqual(litter(join(out, '..')), []);
  });

  void it('--output below a regular file: our error naming the path', async () => {
    const d = fresh();
    writeFileSync(join(d, 'file'), 'x');
    const r = await runNode(CLI, ['extract', '--from', slow, '--output', join(d, 'file/hdr')]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /cannot create the directory .*\/file: a part of the path is a file/);
    noStack(r.stderr);
  });

  for (const [what, opts, expect] of [['a full file system', 'size=2m', /the file system is full \(ENOSPC\)/], ['a read-only file system', 'ro', /read-only \(EROFS\)/]] as const) {
    void it(`${what} (tmpfs ${opts}): our error, nothing left (needs root, as CI is)`, async () => {
      assert.equal(process.getuid?.(), 0, 'this test mounts a tmpfs: run it as root');
      const mnt = fresh();
      execFileSync('mount', ['-t', 'tmpfs', '-o', opts, 'tmpfs', mnt]);
      try {
        const r = await runNode(CLI, ['extract', '--from', slow, '--output', join(mnt, 'hdr')]);
        assert.equal(r.code, 2, r.stderr);
        assert.match(r.stderr, expect);
        noStack(r.stderr);
        assert.deepEqual(readdirSync(mnt), []);
      } finally {
        execFileSync('umount', [mnt]);
      }
    });
  }

  void it("a dead run's temp files are removed by the next run; a live run's are kept", async () => {
    const d = fresh();
    const sleeper = spawn('sleep', ['30'], { stdio: 'ignore' });
    const live = String(sleeper.pid);
    mkdirSync(join(d, '.hdr.999999.tmp-Ab12Cd'));
    writeFileSync(join(d, '.hdr.999999.tmp-Ab12Cd', 'x.h'), 'half');
    mkdirSync(join(d, `.hdr.${live}.tmp-Zz99Yy`));
    mkdirSync(join(d, '.other.999999.tmp-Ab12Cd'));
    try {
      const r = await runNode(CLI, ['extract', '--from', slow, '--output', join(d, 'hdr')]);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(readdirSync(d).filter((f) => !f.endsWith('.kheaders.sha256')).sort(), [`.hdr.${live}.tmp-Zz99Yy`, '.other.999999.tmp-Ab12Cd', 'hdr'].sort());
    } finally {
      sleeper.kill();
    }
  });
});

void it('a build killed with SIGKILL leaves its temp file; the next build removes it', async () => {
  const d = fresh();
  const out = join(d, 'k.tar.xz');
  // The killed run cannot remove its sample tree, and a build caches: both go under our temp dir.
  const env = { TMPDIR: fresh(), XDG_CACHE_HOME: fresh() };
  const killed = await runNode(CLI, ['build', '-o', out], { env, onStderr: (text, kill) => { if (/== pack and compress/.test(text)) kill('SIGKILL'); } });
  assert.equal(killed.signal, 'SIGKILL');
  const left = readdirSync(d).filter((f) => /^\.k\.tar\.xz\.\d+\.[0-9a-f]{8}\.tmp$/.test(f));
  if (left.length === 0) writeFileSync(join(d, '.k.tar.xz.999999.0badcafe.tmp'), 'partial'); // it may have finished writing first
  const r = await runNode(CLI, ['build', '-o', out], { env });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(readdirSync(d), ['k.tar.xz']);
});

void describe('downloads', () => {
  let srv: TestServer;
  before(async () => {
    srv = await startServer((_req, res) => {
      res.writeHead(200, { 'content-length': '1000000' });
      const t = setInterval(() => { if (!res.destroyed) res.write('x'); }, 500);
      res.on('close', () => clearInterval(t));
    });
  });
  after(() => srv.close());

  void it('a server that drips: --timeout ends the download, exit 1 (a failure), the URL named', async () => {
    const url = `${srv.base}/k.tar.xz`;
    const t0 = Date.now();
    const r = await runNode(CLI, ['extract', '--from', url, '--output', join(fresh(), 'hdr'), '--timeout', '2']);
    const ms = Date.now() - t0;
    assert.equal(r.code, 1, r.stderr);
    assert.ok(ms < 6000, `${ms} ms`);
    assert.match(r.stderr, new RegExp(`download of ${url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} did not finish within 2 s`));
    noStack(r.stderr);
  });
});
