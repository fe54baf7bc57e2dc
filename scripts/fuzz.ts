// Fuzzes the hostile-input readers with seeded mutations of real inputs.
// Each target builds its seeds once (packages made by dpkg-deb, rpmbuild and
// GNU tar) and mutates their bytes and header fields; each case runs in a
// worker with a 10 s deadline. Outcomes: ok (a result), unrecognized (not a
// package), a KheadersError by code, or other (a crash, a hang, any other
// error): other cases are saved under test/fixtures/fuzz/ and the run exits 1.
// Usage: npm run fuzz -- [--cases N] [--seed S] [--target ar,cpio,...] [--replay FILE --target T]
// tar, xz and ELF targets (scripts/fuzz-archive.ts) feed the archive reader, and
// a case it accepts must be one GNU tar and xz accept as well. Image and codec
// targets (scripts/fuzz-image.ts) feed the kernel image readers and codecs.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { isMainThread, parentPort, Worker } from 'node:worker_threads';
import { gunzipSync, gzipSync } from 'node:zlib';
import { KheadersError } from '../src/core/errors.js';
import { archiveFromPackage } from '../src/core/extract/from-package.js';
import { packageKind } from '../src/core/sources/containers/table.js';
import { buildArchPkg, buildDeb, buildRpm, kheadersModule, type KernelModules } from '../test/helpers/packages.js';
import { arHeaders, cpioHeaders, payloadAt, rpmHeaders, tarHeaders, zstdBlocks } from './fuzz-layout.js';
import { archiveSeeds, mutateElf, mutateTar, mutateXz, readCase } from './fuzz-archive.js';
import { imageSeeds, mutateCodec, mutateImage, readImageCase, type ImageKind } from './fuzz-image.js';

const REL = '6.8.0-31-generic';
const DEADLINE_MS = 10_000;
const FIXTURES = resolve(import.meta.dirname, '../test/fixtures/fuzz');

type Rng = () => number;
/** mulberry32: a small seeded PRNG (uniform in [0, 1)). */
function prng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const int = (r: Rng, n: number): number => Math.floor(r() * n);
const pick = <T>(r: Rng, xs: readonly T[]): T => xs[int(r, xs.length)] as T;
/** Values that break size and count checks. */
const interesting = (r: Rng, orig: number): number => pick(r, [0, 1, 2, 3, 4, 8, 16, 255, 0x7fff, 0x10000, 0x7fffffff, 0x80000000, 0xffffffff, orig + 1, Math.max(0, orig - 1), orig * 2, int(r, 2 ** 32)]) >>> 0;

interface Seeds { kernel: KernelModules; dir: string }
type Kind = 'package' | 'tar' | 'xz' | 'elf' | ImageKind;
interface Target {
  name: string;
  /** What reads the input: the package reader (default), or the archive reader on a tar, an xz or an ELF. */
  kind?: Kind;
  /** Real inputs to start from, built once. */
  seeds(s: Seeds): Buffer[];
  mutate(seed: Buffer, r: Rng): Buffer;
}

/** Byte-level mutations any target can fall back on: flip, truncate, insert. */
function bytesMutation(b: Buffer, r: Rng): Buffer {
  const [op, at] = [int(r, 3), int(r, b.length)];
  if (op === 0) { b[at] = int(r, 256); return b; }
  if (op === 1) return b.subarray(0, at);
  return Buffer.concat([b.subarray(0, at), Buffer.from(Array.from({ length: 1 + int(r, 64) }, () => int(r, 256))), b.subarray(at)]);
}

