// End-to-end: our CLI against the kernel's own gen_kheaders.sh on a real
// Debian 6.1 tree (prepared and cached by scripts/kernel-tree.sh).
import { cleanEnv } from '../../scripts/clean-env.js';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { kernelTree } from '../helpers/e2e-tree.js';
import { holdLock } from '../helpers/flock.js';

const run = promisify(execFile);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CLI = process.env.KHEADERS_CLI ?? path.join(ROOT, 'dist/cli.js');
const MTIME = process.env.KHEADERS_E2E_MTIME ?? '2024-01-01 00:00:00 UTC';
const BIG = 64 * 1024 * 1024;

interface Prepared {
  lock: string;
  tree: string;
  srctree: string;
  objtree: string;
  ref: string;
  refObjtree: string;
}


async function prepare(): Promise<Prepared> {
  const get = await kernelTree(['--reference', MTIME]);
  return {
    lock: path.join(get('cache'), '.lock'),
    tree: get('tree'),
    srctree: get('srctree'),
    objtree: get('objtree'),
    ref: get('ref'),
    refObjtree: get('ref_objtree'),
  };
}

function hashStream(algo: string, stream: NodeJS.ReadableStream): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash(algo);
    stream.on('error', reject);
    stream.on('data', (c: Buffer) => h.update(c));
    stream.on('end', () => resolve(h.digest('hex')));
  });
}

function fileHash(algo: string, file: string): Promise<string> {
  return hashStream(algo, createReadStream(file));
}

/** sha256 of `xz -dc file` (the real xz is the oracle). */
function unxzHash(file: string): Promise<string> {
  const child = spawn('xz', ['-dc', '--', file], { stdio: ['ignore', 'pipe', 'pipe'], env: cleanEnv() });
  let err = '';
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  return Promise.all([hashStream('sha256', child.stdout), exited]).then(([digest, code]) => {
    assert.equal(code, 0, `xz -dc ${file} failed: ${err}`);
    return digest;
  });
}

/** Files under dir modified after marker (our CLI must write nothing there). */
async function changedSince(marker: string, dir: string): Promise<string[]> {
  const { stdout } = await run('find', [dir, '-newer', marker, '-print'], { maxBuffer: BIG });
  return stdout.split('\n').filter((l) => l !== '');
}

interface Case {
  name: string;
  source: (p: Prepared) => string;
  objtree: (p: Prepared) => string | undefined;
  ref: (p: Prepared) => string;
}

const CASES: Case[] = [
  { name: 'in-tree build', source: (p) => p.tree, objtree: () => undefined, ref: (p) => p.ref },
  { name: 'O= build', source: (p) => p.srctree, objtree: (p) => p.objtree, ref: (p) => p.refObjtree },
];

