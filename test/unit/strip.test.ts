import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stripComments } from '../../src/core/build/strip.js';
import { perlStrip } from '../helpers/oracle.js';

const tricky = [
  '', 'no comments', '/* a */', 'x/* a */y', '/*/', '/**/', '/*/*/', '/* a /* b */ c */',
  '/* SPDX-License-Identifier: GPL-2.0 */\nint a; /* gone */', '// SPDX x\n/* keep? SPDX */',
  '/* SPDX /* inner */ tail', '/* unterminated', 'a /* b */ c /* d', '/* x */\r\n/* y\r\n */\r\n',
  '/*SPDX*/', '/* SPD X */', '/* ...SPDX', '*/ /* */ */', '/* a */*/', '/***/', '/* \xff\xfe\x80 */\xe9',
  '/* a */ SPDX /* b */', '/*\n * multi\n * line\n */\nstruct s;',
];

test('strips like perl on hand-picked tricky inputs', () => {
  const inputs = tricky.map((s) => Buffer.from(s, 'latin1'));
  const expected = perlStrip(inputs);
  inputs.forEach((input, i) => assert.deepEqual(stripComments(input), expected[i], JSON.stringify(tricky[i])));
});

function randomInput(rand: () => number): Buffer {
  const atoms = ['/*', '*/', '/', '*', 'SPDX', 'SPD', 'X', 'a', ' ', '\n', '\r\n', '\xff', '\x00', '/*/', '**', '//'];
  const n = Math.floor(rand() * 40);
  let s = '';
  for (let i = 0; i < n; i++) s += atoms[Math.floor(rand() * atoms.length)];
  return Buffer.from(s, 'latin1');
}

function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test('property: equals perl on 20000 random inputs built from comment-ish atoms', () => {
  const seed = Number(process.env.STRIP_SEED ?? Date.now() % 100000);
  const rand = mulberry32(seed);
  const inputs = Array.from({ length: 20000 }, () => randomInput(rand));
  const expected = perlStrip(inputs);
  for (let i = 0; i < inputs.length; i++) {
    assert.deepEqual(stripComments(inputs[i]), expected[i], `seed ${seed}, input ${JSON.stringify(inputs[i].toString('latin1'))}`);
  }
});

test('property: equals perl on random bytes', () => {
  const rand = mulberry32(7);
  const inputs = Array.from({ length: 2000 }, () =>
    Buffer.from(Array.from({ length: Math.floor(rand() * 64) }, () => Math.floor(rand() * 256))));
  const expected = perlStrip(inputs);
  inputs.forEach((input, i) => assert.deepEqual(stripComments(input), expected[i]));
});

test('matches perl -pi on a real file, as the kernel script runs it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kh-strip-'));
  try {
    const body = Buffer.from('/* SPDX-License-Identifier: GPL-2.0 */\n#ifndef A\n/* doc\n * more */\n#define A 1 /* one */\n#endif\n');
    writeFileSync(join(dir, 'a.h'), body);
    execFileSync('perl', ['-pi', '-e', 'BEGIN {undef $/;}; s/\\/\\*((?!SPDX).)*?\\*\\///smg;', join(dir, 'a.h')]);
    assert.deepEqual(stripComments(body), readFileSync(join(dir, 'a.h')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
