#!/usr/bin/env bash
# Build ownbuf.ko against one target kernel (debug, 6.12, 6.1, newest) with
# W=1, in a private copy of the sources under build/<kernel>/ so the builds
# never share objects. Any compiler warning fails the build. A build whose
# inputs (the sources, the kernel's headers and symbols, the toolchain) are
# those of the last good one is not redone.
# OWNBUF_UNCHECKED=1 among the make args builds the bench-only
# ownbuf_unchecked.ko (see Kbuild) in a tree of its own, build/<kernel>/unchecked/.
# Usage: scripts/build-module.sh KERNEL [extra make args]
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

kernel=${1:?usage: $0 KERNEL}
shift
kdir=$(kernel_kdir "$kernel")
root=$(kernel_chroot "$kernel")
[ -d "$root$kdir" ] || die "no kernel tree for '$kernel' at $root$kdir"
out="$OWNBUF_BUILD/$kernel"
name=ownbuf
tree=module
case " $* " in
*" OWNBUF_UNCHECKED=1 "*) name=ownbuf_unchecked tree=unchecked ;;
esac
dst="$out/$tree"
mkdir -p "$dst"

key=$( {
	echo "$kernel $(readlink -f "$root$kdir") $root $*"
	tree_hash Kbuild module include tests/kunit scripts/build-module.sh
	{ sha256sum <"$root$kdir/include/generated/autoconf.h"; } 2>/dev/null || true
	cat "$root$kdir/Module.symvers" "$root$kdir/include/generated/utsrelease.h" 2>/dev/null | sha256sum
	if [ -n "$root" ]; then cat "$root/var/lib/dpkg/status"; else gcc --version; fi | sha256sum
} | sha256sum | cut -c1-16)
if [ -f "$out/$name.ko" ] && [ "$(cat "$out/$tree.key" 2>/dev/null)" = "$key" ]; then
	log "$name.ko for $kernel up to date ($key)"
	exit 0
fi
rm -f "$out/$tree.key" "$out/$name.ko"

rsync -a --delete --exclude '*.o' --exclude '*.ko' --exclude '.*.cmd' \
	"$OWNBUF_TOP/Kbuild" "$OWNBUF_TOP/module" "$OWNBUF_TOP/include" \
	"$OWNBUF_TOP/tests" "$dst/"
log "building $name.ko for $kernel"
log_file="$out/$tree-build.log"
if ! kernel_make "$kernel" "$dst" W=1 "$@" modules >"$log_file" 2>&1; then
	cat "$log_file" >&2
	die "module build for $kernel failed"
fi
if grep -E 'warning:|error:' "$log_file" >&2; then
	die "module build for $kernel has warnings (W=1 must be clean)"
fi
cp "$dst/$name.ko" "$out/$name.ko"
echo "$key" >"$out/$tree.key"
