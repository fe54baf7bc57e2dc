// What two archives say about why they differ, from their own members: the
// arch trees and CONFIG_<ARCH>, the autoconf.h options, the kernel version,
// and the script form (file set and tar metadata). Each cause names the
// findings it explains; a finding goes to the first cause that explains it.
import type { Member } from '../archive/read.js';
import type { DiffExplanation, DiffFinding, SortStyle } from './report.js';

const AUTOCONF = 'include/generated/autoconf.h';
const RELEASE = 'include/generated/utsrelease.h';
const VERSION = 'include/generated/uapi/linux/version.h';
const UTSVERSION = 'include/generated/utsversion.h';
/** The Kconfig symbol each SRCARCH defines, where it is not CONFIG_<SRCARCH>. */
const ARCH_SYMBOL: Record<string, string> = { powerpc: 'CONFIG_PPC', um: 'CONFIG_UML' };

/** One archive's evidence. */
export interface Evidence {
  arches: string[];
  config?: Map<string, string>;
  release?: string;
  versionCode?: string;
  nonHeaders: number;
  dotNames: number;
  utsversion: boolean;
  /** Tar metadata style: modes (normalized by --mode or as staged), owner, mtime (one date or the files'). */
  modes: 'normalized' | 'staged';
  owner: 'numeric' | 'root' | 'builder';
  mtime: 'one' | 'files';
}

const text = (m: Member | undefined): string => m?.data?.toString('latin1') ?? '';

