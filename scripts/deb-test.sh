#!/usr/bin/env bash
# The Debian packages work on Debian 12: build them (scripts/deb.sh), then in
# a throwaway bookworm chroot that has the headers of the 6.12 cloud kernel
# scripts/deps.sh fetches (linux-headers-ABI, from bookworm-security),
# install the four of them with apt and check that
#   - the postinst made DKMS build and install ownbuf.ko for that kernel,
#   - the system group "ownbuf" (the udev rule's) exists,
#   - ownbufctl --version prints VERSION (--help while it has no --version),
#   - tools/examples/ownbuf_example.c builds with
#     `gcc $(pkg-config --cflags --libs libownbuf)` and links libownbuf.so.0,
#   - purging ownbuf-dkms removes the module and its sources again;
# then run lintian on them: any E: fails, W: and I: are listed.
#
# The chroot (debootstrap, the headers, dkms, gcc) is made once and kept in
# $OWNBUF_CACHE/deb-chroot-KEY, keyed by suite, kernel ABI and package list;
# every run installs into an overlay over it (a copy where overlayfs is
# missing), so the cache stays as debootstrap and apt left it. Needs root.
# Usage: scripts/deb-test.sh
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" -eq 0 ] || die "needs root (debootstrap, chroot, mounts)"
t0=$(date +%s)
suite=bookworm
version=$(cat "$OWNBUF_TOP/VERSION")

# Host packages (debootstrap, debhelper, dh-dkms, lintian) and the 6.12 ABI.
"$OWNBUF_TOP/scripts/deps.sh" host 6.12
abi=$(cat "$(stock_dir 6.12)/abi")

