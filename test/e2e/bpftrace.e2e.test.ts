// End-to-end with the second consumer: Debian's bpftrace 0.17, beside bcc.
// bpftrace dropped its own unpacking of /sys/kernel/kheaders.tar.xz
// (CVE-2024-2313) and takes the headers from BPFTRACE_KERNEL_SOURCE: from what
// `kheaders extract` printed, and from what the bundled action (mode running,
// export-env) exported in an emulated kheaders kernel. Its program includes
// <linux/sched.h>, compiles, attaches to a tracepoint and prints the traced
// command's task_struct->prio (120 + its nice value). Without headers it fails
// on include/linux/kconfig.h.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { node24, runActionProcess } from '../helpers/action-run.js';
import { fail, NODE24_MISSING } from '../helpers/action-job.js';
import { bccArchives, CLI, inKernel, kernelEnv, NOBODY, requireBcc, sh, unshareRefused, writeNsExec, writeNsNode24, type Kernel } from '../helpers/bcc.js';
import { bpftraceArgv, BPFTRACE_PROGRAM, printedPrio, requireBpftrace } from '../helpers/bpftrace.js';

const REL = os.release();
let w: string;
let refused: string | undefined;
let archive: string;
let program: string;
let wrapper: string;
let node: string;
let n = 0;

/** A fresh TMPDIR, sticky and world-writable like /tmp. */
function tmp(): string {
  const t = path.join(w, `tmp${n++}`);
  mkdirSync(t);
  chmodSync(t, 0o1777);
  return t;
}

/** bpftrace in a private mount namespace (tracefs mounted; the emulated kheaders kernel with k.emulate). */
function bpftrace(dir: string | undefined, nice: number, k: Kernel = {}): ReturnType<typeof inKernel> {
  return inKernel(w, k, bpftraceArgv(program, nice), { BPFTRACE_KERNEL_SOURCE: dir });
}

const show = (label: string, text: string): void => {
  for (const line of text.trimEnd().split('\n').filter(Boolean)) console.log(`${label}: ${line}`);
};

before(async () => {
  requireBcc(); // unshare, setpriv and the bcc archives' tools
  requireBpftrace();
  node = node24() ?? assert.fail(NODE24_MISSING);
  const a = await bccArchives();
  w = mkdtempSync(path.join(os.tmpdir(), 'kh-e2e-bpftrace-'));
  chmodSync(w, 0o755);
  archive = path.join(w, 'debian-amd64.tar.xz');
  copyFileSync(a.debian, archive);
  chmodSync(archive, 0o644);
  program = path.join(w, 'prio.bt');
  writeFileSync(program, BPFTRACE_PROGRAM, { mode: 0o644 });
  mkdirSync(path.join(w, 'modules-none'), { mode: 0o755 });
  wrapper = writeNsNode24(w, writeNsExec(w));
  refused = unshareRefused();
}, { timeout: 3_600_000 });

after(() => {
  if (w) rmSync(w, { recursive: true, force: true });
});

describe('bpftrace 0.17 on our headers (Debian amd64 config, 6.1)', { timeout: 600_000 }, () => {
  test('kheaders extract, then bpftrace with the printed BPFTRACE_KERNEL_SOURCE reads task_struct->prio of a nice -n 7 sleep: 127', async (t) => {
    if (refused) return t.skip(refused);
    const r = await sh([process.execPath, CLI, 'extract', '--from', archive, '--output', path.join(w, 'hdr-extract')]);
    assert.equal(r.code, 0, r.stderr);
    const dir = /export BPFTRACE_KERNEL_SOURCE=(\S+)/.exec(r.stderr)?.[1];
    assert.ok(dir, `no BPFTRACE_KERNEL_SOURCE line in:\n${r.stderr}`);
    const b = await bpftrace(dir, 7);
    assert.equal(b.code, 0, b.stderr + b.stdout);
    assert.match(b.stdout, /^Attaching 1 probe\.\.\.$/m);
    assert.equal(printedPrio(b.stdout), 127, b.stdout + b.stderr);
    show('bpftrace (BPFTRACE_KERNEL_SOURCE from kheaders extract, nice 7)', b.stdout);
  });

  test('the bundled action on Node 24 as nobody (mode running, export-env) in the emulated kernel exports it; bpftrace then prints prio 120', async (t) => {
    if (refused) return t.skip(refused);
    const dir = tmp();
    const k: Kernel = { emulate: true, sysfs: archive, modules: path.join(w, 'modules-none') };
    const job = path.join(w, `job${n++}`);
    mkdirSync(job);
    const r = await runActionProcess({
      node: wrapper, dir: job, inputs: { mode: 'running', 'export-env': 'true' },
      env: { ...kernelEnv(w, { ...k, as: NOBODY }), TMPDIR: dir, KH_NODE: node },
    });
    assert.equal(r.code, 0, fail(r));
    const headers = path.join(dir, `kheaders-${REL}`);
    assert.equal(r.outputs.origin, 'running');
    assert.equal(r.exported.BPFTRACE_KERNEL_SOURCE, headers);
    // As a workflow's next step would: sudo --preserve-env=BPFTRACE_KERNEL_SOURCE bpftrace ...
    const b = await bpftrace(r.exported.BPFTRACE_KERNEL_SOURCE, 0, k);
    assert.equal(b.code, 0, b.stderr + b.stdout);
    assert.equal(printedPrio(b.stdout), 120, b.stdout + b.stderr);
    show('bpftrace (BPFTRACE_KERNEL_SOURCE exported by the action)', b.stdout);
  });

  test('negative: BPFTRACE_KERNEL_SOURCE at a directory without headers fails on include/linux/kconfig.h', async (t) => {
    if (refused) return t.skip(refused);
    const empty = path.join(w, 'no-headers');
    mkdirSync(empty);
    const b = await bpftrace(empty, 0);
    assert.notEqual(b.code, 0);
    const line = /^.*no-headers\/include\/linux\/kconfig\.h' file not found.*$/m.exec(b.stderr)?.[0];
    assert.ok(line, `no kconfig.h error from bpftrace:\n${b.stderr}`);
    assert.equal(printedPrio(b.stdout), undefined);
    show('bpftrace without headers', line);
  });
});
