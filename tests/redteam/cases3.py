import json
from redteam import case, LOGS
def L(h, name, text): h.log(name, text)
CFG = ".config/opencode/codex-config.jsonc"

def cfg(h, extra):
    c = h.read(CFG).rstrip()
    assert c.endswith("}")
    h.write(CFG, c[:-1].rstrip().rstrip(",") + ",\n" + extra + "\n}\n")

@case("invalid enum value echoed in report", ["Zorvquinel", "Hathbramton"])
def _(h): cfg(h, '"rotationStrategy": "Zorvquinel Hathbramton"')
@case("invalid enum single word", "zorvquinax")
def _(h): cfg(h, '"rotationStrategy": "zorvquinax"')
@case("unknown config key echoed", "zorvkeyname")
def _(h): cfg(h, '"zorvkeyname": true')
@case("unknown nested config key", "zorvnested")
def _(h): cfg(h, '"runtime": {"zorvnested": 1}')
@case("personality name", "zorvpersona")
def _(h): cfg(h, '"personality": "zorvpersona"')
@case("opencode model with custom provider", "zorvprov")
def _(h): h.write(".config/opencode/opencode.json", '{"plugin":["@iam-brain/opencode-codex-auth@latest"],"model":"zorvprov/gpt-5"}\n')
@case("opencode model custom slug", "zorvmodelx")
def _(h): h.write(".config/opencode/opencode.json", '{"plugin":["@iam-brain/opencode-codex-auth@latest"],"model":"openai/zorvmodelx"}\n')
@case("plugin spec with private scope", "zorvscope")
def _(h): h.write(".config/opencode/opencode.json", '{"plugin":["@zorvscope/opencode-codex-auth@latest"]}\n')
@case("plugin spec file path", "zorvfilepl")
def _(h): h.write(".config/opencode/opencode.json", '{"plugin":["file:///srv/zorvfilepl/plugin.js"]}\n')
@case("plugin spec git url with token", "ghp_Zz9Yy8Xx7Ww6Vv5Uu4Tt3Ss2Rr1Qq0Pp9Oo")
def _(h): h.write(".config/opencode/opencode.json", '{"plugin":["git+https://ghp_Zz9Yy8Xx7Ww6Vv5Uu4Tt3Ss2Rr1Qq0Pp9Oo@github.com/x/y.git"]}\n')
@case("opencode.json invalid json echo", "Qk7Wz2Lp9Xr4Tm1Vzz")
def _(h): h.write(".config/opencode/opencode.json", '{"plugin":["@iam-brain/opencode-codex-auth@latest"], "x": Qk7Wz2Lp9Xr4Tm1Vzz}\n')
@case("codex-config invalid json echo", "Qk8Wz2Lp9Xr4Tm1Vyy")
def _(h): h.write(CFG, '{ "rotationStrategy": Qk8Wz2Lp9Xr4Tm1Vyy }\n')
@case("codex-config invalid json word echo", "zorvbrokenw")
def _(h): h.write(CFG, '{ "rotationStrategy": zorvbrokenw }\n')
@case("store plan as name", "Zorvplanco")
def _(h):
    p = ".config/opencode/codex-accounts.json"
    st = json.loads(h.read(p))
    for a in st["openai"]["accounts"] + st["openai"]["native"]["accounts"]:
        a["plan"] = "Zorvplanco"
    h.wj(p, st)
@case("store extra field name", "Zorvextraf")
def _(h):
    p = ".config/opencode/codex-accounts.json"
    st = json.loads(h.read(p))
    st["openai"]["accounts"][0]["label"] = "Zorvextraf"
    h.wj(p, st)
