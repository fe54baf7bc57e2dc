import { createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync, type Dirent, type Stats } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { collectHeaders } from '../build/collect.js';
import { claimFor } from '../kernel/claim.js';
import type { FileRules, VariantInfo } from '../kernel/script.js';
import type { Compression, ConfigSpec, PackSettings, TreeSettings } from '../settings.js';
import type { HeaderEntry, Variant } from '../types.js';

/** Bumped whenever the key's composition or our archive format changes. */
export const KEY_FORMAT = 2;

/** Everything the key depends on; see docs/action.md "The cache key". */
export interface KeyInputs {
  source: string;
  objtree?: string;
  /** Kernel SRCARCH (x86, arm64, ...). */
  srcarch: string;
  /** The ARCH= value make gets (x86_64, i386, ...); defaults to srcarch. */
  makeArch?: string;
  /** When set, generated headers are keyed by their inputs (make will rewrite them). */
  config?: ConfigSpec;
  /** The script variant the build follows, and the rules read from the tree's script. */
  variant: Variant;
  rules?: Partial<FileRules>;
  /** The claim the build makes (byte-identical, content-identical, unknown), recorded with the key. */
  fidelity?: string;
  /** Archive mtime, seconds since the epoch. */
  mtime: number;
  compression: Compression;
  /** Environment for the toolchain identity (CC, CROSS_COMPILE, LLVM, ...). */
  env?: NodeJS.ProcessEnv;
}

export interface KeyResult {
  /** md5 (hex) over all records below. */
  md5: string;
  /** Number of files whose content went into the key. */
  files: number;
  /** The non-file records, for debug logs ("name=value"). */
  facts: string[];
  /** Every path record, in hashing order ("src include/linux/a.h f <md5>"), for `key -v`. */
  records: string[];
  /** The same records in full, for `key --json`: with `facts`, every byte the md5 is taken over. */
  inputs: KeyRecord[];
}

/** One hashed path: its group (src, obj, prep, kconfig), path, kind (f, l, d, elf, absent) and digest. */
export interface KeyRecord {
  group: string;
  path: string;
  kind: string;
  digest: string;
}

/** Environment variables that steer config resolution and `make prepare`. */
export const KEY_ENV = ['CC', 'LD', 'AS', 'CROSS_COMPILE', 'LLVM', 'LLVM_IAS', 'HOSTCC', 'HOSTCXX',
  'KCFLAGS', 'KCPPFLAGS', 'KAFLAGS', 'LOCALVERSION', 'KERNELRELEASE', 'PAHOLE', 'RUSTC'];

type Rec = [name: string, kind: string, digest: string];
type Filter = (rel: string) => boolean;

/** `<prefix>-<os>-<arch>-<md5>`, the actions/cache convention. */
export function cacheKey(prefix: string, os: string, arch: string, md5: string): string {
  return `${prefix}-${os}-${arch}-${md5}`;
}

/** The generated dirs that `make prepare` rewrites from the config. */
function isPrepareOutput(rel: string, srcarch: string): boolean {
  return rel.startsWith('include/generated/') || rel.startsWith('include/config/') ||
    rel.startsWith(`arch/${srcarch}/include/generated/`);
}

/** Build artifacts an in-tree `make prepare` leaves next to the sources (never inputs). */
const ARTIFACT = /(^|\/)\.|\.(o|a|so|s|ko|cmd|d|tmp|order|symvers|lex\.c|tab\.[ch])$|(^|\/)(elfconfig\.h|devicetable-offsets\.h|module\.lds)$/;

/** A path to record, with its kind when a directory listing already told us. */
type Item = [rel: string, kind?: 'f' | 'l' | 'd'];

/** Record one path (file content md5, symlink target or dir marker); absent paths are recorded too. */
function record(root: string, [rel, known]: Item): Rec {
  const abs = join(root, rel);
  try {
    const kind = known ?? kindOf(lstatSync(abs));
    if (kind === 'l') return [rel, 'l', readlinkSync(abs)];
    if (kind === 'd') return [rel, 'd', ''];
    const buf = readFileSync(abs);
    if (buf.subarray(0, 4).toString('latin1') === '\x7fELF') return [rel, 'elf', ''];
    return [rel, 'f', createHash('md5').update(buf).digest('hex')];
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [rel, 'absent', ''];
    throw e;
  }
}

function kindOf(st: Dirent | Stats): 'f' | 'l' | 'd' {
  return st.isSymbolicLink() ? 'l' : st.isDirectory() ? 'd' : 'f';
}