const TARGETS: Target[] = [
  { name: 'tar', kind: 'tar', seeds: (s) => archiveSeeds(s.dir, s.kernel.ko as Buffer).tar, mutate: mutateTar },
  { name: 'xz', kind: 'xz', seeds: (s) => archiveSeeds(s.dir, s.kernel.ko as Buffer).xz, mutate: mutateXz },
  { name: 'elf', kind: 'elf', seeds: (s) => archiveSeeds(s.dir, s.kernel.ko as Buffer).elf, mutate: mutateElf },
  { name: 'image', kind: 'image', seeds: (s) => imageSeeds(s.kernel.ko as Buffer).image, mutate: mutateImage },
  ...(['bzip2', 'lz4', 'lzo', 'lzma', 'bzip2-tool', 'zstd-tool', 'lzma-tool'] as const).map((k): Target => ({ name: k, kind: k, seeds: (s) => imageSeeds(s.kernel.ko as Buffer)[k], mutate: mutateCodec })),
  {
    name: 'ar',
    seeds: (s) => (['xz', 'zstd', 'gzip', 'none'] as const).map((z) => readFileSync(buildDeb(s.dir, { name: `linux-modules-${REL}`, version: '1', kernels: [s.kernel], z }))),
    mutate(b, r) {
      const h = pick(r, arHeaders(b));
      const op = int(r, 5);
      if (op === 0) b.write(String(interesting(r, Number(b.toString('latin1', h + 48, h + 58)))).padEnd(10, ' ').slice(0, 10), h + 48, 'latin1');
      else if (op === 1) b.write(pick(r, ['-1        ', '0x10      ', '          ', '1e3       ']), h + 48, 'latin1');
      else if (op === 2) b[h + int(r, 60)] = int(r, 256);
      else if (op === 3) b.write(pick(r, ['debian-binary/  ', 'data.tar.bz2    ', 'control.tar     ', 'data.tar.zst    ']), h, 'latin1');
      else return bytesMutation(b, r);
      return b;
    },
  },
  {
    name: 'deb-tar',
    seeds: (s) => [readFileSync(buildDeb(s.dir, { name: `linux-modules-${REL}`, version: '1', kernels: [s.kernel], z: 'none' }))],
    mutate(b, r) {
      const data = arHeaders(b).find((h) => b.toString('latin1', h, h + 8) === 'data.tar') as number;
      const size = Number(b.toString('latin1', data + 48, data + 58));
      const h = pick(r, tarHeaders(b, data + 60, data + 60 + size));
      const op = int(r, 4);
      if (op === 0) b.write(interesting(r, 0).toString(8).padStart(11, '0').slice(-11), h + 124, 'latin1');
      else if (op === 1) b.write(pick(r, ['../../', '/', 'lib/modules/x/../../']) + 'kheaders.ko', h, 'latin1');
      else if (op === 2) b[h + 156] = pick(r, [0x31, 0x32, 0x33, 0x35, 0x4c, 0x78, 0x67]);
      else b[h + int(r, 512)] = int(r, 256);
      if (r() < 0.7) { // keep the checksum right, so the change reaches the reader
        b.fill(0x20, h + 148, h + 156);
        let sum = 0;
        for (let i = 0; i < 512; i++) sum += b[h + i] as number;
        b.write(sum.toString(8).padStart(6, '0') + '\0 ', h + 148, 'latin1');
      }
      return b;
    },
  },
  {
    name: 'rpm-header',
    seeds: (s) => ['w19.zstdio', 'w6.xzdio', 'w9.gzdio'].map((p) => readFileSync(buildRpm(s.dir, { name: 'kernel-modules-core', version: '6.8.0', kernels: [{ ...s.kernel, compress: 'xz' }], payload: p }))),
    mutate(b, r) {
      const hs = rpmHeaders(b);
      const h = pick(r, hs);
      const op = int(r, 6);
      if (op === 0) b[int(r, 96)] = int(r, 256);
      else if (op === 1) b.writeUInt32BE(interesting(r, h.il), h.at + 8);
      else if (op === 2) b.writeUInt32BE(interesting(r, h.dl), h.at + 12);
      else if (op === 3) {
        const e = h.at + 16 + int(r, h.il) * 16 + 4 * int(r, 4);
        b.writeUInt32BE(interesting(r, b.readUInt32BE(e)), e);
      } else if (op === 4) b[h.at + 16 + h.il * 16 + int(r, h.dl)] = int(r, 256);
      else return b.subarray(0, int(r, payloadAt(b) + 16));
      return b;
    },
  },
  {
    name: 'cpio',
    seeds: (s) => [readFileSync(buildRpm(s.dir, { name: 'kernel-modules-core', version: '6.8.0', kernels: [{ ...s.kernel, compress: 'xz' }], payload: 'w9.gzdio' }))],
    mutate(b, r) {
      const at = payloadAt(b);
      let cpio: Buffer = gunzipSync(b.subarray(at));
      const h = pick(r, cpioHeaders(cpio));
      const op = int(r, 5);
      const field = int(r, 13);
      if (op === 0) cpio.write(interesting(r, parseInt(cpio.toString('latin1', h + 6 + field * 8, h + 14 + field * 8), 16)).toString(16).padStart(8, '0'), h + 6 + field * 8, 'latin1');
      else if (op === 1) cpio.write(pick(r, ['zzzzzzzz', '-0000001', '        ', '0x000010']), h + 6 + field * 8, 'latin1');
      else if (op === 2) cpio.write(pick(r, ['070707', '07070X', '070702', '070701']), h, 'latin1');
      else if (op === 3) cpio.write(pick(r, ['../', '/', '\0', 'TRAILER!!!\0']), h + 110 + int(r, 8), 'latin1');
      else cpio = bytesMutation(cpio, r);
      return Buffer.concat([b.subarray(0, at), gzipSync(cpio)]);
    },
  },
  {
    name: 'zstd',
    seeds: (s) => {
      const pkg = readFileSync(buildArchPkg(s.dir, { name: 'linux', version: '1', kernels: [{ ...s.kernel, prefix: 'usr/lib' }], z: 'zstd' }));
      const tar = execFileSync('zstd', ['-dc'], { input: pkg });
      const frames = Buffer.concat([tar.subarray(0, 10240), tar.subarray(10240)].map((p) => execFileSync('zstd', ['-c', '-q', '--no-check'], { input: p })));
      return [pkg, frames];
    },
    mutate(b, r) {
      const op = int(r, 4);
      if (op === 0) b[4 + int(r, 14)] = int(r, 256);
      else if (op === 1) {
        const h = pick(r, zstdBlocks(b));
        b.writeUIntLE(((interesting(r, b.readUIntLE(h, 3) >>> 3) & 0x1fffff) << 3) | int(r, 8), h, 3);
      } else if (op === 2) b[pick(r, zstdBlocks(b))] ^= 1; // the last-block bit
      else return bytesMutation(b, r);
      return b;
    },
  },
];

