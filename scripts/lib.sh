#!/usr/bin/env bash
# Shared helpers for the ownbuf host scripts: where caches live, how to log,
# and which kernels we target. Sourced, never run.

OWNBUF_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OWNBUF_CACHE=${OWNBUF_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ownbuf}
OWNBUF_BUILD=${OWNBUF_BUILD:-$OWNBUF_TOP/build}
export OWNBUF_TOP OWNBUF_CACHE OWNBUF_BUILD

# Every kernel a full check covers, in the order it runs them.
# shellcheck disable=SC2034 # used by the scripts that source this file
OWNBUF_KERNELS=(debug 6.12 6.1)

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
resolve_dep() {
	apt-cache depends "$1" 2>/dev/null |
		awk '/^  Depends: / { print $2; exit }'
}

# The directory holding everything about one stock kernel, once fetched.
stock_dir() { echo "$OWNBUF_CACHE/stock/$1"; }

# KDIR for building the module against kernel $1.
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
