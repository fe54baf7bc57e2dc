// Benchmark: the tree's own gen_kheaders.sh vs our CLI (compat and fast) vs
// bare `xz -6 -T1` over the same tar. Runs alternate per round; medians,
// ratios and peak RSS (GNU time %M) are printed. See docs/benchmark.md.
import { resolveArch } from '../src/core/kernel/arch.js';
import { cleanEnv } from './clean-env.js';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, openSync, closeSync } from 'node:fs';
import { copyFile, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = process.env.KHEADERS_CLI ?? path.join(ROOT, 'dist/cli.js');
const GNU_TIME = '/usr/bin/time';

interface Sample {
  wall: number; // seconds, measured here around the spawn
  cpu: number; // user + sys seconds of the process tree (GNU time)
  rssKiB: number; // peak RSS of the largest single process in the tree
}

interface Row {
  name: string;
  samples: Sample[];
  note?: string;
}

function fail(msg: string, fix: string): never {
  process.stderr.write(`bench: error: ${msg}\nbench: fix: ${fix}\n`);
  process.exit(2);
}


/** Run argv under GNU time; stdout optionally to a file. Throws on non-zero exit. */
async function measure(argv: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; stdoutFile?: string }, tmp: string): Promise<Sample> {
  const tf = path.join(tmp, 'time.out');
  const out = opts.stdoutFile ? openSync(opts.stdoutFile, 'w') : 'ignore';
  const t0 = process.hrtime.bigint();
  let err = '';
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(GNU_TIME, ['-o', tf, '-f', '%U %S %M', ...argv], {
      cwd: opts.cwd,
      env: opts.env ?? cleanEnv(),
      stdio: ['ignore', out, 'pipe'],
    });
    child.stderr?.on('data', (c: Buffer) => (err += c.toString()));
    child.on('error', reject);
    child.on('close', resolve);
  });
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  if (typeof out === 'number') closeSync(out);
  if (code !== 0) throw new Error(`${argv.join(' ')} exited ${String(code)}:\n${err.slice(-2000)}`);
  const last = (await readFile(tf, 'utf8')).trim().split('\n').pop() ?? '';
  const [u, s, m] = last.split(' ').map(Number);
  return { wall, cpu: u + s, rssKiB: m };
}

