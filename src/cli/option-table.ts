// The CLI's options, in one table: the parser reads it (names, types, short
// forms, which command takes which) and so does the help (each command's option
// list is generated from it), so the help cannot promise what the parser does not do.
import { DEFAULT_LIMITS, DEFAULT_TIMEOUT_S, type Command } from '../core/index.js';

export const COMMANDS: readonly Command[] = ['build', 'key', 'verify', 'extract', 'diff', 'vmlinux-h'];

interface Spec {
  type: 'string' | 'boolean';
  short?: string;
  /** The value's name in the help (DIR, FILE); none for a flag. Per command where it differs. */
  arg?: string | Partial<Record<Command, string>>;
  /** One help text, or one per command where the meaning differs. Lines after the first are continuation lines. */
  help: string | Partial<Record<Command, string>>;
  /** Per command: a flag instead of a value (key --json). */
  flagIn?: readonly Command[];
}

const ARCH = 'SRCARCH (x86, arm64, riscv, ...) or machine name (x86_64, aarch64, ...);\ndefault:';
const LIMIT = 'raise it only for an archive you trust';
/** A size as --max-size takes it: 32M, 1G. */
const mib = (n: number): string => (n % 1024 ** 3 === 0 ? `${n / 1024 ** 3}G` : `${n / 1024 ** 2}M`);

export const OPTIONS = {
  source: { type: 'string', arg: 'DIR', help: {
    build: 'the kernel source tree; without it, a small made-up sample tree\n(kept as ./kheaders-sample next to the archive, to verify against)',
    key: 'the kernel source tree', verify: 'the kernel source tree to check the archive against',
    'vmlinux-h': 'instead of --from: a kernel tree, built through the cache as build does' } },
  objtree: { type: 'string', arg: 'DIR', help: {
    build: 'the object tree of an O= build (where the generated headers live)', key: 'the object tree of an O= build (where the generated headers live)',
    verify: 'the object tree of an O= build; checks its generated headers and .config\n(an in-tree build\'s are checked without it)',
    'vmlinux-h': 'the object tree of an O= build (with --source)' } },
  arch: { type: 'string', arg: 'A', help: {
    build: `${ARCH} the host`, key: `${ARCH} the host`,
    verify: `${ARCH} the archive's`, extract: '{arch} in a URL template; default: this machine\'s',
    'vmlinux-h': `with --source: ${ARCH} the host (with --from, the archive's own)` } },
  config: { type: 'string', arg: { build: 'C', key: 'C', verify: 'FILE', 'vmlinux-h': 'C' }, help: {
    build: 'a .config file or a make target (defconfig, x86_64_defconfig, tinyconfig);\nruns make olddefconfig|C and make prepare, only when needed',
    key: 'a .config file or a make target, as build takes it (key never runs make)',
    verify: 'a .config file; each option is checked against the archive\'s autoconf.h\n(no make: a make target is not taken here)',
    'vmlinux-h': 'with --source: a .config file or a make target, as build takes it' } },
  variant: { type: 'string', arg: 'RULES', help: 'state the script\'s rules instead of reading them (docs/fidelity.md), e.g.\ncopy=cpio,objwins=no,sort=list,mode=no,owner=builder,mtime=files' },
  mtime: { type: 'string', arg: 'DATE', help: '\'2024-01-01 00:00:00 UTC\', @1704067200, or date(1) output;\ndefault KBUILD_BUILD_TIMESTAMP, then SOURCE_DATE_EPOCH, then @0' },
  compression: { type: 'string', arg: 'M', help: 'compat (default): xz -6, one thread, byte-identical to the kernel\'s script\nfast: multithreaded xz -1, same tar inside, bytes independent of --threads\nnone: the plain tar, as the kernel\'s script makes it before xz' },
  'plain-tar': { type: 'boolean', help: 'the same as --compression none' },
  threads: { type: 'string', arg: 'N', help: 'worker threads for fast mode (default: all cores, at least 2)' },
  output: { type: 'string', short: 'o', arg: { build: 'FILE', extract: 'DIR', 'vmlinux-h': 'FILE' }, help: {
    'vmlinux-h': 'the C header to write (default ./vmlinux.h), atomically',
    build: 'the archive to write (default ./kheaders_data.tar.xz), atomically; - for stdout',
    extract: 'extract here (default ${TMPDIR:-/tmp}/kheaders-<release>, where bcc looks);\nsee "Where it extracts" below' } },
  'cache-dir': { type: 'string', arg: 'DIR', help: {
    build: 'the local cache (default $XDG_CACHE_HOME/kheaders or ~/.cache/kheaders)',
    'vmlinux-h': 'the local cache (default $XDG_CACHE_HOME/kheaders or ~/.cache/kheaders):\nthe archive of a --source tree, the list of headers that compile, and the\nfinished vmlinux.h and BTF (a later run for the same archive returns them)' } },
  'no-cache': { type: 'boolean', help: { build: 'always build, never store', 'vmlinux-h': 'no cache: build the tree, probe and compile the headers every time' } },
  btf: { type: 'string', arg: 'FILE', help: 'also write the raw BTF (what libbpf\'s btf_custom_path reads)' },
  'strict-variant': { type: 'boolean', help: 'refuse to build when the tree\'s script has constructs we do not model' },
  archive: { type: 'string', arg: 'FILE', help: { verify: 'the .tar.xz to check, or any file extract reads: a kernel\nimage as it ships (its embedded config is checked too), kheaders.ko, vmlinux, a package', extract: 'also save the raw .tar.xz, as found, here' } },
  strict: { type: 'boolean', help: 'also compare metadata, and rebuild to check reproducibility' },
  json: { type: 'string', arg: 'FILE', flagIn: ['key'], help: {
    key: 'print the md5 and every key input as JSON',
    verify: 'write the JSON report (schema: docs/verify.md); - for stdout', diff: 'write the JSON report (schema: docs/diff.md); - for stdout' } },
  markdown: { type: 'string', arg: 'FILE', help: 'write the report as Markdown; - for stdout' },
  from: { type: 'string', arg: 'S', help: 'running (this kernel: sysfs, else its installed kheaders.ko, else its modules\npackage through apt/dnf, else modprobe as root or with sudo -n), a .tar.xz,\nkheaders.ko[.xz|.gz|.zst], kheaders.o, vmlinux, a kernel image as it ships (bzImage/\nvmlinuz, Image, Image.gz/.bz2/.lz4/.lzma/.lzo/.zst, vmlinuz.efi, Android boot.img),\na .deb/.rpm/.pkg.tar.zst kernel package, - for stdin, an http(s) URL (template with {key}, {arch},\n{release}), or apt:PACKAGE / dnf:PACKAGE (downloaded and checked by the package manager)' },
  sha256: { type: 'string', arg: 'HEX', help: 'the archive\'s (or package\'s) sha256, checked before anything is written' },
  md5: { type: 'string', arg: 'HEX', help: 'the archive\'s (or package\'s) md5, checked before anything is written' },
  key: { type: 'string', arg: 'MD5', help: '{key} in a URL template (kheaders key prints it)' },
  timeout: { type: 'string', arg: 'S', help: `the deadline of a download, retries included (default ${DEFAULT_TIMEOUT_S} s)` },
  force: { type: 'boolean', help: 'also extract again into a directory that already holds this archive,\nand replace a regular file (never an input, nor what kheaders did not make)' },
  'config-out': { type: 'string', arg: 'FILE', help: 'also save the .config a kernel image embeds (CONFIG_IKCONFIG); an error when it has none' },
  release: { type: 'string', arg: 'R', help: 'the kernel to take from a package that holds several; also {release} in a URL' },
  'max-entry-size': { type: 'string', arg: 'S', help: `the largest member (default ${mib(DEFAULT_LIMITS.maxEntryBytes)}); ${LIMIT}` },
  'max-size': { type: 'string', arg: 'S', help: `the largest tar and input (default ${mib(DEFAULT_LIMITS.maxTotalBytes)}); ${LIMIT}` },
  'max-entries': { type: 'string', arg: 'N', help: `the most members (default ${DEFAULT_LIMITS.maxEntries}); ${LIMIT}` },
  verbose: { type: 'boolean', short: 'v', help: {
    build: 'also the claim (byte-identical or not, and why), the rules read from\nthe script, every key input, debug lines',
    key: 'also every key input, to see why a key changed', verify: 'also the rules read from the script, debug lines',
    extract: 'also debug lines (what was tried, each download attempt)', diff: 'also debug lines', 'vmlinux-h': 'also debug lines' } },
  quiet: { type: 'boolean', short: 'q', help: 'print errors only (stdout still carries the result)' },
  help: { type: 'boolean', short: 'h', help: 'this text' },
} as const satisfies Record<string, Spec>;

