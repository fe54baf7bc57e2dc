// Compares our BTF with a kernel's own (a vmlinux with .BTF, or raw BTF):
// every struct and union name in both, each of our layouts against the
// kernel's variants of that name. Used by scripts/bench-btf-kernel.sh.
// Usage: node --import tsx scripts/compare-btf.ts OURS.btf KERNEL_VMLINUX
import { btfLayouts, unmatchedLayouts } from '../test/helpers/btf-layout.js';

const [oursPath, kernelPath] = process.argv.slice(2);
if (!oursPath || !kernelPath) {
  console.error('usage: compare-btf.ts OURS.btf KERNEL_VMLINUX');
  process.exit(2);
}
const c = unmatchedLayouts(await btfLayouts(oursPath), await btfLayouts(kernelPath));
console.log(`${c.common} of the kernel's ${c.oracle} struct/union names in ours; ${c.members} members; ${c.mismatches.length} of ours match none of the kernel's variants${c.mismatches.length ? ':' : ''}`);
for (const d of c.mismatches) console.log(`  ${d}`);
