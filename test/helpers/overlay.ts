// A writable stand-in for a cached kernel tree: include/ and arch/<arch>/include/
// copied for real (find must see real directories), everything else linked,
// and kernel/ holding the form under test. The cache itself is never written.
import { cpSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Form } from './forms.js';

function linkAllBut(from: string, to: string, skip: readonly string[]): void {
  mkdirSync(to, { recursive: true });
  for (const name of readdirSync(from)) if (!skip.includes(name)) symlinkSync(join(from, name), join(to, name));
}

/** Lays out at/ over the real tree; for an objtree, srcOverlay is the overlay of its source tree. */
export function overlayTree(real: string, at: string, arch: string, form: Form | undefined, srcOverlay?: string): string {
  linkAllBut(real, at, ['include', 'arch', 'kernel', 'source', 'Makefile']);
  cpSync(join(real, 'include'), join(at, 'include'), { recursive: true, verbatimSymlinks: true });
  linkAllBut(join(real, 'arch'), join(at, 'arch'), [arch]);
  linkAllBut(join(real, 'arch', arch), join(at, 'arch', arch), ['include']);
  cpSync(join(real, 'arch', arch, 'include'), join(at, 'arch', arch, 'include'), { recursive: true, verbatimSymlinks: true });
  if (srcOverlay === undefined) {
    symlinkSync(join(real, 'Makefile'), join(at, 'Makefile'));
    linkAllBut(join(real, 'kernel'), join(at, 'kernel'), ['gen_kheaders.sh', 'Makefile']);
    writeFileSync(join(at, 'kernel/gen_kheaders.sh'), form?.script ?? readFileSync(join(real, 'kernel/gen_kheaders.sh')), { mode: 0o755 });
    writeFileSync(join(at, 'kernel/Makefile'), form?.makefile ?? readFileSync(join(real, 'kernel/Makefile')));
    writeFileSync(join(at, 'kernel/Makefile.orig'), readFileSync(join(real, 'kernel/Makefile')));
  } else {
    mkdirSync(join(at, 'kernel'));
    symlinkSync(srcOverlay, join(at, 'source'));
    writeFileSync(join(at, 'Makefile'), `include ${srcOverlay}/Makefile\n`);
  }
  return at;
}
