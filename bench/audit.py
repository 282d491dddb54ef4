#!/usr/bin/env python3
"""The audit flag (hsc_session_audit) measured on swapped codes, and the fit
of its default threshold.

    python3 bench/audit.py [--model models/hs6-multi.hscm] [--split DIR] [--write]

Held-out rows the model never trained on (bench/split.py's test_real_en and
test_real_pt, and the FR/PT dev set written blind) are audited four times:
with their true code, and with the code deliberately swapped
  HS2: to a code of another chapter (the revenue-risk case),
  HS4: to a code of another heading of the same chapter,
  HS6: to another subheading of the same heading.
For each kind: the recall of the flag (swapped lines found suspect), its
precision when 10% of the lines are swapped that way, and the share of the
correct lines flagged; lines the rule leaves unchecked (no content) count
as not flagged.

The threshold is fitted as the probability under which 10% of the correct
lines fall (they are then flagged at most 10% of the time), rounded down to
two significant digits. --write puts it into libhsclass/hsc_internal.h
(HSC__AUDIT_THRESHOLD_DEFAULT): refit whenever the default model changes,
then rebuild. Results go to stdout as a markdown table (bench/AUDIT.md keeps
the published one) and bench/out/audit.json.
"""

import argparse
import json
import math
import os
import random
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "bindings", "python"))
os.environ.setdefault("HSCLASS_BUILD_ROOT", os.path.join(ROOT, "build"))
import hsclass  # noqa: E402

FALSE_SHARE = 0.10   # correct lines the default threshold may flag
PREVALENCE = 0.10    # share of swapped lines for the precision figure
HEADER = os.path.join(ROOT, "libhsclass", "hsc_internal.h")


def held_out(split):
    rows = []
    for name in ("test_real_en.tsv", "test_real_pt.tsv"):
        path = os.path.join(split, name)
        with open(path, encoding="utf-8") as f:
            for line in f:
                parts = line.rstrip("\n").split("\t")
                if len(parts) >= 2:
                    rows.append((parts[0], parts[1], name[:-4]))
    with open(os.path.join(HERE, "data", "dev_fr_pt_blind.tsv"), encoding="utf-8") as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) >= 2 and not line.startswith("#"):
                rows.append((parts[0], parts[1], "dev_fr_pt_blind"))
    return rows


def swaps(rows, labels, seed=2022):
    """(kind, declared, text) for the true code and each swap kind."""
    rng = random.Random(seed)
    by_chapter, by_heading = {}, {}
    for code in labels:
        by_chapter.setdefault(code[:2], []).append(code)
        by_heading.setdefault(code[:4], []).append(code)
    out = []
    for code, text, _source in rows:
        c6 = code[:6]
        out.append(("correct", code, text))
        others = [c for c in labels if c[:2] != c6[:2]]
        out.append(("HS2", rng.choice(others), text))
        same_chapter = [c for c in by_chapter.get(c6[:2], []) if c[:4] != c6[:4]]
        if same_chapter:
            out.append(("HS4", rng.choice(same_chapter), text))
        siblings = [c for c in by_heading.get(c6[:4], []) if c != c6]
        if siblings:
            out.append(("HS6", rng.choice(siblings), text))
    return out


def audit_all(model, lines, threads):
    t0 = time.perf_counter()
    results = list(model.audit_many(((code, text) for _kind, code, text in lines),
                                    threads=threads, ranks=False))
    return results, time.perf_counter() - t0


def fit(correct_probs):
    """The largest two-digit threshold flagging at most FALSE_SHARE of them."""
    probs = sorted(correct_probs)
    t = probs[int(FALSE_SHARE * len(probs))]
    if t <= 0:
        return 0.0
    exp = math.floor(math.log10(t)) - 1
    return math.floor(t / 10 ** exp) * 10 ** exp


