#!/usr/bin/env python3
"""Summarise one `make check`: its host steps (lint, builds, packaging, gate
self-tests) and, for every guest kernel, its KUnit suites, selftests, guest
steps and the sanitizer scan of its console.

Every KUnit case, selftest, guest step, host step, lint tool and sanitizer
gate is one result. The last line printed is exactly "N passed, N failed"
(with ", N skipped" when any were skipped); the exit status is 1 on any
failure or when nothing at all was parsed for a kernel.

With --results DIR it also writes what CI systems read: DIR/KERNEL.ktap, one
KTAP document per kernel (each section a subtest), and DIR/junit.xml, every
result a <testcase> with its time and, on failure, its output. The JUnit file
is read back with xml.etree and must list exactly the results counted here.
"""

import argparse
import concurrent.futures
import glob
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

RESULT = re.compile(r"^(?P<indent>\s*)(?P<ok>ok|not ok)\s+(?P<num>\d+)\s*-?\s*(?P<name>[^#]*?)\s*(#\s*(?P<directive>.*))?$")
PLAN = re.compile(r"^\s*1\.\.(\d+)")
SUBTEST = re.compile(r"^\s*#\s*Subtest:\s*(\S+)")
STEP_VERDICT = re.compile(r"^(ok|not ok) - (.*)$", re.M)
DMESG = re.compile(r"^\[\s*(?P<t>[0-9]+\.[0-9]+)\]\s?(?P<line>.*)$")

# Anything a sanitizer, lockdep, the hung-task or lockup detectors, or the
# oops path prints. One match fails the kernel's gate.
SANITIZER = re.compile(
    r"(BUG: |WARNING: |UBSAN: |KFENCE: |Kernel panic|Oops: |"
    r"general protection fault|INFO: (possible|trying to|task .* blocked|rcu)|"
    r"kmemleak: .*suspected|Call Trace:|unreferenced object)")


class Result:
    """One counted result: a test case, a guest or host step, a gate."""

    def __init__(self, suite, name, status, time=0.0, output="", synthetic=False):
        self.suite = suite      # e.g. "debug selftest:ownbuf_core_test"
        self.name = name
        self.status = status    # "pass", "fail" or "skip"
        self.time = time or 0.0
        self.output = output
        self.synthetic = synthetic  # the harness's verdict, not a line of the TAP

    @property
    def label(self):
        return f"{self.suite}: {self.name}"


class Tally:
    def __init__(self):
        self.results = []

    def add(self, ok, suite, name, skipped=False, time=0.0, output="", synthetic=False):
        status = "skip" if skipped else ("pass" if ok else "fail")
        self.results.append(Result(suite, name, status, time, output, synthetic))

    def merge(self, other):
        self.results += other.results

    def count(self, status):
        return sum(1 for r in self.results if r.status == status)

    passed = property(lambda self: self.count("pass"))
    failed = property(lambda self: self.count("fail"))
    skipped = property(lambda self: self.count("skip"))
    total = property(lambda self: len(self.results))
    failures = property(lambda self: [r.label for r in self.results if r.status == "fail"])


