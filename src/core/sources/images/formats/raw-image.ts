// Raw kernel Images (no ELF, no symbols): arm64 "ARM\x64" and riscv "RSC\x05"
// at 0x38 (the kernel's Documentation/arm64/booting.rst and
// riscv/boot-image-header.rst); otherwise an EFI stub's PE header, whose
// machine type names the arch (loongarch has no magic of its own).

const PE_MACHINES: Record<number, string> = { 0xaa64: 'arm64', 0x5064: 'riscv', 0x5032: 'riscv', 0x6264: 'loongarch', 0x6232: 'loongarch' };

/** The arch of a raw Image, or undefined. */
export function rawImageArch(head: Buffer): string | undefined {
  if (head.length < 0x40) return undefined;
  const m = head.toString('latin1', 0x38, 0x3c);
  if (m === 'ARM\x64') return 'arm64';
  if (m === 'RSC\x05') return 'riscv';
  if (head.toString('latin1', 0, 2) !== 'MZ') return undefined;
  const pe = head.readUInt32LE(0x3c);
  if (pe + 6 > head.length || head.toString('latin1', pe, pe + 4) !== 'PE\0\0') return undefined;
  return PE_MACHINES[head.readUInt16LE(pe + 4)];
}
