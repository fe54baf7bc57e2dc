/**
 * Oracle for the header file set: redo each variant's copy steps with the real
 * find, cpio and GNU tar (our own commands, following docs/fidelity.md), then
 * list what a final `tar -C stage .` would hold.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Variant } from '../../src/core/types.js';
import type { FileRules } from '../../src/core/kernel/script.js';

export interface OracleEntry {
  name: string;
  kind: 'file' | 'dir' | 'symlink';
  target?: string;
  /** Absolute path of the copy in the oracle's output (valid until cleanup). */
  copy: string;
}

export interface OracleInput {
  src: string;
  obj?: string;
  arch: string;
  variant: Variant;
  rules: FileRules;
}

function run(cmd: string, args: string[], cwd: string, input?: Buffer): Buffer {
  const r = spawnSync(cmd, args, { cwd, input, maxBuffer: 1 << 28 });
  if (r.error) throw r.error;
  return r.stdout;
}

function findHeaders(cwd: string, dirs: string[]): Buffer {
  // find reports missing start points on stderr; the kernel script ignores that, so do we.
  return Buffer.concat(dirs.map((d) => run('find', [d, '-name', '*.h'], cwd)));
}

function tarCopy(cwd: string, list: Buffer, stage: string): void {
  const tarred = run('tar', ['-c', '-f', '-', '-T', '-'], cwd, list);
  run('tar', ['-x', '-f', '-', '-C', stage], cwd, tarred);
}

/** The file set per the oracle, and a cleanup function. */
export function oracleFileSet(o: OracleInput): { entries: OracleEntry[]; cleanup: () => void } {
  const tmp = mkdtempSync(join(tmpdir(), 'kh-oracle-'));
  try {
    return { entries: oracleEntries(o, tmp), cleanup: () => rmSync(tmp, { recursive: true, force: true }) };
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true }); // a failing tool (say, no cpio) leaves nothing behind
    throw err;
  }
}

function oracleEntries(o: OracleInput, tmp: string): OracleEntry[] {
  const stage = join(tmp, 'stage');
  const final = join(tmp, 'final');
  mkdirSync(stage);
  mkdirSync(final);
  const obj = o.obj ?? o.src;
  const outOfTree = obj !== o.src;

  if (o.variant === 'makefile') {
    const dirs = ['include', `arch/${o.arch}/include`];
    const srclist = Buffer.concat(
      dirs.map((d) =>
        run('find', [`${o.src}/${d}`, '-path', `${o.src}/${d}/generated`, '-prune', '-o', '-name', '*.h', '-print'], o.src),
      ),
    );
    const prefix = Buffer.from(`${o.src}/`);
    const rel = Buffer.concat(
      splitLines(srclist).map((l) => Buffer.concat([l.subarray(l.indexOf(prefix) === 0 ? prefix.length : 0), NL])),
    );
    run('tar', ['-x', '-f', '-', '-C', stage], o.src, run('tar', ['-c', '-f', '-', '-C', o.src, '-T', '-'], o.src, rel));
    const skip = o.rules.dropUtsversion ? ['!', '-path', 'include/generated/utsversion.h', '-a'] : [];
    const objlist = Buffer.concat(dirs.map((d) => run('find', [`${d}/generated`, ...skip, '-name', '*.h', '-print'], obj)));
    tarCopy(obj, objlist, stage);
  } else {
    const dirs = ['include/', `arch/${o.arch}/include/`];
    const copy = (cwd: string, overwrite: boolean): void => {
      const list = findHeaders(cwd, dirs);
      if (o.variant === 'cpio') run('cpio', ['--quiet', overwrite ? '-pdu' : '-pd', stage], cwd, list);
      else tarCopy(cwd, list, stage);
    };
    if (outOfTree) copy(o.src, false);
    copy(obj, o.rules.objOverrides);
    if (o.rules.dropUtsversion) run('rm', ['-f', join(stage, 'include/generated/utsversion.h')], tmp);
  }

  const excludes = o.rules.excludeSillyRename ? ['--exclude=.__afs*', '--exclude=.nfs*'] : [];
  const packed = run('tar', [...excludes, '-c', '-f', '-', '-C', stage, '.'], tmp);
  run('tar', ['-x', '-f', '-', '-C', final], tmp, packed);

  return listDir(final);
}

/** What an archive (e.g. one the kernel's own script made) holds, unpacked with GNU tar. */
export function listArchive(archive: string): { entries: OracleEntry[]; cleanup: () => void } {
  const tmp = mkdtempSync(join(tmpdir(), 'kh-unpack-'));
  const r = spawnSync('tar', ['-x', '-f', archive, '-C', tmp]);
  if (r.status !== 0) throw new Error(`tar -x ${archive}: ${r.stderr.toString()}`);
  return { entries: listDir(tmp), cleanup: () => rmSync(tmp, { recursive: true, force: true }) };
}

function listDir(dir: string): OracleEntry[] {
  const listing = run('find', [dir, '-mindepth', '1', '-printf', '%P\\0%y\\0%l\\0'], dir);
  const parts = splitOn(listing, 0);
  const entries: OracleEntry[] = [];
  for (let i = 0; i + 2 < parts.length; i += 3) {
    const name = parts[i]!.toString('utf8');
    const y = parts[i + 1]!.toString();
    const kind = y === 'd' ? 'dir' : y === 'l' ? 'symlink' : 'file';
    const e: OracleEntry = { name, kind, copy: join(dir, name) };
    if (kind === 'symlink') e.target = parts[i + 2]!.toString('utf8');
    entries.push(e);
  }
  return entries;
}

const NL = Buffer.from('\n');

function splitOn(buf: Buffer, byte: number): Buffer[] {
  const out: Buffer[] = [];
  let start = 0;
  for (let i = buf.indexOf(byte); i >= 0; i = buf.indexOf(byte, start)) {
    out.push(buf.subarray(start, i));
    start = i + 1;
  }
  return out;
}

function splitLines(buf: Buffer): Buffer[] {
  return splitOn(buf, 0x0a).filter((l) => l.length > 0);
}
