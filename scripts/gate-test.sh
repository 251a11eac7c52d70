#!/usr/bin/env bash
# Prove that one gate of `make check` bites: run the debug guest with a
# deliberately broken piece added (a KASAN bug, a failing KUnit case, a
# failing selftest), summarise it as `make check` would, and succeed only
# when that summary fails and names the expected cause.
# Usage: scripts/gate-test.sh kasan|kunit|selftest
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

gate=${1:?usage: $0 kasan|kunit|selftest}
kernel=debug
work="$OWNBUF_BUILD/gate-$gate"
rm -rf "$work"
mkdir -p "$work/extra/selftests" "$work/src"

# The real module and selftests, exactly as check runs them...
cp "$OWNBUF_BUILD/$kernel/ownbuf.ko" "$work/extra/"
cp "$OWNBUF_BUILD"/selftests/* "$work/extra/selftests/"

# ...plus the broken piece.
case "$gate" in
kasan | kunit)
	rsync -a "$OWNBUF_TOP/tests/gates/" "$work/src/"
	make -C "$(kernel_kdir "$kernel")" M="$work/src" modules >"$work/build.log" 2>&1 ||
		{ cat "$work/build.log" >&2; die "gate module build failed"; }
	cp "$work/src/ownbuf_gate.ko" "$work/extra/"
	echo "bug=$gate" >"$work/extra/ownbuf_gate.params"
	case "$gate" in
	kasan) expect='sanitizer gate: BUG: KASAN: slab-out-of-bounds' ;;
	kunit) expect='kunit:ownbuf_gate: ownbuf_gate_case' ;;
	esac
	;;
selftest)
	gcc -O2 -Wall -Werror -static -pthread -I "$OWNBUF_TOP/include/uapi" \
		-I "$(kernel_source)/tools/testing/selftests" \
		-o "$work/extra/selftests/ownbuf_gate_test" "$OWNBUF_TOP/tests/gates/ownbuf_gate_test.c"
	expect='selftest:ownbuf_gate_test: global.deliberately_wrong_errno'
	;;
*) die "unknown gate '$gate'" ;;
esac

OWNBUF_RUN_DIR="$work/run" OWNBUF_GUEST_FILES="$work/extra" \
	"$OWNBUF_TOP/scripts/run-guest.sh" "$kernel" check 2>"$work/run.log" || true
set +e
python3 "$OWNBUF_TOP/scripts/summarize.py" "$kernel=$work/run" >"$work/summary.txt" 2>&1
rc=$?
set -e
if [ "$rc" -eq 0 ]; then
	cat "$work/summary.txt" >&2
	die "gate $gate: the broken build PASSED the check"
fi
if ! grep -q "FAIL .*$expect" "$work/summary.txt"; then
	cat "$work/summary.txt" >&2
	die "gate $gate: check failed, but not with '$expect'"
fi
log "gate $gate bites: $(grep -m1 "FAIL .*$expect" "$work/summary.txt" | sed 's/^ *//')"
