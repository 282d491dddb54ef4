#!/usr/bin/env bash
# Install what building and testing libhsclass needs (Debian 12 / bookworm).
# The one list of system packages: README.md, scripts/quickstart.sh and
# .ci/run all use it. Everything the full test suite needs is installed, so
# that `bash scripts/test.sh` after the quick start runs every test (the page
# tests need Chromium; pom.xml's check needs Debian's Maven plugins). `--ci`
# is accepted for .ci/run and installs the same.
set -euo pipefail

PACKAGES=(
  meson ninja-build pkg-config gcc g++     # build
  libpcre2-dev libstemmer-dev zlib1g-dev libutf8proc-dev   # library
  libmicrohttpd-dev libjansson-dev                         # hsclass serve (-Dserver)
  libcmocka-dev python3 python3-pytest binutils time       # tests (nm: export check; GNU time: peak memory)
  openjdk-17-jdk-headless libjna-java junit5 maven         # Java binding, its tests, pom.xml check
  libmaven-resources-plugin-java libmaven-compiler-plugin-java libsurefire-java
  libmaven-jar-plugin-java libmaven-install-plugin-java    # the plugins pom.xml names, for Maven offline
  chromium python3-websocket     # the officer's page and the eval report, in headless Chromium
  python3-pandas python3-dask python3-distributed   # hsclass.pandas and the Dask example's test
  valgrind abigail-tools clang                             # CI: memcheck, ABI check, TSan (and fuzzing)
)

SUDO=""
if [ "$(id -u)" != 0 ]; then
  SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${PACKAGES[@]}"
