#!/usr/bin/env bash
# Make the initramfs for one guest: static busybox, the guest /init, the
# plan (check, demo, bench) and what the guest runs. By default that is the
# module built for KERNEL, the selftests and /bin/ownbufctl when built;
# OWNBUF_GUEST_FILES names a directory laid out as /lib/ownbuf is in the
# guest (ownbuf.ko, other *.ko with optional NAME.params, selftests/,
# last.sh) to use instead. OWNBUF_TESTS (a glob) goes to /etc/ownbuf/tests.
#
# The kernel unpacks concatenated cpio archives in order, so the image is
# three of them: busybox and /init, then the payload (selftests, tools),
# each kept under a hash of its contents and shared by every guest of a
# run, then a small one with this guest's module and plan.
# Usage: scripts/mkinitramfs.sh KERNEL PLAN OUTPUT
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

kernel=${1:?usage: $0 KERNEL PLAN OUTPUT}
plan=${2:?usage: $0 KERNEL PLAN OUTPUT}
output=${3:?usage: $0 KERNEL PLAN OUTPUT}

# busybox-static installs a static /bin/busybox: the guest has no libc.
busybox=/bin/busybox
[ -x "$busybox" ] || die "no static busybox: run scripts/deps.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cache="$OWNBUF_BUILD/initramfs"
mkdir -p "$cache"

# pack DIR OUT: DIR as a gzipped newc cpio archive, in a stable order.
pack() {
	(cd "$1" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) | gzip -1 >"$2"
}

# kept NAME KEY FILL: $cache/NAME-KEY.cpio.gz, made by FILL DIR if missing.
kept() {
	local name=$1 key=$2 fill=$3 root
	if [ ! -f "$cache/$name-$key.cpio.gz" ]; then
		find "$cache" -name "$name-*.cpio.gz" -mmin +60 -delete
		root="$tmp/$name"
		mkdir -p "$root"
		"$fill" "$root"
		# Guests of one run may make the same archive at once.
		pack "$root" "$cache/$name-$key.cpio.gz.$$"
		mv "$cache/$name-$key.cpio.gz.$$" "$cache/$name-$key.cpio.gz"
	fi
	echo "$cache/$name-$key.cpio.gz"
}

fill_base() {
	local root=$1 applet
	mkdir -p "$root"/{bin,sbin,etc/ownbuf,dev,proc,sys,tmp,lib/ownbuf/selftests}
	cp "$busybox" "$root/bin/busybox"
	# Linking every applet, busybox included, would overwrite busybox itself.
	for applet in $("$root/bin/busybox" --list); do
		[ "$applet" = busybox ] && continue
		ln -s busybox "$root/bin/$applet"
	done
	install -m 0755 "$OWNBUF_TOP/scripts/guest/init" "$root/init"
}

# The payload: the gate's files, or the selftests, benchmark and ownbufctl.
fill_payload() {
	local root=$1
	mkdir -p "$root/lib/ownbuf/selftests" "$root/bin"
	if [ -n "${OWNBUF_GUEST_FILES:-}" ]; then
		cp -r "$OWNBUF_GUEST_FILES"/. "$root/lib/ownbuf/"
		return
	fi
	if [ -d "$OWNBUF_BUILD/selftests" ]; then
		cp "$OWNBUF_BUILD"/selftests/* "$root/lib/ownbuf/selftests/" 2>/dev/null || true
	fi
	if [ -d "$OWNBUF_BUILD/bench-bin" ]; then
		mkdir -p "$root/lib/ownbuf/bench"
		cp "$OWNBUF_BUILD"/bench-bin/* "$root/lib/ownbuf/bench/" 2>/dev/null || true
	fi
	# ownbufctl (scripts/build-tools.sh), static; not a busybox applet.
	if [ -x "$OWNBUF_BUILD/tools/ownbufctl" ]; then
		install -m 0755 "$OWNBUF_BUILD/tools/ownbufctl" "$root/bin/ownbufctl"
	fi
}

# What each archive holds, hashed (names, modes and contents).
# A missing one (no benchmark built) hashes as nothing.
files_hash() {
	{ find "$@" -type f -printf '%p %m\n' -exec sha256sum {} + 2>/dev/null || true; } |
		sort | sha256sum | cut -c1-16
}

base=$(kept base "$(files_hash "$busybox" "$OWNBUF_TOP/scripts/guest/init" "$0")" fill_base)
if [ -n "${OWNBUF_GUEST_FILES:-}" ]; then
	payload_key=$(files_hash "$OWNBUF_GUEST_FILES" "$0")
else
	payload_key=$(files_hash "$OWNBUF_BUILD/selftests" "$OWNBUF_BUILD/bench-bin" \
		"$OWNBUF_BUILD/tools/ownbufctl" "$0")
fi
payload=$(kept "${OWNBUF_GUEST_FILES:+gate-}payload" "$payload_key" fill_payload)

# This guest's own: the plan, the tests asked for, the module.
own="$tmp/own"
mkdir -p "$own/etc/ownbuf" "$own/lib/ownbuf"
echo "$plan" >"$own/etc/ownbuf/plan"
echo "$kernel" >"$own/etc/ownbuf/kernel"
# The stress: how long make check's slice runs (the debug kernel's is the
# one that counts; the stock kernels run a shorter one), and make stress's
# own arguments.
stress_s=20
[ "$kernel" != debug ] || stress_s=60
echo "${OWNBUF_STRESS_SECONDS:-$stress_s}" >"$own/etc/ownbuf/stress-seconds"
[ -z "${OWNBUF_STRESS_ARGS:-}" ] || echo "$OWNBUF_STRESS_ARGS" >"$own/etc/ownbuf/stress-args"
# The bench plan's arguments (make bench BENCH_ARGS=...).
[ -z "${OWNBUF_BENCH_ARGS:-}" ] || echo "$OWNBUF_BENCH_ARGS" >"$own/etc/ownbuf/bench-args"
# The fuzz's random part: seconds (5 in make check) and, to replay, a seed.
echo "${OWNBUF_FUZZ_SECONDS:-5}" >"$own/etc/ownbuf/fuzz-seconds"
[ -z "${OWNBUF_FUZZ_SEED:-}" ] || echo "$OWNBUF_FUZZ_SEED" >"$own/etc/ownbuf/fuzz-seed"
[ -z "${OWNBUF_TESTS:-}" ] || echo "$OWNBUF_TESTS" >"$own/etc/ownbuf/tests"
if [ -z "${OWNBUF_GUEST_FILES:-}" ]; then
	cp "$OWNBUF_BUILD/$kernel/ownbuf.ko" "$own/lib/ownbuf/" 2>/dev/null ||
		die "module for $kernel not built"
	# The bench alone gets the build without checks, beside ownbuf.
	if [ "$plan" = bench ] && [ -f "$OWNBUF_BUILD/$kernel/ownbuf_unchecked.ko" ]; then
		cp "$OWNBUF_BUILD/$kernel/ownbuf_unchecked.ko" "$own/lib/ownbuf/"
	fi
fi
pack "$own" "$tmp/own.cpio.gz"
cat "$base" "$payload" "$tmp/own.cpio.gz" >"$output"
