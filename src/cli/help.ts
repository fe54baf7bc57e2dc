/** The CLI's usage text. */
export const USAGE = `kheaders: build, fetch, cache and verify the kernel's kheaders_data.tar.xz

Usage:
  kheaders build   --source DIR [--objtree DIR] [--arch SRCARCH] [--config FILE|TARGET]
                   [--mtime DATE] [--compression compat|fast] [--threads N] [--output FILE.tar.xz]
                   [--cache-dir DIR | --no-cache]
  kheaders key     [same tree and pack flags as build]      print the md5 the cache key ends in
  kheaders verify  --archive FILE.tar.xz --source DIR [--objtree DIR] [--arch SRCARCH]
                   [--config FILE] [--strict] [--json FILE] [--markdown FILE]
  kheaders extract --from running|FILE|URL [--archive FILE.tar.xz] [--output DIR]
                   [--sha256 HEX | --md5 HEX] [--force]

build:
  --source DIR        kernel source tree (without it: an embedded sample tree, and it says so)
  --objtree DIR       object tree of an O= build (generated headers live there)
  --arch A            SRCARCH (x86, arm64, riscv, ...) or machine name (x86_64, aarch64, ...); default: host
  --config C          a .config file or a make target (defconfig, x86_64_defconfig, tinyconfig);
                      runs make olddefconfig|C and make prepare, only when needed
  --mtime DATE        '2024-01-01 00:00:00 UTC', @1704067200, or date(1) output;
                      default KBUILD_BUILD_TIMESTAMP, then SOURCE_DATE_EPOCH, then @0
  --compression M     compat (default): xz -6, one thread, byte-identical to the kernel's script
                      fast: multithreaded xz -1, same tar inside, bytes independent of --threads
  --threads N         worker threads for fast mode (default: all cores, at least 2)
  --output FILE       where to write (default ./kheaders_data.tar.xz); written atomically
  --cache-dir DIR     local cache (default $XDG_CACHE_HOME/kheaders or ~/.cache/kheaders)
  --no-cache          always build, never store
  --variant RULES     state the script's rules instead of reading them (docs/fidelity.md), e.g.
                      copy=cpio,objwins=no,sort=list,mode=no,owner=builder,mtime=files
  --strict-variant    refuse to build when the tree's script has constructs we do not model
verify:               exit 0 match, 1 mismatch; one summary line at the end
  --strict            also compare metadata and rebuild to check reproducibility
  --json F, --markdown F   write reports (schema: docs/verify.md)
extract:
  --from S            running (this kernel), a .tar.xz, kheaders.ko[.xz|.gz|.zst], kheaders.o,
                      vmlinux, or an http(s) URL (template with {arch}, {release})
  --archive FILE      save the raw .tar.xz as found
  --output DIR        extract here (default \${TMPDIR:-/tmp}/kheaders-<release>, where bcc looks)
  --sha256/--md5 HEX  checked before anything is written
  --force             replace a non-empty --output directory
common: -v/--verbose, -h/--help
Exit codes: 0 success, 1 mismatch or failure, 2 usage or input error, 130 interrupted.`;
