#!/usr/bin/env python3
"""Classification cost per description in CPU time, libhsclass against fastText,
interleaved in one run: on a machine shared with other work, wall time measures
the other work too, CPU time much less so.

Each classifier reads N descriptions (the held-out sets of the split, repeated)
from a file, single-threaded; the CPU time of a one-line run (process start and
model load) is subtracted. Median of --repeat runs; each run and the ratio run by
run are printed too.

Usage: python3 bench/cpu_per_line.py --model models/hs6-multi.hscm [--model OTHER.hscm]
           [--fasttext bench/out/ft/model_a.bin] [--hsclass build/.../hsclass] [-n 20000]
"""

import argparse
import os
import statistics
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import fasttext_bench as ftb  # noqa: E402
import hsclass_bench as hb  # noqa: E402


def cpu_seconds(cmd, stdin_path=None):
    c = {}
    ftb.run(cmd, stdin_path, os.devnull, cpu=c)
    return c["cpu_s"]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--hsclass", default=os.path.join(ROOT, "build", "examples", "hsclass-cli", "hsclass"))
    ap.add_argument("--model", action="append", required=True, help="a .hscm model (repeatable)")
    ap.add_argument("--fasttext", action="append", default=[], help="a fastText model (repeatable)")
    ap.add_argument("--split", default=os.path.join(HERE, "out", "split"))
    ap.add_argument("-n", type=int, default=20000)
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args(argv)
    texts = [t.replace("\n", " ") for rows in hb.eval_sets(a.split).values() for _, t, _ in rows]
    bulk = (texts * (a.n // len(texts) + 1))[:a.n]
    work = os.path.join(HERE, "out", "cpu_per_line")
    os.makedirs(work, exist_ok=True)
    files = {}
    for kind, prep in (("raw", lambda t: t), ("ft", ftb.prep)):
        files[kind] = (os.path.join(work, f"bulk_{kind}.txt"), os.path.join(work, f"one_{kind}.txt"))
        ftb.write_lines(files[kind][0], [prep(t) for t in bulk])
        ftb.write_lines(files[kind][1], [prep(bulk[0])])
    runs = {}
    for m in a.model:
        cmd = [a.hsclass, "classify", "-m", m, "-k", "1", "--format", "tsv"]
        runs[f"libhsclass {os.path.basename(m)}"] = lambda f, cmd=cmd: cpu_seconds(cmd, f)
    for m in a.fasttext:
        runs[f"fastText {os.path.relpath(m, HERE)}"] = \
            lambda f, m=m: cpu_seconds(["fasttext", "predict", m, f, "1"])
    per_line = {k: [] for k in runs}
    for _ in range(a.repeat):   # interleaved: every classifier sees the same load
        for name, run in runs.items():
            kind = "ft" if name.startswith("fastText") else "raw"
            per_line[name].append((run(files[kind][0]) - run(files[kind][1])) / (a.n - 1))
    print(f"{a.n} descriptions, single thread, load average {os.getloadavg()[0]:.1f} on "
          f"{os.cpu_count()} cores; CPU time per description, model load excluded:")
    best = {k: statistics.median(v) for k, v in per_line.items()}
    slowest_ft = [v for k, v in best.items() if k.startswith("fastText")]
    for name, s in best.items():
        ratio = f", {min(slowest_ft) / s:.1f}x fastText's fastest" if slowest_ft and \
            not name.startswith("fastText") else ""
        print(f"  {name}: {1e6 * s:.1f} us ({1 / s:.0f} descriptions per CPU-second){ratio}")
        runs = ", ".join(f"{1e6 * v:.1f}" for v in per_line[name])
        print(f"    each run (us): {runs}")
    ft = [k for k in per_line if k.startswith("fastText")]
    if ft and a.repeat > 1:   # the runs were interleaved: ratio run by run
        for name in (k for k in per_line if not k.startswith("fastText")):
            r = [min(per_line[f][i] for f in ft) / per_line[name][i] for i in range(a.repeat)]
            print(f"  {name} against fastText's fastest, run by run: "
                  + ", ".join(f"{x:.2f}x" for x in r))
    return 0


if __name__ == "__main__":
    sys.exit(main())
