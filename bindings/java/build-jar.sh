#!/bin/sh
# Compile Java sources and pack them into a jar (meson's custom_target runs
# one command; javac writes a tree of class files, so both steps are here).
#   build-jar.sh OUT.jar CLASSPATH SOURCE...
set -eu
out=$1
classpath=$2
shift 2
classes="$out.classes"
rm -rf "$classes"
mkdir -p "$classes"
javac --release 17 -encoding UTF-8 -Xlint:all,-serial -Werror -cp "$classpath" -d "$classes" "$@"
jar --create --file "$out" -C "$classes" .