def figures(lines, results, threshold):
    """Per kind: lines, flagged share; with the correct lines' share, the
    precision at PREVALENCE."""
    counts = {}
    for (kind, _code, _text), a in zip(lines, results):
        if isinstance(a, hsclass.Error):
            continue
        flagged = a.reason in ("confident", "low_confidence") and a.probability < threshold
        n, f, u = counts.get(kind, (0, 0, 0))
        counts[kind] = (n + 1, f + flagged, u + (a.verdict == "unchecked"))
    fpr = counts["correct"][1] / counts["correct"][0]
    table = {}
    for kind, (n, f, u) in counts.items():
        recall = f / n
        table[kind] = {"lines": n, "flagged": recall, "unchecked": u / n}
        if kind != "correct":
            tp, fp = PREVALENCE * recall, (1 - PREVALENCE) * fpr
            table[kind]["precision_at_10pct"] = tp / (tp + fp) if tp + fp else None
            table[kind]["precision_at_50pct"] = recall / (recall + fpr) if recall + fpr else None
    return table


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", default=os.path.join(ROOT, "models", "hs6-multi.hscm"))
    ap.add_argument("--split", default=os.path.join(HERE, "out", "split"),
                    help="bench/split.py's output (made when missing)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--write", action="store_true",
                    help="write the fitted threshold into libhsclass/hsc_internal.h")
    args = ap.parse_args()
    if not os.path.exists(os.path.join(args.split, "test_real_en.tsv")):
        subprocess.run([sys.executable, os.path.join(HERE, "split.py"), "--out", args.split],
                       check=True, stdout=subprocess.DEVNULL)
    model = hsclass.Model(args.model)
    rows = held_out(args.split)
    lines = swaps(rows, model.labels)
    results, seconds = audit_all(model, lines, args.threads)
    correct = [a.probability if a.reason in ("confident", "low_confidence") else math.inf
               for (kind, _c, _t), a in zip(lines, results)
               if kind == "correct" and not isinstance(a, hsclass.Error)]
    fitted = fit(correct)
    current = model.session().audit("x", "01").threshold
    report = {"model": args.model, "fingerprint": model.fingerprint, "held_out_rows": len(rows),
              "lines_audited": len(lines), "seconds": seconds,
              "lines_per_second": len(lines) / seconds, "threads": args.threads,
              "fitted_threshold": fitted, "library_threshold": current,
              "at_fitted": figures(lines, results, fitted),
              "at_library": figures(lines, results, current)}
    os.makedirs(os.path.join(HERE, "out"), exist_ok=True)
    with open(os.path.join(HERE, "out", "audit.json"), "w", encoding="utf-8") as f:
        json.dump(report, f, indent=1)
    print(f"model {args.model} (fingerprint {model.fingerprint}); {len(rows)} held-out rows, "
          f"{len(lines)} lines audited in {seconds:.1f} s ({len(lines) / seconds:.0f} lines/s, "
          f"{args.threads} threads)\n")
    for name, thr in (("fitted", fitted), ("library default", current)):
        t = report["at_fitted" if name == "fitted" else "at_library"]
        print(f"threshold {thr:g} ({name})\n")
        print("| lines | n | flagged | unchecked | precision (10% swapped) | precision (50%) |")
        print("|---|---:|---:|---:|---:|---:|")
        for kind, label in (("correct", "correct code"), ("HS2", "swapped: another chapter"),
                            ("HS4", "swapped: another heading, same chapter"),
                            ("HS6", "swapped: another subheading, same heading")):
            r = t[kind]
            p10 = r.get("precision_at_10pct")
            p50 = r.get("precision_at_50pct")
            print(f"| {label} | {r['lines']} | {100 * r['flagged']:.2f}% | "
                  f"{100 * r['unchecked']:.1f}% | "
                  f"{'-' if p10 is None else f'{100 * p10:.1f}%'} | "
                  f"{'-' if p50 is None else f'{100 * p50:.1f}%'} |")
        print()
    if args.write:
        with open(HEADER, encoding="utf-8") as f:
            text = f.read()
        text, n = re.subn(r"(#define HSC__AUDIT_THRESHOLD_DEFAULT )\S+", rf"\g<1>{fitted:.2g}",
                          text)
        if n != 1:
            sys.exit("bench/audit.py: HSC__AUDIT_THRESHOLD_DEFAULT not found in " + HEADER)
        with open(HEADER, "w", encoding="utf-8") as f:
            f.write(text)
        print(f"wrote HSC__AUDIT_THRESHOLD_DEFAULT {fitted:.2g} into {HEADER}; rebuild")


if __name__ == "__main__":
    main()
