#!/usr/bin/env python3
"""fastText side of the benchmark: train on the fixed split, then measure.

Uses the fastText 0.9.2 command line (/usr/bin/fasttext); Python stdlib only.
For each configuration:
  - training wall time and peak RSS (the same thread count for every config);
  - top-1/top-5 at HS6/HS4/HS2 on test_real_en, test_nomenclature and the
    FR/PT dev set (`fasttext predict-prob model k`, scored by bench/metrics.py),
    overall and per source / language;
  - model size (.bin), load time (predict on a 1-line file), end-to-end
    throughput (`fasttext predict model file 1` on >= 20,000 lines, one
    thread: the CLI predicts on one thread), peak RSS while classifying, and
    per-description latency p50/p99 through a persistent
    `fasttext predict model - 1` process fed one line at a time;
  - the same for the quantized model (.ftz).
Text is prepared as libhsclass does by default (NFKC, case folding, accents
removed), with punctuation split into separate tokens; labels are HS6. The
preparation itself is done once in Python and is not part of the timings.

Results: bench/out/fasttext.json and bench/out/fasttext.md (--quick writes
fasttext_quick.*: a small subset and few epochs, to test the script).
Usage: python3 bench/fasttext_bench.py [--quick] [--configs a,b] [--threads 2]
  --name _x        write fasttext_x.* and work in out/ft_x (one config per
                   process, e.g. to run configurations side by side)
  --combine J...   merge the configs of several reports into fasttext.*
  --eval-only      re-score the saved models (timings kept)
"""

import argparse
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import time
import unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import metrics  # noqa: E402
import split  # noqa: E402

FASTTEXT = "/usr/bin/fasttext"
OUT = os.path.join(HERE, "out")

CONFIGS = {
    "a": {"name": "word n-grams (wordNgrams 2, no char n-grams)",
          "args": ["-wordNgrams", "2", "-minn", "0", "-maxn", "0"]},
    "b": {"name": "word + char n-grams (wordNgrams 2, minn 3, maxn 6)",
          "args": ["-wordNgrams", "2", "-minn", "3", "-maxn", "6"]},
}
EVAL_SETS = (("test_real_en", "test_real_en.tsv"),
             ("test_real_pt", "test_real_pt.tsv"),
             ("test_nomenclature", "test_nomenclature.tsv"))
# The FR/PT dev sets: the old one (same hands as the model) and the blind one.
DEV_SETS = tuple(split.DEV_SETS.items())


def prep(text):
    """NFKC + casefold + accents removed, punctuation/symbols as tokens."""
    t = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text)
                              .casefold())
    out = []
    for ch in t:
        if unicodedata.combining(ch):
            continue
        cat = unicodedata.category(ch)
        if cat[0] in "PS":
            out.append(f" {ch} ")
        elif cat[0] in "ZC":
            out.append(" ")
        else:
            out.append(ch)
    return " ".join(unicodedata.normalize("NFC", "".join(out)).split())


def run(cmd, stdin_path=None, stdout_path=None, log=None, cpu=None):
    """Run cmd; return (wall seconds, peak RSS in KiB of that process).

    When `cpu` is a dict, its "cpu_s" gets the user+system time.
    """
    fin = open(stdin_path, "rb") if stdin_path else subprocess.DEVNULL
    fout = open(stdout_path, "wb") if stdout_path else subprocess.DEVNULL
    ferr = open(log, "ab") if log else subprocess.DEVNULL
    try:
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, stdin=fin, stdout=fout, stderr=ferr)
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
        if cpu is not None:
            cpu["cpu_s"] = round(ru.ru_utime + ru.ru_stime, 2)
    finally:
        for f in (fin, fout, ferr):
            if hasattr(f, "close"):
                f.close()
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({p.returncode})")
    return wall, ru.ru_maxrss


def write_lines(path, lines):
    with open(path, "w", encoding="utf-8") as f:
        f.writelines(line + "\n" for line in lines)


