#!/usr/bin/env python3
"""Validation carve for English without curated search terms: decide on it, never on the test rows.

The fixed split's (bench/split.py) train rows of uk_fpo_en, cross_atlas_en and uk_atar_en are carved
about 80/20 by sha1("en-carve:" + normalized text); a carved text is removed from every training
source (the same short text appears in several), so a variant trained on the rest never sees it.
Each variant is models/recipe.txt on those rows, one thread, the recipe's fixed seed, plus the
variant's extra options and inputs; it is scored on the carve at HS2/HS4/HS6 top-1/top-5, per source.

Variants are named on the command line as NAME or NAME=EXTRA, where EXTRA is a space-separated list
of `hsclass train` options and extra input files (path:weight, e.g. a phrasebook as :synthetic; a
recipe input's name with another weight replaces it, e.g. uk_fpo_en.tsv:10), e.g.
    python3 bench/carve.py base 'fv3=--feature-version 3'
Writes bench/out/carve/{train/, dev.tsv, <variant>.hscm, results/<variant>.json, results.md}; with
--errors NAME, the carve's misses of that variant (dev data: fine to read).
"""

import argparse
import hashlib
import json
import os
import shlex
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import fasttext_bench as ftb  # noqa: E402
import hsclass_bench as hb  # noqa: E402
import metrics  # noqa: E402
import split  # noqa: E402

OUT = os.path.join(HERE, "out", "carve")
SOURCES = ("uk_fpo_en", "cross_atlas_en", "uk_atar_en")
FRACTION = 0.2


def carved(text):
    d = hashlib.sha1(("en-carve:" + split.normalize(text)).encode("utf-8")).digest()
    return int.from_bytes(d[:8], "big") / 2.0 ** 64 < FRACTION


def write_carve(out=OUT):
    """Train folder without the carve, and dev.tsv (code, text, source); returns the dev rows."""
    train, _ = split.split_sources()
    dev = [(c, t, s) for s in SOURCES for c, t in train[s] if carved(t)]
    keys = {split.normalize(t) for _, t, _ in dev}
    rest = {s: [(c, t) for c, t in rows if split.normalize(t) not in keys] for s, rows in train.items()}
    split.write_split(rest, {s: [] for s in split.FRACTION}, out)
    with open(os.path.join(out, "dev.tsv"), "w", encoding="utf-8") as f:
        f.writelines(f"{c}\t{t}\t{s}\n" for c, t, s in dev)
    return metrics.read_eval(os.path.join(out, "dev.tsv"))


def train(hsclass, name, extra, out=OUT):
    opts, inputs = split.read_recipe()
    # an extra "file.tsv:kind" naming a recipe input replaces that input (another weight)
    given = {x.split(":", 1)[0]: x for x in extra if not x.startswith("-") and ":" in x}
    extra = [x for x in extra if x.split(":", 1)[0] not in {i.split(":", 1)[0] for i in inputs}]
    files = [os.path.join(out, "train", given.get(spec.split(":", 1)[0], spec)) for spec in inputs]
    model = os.path.join(out, f"{name}.hscm")
    cmd = [hsclass, "train", "-q", "-o", model] + opts + ["--threads", "1"] + extra + files
    cpu = {}
    print(f"[{name}] {' '.join(cmd[5:])}", flush=True)
    ftb.run(cmd, log=os.path.join(out, f"{name}.log"), cpu=cpu)
    return model, cpu["cpu_s"]


def table(results):
    cols = [("all", "all"), ("uk_fpo", "uk_fpo_en"), ("cross_atlas", "cross_atlas_en"),
            ("uk_atar", "uk_atar_en")]
    lines = ["| variant | " + " | ".join(f"{c} HS2 / HS4 / HS6" for c, _ in cols) + " | train CPU s |",
             "|---|" + "---:|" * (len(cols) + 1)]
    for name, r in results.items():
        cells = []
        for _, g in cols:
            m = r["accuracy"].get(g)
            cells.append(" / ".join(f"{100 * m[f'top1_hs{d}']:.1f} ({100 * m[f'top5_hs{d}']:.1f})"
                                    for d in (2, 4, 6)) + f" n={m['n']}" if m else "")
        lines.append(f"| {name} | " + " | ".join(cells) + f" | {r.get('train_cpu_s', '')} |")
    return "\n".join(lines) + "\n\nCells: top-1 (top-5) %, HS2 / HS4 / HS6.\n"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("variants", nargs="*", help="NAME or NAME=EXTRA (see above)")
    ap.add_argument("--hsclass", default=os.path.join(ROOT, "build", "examples", "hsclass-cli", "hsclass"))
    ap.add_argument("--model", action="append", default=[], metavar="NAME=PATH",
                    help="score an existing model (trained on the carve's train rows) as NAME")
    ap.add_argument("--errors", metavar="NAME", help="print the carve's HS6 misses of NAME")
    a = ap.parse_args(argv)
    hsclass = os.path.abspath(a.hsclass)
    os.chdir(ROOT)  # the recipe's paths are relative to the repository root
    os.makedirs(OUT, exist_ok=True)
    dev_path = os.path.join(OUT, "dev.tsv")
    # deterministic: written once, so that runs in parallel never rewrite a file another reads
    dev = metrics.read_eval(dev_path) if os.path.exists(dev_path) else write_carve()
    os.makedirs(os.path.join(OUT, "results"), exist_ok=True)
    todo = [(v.split("=", 1)[0], shlex.split(v.split("=", 1)[1]) if "=" in v else []) for v in a.variants]
    todo += [(m.split("=", 1)[0], m.split("=", 1)[1]) for m in a.model]
    for name, extra in todo:
        if isinstance(extra, str):
            model, cpu, extra = os.path.abspath(extra), None, ["(given model)"]
        else:
            model, cpu = train(hsclass, name, extra)
        ranked = hb.classify_ranked(hsclass, model, dev, OUT, f"dev-{name}")
        r = {"extra": " ".join(extra), "train_cpu_s": cpu, "accuracy": metrics.evaluate_rows(dev, ranked)}
        with open(os.path.join(OUT, "results", name + ".json"), "w", encoding="utf-8") as f:
            json.dump(r, f, indent=1)
        print(f"[{name}] HS6 top-1 {100 * r['accuracy']['all']['top1_hs6']:.1f}", flush=True)
    results = {}
    for fn in sorted(os.listdir(os.path.join(OUT, "results")), key=lambda fn: os.path.getmtime(
            os.path.join(OUT, "results", fn))):
        with open(os.path.join(OUT, "results", fn), encoding="utf-8") as f:
            results[fn[:-5]] = json.load(f)
    if a.errors:
        ranked = hb.classify_ranked(hsclass, os.path.join(OUT, f"{a.errors}.hscm"), dev, OUT, "errors")
        for (gold, text, src), r in zip(dev, ranked):
            if not r or r[0][:6] != gold:
                print(f"{src}\t{gold}\t{r[0] if r else '-'}\t{text}")
    text = table(results)
    with open(os.path.join(OUT, "results.md"), "w", encoding="utf-8") as f:
        f.write(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
