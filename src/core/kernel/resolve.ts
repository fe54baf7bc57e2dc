import { lstat } from 'node:fs/promises';
import { KheadersError } from '../errors.js';
import type { Logger } from '../log.js';
import { resolveArch } from './arch.js';
import { checkTreesBelong } from './pair.js';
import { applyRulesSpec } from './rules-spec.js';
import { detectVariant, type VariantInfo } from './script.js';
import { checkKernelTree } from './tree.js';

/** The trees a command reads; arch undefined: not known yet (verify takes it from the archive). */
export interface TreeRef {
  source: string;
  objtree?: string;
  arch?: string;
  /** make will configure and prepare the objtree from this source (it may be stale until then). */
  config?: unknown;
  /** --variant RULES: rules stated by hand, over what the script says. */
  rules?: string;
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
  const detected = await detectVariant(tree.source).catch((e: unknown) => {
    if (tree.rules === undefined) throw e;
    return undefined;
  });
  const variant = tree.rules === undefined ? detected as VariantInfo : applyRulesSpec(tree.rules, detected);
  for (const note of variant.notes ?? []) log.warning(note);
  if (!variant.known) log.warning(`unrecognised kernel/gen_kheaders.sh; following the "${variant.variant}" rules (${variant.reason})`);
  else log.debug(`script variant: ${variant.variant} (${variant.reason})`);
  return variant;
}
