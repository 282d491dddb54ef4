#!/usr/bin/env python3
"""Rows per second of examples/python/dask_classify.py on this machine, with
1 and 2 local worker processes.

    python3 bench/dask_bench.py [--rows 100000] [--files 8] [--workers 1 2]

Writes a dataset of --rows declarations (CSV, --files files, descriptions
cycling through bench's held-out and dev texts) to a temporary directory,
runs the example on it once per worker count, and prints what it reports
(its timing covers reading, classifying and writing, not the cluster's
start). Writes bench/out/dask.json. Needs python3-dask and
python3-distributed.
"""

import argparse
import csv
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
from stream import save_results, texts  # noqa: E402

EXAMPLE = os.path.join(ROOT, "examples", "python", "dask_classify.py")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=100000)
    ap.add_argument("--files", type=int, default=8)
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--model", default=os.path.join(ROOT, "models", "hs6-multi.hscm"))
    args = ap.parse_args()
    pool = texts()
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "in")
        os.mkdir(src)
        per_file = (args.rows + args.files - 1) // args.files
        for f in range(args.files):
            with open(os.path.join(src, f"decl{f:03}.csv"), "w", encoding="utf-8",
                      newline="") as fh:
                w = csv.writer(fh)
                w.writerow(["declaration", "item", "description"])
                for i in range(f * per_file, min(args.rows, (f + 1) * per_file)):
                    w.writerow([f"D{i // 5}", i % 5 + 1, pool[i % len(pool)]])
        env = dict(os.environ)
        env.setdefault("HSCLASS_BUILD_ROOT", os.path.join(ROOT, "build"))
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [os.path.join(ROOT, "bindings", "python"),
                                                          env.get("PYTHONPATH")]))
        for n in args.workers:
            out = os.path.join(tmp, f"out{n}")
            p = subprocess.run([sys.executable, EXAMPLE, os.path.join(src, "*.csv"), out,
                                "--column", "description", "-k", "3", "-m", args.model,
                                "--workers", str(n)], capture_output=True, text=True, env=env)
            if p.returncode != 0:
                sys.exit(p.stderr)
            m = re.search(r"(\d+) rows in ([\d.]+) s \((\d+) rows/s\)", p.stderr)
            r = {"workers": n, "rows": int(m.group(1)), "seconds": float(m.group(2)),
                 "rows_per_second": int(m.group(3))}
            results.append(r)
            print(f"{r['rows']:,} rows, {n} worker(s): {r['rows_per_second']:,} rows/s "
                  f"({r['seconds']:.1f} s)", flush=True)
    save_results("dask", results)


if __name__ == "__main__":
    main()
