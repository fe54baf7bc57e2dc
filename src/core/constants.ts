// Values more than one module relies on, declared once.

/** The six bytes every xz stream starts with. */
export const XZ_MAGIC: Readonly<Buffer> = Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]);

/** Largest archive, module, image or download we read, and largest uncompressed tar (1 GiB). */
export const MAX_INPUT_BYTES = 1024 * 1024 * 1024;

/** A sha256 or md5 digest as sha256sum/md5sum print it (lower-case hex). */
export const SHA256_HEX = /^[0-9a-f]{64}$/;
export const MD5_HEX = /^[0-9a-f]{32}$/;

/** A cache key or key prefix: safe as one file name and as an Actions cache key. */
export const KEY_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
