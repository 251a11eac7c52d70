#!/usr/bin/env python3
"""Draw the ownbuf benchmark's CSV with gnuplot.

Usage: scripts/bench-plot.py RESULTS.csv OUTDIR

For each plot below whose data the CSV holds, OUTDIR gets NAME.svg and
NAME.png (gnuplot's svg and pngcairo terminals, or png where pngcairo is
missing) together with what drew them, NAME.gp and NAME.dat, so that
`cd OUTDIR && gnuplot NAME.gp` redraws it. A plot whose data is absent is
skipped with a line on stderr. The paths written are printed one a line.
Exit status: 0, or 1 when gnuplot fails, or 2 on a malformed CSV.

  flat      median cost against N live buffers, as a ratio to N = 1 (goal 1.2)
  latency   per operation, the fraction of operations in each log2 latency
            bucket, with its p50, p99 and p99.9 marked
  scaling   throughput against threads, as a ratio to one thread, with the
            ideal y = x and the goal 1.8 at 2 threads
  ratios    ownbuf / peer median ratios as bars, with the safety checks'
            checked / unchecked ratios in a second colour
  metadata  bytes per buffer beyond the data, per kind, with the 128 B goal

The CSV's header is `part,name,peer,x,value,unit,peer_value,ratio`; any field
may be empty, and a row whose value is empty or "n/a" measured nothing and is
skipped. By part:

  table     name: ownbuf operation, peer: peer operation, value: ownbuf
            median ns, peer_value: peer median ns, ratio: value / peer_value
  flat      name: operation, x: N live buffers, value: median ns,
            peer_value: median ns at N = 1, ratio: value / peer_value
  tail      name: operation, x: percentile (50, 99, 99.9, 100), value: ns
  hist      name: operation, x: upper bound in ns of a log2 latency bucket,
            value: operations in that bucket
  scaling   name: workload, x: threads, value: ops/s, peer_value: ops/s with
            one thread, ratio: value / peer_value
  metadata  name: kind ("ownbuf 64 B", "memfd 4 KiB"), x: N, value: bytes per
            buffer beyond the data, unit: B, peer_value: total bytes per buffer
  safety    name: checked operation, peer: unchecked operation, value,
            peer_value, ratio as in table
  move      name: variant, value: microseconds per round trip (not plotted)
  info      name: kernel, cpu, cpus, accel or date, value: its text; every
            plot's subtitle reads "kernel K, cpu C, accel A"

A ratio left empty is taken as value / peer_value. Other parts are ignored
with a note on stderr.
"""

import argparse
import csv
import math
import os
import shutil
import subprocess
import sys
from typing import NamedTuple, Optional

COLUMNS = ("part", "name", "peer", "x", "value", "unit", "peer_value", "ratio")

# The fields read as numbers in each part; every other field is kept as text.
NUMBERS = {
    "table": ("value", "peer_value", "ratio"),
    "flat": ("x", "value", "peer_value", "ratio"),
    "tail": ("x", "value"),
    "hist": ("x", "value"),
    "scaling": ("x", "value", "peer_value", "ratio"),
    "metadata": ("x", "value", "peer_value"),
    "safety": ("value", "peer_value", "ratio"),
    "move": ("value",),
}
X_REQUIRED = ("flat", "tail", "hist", "scaling")
MARKED_PERCENTILES = ((50.0, "p50", 2), (99.0, "p99", 3), (99.9, "p99.9", 4))  # dash types

# Colour-blind safe (Okabe-Ito), without the yellow that vanishes on white.
COLOURS = ("#0072b2", "#e69f00", "#009e73", "#d55e00", "#cc79a7", "#56b4e9",
           "#000000", "#999999")
WIDTH, HEIGHT = 900, 500
FONT = "Sans,11"
TITLE_POINTS = 13

FLAT_GOAL = 1.2
SCALING_GOAL = (2, 1.8)
METADATA_GOAL = 128


class CsvError(Exception):
    """The CSV cannot be read as the benchmark's results."""


class Row(NamedTuple):
    name: str
    peer: str
    text: str
    x: Optional[float]
    value: Optional[float]
    peer_value: Optional[float]
    ratio: Optional[float]


def note(message):
    print(f"bench-plot: {message}", file=sys.stderr)


