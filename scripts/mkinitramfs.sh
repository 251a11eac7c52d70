#!/usr/bin/env bash
# Make the initramfs for one guest: static busybox, the guest /init, the
# plan (check, demo, bench) and what the guest runs. By default that is the
# module built for KERNEL, the selftests and /bin/ownbufctl when built;
# OWNBUF_GUEST_FILES names a directory laid out as /lib/ownbuf is in the
# guest (ownbuf.ko, other *.ko with optional NAME.params, selftests/) to use
# instead.
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

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,sbin,etc/ownbuf,dev,proc,sys,tmp,lib/ownbuf/selftests}
cp "$busybox" "$root/bin/busybox"
# Linking every applet, busybox included, would overwrite busybox itself.
for applet in $("$root/bin/busybox" --list); do
	[ "$applet" = busybox ] && continue
	ln -s busybox "$root/bin/$applet"
done
install -m 0755 "$OWNBUF_TOP/scripts/guest/init" "$root/init"
echo "$plan" >"$root/etc/ownbuf/plan"
[ -z "${OWNBUF_TESTS:-}" ] || echo "$OWNBUF_TESTS" >"$root/etc/ownbuf/tests"

if [ -n "${OWNBUF_GUEST_FILES:-}" ]; then
	cp -r "$OWNBUF_GUEST_FILES"/. "$root/lib/ownbuf/"
else
	cp "$OWNBUF_BUILD/$kernel/ownbuf.ko" "$root/lib/ownbuf/" 2>/dev/null ||
		die "module for $kernel not built"
	if [ -d "$OWNBUF_BUILD/selftests" ]; then
		cp "$OWNBUF_BUILD"/selftests/* "$root/lib/ownbuf/selftests/" 2>/dev/null || true
	fi
	if [ -d "$OWNBUF_BUILD/bench" ]; then
		mkdir -p "$root/lib/ownbuf/bench"
		cp "$OWNBUF_BUILD"/bench/* "$root/lib/ownbuf/bench/" 2>/dev/null || true
	fi
	# ownbufctl (scripts/build-tools.sh), static; not a busybox applet.
	if [ -x "$OWNBUF_BUILD/tools/ownbufctl" ]; then
		install -m 0755 "$OWNBUF_BUILD/tools/ownbufctl" "$root/bin/ownbufctl"
	fi
fi
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) | gzip -1 >"$output"
