#!/usr/bin/env bash
# Install what building and testing ownbuf needs, and fetch the kernels it
# runs on, into a cache outside the clone. Idempotent: a second run only
# checks. Usage: scripts/deps.sh [host|source|stock|newest|debug|6.12|6.1|all]...
# (a kernel's name fetches what that kernel needs)
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

HOST_PACKAGES=(
	build-essential bc bison flex libelf-dev libssl-dev dwarves
	cpio kmod rsync xz-utils zstd python3 perl git
	qemu-system-x86 qemu-system-data busybox-static
	sparse shellcheck linux-source-6.12 gcc-multilib
	dkms pkg-config debootstrap gnuplot-nox python3-docutils
	mandoc groff-base
	debhelper dh-dkms lintian
)

# The newest kernel: the suite that has it, the meta-package naming it, and
# how long the suite's package lists are trusted before the version is
# resolved again (sid moves; OWNBUF_NEWEST_TTL=0 resolves on every run).
NEWEST_SUITE=sid
NEWEST_META=linux-image-cloud-amd64
NEWEST_TTL=${OWNBUF_NEWEST_TTL:-21600}

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
	local name=$1 meta image abi headers dir pkgs p deb root hdir
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
		echo "$hdir" > "$dir/kdir"
		find "$root/boot" -name 'vmlinuz-*' | head -n1 > "$dir/vmlinuz"
		echo "$abi" > "$dir/abi"
		touch "$dir/.done"
	fi
	ln -sfn "$dir" "$(stock_dir "$name")"
}

# The Debian mirror the host's apt already uses, for debootstrap: the
# project names no host of its own.
debian_mirror() {
	[ -n "${OWNBUF_DEBIAN_MIRROR:-}" ] && { echo "$OWNBUF_DEBIAN_MIRROR"; return; }
	# shellcheck disable=SC2016 # apt's format, not the shell's
	apt-get indextargets --format '$(REPO_URI) $(LABEL)' 2>/dev/null |
		awk '$2 == "Debian" { print $1; exit }'
}

