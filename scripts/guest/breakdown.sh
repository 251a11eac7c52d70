#!/bin/sh
# ownbuf guest: where the time of one call goes (busybox sh, in the bench
# plan). For each of create+drop, borrow+release and query, the benchmark
# makes N calls in a loop (ownbuf_bench --loop) under ftrace's
# function_graph tracer, limited to ownbuf_ioctl_dispatch() and what it
# calls a few levels down; the trace is summed here per function: calls per
# operation, mean time per call, and its share of the dispatch's time.
# Tracing adds its own cost to every traced call (a lot of it under TCG):
# read the shares and the calls, not the absolute times. The syscall entry
# up to the driver is not in the dispatch; the null ioctl row of the bench
# is its cost.
# Usage: breakdown.sh BENCH [N]
bench=${1:?usage: $0 BENCH [N]}
n=${2:-2000}
T=/sys/kernel/tracing
[ -d $T/options ] || mount -t tracefs nodev $T 2>/dev/null
if ! grep -qw function_graph $T/available_tracers 2>/dev/null; then
	echo "breakdown: n/a (no function_graph tracer in this kernel)"
	exit 0
fi

# sum OPS: the trace on stdin as "depth function calls/op mean-us share%".
sum() {
	awk -F'|' -v ops="$1" '
	NF < 2 { next }
	{
		left = $1
		right = substr($0, length($1) + 2)
		if (!match(left, /[0-9]+\.[0-9]+ us/))
			next
		us = substr(left, RSTART, RLENGTH - 3) + 0
		match(right, /^ */)
		depth = int((RLENGTH - 2) / 2)
		text = substr(right, RLENGTH + 1)
		if (text ~ /^}/) {
			name = text
			sub(/^} \/\* /, "", name)
			sub(/ \*\/.*$/, "", name)
		} else {
			name = text
			sub(/\(\);.*$/, "", name)
		}
		sub(/ \[ownbuf\]/, "", name)
		key = sprintf("%d %s", depth, name)
		if (!(key in calls))
			order[++nkeys] = key
		calls[key]++
		total[key] += us
		if (depth == 0)
			root += us
	}
	END {
		for (i = 1; i <= nkeys; i++) {
			k = order[i]
			share = root ? 100 * total[k] / root : 0
			if (share < 1)
				continue
			split(k, a, " ")
			pad = ""
			for (j = 0; j < a[1]; j++)
				pad = pad "  "
			printf "  %-40s %8.2f %9.3f %6.1f%%\n", pad a[2],
			       calls[k] / ops, total[k] / calls[k], share
		}
	}'
}

echo 0 >$T/tracing_on
echo function_graph >$T/current_tracer
echo ownbuf_ioctl_dispatch >$T/set_graph_function
echo 4 >$T/max_graph_depth
echo 1 >$T/options/funcgraph-tail
echo 0 >$T/options/funcgraph-irqs 2>/dev/null
echo 16384 >$T/buffer_size_kb
echo "breakdown: ftrace function_graph from ownbuf_ioctl_dispatch, $n operations each;"
echo "  calls per operation, mean us per call (tracing included), share of the dispatch time"
for op in create-drop borrow-release query; do
	echo >$T/trace
	echo 1 >$T/tracing_on
	"$bench" --loop "$op" "$n" || echo "  $op: the loop failed"
	echo 0 >$T/tracing_on
	printf '%s\n  %-40s %8s %9s %7s\n' "$op" function calls/op "us/call" share
	sum "$n" <$T/trace
done
echo nop >$T/current_tracer
echo >$T/set_graph_function
echo >$T/trace
