/** The CLI's usage text. */
export const USAGE = `kheaders: build, fetch, cache and verify the kernel's kheaders_data.tar.xz

Usage:
  kheaders build --source DIR [--objtree DIR] [--arch SRCARCH] [--config FILE|TARGET]
                 [--mtime DATE] [--compression compat|fast] [--threads N] [--output FILE.tar.xz]
  kheaders key   [same flags as build]          print the archive's md5 cache key
  kheaders verify --archive FILE.tar.xz --source DIR [--objtree DIR] [--strict] [--json F] [--markdown F]
  kheaders extract --from running|FILE|URL [--archive FILE.tar.xz] [--output DIR] [--sha256 HEX|--md5 HEX]

build options:
  --source DIR        kernel source tree (without it, build uses an embedded sample tree)
  --objtree DIR       object tree of an O= build (generated headers live there)
  --arch A            SRCARCH (x86, arm64, riscv, ...) or machine name (x86_64, aarch64, ...); default: host
  --config C          a .config file or a make target (defconfig, x86_64_defconfig, tinyconfig);
                      runs make olddefconfig|C and make prepare when needed
  --mtime DATE        archive timestamp: '2024-01-01 00:00:00 UTC', @1704067200, or date(1) output;
                      default KBUILD_BUILD_TIMESTAMP, then SOURCE_DATE_EPOCH, then @0
  --compression M     compat (default): xz -6, one thread, byte-identical to the kernel's script
                      fast: multithreaded xz -1, same tar inside, bytes independent of --threads
  --threads N         worker threads for fast mode (default: all cores, at least 2)
  --output FILE       where to write (default ./kheaders_data.tar.xz); written atomically
  --cache-dir DIR     local cache (default $XDG_CACHE_HOME/kheaders); --no-cache disables it
  -v, --verbose       debug output
Exit codes: 0 success, 1 mismatch or build failure, 2 usage or input error, 130 interrupted.`;
