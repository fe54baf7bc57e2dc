#!/usr/bin/env bash
# The layout oracle for the vmlinux-h e2e suite: real kernel objects built by
# the kernel's own make with KCFLAGS=-g, whose DWARF pahole reads. Built in a
# copy of the prepared O= objtree (the shared trees stay untouched) and cached.
#
# Usage: scripts/btf-oracle.sh x86|arm64
# stdout: objtree=DIR (the copy, for `kheaders build --objtree`) then objects=PATH...
# Env: KHEADERS_E2E_CACHE (default ~/.cache/kheaders-e2e), KHEADERS_E2E_JOBS (2)
set -euo pipefail

ARCH=${1:?usage: btf-oracle.sh x86|arm64}
CACHE=${KHEADERS_E2E_CACHE:-$HOME/.cache/kheaders-e2e}
JOBS=${KHEADERS_E2E_JOBS:-2}
OBJECTS=(kernel/fork.o net/core/skbuff.o fs/inode.o kernel/bpf/core.o)
HERE=$(cd "$(dirname "$0")" && pwd)

case $ARCH in
  x86) TREEARGS=(); key=objtree; MAKEARGS=(); KCFLAGS=-g ;;
  # arm64 defconfig has DEBUG_INFO_REDUCED (-femit-struct-debug-baseonly: a struct only in the
  # object named after its header) and the toolchain's DWARF 5, which pahole 1.24 cannot encode.
  arm64) TREEARGS=(--arm64); key=objtree_arm64; MAKEARGS=(ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-)
         KCFLAGS='-g -gdwarf-4 -femit-struct-debug-detailed=any' ;;
  *) echo "btf-oracle: unknown arch $ARCH (x86 or arm64)" >&2; exit 2 ;;
esac
OUT=$CACHE/btf-oracle/$ARCH
mkdir -p "$CACHE/btf-oracle" "$CACHE/logs"
exec 9>"$CACHE/btf-oracle/.lock"
flock 9

# The copy, once: afterwards the shared trees (and their lock) are not needed.
if [ ! -f "$OUT/.copied" ]; then
  paths=$(bash "$HERE/kernel-tree.sh" "${TREEARGS[@]}")
  SRC=$(sed -n 's/^srctree=//p' <<<"$paths")
  BASE=$(sed -n "s/^$key=//p" <<<"$paths")
  rm -rf "$OUT"
  cp -a "$BASE" "$OUT"
  printf '%s\n' "$SRC" > "$OUT/.srctree"
  touch "$OUT/.copied"
fi
SRC=$(cat "$OUT/.srctree" 2>/dev/null || true)
if [ -z "$SRC" ] || [ ! -f "$SRC/Makefile" ]; then
  SRC=$(bash "$HERE/kernel-tree.sh" "${TREEARGS[@]}" | sed -n 's/^srctree=//p')
  printf '%s\n' "$SRC" > "$OUT/.srctree"
fi
# Objects of other flags are built again.
if [ "$(cat "$OUT/.kcflags" 2>/dev/null)" != "$KCFLAGS" ]; then
  for o in "${OBJECTS[@]}"; do rm -f "$OUT/$o"; done
  printf '%s\n' "$KCFLAGS" > "$OUT/.kcflags"
fi
missing=()
for o in "${OBJECTS[@]}"; do [ -s "$OUT/$o" ] || missing+=("$o"); done
if [ ${#missing[@]} -gt 0 ]; then
  log=$CACHE/logs/btf-oracle-$ARCH.log
  echo "btf-oracle: make KCFLAGS='$KCFLAGS' ${missing[*]} ($ARCH, log $log)" >&2
  t0=$SECONDS
  if ! LC_ALL=C nice -n 10 make -C "$SRC" O="$OUT" "${MAKEARGS[@]}" KCFLAGS="$KCFLAGS" -j"$JOBS" "${missing[@]}" >"$log" 2>&1; then
    tail -n 30 "$log" >&2
    echo "btf-oracle: make failed (log $log)" >&2
    exit 1
  fi
  echo "btf-oracle: built in $((SECONDS - t0))s" >&2
fi
echo "srctree=$SRC"
echo "objtree=$OUT"
for o in "${OBJECTS[@]}"; do echo "object=$OUT/$o"; done
