import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checkConfig, parseAutoconf, parseDotConfig } from '../../src/core/verify/config.js';

// A .config and the autoconf.h Kconfig writes for it (one option of each kind).
const DOT = [
  '#', '# Linux/x86 6.1.0 Kernel Configuration', '#',
  'CONFIG_Y=y',
  'CONFIG_M=m',
  '# CONFIG_N is not set',
  'CONFIG_STR="hello \\"world\\""',
  'CONFIG_EMPTY=""',
  'CONFIG_INT=250',
  'CONFIG_NEG=-1',
  'CONFIG_HEX=0x1000000',
  'CONFIG_HEXBARE=ff00',
  '',
].join('\n');

const AUTO = [
  '#define CONFIG_Y 1',
  '#define CONFIG_M_MODULE 1',
  '#define CONFIG_STR "hello \\"world\\""',
  '#define CONFIG_EMPTY ""',
  '#define CONFIG_INT 250',
  '#define CONFIG_NEG -1',
  '#define CONFIG_HEX 0x1000000',
  '#define CONFIG_HEXBARE 0xff00',
  '',
].join('\n');

const names = (dot: string, auto: string): string[] =>
  checkConfig(parseDotConfig(dot), parseAutoconf(auto)).map((f) => f.name).sort();

describe('config cross-check (.config vs autoconf.h)', () => {
  it('parses every option kind', () => {
    const cfg = parseDotConfig(DOT);
    assert.equal(cfg.size, 9);
    assert.equal(cfg.get('CONFIG_N'), null);
    assert.equal(cfg.get('CONFIG_STR'), '"hello \\"world\\""');
    assert.equal(parseAutoconf(AUTO).get('CONFIG_M_MODULE'), '1');
  });

  it('agrees with the header Kconfig writes', () => {
    assert.deepEqual(names(DOT, AUTO), []);
  });

  const flips: Array<[string, string, string, RegExp]> = [
    ['y -> absent', '#define CONFIG_Y 1\n', '', /CONFIG_Y not defined/],
    ['y -> module', '#define CONFIG_Y 1\n', '#define CONFIG_Y_MODULE 1\n', /CONFIG_Y_MODULE 1/],
    ['m -> y', '#define CONFIG_M_MODULE 1\n', '#define CONFIG_M 1\n', /#define CONFIG_M 1/],
    ['n -> defined', '#define CONFIG_Y 1\n', '#define CONFIG_Y 1\n#define CONFIG_N 1\n', /#define CONFIG_N 1/],
    ['n -> module', '#define CONFIG_Y 1\n', '#define CONFIG_Y 1\n#define CONFIG_N_MODULE 1\n', /CONFIG_N_MODULE/],
    ['string changed', '"hello \\"world\\""', '"hello"', /"hello"/],
    ['int changed', '#define CONFIG_INT 250', '#define CONFIG_INT 1000', /1000/],
    ['negative int changed', '#define CONFIG_NEG -1', '#define CONFIG_NEG 1', /CONFIG_NEG 1/],
    ['hex changed', '0x1000000', '0x2000000', /0x2000000/],
    ['bare hex without its 0x', '0xff00', 'ff01', /ff01/],
  ];
  for (const [label, from, to, shown] of flips) {
    it(`reports ${label} by option name`, () => {
      assert.ok(AUTO.includes(from), label);
      const findings = checkConfig(parseDotConfig(DOT), parseAutoconf(AUTO.replace(from, to)));
      assert.equal(findings.length, 1, JSON.stringify(findings));
      const f = findings[0];
      assert.equal(f?.category, 'config');
      assert.match(f?.name ?? '', /^CONFIG_(Y|M|N|STR|INT|NEG|HEX|HEXBARE)$/);
      assert.match(f?.actual ?? '', shown);
    });
  }

  it('reports an autoconf.h option the .config does not have', () => {
    assert.deepEqual(names(DOT, `${AUTO}#define CONFIG_EXTRA 1\n`), ['CONFIG_EXTRA']);
  });

  it('treats =n like "is not set"', () => {
    assert.deepEqual(names(DOT.replace('# CONFIG_N is not set', 'CONFIG_N=n'), AUTO), []);
  });

  it('reports every disagreement at once', () => {
    const dot = DOT.replace('CONFIG_Y=y', 'CONFIG_Y=m').replace('CONFIG_INT=250', 'CONFIG_INT=100');
    assert.deepEqual(names(dot, AUTO), ['CONFIG_INT', 'CONFIG_Y']);
  });
});
