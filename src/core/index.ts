// The public API of the core: the CLI and the action import only from here.
export * from './constants.js';
export * from './errors.js';
export * from './log.js';
export * from './settings.js';
export { didYouMean, nearest } from './suggest.js';
export type { HeaderEntry, ReadLimits, Variant } from './types.js';

export { resolveArch, type ArchInfo } from './kernel/arch.js';
export { claimFor, describeClaim, type Claim, type Fidelity } from './kernel/claim.js';
export { parseConfigSpec, describeConfig } from './kernel/config-spec.js';
export { parseUtsRelease, readIdentity, UTSRELEASE_H, VERSION_H, type KernelIdentity } from './archive/identity.js';
export { MTIME_FORMS, parseMtime, resolveMtime } from './kernel/mtime.js';
export { buildDir, isPrepared, prepareTree } from './kernel/prepare.js';
export { resolveTree, type TreeRef } from './kernel/resolve.js';
export { detectVariant, type FileRules, type VariantInfo } from './kernel/script.js';
export { checkKernelTree } from './kernel/tree.js';

export { buildArchive, type BuildOptions, type BuildResult } from './build/build.js';
export { collectHeaders, type CollectOptions } from './build/collect.js';
export { checkThreads, createCompressor, defaultThreads } from './build/compress.js';

export { readMembers, DEFAULT_LIMITS, type Member } from './archive/read.js';

export { extractArchive, type ExtractOptions, type ExtractResult } from './extract/extract.js';
export { archiveFromPackage, findKheadersModule } from './extract/from-package.js';
export { DEFAULT_PACKAGE_LIMITS, packageKind, type PackageKind, type PackageLimits } from './sources/containers/table.js';
export { readRunningArchive } from './extract/from-running.js';
export { runningRelease } from './sources/running/running.js';
export { download } from './sources/transport/download.js';
export { expandUrlTemplate, isUrl, redact, type UrlVars } from './sources/transport/url.js';

export { verifyArchive } from './verify/verify.js';
export {
  mismatches, MISMATCH_CATEGORIES, REPORT_SCHEMA_VERSION,
  type Category, type Counts, type Finding, type StrictResult, type VerifyOptions, type VerifyReport,
} from './verify/report.js';
export { renderJson } from './verify/reports/json.js';
export { renderMarkdown, type MarkdownOptions } from './verify/reports/markdown.js';
export { renderText } from './verify/reports/text.js';

export { diffArchives } from './diff/diff.js';
export {
  DIFF_SCHEMA_VERSION,
  type DiffCause, type DiffCounts, type DiffField, type DiffFinding, type DiffOptions, type DiffReport, type DiffSide,
  type OrderDiff, type SortStyle, type XzInfo,
} from './diff/report.js';
export { renderDiffJson } from './diff/render-json.js';
export { renderDiffMarkdown, type DiffMarkdownOptions } from './diff/render-markdown.js';
export { renderDiffText, type DiffTextOptions } from './diff/render-text.js';

export { cachedBuild, keyDetails, treeKey, type CachedBuildOptions, type CachedBuildResult } from './cache/cached-build.js';
export { cacheKey, computeKey, keyInputs, KEY_FORMAT, type KeyInputs, type KeyRecord, type KeyResult } from './cache/key.js';
export { defaultCacheDir, localCache } from './cache/local.js';
export type { CachePort } from './cache/port.js';

export { copyFileAtomically, digestFile, ensureOutputDir, writeFileAtomically, type Written } from './io/atomic.js';
export { archiveRelease, defaultHeadersDir, unpackArchive, usageHints, type UnpackResult } from './io/unpack.js';

export { vmlinuxHeader, type VmlinuxHOptions, type VmlinuxHResult } from './btf/vmlinux-h.js';
export { toolPaths, type ToolPaths } from './btf/tools.js';
export { vmlinuxHeaderFor, type VmlinuxHSourceOptions } from './btf/from-source.js';
