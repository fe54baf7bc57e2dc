// The comment at the top of vmlinux.h: what it was made from, with which
// tools, and every header that was left out and why.
import type { LeftOut } from './probe.js';

export interface CommentInput {
  release?: string;
  srcarch: string;
  triple: string;
  md5: string;
  tools: Record<'clang' | 'pahole' | 'bpftool', string>;
  included: number;
  noTypes: number;
  leftOut: readonly LeftOut[];
}

/** No "*\/" from an error message may end the comment early. */
const safe = (s: string): string => s.replace(/\*\//g, '* /').replace(/[\r\n]+/g, ' ');

export function headerComment(c: CommentInput): string {
  const lines = [
    `vmlinux.h for Linux ${c.release ?? '(unknown release)'}, arch ${c.srcarch} (clang --target=${c.triple}),`,
    `made by kheaders vmlinux-h from the headers archive with md5 ${c.md5}:`,
    'no kernel build, the types the archive\'s headers declare (types defined only in .c files are missing).',
    `Tools: ${c.tools.clang}; pahole ${c.tools.pahole}; ${c.tools.bpftool}.`,
    '',
    `${c.included} headers compiled in; ${c.noTypes} declare no type and were not compiled;`,
    `${c.leftOut.length} left out:`,
    ...c.leftOut.map((l) => `  ${l.header}: ${l.reason}`),
  ];
  return `/*\n${lines.map((l) => (l ? ` * ${safe(l)}` : ' *')).join('\n')}\n */\n\n`;
}
