#!/usr/bin/env bash
# `make check`: everything, from nothing. Installs what is missing, builds
# the debug kernel (cached), lints, builds the module for every kernel,
# boots each guest and runs KUnit + selftests in it, proves the gates still
# bite, tests the packaging (modinfo, DKMS, make install), and prints one
# summary ending in "N passed, N failed".
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

# ownbufctl, which tests/selftests/ownbufctl_test.sh runs in the guests.
if "$scripts/build-tools.sh"; then
	extra+=("build: tools=0")
else
	extra+=("build: tools=1")
fi

# gcc -fanalyzer as a borrow checker for libownbuf users: one result each.
n_before=${#extra[@]}
while IFS= read -r line; do
	case "$line" in
	"ok - "*) extra+=("${line#ok - }=0") ;;
	"not ok - "*) extra+=("${line#not ok - }=1") ;;
	esac
done < <("$scripts/analyzer-test.sh" 2>&1)
[ "${#extra[@]}" -gt "$n_before" ] || extra+=("analyzer: the test printed no result=1")

specs=()
for k in "${kernels[@]}"; do
	if "$scripts/build-module.sh" "$k"; then
		extra+=("build: module for $k=0")
		if [ "$k" = 6.12 ]; then
			if "$scripts/modinfo-check.sh" "$OWNBUF_BUILD/$k/ownbuf.ko"; then
				extra+=("modinfo: every parameter of the $k module described=0")
			else
				extra+=("modinfo: every parameter of the $k module described=1")
			fi
		fi
		"$scripts/run-guest.sh" "$k" check || true
	else
		extra+=("build: module for $k=1")
		[ "$k" != 6.12 ] || extra+=("modinfo: every parameter of the $k module described=1")
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

# Packaging: DKMS builds the module against Debian's 6.12 headers, and the
# install targets put down a usable header, library, tool and udev rule.
if "$scripts/dkms-test.sh"; then
	extra+=("dkms: build against Debian 6.12 headers=0")
else
	extra+=("dkms: build against Debian 6.12 headers=1")
fi
if "$scripts/install-test.sh"; then
	extra+=("install: headers, libownbuf, ownbufctl, udev rule=0")
else
	extra+=("install: headers, libownbuf, ownbufctl, udev rule=1")
fi

rc=0
python3 "$scripts/summarize.py" --lint "$OWNBUF_BUILD/lint" \
	--kunit-py "$(kernel_source)/tools/testing/kunit/kunit.py" \
	"${extra[@]/#/--extra=}" "${specs[@]}" | tee "$OWNBUF_BUILD/summary.txt" || rc=$?
log "make check took $(($(date +%s) - start))s"
exit $rc
