#!/usr/bin/env bash
# make fuzz: tests/selftests/ownbuf_fuzz_test (64- and 32-bit) on its own in
# one guest (the debug kernel by default): the bad-input matrix, then
# random requests for DURATION seconds (default 300) from SEED (default: a
# fresh one, printed; the same seed replays the same requests). Then rmmod,
# kmemleak and the sanitizer gate, as in make check.
# Usage: DURATION=s SEED=n KERNEL=k scripts/fuzz.sh
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

kernel=${KERNEL:-debug}
duration=${DURATION:-300}
seed=$(seed_or_fresh "${SEED:-}")
case "$duration$seed" in
*[!0-9]*) die "DURATION and SEED are whole numbers" ;;
esac

guest_build "$kernel"

log "fuzz on $kernel for ${duration}s per binary, seed $seed (replay: make fuzz SEED=$seed DURATION=$duration KERNEL=$kernel)"
run=${OWNBUF_RUN_DIR:-$OWNBUF_BUILD/$kernel/fuzz}
OWNBUF_RUN_DIR=$run OWNBUF_FUZZ_SECONDS=$duration OWNBUF_FUZZ_SEED=$seed \
	OWNBUF_GUEST_TIMEOUT=$((duration * 3 + 900)) \
	"$OWNBUF_TOP/scripts/run-guest.sh" "$kernel" fuzz || true
for f in "$run"/sections/selftest:ownbuf_fuzz_test*; do
	case "$f" in *.ts | *.rc) continue ;; esac
	echo "== ${f##*/}"
	grep -E '^(ok|not ok)|random requests|seed|Expected|answered' "$f" || true
done
python3 "$OWNBUF_TOP/scripts/summarize.py" --subset "$kernel=$run"
