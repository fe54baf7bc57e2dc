// Reads each construct of kernel/gen_kheaders.sh by what it does, wherever it
// appears: the copy into the staging dir, the name selection, removals, the
// comment strip, and the final tar's flags. Lines we cannot place are reported.
import { readFind, type NameSet } from './find-expr.js';
import { assignments, logicalLines, toolOf, type ScriptLine } from './script-text.js';

/** One construct read from the script, with the line it is on. */
export interface Construct {
  line: number;
  /** What it decides, e.g. "copy", "names", "sort". */
  what: string;
  /** The rule we follow for it, in words. */
  rule: string;
}

/** What the script text says; undefined fields were not found. */
export interface ScriptFacts {
  copy?: 'cpio' | 'tar' | 'lists';
  /** cpio -u, or a tar extract: the later (objtree) copy replaces an earlier file. */
  laterWins?: boolean;
  dereference: boolean;
  /** find -L: directories behind symlinks are walked. */
  followLinks: boolean;
  names?: NameSet;
  withScript: boolean;
  removes: string[];
  excludes: string[];
  sort?: 'name' | 'list' | 'none';
  mode?: boolean;
  owner?: 'numeric' | 'root' | 'builder';
  /** value: a fixed date; dflt: the date `${SOURCE_DATE_EPOCH:-X}` falls back to. */
  mtime?: { from: 'kbuild' | 'arg4' | 'sde' | 'fixed' | 'files'; value?: string; dflt?: string };
  compressor?: string;
  strip: boolean;
  constructs: Construct[];
  unknown: Construct[];
}

const STRIP = String.raw`perl -pi -e 'BEGIN {undef $/;}; s/\/\*((?!SPDX).)*?\*\///smg;'`;
const KNOWN_MODE = 'u=rw,go=r,a+X';

/** The words of a command line, quotes kept off (no expansion). */
function words(text: string): string[] {
  return [...text.matchAll(/"[^"]*"|'[^']*'|[^\s|;]+/g)].map((m) => m[0].replace(/^["']|["']$/g, ''));
}

/** The stage directory's variable, from the copy destination (cpio -pd DIR, tar -x -C DIR). */
function stageVar(lines: readonly ScriptLine[], vars: ReadonlyMap<string, string>): string | undefined {
  const varOf = (w: string | undefined): string | undefined => /^\$\{?(\w+)\}?(\/.*)?$/.exec(w ?? '')?.[1];
  for (const { text } of lines) {
    const ws = words(text);
    const ci = ws.findIndex((w) => toolOf(w, vars) === 'cpio');
    if (ci >= 0 && ws.slice(ci + 1).some((w) => /^-\w*p/.test(w) || w === '--pass-through')) {
      const dest = varOf(ws.slice(ci + 1).find((w) => !w.startsWith('-') && !w.startsWith('>')));
      if (dest !== undefined) return dest;
    }
    const m = /-x\w*\s+(?:-f\s+-\s+)?-C\s+"?\$\{?(\w+)\}?"?/.exec(text) ?? /-xf\s+-\s+-C\s+"?\$\{?(\w+)\}?"?/.exec(text);
    if (m) return m[1];
  }
  return undefined;
}

