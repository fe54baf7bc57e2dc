import { lstat } from 'node:fs/promises';
import { KheadersError } from '../errors.js';
import type { Logger } from '../log.js';
import { resolveArch } from './arch.js';
import { checkTreesBelong } from './pair.js';
import { detectVariant, type VariantInfo } from './script.js';
import { checkKernelTree } from './tree.js';

/** The trees a command reads; arch undefined: not known yet (verify takes it from the archive). */
export interface TreeRef {
  source: string;
  objtree?: string;
  arch?: string;
  /** make will configure and prepare the objtree from this source (it may be stale until then). */
  config?: unknown;
}

/** Checks the trees and reads the script's rules, warning when the script is not one we know. */
export async function resolveTree(tree: TreeRef, log: Logger): Promise<VariantInfo> {
  await checkKernelTree(tree.source);
  if (tree.arch !== undefined) resolveArch(tree.arch, tree.source); // throws when the tree has no arch/<SRCARCH>/
  if (tree.objtree !== undefined && tree.objtree !== tree.source) {
    const st = await lstat(tree.objtree).catch(() => undefined);
    if (st !== undefined && !st.isDirectory()) throw new KheadersError('BAD_INPUT', `objtree ${tree.objtree} is not a directory`, 'pass the O= build directory');
    if (st !== undefined) await checkTreesBelong(tree.source, tree.objtree, tree.config !== undefined);
  }
  const variant = await detectVariant(tree.source);
  if (!variant.known) log.warning(`unrecognised kernel/gen_kheaders.sh; following the "${variant.variant}" rules (${variant.reason})`);
  else log.info(`script variant: ${variant.variant} (${variant.reason})`);
  return variant;
}