function sha256(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash('sha256');
    createReadStream(file)
      .on('error', reject)
      .on('data', (c) => h.update(c))
      .on('end', () => resolve(h.digest('hex')));
  });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      source: { type: 'string' },
      objtree: { type: 'string' },
      rounds: { type: 'string', default: '3' },
      arch: { type: 'string', default: 'x86_64' },
      mtime: { type: 'string', default: '2024-01-01 00:00:00 UTC' },
      'with-verify': { type: 'boolean', default: false },
      json: { type: 'string' },
      lock: { type: 'string' },
    },
  });
  if (!values.source) fail('--source is required', 'pass --source DIR (a configured, prepared kernel tree; see scripts/kernel-tree.sh)');
  const src = path.resolve(values.source);
  const obj = values.objtree ? path.resolve(values.objtree) : src;
  const rounds = Number(values.rounds);
  if (!Number.isInteger(rounds) || rounds < 1) fail(`bad --rounds ${values.rounds}`, 'pass a whole number >= 1 (3 or more for a useful median)');
  if (!existsSync(path.join(src, 'kernel/gen_kheaders.sh'))) fail(`${src}/kernel/gen_kheaders.sh not found`, 'point --source at a kernel source tree');
  if (!existsSync(path.join(obj, 'include/generated/autoconf.h'))) fail(`${obj} is not prepared`, 'run make prepare there (scripts/kernel-tree.sh does)');
  if (!existsSync(CLI)) fail(`${CLI} is missing`, 'build the CLI first (npm run build)');
  if (!existsSync(GNU_TIME)) fail(`${GNU_TIME} is missing`, 'apt-get install -y time');

  // Others (the e2e test, make) use the cached tree too: run under its lock.
  const cache = path.resolve(process.env.KHEADERS_E2E_CACHE ?? path.join(os.homedir(), '.cache/kheaders-e2e'));
  const lock = values.lock ?? (src.startsWith(cache + path.sep) ? path.join(cache, '.lock') : undefined);
  if (lock && process.env.KHEADERS_BENCH_LOCKED !== '1') {
    process.stderr.write(`bench: waiting for lock ${lock}\n`);
    const argv = [lock, process.execPath, ...process.execArgv, process.argv[1], ...process.argv.slice(2)];
    const child = spawn('flock', argv, { stdio: 'inherit', env: { ...process.env, KHEADERS_BENCH_LOCKED: '1' } });
    process.exitCode = await new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? 1)));
    return;
  }

  const tmp = await mkdtemp(path.join(os.tmpdir(), 'kheaders-bench-'));
  try {
    const outOfTree = obj !== src;
    const kernelOut = path.join(obj, 'kernel/kheaders_data.tar.xz');
    const scriptEnv: NodeJS.ProcessEnv = {
      ...cleanEnv(),
      srctree: outOfTree ? src : '.',
      objtree: '.',
      SRCARCH: resolveArch(values.arch).srcarch,
      XZ: 'xz',
      CONFIG_SHELL: 'sh',
      KBUILD_BUILD_TIMESTAMP: values.mtime,
    };
    if (outOfTree) scriptEnv.building_out_of_srctree = '1';
    else delete scriptEnv.building_out_of_srctree;

    const ours = (mode: 'compat' | 'fast', out: string): string[] => {
      const a = ['node', CLI, 'build', '--source', src];
      if (outOfTree) a.push('--objtree', obj);
      a.push('--arch', values.arch, '--mtime', values.mtime, '--output', out, '--no-cache');
      if (mode === 'fast') a.push('--compression', 'fast');
      return a;
    };
    const refCopy = path.join(tmp, 'script.tar.xz');
    const plainTar = path.join(tmp, 'plain.tar');
    const rows: Row[] = [
      { name: 'script (gen_kheaders.sh)', samples: [] },
      { name: 'ours compat', samples: [] },
      { name: 'ours fast', samples: [] },
      { name: 'bare xz -6 -T1', samples: [] },
    ];
    const verifyRow: Row | undefined = values['with-verify'] ? { name: 'ours verify', samples: [] } : undefined;
    if (verifyRow) rows.push(verifyRow);
    const notes: string[] = [];

    for (let r = 1; r <= rounds; r++) {
      process.stderr.write(`bench: round ${r}/${rounds}\n`);
      // 1. the kernel's own script, forced to regenerate
      await rm(path.join(obj, 'kernel/kheaders.md5'), { force: true });
      await rm(kernelOut, { force: true });
      rows[0].samples.push(
        await measure(['sh', path.join(src, 'kernel/gen_kheaders.sh'), 'kernel/kheaders_data.tar.xz'], { cwd: obj, env: scriptEnv }, tmp),
      );
      await copyFile(kernelOut, refCopy);
      const refSha = await sha256(refCopy);
      if (r === 1) {
        const out = openSync(plainTar, 'w');
        await new Promise<void>((resolve, reject) => {
          const c = spawn('xz', ['-dc', '--', refCopy], { stdio: ['ignore', out, 'inherit'], env: cleanEnv() });
          c.on('error', reject);
          c.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`xz -dc exited ${String(code)}`))));
        });
        closeSync(out);
      }
      // 2. ours, compat
      const compatOut = path.join(tmp, 'compat.tar.xz');
      await rm(compatOut, { force: true });
      rows[1].samples.push(await measure(ours('compat', compatOut), {}, tmp));
      if ((await sha256(compatOut)) !== refSha) notes.push(`round ${r}: compat archive differs from the script's`);
      // 3. ours, fast
      const fastOut = path.join(tmp, 'fast.tar.xz');
      await rm(fastOut, { force: true });
      rows[2].samples.push(await measure(ours('fast', fastOut), {}, tmp));
      // 4. bare xz over the same tar
      const xzOut = path.join(tmp, 'bare.tar.xz');
      rows[3].samples.push(await measure(['xz', '-6', '-T1', '-c', '--', plainTar], { stdoutFile: xzOut }, tmp));
      if ((await sha256(xzOut)) !== refSha) notes.push(`round ${r}: bare xz output differs from the script's (xz build differs?)`);
      // 5. optional verify
      if (verifyRow && !verifyRow.note) {
        const a = ['node', CLI, 'verify', '--archive', refCopy, '--source', src];
        if (outOfTree) a.push('--objtree', obj);
        try {
          verifyRow.samples.push(await measure(a, {}, tmp));
        } catch (e) {
          verifyRow.note = `unavailable: ${(e as Error).message.split('\n').slice(0, 3).join(' ')}`;
        }
      }
    }

    const sizes = {
      script: (await stat(refCopy)).size,
      fast: (await stat(path.join(tmp, 'fast.tar.xz'))).size,
      tar: (await stat(plainTar)).size,
    };
    const med = new Map(rows.filter((r) => r.samples.length).map((r) => [r.name, median(r.samples.map((s) => s.wall))]));
    const m = (n: string): number => med.get(n) ?? NaN;
    const cpuMed = new Map(rows.filter((r) => r.samples.length).map((r) => [r.name, median(r.samples.map((s) => s.cpu))]));
    const c = (n: string): number => cpuMed.get(n) ?? NaN;
    const lines: string[] = [];
    lines.push(`tree: ${src}${outOfTree ? ` (O=${obj})` : ''}  rounds: ${rounds}  cpus: ${os.cpus().length}  node ${process.version}`);
    lines.push(`tar ${(sizes.tar / 1048576).toFixed(1)} MiB; script.tar.xz ${(sizes.script / 1048576).toFixed(2)} MiB; fast ${(sizes.fast / 1048576).toFixed(2)} MiB`);
    lines.push('');
    lines.push('| run | median wall s | min s | max s | median cpu s | peak RSS MiB |');
    lines.push('| --- | ---: | ---: | ---: | ---: | ---: |');
    for (const r of rows) {
      if (!r.samples.length) {
        lines.push(`| ${r.name} | ${r.note ?? 'n/a'} | | | | |`);
        continue;
      }
      const w = r.samples.map((s) => s.wall);
      lines.push(
        `| ${r.name} | ${median(w).toFixed(2)} | ${Math.min(...w).toFixed(2)} | ${Math.max(...w).toFixed(2)} | ${median(r.samples.map((s) => s.cpu)).toFixed(2)} | ${(Math.max(...r.samples.map((s) => s.rssKiB)) / 1024).toFixed(0)} |`,
      );
    }
    const S = 'script (gen_kheaders.sh)';
    const X = 'bare xz -6 -T1';
    // [name, wall ratio, cpu ratio, goal]
    const ratios: [string, number, number, number][] = [
      ['compat / script', m('ours compat') / m(S), c('ours compat') / c(S), 0.55],
      ['compat / bare xz', m('ours compat') / m(X), c('ours compat') / c(X), 1.1],
      ['fast / script', m('ours fast') / m(S), c('ours fast') / c(S), 0.25],
    ];
    if (verifyRow?.samples.length) ratios.push(['verify / script', m('ours verify') / m(S), c('ours verify') / c(S), 0.1]);
    lines.push('');
    lines.push('| ratio | wall (median) | cpu (median) | goal (wall) | met |');
    lines.push('| --- | ---: | ---: | ---: | --- |');
    for (const [n, v, cv, g] of ratios) lines.push(`| ${n} | ${v.toFixed(3)} | ${cv.toFixed(3)} | <= ${g} | ${v <= g ? 'yes' : 'NO'} |`);
    for (const n of notes) lines.push(`note: ${n}`);
    process.stdout.write(lines.join('\n') + '\n');
    if (values.json) {
      await writeFile(values.json, JSON.stringify({ src, obj, rounds, sizes, rows, ratios, notes }, null, 2) + '\n');
    }
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`bench: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
