/** What the user asked for. Both fronts (CLI and action) produce this one type. */
export type Command = 'build' | 'key' | 'verify' | 'extract';

/** compat: xz -6, one thread, byte-identical to the kernel. fast: multithreaded, fixed blocks. */
export type Compression = 'compat' | 'fast';

/** Where the archive comes from in the action's `mode`. */
export type Mode = 'auto' | 'build' | 'download' | 'running' | 'verify';

/** A parsed archive timestamp and where it came from (for logs and docs). */
export interface Mtime {
  /** Seconds since the epoch. */
  epoch: number;
  /** e.g. "--mtime", "KBUILD_BUILD_TIMESTAMP", "SOURCE_DATE_EPOCH", "default". */
  origin: string;
}

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
  /** A .config file path (absolute) or a make target such as "defconfig". */
  config?: string;
}

/** Everything that changes the archive's bytes beyond the tree itself. */
export interface PackSettings {
  mtime: Mtime;
  compression: Compression;
  /** Worker threads for fast mode (>= 2); ignored in compat mode. */
  threads: number;
}

/** verify: what to check and where to write reports. */
export interface VerifySettings {
  /** Also compare metadata and rebuild to check reproducibility. */
  strict: boolean;
  /** A .config to cross-check with the archive's autoconf.h. */
  config?: string;
  /** Arch as given (SRCARCH or machine); undefined: taken from the archive. */
  arch?: string;
  /** JSON report path. */
  json?: string;
  /** Markdown report path. */
  markdown?: string;
}

/** extract: where the archive comes from and where it goes. */
export interface FetchSettings {
  /** 'running', a .tar.xz / kheaders.ko / vmlinux path, or an http(s) URL (template). */
  from: string;
  /** Directory to extract into; undefined: ${TMPDIR:-/tmp}/kheaders-<release>. */
  output?: string;
  /** Expected digests, checked before anything is written. */
  sha256?: string;
  md5?: string;
  /** Replace a non-empty output directory. */
  replace: boolean;
  /** SRCARCH for a URL template's {arch}; default: this machine's. */
  arch?: string;
}

/** The typed settings object shared by the CLI and the action. */
export interface Settings {
  command: Command;
  tree?: TreeSettings;
  pack: PackSettings;
  /** build: the output archive; verify: the archive to check; extract: where to save the raw archive. */
  archive?: string;
  /** Local cache directory for the CLI; undefined disables the local cache. */
  cacheDir?: string;
  verify?: VerifySettings;
  fetch?: FetchSettings;
}
