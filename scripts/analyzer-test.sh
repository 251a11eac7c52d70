#!/usr/bin/env bash
# Prove that libownbuf's declarations let `gcc -fanalyzer` act as a borrow
# checker: tools/examples/ownbuf_example.c (correct use) must compile with no
# warning at all, and each mistake in tools/examples/ownbuf_misuse.c (use
# after drop, use after give, double drop, use after unmap) must be
# reported; the type errors there (a writable mapping of a shared borrow)
# must not compile at all. Prints one line per check; exits non-zero if any
# check fails.
set -uo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

cd "$OWNBUF_TOP" || exit 1
cc=(gcc -fanalyzer -Wall -Wextra -std=gnu11 -I include/uapi -I tools/lib -c -o /dev/null)
out=$(mktemp)
trap 'rm -f "$out"' EXIT
failed=0

if "${cc[@]}" -Werror tools/examples/ownbuf_example.c >"$out" 2>&1 && [ ! -s "$out" ]; then
	echo "ok - analyzer: ownbuf_example.c has no warning"
else
	echo "not ok - analyzer: ownbuf_example.c has warnings:"
	sed 's/^/    /' "$out"
	failed=1
fi

misuse() { sed -n "/^#if OWNBUF_MISUSE == $1\$/{n;s/^int \([a-z_]*\).*/\1/p}" tools/examples/ownbuf_misuse.c; }

for n in 1 2 3 4; do
	desc=$(misuse "$n")
	"${cc[@]}" -DOWNBUF_MISUSE="$n" tools/examples/ownbuf_misuse.c >"$out" 2>&1
	if grep -qE -- '-Wanalyzer-(use-after-free|double-free)' "$out"; then
		echo "ok - analyzer: catches $desc"
	else
		echo "not ok - analyzer: misses $desc"
		sed 's/^/    /' "$out"
		failed=1
	fi
done

# Refused by the type system: the compile fails, on _Generic's selector.
desc=$(misuse 5)
if LC_ALL=C "${cc[@]}" -DOWNBUF_MISUSE=5 tools/examples/ownbuf_misuse.c >"$out" 2>&1; then
	echo "not ok - compiler: accepts $desc"
	failed=1
elif grep -q "'_Generic' selector of type 'struct ownbuf_ref \*'" "$out"; then
	echo "ok - compiler: refuses $desc"
else
	echo "not ok - compiler: refuses $desc, but not for its type"
	sed 's/^/    /' "$out"
	failed=1
fi
exit $failed