/** `#define NAME value` lines of a header, as a map. */
function defines(src: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of src.matchAll(/^#define\s+(\w+)\s*(.*)$/gm)) out.set(m[1]!, m[2]!.trim());
  return out;
}

const isDot = (name: string): boolean => name.split('/').some((p) => p.startsWith('.') && p !== '.');

export function evidenceOf(members: readonly Member[]): Evidence {
  const by = new Map(members.map((m) => [m.name, m]));
  const arches = [...new Set(members.filter((m) => m.name.startsWith('arch/')).map((m) => m.name.split('/')[1] ?? ''))].filter(Boolean).sort();
  const auto = by.get(AUTOCONF);
  const files = members.filter((m) => m.kind !== 'dir');
  const owners = new Set(members.map((m) => `${m.uid}/${m.gid}/${m.uname}/${m.gname}`));
  const owner = owners.size === 1 && owners.has('0/0//') ? 'numeric' : owners.size === 1 && owners.has('0/0/root/root') ? 'root' : 'builder';
  return {
    arches,
    ...(auto !== undefined ? { config: defines(text(auto)) } : {}),
    ...(by.has(RELEASE) ? { release: /UTS_RELEASE\s+"([^"]*)"/.exec(text(by.get(RELEASE)))?.[1] ?? '' } : {}),
    ...(by.has(VERSION) ? { versionCode: defines(text(by.get(VERSION))).get('LINUX_VERSION_CODE') ?? '' } : {}),
    nonHeaders: files.filter((m) => !m.name.endsWith('.h')).length,
    dotNames: members.filter((m) => isDot(m.name)).length,
    utsversion: by.has(UTSVERSION),
    modes: members.every((m) => (m.kind === 'dir' ? m.mode === 0o755 : m.mode === 0o644 || m.mode === 0o755)) ? 'normalized' : 'staged',
    owner,
    mtime: new Set(members.map((m) => m.mtime)).size <= 1 ? 'one' : 'files',
  };
}

/** "x86 (CONFIG_X86)" */
function archWords(e: Evidence): string {
  const names = e.arches.map((a) => {
    const sym = ARCH_SYMBOL[a] ?? `CONFIG_${a.toUpperCase()}`;
    return e.config?.has(sym) ? `${a} (${sym})` : a;
  });
  return names.length === 0 ? 'no arch/ tree' : names.join(', ');
}

/** The autoconf.h options that differ: set in one only, or to other values. */
function configDiff(a: Map<string, string>, b: Map<string, string>): string[] {
  const keys = new Set([...a.keys(), ...b.keys()]);
  return [...keys].filter((k) => a.get(k) !== b.get(k)).sort();
}

const SORT_WORDS: Record<SortStyle, string> = { name: '--sort=name', path: 'a sorted path list', other: 'unsorted' };

interface Rule {
  cause: DiffExplanation['cause'];
  detail: string;
  explains: (f: DiffFinding) => boolean;
}

/** The rules that fit these two archives, most telling first. */
function rules(a: Evidence, b: Evidence, sorts: { a: SortStyle; b: SortStyle } | undefined): Rule[] {
  const out: Rule[] = [];
  const only = [...a.arches.filter((x) => !b.arches.includes(x)), ...b.arches.filter((x) => !a.arches.includes(x))];
  if (only.length > 0) {
    out.push({ cause: 'arch', detail: `different arch (A: ${archWords(a)}; B: ${archWords(b)})`,
      explains: (f) => only.some((x) => f.name === `arch/${x}` || f.name.startsWith(`arch/${x}/`)) });
  }
  const newer = a.versionCode !== b.versionCode && a.versionCode !== undefined && b.versionCode !== undefined;
  if (newer || (a.release !== b.release && a.release !== undefined && b.release !== undefined)) {
    const detail = `different kernel version (UTS_RELEASE A: ${a.release ?? '?'}, B: ${b.release ?? '?'}${newer ? `; LINUX_VERSION_CODE A: ${a.versionCode ?? '?'}, B: ${b.versionCode ?? '?'}` : ''})`;
    // Another version's sources may differ anywhere; the same version with another release string, only in its stamps.
    out.push({ cause: 'version', detail, explains: (f) => newer || f.name === RELEASE || f.name === VERSION });
  }
  if (a.config !== undefined && b.config !== undefined) {
    const opts = configDiff(a.config, b.config);
    if (opts.length > 0) {
      const eg = opts.slice(0, 4).join(', ');
      out.push({ cause: 'config', detail: `different config (${opts.length} autoconf.h option${opts.length === 1 ? '' : 's'} differ${opts.length === 1 ? 's' : ''}: ${eg}${opts.length > 4 ? ', …' : ''})`,
        explains: (f) => f.name === AUTOCONF || f.name.split('/').includes('generated') || f.name === 'include/generated' });
    }
  }
  const form: string[] = [];
  const explains: Array<(f: DiffFinding) => boolean> = [];
  const side = (pick: (e: Evidence) => boolean): string => (pick(a) ? 'A' : 'B');
  if ((a.nonHeaders === 0) !== (b.nonHeaders === 0)) {
    form.push(`${side((e) => e.nonHeaders > 0)} takes non-.h files (${Math.max(a.nonHeaders, b.nonHeaders)}), the other only *.h`);
    explains.push((f) => (f.field === 'only-a' || f.field === 'only-b') && f.kind !== 'dir' && !f.name.endsWith('.h'));
  }
  if ((a.dotNames === 0) !== (b.dotNames === 0)) {
    form.push(`${side((e) => e.dotNames > 0)} takes dot-names (${Math.max(a.dotNames, b.dotNames)})`);
    explains.push((f) => (f.field === 'only-a' || f.field === 'only-b') && isDot(f.name));
  }
  if (a.utsversion !== b.utsversion) {
    form.push(`${side((e) => e.utsversion)} keeps ${UTSVERSION}, the other drops it`);
    explains.push((f) => f.name === UTSVERSION);
  }
  if ((a.nonHeaders > 0) !== (b.nonHeaders > 0) || (a.dotNames > 0) !== (b.dotNames > 0)) {
    // A file set that takes more names also takes the directories holding only those.
    explains.push((f) => (f.field === 'only-a' || f.field === 'only-b') && f.kind === 'dir');
  }
  const meta: Array<[string, string, string, DiffFinding['field'] | 'order']> = [
    ['modes', a.modes, b.modes, 'mode'], ['owner', a.owner, b.owner, 'owner'], ['mtime', a.mtime, b.mtime, 'mtime'],
  ];
  for (const [what, va, vb, field] of meta) {
    if (va === vb) continue;
    form.push(`${what}: A ${va}, B ${vb}`);
    explains.push((f) => f.field === field);
  }
  if (sorts !== undefined && sorts.a !== sorts.b) form.push(`order: A ${SORT_WORDS[sorts.a]}, B ${SORT_WORDS[sorts.b]}`);
  if (form.length > 0) out.push({ cause: 'script-form', detail: `different script form (${form.join('; ')})`, explains: (f) => explains.some((x) => x(f)) });
  return out;
}

/** The causes these archives show, each with the findings it explains (a finding goes to the first that fits). */
export function explain(a: readonly Member[], b: readonly Member[], findings: readonly DiffFinding[], sorts?: { a: SortStyle; b: SortStyle }): { explanations: DiffExplanation[]; unexplained: number } {
  const rs = rules(evidenceOf(a), evidenceOf(b), sorts);
  const members = rs.map(() => new Set<string>());
  let unexplained = 0;
  for (const f of findings) {
    const i = rs.findIndex((r) => r.explains(f));
    if (i < 0) unexplained++;
    else members[i]!.add(f.name);
  }
  const explanations = rs.map((r, i) => ({ cause: r.cause, detail: r.detail, members: [...members[i]!] }))
    .filter((e) => e.members.length > 0 || e.cause === 'arch' || e.cause === 'version' || (e.cause === 'script-form' && sorts !== undefined && sorts.a !== sorts.b));
  return { explanations, unexplained };
}
