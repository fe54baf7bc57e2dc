// What each source of the extract pipeline hands on: the archive's bytes and how they were found.

export interface FoundArchive {
  archive: Buffer;
  origin: 'running' | 'file' | 'elf' | 'package' | 'url';
  /** How it was found, for logs: "plain .tar.xz", "ELF64 little-endian ET_REL (symbols)". */
  detail: string;
  /** The kernel release the source names (a package's module path, `uname -r`), cross-checked with the archive. */
  release?: string;
  /** The digests of the package file itself (a --sha256 may name the package, as the distro's index lists it). */
  packageDigest?: { sha256: string; md5: string };
}
