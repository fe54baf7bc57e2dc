// The system bzip2, one process per idle core: an input that ends within
// HOLD_BYTES (a kernel's payload: 5-15 MB) is cut at block boundaries
// (split.ts) and each part decoded by its own `bzip2 -dc` at once; the output
// comes in order, a later part's held back (at most AHEAD_BYTES, then that
// process waits) until the ones before it are done. A longer input, one that
// cannot be cut, or a machine without an idle core (cores minus the tasks
// running now) streams through one process: on busy cores the parts only take
// turns. Destroying it kills them all.
import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { Transform, type TransformCallback } from 'node:stream';
import { systemTool, toolAt } from '../system-tool.js';
import { splitBzip2 } from './split.js';

const HOLD_BYTES = 64 << 20;
const AHEAD_BYTES = 64 << 20;
const ARGS = ['-d', '-c'];

interface Part {
  dec: Transform;
  /** Output taken before the part's turn. */
  held: Buffer[];
  heldBytes: number;
  live: boolean;
  done: Promise<void>;
}

class Bzip2Processes extends Transform {
  private readonly input: Buffer[] = [];
  private inputBytes = 0;
  private readonly parts: Part[] = [];
  /** The part streaming from the start (long input), fed as the input comes. */
  private single?: Part;

  constructor(private readonly spawnOne: () => Transform, private readonly holdBytes: number, private readonly processes: number) {
    super();
  }

  private part(live: boolean): Part {
    const dec = this.spawnOne();
    const p: Part = { dec, held: [], heldBytes: 0, live, done: Promise.resolve() };
    p.done = new Promise<void>((ok, fail) => {
      dec.once('end', ok);
      dec.once('error', fail);
    });
    p.done.catch((err: Error) => { if (!this.destroyed) this.destroy(err); });
    dec.on('data', (c: Buffer) => {
      if (p.live) {
        if (!this.push(c)) dec.pause();
      } else {
        p.held.push(c);
        p.heldBytes += c.length;
        if (p.heldBytes > AHEAD_BYTES) dec.pause();
      }
    });
    this.parts.push(p);
    return p;
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    if (this.single === undefined) {
      this.input.push(chunk);
      this.inputBytes += chunk.length;
      // One process anyway: no reason to wait for the end of the input.
      if (this.inputBytes <= this.holdBytes && this.processes > 1) return cb();
      this.single = this.part(true);
      chunk = Buffer.concat(this.input.splice(0));
    }
    this.single.dec.write(chunk, () => cb());
  }

  override _flush(cb: TransformCallback): void {
    if (this.single !== undefined) {
      this.single.dec.end();
      this.single.done.then(() => cb(), () => undefined);
      return;
    }
    const whole = Buffer.concat(this.input.splice(0));
    const pieces = splitBzip2(whole, this.processes) ?? [whole];
    const parts = pieces.map((piece, i) => {
      const p = this.part(i === 0);
      p.dec.end(piece);
      return p;
    });
    void (async () => {
      for (const p of parts) {
        if (!p.live) {
          for (const c of p.held.splice(0)) this.push(c);
          p.live = true;
          p.dec.resume();
        }
        await p.done;
      }
    })().then(() => cb(), () => undefined);
  }

  override _read(size: number): void {
    for (const p of this.parts) if (p.live) p.dec.resume();
    super._read(size);
  }

  override _destroy(err: Error | null, cb: (err: Error | null) => void): void {
    const closed = this.parts.map((p) => new Promise<void>((ok) => {
      if (p.dec.closed) ok();
      else p.dec.once('close', () => ok());
    }));
    for (const p of this.parts) p.dec.destroy();
    void Promise.all(closed).then(() => cb(err));
  }
}

/** This process's threads running now (this one among them: V8's compilers and GC, the thread pool). */
function ownRunning(): number {
  let n = 0;
  try {
    for (const t of readdirSync('/proc/self/task')) {
      try {
        // pid (comm) state ...: comm may hold ')', so the state follows the last one.
        const stat = readFileSync(`/proc/self/task/${t}/stat`, 'latin1');
        if (stat[stat.lastIndexOf(')') + 2] === 'R') n++;
      } catch {
        // Ended meanwhile.
      }
    }
  } catch {
    return 1;
  }
  return Math.max(1, n);
}

/**
 * Tasks of other processes running now: Linux's /proc/loadavg counts the
 * runnable ones at this instant ("2/345"), where the load average would still
 * count what ran in the last minute; this process's own threads are not
 * others' work. Elsewhere, that average.
 */
export function busyTasks(loadavgText?: string, own = ownRunning): number {
  let text = loadavgText;
  try {
    text ??= readFileSync('/proc/loadavg', 'latin1');
  } catch {
    // Not Linux.
  }
  const running = /^\S+ \S+ \S+ (\d+)\//.exec(text ?? '')?.[1];
  return running === undefined ? Math.round(loadavg()[0] ?? 0) : Math.max(0, Number(running) - own());
}

/** Cores the machine has free now (at most 4; at least 1). */
export function idleCores(busy = busyTasks()): number {
  return Math.max(1, Math.min(4, availableParallelism() - busy));
}

/** The system bzip2 as a decoder, or undefined when it is not to be used. `holdBytes`, `processes`: for tests. */
export function bzip2Processes(holdBytes = HOLD_BYTES, processes = idleCores()): Transform | undefined {
  const path = systemTool('bzip2');
  return path === undefined ? undefined : new Bzip2Processes(() => toolAt('bzip2', path, ARGS), holdBytes, processes);
}
