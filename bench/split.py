#!/usr/bin/env python3
"""Fixed, seeded train/test split of the training sources in models/data.

A row is held out when sha1("<seed>:<normalized text>") falls below the test
fraction of its source (15% for the real English sources, 5% for the
nomenclature texts). The source name is deliberately not part of the hash key:
the same text then gets the same hash in every source, and a text held out in
one source is held out in all of them, so no test text is ever seen in
training (uk_fpo_en and uk_search_refs_en share short texts, for instance).

Outputs (under --out, default bench/out/split):
  train/<source>.tsv        code<TAB>text, as in the source (the phrasebook's
                            trade_phrasebook_<lang>.tsv, _en_retail.tsv,
                            _en_parcel.tsv and _en_brands.tsv too:
                            train only)
  test_real_en.tsv          code<TAB>text<TAB>source
  test_real_pt.tsv          code<TAB>text<TAB>source
  test_nomenclature.tsv     code<TAB>text<TAB>source
Labels are kept with their national digits; consumers truncate to 6.

Usage: python3 bench/split.py [--seed N] [--data DIR] [--out DIR]
Stdlib only; importable (split_sources, read_labeled, write_split).
"""

import argparse
import hashlib
import os
import sys
import unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

# the default model's recipe: it reads the files this script writes to train/
RECIPE = os.path.join(ROOT, "models", "recipe.txt")


def read_recipe(path=RECIPE):
    """(options, inputs) of the recipe: option lines start with '-'."""
    opts, inputs = [], []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            (opts.extend(line.split()) if line.startswith("-") else inputs.append(line))
    return opts, inputs


DEFAULT_DATA = os.path.join(ROOT, "models", "data")
DEFAULT_OUT = os.path.join(HERE, "out", "split")
DEFAULT_SEED = 2022

REAL_EN = ("uk_fpo_en", "uk_search_refs_en", "cross_atlas_en", "uk_atar_en")
REAL_PT = ("br_cest_pt",)
NOMENCLATURE = ("hs2022", "eu_cn_en", "eu_cn_fr", "tec_cedeao_fr",
                "ncm_br_pt", "wits_cemac_fr")
FRACTION = {**{s: 0.15 for s in REAL_EN + REAL_PT}, **{s: 0.05 for s in NOMENCLATURE}}
# The FR/PT dev sets (evaluation only): the old one and the one written blind.
DEV_SETS = {name: os.path.join(HERE, "data", name + ".tsv") for name in ("dev_fr_pt", "dev_fr_pt_blind")}
# Text written for training (the trade phrasebook): never held out, never evaluated
# on; a row whose text is held out elsewhere is dropped so that no test text is trained on.
TRAIN_ONLY = {f"trade_phrasebook_{part}": os.path.join("trade_phrasebook", f"{part}.tsv")
              for part in ("en", "fr", "pt", "en_retail", "en_parcel", "en_brands")}


def normalize(text):
    """Case- and accent-insensitive key with punctuation runs as one space."""
    t = unicodedata.normalize("NFKD", text.casefold())
    out = []
    for ch in t:
        if unicodedata.combining(ch):
            continue
        out.append(ch if ch.isalnum() else " ")
    return " ".join("".join(out).split())


def text_hash(seed, text):
    """Uniform value in [0, 1) from the seed and the normalized text."""
    d = hashlib.sha1(f"{seed}:{normalize(text)}".encode("utf-8")).digest()
    return int.from_bytes(d[:8], "big") / 2.0 ** 64


def read_labeled(path):
    """Rows (code, text[, extra...]) of a TSV; blank lines skipped."""
    rows = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line:
                continue
            parts = line.split("\t")
            if len(parts) < 2 or not parts[0].isdigit():
                raise ValueError(f"{path}:{n}: expected code<TAB>text")
            rows.append(tuple(parts))
    return rows


def split_sources(data_dir=DEFAULT_DATA, seed=DEFAULT_SEED):
    """Return (train, test) dicts: source -> list of (code, text)."""
    rows = {s: read_labeled(os.path.join(data_dir, s, "clean.tsv"))
            for s in FRACTION}
    # A text is held out everywhere if any source containing it holds it out.
    limit = {}
    for src, rs in rows.items():
        for _, text in rs:
            k = normalize(text)
            limit[k] = max(limit.get(k, 0.0), FRACTION[src])
    train, test = {}, {}
    for src, rs in rows.items():
        train[src], test[src] = [], []
        for code, text in rs:
            held = text_hash(seed, text) < limit[normalize(text)]
            (test if held else train)[src].append((code, text))
    held_out = {normalize(t) for rs in test.values() for _, t in rs}
    for dev in DEV_SETS.values():  # nor a dev-set text
        held_out.update(normalize(r[1]) for r in read_labeled(dev))
    for src, rel in TRAIN_ONLY.items():
        train[src] = [(c, t) for c, t in read_labeled(os.path.join(data_dir, rel))
                      if normalize(t) not in held_out]
    return train, test


def write_split(train, test, out_dir=DEFAULT_OUT):
    os.makedirs(os.path.join(out_dir, "train"), exist_ok=True)
    for src, rs in train.items():
        with open(os.path.join(out_dir, "train", src + ".tsv"), "w",
                  encoding="utf-8") as f:
            f.writelines(f"{c}\t{t}\n" for c, t in rs)
    for name, group in (("test_real_en.tsv", REAL_EN), ("test_real_pt.tsv", REAL_PT),
                        ("test_nomenclature.tsv", NOMENCLATURE)):
        with open(os.path.join(out_dir, name), "w", encoding="utf-8") as f:
            for src in group:
                f.writelines(f"{c}\t{t}\t{src}\n" for c, t in test[src])


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    ap.add_argument("--data", default=DEFAULT_DATA)
    ap.add_argument("--out", default=DEFAULT_OUT)
    a = ap.parse_args(argv)
    train, test = split_sources(a.data, a.seed)
    write_split(train, test, a.out)
    print(f"seed {a.seed}; written to {a.out}")
    print(f"{'source':<20}{'rows':>8}{'train':>8}{'test':>7}{'test%':>7}"
          f"{'testHS6':>9}")
    for group, name in ((REAL_EN, "test_real_en"), (REAL_PT, "test_real_pt"),
                        (NOMENCLATURE, "test_nomenclature")):
        tr = te = 0
        for s in group:
            n_tr, n_te = len(train[s]), len(test[s])
            tr, te = tr + n_tr, te + n_te
            hs6 = len({c[:6] for c, _ in test[s]})
            print(f"{s:<20}{n_tr + n_te:>8}{n_tr:>8}{n_te:>7}"
                  f"{100.0 * n_te / max(1, n_tr + n_te):>6.1f}%{hs6:>9}")
        print(f"{'= ' + name:<20}{tr + te:>8}{tr:>8}{te:>7}"
              f"{100.0 * te / max(1, tr + te):>6.1f}%")
    for s in TRAIN_ONLY:
        print(f"{s:<20}{'':>8}{len(train[s]):>8}{'(train only)':>14}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
