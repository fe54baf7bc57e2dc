import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { mkdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { KheadersError } from '../errors.js';
import type { Logger } from '../log.js';
import type { ConfigSpec, TreeSettings } from '../settings.js';
import { describeConfig } from './config-spec.js';
import { copyFileAtomically, writeFileAtomically } from '../io/atomic.js';

async function exists(path: string): Promise<boolean> {
  return stat(path).then(() => true, () => false);
}

/** The tree where make writes: the objtree for O= builds, else the source tree. */
export function buildDir(tree: TreeSettings): string {
  return tree.objtree ?? tree.source;
}

/** True when the generated headers the archive needs are present for this arch. */
export async function isPrepared(tree: TreeSettings): Promise<boolean> {
  const dir = buildDir(tree);
  const needed = ['include/generated/autoconf.h', 'include/generated/utsrelease.h', `arch/${tree.arch}/include/generated`];
  const found = await Promise.all(needed.map((p) => exists(join(dir, p))));
  return found.every(Boolean);
}

/** Identifies what the tree was prepared from, so an unchanged request skips make. */
async function stampFor(tree: TreeSettings, spec: ConfigSpec): Promise<string> {
  const h = createHash('sha256').update(`arch=${tree.makeArch}\n`);
  if (spec.kind === 'file') h.update('file\n').update(await readFile(spec.path));
  else h.update(`target=${spec.target}\n`);
  return h.digest('hex');
}

const STAMP = 'include/config/kheaders-prepared';

/**
 * Makes sure the tree has its generated headers: with --config, runs
 * `make olddefconfig|TARGET` and `make prepare` unless the same config was
 * already prepared; without it, insists the tree is prepared already.
 */
export async function prepareTree(tree: TreeSettings, log: Logger): Promise<'ready' | 'prepared'> {
  const dir = buildDir(tree);
  if (tree.config === undefined) {
    if (await isPrepared(tree)) return 'ready';
    throw new KheadersError('TREE_NOT_PREPARED',
      `the tree at ${dir} is not prepared for ARCH=${tree.makeArch}: include/generated/autoconf.h, utsrelease.h or arch/${tree.arch}/include/generated is missing`,
      `pass --config defconfig (or a .config file) to let kheaders run make, or run: make ${makeArgs(tree).join(' ')} olddefconfig prepare`);
  }
  const spec = tree.config;
  const stamp = await stampFor(tree, spec);
  const old = await readFile(join(dir, STAMP), 'utf8').catch(() => '');
  if (old.trim() === stamp && (await isPrepared(tree))) {
    log.info(`tree already prepared from this config (${describeConfig(spec)}); make skipped`);
    return 'ready';
  }
  const fix = `make ${dir} writable, or pass a writable objtree (O= directory)`;
  await mkdir(dir, { recursive: true });
  if (spec.kind === 'file') await copyFileAtomically(spec.path, join(dir, '.config'), fix);
  await runMake(tree, [spec.kind === 'file' ? 'olddefconfig' : spec.target], log);
  await runMake(tree, ['prepare'], log);
  await writeFileAtomically(join(dir, STAMP), `${stamp}\n`, fix);
  return 'prepared';
}

/** make's arguments before the target: -C, O=, ARCH=, -j. */
export function makeArgs(tree: TreeSettings): string[] {
  const args = ['-C', tree.source];
  if (tree.objtree !== undefined && tree.objtree !== tree.source) args.push(`O=${tree.objtree}`);
  args.push(`ARCH=${tree.makeArch}`, `-j${availableParallelism()}`);
  return args;
}

/** Runs make without a shell and streams its output lines to the log. */
export async function runMake(tree: TreeSettings, targets: string[], log: Logger): Promise<void> {
  const args = [...makeArgs(tree), ...targets];
  log.info(`make ${args.join(' ')}`);
  const tail: string[] = [];
  const code = await new Promise<number>((resolve, reject) => {
    const child = spawn(process.env.MAKE ?? 'make', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const onData = (chunk: Buffer): void => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line === '') continue;
        log.info(line);
        tail.push(line);
        if (tail.length > 20) tail.shift();
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', (err: NodeJS.ErrnoException) => reject(err.code === 'ENOENT'
      ? new KheadersError('MAKE_FAILED', 'make was not found on PATH', 'install make and the kernel build tools (e.g. apt-get install build-essential flex bison bc libelf-dev libssl-dev)')
      : err));
    child.on('close', (c, signal) => resolve(c ?? (signal ? 128 : 1)));
  });
  if (code !== 0) {
    throw new KheadersError('MAKE_FAILED', `make ${targets.join(' ')} failed with exit code ${code}:\n${tail.join('\n')}`,
      'read make\'s output above; the kernel build tools (gcc, flex, bison, bc, libelf-dev, libssl-dev) may be missing');
  }
}
