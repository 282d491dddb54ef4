#!/usr/bin/env bash
# ABI check of libhsclass.so.1 against the committed baseline
# abi/libhsclass.so.1.abi (libabigail: Debian package abigail-tools).
#
#   bash abi/check.sh [BUILD]            compare BUILD's library (default: build)
#   bash abi/check.sh [BUILD] --update   rewrite the baseline from BUILD's library
#
# BUILD must be a debug-info build (-g; meson's default debugoptimized is).
# The layouts of the opaque handles (hsc_config, hsc_model, ...) are not
# part of the ABI and are not compared.
# Exit status: 0 same ABI; 1 incompatible change (a removed or changed
# function, a changed type): never allowed for soname .1; 2 compatible
# change (e.g. a new function): commit a new baseline (--update) together
# with the libhsclass.map node that exports it; 3 tool or usage error.
set -uo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}
BASELINE=abi/libhsclass.so.1.abi
LIB=$BUILD/libhsclass/libhsclass.so.1
# Public types only: whatever hsclass.h declares; no paths in the XML, so
# the baseline does not depend on where it was built.
ABIDW_OPTS=(--headers-dir include --no-corpus-path --no-comp-dir-path --no-show-locs)

for tool in abidw abidiff; do
  if ! command -v "$tool" >/dev/null; then
    echo "abi/check.sh: $tool not found (Debian: apt-get install abigail-tools)" >&2
    exit 3
  fi
done
if [ ! -e "$LIB" ]; then
  echo "abi/check.sh: $LIB not found; build first (meson setup $BUILD && ninja -C $BUILD)" >&2
  exit 3
fi

if [ "${2:-}" = "--update" ]; then
  abidw "${ABIDW_OPTS[@]}" --out-file "$BASELINE" "$LIB" || exit 3
  echo "abi/check.sh: wrote $BASELINE from $LIB"
  exit 0
fi

current=$(mktemp)
suppr=$(mktemp)
trap 'rm -f "$current" "$suppr"' EXIT
abidw "${ABIDW_OPTS[@]}" --out-file "$current" "$LIB" || exit 3
# The handles hsclass.h declares opaque ("typedef struct hsc_x hsc_x;", never
# defined there) may change their layout freely: callers only hold pointers.
# The debug info still describes them, so abidiff is told to ignore them.
opaque=$(grep -oE '^typedef struct (hsc_[a-z0-9_]+) \1;' include/hsclass.h | awk '{print $3}' | paste -sd'|')
if [ -n "$opaque" ]; then
  printf '[suppress_type]\n  type_kind = struct\n  name_regexp = ^(%s)$\n' "$opaque" >"$suppr"
  abidiff --suppressions "$suppr" "$BASELINE" "$current"
else
  abidiff "$BASELINE" "$current"
fi
rc=$?
# abidiff's status is a bit field: 1 error, 2 usage error, 4 ABI changed,
# 8 incompatible change.
if (( rc & 3 )); then
  echo "abi/check.sh: abidiff failed (status $rc)" >&2
  exit 3
fi
if (( rc & 8 )); then
  echo "abi/check.sh: INCOMPATIBLE ABI change against $BASELINE (see above)." >&2
  echo "  libhsclass.so.1 must stay compatible: add a new function (hsc_x_v2) instead." >&2
  exit 1
fi
if (( rc & 4 )); then
  echo "abi/check.sh: the ABI changed compatibly (see above). If intended, run" >&2
  echo "  bash abi/check.sh $BUILD --update" >&2
  echo "  and commit $BASELINE with the new libhsclass.map version node." >&2
  exit 2
fi
echo "abi/check.sh: ABI identical to $BASELINE"
