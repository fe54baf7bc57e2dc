#!/usr/bin/env bash
# Prepare a real Debian linux-source-6.1 tree (in-tree and O= builds) in a
# cache dir for the end-to-end tests and the benchmark. Idempotent: finished
# steps are skipped on re-runs.
#
# Usage: scripts/kernel-tree.sh [--no-objtree] [--arm64] [--reference TIMESTAMP] [--force]
#   --no-objtree          skip the O= (separate objtree) variant
#   --arm64               also an O= objtree cross-configured for arm64
#                         (defconfig + IKHEADERS=m, gcc-aarch64-linux-gnu)
#   --reference TS        also produce the kernel's own kheaders_data.tar.xz
#                         with KBUILD_BUILD_TIMESTAMP=TS (cached per TS)
#   --force               redo every step from the extracted source on
# Env: KHEADERS_E2E_CACHE (default ~/.cache/kheaders-e2e), KHEADERS_E2E_JOBS (2)
#
# stdout (key=value lines, the last one is the tree path):
#   cache=DIR         the cache; hold `flock DIR/.lock` while using the trees
#   srctree=DIR       pristine source, used as --source for the O= build
#   objtree=DIR       O= objtree (unless --no-objtree)
#   objtree_arm64=DIR arm64 O= objtree (with --arm64; CROSS_COMPILE=aarch64-linux-gnu-)
#   ref=FILE          reference archive of the in-tree build (with --reference)
#   ref_objtree=FILE  reference archive of the O= build (with --reference)
#   tree=DIR          configured and prepared in-tree build
# Progress and step timings go to stderr.
set -euo pipefail

PKG=linux-source-6.1
CACHE=${KHEADERS_E2E_CACHE:-$HOME/.cache/kheaders-e2e}
JOBS=${KHEADERS_E2E_JOBS:-2}
WANT_OBJ=1
WANT_ARM64=0
REF_TS=
FORCE=0

die() { printf 'kernel-tree: error: %s\n' "$1" >&2; [ -n "${2:-}" ] && printf 'kernel-tree: fix: %s\n' "$2" >&2; exit 1; }
log() { printf 'kernel-tree: %s\n' "$*" >&2; }

while [ $# -gt 0 ]; do
  case $1 in
    --no-objtree) WANT_OBJ=0 ;;
    --arm64) WANT_ARM64=1 ;;
    --reference) [ $# -ge 2 ] || die "--reference needs a timestamp" "pass e.g. --reference '2024-01-01 00:00:00 UTC'"
                 REF_TS=$2; shift ;;
    --force) FORCE=1 ;;
    -h|--help) sed -n '2,24p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument: $1" "see $0 --help" ;;
  esac
  shift
done

