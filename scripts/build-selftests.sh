#!/usr/bin/env bash
# Build the kselftests in tests/selftests/ as static binaries for the guests,
# against the kselftest harness of the unpacked kernel source (the repo keeps
# no copy of it) and ownbuf's own UAPI header. Output: build/selftests/.
# Each test is also built with -m32 as build/selftests/<name>_32, so the
# guests run it through the compat ioctl path, when gcc can link a static
# 32-bit binary (gcc-multilib); otherwise that build is skipped with a note.
# libownbuf_test.c also gets tools/lib/libownbuf.c compiled in (see
# extra_args), and tests/selftests/*_test.sh are copied as they are.
# tests/stress/ownbuf_stress.c is built beside them (64-bit only: its
# slice is long, and the fuzz covers the compat path), so the guests run it
# as a selftest.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

src=$(kernel_source)
harness="$src/tools/testing/selftests"
[ -f "$harness/kselftest_harness.h" ] || die "kselftest harness missing: run scripts/deps.sh"
out="$OWNBUF_BUILD/selftests"
mkdir -p "$out"
cflags=(-O2 -g -Wall -Werror -static -pthread -D_FILE_OFFSET_BITS=64
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

# A binary depends on its source, the shared headers, libownbuf, the UAPI
# header, the kselftest harness, the compiler and this script: one whose
# inputs are those of its last good build is not rebuilt.
common=$( {
	tree_hash tests/selftests/ownbuf_helpers.h tools/lib include/uapi scripts/build-selftests.sh
	cat "$harness/kselftest_harness.h" "$harness/kselftest.h"
	gcc --version | sed -n 1p
} | sha256sum | cut -c1-16)
mkdir -p "$out/.keys"

# One compile per binary, as many at once as there are cores; a failed
# compile leaves its error on stderr and a mark that fails the build.
build_one() {
	local bin=$1 c=$2 key=$3 extra
	shift 3
	read -r -a extra <<<"$(extra_args "${bin%_32}")"
	log "building selftest $bin"
	if gcc "$@" "${cflags[@]}" "${extra[@]}" -o "$out/$bin" "$c"; then
		echo "$key" >"$out/.keys/$bin"
	else
		touch "$out/.failed"
	fi
}
rm -f "$out/.failed"
cores=$(nproc)
built=0
wanted=()
for c in "$OWNBUF_TOP"/tests/selftests/*_test.c "$OWNBUF_TOP"/tests/stress/ownbuf_stress.c; do
	name=$(basename "$c" .c)
	key=$(cat - "$c" <<<"$common" | sha256sum | cut -c1-16)
	for bin in "$name" "${name}_32"; do
		[ "$bin" = "$name" ] || [ "$m32" = 1 ] || continue
		[ "$bin" != ownbuf_stress_32 ] || continue
		wanted+=("$bin")
		[ -x "$out/$bin" ] && [ "$(cat "$out/.keys/$bin" 2>/dev/null)" = "$key" ] && continue
		rm -f "$out/.keys/$bin"
		while [ "$(jobs -rp | wc -l)" -ge "$cores" ]; do
			wait -n || true
		done
		if [ "$bin" = "$name" ]; then
			build_one "$bin" "$c" "$key" &
		else
			build_one "$bin" "$c" "$key" -m32 &
		fi
		built=$((built + 1))
	done
done
wait
[ ! -e "$out/.failed" ] || die "a selftest did not build"
# Binaries whose source is gone are not tests any more (the shell tests
# are copied again below).
for f in "$out"/*; do
	case " ${wanted[*]} " in
	*" ${f##*/} "*) ;;
	*) rm -f "$f" "$out/.keys/${f##*/}" ;;
	esac
done
[ "$built" -gt 0 ] || step_note "up to date"
log "selftests: $built of ${#wanted[@]} binaries rebuilt"

# The benchmark too: every guest of make check runs it once, --tiny.
build_bench

# Shell selftests (busybox sh in the guest) run as they are.
for t in "$OWNBUF_TOP"/tests/selftests/*_test.sh; do
	[ -e "$t" ] || continue
	log "installing selftest $(basename "$t")"
	install -m 0755 "$t" "$out/"
done
