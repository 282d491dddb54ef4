#!/usr/bin/env python3
"""The call graph between the library's files, and a check that it has no
cycle: file A -> file B when A calls (or takes the address of) an hsc__
function defined in B. When two files call each other, the part they share
wants a third file below both.

usage: callgraph.py [LIBDIR]      (default: libhsclass/ beside this script)

Prints each file with the files it uses (and through which functions with
--verbose), then the files layer by layer (a file only uses lower layers).
Exits 1 and names the cycle when there is one, 2 on a usage error.
"""
import pathlib
import re
import sys

DEFINITION = re.compile(r"^[A-Za-z_][^;{}()]*?\b(hsc__\w+)\s*\([^;{}]*\)\s*\{", re.M)
REFERENCE = re.compile(r"\b(hsc__\w+)\b")


def strip(src):
    """Source without comments and literals, line count kept."""
    src = re.sub(r"/\*.*?\*/", lambda m: "\n" * m.group(0).count("\n"), src, flags=re.S)
    src = re.sub(r"//[^\n]*", "", src)
    src = re.sub(r'"(\\.|[^"\\\n])*"', '""', src)
    return re.sub(r"'(\\.|[^'\\\n])*'", "''", src)


def graph(libdir):
    """{file: {used file: {functions}}} over libdir/*.c."""
    texts = {p.name: strip(p.read_text(encoding="utf-8")) for p in sorted(libdir.glob("*.c"))}
    home = {}
    for name, text in texts.items():
        for fn in DEFINITION.findall(text):
            home[fn] = name
    edges = {name: {} for name in texts}
    for name, text in texts.items():
        for fn in set(REFERENCE.findall(text)):
            target = home.get(fn)
            if target is not None and target != name:
                edges[name].setdefault(target, set()).add(fn)
    return edges


def find_cycle(edges):
    """A list of files forming a cycle, or None."""
    state, path = {}, []

    def visit(node):
        state[node] = "open"
        path.append(node)
        for nxt in sorted(edges[node]):
            if state.get(nxt) == "open":
                return path[path.index(nxt):] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        path.pop()
        state[node] = "done"
        return None

    for node in sorted(edges):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def layers(edges):
    """Files grouped so that each only uses files of lower layers."""
    level = {}

    def depth(node):
        if node not in level:
            level[node] = 1 + max((depth(n) for n in edges[node]), default=-1)
        return level[node]

    for node in edges:
        depth(node)
    out = {}
    for node, d in level.items():
        out.setdefault(d, []).append(node)
    return [sorted(out[d]) for d in sorted(out)]


def main(argv):
    verbose = "--verbose" in argv
    args = [a for a in argv if a != "--verbose"]
    if len(args) > 1:
        print(__doc__, file=sys.stderr)
        return 2
    libdir = pathlib.Path(args[0]) if args else \
        pathlib.Path(__file__).resolve().parent.parent / "libhsclass"
    if not libdir.is_dir():
        print(f"callgraph.py: {libdir} is not a directory", file=sys.stderr)
        return 2
    edges = graph(libdir)
    for name in sorted(edges):
        used = sorted(edges[name])
        if verbose:
            used = [f"{u} ({', '.join(sorted(edges[name][u]))})" for u in used]
        print(f"{name} -> {', '.join(used) if used else '(nothing)'}")
    cycle = find_cycle(edges)
    if cycle:
        steps = [f"{a} -> {b} ({', '.join(sorted(edges[a][b]))})"
                 for a, b in zip(cycle, cycle[1:])]
        print("FAIL: call cycle between files:\n  " + "\n  ".join(steps))
        return 1
    print(f"\n{len(edges)} files, {sum(len(e) for e in edges.values())} edges, no cycle. "
          "Layers, lowest first:")
    for i, names in enumerate(layers(edges)):
        print(f"  {i}: {' '.join(names)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
