#!/usr/bin/env bash
# A first benchmark: build ownbuf.ko and tests/bench/ownbuf_bench for one
# kernel, boot it in QEMU with the bench plan and print the table. Each
# ownbuf operation is timed next to a peer doing the same job without
# ownership checks (memfd, DMA-BUF heap, a null ioctl, a memfd passed over a
# unix socket) in the same run, so
# read the ratios, not the absolute figures (under TCG they are those of an
# emulated CPU). Fails only when the guest or the benchmark breaks, never on
# a timing. The figures and their plots land in build/bench/.
# Usage: scripts/bench.sh [KERNEL]   (default 6.12); OWNBUF_BENCH_ARGS are
# the benchmark's own arguments (--only ..., --tiny).
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

kernel=${1:-6.12}
start=$(date +%s)
"$OWNBUF_TOP/scripts/deps.sh" all
[ "$kernel" = debug ] && "$OWNBUF_TOP/scripts/build-debug-kernel.sh"
"$OWNBUF_TOP/scripts/build-module.sh" "$kernel"
# The same module without its ownership checks, for "the cost of safety".
"$OWNBUF_TOP/scripts/build-module.sh" "$kernel" OWNBUF_UNCHECKED=1

build_bench

"$OWNBUF_TOP/scripts/run-guest.sh" "$kernel" bench
run=${OWNBUF_RUN_DIR:-$OWNBUF_BUILD/$kernel/run}
accel=$(cat "$run/accel")
case "$accel" in
tcg) how="TCG emulation: absolute times are an emulated CPU's, compare ratios" ;;
*) how="$accel: hardware virtualization, so absolute times mean something too" ;;
esac
echo "=== ownbuf bench, kernel $(cat "$run/sections/.kernel" 2>/dev/null || echo "$kernel"), $how"
if [ -f "$run/sections/bench" ]; then
	cat "$run/sections/bench"
else
	echo "(no bench section: the guest never ran it)"
fi
echo "=== guest steps"
cat "$run/sections/guest"
rc=$(cat "$run/sections/bench.rc" 2>/dev/null || echo 1)

# The figures, kept with their plots: build/bench/ (results.csv, bench.txt,
# NAME.svg/.png and what drew them).
out="$OWNBUF_BUILD/bench"
rm -rf "$out"
mkdir -p "$out"
[ ! -f "$run/sections/bench" ] || cp "$run/sections/bench" "$out/bench.txt"
if [ -f "$run/sections/breakdown" ]; then
	echo "=== breakdown"
	cat "$run/sections/breakdown"
	cp "$run/sections/breakdown" "$out/breakdown.txt"
fi
if [ -s "$run/sections/bench.csv" ]; then
	cp "$run/sections/bench.csv" "$out/results.csv"
	echo "=== plots"
	python3 "$OWNBUF_TOP/scripts/bench-plot.py" "$out/results.csv" "$out" || rc=1
else
	echo "(no figures for plots: the benchmark wrote no CSV)"
fi
log "bench finished in $(($(date +%s) - start))s, benchmark rc=$rc (console: $run/console.log)"
grep -q '^not ok' "$run/sections/guest" && exit 1
[ "$rc" -eq 0 ]
