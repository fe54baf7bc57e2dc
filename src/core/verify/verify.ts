// kheaders verify: does this archive hold what this tree (and config) produces?
// Streams the archive once, comparing each member while tree files are read
// and stripped ahead in parallel. Writes nothing.
import { existsSync } from 'node:fs';
import { access } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { resolveArch } from '../kernel/arch.js';
import { claimFor } from '../kernel/claim.js';
import { resolveTree } from '../kernel/resolve.js';
import { collectHeaders } from '../build/collect.js';
import { KheadersError } from '../errors.js';
import { phase, type Logger } from '../log.js';
import { readMembers, type Member } from '../archive/read.js';
import type { HeaderEntry } from '../types.js';
import type { VariantInfo } from '../kernel/script.js';
import { compareMember, expectedMembers, isGenerated, type Expected } from './compare.js';
import { checkConfig, loadDotConfig, parseAutoconf, parseDotConfig, type DotConfig } from './config.js';
import { archiveInput, type ArchiveInput } from './archive-input.js';
import { imageConfigFindings } from './image-config.js';
import { readIdentity, UTSRELEASE_H, VERSION_H } from '../archive/identity.js';
import { strictCheck, type MemberMeta } from './strict.js';
import { mismatches, REPORT_SCHEMA_VERSION, type Counts, type Finding, type VerifyOptions, type VerifyReport } from './report.js';


export const AUTOCONF_H = 'include/generated/autoconf.h';
const KEEP = new Set([UTSRELEASE_H, VERSION_H, AUTOCONF_H]);
const BACKLOG = 2048;

interface Tree {
  srcarch: string;
  entries: HeaderEntry[];
  expected: Map<string, Expected>;
}

/** The config file to cross-check: --config, else objtree/.config when present. */
async function configFile(opts: VerifyOptions, objtree: string | undefined): Promise<string | undefined> {
  if (opts.config !== undefined) {
    const file = resolve(opts.config);
    await access(file).catch(() => {
      throw new KheadersError('BAD_INPUT', `config file ${file} does not exist`, 'pass --config with the path of a kernel .config file');
    });
    return file;
  }
  if (objtree === undefined) return undefined;
  const dot = join(objtree, '.config');
  return (await access(dot).then(() => true, () => false)) ? dot : undefined;
}

/** SRCARCH from the first member under arch/, or undefined while undecided. */
function archFromMember(m: Member): string | undefined {
  const parts = m.name.split('/');
  if (m.name === '.' || (parts[0] === 'arch' && parts.length === 1)) return undefined;
  return parts[0] === 'arch' ? parts[1] : '';
}

/** Drops missing/extra directory findings explained by a missing/extra entry beneath them. */
function foldDirs(findings: Finding[]): void {
  const explained = new Set<string>();
  for (const f of findings) {
    if (f.kind === 'dir' || (f.category !== 'missing' && f.category !== 'extra')) continue;
    const parts = f.name.split('/');
    for (let i = 1; i < parts.length; i++) explained.add(`${f.category}:${parts.slice(0, i).join('/')}`);
  }
  const keep = findings.filter((f) => f.kind !== 'dir' || !explained.has(`${f.category}:${f.name}`));
  findings.splice(0, findings.length, ...keep);
}

/** Verifies an archive (or the archive inside a kernel image, module or package) against a tree; throws KheadersError on input errors only. */
export async function verifyArchive(opts: VerifyOptions, log: Logger): Promise<VerifyReport> {
  const input = await archiveInput(resolve(opts.archive), log);
  try {
    return await verifyStaged(opts, input, log);
  } finally {
    await input.cleanup();
  }
}

