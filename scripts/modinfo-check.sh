#!/usr/bin/env bash
# Every module parameter of a built ownbuf.ko has a description: each name
# `modinfo -F parmtype` lists, and each name module/*.c declares with
# module_param*(), must have a `modinfo -F parm` line with text before its
# type. Prints every parameter; exits non-zero when any lacks one.
# Usage: scripts/modinfo-check.sh path/to/ownbuf.ko[.xz]
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

ko=${1:?usage: $0 MODULE.ko}
[ -f "$ko" ] || die "no module at $ko"
command -v modinfo >/dev/null || die "modinfo not found (apt-get install kmod)"

# From the module itself: every module_param emits a parmtype "name:type".
from_ko=$(modinfo -F parmtype "$ko" | cut -d: -f1)
# From the sources: module_param(name, ...) and module_param_named(name, ...).
from_src=$(sed -nE 's/^[[:space:]]*module_param(_named|_cb|_array|_string)?\(([a-z0-9_]+),.*/\2/p' \
	"$OWNBUF_TOP"/module/*.c)
names=$(printf '%s\n%s\n' "$from_ko" "$from_src" | sed '/^$/d' | sort -u)
[ -n "$names" ] || die "$ko declares no parameters"

# `modinfo -F parm` prints "name:description (type)", or "name: (type)"
# when there is no description.
parm=$(modinfo -F parm "$ko")
bad=0
for n in $names; do
	desc=$(printf '%s\n' "$parm" | sed -n "s/^$n:\(.*\)/\1/p" | head -n1)
	desc=$(printf '%s' "$desc" | sed -E 's/[[:space:]]*\([a-z]+\)$//; s/^[[:space:]]+//')
	if [ -z "$desc" ]; then
		printf 'FAIL %s: no MODULE_PARM_DESC\n' "$n" >&2
		bad=1
	else
		printf 'ok   %s: %s\n' "$n" "$desc"
	fi
done
[ "$bad" -eq 0 ] || die "$ko: parameters without a description"