# Tools needed by extraction, make prepare (x86_64_defconfig: objtool needs
# libelf, timeconst.h needs bc) and gen_kheaders.sh (cpio, perl, xz).
check_deps() {
  local missing=() pair cmd pkg
  for pair in flex:flex bison:bison bc:bc gcc:gcc make:make perl:perl cpio:cpio \
              xz:xz-utils tar:tar md5sum:coreutils flock:util-linux dpkg-deb:dpkg; do
    cmd=${pair%%:*}; pkg=${pair#*:}
    command -v "$cmd" >/dev/null 2>&1 || missing+=("$pkg")
  done
  [ -f /usr/include/libelf.h ] || missing+=(libelf-dev)
  [ -f /usr/include/stdio.h ] || missing+=(libc6-dev)
  if [ ${#missing[@]} -gt 0 ]; then
    die "missing build dependencies: ${missing[*]}" \
        "apt-get update && apt-get install -y ${missing[*]}"
  fi
}

# Run a step and report its wall time.
timed() {
  local name=$1; shift
  local t0=$SECONDS
  log "$name ..."
  "$@"
  log "$name done in $((SECONDS - t0))s"
}

# Quiet make: full log kept in the cache, tail shown on failure.
mk() {
  local logf=$CACHE/logs/make-$(date +%s%N).log
  if ! LC_ALL=C make "$@" >"$logf" 2>&1; then
    tail -n 30 "$logf" >&2
    die "make $* failed (log: $logf)" "check the log; missing tools are usually flex, bison, bc, libelf-dev"
  fi
}

check_deps
mkdir -p "$CACHE/debs" "$CACHE/state" "$CACHE/logs" "$CACHE/ref"
exec 9>"$CACHE/.lock"
flock 9

SRC=$CACHE/src/$PKG
TREE=$CACHE/tree/$PKG
OBJ=$CACHE/obj
OBJ_ARM64=$CACHE/obj-arm64
ARM64=(ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-)
done_step() { [ "$FORCE" = 0 ] && [ -f "$CACHE/state/$1" ] && [ "$(cat "$CACHE/state/$1")" = "$DEB_ID" ]; }
mark_step() { printf '%s\n' "$DEB_ID" >"$CACHE/state/$1"; }

find_deb() {
  local f found=()
  for f in "$CACHE"/debs/"${PKG}"_*_all.deb; do [ -f "$f" ] && found+=("$f"); done
  [ ${#found[@]} -eq 0 ] || printf '%s\n' "${found[@]}" | sort -V | tail -n 1
}

download() {
  command -v apt-get >/dev/null || die "apt-get not found" "run on Debian/Ubuntu or put ${PKG}_*_all.deb into $CACHE/debs"
  (cd "$CACHE/debs" && apt-get download "$PKG" >&2) ||
    die "apt-get download $PKG failed" "run 'apt-get update' first (the package is in Debian 12 main)"
}

extract() {
  local tmp=$CACHE/src.tmp
  rm -rf "$tmp" "$CACHE/src"
  mkdir -p "$tmp"
  dpkg-deb --fsys-tarfile "$DEB" | tar -xO "./usr/src/$PKG.tar.xz" | tar -xJ -C "$tmp"
  [ -f "$tmp/$PKG/Makefile" ] || die "unexpected layout in $DEB" "delete $CACHE/debs and re-run"
  mv "$tmp" "$CACHE/src"
}

copy_tree() {
  rm -rf "$CACHE/tree.tmp" "$CACHE/tree"
  mkdir -p "$CACHE/tree.tmp"
  cp -a "$SRC" "$CACHE/tree.tmp/"
  mv "$CACHE/tree.tmp" "$CACHE/tree"
}

configure_tree() {
  mk -C "$TREE" x86_64_defconfig
  "$TREE/scripts/config" --file "$TREE/.config" -m IKHEADERS
  mk -C "$TREE" olddefconfig
  grep -qx 'CONFIG_IKHEADERS=m' "$TREE/.config" || die "CONFIG_IKHEADERS=m did not stick in $TREE/.config" "re-run with --force"
}

configure_obj() {
  rm -rf "$OBJ"
  mkdir -p "$OBJ"
  mk -C "$SRC" O="$OBJ" x86_64_defconfig
  "$SRC/scripts/config" --file "$OBJ/.config" -m IKHEADERS
  mk -C "$SRC" O="$OBJ" olddefconfig
  grep -qx 'CONFIG_IKHEADERS=m' "$OBJ/.config" || die "CONFIG_IKHEADERS=m did not stick in $OBJ/.config" "re-run with --force"
}

configure_arm64() {
  command -v aarch64-linux-gnu-gcc >/dev/null || die "aarch64-linux-gnu-gcc not found" "apt-get install -y gcc-aarch64-linux-gnu"
  rm -rf "$OBJ_ARM64"
  mkdir -p "$OBJ_ARM64"
  mk -C "$SRC" O="$OBJ_ARM64" "${ARM64[@]}" defconfig
  "$SRC/scripts/config" --file "$OBJ_ARM64/.config" -m IKHEADERS
  mk -C "$SRC" O="$OBJ_ARM64" "${ARM64[@]}" olddefconfig
  grep -qx 'CONFIG_IKHEADERS=m' "$OBJ_ARM64/.config" || die "CONFIG_IKHEADERS=m did not stick in $OBJ_ARM64/.config" "re-run with --force"
}

# The kernel's own archive via its make rule (kheaders.o depends on it).
# Removing the md5 stamp and archive forces gen_kheaders.sh to regenerate.
make_ref() {
  local out=$1; shift
  local objdir=$1; shift
  rm -f "$objdir/kernel/kheaders.md5" "$objdir/kernel/kheaders_data.tar.xz"
  env -u XZ_OPT -u XZ_DEFAULTS -u TAR_OPTIONS KBUILD_BUILD_TIMESTAMP="$REF_TS" \
    LC_ALL=C make -j"$JOBS" "$@" KBUILD_BUILD_TIMESTAMP="$REF_TS" kernel/kheaders.o \
    >"$CACHE/logs/ref.log" 2>&1 || { tail -n 30 "$CACHE/logs/ref.log" >&2; die "reference build failed" "see $CACHE/logs/ref.log"; }
  [ -s "$objdir/kernel/kheaders_data.tar.xz" ] || die "make did not produce $objdir/kernel/kheaders_data.tar.xz" "see $CACHE/logs/ref.log"
  cp "$objdir/kernel/kheaders_data.tar.xz" "$out.tmp"
  mv "$out.tmp" "$out"
}

T_ALL=$SECONDS
DEB=$(find_deb)
[ -n "$DEB" ] || timed "apt-get download $PKG" download
DEB=$(find_deb)
[ -n "$DEB" ] || die "no ${PKG}_*_all.deb in $CACHE/debs after download" "run 'apt-get update' and retry"
DEB_ID=$(basename "$DEB")
log "using $DEB_ID (cache $CACHE)"

if [ "$FORCE" = 1 ] || ! done_step extract || [ ! -f "$SRC/Makefile" ]; then
  rm -f "$CACHE"/state/*
  rm -rf "$CACHE/ref"; mkdir -p "$CACHE/ref"
  timed "extract source" extract
  mark_step extract
fi
if ! done_step tree || [ ! -f "$TREE/Makefile" ]; then
  rm -f "$CACHE/state/tree-config" "$CACHE/state/tree-prepare"
  timed "copy in-tree build dir" copy_tree
  mark_step tree
fi
if ! done_step tree-config; then
  timed "configure in-tree (x86_64_defconfig + IKHEADERS=m)" configure_tree
  mark_step tree-config
fi
if ! done_step tree-prepare; then
  timed "make -j$JOBS prepare (in-tree)" mk -C "$TREE" -j"$JOBS" prepare
  mark_step tree-prepare
fi
if [ "$WANT_OBJ" = 1 ]; then
  if ! done_step obj-config || [ ! -f "$OBJ/.config" ]; then
    rm -f "$CACHE/state/obj-prepare"
    timed "configure O= objtree" configure_obj
    mark_step obj-config
  fi
  if ! done_step obj-prepare; then
    timed "make -j$JOBS prepare (O=)" mk -C "$SRC" O="$OBJ" -j"$JOBS" prepare
    mark_step obj-prepare
  fi
fi

if [ "$WANT_ARM64" = 1 ]; then
  if ! done_step arm64-config || [ ! -f "$OBJ_ARM64/.config" ]; then
    rm -f "$CACHE/state/arm64-prepare"
    timed "configure arm64 O= objtree" configure_arm64
    mark_step arm64-config
  fi
  if ! done_step arm64-prepare; then
    timed "make -j$JOBS prepare (arm64 O=)" mk -C "$SRC" O="$OBJ_ARM64" "${ARM64[@]}" -j"$JOBS" prepare
    mark_step arm64-prepare
  fi
fi

if [ -n "$REF_TS" ]; then
  key=$(printf '%s' "$REF_TS" | md5sum | cut -c1-16)
  rdir=$CACHE/ref/${DEB_ID%.deb}/$key
  mkdir -p "$rdir"
  printf '%s\n' "$REF_TS" >"$rdir/timestamp"
  [ -s "$rdir/tree.tar.xz" ] || timed "reference archive (in-tree)" make_ref "$rdir/tree.tar.xz" "$TREE" -C "$TREE"
  if [ "$WANT_OBJ" = 1 ] && [ ! -s "$rdir/objtree.tar.xz" ]; then
    timed "reference archive (O=)" make_ref "$rdir/objtree.tar.xz" "$OBJ" -C "$SRC" O="$OBJ"
  fi
fi

log "all done in $((SECONDS - T_ALL))s"
echo "cache=$CACHE"
echo "srctree=$SRC"
[ "$WANT_OBJ" = 1 ] && echo "objtree=$OBJ"
[ "$WANT_ARM64" = 1 ] && echo "objtree_arm64=$OBJ_ARM64"
if [ -n "$REF_TS" ]; then
  echo "ref=$rdir/tree.tar.xz"
  [ "$WANT_OBJ" = 1 ] && echo "ref_objtree=$rdir/objtree.tar.xz"
fi
echo "tree=$TREE"
