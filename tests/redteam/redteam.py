#!/usr/bin/env python3
"""Red-team harness for `codex-doctor bundle` and `scan` (see tests/redteam/README.md).

Each case: a fresh temp home (HOME, XDG_* inside), laid out like crates/doctor/tests/common
Home::healthy(), a canary planted in some shape; run the bundle; unzip; search every entry
and entry name (and stdout/stderr) for the canary in every form.
"""
import base64, gzip, json, os, re, shutil, subprocess, sys, tempfile, urllib.parse, zipfile
from concurrent.futures import ThreadPoolExecutor

_REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.environ.get("BIN", os.path.join(_REPO, "target", "release", "codex-doctor"))
FIX = os.environ.get("FIX", os.path.join(_REPO, "tests", "fixtures", "plugin"))
LOGS = ".config/opencode/logs/codex-plugin"
NOW = None

def now_ms():
    import time
    return int(time.time() * 1000)

FAR = 4102444800000

def account(i, email, plan):
    return {"identityKey": f"{i}|{email}|{plan}", "accountId": i, "email": email, "plan": plan,
            "authTypes": ["native"], "enabled": True, "access": f"at_{i}_secret_access_token",
            "refresh": f"rt_{i}_secret_refresh_token", "expires": FAR}

class Home:
    def __init__(self):
        self.root = tempfile.mkdtemp(prefix="rt-")
        self.home = os.path.join(self.root, "home")
        self.cwd = os.path.join(self.root, "work")
        os.makedirs(os.path.join(self.cwd, ".git"))
        os.makedirs(os.path.join(self.root, "proc"))
        os.makedirs(os.path.join(self.home, "bin"))
        self.env = {
            "CODEX_DOCTOR_PROC_ROOT": os.path.join(self.root, "proc"),
            "DISPLAY": ":0", "CODEX_DOCTOR_CONTAINER": "none",
            "OPENCODE_TEST_MANAGED_CONFIG_DIR": os.path.join(self.home, ".managed-opencode"),
            "HOME": self.home, "PATH": os.path.join(self.home, "bin"),
            "CODEX_DOCTOR_LOGIN_PORT": "1",
            "XDG_CONFIG_HOME": os.path.join(self.home, ".config"),
            "XDG_DATA_HOME": os.path.join(self.home, ".local/share"),
            "XDG_CACHE_HOME": os.path.join(self.home, ".cache"),
            "XDG_STATE_HOME": os.path.join(self.home, ".local/state"),
            "USER": "tester", "LOGNAME": "tester",
        }
        self.healthy()

    def p(self, rel):
        return os.path.join(self.home, rel)

    def write(self, rel, content, mode=0o600):
        path = self.p(rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        data = content.encode() if isinstance(content, str) else content
        with open(path, "wb") as f:
            f.write(data)
        os.chmod(path, mode)

    def read(self, rel):
        with open(self.p(rel)) as f:
            return f.read()

    def wj(self, rel, v):
        self.write(rel, json.dumps(v, indent=2) + "\n")

    def log(self, name, text):
        self.write(f"{LOGS}/{name}", text)

    def healthy(self):
        accts = [account("acc_healthy1", "alice@example.com", "plus")]
        self.write(".config/opencode/opencode.json", '{\n  "plugin": ["@iam-brain/opencode-codex-auth@latest"]\n}\n')
        self.write(".config/opencode/codex-config.jsonc", open(f"{FIX}/codex-config.jsonc").read())
        active = accts[0]["identityKey"]
        self.wj(".config/opencode/codex-accounts.json", {"openai": {"type": "oauth", "strategy": "sticky", "accounts": accts, "activeIdentityKey": active, "native": {"strategy": "sticky", "accounts": accts, "activeIdentityKey": active}}})
        self.wj(".local/share/opencode/auth.json", {"openai": {"type": "oauth", "refresh": "rt_opencode_own_refresh", "access": "at_opencode_own_access", "expires": FAR}})
        n = now_ms()
        self.wj(".config/opencode/cache/codex-client-version.json", {"version": "0.144.0", "fetchedAt": n})
        self.wj(".config/opencode/cache/codex-models-cache-meta.json", {"etag": 'W/"abc"', "tag": "rust-v0.144.0", "lastChecked": n, "url": "https://raw.githubusercontent.com/openai/codex/rust-v0.144.0/codex-rs/models-manager/models.json"})
        cat = json.load(open(f"{FIX}/live-catalog-current.json"))
        self.wj(".config/opencode/cache/codex-models-cache.json", {"fetchedAt": n, "source": "github", "models": cat["models"]})
        self.wj(".config/opencode/cache/codex-snapshots.json", {active: {"updatedAt": n, "modelFamily": "codex", "limits": [{"name": "requests", "leftPct": 75}]}})

    def run(self, args):
        return subprocess.run([BIN] + args, env=self.env, cwd=self.cwd, capture_output=True)


def pct(s):
    return urllib.parse.quote(s, safe="")

def forms(c):
    fs = {c, pct(c), pct(pct(c)), json.dumps(c)[1:-1], "".join("\\u%04x" % ord(x) for x in c)}
    raw = c.encode()
    for k in range(3):
        b = b"x" * k + raw
        for enc in (base64.b64encode(b).decode(), base64.urlsafe_b64encode(b).decode().rstrip("=")):
            skip = (k * 4 + 2) // 3 + 1
            inner = enc[skip:len(enc) - 4]
            if len(inner) >= 8:
                fs.add(inner)
    if len(c) > 10:
        for i in range(len(c) - 9):
            fs.add(c[i:i + 10])
    return {f.lower() for f in fs if f}


def unzip(path):
    out = {}
    with zipfile.ZipFile(path) as z:
        for n in z.namelist():
            out[n] = z.read(n)
    return out


CASES = []
def case(name, canaries, args=()):
    def deco(fn):
        CASES.append((name, canaries if isinstance(canaries, list) else [canaries], fn, list(args)))
        return fn
    return deco


def run_case(c):
    name, canaries, fn, args = c
    h = Home()
    try:
        ret = fn(h)
        if isinstance(ret, tuple) and ret[0] == "scan":
            d = os.path.join(h.root, "scanme")
            for rel, data in ret[1].items():
                p = os.path.join(d, rel)
                os.makedirs(os.path.dirname(p), exist_ok=True)
                open(p, "wb").write(data if isinstance(data, bytes) else data.encode())
            r = h.run(["scan", d])
            res = {"name": name, "code": 0, "leaks": []}
            if r.returncode == 0:
                res["leaks"].append((canaries[0], "-", "<scan missed: exit 0>", r.stdout.decode(errors="replace")[-200:]))
            files = {}
        else:
            out = os.path.join(h.root, "b.zip")
            r = h.run(["bundle", "-o", out, "--force"] + args)
            res = {"name": name, "code": r.returncode, "leaks": []}
            if r.returncode != 0:
                res["stderr"] = r.stderr.decode(errors="replace")[-2000:]
                return res
            files = unzip(out)
        hay = []
        # The manifest's SHA-256 digests are the bundle's own: a short numeric canary turns
        # up in one by chance, a false alarm.
        digest = re.compile(r'"sha256": "[0-9a-f]{64}"')
        for n, b in files.items():
            hay.append(("<name>", n))
            hay.append((n, digest.sub('"sha256": ""', b.decode("utf-8", "replace"))))
        hay.append(("<stdout>", r.stdout.decode(errors="replace")))
        hay.append(("<stderr>", r.stderr.decode(errors="replace")))
        # Round 2: what a reader sees after NFKC and with zero-width characters dropped.
        import unicodedata
        ZWC = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
        hay += [(src + " [nfkc]", unicodedata.normalize("NFKC", t).translate(ZWC)) for src, t in hay
                if unicodedata.normalize("NFKC", t).translate(ZWC) != t]
        for can in canaries:
            fset = forms(can)
            for src, text in hay:
                low = text.lower()
                for f in fset:
                    if can.isdigit():
                        # A numeric canary inside a longer number (a timestamp or a duration
                        # the bundle writes) is no leak: only a whole number counts.
                        m = re.search(r"(?<![0-9.])" + re.escape(f) + r"(?!\.?[0-9])", low)
                        i = m.start() if m else -1
                    else:
                        i = low.find(f)
                    if i >= 0:
                        ls = low.rfind("\n", 0, i) + 1
                        le = low.find("\n", i)
                        line = text[ls: le if le >= 0 else len(text)]
                        res["leaks"].append((can, f, src, line[:300]))
                        break
        return res
    finally:
        if not os.environ.get("KEEP"):
            shutil.rmtree(h.root, ignore_errors=True)
        else:
            print("kept", h.root)


def main():
    import importlib
    every = ",".join(["cases"] + [f"cases{i}" for i in range(2, 40)])
    mods = os.environ.get("MODS", every).split(",")
    for m in mods:
        try:
            importlib.import_module(m)
        except ModuleNotFoundError as e:
            if e.name != m:
                raise
    only = sys.argv[1:] 
    sel = [c for c in CASES if not only or any(o.lower() in c[0].lower() for o in only)]
    with ThreadPoolExecutor(int(os.environ.get("J", "2"))) as ex:
        results = list(ex.map(run_case, sel))
    nleak = 0
    for r in results:
        if r["code"] != 0:
            print(f"EXIT {r['code']}: {r['name']}\n{r.get('stderr','')}")
        elif r["leaks"]:
            nleak += 1
            print(f"LEAK: {r['name']}")
            seen = set()
            for can, f, src, line in r["leaks"]:
                if (can, src) in seen: continue
                seen.add((can, src))
                print(f"   {can!r} as {f!r} in {src}: {line}")
    print(f"{len(sel)} cases, {nleak} leaking, {sum(r['code']!=0 for r in results)} failed")

if __name__ == "__main__":
    sys.modules["redteam"] = sys.modules["__main__"]
    sys.path.insert(0, os.path.dirname(__file__))
    main()
