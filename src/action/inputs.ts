import * as core from '@actions/core';
import { existsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import {
  DEFAULT_TIMEOUT_S, defaultThreads, KERNEL_RELEASE, KEY_NAME, KheadersError, MODES, parseConfigSpec, resolveArch, resolveMtime, SHA256_HEX,
  type Compression, type Mode, type PackSettings, type TreeSettings,
} from '../core/index.js';
import { Inputs } from './constants.js';

/** Everything the action was asked to do; run.ts maps the mode onto the core's command settings. */
export interface ActionSettings {
  /** Where the archive comes from: auto = cache, then url, then build. */
  mode: Mode;
  /** The kernel tree, when `source` is one (it may be absent in download and running modes). */
  tree?: TreeSettings;
  pack: PackSettings;
  /** The archive to write (or, in verify mode, to read). Absolute path. */
  archive: string;
  /** SRCARCH from `arch` (or the runner's), also without a tree: {arch} in `url`. */
  arch: string;
  /** URL template with {key}, {arch}, {release}; undefined when not given. */
  url?: string;
  /** Expected sha256 (lower-case hex) of a downloaded archive (or of the package it is in). */
  sha256?: string;
  /** The kernel to take from a package holding several; {release} in `url`. */
  release?: string;
  /** Use the Actions cache (auto and build modes). */
  cache: boolean;
  /** First part of the cache key. */
  keyPrefix: string;
  /** Verify the archive against the tree. */
  verify: boolean;
  /** A verification mismatch fails the step (otherwise it warns). */
  failOnMismatch: boolean;
  /** Verify with --strict: metadata and a rebuild (reproducible: yes/no). */
  strict: boolean;
  /** Where the JSON verification report goes. Absolute path. */
  report: string;
  /** Only look the key up in the cache and report cache-hit: no download, no build. */
  lookupOnly: boolean;
  /** A cache miss fails the step. */
  failOnCacheMiss: boolean;
  /** Save the archive to the cache on a miss (false: restore only, e.g. for pull requests from forks). */
  save: boolean;
  /** The deadline of a download, retries included, in seconds. */
  timeout: number;
  /** Directory to extract into; 'auto' for bcc's /tmp/kheaders-<release>; undefined: no extraction. */
  extractTo?: string;
  /** Export BCC_KERNEL_SOURCE and BPFTRACE_KERNEL_SOURCE to later steps. */
  exportEnv: boolean;
  /** Also write vmlinux.h (and vmlinux.btf next to it) from the archive here (docs/vmlinux-h.md). */
  vmlinuxH?: string;
}

/** A bad input: the message names the input and the fix. */
function bad(input: Inputs, problem: string, fix: string): KheadersError {
  return new KheadersError('USAGE', `input "${input}": ${problem}`, fix);
}

/** Runs fn, and prefixes any KheadersError with the input's name. */
function about<T>(input: Inputs, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof KheadersError) throw e.prefixed(`input "${input}": `);
    throw e;
  }
}

function input(name: Inputs): string {
  const value = core.getInput(name);
  core.debug(`${name}: ${value === '' ? '(empty: default)' : value}`);
  return value;
}

function bool(name: Inputs, fallback: boolean): boolean {
  const v = input(name).toLowerCase();
  if (v === '') return fallback;
  if (['true', 'yes', 'on', '1'].includes(v)) return true;
  if (['false', 'no', 'off', '0'].includes(v)) return false;
  throw bad(name, `"${v}" is not a boolean`, `use ${name}: true or ${name}: false`);
}

function seconds(name: Inputs, fallback: number): number {
  const v = input(name);
  if (v === '') return fallback;
  if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > 86_400) throw bad(name, `"${v}" is not whole seconds from 1 to 86400`, `use e.g. ${name}: 600`);
  return Number(v);
}

function oneOf<T extends string>(name: Inputs, allowed: readonly T[], fallback: T): T {
  const v = input(name);
  if (v === '') return fallback;
  if ((allowed as readonly string[]).includes(v)) return v as T;
  throw bad(name, `unknown value "${v}"`, `use one of: ${allowed.join(', ')}`);
}

function isDir(p: string): boolean {
  return existsSync(p) && statSync(p).isDirectory();
}

