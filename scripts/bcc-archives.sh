#!/usr/bin/env bash
# Archives for the bcc end-to-end tests, made by the 6.1 tree's own make
# (kernel/kheaders.o, which runs kernel/gen_kheaders.sh) from the source that
# scripts/kernel-tree.sh keeps in the cache, in O= build dirs next to it.
# Idempotent: finished archives are kept per source package.
#
# Usage: scripts/bcc-archives.sh [--force]
# Env: KHEADERS_E2E_CACHE (default ~/.cache/kheaders-e2e), KHEADERS_E2E_JOBS (2)
#
# stdout (key=value lines):
#   debian=FILE     x86_64 with Debian's own amd64 config (linux-config-6.1 of the
#                   same version as linux-source-6.1) + CONFIG_IKHEADERS=m;
#                   it has CONFIG_BPF_SYSCALL, so bcc accepts it
#   debian_ko=FILE  that build's kernel/kheaders.o (a kheaders.ko stand-in)
#   arm64=FILE      arm64 defconfig + CONFIG_IKHEADERS=m, built with LLVM=1
#   defconfig=FILE  the cached in-tree x86_64_defconfig build's archive: it lacks
#                   CONFIG_BPF_SYSCALL, so bcc refuses it with an #error
# Progress and timings go to stderr; make logs to the cache's logs/.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
JOBS=${KHEADERS_E2E_JOBS:-2}
FORCE=0
[ "${1:-}" = --force ] && FORCE=1

die() { printf 'bcc-archives: error: %s\n' "$1" >&2; [ -n "${2:-}" ] && printf 'bcc-archives: fix: %s\n' "$2" >&2; exit 1; }
log() { printf 'bcc-archives: %s\n' "$*" >&2; }

for pair in clang:clang ld.lld:lld llvm-objcopy:llvm xz:xz-utils dpkg-deb:dpkg apt-get:apt; do
  command -v "${pair%%:*}" >/dev/null 2>&1 || die "${pair%%:*} not found" "apt-get install -y --no-install-recommends ${pair#*:}"
done

out=$(bash "$ROOT/scripts/kernel-tree.sh" --no-objtree)
CACHE=$(sed -n 's/^cache=//p' <<<"$out")
SRC=$(sed -n 's/^srctree=//p' <<<"$out")
TREE=$(sed -n 's/^tree=//p' <<<"$out")
[ -d "$SRC" ] && [ -d "$TREE" ] || die "kernel-tree.sh printed no srctree=/tree= lines" "run scripts/kernel-tree.sh by hand and read its errors"

exec 9>"$CACHE/.lock"
flock 9

