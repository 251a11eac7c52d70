#!/usr/bin/env bash
# Static checks, each one a pass/fail result in build/lint/<tool>.{log,rc}:
# checkpatch --strict, sparse (C=2) on the module, kernel-doc, shellcheck,
# the UAPI header compiling alone in userspace, and the specification
# (Documentation/ownbuf.rst) through docutils and kernel-doc. Exits non-zero
# when any of them has a finding. Also the man pages: see run_manpages.
#
# The tools run side by side. Each one's clean verdict is kept under a hash
# of exactly what it reads (the files it checks, its own version, this
# script) and reused while that hash is unchanged; a finding is never kept,
# so a tool that found something runs again next time. OWNBUF_NO_REUSE=1
# runs every tool.
# The run_* functions run through tool(): shellcheck cannot see that.
# shellcheck disable=SC2317
set -uo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

src=$(kernel_source)
out="$OWNBUF_BUILD/lint"
rm -rf "$out"
mkdir -p "$out"
cd "$OWNBUF_TOP" || exit 1

c_files=$(git ls-files --cached --others --exclude-standard '*.c' '*.h' 2>/dev/null || find module include tests tools -name '*.[ch]')
sh_files=$(git ls-files --cached --others --exclude-standard 'scripts/*.sh' 'scripts/guest/*' '.ci/*' \
	'tests/*.sh' 2>/dev/null || find scripts .ci tests -type f -name '*.sh')
# shellcheck disable=SC2086 # one path a word
c_hash=$(tree_hash $c_files)
# shellcheck disable=SC2086
sh_hash=$(tree_hash $sh_files)
self=$(tree_hash scripts/lint.sh scripts/lib.sh scripts/checkpatch.ignore scripts/checkpatch-userspace.ignore)
src_ver=$(dpkg-query -W -f='${Version}' linux-source-6.12 2>/dev/null || echo "$src")

# tool NAME KEY-MATERIAL CMD...: run CMD (which prints its findings and
# fails when it has any) unless it was clean on the same inputs before
# (cached_run); its output goes to $out/NAME.log, its verdict to NAME.rc.
tool() {
	local name=$1 key rc=0 t0
	key=$(printf '%s\n' "$self" "$2" | sha256sum | cut -c1-16)
	shift 2
	t0=$(date +%s.%N)
	OWNBUF_STEP_NOTE="$out/$name.note" cached_run "lint-$name" "$key" "$@" >"$out/$name.log" 2>&1 || rc=$?
	awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f\n", b - a }' >"$out/$name.seconds"
	echo "$rc" >"$out/$name.rc"
}

# checkpatch: the ignore lists are ours, short, and explained in the files;
# userspace code (tools/, selftests, bench) has a few more, kernel-only rules.
run_checkpatch() {
	local ignores user_ignores kernel_c user_c trace_h rc=0
	ignores=$(grep -v '^#' scripts/checkpatch.ignore | paste -sd, -)
	user_ignores=$ignores,$(grep -v '^#' scripts/checkpatch-userspace.ignore | paste -sd, -)
	kernel_c=$(printf '%s\n' "$c_files" | grep -vE '^(tools/|tests/selftests/|tests/bench/|tests/gates/.*_test\.c)|_trace\.h$' || true)
	trace_h=$(printf '%s\n' "$c_files" | grep -E '_trace\.h$' || true)
	user_c=$(printf '%s\n' "$c_files" | grep -E '^(tools/|tests/selftests/|tests/bench/|tests/gates/.*_test\.c)' || true)
	# shellcheck disable=SC2086
	"$src/scripts/checkpatch.pl" --strict --no-tree --quiet --show-types \
		--ignore "$ignores" -f $kernel_c || rc=1
	# shellcheck disable=SC2086
	"$src/scripts/checkpatch.pl" --strict --no-tree --quiet --show-types \
		--ignore "$user_ignores" -f $user_c || rc=1
	# TRACE_EVENT()'s arguments are laid out as in include/trace/events/:
	# one macro per line, not aligned with the open parenthesis.
	# shellcheck disable=SC2086
	[ -z "$trace_h" ] || "$src/scripts/checkpatch.pl" --strict --no-tree --quiet --show-types \
		--ignore "$ignores,PARENTHESIS_ALIGNMENT,OPEN_ENDED_LINE" -f $trace_h || rc=1
	return "$rc"
}

