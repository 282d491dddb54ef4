#!/usr/bin/env python3
"""Check bench/data/dev_fr_pt.tsv against the official nomenclature texts.

Fails (exit 1) on a malformed row, a code that is not an HS 2022 subheading,
an unknown language tag or a duplicate text. With --show, prints for every
code the HS 2022 text and the national texts of that subheading (TEC CEDEAO
and EU CN in French, NCM in Portuguese) next to the dev descriptions, which is
how each code was reviewed by hand.

Usage: python3 bench/devset_check.py [--show] [--dev FILE]
"""

import argparse
import collections
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(os.path.dirname(HERE), "models", "data")
DEV = os.path.join(HERE, "data", "dev_fr_pt.tsv")
NATIONAL = {"fr": ("tec_cedeao_fr", "eu_cn_fr"), "pt": ("ncm_br_pt",)}


def by_hs6(source):
    out = collections.defaultdict(list)
    with open(os.path.join(DATA, source, "clean.tsv"), encoding="utf-8") as f:
        for line in f:
            code, text = line.rstrip("\n").split("\t", 1)
            out[code[:6]].append(text)
    return out


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--dev", default=DEV)
    ap.add_argument("--show", action="store_true")
    a = ap.parse_args(argv)
    hs = by_hs6("hs2022")
    errors, rows, seen = [], [], set()
    with open(a.dev, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            parts = line.rstrip("\n").split("\t")
            if len(parts) != 3:
                errors.append(f"line {n}: expected code<TAB>text<TAB>lang")
                continue
            code, text, lang = parts
            if len(code) != 6 or not code.isdigit() or code not in hs:
                errors.append(f"line {n}: {code} is not an HS 2022 subheading")
            if lang not in NATIONAL:
                errors.append(f"line {n}: unknown language {lang!r}")
            if text.casefold() in seen:
                errors.append(f"line {n}: duplicate text {text!r}")
            seen.add(text.casefold())
            rows.append((code, text, lang))
    if a.show:
        nat = {s: by_hs6(s) for ss in NATIONAL.values() for s in ss}
        grouped = collections.defaultdict(list)
        for code, text, lang in rows:
            grouped[code].append((lang, text))
        for code in sorted(grouped):
            print(f"== {code} HS: {hs.get(code, ['?'])[0][:150]}")
            langs = {lang for lang, _ in grouped[code]}
            for lang in sorted(langs):
                for s in NATIONAL.get(lang, ()):
                    texts = nat[s].get(code) or ["(none)"]
                    print(f"   {s}: {texts[0][-110:]}")
            for lang, text in grouped[code]:
                print(f"   [{lang}] {text}")
    langs = collections.Counter(lang for _, _, lang in rows)
    chapters = sorted({code[:2] for code, _, _ in rows})
    print(f"{len(rows)} rows, {len({c for c, _, _ in rows})} codes, "
          f"{len(chapters)} chapters; " +
          ", ".join(f"{k}: {v}" for k, v in sorted(langs.items())))
    for e in errors:
        print("ERROR", e, file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
