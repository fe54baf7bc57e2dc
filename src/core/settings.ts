import type { ReadLimits } from './types.js';

/** What the user asked for. Both fronts (CLI and action) produce these types. */
export type Command = Settings['command'];

/** compat: xz -6, one thread, byte-identical to the kernel. fast: multithreaded, fixed blocks. none: the plain tar. */
export type Compression = 'compat' | 'fast' | 'none';

/** The action's `mode` values: where the archive comes from. */
export const MODES = ['auto', 'build', 'download', 'running', 'verify'] as const;
export type Mode = (typeof MODES)[number];

/** A parsed archive timestamp and where it came from (for logs and docs). */
export interface Mtime {
  /** Seconds since the epoch. */
  epoch: number;
  /** e.g. "--mtime", "KBUILD_BUILD_TIMESTAMP", "SOURCE_DATE_EPOCH", "default", "script" (the script's own date). */
  origin: string;
  /** SOURCE_DATE_EPOCH from the environment when set, whichever source won: a script that reads it follows it. */
  sde?: number;
}

/** How a config was given: a .config file (absolute path) or a make target such as defconfig. */
export type ConfigSpec = { kind: 'file'; path: string } | { kind: 'target'; target: string };

/** The tree to read headers from and how to configure it. */
export interface TreeSettings {
  /** Kernel source tree (srctree). Absolute path. */
  source: string;
  /** Object tree for O= builds; undefined for in-tree builds. Absolute path. */
  objtree?: string;
  /** Kernel SRCARCH (x86, arm64, ...), already mapped from machine names. */
  arch: string;
  /** The ARCH= value passed to make (the user's word, e.g. x86_64). */
  makeArch: string;
  /** Configure and prepare the tree with make from this; undefined: it must be prepared already. */
  config?: ConfigSpec;
  /** --variant RULES: the script's rules stated by hand (docs/fidelity.md). */
  rules?: string;
}

/** Everything that changes the archive's bytes beyond the tree itself. */
export interface PackSettings {
  mtime: Mtime;
  compression: Compression;
  /** Worker threads for fast mode (>= 2); ignored in compat mode. */
  threads: number;
}

/** build: make the archive of a tree (from a cache when one is given). */
export interface BuildSettings {
  command: 'build';
  tree: TreeSettings;
  pack: PackSettings;
  /** The archive to write (atomically). Absolute path. */
  output: string;
  /** Local cache directory (CLI); undefined: no local cache. */
  cacheDir?: string;
  /** Refuse to build when the script has constructs we do not model. */
  strictVariant?: boolean;
}

/** key: print the md5 the cache key ends in. */
export interface KeySettings {
  command: 'key';
  tree: TreeSettings;
  pack: PackSettings;
}

/** verify: does an archive hold what a tree produces? */
export interface VerifySettings {
  command: 'verify';
  /** The archive to check. Absolute path. */
  archive: string;
  source: string;
  /** Object tree; enables checking generated headers and the .config. */
  objtree?: string;
  /** Arch as given (SRCARCH or machine); undefined: taken from the archive. */
  arch?: string;
  /** A .config file to cross-check with the archive's autoconf.h. */
  config?: string;
  /** --variant RULES: the script's rules stated by hand. */
  rules?: string;
  /** Also compare metadata and rebuild to check reproducibility. */
  strict: boolean;
  /** JSON report path. */
  json?: string;
  /** Markdown report path. */
  markdown?: string;
  /** Reader limits (--max-entry-size, --max-size, --max-entries). */
  limits?: Partial<ReadLimits>;
}

/** extract: find an archive, check it, save and/or unpack it. */
export interface ExtractSettings {
  command: 'extract';
  /** 'running', a .tar.xz / kheaders.ko / vmlinux path, or an http(s) URL (template). */
  from: string;
  /** Save the raw archive here. */
  archive?: string;
  /** Directory to extract into; undefined: ${TMPDIR:-/tmp}/kheaders-<release>. */
  output?: string;
  /** Expected digests, checked before anything is written. */
  sha256?: string;
  md5?: string;
  /** Replace a non-empty output directory. */
  replace: boolean;
  /** SRCARCH for a URL template's {arch}; default: this machine's. */
  arch?: string;
  /** The kernel to take from a package holding several, and a URL template's {release}. */
  release?: string;
  /** A URL template's {key}: the md5 that `kheaders key` prints. */
  key?: string;
  /** The deadline of a download, retries included, in seconds (default DEFAULT_TIMEOUT_S). */
  timeout?: number;
  /** Save a kernel image's embedded .config here (CONFIG_IKCONFIG). */
  configOut?: string;
  /** Reader limits (--max-entry-size, --max-size, --max-entries). */
  limits?: Partial<ReadLimits>;
}

/** diff: compare two archives, with no tree (docs/diff.md). */
export interface DiffSettings {
  command: 'diff';
  /** The first archive ("A"). Absolute path. */
  a: string;
  /** The second archive ("B"). Absolute path. */
  b: string;
  /** JSON report path. */
  json?: string;
  /** Markdown report path. */
  markdown?: string;
  /** Reader limits (--max-entry-size, --max-size, --max-entries). */
  limits?: Partial<ReadLimits>;
}

/** One command's settings; each variant has exactly the fields it needs. */
export type Settings = BuildSettings | KeySettings | VerifySettings | ExtractSettings | DiffSettings | VmlinuxHSettings;

/** `kheaders vmlinux-h` / the action's vmlinux-h mode. */
export interface VmlinuxHSettings {
  command: 'vmlinux-h';
  /** Where the archive comes from: what `extract --from` takes, or a tree built through the cache. */
  source:
    | { kind: 'from'; from: string; sha256?: string; md5?: string; release?: string }
    | { kind: 'tree'; tree: TreeSettings; pack: PackSettings };
  /** The C header to write. */
  output: string;
  /** The raw BTF to write too. */
  btf?: string;
  /** The kheaders cache dir: the probe's header list (and, for a tree, the archive) are kept there. */
  cacheDir?: string;
  /** Parallel clang processes (default: the CPU count). */
  jobs?: number;
}
