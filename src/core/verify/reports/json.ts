// The --json report: VerifyReport as documented in docs/verify.md (schemaVersion 1).
import type { VerifyReport } from '../report.js';

export function renderJson(r: VerifyReport): string {
  return `${JSON.stringify(r, null, 2)}\n`;
}
