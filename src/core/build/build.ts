import { resolve } from 'node:path';
import { Transform } from 'node:stream';
import { writeAtomically, type Written } from '../io/atomic.js';
import { prepareTree } from '../kernel/prepare.js';
import { resolveTree } from '../kernel/resolve.js';
import { claimFor, describeClaim, type Claim } from '../kernel/claim.js';
import { parseMtime } from '../kernel/mtime.js';
import type { VariantInfo } from '../kernel/script.js';
import { KheadersError } from '../errors.js';
import { phase, type Logger } from '../log.js';
import type { Mtime, PackSettings, TreeSettings } from '../settings.js';
import { collectHeaders } from './collect.js';
import { createCompressor } from './compress.js';
import { tarItems } from './order.js';
import { loadItem } from './strip.js';
import { packTar } from './tar.js';

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
  /** Refuse to build when the script has constructs we do not model. */
  strictVariant?: boolean;
}

/** What was built; `size` is the compressed size in bytes. */
export interface BuildResult extends Written {
  archive: string;
  /** Uncompressed tar size in bytes. */
  tarSize: number;
  files: number;
  variant: VariantInfo;
  /** What the archive is to the one this tree's own script makes. */
  claim: Claim;
  /** The archive's mtime, as the script's rules decide it. */
  mtime: Mtime;
  /** Whether make ran ('prepared') or the tree was used as found ('ready'). */
  prepare: 'ready' | 'prepared';
  /** Milliseconds per phase. */
  timings: Record<string, number>;
}

const CHUNK = 1 << 20;

/** Builds kheaders_data.tar.xz for a tree: resolve, prepare, collect, pack and compress. */
export async function buildArchive(opts: BuildOptions, log: Logger): Promise<BuildResult> {
  const timings: Record<string, number> = {};
  const { tree, pack } = opts;
  const output = resolve(opts.output);
  const variant = opts.variant ?? (await phase(log, timings, 'resolve tree', () => resolveTree(tree, log)));
  const mtime = scriptMtime(variant, pack.mtime);
  const claim = claimFor(variant, mtime, pack.compression);
  if (claim.fidelity === 'unknown' && opts.strictVariant) {
    throw new KheadersError('UNKNOWN_SCRIPT', `refusing to build: ${describeClaim(claim)}`,
      'pass --variant RULES to state the rules, or drop --strict-variant to follow the closest ones');
  }
  log.debug(`claim: ${describeClaim(claim)}`);
  const prepared = await phase(log, timings, 'prepare config', () => prepareTree(tree, log));
  const entries = await phase(log, timings, 'collect headers', async () => {
    const found = await collectHeaders({ srctree: tree.source, objtree: tree.objtree, srcarch: tree.arch, variant: variant.variant, rules: variant.rules });
    log.info(`${found.length} headers from ${tree.objtree && tree.objtree !== tree.source ? `${tree.source} and ${tree.objtree}` : tree.source}`);
    return found;
  });
  let tarSize = 0;
  const written = await phase(log, timings, 'pack and compress', async () => {
    const items = tarItems(entries, variant.rules);
    let packed = 0;
    let xzSize = 0;
    const owner = variant.rules.owner === 'root' ? 'root' : undefined;
    const tar = packTar(items, mtime.epoch, loadItem, { owner, onItem: (it) => { if (it.entry) packed++; } });
    const began = performance.now();
    const show = (): void => log.progress(`${Math.floor((100 * packed) / Math.max(1, entries.length))}% ${packed}/${entries.length} headers packed, ` +
      `${(tarSize / 1e6).toFixed(1)} MB tar, ${(xzSize / 1e6).toFixed(1)} MB compressed, ${((performance.now() - began) / 1000).toFixed(1)} s`);
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
    log.debug(`packed ${tarSize} bytes of tar into ${result.size} bytes (compression ${pack.compression})`);
    return result;
  });
  return { archive: output, ...written, tarSize, files: entries.length, variant, claim, mtime, prepare: prepared, timings };
}

/** The mtime the script's rules give: a script with a fixed --mtime keeps it unless --mtime says otherwise. */
export function scriptMtime(variant: Pick<VariantInfo, 'rules'>, given: Mtime): Mtime {
  const fixed = variant.rules.mtime === 'fixed' ? variant.rules.fixedMtime : undefined;
  if (fixed === undefined || given.origin === '--mtime') return given;
  return { epoch: parseMtime(fixed), origin: 'script' };
}
