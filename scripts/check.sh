#!/usr/bin/env bash
# `make check`: everything, from nothing, failing fast. Installs what is
# missing, builds the debug kernel (cached), lints, builds the module for
# every kernel, the selftests, the tools and the packages, and only then
# boots each guest and runs KUnit + selftests in it, and proves that the
# gates still bite. Prints a per-step timing table and one summary ending
# in "N passed, N failed"; writes build/results/ (one KTAP file per kernel,
# junit.xml, steps.tsv, every step's log).
#
# The first step that fails stops the check, with its log's tail and the
# summary of what ran (KEEP_GOING=1 runs every step anyway).
#
# The inner loop (README.md): KERNELS="6.12 debug" boots only those
# kernels; TESTS=GLOB runs only the KUnit suites (kunit.filter_glob, so
# SUITE.CASE works too) and selftests whose name matches. Either one makes
# a subset run: the packaging tests and the gate self-test are left out.
# The full run is the default and the only one .ci/run makes.
# The functions below run through step() and guest(): shellcheck cannot
# see that they are reached.
# shellcheck disable=SC2317
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

start=$(date +%s)
read -r -a kernels <<<"${KERNELS:-${OWNBUF_KERNELS[*]}}"
export OWNBUF_TESTS=${TESTS:-}
subset=0
[ -z "${KERNELS:-}" ] && [ -z "$OWNBUF_TESTS" ] || subset=1
for k in "${kernels[@]}"; do
	case " ${OWNBUF_KERNELS[*]} " in
	*" $k "*) ;;
	*) die "KERNELS: no kernel called '$k' (known: ${OWNBUF_KERNELS[*]})" ;;
	esac
