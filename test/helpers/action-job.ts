// Runner jobs for the tests of the bundled action (dist/index.js): each job
// gets a fresh dir with its own workspace and a fresh copy of the unprepared
// test tree, with a `make` shim on PATH that records every call.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { copyTree, makeShim, tempDir, writeTree } from './action-tree.js';
import { node24, runActionProcess, type ActionRun } from './action-run.js';

export const MTIME = '2024-01-01 00:00:00 UTC';

export const md5sum = (p: string): string => createHash('md5').update(readFileSync(p)).digest('hex');
export const sha256sum = (p: string): string => createHash('sha256').update(readFileSync(p)).digest('hex');

/** What a failed job printed, for assertion messages. */
export function fail(r: ActionRun): string {
  return `exit ${r.code}\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-2000)}`;
}

/** Where README.md says Node 24 goes (.ci/run installs it there). */
export const NODE24_MISSING = 'Node 24 not found: install it into .ci/node24 as .ci/run does (npm install --prefix .ci/node24), see README.md, or set KHEADERS_NODE24';

export interface Jobs {
  /** The temp dir of this test file (removed by cleanup). */
  dir: string;
  /** The unprepared tree every job copies. */
  pristine: string;
  /** PATH with the make shim first. */
  PATH: string;
  /** A fresh path under dir: name + a counter. */
  unique(name: string): string;
  /** The make calls recorded so far. */
  makeCalls(): string[];
  /** One runner job with these inputs (source defaults to the job's copy of the tree). */
  job(node: string, inputs: Record<string, string>, env: Record<string, string>): Promise<ActionRun & { tree: string }>;
  /** The node for tests that need one runtime: Node 24 if installed, else this one. */
  node: string;
  cleanup(): void;
}

export function actionJobs(prefix: string): Jobs {
  const tmp = tempDir(prefix);
  const pristine = writeTree(join(tmp.dir, 'pristine'));
  const shim = makeShim(tmp.dir);
  const PATH = `${shim.bin}:${process.env.PATH ?? '/usr/bin:/bin'}`;
  let n = 0;
  const unique = (name: string): string => join(tmp.dir, `${name}${n++}`);
  return {
    dir: tmp.dir,
    pristine,
    PATH,
    unique,
    makeCalls: () => (existsSync(shim.log) ? readFileSync(shim.log, 'utf8').trim().split('\n').filter(Boolean) : []),
    async job(node, inputs, env) {
      const dir = unique('job');
      mkdirSync(dir);
      mkdirSync(join(dir, 'workspace'));
      const tree = copyTree(pristine, join(dir, 'workspace', 'linux'));
      const r = await runActionProcess({ node, dir, path: PATH, inputs: { source: tree, ...inputs }, env, runnerTemp: join(tmp.dir, 'runner_temp') });
      return { ...r, tree };
    },
    node: node24() ?? process.execPath,
    cleanup: tmp.cleanup,
  };
}
