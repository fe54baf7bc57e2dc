#!/usr/bin/env bash
# Cross-compile node-liblzma's own C++ sources (from node_modules, unchanged)
# for linux-arm64 with Debian's aarch64 cross toolchain, against Node's
# headers and node-addon-api, with Debian's liblzma linked statically and
# thread support on (ENABLE_THREAD_SUPPORT, as in the upstream linux-x64
# prebuild).
#
# Usage: scripts/build-arm64-addon.sh [--no-install] [--out FILE]
#   --no-install   never run apt-get; fail if a tool or library is missing
#   --out FILE     output (default vendor/prebuilds/linux-arm64/node-liblzma.node)
# Needs root for the apt-get step (dpkg --add-architecture arm64).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=$ROOT/vendor/prebuilds/linux-arm64/node-liblzma.node
INSTALL=1
while [ $# -gt 0 ]; do
  case $1 in
    --no-install) INSTALL=0 ;;
    --out) OUT=$2; shift ;;
    *) echo "build-arm64-addon: error: unknown option $1; fix: see the usage at the top of this script" >&2; exit 2 ;;
  esac
  shift
done

die() { printf 'build-arm64-addon: error: %s\nbuild-arm64-addon: fix: %s\n' "$1" "$2" >&2; exit 1; }

CXX=aarch64-linux-gnu-g++
STRIP=aarch64-linux-gnu-strip
LZMA_A=/usr/lib/aarch64-linux-gnu/liblzma.a
LZMA_H=/usr/include/lzma.h

# 1. Toolchain and arm64 liblzma from Debian (idempotent).
if ! command -v "$CXX" >/dev/null || [ ! -f "$LZMA_A" ]; then
  [ "$INSTALL" = 1 ] || die "$CXX or $LZMA_A is missing" \
    "run without --no-install (as root), or apt-get install g++-aarch64-linux-gnu liblzma-dev:arm64"
  [ "$(id -u)" = 0 ] || die "installing the cross toolchain needs root" "run this script as root (or sudo)"
  dpkg --print-foreign-architectures | grep -qx arm64 || dpkg --add-architecture arm64
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    g++-aarch64-linux-gnu binutils-aarch64-linux-gnu liblzma-dev:arm64 >/dev/null
fi

# 2. Sources and headers (all local).
PKG=$ROOT/node_modules/node-liblzma
[ -d "$PKG/src/bindings" ] || die "$PKG/src/bindings not found" "run npm ci in $ROOT first"
NAPI_INC=$(cd "$PKG" && node -p "require('node-addon-api').include_dir" 2>/dev/null) ||
  die "node-addon-api is not resolvable from $PKG" "run npm ci in $ROOT first"
case $NAPI_INC in /*) ;; *) NAPI_INC=$PKG/$NAPI_INC ;; esac
NODE_INC=
for d in "$(dirname "$(dirname "$(node -p process.execPath)")")/include/node" /usr/include/node /usr/local/include/node; do
  if [ -f "$d/node_api.h" ] && [ -f "$d/node_buffer.h" ]; then NODE_INC=$d; break; fi
done
[ -n "$NODE_INC" ] || die "Node's C headers (node_api.h, node_buffer.h) not found" \
  "use a Node install that ships include/node (the official tarballs and Debian's nodejs do)"

LZMA_VER=$(sed -n 's/^#define LZMA_VERSION_\(MAJOR\|MINOR\|PATCH\) \([0-9]*\).*/\2/p' /usr/include/lzma/version.h | paste -sd.)
echo "build-arm64-addon: node-liblzma $(node -p "require('$PKG/package.json').version"), node-addon-api at $NAPI_INC," \
  "Node headers $NODE_INC, liblzma $LZMA_VER ($(dpkg-query -W -f='${Version}' liblzma-dev:arm64))" >&2

# 3. Compile and link (flags follow binding.gyp's Release build for Linux).
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
DEFS=(-DNODE_GYP_MODULE_NAME=node_lzma -DBUILDING_NODE_EXTENSION -DNAPI_DISABLE_CPP_EXCEPTIONS
  -DENABLE_THREAD_SUPPORT -DLZMA_API_STATIC -D_GLIBCXX_USE_CXX11_ABI=1
  -D_FILE_OFFSET_BITS=64 -D_LARGEFILE_SOURCE -D__STDC_FORMAT_MACROS)
FLAGS=(-fPIC -pthread -O3 -Wall -Wextra -Wno-unused-parameter -fno-rtti -fno-exceptions -std=gnu++17
  -fvisibility=hidden)
INCS=(-I"$NODE_INC" -I"$NAPI_INC" -I"$(dirname "$LZMA_H")")
OBJS=()
for src in "$PKG"/src/bindings/*.cpp; do
  obj=$TMP/$(basename "$src" .cpp).o
  "$CXX" "${DEFS[@]}" "${FLAGS[@]}" "${INCS[@]}" -c "$src" -o "$obj"
  OBJS+=("$obj")
done
# Static liblzma; --exclude-libs keeps its symbols out of the export table.
"$CXX" -shared -pthread -o "$TMP/node-liblzma.node" "${OBJS[@]}" \
  -Wl,--exclude-libs,ALL -Wl,-Bstatic "$LZMA_A" -Wl,-Bdynamic -Wl,-z,noexecstack -Wl,--as-needed
"$STRIP" --strip-unneeded "$TMP/node-liblzma.node"

# 4. Check: arm64, no runtime liblzma, the N-API entry point exported.
aarch64-linux-gnu-readelf -h "$TMP/node-liblzma.node" | grep -q 'Machine:.*AArch64' ||
  die "the output is not an AArch64 ELF" "check that $CXX is the aarch64 cross compiler"
if aarch64-linux-gnu-readelf -d "$TMP/node-liblzma.node" | grep -q 'NEEDED.*liblzma'; then
  die "the output still needs liblzma.so at run time" "check that $LZMA_A exists and is linked"
fi
aarch64-linux-gnu-readelf --dyn-syms -W "$TMP/node-liblzma.node" | grep -q ' napi_register_module_v1$' ||
  die "napi_register_module_v1 is not exported" "check the N-API headers in $NODE_INC"
if aarch64-linux-gnu-readelf --dyn-syms -W "$TMP/node-liblzma.node" | grep -q 'UND lzma_'; then
  die "liblzma symbols are unresolved" "link $LZMA_A"
fi

mkdir -p "$(dirname "$OUT")"
cp "$TMP/node-liblzma.node" "$OUT.tmp.$$"
mv "$OUT.tmp.$$" "$OUT"
# 5. License texts that go with the binary (node-liblzma is LGPL-3.0, which
# needs the GPL-3.0 text too; node-addon-api is MIT; liblzma is public domain).
LIC=$ROOT/vendor/prebuilds/licenses
mkdir -p "$LIC"
cp "$PKG/LICENSE" "$LIC/node-liblzma.LGPL-3.0.txt"
cp "$NAPI_INC/LICENSE.md" "$LIC/node-addon-api.MIT.md"
[ -f /usr/share/common-licenses/GPL-3 ] && cp /usr/share/common-licenses/GPL-3 "$LIC/GPL-3.0.txt"
[ -f /usr/share/doc/liblzma-dev/copyright ] && cp /usr/share/doc/liblzma-dev/copyright "$LIC/liblzma.copyright"
echo "build-arm64-addon: wrote $OUT ($(stat -c %s "$OUT") bytes)" >&2