def parse_tap(text, suite, stamps=None, times=None):
    """Count leaf results of a (K)TAP document, nested or flat.

    A result line is a parent when result lines more indented than it came
    since the last result at its own depth or shallower; only leaves count,
    so a suite line never counts as a test. The top-level plan must match the
    number of top-level results, else the run was cut short.

    A leaf's output is the lines since the previous leaf. Its time comes
    from stamps (the guest's uptime when each line was written) as the time
    since the previous leaf, or from times, a {(subtest, name): seconds}
    map taken from the kernel log.
    """
    tally = Tally()
    depths = []
    top_plan = None
    top_results = 0
    top_indent = None
    lines = text.splitlines()
    since = 0
    subtests = {}
    for i, line in enumerate(lines):
        m = SUBTEST.match(line)
        if m:
            subtests[len(line) - len(line.lstrip())] = m.group(1)
        m = PLAN.match(line)
        if m and top_plan is None:
            top_plan = int(m.group(1))
            continue
        m = RESULT.match(line)
        if not m:
            continue
        depth = len(m.group("indent").expandtabs(8))
        if top_indent is None or depth < top_indent:
            top_indent = depth
            top_results = 0
        if depth == top_indent:
            top_results += 1
        is_parent = False
        for earlier in reversed(depths):
            if earlier <= depth:
                break
            is_parent = True
        depths.append(depth)
        if is_parent:
            continue
        directive = (m.group("directive") or "").strip().upper()
        name = m.group("name").strip()
        parent = subtests.get(depth, "")
        t = 0.0
        if stamps and len(stamps) == len(lines):
            t = max(0.0, stamps[i] - stamps[max(since - 1, 0)])
        elif times:
            t = times.get((parent, name), 0.0)
        ok = m.group("ok") == "ok"
        full = f"{parent}.{name}" if parent and parent != suite.split(":")[-1] else name
        tally.add(ok, suite, full, skipped=directive.startswith("SKIP"), time=t,
                  output="" if ok else "\n".join(lines[since:i + 1]))
        since = i + 1
    if top_plan is not None and top_results != top_plan:
        tally.add(False, suite, f"planned {top_plan} results, got {top_results} (cut short?)",
                  output=text[-4000:], synthetic=True)
    return tally


def kunit_times(dmesg):
    """{(suite or parent, case): seconds} from the kernel log's timestamps:
    KUnit prints each result as it ends, so a case took the time since the
    previous line of its suite."""
    times = {}
    subtests = {}
    last = None
    for raw in dmesg.splitlines():
        m = DMESG.match(raw)
        if not m:
            continue
        t, line = float(m.group("t")), m.group("line")
        s = SUBTEST.match(line)
        if s:
            subtests[len(line) - len(line.lstrip())] = s.group(1)
            last = t
            continue
        r = RESULT.match(line)
        if not r or last is None:
            continue
        depth = len(r.group("indent").expandtabs(8))
        times[(subtests.get(depth, ""), r.group("name").strip())] = max(0.0, t - last)
        last = t
    return times


def kunit_py_check(kunit_py, path):
    """Run the kernel's own KTAP parser on a KUnit result file; return its
    verdict line and whether it agrees that everything passed."""
    if not kunit_py:
        return None, True
    try:
        proc = subprocess.run([sys.executable, kunit_py, "parse", os.path.abspath(path)],
                              capture_output=True, text=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired) as e:
        return f"kunit.py parse failed to run: {e}", False
    lines = [l for l in proc.stdout.splitlines() if "Testing complete" in l]
    verdict = re.sub(r"\x1b\[[0-9;]*m|^\[[0-9:]+\] ", "", lines[-1]).strip() if lines else "no verdict"
    return verdict, proc.returncode == 0


def read(path, default=""):
    try:
        with open(path, errors="replace") as f:
            return f.read()
    except OSError:
        return default


def read_stamps(path):
    stamps = []
    for l in read(path).splitlines():
        try:
            stamps.append(float(l.split()[0]))
        except (ValueError, IndexError):
            stamps.append(stamps[-1] if stamps else 0.0)
    return stamps


