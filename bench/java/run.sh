#!/usr/bin/env bash
# The Java binding's overhead per call against the C API (issue 15): 20,000
# descriptions classified by a C loop over hsc_session_classify
# (classify_loop.c) and by Model.classify (org/hsclass/JavaBench.java), one
# thread, then 8 threads sharing one model. Both read the same results (k
# codes at the label level, 2 and 4 digits) and run in one JVM, in alternating
# rounds of 1,000 texts on the same threads, so that both see the same load
# (see classify_loop.c); figures are the worker threads' CPU time per call.
#   bash bench/java/run.sh [BUILD_DIR] [MODEL]        (K=5 by default)
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${1:-build}
MODEL=${2:-models/hs6-multi.hscm}
K=${K:-5}
OUT=bench/out/java
mkdir -p "$OUT"

# 20,000 descriptions from every source of models/data, in a fixed pseudo-random order.
python3 - "$OUT/texts.txt" <<'PY'
import glob, hashlib, sys
rows = []
for path in sorted(glob.glob("models/data/*/clean.tsv")):
    with open(path, encoding="utf-8") as f:
        for line in f:
            code, sep, text = line.rstrip("\n").partition("\t")
            if sep and text.strip():
                rows.append(text)
rows.sort(key=lambda t: hashlib.sha1(t.encode()).hexdigest())
with open(sys.argv[1], "w", encoding="utf-8") as out:
    out.write("\n".join(rows[:20000]) + "\n")
PY

cc -O2 -std=c11 -Wall -Wextra -fPIC -shared -I include -I "$BUILD/include" \
  bench/java/classify_loop.c -o "$OUT/libclassify_loop.so" -L "$BUILD/libhsclass" -lhsclass \
  -Wl,-rpath,"$PWD/$BUILD/libhsclass"
JARS="$BUILD/bindings/java/hsclass.jar:/usr/share/java/jna.jar"
javac -d "$OUT" -cp "$JARS" bench/java/org/hsclass/JavaBench.java
LIB="$PWD/$BUILD/libhsclass/libhsclass.so.1"

echo "| threads | calls | C µs/call | Java µs/call | overhead | median of rounds | wall s |"
echo "|---:|---:|---:|---:|---:|---:|---:|"
for threads in 1 8; do
  r=$(java -Dhsclass.library="$LIB" -cp "$OUT:$JARS" org.hsclass.JavaBench "$MODEL" \
        "$OUT/texts.txt" "$PWD/$OUT/libclassify_loop.so" "$K" "$threads")
  awk -v r="$r" -v t="$threads" 'BEGIN {
    split(r, a, " "); cu = a[2] / a[1] * 1e6; ju = a[3] / a[1] * 1e6;
    printf "| %d | %d | %.1f | %.1f | %+.1f%% | %+.1f%% | %.0f |\n", t, a[1], cu, ju,
      (ju - cu) / cu * 100, (a[4] - 1) * 100, a[5] }'
done
