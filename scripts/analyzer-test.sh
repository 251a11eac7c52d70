#!/usr/bin/env bash
# Prove that libownbuf's declarations let `gcc -fanalyzer` act as a borrow
# checker: tools/examples/ownbuf_example.c (correct use) must compile with no
# warning at all, and each mistake in tools/examples/ownbuf_misuse.c (use
# after drop, use after give, double drop) must be reported. Prints one
# line per check; exits non-zero if any check fails.
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

for n in 1 2 3; do
	desc=$(sed -n "/^#if OWNBUF_MISUSE == $n\$/{n;s/^int \([a-z_]*\).*/\1/p}" tools/examples/ownbuf_misuse.c)
	"${cc[@]}" -DOWNBUF_MISUSE="$n" tools/examples/ownbuf_misuse.c >"$out" 2>&1
	if grep -qE -- '-Wanalyzer-(use-after-free|double-free)' "$out"; then
		echo "ok - analyzer: catches $desc"
	else
		echo "not ok - analyzer: misses $desc"
		sed 's/^/    /' "$out"
		failed=1
	fi
done
exit $failed