# kernel-doc: every documented function and struct must be well formed.
run_kernel_doc() {
	local log
	# shellcheck disable=SC2086
	log=$("$src/scripts/kernel-doc" -Wall -none $c_files 2>&1) || { echo "$log"; return 1; }
	echo "$log"
	[ -z "$log" ]
}

# sparse over the module against the debug kernel, every file (C=2).
run_sparse() {
	local sdir="$out/sparse-src" rc
	mkdir -p "$sdir"
	rsync -a Kbuild module include tests "$sdir/"
	make -C "$(kernel_kdir debug)" M="$sdir" C=2 W=1 modules >"$out/sparse.build.log" 2>&1
	rc=$?
	# Any warning is a finding; a build that failed without one shows it all.
	if grep -E '(warning|error):' "$out/sparse.build.log"; then
		return 1
	fi
	[ "$rc" -eq 0 ] || cat "$out/sparse.build.log"
	return "$rc"
}

# The man pages of tools/man, installed into a scratch root: mandoc -T lint
# (STYLE included) and groff -ww clean, ownbufctl(1) agreeing with the
# --help of an ownbufctl built from these sources, section 3 with
# libownbuf.h, and the bash completion with both (tools/man/check.sh).
run_manpages() {
	tools/man/check.sh "$out/manpages.d"
}

# Every script through shellcheck (the guest init is busybox sh).
run_shellcheck() {
	# shellcheck disable=SC2086
	shellcheck -x $sh_files
}