async function verifyStaged(opts: VerifyOptions, input: ArchiveInput, log: Logger): Promise<VerifyReport> {
  const timings: Record<string, number> = {};
  const source = resolve(opts.source);
  // An in-tree build keeps its generated headers and .config in the source tree: check them there.
  const objtree = opts.objtree !== undefined ? resolve(opts.objtree) : existsSync(join(source, AUTOCONF_H)) ? source : undefined;
  const archive = resolve(opts.archive);
  const diffLines = opts.diffLines ?? 40;
  const variant: VariantInfo = await phase(log, timings, 'resolve tree', () =>
    resolveTree({ source, ...(objtree ? { objtree } : {}), ...(opts.rules ? { rules: opts.rules } : {}) }, log));
  const cfgFile = await configFile(opts, objtree);
  const cfg: DotConfig | undefined = cfgFile === undefined ? undefined : await loadDotConfig(cfgFile);

  const collect = async (srcarch: string): Promise<Tree> => {
    const start = performance.now();
    const entries = await collectHeaders({ srctree: source, objtree, srcarch, variant: variant.variant, rules: variant.rules });
    const order = expectedMembers(entries);
    const expected = new Map(order.map((e) => [e.name, e]));
    timings['collect headers'] = Math.round(performance.now() - start);
    log.info(`${entries.length} headers in the tree for arch ${srcarch}`);
    return { srcarch, entries, expected };
  };
  const pickArch = (hint: string | undefined): Promise<Tree> => {
    const fromArchive = hint !== undefined && hint !== '' ? resolveArch(hint, source).srcarch : undefined;
    const p = collect(opts.arch !== undefined ? resolveArch(opts.arch, source).srcarch : fromArchive ?? resolveArch(undefined, source).srcarch);
    p.catch(() => undefined); // awaited below; never an unhandled rejection
    return p;
  };

  const counts: Counts = { match: 0, differs: 0, missing: 0, extra: 0, generated: 0, config: 0, metadata: 0 };
  const found: Finding[] = [];
  const seen = new Set<string>();
  const kept = new Map<string, Buffer>();
  const meta: MemberMeta[] = [];
  const stream = readMembers(input.path, { hashTar: opts.strict === true, ...(opts.limits ? { limits: opts.limits } : {}) });

  const handle = (m: Member, t: Tree): void => {
    seen.add(m.name);
    meta.push({ name: m.name, kind: m.kind, mode: m.mode, uid: m.uid, gid: m.gid, uname: m.uname, gname: m.gname, mtime: m.mtime });
    if (m.data !== undefined && KEEP.has(m.name)) kept.set(m.name, m.data);
    const exp = t.expected.get(m.name);
    if (objtree === undefined && isGenerated(m.name)) {
      found.push({ category: 'generated', name: m.name, kind: m.kind, detail: 'generated header not checked (no --objtree): unverified' });
    } else if (exp === undefined) {
      found.push({ category: 'extra', name: m.name, kind: m.kind, detail: `${m.kind} in the archive but not in the tree` });
    } else {
      const f = compareMember(m, exp, diffLines);
      if (f === undefined) counts.match++;
      else found.push(f);
    }
  };

  // The tree is collected while the archive keeps decoding; members wait in a backlog meanwhile.
  let tree: Promise<Tree> | undefined = opts.arch !== undefined ? pickArch(undefined) : undefined;
  let ready: Tree | undefined;
  let failed = false;
  const backlog: Member[] = [];
  const start = (p: Promise<Tree>): Promise<Tree> => {
    p.then((t) => { ready = t; }, () => { failed = true; });
    return p;
  };
  if (tree) tree = start(tree);
  await phase(log, timings, 'compare', async () => {
    for await (const m of stream) {
      if (m.index % 512 === 0) log.progress(`checked ${m.index} entries`);
      backlog.push(m);
      if (tree === undefined) {
        const hint = archFromMember(m);
        if (hint !== undefined) tree = start(pickArch(hint));
      }
      // Stop early if collecting failed; bound the backlog if collecting is slow.
      if (tree !== undefined && (failed || backlog.length > BACKLOG)) ready = await tree;
      if (ready) for (const b of backlog.splice(0)) handle(b, ready);
    }
    tree ??= pickArch(undefined);
    const t = await tree;
    for (const b of backlog.splice(0)) handle(b, t);
  });
  const t = await (tree as Promise<Tree>);

  const findings: Finding[] = found;
  for (const [name, exp] of t.expected) {
    if (seen.has(name) || (objtree === undefined && isGenerated(name))) continue;
    findings.push({ category: 'missing', name, kind: exp.kind, detail: `${exp.kind} in the tree but not in the archive` });
  }
  foldDirs(findings);
  if (cfg !== undefined) {
    const auto = kept.get(AUTOCONF_H);
    if (auto === undefined) findings.push({ category: 'config', name: AUTOCONF_H, detail: 'the archive has no autoconf.h to check the .config against' });
    else findings.push(...checkConfig(cfg, parseAutoconf(auto.toString('utf8'))));
  }
  const imageCfg = input.config === undefined ? undefined : parseDotConfig(input.config);
  if (imageCfg !== undefined) findings.push(...imageConfigFindings(imageCfg, kept.get(AUTOCONF_H), cfgFile, cfg));
  const mtimes = new Set(meta.map((m) => m.mtime));
  // What an archive of this script can match; its mtime is taken as given.
  const claim = claimFor(variant, { epoch: 0, origin: 'archive' });
  const report: VerifyReport = {
    schemaVersion: REPORT_SCHEMA_VERSION,
    result: 'match',
    archive, ...(input.from !== undefined ? { archiveFrom: input.from } : {}), source, ...(objtree ? { objtree } : {}),
    srcarch: t.srcarch,
    variant: { name: variant.variant, known: variant.known, reason: variant.reason, rules: variant.rules, claim },
    identity: readIdentity(kept),
    ...(mtimes.size === 1 ? { mtime: [...mtimes][0] as number } : {}),
    ...(cfgFile !== undefined && cfg !== undefined ? { config: { file: cfgFile, options: cfg.size } } : {}),
    ...(imageCfg !== undefined ? { imageConfig: { options: imageCfg.size } } : {}),
    counts, findings,
    archiveStats: { entries: stream.info.entries, tarBytes: stream.info.tarBytes },
    timings,
  };
  if (opts.strict) {
    report.strict = await phase(log, timings, 'strict rebuild', async () => {
      const r = await strictCheck({ archive: input.path, entries: t.entries, members: meta, format: stream.info.format ?? 'unknown', rules: variant.rules, claim, progress: (m) => log.progress(m),
        ...(stream.info.tarSha256 ? { tarSha256: stream.info.tarSha256 } : {}) });
      findings.push(...r.findings);
      return r.result;
    });
  }
  for (const f of findings) counts[f.category]++;
  // A script that stamps the build machine cannot give a reproducible archive: only its contents are judged.
  const reproducible = report.strict === undefined || report.strict.reproducible || report.strict.fidelity !== 'byte-identical';
  report.result = mismatches(findings).length === 0 && reproducible ? 'match' : 'mismatch';
  return report;
}
