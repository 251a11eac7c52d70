#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The fail-nth selftest's findings as one table, an operation per row.

ownbuf_fail_nth_test fails the 1st, 2nd, ... fault point (slab, page
allocation, user copy) of each operation in turn and logs, per test, how
many points it met and what each failure answered. This reads those logs
from a guest's sections (the 64-bit binary and its -m32 twin) and prints a
Markdown table: points, ENOMEM, EFAULT, absorbed (a failure the kernel
retried or did without), and the answers in order. check.sh writes it to
build/results/fail-nth.md after a run on a kernel with fault injection.

Usage: fail-nth-table.py SECTIONS_DIR
"""

import os
import re
import sys

RUN = re.compile(r"^#\s+RUN\s+nth\.(\S+)\.every_failure_is_clean")
POINTS = re.compile(r"(\d+) fault points: (\d+) ENOMEM, (\d+) EFAULT, (\d+) absorbed")
ORDER = re.compile(r"in order: (\S*) \(M ENOMEM")
VERDICT = re.compile(r"^(ok|not ok) \d+ nth\.(\S+)\.every_failure_is_clean(.*)$")


def parse(path):
    """op -> dict(points, enomem, efault, absorbed, order, verdict)"""
    rows = {}
    op = None
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            lines = f.read().splitlines()
    except OSError:
        return rows
    for line in lines:
        m = RUN.match(line)
        if m:
            op = m.group(1)
            rows[op] = {"verdict": "did not finish"}
            continue
        m = VERDICT.match(line)
        if m:
            skip = "# SKIP" in m.group(3)
            rows.setdefault(m.group(2), {})["verdict"] = (
                "skipped" if skip else "ok" if m.group(1) == "ok" else "FAILED")
            op = None
            continue
        if op is None:
            continue
        m = POINTS.search(line)
        if m:
            rows[op].update(zip(("points", "enomem", "efault", "absorbed"),
                                map(int, m.groups())))
        m = ORDER.search(line)
        if m:
            rows[op]["order"] = m.group(1)
    return rows


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    sections = sys.argv[1]
    wide = parse(os.path.join(sections, "selftest:ownbuf_fail_nth_test"))
    compat = parse(os.path.join(sections, "selftest:ownbuf_fail_nth_test_32"))
    if not wide:
        sys.exit(f"no fail-nth results in {sections}")
    print("| operation | fault points | ENOMEM | EFAULT | absorbed "
          "| in order (M ENOMEM, F EFAULT, . absorbed) | verdict | 32-bit points | 32-bit verdict |")
    print("|---|---|---|---|---|---|---|---|---|")
    total = 0
    for op, r in wide.items():
        c = compat.get(op, {})
        total += r.get("points", 0)
        print(f"| {op} | {r.get('points', '-')} | {r.get('enomem', '-')} "
              f"| {r.get('efault', '-')} | {r.get('absorbed', '-')} "
              f"| `{r.get('order', '') or '-'}` | {r.get('verdict', '-')} "
              f"| {c.get('points', '-')} | {c.get('verdict', 'not run')} |")
    print(f"\n{len(wide)} operations, {total} fault points failed one at a time (64-bit).")


if __name__ == "__main__":
    main()
