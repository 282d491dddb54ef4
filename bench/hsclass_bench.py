#!/usr/bin/env python3
"""libhsclass side of the benchmark: the default-model recipe on the fixed split.

Trains with models/recipe.txt (same thread count as the fastText side), then
measures exactly what bench/fasttext_bench.py measures, with the same split
and the same scorer (bench/metrics.py): top-1/top-5 at HS6/HS4/HS2 on the
real English and nomenclature held-out rows and the FR/PT dev set, training
wall time, model size, load time, end-to-end single-thread throughput over
>= 20,000 descriptions (`hsclass classify` reading a file: normalization,
tokenization and stemming included, unlike the fastText side whose text is
prepared in Python beforehand), peak RSS and per-description p50/p99 latency
through one persistent process.

Usage: python3 bench/hsclass_bench.py [--hsclass PATH] [--threads 2]
Writes bench/out/hsclass.json.
"""

import argparse
import json
import os
import random
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import fasttext_bench as ftb  # noqa: E402  (run, latency helpers)
import metrics  # noqa: E402
import split  # noqa: E402

OUT = os.path.join(HERE, "out")
def classify_ranked(hsclass, model, rows, work, tag, k=5):
    """Ranked HS6 codes for each row's text, through the CLI (jsonl)."""
    src = os.path.join(work, f"{tag}.txt")
    ftb.write_lines(src, [t.replace("\n", " ") for _, t, _ in rows])
    out = os.path.join(work, f"{tag}.jsonl")
    ftb.run([hsclass, "classify", "-m", model, "-k", str(k), "--format", "jsonl"], src, out)
    ranked = []
    with open(out, encoding="utf-8") as f:
        for line in f:
            obj = json.loads(line)
            ranked.append([s["code"] for s in obj.get("suggestions", [])])
    if len(ranked) != len(rows):
        raise RuntimeError(f"{tag}: {len(ranked)} results for {len(rows)} rows")
    return ranked


def eval_sets(split_dir):
    """name -> rows of every evaluation set, as fasttext_bench.py reads them."""
    sets = {name: metrics.read_eval(os.path.join(split_dir, fname)) for name, fname in ftb.EVAL_SETS}
    sets.update((name, metrics.read_eval(path)) for name, path in ftb.DEV_SETS)
    return sets


def accuracy(hsclass, model, sets, work):
    """name -> metrics.evaluate_rows result of one model on every set."""
    return {name: metrics.evaluate_rows(rows, classify_ranked(hsclass, model, rows, work, name))
            for name, rows in sets.items()}


def speed(hsclass, model, texts, work, n_through=20000, n_lat=2000, seed=1):
    """Size, load time (process start included), single-thread end-to-end
    throughput, peak RSS and per-line latency of one model, as fastText's."""
    one = os.path.join(work, "one_line.txt")
    ftb.write_lines(one, texts[:1])
    loads = sorted(ftb.run([hsclass, "classify", "-m", model, "-k", "1"], one)[0]
                   for _ in range(3))
    n_bulk = max(n_through, len(texts))
    bulk = os.path.join(work, "throughput.txt")
    ftb.write_lines(bulk, (texts * (-(-n_bulk // len(texts))))[:n_bulk])
    twall, trss = ftb.run([hsclass, "classify", "-m", model, "-k", "1", "--format", "tsv"], bulk,
                          os.path.join(work, "throughput_out.txt"))
    sample = texts[:]
    random.Random(seed).shuffle(sample)
    lat = ftb.latency_cmd([hsclass, "classify", "-m", model, "-k", "1", "--format", "tsv"],
                          (sample * (1 + n_lat // len(sample)))[:n_lat + 50])
    return {"size_bytes": os.path.getsize(model), "load_s": round(loads[1], 4),
            "throughput": {"lines": n_bulk, "wall_s": round(twall, 3),
                           "lines_per_s_end_to_end": round(n_bulk / twall, 1), "threads": 1},
            "peak_rss_classify_kib": trss, "latency": lat}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--hsclass", default=os.path.join(ROOT, "build", "examples", "hsclass-cli",
                                                       "hsclass"))
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--split", default=os.path.join(OUT, "split"))
    ap.add_argument("--throughput-n", type=int, default=20000)
    ap.add_argument("--latency-n", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--model", help="measure this model (trained with the recipe, e.g. by "
                    "models/build.sh) instead of training one")
    ap.add_argument("--train-seconds", type=float, help="with --model: its training wall time")
    ap.add_argument("--train-threads", type=int, default=1, help="with --model: its thread count")
    a = ap.parse_args(argv)
    a.hsclass = os.path.abspath(a.hsclass)
    os.chdir(ROOT)  # the recipe's paths are relative to the repository root
    work = os.path.join(OUT, "hsclass")
    os.makedirs(work, exist_ok=True)
    if not os.path.exists(os.path.join(a.split, "test_real_en.tsv")):
        train, test = split.split_sources()
        split.write_split(train, test, a.split)

    opts, inputs = split.read_recipe()
    model = os.path.join(work, "model.hscm")
    files = [os.path.join(a.split, "train", spec) for spec in inputs]
    threads = a.train_threads if a.model else a.threads
    cmd = [a.hsclass, "train", "-q", "-o", model] + opts + ["--threads", str(threads)] + files
    if a.model:
        shutil.copyfile(a.model, model)
        wall, rss = a.train_seconds, None
        print(f"[hsclass] measuring {a.model} (trained in {wall} s on {threads} thread(s))", flush=True)
    else:
        print("[hsclass] training:", " ".join(cmd), flush=True)
        wall, rss = ftb.run(cmd, log=os.path.join(work, "train.log"))
        print(f"[hsclass] trained in {wall:.1f} s", flush=True)

    sets = eval_sets(a.split)
    acc = accuracy(a.hsclass, model, sets, work)

    texts = [t.replace("\n", " ") for rows in sets.values() for _, t, _ in rows]
    measured = speed(a.hsclass, model, texts, work, a.throughput_n, a.latency_n, a.seed)
    report = {
        "train_cmd": " ".join(cmd[1:]), "train_wall_s": round(wall, 2), "train_peak_rss_kib": rss,
        "threads": threads,
        "model": dict(accuracy=acc, **measured),
    }
    with open(os.path.join(OUT, "hsclass.json"), "w", encoding="utf-8") as f:
        json.dump(report, f, indent=1)
    print(json.dumps({k: v for k, v in report["model"].items() if k != "accuracy"}, indent=1))
    for name, r in acc.items():
        print(name, {k: v for k, v in r.get("all", r).items()} if isinstance(r, dict) else r)


if __name__ == "__main__":
    main()
