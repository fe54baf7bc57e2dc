// Benchmark: the archive out of each kernel image scripts/kernel-images.sh
// built, by our CLI in one step, against the kernel's own
// scripts/extract-vmlinux followed by our CLI on the vmlinux it wrote (the way
// users had to go before). Same file, same output checked byte for byte;
// medians of N alternating rounds. extract-vmlinux only handles images that
// decode to an ELF (x86 bzImage): raw arm64 Images are timed for ours alone.
// Usage: npm run bench:images -- [--rounds N]   (needs dist/: npm run build)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

const ROOT = path.resolve(import.meta.dirname, '..');
const CLI = process.env.KHEADERS_CLI ?? path.join(ROOT, 'dist/cli.js');

function sh(cmd: string, args: string[], stdoutFile?: string): number {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { maxBuffer: 1 << 30, encoding: 'buffer' });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr.toString().slice(-400)}`);
  if (stdoutFile !== undefined) writeFileSync(stdoutFile, r.stdout);
  return ms;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

function main(): void {
  const { values } = parseArgs({ options: { rounds: { type: 'string', default: '3' } } });
  const rounds = Number(values.rounds);
  const out = spawnSync('bash', [path.join(ROOT, 'scripts/kernel-images.sh')], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const images = /^images=(.*)$/m.exec(out.stdout)?.[1];
  if (out.status !== 0 || images === undefined) throw new Error(`kernel-images.sh failed:\n${out.stderr.slice(-2000)}`);
  const src = /^srctree=(.*)$/m.exec(out.stdout)?.[1] as string;
  const extractVmlinux = path.join(src, 'scripts/extract-vmlinux');
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'kh-bench-images-'));
  const cases: Array<{ name: string; file: string; dir: string; elf: boolean }> = [
    ...['gzip', 'bzip2', 'lzma', 'xz', 'lzo', 'lz4', 'zstd'].map((c) => ({ name: `x86 bzImage (${c})`, file: path.join(images, 'x86', c, 'bzImage'), dir: path.join(images, 'x86', c), elf: true })),
    ...['Image', 'Image.gz', 'Image.lz4', 'Image.zst', 'Image.bz2', 'Image.lzma', 'Image.lzo', 'vmlinuz.efi', 'boot-v2-lz4.img'].map((f) => ({ name: `arm64 ${f}`, file: path.join(images, 'arm64', f), dir: path.join(images, 'arm64'), elf: false })),
  ];
  console.log('| image | ours (one step) | extract-vmlinux + ours | ratio |');
  console.log('| --- | ---: | ---: | ---: |');
  try {
    for (const c of cases) {
      const want = readFileSync(path.join(c.dir, 'kheaders_data.tar.xz'));
      const ours: number[] = [];
      const theirs: number[] = [];
      for (let i = 0; i < rounds; i++) {
        const a = path.join(tmp, 'a.tar.xz');
        ours.push(sh(process.execPath, [CLI, 'extract', '--from', c.file, '--archive', a]));
        if (!readFileSync(a).equals(want)) throw new Error(`${c.name}: ours differs from the build's archive`);
        if (!c.elf) continue;
        const v = path.join(tmp, 'vmlinux');
        const t = sh(extractVmlinux, [c.file], v) + sh(process.execPath, [CLI, 'extract', '--from', v, '--archive', a]);
        if (!readFileSync(a).equals(want)) throw new Error(`${c.name}: extract-vmlinux + ours differs from the build's archive`);
        theirs.push(t);
      }
      const [o, t] = [median(ours), theirs.length ? median(theirs) : undefined];
      console.log(`| ${c.name} | ${(o / 1000).toFixed(2)} s | ${t === undefined ? '(not ELF: n/a)' : `${(t / 1000).toFixed(2)} s`} | ${t === undefined ? '' : `${(t / o).toFixed(2)}x`} |`);
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

main();