# The specification, Documentation/ownbuf.rst, read by docutils (Debian's
# python3-docutils, hence /usr/bin/python3) with its kernel-doc directives
# expanded as the kernel's Sphinx extension would: for each one the
# kernel's scripts/kernel-doc runs with the same arguments, and must print
# something and warn about nothing; its reStructuredText goes into the
# document, the C domain's directives and roles standing in as plain text.
# Any docutils message of level WARNING or above is a finding, and so is a
# DOC: block or documented struct or enum of the UAPI header that no
# directive pulls in, or that two do.
run_docs() {
	/usr/bin/python3 - "$src/scripts/kernel-doc" include/uapi/linux/ownbuf.h \
		Documentation/ownbuf.rst <<-'EOF'
	import collections, glob, io, re, shlex, subprocess, sys
	import docutils.core, docutils.nodes as nodes
	from docutils.parsers.rst import Directive, directives, roles
	from docutils.statemachine import StringList

	kerneldoc, uapi, rst = sys.argv[1:]
	findings = []
	used_docs, used_ids = [], []
	quiet = {'report_level': 2, 'halt_level': 5, 'file_insertion_enabled': False,
	         'raw_enabled': False}

	def run_kerneldoc(args, path):
	    # Sphinx's version changes the output's C domain syntax only;
	    # Debian 12's (5.3.0) is as good as any from 3.0 on.
	    cmd = [kerneldoc, '-rst', '-enable-lineno', '-sphinx-version', '5.3.0', '-Wall'] + \
	        args + [path]
	    p = subprocess.run(cmd, capture_output=True, text=True)
	    return cmd, p

	class KernelDoc(Directive):
	    """What Documentation/sphinx/kerneldoc.py does, minus Sphinx."""
	    required_arguments = 1
	    optional_arguments = 4
	    option_spec = {'doc': directives.unchanged_required,
	                   'export': directives.unchanged,
	                   'internal': directives.unchanged,
	                   'identifiers': directives.unchanged,
	                   'functions': directives.unchanged,
	                   'no-identifiers': directives.unchanged}
	    has_content = False

	    def run(self):
	        path, opts, args = self.arguments[0], self.options, []
	        if 'functions' in opts:
	            opts['identifiers'] = opts['functions']
	        patterns = []
	        if 'export' in opts or 'internal' in opts:
	            kind = 'export' if 'export' in opts else 'internal'
	            args.append('-' + kind)
	            patterns = str(opts[kind] or '').split()
	        elif 'doc' in opts:
	            args += ['-function', opts['doc']]
	            used_docs.append(opts['doc'].strip())
	        elif 'identifiers' in opts:
	            ids = str(opts['identifiers'] or '').split()
	            for i in ids:
	                args += ['-function', i]
	            used_ids.extend(ids)
	            if not ids:
	                args.append('-no-doc-sections')
	        else:
	            used_docs.append('*')
	            used_ids.append('*')
	        for i in str(opts.get('no-identifiers') or '').split():
	            args += ['-nosymbol', i]
	        for pat in patterns:
	            for f in glob.glob(pat):
	                args += ['-export-file', f]
	        cmd, p = run_kerneldoc(args, path)
	        where = '%s:%d: kernel-doc directive: ' % (rst, self.lineno)
	        if p.returncode or p.stderr.strip():
	            findings.append(where + shlex.join(cmd) + '\n' + p.stderr.rstrip() +
	                            ('\n(exit status %d)' % p.returncode if p.returncode else ''))
	            return []
	        if not p.stdout.strip():
	            findings.append(where + 'kernel-doc printed nothing: ' + shlex.join(cmd))
	            return []
	        # Its reStructuredText is checked on its own first, so that a
	        # finding names the comment it comes from (kernel-doc marks each
	        # one with a LINENO line, which Sphinx takes out as it reads),
	        # then again in place, quietly.
	        out, near, line_of = [], None, {}
	        for l in p.stdout.splitlines():
	            m = re.match(r'\.\. LINENO (\d+)$', l)
	            if m:
	                near = int(m.group(1))
	                continue
	            out.append(l)
	            line_of[len(out)] = near
	        alone = io.StringIO()
	        docutils.core.publish_doctree('\n'.join(out) + '\n', source_path='<kernel-doc>',
	                                      settings_overrides=dict(quiet, warning_stream=alone))
	        if alone.getvalue().strip():
	            findings.append(where + 'the reStructuredText of ' + shlex.join(cmd) + '\n' +
	                            re.sub(r'^<kernel-doc>:(\d+): ', lambda m: '%s: near line %s: ' %
	                                   (path, line_of.get(int(m.group(1)), '?')),
	                                   alone.getvalue().rstrip(), flags=re.M))
	        reporter = self.state.document.reporter
	        level, reporter.report_level = reporter.report_level, 5
	        box = nodes.container()
	        self.state.nested_parse(StringList(out, source=path), 0, box)
	        reporter.report_level = level
	        return box.children

	class CObject(Directive):
	    """A C domain object of Sphinx: its text, without the cross-references."""
	    required_arguments = 1
	    final_argument_whitespace = True
	    has_content = True
	    option_spec = {'noindex': directives.flag, 'noindexentry': directives.flag}

	    def run(self):
	        box = nodes.container()
	        box += nodes.literal_block(self.arguments[0], self.arguments[0])
	        self.state.nested_parse(self.content, self.content_offset, box)
	        return [box]

	def c_role(name, rawtext, text, lineno, inliner, options=None, content=None):
	    return [nodes.literal(rawtext, re.sub(r'\s*<[^>]*>$', '', text))], []

	directives.register_directive('kernel-doc', KernelDoc)
	for d in ('struct', 'union', 'enum', 'enumerator', 'function', 'macro',
	          'type', 'var', 'member'):
	    directives.register_directive('c:' + d, CObject)
	for r in ('type', 'func', 'macro', 'expr', 'member', 'data', 'enum',
	          'enumerator', 'struct', 'union', 'var'):
	    roles.register_local_role('c:' + r, c_role)

	stream = io.StringIO()
	with open(rst, encoding='utf-8') as f:
	    text = f.read()
	docutils.core.publish_doctree(text, source_path=rst,
	                              settings_overrides=dict(quiet, warning_stream=stream))
	if stream.getvalue().strip():
	    findings.append(stream.getvalue().rstrip())

	# Everything the UAPI header documents must be pulled in, once (Sphinx
	# warns about a C declaration made twice).
	for what, used in (('DOC: block', used_docs), ('identifier', used_ids)):
	    for name, n in collections.Counter(used).items():
	        if n > 1 or (name != '*' and '*' in used):
	            findings.append('%s: %s %s is pulled in %d times' %
	                            (rst, what, name, n + ('*' in used)))
	with open(uapi, encoding='utf-8') as f:
	    docs = re.findall(r'^\s*\*\s*DOC:\s*(.*?)\s*$', f.read(), re.M)
	cmd, p = run_kerneldoc([], uapi)
	ids = re.findall(r'^\.\. c:\w+::\s+(?:(?:struct|union|enum)\s+)?(\w+)', p.stdout, re.M)
	if '*' not in used_docs:
	    for d in docs:
	        if d not in used_docs:
	            findings.append('%s: DOC: %s of %s is not pulled in (:doc:)' % (rst, d, uapi))
	if '*' not in used_ids:
	    for i in ids:
	        if i not in used_ids:
	            findings.append('%s: %s of %s is not pulled in (:identifiers:)' % (rst, i, uapi))
	if not ids:
	    findings.append('kernel-doc found nothing documented in %s' % uapi)

	for f in findings:
	    print(f)
	if findings:
	    sys.exit(1)
	print('%s: clean; %d kernel-doc DOC blocks and %d identifiers of %s pulled in' %
	      (rst, len(docs), len(ids), uapi))
	EOF
}

