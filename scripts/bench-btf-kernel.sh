#!/usr/bin/env bash
# The other side of the vmlinux-h benchmark (docs/vmlinux-h.md): the kernel's
# own way to a vmlinux.h. A fresh O= build of the prepared 6.1 x86_64
# defconfig with CONFIG_DEBUG_INFO_BTF (DWARF 4, which Debian 12's pahole
# reads; BTF needs BPF_SYSCALL, which defconfig lacks), `make vmlinux`, then
# `bpftool btf dump`. Tens of minutes on 2 cores:
# run it by hand, once; it is not part of CI.
#
# Usage: scripts/bench-btf-kernel.sh [OUTDIR]   (default: a temp dir, removed)
# Prints the wall and CPU seconds of make, the header's size, then ours for
# the same tree (build + vmlinux-h) and its layouts against the kernel's BTF.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
JOBS=${KHEADERS_E2E_JOBS:-2}
paths=$(bash "$HERE/kernel-tree.sh")
SRC=$(sed -n 's/^srctree=//p' <<<"$paths")
BASE=$(sed -n 's/^objtree=//p' <<<"$paths")
OUT=${1:-}
if [ -z "$OUT" ]; then
  OUT=$(mktemp -d "${TMPDIR:-/tmp}/kh-bench-btf-XXXXXX")
  trap 'rm -rf "$OUT"' EXIT
fi
mkdir -p "$OUT"
cp "$BASE/.config" "$OUT/.config"
"$SRC/scripts/config" --file "$OUT/.config" -d DEBUG_INFO_NONE -e BPF_SYSCALL -e DEBUG_INFO_DWARF4 -e DEBUG_INFO_BTF -d DEBUG_INFO_REDUCED
make -C "$SRC" O="$OUT" olddefconfig >/dev/null
grep -q '^CONFIG_DEBUG_INFO_BTF=y' "$OUT/.config" || { echo "bench-btf-kernel: DEBUG_INFO_BTF did not stick" >&2; exit 1; }
/usr/bin/time -f 'make vmlinux: %e s wall, %U s user, %S s sys, %M KB peak' \
  make -C "$SRC" O="$OUT" -j"$JOBS" vmlinux >"$OUT/make.log" 2>"$OUT/make.err" || { tail -30 "$OUT/make.err" >&2; exit 1; }
tail -1 "$OUT/make.err"
/usr/bin/time -f 'bpftool btf dump: %e s wall' bpftool btf dump file "$OUT/vmlinux" format c >"$OUT/vmlinux.h"
echo "vmlinux.h: $(wc -c <"$OUT/vmlinux.h") bytes, $(grep -c '^struct [a-zA-Z_0-9]* {$' "$OUT/vmlinux.h") structs"
# Ours for the same tree, and its layouts against the kernel's own BTF.
CLI=(node --import tsx "$HERE/../src/cli/main.ts")
t0=$(date +%s.%N)
"${CLI[@]}" build --source "$SRC" --objtree "$OUT" --output "$OUT/ours.tar.xz" --no-cache -q
"${CLI[@]}" vmlinux-h --from "$OUT/ours.tar.xz" -o "$OUT/ours.h" --btf "$OUT/ours.btf" --no-cache -q
echo "kheaders build + vmlinux-h: $(echo "$(date +%s.%N) - $t0" | bc) s wall"
node --import tsx "$HERE/compare-btf.ts" "$OUT/ours.btf" "$OUT/vmlinux"
