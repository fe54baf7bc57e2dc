// Runs dist/index.js the way the Actions runner does: INPUT_* variables, and
// GITHUB_OUTPUT / GITHUB_ENV / GITHUB_STEP_SUMMARY / GITHUB_STATE files.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const ACTION = resolve(import.meta.dirname, '../../dist/index.js');

export interface Annotation {
  level: 'error' | 'warning' | 'notice';
  message: string;
  file?: string;
  line?: number;
}

export interface ActionRun {
  code: number;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  exported: Record<string, string>;
  summary: string;
  annotations: Annotation[];
}

/** Node 24 as .ci/run installs it, or from `npm install --prefix /tmp/node24 node@24`. */
export function node24(): string | undefined {
  const candidates = [process.env.KHEADERS_NODE24, '/tmp/node24/node_modules/.bin/node', resolve(import.meta.dirname, '../../.ci/node24/node_modules/.bin/node')];
  return candidates.find((p): p is string => p !== undefined && p !== '' && existsSync(p));
}

/** Parses the runner's file-command format: name<<DELIM\nvalue\nDELIM, or name=value. */
export function parseFileCommands(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const heredoc = /^([^=<]+)<<(.+)$/.exec(lines[i]);
    if (heredoc) {
      const value: string[] = [];
      for (i++; i < lines.length && lines[i] !== heredoc[2]; i++) value.push(lines[i]);
      out[heredoc[1]] = value.join('\n');
    } else if (lines[i].includes('=')) {
      const at = lines[i].indexOf('=');
      out[lines[i].slice(0, at)] = lines[i].slice(at + 1);
    }
  }
  return out;
}

function unescape(s: string): string {
  return s.replace(/%0A/g, '\n').replace(/%0D/g, '\r').replace(/%3A/g, ':').replace(/%2C/g, ',').replace(/%25/g, '%');
}

export function parseAnnotations(stdout: string): Annotation[] {
  const out: Annotation[] = [];
  for (const m of stdout.matchAll(/^::(error|warning|notice)( [^:]*)?::(.*)$/gm)) {
    const props = Object.fromEntries((m[2] ?? '').trim().split(',').filter(Boolean).map((p) => p.split('=') as [string, string]));
    out.push({ level: m[1] as Annotation['level'], message: unescape(m[3]), file: props.file, line: props.line ? Number(props.line) : undefined });
  }
  return out;
}

/** Spawns `node dist/index.js` in a fresh runner-like environment under dir. */
export async function runActionProcess(opts: {
  node: string;
  dir: string;
  inputs: Record<string, string>;
  env?: Record<string, string>;
  path?: string;
  /** RUNNER_TEMP; the runner uses one fixed path per machine and empties it per job. */
  runnerTemp?: string;
}): Promise<ActionRun> {
  const files = { out: join(opts.dir, 'github_output'), env: join(opts.dir, 'github_env'), summary: join(opts.dir, 'step_summary'), state: join(opts.dir, 'github_state') };
  const temp = opts.runnerTemp ?? join(opts.dir, 'runner_temp');
  rmSync(temp, { recursive: true, force: true });
  mkdirSync(temp, { recursive: true });
  for (const f of Object.values(files)) writeFileSync(f, '');
  const env: Record<string, string> = {
    PATH: opts.path ?? process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? opts.dir,
    GITHUB_ACTIONS: 'true', CI: 'true',
    GITHUB_WORKSPACE: join(opts.dir, 'workspace'),
    GITHUB_OUTPUT: files.out, GITHUB_ENV: files.env, GITHUB_STEP_SUMMARY: files.summary, GITHUB_STATE: files.state,
    RUNNER_TEMP: temp, RUNNER_OS: 'Linux',
    ...opts.env,
  };
  mkdirSync(env.GITHUB_WORKSPACE, { recursive: true });
  for (const [k, v] of Object.entries(opts.inputs)) env[`INPUT_${k.replace(/ /g, '_').toUpperCase()}`] = v;
  const child = spawn(opts.node, [ACTION], { env, cwd: env.GITHUB_WORKSPACE, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => { stdout += c.toString(); });
  child.stderr.on('data', (c: Buffer) => { stderr += c.toString(); });
  const code = await new Promise<number>((res) => child.on('close', (c) => res(c ?? 1)));
  return {
    code, stdout, stderr,
    outputs: parseFileCommands(readFileSync(files.out, 'utf8')),
    exported: parseFileCommands(readFileSync(files.env, 'utf8')),
    summary: readFileSync(files.summary, 'utf8'),
    annotations: parseAnnotations(stdout),
  };
}