/** Every path under root/dir (relative to root) for which keep() holds; missing dirs give nothing. */
function walk(root: string, dir: string, keep: Filter, out: Item[]): void {
  let ents: Dirent[];
  try {
    ents = readdirSync(join(root, dir), { withFileTypes: true });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return;
    throw e;
  }
  for (const ent of ents) {
    const rel = dir ? `${dir}/${ent.name}` : ent.name;
    if (keep(rel)) out.push([rel, kindOf(ent)]);
    if (ent.isDirectory()) walk(root, rel, keep, out);
  }
}

/** Hash many paths in a stable (byte) order. Synchronous reads are the fastest here. */
function recordAll(root: string, items: Item[]): Rec[] {
  const byName = new Map(items.map((it) => [it[0], it]));
  const names = [...byName.keys()].sort(byteOrder);
  return names.map((n) => record(root, byName.get(n) as Item));
}

/** The Kconfig files reachable through source/osource/rsource/orsource from the top Kconfig, recorded. */
function kconfigFiles(src: string, srcarch: string): Rec[] {
  const seen = new Map<string, Rec>();
  const todo = ['Kconfig'];
  for (let rel = todo.pop(); rel !== undefined; rel = todo.pop()) {
    if (seen.has(rel)) continue;
    let buf: Buffer;
    try {
      buf = readFileSync(join(src, rel));
    } catch {
      seen.set(rel, record(src, [rel]));
      continue;
    }
    seen.set(rel, [rel, 'f', createHash('md5').update(buf).digest('hex')]);
    for (const m of buf.toString('latin1').matchAll(/^[ \t]*(o?r?source)[ \t]+"([^"]+)"/gm)) {
      const target = m[2].replaceAll('$(SRCARCH)', srcarch).replaceAll('$(HEADER_ARCH)', 'x86');
      todo.push(/^o?rsource$/.test(m[1]) ? join(dirname(rel), target) : target);
    }
  }
  return [...seen.keys()].sort(byteOrder).map((k) => seen.get(k) as Rec);
}

function byteOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** `<bin> --version` output, or "absent"; identifies the toolchain Kconfig records. */
function version(bin: string, env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve) => {
    execFile(bin, ['--version'], { env, timeout: 20_000 }, (err, stdout) => {
      resolve(err ? 'absent' : stdout.trim());
    });
  });
}

/** The compiler, linker and pahole make would use, by the kernel's own defaults. */
async function toolchain(env: NodeJS.ProcessEnv): Promise<string[]> {
  const llvm = env.LLVM ?? '';
  const cross = env.CROSS_COMPILE ?? '';
  const pre = llvm.endsWith('/') ? llvm : '';
  const suf = llvm.startsWith('-') ? llvm : '';
  const cc = env.CC ?? (llvm ? `${pre}clang${suf}` : `${cross}gcc`);
  const ld = env.LD ?? (llvm ? `${pre}ld.lld${suf}` : `${cross}ld`);
  const pahole = env.PAHOLE ?? 'pahole';
  const out = await Promise.all([cc, ld, pahole].map((b) => version(b, env)));
  return [`cc=${cc}\n${out[0]}`, `ld=${ld}\n${out[1]}`, `pahole=${pahole}\n${out[2]}`];
}

/** The commit a git work tree is at (setlocalversion puts it into the release), or "none". */
function gitHead(src: string, env: NodeJS.ProcessEnv): Promise<string> {
  if (!existsSync(join(src, '.git'))) return Promise.resolve('none');
  return new Promise((resolve) => {
    execFile('git', ['-C', src, 'rev-parse', 'HEAD'], { env, timeout: 20_000 }, (err, stdout) => {
      resolve(err ? 'none' : stdout.trim());
    });
  });
}

/** What the build would archive, as collect decides it: the one file-set rule for build and key. */
async function headerRecords(inp: KeyInputs, skip: Filter): Promise<Array<[string, Rec[]]>> {
  const entries = await collectHeaders({ srctree: inp.source, objtree: inp.objtree, srcarch: inp.srcarch, variant: inp.variant, rules: inp.rules });
  const src: Rec[] = [];
  const obj: Rec[] = [];
  for (const e of entries) if (!skip(e.name)) (e.from === 'obj' ? obj : src).push(entryRecord(e));
  return obj.length > 0 ? [['src', src], ['obj', obj]] : [['src', src]];
}

function entryRecord(e: HeaderEntry): Rec {
  if (e.kind === 'symlink') return [e.name, 'l', e.target ?? ''];
  if (e.kind === 'dir') return [e.name, 'd', ''];
  return [e.name, 'f', createHash('md5').update(readFileSync(e.path)).digest('hex')];
}

