#!/bin/sh
# memory_per_byte.sh - peak RSS of `hsclass classify` and `hsclass explain`
# for one line of SIZES bytes (default 1, 4 and 10 MiB of ordinary goods
# words, or of another SHAPE) against the same command on a one-word text:
# the working memory per byte of text, with the model's own memory taken
# out. GNU time's %M gives the peak RSS. Prints one line per command, shape
# and size.
#
# Shapes: words (ordinary goods words), letters ("x y z q ...": a token per
# two bytes), digits ("1 2 3 4 ..."), fdfa (U+FDFA repeated: 3 bytes that
# NFKC expands to four Arabic words, 33 bytes), word (U+3316 repeated with no
# space: one "word" that NFKC expands sixfold).
#
# usage: sh bench/memory_per_byte.sh [BUILD [MODEL [SIZES...]]]
#        COMMANDS="classify" SHAPES="letters fdfa" sh bench/memory_per_byte.sh ...
#        (default: both commands, shape words)
set -eu
cd "$(dirname "$0")/.."
build=${1:-build}
model=${2:-models/hs6-multi.hscm}
shift 2 2>/dev/null || shift $#
[ $# -gt 0 ] || set -- 1048576 4194304 10485760
cli=$build/examples/hsclass-cli/hsclass
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
shapes=${SHAPES:-words}
for shape in $shapes; do
    for n in "$@"; do
        python3 - "$shape" "$n" "$tmp/line.$shape.$n" <<'PY'
import random, sys
random.seed(1)
shape, n, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
words = {"words": ("frozen boneless beef cuts bovine meat cotton shirts knitted apparel steel "
                   "bolts screws plastic toys electric motors").split(),
         "letters": list("xyzqjkvw"), "digits": list("1234567")}
if shape in ("fdfa", "word"):
    text = ("\ufdfa" if shape == "fdfa" else "\u3316") * (n // 3)
else:
    s, size = [], 0
    while size < n:
        w = random.choice(words[shape])
        s.append(w)
        size += len(w) + 1
    text = " ".join(s)[:n]
open(out, "w", encoding="utf-8").write(text + "\n")
PY
    done
done
for cmd in ${COMMANDS:-classify explain}; do
    base=$( { /usr/bin/time -f %M "$cli" "$cmd" -m "$model" beef >/dev/null; } 2>&1 | tail -1)
    echo "$cmd, model $model: $base KiB peak RSS for one word"
    for shape in $shapes; do
        for n in "$@"; do
            peak=$( { /usr/bin/time -f %M "$cli" "$cmd" -m "$model" --max-bytes "$n" \
                      <"$tmp/line.$shape.$n" >/dev/null; } 2>&1 | tail -1)
            echo "$cmd, $shape, $n bytes: peak $peak KiB, working memory $(( (peak - base) * 1024 / n )).$(( (peak - base) * 10240 / n % 10 ))x the text"
        done
    done
done
