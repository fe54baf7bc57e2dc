// Help that cannot drift: each command's option list comes from the table the
// parser reads, every option a help text names is one the command takes, and
// every example parses.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCli } from '../../src/cli/args.js';
import { COMMAND_HELP, examples, USAGE } from '../../src/cli/help.js';
import { ALLOWED, COMMANDS, optionFor, parseConfig } from '../../src/cli/option-table.js';
import { KheadersError } from '../../src/core/errors.js';

/** The option names a text mentions (`--name`), command substitutions `$(...)` left out. */
const mentioned = (text: string): string[] => [...text.replace(/\$\([^)]*\)/g, '').matchAll(/(?<![\w-])--([a-z][a-z0-9-]*)/g)].map((m) => m[1]!);

/** Shell words of the kheaders command in an example (after a pipe into it, up to a pipe out or a comment); "$(...)" stands for an md5. */
function words(example: string): string[] {
  const out: string[] = [];
  example = example.slice(example.search(/(?:^|\| )kheaders /)).replace(/^\| /, '');
  const re = /'([^']*)'|"((?:\$\([^)]*\)|[^"])*)"|(\|.*$|#.*$)|(\S+)/g;
  for (const m of example.matchAll(re)) {
    if (m[3] !== undefined) break;
    const w = m[1] ?? m[2] ?? m[4] ?? '';
    out.push(/^\$\(.*\)$/.test(w) ? '0123456789abcdef0123456789abcdef' : w);
  }
  return out;
}

void describe('help from the option table', () => {
  void it('each command lists exactly the options the parser takes, with their short forms and values', () => {
    for (const c of COMMANDS) {
      const help = COMMAND_HELP[c];
      const listed = [...help.matchAll(/^ {2}(?:-([a-z]), )?--([a-z][a-z0-9-]*)(?: ([A-Z0-9]+))?(?= |$)/gm)];
      assert.deepEqual(listed.map((m) => m[2]), [...ALLOWED[c]], c);
      const config = parseConfig(c);
      for (const [, short, name, arg] of listed) {
        assert.equal(short, config[name!]!.short, `${c} --${name}: short form`);
        assert.equal(arg !== undefined, config[name!]!.type === 'string', `${c} --${name}: takes a value exactly when the help shows one`);
      }
    }
    assert.match(COMMAND_HELP.build, /^ {2}-o, --output FILE /m);
    assert.match(COMMAND_HELP.extract, /^ {2}-o, --output DIR /m);
  });

  void it('every option a help text names (notes and examples too) is one that command takes', () => {
    for (const c of COMMANDS) {
      for (const name of mentioned(COMMAND_HELP[c])) assert.ok(ALLOWED[c].includes(name as never), `${c} --help names --${name}, which ${c} does not take`);
    }
    for (const name of mentioned(USAGE)) assert.ok(name === 'version' || COMMANDS.some((c) => ALLOWED[c].includes(name as never)), `the usage names --${name}`);
  });

  void it('every example parses', () => {
    for (const c of COMMANDS) {
      for (const e of examples(c)) {
        const argv = words(e);
        assert.equal(argv[0], 'kheaders', e);
        try {
          parseCli(argv.slice(1), {}, '/tmp');
        } catch (err) {
          assert.ok(!(err instanceof KheadersError && err.code === 'USAGE'), `${e}: ${(err as Error).message}`);
        }
      }
    }
  });

  void it('the texts say what each command does: verify runs no make, key and verify have no sample tree, -v is theirs', () => {
    assert.doesNotMatch(optionFor('verify', 'config').help, /runs make|defconfig/);
    assert.match(optionFor('verify', 'config').help, /autoconf\.h/);
    for (const c of ['key', 'verify'] as const) assert.doesNotMatch(COMMAND_HELP[c], /sample/, c);
    for (const c of ['extract', 'diff'] as const) assert.doesNotMatch(optionFor(c, 'verbose').help, /script|key input|claim/, c);
    assert.match(optionFor('build', 'verbose').help, /claim/);
  });
});
