#!/usr/bin/env bash
# `make deb`: build the Debian binary packages (debian/: ownbuf-dkms,
# libownbuf0, libownbuf-dev, ownbufctl) out of tree. Copies the sources git
# knows of (tracked or not ignored, as they are in the work tree) to a
# scratch directory, runs `dpkg-buildpackage -us -uc -b` there and puts the
# .debs, .changes and .buildinfo into build/deb/ (emptied first), then prints
# each package with its size. Installs debhelper and dh-dkms if missing
# (scripts/deps.sh host). The clone is left as it was.
# Usage: scripts/deb.sh
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

out=$OWNBUF_BUILD/deb
version=$(cat "$OWNBUF_TOP/VERSION")

for tool in dpkg-buildpackage dh dh_dkms; do
	command -v "$tool" >/dev/null || { "$OWNBUF_TOP/scripts/deps.sh" host; break; }
done

# One version, in VERSION: the changelog must carry it.
cver=$(dpkg-parsechangelog -l "$OWNBUF_TOP/debian/changelog" -S Version)
[ "$cver" = "$version" ] ||
	die "debian/changelog is at $cver, VERSION at $version: add an entry (dch -v $version)"

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
src=$scratch/ownbuf-$version
mkdir -p "$src"

log "deb: copying the sources to $src"
(cd "$OWNBUF_TOP" && git ls-files -z --cached --others --exclude-standard |
	while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done) |
	rsync -a --from0 --files-from=- "$OWNBUF_TOP/" "$src/"

log "deb: dpkg-buildpackage -us -uc -b"
if ! (cd "$src" && dpkg-buildpackage -us -uc -b >"$scratch/build.log" 2>&1); then
	tail -n 60 "$scratch/build.log" >&2
	die "dpkg-buildpackage failed"
fi

rm -rf "$out"
mkdir -p "$out"
cp "$scratch"/*.deb "$scratch"/*.changes "$scratch"/*.buildinfo "$out/"
cp "$scratch/build.log" "$out/build.log"
log "deb: packages in $out"
for deb in "$out"/*.deb; do
	printf '%-44s %8s KiB installed, %7s bytes\n' "$(basename "$deb")" \
		"$(dpkg-deb -f "$deb" Installed-Size)" "$(stat -c %s "$deb")"
done
