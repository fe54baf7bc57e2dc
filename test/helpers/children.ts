// The live child processes of this process (from /proc), to check that a
// decoder's tool exited when the decoder was destroyed.
import { readdirSync, readFileSync } from 'node:fs';

/** [pid, command name] of each child of `parent` (zombies count: not reaped yet). */
export function childrenOf(parent = process.pid): Array<[number, string]> {
  const out: Array<[number, string]> = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${d}/stat`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    // pid (comm) state ppid ...: comm may hold spaces and parentheses, so split after the last ')'.
    const close = stat.lastIndexOf(')');
    const ppid = Number(stat.slice(close + 2).split(' ')[1]);
    if (ppid === parent) out.push([Number(d), stat.slice(stat.indexOf('(') + 1, close)]);
  }
  return out;
}

/** Waits up to `ms` for no child named `name` to be left; returns those left. */
export async function strayChildren(name: string, ms = 3000): Promise<Array<[number, string]>> {
  const until = Date.now() + ms;
  for (;;) {
    const left = childrenOf().filter(([, comm]) => comm === name);
    if (left.length === 0 || Date.now() > until) return left;
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Whether a child named `name` ran while `fn` did (looked for every 2 ms). */
export async function spawnedDuring(name: string, fn: () => Promise<unknown>): Promise<boolean> {
  let seen = false;
  const timer = setInterval(() => { seen ||= childrenOf().some(([, n]) => n === name); }, 2);
  try {
    await fn();
  } finally {
    clearInterval(timer);
  }
  return seen;
}
