// Assertions on KheadersError by its stable code (and, where it matters, its fix).
import assert from 'node:assert/strict';
import { KheadersError, type ErrorCode } from '../../src/core/errors.js';

/** Checks err is a KheadersError with this code, and that message/fix match when given. */
export function assertKheadersError(err: unknown, code: ErrorCode, message?: RegExp, fix?: RegExp): KheadersError {
  assert.ok(err instanceof KheadersError, `expected a KheadersError, got ${String(err)}`);
  assert.equal(err.code, code, `code of: ${err.message}`);
  if (message) assert.match(err.message, message);
  if (fix) assert.match(err.fix ?? '', fix);
  return err;
}

/** Awaits p, which must reject with a KheadersError of this code. */
export async function rejectsWith(p: Promise<unknown>, code: ErrorCode, message?: RegExp, fix?: RegExp): Promise<KheadersError> {
  let caught: unknown;
  await p.then(() => assert.fail(`expected a ${code} error, but it resolved`), (e: unknown) => { caught = e; });
  return assertKheadersError(caught, code, message, fix);
}

/** Runs fn, which must throw a KheadersError of this code. */
export function throwsWith(fn: () => unknown, code: ErrorCode, message?: RegExp, fix?: RegExp): KheadersError {
  try {
    fn();
  } catch (e) {
    return assertKheadersError(e, code, message, fix);
  }
  return assert.fail(`expected a ${code} error, but nothing was thrown`);
}
