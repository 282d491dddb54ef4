#!/usr/bin/env python3
"""Large "national declaration" training sets for the throughput benchmark,
built from the committed data (models/data/*/clean.tsv) with controlled noise.

Every generated row is a real row of a source with national codes (8 to 11
digits: EU CN, NCM, TEC, CEMAC, UK tariff lines and UK parcel/search texts),
its code kept (cut to 10 digits), its text turned into what a declarant
types: nomenclature paths lose their upper segments ("Horses; Other; For
slaughter" -> "other for slaughter" or "horses for slaughter"), then, each
with a fixed probability, abbreviations (pcs, ctn, qty...), packaging words,
a quantity with a unit, a count, a brand-like mark, case changes and one
typo (a dropped, doubled or swapped letter). A share of the rows repeats an
earlier generated row exactly (declarations recur), which the trainer's
deduplication merges.

Usage: python3 bench/national_gen.py ROWS OUT.tsv [--seed N] [--repeat 0.2]
Deterministic for a given seed. Prints the sources' row counts.
"""

import argparse
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SOURCES = ["eu_cn_en", "eu_cn_fr", "ncm_br_pt", "tec_cedeao_fr", "wits_cemac_fr", "uk_fpo_en",
           "uk_search_refs_en"]

ABBREV = {"pieces": "pcs", "piece": "pc", "quantity": "qty", "cartons": "ctns", "carton": "ctn",
          "boxes": "bxs", "bottles": "btls", "kilograms": "kg", "without": "w/o", "with": "w/",
          "and": "&", "assorted": "asst", "other": "oth", "frozen": "frzn", "fresh": "frsh",
          "autres": "autr", "congelés": "cong", "congeladas": "cong", "outros": "outr"}
PACKAGING = ["in cartons", "ctn", "box of 12", "bags", "pallets", "sacs de 50 kg", "en cartons",
             "caixas", "drums", "bales", "rolls", "bundles", "1 x 20ft container"]
UNITS = ["kg", "g", "ml", "l", "pcs", "m", "t", "sets", "pairs", "dozen"]
MARKS = ["brand acme", "marque sol", "model xk-2", "ref 4471", "lot 22b", "no brand", "origin cn",
         "made in vn", "fabricado br"]


def declaration_text(text, rnd):
    """A path text cut the way a declarant would shorten it."""
    parts = [p.strip() for p in text.split(";") if p.strip()]
    if len(parts) <= 1:
        return text
    r = rnd.random()
    if r < 0.4:
        return parts[-1] if len(parts[-1]) > 12 else " ".join(parts[-2:])
    if r < 0.7:
        return parts[0].split(",")[0] + " " + parts[-1]
    return " ".join(parts[-2:])


def typo(word, rnd):
    if len(word) < 4:
        return word
    i = rnd.randrange(1, len(word) - 1)
    kind = rnd.randrange(3)
    if kind == 0:
        return word[:i] + word[i + 1:]
    if kind == 1:
        return word[:i] + word[i] + word[i:]
    return word[:i - 1] + word[i] + word[i - 1] + word[i + 1:]


def noisy(text, rnd):
    words = declaration_text(text, rnd).split()
    if rnd.random() < 0.3:
        words = [ABBREV.get(w.lower(), w) for w in words]
    if rnd.random() < 0.15 and words:
        k = rnd.randrange(len(words))
        words[k] = typo(words[k], rnd)
    if rnd.random() < 0.25:
        words.append(rnd.choice(PACKAGING))
    if rnd.random() < 0.3:
        words.insert(0 if rnd.random() < 0.5 else len(words),
                     f"{rnd.choice([1, 2, 5, 10, 12, 20, 25, 50, 100, 500])}{rnd.choice(UNITS)}")
    if rnd.random() < 0.15:
        words.insert(0, f"{rnd.randrange(1, 400)} x")
    if rnd.random() < 0.1:
        words.append(rnd.choice(MARKS))
    out = " ".join(words)
    r = rnd.random()
    return out.upper() if r < 0.3 else out.lower() if r < 0.6 else out


def load_rows():
    rows, counts = [], {}
    for src in SOURCES:
        path = os.path.join(ROOT, "models", "data", src, "clean.tsv")
        n = 0
        with open(path, encoding="utf-8") as f:
            for line in f:
                code, _, text = line.rstrip("\n").partition("\t")
                if text and code.isdigit() and len(code) >= 8:
                    rows.append((code[:10], text))
                    n += 1
        counts[src] = n
    return rows, counts


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("rows", type=int)
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--repeat", type=float, default=0.2, help="share of exact repeats")
    a = ap.parse_args()
    rnd = random.Random(a.seed)
    base, counts = load_rows()
    print("sources:", ", ".join(f"{k} {v}" for k, v in counts.items()), file=sys.stderr)
    recent = []
    with open(a.out, "w", encoding="utf-8") as f:
        for i in range(a.rows):
            if recent and rnd.random() < a.repeat:
                row = recent[rnd.randrange(len(recent))]
            else:
                code, text = base[rnd.randrange(len(base))]
                row = f"{code}\t{noisy(text, rnd)}"
                if len(recent) < 50000:
                    recent.append(row)
                else:
                    recent[rnd.randrange(len(recent))] = row
            f.write(row + "\n")
    print(f"wrote {a.rows} rows to {a.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
