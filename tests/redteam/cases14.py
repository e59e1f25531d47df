"""Round 3, batch 4: placements. Every OpenCode config layer, {env:} substitution, the
plugin's caches/quarantine, OpenCode's data folder, env vars, names, symlinks, keys."""
import base64, json, os, random, string
from redteam import case, LOGS

R = random.Random(61203)
def rs(n, alpha=string.ascii_letters + string.digits):
    return "".join(R.choice(alpha) for _ in range(n))
def L(h, name, text): h.log(name, text)
PL = "@iam-brain/opencode-codex-auth@latest"

def w(h, p, s):
    os.makedirs(os.path.dirname(p), exist_ok=True)
    open(p, "w").write(s)

LAYERS = {
    "project opencode.json": lambda h, s: w(h, os.path.join(h.cwd, "opencode.json"), s),
    "project .opencode/opencode.jsonc": lambda h, s: w(h, os.path.join(h.cwd, ".opencode", "opencode.jsonc"), s),
    "home ~/.opencode": lambda h, s: w(h, h.p(".opencode/opencode.json"), s),
    "OPENCODE_CONFIG_DIR": lambda h, s: (w(h, h.p("ocdir/opencode.json"), s), h.env.__setitem__("OPENCODE_CONFIG_DIR", h.p("ocdir"))),
    "OPENCODE_CONFIG_CONTENT": lambda h, s: h.env.__setitem__("OPENCODE_CONFIG_CONTENT", s),
    "managed dir": lambda h, s: w(h, os.path.join(h.env["OPENCODE_TEST_MANAGED_CONFIG_DIR"], "opencode.json"), s),
    "global config.json": lambda h, s: w(h, h.p(".config/opencode/config.json"), s),
}
SHAPES = {
    "model custom provider sk key": (lambda t: {"model": f"openai/{t}"}, lambda: "sk-proj-" + rs(40)),
    "model with email": (lambda t: {"model": f"{t}/gpt-5"}, lambda: "zq" + rs(5, string.ascii_lowercase) + "@acme.example"),
    "plugin git url with token": (lambda t: {"plugin": [PL, f"git+https://{t}@github.com/acme/plugin.git"]}, lambda: "ghp_" + rs(36)),
    "plugin file url home name": (lambda t: {"plugin": [PL, f"file:///Users/{t}/dev/plugin.ts"]}, lambda: "tnguyen" + rs(3, string.ascii_lowercase)),
    "provider apiKey": (lambda t: {"plugin": [PL], "provider": {"openai": {"options": {"apiKey": t}}}}, lambda: "sk-proj-" + rs(40)),
    "provider baseURL creds": (lambda t: {"plugin": [PL], "provider": {"gw": {"npm": "@ai-sdk/openai", "options": {"baseURL": f"http://admin:{t}@127.0.0.1:8080/v1"}}}}, lambda: rs(16)),
    "provider baseURL query key": (lambda t: {"plugin": [PL], "provider": {"gw": {"npm": "@ai-sdk/openai", "options": {"baseURL": f"http://127.0.0.1:8080/v1?key={t}"}}}}, lambda: rs(24)),
    "small_model email": (lambda t: {"plugin": [PL], "small_model": t}, lambda: "zq" + rs(5, string.ascii_lowercase) + "@acme.example"),
    "username": (lambda t: {"plugin": [PL], "username": t}, lambda: "Priya Raman" + rs(3, string.ascii_lowercase)),
}
for ln, lay in LAYERS.items():
    for sn, (mk, tk) in SHAPES.items():
        t = tk()
        def reg(ln=ln, lay=lay, sn=sn, mk=mk, t=t):
            @case(f"r5 layer {ln}: {sn}", t)
            def _(h):
                d = mk(t)
                if "plugin" not in d:
                    d["plugin"] = [PL]
                lay(h, json.dumps(d))
        reg()

# {env:} substitution: the report sees the substituted value, the echo walk reads the raw file
T = "sk-proj-" + rs(40)
@case("r5 env-subst model from env secret", T)
def _(h):
    h.env["OPENCODE_MODEL_X"] = T
    h.write(".config/opencode/opencode.json", json.dumps({"plugin": [PL], "model": "{env:OPENCODE_MODEL_X}"}))
T = "sk-proj-" + rs(40)
@case("r5 env-subst model from non-listed env", T)
def _(h):
    h.env["MY_MODEL"] = T
    h.write(".config/opencode/opencode.json", json.dumps({"plugin": [PL], "model": "{env:MY_MODEL}"}))
