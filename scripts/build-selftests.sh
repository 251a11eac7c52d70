#!/usr/bin/env bash
# Build the kselftests in tests/selftests/ as static binaries for the guests,
# against the kselftest harness of the unpacked kernel source (the repo keeps
# no copy of it) and ownbuf's own UAPI header. Output: build/selftests/.
# Each test is also built with -m32 as build/selftests/<name>_32, so the
# guests run it through the compat ioctl path, when gcc can link a static
# 32-bit binary (gcc-multilib); otherwise that build is skipped with a note.
# libownbuf_test.c also gets tools/lib/libownbuf.c compiled in (see
# extra_args), and tests/selftests/*_test.sh are copied as they are.
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

# Extra flags and sources for one test, by name: most tests are one file
# against the UAPI header; the library's test also compiles the library in.
extra_args() {
	case "$1" in
	libownbuf_test)
		echo "-I $OWNBUF_TOP/tools/lib $OWNBUF_TOP/tools/lib/libownbuf.c" ;;
	esac
}

for c in "$OWNBUF_TOP"/tests/selftests/*_test.c; do
	name=$(basename "$c" .c)
	read -r -a extra <<<"$(extra_args "$name")"
	log "building selftest $name"
	gcc "${cflags[@]}" "${extra[@]}" -o "$out/$name" "$c"
	if [ "$m32" = 1 ]; then
		log "building selftest ${name}_32"
		gcc -m32 "${cflags[@]}" "${extra[@]}" -o "$out/${name}_32" "$c"
	fi
done

# Shell selftests (busybox sh in the guest) run as they are.
for t in "$OWNBUF_TOP"/tests/selftests/*_test.sh; do
	[ -e "$t" ] || continue
	log "installing selftest $(basename "$t")"
	install -m 0755 "$t" "$out/"
done
