import { lstat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Transform } from 'node:stream';
import { resolveArch } from '../kernel/arch.js';
import { collectHeaders } from './collect.js';
import { createCompressor } from './compress.js';
import { KheadersError } from '../errors.js';
import type { Logger } from '../log.js';
import { archiveOrder, packTar, type TarItem } from './tar.js';
import { prepareTree } from '../kernel/prepare.js';
import type { PackSettings, TreeSettings } from '../settings.js';
import { readStripped } from './strip.js';
import { checkKernelTree } from '../kernel/tree.js';
import type { HeaderEntry } from '../types.js';
import { detectVariant, type VariantInfo } from '../kernel/script.js';
import { writeAtomically, type Written } from '../io/atomic.js';

/** What to build and where to put it. */
export interface BuildOptions {
  tree: TreeSettings;
  pack: PackSettings;
  /** The archive to write (atomically). */
  output: string;
  /** Aborting removes the partial output and rejects. */
  signal?: AbortSignal;
  /** The tree's variant when the caller already resolved it. */
  variant?: VariantInfo;
}

/** What was built; `size` is the compressed size in bytes. */
export interface BuildResult extends Written {
  archive: string;
  /** Uncompressed tar size in bytes. */
  tarSize: number;
  files: number;
  variant: VariantInfo;
  /** Whether make ran ('prepared') or the tree was used as found ('ready'). */
  prepare: 'ready' | 'prepared';
  /** Milliseconds per phase. */
  timings: Record<string, number>;
}

/** Runs fn as a logged phase and records its duration. */
export async function phase<T>(log: Logger, timings: Record<string, number>, name: string, fn: () => Promise<T>): Promise<T> {
  const start = performance.now();
  try {
    return await log.group(name, fn);
  } finally {
    timings[name] = Math.round(performance.now() - start);
  }
}

/** Resolves the tree's script variant, warning when the script is not one we know. */
export async function resolveVariant(tree: TreeSettings, log: Logger): Promise<VariantInfo> {
  await checkKernelTree(tree.source);
  if (tree.arch !== '') resolveArch(tree.arch, tree.source); // throws when the tree has no arch/<SRCARCH>/
  if (tree.objtree !== undefined && tree.objtree !== tree.source) {
    const st = await lstat(tree.objtree).catch(() => undefined);
    if (st !== undefined && !st.isDirectory()) throw new KheadersError(`objtree ${tree.objtree} is not a directory`, 'pass the O= build directory');
  }
  const variant = await detectVariant(tree.source);
  if (!variant.known) log.warning(`unrecognised kernel/gen_kheaders.sh; following the "${variant.variant}" rules (${variant.reason})`);
  else log.info(`script variant: ${variant.variant} (${variant.reason})`);
  return variant;
}

const CHUNK = 1 << 20;

/** Reads one file member's bytes, comment-stripped as the kernel does. */
export function loadItem(item: TarItem): Promise<Buffer> {
  return readStripped((item.entry as HeaderEntry).path);
}

/** Builds kheaders_data.tar.xz for a tree: resolve, prepare, collect, pack and compress. */
export async function buildArchive(opts: BuildOptions, log: Logger): Promise<BuildResult> {
  const timings: Record<string, number> = {};
  const { tree, pack } = opts;
  const output = resolve(opts.output);
  const variant = opts.variant ?? (await phase(log, timings, 'resolve tree', () => resolveVariant(tree, log)));
  const prepared = await phase(log, timings, 'prepare config', () => prepareTree(tree, log));
  const entries = await phase(log, timings, 'collect headers', async () => {
    const found = await collectHeaders({ srctree: tree.source, objtree: tree.objtree, srcarch: tree.arch, variant: variant.variant, rules: variant.rules });
    log.info(`${found.length} headers from ${tree.objtree && tree.objtree !== tree.source ? `${tree.source} and ${tree.objtree}` : tree.source}`);
    return found;
  });
  let tarSize = 0;
  const written = await phase(log, timings, 'pack and compress', async () => {
    const items = archiveOrder(entries);
    let packed = 0;
    let xzSize = 0;
    const tar = packTar(items, pack.mtime.epoch, loadItem, { onItem: (it) => { if (it.entry) packed++; } });
    const show = (): void => log.progress(`${packed}/${entries.length} headers packed, ${(tarSize / 1e6).toFixed(1)} MB tar, ${(xzSize / 1e6).toFixed(1)} MB compressed`);
    const xzCounter = new Transform({
      transform(chunk: Buffer, _enc, done): void {
        xzSize += chunk.length;
        show();
        done(null, chunk);
      },
    });
    // Feed xz 1 MiB at a time: fewer hand-offs to its worker thread, so it never waits on the JS side.
    const pending: Buffer[] = [];
    let held = 0;
    const flush = (push: (b: Buffer) => void): void => {
      if (held > 0) push(Buffer.concat(pending, held));
      pending.length = 0;
      held = 0;
    };
    const counter = new Transform({
      readableHighWaterMark: 4 * CHUNK,
      transform(chunk: Buffer, _enc, done): void {
        tarSize += chunk.length;
        show();
        pending.push(chunk);
        held += chunk.length;
        if (held >= CHUNK) flush((b) => this.push(b));
        done();
      },
      flush(done): void {
        flush((b) => this.push(b));
        done();
      },
    });
    const result = await writeAtomically(output, tar, [counter, createCompressor(pack.compression, pack.threads), xzCounter], opts.signal);
    log.info(`${(tarSize / 1e6).toFixed(1)} MB tar -> ${(result.size / 1e6).toFixed(1)} MB xz (${pack.compression})`);
    return result;
  });
  return { archive: output, ...written, tarSize, files: entries.length, variant, prepare: prepared, timings };
}
