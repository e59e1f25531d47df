#!/usr/bin/env python3
"""probe.py NAME TEXT...: plant each TEXT as log NAME (one file each), print the bundle's log entry."""
import os, sys, shutil
sys.path.insert(0, os.path.dirname(__file__))
import redteam
from redteam import Home, unzip
name = sys.argv[1]
for text in sys.argv[2:]:
    h = Home()
    h.log(name, text.encode("latin-1", "backslashreplace").decode("unicode_escape") + "\n")
    out = os.path.join(h.root, "b.zip")
    r = h.run(["bundle", "-o", out, "--force"])
    if r.returncode:
        print("EXIT", r.returncode, r.stderr.decode()[-500:])
    else:
        f = unzip(out)
        for k, v in f.items():
            if k.startswith("logs/"):
                print(v.decode(errors="replace"), end="")
    shutil.rmtree(h.root)
