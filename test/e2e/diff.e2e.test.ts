// End-to-end: `kheaders diff` names the cause on real archives of the Debian 6.1
// tree: x86 against arm64 (both built by our CLI), two configs of the same tree
// (the second also with another LOCALVERSION, so UTS_RELEASE differs), and two
// corpus script forms run as kbuild runs them. GNU tar and diff are the oracles.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { cleanEnv } from '../../scripts/clean-env.js';
import type { DiffReport } from '../../src/core/diff/report.js';
import { ROOT } from '../helpers/cli.js';
import { kernelTree } from '../helpers/e2e-tree.js';
import { holdLock } from '../helpers/flock.js';
import { corpusForms, keep, runForm, type Form } from '../helpers/forms.js';
import { overlayTree } from '../helpers/overlay.js';

const CLI = process.env.KHEADERS_CLI ?? path.join(ROOT, 'dist/cli.js');
const run = promisify(execFile);
const BIG = 1 << 30;
let get: (k: string) => string = () => '';
let unlock: () => Promise<void> = async () => undefined;
let tmp = '';

before(async () => {
  assert.ok(existsSync(CLI), `${CLI} is missing: run the build (npm run build) before the e2e tests`);
  get = await kernelTree(['--arm64']);
  unlock = await holdLock(path.join(get('cache'), '.lock'));
  tmp = mkdtempSync(path.join(os.tmpdir(), 'kh-diff-e2e-'));
}, { timeout: 3_600_000 });

after(async () => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
  await unlock();
});

const env = (): NodeJS.ProcessEnv => ({ ...cleanEnv(), XDG_CACHE_HOME: path.join(tmp, 'xdg') });

/** kheaders build through the bundled CLI. */
async function build(out: string, args: string[]): Promise<string> {
  await run(process.execPath, [CLI, 'build', ...args, '--mtime', '@0', '--no-cache', '--output', out], { env: env(), maxBuffer: BIG });
  return out;
}

/** kheaders diff through the CLI: its exit code, stdout and the --json report. */
async function diff(a: string, b: string): Promise<{ code: number; text: string; report: DiffReport }> {
  const json = path.join(tmp, `diff-${path.basename(a)}-${path.basename(b)}.json`);
  const r = await run(process.execPath, [CLI, 'diff', a, b, '--json', json], { env: env(), maxBuffer: BIG }).then(
    (x) => ({ code: 0, stdout: x.stdout }),
    (e: { code?: number; stdout?: string }) => ({ code: e.code ?? -1, stdout: e.stdout ?? '' }),
  );
  return { code: r.code, text: r.stdout, report: JSON.parse(readFileSync(json, 'utf8')) as DiffReport };
}

