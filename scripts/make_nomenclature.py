#!/usr/bin/env python3
"""Build the nomenclature description files a model carries (NOMN section).

Outputs (code<TAB>description, one row per code, codes ascending):
  models/data/hs2022/nomenclature_en.tsv  HS 2022 chapters (2 digits), headings (4) and
      subheadings (6), the UN Comtrade English texts of the datahub.io harmonized-system
      data set (hs2022/raw/harmonized-system.csv), unchanged.
  models/data/hs2022/nomenclature_fr.tsv  the same codes in French, from the EU Combined
      Nomenclature export (eu_cn_fr/raw/NomenclatureFR.csv). The EU CN follows HS 2022 down to
      6 digits, so its chapter, heading and subheading lines are the French HS texts. A
      subheading line alone is often just "autres", so a subheading is written as its path:
      heading; dash groups above it; its own line (as tec_cedeao_fr/clean.tsv does). Chapter
      titles are upper case in the export and are written in sentence case; '|' (a
      non-breaking space in the export) becomes a space; the first letter of each path
      segment is capitalized. Only codes of the English file are kept, and a code the export
      lacks (a heading without subdivision, "0205.00") takes its heading's text.
  models/data/hs2022/nomenclature_pt.tsv  the same codes in Portuguese, from the Brazilian NCM
      (ncm_br_pt/raw/ncm.json), which follows HS 2022 down to 6 digits. Subheadings are paths as
      in French: heading; dash groups (5-digit "0303.1" lines); the subheading's own line (its
      6-digit entry, or the 8-digit "XXXX.XX.00" line of a subheading that has no subdivision).
      A heading without subdivision ("0205.00.00", "0903.00") gives the heading and its
      "XXXX00" subheading the same text. Markup (<i>, <sup>) and the dashes of each line are
      removed; the final "." or ":" is dropped.
  tests/data/nomenclature_en.tsv, nomenclature_fr.tsv  the rows of the test slice's chapters.
  tests/data/tec_cedeao_slice.tsv  the TEC CEDEAO lines of chapters 02, 04 and 10
      (models/data/tec_cedeao_fr/clean.tsv), for the national-code tests.

usage: make_nomenclature.py [--shared DIR]   (DIR defaults to ../shared/data beside the repo)
"""
import argparse
import csv
import json
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parents[1]
TEST_CHAPTERS = ("02", "03", "04", "07", "08", "09", "10", "22", "61", "62", "64", "87")
TEC_CHAPTERS = ("02", "04", "10")


