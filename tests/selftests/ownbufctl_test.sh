#!/bin/sh
# ownbufctl selftest (busybox sh): every subcommand on success and on its
# error path with its exit status (1 and the errno name on stderr for a
# refusal, 2 for a usage error), --help, the --json outputs checked as JSON,
# map (reads and writes through a mapping, its rights, --keep),
# moves and loans between processes with `hold` in the background, the demo
# scene by scene, and the graph (from the device's debugfs file when it
# exists, else SKIP; from a fixture always), stats and graph --watch (bounded
# by --count, or ended by SIGTERM). Prints TAP 13; exits 1 on any
# failure. OWNBUFCTL overrides the binary (default: ownbufctl on PATH).
# Each result is printed as it comes, the plan last (TAP allows it there),
# so whoever reads the output can time every check.

# shellcheck disable=SC2317 # the predicates are called through check()

CTL=${OWNBUFCTL:-ownbufctl}
T=$(mktemp -d /tmp/ownbufctl_test.XXXXXX) || exit 1
N=0
FAIL=0
RC=0
LAST=
HOLDER=
echo "TAP version 13"

cleanup() {
	[ -n "$HOLDER" ] && kill "$HOLDER" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT

result() {
	N=$((N + 1))
	echo "$1 $N - $2"
}

diag() { sed 's/^/# /'; }

# run ARGS...: ownbufctl with its stdout, stderr and status kept.
run() {
	LAST="ownbufctl $*"
	"$CTL" "$@" >"$T/out" 2>"$T/err"
	RC=$?
}

# check DESC CMD...: one TAP result; on failure, what the last run did.
check() {
	desc=$1
	shift
	if "$@"; then
		result ok "$desc"
	else
		result "not ok" "$desc"
		FAIL=1
		{
			echo "check: $*"
			echo "last: $LAST (exit $RC)"
			echo "stdout:"
			head -c 1500 "$T/out" | tr -c '[:print:]\n' '.'
			echo
			echo "stderr:"
			head -c 1500 "$T/err"
		} | diag
	fi
}

skip() { result ok "$1 # SKIP $2"; }

rc_is() { [ "$RC" -eq "$1" ]; }
out_has() { grep -q -E -e "$1" "$T/out"; }
out_lacks() { ! grep -q -E -e "$1" "$T/out"; }
err_has() { grep -q -E -e "$1" "$T/err"; }
out_is() { [ "$(cat "$T/out")" = "$1" ]; }
out_has_all() {
	for re in "$@"; do
		out_has "$re" || return 1
	done
}

ok_and() { rc_is 0 && [ ! -s "$T/err" ] && "$@"; }
refused_with() { rc_is 1 && err_has "^ownbufctl: [a-z]+: $1 \\("; }
usage_error() { rc_is 2 && err_has "--help"; }

# expect_ok DESC ARGS...: success, nothing on stderr.
expect_ok() {
	d=$1
	shift
	run "$@"
	check "$d" ok_and true
}

# expect_refused ERRNO DESC ARGS...: exit 1, "ownbufctl: CMD: ERRNO (...)".
expect_refused() {
	e=$1
	d=$2
	shift 2
	run "$@"
	check "$d -> $e, exit 1" refused_with "$e"
}

expect_usage() {
	d=$1
	shift
	run "$@"
	check "$d -> usage error, exit 2" usage_error
}

# JSON validity: a small recursive-descent parser in awk (no jq here).
json_ok() {
	awk '
	function ws() { while (p <= n && substr(s, p, 1) ~ /[ \t\r\n]/) p++ }
	function str(   c) {
		if (substr(s, p, 1) != "\"") return 0
		for (p++; p <= n; p++) {
			c = substr(s, p, 1)
			if (c == "\\") { p++; continue }
			if (c == "\"") { p++; return 1 }
		}
		return 0
	}
	function value(   c) {
		ws(); c = substr(s, p, 1)
		if (c == "{") return obj()
		if (c == "[") return arr()
		if (c == "\"") return str()
		if (substr(s, p, 4) == "true" || substr(s, p, 4) == "null") { p += 4; return 1 }
		if (substr(s, p, 5) == "false") { p += 5; return 1 }
		if (match(substr(s, p), /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?/)) {
			p += RLENGTH; return 1
		}
		return 0
	}
	function obj(   c) {
		p++; ws()
		if (substr(s, p, 1) == "}") { p++; return 1 }
		for (;;) {
			ws(); if (!str()) return 0
			ws(); if (substr(s, p, 1) != ":") return 0
			p++; if (!value()) return 0
			ws(); c = substr(s, p++, 1)
			if (c == "}") return 1
			if (c != ",") return 0
		}
	}
	function arr(   c) {
		p++; ws()
		if (substr(s, p, 1) == "]") { p++; return 1 }
		for (;;) {
			if (!value()) return 0
			ws(); c = substr(s, p++, 1)
			if (c == "]") return 1
			if (c != ",") return 0
		}
	}
	{ s = s $0 "\n" }
	END { n = length(s); p = 1; if (!value()) exit 1; ws(); exit p <= n }
	' "$T/out"
}

# has_keys KEY...: every "KEY": present in the output.
has_keys() {
	for k in "$@"; do
		grep -q "\"$k\":" "$T/out" || return 1
	done
}

HEX='0x[0-9a-f]{16}'

if ! command -v "$CTL" >/dev/null 2>&1; then
	echo "TAP version 13"
	echo "1..1"
	echo "not ok 1 - ownbufctl is installed ($CTL)"
	exit 1
fi

# ---- help, version, usage errors -------------------------------------------

run --help
check "--help exits 0 with usage" ok_and out_has '^Usage: ownbufctl'
run --version
check "--version exits 0" ok_and out_has '^ownbufctl [0-9]'
for c in create drop write read map borrow release give take cancel lend accept clone \
	freeze query stats hold demo graph; do
	run "$c" --help
	check "$c --help exits 0" ok_and out_has "^Usage: ownbufctl $c"
done
expect_usage "no command"
expect_usage "unknown command" frobnicate
expect_usage "unknown global option" --frob create 16
expect_usage "create without SIZE" create
expect_usage "create with a bad number" create 12abc
expect_usage "reference to a later command" create 16 : read %3
expect_usage "reference to %0" create 16 : read %0
expect_usage "reference to a command that makes nothing" create 16 : freeze %1 : read %2
expect_usage "empty command after ':'" create 16 :
expect_usage "borrow without a mode" create 16 : borrow %1
expect_usage "borrow with both modes" create 16 : borrow %1 --shared --mut
expect_usage "lend without a mode" create 16 : lend %1
expect_usage "write with --data and --file" create 16 : write %1 --data a --file /dev/null
expect_usage "read --len without value" create 16 : read %1 --len
expect_usage "map with --data and --fill" create 16 : map %1 --data a --fill 0x41
expect_usage "map --fill 256" create 16 : map %1 --fill 256
expect_usage "map --len with --data" create 16 : map %1 --len 1 --data a
expect_usage "unknown option" create 16 : drop %1 --force
expect_usage "stats with an argument" stats 1
expect_usage "hold with an argument" hold now
expect_usage "demo with an argument" demo 1
expect_usage "graph --watch 0" graph --watch 0
run create 16 : give %1 : create 12abc
check "usage errors are found before anything runs" usage_error
check "... so nothing ran" out_is ""
run create 16 : lend %1 --shared : cancel %2 : read %3
check "a cancelled loan makes no handle: %N to it is a usage error, exit 2" \
	usage_error

# ---- each command ----------------------------------------------------------

run create 4096
check "create prints the owner handle" ok_and out_has "^create 4096 -> handle $HEX \\(owner\\)$"
run -q create 4096
check "-q prints nothing" ok_and out_is ""
expect_refused EINVAL "create 0" create 0
expect_refused EFBIG "create 2^62 bytes" create 0x4000000000000000

run -q create 16 : write %1 --data hello : read %1 --len 5
check "write --data then read --len" ok_and out_is hello
run create 16 : write %1 --data hello
check "write says what it wrote" ok_and out_has "^write $HEX -> wrote 5 bytes at offset 0$"
run -q create 8 : write %1 --data abc : read %1 --offset 1
check "read defaults to the rest of the buffer" ok_and \
	[ "$(wc -c <"$T/out")" -eq 7 ]
printf 'from a file' >"$T/data"
run -q create 32 : write %1 --offset 0x4 --file "$T/data" : read %1 --offset 4 --len 11
check "write --file, hex offset" ok_and out_is "from a file"
LAST="printf stdin | ownbufctl -q create 16 : write %1 : read %1 --len 5"
printf 'stdin' | "$CTL" -q create 16 : write %1 : read %1 --len 5 >"$T/out" 2>"$T/err"
RC=$?
check "write from stdin" ok_and out_is stdin
expect_refused ERANGE "write past the end" create 16 : write %1 --offset 14 --data abcd
expect_refused ERANGE "read past the end" create 16 : read %1 --offset 8 --len 9
expect_refused ERANGE "read from past the end" create 16 : read %1 --offset 17
run create 16 : write %1 --file "$T/missing"
check "write --file of a missing file fails, exit 1" rc_is 1
expect_refused EBADF "read a handle never given" read 0x1234abcd

expect_ok "drop" create 16 : drop %1
expect_refused ESTALE "double drop" create 16 : drop %1 : drop %1
expect_refused EBUSY "drop while borrowed" create 16 : borrow %1 --shared : drop %1
run create 16 : borrow %1 --shared : drop %1 --revoke : read %2
check "drop --revoke, then the borrow is stale" refused_with ESTALE
check "drop --revoke says so" out_has "^drop $HEX --revoke -> dropped"

run create 16 : borrow %1 --shared : borrow %1 --shared
check "two shared borrows" ok_and out_has "^borrow $HEX --shared -> borrow $HEX \\(shared\\)$"
expect_refused EBUSY "mutable borrow while shared" create 16 : borrow %1 --shared : borrow %1 --mut
expect_refused EACCES "write through a shared borrow" create 16 : borrow %1 --shared : \
	write %2 --data x
expect_refused EBUSY "owner reads while mutably borrowed" create 16 : borrow %1 --mut : \
	read %1 --len 1
run -q create 16 : borrow %1 --mut : write %2 --data mut : release %2 : read %1 --len 3
check "write through a mutable borrow, release, owner reads" ok_and out_is mut

run -q create 16 : write %1 --data hello : map %1 --len 5
check "map reads through a mapping" ok_and out_is hello
run -q create 8 : write %1 --data abc : map %1 --offset 1
check "map reads to the end of the buffer, not of the page" ok_and \
	[ "$(wc -c <"$T/out")" -eq 7 ]
run -q create 16 : map %1 --data mapped : read %1 --len 6
check "map --data writes through a mapping, read gets it after the unmap" ok_and out_is mapped
run create 16 : map %1 --offset 2 --data xy
check "map --data says what it wrote" ok_and \
	out_has "^map $HEX -> wrote 2 bytes at offset 2, mapped [0-9]+ bytes$"
run -q create 8 : map %1 --fill 0x41 : read %1
check "map --fill fills to the end" ok_and out_is AAAAAAAA
run -q create 32 : map %1 --offset 0x4 --file "$T/data" : read %1 --offset 4 --len 11
check "map --file" ok_and out_is "from a file"
run -q create 16 : borrow %1 --mut : map %2 --data lent : release %2 : map %1 --len 4
check "map through a mutable borrow" ok_and out_is lent
expect_refused EACCES "map writable through a shared borrow" create 16 : borrow %1 --shared : \
	map %2 --data x
expect_refused EACCES "map writable a frozen buffer" create 16 : freeze %1 : map %1 --fill 1
expect_refused EBUSY "map through the owner while mutably borrowed" create 16 : \
	borrow %1 --mut : map %1 --len 1
expect_refused ESTALE "map a dropped handle" create 16 : drop %1 : map %1
expect_refused EBADF "map a handle never given" map 0x1234abcd
run create 16 : map %1 --offset 10 --len 7
check "map past the end of the buffer -> exit 1" rc_is 1
run create 4096 : map %1 --keep --len 0 : query %1
check "map --keep: query counts the mapping, a shared borrow" ok_and \
	out_has "^query $HEX -> owner of buffer [0-9]+: size 4096, shared 1, .* mappings 1$"
run -q create 4096 : map %1 --keep --fill 0 : query %1 --json
check "map --keep --fill: query --json, a mutable borrow" ok_and \
	out_has_all '"mut":1,' '"mappings":1}'
run create 16 : query %1
check "query without a mapping: mappings 0" ok_and out_has ", mappings 0$"
expect_refused EBUSY "release a borrow still mapped (--keep)" create 16 : borrow %1 --mut : \
	map %2 --keep --data x : release %2
expect_refused EBUSY "drop an owner still mapped (--keep)" create 16 : map %1 --keep : drop %1
run -q create 16 : map %1 --keep : drop %1 --revoke : stats
check "drop --revoke of a mapped buffer" ok_and true

run create 16 : borrow %1 --shared : release %2
check "release" ok_and out_has "^release $HEX -> released$"
expect_refused ESTALE "double release" create 16 : borrow %1 --shared : release %2 : release %2
expect_refused EINVAL "release an owner handle" create 16 : release %1

run create 16 : give %1
check "give prints a ticket" ok_and out_has "^give $HEX -> ticket $HEX"
expect_refused ESTALE "use after give" create 16 : give %1 : read %1
expect_refused EBUSY "give while borrowed" create 16 : borrow %1 --shared : give %1

run -q create 16 : write %1 --data took : give %1 : take %3 : read %4 --len 4
check "take in the same session" ok_and out_is took
expect_refused ENOENT "take an unknown ticket" take 0x1234abcd
expect_refused ENOENT "take twice" create 16 : give %1 : take %2 : take %2
expect_refused EINVAL "take a lend ticket" create 16 : lend %1 --shared : take %2

run create 16 : give %1 : cancel %2 : read %3 --len 1
check "cancel a move: a new owner handle" ok_and \
	out_has "^cancel $HEX -> handle $HEX \\(move taken back, owner\\)$"
run create 16 : lend %1 --mut : cancel %2 : write %1 --data x
check "cancel a loan: it ends" ok_and out_has "^cancel $HEX -> loan ended$"
expect_refused ENOENT "cancel an unknown ticket" cancel 0x1234abcd

run create 16 : lend %1 --shared : accept %2
check "lend and accept" ok_and out_has "^accept $HEX -> borrow $HEX \\(shared\\)$"
expect_refused EBUSY "lend --mut twice" create 16 : lend %1 --mut : lend %1 --mut
expect_refused ENOENT "accept an unknown ticket" accept 0x1234abcd
expect_refused EACCES "lend --mut of a frozen buffer" create 16 : freeze %1 : lend %1 --mut

run -q create 16 : write %1 --data orig : clone %1 : write %1 --data ORIG : read %3 --len 4
check "clone is a deep copy" ok_and out_is orig
expect_refused ESTALE "clone a dropped buffer" create 16 : drop %1 : clone %1

run create 16 : freeze %1
check "freeze" ok_and out_has "^freeze $HEX -> frozen"
expect_refused EACCES "write to a frozen buffer" create 16 : freeze %1 : write %1 --data x
expect_refused EINVAL "freeze a borrow handle" create 16 : borrow %1 --shared : freeze %2

run create 4096 : borrow %1 --shared : query %1
check "query" ok_and out_has "^query $HEX -> owner of buffer [0-9]+: size 4096, shared 1, mut 0"
run -q create 4096 : query %1 --json
check "query --json is JSON" ok_and json_ok
check "query --json has its keys" has_keys size id kind mode shared mut frozen mappings
check "query --json values" out_has_all '"size":4096,' '"kind":"owner"'
run -q create 64 : freeze %1 : borrow %1 --shared : query %3 --json
check "query --json of a borrow" ok_and json_ok
check "query --json of a borrow: kind, mode, frozen" \
	out_has_all '"kind":"borrow"' '"mode":"shared"' '"frozen":true'
expect_refused ESTALE "query a dropped handle" create 16 : drop %1 : query %1

run create 16 : stats
check "stats" ok_and out_has '^stats -> session: buffers 1, bytes 16,'
run -q create 16 : borrow %1 --shared : stats --json
check "stats --json is JSON" ok_and json_ok
check "stats --json has its keys" has_keys session device buffers bytes borrows tickets \
	mappings sessions refused violations use_after_free double_free data_race null_deref \
	buffer_overflow use_after_move lifetime
check "stats --json counts this session" out_has '"session":\{"buffers":1,"bytes":16,"borrows":1,'
run create 4096 : map %1 --fill 7 --keep : stats
check "stats counts a live mapping" ok_and out_has 'session: buffers 1, .*mappings 1, '
run create 16 : drop %1 : drop %1 : stats
stopped() { refused_with ESTALE && out_lacks '^stats'; }
check "a refusal stops the sequence: stats never runs" stopped

# ---- between processes: hold ------------------------------------------------

# start_holder ARGS...: ownbufctl ARGS... in the background, its stdin a fifo
# held open on fd 7 until stop_holder; waits for its first line of output.
start_holder() {
	rm -f "$T/fifo" "$T/holder"
	mkfifo "$T/fifo"
	"$CTL" "$@" <"$T/fifo" >"$T/holder" 2>&1 &
	HOLDER=$!
	exec 7>"$T/fifo"
	i=0
	while [ $i -lt 50 ] && ! grep -q 'ticket' "$T/holder"; do
		sleep 0.1
		i=$((i + 1))
	done
	TICKET=$(sed -n "s/.* -> ticket \\(0x[0-9a-f]*\\).*/\\1/p" "$T/holder")
}

stop_holder() {
	exec 7>&-
	wait "$HOLDER"
	HOLDER_RC=$?
	HOLDER=
}

start_holder create 16 : write %1 --data crossing : give %1 : hold
check "hold keeps a process' ticket alive" [ -n "$TICKET" ]
run -q take "$TICKET" : read %1 --len 8
check "take in another process moves the buffer" ok_and out_is crossing
expect_refused ENOENT "the ticket was single-use" take "$TICKET"
stop_holder
check "hold ends at EOF on stdin, exit 0" [ "$HOLDER_RC" -eq 0 ]

start_holder create 16 : give %1 : hold
stop_holder
expect_refused ENOENT "an untaken ticket dies with its maker" take "$TICKET"

start_holder create 16 : write %1 --data lent : lend %1 --shared : hold
run -q accept "$TICKET" : read %1 --len 4
check "accept a loan from another process" ok_and out_is lent
kill -TERM "$HOLDER"
stop_holder
check "hold ends on SIGTERM, exit 0" [ "$HOLDER_RC" -eq 0 ]
run accept "$TICKET"
check "a used loan ticket is gone" refused_with ENOENT

# ---- demo -------------------------------------------------------------------

run demo
check "demo exits 0" rc_is 0
check "demo has no UNEXPECTED answer" out_lacks UNEXPECTED
cp "$T/out" "$T/demo"
scene_has() {
	awk -v n="$1" '/^== /{ on = index($0, "== scene " n ":") == 1 } on' "$T/demo" >"$T/out"
	grep -q -E -e "-> $2 \\(as expected\\)$" "$T/out"
}
check "demo scene 1: use after free -> ESTALE" scene_has 1 ESTALE
check "demo scene 1 shows the counter going 0 -> 1" grep -q 'use_after_free counter 0 -> 1' "$T/out"
check "demo scene 2: use after move -> ESTALE" scene_has 2 ESTALE
check "demo scene 2: the child read the data" grep -q '\[child [0-9]*\] read -> OK' "$T/out"
check "demo scene 3: readers XOR writer -> EBUSY" scene_has 3 EBUSY
check "demo scene 3: three refusals" [ "$(grep -c 'EBUSY (as expected)' "$T/out")" -eq 3 ]
check "demo scene 4: revoked borrow -> ESTALE" scene_has 4 ESTALE
check "demo scene 5: double free -> ESTALE" scene_has 5 ESTALE
check "demo scene 6: overflow -> ERANGE" scene_has 6 ERANGE
check "demo scene 7: drop while mapped -> EBUSY" scene_has 7 EBUSY
check "demo scene 7: the pointer read the string" \
	grep -q 'puts(q): read the bytes through q, no system call -> OK, "hello through a pointer"$' \
	"$T/out"
check "demo scene 7: the dangling pointer -> SIGBUS" scene_has 7 SIGBUS
check "demo scene 7: the freed buffer's offset -> ESTALE" scene_has 7 ESTALE
cp "$T/demo" "$T/out"
check "demo ends with the violation table" \
	out_has_all '^  use_after_free +2$' '^  use_after_move +1$' '^  buffer_overflow +1$' \
	'^  lifetime +3$'

# ---- graph ------------------------------------------------------------------

cat >"$T/graph" <<'EOF_GRAPH'
session tag=1 pid=101 comm=ownbufctl
session tag=2 pid=102 comm=two words
owner session=1 handle=0x0000000100000001 gen=1 buffer=7 size=4096 state=shared:1
owner session=2 handle=0x0000000200000001 gen=2 buffer=9 size=16 state=mut
borrow session=2 handle=0x0000000200000002 gen=1 buffer=7 mode=shared
borrow session=1 handle=0x0000000100000002 gen=1 buffer=9 mode=mut
ticket kind=move maker=1 buffer=12 mode=- size=32
ticket kind=lend maker=2 buffer=9 mode=shared size=0
mapping session=1 buffer=7 mode=shared through=owner pages=1
mapping session=1 buffer=9 mode=mut through=borrow pages=1
EOF_GRAPH
run graph --from "$T/graph"
check "graph from a fixture" ok_and out_has '^\+- session 1  pid 101  ownbufctl -+'
check "graph: owned buffers with size, generation, state" \
	out_has 'owns   buffer 7 +4096 B  gen 1 +\[shared:1\]'
check "graph: shared and mutable borrow arrows" out_has_all \
	"0x0000000200000002 --s--> buffer 7 \\(of session 1\\)" \
	"0x0000000100000002 ==m==> buffer 9 \\(of session 2\\)"
check "graph: comm with spaces" out_has 'pid 102  two words'
check "graph: tickets in flight" \
	out_has_all '^  move  buffer 12 \(32 B\) leaving session 1$' \
	'shared loan of buffer 9 \(16 B\) from session 2'
check "graph: mappings as borrow edges" out_has_all \
	'mmap   --s--> buffer 7 \(1 pages, owner handle\)' \
	'mmap   ==m==> buffer 9 \(1 pages, borrow handle, of session 2\)' \
	'2 mappings'
run graph --dot --from "$T/graph"
check "graph --dot" ok_and out_has_all '^digraph ownbuf \{' 'subgraph cluster_s1 \{'
check "graph --dot edges by mode" out_has_all 's2 -> b7 \[label="shared", style=dashed\]' \
	's1 -> b9 \[label="mut", style=solid\]' 'style=dotted' \
	's1 -> b9 \[label="mmap mut \(borrow\)", style=bold\]'
run graph --from "$T/nothing"
missing() { rc_is 1 && err_has 'cannot read'; }
check "graph of a missing file -> exit 1" missing

# ---- --watch: snapshots, bounded by --count ----------------------------------

expect_usage "stats --count without --watch" stats --count 2
expect_usage "stats --watch 0" stats --watch 0
expect_usage "stats --watch 86401" stats --watch 86401
expect_usage "stats --watch 2x" stats --watch 2x
expect_usage "stats --watch --count 0" stats --watch --count 0
expect_usage "graph --count without --watch" graph --from "$T/graph" --count 1
# count_is N ERE: N lines of the output match.
count_is() { [ "$(grep -c -E -e "$2" "$T/out")" -eq "$1" ]; }
plain() { ! grep -q "$(printf '\033')" "$T/out"; }
# Off a terminal: no escape sequences, snapshots a blank line apart.
two_apart() { [ "$(wc -l <"$T/out")" -eq 4 ] && [ -z "$(sed -n 3p "$T/out")" ] && plain; }
two_drawings() { count_is 2 '^ownbuf: 2 sessions,' && plain; }
run create 16 : stats --watch 1 --count 2
check "stats --watch 1 --count 2: two snapshots, exit 0" ok_and \
	count_is 2 '^stats -> session: buffers 1, bytes 16,'
check "... off a terminal: no escape sequences, a blank line between them" two_apart
run -q stats --json --watch --count 1
check "stats --watch without SECONDS, --count 1: one JSON snapshot at once" ok_and \
	count_is 1 '^\{"session":\{'
run -q stats --watch 1 --json --count 3
check "stats --json --watch: one object per snapshot" ok_and count_is 3 '^\{"session":\{'
run graph --from "$T/graph" --watch 1 --count 2
check "graph --watch 1 --count 2: two drawings" ok_and two_drawings
run graph --dot --from "$T/graph" --watch --count 2 --watch 1
check "graph --watch given twice -> usage error, exit 2" usage_error
LAST="ownbufctl stats --watch 1 & kill -TERM"
"$CTL" stats --watch 1 >"$T/out" 2>"$T/err" &
W=$!
sleep 1.5
kill -TERM "$W"
wait "$W"
RC=$?
check "stats --watch runs until SIGTERM, then exits 0" ok_and out_has '^stats -> '

if [ -e /sys/kernel/debug/ownbuf/graph ]; then
	run create 4096 : borrow %1 --shared : create 16 : give %3 : graph
	check "graph of the device" ok_and out_has 'ownbufctl'
	check "graph shows this session's buffer and borrow" \
		out_has_all 'owns   buffer [0-9]+ +4096 B' '--s--> buffer'
	check "graph shows the move ticket" out_has 'move  buffer [0-9]+ \(16 B\) leaving'
	run create 16 : graph --dot
	check "graph --dot of the device" ok_and out_has '^digraph ownbuf'
else
	skip "graph of the device" "no /sys/kernel/debug/ownbuf/graph"
	skip "graph shows this session's buffer and borrow" "no /sys/kernel/debug/ownbuf/graph"
	skip "graph shows the move ticket" "no /sys/kernel/debug/ownbuf/graph"
	skip "graph --dot of the device" "no /sys/kernel/debug/ownbuf/graph"
fi

echo "1..$N"
exit $FAIL
