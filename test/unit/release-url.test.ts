// Headers for a kernel other than the runner's: --release (CLI) and the release
// input (action) fill {release} in a plain .tar.xz URL template, not only for
// packages; without them {release} is uname -r. A loopback server records the paths.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { release as osRelease } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { getInputs } from '../../src/action/inputs.js';
import { execute } from '../../src/action/run.js';
import { runCli } from '../../src/cli/run.js';
import { nullLogger } from '../../src/core/log.js';
import { inprocJobs } from '../helpers/action-inproc.js';
import { tempDir } from '../helpers/action-tree.js';
import { makeHeadersArchive } from '../helpers/headers-archive.js';
import { serveFiles, type TestServer } from '../helpers/http.js';

const OTHER = '6.8.0-31-generic';
const TEMPLATE = '/kheaders/{release}/{arch}/kheaders_data.tar.xz';
const tmp = tempDir('kheaders-release-url-');
let server: TestServer;
let archive: Buffer;
let sha: string;

before(async () => {
  archive = readFileSync(makeHeadersArchive(tmp.dir, { release: OTHER }).archive);
  sha = createHash('sha256').update(archive).digest('hex');
  server = await serveFiles(new Map([[`/kheaders/${OTHER}/x86/kheaders_data.tar.xz`, archive]]));
});
after(async () => {
  await server?.close();
  tmp.cleanup();
});

let n = 0;
const { job } = inprocJobs(tmp.dir, { tree: false, tmpdir: true });
const lastHit = (): string => server.hits[server.hits.length - 1]?.url ?? '';

void describe('{release} in a plain .tar.xz URL template', () => {
  void it('CLI: --release fills it; the default output is named after it', async () => {
    const t = join(tmp.dir, `tmp${n++}`);
    mkdirSync(t);
    process.env.TMPDIR = t;
    const code = await runCli(['extract', '--from', server.base + TEMPLATE, '--release', OTHER, '--arch', 'x86_64', '--sha256', sha]);
    assert.equal(code, 0);
    assert.equal(lastHit(), `/kheaders/${OTHER}/x86/kheaders_data.tar.xz`);
    assert.ok(existsSync(join(t, `kheaders-${OTHER}/include/linux/kconfig.h`)));
  });

  void it('CLI: without --release it is uname -r', async () => {
    const code = await runCli(['extract', '--from', server.base + TEMPLATE, '--arch', 'x86_64', '--output', join(tmp.dir, `out${n++}`)]);
    assert.equal(code, 1);
    assert.equal(lastHit(), `/kheaders/${encodeURIComponent(osRelease())}/x86/kheaders_data.tar.xz`);
  });

  void it('action, mode download: the release input fills it; extract-to auto is kheaders-<release>', async () => {
    const { temp } = job({ mode: 'download', url: server.base + TEMPLATE, release: OTHER, arch: 'x86_64', sha256: sha, 'extract-to': 'auto' });
    const r = await execute(getInputs(), {}, nullLogger);
    assert.equal(lastHit(), `/kheaders/${OTHER}/x86/kheaders_data.tar.xz`);
    assert.equal(r.origin, 'url');
    assert.equal(r.kernelRelease, OTHER);
    assert.equal(r.headersDir, join(temp, `kheaders-${OTHER}`));
    assert.ok(readFileSync(r.archive).equals(archive));
  });

  void it('action, mode download: without the release input it is uname -r', async () => {
    job({ mode: 'download', url: server.base + TEMPLATE, arch: 'x86_64' });
    await assert.rejects(execute(getInputs(), {}, nullLogger));
    assert.equal(lastHit(), `/kheaders/${encodeURIComponent(osRelease())}/x86/kheaders_data.tar.xz`);
  });
});
