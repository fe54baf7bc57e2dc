// xz encoding where the native addon cannot load: the system `xz`, spawned
// with an argv (no shell), reading the tar on stdin and writing xz on stdout.
// With the preset, check and thread mode the addon uses, it writes the same
// bytes (xz -6 -T1 is what the kernel's own script runs).
import { spawn, spawnSync } from 'node:child_process';
import { Duplex } from 'node:stream';

export interface SystemXz {
  /** The binary, as spawn looks it up on PATH. */
  path: string;
  /** Its first --version line, e.g. "xz (XZ Utils) 5.4.1". */
  version: string;
}

let found: SystemXz | null | undefined;
/** The system xz on PATH, or null when there is none. */
export function systemXz(): SystemXz | null {
  if (found !== undefined) return found;
  const path = 'xz';
  const r = spawnSync(path, ['--version'], { encoding: 'utf8', timeout: 10_000 });
  const line = r.status === 0 ? r.stdout.split('\n')[0]?.trim() : undefined;
  found = line !== undefined && /XZ Utils/.test(line) ? { path, version: line } : null;
  return found;
}

/** The argv for our two modes: compat is xz -6 -T1 (single-threaded), fast is xz -1 with N threads (multithreaded). */
export function xzArgs(preset: number, threads: number): string[] {
  return ['-z', '-c', '-q', `-${preset}`, '-C', 'crc64', `-T${threads}`];
}

/** A Duplex that pipes through `xz`: write the tar, read the xz. Fails when xz exits non-zero. */
export function spawnXz(xz: SystemXz, preset: number, threads: number): Duplex {
  const child = spawn(xz.path, xzArgs(preset, threads), { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
  const duplex = new Duplex({
    write(chunk: Buffer, _enc, cb): void {
      if (child.stdin.write(chunk)) cb();
      else child.stdin.once('drain', () => cb());
    },
    final(cb): void {
      child.stdin.end(() => cb());
    },
    read(): void {
      child.stdout.resume();
    },
    destroy(err, cb): void {
      if (child.exitCode === null && child.signalCode === null) child.kill();
      cb(err);
    },
  });
  child.stdout.on('data', (c: Buffer) => {
    if (!duplex.push(c)) child.stdout.pause();
  });
  child.stdin.on('error', () => undefined); // EPIPE when xz dies early: reported by 'close' below
  child.on('error', (err) => duplex.destroy(err));
  // 'close' comes after stdout has ended: a failing xz is an error, never a short file.
  child.on('close', (code, signal) => {
    if (code === 0) duplex.push(null);
    else duplex.destroy(new Error(`${xz.version} exited with ${signal ?? `status ${String(code)}`}: ${stderr.trim()}`));
  });
  return duplex;
}
