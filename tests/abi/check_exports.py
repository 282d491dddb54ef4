#!/usr/bin/env python3
"""Export check: the shared library exports exactly the functions listed in
libhsclass.map (plus its version nodes), and the map lists exactly the HSC_API
functions declared in hsclass.h.

usage: check_exports.py NM LIBRARY MAP HEADER
"""
import re
import subprocess
import sys


def map_symbols(text):
    """Names under 'global:' in every version node, and the node names."""
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    nodes = re.findall(r"(HSCLASS_[0-9.]+)\s*\{", text)
    names = set()
    for block in re.findall(r"global:(.*?)(?:local:|\})", text, flags=re.S):
        names.update(n.strip() for n in block.split(";") if n.strip())
    return names, set(nodes)


def header_functions(text):
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    text = re.sub(r"//[^\n]*", "", text)
    text = re.sub(r"#[^\n]*", "", text)  # the HSC_API definition itself
    return set(re.findall(r"\bHSC_API\b[^;{]*?\b(hsc_\w+)\s*\(", text))


def exported(nm, lib):
    out = subprocess.run([nm, "-D", "--defined-only", lib], check=True,
                         capture_output=True, text=True).stdout
    syms = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) >= 2:
            name = parts[-1].split("@")[0]
            syms[name] = parts[-2]
    return syms


def main():
    if len(sys.argv) != 5:
        print(__doc__, file=sys.stderr)
        return 2
    nm, lib, map_path, header_path = sys.argv[1:]
    with open(map_path, encoding="utf-8") as f:
        listed, nodes = map_symbols(f.read())
    with open(header_path, encoding="utf-8") as f:
        declared = header_functions(f.read())
    syms = exported(nm, lib)
    errors = []
    if not listed or not nodes:
        errors.append(f"{map_path}: no version node or no global symbol found")
    if not declared:
        errors.append(f"{header_path}: no HSC_API function found")
    # Version nodes show up as absolute symbols ("A"); nothing else may.
    funcs = {n for n, t in syms.items() if n not in nodes}
    for n in sorted(funcs - listed):
        errors.append(f"exported but not in the map: {n} ({syms[n]})")
    for n in sorted(listed - funcs):
        errors.append(f"in the map but not exported: {n}")
    for n in sorted(funcs):
        if syms[n] not in ("T", "W", "i"):
            errors.append(f"exported symbol is not a function: {n} (type {syms[n]})")
    for n in sorted(declared - listed):
        errors.append(f"HSC_API in hsclass.h but not in the map: {n}")
    for n in sorted(listed - declared):
        errors.append(f"in the map but not declared HSC_API in hsclass.h: {n}")
    for node in sorted(nodes):
        if node not in syms:
            errors.append(f"version node missing from the library: {node}")
    for e in errors:
        print("FAIL:", e)
    print(f"{len(funcs)} exported functions, {len(listed)} in the map, "
          f"{len(declared)} declared in the header")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
