// Temp names that record their owner's pid, and the removal of those a dead
// run left behind (SIGKILL, a crash): only our own kind, only our own files.
import { lstat, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../log.js';

/** mkdtemp prefix for a staged directory next to `base`: `.BASE.PID.tmp-`. */
export function stagePrefix(base: string): string {
  return `.${base}.${process.pid}.tmp-`;
}

/** Our temp names for `base`: files `.BASE.PID.HEX.tmp`, dirs `.BASE.PID.tmp-XXXXXX` (and their `.old`). */
function pattern(base: string): RegExp {
  const b = base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^\\.${b}\\.(\\d+)\\.(?:[0-9a-f]{8}\\.tmp|tmp-[A-Za-z0-9]{6})(?:\\.old)?$`);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes temp files and dirs for `base` in dir whose owning process is gone. Never throws. */
export async function removeStale(dir: string, base: string, log: Logger): Promise<string[]> {
  const re = pattern(base);
  const euid = process.geteuid?.();
  const removed: string[] = [];
  const names = await readdir(dir).catch(() => [] as string[]);
  for (const name of names) {
    const m = re.exec(name);
    if (!m) continue;
    const pid = Number(m[1]);
    if (pid === process.pid || alive(pid)) continue;
    const path = join(dir, name);
    const st = await lstat(path).catch(() => undefined);
    if (st === undefined || (euid !== undefined && st.uid !== euid)) continue;
    await rm(path, { recursive: true, force: true }).then(() => removed.push(path), () => undefined);
  }
  if (removed.length > 0) log.info(`removed ${removed.length} temp file(s) a stopped run left: ${removed.join(', ')}`);
  return removed;
}
