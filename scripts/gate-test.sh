#!/usr/bin/env bash
# Prove that the gates of `make check` bite, in one boot of the debug guest
# (same kernel, same command line, same /init as the real check) with three
# deliberately broken pieces and nothing else: a KUnit case that fails, a
# selftest that fails, and, once every result is out, a KASAN out-of-bounds
# write, after which the guest panics as it would on a real bug. A second
# guest never reaches its /init: retried once as such boots are, it still
# fails. Each run is summarised as `make check` summarises one and each
# gate passes only when that summary fails naming the expected cause.
#
# The three gates depend only on the harness (these scripts, the guest
# /init, the summariser, the gate sources), the debug kernel, the kselftest
# harness and the compiler, never on ownbuf itself: the verdict is kept
# under a hash of exactly those, reused while it is unchanged and redone
# whenever it changes (OWNBUF_NO_REUSE=1 redoes it anyway).
#
# Prints one "ok - gate: ..." or "not ok - gate: ..." line per gate.
# Usage: scripts/gate-test.sh
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

kernel=debug
src=$(kernel_source)
key=$( {
	tree_hash tests/gates scripts/guest scripts/summarize.py scripts/run-guest.sh \
		scripts/stamp-lines.py scripts/mkinitramfs.sh scripts/gate-test.sh scripts/lib.sh \
		scripts/probe-accel.sh
	qemu-system-x86_64 --version | sed -n 1p
	readlink -f "$OWNBUF_CACHE/debug/current"
	cat "$src/tools/testing/selftests/kselftest_harness.h" "$src/tools/testing/selftests/kselftest.h"
	gcc --version | sed -n 1p
	/bin/busybox 2>&1 | sed -n 1p
} | sha256sum | cut -c1-16)

# One boot with the broken pieces, summarised; prints the summary, then a
# verdict line per gate.
run_gates() {
	local work="$OWNBUF_BUILD/gates" rc verdicts=""
	rm -rf "$work"
	mkdir -p "$work/extra/selftests" "$work/src"

	# The broken pieces: the module (bug=kunit at load, bug=kasan at the
	# end)...
	rsync -a "$OWNBUF_TOP/tests/gates/" "$work/src/"
	make -C "$(kernel_kdir "$kernel")" M="$work/src" modules >"$work/build.log" 2>&1 ||
		{ cat "$work/build.log"; echo "gate module build failed"; return 1; }
	cp "$work/src/ownbuf_gate.ko" "$work/extra/"
	echo "bug=kunit" >"$work/extra/ownbuf_gate.params"
	printf '#!/bin/sh\nrmmod ownbuf_gate\ninsmod /lib/ownbuf/ownbuf_gate.ko bug=kasan\n' \
		>"$work/extra/last.sh"
	chmod +x "$work/extra/last.sh"
	# ...and the selftest.
	gcc -O2 -Wall -Werror -static -pthread -I "$src/tools/testing/selftests" \
		-o "$work/extra/selftests/ownbuf_gate_test" "$OWNBUF_TOP/tests/gates/ownbuf_gate_test.c" ||
		return 1

	OWNBUF_TESTS='' OWNBUF_RUN_DIR="$work/run" OWNBUF_GUEST_FILES="$work/extra" \
		"$OWNBUF_TOP/scripts/run-guest.sh" "$kernel" check 2>"$work/run.log" || true
	rc=0
	python3 "$OWNBUF_TOP/scripts/summarize.py" "$kernel=$work/run" >"$work/summary.txt" 2>&1 || rc=$?
	cat "$work/summary.txt"

	# A second guest whose kernel never reaches /init (rdinit and init
	# name no file, so the boot panics): booted again once, as any boot
	# that dies that early is, and still a failure.
	OWNBUF_TESTS='' OWNBUF_RUN_DIR="$work/boot" OWNBUF_GUEST_FILES="$work/extra" \
		OWNBUF_GUEST_APPEND="rdinit=/no-such-init init=/no-such-init" \
		OWNBUF_BOOT_RETRIES=1 OWNBUF_GUEST_TIMEOUT=300 \
		"$OWNBUF_TOP/scripts/run-guest.sh" "$kernel" check 2>"$work/boot.log" || true
	boot_rc=0
	python3 "$OWNBUF_TOP/scripts/summarize.py" "$kernel=$work/boot" >"$work/boot-summary.txt" 2>&1 ||
		boot_rc=$?
	sed -n '/^== failures/,$p' "$work/boot-summary.txt"

	# gate NAME EXPECT...: the gate bites when the summary (SUMMARY, else
	# the first boot's) failed with every EXPECT among its lines.
	gate() {
		local name=$1 e ok=1 summary=${SUMMARY:-$work/summary.txt} failed=${FAILED:-$rc}
		shift
		[ "$failed" -ne 0 ] || ok=0
		for e in "$@"; do
			grep -q -- "$e" "$summary" ||
				{ ok=0; echo "gate $name: no line matching '$e'"; }
		done
		if [ "$ok" = 1 ]; then
			verdicts+="ok - gate: $name failure is caught"$'\n'
		else
			verdicts+="not ok - gate: $name failure is caught"$'\n'
		fi
	}
	gate kasan 'FAIL .*sanitizer gate: BUG: KASAN: slab-out-of-bounds in ownbuf_gate_overflow' \
		'FAIL .*guest crashed, hung or never reported'
	gate kunit 'FAIL .*kunit:ownbuf_gate: ownbuf_gate_case'
	gate selftest 'FAIL .*selftest:ownbuf_gate_test: global.deliberately_wrong_errno'
	SUMMARY=$work/boot-summary.txt FAILED=$boot_rc gate boot \
		'a boot died before /init and was retried' 'FAIL .*guest crashed, hung or never reported'
	printf '%s' "$verdicts"
	! grep -q '^not ok' <<<"$verdicts"
}

cached_run gates "$key" run_gates
