#!/usr/bin/env python3
"""Add HS code suggestions to a CSV of goods declarations.

    classify_csv.py declarations.csv -o suggested.csv --column "Goods description" -k 3

Reads the CSV (header row required), classifies the chosen column with
hsclass.Model.classify_many, and writes every input column followed by
hs_code_1, hs_score_1, ... hs_code_K, hs_score_K. Rows whose text is rejected
(e.g. too long) get empty suggestion columns and are reported on stderr.
A progress bar is drawn when stderr is a terminal; otherwise a line is
printed every few batches. Exit status: 0 done, 1 some rows failed, 2 usage.
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
import time
from typing import List, Sequence, TextIO

try:
    import hsclass
except ImportError:  # run from a source checkout: its package and its build/ tree
    ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
    sys.path.insert(0, os.path.join(ROOT, "bindings", "python"))
    os.environ.setdefault("HSCLASS_BUILD_ROOT", os.path.join(ROOT, "build"))
    import hsclass


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("input", help="CSV file to read ('-' for standard input)")
    ap.add_argument("-o", "--output", default="-", help="CSV file to write (default: stdout)")
    ap.add_argument("-c", "--column", default="description",
                    help="name of the description column (default: description)")
    ap.add_argument("-k", type=int, default=3, help="suggestions per row (default: 3)")
    ap.add_argument("-m", "--model", help="model file (default: hsclass's default model)")
    ap.add_argument("-l", "--level", type=int, default=0,
                    help="0: the model's codes; 2 or 4: chapters or headings")
    ap.add_argument("-t", "--threads", type=int, default=None,
                    help="classification threads (default: one per CPU)")
    ap.add_argument("--batch", type=int, default=512, help="rows per classify_many call")
    ap.add_argument("--delimiter", default=",", help="CSV delimiter (default: ',')")
    args = ap.parse_args(argv)
    if args.k < 1 or args.batch < 1:
        ap.error("-k and --batch must be at least 1")
    return args


class Progress:
    """A bar on a terminal, a line now and then elsewhere."""

    def __init__(self, total: int, stream: TextIO) -> None:
        self.total, self.stream = total, stream
        self.tty = stream.isatty()
        self.start = self.last = time.monotonic()

    def update(self, done: int) -> None:
        now = time.monotonic()
        rate = done / max(now - self.start, 1e-9)
        if self.tty:
            width = 30
            filled = width * done // max(self.total, 1)
            self.stream.write(f"\r[{'#' * filled}{'.' * (width - filled)}] "
                              f"{done}/{self.total} rows, {rate:,.0f}/s ")
            self.stream.flush()
        elif now - self.last >= 5 or done == self.total:
            self.stream.write(f"classify_csv: {done}/{self.total} rows\n")
            self.last = now

    def finish(self) -> None:
        if self.tty:
            self.stream.write("\n")


def main(argv: Sequence[str]) -> int:
    args = parse_args(argv)
    src = sys.stdin if args.input == "-" else open(args.input, newline="", encoding="utf-8-sig")
    with src:
        reader = csv.DictReader(src, delimiter=args.delimiter)
        fields = list(reader.fieldnames or [])
        if args.column not in fields:
            print(f"classify_csv: no column {args.column!r}; columns: {', '.join(fields)}",
                  file=sys.stderr)
            return 2
        rows = list(reader)

    try:
        model = hsclass.Model(args.model)
    except hsclass.Error as exc:
        print(f"classify_csv: cannot load the model: {exc}", file=sys.stderr)
        return 2

    extra: List[str] = []
    for i in range(1, args.k + 1):
        extra += [f"hs_code_{i}", f"hs_score_{i}"]
    dst = sys.stdout if args.output == "-" else open(args.output, "w", newline="",
                                                      encoding="utf-8")
    failed = 0
    progress = Progress(len(rows), sys.stderr)
    with model, dst:
        writer = csv.DictWriter(dst, fieldnames=fields + extra, delimiter=args.delimiter,
                                extrasaction="ignore")
        writer.writeheader()
        for first in range(0, len(rows), args.batch):
            batch = rows[first:first + args.batch]
            texts = [row[args.column] or "" for row in batch]
            results = model.classify_many(texts, args.k, level=args.level,
                                          threads=args.threads, errors="return")
            for offset, (row, result) in enumerate(zip(batch, results)):
                if isinstance(result, hsclass.Error):
                    failed += 1
                    newline = "\n" if progress.tty else ""  # leave the bar's line
                    print(f"{newline}classify_csv: record {first + offset + 1}: {result}",
                          file=sys.stderr)
                    result = []
                for i, s in enumerate(result, start=1):
                    row[f"hs_code_{i}"] = s.code
                    row[f"hs_score_{i}"] = f"{s.score:.4f}"
                writer.writerow(row)
            progress.update(first + len(batch))
    progress.finish()
    if failed:
        print(f"classify_csv: {failed} of {len(rows)} rows could not be classified",
              file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
