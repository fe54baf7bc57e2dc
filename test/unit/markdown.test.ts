// The shared Markdown helpers, checked through a real GFM renderer (marked): a
// cell holds exactly its text, inline code its text, a fence its whole body.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { marked, type Tokens } from 'marked';
import { mdCell, mdCode, mdFence, mdSummary } from '../../src/core/index.js';

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", '#124': '|', '#92': '\\' };

/** The <td>s of a one-row table as rendered by marked: [inner HTML, text]. */
function tds(row: string): Array<{ html: string; text: string }> {
  const html = marked.parse(`| x | y |\n| --- | --- |\n| ${row} |\n`, { async: false });
  return [...html.matchAll(/<td>(.*?)<\/td>/g)].map((m) => ({
    html: m[1]!,
    text: m[1]!.replace(/<[^>]+>/g, '').replace(/&(#?\w+);/g, (e, k: string) => ENTITIES[k] ?? e),
  }));
}

const HARD = ['a|b', 'C:\\dir\\x.h', 'back\\|slash', 'two\nlines', 'tick`s', '\\', 'x\\', '<b>&', 'plain'];

void describe('markdown helpers', () => {
  for (const s of HARD.filter((x) => !x.includes('<'))) {
    void it(`mdCell keeps ${JSON.stringify(s)} in one cell, as its text`, () => {
      const row = tds(`${mdCell(s)} | end`);
      assert.equal(row.length, 2, `one cell, not split: ${JSON.stringify(row)}`);
      assert.equal(row[0]!.text, s.replace(/\r?\n/g, ' '), 'the text survives');
    });
  }
  for (const s of HARD) {
    void it(`mdCode keeps ${JSON.stringify(s)} in one cell, as code`, () => {
      const row = tds(`${mdCode(s)} | end`);
      assert.equal(row.length, 2, `one cell, not split: ${JSON.stringify(row)}`);
      assert.match(row[0]!.html, /^<code>.*<\/code>$/);
      assert.equal(row[0]!.text, s.replace(/`/g, "'").replace(/\r?\n/g, ' '));
    });
  }

  void it('mdFence: a body with backtick runs stays one block', () => {
    for (const body of ['+a\n-b', '```\nx\n```', '````inner````']) {
      const code = marked.lexer(`${mdFence(body)}\n\nafter\n`).find((t) => t.type === 'code') as Tokens.Code | undefined;
      assert.equal(code?.text, body);
      assert.equal(code?.lang, 'diff');
    }
    assert.match(mdFence('x', 'sh'), /^```sh\n/);
  });

  void it('mdSummary leaves no tag characters', () => {
    assert.equal(mdSummary('<a&b>.h'), '_a_b_.h');
  });
});