T = "zqenvplug" + rs(6, string.ascii_lowercase)
@case("r5 env-subst plugin from env email", T)
def _(h):
    h.env["PLUG"] = f"file:///home/{T}/p.ts"
    h.write(".config/opencode/opencode.json", json.dumps({"plugin": [PL, "{env:PLUG}"]}))
T = rs(20)
@case("r5 env-subst baseURL creds", T)
def _(h):
    h.env["GW_URL"] = f"http://admin:{T}@127.0.0.1:9/v1"
    h.write(".config/opencode/opencode.json", json.dumps({"plugin": [PL], "provider": {"gw": {"npm": "@ai-sdk/openai", "options": {"baseURL": "{env:GW_URL}"}}}}))
T = "zqsmall" + rs(6, string.ascii_lowercase) + "@acme.example"
@case("r5 env-subst small_model project layer", T)
def _(h):
    h.env["SM"] = T
    w(h, os.path.join(h.cwd, "opencode.json"), json.dumps({"small_model": "{env:SM}"}))

# plugin folder files become file:// plugins the report lists
T = "tnguyenplug" + rs(4, string.ascii_lowercase)
@case("r5 plugin dir file named with email", "zq.plugin@acme.example")
def _(h): h.write(".config/opencode/plugin/zq.plugin@acme.example.ts", "export default {}\n")
@case("r5 project .opencode plugin file in home path with name", "zorvprojname")
def _(h):
    newcwd = os.path.join(h.root, "work", "zorvprojname")
    os.makedirs(os.path.join(newcwd, ".opencode", "plugin"))
    open(os.path.join(newcwd, ".opencode", "plugin", "x.ts"), "w").write("")
    h.cwd = newcwd

# codex-config.jsonc
T = "sk-proj-" + rs(40)
@case("r5 codex-config trailing garbage after json", T)
def _(h): h.write(".config/opencode/codex-config.jsonc", h.read(".config/opencode/codex-config.jsonc") + "\n" + T + "\n")
T = "sk-proj-" + rs(40)
@case("r5 codex-config truncated mid string", T)
def _(h): h.write(".config/opencode/codex-config.jsonc", '{\n  "runtime": {\n    "mode": "' + T)
T = "sk-proj-" + rs(40)
@case("r5 codex-config key is secret", T)
def _(h): h.write(".config/opencode/codex-config.jsonc", json.dumps({"runtime": {"mode": "native"}, "perModel": {T: {"reasoningEffort": "high"}}}))
T = "zq" + rs(5, string.ascii_lowercase) + "@acme.example"
@case("r5 codex-config customModels name email", T)
def _(h): h.write(".config/opencode/codex-config.jsonc", json.dumps({"customModels": {"my-model": {"targetModel": "gpt-5", "name": T}}}))
T = rs(30)
@case("r5 codex-config block comment unterminated", T)
def _(h): h.write(".config/opencode/codex-config.jsonc", '{"runtime": {"mode": "native"}} /* token ' + T + "\n")
T = rs(30)
@case("r5 codex-config explicit path env", T)
def _(h):
    h.write(".config/opencode/alt.jsonc", json.dumps({"runtime": {"mode": "native"}, "apiKey": T}))
    h.env["OPENCODE_OPENAI_MULTI_CONFIG_PATH"] = h.p(".config/opencode/alt.jsonc")
T = "zqexplicit" + rs(5, string.ascii_lowercase)
@case("r5 codex-config explicit path name in path", T)
def _(h):
    h.write(f".config/opencode/{T}/alt.jsonc", json.dumps({"runtime": {"mode": "native"}}))
    h.env["OPENCODE_OPENAI_MULTI_CONFIG_PATH"] = h.p(f".config/opencode/{T}/alt.jsonc")
T = "zqexplout" + rs(5, string.ascii_lowercase)
@case("r5 codex-config explicit path outside roots name", T)
def _(h):
    h.write(f"{T}/alt.jsonc", json.dumps({"runtime": {"mode": "native"}}))
    h.env["OPENCODE_OPENAI_MULTI_CONFIG_PATH"] = h.p(f"{T}/alt.jsonc")

