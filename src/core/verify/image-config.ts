// A kernel image's embedded .config, checked two ways: against the archive's
// autoconf.h (one build made both, so any disagreement is a finding) and
// against the tree's prepared .config, when there is one.
import type { Finding } from './report.js';
import { checkConfig, parseAutoconf, type DotConfig } from './config.js';

const shown = (name: string, v: string | null | undefined): string =>
  v === undefined ? `${name} absent` : v === null ? `# ${name} is not set` : `${name}=${v}`;

export function imageConfigFindings(image: DotConfig, autoconf: Buffer | undefined, treeFile: string | undefined, tree: DotConfig | undefined): Finding[] {
  const out: Finding[] = [];
  if (autoconf === undefined) {
    out.push({ category: 'config', name: 'include/generated/autoconf.h', detail: 'the archive has no autoconf.h to check the image\'s embedded config against' });
  } else {
    for (const f of checkConfig(image, parseAutoconf(autoconf.toString('utf8')))) {
      out.push({ ...f, detail: `the image's embedded config: ${f.detail.replace('.config', 'the config')}` });
    }
  }
  if (tree !== undefined) {
    for (const name of new Set([...image.keys(), ...tree.keys()])) {
      const [a, b] = [image.get(name), tree.get(name)];
      // "not set" and absent mean the same to the kernel.
      if ((a ?? null) === (b ?? null)) continue;
      out.push({ category: 'config', name, detail: `the image's embedded config and ${treeFile ?? 'the tree\'s .config'} disagree`, expected: shown(name, b), actual: shown(name, a) });
    }
  }
  return out;
}
