#!/bin/sh
# check_unit.sh HSCLASS UNIT - `systemd-analyze verify` on the shipped unit,
# with ExecStart pointing at the built hsclass (verify checks that the
# binary exists). Exit 77 (skip) without systemd-analyze.
set -eu
command -v systemd-analyze >/dev/null 2>&1 || { echo "no systemd-analyze: skipped"; exit 77; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
sed "s|/usr/local/bin/hsclass|$1|" "$2" >"$dir/hsclass.service"
grep -q "ExecStart=$1 serve" "$dir/hsclass.service"
# Warnings about this host's own units are not ours: only lines naming the file count.
out=$(systemd-analyze verify "$dir/hsclass.service" 2>&1 || echo "exit status $?")
echo "$out"
if echo "$out" | grep -E "hsclass.service|exit status" >/dev/null; then exit 1; fi
echo "hsclass.service: verified"
