#!/usr/bin/env bash
# Install what building and testing ownbuf needs, and fetch the kernels it
# runs on, into a cache outside the clone. Idempotent: a second run only
# checks. Usage: scripts/deps.sh [host|source|stock|all]
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

HOST_PACKAGES=(
	build-essential bc bison flex libelf-dev libssl-dev dwarves
	cpio kmod rsync xz-utils zstd python3 perl git
	qemu-system-x86 qemu-system-data busybox-static
	sparse shellcheck linux-source-6.12 gcc-multilib
	dkms pkg-config
)

as_root() {
	if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

install_host_packages() {
	local missing=() p
	for p in "${HOST_PACKAGES[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
			grep -q 'install ok installed' || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	log "installing: ${missing[*]}"
	as_root apt-get update -qq
	as_root env DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# Unpack Debian's linux-source-6.12 once per package version.
unpack_source() {
	local ver dir tarball
	ver=$(dpkg-query -W -f='${Version}' linux-source-6.12)
	dir="$OWNBUF_CACHE/source/$ver"
	tarball=/usr/src/linux-source-6.12.tar.xz
	if [ ! -f "$dir/.unpacked" ]; then
		log "unpacking linux-source-6.12 $ver"
		rm -rf "$dir"
		mkdir -p "$dir"
		tar -C "$dir" -xf "$tarball"
		touch "$dir/.unpacked"
	fi
	mkdir -p "$OWNBUF_CACHE/source"
	echo "$dir/linux-source-6.12" > "$OWNBUF_CACHE/source/current"
}

# Fetch one stock Debian cloud kernel: its image (vmlinuz + modules) and its
# headers, extracted with dpkg -x so nothing lands in /boot or /usr/src.
fetch_stock() {
	local name=$1 meta image abi headers dir pkgs p deb root hdir common
	meta=$(stock_meta_image "$name")
	image=$(resolve_dep "$meta")
	[ -n "$image" ] || { as_root apt-get update -qq; image=$(resolve_dep "$meta"); }
	[ -n "$image" ] || die "cannot resolve $meta"
	abi=${image#linux-image-}
	headers=linux-headers-$abi
	dir="$OWNBUF_CACHE/stock/$name-$abi"
	if [ ! -f "$dir/.done" ]; then
		log "fetching stock $name kernel $abi"
		rm -rf "$dir"
		mkdir -p "$dir/debs" "$dir/root"
		# The headers need their -common and the kbuild tools beside them.
		pkgs=("$image" "$headers")
		for p in $(apt-cache depends "$headers" | awk '/Depends: linux-(headers|kbuild)/ { print $2 }'); do
			pkgs+=("$p")
		done
		(cd "$dir/debs" && apt-get download -qq -o APT::Sandbox::User=root "${pkgs[@]}")
		for deb in "$dir"/debs/*.deb; do
			dpkg -x "$deb" "$dir/root"
		done
		rm -rf "$dir/debs"
		root="$dir/root"
		hdir="$root/usr/src/$headers"
		# The 6.12 headers include their -common tree by an absolute path;
		# point every such include at the extracted copy.
		grep -l 'include /usr/src/' "$hdir/Makefile" >/dev/null 2>&1 &&
			sed -i "s|include /usr/src/|include $root/usr/src/|" "$hdir/Makefile"
		# Symlinks into /usr/lib/linux-kbuild-* must resolve inside root.
		find "$root/usr/src" -type l | while read -r l; do
			t=$(readlink "$l")
			case "$t" in
			/*) ln -sfn "$root$t" "$l" ;;
			esac
		done
		common=$(find "$root/usr/src" -maxdepth 1 -name 'linux-headers-*-common*' | head -n1)
		[ -n "$common" ] || true
		echo "$hdir" > "$dir/kdir"
		find "$root/boot" -name 'vmlinuz-*' | head -n1 > "$dir/vmlinuz"
		echo "$abi" > "$dir/abi"
		touch "$dir/.done"
	fi
	ln -sfn "$dir" "$(stock_dir "$name")"
}

what=${1:-all}
case "$what" in
host) install_host_packages ;;
source) install_host_packages; unpack_source ;;
stock) install_host_packages; fetch_stock 6.12; fetch_stock 6.1 ;;
all) install_host_packages; unpack_source; fetch_stock 6.12; fetch_stock 6.1 ;;
*) die "usage: $0 [host|source|stock|all]" ;;
esac
