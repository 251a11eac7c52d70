#!/usr/bin/env bash
# Build the kselftests in tests/selftests/ as static binaries for the guests,
# against the kselftest harness of the unpacked kernel source (the repo keeps
# no copy of it) and ownbuf's own UAPI header. Output: build/selftests/.
# Each test is also built with -m32 as build/selftests/<name>_32, so the
# guests run it through the compat ioctl path, when gcc can link a static
# 32-bit binary (gcc-multilib); otherwise that build is skipped with a note.
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

# Can this gcc link a static 32-bit program at all?
m32=0
probe=$(mktemp -d)
trap 'rm -rf "$probe"' EXIT
printf 'int main(void) { return 0; }\n' >"$probe/p.c"
if gcc -m32 -static -o "$probe/p" "$probe/p.c" >/dev/null 2>&1; then
	m32=1
else
	log "gcc -m32 cannot link static binaries (no gcc-multilib?): skipping 32-bit selftests"
fi

for c in "$OWNBUF_TOP"/tests/selftests/*_test.c; do
	name=$(basename "$c" .c)
	log "building selftest $name"
	gcc "${cflags[@]}" -o "$out/$name" "$c"
	if [ "$m32" = 1 ]; then
		log "building selftest ${name}_32"
		gcc -m32 "${cflags[@]}" -o "$out/${name}_32" "$c"
	fi
done
