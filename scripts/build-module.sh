#!/usr/bin/env bash
# Build ownbuf.ko against one target kernel (debug, 6.12 or 6.1) with W=1,
# in a private copy of the sources under build/<kernel>/ so the three builds
# never share objects. Any compiler warning fails the build.
# Usage: scripts/build-module.sh KERNEL [extra make args]
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

kernel=${1:?usage: $0 KERNEL}
shift
kdir=$(kernel_kdir "$kernel")
[ -d "$kdir" ] || die "no kernel tree for '$kernel' at $kdir"
dst="$OWNBUF_BUILD/$kernel/module"
mkdir -p "$dst"
rsync -a --delete --exclude '*.o' --exclude '*.ko' --exclude '.*.cmd' \
	"$OWNBUF_TOP/Kbuild" "$OWNBUF_TOP/module" "$OWNBUF_TOP/include" \
	"$OWNBUF_TOP/tests" "$dst/"
log "building module for $kernel"
out="$OWNBUF_BUILD/$kernel/module-build.log"
if ! make -C "$kdir" M="$dst" W=1 "$@" modules >"$out" 2>&1; then
	cat "$out" >&2
	die "module build for $kernel failed"
fi
if grep -E 'warning:|error:' "$out" >&2; then
	die "module build for $kernel has warnings (W=1 must be clean)"
fi
cp "$dst/ownbuf.ko" "$OWNBUF_BUILD/$kernel/ownbuf.ko"
