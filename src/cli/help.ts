// The help texts. Each command's option list is generated from the option
// table (option-table.ts), which the parser reads too; only the title, the
// notes and the examples are written here.
import type { Command } from '../core/index.js';
import { ALLOWED, COMMANDS, optionFor } from './option-table.js';

/** The CLI's usage text: every command in one screen. */
export const USAGE = `kheaders: build, fetch, cache, verify and compare the kernel's kheaders_data.tar.xz

Usage:
  kheaders build   --source DIR [--objtree DIR] [--config FILE|TARGET] [-o FILE]   make the archive
  kheaders key     --source DIR [the tree and pack options of build] [--json]     the cache key's md5
  kheaders verify  --archive FILE --source DIR [--objtree DIR] [--strict]         check it against a tree
  kheaders extract --from running|FILE|PACKAGE|URL|apt:NAME|- [-o DIR]            get and unpack it
  kheaders diff    A.tar.xz B.tar.xz                                               compare two archives
  kheaders vmlinux-h --from SOURCE | --source DIR [-o vmlinux.h] [--btf FILE]     vmlinux.h and BTF from it

  kheaders COMMAND --help   the options and examples of one command
  kheaders --version

A FILE of - is stdout (stdin for --from); -q prints errors only, -v more.
Exit codes: 0 success, 1 mismatch or failure, 2 usage or input error, 130/143 interrupted.`;

interface Text {
  title: string;
  /** Paragraphs after the option list. */
  notes?: string;
  examples: string[];
}

const TEXT: Record<Command, Text> = {
  build: {
    title: 'make kheaders_data.tar.xz for a kernel tree, as its own kernel/gen_kheaders.sh would',
    notes: `It says what it built, from which tree, and where it went ("wrote PATH", from the cache too),
then the md5 and sha256 on stdout (on stderr when the archive itself goes to stdout).`,
    examples: [
      'kheaders build --source ~/linux --objtree ~/linux/out -o kheaders_data.tar.xz',
      'kheaders build --source . --config x86_64_defconfig --mtime \'2024-01-01 00:00:00 UTC\'',
      'kheaders build --source . -o - | xz -t',
      'kheaders build                      # the sample tree',
    ],
  },
  key: {
    title: 'print the md5 the cache key ends in, without running make',
    examples: [
      'kheaders key --source ~/linux --config defconfig',
      'kheaders key --json --source ~/linux    # the md5 and every key input, to see why a key changed',
    ],
  },
  verify: {
    title: 'does this archive hold what this tree (and config) produces?',
    notes: 'Exit 0 match, 1 mismatch; the last line is the verdict (on stderr when a report goes to stdout).',
    examples: [
      'kheaders verify --archive /sys/kernel/kheaders.tar.xz --source ~/linux --objtree ~/linux/out',
      'kheaders verify --archive vendor.tar.xz --source . --strict --json report.json',
      'kheaders verify --archive vendor.tar.xz --source . --json - | jq .counts',
      'kheaders verify --archive arch/x86/boot/bzImage --source ~/linux --objtree ~/linux/out',
    ],
  },
  extract: {
    title: 'find an archive, check it, save and/or unpack it',
    notes: `Where it extracts: the default directory and --output follow one rule. What kheaders
extracted there before (its record next to it, or only include/ and arch/ in it) is kept
when it already holds this archive, and replaced when it does not, so running the same
command again is never an error. A regular file is replaced only with --force. Anything
else is refused, --force or not: the input itself, a directory holding it, a directory with
other content (a kernel tree, a project), /, $HOME, a symlink, another user's directory.`,
    examples: [
      'kheaders extract --from running',
      'kheaders extract --from linux-modules-6.8.0-31-generic_6.8.0-31.31_amd64.deb',
      'kheaders extract --from apt:linux-modules-6.8.0-31-generic',
      'kheaders extract --from boot.img --archive kheaders.tar.xz --config-out kernel.config',
      'kheaders extract --from \'https://example.com/kheaders/{key}.tar.xz\' --key "$(kheaders key --source .)" --sha256 HEX',
      'ssh host cat /sys/kernel/kheaders.tar.xz | kheaders extract --from - -o headers',
    ],
  },
  diff: {
    title: 'compare two archives, member by member, and their xz containers',
    notes: 'Exit 0 byte-identical, 1 any difference; the last line is the verdict, naming a known cause.',
    examples: [
      'kheaders diff vendor/kheaders_data.tar.xz ours/kheaders_data.tar.xz',
      'kheaders diff 6.1.191.tar.xz 6.1.192.tar.xz --markdown diff.md',
    ],
  },
  'vmlinux-h': {
    title: 'vmlinux.h (and BTF) from the headers archive, with no kernel build (clang, pahole, bpftool)',
    notes: `Every header of the archive that compiles for its arch and config goes in; the ones left
out are listed, with why, at the top of vmlinux.h. Types defined only in .c files are missing.
The list of headers that compile is cached under the archive's md5. Prints the header's path.`,
    examples: [
      'kheaders vmlinux-h --from running -o vmlinux.h',
      'kheaders vmlinux-h --from kheaders_data.tar.xz -o vmlinux.h --btf vmlinux.btf',
      'kheaders vmlinux-h --source ~/linux --objtree ~/linux/out-arm64 --arch arm64 --config defconfig',
    ],
  },
};

const COLUMN = 24;

/** One command's option list, generated from the table: `  -o, --output PATH     text`. */
export function optionLines(command: Command): string {
  const lines: string[] = [];
  if (command === 'diff') lines.push(`${'  A.tar.xz B.tar.xz'.padEnd(COLUMN)}the two archives`);
  for (const name of ALLOWED[command]) {
    const o = optionFor(command, name);
    const head = `  ${o.short ? `-${o.short}, ` : ''}--${name}${o.arg ? ` ${o.arg}` : ''}`;
    const [first, ...more] = o.help.split('\n');
    lines.push(head.length < COLUMN ? `${head.padEnd(COLUMN)}${first}` : `${head}\n${' '.repeat(COLUMN)}${first}`);
    for (const m of more) lines.push(`${' '.repeat(COLUMN)}${m}`);
  }
  return lines.join('\n');
}

function commandHelp(c: Command): string {
  const t = TEXT[c];
  return [`kheaders ${c}: ${t.title}`, '', optionLines(c), ...(t.notes ? ['', t.notes] : []), '', 'Examples:', ...t.examples.map((e) => `  ${e}`)].join('\n');
}

/** Each command's own --help: title, the generated option list, notes and examples. */
export const COMMAND_HELP = Object.fromEntries(COMMANDS.map((c) => [c, commandHelp(c)])) as Record<Command, string>;

/** The examples of one command, as written in its help (tests parse each). */
export function examples(c: Command): readonly string[] {
  return TEXT[c].examples;
}