def prepare_train(work, split_dir, quick, seed):
    """Write the shuffled fastText training file; return its row count."""
    if not os.path.exists(os.path.join(split_dir, "test_real_en.tsv")):
        train, test = split.split_sources()
        split.write_split(train, test, split_dir)
    rows = []
    tdir = os.path.join(split_dir, "train")
    # the recipe's files only (not the registers it leaves out, such as the parcel
    # register), so that both sides learn from the same rows
    for name in sorted(spec.split(":", 1)[0] for spec in split.read_recipe()[1]):
        for code, text, *_ in split.read_labeled(os.path.join(tdir, name)):
            rows.append(f"__label__{code[:6]} {prep(text)}")
    random.Random(seed).shuffle(rows)
    if quick:
        rows = rows[: len(rows) // 7]
    write_lines(os.path.join(work, "train.txt"), rows)
    return len(rows)


def prepare_eval(work, split_dir):
    """Write the prepared text of each evaluation set; return the sets."""
    sets = {}
    for name, fname in EVAL_SETS + DEV_SETS:
        path = fname if os.path.isabs(fname) else os.path.join(split_dir,
                                                               fname)
        ev = metrics.read_eval(path)
        txt = os.path.join(work, f"{name}.txt")
        write_lines(txt, [prep(t) for _, t, _ in ev])
        sets[name] = {"rows": ev, "txt": txt}
    return sets


def parse_predictions(path, n):
    ranked = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            parts = line.split()
            ranked.append([parts[i][len("__label__"):]
                           for i in range(0, len(parts), 2)])
    if len(ranked) != n:
        raise RuntimeError(f"{path}: {len(ranked)} predictions for {n} rows")
    return ranked


def accuracy(model, sets, work, tag):
    res = {}
    for name, s in sets.items():
        out = os.path.join(work, f"pred_{tag}_{name}.txt")
        run([FASTTEXT, "predict-prob", model, s["txt"], "5"], None, out)
        ranked = parse_predictions(out, len(s["rows"]))
        res[name] = metrics.evaluate_rows(s["rows"], ranked)
    return res


def latency(model, lines, warmup=50):
    """Per-line round trip through one persistent predict process (ms)."""
    return latency_cmd([FASTTEXT, "predict", model, "-", "1"], lines, warmup)


def latency_cmd(cmd, lines, warmup=50):
    """Per-line round trip through one persistent process that answers each
    input line with one output line (ms)."""
    p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         bufsize=0)
    times = []
    try:
        for i, line in enumerate(lines):
            data = (line + "\n").encode("utf-8")
            t0 = time.perf_counter()
            p.stdin.write(data)
            if not p.stdout.readline():
                raise RuntimeError(f"{cmd[0]} closed its output")
            if i >= warmup:
                times.append((time.perf_counter() - t0) * 1000.0)
    finally:
        p.stdin.close()
        p.wait()
    times.sort()
    return {"n": len(times), "p50_ms": round(statistics.median(times), 4),
            "p99_ms": round(times[int(0.99 * (len(times) - 1))], 4),
            "mean_ms": round(statistics.fmean(times), 4)}


