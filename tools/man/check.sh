#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Check the man pages of tools/man and what they describe; scripts/lint.sh
# runs this as its "manpages" tool. Prints every finding and exits 1 if
# there was any, else prints what it checked and exits 0.
#
# It builds the tools from the current sources and installs them into
# BUILD-DIR with tools/install.mk, as `make install-tools` would (so the
# pages are checked as installed, with their .so links), then:
#
#  1. mandoc -T lint -W style on every page: no message at all, STYLE
#     included, with one exception: "referenced manual not found" for a page
#     that is not ownbuf's (ioctl(2), dot(1), ...), since whether the host
#     has it installed says nothing about the page. mandoc only searches the
#     scratch tree, so a reference to one of ownbuf's pages that does not
#     exist is still a finding.
#  2. groff -ww -z -mdoc -Tutf8 on every page: no warning.
#  3. ownbufctl(1) against the --help of the ownbufctl just built: the same
#     commands (the "Commands:" block; the top-level items of COMMANDS),
#     both ways; for each command the same long options (its usage line;
#     the Fl -... of its item); the same global options (the "Options:"
#     block; the items of OPTIONS). The built program, not the source's
#     command table, is the reference: it is what users read, it cannot be
#     stale (build/tools/ownbufctl may be) and it needs no C parsing.
#  4. libownbuf.h against section 3: every ownbuf_* function or function-
#     like macro the header declares is named in the NAME section of exactly
#     one page, and every name there is declared.
#  5. The bash completion, as installed: shellcheck, then completing against
#     the same binary gives the commands of --help, each command's options
#     as ownbufctl(1) documents them, %N references and file names.
#
# Usage: tools/man/check.sh BUILD-DIR
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
dir=${1:?usage: tools/man/check.sh BUILD-DIR}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
root=$dir/root
man=$root/usr/share/man
comp=$root/usr/share/bash-completion/completions/ownbufctl
ctl=$dir/tools/ownbufctl
findings=0

finding() {
	printf '%s\n' "$*"
	findings=$((findings + 1))
}

# makewhatis is in /usr/sbin, which a user's PATH may lack.
PATH=$PATH:/usr/sbin
for t in mandoc makewhatis groff gcc shellcheck bash; do
	command -v "$t" >/dev/null || { echo "$t not found (scripts/deps.sh host)"; exit 1; }
done

rm -rf "$root"
if ! make -C "$top/tools" -s O="$dir/tools" DESTDIR="$root" PREFIX=/usr install \
	>"$dir/install.log" 2>&1; then
	cat "$dir/install.log"
	echo "building and installing the tools failed"
	exit 1
fi
makewhatis "$man" || finding "makewhatis $man failed"

# The pages themselves (not their .so links), as installed.
mapfile -t pages < <(cd "$man" && for f in man[0-9]/*; do
	[ "$(head -c 4 "$f")" = ".so " ] || echo "$f"
done)
[ ${#pages[@]} -gt 0 ] || finding "no man pages installed"

# 1, 2: mandoc and groff. Messages name the source file, tools/man/PAGE.
for p in "${pages[@]}"; do
	src=tools/man/${p#*/}
	while IFS= read -r line; do
		if [[ $line =~ referenced\ manual\ not\ found:\ Xr\ ([^ ]+) ]] &&
			[[ ! ${BASH_REMATCH[1]} =~ ^(lib)?ownbuf ]]; then
			continue
		fi
		finding "${line//$man\/$p/$src}"
	done < <(cd "$man" && MANPATH=$man mandoc -T lint -W style "$man/$p" 2>&1)
	while IFS= read -r line; do
		finding "$src: groff: ${line//$man\/$p/$src}"
	done < <(groff -ww -z -mdoc -Tutf8 "$man/$p" 2>&1)
done

# 3. ownbufctl(1) and --help. The top-level items of a section of the page,
# one line each: the command (or option) an item is about, then the long
# options its head shows (the .It line, or .It Xo to .Xc), which is where
# the page gives a command's synopsis; its text may name others.
man_items() {
	awk -v sec="$2" '
	/^\.Sh / { on = ($0 == ".Sh " sec); depth = 0; next }
	!on { next }
	/^\.Bl/ { depth++ }
	/^\.El/ { depth-- }
	depth == 1 && /^\.It / {
		if (item != "") print item opts
		item = ""; opts = ""; head = 1; xo = ($2 == "Xo")
		if (!xo) item = ($2 == "Cm" ? $3 : $2 == "Fl" ? "-" $3 : $2)
	}
	xo && item == "" && /^\.Cm / { item = $2 }
	head {
		for (i = 1; i < NF; i++)
			if (($i == "Fl" || $i == ".Fl") && $(i + 1) ~ /^-[a-z]/)
				opts = opts " -" $(i + 1)
		if (!xo || /^\.Xc/) { head = 0; xo = 0 }
	}
	END { if (item != "") print item opts }' "$1"
}
words() { tr ' ' '\n' | sed '/^$/d' | LC_ALL=C sort -u; }
# compare WHAT LEFT-NAME LEFT RIGHT-NAME RIGHT: word lists, both ways.
compare() {
	local w
	for w in $(comm -23 <(words <<<"$3") <(words <<<"$5")); do
		finding "$1: '$w' is in $2 but not in $4"
	done
	for w in $(comm -13 <(words <<<"$3") <(words <<<"$5")); do
		finding "$1: '$w' is in $4 but not in $2"
	done
}

