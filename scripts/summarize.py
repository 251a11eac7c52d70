#!/usr/bin/env python3
"""Summarise one `make check`: lint results, and for every guest kernel its
KUnit suites, selftests, guest steps and the sanitizer scan of its console.

Every KUnit case, selftest, guest step, lint tool and sanitizer gate is one
result. The last line printed is exactly "N passed, N failed" (with
", N skipped" when any were skipped); the exit status is 1 on any failure
or when nothing at all was parsed for a kernel.
"""

import argparse
import os
import re
import subprocess
import sys

RESULT = re.compile(r"^(?P<indent>\s*)(?P<ok>ok|not ok)\s+(?P<num>\d+)\s*-?\s*(?P<name>[^#]*?)\s*(#\s*(?P<directive>.*))?$")
PLAN = re.compile(r"^\s*1\.\.(\d+)")

# Anything a sanitizer, lockdep, the hung-task or lockup detectors, or the
# oops path prints. One match fails the kernel's gate.
SANITIZER = re.compile(
    r"(BUG: |WARNING: |UBSAN: |KFENCE: |Kernel panic|Oops: |"
    r"general protection fault|INFO: (possible|trying to|task .* blocked|rcu)|"
    r"kmemleak: .*suspected|Call Trace:|unreferenced object)")


class Tally:
    def __init__(self):
        self.passed = 0
        self.failed = 0
        self.skipped = 0
        self.failures = []

    def add(self, ok, label, skipped=False):
        if skipped:
            self.skipped += 1
        elif ok:
            self.passed += 1
        else:
            self.failed += 1
            self.failures.append(label)

    def merge(self, other):
        self.passed += other.passed
        self.failed += other.failed
        self.skipped += other.skipped
        self.failures += other.failures

    @property
    def total(self):
        return self.passed + self.failed + self.skipped


def parse_tap(text, label):
    """Count leaf results of a (K)TAP document, nested or flat.

    A result line is a parent when result lines more indented than it came
    since the last result at its own depth or shallower; only leaves count,
    so a suite line never counts as a test. The top-level plan must match the
    number of top-level results, else the run was cut short.
    """
    tally = Tally()
    depths = []
    top_plan = None
    top_results = 0
    top_indent = None
    for line in text.splitlines():
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
        tally.add(m.group("ok") == "ok", f"{label}: {name}",
                  skipped=directive.startswith("SKIP"))
    if top_plan is not None and top_results != top_plan:
        tally.add(False, f"{label}: planned {top_plan} results, got {top_results} (cut short?)")
    return tally


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


def summarize_kernel(kernel, run, kunit_py, out):
    tally = Tally()
    sections = os.path.join(run, "sections")
    finished = os.path.exists(os.path.join(sections, ".exit"))
    counts = {}
    names = sorted(os.listdir(sections)) if os.path.isdir(sections) else []
    for name in names:
        if name.startswith(".") or name.endswith(".rc"):
            continue
        path = os.path.join(sections, name)
        kind = name.split(":", 1)[0]
        if kind not in ("kunit", "selftest", "guest"):
            continue
        text = read(path)
        t = parse_tap(text, f"{kernel} {name}")
        rc = read(path + ".rc", "missing").strip()
        if kind == "kunit":
            verdict, agrees = kunit_py_check(kunit_py, path)
            if verdict:
                out.append(f"    {name}: kunit.py: {verdict}")
            if not agrees and t.failed == 0:
                t.add(False, f"{kernel} {name}: kunit.py parse disagrees ({verdict})")
        if rc != "0" and t.failed == 0:
            t.add(False, f"{kernel} {name}: exited {rc} with no failing result")
        if t.total == 0:
            t.add(False, f"{kernel} {name}: no results parsed")
        counts[kind] = counts.get(kind, 0) + t.total
        tally.merge(t)
    if not finished:
        tally.add(False, f"{kernel}: guest crashed, hung or never reported (see {run}/console.log)")
    if counts.get("selftest", 0) == 0:
        tally.add(False, f"{kernel}: zero selftest results parsed")
    if kernel == "debug" and counts.get("kunit", 0) == 0:
        tally.add(False, f"{kernel}: zero KUnit results parsed")

    console = read(os.path.join(run, "console.log"))
    hits = [(i, l) for i, l in enumerate(console.splitlines()) if SANITIZER.search(l)]
    if hits:
        lines = console.splitlines()
        first = hits[0][0]
        out.append(f"  !! {kernel}: first sanitizer/kernel report on the console, line {first + 1}:")
        for l in lines[max(0, first - 2):first + 25]:
            out.append("  !!   " + l)
    first_hit = re.sub(r"^\[\s*[0-9.]+\]\s*", "", hits[0][1]).strip() if hits else ""
    tally.add(not hits, f"{kernel}: sanitizer gate: {first_hit} ({len(hits)} report line(s) on the console)")

    detail = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
    secs = read(os.path.join(run, "seconds"), "?").strip()
    accel = read(os.path.join(run, "accel"), "?").strip()
    release = read(os.path.join(sections, ".kernel"), "?").strip()
    out.insert(0, f"  {kernel:6} {release}: {tally.passed} passed, {tally.failed} failed"
               + (f", {tally.skipped} skipped" if tally.skipped else "")
               + f" ({detail}; {secs}s under {accel})")
    return tally


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--lint", help="directory with <tool>.rc lint results")
    ap.add_argument("--kunit-py", help="the kernel's tools/testing/kunit/kunit.py")
    ap.add_argument("--extra", action="append", default=[],
                    help="NAME=RC: one more pass/fail result (e.g. a build step)")
    ap.add_argument("kernels", nargs="*", help="KERNEL=RUNDIR")
    args = ap.parse_args()

    total = Tally()
    print("== ownbuf check summary")
    if args.lint and os.path.isdir(args.lint):
        t = Tally()
        tools = sorted(f[:-3] for f in os.listdir(args.lint) if f.endswith(".rc"))
        for tool in tools:
            t.add(read(os.path.join(args.lint, tool + ".rc")).strip() == "0", f"lint: {tool}")
        print(f"  lint   {t.passed} passed, {t.failed} failed ({', '.join(tools)})")
        total.merge(t)
    for extra in args.extra:
        name, _, rc = extra.partition("=")
        total.add(rc == "0", name)
    for spec in args.kernels:
        kernel, _, run = spec.partition("=")
        out = []
        t = summarize_kernel(kernel, run, args.kunit_py, out)
        print("\n".join(out))
        total.merge(t)
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