DEB=$(ls "$CACHE"/debs/linux-source-6.1_*_all.deb | sort -V | tail -n 1)
VER=$(dpkg-deb -f "$DEB" Version)
OUT=$CACHE/bcc/$(basename "${DEB%.deb}")
mkdir -p "$OUT" "$CACHE/logs"
[ "$FORCE" = 1 ] && rm -f "$OUT"/*

mk() {
  local name=$1; shift
  local logf=$CACHE/logs/bcc-$name-$(date +%s%N).log
  if ! env -u XZ_OPT -u XZ_DEFAULTS -u TAR_OPTIONS -u KBUILD_BUILD_TIMESTAMP LC_ALL=C make "$@" >"$logf" 2>&1; then
    tail -n 30 "$logf" >&2
    die "make $* failed (log: $logf)" "check the log; the tools are clang, lld, llvm, flex, bison, bc, libelf-dev"
  fi
}

need() { grep -qx "$2" "$1/.config" || die "$2 did not stick in $1/.config" "re-run with --force"; }

# Debian's amd64 config, as shipped for this very source version.
debian() {
  local cfg=$CACHE/debs/linux-config-6.1_${VER}_amd64.deb O=$CACHE/obj-debian t0=$SECONDS
  if [ ! -f "$cfg" ]; then
    (cd "$CACHE/debs" && apt-get download "linux-config-6.1=$VER" >&2) ||
      die "apt-get download linux-config-6.1=$VER failed" "run 'apt-get update' first (it is in Debian 12, beside linux-source-6.1)"
  fi
  rm -rf "$O" && mkdir -p "$O"
  dpkg-deb --fsys-tarfile "$cfg" | tar -xO ./usr/src/linux-config-6.1/config.amd64_none_amd64.xz | xz -dc >"$O/.config"
  # Debian signs with its own keys, which are not in the source package.
  "$SRC/scripts/config" --file "$O/.config" -m IKHEADERS --set-str SYSTEM_TRUSTED_KEYS '' \
    --set-str SYSTEM_REVOCATION_KEYS '' --set-str MODULE_SIG_KEY certs/signing_key.pem --disable MODULE_SIG_ALL
  mk debian -C "$SRC" O="$O" olddefconfig
  need "$O" CONFIG_IKHEADERS=m
  need "$O" CONFIG_BPF_SYSCALL=y
  mk debian -C "$SRC" O="$O" -j"$JOBS" prepare
  mk debian -C "$SRC" O="$O" kernel/kheaders.o
  cp "$O/kernel/kheaders.o" "$OUT/debian-amd64.kheaders.o.tmp" && mv "$OUT/debian-amd64.kheaders.o.tmp" "$OUT/debian-amd64.kheaders.o"
  cp "$O/kernel/kheaders_data.tar.xz" "$OUT/debian-amd64.tar.xz.tmp" && mv "$OUT/debian-amd64.tar.xz.tmp" "$OUT/debian-amd64.tar.xz"
  log "Debian amd64 config: $((SECONDS - t0))s"
}

arm64() {
  local O=$CACHE/obj-arm64 t0=$SECONDS
  rm -rf "$O" && mkdir -p "$O"
  mk arm64 -C "$SRC" O="$O" ARCH=arm64 LLVM=1 defconfig
  "$SRC/scripts/config" --file "$O/.config" -m IKHEADERS
  mk arm64 -C "$SRC" O="$O" ARCH=arm64 LLVM=1 olddefconfig
  need "$O" CONFIG_IKHEADERS=m
  mk arm64 -C "$SRC" O="$O" ARCH=arm64 LLVM=1 -j"$JOBS" prepare
  mk arm64 -C "$SRC" O="$O" ARCH=arm64 LLVM=1 kernel/kheaders.o
  cp "$O/kernel/kheaders_data.tar.xz" "$OUT/arm64-defconfig.tar.xz.tmp" && mv "$OUT/arm64-defconfig.tar.xz.tmp" "$OUT/arm64-defconfig.tar.xz"
  log "arm64 defconfig: $((SECONDS - t0))s"
}

defconfig() {
  grep -qx '# CONFIG_BPF_SYSCALL is not set' "$TREE/.config" || die "$TREE is no longer x86_64_defconfig without CONFIG_BPF_SYSCALL" "re-run scripts/kernel-tree.sh --force"
  mk defconfig -C "$TREE" kernel/kheaders.o
  cp "$TREE/kernel/kheaders_data.tar.xz" "$OUT/x86_64-defconfig.tar.xz.tmp" && mv "$OUT/x86_64-defconfig.tar.xz.tmp" "$OUT/x86_64-defconfig.tar.xz"
}

[ -s "$OUT/debian-amd64.tar.xz" ] && [ -s "$OUT/debian-amd64.kheaders.o" ] || debian
[ -s "$OUT/arm64-defconfig.tar.xz" ] || arm64
[ -s "$OUT/x86_64-defconfig.tar.xz" ] || defconfig

echo "debian=$OUT/debian-amd64.tar.xz"
echo "debian_ko=$OUT/debian-amd64.kheaders.o"
echo "arm64=$OUT/arm64-defconfig.tar.xz"
echo "defconfig=$OUT/x86_64-defconfig.tar.xz"