# The host's Debian mirrors, as apt knows them (no host of our own).
mirror_for() {
	# shellcheck disable=SC2016 # apt's format, not the shell's
	apt-get indextargets --format '$(REPO_URI) $(LABEL)' 2>/dev/null |
		awk -v l="$1" '$2 == l { print $1; exit }'
}
mirror=${OWNBUF_DEBIAN_MIRROR:-$(mirror_for Debian)}
security=${OWNBUF_DEBIAN_SECURITY_MIRROR:-$(mirror_for Debian-Security)}
mirror=${mirror:-http://deb.debian.org/debian}
security=${security:-http://deb.debian.org/debian-security}

# What the chroot holds beyond minbase: what the packages depend on (so a
# run installs them without the network) and what the checks use.
chroot_pkgs=(dkms adduser gcc make libc6-dev pkg-config kmod "linux-headers-$abi")
key=$(printf '%s\n' "$suite" minbase "${chroot_pkgs[@]}" v1 | sha256sum | cut -c1-16)
cdir=$OWNBUF_CACHE/deb-chroot-$key

make_chroot() {
	local tmp=$cdir.tmp root
	root=$tmp/root
	log "deb-test: making a $suite chroot with linux-headers-$abi (debootstrap, a few minutes)"
	rm -rf "$tmp"
	mkdir -p "$tmp"
	debootstrap --variant=minbase "$suite" "$root" "$mirror" >"$tmp/debootstrap.log" 2>&1 ||
		{ tail -n 20 "$tmp/debootstrap.log" >&2; die "debootstrap $suite failed"; }
	cat >"$root/etc/apt/sources.list" <<-EOF
		deb $mirror $suite main
		deb $mirror $suite-updates main
		deb $security $suite-security main
	EOF
	cat >"$root/etc/apt/apt.conf.d/90ownbuf" <<-'EOF'
		APT::Install-Recommends "false";
		APT::Sandbox::User "root";
	EOF
	if ! { chroot_run "$root" "" apt-get update -qq &&
		chroot_run "$root" "" apt-get install -y -qq "${chroot_pkgs[@]}"; } >"$tmp/install.log" 2>&1; then
		tail -n 30 "$tmp/install.log" >&2
		die "cannot install ${chroot_pkgs[*]} in the $suite chroot"
	fi
	chroot_run "$root" "" apt-get clean
	[ -f "$root/usr/src/linux-headers-$abi/Makefile" ] || die "no linux-headers-$abi in the chroot"
	mv "$tmp" "$cdir"
	touch "$cdir/.done"
	# Chroots for an older ABI or package list are dead weight now.
	find "$OWNBUF_CACHE" -mindepth 1 -maxdepth 1 -name 'deb-chroot-*' ! -name "deb-chroot-$key" \
		-exec rm -rf {} +
}
[ -f "$cdir/.done" ] || make_chroot
t_chroot=$(date +%s)

"$OWNBUF_TOP/scripts/deb.sh"
debs=$OWNBUF_BUILD/deb
t_deb=$(date +%s)

run=$(mktemp -d)
trap 'rm -rf "$run"' EXIT
mkdir -p "$run/in/debs" "$run/upper" "$run/work" "$run/root"
for p in ownbuf-dkms libownbuf0 libownbuf-dev ownbufctl; do
	f=$(find "$debs" -maxdepth 1 -name "${p}_${version}_*.deb" | head -n1)
	[ -n "$f" ] || die "no ${p}_${version}_*.deb in $debs"
	cp "$f" "$run/in/debs/"
done
cp "$OWNBUF_TOP/tools/examples/ownbuf_example.c" "$run/in/"

# What runs in the chroot: install, then one line per check.
cat >"$run/in/test.sh" <<'EOF'
set -u
abi=$1 version=$2
fail=0
ok() { printf 'ok   %s\n' "$*"; }
bad() { printf 'FAIL %s\n' "$*"; fail=1; }
cd /ownbuf/in
# The chroot's package lists are as old as the chroot: if the packages
# gained a dependency it lacks and the archive moved on, refresh them.
if apt-get install -y -q ./debs/*.deb >install.log 2>&1 ||
	{ apt-get update -qq >>install.log 2>&1 && apt-get install -y -q ./debs/*.deb >>install.log 2>&1; }; then
	ok "apt-get install: $(cd debs && ls | tr '\n' ' ')"
else
	tail -n 40 install.log
	bad "apt-get install of the packages failed"
	exit 1
fi
sed -n '/Building for/,/^$/p' install.log | grep -v '^readelf: Warning' | sed 's/^/    /'
# (dkms 3.0.10 runs readelf on the kernel's files, which warns about them.)
status=$(dkms status -m ownbuf -v "$version" -k "$abi" 2>/dev/null)
case "$status" in
*": installed"*) ok "dkms status: $status" ;;
*) bad "dkms did not install ownbuf/$version for $abi: '$status'"
   cat "/var/lib/dkms/ownbuf/$version/build/make.log" 2>/dev/null | tail -n 30 ;;
esac
ko=$(find "/lib/modules/$abi/updates" -name 'ownbuf.ko*' -type f 2>/dev/null | head -n1)
if [ -n "$ko" ] && [ "$(modinfo -F vermagic "$ko" | cut -d' ' -f1)" = "$abi" ]; then
	ok "$ko, vermagic $abi"
else
	bad "no ownbuf.ko for $abi under /lib/modules/$abi/updates"
fi
grep -qs 'updates/dkms/ownbuf\.ko' "/lib/modules/$abi/modules.dep" &&
	ok "depmod lists it in /lib/modules/$abi/modules.dep" || bad "ownbuf.ko is not in /lib/modules/$abi/modules.dep"
gid=$(getent group ownbuf | cut -d: -f3)
if [ -n "$gid" ] && [ "$gid" -lt 1000 ]; then
	ok "system group ownbuf (gid $gid)"
else
	bad "no system group ownbuf ('$(getent group ownbuf)')"
fi
[ -f /lib/udev/rules.d/60-ownbuf.rules ] && ok "udev rule /lib/udev/rules.d/60-ownbuf.rules" ||
	bad "no /lib/udev/rules.d/60-ownbuf.rules"
if out=$(ownbufctl --version 2>&1); then
	case "$out" in
	*"$version"*) ok "ownbufctl --version: $out" ;;
	*) bad "ownbufctl --version does not print $version: '$out'" ;;
	esac
elif ownbufctl --help >/dev/null 2>&1; then
	ok "ownbufctl --help runs (this ownbufctl has no --version yet)"
else
	bad "ownbufctl runs neither --version nor --help: $out"
fi
if gcc -Wall -Werror -o /tmp/ownbuf_example ownbuf_example.c $(pkg-config --cflags --libs libownbuf) 2>gcc.log; then
	ok "ownbuf_example.c builds with \$(pkg-config --cflags --libs libownbuf) ($(pkg-config --modversion libownbuf))"
	lib=$(ldd /tmp/ownbuf_example | awk '$1 == "libownbuf.so.0" { print $3 }')
	[ -n "$lib" ] && ok "it links $lib" || bad "ownbuf_example does not link libownbuf.so.0"
else
	cat gcc.log
	bad "ownbuf_example.c does not build with pkg-config's flags"
fi
if apt-get purge -y -q ownbuf-dkms >purge.log 2>&1 &&
	[ -z "$(find "/lib/modules/$abi" -name 'ownbuf.ko*')" ] &&
	[ ! -e "/usr/src/ownbuf-$version" ] && [ ! -e "/var/lib/dkms/ownbuf" ]; then
	ok "apt-get purge ownbuf-dkms removes the module, its sources and the DKMS tree"
else
	tail -n 20 purge.log
	bad "apt-get purge ownbuf-dkms left ownbuf behind"
fi
exit $fail
EOF

# One mount namespace for the whole test: the overlay, /proc and the input
# go away with it, however it ends.
log "deb-test: installing the packages in a throwaway copy of the chroot (linux-headers-$abi)"
set +e
# shellcheck disable=SC2016 # expanded by the inner shell
unshare --mount --pid --fork --propagation private -- bash -ec '
	lower=$1 run=$2
	shift 2
	root=$run/root
	if ! mount -t overlay overlay -o "lowerdir=$lower,upperdir=$run/upper,workdir=$run/work" "$root" 2>/dev/null; then
		echo "(no overlayfs: copying the chroot)"
		cp -a "$lower/." "$root/"
	fi
	mount -t proc proc "$root/proc"
	mkdir -p "$root/ownbuf/in"
	mount --bind "$run/in" "$root/ownbuf/in"
	exec chroot "$root" env LC_ALL=C.UTF-8 DEBIAN_FRONTEND=noninteractive sh /ownbuf/in/test.sh "$@"' \
	sh "$cdir/root" "$run" "$abi" "$version"
rc=$?
set -e
t_test=$(date +%s)

log "deb-test: lintian $(basename "$debs"/*.changes)"
# Lintian exits non-zero for E: tags too: only without them is that its own failure.
lrc=0
lintian --pedantic -I "$debs"/*.changes >"$run/lintian.log" 2>&1 || lrc=$?
grep -v 'running with root privileges' "$run/lintian.log" | sed 's/^/    /' || true
for sev in E W I P; do
	printf '%s: %s  ' "$sev" "$(grep -c "^$sev: " "$run/lintian.log")"
done
echo
nerr=$(grep -c '^E: ' "$run/lintian.log" || true)
[ "$nerr" -eq 0 ] || { echo "FAIL lintian: $nerr errors"; rc=1; }
[ "$lrc" -eq 0 ] || [ "$nerr" -gt 0 ] || { echo "FAIL lintian failed (exit $lrc)"; rc=1; }

log "deb-test: chroot $((t_chroot - t0))s, packages $((t_deb - t_chroot))s, install and checks $((t_test - t_deb))s, lintian $(($(date +%s) - t_test))s; total $(($(date +%s) - t0))s"
[ "$rc" -eq 0 ] || die "deb-test failed"
log "deb-test: ok"