done
scripts="$OWNBUF_TOP/scripts"
results="$OWNBUF_BUILD/results"
# Nothing of an earlier run may pass for this one's.
rm -rf "$results" "$OWNBUF_BUILD"/*/run
mkdir -p "$results/logs"
steps="$results/steps.tsv"
: >"$steps"
stopped=""
# Background steps: name -> pid, until joined.
declare -A bg=()
specs=()
# Only a TESTS= run may leave a kernel without KUnit or selftest results.
subset_arg=()
[ -z "$OWNBUF_TESTS" ] || subset_arg=(--subset)
# The full run also fetches the 6.12 headers for the DKMS test; the newest
# kernel comes on its own (below).
deps=(host source)
for k in "${kernels[@]}"; do
	[ "$k" = newest ] || deps+=("$k")
done
[ "$subset" = 1 ] || deps+=(6.12)

# step_bg NAME CMD...: a step that runs in the background until join_bg.
step_bg() {
	(KEEP_GOING=1 step "$@") &
	bg[$1]=$!
}

# running NAME: is that background step still running?
running() { [ -n "${bg[$1]:-}" ] && kill -0 "${bg[$1]}" 2>/dev/null; }

# join_bg [NAME...]: wait for those background steps (all by default);
# stop if one of them failed.
join_bg() {
	local names=("$@") n failed
	[ $# -gt 0 ] || names=("${!bg[@]}")
	for n in "${names[@]}"; do
		[ -n "${bg[$n]:-}" ] || continue
		wait "${bg[$n]}" || true
		unset "bg[$n]"
		# A background step that died before it could record itself failed.
		awk -F'\t' -v n="$n" '$1 == n { found = 1 } END { exit !found }' "$steps" ||
			printf '%s\t0\t1\tdied before recording a result\t\n' "$n" >>"$steps"
	done
	failed=$(awk -F'\t' '$3 != 0 { print $1 }' "$steps")
	if [ -n "$failed" ] && [ -z "$stopped" ]; then
		stopped=$(head -n1 <<<"$failed")
		[ "${KEEP_GOING:-0}" = 1 ] || finish
	fi
}

# guest KERNEL: boot one guest and judge its results as the summary will
# (without the kernel's own KTAP parser, which the summary adds).
guest() {
	local k=$1 rc=0
	"$scripts/run-guest.sh" "$k" check || rc=1
	python3 "$scripts/summarize.py" "${subset_arg[@]}" "$k=$OWNBUF_BUILD/$k/run" || rc=1
	return "$rc"
}

# key PATH... -- STRING...: the key of a result that depends on exactly
# these files of the project and these strings (tool versions, kernels).
key() {
	local paths=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		paths+=("$1")
		shift
	done
	shift
	{ tree_hash "${paths[@]}"; printf '%s\n' "$@"; } | sha256sum | cut -c1-16
}

module_step() {
	"$scripts/build-module.sh" "$1" || return 1
	[ "$1" != 6.12 ] || "$scripts/modinfo-check.sh" "$OWNBUF_BUILD/6.12/ownbuf.ko"
}

# kill_tree PID: PID and everything under it (a guest: timeout, QEMU).
kill_tree() {
	local c
	for c in $(pgrep -P "$1"); do
		kill_tree "$c"
	done
	kill "$1" 2>/dev/null || true
}

finish() {
	local rc=0 args=() p
	# A step failed while background steps were still running: stop them.
	for p in "${bg[@]}"; do
		kill_tree "$p"
		wait "$p" 2>/dev/null || true
	done
	bg=()
	[ -d "$OWNBUF_BUILD/lint" ] && [ -f "$results/logs/lint.log" ] && args+=(--lint "$OWNBUF_BUILD/lint")
	args+=("${subset_arg[@]}")
	[ -f "$(kernel_source 2>/dev/null)/tools/testing/kunit/kunit.py" ] &&
		args+=(--kunit-py "$(kernel_source)/tools/testing/kunit/kunit.py")
	python3 "$scripts/summarize.py" "${args[@]}" --steps "$steps" --results "$results" \
		"${specs[@]}" | tee "$OWNBUF_BUILD/summary.txt" || rc=$?
	# Every ioctl's fault points, from the kernel with fault injection.
	if python3 "$scripts/fail-nth-table.py" "$OWNBUF_BUILD/debug/run/sections" \
		>"$results/fail-nth.md" 2>/dev/null; then
		echo "fail-nth, every fault point per operation: $results/fail-nth.md"
	else
		rm -f "$results/fail-nth.md"
	fi
	if [ -n "$stopped" ]; then
		echo "make check stopped at the first failed step: $stopped"
		echo "(its log: $results/logs/$(slug "$stopped").log; KEEP_GOING=1 runs the rest anyway)"
		rc=1
	fi
	log "make check took $(($(date +%s) - start))s"
	exit $rc
}

slug() { printf '%s' "$1" | tr -c 'A-Za-z0-9_.-' '_'; }

# step NAME CMD...: one timed step; its output goes to results/logs/. A
# step that fails stops the check there, unless KEEP_GOING=1.
step() {
	local name=$1 file t0 rc secs note
	shift
	file="$results/logs/$(slug "$name")"
	log "$name"
	t0=$(date +%s.%N)
	set +e
	OWNBUF_STEP_NOTE="$file.note" "$@" >"$file.log" 2>&1
	rc=$?
	set -e
	secs=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
	note=$(cat "$file.note" 2>/dev/null || true)
	printf '%s\t%s\t%s\t%s\t%s\n' "$name" "$secs" "$rc" "$note" "$file.log" >>"$steps"
	[ "$rc" -eq 0 ] && return 0
	log "FAILED: $name (${secs}s); the end of its log:"
	tail -n 40 "$file.log" | sed 's/^/    /' >&2
	stopped=${stopped:-$name}
	[ "${KEEP_GOING:-0}" = 1 ] || finish
	return 0
}

# Interrupted (Ctrl-C, a cancelled CI job): no guest may outlive the check,
# in the background or not (timeout puts QEMU in a process group of its
# own, out of the terminal's reach).
trap 'for p in $(pgrep -P $$); do kill_tree "$p"; done; exit 130' INT TERM

# 1. What every later step needs: packages and stock kernels. Two long
# ones go to the background: the sid chroot for the newest kernel (mostly
# downloads) and, on a cold run, the debug kernel's compile, which the
# builds that do not need it share the machine with.
newest=0
for k in "${kernels[@]}"; do
	[ "$k" = newest ] && newest=1
done
step "deps: packages and kernels" "$scripts/deps.sh" "${deps[@]}"
[ "$newest" = 0 ] || step_bg "deps: the newest kernel and its sid chroot" "$scripts/deps.sh" newest
step_bg "build: debug kernel" "$scripts/build-debug-kernel.sh"

# 2. Static checks and builds, before any boot: first what needs no debug
# kernel, then lint (sparse runs against the debug kernel, KUnit suites
# included) and the modules for the kernels that had to wait.
step "build: selftests" "$scripts/build-selftests.sh"
step "build: tools" "$scripts/build-tools.sh"
step "analyzer: gcc -fanalyzer as a borrow checker" cached_run analyzer \
	"$(key tools/lib tools/examples include/uapi scripts/analyzer-test.sh -- "$(gcc --version)")" \
	"$scripts/analyzer-test.sh"
for k in "${kernels[@]}"; do
	[ "$k" = debug ] || [ "$k" = newest ] || step "build: module for $k" module_step "$k"
done
if [ "$subset" = 0 ]; then
	step "dkms: build against Debian 6.12 headers" cached_run dkms \
		"$(key Kbuild module include tests/kunit dkms.conf VERSION scripts/dkms-test.sh \
			scripts/modinfo-check.sh -- "$(readlink -f "$(stock_dir 6.12)")" "$(dkms --version 2>&1)")" \
		"$scripts/dkms-test.sh"
	step "install: headers, libownbuf, ownbufctl, udev rule" cached_run install \
		"$(key Makefile tools include/uapi VERSION scripts/install-test.sh -- "$(gcc --version)")" \
		"$scripts/install-test.sh"
	step "deb: packages install and pass lintian in a bookworm chroot" cached_run deb \
		"$(key Kbuild module include tests/kunit dkms.conf VERSION Makefile tools debian \
			scripts/deb.sh scripts/deb-test.sh -- "$(readlink -f "$(stock_dir 6.12)")" \
			"$(dpkg-query -W -f='${Version} ' debhelper dh-dkms dkms lintian 2>&1)" \
			"$(gcc --version)")" \
		"$scripts/deb-test.sh"
fi
join_bg "build: debug kernel"
step "lint" "$scripts/lint.sh"
[[ " ${kernels[*]} " != *" debug "* ]] || step "build: module for debug" module_step debug
if [ "$newest" = 1 ]; then
	join_bg "deps: the newest kernel and its sid chroot"
	step "build: module for newest" module_step newest
fi

# 3. The guests, then the proof that their gates bite. Under TCG the
# debug guest is the long pole and keeps a core and a bit busy: it boots in
# the background while the stock guests and the gate self-test take turns
# on what it leaves.
debug_bg=0
if [ "${#kernels[@]}" -gt 1 ] && [[ " ${kernels[*]} " == *" debug "* ]]; then
	specs+=("debug=$OWNBUF_BUILD/debug/run")
	step_bg "guest: debug" guest debug
	debug_bg=1
fi
# What runs beside the debug guest yields to it: its vCPUs spin when the
# host preempts one that holds a lock, so it must never wait for a core.
# While it runs, the others are pinned to one host CPU at the lowest
# priority; once it is done they get the whole machine.
beside_debug() {
	if running "guest: debug" && [ "$(nproc)" -ge 2 ]; then
		export OWNBUF_GUEST_NICE=19 OWNBUF_GUEST_CPUS=$(($(nproc) - 1))
	else
		unset OWNBUF_GUEST_NICE OWNBUF_GUEST_CPUS
	fi
}
for k in "${kernels[@]}"; do
	[ "$k" = debug ] && [ "$debug_bg" = 1 ] && continue
	beside_debug
	specs+=("$k=$OWNBUF_BUILD/$k/run")
	step "guest: $k" guest "$k"
done
if [ "$subset" = 0 ]; then
	beside_debug
	step "gates: KASAN, KUnit, selftest and boot failures are caught" "$scripts/gate-test.sh"
	beside_debug
	step "mutants: the stress catches every broken module" "$scripts/mutants-test.sh"
fi
unset OWNBUF_GUEST_NICE OWNBUF_GUEST_CPUS
join_bg

finish
