import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';
import { checkNames, parseActionYml, renderDocs, replaceBlock } from '../../scripts/gen-docs.js';
import { Inputs, Outputs } from '../../src/action/constants.js';

const yml = readFileSync(resolve(import.meta.dirname, '../../action.yml'), 'utf8');

void describe('action.yml and its generated docs', () => {
  void it('declares exactly the names of src/action/constants.ts, each with a description', () => {
    const doc = parseActionYml(yml);
    assert.deepEqual(checkNames(doc), []);
    assert.deepEqual(doc.inputs.map((f) => f.name).sort(), Object.values(Inputs).sort());
    assert.deepEqual(doc.outputs.map((f) => f.name).sort(), Object.values(Outputs).sort());
    for (const f of [...doc.inputs, ...doc.outputs]) assert.ok(f.description.length > 10, f.name);
  });

  void it('runs on node24 from dist/index.js', () => {
    assert.match(yml, /^runs:\n {2}using: 'node24'\n {2}main: 'dist\/index\.js'$/m);
  });

  void it('checkNames reports drift both ways', () => {
    const doc = parseActionYml(yml);
    doc.inputs = doc.inputs.filter((f) => f.name !== 'mode');
    doc.outputs.push({ name: 'bogus', description: 'x' });
    assert.deepEqual(checkNames(doc), ['input "mode" is in src/action/constants.ts but not in action.yml', 'output "bogus" is in action.yml but not in src/action/constants.ts']);
  });

  void it('rewrites only the marked block, idempotently', () => {
    const readme = 'before\n<!-- action-docs:start -->\nSTALE-BLOCK-TEXT\n<!-- action-docs:end -->\nafter\n';
    const once = replaceBlock(readme, renderDocs(parseActionYml(yml)));
    assert.ok(once.startsWith('before\n<!-- action-docs:start -->\n') && once.endsWith('<!-- action-docs:end -->\nafter\n'));
    assert.ok(!once.includes('STALE-BLOCK-TEXT'));
    assert.match(once, /\| `cache-key-prefix` \| .* \| `kheaders` \|/);
    assert.equal(replaceBlock(once, renderDocs(parseActionYml(yml))), once);
    assert.throws(() => replaceBlock('no markers', 'x'), /action-docs:start/);
  });
});
