import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { nullLogger } from '../../src/core/log.js';
import { renderJson } from '../../src/core/verify/reports/json.js';
import { renderMarkdown } from '../../src/core/verify/reports/markdown.js';
import { renderText, summaryLine } from '../../src/core/verify/reports/text.js';
import { verifyArchive } from '../../src/core/verify/verify.js';
import type { VerifyReport } from '../../src/core/verify/report.js';
import { tempDir } from '../helpers/kernel-tree.js';
import { oracleArchive, writeKernel } from '../helpers/verify-tree.js';

type Schema = {
  type?: string; const?: unknown; enum?: unknown[]; required?: string[];
  properties?: Record<string, Schema>; items?: Schema; additionalProperties?: Schema; minimum?: number;
};

/** A small JSON-schema validator for the keywords docs/verify.md uses. */
function validate(v: unknown, s: Schema, at = '$'): string[] {
  const errs: string[] = [];
  if (s.const !== undefined && v !== s.const) errs.push(`${at}: not ${JSON.stringify(s.const)}`);
  if (s.enum && !s.enum.includes(v)) errs.push(`${at}: ${JSON.stringify(v)} not in enum`);
  const type = Array.isArray(v) ? 'array' : Number.isInteger(v) ? 'integer' : typeof v;
  if (s.type && s.type !== type && !(s.type === 'number' && type === 'integer')) errs.push(`${at}: ${type}, want ${s.type}`);
  if (s.minimum !== undefined && typeof v === 'number' && v < s.minimum) errs.push(`${at}: below minimum`);
  if (type === 'object' && v !== null) {
    const o = v as Record<string, unknown>;
    for (const r of s.required ?? []) if (!(r in o)) errs.push(`${at}: missing ${r}`);
    for (const [k, val] of Object.entries(o)) {
      const sub = s.properties?.[k] ?? s.additionalProperties;
      if (sub) errs.push(...validate(val, sub, `${at}.${k}`));
      else if (s.properties) errs.push(`${at}: undocumented field ${k}`);
    }
  }
  if (type === 'array' && s.items) (v as unknown[]).forEach((x, i) => errs.push(...validate(x, s.items as Schema, `${at}[${i}]`)));
  return errs;
}

function docSchema(): Schema {
  const md = readFileSync(join(import.meta.dirname, '../../docs/verify.md'), 'utf8');
  const m = /### JSON schema[\s\S]*?```json\n([\s\S]*?)\n```/.exec(md);
  assert.ok(m?.[1], 'docs/verify.md has the JSON schema block');
  return JSON.parse(m[1]) as Schema;
}

describe('verify reports', () => {
  const tmp = tempDir('kh-verify-report-');
  let r: VerifyReport;
  let strict: VerifyReport;
  after(() => tmp.cleanup());
  before(async () => {
    const src = join(tmp.dir, 'src');
    const obj = join(tmp.dir, 'obj');
    writeKernel(src, obj);
    const archive = oracleArchive(src, obj);
    const list = join(src, 'include/linux/list.h');
    writeFileSync(list, readFileSync(list, 'utf8').replace('#define L3 3\n', '#define L3 33\n'));
    writeFileSync(join(src, 'include/linux/pipe|name.h'), '#define P 1\n');
    unlinkSync(join(src, 'arch/x86/include/uapi/asm/unistd.h'));
    writeFileSync(join(obj, '.config'), readFileSync(join(obj, '.config'), 'utf8').replace('CONFIG_HZ=250', 'CONFIG_HZ=100'));
    r = await verifyArchive({ archive, source: src, objtree: obj }, nullLogger);
    strict = await verifyArchive({ archive, source: src, objtree: obj, strict: true }, nullLogger);
  });

  it('the report under test has one finding of each kind', () => {
    assert.deepEqual(r.findings.map((f) => f.category).sort(), ['config', 'differs', 'extra', 'missing']);
  });

  it('text: findings with diffs, then the summary line with the counts last', () => {
    const text = renderText(r);
    const lines = text.trimEnd().split('\n');
    assert.equal(lines.at(-1), summaryLine(r));
    const c = r.counts;
    assert.equal(summaryLine(r), `MISMATCH: ${c.match} match, 1 differ, 1 missing, 1 extra, 0 unverified (generated), 1 config`);
    for (const f of r.findings) assert.ok(text.includes(`${f.name}: ${f.detail}`), `${f.name}\n${text}`);
    // tree -> archive: the tree now says 33, the archive still 3.
    assert.ok(lines.some((l) => l.trim() === '-#define L3 33') && lines.some((l) => l.trim() === '+#define L3 3'));
    const short = renderText(r, { maxFindings: 1 });
    assert.match(short, /\.\.\. and 3 more findings/);
    assert.match(renderText(strict), /reproducible: no/);
  });

  it('json: round-trips and follows the schema in docs/verify.md', () => {
    const schema = docSchema();
    for (const rep of [r, strict]) {
      const parsed = JSON.parse(renderJson(rep)) as unknown;
      assert.deepEqual(parsed, JSON.parse(JSON.stringify(rep)));
      assert.deepEqual(validate(parsed, schema), []);
    }
    // The validator itself rejects a broken report.
    assert.notDeepEqual(validate({ ...r, result: 'maybe', counts: { match: -1 } }, schema), []);
  });

  it('markdown: tables with escaped cells, the first diffs, the summary', () => {
    const md = renderMarkdown(r);
    assert.match(md, /^### kheaders verify: ❌ mismatch/);
    for (const [k, v] of Object.entries(r.counts)) assert.ok(md.includes(`| ${k === 'generated' ? 'generated (unverified)' : k} | ${v} |`), k);
    assert.ok(md.includes('| missing | `include/linux/pipe\\|name.h` |'), 'a pipe in a name is escaped');
    const rows = md.split('\n').filter((l) => /^\| (extra|missing|differs|config) \| `/.test(l));
    assert.equal(rows.length, 4);
    for (const line of rows) {
      assert.equal(line.replace(/\\\|/g, '').split('|').length, 5, line);
    }
    assert.match(md, /<details><summary>include\/linux\/list\.h<\/summary>\n\n```diff\n[\s\S]*\n\+#define L3 3\n[\s\S]*```\n\n<\/details>/);
    assert.equal(md.trimEnd().split('\n').at(-1), summaryLine(r));
  });
});
