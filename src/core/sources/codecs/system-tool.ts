// The system's own decoder (bzip2, zstd, xz for .lzma) where it is on PATH: a
// C tool decodes faster than the JavaScript and WebAssembly fallbacks. Spawned
// with an argv (no shell): the input goes to its stdin, its stdout is the
// Transform's output, with backpressure both ways. Destroying the Transform
// (the table's cap or abort, a reader that stops) kills the child and waits
// for it to exit. A non-zero exit is a plain Error with the tool's first
// stderr line (the table words it "corrupt <codec> data (...)").
// KHEADERS_SYSTEM_CODECS=0 turns this off: the built-in decoders then do all
// the work.
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { Transform, type Readable, type TransformCallback, type Writable } from 'node:stream';
import { KheadersError } from '../../errors.js';

/** Sees the input before the tool does (the zstd frame guard): throws to refuse it. */
export interface InputGuard {
  scan(chunk: Buffer): void;
  finish(): void;
}

const found = new Map<string, string | null>();

/** The tool's path on PATH, or undefined when it is not there or KHEADERS_SYSTEM_CODECS=0. */
export function systemTool(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.KHEADERS_SYSTEM_CODECS === '0') return undefined;
  const key = `${name}\0${env.PATH ?? ''}`;
  if (!found.has(key)) {
    const dirs = (env.PATH ?? '').split(delimiter).filter((d) => d !== '');
    found.set(key, dirs.map((d) => join(d, name)).find((p) => {
      try {
        accessSync(p, constants.X_OK);
        return true;
      } catch {
        return false;
      }
    }) ?? null);
  }
  return found.get(key) ?? undefined;
}

/** The line of stderr that says what went wrong, without the tool's name and boilerplate. */
function firstLine(name: string, stderr: string): string {
  const line = stderr.split('\n').map((l) => l.trim()).find((l) => l !== '') ?? '';
  return line.replace(new RegExp(`^(\\S*/)?${name}: `), '').replace(/^\(stdin\): |^\/\*stdin\*\\ ?: /, '').replace(/;$/, '').slice(0, 200);
}

class ToolDecoder extends Transform {
  private readonly child: ChildProcessByStdio<Writable, Readable, Readable>;
  private readonly exited: Promise<void>;
  /** Settles once stdout has ended and the tool has exited: its failure, or undefined. */
  private readonly result: Promise<Error | undefined>;
  private stderr = '';
  /** The tool stopped reading (it exits on its own; its status says how it went). */
  private stdinGone = false;

  constructor(private readonly name: string, path: string, args: string[], private readonly guard?: InputGuard) {
    super();
    this.child = spawn(path, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    this.exited = new Promise((done) => this.child.once('exit', () => done()));
    this.result = new Promise((done) => this.child.once('close', (code, signal) => done(code === 0 ? undefined : this.failure(code, signal))));
    // A tool that fails stops the stream now, not once all the input has been fed to a dead pipe.
    void this.result.then((err) => { if (err !== undefined && !this.destroyed) this.destroy(err); });
    this.child.stdout.on('data', (c: Buffer) => {
      if (!this.push(c)) this.child.stdout.pause();
    });
    this.child.stderr.setEncoding('utf8').on('data', (d: string) => { this.stderr = (this.stderr + d).slice(-4096); });
    this.child.stdin.on('error', () => { this.stdinGone = true; });
    this.child.on('error', (err) => this.destroy(new KheadersError('MISSING_TOOL', `cannot run ${path}: ${err.message}`,
      'set KHEADERS_SYSTEM_CODECS=0 to use the built-in decoder')));
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    try {
      this.guard?.scan(chunk);
    } catch (err) {
      cb(err as Error);
      return;
    }
    if (this.stdinGone) {
      cb();
      return;
    }
    this.child.stdin.write(chunk, () => cb());
  }

  override _flush(cb: TransformCallback): void {
    try {
      this.guard?.finish();
    } catch (err) {
      cb(err as Error);
      return;
    }
    // 'close' comes after stdout has ended: everything the tool wrote is pushed by then.
    void this.result.then((err) => { if (!this.destroyed) cb(err ?? null); });
    if (!this.stdinGone) this.child.stdin.end();
  }

  private failure(code: number | null, signal: NodeJS.Signals | null): Error {
    const how = signal === null ? `exited with status ${String(code)}` : `was killed by ${signal}`;
    return new Error(`${this.name} ${how}${this.stderr.trim() === '' ? '' : `: ${firstLine(this.name, this.stderr)}`}`);
  }

  override _read(size: number): void {
    this.child.stdout.resume();
    super._read(size);
  }

  override _destroy(err: Error | null, cb: (err: Error | null) => void): void {
    const c = this.child;
    if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    c.stdin.destroy();
    c.stdout.destroy();
    // A child that never started has no exit to wait for.
    if (c.pid === undefined) cb(err);
    else void this.exited.then(() => cb(err));
  }
}

/** A decoder that runs the tool at `path` with `args` (decode to stdout). */
export function toolAt(name: string, path: string, args: string[], guard?: InputGuard): Transform {
  return new ToolDecoder(name, path, args, guard);
}

/** A decoder that runs the system `name` with `args`, or undefined when it is not to be used. */
export function toolDecoder(name: string, args: string[], guard?: InputGuard): Transform | undefined {
  const path = systemTool(name);
  return path === undefined ? undefined : toolAt(name, path, args, guard);
}