/** Member names as GNU tar lists them (normalized as our reader does). */
async function tarNames(archive: string): Promise<string[]> {
  const { stdout } = await run('tar', ['-tJf', archive], { maxBuffer: BIG });
  return stdout.split('\n').filter(Boolean).map((n) => n.replace(/^\.\//, '').replace(/\/$/, '')).filter((n) => n !== '.' && n !== '');
}

/** Files whose bytes differ between the two archives, by GNU tar -x and diff -rq. */
async function differingFiles(a: string, b: string): Promise<string[]> {
  const [da, db] = [path.join(tmp, `x-${path.basename(a)}`), path.join(tmp, `x-${path.basename(b)}`)];
  for (const [arc, d] of [[a, da], [b, db]] as const) {
    rmSync(d, { recursive: true, force: true });
    mkdirSync(d);
    await run('tar', ['-xJf', arc, '-C', d]);
  }
  const out = await run('diff', ['-rq', da, db], { maxBuffer: BIG }).then((x) => x.stdout, (e: { stdout?: string }) => e.stdout ?? '');
  rmSync(da, { recursive: true, force: true });
  rmSync(db, { recursive: true, force: true });
  return [...out.matchAll(/^Files (\S+) and \S+ differ$/gm)].map((m) => path.relative(da, m[1]!)).sort();
}

describe('kheaders diff names the cause on real 6.1 archives', { timeout: 3_600_000 }, () => {
  let x86 = '';

  test('x86 against arm64: fits on one screen and says "different arch"; --json keeps every member', async () => {
    const src = get('srctree');
    x86 = await build(path.join(tmp, 'x86.tar.xz'), ['--source', src, '--objtree', get('objtree'), '--arch', 'x86_64']);
    const arm = await build(path.join(tmp, 'arm64.tar.xz'), ['--source', src, '--objtree', get('objtree_arm64'), '--arch', 'arm64']);
    const d = await diff(x86, arm);
    console.log(d.text);
    assert.equal(d.code, 1);
    const lines = d.text.trimEnd().split('\n');
    assert.ok(lines.length <= 40, `${lines.length} lines: more than one screen`);
    assert.match(lines.at(-1)!, /^verdict: different arch \(A: x86 \(CONFIG_X86\); B: arm64 \(CONFIG_ARM64\)\)/);
    assert.equal(d.report.cause, 'arch');
    // The oracle: GNU tar's listing of each archive's own arch/ tree.
    const [na, nb] = await Promise.all([tarNames(x86), tarNames(arm)]);
    const under = (ns: string[], dir: string): string[] => ns.filter((n) => n === dir || n.startsWith(`${dir}/`)).sort();
    const onlyA = d.report.findings.filter((f) => f.field === 'only-a').map((f) => f.name);
    const onlyB = d.report.findings.filter((f) => f.field === 'only-b').map((f) => f.name);
    assert.deepEqual(under(onlyA, 'arch/x86'), under(na, 'arch/x86'), '--json lists every member of arch/x86');
    assert.deepEqual(under(onlyB, 'arch/arm64'), under(nb, 'arch/arm64'));
    assert.deepEqual(d.report.subtrees?.map((s) => [s.side, s.name, s.members]),
      [['a', 'arch/x86', under(na, 'arch/x86').length], ['b', 'arch/arm64', under(nb, 'arch/arm64').length]]);
    assert.match(d.text, new RegExp(`^only-a +arch/x86: only in A: the whole subtree, ${under(na, 'arch/x86').length} members$`, 'm'));
    const arch = d.report.explanations?.find((e) => e.cause === 'arch');
    assert.equal(arch?.members.length, under(na, 'arch/x86').length + under(nb, 'arch/arm64').length);
  });

  test('two configs of one tree (NR_CPUS, LOCALVERSION): "different kernel version" and "different config", naming the options and explaining every differing file', async () => {
    const src = get('srctree');
    const obj2 = path.join(tmp, 'obj-config2');
    cpSync(get('objtree'), obj2, { recursive: true, verbatimSymlinks: true, preserveTimestamps: true });
    const cfg = path.join(tmp, 'config2');
    cpSync(path.join(get('objtree'), '.config'), cfg);
    await run(path.join(src, 'scripts/config'), ['--file', cfg, '--set-val', 'NR_CPUS', '8', '--set-str', 'LOCALVERSION', '-kh2']);
    const b = await build(path.join(tmp, 'config2.tar.xz'), ['--source', src, '--objtree', obj2, '--arch', 'x86_64', '--config', cfg]);
    assert.ok(x86 !== '', 'the x86 archive was built by the test before');
    const d = await diff(x86, b);
    console.log(d.text);
    const causes = d.report.explanations?.map((e) => e.cause);
    assert.deepEqual(causes, ['version', 'config']);
    assert.match(d.report.verdict, /^different kernel version \(UTS_RELEASE A: 6\.1\.\S+, B: 6\.1\.\S+-kh2\); different config \(\d+ autoconf\.h options? differs?: [^)]*CONFIG_LOCALVERSION[^)]*CONFIG_NR_CPUS/);
    assert.equal(d.report.unexplained, 0);
    const explained = d.report.explanations!.flatMap((e) => e.members).sort();
    assert.deepEqual(explained, await differingFiles(x86, b), 'the causes explain exactly the files that differ');
    assert.ok(explained.includes('include/generated/autoconf.h') && explained.includes('include/generated/utsrelease.h'));
  });

  test('two corpus script forms on the O= tree: "different script form", with the file set and metadata styles', async () => {
    const bin = path.join(tmp, 'bin');
    mkdirSync(bin, { recursive: true });
    writeFileSync(path.join(bin, 'xz'), '#!/bin/sh\nexec /usr/bin/xz -0 -T1 "$@"\n');
    chmodSync(path.join(bin, 'xz'), 0o755);
    const src = overlayTree(get('srctree'), path.join(tmp, 'src'), 'x86', undefined);
    const obj = overlayTree(get('objtree'), path.join(tmp, 'obj'), 'x86', undefined, src);
    const made = (name: string): string => {
      const form: Form | undefined = corpusForms().find((f) => f.name === name);
      assert.ok(form, name);
      writeFileSync(path.join(src, 'kernel/gen_kheaders.sh'), form.script, { mode: 0o755 });
      const out = runForm(form, src, obj, '2024-01-01 00:00:00 UTC', { PATH: `${bin}:${process.env.PATH ?? ''}`, XZ: path.join(bin, 'xz') });
      return keep(out, path.join(tmp, `${name}.tar.xz`));
    };
    const v52 = made('v5.2');
    const late = made('6.1.y-late');
    const d = await diff(v52, late);
    console.log(d.text);
    assert.equal(d.report.cause, 'script-form');
    assert.deepEqual(d.report.explanations?.map((e) => e.cause), ['script-form']);
    const detail = d.report.explanations![0]!.detail;
    assert.match(detail, /A takes non-\.h files \(\d+\), the other only \*\.h/);
    assert.match(detail, /modes: A staged, B normalized/);
    assert.match(detail, /owner: A (root|builder), B numeric/); // root: this suite runs as root, so the builder is root
    assert.match(detail, /order: A unsorted, B --sort=name/);
    const nonH = (await tarNames(v52)).filter((n) => !n.endsWith('.h') && !n.includes('/.')).length;
    assert.ok(nonH > 0);
    assert.ok(d.text.trimEnd().split('\n').length <= 40, 'one screen');
  });
});
