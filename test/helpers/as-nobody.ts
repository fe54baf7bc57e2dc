// Runs a piece of the code under test as the unprivileged user `nobody`, for
// checks that need file permissions to bite while the suite itself runs as
// root (root can write anywhere). The child is `runuser -u nobody -- node
// --import tsx`; what it throws comes back as the same KheadersError.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { KheadersError, type ErrorCode } from '../../src/core/errors.js';

const ROOT = resolve(import.meta.dirname, '../..');
const SRC = join(ROOT, 'src');

export const isRoot = process.getuid?.() === 0;

/**
 * A fresh directory under the temp dir that nobody can enter but not write
 * (root-owned, mode 0755), so that only the permissions of what a test makes
 * inside it decide what nobody may do.
 */
export function sharedDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(dir, 0o755);
  return dir;
}

/**
 * Runs `body` (a TypeScript module body; `SRC` is the absolute path of src/,
 * for dynamic imports) as nobody. Resolves when body completes; rejects with
 * a KheadersError rebuilt from the child's (code, message, fix), or an Error.
 * Throws at once, failing the test, when runuser is missing: such a test must
 * not pass or skip without having run.
 */
export function asNobody(dir: string, body: string): Promise<void> {
  const probe = spawnSync('runuser', ['--help'], { stdio: 'ignore' });
  assert.ok(!probe.error, `runuser is needed to run this check as nobody (install util-linux): ${String(probe.error)}`);
  const script = join(dir, `as-nobody-${process.pid}-${Math.random().toString(36).slice(2)}.mts`);
  writeFileSync(script, [
    `const SRC = ${JSON.stringify(SRC)};`,
    'try {',
    body,
    "  process.stdout.write(JSON.stringify({ ok: true }));",
    '} catch (e) {',
    "  const err = e as { name?: string; code?: string; message?: string; fix?: string };",
    "  process.stdout.write(JSON.stringify({ ok: false, name: err.name, code: err.code, message: err.message, fix: err.fix }));",
    '}',
    '',
  ].join('\n'), { mode: 0o644 });
  return new Promise((done, fail) => {
    const child = spawn('runuser', ['-u', 'nobody', '--', process.execPath, '--import', 'tsx', script], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    child.on('error', fail);
    child.on('close', (code) => {
      let r: { ok: boolean; name?: string; code?: string; message?: string; fix?: string };
      try {
        r = JSON.parse(out) as typeof r;
      } catch {
        fail(new Error(`the child run as nobody exited ${String(code)} without a result:\n${out}\n${err}`));
        return;
      }
      if (r.ok) done();
      else if (r.name === 'KheadersError') fail(new KheadersError(r.code as ErrorCode, r.message ?? '', r.fix));
      else fail(new Error(`${r.name ?? 'Error'}${r.code ? ` ${r.code}` : ''}: ${r.message ?? ''}`));
    });
  });
}
