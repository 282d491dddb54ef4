#!/bin/sh
# Rebuild models/hs6-multi.hscm from the committed data in models/data:
# the fixed seeded split of bench/split.py (held-out rows never trained on),
# then `hsclass train` with models/recipe.txt on one thread with a fixed seed,
# so the file is byte-identical on every rebuild.
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
"$hsclass" train -o models/hs6-multi.hscm --threads 1 $opts $inputs
