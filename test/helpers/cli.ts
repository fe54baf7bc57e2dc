import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { makeSampleTree } from '../../src/cli/sample.js';

export const ROOT = resolve(import.meta.dirname, '../..');

/**
 * The bundled CLI copied alone, a work dir (XDG_CACHE_HOME in it, which
 * children inherit: never the user's cache) and the x86 sample tree; cleanup()
 * removes all three.
 */
export async function cliWithSample(prefix: string): Promise<{ cli: string; work: string; tree: string; cleanup: () => Promise<void> }> {
  const dist = isolatedDist();
  const work = mkdtempSync(join(tmpdir(), prefix));
  process.env.XDG_CACHE_HOME = join(work, 'xdg');
  const sample = await makeSampleTree('x86', 'x86_64');
  return {
    cli: dist.cli, work, tree: sample.tree.source,
    cleanup: async () => {
      dist.cleanup();
      rmSync(work, { recursive: true, force: true });
      await sample.cleanup();
    },
  };
}

/** dist/ copied to a temp dir with no node_modules anywhere above it; call cleanup() when done. */
export function isolatedDist(): { cli: string; dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'kh-dist-'));
  cpSync(join(ROOT, 'dist'), dir, { recursive: true });
  return { cli: join(dir, 'cli.js'), dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs a node script with args; onStderr may act (e.g. send a signal) as output arrives. */
export function runNode(script: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; node?: string; onStderr?: (text: string, kill: (s: NodeJS.Signals) => void) => void } = {}): Promise<Run> {
  return new Promise((done, fail) => {
    const child = spawn(opts.node ?? process.execPath, [script, ...args], { cwd: opts.cwd, env: { ...process.env, ...opts.env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      opts.onStderr?.(stderr, (s) => child.kill(s));
    });
    child.on('error', fail);
    child.on('close', (code, signal) => done({ code, signal, stdout, stderr }));
  });
}