/** Reads, validates and logs every input. Throws a KheadersError naming the input on bad values. */
export function getInputs(env: NodeJS.ProcessEnv = process.env): ActionSettings {
  const workspace = env.GITHUB_WORKSPACE || process.cwd();
  const mode = oneOf(Inputs.Mode, MODES, 'auto');
  const compression = oneOf<Compression>(Inputs.Compression, ['compat', 'fast'], 'compat');

  const sourceIn = input(Inputs.Source);
  const source = resolve(workspace, sourceIn || '.');
  if (sourceIn !== '' && !isDir(source)) throw bad(Inputs.Source, `${source} is not a directory`, 'check out the kernel tree first (actions/checkout) and pass its path');
  const hasTree = isDir(join(source, 'include')) && existsSync(join(source, 'Makefile'));
  const needsTree = mode === 'auto' || mode === 'build' || mode === 'verify';
  if (needsTree && !hasTree) {
    throw bad(Inputs.Source, `${source} is not a kernel source tree (no Makefile and include/)`,
      `check out the kernel tree and pass it as ${Inputs.Source}, or use mode: download or mode: running`);
  }
  const objIn = input(Inputs.Objtree);
  const objtree = objIn === '' ? undefined : resolve(workspace, objIn);
  if (objtree !== undefined && existsSync(objtree) && !isDir(objtree)) throw bad(Inputs.Objtree, `${objtree} is not a directory`, 'pass the O= build directory');
  const arch = about(Inputs.Arch, () => resolveArch(input(Inputs.Arch) || undefined, hasTree ? source : undefined));

  const configIn = input(Inputs.Config);
  const config = configIn === '' ? undefined : about(Inputs.Config, () => parseConfigSpec(configIn, workspace));

  const url = input(Inputs.Url) || undefined;
  if (url !== undefined && /^(?:apt|dnf):(?!\/\/)/.test(url)) {
    // The distro's package manager (apt-get/dnf download), which checks the package against its signed indexes.
    if (mode !== 'download') throw bad(Inputs.Url, `"${url}" names a package manager's package; that works in mode download only`, 'use mode: download');
  } else if (url !== undefined) {
    let parsed: URL;
    try {
      parsed = new URL(url.replace(/\{(key|arch|release)\}/g, 'x'));
    } catch {
      throw bad(Inputs.Url, `"${url}" is not a URL`, 'pass an http(s) URL template such as https://example.com/kheaders/{key}.tar.xz, or apt:PACKAGE / dnf:PACKAGE');
    }
    if (!/^https?:$/.test(parsed.protocol)) throw bad(Inputs.Url, `only http and https are supported, got ${parsed.protocol}`, 'use an https:// URL');
    if (mode === 'auto' && !/\{key\}/.test(url)) {
      throw bad(Inputs.Url, `"${url}" has no {key}; in mode auto every tree would download the same archive`,
        'put {key} (the md5 the cache key ends in) into the URL, e.g. https://example.com/kheaders/{key}.tar.xz, or use mode: download');
    }
  } else if (mode === 'download') {
    throw bad(Inputs.Url, 'mode download needs a url', 'pass url: with a URL template such as https://example.com/{release}/kheaders_data.tar.xz');
  }
  const shaIn = input(Inputs.Sha256);
  if (shaIn !== '' && !SHA256_HEX.test(shaIn.toLowerCase())) throw bad(Inputs.Sha256, `"${shaIn}" is not 64 hex digits`, 'pass the archive\'s sha256 as printed by sha256sum');

  const release = input(Inputs.Release) || undefined;
  if (release !== undefined && !KERNEL_RELEASE.test(release)) {
    throw bad(Inputs.Release, `"${release}" is not a kernel release`, 'pass the release as uname -r prints it, e.g. 6.8.0-31-generic');
  }

  const archiveIn = input(Inputs.Archive);
  const archive = archiveIn !== '' ? resolve(workspace, archiveIn) : join(env.RUNNER_TEMP || tmpdir(), 'kheaders', 'kheaders_data.tar.xz');
  if (mode === 'verify' && !existsSync(archive)) throw bad(Inputs.Archive, `mode verify needs an existing archive, ${archive} does not exist`, 'pass archive: with the path of the .tar.xz to verify');

  const mtime = about(Inputs.Mtime, () => resolveMtime(input(Inputs.Mtime) || undefined, env));
  const keyPrefix = input(Inputs.CacheKeyPrefix) || 'kheaders';
  if (!KEY_NAME.test(keyPrefix) || keyPrefix.length > 200) {
    throw bad(Inputs.CacheKeyPrefix, `"${keyPrefix}" may only hold letters, digits, ".", "_" and "-"`, 'use a prefix such as kheaders-v2');
  }
  const extractIn = input(Inputs.ExtractTo);
  const exportEnv = bool(Inputs.ExportEnv, false);
  let extractTo = extractIn === '' ? undefined : extractIn === 'auto' ? 'auto' : resolve(workspace, extractIn);
  if (exportEnv && extractTo === undefined) extractTo = 'auto';
  const verifyIn = input(Inputs.Verify);
  const verify = verifyIn === '' ? hasTree : bool(Inputs.Verify, hasTree);
  if (verify && !hasTree) throw bad(Inputs.Verify, 'verification needs a kernel source tree', `pass ${Inputs.Source}: with the tree, or set verify: false`);

  const out: ActionSettings = {
    mode, archive, arch: arch.srcarch, url, sha256: shaIn === '' ? undefined : shaIn.toLowerCase(), release,
    tree: hasTree ? { source, objtree, arch: arch.srcarch, makeArch: arch.makeArch, config } : undefined,
    pack: { mtime, compression, threads: compression === 'fast' ? defaultThreads() : 1 },
    cache: bool(Inputs.Cache, true), keyPrefix, verify, failOnMismatch: bool(Inputs.FailOnMismatch, true),
    strict: bool(Inputs.Strict, false),
    report: resolve(workspace, input(Inputs.Report) || join(env.RUNNER_TEMP || tmpdir(), 'kheaders', 'kheaders-verify.json')),
    timeout: seconds(Inputs.Timeout, DEFAULT_TIMEOUT_S),
    lookupOnly: bool(Inputs.LookupOnly, false), failOnCacheMiss: bool(Inputs.FailOnCacheMiss, false), save: bool(Inputs.Save, true),
    extractTo, exportEnv,
    vmlinuxH: input(Inputs.VmlinuxH) === '' ? undefined : resolve(workspace, input(Inputs.VmlinuxH)),
  };
  if (out.lookupOnly && !(mode === 'auto' || mode === 'build') ) throw bad(Inputs.LookupOnly, `mode ${mode} has no cache to look up`, 'use lookup-only with mode auto or build');
  if (out.lookupOnly && !out.cache) throw bad(Inputs.LookupOnly, 'the cache is off (cache: false)', 'set cache: true, or drop lookup-only');
  if (out.strict && !verify) throw bad(Inputs.Strict, 'strict verification needs verify', `pass ${Inputs.Source}: with the tree and keep verify on, or drop strict`);
  core.debug(`resolved settings: ${JSON.stringify(out)}`);
  if (!isAbsolute(archive)) throw bad(Inputs.Archive, `${archive} is not absolute`, 'pass an absolute path');
  return out;
}