/** ok, unrecognized, error:CODE, or other (with the stack or what went wrong). */
interface Outcome { outcome: string; detail?: string }

/** Runs one input through its reader. */
async function runCase(input: Buffer, target: Kind): Promise<Outcome> {
  try {
    if (target === 'image' || target === 'bzip2' || target === 'lz4' || target === 'lzo' || target === 'lzma' || target === 'bzip2-tool' || target === 'zstd-tool' || target === 'lzma-tool') {
      const got = await readImageCase(input, target);
      return got === 'ok' ? { outcome: 'ok' } : got === 'error' ? { outcome: 'error:codec' } : { outcome: 'other', detail: got };
    }
    if (target !== 'package') {
      const got = await readCase(input, target);
      return got === 'ok' ? { outcome: 'ok' } : { outcome: 'other', detail: got };
    }
    const kind = await packageKind(input, input.subarray(0, 4096));
    if (kind === undefined) return { outcome: 'unrecognized' };
    await archiveFromPackage(input, kind, { limits: { maxPayloadBytes: 256 << 20 } });
    return { outcome: 'ok' };
  } catch (err) {
    if (err instanceof KheadersError) return { outcome: `error:${err.code}` };
    return { outcome: 'other', detail: err instanceof Error ? (err.stack ?? err.message) : String(err) };
  }
}

