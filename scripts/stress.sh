#!/usr/bin/env bash
# make stress: tests/stress/ownbuf_stress on its own, in one guest (the
# debug kernel by default: KASAN, KFENCE, UBSAN, lockdep, kmemleak), for
# DURATION seconds (default 600) with SEED (default: a fresh one, printed).
# After the stress the guest unloads the module and scans for leaks, and
# the console is searched for any sanitizer, lockdep, hung-task or WARN
# report, as in make check. A failing seed replays with SEED=; the one
# model session a mismatch names replays alone with REPLAY=PROCESS:ROUND
# (the stress prints both).
# Usage: DURATION=s SEED=n KERNEL=k [REPLAY=p:r] scripts/stress.sh
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

kernel=${KERNEL:-debug}
duration=${DURATION:-600}
# A session named by PROCESS:ROUND is one of that seed's only.
[ -z "${REPLAY:-}" ] || [ -n "${SEED:-}" ] || die "REPLAY needs the SEED the stress printed with it"
seed=$(seed_or_fresh "${SEED:-}")
case "$duration$seed" in
*[!0-9]*) die "DURATION and SEED are whole numbers" ;;
esac
args="-d $duration -s $seed"
if [ -n "${REPLAY:-}" ]; then
	case "$REPLAY" in
	*[!0-9:]* | :* | *: | *:*:*) die "REPLAY is PROCESS:ROUND, as the stress prints it" ;;
	*:*) args="-s $seed -r $REPLAY" ;;
	*) die "REPLAY is PROCESS:ROUND, as the stress prints it" ;;
	esac
fi

guest_build "$kernel"

log "stress on $kernel for ${duration}s, seed $seed (replay: make stress SEED=$seed DURATION=$duration KERNEL=$kernel)"
run=${OWNBUF_RUN_DIR:-$OWNBUF_BUILD/$kernel/stress}
OWNBUF_RUN_DIR=$run OWNBUF_STRESS_ARGS="$args" \
	OWNBUF_GUEST_TIMEOUT=$((duration * 2 + 600)) \
	"$OWNBUF_TOP/scripts/run-guest.sh" "$kernel" stress || true
cat "$run/sections/selftest:ownbuf_stress" 2>/dev/null || echo "(the stress never reported)"
python3 "$OWNBUF_TOP/scripts/summarize.py" --subset "$kernel=$run"
