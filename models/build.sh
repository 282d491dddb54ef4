#!/bin/sh
# Rebuild models/hs6-multi.hscm from the committed data in models/data:
# the fixed seeded split of bench/split.py (held-out rows never trained on),
# then `hsclass train` with models/recipe.txt on one thread with a fixed seed,
# so the file is byte-identical on every rebuild.
#
# Two runs. The accept threshold needs many held-out real rows: the recipe's
# 5% (about 290) are too few to show 95% precision at the top of the
# confidences, while holding out more would take real rows from the shipped
# model. So a first run holds out 20% (--valid 0.2, about 1,150 rows), and the
# threshold and the precedents' share of the scores (the mix) it fits are
# given to the second, shipped run (--threshold, --precedent-mix), which holds
# out the usual 5% to fit its calibration exponent for that mix. Both runs
# share the recipe, so their top-1 confidences near the threshold differ only
# by the exponent (c = q^power, 0.9-1.0 here): a few thousandths at 0.9.
# Usage: sh models/build.sh [BUILD_DIR]   (default: build)
set -eu
cd "$(dirname "$0")/.."
build=${1:-build}
hsclass="$build/examples/hsclass-cli/hsclass"
split="$build/split"
python3 bench/split.py --out "$split" >/dev/null
opts=$(grep -v '^#' models/recipe.txt | grep '^-' | tr '\n' ' ')
inputs=$(grep -v '^#' models/recipe.txt | grep -v '^-' | grep . | sed "s|^|$split/train/|" | tr '\n' ' ')
# shellcheck disable=SC2086
"$hsclass" train -o "$build/threshold-run.hscm" --threads 1 $opts --valid 0.2 $inputs
fitted=$("$hsclass" info -m "$build/threshold-run.hscm" --format json |
  python3 -c 'import json, sys; m = json.load(sys.stdin)["meta"]
print(m["train.accept_threshold"] if m["train.accept_threshold_from"] == "validation" else "-",
      m["train.precedent_mix"] if m.get("train.precedent_mix_from") == "validation" else "-")')
threshold=${fitted% *}
mix=${fitted#* }
echo "fitted on 20% held-out real rows: accept threshold $threshold, precedent mix $mix (-: not fitted)"
[ "$threshold" = - ] && threshold=
[ "$mix" = - ] && mix=
# shellcheck disable=SC2086
"$hsclass" train -o models/hs6-multi.hscm --threads 1 $opts ${threshold:+--threshold $threshold} \
  ${mix:+--precedent-mix $mix} $inputs