# The newest kernel Debian ships, with a chroot of the suite that ships it:
# its headers want that suite's compiler and libc, so the module is built
# in there (scripts/lib.sh: kernel_make). The chroot is keyed by suite and
# setup; the kernel by the ABI the suite resolves it to now (Debian names
# each upload's ABI after its version: 7.2.13+deb14).
fetch_newest() {
	local key cdir root mirror age image abi kdir dir p old
	key=$(printf '%s\n' "$NEWEST_SUITE" minbase make v1 | sha256sum | cut -c1-16)
	cdir="$OWNBUF_CACHE/newest/chroot-$key"
	root="$cdir/root"
	if [ ! -f "$cdir/.done" ]; then
		mirror=$(debian_mirror)
		[ -n "$mirror" ] || die "no Debian mirror in the host's apt sources (set OWNBUF_DEBIAN_MIRROR)"
		log "making a $NEWEST_SUITE chroot for the newest kernel (debootstrap, about a minute)"
		rm -rf "$cdir"
		mkdir -p "$cdir"
		debootstrap --variant=minbase --include=make "$NEWEST_SUITE" "$root" "$mirror" \
			>"$cdir/debootstrap.log" 2>&1 ||
			{ tail -n 20 "$cdir/debootstrap.log" >&2; die "debootstrap $NEWEST_SUITE failed"; }
		# sid's Release file may read as expired on a snapshot mirror.
		cat >"$root/etc/apt/apt.conf.d/90ownbuf" <<-'EOC'
		Acquire::Check-Valid-Until "false";
		APT::Install-Recommends "false";
		APT::Sandbox::User "root";
		EOC
		rm -f "$cdir/.updated"
		touch "$cdir/.done"
		find "$OWNBUF_CACHE/newest" -mindepth 1 -maxdepth 1 -name 'chroot-*' ! -name "chroot-$key" -exec rm -rf {} +
	fi
	age=$(($(date +%s) - $(stat -c %Y "$cdir/.updated" 2>/dev/null || echo 0)))
	if [ "$age" -ge "$NEWEST_TTL" ]; then
		log "updating the $NEWEST_SUITE package lists"
		# An earlier run stopped halfway through an install: finish it.
		chroot_run "$root" "" dpkg --configure -a >/dev/null 2>&1 || true
		if chroot_run "$root" "" apt-get update -qq >"$cdir/update.log" 2>&1; then
			touch "$cdir/.updated"
		else
			# The lists it had still name a kernel that may be fetched.
			log "apt-get update in the $NEWEST_SUITE chroot failed; using the lists it has"
			cat "$cdir/update.log" >&2
		fi
	fi
	image=$(resolve_dep "$NEWEST_META" '^linux-image-' "$root")
	[ -n "$image" ] || die "cannot resolve $NEWEST_META in $NEWEST_SUITE"
	abi=${image#linux-image-}
	kdir=/usr/src/linux-headers-$abi
	if [ ! -f "$root$kdir/Makefile" ]; then
		log "installing linux-headers-$abi in the $NEWEST_SUITE chroot"
		# shellcheck disable=SC2016 # dpkg's format, not the shell's
		old=$(chroot_run "$root" "" dpkg-query -W -f='${Package}\n' 'linux-headers-*' 'linux-kbuild-*' 2>/dev/null || true)
		chroot_run "$root" "" dpkg --configure -a >/dev/null 2>&1 || true
		chroot_run "$root" "" apt-get install -y -qq "linux-headers-$abi" \
			>"$cdir/install.log" 2>&1 ||
			{ tail -n 20 "$cdir/install.log" >&2; die "cannot install linux-headers-$abi in the chroot"; }
		# Headers of an older newest kernel are dead weight once these work.
		old=$(printf '%s\n' "$old" | grep -v -e "$abi" -e "${abi%-cloud-amd64}" || true)
		# shellcheck disable=SC2086 # one package name a word
		[ -z "$old" ] || chroot_run "$root" "" apt-get purge -y -qq $old >/dev/null 2>&1 || true
	fi
	dir="$OWNBUF_CACHE/stock/newest-$abi"
	if [ ! -f "$dir/.done" ]; then
		log "fetching the newest kernel $abi"
		rm -rf "$dir"
		mkdir -p "$dir/root" "$dir/debs"
		# Since 7.x the image lives in linux-binary-*; linux-image-* is a
		# meta-package. Older kernels keep it in linux-image-*.
		for p in "linux-binary-$abi" "$image"; do
			chroot_run "$root" "$dir/debs" sh -c "cd /ownbuf/src && apt-get download -qq $p" \
				>/dev/null 2>&1 || continue
			dpkg -x "$dir"/debs/*.deb "$dir/root"
			rm -f "$dir"/debs/*.deb
			find "$dir/root" -name 'vmlinuz*' -type f | grep -q . && break
		done
		rmdir "$dir/debs"
		find "$dir/root" -name 'vmlinuz*' -type f | head -n1 >"$dir/vmlinuz"
		[ -s "$dir/vmlinuz" ] || die "no vmlinuz in linux-binary-$abi or $image"
		echo "$kdir" >"$dir/kdir"
		echo "$root" >"$dir/chroot"
		echo "$abi" >"$dir/abi"
		touch "$dir/.done"
		find "$OWNBUF_CACHE/stock" -mindepth 1 -maxdepth 1 -name 'newest-*' ! -name "newest-$abi" -exec rm -rf {} +
	fi
	ln -sfn "$dir" "$(stock_dir newest)"
}

[ $# -gt 0 ] || set -- all
# Each thing once, however many of the words ask for it.
want=" "
for what in "$@"; do
	case "$what" in
	host) ;;
	source | debug) want+="source " ;;
	6.12 | 6.1 | newest) want+="$what " ;;
	stock) want+="6.12 6.1 " ;;
	all) want+="source 6.12 6.1 newest " ;;
	*) die "usage: $0 [host|source|stock|newest|debug|6.12|6.1|all]..." ;;
	esac
done
install_host_packages
case "$want" in *" source "*) unpack_source ;; esac
case "$want" in *" 6.12 "*) fetch_stock 6.12 ;; esac
case "$want" in *" 6.1 "*) fetch_stock 6.1 ;; esac
case "$want" in *" newest "*) fetch_newest ;; esac
