#!/usr/bin/env python3
"""What each piece of the default model is worth: the recipe trained again
without one piece at a time, every model scored on the same sets.

Variants (models/recipe.txt on the fixed split of bench/split.py):
  full           the recipe as is (or --full MODEL: the shipped model, built by
                 models/build.sh from the same recipe)
  no-memory      --no-precedents: the linear model alone
  no-phrasebook  without the trade phrasebook's rows (both registers)
  no-retail      without its retail register (en_retail.tsv) only
  no-noise       --trade-noise 0: no packaging/quantity noise while training
  no-head        --feature-version 1: no head-phrase features
plus --baseline MODEL (e.g. the model shipped before) measured as it is.

Sets: real English held-out rows per source and without the curated search
terms, real Portuguese (br_cest_pt), the nomenclature rows, the blind FR/PT dev
set, the old FR/PT dev set (with its lines that carry packaging, units or
quantities apart), and the public smoke test (bench/smoke.py).

Usage: python3 bench/ablation.py [--hsclass PATH] [--threads 2]
                                 [--variants full,no-memory,...] [--full MODEL]
                                 [--baseline MODEL] [--reuse]
Writes bench/out/ablation/{<variant>.hscm,results.json,results.md}.
"""

import argparse
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import fasttext_bench as ftb  # noqa: E402
import hsclass_bench as hb  # noqa: E402
import metrics  # noqa: E402
import smoke  # noqa: E402
import split  # noqa: E402

OUT = os.path.join(HERE, "out", "ablation")
VARIANTS = {
    "full": ([], None),
    "no-memory": (["--no-precedents"], None),
    "no-phrasebook": ([], "trade_phrasebook_"),
    "no-retail": ([], "trade_phrasebook_en_retail"),
    "no-noise": (["--trade-noise", "0"], None),
    "no-head": (["--feature-version", "1"], None),
}
# Packaging, unit and quantity tokens of declaration lines (EN/FR/PT).
PACKING = re.compile(r"\b(\d+([.,]\d+)?\s*(kg|g|l|ml|cl|t|mt|m|cm|mm|pcs?|un|x)\b|sacs?|sacos?|bags?|"
                     r"ctns?|cartons?|caixas?|cx|bidons?|bte|boites?|fardos?|balles?|bales?|drums?|"
                     r"futs?|tambores?|rolos?|rouleaux|pallets?|palettes?|paletes?)\b", re.I)


def train(hsclass, name, threads, split_dir):
    """Train one variant of the recipe; returns (model path, wall seconds)."""
    extra, drop = VARIANTS[name]
    opts, inputs = split.read_recipe()
    files = [os.path.join(split_dir, "train", spec) for spec in inputs
             if not (drop and spec.startswith(drop))]
    model = os.path.join(OUT, f"{name}.hscm")
    cmd = [hsclass, "train", "-q", "-o", model] + opts + extra + ["--threads", str(threads)] + files
    print(f"[{name}] training: {' '.join(cmd[1:])}", flush=True)
    wall, _ = ftb.run(cmd, log=os.path.join(OUT, f"{name}.log"))
    print(f"[{name}] trained in {wall:.0f} s", flush=True)
    return model, wall


def measure(hsclass, model, sets):
    ranked = {name: hb.classify_ranked(hsclass, model, rows, OUT, name) for name, rows in sets.items()}
    acc = {name: metrics.evaluate_rows(sets[name], r) for name, r in ranked.items()}
    dev = sets["dev_fr_pt"]
    tags = ["packaging" if PACKING.search(t) else "plain" for _, t, _ in dev]
    acc["dev_fr_pt_packaging"] = metrics.evaluate([g for g, _, _ in dev], ranked["dev_fr_pt"], tags)
    right, _ = smoke.score(hsclass, model)
    return {"accuracy": acc, "smoke": right, "size_bytes": os.path.getsize(model)}


def table(results):
    """Markdown: one row per variant, HS6 top-1 (top-5) on each set."""
    cols = [("real EN", "test_real_en", "all"),
            ("EN w/o search", "test_real_en", "without_search_refs"),
            ("uk_fpo", "test_real_en", "uk_fpo_en"),
            ("cross_atlas", "test_real_en", "cross_atlas_en"),
            ("search refs", "test_real_en", "uk_search_refs_en"),
            ("real PT", "test_real_pt", "all"),
            ("blind FR/PT", "dev_fr_pt_blind", "all"),
            ("old dev", "dev_fr_pt", "all"),
            ("old dev pack.", "dev_fr_pt_packaging", "packaging"),
            ("old dev plain", "dev_fr_pt_packaging", "plain"),
            ("nomencl.", "test_nomenclature", "all")]
    head = "| variant | " + " | ".join(c[0] for c in cols) + " | smoke easy | MB | train s |"
    lines = [head, "|---|" + "---:|" * (len(cols) + 3)]
    for name, r in results.items():
        cells = []
        for _, s, g in cols:
            m = r["accuracy"].get(s, {}).get(g)
            cells.append(f"{100 * m['top1_hs6']:.1f} ({100 * m['top5_hs6']:.1f})" if m else "")
        easy = r["smoke"].get("easy", [0, 0])
        t = r.get("train_s")
        lines.append(f"| {name} | " + " | ".join(cells) + f" | {easy[0]}/{easy[1]} | "
                     f"{r['size_bytes'] / 1e6:.1f} | {'' if t is None else f'{t:.0f}'} |")
    return "\n".join(lines) + "\n\nCells: HS6 top-1 (top-5), %.\n"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--hsclass", default=os.path.join(ROOT, "build", "examples", "hsclass-cli", "hsclass"))
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--variants", default=",".join(VARIANTS))
    ap.add_argument("--full", help="use this model as the 'full' variant instead of training it")
    ap.add_argument("--baseline", help="also measure this model as it is")
    ap.add_argument("--reuse", action="store_true", help="keep variants already in bench/out/ablation")
    a = ap.parse_args(argv)
    hsclass = os.path.abspath(a.hsclass)
    os.chdir(ROOT)  # the recipe's paths are relative to the repository root
    os.makedirs(OUT, exist_ok=True)
    split_dir = os.path.join(HERE, "out", "split")
    train_rows, test_rows = split.split_sources()
    split.write_split(train_rows, test_rows, split_dir)
    sets = hb.eval_sets(split_dir)
    path = os.path.join(OUT, "results.json")
    results = json.load(open(path, encoding="utf-8")) if a.reuse and os.path.exists(path) else {}
    todo = ["baseline"] if a.baseline else []
    todo += [n for n in a.variants.split(",") if not (a.reuse and n in results)]
    for name in todo:  # each measured as soon as it is trained: a long run reports as it goes
        if name == "baseline" or (name == "full" and a.full):
            model, wall = os.path.abspath(a.baseline if name == "baseline" else a.full), None
        else:
            model, wall = train(hsclass, name, a.threads, split_dir)
        results[name] = dict(measure(hsclass, model, sets), train_s=wall)
        with open(path, "w", encoding="utf-8") as f:
            json.dump(results, f, indent=1)
        print(f"[{name}] measured", flush=True)
    text = table(results)
    with open(os.path.join(OUT, "results.md"), "w", encoding="utf-8") as f:
        f.write(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
