#!/usr/bin/env bash
# Shared helpers for the ownbuf host scripts: where caches live, how to log,
# and which kernels we target. Sourced, never run.

OWNBUF_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OWNBUF_CACHE=${OWNBUF_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ownbuf}
OWNBUF_BUILD=${OWNBUF_BUILD:-$OWNBUF_TOP/build}
export OWNBUF_TOP OWNBUF_CACHE OWNBUF_BUILD

# Every kernel a full check covers, in the order it runs them. "newest" is
# the newest kernel Debian ships (sid's cloud kernel), whose headers need a
# newer toolchain than the host's: the module is built for it in a sid chroot.
# shellcheck disable=SC2034 # used by the scripts that source this file
OWNBUF_KERNELS=(debug 6.12 6.1 newest)

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# The Debian meta-packages that name each stock kernel; apt resolves them to
# the newest ABI the archive has, so the cache key follows the archive.
stock_meta_image() {
	case "$1" in
	6.12) echo linux-image-6.12-cloud-amd64 ;;
	6.1) echo linux-image-cloud-amd64 ;;
	*) die "no stock kernel called '$1'" ;;
	esac
}

# Resolve a meta-package to the versioned package it depends on.
# The answer only changes with the package lists, so it is kept under a
# hash of their names, sizes and times (ROOT: a chroot's lists instead).
# PATTERN picks the dependency (default: the first).
resolve_dep() {
	local meta=$1 pattern=${2:-.} root=${3:-} key file answer
	key=$(find "$root/var/lib/apt/lists/" -maxdepth 1 -type f -printf '%f %s %T@\n' 2>/dev/null |
		sort | sha256sum | cut -c1-16)
	file="$OWNBUF_CACHE/resolved/$meta${root:+-chroot}-$key"
	if [ -s "$file" ]; then
		cat "$file"
		return
	fi
	if [ -n "$root" ]; then
		answer=$(chroot_run "$root" "" apt-cache depends "$meta" 2>/dev/null |
			awk -v p="$pattern" '/^  Depends: / && $2 ~ p { print $2; exit }')
	else
		answer=$(apt-cache depends "$meta" 2>/dev/null |
			awk -v p="$pattern" '/^  Depends: / && $2 ~ p { print $2; exit }')
	fi
	[ -n "$answer" ] || return 0
	mkdir -p "${file%/*}"
	rm -f "$OWNBUF_CACHE/resolved/$meta${root:+-chroot}-"????????????????
	echo "$answer" >"$file"
	echo "$answer"
}

# The directory holding everything about one stock kernel, once fetched.
stock_dir() { echo "$OWNBUF_CACHE/stock/$1"; }

# The root of the chroot whose toolchain builds modules for kernel $1, or
# nothing when the host's own toolchain does.
kernel_chroot() {
	case "$1" in
	debug) ;;
	*) cat "$(stock_dir "$1")/chroot" 2>/dev/null || true ;;
	esac
}

# chroot_run ROOT BIND CMD...: run CMD in the chroot at ROOT, in a private
# mount namespace with its own /proc (objtool and apt read it) and, unless
# BIND is empty, the host directory BIND mounted at /ownbuf/src. Nothing
# stays mounted when CMD is done, however it ends.
chroot_run() {
	local root=$1 bind=$2
	shift 2
	mkdir -p "$root/ownbuf/src"
	# shellcheck disable=SC2016 # expanded by the inner shell
	unshare --mount --pid --fork --propagation private -- sh -ec '
		root=$1 bind=$2
		shift 2
		mount -t proc proc "$root/proc"
		[ -z "$bind" ] || mount --bind "$bind" "$root/ownbuf/src"
		exec chroot "$root" env LC_ALL=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"' \
		sh "$root" "$bind" "$@"
}

# kernel_make KERNEL DIR ARGS...: make -C KDIR M=DIR ARGS for kernel KERNEL,
# with the toolchain it needs (the host's, or its chroot's with DIR seen
# there as /ownbuf/src).
kernel_make() {
	local kernel=$1 dir=$2 kdir root
	shift 2
	kdir=$(kernel_kdir "$kernel")
	root=$(kernel_chroot "$kernel")
	if [ -z "$root" ]; then
		make -C "$kdir" M="$dir" "$@"
	else
		chroot_run "$root" "$dir" make -C "$kdir" M=/ownbuf/src "$@"
	fi
}

