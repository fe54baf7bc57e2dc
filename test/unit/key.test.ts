import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { appendFileSync, chmodSync, mkdirSync, readdirSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { cacheKey, computeKey, type KeyInputs } from '../../src/core/cache/key.js';
import { copyTree, tempDir, treeFiles, writeTree } from '../helpers/action-tree.js';

const tmp = tempDir('kheaders-key-');
after(tmp.cleanup);
let n = 0;
/** A fresh unprepared tree in its own directory. */
function fresh(): string {
  return writeTree(join(tmp.dir, `t${n++}`));
}
const env = { PATH: process.env.PATH };
const base = (source: string, extra: Partial<KeyInputs> = {}): KeyInputs =>
  ({ source, srcarch: 'x86', makeArch: 'x86_64', variant: 'cpio', mtime: 0, compression: 'compat', env, ...extra });
const md5 = async (inp: KeyInputs): Promise<string> => (await computeKey(inp)).md5;

function touchAll(dir: string, when: number): void {
  for (const ent of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    const p = join(ent.parentPath, ent.name);
    if (!ent.isSymbolicLink()) utimesSync(p, when, when);
  }
}

void describe('cache key', () => {
  void it('is a 32-hex md5 and the key reads prefix-os-arch-md5', async () => {
    const r = await computeKey(base(fresh()));
    assert.match(r.md5, /^[0-9a-f]{32}$/);
    assert.equal(r.files, Object.keys(treeFiles()).filter((f) => f.endsWith('.h')).length);
    assert.equal(cacheKey('kheaders', 'linux', 'x86', r.md5), `kheaders-linux-x86-${r.md5}`);
  });

  void it('ignores timestamps: touching every file keeps the key (with and without config)', async () => {
    const t = fresh();
    const before = [await md5(base(t)), await md5(base(t, { config: { kind: 'target', target: 'x86_64_defconfig' } }))];
    touchAll(t, 1_000_000_000);
    assert.deepEqual([await md5(base(t)), await md5(base(t, { config: { kind: 'target', target: 'x86_64_defconfig' } }))], before);
  });

  void it('a fresh copy of the same tree keeps the key', async () => {
    const t = fresh();
    const c = copyTree(t, join(tmp.dir, `copy${n++}`));
    assert.notEqual(statSync(join(c, 'Makefile')).mtimeMs, 0);
    assert.equal(await md5(base(c)), await md5(base(t)));
    assert.equal(await md5(base(c, { config: { kind: 'target', target: 'tiny_defconfig' } })), await md5(base(t, { config: { kind: 'target', target: 'tiny_defconfig' } })));
  });

  for (const header of ['include/linux/made-up.h', 'include/uapi/linux/made-up.h', 'arch/x86/include/asm/made-up.h']) {
    void it(`editing ${header} changes the key`, async () => {
      const t = fresh();
      const k = await md5(base(t));
      appendFileSync(join(t, header), ' ');
      assert.notEqual(await md5(base(t)), k);
    });
  }

  void it('retargeting a symlink, adding or removing a header changes the key', async () => {
    const t = fresh();
    const k0 = await md5(base(t));
    rmSync(join(t, 'include/dt-bindings/input/link.h'));
    symlinkSync('codes.h', join(t, 'include/dt-bindings/input/link.h'));
    const k1 = await md5(base(t));
    writeFileSync(join(t, 'include/linux/new.h'), '#define NEW 1\n');
    const k2 = await md5(base(t));
    rmSync(join(t, 'include/linux/types.h'));
    const k3 = await md5(base(t));
    assert.equal(new Set([k0, k1, k2, k3]).size, 4);
  });

  void it('non-header files do not enter the key without a config', async () => {
    const t = fresh();
    const k = await md5(base(t));
    appendFileSync(join(t, 'scripts/gen.sh'), '# more\n');
    writeFileSync(join(t, 'include/linux/README'), 'not a header\n');
    assert.equal(await md5(base(t)), k);
  });

  void it('arch, compression, mtime and variant each change the key', async () => {
    const t = fresh();
    mkdirSync(join(t, 'arch/arm64/include/asm'), { recursive: true });
    writeFileSync(join(t, 'arch/arm64/include/asm/made-up.h'), '#define ARM 1\n');
    const keys = await Promise.all([
      md5(base(t)), md5(base(t, { srcarch: 'arm64', makeArch: 'arm64' })), md5(base(t, { compression: 'fast' })),
      md5(base(t, { mtime: 1 })), md5(base(t, { variant: 'tar' })),
    ]);
    assert.equal(new Set(keys).size, keys.length);
  });

  void it('one config option changes the key; the same config content elsewhere keeps it', async () => {
    const t = fresh();
    writeFileSync(join(tmp.dir, 'a.config'), 'CONFIG_A=y\nCONFIG_B=y\n');
    writeFileSync(join(tmp.dir, 'b.config'), 'CONFIG_A=y\nCONFIG_B=m\n');
    mkdirSync(join(tmp.dir, 'elsewhere'), { recursive: true });
    writeFileSync(join(tmp.dir, 'elsewhere/.config'), 'CONFIG_A=y\nCONFIG_B=y\n');
    const a = await md5(base(t, { config: { kind: 'file', path: join(tmp.dir, 'a.config') } }));
    assert.notEqual(await md5(base(t, { config: { kind: 'file', path: join(tmp.dir, 'b.config') } })), a);
    assert.equal(await md5(base(t, { config: { kind: 'file', path: join(tmp.dir, 'elsewhere/.config') } })), a);
    assert.notEqual(await md5(base(t)), a);
    assert.notEqual(await md5(base(t, { config: { kind: 'target', target: 'x86_64_defconfig' } })), await md5(base(t, { config: { kind: 'target', target: 'tiny_defconfig' } })));
  });

  void it('with a config target, the defconfig file, a sourced Kconfig and scripts/ are inputs', async () => {
    const t = fresh();
    const cfg = { config: { kind: 'target', target: 'x86_64_defconfig' } } as const;
    const keys = [await md5(base(t, cfg))];
    for (const f of ['arch/x86/configs/x86_64_defconfig', 'init/Kconfig', 'arch/x86/Kconfig', 'scripts/gen.sh', 'Makefile']) {
      appendFileSync(join(t, f), '# edit\n');
      keys.push(await md5(base(t, cfg)));
    }
    assert.equal(new Set(keys).size, keys.length);
  });

  void it('with a config, make prepare output does not change the key; without one it does', async () => {
    const t = fresh();
    const withCfg = await md5(base(t, { config: { kind: 'target', target: 'x86_64_defconfig' } }));
    const without = await md5(base(t));
    execFileSync('make', ['-C', t, 'ARCH=x86_64', 'x86_64_defconfig'], { stdio: 'ignore' });
    execFileSync('make', ['-C', t, 'ARCH=x86_64', 'prepare'], { stdio: 'ignore' });
    assert.equal(await md5(base(t, { config: { kind: 'target', target: 'x86_64_defconfig' } })), withCfg);
    assert.notEqual(await md5(base(t)), without);
  });

  void it('objtree headers count (without a config); generated ones in the objtree do not with a config', async () => {
    const t = fresh();
    const obj = join(tmp.dir, `obj${n++}`);
    mkdirSync(join(obj, 'include/generated'), { recursive: true });
    const k = await md5(base(t, { objtree: obj }));
    const kc = await md5(base(t, { objtree: obj, config: { kind: 'target', target: 'x86_64_defconfig' } }));
    writeFileSync(join(obj, 'include/generated/autoconf.h'), '#define CONFIG_X 1\n');
    assert.notEqual(await md5(base(t, { objtree: obj })), k);
    assert.equal(await md5(base(t, { objtree: obj, config: { kind: 'target', target: 'x86_64_defconfig' } })), kc);
  });

  void it('with a config, the compiler identity and make-relevant env vars are inputs', async () => {
    const t = fresh();
    const bin = join(tmp.dir, `cc${n++}`);
    writeFileSync(bin, '#!/bin/sh\necho "made-up cc 1.0"\n');
    chmodSync(bin, 0o755);
    const cfg = { config: { kind: 'target', target: 'x86_64_defconfig' } } as const;
    const k1 = await md5(base(t, { ...cfg, env: { ...env, CC: bin } }));
    assert.equal(await md5(base(t, { ...cfg, env: { ...env, CC: bin } })), k1);
    writeFileSync(bin, '#!/bin/sh\necho "made-up cc 2.0"\n');
    const k2 = await md5(base(t, { ...cfg, env: { ...env, CC: bin } }));
    const k3 = await md5(base(t, { ...cfg, env: { ...env, CC: bin, LOCALVERSION: '-x' } }));
    assert.equal(new Set([k1, k2, k3]).size, 3);
    // without a config nothing is regenerated, so the compiler is not an input
    assert.equal(await md5(base(t, { env: { ...env, CC: bin } })), await md5(base(t)));
  });

  void it('a fresh git clone of the same commit keeps the key; another commit changes it (with a config)', async () => {
    const t = fresh();
    const git = (cwd: string, ...args: string[]): string =>
      execFileSync('git', ['-c', 'user.name=k', '-c', 'user.email=k@example.com', '-c', 'init.defaultBranch=main', ...args], { cwd }).toString();
    git(t, 'init', '-q');
    git(t, 'add', '-A');
    git(t, 'commit', '-qm', 'one');
    const clone = join(tmp.dir, `clone${n++}`);
    git(tmp.dir, 'clone', '-q', t, clone);
    const cfg = { config: { kind: 'target', target: 'x86_64_defconfig' } } as const;
    const k = await md5(base(t, cfg));
    assert.equal(await md5(base(clone, cfg)), k);
    assert.equal(await md5(base(clone)), await md5(base(t)));
    git(clone, 'commit', '-q', '--allow-empty', '-m', 'two');
    assert.notEqual(await md5(base(clone, cfg)), k, 'setlocalversion may put the commit into the release');
    assert.equal(await md5(base(clone)), await md5(base(t)), 'without a config only header contents count');
  });
});
