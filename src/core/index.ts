// The public face of the core: what the two fronts (src/action, src/cli) use,
// and nothing else. Each name is documented where it is defined; here in one line.

// Settings, logging, errors
/** The settings types both fronts parse their input into. */
export type { BuildSettings, Command, Compression, DiffSettings, ExtractSettings, KeySettings, Mode, PackSettings, Settings, TreeSettings, VerifySettings, VmlinuxHSettings } from './settings.js';
/** The action's modes, as `mode` takes them. */
export { MODES } from './settings.js';
/** The injected logger, a source location for annotations, and timed log groups. */
export { phase, type Location, type Logger } from './log.js';
/** The error with a code and a fix, and how the fronts print it. */
export { formatError, KheadersError } from './errors.js';
/** Cache key names and sha256 digests, as the inputs are checked. */
export { KEY_NAME, SHA256_HEX } from './constants.js';
/** Release names, md5 digests, the xz magic, the input cap and the download deadline, as the fronts check and show them. */
export { DEFAULT_TIMEOUT_S, KERNEL_RELEASE, MAX_INPUT_BYTES, MD5_HEX, XZ_MAGIC } from './constants.js';
/** "did you mean …" for unknown options and values. */
export { didYouMean } from './suggest.js';
/** Caps on what the archive reader accepts. */
export type { ReadLimits } from './types.js';

// The kernel tree
/** An --arch value as the kernel's SRCARCH and more. */
export { resolveArch, type ArchInfo } from './kernel/arch.js';
/** What a built archive is to the tree's own gen_kheaders.sh output. */
export { claimFor, type Claim } from './kernel/claim.js';
/** A --config value (a file, or a defconfig target). */
export { parseConfigSpec } from './kernel/config-spec.js';
/** The pack step's mtime from an --mtime value. */
export { resolveMtime } from './kernel/mtime.js';
/** The objtree of a tree (where generated headers live). */
export { buildDir } from './kernel/prepare.js';
/** The tree's variant of gen_kheaders.sh, read once. */
export { resolveTree } from './kernel/resolve.js';
/** A variant of gen_kheaders.sh and what it means for the archive. */
export type { VariantInfo } from './kernel/script.js';
/** The release in utsrelease.h, and where that file sits. */
export { parseUtsRelease, UTSRELEASE_H } from './archive/identity.js';
/** Streams the members of an archive, with the hostile-input checks. */
export { DEFAULT_LIMITS, readMembers } from './archive/read.js';

// build, key, cache
/** xz thread counts: the default and a check of a given one. */
export { checkThreads, defaultThreads } from './build/compress.js';
/** build with the cache, the cache lookup alone, and the key md5 of a tree. */
export { cachedBuild, cacheLookup, keyDetails, treeKey } from './cache/cached-build.js';
/** The cache key's format number (key --json). */
export { KEY_FORMAT } from './cache/key.js';
/** The CLI's cache: a local directory. */
export { defaultCacheDir, localCache } from './cache/local.js';
/** Where archives are cached (the action passes @actions/cache). */
export type { CachePort } from './cache/port.js';

// extract
/** The extract pipeline: find, check, save and/or unpack an archive. */
export { extractArchive, type ExtractResult } from './extract/extract.js';
/** Values for a URL template's {key}, {arch} and {release}. */
export type { UrlVars } from './sources/transport/url.js';
/** Unpacking an archive into a directory, bcc's default directory, its release, and usage hints. */
export { archiveRelease, defaultHeadersDir, unpackArchive, usageHints } from './io/unpack.js';
/** Atomic writes and copies, and a file's digests. */
export { copyFileAtomically, digestFile, writeFileAtomically, type Written } from './io/atomic.js';

// verify and diff
/** verify: an archive against a tree. */
export { verifyArchive } from './verify/verify.js';
/** The verify report and its failing findings. */
export { mismatches, type Finding, type VerifyReport } from './verify/report.js';
/** The verify report as JSON (the schema in docs/). */
export { renderJson } from './verify/reports/json.js';
/** The verify report as Markdown (the job summary, --format markdown). */
export { renderMarkdown } from './verify/reports/markdown.js';
/** Markdown table cells, inline code, fences and a details summary, escaped once for every report. */
export { mdCell, mdCode, mdFence, mdSummary } from './markdown.js';
/** The verify report as text (the terminal). */
export { renderText } from './verify/reports/text.js';
/** diff: two archives. */
export { diffArchives } from './diff/diff.js';
/** The diff report as JSON (the schema in docs/). */
export { renderDiffJson } from './diff/render-json.js';
/** The diff report as Markdown. */
export { renderDiffMarkdown } from './diff/render-markdown.js';
/** The diff report as text (the terminal). */
export { renderDiffText } from './diff/render-text.js';

// vmlinux.h
/** vmlinux.h and raw BTF from an archive (clang, pahole, bpftool). */
export { vmlinuxHeader } from './btf/vmlinux-h.js';
/** The same from anything extract reads, or from a tree through the cached build. */
export { vmlinuxHeaderFor } from './btf/from-source.js';
