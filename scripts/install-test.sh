#!/usr/bin/env bash
# `make install-headers install-tools` works as written: install into a
# scratch DESTDIR with PREFIX=/usr, then check that exactly the expected
# files are there with the expected modes, that <linux/ownbuf.h> compiles
# alone from there (-std=c99 -Wall -Werror), that a program finds libownbuf
# through `pkg-config --cflags --libs libownbuf` and links it both shared and
# static (and runs), that a second install changes nothing and that
# `make uninstall` removes every file. Needs no root: nothing goes outside
# the scratch directories, which are removed on exit.
# Usage: scripts/install-test.sh
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

for tool in make gcc pkg-config readelf; do
	command -v "$tool" >/dev/null || die "$tool not found (scripts/deps.sh host)"
done
[ -f "$OWNBUF_TOP/tools/Makefile" ] || die "tools/Makefile does not exist yet"

dest=$(mktemp -d)
work=$(mktemp -d)
trap 'rm -rf "$dest" "$work"' EXIT
fail=0
ok() { printf 'ok   %s\n' "$*"; }
bad() { printf 'FAIL %s\n' "$*" >&2; fail=1; }
check() {
	local what=$1
	shift
	if "$@"; then ok "$what"; else bad "$what"; fi
}

# The tools build into a scratch O too, so the test leaves the clone as it was.
mk() { make -C "$OWNBUF_TOP" --no-print-directory DESTDIR="$dest" PREFIX=/usr O="$work/o" "$@"; }

# What the tree must hold, with modes (a symlink as "link").
expected() {
	{
		cat <<-'EOF'
			0644 lib/udev/rules.d/60-ownbuf.rules
			0755 usr/bin/ownbufctl
			0644 usr/include/libownbuf.h
			0644 usr/include/linux/ownbuf.h
			0644 usr/lib/libownbuf.a
			link usr/lib/libownbuf.so
			0755 usr/lib/libownbuf.so.0
			0644 usr/lib/pkgconfig/libownbuf.pc
			0644 usr/share/bash-completion/completions/ownbufctl
		EOF
		# Every page of tools/man, and one for each other name that the
		# NAME section of a section-3 page lists (`man ownbuf_drop`).
		for p in "$OWNBUF_TOP"/tools/man/*.[1-9]; do
			echo "0644 usr/share/man/man${p##*.}/${p##*/}"
		done
		awk 'FNR == 1 { page = FILENAME; sub(/.*\//, "", page); sub(/\.3$/, "", page) }
			/^\.Sh / { on = $2 == "NAME" }
			on && $1 == ".Nm" && $2 != page { print "0644 usr/share/man/man3/" $2 ".3" }' \
			"$OWNBUF_TOP"/tools/man/*.3
	} | LC_ALL=C sort -k2
}
listing() {
	(cd "$dest" && find . \( -type f -o -type l \) -printf '%y %m %P\n' | LC_ALL=C sort -k3 |
		awk '{ print ($1 == "l" ? "link" : sprintf("%04d", $2)), $3 }')
}

log "install: make install-headers install-tools DESTDIR=$dest PREFIX=/usr"
if ! mk install-headers install-tools >"$work/install.log" 2>&1; then
	cat "$work/install.log" >&2
	die "make install-headers install-tools failed"
fi
if diff -u <(expected) <(listing) >"$work/tree.diff"; then
	ok "installed tree: $(listing | wc -l) files, modes as expected"
else
	bad "installed tree differs from the expected one:"
	cat "$work/tree.diff" >&2
fi

lib=$dest/usr/lib
check "libownbuf.so -> libownbuf.so.0" [ "$(readlink "$lib/libownbuf.so")" = libownbuf.so.0 ]
soname=$(readelf -d "$lib/libownbuf.so.0" 2>/dev/null | sed -n 's/.*Library soname: \[\(.*\)\]/\1/p')
check "soname of libownbuf.so.0 is libownbuf.so.0 ('$soname')" [ "$soname" = libownbuf.so.0 ]
check "udev rule: KERNEL ownbuf, MODE 0660, GROUP ownbuf" grep -qx \
	'KERNEL=="ownbuf", SUBSYSTEM=="misc", MODE="0660", GROUP="ownbuf"' \
	"$dest/lib/udev/rules.d/60-ownbuf.rules"

