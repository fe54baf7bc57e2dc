import { execFileSync } from 'node:child_process';

/** The kernel's comment-stripping expression, run by real perl over many inputs at once. */
const PERL_STRIP =
  'BEGIN { binmode STDIN; binmode STDOUT; local $/; my $all = <STDIN>; ' +
  'my @parts = split(/\\x00\\x01\\x02SEP\\x02\\x01\\x00/, $all, -1); ' +
  'for (@parts) { s/\\/\\*((?!SPDX).)*?\\*\\///smg; } ' +
  'print join("\\x00\\x01\\x02SEP\\x02\\x01\\x00", @parts); exit 0; }';

const SEP = Buffer.from('\x00\x01\x02SEP\x02\x01\x00', 'latin1');

/** Strips each input with real perl and the kernel's regex; one perl process for the batch. */
export function perlStrip(inputs: readonly Buffer[]): Buffer[] {
  const joined = Buffer.concat(inputs.flatMap((b, i) => (i === 0 ? [b] : [SEP, b])));
  const out = execFileSync('perl', ['-e', PERL_STRIP], { input: joined, maxBuffer: 1 << 30 });
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const next = out.indexOf(SEP, at);
    if (next < 0) break;
    parts.push(out.subarray(at, next));
    at = next + SEP.length;
  }
  parts.push(out.subarray(at));
  return parts;
}
