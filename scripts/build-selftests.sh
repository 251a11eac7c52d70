#!/usr/bin/env bash
# Build the kselftests in tests/selftests/ as static binaries for the guests,
# against the kselftest harness of the unpacked kernel source (the repo keeps
# no copy of it) and ownbuf's own UAPI header. Output: build/selftests/.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

src=$(kernel_source)
harness="$src/tools/testing/selftests"
[ -f "$harness/kselftest_harness.h" ] || die "kselftest harness missing: run scripts/deps.sh"
out="$OWNBUF_BUILD/selftests"
mkdir -p "$out"
cflags=(-O2 -g -Wall -Werror -static -pthread
	-I "$OWNBUF_TOP/include/uapi" -I "$harness")
for c in "$OWNBUF_TOP"/tests/selftests/*_test.c; do
	name=$(basename "$c" .c)
	log "building selftest $name"
	gcc "${cflags[@]}" -o "$out/$name" "$c"
done
