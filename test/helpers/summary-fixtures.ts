// Job summaries as users see them: fixed RunResults (made up, not from a run),
// rendered to HTML with GitHub's markdown styles for the golden test and the screenshot.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { marked } from 'marked';
import type { RunResult } from '../../src/action/run.js';
import type { VerifyReport } from '../../src/core/verify/report.js';

const report = (over: Partial<VerifyReport>): VerifyReport => ({
  schemaVersion: 1, result: 'match', archive: '/home/runner/work/_temp/kheaders/kheaders_data.tar.xz', source: '/home/runner/work/linux/linux',
  srcarch: 'x86', identity: { release: '6.1.192', version: '6.1.192', versionCode: 393664 },
  variant: { name: 'cpio', known: true, reason: 'cpio copy', rules: { excludeSillyRename: true, dropUtsversion: false, objOverrides: true }, claim: { fidelity: 'byte-identical', fields: [], why: [] } },
  counts: { match: 6373, differs: 0, missing: 0, extra: 0, generated: 0, config: 0, metadata: 0 },
  findings: [], archiveStats: { entries: 6398, tarBytes: 31528960 }, timings: {}, ...over,
});

const base: RunResult = {
  origin: 'build', archive: '/home/runner/work/_temp/kheaders/kheaders_data.tar.xz', arch: 'x86', kernelRelease: '6.1.192',
  md5: '5d41402abc4b2a76b9719d911017c592', sha256: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08', size: 7062104,
  keyMd5: '3f2c8e1b7a9d4c6e5f0a1b2c3d4e5f60', primaryKey: 'kheaders-linux-x86-3f2c8e1b7a9d4c6e5f0a1b2c3d4e5f60', cacheUsed: true, cacheHit: false, cacheSaved: true,
  claim: { fidelity: 'byte-identical', fields: [], why: [] },
  timings: { 'resolve tree': 12, key: 610, 'cache restore': 240, 'collect headers': 380, 'pack and compress': 21690, 'cache save': 900, verify: 1460 },
};

const DIFF = ['--- tree/include/linux/types.h', '+++ archive/include/linux/types.h', '@@ -10,7 +10,7 @@', ' #include <linux/compiler.h>', ' ', ' typedef __u32 __kernel_dev_t;', '-typedef __kernel_dev_t\t\tdev_t;', '+typedef __kernel_dev_t\t\tdev_t; /* planted */', ' typedef __kernel_ulong_t\tino_t;', ' typedef __kernel_mode_t\t\tmode_t;', ' typedef unsigned short\t\tumode_t;'].join('\n');

/** The summaries to render: a clean build, a hit, a mismatch. */
export const SUMMARIES: Record<string, RunResult> = {
  'build-match': { ...base, verify: { report: report({}), reportPath: '/home/runner/work/_temp/kheaders/kheaders-verify.json', mismatches: 0 } },
  'cache-hit': { ...base, origin: 'cache', cacheHit: true, cacheSaved: false, timings: { 'resolve tree': 11, key: 590, 'cache restore': 800 }, headersDir: '/tmp/kheaders-6.1.192' },
  mismatch: { ...base, verify: { reportPath: '/home/runner/work/_temp/kheaders/kheaders-verify.json', mismatches: 2, report: report({
    result: 'mismatch', counts: { match: 6371, differs: 1, missing: 1, extra: 0, generated: 0, config: 0, metadata: 0 },
    findings: [
      { category: 'differs', name: 'include/linux/types.h', kind: 'file', detail: 'contents differ (tree 6781 bytes after comment stripping, archive 6795 bytes)', diff: DIFF, line: 13 },
      { category: 'missing', name: 'include/linux/kconfig.h', kind: 'file', detail: 'file in the tree but not in the archive' },
    ] }) } },
};

/** The summary's markdown rendered as GitHub does (GFM): the golden files hold this. */
export function summaryHtml(markdown: string): string {
  return marked.parse(markdown, { gfm: true, async: false });
}

/** A whole HTML page for the screenshot: the rendered summary in GitHub's markdown styles. */
export function summaryPage(markdown: string): string {
  const css = readFileSync(createRequire(import.meta.url).resolve('github-markdown-css/github-markdown-light.css'), 'utf8');
  return `<!doctype html>\n<html><head><meta charset="utf-8"><style>${css}\nbody{margin:0;background:#fff}.markdown-body{box-sizing:border-box;width:1012px;padding:24px}</style></head>\n` +
    `<body><article class="markdown-body">\n${summaryHtml(markdown)}</article></body></html>\n`;
}
