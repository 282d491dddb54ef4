#!/usr/bin/env python3
"""Top-k accuracy at HS6/HS4/HS2 from ranked code lists (stdlib only).

Shared by every side of the benchmark so that all classifiers are scored the
same way. A prediction is a list of codes, best first (any number of digits;
only the first d are compared). At level d, top-k is a hit when any of the
first k predicted codes has the same first d digits as the gold code; the
predicted list is not re-ranked or de-duplicated at the coarser level, so
top-1 at HS4 means "the best HS6 guess is in the right heading".

    from metrics import Scorer, read_eval
    s = Scorer()
    for gold, ranked, group in ...: s.add(gold, ranked, group)
    s.result()          # {"n": .., "top1_hs6": .., "top5_hs6": .., ...}
    s.result("pt")      # the same for one group
"""

import collections

LEVELS = (6, 4, 2)
KS = (1, 5)


def hit(gold, ranked, k, digits):
    """True when one of the first k ranked codes matches gold on `digits`."""
    g = gold[:digits]
    return any(c[:digits] == g for c in ranked[:k])


def read_eval(path):
    """Rows (code6, text, tag) of an evaluation TSV: code<TAB>text[<TAB>tag].

    The tag (source name or language) is "" when the file has no third column.
    """
    rows = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line:
                continue
            parts = line.split("\t")
            if len(parts) < 2 or len(parts[0]) < 6 or not parts[0].isdigit():
                raise ValueError(f"{path}:{n}: expected code<TAB>text")
            rows.append((parts[0][:6], parts[1],
                         parts[2] if len(parts) > 2 else ""))
    return rows


class Scorer:
    """Accumulates hits overall and per group."""

    def __init__(self, ks=KS, levels=LEVELS):
        self.ks, self.levels = tuple(ks), tuple(levels)
        self._n = collections.Counter()
        self._hits = collections.defaultdict(collections.Counter)

    def add(self, gold, ranked, group=None):
        for key in (None, group) if group is not None else (None,):
            self._n[key] += 1
            for k in self.ks:
                for d in self.levels:
                    if hit(gold, ranked, k, d):
                        self._hits[key][(k, d)] += 1

    def groups(self):
        return sorted(g for g in self._n if g is not None)

    def result(self, group=None):
        n = self._n[group]
        out = {"n": n}
        for d in self.levels:
            for k in self.ks:
                h = self._hits[group][(k, d)]
                out[f"top{k}_hs{d}"] = round(h / n, 4) if n else None
        return out


def evaluate(golds, rankings, groups=None, ks=KS, levels=LEVELS):
    """Score parallel lists; returns {"all": {...}, "<group>": {...}, ...}."""
    if len(golds) != len(rankings):
        raise ValueError("golds and rankings differ in length")
    s = Scorer(ks, levels)
    for i, (g, r) in enumerate(zip(golds, rankings)):
        s.add(g, r, groups[i] if groups is not None else None)
    out = {"all": s.result()}
    for g in s.groups():
        out[g] = s.result(g)
    return out


# Curated search terms: short, clean, and the easiest real English source; the
# headline English figure leaves them out so that they cannot carry the average.
SEARCH_REFS = "uk_search_refs_en"


def evaluate_rows(rows, rankings):
    """evaluate() of read_eval rows, plus "without_search_refs" when the
    rows carry that source among others (the real English set)."""
    golds, groups = [g for g, _, _ in rows], [grp for _, _, grp in rows]
    out = evaluate(golds, rankings, groups)
    if SEARCH_REFS in out and len(out) > 2:
        keep = [i for i, grp in enumerate(groups) if grp != SEARCH_REFS]
        out["without_search_refs"] = evaluate([golds[i] for i in keep],
                                              [rankings[i] for i in keep])["all"]
    return out


def metric_columns(ks=KS, levels=LEVELS):
    return [f"top{k}_hs{d}" for d in levels for k in ks]


def markdown_table(rows, ks=KS, levels=LEVELS):
    """rows: list of (label, result dict). Percentages with one decimal."""
    cols = metric_columns(ks, levels)
    head = "| | n | " + " | ".join(c.replace("_", " ").upper() for c in cols)
    lines = [head + " |", "|---|---:|" + "---:|" * len(cols)]
    for label, r in rows:
        cells = ["" if r.get(c) is None else f"{100 * r[c]:.1f}" for c in cols]
        lines.append(f"| {label} | {r['n']} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    # Tiny self-check: python3 bench/metrics.py
    r = evaluate(["010121", "020230"], [["010129", "010121"], ["020230"]],
                 ["a", "b"])
    assert r["all"]["top1_hs6"] == 0.5 and r["all"]["top5_hs6"] == 1.0
    assert r["all"]["top1_hs4"] == 1.0 and r["a"]["top1_hs6"] == 0.0
    print(markdown_table([("example", r["all"])]))
