// The --json report of diff: DiffReport as documented in docs/diff.md (schemaVersion 1).
import type { DiffReport } from './report.js';

export function renderDiffJson(r: DiffReport): string {
  return `${JSON.stringify(r, null, 2)}\n`;
}
