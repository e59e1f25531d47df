#!/usr/bin/env python3
"""Writes a healthy plugin home with N accounts and full caches (bench fixture).

Usage: make-home.py HOME_DIR [N]
"""
import base64, json, os, sys, time

home = sys.argv[1]
n = int(sys.argv[2]) if len(sys.argv) > 2 else 50
root = os.path.join(home, ".config", "opencode")
now = int(time.time() * 1000)
far = 4102444800000

def write(rel, text):
    p = os.path.join(home, rel)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    with open(p, "w") as f:
        f.write(text)
    os.chmod(p, 0o600)

def jwt(payload):
    b = base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")
    return "eyJhbGciOiJub25lIn0." + b + ".c2ln"

accounts = []
for i in range(n):
    aid, email, plan = f"acc_{i:04d}", f"user{i}@example.com", "pro" if i % 2 else "plus"
    accounts.append({
        "identityKey": f"{aid}|{email}|{plan}", "accountId": aid, "email": email, "plan": plan,
        "authTypes": ["native"], "enabled": True,
        "access": jwt({"email": email, "chatgpt_account_id": aid, "plan": plan, "exp": far // 1000}),
        "refresh": f"rt_{i:04d}_" + "x" * 40, "expires": far, "lastUsed": now - i * 1000,
    })
active = accounts[0]["identityKey"]
store = {"openai": {"type": "oauth", "strategy": "sticky", "accounts": accounts, "activeIdentityKey": active,
                    "native": {"strategy": "sticky", "accounts": accounts, "activeIdentityKey": active}}}
write(".config/opencode/codex-accounts.json", json.dumps(store, indent=2) + "\n")
write(".config/opencode/codex-accounts.json.lock", "")
write(".config/opencode/opencode.json", json.dumps({"plugin": ["@iam-brain/opencode-codex-auth@latest"]}, indent=2) + "\n")
here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, "..", "fixtures", "plugin", "codex-config.jsonc")) as f:
    write(".config/opencode/codex-config.jsonc", f.read())
with open(os.path.join(here, "..", "fixtures", "plugin", "live-catalog-current.json")) as f:
    models = json.load(f)["models"]
write(".local/share/opencode/auth.json", json.dumps({"openai": {"type": "oauth", "refresh": "rt_oc", "access": "at_oc", "expires": far}}, indent=2) + "\n")
write(".config/opencode/commands/create-personality.md", "# create-personality\n")
write(".config/opencode/skills/personality-builder/SKILL.md", "# skill\n")
write(".config/opencode/skills/personality-builder/references/personality-patterns.md", "# patterns\n")
c = ".config/opencode/cache/"
write(c + "codex-client-version.json", json.dumps({"version": "0.144.0", "fetchedAt": now}, indent=2) + "\n")
write(c + "codex-models-cache-meta.json", json.dumps({"tag": "rust-v0.144.0", "lastChecked": now, "url": "https://raw.githubusercontent.com/openai/codex/rust-v0.144.0/codex-rs/models-manager/models.json"}, indent=2) + "\n")
write(c + "codex-models-cache.json", json.dumps({"fetchedAt": now, "source": "github", "models": models}, indent=2) + "\n")
snaps = {a["identityKey"]: {"updatedAt": now, "modelFamily": "codex", "limits": [{"name": "requests", "leftPct": 70, "resetsAt": now + 3600000}, {"name": "tokens", "leftPct": 40}]} for a in accounts}
write(c + "codex-snapshots.json", json.dumps(snaps, indent=2) + "\n")
aff = {"version": 1, "native": {"seenSessionKeys": {f"ses_{i}": now for i in range(50)}, "stickyBySessionKey": {f"ses_{i}": accounts[i % n]["identityKey"] for i in range(50)}, "hybridBySessionKey": {}}}
write(c + "codex-session-affinity.json", json.dumps(aff, indent=2) + "\n")
for a in accounts:
    import hashlib
    h = hashlib.sha256(a["accountId"].encode()).hexdigest()[:16]
    write(c + f"codex-auth-models-{h}.json", json.dumps({"fetchedAt": now, "models": models}, indent=2) + "\n")
    write(c + f"codex-models-cache-{h}.json", json.dumps({"fetchedAt": now, "models": models}, indent=2) + "\n")
print(home)
