#!/usr/bin/env bash
# Prove that the stress bites: each patch in tests/mutants/ breaks the
# module in one way the contract forbids (its "Mutant:" line says how).
# The broken module is built for the debug kernel and a short stress runs
# on it (seed 1, 20 s, the debug guest's sanitizers and kmemleak on); the
# mutant is caught when that run fails and its output names the symptom
# the patch's "Expect:" line gives (an extended regex). A patch that no
# longer applies fails too: update it with the code it breaks.
#
# The verdict depends on the module, the stress, the mutants, the harness
# and the debug kernel, and is kept under a hash of exactly those, like the
# gate self-tests' (OWNBUF_NO_REUSE=1 redoes it).
#
# Prints one "ok - mutant: NAME is caught" or "not ok - ..." line each.
# Usage: scripts/mutants-test.sh   (OWNBUF_MUTANTS=GLOB runs only those, by
# name, and keeps no verdict: for the inner loop)
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

kernel=debug
seconds=${OWNBUF_MUTANT_SECONDS:-20}
key=$( {
	tree_hash module include Kbuild tests/kunit tests/stress tests/mutants scripts/guest \
		scripts/summarize.py scripts/run-guest.sh scripts/stamp-lines.py \
		scripts/mkinitramfs.sh scripts/mutants-test.sh scripts/lib.sh scripts/probe-accel.sh
	echo "$seconds"
	qemu-system-x86_64 --version | sed -n 1p
	readlink -f "$OWNBUF_CACHE/debug/current"
	gcc --version | sed -n 1p
} | sha256sum | cut -c1-16)

# One mutant: build, boot with the stress alone, judge. Prints its verdict.
one_mutant() {
	local patch=$1 name work expect
	name=$(basename "$patch" .patch)
	work="$OWNBUF_BUILD/mutants/$name"
	expect=$(sed -n 's/^Expect: //p' "$patch")
	rm -rf "$work"
	mkdir -p "$work/src" "$work/extra/selftests"
	rsync -a "$OWNBUF_TOP/Kbuild" "$OWNBUF_TOP/module" "$OWNBUF_TOP/include" \
		"$OWNBUF_TOP/tests" "$work/src/"
	if ! patch -s -d "$work/src" -p1 <"$patch" >"$work/patch.log" 2>&1; then
		cat "$work/patch.log"
		echo "not ok - mutant: $name no longer applies"
		return
	fi
	# Without the KUnit suites: the stress alone must catch the mutant.
	if ! make -C "$(kernel_kdir "$kernel")" M="$work/src" CONFIG_KUNIT= modules \
		>"$work/build.log" 2>&1; then
		tail -n 20 "$work/build.log"
		echo "not ok - mutant: $name does not build"
		return
	fi
	cp "$work/src/ownbuf.ko" "$work/extra/"
	cp "$OWNBUF_BUILD/selftests/ownbuf_stress" "$work/extra/selftests/"
	OWNBUF_TESTS='' OWNBUF_RUN_DIR="$work/run" OWNBUF_GUEST_FILES="$work/extra" \
		OWNBUF_STRESS_ARGS="-d $seconds -s 1" OWNBUF_GUEST_TIMEOUT=600 \
		"$OWNBUF_TOP/scripts/run-guest.sh" "$kernel" stress 2>"$work/run.log" || true
	python3 "$OWNBUF_TOP/scripts/summarize.py" --subset "$kernel=$work/run" \
		>"$work/summary.txt" 2>&1 && {
		echo "not ok - mutant: $name is caught (the run passed)"
		return
	}
	if cat "$work/summary.txt" "$work/run/sections/selftest:ownbuf_stress" \
		"$work/run/console.log" 2>/dev/null | grep -Eq -- "$expect"; then
		echo "ok - mutant: $name is caught ($(grep -Eo -m1 -- "$expect" \
			"$work/summary.txt" "$work/run/sections/selftest:ownbuf_stress" \
			"$work/run/console.log" 2>/dev/null | head -n1 | cut -d: -f2-))"
	else
		sed -n '/^== failures/,$p' "$work/summary.txt"
		echo "not ok - mutant: $name is caught, but nothing said \"$expect\""
	fi
}

run_mutants() {
	local out patch
	[ -x "$OWNBUF_BUILD/selftests/ownbuf_stress" ] || die "build the selftests first"
	out=$(for patch in "$OWNBUF_TOP"/tests/mutants/${OWNBUF_MUTANTS:-*}.patch; do
		one_mutant "$patch"
	done)
	printf '%s\n' "$out"
	! grep -q '^not ok' <<<"$out"
}

if [ -n "${OWNBUF_MUTANTS:-}" ]; then
	run_mutants
else
	cached_run mutants "$key" run_mutants
fi
