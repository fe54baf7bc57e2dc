/** Stable error codes: tests and callers match on these, never on prose. */
export type ErrorCode =
  /** A flag or action input is wrong or missing. */
  | 'USAGE'
  /** A value or file the user gave cannot be used (a date, a config, a path). */
  | 'BAD_INPUT'
  | 'NOT_A_KERNEL_TREE'
  | 'UNKNOWN_ARCH'
  /** The tree's kernel/gen_kheaders.sh has constructs we do not model (with --strict-variant). */
  | 'UNKNOWN_SCRIPT'
  /** --source and --objtree are trees of different kernels. */
  | 'TREES_MISMATCH'
  /** The tree lacks its generated headers and no config was given. */
  | 'TREE_NOT_PREPARED'
  /** The source holds no archive (no kheaders in the running kernel, an ELF without one). */
  | 'NOT_FOUND'
  /** An archive member was refused for safety (a path escape, a device, a duplicate). */
  | 'HOSTILE_ENTRY'
  /** Truncated, corrupt or not the format it claims. */
  | 'CORRUPT_ARCHIVE'
  /** Over a size, entry-count or work limit. */
  | 'LIMIT_EXCEEDED'
  | 'DIGEST_MISMATCH'
  | 'NETWORK'
  | 'WRITE_FAILED'
  | 'MAKE_FAILED'
  /** This platform lacks what the work needs (no xz addon and no system xz). */
  | 'UNSUPPORTED_PLATFORM'
  | 'INTERRUPTED'
  /** SIGTERM. */
  | 'TERMINATED'
  /** A tool we run (clang, pahole, bpftool) is not installed. */
  | 'MISSING_TOOL'
  /** The archive's headers do not compile for its arch (vmlinux-h). */
  | 'COMPILE_FAILED';

/** Codes that are failures of the run rather than of what the user passed. */
const FAILURES: ReadonlySet<ErrorCode> = new Set(['DIGEST_MISMATCH', 'NETWORK', 'MAKE_FAILED', 'UNSUPPORTED_PLATFORM', 'COMPILE_FAILED']);

/** The exit code a front uses: 2 usage or input, 1 failure, 130 interrupted (SIGINT), 143 terminated (SIGTERM). */
export function exitCodeOf(code: ErrorCode): number {
  if (code === 'INTERRUPTED') return 130;
  if (code === 'TERMINATED') return 143;
  return FAILURES.has(code) ? 1 : 2;
}

/** An error the user can act on: a code, what went wrong, and how to fix it. */
export class KheadersError extends Error {
  readonly code: ErrorCode;
  /** One line telling the user what to do about it; kept apart from message. */
  readonly fix: string | undefined;

  constructor(code: ErrorCode, message: string, fix?: string) {
    super(message);
    this.name = 'KheadersError';
    this.code = code;
    this.fix = fix;
  }

  get exitCode(): number {
    return exitCodeOf(this.code);
  }

  /** The same error with a prefix on its message (e.g. the action input it came from). */
  prefixed(prefix: string): KheadersError {
    return new KheadersError(this.code, `${prefix}${this.message}`, this.fix);
  }
}

/** "message" and "  fix: ..." lines, as both fronts print an error. */
export function formatError(e: KheadersError): string {
  return e.fix ? `${e.message}\n  fix: ${e.fix}` : e.message;
}

/** The one fix for input damaged in transit or storage. */
export const RECOPY_FIX = 'download or copy the file again; check its size and checksum';

/** A CORRUPT_ARCHIVE error (truncated, damaged, not the format it claims) with the one fix. */
export function corrupt(message: string): KheadersError {
  return new KheadersError('CORRUPT_ARCHIVE', message, RECOPY_FIX);
}
