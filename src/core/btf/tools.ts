// The field's own tools, found on PATH and run with argv arrays (never a shell):
// clang compiles the headers to DWARF, pahole encodes BTF, bpftool dumps it as C.
import { spawn } from 'node:child_process';
import { KheadersError } from '../errors.js';

export type ToolName = 'clang' | 'pahole' | 'bpftool';

/** Where each tool comes from, for the install hint. */
const INSTALL: Readonly<Record<ToolName, string>> = {
  clang: 'install clang (Debian/Ubuntu: apt-get install clang; Fedora: dnf install clang)',
  pahole: 'install pahole (Debian/Ubuntu: apt-get install dwarves; Fedora: dnf install dwarves)',
  bpftool: 'install bpftool (Debian 12: apt-get install bpftool; Ubuntu: apt-get install linux-tools-common; Fedora: dnf install bpftool)',
};

/** Program names, overridable for tests and odd installs (KHEADERS_CLANG, KHEADERS_PAHOLE, KHEADERS_BPFTOOL). */
export type ToolPaths = Record<ToolName, string>;

export function toolPaths(env: NodeJS.ProcessEnv = process.env): ToolPaths {
  return {
    clang: env.KHEADERS_CLANG || 'clang',
    pahole: env.KHEADERS_PAHOLE || 'pahole',
    bpftool: env.KHEADERS_BPFTOOL || 'bpftool',
  };
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs argv (no shell) in cwd; resolves with the exit code and output, rejects only when it cannot start. */
export function run(cmd: string, args: readonly string[], opts: { cwd?: string; signal?: AbortSignal; env?: NodeJS.ProcessEnv } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, signal: opts.signal, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (code, sig) => resolve({
      code: code ?? (sig ? 128 : 1),
      stdout: Buffer.concat(out).toString('utf8'),
      stderr: Buffer.concat(err).toString('utf8'),
    }));
  });
}

/** The error for a tool that is not there, with where to get it. */
export function missingTool(name: ToolName, path: string): KheadersError {
  return new KheadersError('MISSING_TOOL', `${name} not found (looked for "${path}" on PATH); vmlinux-h needs clang, pahole and bpftool`, INSTALL[name]);
}

/** Checks that each tool starts and returns its version line (part of the probe cache key and the header comment). */
export async function checkTools(paths: ToolPaths, signal?: AbortSignal): Promise<Record<ToolName, string>> {
  const versions = {} as Record<ToolName, string>;
  for (const name of ['clang', 'pahole', 'bpftool'] as const) {
    const arg = name === 'bpftool' ? 'version' : '--version';
    let r: RunResult;
    try {
      r = await run(paths[name], [arg], { signal });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'EACCES') throw missingTool(name, paths[name]);
      throw e;
    }
    const line = `${r.stdout}${r.stderr}`.split('\n').find((l) => l.trim() !== '')?.trim();
    if (r.code !== 0 || !line) throw new KheadersError('MISSING_TOOL', `${name} ("${paths[name]}") did not run: exit ${r.code}`, INSTALL[name]);
    versions[name] = line;
  }
  return versions;
}
