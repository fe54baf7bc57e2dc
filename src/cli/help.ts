import type { Command } from '../core/index.js';

/** The CLI's usage text: every command in one screen. */
export const USAGE = `kheaders: build, fetch, cache, verify and compare the kernel's kheaders_data.tar.xz

Usage:
  kheaders build   --source DIR [--objtree DIR] [--config FILE|TARGET] [--output FILE]   make the archive
  kheaders key     --source DIR [same tree and pack flags as build]                     the cache key's md5
  kheaders verify  --archive FILE --source DIR [--objtree DIR] [--strict]               check it against a tree
  kheaders extract --from running|FILE|PACKAGE|URL [--output DIR]                       get and unpack it
  kheaders diff    A.tar.xz B.tar.xz                                                     compare two archives

  kheaders COMMAND --help   the options and examples of one command
  kheaders --version

Exit codes: 0 success, 1 mismatch or failure, 2 usage or input error, 130/143 interrupted.`;

const TREE = `  --source DIR        kernel source tree (build without it: an embedded sample tree, and it says so)
  --objtree DIR       object tree of an O= build (generated headers live there)
  --arch A            SRCARCH (x86, arm64, riscv, ...) or machine name (x86_64, aarch64, ...); default: host
  --config C          a .config file or a make target (defconfig, x86_64_defconfig, tinyconfig);
                      runs make olddefconfig|C and make prepare, only when needed
  --variant RULES     state the script's rules instead of reading them (docs/fidelity.md), e.g.
                      copy=cpio,objwins=no,sort=list,mode=no,owner=builder,mtime=files`;

const PACK = `  --mtime DATE        '2024-01-01 00:00:00 UTC', @1704067200, or date(1) output;
                      default KBUILD_BUILD_TIMESTAMP, then SOURCE_DATE_EPOCH, then @0
  --compression M     compat (default): xz -6, one thread, byte-identical to the kernel's script
                      fast: multithreaded xz -1, same tar inside, bytes independent of --threads
                      none: the plain tar, as the kernel's script makes it before xz
  --plain-tar         the same as --compression none
  --threads N         worker threads for fast mode (default: all cores, at least 2)`;

const LIMITS = `  --max-entry-size S  largest member (default 32M); --max-size S: largest tar and input (default 1G)
  --max-entries N     most members (default 200000); raise these only for an archive you trust`;

const COMMON = '  -v, --verbose       the rules read from the script, every key input, debug lines\n  -h, --help          this text';

/** Each command's own --help, with examples. */
export const COMMAND_HELP: Record<Command, string> = {
  build: `kheaders build: make kheaders_data.tar.xz for a kernel tree, as its own kernel/gen_kheaders.sh would

${TREE}
${PACK}
  --output FILE       where to write (default ./kheaders_data.tar.xz); written atomically
  --cache-dir DIR     local cache (default $XDG_CACHE_HOME/kheaders or ~/.cache/kheaders)
  --no-cache          always build, never store
  --strict-variant    refuse to build when the tree's script has constructs we do not model
${COMMON}

It prints the claim: byte-identical, content-identical (naming the fields that cannot match), or unknown.

Examples:
  kheaders build --source ~/linux --objtree ~/linux/out -o kheaders_data.tar.xz
  kheaders build --source . --config x86_64_defconfig --mtime '2024-01-01 00:00:00 UTC'
  kheaders build                      # the embedded sample tree`,
  key: `kheaders key: print the md5 the cache key ends in, without running make

${TREE}
${PACK}
${COMMON}

Examples:
  kheaders key --source ~/linux --config defconfig
  kheaders key -v --source ~/linux    # also every key input, to see why a key changed`,
  verify: `kheaders verify: does this archive hold what this tree (and config) produces?

  --archive FILE      the .tar.xz to check, or anything extract --from reads from a file: a kernel
                      image as it ships (its embedded config is checked too), kheaders.ko, vmlinux
${TREE}
                      (an in-tree build's generated headers and .config are checked without --objtree)
  --strict            also compare metadata and rebuild to check reproducibility
  --json F, --markdown F   write reports (schema: docs/verify.md)
${LIMITS}
${COMMON}

Exit 0 match, 1 mismatch; the last line is the verdict.

Examples:
  kheaders verify --archive /sys/kernel/kheaders.tar.xz --source ~/linux --objtree ~/linux/out
  kheaders verify --archive vendor.tar.xz --source . --strict --json report.json
  kheaders verify --archive arch/x86/boot/bzImage --source ~/linux --objtree ~/linux/out`,
  extract: `kheaders extract: find an archive, check it, save and/or unpack it

  --from S            running (this kernel: sysfs, else its installed kheaders.ko, else modprobe
                      as root or with sudo -n), a .tar.xz, kheaders.ko[.xz|.gz|.zst], kheaders.o,
                      vmlinux, a kernel image as it ships (bzImage/vmlinuz, Image, Image.gz/.bz2/
                      .lz4/.lzma/.lzo/.zst, vmlinuz.efi, Android boot.img), a .deb/.rpm/.pkg.tar.zst
                      kernel package, or an http(s) URL (template with {key}, {arch}, {release})
  --config-out FILE   also save the .config a kernel image embeds (CONFIG_IKCONFIG)
  --archive FILE      save the raw .tar.xz as found
  --output DIR        extract here (default \${TMPDIR:-/tmp}/kheaders-<release>, where bcc looks);
                      a directory already holding this archive is kept
  --sha256/--md5 HEX  checked before anything is written
  --force             replace a non-empty --output directory, even one holding this archive
  --release R         the kernel to take from a package that holds several; also {release} in a URL
  --key MD5           {key} in a URL template (kheaders key prints it)
  --timeout S         the deadline of a download, retries included (default 300 s)
  --arch A            {arch} in a URL template
${LIMITS}
${COMMON}

Examples:
  kheaders extract --from running
  kheaders extract --from linux-modules-6.8.0-31-generic_6.8.0-31.31_amd64.deb
  kheaders extract --from boot.img --archive kheaders.tar.xz --config-out kernel.config
  kheaders extract --from 'https://example.com/kheaders/{key}.tar.xz' --key "$(kheaders key --source .)" --sha256 HEX`,
  diff: `kheaders diff: compare two archives, member by member, and their xz containers

  A.tar.xz B.tar.xz   the two archives
  --json F, --markdown F   write reports (schema: docs/diff.md)
${LIMITS}
${COMMON}

Exit 0 byte-identical, 1 any difference; the last line is the verdict, naming a known cause.

Examples:
  kheaders diff vendor/kheaders_data.tar.xz ours/kheaders_data.tar.xz
  kheaders diff 6.1.191.tar.xz 6.1.192.tar.xz --markdown diff.md`,
};
