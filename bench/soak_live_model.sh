#!/bin/sh
# soak_live_model.sh - build and run bench/soak_live_model.c against BUILD's
# library: 8 threads classify tests/data/test.tsv for SECONDS (default 600)
# with models/hs6-multi.hscm loaded from a temporary copy that is rewritten
# in place, truncated and overwritten with garbage every 3 seconds.
# Prints figures (see the C file); exit 1 if any classification failed or
# changed. Run it with `nice` (it keeps every core busy).
#
# usage: sh bench/soak_live_model.sh [BUILD [SECONDS [THREADS]]]
set -eu
cd "$(dirname "$0")/.."
build=${1:-build}
seconds=${2:-600}
threads=${3:-8}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# A copy of the library: a rebuild during the run must not touch its pages.
find "$build/libhsclass" -maxdepth 1 -name 'libhsclass.so*' ! -type d -exec cp -P {} "$tmp/" \;
cc -O2 -std=c11 -pthread -Iinclude -I"$build/include" bench/soak_live_model.c \
    -L"$tmp" -lhsclass -Wl,-rpath,"$tmp" -o "$tmp/soak"
"$tmp/soak" models/hs6-multi.hscm "$tmp/live.hscm" tests/data/test.tsv "$seconds" "$threads" 3
