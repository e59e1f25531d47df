#!/usr/bin/env python3
"""No module imports a module of its crate that imports it back.

For every crate under crates/, each top-level module of src/ (`src/x.rs` or `src/x/`, with
everything under it) is a node; it points at each top-level module `y` it names as
`crate::y`, inside `crate::{…}` groups, or as `super::…::y` climbing out to the crate root.
Comments and string literals are ignored, and so are `src/lib.rs` and `src/main.rs` (the
root declares and re-exports every module). Fails, listing them, when two modules point at
each other. Plain python3, no dependencies: `python3 checks/no-cycles.py [repo]`.
"""

import os
import re
import sys

IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def strip(text):
    """The code with comments and string/char literals blanked out (newlines kept)."""
    out = []
    i, n = 0, len(text)
    depth = 0  # nested block comments
    while i < n:
        c = text[i]
        two = text[i : i + 2]
        if depth:
            if two == "/*":
                depth += 1
                i += 2
            elif two == "*/":
                depth -= 1
                i += 2
            else:
                out.append("\n" if c == "\n" else " ")
                i += 1
            continue
        if two == "//":
            j = text.find("\n", i)
            i = n if j < 0 else j
            continue
        if two == "/*":
            depth = 1
            i += 2
            continue
        raw = re.match(r'b?r(#*)"', text[i:])
        if raw and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_")):
            end = '"' + raw.group(1)
            j = text.find(end, i + raw.end())
            j = n if j < 0 else j + len(end)
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
            continue
        if c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            out.append(re.sub(r"[^\n]", " ", text[i : j + 1]))
            i = j + 1
            continue
        if c == "'":
            # A char literal ('a', '\n', '\u{..}'), not a lifetime ('a).
            m = re.match(r"'(\\.[^']*|[^\\'])'", text[i:])
            if m:
                out.append(" " * m.end())
                i += m.end()
                continue
        out.append(c)
        i += 1
    return "".join(out)


def group_heads(text, start):
    """Top-level names in the `{…}` group opening at text[start]."""
    heads, depth, i, expect = [], 0, start, True
    while i < len(text):
        c = text[i]
        if c == "{":
            depth += 1
            expect = depth == 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return heads
        elif c == "," and depth == 1:
            expect = True
        elif depth == 1 and expect:
            m = IDENT.match(text, i)
            if m:
                heads.append(m.group(0))
                expect = False
                i = m.end()
                continue
        i += 1
    return heads


def heads_at(code, at):
    """The first path segment(s) after `…::` at code[at]: a name, or a `{…}` group's names."""
    if code.startswith("{", at):
        return group_heads(code, at)
    ident = IDENT.match(code, at)
    return [ident.group(0)] if ident else []


def referenced(code, depth):
    """Top-level module names a file `depth` levels inside its module refers to."""
    names = set()
    for m in re.finditer(r"\bcrate\s*::\s*", code):
        names.update(heads_at(code, m.end()))
    # `super::super::y` from `x/a/b.rs` (depth 2) climbs to the root after depth+1 steps.
    for m in re.finditer(r"\b((?:super\s*::\s*)+)", code):
        if m.start() > 0 and code[m.start() - 1] == ":":
            continue
        steps = m.group(1).count("super")
        if steps <= depth:
            continue
        names.update(heads_at(code, m.end()))
    return names


def modules(src):
    """`name -> [(path, depth)]` for the top-level modules of a crate's src/."""
    mods = {}
    for entry in sorted(os.listdir(src)):
        path = os.path.join(src, entry)
        if entry.endswith(".rs") and entry not in ("lib.rs", "main.rs"):
            mods.setdefault(entry[:-3], []).append((path, 0))
        elif os.path.isdir(path) and entry != "bin":
            for root, _, files in os.walk(path):
                for f in files:
                    if not f.endswith(".rs"):
                        continue
                    rel = os.path.relpath(os.path.join(root, f), path)
                    parts = rel.split(os.sep)
                    depth = len(parts) - (1 if parts[-1] == "mod.rs" else 0)
                    mods.setdefault(entry, []).append((os.path.join(root, f), depth))
    return mods


def main():
    repo = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..")
    crates = os.path.join(repo, "crates")
    found = []
    checked = 0
    for crate in sorted(os.listdir(crates)):
        src = os.path.join(crates, crate, "src")
        if not os.path.isdir(src):
            continue
        mods = modules(src)
        edges = {}
        for name, files in mods.items():
            refs = set()
            for path, depth in files:
                with open(path, encoding="utf-8") as fh:
                    refs |= referenced(strip(fh.read()), depth)
            edges[name] = {r for r in refs if r in mods and r != name}
        checked += len(mods)
        for a in sorted(edges):
            for b in sorted(edges[a]):
                if a < b and a in edges.get(b, ()):
                    found.append(f"crates/{crate}: {a} <-> {b}")
    if found:
        print("modules that import each other (one of them must stop):")
        for f in found:
            print("  " + f)
        return 1
    print(f"no-cycles: {checked} top-level modules, no pair imports each other")
    return 0


if __name__ == "__main__":
    sys.exit(main())
