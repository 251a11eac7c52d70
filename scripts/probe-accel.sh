#!/usr/bin/env bash
# Print "kvm" when a KVM guest really runs on this machine, else "tcg".
# /dev/kvm existing is not enough: nested or emulated KVM can abort on
# MSRs or stop with internal errors, so boot a kernel under it and look for
# it to get as far as panicking on its missing root. The answer is cached
# per boot of the host. OWNBUF_ACCEL=kvm|tcg overrides.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

if [ -n "${OWNBUF_ACCEL:-}" ]; then
	echo "$OWNBUF_ACCEL"
	exit 0
fi
bootid=$(cat /proc/sys/kernel/random/boot_id 2>/dev/null || echo unknown)
stamp="$OWNBUF_CACHE/accel-$bootid"
if [ -f "$stamp" ]; then
	cat "$stamp"
	exit 0
fi
answer=tcg
image=$(kernel_image 6.12 2>/dev/null || true)
if [ -r /dev/kvm ] && [ -w /dev/kvm ]; then
	# Without a kernel to try, say TCG for now but remember nothing.
	if [ -z "$image" ] || [ ! -f "$image" ]; then
		echo tcg
		exit 0
	fi
	out=$(mktemp)
	timeout -k 5 30 qemu-system-x86_64 -M pc -m 256M -accel kvm -cpu host \
		-nodefaults -no-user-config -display none -no-reboot \
		-bios /usr/share/qemu/qboot.rom -kernel "$image" \
		-append "console=ttyS0 panic=-1" -serial file:"$out" \
		</dev/null >/dev/null 2>&1 || true
	grep -q 'Kernel panic' "$out" && answer=kvm
	rm -f "$out"
fi
mkdir -p "$OWNBUF_CACHE"
echo "$answer" >"$stamp"
echo "$answer"
