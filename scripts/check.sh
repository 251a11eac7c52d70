#!/usr/bin/env bash
# `make check`: everything, from nothing. Installs what is missing, builds
# the debug kernel (cached), lints, builds the module for every kernel,
# boots each guest and runs KUnit + selftests in it, proves the gates still
# bite, and prints one summary ending in "N passed, N failed".
# OWNBUF_KERNELS="debug 6.12" narrows the kernels; OWNBUF_SKIP_GATES=1
# skips the gate self-test.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

start=$(date +%s)
read -r -a kernels <<<"${OWNBUF_KERNELS_OVERRIDE:-${OWNBUF_KERNELS[*]}}"
scripts="$OWNBUF_TOP/scripts"

"$scripts/deps.sh" all
"$scripts/build-debug-kernel.sh"

extra=()
"$scripts/lint.sh" || true

if "$scripts/build-selftests.sh"; then
	extra+=("build: selftests=0")
else
	extra+=("build: selftests=1")
fi

specs=()
for k in "${kernels[@]}"; do
	if "$scripts/build-module.sh" "$k"; then
		extra+=("build: module for $k=0")
		"$scripts/run-guest.sh" "$k" check || true
	else
		extra+=("build: module for $k=1")
	fi
	specs+=("$k=$OWNBUF_BUILD/$k/run")
done

if [ -z "${OWNBUF_SKIP_GATES:-}" ]; then
	for gate in kasan kunit selftest; do
		if "$scripts/gate-test.sh" "$gate"; then
			extra+=("gate: $gate failure is caught=0")
		else
			extra+=("gate: $gate failure is caught=1")
		fi
	done
fi

rc=0
python3 "$scripts/summarize.py" --lint "$OWNBUF_BUILD/lint" \
	--kunit-py "$(kernel_source)/tools/testing/kunit/kunit.py" \
	"${extra[@]/#/--extra=}" "${specs[@]}" | tee "$OWNBUF_BUILD/summary.txt" || rc=$?
log "make check took $(($(date +%s) - start))s"
exit $rc
