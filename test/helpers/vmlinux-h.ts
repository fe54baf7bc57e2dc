// Fixtures for the vmlinux-h e2e suite: the oracle trees (scripts/btf-oracle.sh),
// their archives built by our own CLI, and the CO-RE consumer program.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT, sh } from './bcc.js';

export interface OracleTree {
  srctree: string;
  objtree: string;
  objects: string[];
}

/** The tools the suite needs; a missing one fails the suite. */
export function requireVmlinuxTools(): void {
  const fix = 'apt-get install -y clang llvm dwarves bpftool libbpf-dev gcc-aarch64-linux-gnu (as .ci/run does)';
  for (const tool of ['clang', 'pahole', 'bpftool', 'tar', 'xz', 'unshare']) {
    assert.equal(spawnSync('sh', ['-c', 'command -v "$1"', 'sh', tool], { stdio: 'ignore' }).status, 0, `${tool} not found: ${fix}`);
  }
}

/** Objects built with KCFLAGS=-g by the kernel's make, in a copy of the prepared objtree (cached). */
export async function oracleTree(arch: 'x86' | 'arm64'): Promise<OracleTree> {
  const r = await sh(['bash', join(ROOT, 'scripts/btf-oracle.sh'), arch], { timeoutMs: 3_600_000 });
  assert.equal(r.code, 0, `scripts/btf-oracle.sh ${arch} failed:\n${r.stderr.slice(-4000)}`);
  const get = (k: string): string[] => [...r.stdout.matchAll(new RegExp(`^${k}=(.+)$`, 'gm'))].map((m) => m[1]);
  const [srctree] = get('srctree');
  const [objtree] = get('objtree');
  assert.ok(srctree && objtree, `btf-oracle.sh printed no srctree=/objtree=:\n${r.stdout}`);
  return { srctree, objtree, objects: get('object') };
}

/** A CO-RE program: reads the parent's tgid of an exec'ing task through BPF_CORE_READ. */
export const CORE_PROGRAM = `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";
int parent_tgid = 0;

SEC("tp_btf/sched_process_exec")
int BPF_PROG(on_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
\tparent_tgid = BPF_CORE_READ(p, real_parent, tgid);
\treturn 0;
}
`;
