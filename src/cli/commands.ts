// Each command: the core call, then the result on stdout (or a report where
// --json/--markdown say, `-` being stdout). Messages go through the logger.
import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  cachedBuild, diffArchives, extractArchive, keyDetails, KEY_FORMAT, KheadersError, localCache, renderDiffJson, renderDiffMarkdown, renderDiffText,
  renderJson, renderMarkdown, renderText, resolveTree, verifyArchive, writeFileAtomically,
  type BuildSettings, type DiffSettings, type ExtractSettings, type KeySettings, type VerifySettings,
} from '../core/index.js';
import { STDIO } from './args.js';
import { copyTo, line, type Ctx } from './io.js';
import { spoolStdin } from './stdin.js';

/** The archive's digests: on stdout, or as messages when stdout carries the archive itself. */
function printDigests(ctx: Ctx, d: { md5: string; sha256: string }, toLog = false): void {
  const text = `md5     ${d.md5}\nsha256  ${d.sha256}`;
  if (toLog) for (const l of text.split('\n')) ctx.log.info(l);
  else line(ctx.io.stdout, text);
}

/** kheaders key: the md5, or with --json the md5 and every input it is taken over. */
export async function keyCommand(s: KeySettings, ctx: Ctx): Promise<number> {
  const variant = await resolveTree(s.tree, ctx.log);
  const k = await keyDetails(s.tree, s.pack, variant, ctx.log);
  if (!ctx.json) {
    line(ctx.io.stdout, k.md5);
    return 0;
  }
  line(ctx.io.stdout, JSON.stringify({ md5: k.md5, format: KEY_FORMAT, files: k.files, facts: k.facts, inputs: k.inputs }, null, 2));
  return 0;
}

function refuseTty(ctx: Ctx, what: string): void {
  if (ctx.io.stdout.isTTY) {
    throw new KheadersError('USAGE', `refusing to write ${what} to a terminal`, 'redirect stdout (> FILE, or a pipe), or pass --output FILE');
  }
}

/** kheaders build: local cache hit, else build (and store); `--output -` streams the archive to stdout. */
export async function buildCommand(s: BuildSettings, ctx: Ctx): Promise<number> {
  const { log } = ctx;
  const toStdout = s.output === STDIO;
  if (toStdout) refuseTty(ctx, 'the archive');
  const stage = toStdout ? await mkdtemp(join(tmpdir(), 'kheaders-out-')) : undefined;
  const output = stage === undefined ? s.output : join(stage, 'kheaders_data.tar.xz');
  try {
    const cache = s.cacheDir === undefined ? undefined : localCache(s.cacheDir, log);
    const r = await cachedBuild({ ...s, output }, { cache, signal: ctx.signal }, log);
    if (toStdout) await copyTo(createReadStream(output), ctx.io.stdout);
    const where = toStdout ? 'stdout' : s.output;
    if (r.build !== undefined) {
      log.info(`wrote ${where}: ${r.build.files} headers, ${r.build.size} bytes, mtime ${s.pack.mtime.epoch} (${s.pack.mtime.origin})`);
    } else {
      log.info(`wrote ${where}: ${r.written.size} bytes, from the cache (${s.cacheDir ?? ''}; no build was needed)`);
    }
    printDigests(ctx, r.written, toStdout);
    return 0;
  } finally {
    if (stage !== undefined) await rm(stage, { recursive: true, force: true });
  }
}

/** Writes the reports --json and --markdown name; returns true when one went to stdout. */
async function writeReports(ctx: Ctx, reports: Array<[path: string | undefined, text: () => string]>): Promise<boolean> {
  const toStdout = reports.filter(([p]) => p === STDIO);
  if (toStdout.length > 1) throw new KheadersError('USAGE', '--json - and --markdown - both want stdout', 'send one of them to a file');
  for (const [path, text] of reports) {
    if (path === STDIO) line(ctx.io.stdout, text());
    else if (path !== undefined) await writeFileAtomically(path, text());
  }
  return toStdout.length > 0;
}

/** The text report: on stdout, or on stderr when a report took stdout (errors only with -q). */
function printVerdict(ctx: Ctx, text: string, stdoutTaken: boolean): void {
  if (!stdoutTaken) line(ctx.io.stdout, text);
  else for (const l of text.trimEnd().split('\n')) ctx.log.info(l);
}

/** kheaders verify: 0 match, 1 mismatch; reports written atomically. */
export async function verifyCommand(s: VerifySettings, ctx: Ctx): Promise<number> {
  const report = await verifyArchive(s, ctx.log);
  const taken = await writeReports(ctx, [[s.json, () => renderJson(report)], [s.markdown, () => renderMarkdown(report)]]);
  printVerdict(ctx, renderText(report), taken);
  return report.result === 'match' ? 0 : 1;
}

/** kheaders extract: find, check the digest, save and/or unpack; `--from -` reads stdin. */
export async function extractCommand(s: ExtractSettings, ctx: Ctx): Promise<number> {
  const stdin = s.from === STDIO ? await spoolStdin(ctx.io.stdin, s.limits?.maxTotalBytes) : undefined;
  try {
    const r = await extractArchive({ signal: ctx.signal, from: stdin?.path ?? s.from, archive: s.archive, output: s.output, sha256: s.sha256, md5: s.md5,
      replace: s.replace, urlVars: { arch: s.arch, key: s.key }, release: s.release, limits: s.limits, configOut: s.configOut,
      ...(s.timeout !== undefined ? { http: { timeoutMs: s.timeout * 1000 } } : {}) }, ctx.log).catch((e: unknown) => {
      throw stdin !== undefined && e instanceof KheadersError ? new KheadersError(e.code, e.message.split(stdin.path).join('stdin'), e.fix) : e;
    });
    if (r.headersDir) line(ctx.io.stdout, r.headersDir);
    printDigests(ctx, r);
    return 0;
  } finally {
    await stdin?.cleanup();
  }
}

/** kheaders diff: 0 byte-identical, 1 any difference; reports written atomically. */
export async function diffCommand(s: DiffSettings, ctx: Ctx): Promise<number> {
  const report = await diffArchives({ a: s.a, b: s.b, limits: s.limits }, ctx.log);
  const taken = await writeReports(ctx, [[s.json, () => renderDiffJson(report)], [s.markdown, () => renderDiffMarkdown(report)]]);
  printVerdict(ctx, renderDiffText(report), taken);
  return report.result === 'identical' ? 0 : 1;
}
