#!/usr/bin/env python3
"""Rebuild the test slices from ../shared/data (run from the repo root's tests/data).

A small, real, multilingual training set: HS 2022 English texts, EU CN French path
texts and HMRC search references for a dozen chapters; 20% of the search
references (seeded by text) are held out as test.tsv. Deterministic."""
import hashlib, os, sys

SHARED = os.environ.get("HSCLASS_SHARED", os.path.join(os.path.dirname(__file__), "../../../shared/data"))
CHAPTERS = {"02", "03", "04", "07", "08", "09", "10", "22", "61", "62", "64", "87"}

def rows(src):
    with open(os.path.join(SHARED, src, "clean.tsv"), encoding="utf-8") as f:
        for line in f:
            code, _, text = line.rstrip("\n").partition("\t")
            if code[:2] in CHAPTERS and text:
                yield code[:6], text

def held_out(text):
    return hashlib.sha1(("hsclass-test:" + text.lower()).encode()).digest()[0] < 52  # ~20%

train, test = [], []
for src, nomen in (("hs2022", True), ("eu_cn_fr", True), ("uk_search_refs_en", False)):
    for code, text in rows(src):
        if not nomen and held_out(text):
            test.append((code, text))
        else:
            train.append((src, code, text))

with open("train_nomenclature.tsv", "w", encoding="utf-8") as f:
    for src, code, text in train:
        if src != "uk_search_refs_en":
            f.write(f"{code}\t{text}\n")
with open("train_real.tsv", "w", encoding="utf-8") as f:
    for src, code, text in train:
        if src == "uk_search_refs_en":
            f.write(f"{code}\t{text}\n")
with open("test.tsv", "w", encoding="utf-8") as f:
    for code, text in test:
        f.write(f"{code}\t{text}\n")
print(len(train), "train rows,", len(test), "test rows", file=sys.stderr)
