#!/usr/bin/env bash
# Build real kernel images with CONFIG_IKHEADERS=y and CONFIG_IKCONFIG=y from
# the Debian 6.1 source (scripts/kernel-tree.sh), with the kernel's own make,
# for the image e2e tests and the benchmark. Cached: finished steps are
# skipped on re-runs.
#
# Usage: scripts/kernel-images.sh [--x86-only] [--force]
# Env: KHEADERS_E2E_CACHE (default ~/.cache/kheaders-e2e), KHEADERS_E2E_JOBS (2)
#
# Layout under $CACHE/images (each dir has the image, the build's own
# kheaders_data.tar.xz and its .config as `config`):
#   x86/<gzip|bzip2|lzma|xz|lzo|lz4|zstd>/bzImage   one tinyconfig x86_64 build,
#                                                   the compressor switched
#   arm64/Image, Image.gz .lz4 .zst .bz2 .lzma .lzo, vmlinuz.efi (EFI_ZBOOT, gzip)
#   arm64/boot-v0-lz4.img boot-v0-gz.img boot-v2-lz4.img boot-v2-gz.img (mkbootimg)
# stdout: srctree=DIR, images=DIR (last line). Progress and step timings go to stderr.
set -euo pipefail

CACHE=${KHEADERS_E2E_CACHE:-$HOME/.cache/kheaders-e2e}
JOBS=${KHEADERS_E2E_JOBS:-2}
FORCE=0
ARM64=1
X86_COMPRESSORS=(gzip bzip2 lzma xz lzo lz4 zstd)
ARM64_SUFFIXES=(gz lz4 zst bz2 lzma lzo)

die() { printf 'kernel-images: error: %s\n' "$1" >&2; [ -n "${2:-}" ] && printf 'kernel-images: fix: %s\n' "$2" >&2; exit 1; }
log() { printf 'kernel-images: %s\n' "$*" >&2; }

while [ $# -gt 0 ]; do
  case $1 in
    --x86-only) ARM64=0 ;;
    --force) FORCE=1 ;;
    -h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument: $1" "see $0 --help" ;;
  esac
  shift
done

need=()
for pair in lz4:lz4 lzop:lzop bzip2:bzip2 zstd:zstd xz:xz-utils flock:util-linux; do
  command -v "${pair%%:*}" >/dev/null 2>&1 || need+=("${pair#*:}")
done
if [ "$ARM64" = 1 ]; then
  command -v aarch64-linux-gnu-gcc >/dev/null 2>&1 || need+=(gcc-aarch64-linux-gnu)
  command -v mkbootimg >/dev/null 2>&1 || need+=(mkbootimg)
