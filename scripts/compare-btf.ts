// Compares our BTF with a kernel's own (a vmlinux with .BTF, or raw BTF):
// every struct and union name in both, each of our layouts against the
// kernel's variants of that name. Used by scripts/bench-btf-kernel.sh.
// Usage: node --import tsx scripts/compare-btf.ts OURS.btf KERNEL_VMLINUX
import { btfLayouts, sameLayout } from '../test/helpers/btf-layout.js';

const [oursPath, kernelPath] = process.argv.slice(2);
if (!oursPath || !kernelPath) {
  console.error('usage: compare-btf.ts OURS.btf KERNEL_VMLINUX');
  process.exit(2);
}
const ours = await btfLayouts(oursPath);
const kernel = await btfLayouts(kernelPath);
let common = 0;
let members = 0;
const differ: string[] = [];
for (const [name, variants] of kernel) {
  const mine = ours.get(name);
  if (!mine) continue;
  common++;
  for (const m of mine) {
    members += m.members.length;
    if (!variants.some((k) => sameLayout(k, m))) differ.push(`${name}: ours ${m.kind} size ${m.size}; the kernel's: ${variants.map((k) => `${k.kind} size ${k.size}`).join(', ')}`);
  }
}
console.log(`${common} of the kernel's ${kernel.size} struct/union names in ours; ${members} members; ${differ.length} of ours match none of the kernel's variants${differ.length ? ':' : ''}`);
for (const d of differ) console.log(`  ${d}`);
