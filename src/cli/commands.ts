import {
  cachedBuild, extractArchive, localCache, treeKey, renderJson, renderMarkdown, renderText, resolveTree,
  verifyArchive, writeFileAtomically,
  type BuildSettings, type ExtractSettings, type KeySettings, type Logger, type VerifySettings,
} from '../core/index.js';
import { diffArchives, renderDiffJson, renderDiffMarkdown, renderDiffText, type DiffSettings } from '../core/index.js';

const out = (text: string): void => {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
};

/** The archive's digests on stdout, as every archive-making command prints them. */
function printDigests(d: { md5: string; sha256: string }): void {
  out(`md5     ${d.md5}\nsha256  ${d.sha256}`);
}

/** kheaders key: prints just the md5. */
export async function keyCommand(s: KeySettings, log: Logger): Promise<number> {
  const variant = await resolveTree(s.tree, log);
  out(await treeKey(s.tree, s.pack, variant, log));
  return 0;
}

/** kheaders build: local cache hit, else build (and store). */
export async function buildCommand(s: BuildSettings, log: Logger, signal: AbortSignal): Promise<number> {
  const cache = s.cacheDir === undefined ? undefined : localCache(s.cacheDir, log);
  const r = await cachedBuild(s, { cache, signal }, log);
  if (r.build !== undefined) {
    log.info(`wrote ${r.build.archive}: ${r.build.files} headers, ${r.build.size} bytes, mtime ${s.pack.mtime.epoch} (${s.pack.mtime.origin})`);
  }
  printDigests(r.written);
  return 0;
}

/** kheaders verify: 0 match, 1 mismatch; reports written atomically. */
export async function verifyCommand(s: VerifySettings, log: Logger): Promise<number> {
  const report = await verifyArchive(s, log);
  if (s.json) await writeFileAtomically(s.json, renderJson(report));
  if (s.markdown) await writeFileAtomically(s.markdown, renderMarkdown(report));
  out(renderText(report));
  return report.result === 'match' ? 0 : 1;
}

/** kheaders extract: find, check the digest, save and/or unpack. */
export async function extractCommand(s: ExtractSettings, log: Logger, signal?: AbortSignal): Promise<number> {
  const r = await extractArchive({ signal, from: s.from, archive: s.archive, output: s.output, sha256: s.sha256, md5: s.md5,
    replace: s.replace, urlVars: { arch: s.arch, key: s.key }, release: s.release, limits: s.limits,
    ...(s.timeout !== undefined ? { http: { timeoutMs: s.timeout * 1000 } } : {}) }, log);
  if (r.headersDir) out(r.headersDir);
  printDigests(r);
  return 0;
}

/** kheaders diff: 0 byte-identical, 1 any difference; reports written atomically. */
export async function diffCommand(s: DiffSettings, log: Logger): Promise<number> {
  const report = await diffArchives({ a: s.a, b: s.b, limits: s.limits }, log);
  if (s.json) await writeFileAtomically(s.json, renderDiffJson(report));
  if (s.markdown) await writeFileAtomically(s.markdown, renderDiffMarkdown(report));
  out(renderDiffText(report));
  return report.result === 'identical' ? 0 : 1;
}