@case("store invalid json echo", "Qk9Wz2Lp9Xr4Tm1Vxx")
def _(h): h.write(".config/opencode/codex-accounts.json", '{"openai": {"accounts": [ {"refresh": Qk9Wz2Lp9Xr4Tm1Vxx} ]}}')
@case("legacy store name", "zorvlegacy")
def _(h): h.write(".config/opencode/openai-codex-accounts.json", json.dumps({"accounts": [{"email": "zorvlegacy@example.com", "refreshToken": "rt_zorv_legacy_xxxxx"}], "activeIndex": 0}))
@case("auth.json other provider key", "sk-ant-zorvkeyabcdefghijklmnop")
def _(h): h.wj(".local/share/opencode/auth.json", {"openai": {"type": "oauth", "refresh": "rt_x", "access": "at_x", "expires": 1}, "anthropic": {"type": "api", "key": "sk-ant-zorvkeyabcdefghijklmnop"}})
@case("snapshots cache odd key", "zorvsnapkey")
def _(h): h.wj(".config/opencode/cache/codex-snapshots.json", {"zorvsnapkey": {"updatedAt": 1, "modelFamily": "codex", "limits": [{"name": "zorvlimit", "leftPct": 1}]}})
@case("affinity cache odd", "zorvaffin")
def _(h): h.wj(".config/opencode/cache/codex-session-affinity.json", {"version": 1, "sessions": {"ses_zorvaffin": {"identityKey": "x|zorvaffin@example.com|plus", "updatedAt": 1}}})
@case("client version cache word", "zorvversion")
def _(h): h.wj(".config/opencode/cache/codex-client-version.json", {"version": "zorvversion", "fetchedAt": 1})
@case("models cache slug names", "zorvslugname")
def _(h): h.wj(".config/opencode/cache/codex-models-cache.json", {"fetchedAt": 1, "source": "github", "models": [{"slug": "zorvslugname", "display_name": "Zorv Slug"}]})
@case("models cache meta etag", "W/zorvetag")
def _(h): h.wj(".config/opencode/cache/codex-models-cache-meta.json", {"etag": "W/zorvetag", "tag": "rust-v1", "lastChecked": 1, "url": "https://raw.githubusercontent.com/zorvowner/codex/x.json"})
@case("models cache meta url owner", "zorvowner")
def _(h): h.wj(".config/opencode/cache/codex-models-cache-meta.json", {"tag": "rust-v1", "lastChecked": 1, "url": "https://raw.githubusercontent.com/zorvowner/codex/x.json"})
@case("live-headers user-agent with name", "zorvagent")
def _(h): L(h, "live-headers.jsonl", json.dumps({"timestamp": "2026-01-01T00:00:00.000Z", "stage": "x", "headers": {"user-agent": "opencode/1.0 (zorvagent; linux)"}}) + "\n")
@case("live-headers originator name", "zorvorig")
def _(h): L(h, "live-headers.jsonl", json.dumps({"timestamp": "2026-01-01T00:00:00.000Z", "stage": "x", "headers": {"originator": "zorvorig"}}) + "\n")
@case("live-headers header name is the secret", "zorvhdrname")
def _(h): L(h, "live-headers.jsonl", json.dumps({"timestamp": "2026-01-01T00:00:00.000Z", "stage": "x", "headers": {"x-zorvhdrname": "1"}}) + "\n")
@case("live-headers error message name", ["Zorvlive", "Brammlive"])
def _(h): L(h, "live-headers.jsonl", json.dumps({"timestamp": "2026-01-01T00:00:00.000Z", "stage": "x", "status": 403, "error": {"message": "user Zorvlive Brammlive is blocked"}}) + "\n")
@case("shareable debug errorName word", "zorverrname")
def _(h): L(h, "shareable-debug.jsonl", json.dumps({"seq": 1, "event": "x", "errorName": "zorverrname"}) + "\n")
@case("shareable debug endpoint path name", "zorvendp")
def _(h): L(h, "shareable-debug.jsonl", json.dumps({"seq": 1, "event": "x", "endpoint": "/backend-api/zorvendp/x"}) + "\n")
@case("shareable debug reason word", "zorvreason")
def _(h): L(h, "shareable-debug.jsonl", json.dumps({"seq": 1, "event": "x", "reason": "zorvreason"}) + "\n")
@case("incident state file name", "zorvincid")
def _(h): L(h, "shareable-debug-state/incident-state.json", json.dumps({"version": 1, "triggerSeq": 1, "files": ["zorvincid.jsonl"]}))
@case("oauth lifecycle meta error word", "zorvoerr")
def _(h): L(h, "oauth-lifecycle.log", json.dumps({"ts": "2026-01-01T00:00:00.000Z", "pid": 1, "event": "x", "meta": {"error": "zorvoerr"}}) + "\n")
@case("oauth lifecycle stateTail", "zorvstate")
def _(h): L(h, "oauth-lifecycle.log", json.dumps({"ts": "2026-01-01T00:00:00.000Z", "pid": 1, "event": "x", "meta": {"stateTail": "zorvstate"}}) + "\n")
@case("oauth lifecycle url code", "zorvocode")
def _(h): L(h, "oauth-lifecycle.log", json.dumps({"ts": "2026-01-01T00:00:00.000Z", "pid": 1, "event": "x", "meta": {"url": "http://localhost:1455/auth/callback?code=zorvocode"}}) + "\n")
@case("request snapshot header value word", "zorvhval")
def _(h): L(h, "2026-01-01T00-00-00-000Z-1-ab12cd34-request-1-before-auth.json", json.dumps({"headers": {"x-openai-subagent": "zorvhval"}}, indent=2))
@case("request snapshot body with include-bodies", ["Zorvbody", "Brambody"], args=["--include-bodies"])
def _(h): L(h, "2026-01-01T00-00-00-000Z-1-ab12cd34-request-1-before-auth.json", json.dumps({"body": {"model": "gpt-5", "input": [{"role": "user", "content": [{"type": "input_text", "text": "Zorvbody Brambody"}]}], "instructions": "hi"}}, indent=2))
@case("request snapshot body role word include-bodies", "zorvrole", args=["--include-bodies"])
def _(h): L(h, "2026-01-01T00-00-00-000Z-1-ab12cd34-request-1-before-auth.json", json.dumps({"body": {"model": "gpt-5", "input": [{"role": "zorvrole"}], "metadata": {"user": "zorvmeta"}}}, indent=2))
@case("include-bodies metadata user", "zorvmeta", args=["--include-bodies"])
def _(h): L(h, "2026-01-01T00-00-00-000Z-1-ab12cd34-request-1-before-auth.json", json.dumps({"body": {"model": "gpt-5", "metadata": {"user": "zorvmeta"}}}, indent=2))
@case("include-bodies tool name", "zorvtool", args=["--include-bodies"])
def _(h): L(h, "2026-01-01T00-00-00-000Z-1-ab12cd34-request-1-before-auth.json", json.dumps({"body": {"model": "gpt-5", "tools": [{"type": "function", "name": "zorvtool"}]}}, indent=2))
@case("include-bodies prompt_cache_key", "zorvpck", args=["--include-bodies"])
def _(h): L(h, "2026-01-01T00-00-00-000Z-1-ab12cd34-request-1-before-auth.json", json.dumps({"body": {"model": "gpt-5", "prompt_cache_key": "zorvpck"}}, indent=2))
@case("env var name is the secret", "ZORVENVNAME")
def _(h): h.env["OPENCODE_ZORVENVNAME"] = "1"
@case("env proxy with path token", "zorvpxpath")
def _(h): h.env["HTTP_PROXY"] = "http://proxy.corp.test:3128/zorvpxpath"
@case("env OPENCODE value name", "zorvencval")
def _(h): h.env["OPENCODE_THEME"] = "zorvencval"
@case("env XDG_CONFIG_HOME relative", "zorvxdgrel")
def _(h): h.env["XDG_CONFIG_HOME"] = "zorvxdgrel/.config"
@case("cwd named after person", "zorvcwdname")
def _(h):
    import os
    d = os.path.join(h.root, "zorvcwdname")
    os.makedirs(os.path.join(d, ".git"))
    h.cwd = d
