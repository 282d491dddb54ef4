#!/usr/bin/env bash
# Set-up and main job: install the Debian dependencies, build, and suggest HS
# codes for a few English, French and Portuguese descriptions.
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD=${BUILD:-build}

bash scripts/install-deps.sh
if [ -d "$BUILD/meson-private" ]; then
  meson setup --reconfigure "$BUILD"
else
  meson setup "$BUILD"
fi
meson compile -C "$BUILD"

HSCLASS=$BUILD/examples/hsclass-cli/hsclass
MODEL=models/hs6-multi.hscm
if [ ! -f "$MODEL" ]; then
  # No shipped model in this tree: train a small one from the test slices.
  MODEL=$BUILD/demo.hscm
  echo "== $MODEL: training a small demonstration model from tests/data"
  "$HSCLASS" train -o "$MODEL" --epochs 10 --dim 32 --quiet \
    tests/data/train_real.tsv:2 tests/data/train_nomenclature.tsv:nomenclature
fi

"$HSCLASS" info -m "$MODEL" | head -n 12
for text in "FROZEN BONELESS BEEF CUTS 20KG CTNS" \
            "viande bovine desossee congelee" \
            "carne bovina desossada congelada" \
            "men's cotton t-shirts, knitted" \
            "chaussures de sport en cuir"; do
  echo
  echo "== $text"
  "$HSCLASS" classify -m "$MODEL" -k 3 "$text"
done