def summarize_kernel(kernel, run, kunit_py, subset, out, sections_out):
    """Count one guest's results; sections_out gets (name, text, results)
    for the KTAP file."""
    tally = Tally()
    sections = os.path.join(run, "sections")
    finished = os.path.exists(os.path.join(sections, ".exit"))
    counts = {}
    names = sorted(os.listdir(sections)) if os.path.isdir(sections) else []
    ktimes = kunit_times(read(os.path.join(sections, "dmesg")))
    # The kernel's KTAP parser takes a second or so a file: all at once.
    kunit_files = [os.path.join(sections, n) for n in names if n.startswith("kunit:")
                   and not n.endswith((".rc", ".ts"))]
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        verdicts = dict(zip(kunit_files, pool.map(lambda f: kunit_py_check(kunit_py, f), kunit_files)))
    for name in names:
        if name.startswith(".") or "." in name and name.rsplit(".", 1)[1] in ("rc", "ts"):
            continue
        path = os.path.join(sections, name)
        kind = name.split(":", 1)[0]
        if kind not in ("kunit", "selftest", "guest"):
            continue
        text = read(path)
        suite = f"{kernel} {name}"
        t = parse_tap(text, suite, stamps=read_stamps(path + ".ts"),
                      times=ktimes if kind == "kunit" else None)
        rc = read(path + ".rc", "missing").strip()
        if kind == "kunit":
            verdict, agrees = verdicts[path]
            if verdict:
                out.append(f"    {name}: kunit.py: {verdict}")
            if not agrees and t.failed == 0:
                t.add(False, suite, f"kunit.py parse disagrees ({verdict})", output=text[-4000:],
                      synthetic=True)
        if rc != "0" and t.failed == 0:
            t.add(False, suite, f"exited {rc} with no failing result", output=text[-4000:],
                  synthetic=True)
        if t.total == 0:
            t.add(False, suite, "no results parsed", output=text[-4000:], synthetic=True)
        counts[kind] = counts.get(kind, 0) + t.total
        sections_out.append((name, text, t))
        tally.merge(t)
    run_tally = Tally()
    if not finished:
        run_tally.add(False, kernel, f"guest crashed, hung or never reported (see {run}/console.log)",
                      output="\n".join(read(os.path.join(run, "console.log")).splitlines()[-40:]))
    if counts.get("selftest", 0) == 0 and not subset:
        run_tally.add(False, kernel, "zero selftest results parsed")
    if kernel == "debug" and counts.get("kunit", 0) == 0 and not subset:
        run_tally.add(False, kernel, "zero KUnit results parsed")

    # Boots that died before /init ran no code of ours (run-guest.sh booted
    # again): not a result, but shown, with what killed them.
    for failed_boot in sorted(glob.glob(os.path.join(run, "console.boot-failure-*.log"))):
        blines = read(failed_boot).splitlines()
        bhits = [i for i, l in enumerate(blines) if SANITIZER.search(l)]
        why = re.sub(r"^\[\s*[0-9.]+\]\s*", "", blines[bhits[0]]).strip() if bhits else "no report"
        out.append(f"  !! {kernel}: a boot died before /init and was retried ({why}; "
                   f"{failed_boot})")

    console = read(os.path.join(run, "console.log"))
    lines = console.splitlines()
    hits = [i for i, l in enumerate(lines) if SANITIZER.search(l)]
    report = ""
    if hits:
        first = hits[0]
        report = "\n".join(lines[max(0, first - 2):first + 25])
        out.append(f"  !! {kernel}: first sanitizer/kernel report on the console, line {first + 1}:")
        out.extend("  !!   " + l for l in report.splitlines())
    first_hit = re.sub(r"^\[\s*[0-9.]+\]\s*", "", lines[hits[0]]).strip() if hits else ""
    secs = read(os.path.join(run, "seconds"), "0").strip()
    run_tally.add(not hits, kernel, f"sanitizer gate: {first_hit} ({len(hits)} report line(s) on the console)"
                  if hits else "sanitizer gate: no report on the console",
                  time=float(secs) if secs.isdigit() else 0.0, output=report)
    sections_out.append(("run", None, run_tally))
    tally.merge(run_tally)

    detail = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
    accel = read(os.path.join(run, "accel"), "?").strip()
    release = read(os.path.join(sections, ".kernel"), "?").strip()
    out.insert(0, f"  {kernel:6} {release}: {tally.passed} passed, {tally.failed} failed"
               + (f", {tally.skipped} skipped" if tally.skipped else "")
               + f" ({detail}; {secs}s under {accel})")
    return tally, release


