// The Markdown pieces every report shares (verify --markdown, diff --markdown,
// the action's job summary): GFM table cells, inline code and fenced blocks.

/** Text safe inside a GFM table cell: backslashes and '|' escaped, line breaks made spaces (HTML passes through). */
export function mdCell(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/**
 * Inline code for a table cell: GFM splits cells on '|' even inside backticks, and a backtick would end the span.
 * A backslash before a '|' cannot be escaped inside backticks, so such text becomes an HTML <code> with entities.
 */
export function mdCode(s: string): string {
  const t = s.replace(/`/g, "'").replace(/\r?\n/g, ' ');
  if (/\\\|/.test(t)) {
    const html = t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\\/g, '&#92;').replace(/\|/g, '&#124;');
    return `<code>${html}</code>`;
  }
  return `\`${t.replace(/\|/g, '\\|')}\``;
}

/** A fenced block (default: a diff) whose fence is longer than any backtick run in the body. */
export function mdFence(body: string, lang = 'diff'): string {
  let f = '```';
  while (body.includes(f)) f += '`';
  return `${f}${lang}\n${body}\n${f}`;
}

/** Text for a <details><summary>: no '<', '>' or '&' to open or end a tag. */
export function mdSummary(s: string): string {
  return s.replace(/[<>&]/g, '_');
}
