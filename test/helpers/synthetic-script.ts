// Synthetic gen_kheaders.sh texts in the kernel's shell style, written for the
// property test from random choices of each construct. Not the kernel's text.

/** One choice per construct. */
export interface Choices {
  tool: 'cpio' | '$CPIO' | '/usr/bin/cpio' | 'tar';
  cpioFlags: '-pd' | '-pdu' | '-pdL' | '-pduL';
  tarDeref: boolean;
  /** How the script names tar: plainly, or through kbuild's TAR variable. */
  tarName: 'tar' | '${TAR:-tar}' | '$TAR' | '"$TAR"';
  /** print-first: `find -L DIR -print -name "*.h"` (every name, links followed; the copy then dereferences). */
  names: 'headers' | 'all' | 'print-first';
  rmUts: boolean;
  excludes: 'none' | 'silly' | 'silly+orig';
  sort: 'name' | 'list' | 'none';
  mode: boolean;
  owner: 'numeric' | 'root' | 'builder';
  mtime: 'kbuild' | 'sde' | 'sde-default' | 'fixed' | 'none';
  compressor: '-J' | '-I $XZ';
  /** A vendor's layout: tab indents, a comment between commands, continued lines. */
  vendor: boolean;
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
    tarName: pick(rnd, ['tar', '${TAR:-tar}', '$TAR', '"$TAR"'] as const),
    names: pick(rnd, ['headers', 'headers', 'all', 'print-first'] as const),
    rmUts: rnd() < 0.5,
    excludes: pick(rnd, ['none', 'silly', 'silly+orig'] as const),
    sort: pick(rnd, ['name', 'list', 'none'] as const),
    mode: rnd() < 0.6,
    owner: pick(rnd, ['numeric', 'numeric', 'root', 'builder'] as const),
    mtime: pick(rnd, ['kbuild', 'sde', 'sde-default', 'fixed', 'none'] as const),
    compressor: pick(rnd, ['-J', '-I $XZ'] as const),
    vendor: rnd() < 0.3,
  };
}

/** The script text for these choices. */
export function syntheticScript(c: Choices): string {
  const T = c.tarName;
  const find = c.names === 'headers' ? 'find "$f" -name "*.h"' : c.names === 'all' ? 'find "$f" ! -name "*.cmd" ! -name ".*"' : 'find -L "$f" -print -name "*.h"';
  // find -L hands the copy links to directories: only a dereferencing copy is modelled with it.
  const flags = c.names === 'print-first' && !c.cpioFlags.includes('L') ? `${c.cpioFlags}L` : c.cpioFlags;
  const copy = c.tool === 'tar'
    ? `${T} -c${c.tarDeref || c.names === 'print-first' ? ' -h' : ''} -f - -T - | ${T} -xf - -C "$stage"`
    : `${c.tool} --quiet ${flags} "$stage"`;
  const excl = { none: '', silly: '--exclude=".__afs*" --exclude=".nfs*" ', 'silly+orig': '--exclude=".__afs*" --exclude=".nfs*" --exclude="*.orig" ' }[c.excludes];
  const mtime = {
    kbuild: '"${KBUILD_BUILD_TIMESTAMP:+--mtime=$KBUILD_BUILD_TIMESTAMP}" ', sde: '"${SOURCE_DATE_EPOCH:+--mtime=@$SOURCE_DATE_EPOCH}" ',
    'sde-default': '--mtime=@${SOURCE_DATE_EPOCH:-0} ', fixed: '--mtime="2020-02-02 00:00:00 UTC" ', none: '',
  }[c.mtime];
  const owner = { numeric: '--owner=0 --group=0 --numeric-owner ', root: '--owner=0 --group=0 ', builder: '' }[c.owner];
  const mode = c.mode ? '--mode=u=rw,go=r,a+X ' : '';
  const opts = `${mtime}${excl}${owner}${mode}`;
  const comp = c.compressor === '-J' ? '-J' : '-I $XZ';
  const cont = c.vendor ? ' \\\n\t\t' : ' ';
  const pack = c.sort === 'list'
    ? `find "$stage" -printf "./%P\\n" | LC_ALL=C sort | \\\n    ${T} ${opts}--no-recursion${cont}${comp} -cf "$out" -C "$stage/" -T - > /dev/null`
    : `${T} ${opts}${c.sort === 'name' ? '--sort=name ' : ''}${cont}${comp} -cf "$out" -C "$stage/" . > /dev/null`;
  const note = (text: string): string[] => (c.vendor ? [`\t# ${text}`, ''] : []);
  return [
    '#!/bin/sh',
    '# kheaders property-test script (synthetic, not the kernel\'s)',
    'set -e',
    'out=$1',
    'stage=$(pwd)/$out.stage',
    'CPIO=cpio',
    'dirs="include/ arch/$SRCARCH/include/"',
    ...note('start from an empty stage'),
    'rm -rf "$stage"',
    'mkdir -p "$stage"',
    'if [ -n "$building_out_of_srctree" ]; then',
    `\t(cd "$srctree"; for f in $dirs; do ${find}; done | ${copy})`,
    'fi',
    ...note('then the objtree'),
    `for f in $dirs; do ${find}; done |${c.vendor ? ' \\\n\t' : ' '}${copy} >/dev/null 2>&1`,
    ...(c.rmUts ? ['rm -f "$stage/include/generated/utsversion.h"'] : []),
    ...note('strip the comments'),
    String.raw`find "$stage" -type f -print0 | xargs -0 -n1 perl -pi -e 'BEGIN {undef $/;}; s/\/\*((?!SPDX).)*?\*\///smg;'`,
    pack,
    'rm -rf "$stage"',
    '',
  ].join('\n');
}
