// bpftrace, the second consumer: Debian's bpftrace 0.17, which no longer unpacks
// /sys/kernel/kheaders.tar.xz itself (CVE-2024-2313) and reads the headers
// from BPFTRACE_KERNEL_SOURCE. Its program includes <linux/sched.h> and prints a
// field of the current task_struct from a tracepoint.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

export const BPFTRACE = '/usr/bin/bpftrace';

/**
 * Fires once, for the command bpftrace starts with -c (pid == cpid): its
 * scheduling priority read through the kernel's own struct, which is 120 + its nice value.
 */
export const BPFTRACE_PROGRAM = `#include <linux/sched.h>
tracepoint:syscalls:sys_enter_clock_nanosleep /pid == cpid/ {
  printf("prio of the traced sleep: %d\\n", ((struct task_struct *)curtask)->prio);
  exit();
}
`;

/** bpftrace must be there: a missing bpftrace fails the suite. */
export function requireBpftrace(): void {
  const r = spawnSync(BPFTRACE, ['--version'], { encoding: 'utf8' });
  assert.equal(r.status, 0, `bpftrace not found at ${BPFTRACE}: apt-get install -y --no-install-recommends bpftrace (as .ci/run does)`);
}

/**
 * argv that raises RLIMIT_MEMLOCK (to unlimited where allowed, else to the hard
 * limit) and runs bpftrace with -c 'nice -n NICE sleep 0.5' on the program file.
 */
export function bpftraceArgv(program: string, nice: number): string[] {
  const raise = 'ulimit -l unlimited 2>/dev/null || ulimit -l "$(ulimit -H -l)"; exec "$@"';
  return ['sh', '-c', raise, 'bpftrace', 'timeout', '120', BPFTRACE, '-c', `/usr/bin/nice -n ${nice} /bin/sleep 0.5`, program];
}

/** The priority the program printed, or undefined. */
export function printedPrio(stdout: string): number | undefined {
  const m = /prio of the traced sleep: (-?\d+)/.exec(stdout);
  return m ? Number(m[1]) : undefined;
}