# The UAPI header must stand alone in userspace, C99, no warnings.
run_uapi_header() {
	printf '#include <linux/ownbuf.h>\nint main(void) { return 0; }\n' |
		gcc -std=c99 -Wall -Wextra -Werror -pedantic -I include/uapi -x c -o /dev/null -
}

tool checkpatch "$c_hash $src_ver" run_checkpatch &
tool kernel-doc "$c_hash $src_ver" run_kernel_doc &
tool sparse "$(tree_hash Kbuild module include tests) $(readlink -f "$OWNBUF_CACHE/debug/current") $(sparse --version 2>&1)" run_sparse &
tool manpages "$(tree_hash tools VERSION include/uapi) $(dpkg-query -W -f='${Version} ' mandoc groff-base 2>&1) $(shellcheck --version | sed -n 's/^version: //p') $(gcc --version | sed -n 1p) $BASH_VERSION" run_manpages &
tool shellcheck "$sh_hash $(shellcheck --version | sed -n 's/^version: //p')" run_shellcheck &
tool uapi-header "$(tree_hash include/uapi) $(gcc --version | sed -n 1p)" run_uapi_header &
tool docs "$(tree_hash Documentation include/uapi) $src_ver $(dpkg-query -W -f='${Version}' python3-docutils 2>/dev/null)" run_docs &
wait

failed=0
for f in "$out"/*.rc; do
	t=$(basename "$f" .rc)
	if [ "$(cat "$f")" -eq 0 ]; then
		log "lint $t: clean$([ -s "$out/$t.note" ] && echo " ($(cat "$out/$t.note"))")"
	else
		log "lint $t: FINDINGS"
		sed 's/^/    /' "$out/$t.log" >&2
		failed=1
	fi
done
exit $failed
