#!/usr/bin/env bash
# The project's test command: configure with warnings as errors, build, and
# run every suite (unit, abi, cli, python...). .ci/run calls exactly this.
#   bash scripts/test.sh                       # build dir: build
#   BUILD=build-asan bash scripts/test.sh -Db_sanitize=address,undefined
# Extra arguments go to `meson setup`.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}

if [ -d "$BUILD/meson-private" ]; then
  meson setup --reconfigure "$BUILD" -Dwerror=true "$@"
else
  meson setup "$BUILD" -Dwerror=true "$@"
fi
meson test -C "$BUILD" --print-errorlogs