# caches
T = "sk-proj-" + rs(40)
@case("r5 cache affinity value secret", T)
def _(h): h.wj(".config/opencode/cache/codex-session-affinity.json", {"version": 1, "native": {"seen": {"ses_abc": 1}, "sessionToAccount": {"ses_abc": T}}})
T = rs(16, "0123456789abcdef")
@case("r5 cache shard hash unknown account", T)
def _(h): h.wj(f".config/opencode/cache/codex-auth-models-{T}.json", {"fetchedAt": 1, "models": [{"slug": "gpt-5"}]})
T = "zqshard" + rs(5, string.ascii_lowercase)
@case("r5 cache shard odd name", T)
def _(h): h.wj(f".config/opencode/cache/codex-auth-models-{T}.json", {"fetchedAt": 1, "models": [{"slug": "gpt-5"}]})
T = "sk-proj-" + rs(40)
@case("r5 cache models description secret", T)
def _(h): h.wj(".config/opencode/cache/codex-models-cache.json", {"fetchedAt": 1, "source": "github", "models": [{"slug": "gpt-5", "description": T}]})
T = rs(30)
@case("r5 cache snapshots credits balance string", T)
def _(h): h.wj(".config/opencode/cache/codex-snapshots.json", {"acc|a@b.co|plus": {"updatedAt": 1, "credits": {"hasCredits": True, "balance": T}}})
T = "zq" + rs(5, string.ascii_lowercase) + "@acme.example"
@case("r5 cache snapshots key email other shape", T)
def _(h): h.wj(".config/opencode/cache/codex-snapshots.json", {T: {"updatedAt": 1}})
T = rs(30)
@case("r5 cache client version object", T)
def _(h): h.wj(".config/opencode/cache/codex-client-version.json", {"version": {"v": T}, "fetchedAt": 1})
T = rs(24)
@case("r5 cache meta url with token query", T)
def _(h): h.wj(".config/opencode/cache/codex-models-cache-meta.json", {"etag": "x", "tag": "rust-v0.144.0", "lastChecked": 1, "url": f"https://raw.githubusercontent.com/openai/codex/rust-v0.144.0/models.json?token={T}"})
T = rs(24)
@case("r5 cache prompts legacy file", T)
def _(h): h.wj(".config/opencode/cache/codex-prompts-cache.json", {"prompt": T})
T = "zq" + rs(5, string.ascii_lowercase) + "@acme.example"
@case("r5 quarantine name email", T)
def _(h): h.write(f".config/opencode/quarantine/codex-accounts.json.{T}.quarantine.json", "{}")
T = "zqquarsub" + rs(5, string.ascii_lowercase)
@case("r5 quarantine subfolder name", T)
def _(h): h.write(f".config/opencode/quarantine/{T}/x.json", "{}")
T = "sk-proj-" + rs(40)
@case("r5 store tmp copy name with token", T)
def _(h): h.write(f".config/opencode/codex-accounts.json.tmp.{T}", "{}")

# OpenCode's own data folder
T = "sk-proj-" + rs(40)
@case("r5 opencode data log", T)
def _(h): h.write(".local/share/opencode/log/2026-01-01T000000.log", f"INFO service=provider key={T}\n")
T = "sk-proj-" + rs(40)
@case("r5 opencode data storage session", T)
def _(h): h.wj(".local/share/opencode/storage/session/info/ses_abc.json", {"id": "ses_abc", "title": T})
T = "zqsessfile" + rs(5, string.ascii_lowercase)
@case("r5 opencode data storage session file name", T)
def _(h): h.wj(f".local/share/opencode/storage/session/{T}.json", {})
T = "sk-proj-" + rs(40)
@case("r5 opencode auth.json other provider", T)
def _(h):
    d = json.loads(h.read(".local/share/opencode/auth.json"))
    d["anthropic"] = {"type": "api", "key": T}
    h.wj(".local/share/opencode/auth.json", d)
T = "sk-proj-" + rs(40)
@case("r5 opencode auth.json wellknown token", T)
def _(h):
    d = json.loads(h.read(".local/share/opencode/auth.json"))
    d["https://opencode.acme.example"] = {"type": "wellknown", "key": "X", "token": T}
    h.wj(".local/share/opencode/auth.json", d)

# env vars
for k, v in {
    "OPENCODE_SERVER_PASSWORD": "sk-proj-" + rs(40),
    "CODEX_RUNTIME_CLIENT_KEY": rs(32),
    "ALL_PROXY": "socks5h://zqproxy:" + rs(12) + "@10.0.0.5:1080",
    "HTTPS_PROXY": "http://zqproxy2%40corp.example:" + rs(12) + "@proxy:3128",
    "OPENCODE_CONFIG_CONTENT": json.dumps({"provider": {"openai": {"options": {"apiKey": "sk-proj-" + rs(40)}}}}),
    "CODEX_HOME": "/Users/tnguyenenv/.codex",
    "XDG_RUNTIME_DIR": "/run/user/1000/zqrun" + rs(4, string.ascii_lowercase),
    "OPENCODE_API_KEY": rs(48, string.ascii_lowercase + string.digits),
    "CODEX_API_KEY": "sk-" + rs(48),
    "OPENCODE_AUTH_TOKEN": rs(20, string.ascii_lowercase),
}.items():
    canary = v if k not in ("ALL_PROXY", "HTTPS_PROXY", "OPENCODE_CONFIG_CONTENT") else v.split(":")[2].split("@")[0] if "PROXY" in k else json.loads(v)["provider"]["openai"]["options"]["apiKey"]
    if k == "CODEX_HOME": canary = "tnguyenenv"
    def reg(k=k, v=v, canary=canary):
        @case(f"r5 env {k}", canary)
        def _(h): h.env[k] = v
    reg()

