// The job summary as users see it: markdown rendered to HTML as GitHub renders it,
// kept as golden files (npm run summary:shot screenshots them in GitHub's styles).
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { it } from 'node:test';
import { renderSummary } from '../../src/action/summary.js';
import { SUMMARIES, summaryHtml } from '../helpers/summary-fixtures.js';

const DIR = resolve(import.meta.dirname, '../fixtures/summary');

for (const [name, r] of Object.entries(SUMMARIES)) {
  void it(`${name}: the rendered summary equals its golden HTML, verdict first`, () => {
    const md = renderSummary(r);
    const html = summaryHtml(md);
    const file = join(DIR, `${name}.html`);
    assert.match(md.split('\n')[0] ?? '', /^### (✅|❌) 6\.1\.192 x86 — /);
    assert.doesNotMatch(md, /\| \| \|/, 'no empty header rows');
    assert.doesNotMatch(md, /0\.00 s/, 'no zero-time phases');
    // Rewriting the golden compares nothing: that run fails, so only a run against the written file passes.
    if (process.env.KHEADERS_UPDATE_GOLDEN === '1') {
      writeFileSync(file, html);
      assert.fail(`${file} rewritten, not compared: look at it (npm run summary:shot), then run again without KHEADERS_UPDATE_GOLDEN`);
    }
    assert.equal(html, readFileSync(file, 'utf8'), `${file} is stale: look at the screenshot (npm run summary:shot), then KHEADERS_UPDATE_GOLDEN=1`);
  });
}
