// Renders the job-summary fixtures to HTML with GitHub's styles and screenshots
// them with headless Chromium, for review: npm run summary:shot [-- OUTDIR].
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { renderSummary } from '../src/action/summary.js';
import { SUMMARIES, summaryPage } from '../test/helpers/summary-fixtures.js';

const out = resolve(process.argv[2] ?? '.cache/summary-shots');
mkdirSync(out, { recursive: true });
for (const [name, r] of Object.entries(SUMMARIES)) {
  const html = join(out, `${name}.html`);
  writeFileSync(html, summaryPage(renderSummary(r)));
  const png = join(out, `${name}.png`);
  execFileSync('chromium', ['--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars', `--screenshot=${png}`, '--window-size=1060,720', `file://${html}`], { stdio: 'ignore' });
  console.log(png);
}