page1=$top/tools/man/ownbufctl.1
help_cmds=$("$ctl" --help | awk '/^Commands:/ { on = 1; next } on && !NF { exit } on { print $1 }')
man_cmds=$(man_items "$page1" COMMANDS | awk '{ print $1 }')
compare "ownbufctl commands" "ownbufctl --help" "$help_cmds" "ownbufctl(1) COMMANDS" "$man_cmds"
[ -n "$help_cmds" ] || finding "ownbufctl --help lists no commands"
nopts=0
for c in $help_cmds; do
	help_opts=$("$ctl" "$c" --help | sed -n '1s/^Usage: [^ ]* [^ ]*//p' |
		grep -oE -- '--[a-z][a-z-]*' | tr '\n' ' ')
	man_opts=$(man_items "$page1" COMMANDS | awk -v c="$c" '$1 == c { $1 = ""; print }')
	compare "ownbufctl $c options" "'ownbufctl $c --help'" "$help_opts" \
		"its entry in ownbufctl(1)" "$man_opts"
	nopts=$((nopts + $(words <<<"$help_opts" | wc -l)))
done
help_glob=$("$ctl" --help | awk '/^Options:/ { on = 1; next } on && !NF { exit }
	on && /^  -/ { gsub(/,/, ""); print $1, $2 }')
man_glob=$(man_items "$page1" OPTIONS | tr ' ' '\n' | grep -- '^-')
compare "ownbufctl global options" "ownbufctl --help" "$help_glob" "ownbufctl(1) OPTIONS" "$man_glob"

# 4. libownbuf.h and section 3.
hdr_names=$(gcc -fpreprocessed -dD -E -P "$top/tools/lib/libownbuf.h" 2>/dev/null |
	grep -oE '\bownbuf_[a-z0-9_]+[[:space:]]*\(' | grep -oE 'ownbuf_[a-z0-9_]+' | LC_ALL=C sort -u)
[ -n "$hdr_names" ] || finding "no function found in tools/lib/libownbuf.h"
page_names=$(for p in "$top"/tools/man/*.3; do
	awk '/^\.Sh / { on = $2 == "NAME" } on && $1 == ".Nm" { print $2 }' "$p"
done | grep -v '^libownbuf$')
for n in $(LC_ALL=C sort <<<"$page_names" | uniq -d); do
	finding "$n is in the NAME section of two section-3 pages"
done
compare "libownbuf names" "tools/lib/libownbuf.h" "$hdr_names" \
	"the NAME sections of tools/man/*.3" "$page_names"

# 5. The completion, as installed.
while IFS= read -r line; do
	finding "completion: $line"
done < <(shellcheck -s bash "$comp" "$0" 2>&1 | sed "s|$comp|tools/completion/ownbufctl|")
mkdir -p "$dir/files"
: >"$dir/files/alpha"
: >"$dir/files/alps"
# complete WORD...: what the completion offers for the last word, sorted.
complete_words() {
	bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _ownbufctl
		printf "%s\n" "${COMPREPLY[@]}"' sh "$comp" "$ctl" "$@" | LC_ALL=C sort -u | tr '\n' ' '
}
ncomp=0
expect_completion() {
	local want=$1 got
	shift
	ncomp=$((ncomp + 1))
	got=$(complete_words "$@")
	[ "$got" = "$want" ] || finding "completion of 'ownbufctl $*': got '$got', want '$want'"
}
expect_completion "$(words <<<"$help_cmds" | tr '\n' ' ')" ""
expect_completion "stats " -q st
expect_completion "write " create 16 : wr
expect_completion "%1 %2 " create 16 : give %1 : take %
expect_completion "--quiet " --q
expect_completion "$dir/files/alpha $dir/files/alps " write %1 --file "$dir/files/al"
for c in $help_cmds; do
	expect_completion "$( (man_items "$page1" COMMANDS | awk -v c="$c" '$1 == c { $1 = ""; print }'
		echo --help) | words | tr '\n' ' ')" "$c" --
done

if [ "$findings" -gt 0 ]; then
	echo "$findings findings"
	exit 1
fi
echo "${#pages[@]} pages clean under mandoc -T lint -W style and groff -ww" \
	"($(find "$man"/man[0-9] -type f | wc -l) files installed with their .so links)"
echo "ownbufctl(1) and --help agree: $(words <<<"$help_cmds" | wc -l) commands," \
	"$nopts command options, $(words <<<"$help_glob" | wc -l) global options"
echo "libownbuf.h and section 3 agree: $(wc -l <<<"$hdr_names") names"
echo "completion: shellcheck clean, $ncomp completions as expected"