# The UAPI header alone, as installed (the system has no linux/ownbuf.h).
printf '#include <linux/ownbuf.h>\nint main(void) { return 0; }\n' >"$work/hdr.c"
check "<linux/ownbuf.h> compiles alone (-std=c99 -Wall -Werror)" \
	gcc -std=c99 -Wall -Werror -I"$dest/usr/include" -o "$work/hdr" "$work/hdr.c"

# pkg-config as a user would call it; the sysroot maps /usr into DESTDIR.
export PKG_CONFIG_PATH=$lib/pkgconfig PKG_CONFIG_SYSROOT_DIR=$dest
want_version=$(cat "$OWNBUF_TOP/VERSION")
got_version=$(pkg-config --modversion libownbuf 2>&1) || true
check "pkg-config --modversion libownbuf: $got_version (VERSION: $want_version)" \
	[ "$got_version" = "$want_version" ]
read -r -a cflags <<<"$(pkg-config --cflags libownbuf 2>/dev/null || true)"
read -r -a libs <<<"$(pkg-config --libs libownbuf 2>/dev/null || true)"
log "pkg-config: ${cflags[*]} ${libs[*]}"

cat >"$work/prog.c" <<'EOF'
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <libownbuf.h>

int main(void)
{
	const char *name = ownbuf_errno_name(-ESTALE);

	printf("%s %s\n", OWNBUF_DEVICE_PATH, name);
	return strcmp(name, "ESTALE") != 0;
}
EOF
expect="/dev/ownbuf ESTALE"

# Shared: needs libownbuf.so.0 at run time, found in DESTDIR.
if gcc -Wall -Werror -o "$work/prog-shared" "$work/prog.c" "${cflags[@]}" "${libs[@]}"; then
	if readelf -d "$work/prog-shared" | grep -q 'NEEDED.*\[libownbuf.so.0\]' &&
		[ "$(LD_LIBRARY_PATH=$lib "$work/prog-shared")" = "$expect" ]; then
		ok "links shared against libownbuf.so.0 and runs"
	else
		bad "the shared program does not need libownbuf.so.0 or does not run"
	fi
else
	bad "a program does not compile and link (shared) with pkg-config's flags"
fi

# Static: libownbuf.a linked in, libc still shared; runs without the path.
if gcc -Wall -Werror -o "$work/prog-static" "$work/prog.c" "${cflags[@]}" \
	-Wl,-Bstatic "${libs[@]}" -Wl,-Bdynamic; then
	if ! readelf -d "$work/prog-static" | grep -q 'NEEDED.*libownbuf' &&
		[ "$(env -u LD_LIBRARY_PATH "$work/prog-static")" = "$expect" ]; then
		ok "links static against libownbuf.a and runs"
	else
		bad "the static program still needs libownbuf.so or does not run"
	fi
else
	bad "a program does not compile and link (static) with pkg-config's flags"
fi

# ownbufctl's libraries all resolve from the installed tree.
if LD_LIBRARY_PATH=$lib ldd "$dest/usr/bin/ownbufctl" 2>&1 | grep -q 'not found'; then
	bad "ownbufctl has unresolved libraries"
else
	ok "ownbufctl: every library resolves"
fi

# Idempotent: installing again gives the same tree.
listing >"$work/tree.1"
if mk install-headers install-tools >"$work/install2.log" 2>&1 && diff -q "$work/tree.1" <(listing) >/dev/null; then
	ok "a second install succeeds and changes nothing"
else
	bad "a second install fails or changes the tree"
fi

# Uninstall removes every file it installed (empty directories may stay).
if mk uninstall >"$work/uninstall.log" 2>&1 && [ -z "$(listing)" ]; then
	ok "make uninstall removes every file"
else
	cat "$work/uninstall.log" >&2
	bad "make uninstall failed or left: $(listing | tr '\n' ' ')"
fi

[ "$fail" -eq 0 ] || die "install test failed"
log "install: ok"
