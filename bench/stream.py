#!/usr/bin/env python3
"""Python streaming throughput and memory: Model.stream over N descriptions
read from a generator (never held in a list), with 1 and 2 threads.

    python3 bench/stream.py [--rows 1000000] [--threads 1 2] [--model M] [--chunk 2000]

Each run is a fresh process: rows per second, and the process's resident
memory (VmRSS) after loading the model, sampled after every chunk, and its
peak (VmHWM). Flat memory means the peak does not grow with the rows. The
descriptions cycle through the held-out and dev texts of bench/ (real
declarations and nomenclature lines: EN, FR, PT). Writes bench/out/stream.json.
"""

import argparse
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def rss_kb(field="VmRSS"):
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def texts():
    out = []
    for path in (os.path.join(HERE, "data", "dev_fr_pt_blind.tsv"),
                 os.path.join(HERE, "data", "dev_fr_pt.tsv"),
                 os.path.join(ROOT, "tests", "data", "test.tsv"),
                 os.path.join(ROOT, "tests", "data", "train_real.tsv")):
        with open(path, encoding="utf-8") as f:
            out += [line.split("\t")[1].rstrip("\n") for line in f if "\t" in line]
    return out


def save_results(name, results):
    """bench/out/<name>.json: the runs' figures for the model card and the notes."""
    os.makedirs(os.path.join(HERE, "out"), exist_ok=True)
    with open(os.path.join(HERE, "out", name + ".json"), "w", encoding="utf-8") as f:
        json.dump(results, f, indent=1)


def child(args):
    sys.path.insert(0, os.path.join(ROOT, "bindings", "python"))
    os.environ.setdefault("HSCLASS_BUILD_ROOT", os.path.join(ROOT, "build"))
    import hsclass

    pool = texts()
    model = hsclass.Model(args.model)
    model.classify("warm up", 1)
    base = rss_kb()
    samples = []

    def gen():
        for i in range(args.rows):
            yield pool[i % len(pool)]

    def progress(done):
        samples.append((done, rss_kb()))

    accepted = 0
    t0 = time.perf_counter()
    for d in model.stream(gen(), k=3, chunk=args.chunk, threads=args.threads,
                          progress=progress):
        accepted += d.accept
    seconds = time.perf_counter() - t0
    quarter = [samples[min(len(samples) - 1, int(q * len(samples)) - 1)] for q in (.25, .5, .75, 1)]
    print(json.dumps({"rows": args.rows, "threads": args.threads, "chunk": args.chunk,
                      "seconds": seconds, "rows_per_second": args.rows / seconds,
                      "accepted": accepted, "rss_after_load_mb": base / 1024,
                      "rss_at_quarters_mb": [kb / 1024 for _, kb in quarter],
                      "peak_rss_mb": rss_kb("VmHWM") / 1024}))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=1000000)
    ap.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--chunk", type=int, default=2000)
    ap.add_argument("--model", default=os.path.join(ROOT, "models", "hs6-multi.hscm"))
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        args.threads = args.threads[0]
        return child(args)
    results = []
    for t in args.threads:
        p = subprocess.run([sys.executable, __file__, "--child", "--rows", str(args.rows),
                            "--threads", str(t), "--chunk", str(args.chunk), "--model",
                            args.model], capture_output=True, text=True, check=True)
        r = json.loads(p.stdout)
        results.append(r)
        print(f"{r['rows']:,} rows, {t} thread(s): {r['rows_per_second']:,.0f} rows/s "
              f"({r['seconds']:.1f} s); RSS after load {r['rss_after_load_mb']:.1f} MB, at "
              f"25/50/75/100% " + "/".join(f"{x:.1f}" for x in r["rss_at_quarters_mb"]) +
              f" MB, peak {r['peak_rss_mb']:.1f} MB", flush=True)
    save_results("stream", results)


if __name__ == "__main__":
    main()