def write_ktap(path, kernel, release, sections):
    """One KTAP document for one kernel: each section (a KUnit suite's
    results, a selftest's TAP, the guest steps) is a subtest, indented as
    KTAP nests; the guest-level results (crash, sanitizer gate) are
    top-level tests of their own."""
    doc = ["KTAP version 1", f"# ownbuf make check: {kernel} kernel {release}"]
    items = []
    for name, text, tally in sections:
        if text is None:
            for r in tally.results:
                items.append((r.status, r.name.replace("#", "_"), None, None))
        else:
            status = "fail" if tally.failed else ("skip" if tally.total == tally.skipped else "pass")
            items.append((status, name, text, tally))
    doc.append(f"1..{len(items)}")
    for n, (status, name, text, tally) in enumerate(items, 1):
        if text is not None:
            body = [l for l in text.splitlines() if l.strip()]
            if not body or not re.match(r"^\s*K?TAP version", body[0]):
                body.insert(0, "KTAP version 1")
            # The harness's own verdicts on the section (cut short, bad
            # exit status) are results of it too: leaves at its top level.
            extra = [r for r in tally.results if r.synthetic]
            indent = min((len(l) - len(l.lstrip()) for l in body if RESULT.match(l)), default=0)
            for k, r in enumerate(extra, 1):
                body.append(" " * indent + f"not ok {9000 + k} {r.name.replace('#', '_')}")
            doc.extend("    " + l for l in body)
        word = "not ok" if status == "fail" else "ok"
        doc.append(f"{word} {n} {name}" + (" # SKIP" if status == "skip" else ""))
    with open(path, "w") as f:
        f.write("\n".join(doc) + "\n")


def write_junit(path, groups):
    """groups: [(suite name, hostname, [Result])]. Returns the number of
    testcases the file holds, read back with xml.etree."""
    root = ET.Element("testsuites", name="ownbuf make check")
    n_all = f_all = 0
    t_all = 0.0
    for suite, host, results in groups:
        if not results:
            continue
        el = ET.SubElement(root, "testsuite", name=suite, hostname=host,
                           tests=str(len(results)),
                           failures=str(sum(r.status == "fail" for r in results)),
                           errors="0",
                           skipped=str(sum(r.status == "skip" for r in results)),
                           time=f"{sum(r.time for r in results):.3f}")
        for r in results:
            tc = ET.SubElement(el, "testcase", classname=r.suite, name=r.name, time=f"{r.time:.3f}")
            if r.status == "fail":
                fe = ET.SubElement(tc, "failure", message=r.name[:200], type="failure")
                fe.text = clean(r.output)
            elif r.status == "skip":
                ET.SubElement(tc, "skipped")
            elif r.output:
                ET.SubElement(tc, "system-out").text = clean(r.output)
        n_all += len(results)
        f_all += sum(r.status == "fail" for r in results)
        t_all += sum(r.time for r in results)
    root.set("tests", str(n_all))
    root.set("failures", str(f_all))
    root.set("time", f"{t_all:.3f}")
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)
    return len(ET.parse(path).getroot().findall("./testsuite/testcase"))


def clean(text):
    """XML 1.0 cannot carry most control characters: drop them."""
    return re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", "", text or "")