/** Reads the final tar's flags into facts. */
function finalTar(f: ScriptFacts, l: ScriptLine, ws: string[], vars: ReadonlyMap<string, string>): void {
  const add = (what: string, rule: string): void => { f.constructs.push({ line: l.line, what, rule }); };
  f.sort = ws.includes('--sort=name') ? 'name' : /\bLC_ALL=C\s+sort\b/.test(l.text) && ws.includes('--no-recursion') ? 'list' : 'none';
  if (f.sort === 'none' && /\|\s*sort\b/.test(l.text)) f.unknown.push({ line: l.line, what: 'sort', rule: 'a sort without LC_ALL=C depends on the locale' });
  add('sort', f.sort === 'name' ? 'GNU tar --sort=name' : f.sort === 'list' ? 'a byte-sorted path list (find | LC_ALL=C sort | tar -T -)' : 'directory read order (no sort)');
  const mode = ws.find((w) => w.startsWith('--mode='));
  f.mode = mode !== undefined;
  if (mode !== undefined && mode !== `--mode=${KNOWN_MODE}`) f.unknown.push({ line: l.line, what: 'mode', rule: `${mode} (only --mode=${KNOWN_MODE} is modelled)` });
  add('mode', f.mode ? `--mode=${KNOWN_MODE}` : 'modes as staged (tree modes, symlinks 0777, new dirs by umask)');
  const owner = ws.some((w) => /^--owner=(0|root)$/.test(w)) && ws.some((w) => /^--group=(0|root)$/.test(w));
  f.owner = owner ? (ws.includes('--numeric-owner') ? 'numeric' : 'root') : 'builder';
  add('owner', f.owner === 'numeric' ? 'uid/gid 0, no names' : f.owner === 'root' ? 'uid/gid 0, named root' : "the builder's uid, gid and names");
  const dflt = /--mtime=["']?(@?)\$\{(\w+):?-([^}]*)\}/.exec(l.text);
  const mt = /\$\{(\w+):\+--mtime=\$\{?\1\}?\}/.exec(l.text) ?? /--mtime=["']?(@?\$\{?\w+\}?|[^"'\s]+)/.exec(l.text);
  if (dflt !== null && dflt[3] !== '' && !dflt[3]!.includes('$') &&
    ((dflt[2] === 'SOURCE_DATE_EPOCH' && dflt[1] === '@') || (dflt[2] === 'KBUILD_BUILD_TIMESTAMP' && dflt[1] === ''))) {
    f.mtime = { from: dflt[2] === 'SOURCE_DATE_EPOCH' ? 'sde' : 'kbuild', dflt: `${dflt[1]}${dflt[3]}` };
  } else if (mt === null) f.mtime = { from: 'files' };
  else if (/^\w+$/.test(mt[1]!)) {
    const v = mt[1]!;
    const src = vars.get(v);
    f.mtime = v === 'KBUILD_BUILD_TIMESTAMP' ? { from: 'kbuild' } : v === 'SOURCE_DATE_EPOCH' ? { from: 'sde' } : src === '$4' ? { from: 'arg4' } : undefined;
    if (f.mtime === undefined) f.unknown.push({ line: l.line, what: 'mtime', rule: `--mtime from $${v}` });
  } else if (/SOURCE_DATE_EPOCH/.test(mt[1]!)) f.mtime = { from: 'sde' };
  else if (/KBUILD_BUILD_TIMESTAMP/.test(mt[1]!)) f.mtime = { from: 'kbuild' };
  else if (!mt[1]!.includes('$')) f.mtime = { from: 'fixed', value: mt[1]! };
  else f.unknown.push({ line: l.line, what: 'mtime', rule: `--mtime=${mt[1]}` });
  const orElse = f.mtime?.dflt !== undefined ? `${f.mtime.from === 'sde' ? 'SOURCE_DATE_EPOCH' : 'KBUILD_BUILD_TIMESTAMP'} when set, else the script's default ${f.mtime.dflt}` : undefined;
  add('mtime', f.mtime === undefined ? 'unknown' : orElse ?? { kbuild: 'KBUILD_BUILD_TIMESTAMP when set, else the files', arg4: 'the 4th argument (kbuild passes KBUILD_BUILD_TIMESTAMP), else the files', sde: 'SOURCE_DATE_EPOCH when set, else the files', fixed: `fixed ${f.mtime.value ?? ''}`, files: "the files' own (build time)" }[f.mtime.from]);
  for (const w of ws) {
    const ex = /^--exclude=(.+)$/.exec(w);
    if (ex) f.excludes.push(ex[1]!.replace(/^["']|["']$/g, ''));
  }
  const piped = /-cf\s+-\s.*\|\s*(\S+)\s*>/.exec(l.text);
  const comp = ws.includes('-J') || ws.some((w) => /^-\w*J\w*$/.test(w) && w.includes('c')) || ws.includes('--xz') ? 'xz'
    : ws.includes('-I') ? toolOf(ws[ws.indexOf('-I') + 1] ?? '', vars)
      : piped ? toolOf(piped[1]!, vars) : undefined;
  f.compressor = comp;
  if (comp !== 'xz') f.unknown.push({ line: l.line, what: 'compressor', rule: `compressor ${comp ?? 'none'} (only xz is modelled)` });
  else add('compressor', 'xz, default preset');
}

/** Reads the script text into facts, construct by construct. */
export function readScript(sh: string): ScriptFacts {
  const lines = logicalLines(sh);
  const vars = assignments(lines);
  const f: ScriptFacts = { dereference: false, followLinks: false, withScript: false, removes: [], excludes: [], strip: false, constructs: [], unknown: [] };
  const add = (l: ScriptLine, what: string, rule: string): void => { f.constructs.push({ line: l.line, what, rule }); };
  const stage = stageVar(lines, vars);
  const never = /(?!)/;
  const stageRef = stage === undefined ? never : new RegExp(String.raw`\$\{?${stage}\}?`);
  const inStage = stage === undefined ? never : new RegExp(String.raw`"?\$\{?${stage}\}?"?/(\S+?)"?(\s|$)`);
  const listVars = [...sh.matchAll(/(\w+)="[^"]*\$\{?sfile\}?[^"]*"/g)].map((m) => m[1]!);
  for (const l of lines) {
    const t = l.text;
    if (t.trim() === '') continue;
    const ws = words(t);
    const tools = ws.map((w) => toolOf(w, vars));
    if (/md5sum|kheaders\.md5|\bls -l/.test(t)) continue; // the up-to-date check
    const head = t.split('|')[0] ?? '';
    if (/\bfind\b/.test(head) && !stageRef.test(head)) pickNames(f, l, head, vars);
    if (/^\s*(echo|if|fi|then|else|exit|set|mkdir|pushd|popd|cd|\{|\}|\)|\(|do|done)\b/.test(t) && !/\|/.test(t)) continue;
    if (/^\s*(?:export\s+|local\s+)?\w+=/.test(t) && !/\|/.test(t)) continue;
    if (/\bfor\s+\w+\s+in\s+/.test(t) && listVars.some((v) => new RegExp(String.raw`\$\{?${v}\}?`).test(t))) f.withScript = true;
    if (/^\s*for\s+\w+\s+in\s+/.test(t) && !/\|/.test(t)) continue;
    if (t.includes(STRIP) || (/\bxargs\b/.test(t) && t.includes(STRIP.slice(0, 20)))) {
      f.strip = true;
      add(l, 'strip', 'the kernel\'s perl expression (comments without SPDX)');
      continue;
    }
    if (/\bperl\b/.test(t)) { f.unknown.push({ line: l.line, what: 'strip', rule: 'a perl command other than the kernel\'s comment strip' }); continue; }
    const ci = tools.indexOf('cpio');
    if (ci >= 0 && ws.slice(ci + 1).some((w) => /^-\w*p/.test(w) || w === '--pass-through')) {
      const flags = ws.slice(ci + 1).filter((w) => w.startsWith('-')).join(' ');
      f.copy = 'cpio';
      f.laterWins = (f.laterWins ?? false) || /(^|\s)-\w*u|--unconditional/.test(flags);
      f.dereference ||= /(^|\s)-\w*L|--dereference/.test(flags);
      add(l, 'copy', `cpio ${flags}`);
      continue;
    }
    const firstTar = tools.indexOf('tar');
    if (firstTar >= 0 && /-x/.test(t.slice(t.lastIndexOf('|') + 1)) && /\|/.test(t) && tools.lastIndexOf('tar') > firstTar) {
      f.copy = /srclist|objlist/.test(t) ? 'lists' : 'tar';
      f.laterWins = true;
      const create = t.slice(0, t.lastIndexOf('|'));
      f.dereference ||= /\s(-h|--dereference)\b/.test(create);
      add(l, 'copy', f.copy === 'lists' ? 'tar -c -T <list> | tar -x (lists from kernel/Makefile)' : 'tar -c -T - | tar -x');
      continue;
    }
    if (firstTar >= 0 && ws.some((w) => /^-\w*c/.test(w) || w === '--create')) {
      finalTar(f, l, ws, vars);
      continue;
    }
    if (/^\s*rm\b/.test(t)) {
      const m = inStage.exec(t);
      if (m) { f.removes.push(m[1]!); add(l, 'remove', `rm -f ${m[1]}`); }
      continue; // the stage dir itself, or files beside it
    }
    if (/^\s*(?:do\s+)?find\b/.test(t)) continue; // a selection (read above), or the stage listed for the strip
    if (/^\s*sed\b/.test(t) || /\b(command\s+-v|type|which)\s+\w+/.test(t)) continue; // depfile lines, tool checks
    if (stageRef.test(t) || tools.some((w) => ['cpio', 'tar', 'cp', 'rsync', 'ln', 'mv', 'install', 'chmod', 'touch', 'xz'].includes(w))) {
      f.unknown.push({ line: l.line, what: 'command', rule: t.trim().slice(0, 120) });
    }
  }
  return f;
}

const NAME_RULES: Record<NameSet, string> = {
  headers: 'find -name "*.h"',
  all: 'every name but *.cmd and dot-names',
  every: 'every name (-print before any test)',
};

/** The name selection of a find, by what its expression prints. */
function pickNames(f: ScriptFacts, l: ScriptLine, head: string, vars: ReadonlyMap<string, string>): void {
  const cmd = /(?:^|[\s;(])((?:\S*\/)?find\s[^;]*)/.exec(head)?.[1];
  const find = cmd === undefined ? undefined : readFind(words(cmd).map((w) => (toolOf(w, vars) === 'find' ? 'find' : w)));
  if (find === undefined || find.paths.length === 0) return;
  if (find.names === undefined) {
    f.unknown.push({ line: l.line, what: 'names', rule: `find ${find.expr}` });
    return;
  }
  const names = find.names;
  if (f.names !== undefined && f.names !== names) f.unknown.push({ line: l.line, what: 'names', rule: 'the two trees select names differently' });
  if (find.follow && !f.followLinks) f.constructs.push({ line: l.line, what: 'follow', rule: 'find -L: directories behind symlinks are walked' });
  f.followLinks ||= find.follow;
  if (f.names === undefined) f.constructs.push({ line: l.line, what: 'names', rule: NAME_RULES[names] });
  f.names = names;
}