# names, symlinks, keys
T = "zq" + rs(5, string.ascii_lowercase) + "@acme.example"
@case("r5 symlink target name inside root", T)
def _(h):
    h.log(f"{T}/real.log", "ok\n")
    os.symlink(h.p(f"{LOGS}/{T}/real.log"), h.p(f"{LOGS}/link.log"))
T = "zqlinkout" + rs(5, string.ascii_lowercase)
@case("r5 symlink target outside name", T)
def _(h):
    h.write(f"{T}/x.log", "ok\n")
    os.makedirs(h.p(LOGS), exist_ok=True)
    os.symlink(h.p(f"{T}/x.log"), h.p(f"{LOGS}/link.log"))
T = "sk-proj-" + rs(40)
@case("r5 json key secret in live-headers", T)
def _(h): L(h, "live-headers.jsonl", json.dumps({"stage": "before-auth", "headers": {T: "1"}}) + "\n")
T = "sk-proj-" + rs(40)
@case("r5 json array element secret in shareable", T)
def _(h): L(h, "shareable-debug.jsonl", json.dumps({"seq": 1, "event": "request_start", "tags": ["a", T]}) + "\n")
T = "sk-proj-" + rs(40)
@case("r5 jsonc comment in opencode.jsonc", T)
def _(h): h.write(".config/opencode/opencode.jsonc", '{\n  // key ' + T + '\n  "plugin": ["' + PL + '"]\n}\n')
T = "sk-proj-" + rs(40)
@case("r5 opencode.json trailing garbage", T)
def _(h): h.write(".config/opencode/opencode.json", json.dumps({"plugin": [PL]}) + "\n" + T + "\n")
T = "sk-proj-" + rs(40)
@case("r5 opencode.json truncated mid string", T)
def _(h): h.write(".config/opencode/opencode.json", '{"plugin": ["' + PL + '"], "model": "' + T)
T = "zqtrunc" + rs(5, string.ascii_lowercase) + "@acme.example"
@case("r5 opencode.json invalid email echo", T)
def _(h): h.write(".config/opencode/opencode.json", '{"plugin": ["' + PL + '"], "username": "' + T + '",,}')
T = "sk-proj-" + rs(40)
@case("r5 header snapshot file name with key", T)
def _(h): L(h, f"2026-01-01T00-00-00-000Z-4242-{T}-request-1-before-auth.json", json.dumps({"stage": "before-auth"}))
T = "zqrunid" + rs(5, string.ascii_lowercase)
@case("r5 shareable segment odd name", T)
def _(h): L(h, f"shareable-debug-state/segments/segment-{T}.jsonl", json.dumps({"seq": 1, "event": "x"}) + "\n")
T = "sk-proj-" + rs(40)
@case("r5 oauth lifecycle url with code", T)
def _(h): L(h, "oauth-lifecycle.log", json.dumps({"ts": "2026-01-01T00:00:00.000Z", "pid": 1, "event": "callback_hit", "meta": {"url": f"http://localhost:1455/auth/callback?code={T}&state=abc"}}) + "\n")
T = "zq" + rs(5, string.ascii_lowercase) + "@acme.example"
@case("r5 oauth lifecycle meta email", T)
def _(h): L(h, "oauth-lifecycle.log", json.dumps({"ts": "2026-01-01T00:00:00.000Z", "pid": 1, "event": "login_success", "meta": {"account": T}}) + "\n")
T = rs(40)
@case("r5 request snapshot body with include-bodies api key", T, ["--include-bodies"])
def _(h): L(h, "2026-01-01T00-00-00-000Z-4242-abcd1234-request-1-before-auth.json", json.dumps({"stage": "before-auth", "body": {"model": "gpt-5", "metadata": {"api_key": T}}}, indent=2))
T = "zq" + rs(5, string.ascii_lowercase) + "@acme.example"
@case("r5 request snapshot body include-bodies user field", T, ["--include-bodies"])
def _(h): L(h, "2026-01-01T00-00-00-000Z-4242-abcd1234-request-1-before-auth.json", json.dumps({"stage": "before-auth", "body": {"model": "gpt-5", "user": T, "safety_identifier": T}}, indent=2))
