// The CLI's streams, injected so tests run the real front in-process and read
// what it printed. The default is the process's own.
import { once } from 'node:events';
import type { Logger } from '../core/index.js';

export interface Out {
  write(chunk: string | Uint8Array): boolean;
  once(event: 'drain', listener: () => void): unknown;
  isTTY?: boolean;
}

export interface CliIo {
  stdout: Out;
  stderr: Out;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
}

export function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin };
}

/** Writes text as one line (a newline added when missing). */
export function line(out: Out, text: string): void {
  out.write(text.endsWith('\n') ? text : `${text}\n`);
}

/** Copies a byte stream to out, honouring back-pressure; out is not ended (it may be stdout). */
export async function copyTo(src: AsyncIterable<Uint8Array>, out: Out): Promise<void> {
  for await (const chunk of src) {
    if (!out.write(chunk)) await once(out as unknown as NodeJS.EventEmitter, 'drain');
  }
}

/** What every command gets besides its settings. */
export interface Ctx {
  io: CliIo;
  log: Logger;
  signal?: AbortSignal;
  /** key --json. */
  json?: boolean;
}
