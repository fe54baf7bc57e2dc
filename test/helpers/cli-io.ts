// The CLI's streams for an in-process runCli: what it printed, and stdin/TTY as a test sets them.
import { Readable, Writable } from 'node:stream';
import type { CliIo } from '../../src/cli/io.js';

export interface Captured {
  io: CliIo;
  /** stdout's bytes. */
  out: () => Buffer;
  /** stderr's text. */
  err: () => string;
}

function sink(tty: boolean): { stream: Writable & { isTTY?: boolean }; chunks: Buffer[] } {
  const chunks: Buffer[] = [];
  const stream = new Writable({ write(chunk: Buffer | string, _enc, done) { chunks.push(Buffer.from(chunk)); done(); } }) as Writable & { isTTY?: boolean };
  if (tty) stream.isTTY = true;
  return { stream, chunks };
}

/** Fresh streams: stdin holds `stdin` (empty by default); either side may claim to be a terminal. */
export function captureIo(opts: { stdin?: Buffer; stdoutTty?: boolean; stdinTty?: boolean } = {}): Captured {
  const out = sink(opts.stdoutTty ?? false);
  const err = sink(false);
  const stdin = Readable.from(opts.stdin ? [opts.stdin] : []) as Readable & { isTTY?: boolean };
  if (opts.stdinTty) stdin.isTTY = true;
  return { io: { stdout: out.stream, stderr: err.stream, stdin }, out: () => Buffer.concat(out.chunks), err: () => Buffer.concat(err.chunks).toString('utf8') };
}
