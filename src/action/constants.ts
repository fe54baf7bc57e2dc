/** Input, output and state names: declared once, used by action.yml's docs generator and the code. */
export enum Inputs {
  Source = 'source',
  Objtree = 'objtree',
  Arch = 'arch',
  Config = 'config',
  Mode = 'mode',
  Url = 'url',
  Sha256 = 'sha256',
  Timeout = 'timeout',
  Release = 'release',
  Archive = 'archive',
  Compression = 'compression',
  Mtime = 'mtime',
  Cache = 'cache',
  CacheKeyPrefix = 'cache-key-prefix',
  LookupOnly = 'lookup-only',
  FailOnCacheMiss = 'fail-on-cache-miss',
  Save = 'save',
  Verify = 'verify',
  FailOnMismatch = 'fail-on-mismatch',
  Strict = 'strict',
  Report = 'report',
  ExtractTo = 'extract-to',
  ExportEnv = 'export-env',
  VmlinuxH = 'vmlinux-h',
}

export enum Outputs {
  Archive = 'archive',
  ArchiveMd5 = 'archive-md5',
  ArchiveSha256 = 'archive-sha256',
  Key = 'key',
  CacheHit = 'cache-hit',
  CachePrimaryKey = 'cache-primary-key',
  CacheMatchedKey = 'cache-matched-key',
  Origin = 'origin',
  HeadersDir = 'headers-dir',
  KernelRelease = 'kernel-release',
  Verified = 'verified',
  Mismatches = 'mismatches',
  Report = 'report',
  Config = 'config',
  VmlinuxH = 'vmlinux-h',
}

/** Environment variables export-env sets for later steps. */
export enum ExportedEnv {
  Bcc = 'BCC_KERNEL_SOURCE',
  Bpftrace = 'BPFTRACE_KERNEL_SOURCE',
}

/** Where the archive came from. */
export type Origin = 'cache' | 'url' | 'build' | 'running' | 'file';
