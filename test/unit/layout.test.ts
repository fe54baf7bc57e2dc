// The layout of src/ as the README's Layout section describes it: no import
// circles, fronts that reach the core only through its index, an index that
// exports only what the fronts use (each with a one-line comment), and source
// layers small enough to find things in.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { cycles, importGraph, SRC, sourceFiles, specifiers } from '../helpers/imports.js';

const read = (f: string): string => readFileSync(join(SRC, f), 'utf8');
const isFront = (f: string): boolean => f.startsWith('action/') || f.startsWith('cli/');

/** The names in `{ a, type b, c as d }` lists of a text's imports or exports from `from`. */
function names(text: string, kind: 'import' | 'export', from: RegExp): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(new RegExp(`^${kind}\\s+(?:type\\s+)?\\{([^}]*)\\}\\s*from\\s+'([^']+)'`, 'gm'))) {
    if (!from.test(m[2] as string)) continue;
    for (const part of (m[1] as string).split(',')) {
      const both = part.trim().replace(/^type\s+/, '').split(/\s+as\s+/);
      // `a as b`: an import uses the core's a, an export publishes b.
      const name = (kind === 'import' ? both[0] : both[both.length - 1])?.trim();
      if (name) out.push(name);
    }
  }
  return out;
}

void describe('layout of src/', () => {
  void it('the import graph has no circle (type-only imports count)', () => {
    const graph = importGraph();
    assert.ok(graph.size > 90, `${graph.size} files`);
    for (const [f, deps] of graph) for (const d of deps) assert.ok(graph.has(d), `${f} imports ${d}, which is not a file of src/`);
    assert.deepEqual(cycles(graph).map((c) => c.join(' -> ')), []);
  });

  void it('the fronts reach the core only through core/index.ts; the core imports no front and no @actions/*', () => {
    for (const f of sourceFiles()) {
      for (const s of specifiers(read(f))) {
        if (isFront(f)) assert.ok(!/\/core\//.test(s) || s === '../core/index.js', `${f} imports ${s}`);
        else {
          assert.ok(!s.startsWith('@actions/'), `${f} imports ${s}`);
          assert.ok(!/\/(action|cli)\//.test(s), `${f} imports ${s}`);
        }
      }
    }
  });

  void it('core/index.ts exports exactly what the fronts import, each export under a one-line comment', () => {
    const index = read('core/index.ts');
    const exported = names(index, 'export', /^\.\//).sort();
    const used = new Set(sourceFiles().filter(isFront).flatMap((f) => names(read(f), 'import', /\/core\/index\.js$/)));
    assert.ok(exported.length >= 40, exported.join(' '));
    assert.deepEqual(exported.filter((n) => !used.has(n)), [], 'exported but used by no front');
    assert.deepEqual([...used].filter((n) => !exported.includes(n)), [], 'used by a front but not exported');
    const lines = index.split('\n');
    lines.forEach((l, i) => {
      if (l.startsWith('export')) assert.match(lines[i - 1] ?? '', /^\/\*\* .* \*\/$/, `line ${i + 1}: ${l}`);
    });
    assert.doesNotMatch(index, /export \*/);
  });

  void it('each layer of the extract pipeline is a folder of at most 8 files', () => {
    const dirs = ['core/extract', ...readdirSync(join(SRC, 'core/sources')).map((d) => `core/sources/${d}`)];
    assert.deepEqual(readdirSync(join(SRC, 'core/sources')).sort(), ['codecs', 'containers', 'images', 'running', 'transport']);
    for (const d of dirs) {
      const files = readdirSync(join(SRC, d));
      assert.ok(files.length >= 1 && files.length <= 8, `${d}: ${files.length} files`);
    }
  });
});
