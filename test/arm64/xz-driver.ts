// Bundled by addon.test.ts and run under emulated arm64 Node: node-liblzma
// (with the vendored arm64 addon) encodes or decodes one file.
import { createReadStream, createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { check, createUnxz, createXz, hasThreads, versionString } from 'node-liblzma';

async function main(): Promise<void> {
  const [mode, input, output, preset, threads] = process.argv.slice(2);
  if (mode === 'info') {
    const info = { arch: process.arch, node: process.version, threads: hasThreads(), liblzma: versionString() };
    process.stdout.write(JSON.stringify(info));
    return;
  }
  if ((mode !== 'xz' && mode !== 'unxz') || input === undefined || output === undefined) {
    throw new Error('usage: xz-driver info | xz IN OUT PRESET THREADS | unxz IN OUT');
  }
  const codec = mode === 'xz'
    ? createXz({ preset: Number(preset), check: check.CRC64, threads: Number(threads) })
    : createUnxz();
  await pipeline(createReadStream(input), codec, createWriteStream(output));
}

await main();
