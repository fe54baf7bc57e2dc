// A find(1) command's name selection, read by what it prints: the expression
// is evaluated, left to right with find's short-circuit rules, on probe names
// of each kind, and the printed set is matched to the sets the copy models.

/** Which names a find prints: `*.h` only, every name but `*.cmd` and dot-names (v5.2), or every name. */
export type NameSet = 'headers' | 'all' | 'every';

export interface FindCommand {
  /** -L: symlinks are followed (directories behind them are walked). */
  follow: boolean;
  /** The start points, as written. */
  paths: string[];
  /** The name set it prints; undefined when the expression has a primary we do not model. */
  names?: NameSet;
  /** The expression, as written, for messages. */
  expr: string;
}

type Node =
  | { op: 'name'; pat: RegExp } | { op: 'print' } | { op: 'const'; value: boolean }
  | { op: 'not'; x: Node } | { op: 'and' | 'or'; x: Node; y: Node };

/** fnmatch(3) without FNM_PATHNAME or FNM_PERIOD, as -name uses it (no brackets). */
function glob(p: string): RegExp | undefined {
  if (/[[\]\\]/.test(p)) return undefined;
  return new RegExp(`^${p.replace(/[.+^${}()|]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 's');
}

/** Parses find's expression words; undefined for a primary or form we do not model. */
function parse(ws: readonly string[]): Node | undefined {
  let i = 0;
  const peek = (): string | undefined => ws[i];
  const unary = (): Node | undefined => {
    const w = ws[i++];
    if (w === '!' || w === '\\!' || w === '-not') { const x = unary(); return x && { op: 'not', x }; }
    if (w === '(' || w === '\\(') {
      const x = or();
      return ws[i++]?.replace(/^\\/, '') === ')' ? x : undefined;
    }
    if (w === '-name') { const pat = glob(ws[i++] ?? ''); return pat && { op: 'name', pat }; }
    if (w === '-print') return { op: 'print' };
    if (w === '-true' || w === '-false') return { op: 'const', value: w === '-true' };
    return undefined;
  };
  const and = (): Node | undefined => {
    let x = unary();
    while (x && peek() !== undefined && !['-o', '-or', ')', '\\)'].includes(peek()!)) {
      if (peek() === '-a' || peek() === '-and') i++;
      const y = unary();
      x = y && { op: 'and', x, y };
    }
    return x;
  };
  const or = (): Node | undefined => {
    let x = and();
    while (x && (peek() === '-o' || peek() === '-or')) {
      i++;
      const y = and();
      x = y && { op: 'or', x, y };
    }
    return x;
  };
  const e = ws.length === 0 ? { op: 'const', value: true } as Node : or();
  return i === ws.length ? e : undefined;
}

const hasPrint = (n: Node): boolean =>
  n.op === 'print' || ((n.op === 'and' || n.op === 'or') && (hasPrint(n.x) || hasPrint(n.y))) || (n.op === 'not' && hasPrint(n.x));

/** Evaluates on one name; `out` records a -print. */
function run(n: Node, name: string, out: { printed: boolean }): boolean {
  switch (n.op) {
    case 'name': return n.pat.test(name);
    case 'print': out.printed = true; return true;
    case 'const': return n.value;
    case 'not': return !run(n.x, name, out);
    case 'and': return run(n.x, name, out) && run(n.y, name, out);
    case 'or': return run(n.x, name, out) || run(n.y, name, out);
  }
}

const PROBES = ['a.h', 'a.c', 'Kbuild', 'a.cmd', '.a', '.a.h', '.a.cmd', 'a.h.cmd', 'a.cmd.h', 'h'];
const SETS: Record<NameSet, (n: string) => boolean> = {
  headers: (n) => n.endsWith('.h'),
  all: (n) => !n.endsWith('.cmd') && !n.startsWith('.'),
  every: () => true,
};

/** The name set an expression prints, or undefined when it is none we model. */
export function nameSet(ws: readonly string[]): NameSet | undefined {
  const e = parse(ws);
  if (e === undefined) return undefined;
  const expr: Node = hasPrint(e) ? e : { op: 'and', x: e, y: { op: 'print' } };
  const printed = PROBES.map((p) => { const out = { printed: false }; run(expr, p, out); return out.printed; });
  return (Object.keys(SETS) as NameSet[]).find((k) => PROBES.every((p, i) => SETS[k](p) === printed[i]));
}

/** Reads `find [-H|-L|-P] PATH... EXPR` from its words (quotes already removed); undefined if ws is not a find. */
export function readFind(ws: readonly string[]): FindCommand | undefined {
  const at = ws.findIndex((w) => w === 'find' || w.endsWith('/find'));
  if (at < 0) return undefined;
  let i = at + 1;
  let follow = false;
  for (; ws[i] !== undefined && /^-[HLP]$/.test(ws[i]!); i++) follow = ws[i] === '-L' ? true : ws[i] === '-H' ? follow : false;
  const paths: string[] = [];
  for (; ws[i] !== undefined && !/^(-|\\?!$|\\?\($)/.test(ws[i]!); i++) paths.push(ws[i]!);
  const rest = ws.slice(i);
  const names = nameSet(rest);
  return { follow, paths, expr: rest.join(' '), ...(names !== undefined ? { names } : {}) };
}
