// The e2e suites' real kernel tree: scripts/kernel-tree.sh prepares (or finds)
// it in the cache and prints key=value lines; get() fails the test on a missing key.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';

const TREE_SCRIPT = resolve(import.meta.dirname, '../../scripts/kernel-tree.sh');

/** Runs kernel-tree.sh with args; returns a getter for the values it printed (cache, tree, srctree, objtree, ref, ...). */
export async function kernelTree(args: string[] = []): Promise<(key: string) => string> {
  const { stdout } = await promisify(execFile)('bash', [TREE_SCRIPT, ...args], { env: process.env, maxBuffer: 64 * 1024 * 1024 });
  const kv = new Map<string, string>();
  for (const line of stdout.split('\n')) {
    const i = line.indexOf('=');
    if (i > 0) kv.set(line.slice(0, i), line.slice(i + 1));
  }
  return (k) => {
    const v = kv.get(k);
    assert.ok(v, `kernel-tree.sh printed no ${k}= line:\n${stdout}`);
    return v;
  };
}
