#!/usr/bin/env bash
# The main job: install what is missing, build ownbuf.ko for Debian's stock
# 6.12 cloud kernel and ownbufctl, boot it in QEMU, load the module, run
# `ownbufctl demo` (the rules at work, scene by scene) and `ownbufctl graph`
# (who owns what), then power off. Usage: scripts/demo.sh [KERNEL]
# (default 6.12). Fails when a scene did not get the answer it expected.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

kernel=${1:-6.12}
start=$(date +%s)
if [ "$kernel" = debug ]; then
	"$OWNBUF_TOP/scripts/deps.sh" all
	"$OWNBUF_TOP/scripts/build-debug-kernel.sh"
else
	# A stock kernel needs no kernel source: skip unpacking it.
	"$OWNBUF_TOP/scripts/deps.sh" stock
fi
"$OWNBUF_TOP/scripts/build-module.sh" "$kernel"
"$OWNBUF_TOP/scripts/build-tools.sh"
"$OWNBUF_TOP/scripts/run-guest.sh" "$kernel" demo
run="$OWNBUF_BUILD/$kernel/run"
echo "=== inside the $kernel guest"
cat "$run/sections/demo"
echo "=== guest steps"
cat "$run/sections/guest"
log "demo finished in $(($(date +%s) - start))s (console: $run/console.log)"
grep -q '^not ok' "$run/sections/guest" && exit 1
[ "$(cat "$run/sections/demo.rc" 2>/dev/null || echo 1)" -eq 0 ]
