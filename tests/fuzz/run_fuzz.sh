#!/usr/bin/env bash
# Run the libFuzzer targets one after the other, then fold what they found
# into the committed corpora (libFuzzer -merge=1 keeps only inputs that add
# coverage). Crash files are copied into the corpus too, as regressions.
#   bash tests/fuzz/run_fuzz.sh [SECONDS] [TARGET...]
# Environment: BUILD (default build-fuzz), WORK (default /tmp/hsc-fuzz).
# The build directory is configured on first use:
#   CC=clang meson setup build-fuzz -Dfuzzing=enabled \
#     -Db_sanitize=address,undefined -Db_lundef=false -Dpython=false
set -euo pipefail
cd "$(dirname "$0")/../.."
SECS=${1:-600}
shift || true
TARGETS=("$@")
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=(fuzz_model_load fuzz_tokenize fuzz_classify fuzz_train_rows)
BUILD=${BUILD:-build-fuzz}
WORK=${WORK:-/tmp/hsc-fuzz}

if [ ! -d "$BUILD/meson-private" ]; then
  CC=clang CXX=clang++ meson setup "$BUILD" -Dfuzzing=enabled -Db_sanitize=address,undefined \
    -Db_lundef=false -Dpython=false
fi
ninja -C "$BUILD" $(printf 'tests/fuzz/%s ' "${TARGETS[@]}")

for t in "${TARGETS[@]}"; do
  corpus=tests/fuzz/corpus/$t
  extra=()
  max_len=4096
  if [ "$t" = fuzz_model_load ]; then
    extra=(tests/data/corrupt)
    max_len=32768
  fi
  mkdir -p "$WORK/$t/new" "$WORK/$t/crashes"
  echo "=== $t: ${SECS}s" >&2
  # -fork would hide the final stats; one process, crashes stop the run.
  "$BUILD/tests/fuzz/$t" "$WORK/$t/new" "$corpus" "${extra[@]}" \
    -max_total_time="$SECS" -max_len="$max_len" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$WORK/$t/crashes/" \
    >"$WORK/$t/log" 2>&1 || echo "$t: stopped early (crash?), see $WORK/$t/log" >&2
  grep -E '^#[0-9]+[[:space:]]+DONE|^Done|stat::number_of_executed_units|ERROR' "$WORK/$t/log" >&2 || true
  for c in "$WORK/$t/crashes"/*; do
    [ -e "$c" ] && cp "$c" "$corpus/regress-$(basename "$c")"
  done
  "$BUILD/tests/fuzz/$t" -merge=1 "$corpus" "$WORK/$t/new" >"$WORK/$t/merge.log" 2>&1
  tail -1 "$WORK/$t/merge.log" >&2
done
