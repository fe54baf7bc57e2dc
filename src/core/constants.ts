// Values more than one module relies on, declared once.

/** The six bytes every xz stream starts with. */
export const XZ_MAGIC: Readonly<Buffer> = Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]);

/** Largest archive, module, image or download we read, and largest uncompressed tar (1 GiB). */
export const MAX_INPUT_BYTES = 1024 * 1024 * 1024;

/**
 * Distro packages (.deb, .rpm, .pkg.tar.*) are streamed, never unpacked:
 * up to 4 GiB of decompressed payload (data.tar, cpio, tar) is read through
 * without being buffered. A modules .deb is 100-200 MB compressed.
 */
export const MAX_PACKAGE_PAYLOAD_BYTES = 4 * 1024 * 1024 * 1024;
/** The one package member that is buffered, kheaders.ko (compressed, and again decompressed): 64 MiB (a real one is a few MB). */
export const MAX_PACKAGE_MODULE_BYTES = 64 * 1024 * 1024;
/** A buffered package header: an RPM header or a .deb's control.tar, decompressed (64 MiB). */
export const MAX_PACKAGE_HEADER_BYTES = 64 * 1024 * 1024;
/** Most members in one package (a kernel's modules package has a few thousand). */
export const MAX_PACKAGE_ENTRIES = 1_000_000;

/**
 * How much output a decoder hands over at a time (zlib, liblzma native and
 * WASM): 1 MiB, not their 16 or 64 KiB, since each piece from the native ones
 * is a thread-pool round trip (a 13 MB gzip kernel: 9 ms, not 45-75; a 6.1
 * archive's members: 0.26 s, not 0.34).
 */
export const DECODE_PIECE = 1 << 20;

/** A sha256 or md5 digest as sha256sum/md5sum print it (lower-case hex). */
export const SHA256_HEX = /^[0-9a-f]{64}$/;
export const MD5_HEX = /^[0-9a-f]{32}$/;

/** A cache key or key prefix: safe as one file name and as an Actions cache key. */
export const KEY_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** A kernel release as `uname -r` prints it, safe as one file name (bcc's kheaders-<release>). */
export const KERNEL_RELEASE = /^[A-Za-z0-9._+~-]{1,128}$/;

/** The deadline of a download, retries included, in seconds (CLI --timeout, the action's timeout). */
export const DEFAULT_TIMEOUT_S = 300;
