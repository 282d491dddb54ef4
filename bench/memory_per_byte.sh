#!/bin/sh
# memory_per_byte.sh - peak RSS of `hsclass classify` and `hsclass explain`
# for one line of SIZES bytes (default 1, 4 and 10 MiB of ordinary goods
# words) against the same command on a one-word text: the working memory
# per byte of text, with the model's own memory taken out. GNU time's %M
# gives the peak RSS. Prints one line per command and size.
#
# usage: sh bench/memory_per_byte.sh [BUILD [MODEL [SIZES...]]]
#        COMMANDS="classify" sh bench/memory_per_byte.sh ...   (default: both)
set -eu
cd "$(dirname "$0")/.."
build=${1:-build}
model=${2:-models/hs6-multi.hscm}
shift 2 2>/dev/null || shift $#
[ $# -gt 0 ] || set -- 1048576 4194304 10485760
cli=$build/examples/hsclass-cli/hsclass
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for n in "$@"; do
    python3 - "$n" "$tmp/line.$n" <<'PY'
import random, sys
random.seed(1)
words = ("frozen boneless beef cuts bovine meat cotton shirts knitted apparel steel bolts "
         "screws plastic toys electric motors").split()
n, out = int(sys.argv[1]), sys.argv[2]
s = []
size = 0
while size < n:
    w = random.choice(words)
    s.append(w)
    size += len(w) + 1
open(out, "w").write(" ".join(s)[:n] + "\n")
PY
done
for cmd in ${COMMANDS:-classify explain}; do
    base=$( { /usr/bin/time -f %M "$cli" "$cmd" -m "$model" beef >/dev/null; } 2>&1 | tail -1)
    echo "$cmd, model $model: $base KiB peak RSS for one word"
    for n in "$@"; do
        peak=$( { /usr/bin/time -f %M "$cli" "$cmd" -m "$model" --max-bytes "$n" <"$tmp/line.$n" \
                  >/dev/null; } 2>&1 | tail -1)
        echo "$cmd, $n bytes: peak $peak KiB, working memory $(( (peak - base) * 1024 / n )).$(( (peak - base) * 10240 / n % 10 ))x the text"
    done
done
