#!/usr/bin/env bash
# The DKMS packaging works: copy the module sources to /usr/src/ownbuf-VERSION
# as README.md tells users to, `dkms add` and `dkms build` them against
# Debian's 6.12 cloud headers (extracted by scripts/deps.sh, not installed,
# hence --kernelsourcedir), check that ownbuf.ko came out under /var/lib/dkms
# and that modinfo describes every parameter, then remove every trace
# (`dkms remove --all`, the /usr/src copy, a signing key DKMS made), also on
# failure. Needs root (or sudo); installs dkms if it is missing.
# Usage: scripts/dkms-test.sh
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

as_root() {
	if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

if ! command -v dkms >/dev/null; then
	log "installing dkms"
	as_root apt-get update -qq
	as_root env DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -qq --no-install-recommends dkms >/dev/null
fi

name=ownbuf
version=$(cat "$OWNBUF_TOP/VERSION")
kdir=$(kernel_kdir 6.12)
abi=$(cat "$(stock_dir 6.12)/abi")
[ -d "$kdir" ] || die "no 6.12 headers at $kdir (run scripts/deps.sh stock)"
src=/usr/src/$name-$version
tree=/var/lib/dkms
stamp=$src/.ownbuf-dkms-test
mok_key=$tree/mok.key
mok_pub=$tree/mok.pub

# Never touch a real installation; a copy carrying our stamp is what an
# earlier run of this test left behind when it was killed, so clear it.
if [ -e "$src" ] || [ -e "$tree/$name/$version" ]; then
	[ -e "$stamp" ] || die "$src or $tree/$name/$version exists and is not ours; remove it or run this test elsewhere"
	log "removing what an interrupted run left"
	as_root dkms remove -m "$name" -v "$version" --all >/dev/null 2>&1 || true
	as_root rm -rf "$src"
fi

# DKMS makes a module signing key when it finds sign-file for the kernel;
# remove it afterwards only if this run made it.
had_key=0
[ -e "$mok_key" ] || [ -e "$mok_pub" ] && had_key=1

cleanup() {
	local rc=$?
	set +e
	log "dkms: removing $name/$version"
	as_root dkms remove -m "$name" -v "$version" --all >/dev/null 2>&1
	as_root rm -rf "$src"
	[ "$had_key" -eq 1 ] || as_root rm -f "$mok_key" "$mok_pub"
	[ -e "$tree/$name/$version" ] && { echo "error: $tree/$name/$version is still there" >&2; rc=1; }
	exit $rc
}
trap cleanup EXIT

log "dkms: copying the sources to $src"
as_root mkdir -p "$src"
as_root touch "$stamp"
as_root rsync -a --exclude '*.o' --exclude '*.ko' --exclude '.*.cmd' \
	--exclude '*.mod' --exclude '*.mod.c' \
	"$OWNBUF_TOP/Kbuild" "$OWNBUF_TOP/module" "$OWNBUF_TOP/include" \
	"$OWNBUF_TOP/dkms.conf" "$OWNBUF_TOP/VERSION" "$src/"
as_root mkdir -p "$src/tests"
as_root rsync -a --exclude '*.o' --exclude '.*.cmd' "$OWNBUF_TOP/tests/kunit" "$src/tests/"

log "dkms: add, build against $abi"
as_root dkms add -m "$name" -v "$version"
if ! as_root dkms build -m "$name" -v "$version" -k "$abi" --kernelsourcedir "$kdir"; then
	cat "$tree/$name/$version/build/make.log" >&2 2>/dev/null || true
	die "dkms build failed"
fi
as_root dkms status -m "$name" -v "$version"

# DKMS compresses the module as the kernel's config says (xz on Debian 6.12).
ko=$(find "$tree/$name/$version/$abi" -name "$name.ko*" -type f | head -n1)
[ -n "$ko" ] || die "dkms build produced no $name.ko under $tree/$name/$version/$abi"
log "dkms: built $ko"
[ "$(modinfo -F vermagic "$ko" | cut -d' ' -f1)" = "$abi" ] ||
	die "$ko is not built for $abi: $(modinfo -F vermagic "$ko")"
"$OWNBUF_TOP/scripts/modinfo-check.sh" "$ko"
log "dkms: ok"
