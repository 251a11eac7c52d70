#!/usr/bin/env bash
# Build the userspace tools (tools/Makefile): libownbuf.a, libownbuf.so and
# ownbufctl, the latter static so the guests (no libc) can run it. Output:
# $OWNBUF_BUILD/tools/; mkinitramfs.sh puts ownbufctl at /bin/ownbufctl in
# the guest from there.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

out="$OWNBUF_BUILD/tools"
log "building tools into $out"
make -C "$OWNBUF_TOP/tools" O="$out" -j"$(nproc)"
# O= makes the binary land in $out already; check it is there and static.
[ -x "$out/ownbufctl" ] || die "ownbufctl not built"
if readelf -l "$out/ownbufctl" | grep -q 'Requesting program interpreter'; then
	die "ownbufctl is dynamically linked; the guests have no libc"
fi
