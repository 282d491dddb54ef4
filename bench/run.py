#!/usr/bin/env python3
"""One command for the whole benchmark: libhsclass against fastText, side by side.

    python3 bench/run.py [--hsclass build/examples/hsclass-cli/hsclass] [--threads 2]
                         [--reuse-fasttext] [--reuse-hsclass]

1. the fixed seeded split (bench/split.py), shared by both sides;
2. fastText 0.9.2, two configurations (bench/fasttext_bench.py): word n-grams only,
   and with character n-grams; each as .bin and quantized .ftz;
3. libhsclass with the default-model recipe (bench/hsclass_bench.py);
4. bench/out/results.md: accuracy (top-1/top-5 at HS6/HS4/HS2 on real English held-out
   rows, nomenclature held-out rows and the FR/PT dev set), training time, throughput,
   latency, size, peak RSS and load time, with libhsclass/fastText ratios against
   fastText's best configuration. Copy it to bench/RESULTS.md to publish.
--reuse-* skip a side whose JSON is already in bench/out (fastText needs well over
half an hour on 2 cores). --remeasure-speed measures the speed figures of every
model again, back to back in one window, so that both sides see the same machine
load (the training runs may have been measured hours apart).
"""

import argparse
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "out")
sys.path.insert(0, HERE)
import metrics  # noqa: E402

SETS = (("test_real_en", "real English held-out rows"),
        ("test_real_pt", "real Portuguese held-out rows (br_cest_pt)"),
        ("test_nomenclature", "nomenclature held-out rows"),
        ("dev_fr_pt_blind", "FR/PT dev set written blind (bench/data)"),
        ("dev_fr_pt", "FR/PT dev set, old (bench/data)"))


def load(name):
    with open(os.path.join(OUT, name), encoding="utf-8") as f:
        return json.load(f)


def variants(ft, hs):
    """(label, model dict, train seconds) for every model measured."""
    out = [("libhsclass", hs["model"], hs["train_wall_s"])]
    for key, cfg in sorted(ft["configs"].items()):
        for kind in ("bin", "ftz"):
            if kind in cfg:
                out.append((f"fastText {key} .{kind}", cfg[kind], cfg["train_wall_s"]))
    return out


def best_fasttext(vs, set_name):
    fts = [v for v in vs if v[0].startswith("fastText")]
    return max(fts, key=lambda v: v[1]["accuracy"][set_name]["all"]["top1_hs6"])


def per_source(ours, theirs, their_label):
    """Real English per source, and without the curated search terms: one easy
    source must not carry the average."""
    keys = [k for k in ours if k not in ("all", "without_search_refs")] + ["without_search_refs"]
    rows = []
    for k in keys:
        if k in ours:
            rows.append((f"libhsclass: {k}", ours[k]))
        if k in theirs:
            rows.append((f"{their_label}: {k}", theirs[k]))
    return ["Per source:", "", metrics.markdown_table(rows), ""]


