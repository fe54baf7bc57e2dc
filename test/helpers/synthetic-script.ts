// Synthetic gen_kheaders.sh texts in the kernel's shell style, written for the
// property test from random choices of each construct. Not the kernel's text.

/** One choice per construct. */
export interface Choices {
  tool: 'cpio' | '$CPIO' | '/usr/bin/cpio' | 'tar';
  cpioFlags: '-pd' | '-pdu' | '-pdL' | '-pduL';
  tarDeref: boolean;
  names: 'headers' | 'all';
  rmUts: boolean;
  excludes: 'none' | 'silly' | 'silly+orig';
  sort: 'name' | 'list' | 'none';
  mode: boolean;
  owner: 'numeric' | 'root' | 'builder';
  mtime: 'kbuild' | 'sde' | 'fixed' | 'none';
  compressor: '-J' | '-I $XZ';
}

/** A small seeded PRNG (mulberry32). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(rnd: () => number, xs: readonly T[]): T {
  return xs[Math.floor(rnd() * xs.length)]!;
}

export function randomChoices(rnd: () => number): Choices {
  return {
    tool: pick(rnd, ['cpio', '$CPIO', '/usr/bin/cpio', 'tar'] as const),
    cpioFlags: pick(rnd, ['-pd', '-pdu', '-pdL', '-pduL'] as const),
    tarDeref: rnd() < 0.3,
    names: pick(rnd, ['headers', 'headers', 'all'] as const),
    rmUts: rnd() < 0.5,
    excludes: pick(rnd, ['none', 'silly', 'silly+orig'] as const),
    sort: pick(rnd, ['name', 'list', 'none'] as const),
    mode: rnd() < 0.6,
    owner: pick(rnd, ['numeric', 'numeric', 'root', 'builder'] as const),
    mtime: pick(rnd, ['kbuild', 'sde', 'fixed', 'none'] as const),
    compressor: pick(rnd, ['-J', '-I $XZ'] as const),
  };
}

/** The script text for these choices. */
export function syntheticScript(c: Choices): string {
  const find = c.names === 'headers' ? 'find "$f" -name "*.h"' : 'find "$f" ! -name "*.cmd" ! -name ".*"';
  const copy = c.tool === 'tar'
    ? `tar -c${c.tarDeref ? ' -h' : ''} -f - -T - | tar -xf - -C "$stage"`
    : `${c.tool} --quiet ${c.cpioFlags} "$stage"`;
  const excl = { none: '', silly: '--exclude=".__afs*" --exclude=".nfs*" ', 'silly+orig': '--exclude=".__afs*" --exclude=".nfs*" --exclude="*.orig" ' }[c.excludes];
  const mtime = { kbuild: '"${KBUILD_BUILD_TIMESTAMP:+--mtime=$KBUILD_BUILD_TIMESTAMP}" ', sde: '"${SOURCE_DATE_EPOCH:+--mtime=@$SOURCE_DATE_EPOCH}" ', fixed: '--mtime="2020-02-02 00:00:00 UTC" ', none: '' }[c.mtime];
  const owner = { numeric: '--owner=0 --group=0 --numeric-owner ', root: '--owner=0 --group=0 ', builder: '' }[c.owner];
  const mode = c.mode ? '--mode=u=rw,go=r,a+X ' : '';
  const flags = `${mtime}${excl}${owner}${mode}`;
  const comp = c.compressor === '-J' ? '-J' : '-I $XZ';
  const pack = c.sort === 'list'
    ? `find "$stage" -printf "./%P\\n" | LC_ALL=C sort | \\\n    tar ${flags}--no-recursion ${comp} -cf "$out" -C "$stage/" -T - > /dev/null`
    : `tar ${flags}${c.sort === 'name' ? '--sort=name ' : ''}${comp} -cf "$out" -C "$stage/" . > /dev/null`;
  return [
    '#!/bin/sh',
    '# kheaders property-test script (synthetic, not the kernel\'s)',
    'set -e',
    'out=$1',
    'stage=$(pwd)/$out.stage',
    'CPIO=cpio',
    'dirs="include/ arch/$SRCARCH/include/"',
    'rm -rf "$stage"',
    'mkdir -p "$stage"',
    'if [ -n "$building_out_of_srctree" ]; then',
    `\t(cd "$srctree"; for f in $dirs; do ${find}; done | ${copy})`,
    'fi',
    `for f in $dirs; do ${find}; done | ${copy} >/dev/null 2>&1`,
    ...(c.rmUts ? ['rm -f "$stage/include/generated/utsversion.h"'] : []),
    String.raw`find "$stage" -type f -print0 | xargs -0 -n1 perl -pi -e 'BEGIN {undef $/;}; s/\/\*((?!SPDX).)*?\*\///smg;'`,
    pack,
    'rm -rf "$stage"',
    '',
  ].join('\n');
}