/** Inputs that config resolution and `make prepare` read from the source tree. */
function prepareInputs(src: string, srcarch: string): Item[] {
  const fixed = ['Makefile', 'Kbuild', 'kernel/bounds.c', 'kernel/time/timeconst.bc'];
  const out: Item[] = [];
  const src0: Filter = (rel) => !ARTIFACT.test(rel) && !isPrepareOutput(rel, srcarch);
  const all: Filter = src0;
  const notHeader: Filter = (rel) => !rel.endsWith('.h') && src0(rel);
  const top = readdirSync(src).filter((n) => n.startsWith('localversion'));
  walk(src, 'scripts', all, out);
  walk(src, `arch/${srcarch}`, (rel) => !rel.startsWith(`arch/${srcarch}/include/`) && src0(rel), out);
  walk(src, 'kernel/configs', all, out);
  walk(src, 'lib/vdso', all, out);
  walk(src, 'include', notHeader, out);
  walk(src, `arch/${srcarch}/include`, notHeader, out);
  for (const rel of [...fixed, ...top]) out.push([rel]);
  return out.filter(([, kind]) => kind !== 'd');
}

/** Recorded facts and file records, fed to md5 in a fixed, documented order. */
function digest(facts: string[], groups: Array<[string, Rec[]]>): string {
  const h = createHash('md5');
  for (const f of facts) h.update(`fact\0${f}\n`);
  for (const [tag, recs] of groups) {
    for (const [name, kind, d] of recs) h.update(`${tag}\0${name}\0${kind}\0${d}\n`);
  }
  return h.digest('hex');
}

/** The key's inputs for a tree, its pack settings and its script rules: one mapping for the CLI and the action. */
export function keyInputs(tree: TreeSettings, pack: PackSettings, variant: Pick<VariantInfo, 'variant' | 'rules' | 'known' | 'unknown'>): KeyInputs {
  return { source: tree.source, objtree: tree.objtree, srcarch: tree.arch, makeArch: tree.makeArch, config: tree.config,
    variant: variant.variant, rules: variant.rules, mtime: pack.mtime.epoch, compression: pack.compression,
    fidelity: claimFor(variant, pack.mtime, pack.compression).fidelity };
}

/**
 * The md5 of everything that can change the archive's bytes, computed without
 * running make. Timestamps never enter it; file contents do.
 */
export async function computeKey(inp: KeyInputs): Promise<KeyResult> {
  const env = inp.env ?? process.env;
  const spec = inp.config;
  const skip: Filter = spec ? (rel) => isPrepareOutput(rel, inp.srcarch) : () => false;
  const obj = inp.objtree && inp.objtree !== inp.source ? inp.objtree : undefined;
  const facts = [`format=${KEY_FORMAT}`, `variant=${inp.variant}`, `rules=${JSON.stringify(inp.rules ?? {})}`, ...(inp.fidelity ? [`claim=${inp.fidelity}`] : []), `srcarch=${inp.srcarch}`,
    `compression=${inp.compression}`, `mtime=${inp.mtime}`, `objtree=${obj ? 'separate' : 'in-tree'}`];
  const groups: Array<[string, Rec[]]> = [];
  if (spec) {
    // Start the child processes first so they overlap the hashing.
    const pending = Promise.all([toolchain(env), gitHead(inp.source, env)]);
    const prep = recordAll(inp.source, prepareInputs(inp.source, inp.srcarch)).filter((r) => r[1] !== 'elf');
    const cfgRec = spec.kind === 'file' ? record(dirname(spec.path), [basename(spec.path)]) : undefined;
    groups.push(['prep', prep], ['kconfig', kconfigFiles(inp.source, inp.srcarch)]);
    groups.push(...(await headerRecords(inp, skip)));
    const [tools, head] = await pending;
    facts.push(`makearch=${inp.makeArch ?? inp.srcarch}`,
      spec.kind === 'file' ? `config-file=${cfgRec?.[2] ?? ''}` : `config-target=${spec.target}`,
      `git-head=${head}`, ...tools, ...KEY_ENV.map((k) => `env:${k}=${env[k] ?? ''}`));
  } else {
    groups.push(...(await headerRecords(inp, skip)));
  }
  const files = groups.reduce((n, [, r]) => n + r.filter((x) => x[1] === 'f').length, 0);
  const records = groups.flatMap(([tag, recs]) => recs.map(([name, kind, d]) => `${tag} ${name} ${kind}${d ? ` ${d.split('\n')[0]}` : ''}`));
  const inputs = groups.flatMap(([group, recs]) => recs.map(([path, kind, d]) => ({ group, path, kind, digest: d })));
  return { md5: digest(facts, groups), files, facts, records, inputs };
}
