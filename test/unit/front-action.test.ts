// The action front in-process: getInputs from INPUT_* variables, execute() on a real unprepared tree with
// an in-memory CachePort, the @actions/cache adapter with a fake client, and the job summary.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { actionsCache, type CacheClient } from '../../src/action/cache.js';
import { getInputs, type ActionSettings } from '../../src/action/inputs.js';
import { execute, type RunResult } from '../../src/action/run.js';
import { renderSummary } from '../../src/action/summary.js';
import type { CachePort } from '../../src/core/cache/port.js';
import { tempDir } from '../helpers/action-tree.js';
import { assertFields, throwsWith } from '../helpers/errors.js';
import { collector, inprocJobs, type Job } from '../helpers/action-inproc.js';
import { rawTar, realXz } from '../helpers/hostile.js';
import { arm64Image, ikconfigBlob } from '../helpers/kernel-images.js';
import { execFileSync } from 'node:child_process';

const tmp = tempDir('kheaders-front-action-');
after(tmp.cleanup);
const { job: runnerJob, makeCalls } = inprocJobs(tmp.dir);
const MTIME = '2024-01-01 00:00:00 UTC';
/** A runner-like job; without a tree when withTree is false. */
const job = (inputs: Record<string, string>, withTree = true): Job => runnerJob(inputs, { tree: withTree });

void describe('getInputs', () => {
  void it('defaults on a tree', () => {
    const { tree, temp } = job({ source: 'linux', arch: 'x86_64' });
    assertFields(getInputs(), {
      mode: 'auto', archive: join(temp, 'kheaders', 'kheaders_data.tar.xz'), arch: 'x86', url: undefined, sha256: undefined,
      tree: { source: tree, objtree: undefined, arch: 'x86', makeArch: 'x86_64', config: undefined },
      pack: { mtime: { epoch: 0, origin: 'default' }, compression: 'compat', threads: 1 },
      cache: true, keyPrefix: 'kheaders', verify: true, failOnMismatch: true, extractTo: undefined, exportEnv: false,
    } satisfies Partial<ActionSettings>);
  });

  void it('reads every input: dashes kept in the variable name, paths against the workspace', () => {
    const { workspace } = job({
      source: 'linux', arch: 'x86_64', mode: 'build', compression: 'fast', mtime: MTIME, cache: 'no', 'cache-key-prefix': 'kh-v2',
      verify: 'false', 'fail-on-mismatch': 'off', archive: 'out/k.tar.xz', 'extract-to': 'hdr', objtree: 'obj',
      url: 'https://example.com/{key}.tar.xz', sha256: 'A'.repeat(64),
    });
    const s = getInputs();
    assert.equal(s.mode, 'build');
    assert.deepEqual([s.pack.compression, s.pack.mtime], ['fast', { epoch: 1704067200, origin: '--mtime' }]);
    assert.ok(s.pack.threads >= 2);
    assert.deepEqual([s.cache, s.keyPrefix, s.verify, s.failOnMismatch], [false, 'kh-v2', false, false]);
    assert.equal(s.archive, join(workspace, 'out/k.tar.xz'));
    assert.equal(s.extractTo, join(workspace, 'hdr'));
    assert.equal(s.tree?.objtree, join(workspace, 'obj'));
    assert.equal(s.sha256, 'a'.repeat(64));
    job({ source: 'linux', arch: 'x86_64', 'export-env': 'true' });
    assert.deepEqual([getInputs().exportEnv, getInputs().extractTo], [true, 'auto'], 'export-env without extract-to extracts to auto');
  });

  void it('mode download without url is USAGE naming input "url"', () => {
    job({ mode: 'download' }, false);
    throwsWith(() => getInputs(), 'USAGE', /^input "url": /, /url/);
  });

  void it('bad values are USAGE errors naming their input', () => {
    const cases: Array<[Record<string, string>, string]> = [
      [{ cache: 'maybe' }, 'cache'], [{ 'fail-on-mismatch': 'sometimes' }, 'fail-on-mismatch'], [{ sha256: 'abc123' }, 'sha256'],
      [{ 'cache-key-prefix': 'bad prefix!' }, 'cache-key-prefix'], [{ 'cache-key-prefix': '-dash-first' }, 'cache-key-prefix'],
      [{ mode: 'fetch' }, 'mode'], [{ compression: 'zstd' }, 'compression'], [{ url: 'https://example.com/fixed.tar.xz' }, 'url'],
      [{ url: 'ftp://example.com/{key}' }, 'url'], [{ url: 'not a url' }, 'url'], [{ source: 'nowhere' }, 'source'], [{ source: '.' }, 'source'],
    ];
    for (const [inputs, name] of cases) {
      job({ source: 'linux', arch: 'x86_64', ...inputs });
      throwsWith(() => getInputs(), 'USAGE', new RegExp(`^input "${name}": `), /./);
    }
  });

  void it('verify without a tree is USAGE naming input "verify"', () => {
    job({ mode: 'download', url: 'https://example.com/x.tar.xz', verify: 'true' }, false);
    throwsWith(() => getInputs(), 'USAGE', /^input "verify": /);
  });

  void it('config: a target, a file, a missing file', () => {
    const { workspace } = job({ source: 'linux', arch: 'x86_64', config: 'x86_64_defconfig' });
    assert.deepEqual(getInputs().tree?.config, { kind: 'target', target: 'x86_64_defconfig' });
    writeFileSync(join(workspace, 'my.config'), 'CONFIG_X=y\n');
    process.env.INPUT_CONFIG = 'my.config';
    assert.deepEqual(getInputs().tree?.config, { kind: 'file', path: join(workspace, 'my.config') });
    for (const bad of ['./missing.config', 'bogus', '.']) {
      process.env.INPUT_CONFIG = bad;
      throwsWith(() => getInputs(), 'BAD_INPUT', /^input "config": /);
    }
  });

  void it('an unknown arch or a bad mtime is prefixed with its input; mode verify needs an existing archive', () => {
    job({ source: 'linux', arch: 'vax11' });
    throwsWith(() => getInputs(), 'UNKNOWN_ARCH', /^input "arch": /);
    job({ source: 'linux', arch: 'x86_64', mtime: 'yesterday' });
    throwsWith(() => getInputs(), 'BAD_INPUT', /^input "mtime": /);
    job({ source: 'linux', arch: 'x86_64', mode: 'verify', archive: 'missing.tar.xz' });
    throwsWith(() => getInputs(), 'USAGE', /^input "archive": /, /archive/);
  });
});

