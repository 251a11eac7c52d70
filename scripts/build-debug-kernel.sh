#!/usr/bin/env bash
# Build the debug 6.12 kernel (KUnit, KASAN, KFENCE, UBSAN, lockdep,
# kmemleak, fault injection) from Debian's linux-source-6.12, out of tree in
# the cache. The build is keyed by source version, config fragment and
# compiler, so a warm run reuses it and any change rebuilds from scratch.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

frag="$OWNBUF_TOP/scripts/config/debug.config"
src=$(kernel_source)
[ -d "$src" ] || die "kernel source missing: run scripts/deps.sh"

key=$( { dpkg-query -W -f='${Version}' linux-source-6.12; cat "$frag"; gcc --version | sed -n 1p; echo v1; } |
	sha256sum | cut -c1-16)
out="$OWNBUF_CACHE/debug/$key"
if [ -f "$out/.done" ]; then
	ln -sfn "$out" "$OWNBUF_CACHE/debug/current"
	log "debug kernel $key cached"
	exit 0
fi

log "building debug kernel $key (cold build, several minutes)"
rm -rf "$out"
mkdir -p "$out/build"
jobs=$(nproc)
make -s -C "$src" O="$out/build" tinyconfig >/dev/null
"$src/scripts/kconfig/merge_config.sh" -m -O "$out/build" "$out/build/.config" "$frag" >/dev/null
make -s -C "$src" O="$out/build" olddefconfig >/dev/null

# merge_config only warns when Kconfig drops an option; refuse instead, so a
# fragment that silently lost KASAN cannot pass as a debug kernel.
bad=0
while IFS= read -r line; do
	case "$line" in '#'* | '') continue ;; esac
	opt=${line%%=*}
	val=${line#*=}
	if [ "$val" = n ]; then
		grep -q "^$opt=" "$out/build/.config" && { echo "config: $opt should be off" >&2; bad=1; }
	else
		grep -qx "$opt=$val" "$out/build/.config" || { echo "config: $opt=$val did not stick" >&2; bad=1; }
	fi
done < "$frag"
[ "$bad" -eq 0 ] || die "debug config fragment does not apply"

# Module.symvers only appears after `make modules`; modpost needs it. One
# make for both walks the tree once.
make -s -C "$src" O="$out/build" -j"$jobs" bzImage modules
cp "$out/build/arch/x86/boot/bzImage" "$out/bzImage"
touch "$out/.done"
ln -sfn "$out" "$OWNBUF_CACHE/debug/current"
# Builds under other keys are stale (another fragment, source or compiler).
find "$OWNBUF_CACHE/debug" -mindepth 1 -maxdepth 1 -type d ! -name "$key" -exec rm -rf {} +
log "debug kernel $key built"
