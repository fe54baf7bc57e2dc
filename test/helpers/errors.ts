// Assertions on KheadersError by its stable code, and on settings by the fields a test names.
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

/** deepEqual on the fields expected names, recursively: fields added to the settings later do not break it. */
export function assertFields(actual: unknown, expected: Record<string, unknown>, at = '$'): void {
  assert.ok(actual !== null && typeof actual === 'object', `${at} is not an object`);
  for (const [k, v] of Object.entries(expected)) {
    const got: unknown = (actual as Record<string, unknown>)[k];
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) assertFields(got, v as Record<string, unknown>, `${at}.${k}`);
    else assert.deepEqual(got, v, `${at}.${k}`);
  }
}
