#!/usr/bin/env bash
# Static checks, each one a pass/fail result in build/lint/<tool>.{log,rc}:
# checkpatch --strict, sparse (C=2) on the module, kernel-doc, shellcheck,
# and the UAPI header compiling alone in userspace. Exits non-zero when any
# of them has a finding.
#
# The tools run side by side. Each one's clean verdict is kept under a hash
# of exactly what it reads (the files it checks, its own version, this
# script) and reused while that hash is unchanged; a finding is never kept,
# so a tool that found something runs again next time. OWNBUF_NO_REUSE=1
# runs every tool.
# The run_* functions run through tool(): shellcheck cannot see that.
# shellcheck disable=SC2317
set -uo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

src=$(kernel_source)
out="$OWNBUF_BUILD/lint"
rm -rf "$out"
mkdir -p "$out"
cd "$OWNBUF_TOP" || exit 1

c_files=$(git ls-files --cached --others --exclude-standard '*.c' '*.h' 2>/dev/null || find module include tests tools -name '*.[ch]')
sh_files=$(git ls-files --cached --others --exclude-standard 'scripts/*.sh' 'scripts/guest/*' '.ci/*' \
	'tests/*.sh' 2>/dev/null || find scripts .ci tests -type f -name '*.sh')
# shellcheck disable=SC2086 # one path a word
c_hash=$(tree_hash $c_files)
# shellcheck disable=SC2086
sh_hash=$(tree_hash $sh_files)
self=$(tree_hash scripts/lint.sh scripts/lib.sh scripts/checkpatch.ignore scripts/checkpatch-userspace.ignore)
src_ver=$(dpkg-query -W -f='${Version}' linux-source-6.12 2>/dev/null || echo "$src")

# tool NAME KEY-MATERIAL CMD...: run CMD (which prints its findings and
# fails when it has any) unless it was clean on the same inputs before
# (cached_run); its output goes to $out/NAME.log, its verdict to NAME.rc.
tool() {
	local name=$1 key rc=0 t0
	key=$(printf '%s\n' "$self" "$2" | sha256sum | cut -c1-16)
	shift 2
	t0=$(date +%s.%N)
	OWNBUF_STEP_NOTE="$out/$name.note" cached_run "lint-$name" "$key" "$@" >"$out/$name.log" 2>&1 || rc=$?
	awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f\n", b - a }' >"$out/$name.seconds"
	echo "$rc" >"$out/$name.rc"
}

# checkpatch: the ignore lists are ours, short, and explained in the files;
# userspace code (tools/, selftests, bench) has a few more, kernel-only rules.
run_checkpatch() {
	local ignores user_ignores kernel_c user_c trace_h rc=0
	ignores=$(grep -v '^#' scripts/checkpatch.ignore | paste -sd, -)
	user_ignores=$ignores,$(grep -v '^#' scripts/checkpatch-userspace.ignore | paste -sd, -)
	kernel_c=$(printf '%s\n' "$c_files" | grep -vE '^(tools/|tests/selftests/|tests/bench/|tests/gates/.*_test\.c)|_trace\.h$' || true)
	trace_h=$(printf '%s\n' "$c_files" | grep -E '_trace\.h$' || true)
	user_c=$(printf '%s\n' "$c_files" | grep -E '^(tools/|tests/selftests/|tests/bench/|tests/gates/.*_test\.c)' || true)
	# shellcheck disable=SC2086
	"$src/scripts/checkpatch.pl" --strict --no-tree --quiet --show-types \
		--ignore "$ignores" -f $kernel_c || rc=1
	# shellcheck disable=SC2086
	"$src/scripts/checkpatch.pl" --strict --no-tree --quiet --show-types \
		--ignore "$user_ignores" -f $user_c || rc=1
	# TRACE_EVENT()'s arguments are laid out as in include/trace/events/:
	# one macro per line, not aligned with the open parenthesis.
	# shellcheck disable=SC2086
	[ -z "$trace_h" ] || "$src/scripts/checkpatch.pl" --strict --no-tree --quiet --show-types \
		--ignore "$ignores,PARENTHESIS_ALIGNMENT,OPEN_ENDED_LINE" -f $trace_h || rc=1
	return "$rc"
}

# kernel-doc: every documented function and struct must be well formed.
run_kernel_doc() {
	local log
	# shellcheck disable=SC2086
	log=$("$src/scripts/kernel-doc" -Wall -none $c_files 2>&1) || { echo "$log"; return 1; }
	echo "$log"
	[ -z "$log" ]
}

# sparse over the module against the debug kernel, every file (C=2).
run_sparse() {
	local sdir="$out/sparse-src" rc
	mkdir -p "$sdir"
	rsync -a Kbuild module include tests "$sdir/"
	make -C "$(kernel_kdir debug)" M="$sdir" C=2 W=1 modules >"$out/sparse.build.log" 2>&1
	rc=$?
	# Any warning is a finding; a build that failed without one shows it all.
	if grep -E '(warning|error):' "$out/sparse.build.log"; then
		return 1
	fi
	[ "$rc" -eq 0 ] || cat "$out/sparse.build.log"
	return "$rc"
}

# Every script through shellcheck (the guest init is busybox sh).
run_shellcheck() {
	# shellcheck disable=SC2086
	shellcheck -x $sh_files
}

# The UAPI header must stand alone in userspace, C99, no warnings.
run_uapi_header() {
	printf '#include <linux/ownbuf.h>\nint main(void) { return 0; }\n' |
		gcc -std=c99 -Wall -Wextra -Werror -pedantic -I include/uapi -x c -o /dev/null -
}

tool checkpatch "$c_hash $src_ver" run_checkpatch &
tool kernel-doc "$c_hash $src_ver" run_kernel_doc &
tool sparse "$(tree_hash Kbuild module include tests) $(readlink -f "$OWNBUF_CACHE/debug/current") $(sparse --version 2>&1)" run_sparse &
tool shellcheck "$sh_hash $(shellcheck --version | sed -n 's/^version: //p')" run_shellcheck &
tool uapi-header "$(tree_hash include/uapi) $(gcc --version | sed -n 1p)" run_uapi_header &
wait

failed=0
for f in "$out"/*.rc; do
	t=$(basename "$f" .rc)
	if [ "$(cat "$f")" -eq 0 ]; then
		log "lint $t: clean$([ -s "$out/$t.note" ] && echo " ($(cat "$out/$t.note"))")"
	else
		log "lint $t: FINDINGS"
		sed 's/^/    /' "$out/$t.log" >&2
		failed=1
	fi
done
exit $failed
