import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, copyFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { readRunningArchive } from '../../src/core/extract/from-running.js';
import type { ModuleLoader } from '../../src/core/sources/running/running.js';
import { makeHeadersArchive } from '../helpers/headers-archive.js';
import { rejectsWith } from '../helpers/errors.js';

let dir: string;
let root: string;
let archivePath: string;

function put(rel: string, data: Buffer | string): void {
  const p = join(root, rel);
  mkdirSync(dirname(p), { recursive: true });
  writeFileSync(p, data);
}

/** A loader that behaves like modprobe on the fake root: load makes the sysfs file appear. */
function fakeLoader(opts: { fail?: boolean; appears?: boolean } = {}): ModuleLoader & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    load: async (name) => {
      calls.push(`load ${name}`);
      if (opts.fail) throw new Error(`modprobe: FATAL: Module ${name} not found in directory /lib/modules/x`);
      if (opts.appears !== false) {
        mkdirSync(join(root, 'sys/kernel'), { recursive: true });
        copyFileSync(archivePath, join(root, 'sys/kernel/kheaders.tar.xz'));
      }
    },
    unload: async (name) => {
      calls.push(`unload ${name}`);
      rmSync(join(root, 'sys/kernel/kheaders.tar.xz'), { force: true });
    },
  };
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'kh-run-'));
  root = join(dir, 'root');
  mkdirSync(root);
  archivePath = makeHeadersArchive(dir).archive;
  put('proc/sys/kernel/osrelease', '6.1.0-fake-amd64\n');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('readRunningArchive', () => {
  it('reads /sys/kernel/kheaders.tar.xz byte for byte, release from osrelease, no module calls', async () => {
    put('sys/kernel/kheaders.tar.xz', readFileSync(archivePath));
    const loader = fakeLoader();
    const got = await readRunningArchive({ root, loader, isRoot: true });
    assert.ok(got.archive.equals(readFileSync(archivePath)));
    assert.equal(got.path, join(root, 'sys/kernel/kheaders.tar.xz'));
    assert.equal(got.release, '6.1.0-fake-amd64');
    assert.equal(got.loadedModule, false);
    assert.deepEqual(loader.calls, []);
  });

  it('falls back to /proc/kheaders.tar.xz (5.2)', async () => {
    put('proc/kheaders.tar.xz', readFileSync(archivePath));
    const got = await readRunningArchive({ root, loader: fakeLoader(), isRoot: false });
    assert.equal(got.path, join(root, 'proc/kheaders.tar.xz'));
    assert.ok(got.archive.equals(readFileSync(archivePath)));
  });

  it('as root with the module not loaded: modprobe, read, then unload what we loaded', async () => {
    put('proc/config.gz', gzipSync('CONFIG_IKHEADERS=m\n'));
    const loader = fakeLoader();
    const got = await readRunningArchive({ root, loader, isRoot: true });
    assert.deepEqual(loader.calls, ['load kheaders', 'unload kheaders']);
    assert.equal(got.loadedModule, true);
    assert.ok(got.archive.equals(readFileSync(archivePath)));
    assert.equal(existsSync(join(root, 'sys/kernel/kheaders.tar.xz')), false);
  });

  it('module already loaded (sys/module/kheaders) but file hidden: no modprobe, says to mount sysfs', async () => {
    mkdirSync(join(root, 'sys/module/kheaders'), { recursive: true });
    const loader = fakeLoader();
    await rejectsWith(readRunningArchive({ root, loader, isRoot: true }), 'NOT_FOUND', /is not visible/, /mount sysfs/);
    assert.deepEqual(loader.calls, []);
  });

  it('kernel without CONFIG_IKHEADERS: error names CONFIG_IKHEADERS, no modprobe', async () => {
    put('boot/config-6.1.0-fake-amd64', 'CONFIG_X=y\n# CONFIG_IKHEADERS is not set\n');
    const loader = fakeLoader();
    await rejectsWith(readRunningArchive({ root, loader, isRoot: true }), 'NOT_FOUND', /built without CONFIG_IKHEADERS/, /--from/);
    assert.deepEqual(loader.calls, []);
  });

  it('not root and nothing there: error says root is needed, no modprobe', async () => {
    put('proc/config.gz', gzipSync('CONFIG_IKHEADERS=m\n'));
    const loader = fakeLoader();
    // PATH without sudo: the answer must not depend on this machine's sudo (running-module.test.ts covers it).
    await rejectsWith(readRunningArchive({ root, loader, isRoot: false, env: { PATH: dir } }), 'NOT_FOUND', /needs root/, /sudo modprobe kheaders/);
    assert.deepEqual(loader.calls, []);
  });

  it('module missing on disk: error says the module is missing', async () => {
    put('proc/config.gz', gzipSync('CONFIG_IKHEADERS=m\n'));
    const loader = fakeLoader({ fail: true });
    // What the error says is the point here: the module did not load, with modprobe's reason.
    await rejectsWith(readRunningArchive({ root, loader, isRoot: true }), 'NOT_FOUND', /module did not load: .*not found/);
    assert.deepEqual(loader.calls, ['load kheaders']);
  });

  it('modprobe succeeds but no file appears: error, and the module is unloaded again', async () => {
    const loader = fakeLoader({ appears: false });
    await rejectsWith(readRunningArchive({ root, loader, isRoot: true }), 'NOT_FOUND');
    assert.deepEqual(loader.calls, ['load kheaders', 'unload kheaders']);
  });
});