describe('kheaders build vs the kernel gen_kheaders.sh (real 6.1 tree)', () => {
  let prep: Prepared;
  let tmp: string;
  let unlock: (() => Promise<void>) | undefined;

  before(async () => {
    assert.ok(existsSync(CLI), `${CLI} is missing: run the build (npm run build) before the e2e tests`);
    prep = await prepare();
    unlock = await holdLock(prep.lock);
    tmp = await mkdtemp(path.join(os.tmpdir(), 'kheaders-e2e-'));
  });

  after(async () => {
    if (unlock) await unlock();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  async function build(c: Case, mode: 'compat' | 'fast', out: string): Promise<string> {
    const args = [CLI, 'build', '--source', c.source(prep)];
    const obj = c.objtree(prep);
    if (obj) args.push('--objtree', obj);
    args.push('--arch', 'x86_64', '--mtime', MTIME, '--output', out, '--no-cache');
    if (mode === 'fast') args.push('--compression', 'fast');
    const marker = path.join(tmp, `marker-${path.basename(out)}`);
    await writeFile(marker, '');
    // Make sure a file written right after the marker is seen as newer.
    await new Promise((r) => setTimeout(r, 20));
    // A private XDG cache dir too, so nothing is read from or written to the user's.
    const env = { ...cleanEnv(), XDG_CACHE_HOME: path.join(tmp, 'xdg') };
    // GNU time reports the peak RSS (the streaming limit is 256 MiB on this tree).
    const rssFile = path.join(tmp, `rss-${path.basename(out)}`);
    const { stdout } = await run('/usr/bin/time', ['-f', '%M', '-o', rssFile, process.execPath, ...args], { env, maxBuffer: BIG });
    const rssKiB = Number((await readFile(rssFile, 'utf8')).trim().split('\n').at(-1));
    assert.ok(rssKiB > 0 && rssKiB <= 256 * 1024, `peak RSS ${rssKiB} KiB is over 256 MiB: the build must stream`);
    const touched: string[] = [];
    for (const dir of [c.source(prep), ...(obj ? [obj] : [])]) touched.push(...(await changedSince(marker, dir)));
    assert.deepEqual(touched, [], 'the CLI wrote into the kernel tree');
    assert.ok(existsSync(out), `CLI exited 0 but wrote no ${out}`);
    return stdout;
  }

  for (const c of CASES) {
    test(`${c.name}: compat archive is byte-identical to the kernel's`, async () => {
      const out = path.join(tmp, `${c.name.replace(/\W+/g, '-')}-compat.tar.xz`);
      const stdout = await build(c, 'compat', out);
      const [ours, theirs] = await Promise.all([fileHash('sha256', out), fileHash('sha256', c.ref(prep))]);
      assert.equal(ours, theirs, `sha256 differs from the kernel's archive ${c.ref(prep)}`);
      // The CLI reports the digests of what it wrote.
      const md5 = await fileHash('md5', out);
      assert.match(stdout.toLowerCase(), new RegExp(ours), 'stdout lacks the archive sha256');
      assert.match(stdout.toLowerCase(), new RegExp(md5), 'stdout lacks the archive md5');
    });

    test(`${c.name}: fast archive holds the same tar as the kernel's`, async () => {
      const out = path.join(tmp, `${c.name.replace(/\W+/g, '-')}-fast.tar.xz`);
      const stdout = await build(c, 'fast', out);
      const [ours, theirs] = await Promise.all([unxzHash(out), unxzHash(c.ref(prep))]);
      assert.equal(ours, theirs, 'xz -dc of the fast archive differs from the kernel tar');
      const sha = await fileHash('sha256', out);
      assert.match(stdout.toLowerCase(), new RegExp(sha), 'stdout lacks the archive sha256');
    });
  }

  test('the O= fixture really splits headers between srctree and objtree', () => {
    // Guards the fixture: the O= cases only prove merging if neither dir has it all.
    assert.ok(existsSync(path.join(prep.srctree, 'include/linux/kernel.h')));
    assert.ok(!existsSync(path.join(prep.srctree, 'include/generated/autoconf.h')));
    assert.ok(existsSync(path.join(prep.objtree, 'include/generated/autoconf.h')));
    assert.ok(!existsSync(path.join(prep.objtree, 'include/linux/kernel.h')));
  });

  test('--config FILE on a fresh O= objtree: kheaders runs make olddefconfig + prepare, the archive equals the kernel\'s, and a rerun skips make', async () => {
    const obj = path.join(tmp, 'config-obj');
    const out1 = path.join(tmp, 'config-1.tar.xz');
    const out2 = path.join(tmp, 'config-2.tar.xz');
    const env = { ...cleanEnv(), XDG_CACHE_HOME: path.join(tmp, 'xdg') };
    const args = (out: string): string[] => [CLI, 'build', '--source', prep.srctree, '--objtree', obj, '--arch', 'x86_64',
      '--config', path.join(prep.objtree, '.config'), '--mtime', MTIME, '--no-cache', '--output', out];
    const first = await run(process.execPath, args(out1), { env, maxBuffer: BIG });
    assert.match(first.stderr, /make .*olddefconfig/);
    assert.match(first.stderr, /make .*prepare/);
    assert.equal(await fileHash('sha256', out1), await fileHash('sha256', prep.refObjtree));
    const second = await run(process.execPath, args(out2), { env, maxBuffer: BIG });
    assert.match(second.stderr, /make skipped/);
    assert.doesNotMatch(second.stderr, /make .*prepare/);
    assert.equal(await fileHash('sha256', out2), await fileHash('sha256', prep.refObjtree));
  });
});
