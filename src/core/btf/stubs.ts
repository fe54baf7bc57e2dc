// Headers the archive's headers include but the archive lacks (other arches'
// asm, .c-side headers under ../../). clang stops at the first one it cannot
// find, so one dependency pass (-M -MG: missing ones listed, not fatal) finds
// them all, and each gets a stub that is a plain, non-fatal #error. A second,
// preprocessor-only pass with the include tree then names every header that
// reaches a stub: they fail anywhere, so they are left out before the probe.
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { devNull } from 'node:os';
import { dirname, join, resolve, sep } from 'node:path';
import { INCLUDE_TREE_FLAGS } from './diagnostics.js';
import { compileUnit } from './probe.js';
import { STUB_ERROR } from './unit.js';

/** How many "../" a stub name may climb (the deepest seen in 6.x is 3). */
const DEPTH = 8;


/** Make's dependency list: the names after "target:", with "\ " as a space. */
export function parseDeps(text: string): string[] {
  const body = text.replace(/\\\n/g, ' ').replace(/^[^:]*:/, '');
  return (body.match(/(?:\\ |[^\s])+/g) ?? []).map((n) => n.replace(/\\ /g, ' '));
}

export interface Stubbed {
  /** The clang flags that find the stubs, after everything else. */
  flags: string[];
  /** Header -> the error of the missing header it reaches. */
  missing: Map<string, string>;
}

/** Writes a stub for each missing header under dir; returns the flags that find them and the headers that reach one. */
export async function stubMissing(root: string, headers: readonly string[], dir: string, clang: string, flags: readonly string[], signal?: AbortSignal): Promise<Stubbed> {
  const deps = await compileUnit(root, headers, { clang, flags: [...flags], signal }, ['-M', '-MG', '-w']);
  const base = join(dir, ...Array<string>(DEPTH).fill('d'));
  await mkdir(base, { recursive: true });
  // The unit itself is listed too: it exists, like every header found.
  for (const dep of parseDeps(deps.stdout)) {
    if (existsSync(join(root, dep))) continue;
    const file = resolve(base, dep);
    // A name that climbs out of the stub dir stays missing (clang then stops there, and the probe copes).
    if (!file.startsWith(resolve(dir) + sep)) continue;
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, `#error "${STUB_ERROR} ${dep.replace(/["\\]/g, '_')}"\n`);
  }
  const stubs = ['-idirafter', base];
  const pp = await compileUnit(root, headers, { clang, flags: [...flags, ...stubs], signal }, ['-E', ...INCLUDE_TREE_FLAGS, '-o', devNull]);
  if (pp.prelude) return { flags: stubs, missing: new Map() };
  return { flags: stubs, missing: new Map([...pp.missing].map(([i, text]) => [headers[i], text])) };
}