/** An in-memory CachePort that records its calls. */
function memoryPort(opts: { available?: boolean; saves?: boolean } = {}): CachePort & { store: Map<string, Buffer>; restores: string[]; saves: string[] } {
  const [store, restores, saves] = [new Map<string, Buffer>(), [] as string[], [] as string[]];
  return {
    name: 'memory', store, restores, saves,
    available: () => opts.available ?? true,
    async restore(key, dest) {
      restores.push(key);
      const b = store.get(key);
      return b === undefined ? undefined : writeFile(dest, b).then(() => key);
    },
    async save(key, archive) {
      saves.push(key);
      if (opts.saves !== false) store.set(key, await readFile(archive));
      return opts.saves !== false;
    },
  };
}

const buildInputs = { source: 'linux', arch: 'x86_64', config: 'x86_64_defconfig', mtime: MTIME, verify: 'false', 'cache-key-prefix': 'kh-front' };

void describe('execute', () => {
  const port = memoryPort();
  let first: RunResult;

  void it('run 1 misses, runs make, builds and saves under the primary key', async () => {
    const before = makeCalls().length;
    job(buildInputs);
    const { log, lines } = collector();
    first = await execute(getInputs(), { cache: port }, log);
    assert.equal(first.origin, 'build');
    assert.deepEqual([first.cacheHit, first.cacheSaved, first.matchedKey], [false, true, undefined]);
    assert.match(first.keyMd5 ?? '', /^[0-9a-f]{32}$/);
    assert.equal(first.primaryKey, `kh-front-${process.platform}-x86-${first.keyMd5}`);
    assert.deepEqual([port.restores, port.saves], [[first.primaryKey], [first.primaryKey]]);
    assert.deepEqual([first.sha256, first.kernelRelease], [createHash('sha256').update(readFileSync(first.archive)).digest('hex'), '6.1.0-kh']);
    assert.ok(makeCalls().slice(before).some((c) => c.endsWith('prepare')));
    assert.ok(lines.info.some((l) => l.startsWith('cache miss: ')), lines.info.join('\n'));
    assert.ok(['key', 'cache restore', 'cache save'].every((p) => p in first.timings), Object.keys(first.timings).join());
    const md = renderSummary(first);
    assert.ok([/^### ✅ 6\.1\.0-kh x86 — archive built from the tree, /, /\| build \| miss, saved \| `kh-front-/].every((re) => re.test(md)) && md.includes(first.sha256) && md.includes(first.primaryKey ?? '?'), md);
  });

  void it('run 2 on a fresh copy hits: same key, same bytes, no make', async () => {
    const before = makeCalls().length;
    const { tree } = job(buildInputs);
    const r = await execute(getInputs(), { cache: port }, collector().log);
    assert.deepEqual([r.origin, r.cacheHit, r.cacheSaved, r.matchedKey], ['cache', true, false, first.primaryKey]);
    assert.deepEqual(port.restores, [first.primaryKey, first.primaryKey]);
    assert.equal(port.saves.length, 1, 'nothing saved on a hit');
    assert.deepEqual(readFileSync(r.archive), port.store.get(first.primaryKey ?? ''));
    assert.equal(r.sha256, first.sha256);
    assert.deepEqual(makeCalls().slice(before), []);
    assert.equal(existsSync(join(tree, 'include/generated')), false);
    assert.match(renderSummary(r), /\*\*hit\*\*/);
  });

  void it('an unavailable cache is never called; it still builds and outputs the key', async () => {
    const [off] = [memoryPort({ available: false }), job(buildInputs)];
    const r = await execute(getInputs(), { cache: off }, collector().log);
    assert.equal(r.origin, 'build');
    assert.deepEqual([off.restores, off.saves], [[], []]);
    assert.equal(r.keyMd5, first.keyMd5);
    assert.equal(r.sha256, first.sha256, 'the build is reproducible');
  });

  void it('a save that returns false is cacheSaved false', async () => {
    job(buildInputs);
    const r = await execute(getInputs(), { cache: memoryPort({ saves: false }) }, collector().log);
    assert.deepEqual([r.origin, r.cacheHit, r.cacheSaved], ['build', false, false]);
    assert.match(renderSummary(r), /miss, not saved/);
  });

  void it('cache: false never touches the port', async () => {
    const [p] = [memoryPort(), job({ ...buildInputs, cache: 'false' })];
    const r = await execute(getInputs(), { cache: p }, collector().log);
    assert.deepEqual([r.origin, p.restores.length, p.saves.length], ['build', 0, 0]);
  });

  void it('mode verify checks the given archive, writes the report, and extracts; a non-archive only warns', async () => {
    const { workspace, temp } = job({ ...buildInputs, mode: 'verify', verify: 'true', archive: first.archive, 'extract-to': 'hdr' });
    const { log, lines } = collector();
    const r = await execute(getInputs(), {}, log);
    assert.equal(r.origin, 'file');
    assert.equal(r.sha256, first.sha256);
    assert.equal(r.verify?.report.result, 'match', lines.error.join('\n'));
    assert.equal(r.verify?.reportPath, join(temp, 'kheaders', 'kheaders-verify.json'));
    assert.equal(r.headersDir, join(workspace, 'hdr'));
    assert.ok(existsSync(join(workspace, 'hdr', 'include/linux/made-up.h')));
    assert.match(renderSummary(r), new RegExp(`^### ✅ 6\\.1\\.0-kh x86 — ${r.verify?.report.counts.match ?? -1} headers match the tree\n`));
    // a file that is not an archive: digests, and a warning instead of the release
    writeFileSync(join(workspace, 'junk.tar.xz'), 'not xz');
    Object.assign(process.env, { INPUT_ARCHIVE: 'junk.tar.xz', INPUT_VERIFY: 'false', 'INPUT_EXTRACT-TO': '' });
    const junk = await execute(getInputs(), {}, log);
    assert.deepEqual([junk.origin, junk.kernelRelease, junk.size], ['file', undefined, 6]);
    assert.ok(lines.warning.some((w) => /kernel release/.test(w)), lines.warning.join('\n'));
  });

  void it('mode verify with a kernel image: the archive taken out and verified, the image named, its config an output', async () => {
    // A raw arm64 Image around the built archive and an IKCONFIG blob that agrees with its autoconf.h.
    const autoconf = execFileSync('tar', ['-xJOf', first.archive, './include/generated/autoconf.h']).toString();
    const config = [...autoconf.matchAll(/^#define (CONFIG_\w+) (.*)$/gm)].map(([, k, v]) => (v === '1' ? `${k}=y` : `${k}=${v}`)).join('\n') + '\n';
    const { workspace, temp } = job({ ...buildInputs, mode: 'verify', verify: 'true', archive: 'Image' });
    writeFileSync(join(workspace, 'Image'), arm64Image(Buffer.concat([Buffer.alloc(4096), readFileSync(first.archive), ikconfigBlob(config)])));
    const r = await execute(getInputs(), {}, collector().log);
    assert.equal(r.image, join(workspace, 'Image'));
    assert.equal(r.archive, join(temp, 'kheaders', 'kheaders_data.tar.xz'));
    assert.equal(r.sha256, first.sha256);
    assert.equal(r.verify?.report.result, 'match', JSON.stringify(r.verify?.report.findings.slice(0, 3)));
    assert.match(r.verify?.report.archiveFrom ?? '', /Image \(arm64 Image\)/);
    assert.ok((r.verify?.report.imageConfig?.options ?? 0) > 0);
    assert.equal(readFileSync(r.config as string, 'utf8'), config);
  });
});

void describe('actionsCache with a fake client', () => {
  const stage = join(tmp.dir, 'stage', 'kheaders_data.tar.xz');
  const archive = join(tmp.dir, 'to-save.tar.xz');
  writeFileSync(archive, 'archive bytes');
  const client = (c: Partial<CacheClient>): CacheClient =>
    ({ isFeatureAvailable: () => true, restoreCache: () => Promise.resolve(undefined), saveCache: () => Promise.resolve(1), ...c });

  void it('isFeatureAvailable false: available() is false, with a warning', () => {
    const { log, lines } = collector();
    assert.deepEqual([actionsCache(log, client({ isFeatureAvailable: () => false }), stage).available(), lines.warning.length], [false, 1]);
    assert.deepEqual([actionsCache(log, client({}), stage).available(), lines.warning.length], [true, 1]);
  });

  void it('restore: undefined is a miss; a hit copies the staged file to dest; the stage is cleared; a damaged entry is a miss', async () => {
    const [{ log, lines }, dest] = [collector(), join(tmp.dir, 'restored', 'k.tar.xz')];
    assert.equal(await actionsCache(log, client({}), stage).restore('k1', dest), undefined);
    assert.equal(existsSync(dest), false);
    let asked: unknown[] = [];
    const archive = realXz(rawTar([{ name: 'include/a.h', data: '#define A 1\n' }]));
    const serving = (bytes: Buffer): CacheClient => client({ restoreCache: async (paths: string[], key: string) => {
      asked = [paths, key];
      await mkdir(dirname(paths[0]!), { recursive: true }); // as tar does when it extracts
      return writeFile(paths[0]!, bytes).then(() => key);
    } });
    assert.equal(await actionsCache(log, serving(archive), stage).restore('k2', dest), 'k2');
    assert.deepEqual(asked, [[stage], 'k2']);
    assert.deepEqual(readFileSync(dest), archive);
    assert.equal(existsSync(join(tmp.dir, 'stage')), false, 'stage dir removed');
    assert.deepEqual(lines.warning, []);
    const dest2 = join(tmp.dir, 'restored', 'k3.tar.xz');
    assert.equal(await actionsCache(log, serving(archive.subarray(0, archive.length - 20)), stage).restore('k3', dest2), undefined);
    assert.equal(existsSync(dest2), false);
    assert.match(lines.warning.join('\n'), /cache entry for k3 is damaged, building instead/);
  });

  void it('restore: a matched entry without the file, or a throwing client, warns and misses', async () => {
    const [{ log, lines }, dest] = [collector(), join(tmp.dir, 'never.tar.xz')];
    assert.equal(await actionsCache(log, client({ restoreCache: (_p: string[], key: string) => Promise.resolve(key) }), stage).restore('k3', dest), undefined);
    assert.match(lines.warning[0] ?? '', /did not contain/);
    assert.equal(await actionsCache(log, client({ restoreCache: () => Promise.reject(new Error('boom 503')) }), stage).restore('k4', dest), undefined);
    assert.match(lines.warning[1] ?? '', /restore failed.*boom 503/);
    assert.equal(existsSync(dest), false);
  });

  void it('save: an id is true, -1 is false with an info line, a throw is false with a warning', async () => {
    const { log, lines } = collector();
    let staged = '';
    const ok = client({ saveCache: (paths: string[]) => { staged = readFileSync(paths[0]!, 'utf8'); return Promise.resolve(7); } });
    assert.equal(await actionsCache(log, ok, stage).save('k5', archive), true);
    assert.equal(staged, 'archive bytes');
    assert.ok(lines.info.some((l) => l === 'cache saved: k5'));
    assert.equal(await actionsCache(log, client({ saveCache: () => Promise.resolve(-1) }), stage).save('k6', archive), false);
    assert.ok(lines.info.some((l) => /not saved for k6/.test(l)), lines.info.join('\n'));
    assert.deepEqual(lines.warning, []);
    assert.equal(await actionsCache(log, client({ saveCache: () => Promise.reject(new Error('quota')) }), stage).save('k7', archive), false);
    assert.match(lines.warning[0] ?? '', /save failed.*quota/);
    assert.equal(existsSync(join(tmp.dir, 'stage')), false, 'stage dir removed');
  });
});

void describe('renderSummary', () => {
  void it('shows the origin, the cache state, the digests, the phases', () => {
    const r: RunResult = { origin: 'url', archive: '/a/k.tar.xz', md5: 'm'.repeat(32), sha256: 'e'.repeat(64), size: 1234567,
      cacheHit: false, cacheSaved: false, timings: { download: 1500 }, headersDir: '/h' };
    const md = renderSummary(r);
    for (const re of [/^### ✅ kheaders — archive downloaded\n/, /^\| url \| off \| — \| 1\.23 MB \|$/m, /^Phases: download 1\.5 s$/m, /Headers extracted to `\/h`/]) assert.match(md, re);
    assert.ok(md.includes('e'.repeat(64)) && md.includes('m'.repeat(32)));
  });
});
