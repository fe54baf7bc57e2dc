import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { nullLogger } from '../../src/core/log.js';
import { renderJson } from '../../src/core/verify/reports/json.js';
import { renderMarkdown } from '../../src/core/verify/reports/markdown.js';
import { renderText } from '../../src/core/verify/reports/text.js';
import { verifyArchive } from '../../src/core/verify/verify.js';
import type { VerifyReport } from '../../src/core/verify/report.js';
import { tempDir } from '../helpers/kernel-tree.js';
import { assertDocumentedReport, documentedSchema, schemaProblems } from '../helpers/report-schema.js';
import { oracleArchive, writeKernel } from '../helpers/verify-tree.js';

/** Names in the archive, as GNU tar lists them. */
const tarNames = (archive: string): string[] => execFileSync('tar', ['-tJf', archive], { encoding: 'utf8' }).split('\n').filter((l) => l !== '');

describe('verify reports', () => {
  const tmp = tempDir('kh-verify-report-');
  let r: VerifyReport;
  let strict: VerifyReport;
  let archive: string;
  /** The closing summary line, derived by hand from the tampering below and GNU tar's count of the archive. */
  let summary: string;
  after(() => tmp.cleanup());
  before(async () => {
    const src = join(tmp.dir, 'src');
    const obj = join(tmp.dir, 'obj');
    writeKernel(src, obj);
    archive = oracleArchive(src, obj);
    const list = join(src, 'include/linux/list.h');
    writeFileSync(list, readFileSync(list, 'utf8').replace('#define L3 3\n', '#define L3 33\n'));
    writeFileSync(join(src, 'include/linux/pipe|name.h'), '#define P 1\n');
    unlinkSync(join(src, 'arch/x86/include/uapi/asm/unistd.h'));
    writeFileSync(join(obj, '.config'), readFileSync(join(obj, '.config'), 'utf8').replace('CONFIG_HZ=250', 'CONFIG_HZ=100'));
    r = await verifyArchive({ archive, source: src, objtree: obj }, nullLogger);
    strict = await verifyArchive({ archive, source: src, objtree: obj, strict: true }, nullLogger);
    // Of the archive's entries, all match but 4: list.h (differs), unistd.h (extra) and the two
    // directories only unistd.h needed (arch/x86/include/uapi/ and uapi/asm/, explained by it, so
    // neither listed nor matching). pipe|name.h is missing; CONFIG_HZ is the config finding.
    summary = `MISMATCH: ${tarNames(archive).length - 4} match, 1 differ, 1 missing, 1 extra, 0 unverified (generated), 1 config`;
  });

  it('the report under test has one finding of each kind', () => {
    assert.deepEqual(r.findings.map((f) => f.category).sort(), ['config', 'differs', 'extra', 'missing']);
  });

  it('text: findings with diffs, then the summary line with the counts last', () => {
    const text = renderText(r);
    const lines = text.trimEnd().split('\n');
    assert.equal(lines.at(-1), summary);
    for (const f of r.findings) assert.ok(text.includes(`${f.name}: ${f.detail}`), `${f.name}\n${text}`);
    // tree -> archive: the tree now says 33, the archive still 3.
    assert.ok(lines.some((l) => l.trim() === '-#define L3 33') && lines.some((l) => l.trim() === '+#define L3 3'));
    const short = renderText(r, { maxFindings: 1 });
    assert.match(short, /\.\.\. and 3 more findings/);
    assert.equal(renderText(strict).trimEnd().split('\n').at(-1), `${summary}, 0 metadata, reproducible: no`);
  });

  it('json: follows the schema documented in docs/verify.md, with the facts of the archive', () => {
    for (const rep of [r, strict]) {
      const parsed = JSON.parse(renderJson(rep)) as { archive: string; archiveStats: { entries: number }; findings: Array<{ category: string; name: string }> };
      assertDocumentedReport(parsed);
      assert.equal(parsed.archive, archive);
      assert.equal(parsed.archiveStats.entries, tarNames(archive).length);
      assert.deepEqual(parsed.findings.map((f) => `${f.category} ${f.name}`).sort(),
        ['config CONFIG_HZ', 'differs include/linux/list.h', 'extra arch/x86/include/uapi/asm/unistd.h', 'missing include/linux/pipe|name.h']);
    }
  });

  it('json: the schema check refuses what docs/verify.md does not document', () => {
    const schema = documentedSchema();
    const doc = JSON.parse(renderJson(r)) as Record<string, unknown> & { findings: Array<Record<string, unknown>> };
    assert.deepEqual(schemaProblems(doc, schema), []);
    const broken = (change: (d: typeof doc) => void): string[] => {
      const d = JSON.parse(JSON.stringify(doc)) as typeof doc;
      change(d);
      return schemaProblems(d, schema);
    };
    assert.match(broken((d) => { d.undocumentedField = 1; }).join('\n'), /field undocumentedField is not documented/);
    assert.match(broken((d) => { d.findings[0]!.category = 'weird'; }).join('\n'), /findings\[0\]\.category: "weird" is not one of/);
    assert.match(broken((d) => { d.findings[0]!.extraKey = 'x'; }).join('\n'), /findings\[0\]: the field extraKey is not documented/);
    assert.match(broken((d) => { delete d.counts; }).join('\n'), /required field counts is missing/);
    assert.match(broken((d) => { d.result = 'maybe'; }).join('\n'), /result: "maybe"/);
    assert.match(broken((d) => { (d.counts as Record<string, number>).match = -1; }).join('\n'), /below the documented minimum/);
    assert.match(broken((d) => { d.schemaVersion = '1'; }).join('\n'), /schemaVersion/);
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
    assert.equal(md.trimEnd().split('\n').at(-1), summary);
  });
});
