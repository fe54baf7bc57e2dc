// The two fallback codecs in-process, against the addon and the xz tool: the
// WASM decoder gives the bytes `xz -dc` gives and fails where `xz -t` fails;
// the system-xz encoder gives the addon's bytes in both of our modes.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Readable, type Duplex } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, test } from 'node:test';
import { loadAddon, xzEncoder } from '../../src/core/archive/xz.js';
import { wasmUnxz } from '../../src/core/archive/xz-wasm.js';
import { spawnXz, systemXz } from '../../src/core/archive/xz-spawn.js';

/** ~5 MB of header-like text with some noise: several 3 MiB blocks in fast mode. */
const input = Buffer.from(Array.from({ length: 170_000 }, (_, i) => `#define K_${i} 0x${randomBytes(4).toString('hex')}\n`).join(''));
const xzTool = (...args: string[]): Buffer => execFileSync('xz', [...args, '-c'], { input, maxBuffer: 1 << 27 });

async function through(codec: Duplex, data: Buffer): Promise<Buffer> {
  const out: Buffer[] = [];
  await pipeline(Readable.from([data.subarray(0, 1000), data.subarray(1000)]), codec, async (src: AsyncIterable<Buffer>) => {
    for await (const c of src) out.push(c);
  });
  return Buffer.concat(out);
}

describe('WASM decoder', () => {
  test('decodes xz -6 and multi-block xz -1 -T2 to what xz -dc gives', async () => {
    for (const xz of [xzTool('-6', '-T1'), xzTool('-1', '-T2', '--block-size=1MiB')]) {
      assert.ok((await through(await wasmUnxz(), xz)).equals(input));
    }
  });
  test('truncated, corrupt, trailing garbage: an error with liblzma\'s errno; stream padding is fine', async () => {
    const xz = xzTool('-6', '-T1');
    const corrupt = Buffer.from(xz);
    corrupt[xz.length >> 1]! ^= 0x10;
    for (const [bad, errno] of [[xz.subarray(0, xz.length - 20), 10], [corrupt, 9], [Buffer.concat([xz, Buffer.from('junk')]), 10]] as const) {
      await assert.rejects(through(await wasmUnxz(), bad), (e: { errno?: number }) => e.errno === errno);
      assert.equal(spawnSync('xz', ['-t'], { input: bad }).status, 1, 'xz -t refuses it too');
    }
    assert.ok((await through(await wasmUnxz(), Buffer.concat([xz, Buffer.alloc(8)]))).equals(input));
  });
});

describe('system xz encoder', () => {
  const xz = systemXz();
  test('there is one here, named with its version', () => {
    assert.ok(xz !== null);
    assert.match(xz.version, /^xz \(XZ Utils\) \d+\.\d+\.\d+/);
  });
  test('compat (preset 6, one thread) and fast (preset 1, 2 threads): the addon\'s bytes', async () => {
    const addon = await loadAddon();
    assert.ok(!(addon instanceof Error), 'the addon loads on this host');
    for (const [preset, threads] of [[6, 1], [1, 2]] as const) {
      const ours = await through(spawnXz(xz!, preset, threads), input);
      const lib = await through(addon.createXz({ preset, threads, check: addon.check.CRC64 }) as unknown as Duplex, input);
      assert.ok(ours.equals(lib), `preset ${preset}, ${threads} thread(s)`);
      assert.ok(execFileSync('xz', ['-dc'], { input: ours, maxBuffer: 1 << 27 }).equals(input));
    }
  });
  test('an xz that fails is an error, never a short output', async () => {
    await assert.rejects(through(spawnXz({ path: 'false', version: 'false' }, 6, 1), input), /false exited with status 1/);
  });
  test('with the addon loading, builds use it', async () => {
    assert.equal((await xzEncoder()).kind, 'addon');
  });
});
