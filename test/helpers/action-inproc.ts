// The action run in-process, the way the runner sets it up: INPUT_* variables,
// GITHUB_WORKSPACE and RUNNER_TEMP, a fresh copy of a made-up tree, a make shim.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach } from 'node:test';
import type { CachePort } from '../../src/core/cache/port.js';
import type { Logger } from '../../src/core/log.js';
import { copyTree, makeShim, writeTree } from './action-tree.js';

export type Level = 'debug' | 'info' | 'warning' | 'error';

/** A Logger that records each level's lines. */
export function collector(): { log: Logger; lines: Record<Level, string[]> } {
  const lines: Record<Level, string[]> = { debug: [], info: [], warning: [], error: [] };
  const rec = (l: Level) => (m: string): void => { lines[l].push(m); };
  return { lines, log: { debug: rec('debug'), info: rec('info'), warning: rec('warning'), error: rec('error'), group: (_n, fn) => fn(), progress: () => undefined } };
}

/** An in-memory CachePort that records its calls (the real one is @actions/cache). */
export function memoryPort(available = true): CachePort & { entries: Map<string, Buffer>; calls: string[] } {
  const entries = new Map<string, Buffer>();
  const calls: string[] = [];
  return {
    name: 'memory', entries, calls,
    available: () => available,
    restore: async (key, dest) => {
      calls.push(`restore ${key}`);
      const e = entries.get(key);
      if (e === undefined) return undefined;
      const { writeFile } = await import('node:fs/promises');
      await writeFile(dest, e);
      return key;
    },
    save: async (key, archive) => {
      calls.push(`save ${key}`);
      entries.set(key, readFileSync(archive));
      return true;
    },
    lookup: async (key) => {
      calls.push(`lookup ${key}`);
      return entries.has(key);
    },
  };
}

export interface JobOptions {
  /** Copy the made-up tree into the workspace, and put the make shim first on PATH (default true). */
  tree?: boolean;
  /** Point TMPDIR at the job's RUNNER_TEMP too (the default extract-to directory lives there). */
  tmpdir?: boolean;
}

export interface Job { workspace: string; tree: string; temp: string }

/**
 * Runner-like jobs in temp dirs under root: a fresh workspace (with a copy of
 * the tree), RUNNER_TEMP, and the inputs as INPUT_* variables. process.env is
 * saved before and restored after each test of the calling file.
 */
export function inprocJobs(root: string, defaults: JobOptions = {}): { job: (inputs: Record<string, string>, opts?: JobOptions) => Job; makeCalls: () => string[] } {
  const withTree = defaults.tree !== false;
  const pristine = withTree ? writeTree(join(root, 'pristine')) : undefined;
  const shim = withTree ? makeShim(root) : undefined;
  let saved: NodeJS.ProcessEnv = { ...process.env };
  beforeEach(() => { saved = { ...process.env }; });
  afterEach(() => { for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k]; Object.assign(process.env, saved); });
  let n = 0;
  const job = (inputs: Record<string, string>, opts: JobOptions = {}): Job => {
    const o = { ...defaults, ...opts };
    const dir = join(root, `job${n++}`);
    const [workspace, temp] = [join(dir, 'workspace'), join(dir, 'runner_temp')];
    for (const d of [workspace, temp]) mkdirSync(d, { recursive: true });
    const tree = join(workspace, 'linux');
    if (o.tree !== false && pristine !== undefined) copyTree(pristine, tree);
    for (const k of Object.keys(process.env)) if (k.startsWith('INPUT_')) delete process.env[k];
    for (const k of ['KBUILD_BUILD_TIMESTAMP', 'SOURCE_DATE_EPOCH', 'GITHUB_STEP_SUMMARY']) delete process.env[k];
    Object.assign(process.env, { GITHUB_WORKSPACE: workspace, RUNNER_TEMP: temp });
    if (shim !== undefined) process.env.PATH = `${shim.bin}:${saved.PATH ?? '/usr/bin:/bin'}`;
    if (o.tmpdir === true) process.env.TMPDIR = temp;
    for (const [k, v] of Object.entries(inputs)) process.env[`INPUT_${k.replace(/ /g, '_').toUpperCase()}`] = v;
    return { workspace, tree, temp };
  };
  const makeCalls = (): string[] => (shim !== undefined && existsSync(shim.log) ? readFileSync(shim.log, 'utf8').trim().split('\n').filter(Boolean) : []);
  return { job, makeCalls };
}
