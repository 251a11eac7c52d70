#!/usr/bin/env bash
# Static checks, each one a pass/fail result in build/lint/<tool>.{log,rc}:
# checkpatch --strict, sparse (C=2) on the module, kernel-doc, shellcheck,
# and the UAPI header compiling alone in userspace. Exits non-zero when any
# of them has a finding.
set -uo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

src=$(kernel_source)
out="$OWNBUF_BUILD/lint"
rm -rf "$out"
mkdir -p "$out"
cd "$OWNBUF_TOP" || exit 1

c_files=$(git ls-files --cached --others --exclude-standard '*.c' '*.h' 2>/dev/null || find module include tests tools -name '*.[ch]')
sh_files=$(git ls-files --cached --others --exclude-standard 'scripts/*.sh' 'scripts/guest/*' '.ci/*' 2>/dev/null ||
	find scripts .ci -type f)

record() {
	local tool=$1 rc=$2
	echo "$rc" >"$out/$tool.rc"
	if [ "$rc" -eq 0 ]; then
		log "lint $tool: clean"
	else
		log "lint $tool: FINDINGS"
		sed 's/^/    /' "$out/$tool.log" >&2
	fi
}

# checkpatch: the ignore lists are ours, short, and explained in the files;
# userspace code (tools/, selftests, bench) has a few more, kernel-only rules.
ignores=$(grep -v '^#' scripts/checkpatch.ignore | paste -sd, -)
user_ignores=$ignores,$(grep -v '^#' scripts/checkpatch-userspace.ignore | paste -sd, -)
kernel_c=$(printf '%s\n' "$c_files" | grep -vE '^(tools/|tests/selftests/|tests/bench/|tests/gates/.*_test\.c)' || true)
user_c=$(printf '%s\n' "$c_files" | grep -E '^(tools/|tests/selftests/|tests/bench/|tests/gates/.*_test\.c)' || true)
rc=0
# shellcheck disable=SC2086
"$src/scripts/checkpatch.pl" --strict --no-tree --quiet --show-types \
	--ignore "$ignores" -f $kernel_c >"$out/checkpatch.log" 2>&1 || rc=1
# shellcheck disable=SC2086
"$src/scripts/checkpatch.pl" --strict --no-tree --quiet --show-types \
	--ignore "$user_ignores" -f $user_c >>"$out/checkpatch.log" 2>&1 || rc=1
record checkpatch $rc

# kernel-doc: every documented function and struct must be well formed.
# shellcheck disable=SC2086
"$src/scripts/kernel-doc" -Wall -none $c_files >"$out/kernel-doc.log" 2>&1
rc=$?
[ -s "$out/kernel-doc.log" ] && rc=1
record kernel-doc $rc

# sparse over the module against the debug kernel, every file (C=2).
sdir="$out/sparse-src"
mkdir -p "$sdir"
rsync -a Kbuild module include tests "$sdir/"
make -C "$(kernel_kdir debug)" M="$sdir" C=2 W=1 modules >"$out/sparse.build.log" 2>&1
rc=$?
grep -E '(warning|error):' "$out/sparse.build.log" >"$out/sparse.log"
[ -s "$out/sparse.log" ] && rc=1
[ "$rc" -ne 0 ] && [ ! -s "$out/sparse.log" ] && cp "$out/sparse.build.log" "$out/sparse.log"
record sparse $rc

# Run shellcheck over every script (the guest init is busybox sh).
# shellcheck disable=SC2086
shellcheck -x $sh_files >"$out/shellcheck.log" 2>&1
record shellcheck $?

# The UAPI header must stand alone in userspace, C99, no warnings.
printf '#include <linux/ownbuf.h>\nint main(void) { return 0; }\n' |
	gcc -std=c99 -Wall -Wextra -Werror -pedantic -I include/uapi -x c -o /dev/null - \
	>"$out/uapi-header.log" 2>&1
record uapi-header $?

failed=0
for f in "$out"/*.rc; do
	[ "$(cat "$f")" -eq 0 ] || failed=1
done
exit $failed
