#!/usr/bin/env bash
# Boot one guest kernel in QEMU with a fresh initramfs and collect what it
# reports. Usage: scripts/run-guest.sh KERNEL [PLAN]
# Output in build/<kernel>/run/ (or OWNBUF_RUN_DIR): console.log (ttyS0),
# results.raw (ttyS1, each line stamped with the host's clock on arrival by
# stamp-lines.py), and sections/<name> split out of results.raw, with
# sections/<name>.ts holding the stamp of each line. Exits 0 when the
# guest reached the end of its plan, 1 when it crashed, hung or never
# reported. OWNBUF_TESTS (a glob) runs only the KUnit suites and selftests
# it names; OWNBUF_GUEST_NICE runs QEMU at that nice level and
# OWNBUF_GUEST_CPUS on those host CPUs only; OWNBUF_GUEST_APPEND adds
# kernel parameters.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

kernel=${1:?usage: $0 KERNEL [PLAN]}
plan=${2:-check}
timeout_s=${OWNBUF_GUEST_TIMEOUT:-1200}
run=${OWNBUF_RUN_DIR:-$OWNBUF_BUILD/$kernel/run}
rm -rf "$run"
mkdir -p "$run/sections"

image=$(kernel_image "$kernel")
[ -f "$image" ] || die "no kernel image for $kernel"
"$OWNBUF_TOP/scripts/mkinitramfs.sh" "$kernel" "$plan" "$run/initramfs.cpio.gz"

accel=$("$OWNBUF_TOP/scripts/probe-accel.sh")
cmdline="console=ttyS0 panic=-1 rdinit=/init loglevel=6"
# KUnit reads its filter from the command line, also for module suites.
[ -n "${OWNBUF_TESTS:-}" ] && cmdline="$cmdline kunit.filter_glob=$OWNBUF_TESTS"
if [ "$kernel" = debug ]; then
	# A warning or oops is a test failure: stop at once and leave its
	# trace as the last thing on the console.
	cmdline="$cmdline oops=panic panic_on_warn=1 kfence.sample_interval=10"
fi
# OWNBUF_GUEST_APPEND: more kernel parameters, for experiments by hand.
[ -z "${OWNBUF_GUEST_APPEND:-}" ] || cmdline="$cmdline $OWNBUF_GUEST_APPEND"
if [ "$accel" = kvm ]; then
	accel_args=(-accel kvm -cpu host)
else
	accel_args=(-accel "tcg,thread=multi" -cpu max)
fi

# The debug guest needs less memory than the others and its kmemleak scans
# walk all of it: 1 GiB there.
mem=2G
[ "$kernel" != debug ] || mem=1G
mem=${OWNBUF_GUEST_MEM:-$mem}
# OWNBUF_GUEST_CPUS pins QEMU to those host CPUs (taskset -c).
pin=()
[ -z "${OWNBUF_GUEST_CPUS:-}" ] || pin=(taskset -c "$OWNBUF_GUEST_CPUS")

# boot: one run of QEMU; the result port goes to results.raw, stamped.
boot() {
	log "booting $kernel guest ($accel, plan $plan)"
	start=$(date +%s)
	set +e
	"${pin[@]}" nice -n "${OWNBUF_GUEST_NICE:-0}" timeout -k 10 "$timeout_s" qemu-system-x86_64 \
		-M pc -m "$mem" -smp 2 "${accel_args[@]}" \
		-bios /usr/share/qemu/qboot.rom \
		-nodefaults -no-user-config -display none -no-reboot \
		-kernel "$image" -initrd "$run/initramfs.cpio.gz" -append "$cmdline" \
		-chardev file,id=con,path="$run/console.log" -serial chardev:con \
		-chardev stdio,id=res,signal=off -serial chardev:res \
		</dev/null 2>"$run/qemu.log" | python3 "$OWNBUF_TOP/scripts/stamp-lines.py" >"$run/results.raw"
	qrc=${PIPESTATUS[0]}
	set -e
	echo "$(($(date +%s) - start))" >"$run/seconds"
	[ "$qrc" -eq 124 ] && echo "timeout after ${timeout_s}s" >>"$run/qemu.log"
	return 0
}

# A kernel that dies before its /init says "@@ownbuf kernel" has run no
# code of ownbuf's (init loads the module after that line): a boot
# failure of the kernel under test, not a result. Such a boot is kept as
# console.boot-failure-N.log, reported by the summary, and the guest boots
# again, up to OWNBUF_BOOT_RETRIES (1) more times. Seen once, in CI: the
# debug kernel's KASAN reported a wild access in an interrupt taken
# during identify_cpu(), 0.06 s into the boot.
retries=${OWNBUF_BOOT_RETRIES:-1}
failures=0
while :; do
	boot
	grep -q '^[0-9.]* @@ownbuf kernel ' "$run/results.raw" && break
	[ "$failures" -lt "$retries" ] || break
	failures=$((failures + 1))
	mv "$run/console.log" "$run/console.boot-failure-$failures.log"
	log "$kernel guest died before its /init ran (qemu rc=$qrc); booting again"
	tail -n 20 "$run/console.boot-failure-$failures.log" >&2 || true
done
echo "$accel" >"$run/accel"

# Split the result port into sections: each line is "SECONDS TEXT"; TEXT
# goes to the section's file, SECONDS to its .ts file, line for line. The
# serial line may add CRs.
tr -d '\r' <"$run/results.raw" | awk -v dir="$run/sections" '
	{ up = $1; sub(/^[^ ]* /, "") }
	/^@@ownbuf begin / { name = $3; gsub(/[^A-Za-z0-9_.:-]/, "_", name);
		file = dir "/" name; printf "" > file; printf "" > (file ".ts"); next }
	/^@@ownbuf end / { if (file != "") { close(file); close(file ".ts");
		split($4, a, "="); print a[2] > (file ".rc"); close(file ".rc") }
		file = ""; next }
	/^@@ownbuf exit / { print $3 > (dir "/.exit"); next }
	/^@@ownbuf kernel / { print $3 > (dir "/.kernel"); next }
	file != "" { print > file; print up > (file ".ts") }
'
if [ ! -f "$run/sections/.exit" ]; then
	log "$kernel guest did not finish its plan (qemu rc=$qrc); console tail:"
	tail -n 40 "$run/console.log" >&2 || true
	exit 1
fi
log "$kernel guest finished in $(cat "$run/seconds")s"
