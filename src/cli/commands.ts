import { resolve } from 'node:path';
import { buildArchive, resolveVariant, type BuildResult } from '../core/build/build.js';
import { cacheRestore, cacheStore } from '../core/cache/local.js';
import { KheadersError } from '../core/errors.js';
import { fetchArchive } from '../core/sources/fetch.js';
import { cacheKey, computeKey, keyInputs } from '../core/cache/key.js';
import type { Logger } from '../core/log.js';
import { renderJson } from '../core/verify/reports/json.js';
import { renderMarkdown } from '../core/verify/reports/markdown.js';
import { renderText } from '../core/verify/reports/text.js';
import type { Settings, TreeSettings } from '../core/settings.js';
import type { VariantInfo } from '../core/kernel/script.js';
import { verifyArchive } from '../core/verify/verify.js';
import { digestFile, ensureOutputDir, writeFileAtomically } from '../core/io/atomic.js';

const out = (text: string): void => {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
};

/** The archive's digests on stdout, as every archive-making command prints them. */
function printDigests(d: { md5: string; sha256: string }): void {
  out(`md5     ${d.md5}\nsha256  ${d.sha256}`);
}

function needTree(s: Settings): TreeSettings {
  if (s.tree === undefined) throw new KheadersError(`${s.command} needs --source`, 'pass --source DIR, the kernel source tree');
  return s.tree;
}

/** The cache key's md5 for these settings. */
async function keyFor(s: Settings, tree: TreeSettings, variant: VariantInfo): Promise<string> {
  return (await computeKey(keyInputs(tree, s.pack, variant.variant))).md5;
}

/** kheaders key: prints just the md5. */
export async function keyCommand(s: Settings, log: Logger): Promise<number> {
  const tree = needTree(s);
  const variant = await resolveVariant(tree, log);
  out(await keyFor(s, tree, variant));
  return 0;
}

/** kheaders build: local cache hit, else build (and store). */
export async function buildCommand(s: Settings, log: Logger, signal: AbortSignal): Promise<number> {
  const tree = needTree(s);
  const output = s.archive ?? resolve('kheaders_data.tar.xz');
  await ensureOutputDir(output);
  const variant = await resolveVariant(tree, log);
  let key: string | undefined;
  if (s.cacheDir !== undefined) {
    key = cacheKey('kheaders', process.platform, tree.arch, await keyFor(s, tree, variant));
    if (await cacheRestore(s.cacheDir, key, output)) {
      log.info(`cache hit: ${key} from ${s.cacheDir} (make and the build were skipped; --no-cache to rebuild)`);
      printDigests(await digestFile(output));
      return 0;
    }
    log.info(`cache miss: ${key}`);
  }
  const result: BuildResult = await buildArchive({ tree, pack: s.pack, output, signal, variant }, log);
  log.info(`wrote ${result.archive}: ${result.files} headers, ${result.size} bytes, mtime ${s.pack.mtime.epoch} (${s.pack.mtime.origin})`);
  if (s.cacheDir !== undefined && key !== undefined) {
    await cacheStore(s.cacheDir, key, output).then(
      (p) => log.info(`cached as ${p}`),
      (e: Error) => log.warning(`not cached: ${e.message}`));
  }
  printDigests(result);
  return 0;
}

/** kheaders verify: 0 match, 1 mismatch; reports written atomically. */
export async function verifyCommand(s: Settings, log: Logger): Promise<number> {
  const tree = needTree(s);
  const v = s.verify ?? { strict: false };
  const report = await verifyArchive({ archive: s.archive as string, source: tree.source, objtree: tree.objtree,
    arch: v.arch, config: v.config, strict: v.strict }, log);
  if (v.json) await writeFileAtomically(v.json, renderJson(report));
  if (v.markdown) await writeFileAtomically(v.markdown, renderMarkdown(report));
  out(renderText(report));
  return report.result === 'match' ? 0 : 1;
}

/** kheaders extract: find, check the digest, save and/or unpack. */
export async function extractCommand(s: Settings, log: Logger): Promise<number> {
  const f = s.fetch;
  if (f === undefined) throw new KheadersError('extract needs --from SOURCE', 'pass --from running, a file or a URL');
  const r = await fetchArchive({ from: f.from, archive: s.archive, output: f.output, sha256: f.sha256, md5: f.md5,
    replace: f.replace, urlVars: { arch: f.arch } }, log);
  if (r.headersDir) out(r.headersDir);
  printDigests(r);
  return 0;
}