def read_steps(path):
    """The host steps check.sh ran, in order: (name, seconds, rc, note, log)."""
    steps = []
    for line in read(path).splitlines():
        parts = line.split("\t")
        if len(parts) >= 3:
            parts += [""] * (5 - len(parts))
            steps.append((parts[0], float(parts[1]), parts[2], parts[3], parts[4]))
    return steps


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--lint", help="directory with <tool>.rc lint results")
    ap.add_argument("--kunit-py", help="the kernel's tools/testing/kunit/kunit.py")
    ap.add_argument("--steps", help="check.sh's steps.tsv: name, seconds, rc, note, log")
    ap.add_argument("--results", help="write KERNEL.ktap and junit.xml here")
    ap.add_argument("--subset", action="store_true",
                    help="a TESTS= run: a kernel may have no KUnit or selftest result")
    ap.add_argument("kernels", nargs="*", help="KERNEL=RUNDIR")
    args = ap.parse_args()

    total = Tally()
    groups = []
    print("== ownbuf check summary")
    steps = read_steps(args.steps) if args.steps else []
    if steps:
        print("  step                                        seconds  result")
        for name, secs, rc, note, _ in steps:
            word = "ok" if rc == "0" else "FAIL"
            print(f"  {name:43} {secs:7.1f}  {word}{' (' + note + ')' if note else ''}")
        print(f"  {'sum (the debug guest runs beside the rest)':43} {sum(s[1] for s in steps):7.1f}")
    host = Tally()
    if args.lint and os.path.isdir(args.lint):
        t = Tally()
        tools = sorted(f[:-3] for f in os.listdir(args.lint) if f.endswith(".rc"))
        for tool in tools:
            ok = read(os.path.join(args.lint, tool + ".rc")).strip() == "0"
            secs = read(os.path.join(args.lint, tool + ".seconds"), "0").strip()
            t.add(ok, "lint", tool, time=float(secs or 0),
                  output="" if ok else read(os.path.join(args.lint, tool + ".log"))[-8000:])
        print(f"  lint   {t.passed} passed, {t.failed} failed ({', '.join(tools)})")
        host.merge(t)
    for name, secs, rc, note, log in steps:
        text = read(log)
        if name.startswith("guest:"):
            continue     # counted test by test in the kernel's summary
        if name == "lint" and (rc == "0" or host.failed):
            continue     # counted tool by tool above
        # A step that reports several verdicts ("ok - X" / "not ok - X")
        # counts each of them; any other step is one result.
        verdicts = STEP_VERDICT.findall(text)
        if verdicts:
            for word, what in verdicts:
                host.add(word == "ok", "host", what, time=secs / len(verdicts),
                         output="" if word == "ok" else text[-8000:])
            if rc != "0" and all(w == "ok" for w, _ in verdicts):
                host.add(False, "host", f"{name}: exited {rc}", output=text[-8000:])
        else:
            host.add(rc == "0", "host", name, time=secs,
                     output="" if rc == "0" else text[-8000:])
    groups.append(("host", "host", host.results))
    total.merge(host)
    matched = 0
    meta = Tally()
    if args.results:
        os.makedirs(args.results, exist_ok=True)
    for spec in args.kernels:
        kernel, _, run = spec.partition("=")
        out = []
        sections = []
        t, release = summarize_kernel(kernel, run, args.kunit_py, args.subset, out, sections)
        print("\n".join(out))
        total.merge(t)
        matched += sum(1 for name, text, _ in sections if text is not None and not name.startswith("guest"))
        for name, text, st in sections:
            groups.append((f"{kernel} {name}", f"{kernel} {release}", st.results))
        if args.results:
            path = os.path.join(args.results, f"{kernel}.ktap")
            write_ktap(path, kernel, release, sections)
            # Read back: every passing result must be a passing leaf there.
            back = parse_tap(read(path), f"{kernel} ktap")
            ok = back.passed == t.passed and (back.failed > 0) == (t.failed > 0)
            meta.add(ok, "results", f"{kernel}.ktap reads back as {back.passed} passed, "
                      f"{back.failed} failed" + ("" if ok else f", not {t.passed} passed, {t.failed} failed"))
    if args.subset and args.kernels and matched == 0:
        meta.add(False, "check", "TESTS matched no KUnit suite or selftest")
    groups.append(("results", "host", meta.results))
    total.merge(meta)
    if args.results:
        path = os.path.join(args.results, "junit.xml")
        try:
            n = write_junit(path, groups)
            ok = n == total.total
            why = f"junit.xml parses and lists {n} testcases" + ("" if ok else f", not {total.total}")
        except (ET.ParseError, OSError) as e:
            ok, why = False, f"junit.xml does not parse: {e}"
        total.add(ok, "results", why)
        print(f"  results: {args.results}/ ({why})")
    if total.failures:
        print("== failures")
        for f in total.failures:
            print(f"  FAIL {f}")
    line = f"{total.passed} passed, {total.failed} failed"
    if total.skipped:
        line += f", {total.skipped} skipped"
    print(line)
    return 1 if total.failed or total.total == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