/** One worker at a time; a case past the deadline (or a crash) ends it and starts another. */
class Runner {
  private worker?: Worker;
  private start(): Worker {
    const boot = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((t) => { t.register(); return import(${JSON.stringify(import.meta.url)}); });`;
    const w = new Worker(boot, { eval: true });
    w.unref();
    return (this.worker = w);
  }
  run(input: Buffer, kind: Kind = 'package'): Promise<Outcome> {
    const w = this.worker ?? this.start();
    return new Promise((done) => {
      const finish = (v: Outcome, kill: boolean): void => {
        clearTimeout(timer);
        w.removeAllListeners('message').removeAllListeners('error');
        if (kill) { void w.terminate(); this.worker = undefined; }
        done(v);
      };
      const timer = setTimeout(() => finish({ outcome: 'other', detail: `hang: no answer within ${DEADLINE_MS} ms` }, true), DEADLINE_MS);
      w.once('message', (v: Outcome) => finish(v, false));
      w.once('error', (e) => finish({ outcome: 'other', detail: `crash: ${e.stack ?? e.message}` }, true));
      w.postMessage({ input, kind });
    });
  }
  /** Lets the worker end on its own (terminating it while the xz binding still works in the pool aborts the process). */
  async close(): Promise<void> {
    const w = this.worker;
    if (w === undefined) return;
    const exited = new Promise<void>((done) => w.once('exit', () => done()));
    w.postMessage('quit');
    const timer = setTimeout(() => void w.terminate(), 15_000);
    await exited;
    clearTimeout(timer);
  }
}

async function main(): Promise<number> {
  // The JS decoders by default (the workers inherit this); the *-tool targets use the system tools.
  process.env.KHEADERS_SYSTEM_CODECS ??= '0';
  const { values: v } = parseArgs({ options: { cases: { type: 'string', default: '1000' }, seed: { type: 'string', default: '1' }, target: { type: 'string' }, replay: { type: 'string' } } });
  const [cases, seed, names] = [Number(v.cases), Number(v.seed), v.target?.split(',')];
  const targets = TARGETS.filter((t) => names === undefined || names.includes(t.name));
  if (!Number.isSafeInteger(cases) || !Number.isSafeInteger(seed) || targets.length === 0) throw new Error(`usage: fuzz [--cases N] [--seed S] [--target ${TARGETS.map((t) => t.name).join(',')}] [--replay FILE]`);
  const runner = new Runner();
  if (v.replay !== undefined) {
    const got = await runner.run(readFileSync(v.replay), targets[0]?.kind).finally(() => runner.close());
    console.log(`${v.replay}: ${got.outcome}${got.detail ? `\n${got.detail}` : ''}`);
    return got.outcome === 'other' ? 1 : 0;
  }
  const dir = mkdtempSync(join(tmpdir(), 'kheaders-fuzz-'));
  const t0 = Date.now();
  try {
    const mod = kheadersModule(dir, REL);
    const kernel: KernelModules = { release: REL, ko: mod.ko, compress: 'zst', prefix: 'lib' };
    const seeds = new Map(targets.map((t) => [t.name, t.seeds({ kernel, dir })]));
    console.log(`seeds built in ${Date.now() - t0} ms; ${cases} cases, seed ${seed}, targets ${targets.map((t) => t.name).join(', ')}`);
    const counts = new Map<string, Map<string, number>>();
    let others = 0;
    const t1 = Date.now();
    for (let i = 0; i < cases; i++) {
      const t = targets[i % targets.length] as Target;
      const r = prng(seed * 1_000_003 + i);
      const input = t.mutate(Buffer.from(pick(r, seeds.get(t.name) as Buffer[])), r);
      const got = await runner.run(input, t.kind);
      const row = counts.get(t.name) ?? counts.set(t.name, new Map()).get(t.name) as Map<string, number>;
      row.set(got.outcome, (row.get(got.outcome) ?? 0) + 1);
      if (got.outcome === 'other') {
        others++;
        mkdirSync(FIXTURES, { recursive: true });
        const base = join(FIXTURES, `${t.name}-seed${seed}-case${i}`);
        writeFileSync(`${base}.bin`, input);
        writeFileSync(`${base}.txt`, `${got.detail ?? ''}\n`);
        console.log(`OTHER ${t.name} case ${i}: saved ${base}.bin\n${got.detail ?? ''}`);
      }
    }
    await runner.close();
    for (const [name, row] of counts) console.log(`${name.padEnd(11)} ${[...row].sort().map(([o, c]) => `${o} ${c}`).join(', ')}`);
    console.log(`${cases} cases in ${((Date.now() - t1) / 1000).toFixed(1)} s: ${others} other`);
    return others > 0 ? 1 : 0;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (isMainThread) {
  process.exitCode = await main();
} else {
  parentPort?.on('message', (msg: 'quit' | { input: Uint8Array; kind: Kind }) => {
    if (msg === 'quit') {
      parentPort?.close();
      return;
    }
    const { input, kind } = msg;
    void runCase(Buffer.from(input.buffer, input.byteOffset, input.length), kind).then((v) => parentPort?.postMessage(v));
  });
}