def report(ft, hs):
    vs = variants(ft, hs)
    lines = ["# libhsclass against fastText", "",
             f"Machine: {ft.get('machine', '?')}. Same split (bench/split.py, seed 2022), same "
             f"training rows, same thread count for training ({hs['threads']}); classification "
             "single-threaded, end to end from a file.", "",
             "fastText configurations: " + "; ".join(
                 f"{k}: {c['name']}" for k, c in sorted(ft["configs"].items())) + ".", "",
             f"libhsclass: `{hs['train_cmd']}`", ""]
    for set_name, title in SETS:
        lines += [f"## Accuracy: {title}", ""]
        rows = [(label, m["accuracy"][set_name]["all"]) for label, m, _ in vs]
        lines += [metrics.markdown_table(rows), ""]
        best = best_fasttext(vs, set_name)
        ours = vs[0][1]["accuracy"][set_name]["all"]
        lines.append(f"libhsclass minus fastText's best ({best[0]}): HS6 top-1 "
                     f"{100 * (ours['top1_hs6'] - best[1]['accuracy'][set_name]['all']['top1_hs6']):+.1f}"
                     f" points, HS6 top-5 "
                     f"{100 * (ours['top5_hs6'] - best[1]['accuracy'][set_name]['all']['top5_hs6']):+.1f}"
                     " points.")
        lines.append("")
        if set_name == "test_real_en":
            lines += per_source(vs[0][1]["accuracy"][set_name], best[1]["accuracy"][set_name],
                                best[0])
    lines += ["## Speed, size, memory", "",
              "| model | train s | classify lines/s | p50 ms | p99 ms | size MB | peak RSS MB | load ms |",
              "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for label, m, train_s in vs:
        lines.append(f"| {label} | {train_s:.0f} | {m['throughput']['lines_per_s_end_to_end']:.0f} | "
                     f"{m['latency']['p50_ms']:.3f} | {m['latency']['p99_ms']:.3f} | "
                     f"{m['size_bytes'] / 1e6:.1f} | {m['peak_rss_classify_kib'] / 1024:.0f} | "
                     f"{1000 * m['load_s']:.1f} |")
    ours = vs[0]
    fts = vs[1:]
    fastest = max(fts, key=lambda v: v[1]["throughput"]["lines_per_s_end_to_end"])
    shortest = min(ft["configs"].values(), key=lambda c: c["train_wall_s"])
    smallest = min(fts, key=lambda v: v[1]["size_bytes"])
    biggest_bin = max((v for v in fts if v[0].endswith(".bin")), key=lambda v: v[1]["size_bytes"])
    lines += ["", "Training times are wall times of the training runs themselves, at whatever load the "
              "machine had then; the other speed figures were measured back to back "
              "(`--remeasure-speed`) when asked. Load time includes starting the process; "
              "`hsc_model_load_file` alone is measured in models/MODELS.md.",
              "", "Ratios (libhsclass / fastText):", "",
              f"- throughput: {ours[1]['throughput']['lines_per_s_end_to_end'] / fastest[1]['throughput']['lines_per_s_end_to_end']:.2f}x the fastest fastText ({fastest[0]});",
              f"- training time: {ours[2] / shortest['train_wall_s']:.2f} of the quickest fastText training;",
              f"- size: {ours[1]['size_bytes'] / smallest[1]['size_bytes']:.2f} of the smallest fastText file ({smallest[0]}), "
              f"{ours[1]['size_bytes'] / biggest_bin[1]['size_bytes']:.3f} of {biggest_bin[0]};",
              f"- load time: {1000 * ours[1]['load_s']:.1f} ms (process start included)."]
    return "\n".join(lines) + "\n"


def remeasure(hsclass):
    """Speed of every model again, one after the other, into both JSONs."""
    import fasttext_bench as ftb
    import hsclass_bench as hb
    split_dir = os.path.join(OUT, "split")
    ft, hs = load("fasttext.json"), load("hsclass.json")
    work = os.path.join(OUT, "speed")
    os.makedirs(work, exist_ok=True)
    sets = ftb.prepare_eval(work, split_dir)
    for key, cfg in ft["configs"].items():
        for kind in ("bin", "ftz"):
            # one run writes every model to out/ft/; a run of one configuration
            # (--name _b --configs b) to out/ft_b/
            path = next((p for p in (os.path.join(OUT, d, f"model_{key}.{kind}")
                                     for d in ("ft", f"ft_{key}")) if os.path.exists(p)), None)
            if kind in cfg and path:
                print(f"[speed] fastText {key} .{kind}", flush=True)
                cfg[kind].update(ftb.runtime(path, sets, work, 20000, 2000, 1))
    texts = [t for s in sets.values() for _, t, _ in s["rows"]]
    hsclass = os.path.abspath(hsclass or os.path.join(os.path.dirname(HERE), "build", "examples",
                                                       "hsclass-cli", "hsclass"))
    print("[speed] libhsclass", flush=True)
    hs["model"].update(hb.speed(hsclass, os.path.join(OUT, "hsclass", "model.hscm"), texts, work))
    for name, data in (("fasttext.json", ft), ("hsclass.json", hs)):
        with open(os.path.join(OUT, name), "w", encoding="utf-8") as f:
            json.dump(data, f, indent=1)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--hsclass", default=None)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--reuse-fasttext", action="store_true")
    ap.add_argument("--reuse-hsclass", action="store_true")
    ap.add_argument("--remeasure-speed", action="store_true")
    a = ap.parse_args(argv)
    py = sys.executable
    subprocess.run([py, os.path.join(HERE, "split.py"), "--out", os.path.join(OUT, "split")],
                   check=True)
    if not a.reuse_fasttext:
        subprocess.run([py, os.path.join(HERE, "fasttext_bench.py"), "--threads", str(a.threads)],
                       check=True)
    if not a.reuse_hsclass:
        cmd = [py, os.path.join(HERE, "hsclass_bench.py"), "--threads", str(a.threads)]
        if a.hsclass:
            cmd += ["--hsclass", a.hsclass]
        subprocess.run(cmd, check=True)
    if a.remeasure_speed:
        remeasure(a.hsclass)
    text = report(load("fasttext.json"), load("hsclass.json"))
    with open(os.path.join(OUT, "results.md"), "w", encoding="utf-8") as f:
        f.write(text)
    print(text)


if __name__ == "__main__":
    main()
