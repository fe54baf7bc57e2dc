import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createReadStream } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { readMembers, type Member } from '../../src/core/archive/read.js';
import { rejectsWith } from '../helpers/errors.js';
import { hostileCorpus } from '../helpers/hostile.js';

async function withTmp(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'kheaders-read-'));
  try {
    await fn(dir);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

/** A small tree like a kernel include dir, with a long path, an empty file and in-tree symlinks. */
async function makeTree(root: string): Promise<void> {
  const deep = path.join(root, 'include', 'linux', 'x'.repeat(60), 'y'.repeat(60));
  await fs.mkdir(deep, { recursive: true });
  await fs.mkdir(path.join(root, 'include', 'dt-bindings', 'input'), { recursive: true });
  await fs.mkdir(path.join(root, 'arch', 'x86', 'include', 'asm'), { recursive: true });
  await fs.writeFile(path.join(root, 'include', 'linux', 'a.h'), '/* SPDX */\n#define A 1\n');
  await fs.writeFile(path.join(root, 'include', 'linux', 'empty.h'), '');
  await fs.writeFile(path.join(deep, 'long-name-header.h'), 'long\n'.repeat(3000));
  await fs.writeFile(path.join(root, 'arch', 'x86', 'include', 'asm', 'big.h'), Buffer.alloc(300_000, 'b'));
  await fs.writeFile(path.join(root, 'include', 'dt-bindings', 'input', 'codes.h'), '#define K 1\n');
  await fs.symlink('../../dt-bindings/input/codes.h', path.join(root, 'include', 'linux', 'codes.h'));
  await fs.symlink('linux', path.join(root, 'include', 'lnk'));
}

async function collect(file: string, compressed = true): Promise<{ members: Member[]; format?: string }> {
  const s = readMembers(file, { compressed });
  const members: Member[] = [];
  for await (const m of s) members.push(m);
  assert.equal(s.info.done, true);
  return { members, format: s.info.format };
}

/** Checks every member against the tree on disk and the list GNU tar itself prints. */
async function checkAgainstTree(root: string, archive: string, members: Member[], tarFlags: string[]): Promise<void> {
  const listed = execFileSync('tar', [...tarFlags, '-tf', archive], { encoding: 'utf8' })
    .split('\n').filter((l) => l !== '')
    .map((l) => l.replace(/^\.\//, '').replace(/\/$/, '') || '.');
  assert.deepEqual(members.map((m) => m.name), listed);
  for (const m of members) {
    const p = path.join(root, m.name);
    const st = await fs.lstat(p);
    if (m.kind === 'file') {
      assert.ok(st.isFile(), m.name);
      assert.deepEqual(m.data, await fs.readFile(p), m.name);
      assert.equal(m.size, st.size);
    } else if (m.kind === 'symlink') {
      assert.ok(st.isSymbolicLink(), m.name);
      assert.equal(m.target, await fs.readlink(p));
    } else {
      assert.ok(st.isDirectory(), m.name);
    }
    assert.equal(m.mtime, 1_600_000_000);
    assert.equal(m.uid, 0);
  }
}

const KERNEL_FLAGS = ['--mtime=@1600000000', '--owner=0', '--group=0', '--sort=name', '--numeric-owner', '--mode=u=rw,go=r,a+X'];

for (const format of ['gnu', 'posix', 'ustar'] as const) {
  test(`reads a GNU tar --format=${format} archive compressed by real xz`, async () => {
    await withTmp(async (dir) => {
      const root = path.join(dir, 'tree');
      await makeTree(root);
      const archive = path.join(dir, 'a.tar.xz');
      execFileSync('tar', [...KERNEL_FLAGS, `--format=${format}`, '-I', 'xz -6', '-cf', archive, '-C', root, '.']);
      const { members, format: seen } = await collect(archive);
      await checkAgainstTree(root, archive, members, ['-J']);
      assert.equal(seen, format === 'gnu' ? 'gnu' : 'ustar');
      const a = members.find((m) => m.name === 'include/linux/a.h');
      assert.equal(a?.mode, 0o644);
      assert.equal(members.find((m) => m.name === 'include')?.mode, 0o755);
      assert.equal(members[0]?.name, '.');
      assert.deepEqual(members.map((m) => m.index), members.map((_, i) => i));
    });
  });
}

test('reads a plain tar and a stream input', async () => {
  await withTmp(async (dir) => {
    const root = path.join(dir, 'tree');
    await makeTree(root);
    const plain = path.join(dir, 'a.tar');
    execFileSync('tar', [...KERNEL_FLAGS, '-cf', plain, '-C', root, '.']);
    const { members } = await collect(plain, false);
    await checkAgainstTree(root, plain, members, []);
    execFileSync('xz', ['-k', plain]);
    const names: string[] = [];
    for await (const m of readMembers(createReadStream(`${plain}.xz`))) names.push(m.name);
    assert.deepEqual(names, members.map((m) => m.name));
  });
});

test('stopping early closes the input and does not hang', { timeout: 10_000 }, async () => {
  await withTmp(async (dir) => {
    const root = path.join(dir, 'tree');
    await makeTree(root);
    const archive = path.join(dir, 'a.tar.xz');
    execFileSync('tar', [...KERNEL_FLAGS, '-I', 'xz', '-cf', archive, '-C', root, '.']);
    const s = readMembers(archive);
    for await (const m of s) {
      assert.equal(m.name, '.');
      break;
    }
    assert.equal(s.info.done, false);
    assert.throws(() => s[Symbol.asyncIterator](), /iterated once/);
  });
});

/** Reads every member, so that any error of the reader surfaces as the promise's rejection. */
async function drain(input: string, opts?: Parameters<typeof readMembers>[1]): Promise<void> {
  for await (const _ of readMembers(input, opts)) void _;
}

test('rejects bad limits', async () => {
  await rejectsWith(drain('/nonexistent', { limits: { maxEntries: 0 } }), 'USAGE');
});

test('missing input is a clear error', async () => {
  const e = await rejectsWith(drain('/nonexistent/k.tar.xz'), 'NOT_FOUND');
  assert.equal(e.exitCode, 2);
});

test('the hostile corpus: every case is a clear KheadersError, never a crash or hang', { timeout: 60_000 }, async (t) => {
  await withTmp(async (dir) => {
    const before = await fs.readdir(dir);
    for (const c of hostileCorpus()) {
      await t.test(c.name, { timeout: 10_000 }, async () => {
        const file = path.join(dir, 'hostile.bin');
        await fs.writeFile(file, c.bytes);
        const readOpts = { compressed: c.compressed ?? true, ...(c.limits ? { limits: c.limits } : {}) };
        // The message regex names which of the checks for this code must have fired.
        const e = await rejectsWith(drain(file, readOpts), c.code, c.expect);
        assert.ok(e.fix, 'error has a fix');
        await fs.rm(file);
      });
    }
    assert.deepEqual(await fs.readdir(dir), before, 'the reader wrote nothing');
  });
});