def read_hs_en(path):
    out = {}
    with open(path, encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            code, level = row["hscode"], row["level"]
            if level in ("2", "4", "6") and len(code) == int(level) and code.isdigit():
                out[code] = " ".join(row["description"].split())
    return out


SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


def clean_fr(text):
    # The CN marks superscripts with '$': "n$o$s$" is "n°s", "m$2" is "m²", "10$-$6" is "10⁻⁶"; "!x!" is "×".
    text = re.sub(r"n\$o(\$s)?\$?", lambda m: "n°s" if m.group(1) else "n°", text)
    text = re.sub(r"\$([0-9-])", lambda m: m.group(1).translate(SUPERSCRIPT), text)
    return " ".join(text.replace("!x!", "×").replace("|", " ").replace("$", "").split())


def cap(text):
    return text[:1].upper() + text[1:]


def read_cn_fr(path):
    """code (2/4/6 digits) -> French text, subheadings as paths."""
    out = {}
    heading = ""
    groups = []  # (indent, text) of the open dash groups of the current heading
    with open(path, encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            goods, pos = row["Goods code"], row["Hier. Pos."]
            code, suffix = goods[:10], goods[-2:]
            text = clean_fr(row["Description"])
            indent = row["Indent"].count("-")
            if pos == "2.0" and suffix == "80":
                out[code[:2]] = cap(text.lower())
            elif pos == "4.0":
                heading = text
                groups = []
                if suffix == "80":
                    out[code[:4]] = cap(text)
            else:
                while groups and groups[-1][0] >= indent:
                    groups.pop()
                if pos == "6.0" and suffix == "80":
                    parts = [heading] + [g for _, g in groups] + [text]
                    out[code[:6]] = "; ".join(cap(p) for p in parts if p)
                groups.append((indent, text))
    return out


def clean_pt(text):
    text = re.sub(r"<[^>]*>", "", text)
    text = text.strip().lstrip("-").strip()
    return " ".join(text.rstrip(".:").split())


def read_ncm_pt(path):
    """code (2/4/6 digits) -> Portuguese text, subheadings as paths."""
    with open(path, encoding="utf-8") as f:
        entries = json.load(f)["Nomenclaturas"]
    out = {}
    heading, group, group_code = "", "", ""
    for e in entries:
        code = re.sub(r"\D", "", e["Codigo"])
        text = clean_pt(e["Descricao"])
        if len(code) == 2:
            out[code] = cap(text)
        elif len(code) == 4:
            heading, group, group_code = text, "", ""
            out[code] = cap(text)
        elif len(code) == 5:
            group, group_code = text, code
        elif code[4:6] == "00" and code[:4] not in out:  # heading without subdivision
            heading, group, group_code = text, "", ""
            out[code[:4]] = out[code[:4] + "00"] = cap(text)
        elif len(code) == 6 or (len(code) == 8 and code.endswith("00") and code[:6] not in out):
            parts = [heading, group if code.startswith(group_code or "-") else "", text]
            out[code[:6]] = "; ".join(cap(p) for p in parts if p)
    return out


def write_tsv(path, rows):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        for code, text in rows:
            if "\t" in text or "\n" in text:
                raise SystemExit(f"{path}: bad text for {code}")
            f.write(f"{code}\t{text}\n")
    print(f"{path.relative_to(ROOT)}: {len(rows)} rows")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--shared", type=pathlib.Path, default=ROOT.parent / "shared" / "data")
    args = ap.parse_args()
    en = read_hs_en(args.shared / "hs2022" / "raw" / "harmonized-system.csv")
    cn = read_cn_fr(args.shared / "eu_cn_fr" / "raw" / "NomenclatureFR.csv")
    fr = {}
    for code in en:
        text = cn.get(code)
        if text is None and len(code) == 6 and code.endswith("00"):
            text = cn.get(code[:4])
        if text:
            fr[code] = text
    ncm = read_ncm_pt(args.shared / "ncm_br_pt" / "raw" / "ncm.json")
    pt = {code: ncm[code] for code in en if code in ncm}
    print(f"Portuguese: {len(pt)} of {len(en)} codes")
    missing = sorted(set(en) - set(fr))
    print(f"French: {len(fr)} of {len(en)} codes; missing {len(missing)}: {' '.join(missing[:12])}"
          + (" ..." if len(missing) > 12 else ""))
    out = ROOT / "models" / "data" / "hs2022"
    write_tsv(out / "nomenclature_en.tsv", sorted(en.items()))
    write_tsv(out / "nomenclature_fr.tsv", sorted(fr.items()))
    write_tsv(out / "nomenclature_pt.tsv", sorted(pt.items()))
    tests = ROOT / "tests" / "data"
    write_tsv(tests / "nomenclature_en.tsv",
              sorted(kv for kv in en.items() if kv[0].startswith(TEST_CHAPTERS)))
    write_tsv(tests / "nomenclature_fr.tsv",
              sorted(kv for kv in fr.items() if kv[0].startswith(TEST_CHAPTERS)))
    tec = []
    with open(ROOT / "models" / "data" / "tec_cedeao_fr" / "clean.tsv", encoding="utf-8") as f:
        for line in f:
            code, _, text = line.rstrip("\n").partition("\t")
            if code.startswith(TEC_CHAPTERS) and re.fullmatch(r"\d{10}", code):
                tec.append((code, text))
    write_tsv(tests / "tec_cedeao_slice.tsv", tec)


if __name__ == "__main__":
    main()