def runtime(model, sets, work, n_through, n_lat, seed):
    """Size, load time, throughput, peak RSS and latency of one model file."""
    texts = [line.rstrip("\n") for s in sets.values()
             for line in open(s["txt"], encoding="utf-8")]
    one = os.path.join(work, "one_line.txt")
    write_lines(one, [texts[0]])
    loads = sorted(run([FASTTEXT, "predict", model, one, "1"])[0]
                   for _ in range(3))
    bulk = os.path.join(work, "throughput.txt")
    reps = -(-n_through // len(texts))
    write_lines(bulk, (texts * reps)[:max(n_through, len(texts))])
    n_bulk = max(n_through, len(texts))
    wall, rss = run([FASTTEXT, "predict", model, bulk, "1"], None,
                    os.path.join(work, "throughput_out.txt"))
    load = loads[1]
    sample = texts[:]
    random.Random(seed).shuffle(sample)
    lat = latency(model, (sample * (1 + n_lat // len(sample)))[:n_lat + 50])
    return {
        "size_bytes": os.path.getsize(model),
        "load_s": round(load, 4),
        "throughput": {
            "lines": n_bulk, "wall_s": round(wall, 3),
            "lines_per_s_end_to_end": round(n_bulk / wall, 1),
            "lines_per_s_excluding_load":
                round(n_bulk / max(wall - load, 1e-9), 1),
            "threads": 1},
        "peak_rss_classify_kib": rss,
        "latency": lat,
    }


def common_args(a):
    return ["-epoch", str(a.epoch), "-lr", str(a.lr), "-dim", str(a.dim),
            "-loss", "softmax", "-bucket", str(a.bucket), "-minCount", "1",
            "-thread", str(a.threads), "-seed", str(a.seed)]


def bench_config(key, a, sets, work, log):
    cfg = CONFIGS[key]
    prefix = os.path.join(work, f"model_{key}")
    train = os.path.join(work, "train.txt")
    cmd = [FASTTEXT, "supervised", "-input", train, "-output", prefix,
           "-verbose", "1"] + common_args(a) + cfg["args"]
    print(f"[{key}] training: {' '.join(cmd)}", flush=True)
    cpu = {}
    wall, rss = run(cmd, log=log, cpu=cpu)
    print(f"[{key}] trained in {wall:.1f} s", flush=True)
    res = {"name": cfg["name"], "train_cmd": " ".join(cmd[1:]),
           "train_wall_s": round(wall, 2),
           "train_cpu_s": cpu.get("cpu_s"), "train_peak_rss_kib": rss,
           "threads": a.threads, "work": work}
    res["bin"] = {"accuracy": accuracy(prefix + ".bin", sets, work, key)}
    res["bin"].update(runtime(prefix + ".bin", sets, work, a.throughput_n,
                              a.latency_n, a.seed))
    print(f"[{key}] .bin measured", flush=True)
    if not a.no_quantize:
        qcmd = [FASTTEXT, "quantize", "-input", train, "-output", prefix,
                "-qnorm", "-retrain", "-epoch", "1", "-lr", "0.1",
                "-cutoff", str(a.cutoff), "-thread", str(a.threads),
                "-verbose", "1"]
        qcpu = {}
        qwall, _ = run(qcmd, log=log, cpu=qcpu)
        res["ftz"] = {"quantize_cmd": " ".join(qcmd[1:]),
                      "quantize_wall_s": round(qwall, 2),
                      "quantize_cpu_s": qcpu.get("cpu_s"),
                      "accuracy": accuracy(prefix + ".ftz", sets, work,
                                           key + "q")}
        res["ftz"].update(runtime(prefix + ".ftz", sets, work,
                                  a.throughput_n, a.latency_n, a.seed))
        print(f"[{key}] quantized in {qwall:.1f} s and measured", flush=True)
    return res


def rescore(jpath, mpath, work, split_dir):
    with open(jpath, encoding="utf-8") as f:
        report = json.load(f)
    sets = prepare_eval(work, split_dir)
    report["eval_rows"] = {k: len(v["rows"]) for k, v in sets.items()}
    for key, r in report["configs"].items():
        for kind in ("bin", "ftz"):
            if kind in r:
                model = os.path.join(r.get("work", work),
                                     f"model_{key}.{kind}")
                r[kind]["accuracy"] = accuracy(model, sets, work, key + kind)
    write_report(report, jpath, mpath)
    print(f"re-scored {jpath} and {mpath}")
    return 0


def write_report(report, jpath, mpath):
    with open(jpath, "w", encoding="utf-8") as f:
        json.dump(report, f, indent=1)
    with open(mpath, "w", encoding="utf-8") as f:
        f.write(markdown(report))


def cpu_text(cpu_s):
    return "CPU time not recorded" if cpu_s is None else f"{cpu_s:.0f} s CPU"


def combine(paths, jpath, mpath, note=None):
    """Merge the configs of several reports (runs of single configs)."""
    reports = []
    for path in paths:
        with open(path, encoding="utf-8") as f:
            reports.append(json.load(f))
    out = reports[0]
    for r in reports[1:]:
        out["configs"].update(r["configs"])
    if note:
        out["note"] = note
    write_report(out, jpath, mpath)
    print(f"combined into {jpath} and {mpath}")
    return 0


def markdown(report):
    p = report["params"]
    lines = [f"# fastText benchmark{' (quick run)' if p['quick'] else ''}",
             "",
             f"fastText 0.9.2 CLI on {report['machine']}. Training rows: "
             f"{report['train_rows']} (labels HS6). Common arguments: "
             f"`{' '.join(report['common_args'])}`.",
             "Text: NFKC + casefold + accents removed, punctuation as tokens "
             "(done once in Python, not timed).",
             ""]
    if report.get("note"):
        lines += [f"Note: {report['note']}", ""]
    for key, r in report["configs"].items():
        lines += [f"## Config {key}: {r['name']}", "",
                  f"- training: {r['train_wall_s']:.1f} s wall "
                  f"({cpu_text(r.get('train_cpu_s'))}) with "
                  f"{r['threads']} threads, peak RSS "
                  f"{r['train_peak_rss_kib'] / 1024:.0f} MiB"]
        if "ftz" in r:
            lines.append(f"- quantize: `{r['ftz']['quantize_cmd']}` "
                         f"({r['ftz']['quantize_wall_s']:.1f} s wall, "
                         f"{cpu_text(r['ftz'].get('quantize_cpu_s'))})")
        lines.append("")
        rows = []
        for kind in ("bin", "ftz"):
            if kind not in r:
                continue
            for name, acc in r[kind]["accuracy"].items():
                rows.append((f"{kind} {name}", acc["all"]))
                for g, v in acc.items():
                    if g != "all":
                        rows.append((f"{kind} {name} / {g}", v))
        lines += [metrics.markdown_table(rows), ""]
        lines += ["| model | size | load | throughput end to end (1 thread)"
                  " | excl. load | peak RSS classify | latency p50 | p99 |",
                  "|---|---:|---:|---:|---:|---:|---:|---:|"]
        for kind in ("bin", "ftz"):
            if kind not in r:
                continue
            k = r[kind]
            t = k["throughput"]
            lines.append(
                f"| .{kind} | {k['size_bytes'] / 2**20:.1f} MiB | "
                f"{k['load_s'] * 1000:.0f} ms | "
                f"{t['lines_per_s_end_to_end']:.0f} lines/s "
                f"({t['lines']} lines, {t['wall_s']:.2f} s) | "
                f"{t['lines_per_s_excluding_load']:.0f} lines/s | "
                f"{k['peak_rss_classify_kib'] / 1024:.0f} MiB | "
                f"{k['latency']['p50_ms']:.3f} ms | "
                f"{k['latency']['p99_ms']:.3f} ms |")
        lines.append("")
    lines += ["Latency is the round trip of one line through a persistent "
              "`fasttext predict model - 1` process (pipe included); load "
              "time is the median wall time of `fasttext predict` on a "
              "1-line file (page cache warm).", ""]
    return "\n".join(lines)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--configs", default="a,b")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--epoch", type=int)
    ap.add_argument("--lr", type=float, default=1.0)
    ap.add_argument("--dim", type=int, default=100)
    ap.add_argument("--bucket", type=int)
    ap.add_argument("--cutoff", type=int, default=100000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--throughput-n", type=int, default=20000)
    ap.add_argument("--latency-n", type=int)
    ap.add_argument("--no-quantize", action="store_true")
    ap.add_argument("--name", help="suffix of the output and work names "
                    "(default: none, or _quick with --quick)")
    ap.add_argument("--combine", nargs="+", metavar="JSON",
                    help="merge the configs of these reports into the "
                    "default output")
    ap.add_argument("--note", help="a remark stored in the report (e.g. "
                    "the machine load during the run)")
    ap.add_argument("--eval-only", action="store_true",
                    help="re-score the saved models (e.g. after a change "
                    "to the dev set); keeps the timings of the last run")
    ap.add_argument("--split-dir", default=os.path.join(OUT, "split"))
    a = ap.parse_args(argv)
    a.epoch = a.epoch or (3 if a.quick else 25)
    a.bucket = a.bucket or (200000 if a.quick else 2000000)
    a.latency_n = a.latency_n or (200 if a.quick else 2000)
    suffix = a.name
    if suffix is None:
        suffix = "_quick" if a.quick else ""
    work = os.path.join(OUT, "ft" + suffix)
    os.makedirs(work, exist_ok=True)
    log = os.path.join(OUT, f"fasttext{suffix}_train.log")
    jpath = os.path.join(OUT, f"fasttext{suffix}.json")
    mpath = os.path.join(OUT, f"fasttext{suffix}.md")
    if a.combine:
        return combine(a.combine, jpath, mpath, a.note)
    if a.eval_only:
        return rescore(jpath, mpath, work, a.split_dir)
    n_train = prepare_train(work, a.split_dir, a.quick, a.seed)
    sets = prepare_eval(work, a.split_dir)
    report = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
                   f"{platform.platform()}",
        "fasttext": FASTTEXT + " 0.9.2",
        "train_rows": n_train,
        "eval_rows": {k: len(v["rows"]) for k, v in sets.items()},
        "params": {k: v for k, v in vars(a).items() if k != "split_dir"},
        "common_args": common_args(a),
        "configs": {},
    }
    if a.note:
        report["note"] = a.note
    for key in a.configs.split(","):
        report["configs"][key] = bench_config(key, a, sets, work, log)
        # Written after every config so that a partial run leaves results.
        write_report(report, jpath, mpath)
    print(f"wrote {jpath} and {mpath}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