fi
[ ${#need[@]} -eq 0 ] || die "missing tools: ${need[*]}" "apt-get install -y ${need[*]}"

here=$(cd "$(dirname "$0")" && pwd)
# The pristine source is only read here (every build is O=): once extracted, it
# is used without waiting for kernel-tree.sh's lock, which guards its objtrees.
SRC=$CACHE/src/linux-source-6.1
if [ ! -f "$CACHE/state/extract" ] || [ ! -f "$SRC/Makefile" ]; then
  SRC=$(bash "$here/kernel-tree.sh" --no-objtree | sed -n 's/^srctree=//p')
fi
[ -f "$SRC/Makefile" ] || die "kernel-tree.sh gave no srctree" "run bash scripts/kernel-tree.sh and read its errors"

# One timestamp and build number, so reruns after --force give the same
# archives, and include/generated/utsversion.h (written at link time, after
# the archive is made) says the same in the archive and the objtree.
export KBUILD_BUILD_TIMESTAMP='2024-01-01 00:00:00 UTC' KBUILD_BUILD_VERSION=1
export KBUILD_BUILD_USER=kheaders KBUILD_BUILD_HOST=e2e
IMG=$CACHE/images
mkdir -p "$IMG/state" "$IMG/logs"
exec 8>"$IMG/.lock"
flock 8
[ "$FORCE" = 1 ] && rm -rf "$IMG/state" "$IMG/x86" "$IMG/arm64" "$IMG/obj-x86" "$IMG/obj-arm64" && mkdir -p "$IMG/state"

done_step() { [ -f "$IMG/state/$1" ]; }
mark_step() { : >"$IMG/state/$1"; }
timed() {
  local name=$1 t0=$SECONDS; shift
  log "$name ..."
  "$@"
  log "$name done in $((SECONDS - t0))s"
}
mk() {
  local logf=$IMG/logs/make-$(date +%s%N).log
  if ! LC_ALL=C nice -n 10 make -j"$JOBS" -C "$SRC" "$@" >"$logf" 2>&1; then
    tail -n 30 "$logf" >&2
    die "make $* failed (log: $logf)" "check the log"
  fi
}
want() { # obj option... : each CONFIG_X=y must be in obj/.config
  local obj=$1 o; shift
  for o in "$@"; do grep -qx "CONFIG_$o=y" "$obj/.config" || die "CONFIG_$o=y did not stick in $obj/.config" "check its dependencies in Kconfig"; done
}
keep() { # obj outdir image...: the image(s), the build's archive and .config
  local obj=$1 out=$2 f; shift 2
  mkdir -p "$out.tmp"
  for f in "$@"; do cp "$obj/$f" "$out.tmp/"; done
  cp "$obj/kernel/kheaders_data.tar.xz" "$obj/.config" "$out.tmp/"
  mv "$out.tmp/.config" "$out.tmp/config"
  rm -rf "$out"; mv "$out.tmp" "$out"
}

X86=$IMG/obj-x86
x86_config() {
  rm -rf "$X86"; mkdir -p "$X86"
  mk O="$X86" ARCH=x86_64 tinyconfig
  "$SRC/scripts/config" --file "$X86/.config" -e 64BIT -e SYSFS -e IKHEADERS -e IKCONFIG
  mk O="$X86" ARCH=x86_64 olddefconfig
  want "$X86" 64BIT SYSFS IKHEADERS IKCONFIG
}
x86_build() { # compressor
  local c=${1^^} o
  for o in GZIP BZIP2 LZMA XZ LZO LZ4 ZSTD; do "$SRC/scripts/config" --file "$X86/.config" -d "KERNEL_$o"; done
  "$SRC/scripts/config" --file "$X86/.config" -e "KERNEL_$c"
  mk O="$X86" ARCH=x86_64 olddefconfig
  want "$X86" "KERNEL_$c" IKHEADERS IKCONFIG
  # 6.1's gen_kheaders.sh leaves autoconf.h out of its change check (it counts
  # on include/config/*, which it no longer sees), so a config change keeps the
  # previous archive, with its stale autoconf.h: the embedded archive is still
  # the build's own (the test's oracle). The last build, whose objtree the
  # verify test uses, makes a fresh one; the others skip that minute of xz.
  [ "$1" = "${X86_COMPRESSORS[-1]}" ] && rm -f "$X86/kernel/kheaders.md5"
  mk O="$X86" ARCH=x86_64 bzImage
  keep "$X86" "$IMG/x86/$1" arch/x86/boot/bzImage
}

A64=$IMG/obj-arm64
A64MK=(O="$A64" ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-)
arm64_config() {
  rm -rf "$A64"; mkdir -p "$A64"
  mk "${A64MK[@]}" tinyconfig
  "$SRC/scripts/config" --file "$A64/.config" -e SYSFS -e IKHEADERS -e IKCONFIG -e EFI -e EFI_ZBOOT -e KERNEL_GZIP
  mk "${A64MK[@]}" olddefconfig
  want "$A64" SYSFS IKHEADERS IKCONFIG EFI EFI_ZBOOT KERNEL_GZIP
}
arm64_build() {
  local s t
  # One boot target at a time: each one's sub-make would rebuild boot/Image in parallel.
  mk "${A64MK[@]}" Image
  for t in vmlinuz.efi "${ARM64_SUFFIXES[@]/#/Image.}"; do mk "${A64MK[@]}" "$t"; done
  local files=(arch/arm64/boot/Image arch/arm64/boot/vmlinuz.efi)
  for s in "${ARM64_SUFFIXES[@]}"; do files+=("arch/arm64/boot/Image.$s"); done
  keep "$A64" "$IMG/arm64" "${files[@]}"
}
# Android boot images around Image.lz4 and Image.gz with Debian's mkbootimg
# (AOSP's tool, stops at header v2; the tests write v3/v4 themselves).
android() {
  local d=$IMG/arm64 tmp k v
  tmp=$(mktemp -d "$IMG/android.XXXXXX")
  printf 'kheaders-e2e ramdisk\n' >"$tmp/ramdisk"
  printf 'kheaders-e2e dtb\n' >"$tmp/dtb"
  for k in lz4 gz; do
    mkbootimg --header_version 0 --pagesize 2048 --kernel "$d/Image.$k" --ramdisk "$tmp/ramdisk" \
      --cmdline 'console=ttyAMA0' --os_version 12.0.0 --os_patch_level 2024-01 -o "$tmp/boot-v0-$k.img"
    mkbootimg --header_version 2 --pagesize 4096 --kernel "$d/Image.$k" --ramdisk "$tmp/ramdisk" --dtb "$tmp/dtb" \
      --cmdline 'console=ttyAMA0' --os_version 12.0.0 --os_patch_level 2024-01 -o "$tmp/boot-v2-$k.img"
  done
  for v in v0 v2; do for k in lz4 gz; do mv "$tmp/boot-$v-$k.img" "$d/"; done; done
  rm -rf "$tmp"
}

T_ALL=$SECONDS
done_step x86-config || { timed "x86_64 tinyconfig + IKHEADERS=y IKCONFIG=y" x86_config; mark_step x86-config; }
for c in "${X86_COMPRESSORS[@]}"; do
  done_step "x86-$c" && [ -s "$IMG/x86/$c/bzImage" ] || { timed "x86_64 bzImage ($c)" x86_build "$c"; mark_step "x86-$c"; }
done
if [ "$ARM64" = 1 ]; then
  done_step arm64-config || { timed "arm64 tinyconfig + IKHEADERS=y IKCONFIG=y EFI_ZBOOT" arm64_config; mark_step arm64-config; }
  done_step arm64 && [ -s "$IMG/arm64/Image" ] || { timed "arm64 Image, Image.* and vmlinuz.efi" arm64_build; mark_step arm64; }
  done_step android && [ -s "$IMG/arm64/boot-v2-gz.img" ] || { timed "Android boot images (mkbootimg)" android; mark_step android; }
fi
log "all done in $((SECONDS - T_ALL))s"
echo "srctree=$SRC"
echo "images=$IMG"