export type Option = keyof typeof OPTIONS;

const COMMON: Option[] = ['verbose', 'quiet', 'help'];
const TREE: Option[] = ['source', 'objtree', 'arch', 'config', 'variant'];
const PACK: Option[] = ['mtime', 'compression', 'plain-tar', 'threads'];
const LIMITS: Option[] = ['max-entry-size', 'max-size', 'max-entries'];

/** Which options each command takes, in the order its help lists them; anything else is a usage error. */
export const ALLOWED: Record<Command, readonly Option[]> = {
  build: [...TREE, ...PACK, 'output', 'cache-dir', 'no-cache', 'strict-variant', ...COMMON],
  key: [...TREE, ...PACK, 'json', ...COMMON],
  verify: ['archive', ...TREE, 'strict', 'json', 'markdown', ...LIMITS, ...COMMON],
  extract: ['from', 'output', 'archive', 'config-out', 'sha256', 'md5', 'force', 'release', 'key', 'arch', 'timeout', ...LIMITS, ...COMMON],
  diff: ['json', 'markdown', ...LIMITS, ...COMMON],
  'vmlinux-h': ['from', 'sha256', 'md5', 'release', ...TREE.filter((o) => o !== 'variant'), 'output', 'btf', 'cache-dir', 'no-cache', ...COMMON],
};

/** An option as this command sees it: its type, short form, value name and help text. */
export function optionFor(command: Command, name: Option): { type: 'string' | 'boolean'; short?: string; arg?: string; help: string } {
  const spec: Spec = OPTIONS[name];
  const flag = spec.flagIn?.includes(command) ?? false;
  const help = typeof spec.help === 'string' ? spec.help : spec.help[command];
  if (help === undefined) throw new Error(`option --${name} has no help text for ${command}`);
  const arg = typeof spec.arg === 'object' ? spec.arg[command] : spec.arg;
  return { type: flag ? 'boolean' : spec.type, short: spec.short, arg: flag ? undefined : arg, help };
}

/** parseArgs' option config for one command, from the table. */
export function parseConfig(command: Command): Record<string, { type: 'string' | 'boolean'; short?: string }> {
  return Object.fromEntries(ALLOWED[command].map((name) => {
    const o = optionFor(command, name);
    return [name, o.short === undefined ? { type: o.type } : { type: o.type, short: o.short }];
  }));
}