@case("project opencode.json in cwd", "Qk3Wz2Lp9Xr4Tm1Vpp")
def _(h):
    import os
    with open(os.path.join(h.cwd, "opencode.json"), "w") as f:
        f.write('{"provider":{"x":{"options":{"apiKey":"Qk3Wz2Lp9Xr4Tm1Vpp"}}}}')
@case("project .opencode personality", "zorvpersmd")
def _(h):
    import os
    os.makedirs(os.path.join(h.cwd, ".opencode/personalities"))
    with open(os.path.join(h.cwd, ".opencode/personalities/zorvpersmd.md"), "w") as f:
        f.write("# zorvpersmd\n")
@case("personality file in config", "zorvperscfg")
def _(h): h.write(".config/opencode/personalities/zorvperscfg.md", "# x\n")
@case("home named like person", "zorvhomename")
def _(h):
    import os
    newhome = os.path.join(h.root, "zorvhomename")
    os.rename(h.home, newhome)
    h.home = newhome
    for k in list(h.env):
        h.env[k] = h.env[k].replace(os.path.join(h.root, "home"), newhome)
@case("quarantine file name", "zorvquar")
def _(h): h.write(".config/opencode/quarantine/codex-accounts.json.zorvquar.quarantine.json", "{}")
@case("tmp store copy name", "zorvtmpname")
def _(h): h.write(".config/opencode/codex-accounts.json.tmp.zorvtmpname", "{}")
@case("logs dir symlink to inside folder w/ name", "zorvlinkdir")
def _(h):
    import os
    h.write(".config/opencode/zorvlinkdir/x.log", "zorvlinkdir content\n")
    os.makedirs(h.p(LOGS), exist_ok=True)
    os.symlink(h.p(".config/opencode/zorvlinkdir"), h.p(f"{LOGS}/linked"))
