import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../..');

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
