/**
 * Where archives are cached, injected into the core: the CLI passes a local
 * directory, the action passes @actions/cache. Service failures warn and count
 * as a miss or "not saved"; they never fail a build.
 */
export interface CachePort {
  /** For logs, e.g. "the Actions cache" or "~/.cache/kheaders". */
  readonly name: string;
  /** False when the service cannot be used here (then nothing is tried). */
  available(): boolean;
  /** Copies the entry for key to dest (atomically); the key restored, or undefined on a miss. */
  restore(key: string, dest: string): Promise<string | undefined>;
  /** Stores archive under key; false when not saved. */
  save(key: string, archive: string): Promise<boolean>;
  /** Whether an entry for key exists, without fetching it (actions/cache's lookup-only). */
  lookup?(key: string): Promise<boolean>;
}
