// Shell and make text as logical lines: comments dropped, continued lines
// joined, simple variables resolved, each line keeping its first line number.

/** One logical line of a script: joined text and the 1-based line it starts on. */
export interface ScriptLine {
  line: number;
  text: string;
}

/** Logical lines: "\\\n" continuations and lines ending in "|" or "&&" are joined; comment lines dropped. */
export function logicalLines(text: string): ScriptLine[] {
  const out: ScriptLine[] = [];
  let cur: ScriptLine | undefined;
  text.replace(/\r\n/g, '\n').split('\n').forEach((raw, i) => {
    if (cur === undefined && /^\s*#/.test(raw)) return;
    const piece = raw.replace(/\s+#\s.*$/, '');
    const cont = /\\\s*$/.test(piece);
    const body = cont ? piece.replace(/\\\s*$/, ' ') : piece;
    cur = cur === undefined ? { line: i + 1, text: body } : { line: cur.line, text: `${cur.text} ${body.trim()}` };
    if (cont || /(\||&&)\s*$/.test(body)) return;
    out.push(cur);
    cur = undefined;
  });
  if (cur !== undefined) out.push(cur);
  return out;
}

/** The tool a shell word names: "cpio", "/usr/bin/cpio", "$CPIO", "${TAR}" or "${TAR:-tar}" (kbuild's tool variables) -> its base name. */
export function toolOf(word: string, vars: ReadonlyMap<string, string>, depth = 0): string {
  const w = word.replace(/^["']|["']$/g, '');
  const ref = /^\$(?:(\w+)|\{(\w+)(?::?[-=]([^}]*))?\})$/.exec(w);
  if (ref) {
    const name = (ref[1] ?? ref[2])!;
    const v = depth < 8 ? vars.get(name) ?? (ref[3] !== undefined && ref[3] !== '' ? ref[3] : undefined) : undefined;
    // kbuild exports TAR, XZ, ... as the tool's name; an unset one is its default, else the tool itself.
    return v !== undefined ? toolOf(v, vars, depth + 1) : name.toLowerCase();
  }
  return w.split('/').pop() ?? w;
}

/** Simple assignments (`name=value`, `name=$(command -v tool)`, `name=${NAME:-tool}`), for resolving tool words. */
export function assignments(lines: readonly ScriptLine[]): Map<string, string> {
  const vars = new Map<string, string>();
  for (const { text } of lines) {
    const m = /^\s*(?:export\s+|local\s+)?([A-Za-z_]\w*)=(.*)$/.exec(text);
    if (!m) continue;
    let v = m[2]!.trim().replace(/^["']|["']$/g, '');
    const cmd = /^\$\(\s*(?:command\s+-v|which)\s+(\S+?)\s*\)/.exec(v);
    const dflt = /^\$\{\w+:?-([^}]+)\}$/.exec(v);
    if (cmd) v = cmd[1]!;
    else if (dflt) v = dflt[1]!;
    vars.set(m[1]!, v);
  }
  return vars;
}