def absent(text):
    """Whether a field holds nothing: empty or "n/a"."""
    return not text.strip() or text.strip().lower() == "n/a"


def number(text, field, where):
    """A field's number, or None when it is absent."""
    if absent(text):
        return None
    text = text.strip()
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise CsvError(f"{where}: {field} {text!r} is not a number")
    return value


def read_csv(path):
    """The CSV's rows grouped by part, each part's rows in file order."""
    parts = {}
    ignored = set()
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        header = next(reader, None)
        if header is None:
            raise CsvError(f"{path}: empty, no header")
        header = [h.strip() for h in header]
        missing = [c for c in COLUMNS if c not in header]
        if missing:
            raise CsvError(f"{path}:1: header lacks {', '.join(missing)}")
        for fields in reader:
            where = f"{path}:{reader.line_num}"
            if not any(cell.strip() for cell in fields):
                continue
            if len(fields) != len(header):
                raise CsvError(f"{where}: {len(fields)} fields, the header has {len(header)}")
            cells = dict(zip(header, fields))
            part = cells["part"].strip()
            if not part:
                raise CsvError(f"{where}: no part")
            if part != "info" and part not in NUMBERS:
                if part not in ignored:
                    note(f"{where}: ignoring part {part!r}, which no plot reads")
                    ignored.add(part)
                continue
            if absent(cells["value"]):
                continue
            numbers = {field: number(cells[field], field, where)
                       for field in NUMBERS.get(part, ())}
            if part in X_REQUIRED and numbers["x"] is None:
                raise CsvError(f"{where}: part {part} needs an x")
            parts.setdefault(part, []).append(Row(
                name=cells["name"].strip(), peer=cells["peer"].strip(),
                text=cells["value"].strip(), x=numbers.get("x"), value=numbers.get("value"),
                peer_value=numbers.get("peer_value"), ratio=numbers.get("ratio")))
    return parts


def by_name(rows):
    """Rows grouped by name, names in order of first appearance."""
    groups = {}
    for row in rows:
        groups.setdefault(row.name, []).append(row)
    return groups


def ratio_of(row):
    """The row's ratio column, else value / peer_value, else None."""
    if row.ratio is not None:
        return row.ratio
    if row.peer_value:
        return row.value / row.peer_value
    return None


def subtitle(parts):
    """"kernel K, cpu C, accel A", with the cpu count and date when known."""
    info = {row.name: row.text for row in parts.get("info", [])}
    line = (f"kernel {info.get('kernel', '?')}, cpu {info.get('cpu', '?')}, "
            f"accel {info.get('accel', '?')}")
    if "cpus" in info:
        line += f", {info['cpus']} cpus"
    if "date" in info:
        line += f", {info['date']}"
    return line