# KDIR for building the module against kernel $1 (inside its chroot, if any).
kernel_kdir() {
	case "$1" in
	debug) echo "$OWNBUF_CACHE/debug/current/build" ;;
	*) cat "$(stock_dir "$1")/kdir" ;;
	esac
}

# The bootable image of kernel $1.
kernel_image() {
	case "$1" in
	debug) echo "$OWNBUF_CACHE/debug/current/bzImage" ;;
	*) cat "$(stock_dir "$1")/vmlinuz" ;;
	esac
}

# The unpacked linux-source-6.12 tree (kselftest harness, kunit.py, checkpatch).
kernel_source() { cat "$OWNBUF_CACHE/source/current"; }

# build_bench: tests/bench/ownbuf_bench for the guests, in $OWNBUF_BUILD/bench-bin,
# with the ftrace breakdown's script (make bench runs them whole; make check
# runs the benchmark once with --tiny so that it cannot rot).
build_bench() {
	mkdir -p "$OWNBUF_BUILD/bench-bin"
	log "building ownbuf_bench"
	gcc -O2 -Wall -Wextra -Werror -static -I "$OWNBUF_TOP/include/uapi" \
		-o "$OWNBUF_BUILD/bench-bin/ownbuf_bench" "$OWNBUF_TOP/tests/bench/ownbuf_bench.c"
	install -m 0755 "$OWNBUF_TOP/scripts/guest/breakdown.sh" "$OWNBUF_BUILD/bench-bin/"
}

# tree_hash PATH...: one hash of the names and contents of the project's
# files under PATH... (relative to the top; what git would track, so build
# products never count), for keying a result by exactly what went into it.
tree_hash() {
	# A deleted but still indexed file is simply absent.
	# shellcheck disable=SC2016 # expanded by the inner shell
	local present='for f; do [ ! -f "$f" ] || printf "%s\0" "$f"; done'
	(
		cd "$OWNBUF_TOP" || exit 1
		if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
			git ls-files -z --cached --others --exclude-standard -- "$@"
		else
			find "$@" -type f -print0
		fi | LC_ALL=C sort -zu | xargs -0 -r sh -c "$present" sh | xargs -0 -r sha256sum
	) | sha256sum | cut -d' ' -f1
}

# step_note TEXT: tell check.sh's step table something about this step
# (that it reused a result, and under which key).
step_note() {
	[ -z "${OWNBUF_STEP_NOTE:-}" ] || printf '%s\n' "$*" >"$OWNBUF_STEP_NOTE"
}

# cached_run NAME KEY CMD...: run CMD, or, when CMD already succeeded under
# this KEY (a hash of everything CMD reads), print what it printed then
# and succeed without running it. Only successes are kept, the newest few
# per NAME; OWNBUF_NO_REUSE=1 runs CMD whatever is kept.
cached_run() {
	local name=$1 key=$2 dir rc=0
	shift 2
	dir="$OWNBUF_CACHE/results/$name"
	if [ -z "${OWNBUF_NO_REUSE:-}" ] && [ -f "$dir/$key" ]; then
		step_note "reused: inputs unchanged since it passed (key $key)"
		cat "$dir/$key"
		return 0
	fi
	mkdir -p "$dir"
	"$@" >"$dir/.out.$$" 2>&1 || rc=$?
	cat "$dir/.out.$$"
	if [ "$rc" -ne 0 ]; then
		rm -f "$dir/.out.$$"
		return "$rc"
	fi
	mv "$dir/.out.$$" "$dir/$key"
	find "$dir" -maxdepth 1 -type f ! -name '.*' -printf '%T@ %p\n' | sort -rn |
		tail -n +9 | cut -d' ' -f2- | xargs -r rm -f
}

# guest_build KERNEL: what a guest run of the tests needs, built or reused:
# packages and kernels, the debug kernel when KERNEL is debug, the module
# for KERNEL, the selftests (the stress among them) and the tools.
guest_build() {
	"$OWNBUF_TOP/scripts/deps.sh" all
	[ "$1" != debug ] || "$OWNBUF_TOP/scripts/build-debug-kernel.sh"
	"$OWNBUF_TOP/scripts/build-module.sh" "$1"
	"$OWNBUF_TOP/scripts/build-selftests.sh"
	"$OWNBUF_TOP/scripts/build-tools.sh"
}

# seed_or_fresh SEED: SEED when given, else a fresh 64-bit one.
seed_or_fresh() {
	if [ -n "$1" ]; then
		echo "$1"
	else
		od -An -N8 -tu8 /dev/urandom | tr -d ' '
	fi
}
