#!/usr/bin/env bash
# Install what building and testing libhsclass needs (Debian 12 / bookworm).
# The one list of system packages: README.md, scripts/quickstart.sh and
# .ci/run all use it.
set -euo pipefail

PACKAGES=(
  meson ninja-build pkg-config gcc g++     # build
  libpcre2-dev libstemmer-dev zlib1g-dev libutf8proc-dev   # library
  libcmocka-dev python3 python3-pytest binutils            # tests (nm: export check)
  valgrind abigail-tools clang                             # CI: memcheck, ABI check, TSan (and fuzzing)
)

SUDO=""
if [ "$(id -u)" != 0 ]; then
  SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${PACKAGES[@]}"