def gp_str(text):
    """A gnuplot double-quoted string literal holding text as it is."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def dat_text(text):
    """Text safe as the last field of a tab-separated gnuplot data line."""
    return " ".join(text.replace('"', "'").split())


def fmt_ns(ns):
    """A duration for people: 812 ns, 2.1 µs, 10 ms."""
    for scale, unit in ((1e9, "s"), (1e6, "ms"), (1e3, "µs")):
        if ns >= scale:
            return f"{ns / scale:.3g} {unit}"
    return f"{ns:.3g} ns"


def fmt_count(n):
    return f"{n:,.0f}" if n == int(n) else f"{n:g}"


def tics(pairs):
    """A gnuplot tic list from (label, position) pairs."""
    return "(" + ", ".join(f"{gp_str(label)} {pos:.10g}" for label, pos in pairs) + ")"


def decade_tics(low, high, label):
    """Tics at the powers of ten from low to high, each labelled label(value)."""
    first, last = math.floor(math.log10(low)), math.ceil(math.log10(high))
    return tics((label(10.0 ** e), 10.0 ** e) for e in range(first, last + 1))


def log_tics(low, high):
    """Tics at 1, 2 and 5 times the powers of ten between low and high."""
    first, last = math.floor(math.log10(low)), math.ceil(math.log10(high))
    values = [m * 10.0 ** e for e in range(first, last + 1) for m in (1, 2, 5)]
    return tics((f"{v:g}", v) for v in values if low <= v <= high)


class Plot:
    """One plot: its data blocks, its gnuplot settings and its plot command."""

    def __init__(self, name, title, info, height=HEIGHT):
        self.name = name
        self.height = height
        self.settings = [
            "set tmargin 4.5",
            f"set label 1 {gp_str(title)} at screen 0.5, screen 1 center offset 0,-1.2 "
            f"font {gp_str(',' + str(TITLE_POINTS))}",
            f"set label 2 {gp_str(info)} at screen 0.5, screen 1 center offset 0,-2.6",
        ]
        self.blocks = []
        self.plots = []

    def block(self, comment, columns, rows):
        """Add a data block; returns its gnuplot index."""
        lines = [f"# {dat_text(comment)}", "# " + "\t".join(columns)]
        for row in rows:
            lines.append("\t".join(dat_text(v) if isinstance(v, str) else f"{v:.10g}"
                                   for v in row))
        self.blocks.append("\n".join(lines) + "\n")
        return len(self.blocks) - 1

    def dat(self):
        return "\n\n".join(self.blocks)

    def gp(self, csv_path):
        size = f"size {WIDTH},{self.height}"
        return "\n".join([
            f"# {self.name}: drawn by scripts/bench-plot.py from {os.path.basename(csv_path)}",
            f"# redraw with: gnuplot {self.name}.gp   (in the folder holding {self.name}.dat)",
            "set encoding utf8",
            'set datafile separator "\\t"',
            f"dat = {gp_str(self.name + '.dat')}",
            "set grid",
            *self.settings,
            "",
            f"set terminal svg {size} dynamic font {gp_str(FONT)} noenhanced background \"white\"",
            f"set output {gp_str(self.name + '.svg')}",
            "plot " + ", \\\n     ".join(self.plots),
            "set output",
            "",
            "# pngcairo draws smoother text; the libgd png terminal stands in without it",
            'png_terminal = strstrt(GPVAL_TERMINALS, "pngcairo") ? "pngcairo" : "png"',
            f"set terminal @png_terminal {size} font {gp_str(FONT)} noenhanced",
            f"set output {gp_str(self.name + '.png')}",
            "replot",
            "set output",
            "",
        ])


def plot_flat(parts, info):
    rows = parts.get("flat")
    if not rows:
        return None, "no part=flat rows"
    plot = Plot("flat", "Cost against live buffers (median / median at N = 1)", info)
    xs = []
    for i, (name, group) in enumerate(by_name(rows).items()):
        points = sorted(((r.x, ratio_of(r), r.value, r.peer_value) for r in group
                         if r.x > 0 and ratio_of(r) is not None), key=lambda p: p[0])
        if len(points) < len(group):
            note(f"flat: {name}: left out rows with N <= 0 or no ratio")
        if not points:
            continue
        index = plot.block(name, ("N", "ratio", "median_ns", "median_ns_at_N_1"),
                           [(x, r, v, "" if p is None else p) for x, r, v, p in points])
        xs += [p[0] for p in points]
        plot.plots.append(f"dat index {index} using 1:2 with linespoints lw 2 pt 7 ps 1.2 "
                          f"lc rgb {gp_str(COLOURS[i % len(COLOURS)])} title {gp_str(name)}")
    if not xs:
        return None, "no part=flat row with N > 0 and a ratio"
    plot.settings += [
        "set logscale x 10",
        f"set xrange [{min(xs) / 2:.10g}:{max(xs) * 2:.10g}]",
        f"set xtics {tics((fmt_count(x), x) for x in sorted(set(xs)))}",
        "set yrange [0:*]",
        'set xlabel "live buffers N (log scale)"',
        "set offsets 0, 0, graph 0.05, 0",
        'set ylabel "median cost / median at N = 1"',
        "set key inside bottom right Left reverse opaque box",
    ]
    plot.plots.append(f"{FLAT_GOAL} with lines dt 2 lw 2 lc \"black\" "
                      f"title {gp_str(f'goal ≤ {FLAT_GOAL}')}")
    return plot, None


def staircase(buckets):
    """The outline of log2 buckets [upper / 2, upper) given (upper, fraction)."""
    points = []
    for upper, fraction in buckets:
        lower = upper / 2
        if points and points[-1][0] < lower:
            points += [(points[-1][0], 0.0), (lower, 0.0)]
        if not points:
            points.append((lower, 0.0))
        points += [(lower, fraction), (upper, fraction)]
    points.append((points[-1][0], 0.0))
    return points


# The latency plot's floor: a log scale has no 0 for empty buckets.
LATENCY_FLOOR = 1e-7


def plot_latency(parts, info):
    rows = parts.get("hist")
    if not rows:
        return None, "no part=hist rows"
    tails = {name: {r.x: r.value for r in group}
             for name, group in by_name(parts.get("tail", [])).items()}
    groups = by_name(rows)
    plot = Plot("latency", "Latency distribution (log2 buckets)", info,
                height=HEIGHT + 20 * max(0, len(groups) - 2))
    low, high = math.inf, 0.0
    for i, (name, group) in enumerate(groups.items()):
        buckets = sorted((r.x, r.value) for r in group if r.x > 0 and r.value >= 0)
        if len(buckets) < len(group):
            note(f"latency: {name}: left out buckets with a bound <= 0 or a negative count")
        total = sum(count for _, count in buckets)
        if not total:
            note(f"latency: {name}: no operations counted, left out")
            continue
        # Log scale: empty buckets sit on the floor, below one operation in 10^6.
        outline = [(x, max(y, LATENCY_FLOOR))
                   for x, y in staircase([(upper, count / total) for upper, count in buckets])]
        index = plot.block(f"{name}: fraction of {fmt_count(total)} operations",
                           ("ns", "fraction"), outline)
        low, high = min(low, outline[0][0]), max(high, outline[-1][0])
        colour = gp_str(COLOURS[i % len(COLOURS)])
        marks = []
        for percentile, label, dash in MARKED_PERCENTILES:
            ns = tails.get(name, {}).get(percentile)
            if ns is not None and ns > 0:
                marks.append(f"{label} {fmt_ns(ns)}")
                low, high = min(low, ns), max(high, ns)
                plot.settings.append(f"set arrow from {ns:.10g}, graph 0 to {ns:.10g}, graph 1 "
                                     f"nohead lw 1.5 dt {dash} lc rgb {colour}")
        title = name + (": " + ", ".join(marks) if marks else "")
        plot.plots.append(f"dat index {index} using 1:2 with lines lw 2 lc rgb {colour} "
                          f"title {gp_str(title)}")
    if not plot.plots:
        return None, "no part=hist operation with a count"
    plot.settings += [
        "set logscale x 10",
        f"set xrange [{low / 1.5:.10g}:{high * 1.5:.10g}]",
        f"set xtics {decade_tics(low / 1.5, high * 1.5, fmt_ns)}",
        "set mxtics 10",
        "set logscale y 10",
        f"set yrange [{LATENCY_FLOOR:g}:2]",
        'set format y "1e%L"',
        'set xlabel "latency (log scale); lines in the colour of each operation mark its '
        'p50 (dashed), p99 (dotted) and p99.9 (dash-dot)"',
        'set ylabel "fraction of operations (log scale)"',
        "set key outside below left Left reverse",
    ]
    return plot, None


def plot_scaling(parts, info):
    rows = parts.get("scaling")
    if not rows:
        return None, "no part=scaling rows"
    plot = Plot("scaling", "Throughput against threads (ops/s / ops/s with one thread)", info)
    threads = {SCALING_GOAL[0]}
    for i, (name, group) in enumerate(by_name(rows).items()):
        points = sorted((r.x, ratio_of(r), r.value) for r in group if ratio_of(r) is not None)
        if len(points) < len(group):
            note(f"scaling: {name}: left out rows with no ratio")
        if not points:
            continue
        index = plot.block(name, ("threads", "ratio", "ops_per_s"), points)
        threads |= {p[0] for p in points}
        plot.plots.append(f"dat index {index} using 1:2 with linespoints lw 2 pt 7 ps 1.2 "
                          f"lc rgb {gp_str(COLOURS[i % len(COLOURS)])} title {gp_str(name)}")
    if not plot.plots:
        return None, "no part=scaling row with a ratio"
    ideal = plot.block("ideal: throughput grows with the threads", ("threads", "ratio"),
                       [(min(threads), min(threads)), (max(threads), max(threads))])
    goal = plot.block("goal", ("threads", "ratio"), [SCALING_GOAL])
    plot.plots[:0] = [
        f"dat index {ideal} using 1:2 with lines dt 3 lw 2 lc \"black\" title \"ideal (y = x)\"",
        f"dat index {goal} using 1:2 with points pt 8 ps 3 lw 2 lc \"red\" "
        f"title {gp_str(f'goal ≥ {SCALING_GOAL[1]} at {SCALING_GOAL[0]} threads')}",
    ]
    plot.settings += [
        f"set xrange [{min(threads) - 0.5:.10g}:{max(threads) + 0.5:.10g}]",
        f"set xtics {tics((fmt_count(t), t) for t in sorted(threads))}",
        "set yrange [0:*]",
        'set xlabel "threads"',
        "set offsets 0, 0, graph 0.05, 0",
        'set ylabel "throughput / throughput with one thread"',
        "set key inside top left Left reverse opaque box",
    ]
    return plot, None


def plot_ratios(parts, info):
    sets = []
    for part, legend in (("table", "ownbuf / peer"),
                         ("safety", "checked / unchecked (safety)")):
        bars = []
        for row in parts.get(part, []):
            ratio = ratio_of(row)
            if ratio is None or ratio <= 0:
                note(f"ratios: {part} {row.name}: no positive ratio, left out")
                continue
            label = f"{row.name} / {row.peer}" if row.peer else row.name
            bars.append((label, ratio, row.value, row.peer_value))
        if bars:
            sets.append((part, legend, bars))
    if not sets:
        return None, "no part=table or part=safety rows with a ratio"
    count = sum(len(bars) for _, _, bars in sets) + len(sets) - 1
    plot = Plot("ratios", "Ratios of medians (bars start at 1)", info,
                height=max(HEIGHT, 140 + 24 * count))
    labels, ratios, y = [], [1.0], count
    for i, (part, legend, bars) in enumerate(sets):
        rows = []
        for label, ratio, value, peer_value in bars:
            rows.append((y, ratio, min(ratio, 1), max(ratio, 1), value,
                         "" if peer_value is None else peer_value, label))
            labels.append((label, y))
            ratios.append(ratio)
            y -= 1
        y -= 1
        index = plot.block(f"part={part}: {legend}",
                           ("y", "ratio", "bar_from", "bar_to", "value", "peer_value", "label"),
                           rows)
        plot.plots.append(
            f"dat index {index} using 2:1:3:4:($1-0.38):($1+0.38) with boxxyerror "
            f"fs solid 0.85 border lc rgb \"#333333\" lc rgb {gp_str(COLOURS[i])} "
            f"title {gp_str(legend)}")
        # Each bar's ratio at its free end. gnuplot 5.4 can crash on a labels plot
        # whose points are all undefined, so a side without bars gets none.
        if any(bar[1] >= 1 for bar in bars):
            plot.plots.append(
                f"dat index {index} using ($2 >= 1 ? $4 : NaN):1:(sprintf(\"%.3g\", $2)) "
                "with labels left offset 0.5,0 notitle")
        if any(bar[1] < 1 for bar in bars):
            plot.plots.append(
                f"dat index {index} using ($2 < 1 ? $3 : NaN):1:(sprintf(\"%.3g\", $2)) "
                "with labels right offset -0.5,0 notitle")
    low, high = min(ratios) / 2.5, max(ratios) * 2.5
    plot.settings += [
        "set logscale x 10",
        f"set xrange [{low:.10g}:{high:.10g}]",
        f"set xtics {log_tics(low, high)}",
        f"set yrange [0.4:{count + 0.6}]",
        f"set ytics {tics(labels)}",
        "set ytics nomirror",
        "set grid noytics",
        "set arrow from 1, graph 0 to 1, graph 1 nohead lw 2 lc \"black\"",
        'set xlabel "ratio of medians (log scale; below 1: left side faster)"',
        "set key outside below center vertical",
    ]
    return plot, None


def plot_metadata(parts, info):
    rows = [r for r in parts.get("metadata", []) if r.value >= 0]
    if not rows:
        return None, "no part=metadata rows"
    kinds = list(by_name(rows))
    sizes = sorted({r.x for r in rows if r.x is not None}) + \
        ([None] if any(r.x is None for r in rows) else [])
    width = 0.8 / len(sizes)
    plot = Plot("metadata", "Memory per buffer beyond its data", info)
    plot.plots.append(f"{METADATA_GOAL} with lines dt 2 lw 2 lc \"red\" "
                      f"title {gp_str(f'ownbuf goal ≤ {METADATA_GOAL} B')}")
    for j, n in enumerate(sizes):
        offset = (j - (len(sizes) - 1) / 2) * width
        bars = [(kinds.index(r.name) + offset, r.value,
                 "" if r.peer_value is None else r.peer_value, r.name)
                for r in rows if r.x == n]
        legend = "N not given" if n is None else f"N = {fmt_count(n)} live buffers"
        index = plot.block(legend, ("x", "bytes_beyond_data", "total_bytes", "kind"), bars)
        plot.plots += [
            f"dat index {index} using 1:2:({width:.10g}) with boxes fs solid 0.85 "
            f"border lc rgb \"#333333\" lc rgb {gp_str(COLOURS[j % len(COLOURS)])} "
            f"title {gp_str(legend)}",
            f"dat index {index} using 1:2:(sprintf(\"%.0f\", $2)) with labels boxed "
            "offset 0,0.8 notitle",
        ]
    plot.settings += [
        f"set xrange [-0.6:{len(kinds) - 0.4}]",
        f"set xtics {tics((k, i) for i, k in enumerate(kinds))}"
        + (" rotate by -25" if len(kinds) > 5 else ""),
        "set xtics nomirror",
        "set grid noxtics",
        "set yrange [0:*]",
        "set offsets 0, 0, graph 0.08, 0",
        "set style textbox opaque noborder",
        'set ylabel "bytes per buffer beyond the data"',
        "set key outside below center horizontal",
    ]
    return plot, None


PLOTS = (plot_flat, plot_latency, plot_scaling, plot_ratios, plot_metadata)


def draw(plot, csv_path, outdir):
    """Write the plot's .dat and .gp and run gnuplot; True when it drew both images."""
    base = os.path.join(outdir, plot.name)
    for ext, text in ((".dat", plot.dat()), (".gp", plot.gp(csv_path))):
        with open(base + ext, "w", encoding="utf-8") as f:
            f.write(text)
        print(base + ext)
    try:
        done = subprocess.run(["gnuplot", plot.name + ".gp"], cwd=outdir, capture_output=True,
                              text=True, timeout=300)
    except subprocess.TimeoutExpired:
        note(f"{plot.name}: gnuplot took over 300 s")
        return False
    for line in done.stderr.splitlines():
        note(f"{plot.name}: gnuplot: {line}")
    if done.returncode != 0:
        note(f"{plot.name}: gnuplot failed (exit status {done.returncode})")
        return False
    ok = True
    for ext in (".svg", ".png"):
        if os.path.isfile(base + ext) and os.path.getsize(base + ext) > 0:
            print(base + ext)
        else:
            note(f"{plot.name}: gnuplot wrote no {base + ext}")
            ok = False
    return ok


def main():
    parser = argparse.ArgumentParser(
        description="Draw the ownbuf benchmark's CSV with gnuplot (see the script's docstring).")
    parser.add_argument("csv", metavar="RESULTS.csv")
    parser.add_argument("outdir", metavar="OUTDIR")
    args = parser.parse_args()
    try:
        parts = read_csv(args.csv)
    except (CsvError, csv.Error, UnicodeDecodeError) as e:
        note(f"malformed CSV: {e}")
        return 2
    except OSError as e:
        note(f"cannot read {args.csv}: {e.strerror}")
        return 2
    if not shutil.which("gnuplot"):
        note("gnuplot is not installed (Debian: apt-get install gnuplot-nox)")
        return 1
    os.makedirs(args.outdir, exist_ok=True)
    info = subtitle(parts)
    failed = []
    for make in PLOTS:
        plot, why = make(parts, info)
        if plot is None:
            note(f"skipping {make.__name__[len('plot_'):]}: {why} in {args.csv}")
        elif not draw(plot, args.csv, args.outdir):
            failed.append(plot.name)
    if failed:
        note(f"gnuplot failed for: {', '.join(failed)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
