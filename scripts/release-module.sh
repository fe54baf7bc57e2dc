#!/usr/bin/env bash
# A real kernel/kheaders.o built for a given kernel release: the Debian-config
# 6.1 build of scripts/bcc-archives.sh, configured again in its own O= dir and
# made with KERNELRELEASE=RELEASE, so that its archive's utsrelease.h names that
# release (the e2e tests package it for `uname -r`). Cached per source package
# and release; the shared trees are not touched.
#
# Usage: scripts/release-module.sh [RELEASE]     (default: uname -r)
# Env: KHEADERS_E2E_CACHE (default ~/.cache/kheaders-e2e), KHEADERS_E2E_JOBS (2)
#
# stdout (key=value lines):
#   release=R      the release built for
#   ko=FILE        kernel/kheaders.o of that build
#   archive=FILE   the kernel's own kheaders_data.tar.xz inside it
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
JOBS=${KHEADERS_E2E_JOBS:-2}
REL=${1:-$(uname -r)}

die() { printf 'release-module: error: %s\n' "$1" >&2; [ -n "${2:-}" ] && printf 'release-module: fix: %s\n' "$2" >&2; exit 1; }
log() { printf 'release-module: %s\n' "$*" >&2; }

case $REL in
  ''|*[!A-Za-z0-9._+~-]*) die "release '$REL' has characters a kernel release does not" "pass a release like 6.8.0-31-generic" ;;
esac

bash "$ROOT/scripts/bcc-archives.sh" >/dev/null
CACHE=${KHEADERS_E2E_CACHE:-$HOME/.cache/kheaders-e2e}
SRC=$CACHE/src/linux-source-6.1
DEB=$(ls "$CACHE"/debs/linux-source-6.1_*_all.deb | sort -V | tail -n 1)
[ -f "$CACHE/obj-debian/.config" ] || die "no $CACHE/obj-debian/.config" "run scripts/bcc-archives.sh --force"

exec 9>"$CACHE/.lock"
flock 9

OUT=$CACHE/release-module/$(basename "${DEB%.deb}")/$REL
O=$CACHE/obj-release
if [ ! -s "$OUT/kheaders.o" ] || [ ! -s "$OUT/kheaders_data.tar.xz" ]; then
  t0=$SECONDS
  mkdir -p "$OUT" "$CACHE/logs"
  logf=$CACHE/logs/release-module-$(date +%s%N).log
  mk() {
    env -u XZ_OPT -u XZ_DEFAULTS -u TAR_OPTIONS -u KBUILD_BUILD_TIMESTAMP LC_ALL=C make -C "$SRC" O="$O" "$@" >>"$logf" 2>&1 ||
      { tail -n 30 "$logf" >&2; die "make $* failed (log: $logf)" "check the log"; }
  }
  if ! cmp -s "$CACHE/obj-debian/.config" "$O/.config.debian" 2>/dev/null; then
    rm -rf "$O" && mkdir -p "$O"
    cp "$CACHE/obj-debian/.config" "$O/.config"
    cp "$CACHE/obj-debian/.config" "$O/.config.debian"
    mk olddefconfig
  fi
  mk KERNELRELEASE="$REL" -j"$JOBS" prepare
  rm -f "$O/kernel/kheaders.md5" "$O/kernel/kheaders_data.tar.xz"
  mk KERNELRELEASE="$REL" kernel/kheaders.o
  grep -q "\"$REL\"" "$O/include/generated/utsrelease.h" || die "utsrelease.h does not name $REL" "see $logf"
  cp "$O/kernel/kheaders.o" "$OUT/kheaders.o.tmp" && mv "$OUT/kheaders.o.tmp" "$OUT/kheaders.o"
  cp "$O/kernel/kheaders_data.tar.xz" "$OUT/kheaders_data.tar.xz.tmp" && mv "$OUT/kheaders_data.tar.xz.tmp" "$OUT/kheaders_data.tar.xz"
  log "kernel/kheaders.o for $REL: $((SECONDS - t0))s"
fi

echo "release=$REL"
echo "ko=$OUT/kheaders.o"
echo "archive=$OUT/kheaders_data.tar.xz"
