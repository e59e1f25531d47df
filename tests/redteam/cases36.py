"""Round 8 (r36): structured files and their edges: opencode.json[c] / codex-config.jsonc
with trailing commas (the schema is skipped, the text engine keeps names, comments, prose),
user-named maps the schema does not pseudonymize, JSON numbers under credential and
one-time-code keys spelled other than the exact list, snapshots read in Lines mode (`.json.1`,
`.json.gz`) whose body is not omitted, kept shapes that carry digits (URL path versions, model
slugs, user-agent), env vars, JSON Lines edge bytes. Near misses are kept as guards (see
FINDINGS.md)."""
import json
from redteam import case, LOGS
from canary import pw, tok, word

RUN = "2026-01-01T00-00-00-000Z-4242-abcd1234"
PLUG = ["@iam-brain/opencode-codex-auth@latest"]

def oc(name, canary, text=None, obj=None, fn=".config/opencode/opencode.json"):
    @case(f"r36 {name}", canary)
    def _(h):
        if obj is not None:
            h.wj(fn, obj)
        else:
            h.write(fn, text.replace("@C@", canary))

def env(name, var, val, canary):
    @case(f"r36 env {name}", canary)
    def _(h): h.env[var] = val.replace("@C@", canary)

def log(name, fn, text, canary, args=()):
    @case(f"r36 {name}", canary, args=args)
    def _(h): h.log(fn, text.replace("@C@", canary))

_P = {}
def P(s):
    if s not in _P: _P[s] = pw("r36" + s)
    return _P[s]
T = lambda s, n=32: tok("r36" + s, n)

# --- opencode.jsonc that OpenCode reads but strict JSON does not (trailing commas) -------------
oc("jsonc trailing comma agent prompt", P("tc1"),
   '{\n  "plugin": ["@iam-brain/opencode-codex-auth@latest"],\n  "agent": {\n    "build": {\n      "prompt": "Always deploy to the @C@ cluster.",\n    },\n  },\n}\n', fn=".config/opencode/opencode.jsonc")
oc("jsonc trailing comma comment", P("tc2"),
   '{\n  // gateway login for the team: @C@\n  "plugin": ["@iam-brain/opencode-codex-auth@latest"],\n}\n', fn=".config/opencode/opencode.jsonc")
oc("jsonc trailing comma header value", P("tc3"),
   '{\n  "plugin": ["@iam-brain/opencode-codex-auth@latest"],\n  "provider": {"openai": {"options": {"headers": {"X-Team": "@C@",},},},},\n}\n', fn=".config/opencode/opencode.jsonc")
oc("json trailing comma mcp env", P("tc4"),
   '{\n  "plugin": ["@iam-brain/opencode-codex-auth@latest"],\n  "mcp": {\n    "db": {\n      "type": "local",\n      "command": ["db-mcp"],\n      "environment": {\n        "PGPASSWORD": "@C@",\n      },\n    },\n  },\n}\n')
oc("jsonc commented-out provider block", P("tc5"),
   '{\n  "plugin": ["@iam-brain/opencode-codex-auth@latest"],\n  /*\n  "provider": {\n    "acme": { "options": { "baseURL": "https://llm.acme.example/v1", "headers": { "X-Tenant": "@C@" } } }\n  },\n  */\n}\n', fn=".config/opencode/opencode.jsonc")
oc("jsonc commented-out prompt line, trailing comma", P("tc6"),
   '{\n  "plugin": ["@iam-brain/opencode-codex-auth@latest"],\n  // "instructions": ["You report to @C@ on every change"],\n}\n', fn=".config/opencode/opencode.jsonc")
oc("jsonc trailing comma models map key", P("tc7"),
   '{\n  "plugin": ["@iam-brain/opencode-codex-auth@latest"],\n  "provider": {"openai": {"models": {"@C@": {}}}},\n}\n', fn=".config/opencode/opencode.jsonc")
# depth over serde_json's 128 levels: a valid document that falls back to text
def deep(inner, n=130):
    return '{"plugin": ["@iam-brain/opencode-codex-auth@latest"], "x": ' + "[" * n + inner + "]" * n + "}\n"
oc("deep nesting prompt", P("dp1"), deep('{"agent": {"build": {"prompt": "You work for @C@ and nobody else"}}}'))
oc("deep nesting header value", P("dp2"), deep('{"headers": {"X-Tenant": "@C@"}}'))

# --- user-named maps the schema keeps as keys ----------------------------------------------
ft = lambda c: f"ft:gpt-4o-mini-2024-07-18:{c}::Bq7xK2pa"
oc("provider models map fine-tune key", P("um1"), obj={"plugin": PLUG, "provider": {"openai": {"models": {ft(P("um1")): {"name": "support bot"}}}}})
oc("provider models map key word", P("um2"), obj={"plugin": PLUG, "provider": {"openai": {"models": {P("um2"): {}}}}})
oc("lsp server name", P("um3"), obj={"plugin": PLUG, "lsp": {P("um3"): {"command": ["x"], "extensions": [".x"]}}})
oc("formatter name", P("um4"), obj={"plugin": PLUG, "formatter": {P("um4"): {"command": ["fmt"]}}})
oc("tools map mcp glob", P("um5"), obj={"plugin": PLUG, "tools": {P("um5") + "_*": False}})
oc("permission bash pattern key", P("um6"), obj={"plugin": PLUG, "permission": {"bash": {"./deploy-" + P("um6") + ".sh": "allow"}}})
oc("mcp env var name holds value", P("um7"), obj={"plugin": PLUG, "mcp": {"x": {"type": "local", "command": ["x"], "environment": {"TEAM_" + word("r36um7", 4).upper(): "1"}}}})
oc("provider options unknown nested map key", P("um8"), obj={"plugin": PLUG, "provider": {"openai": {"options": {"extraBody": {"metadata": {P("um8"): True}}}}}})
oc("keybinds value", P("um9"), obj={"plugin": PLUG, "keybinds": {"leader": P("um9")}})
oc("model key in provider.models id", P("um10"), obj={"plugin": PLUG, "provider": {"openai": {"models": {"x": {"id": ft(P("um10"))}}}}})
oc("top model fine-tune", P("um11"), obj={"plugin": PLUG, "model": "openai/" + ft(P("um11"))})
oc("agent model fine-tune", P("um12"), obj={"plugin": PLUG, "agent": {"build": {"model": "openai/" + ft(P("um12"))}}})

# --- kept shapes that carry data --------------------------------------------------------------
# numbers are kept by the schema
NUM = "73914628"
oc("mcp env numeric pin", NUM, obj={"plugin": PLUG, "mcp": {"x": {"type": "local", "command": ["x"], "environment": {"VAULT_PIN": int(NUM)}}}})
oc("provider options numeric password", "58203917", obj={"plugin": PLUG, "provider": {"openai": {"options": {"password": 58203917}}}})
oc("provider options numeric apiKey", "8612093374512298", obj={"plugin": PLUG, "provider": {"openai": {"options": {"apiKey": 8612093374512298}}}})
log("generic json numeric account id", "usage.json", json.dumps({"event": "x", "account_id": 551234567890}) + "\n", "551234567890")
log("generic json numeric phone", "profile.json", json.dumps({"event": "x", "phone": 14155550123}) + "\n", "14155550123")
log("snapshot meta numeric accountId", f"{RUN}-request-1-outbound-attempt.json", json.dumps({"timestamp": "2026-01-01T00:00:00.000Z", "runId": RUN, "requestId": "req-1", "stage": "outbound-attempt", "method": "POST", "url": "https://chatgpt.com/backend-api/codex/responses", "headers": {}, "meta": {"accountId": 66120934871}}, indent=2), "66120934871")
log("live-headers numeric chatgpt-account-id header", "live-headers.jsonl", json.dumps({"timestamp": "2026-01-01T00:00:00.000Z", "stage": "before-auth", "headers": {"chatgpt-account-id": 77120934812}, "meta": {}}) + "\n", "77120934812")
log("generic json big number float", "usage.json", json.dumps({"event": "x", "card": 41111111111111111111111}) + "\n", "4111111111111111")
# run-id shaped time with hex payload
HX = "9f2c4e1a"
log("timestamp with hex groups", "shareable-debug.jsonl", json.dumps({"seq": 1, "timestamp": "2026-01-01T00:00:00Z-9f2c4e1a-b37d05c8-e6f1a2b3", "event": "rotation_begin"}) + "\n", "9f2c4e1a-b37d05c8-e6f1a2b3")
# (dropped: the runId pid slot is the plugin's own)
# log("runId time with otp", f"{RUN}-request-2-outbound-attempt.json", json.dumps({"timestamp": "2026-01-01T00:00:00.000Z", "runId": "2026-01-01T00-00-00-000Z-482913-abcd1234", "stage": "outbound-attempt", "headers": {}, "meta": {}}, indent=2), "482913")
# Id shape: hex api key as a request id
log("requestId hex key", f"{RUN}-request-3-outbound-attempt.json", json.dumps({"timestamp": "2026-01-01T00:00:00.000Z", "runId": RUN, "requestId": "a3f9c2e17b4d08e6f5a1c9b3d7e2f408", "stage": "outbound-attempt", "headers": {}, "meta": {}}, indent=2), "a3f9c2e17b4d08e6f5a1c9b3d7e2f408")
log("responseId hex key after req", f"{RUN}-response-1-outbound-response.json", json.dumps({"timestamp": "2026-01-01T00:00:00.000Z", "runId": RUN, "responseId": "req_b4e0d3f28c5e19f7a6b2dac4e8f3a519", "stage": "outbound-response", "status": 200, "headers": {}, "meta": {}}, indent=2), "b4e0d3f28c5e19f7a6b2dac4e8f3a519")
# File shape: hex token inside an incident file name
log("incident file hex", "shareable-debug-state/incident-state.json", json.dumps({"version": 1, "open": {"file": "incident-2026-01-01T00-00-00-000Z-c5f1e4a39d6f20b8a7c3ebd5f9a4b62a.jsonl", "openedAt": "2026-01-01T00:00:00.000Z"}}), "c5f1e4a39d6f20b8a7c3ebd5f9a4b62a")
# URL path version / number segments on allowlisted hosts
oc("baseURL path dashed digits", "4929-3812-7765-0144", obj={"plugin": PLUG, "provider": {"openai": {"options": {"baseURL": "https://api.openai.com/v1/4929-3812-7765-0144"}}}})
oc("baseURL path dotted digits", "310.555.0187", obj={"plugin": PLUG, "provider": {"openai": {"options": {"baseURL": "https://api.openai.com/v1/310.555.0187"}}}})
log("snapshot url version segment", f"{RUN}-request-4-outbound-attempt.json", json.dumps({"timestamp": "2026-01-01T00:00:00.000Z", "runId": RUN, "stage": "outbound-attempt", "method": "POST", "url": "https://chatgpt.com/backend-api/codex/4929-3812-7765-0145/responses", "headers": {}, "meta": {}}, indent=2), "4929-3812-7765-0145")
log("shareable endpoint version segment", "shareable-debug.jsonl", json.dumps({"seq": 1, "event": "fetch_attempt_request", "endpoint": "/backend-api/codex/551-23-4567/responses"}) + "\n", "551-23-4567")
# Version shape on a version key
log("generic version key dashed digits", "usage.json", json.dumps({"event": "x", "version": "4929-3812-7765-0146"}) + "\n", "4929-3812-7765-0146")
oc("package tag version digits", "4929-3812-7765-0147", obj={"plugin": ["@iam-brain/opencode-codex-auth@4929-3812-7765-0147"]})
# model slug pieces numbers
log("model slug numbers", "shareable-debug.jsonl", json.dumps({"seq": 1, "event": "fetch_attempt_request", "modelSlug": "gpt-5-48291375-90817263"}) + "\n", "48291375-90817263")
# a secret in an allowlisted code field of an error
log("snapshot error code word", f"{RUN}-response-2-outbound-response.json", json.dumps({"timestamp": "2026-01-01T00:00:00.000Z", "runId": RUN, "stage": "outbound-response", "status": 400, "headers": {}, "body": {"error": {"type": "invalid_request_error", "code": "482913"}}, "meta": {}}, indent=2), "482913", args=["--include-bodies"])
# user-agent: numbers and pieces kept
log("live-headers user-agent numeric", "live-headers.jsonl", json.dumps({"timestamp": "2026-01-01T00:00:00.000Z", "stage": "before-auth", "headers": {"user-agent": "opencode/1.10.0 (linux; 84620317) node/22.1.0"}, "meta": {}}) + "\n", "84620317")
log("retry-after header number-shaped secret", "live-headers.jsonl", json.dumps({"timestamp": "2026-01-01T00:00:00.000Z", "stage": "before-auth", "headers": {"retry-after": "4929381277650148"}, "meta": {}}) + "\n", "4929381277650148")

# --- env vars -------------------------------------------------------------------------------
env("numeric server password", "OPENCODE_SERVER_PASSWORD", "@C@", "90417263")
env("numeric client key", "CODEX_RUNTIME_CLIENT_KEY", "@C@", "3301948271650032")
env("exponent-shaped key", "OPENCODE_API_KEY", "@C@", "8e41523976")
env("upstream with credentials", "CODEX_RUNTIME_UPSTREAM", "https://admin:@C@@gw.example.net:8443/v1", P("e1"))
env("upstream with query key", "CODEX_RUNTIME_UPSTREAM", "https://gw.example.net/v1?api_key=@C@", T("e2"))
env("proxy password with slash", "HTTPS_PROXY", "http://jdoe:Xk7/@C@@proxy.corp:3128", P("e3"))
env("proxy password with hash", "HTTP_PROXY", "http://jdoe:Xk7#@C@@proxy.corp:3128", P("e4"))
env("proxy password with question", "ALL_PROXY", "http://jdoe:Xk7?@C@@proxy.corp:3128", P("e5"))
env("lower npm proxy with userinfo", "npm_config_https_proxy", "http://jdoe:@C@@proxy.corp:3128", P("e6"))
env("config content prompt", "OPENCODE_CONFIG_CONTENT", json.dumps({"agent": {"build": {"prompt": "Ship to @C@ only"}}}), P("e7"))
env("config content trailing comma header", "OPENCODE_CONFIG_CONTENT", '{"provider": {"openai": {"options": {"headers": {"X-Team": "@C@",}}}}}', P("e8"))
env("codex extra plain", "CODEX_TEAM", "@C@", P("e9"))
env("allowed origins private host", "CODEX_RUNTIME_ALLOWED_ORIGINS", "https://@C@.corp.example", P("e10"))

# --- JSON Lines edges in the plugin's logs ------------------------------------------------
def lh(body): return json.dumps({"timestamp": "2026-01-01T00:00:00.000Z", "stage": "before-auth", "headers": {}, "meta": body})
log("live-headers vertical tab lead spaced colon", "live-headers.jsonl", '\x0b{"stage" : "before-auth", "meta" : {"accountLabel" : "@C@"}}\n', P("j1"))
log("shareable nbsp lead", "shareable-debug.jsonl", '\u00a0{"seq":1,"event":"rotation_begin","selectedIdentity":"@C@"}\n', P("j2"))
log("shareable two records one line", "shareable-debug.jsonl", '{"seq":1,"event":"rotation_begin"}{"seq":2,"selectedIdentity":"@C@"}\n', P("j3"))
log("lifecycle CR only records", "oauth-lifecycle.log", '{"ts":"2026-01-01T00:00:00.000Z","event":"callback_hit","meta":{}}\r{"ts":"2026-01-01T00:00:00.000Z","event":"callback_error","meta":{"email":"@C@"}}\r', P("j4") + "@corp.example")
log("live-headers utf16", "live-headers.jsonl", lh({"accountLabel": "@C@"}).encode("utf-16").decode("latin-1"), P("j5"))
log("generic jsonl nested json string", "events.jsonl", json.dumps({"event": "x", "payload": json.dumps({"data": json.dumps({"token": "@C@"})})}) + "\n", T("j6"))
log("generic jsonl key is token", "events.jsonl", json.dumps({"event": "x", "tokens": {T("j7"): {"scope": "all"}}}) + "\n", T("j7"))

# --- numbers under keys that name a one-time code or personal number, spelled otherwise ----
NUMKEYS = ["VAULT_PIN", "otpCode", "mfaCode", "sms_code", "recovery_code", "TELEGRAM_CHAT_ID", "passport_number",
           "account_no", "ssnLast4",
           # near misses, caught: exact-listed spellings
           "phoneNumber", "pinCode"]
for i, k in enumerate(NUMKEYS):
    def reg(k=k, i=i):
        n = int("7" + str(3019 + i * 7919).zfill(5) + "4")
        @case(f"r36 opencode mcp env number under {k}", str(n))
        def _(h): h.wj(".config/opencode/opencode.json", {"plugin": PLUG, "mcp": {"x": {"type": "local", "command": ["x"], "environment": {k: n}}}})
        n2 = int("6" + str(4127 + i * 6007).zfill(5) + "3")
        @case(f"r36 generic json number under {k}", str(n2))
        def _(h): h.log("state.json", json.dumps({"event": "x", k: n2}, indent=2) + "\n")
    reg()

# more user-named maps
oc("codex-config perModel variant name", P("v1"), fn=".config/opencode/codex-config.jsonc", text='{\n  "perModel": {"gpt-5.1-codex": {"variants": {"@C@": {"reasoningEffort": "high"}}}}\n}\n')
oc("codex-config customModels variant name", P("v2"), fn=".config/opencode/codex-config.jsonc", text='{\n  "customModels": {"x": {"targetModel": "gpt-5.1-codex", "variants": {"@C@": {"reasoningEffort": "high"}}}}\n}\n')
oc("tools map plain name", P("v3"), obj={"plugin": PLUG, "tools": {P("v3"): False}})
oc("agent tools map name", P("v4"), obj={"plugin": PLUG, "agent": {"build": {"tools": {P("v4"): True}}}})
oc("provider models variants name", P("v5"), obj={"plugin": PLUG, "provider": {"openai": {"models": {"gpt-5": {"variants": {P("v5"): {}}}}}}})
oc("azure deployment model key", P("v6"), obj={"plugin": PLUG, "provider": {"azure": {"options": {"resourceName": "x"}, "models": {P("v6") + "-gpt4o-prod": {"name": "gpt-4o"}}}}})
oc("mcp oauth nested key", P("v7"), obj={"plugin": PLUG, "mcp": {"x": {"type": "remote", "url": "https://mcp.example.com", "oauth": {"scopes": {P("v7"): True}}}}})
oc("permission external_directory key", P("v8"), obj={"plugin": PLUG, "permission": {"external_directory": {"~/" + P("v8") + "/**": "allow"}}})
oc("permission edit path key", P("v9"), obj={"plugin": PLUG, "permission": {"edit": {"src/" + P("v9") + "/*.ts": "deny"}}})
oc("experimental nested key", P("v10"), obj={"plugin": PLUG, "experimental": {"hook": {"file_edited": {P("v10"): [{"command": ["x"]}]}}}})
oc("project opencode.jsonc trailing comma base url", P("v11"), fn="../work/opencode.jsonc", text='{\n  "provider": {"openai": {"options": {"baseURL": "https://llm.@C@.com/v1",},},},\n}\n')
oc("jsonc trailing comma url host", P("v12"), fn=".config/opencode/opencode.jsonc", text='{\n  "plugin": ["@iam-brain/opencode-codex-auth@latest"],\n  "mcp": {"x": {"type": "remote", "url": "https://mcp.@C@.io/sse",},},\n}\n')
oc("jsonc trailing comma npm private scope", P("v13"), fn=".config/opencode/opencode.jsonc", text='{\n  "plugin": ["@iam-brain/opencode-codex-auth@latest", "opencode-@C@",],\n}\n')
oc("jsonc trailing comma theme", P("v14"), fn=".config/opencode/opencode.jsonc", text='{\n  "theme": "@C@",\n}\n')
oc("jsonc trailing comma agent description", P("v15"), fn=".config/opencode/opencode.jsonc", text='{\n  "agent": {"review": {"description": "Reviews code for the @C@ team", "mode": "subagent",},},\n}\n')
oc("jsonc trailing comma username", P("v16"), fn=".config/opencode/opencode.jsonc", text='{\n  "username": "@C@",\n}\n')
oc("jsonc trailing comma model word", P("v17"), fn=".config/opencode/opencode.jsonc", text='{\n  "model": "acme/@C@",\n}\n')
oc("jsonc trailing comma comment after value", P("v18"), fn=".config/opencode/opencode.jsonc", text='{\n  "share": "disabled", // ask @C@ before enabling\n}\n')
oc("codex-config trailing comma comment", P("v19"), fn=".config/opencode/codex-config.jsonc", text='{\n  // shared machine of @C@\n  "quiet": true,\n}\n')
oc("jsonc unterminated block comment", P("v20"), fn=".config/opencode/opencode.jsonc", text='{\n  "plugin": ["@iam-brain/opencode-codex-auth@latest"]\n}\n/* notes: staging login @C@\n')

# --- more -----------------------------------------------------------------------------------
# credential-named keys (not the exact `password`) with a JSON number
CREDNUM = ["DB_PASSWORD", "PGPASSWORD", "adminPassword", "db_pass", "pwd", "ACME_API_KEY", "SMTP_PASS", "vault_token",
           # near misses, caught
           "passwd", "client_secret"]
for i, k in enumerate(CREDNUM):
    def reg(k=k, i=i):
        n = int("5" + str(2087 + i * 7331).zfill(5) + "9")
        @case(f"r36 opencode mcp env credential number {k}", str(n))
        def _(h): h.wj(".config/opencode/opencode.json", {"plugin": PLUG, "mcp": {"x": {"type": "local", "command": ["x"], "environment": {k: n}}}})
        n2 = int("4" + str(3391 + i * 5113).zfill(5) + "8")
        @case(f"r36 generic json credential number {k}", str(n2))
        def _(h): h.log("state.json", json.dumps({"event": "x", k: n2}, indent=2) + "\n")
    reg()

# opencode.jsonc with trailing commas (OpenCode accepts them): the schema is skipped
def tcfile(body):
    return '{\n  "$schema": "https://opencode.ai/config.json",\n  "plugin": ["@iam-brain/opencode-codex-auth@latest"],\n' + body + '\n}\n'
TC = {
    "provider id": '  "provider": {\n    "@C@": {\n      "npm": "@ai-sdk/openai-compatible",\n      "options": {"baseURL": "https://llm.example.net/v1"},\n    },\n  },',
    "mcp server name": '  "mcp": {\n    "@C@": {"type": "remote", "url": "https://mcp.example.net/sse", "enabled": true},\n  },',
    "numeric PGPASSWORD": '  "mcp": {\n    "pg": {"type": "local", "command": ["pg-mcp"], "environment": {"PGPASSWORD": @C@,},},\n  },',
    "agent description own line": '  "agent": {\n    "review": {\n      "description": "Reviews pull requests for the @C@ payments team",\n      "mode": "subagent",\n    },\n  },',
    "agent name": '  "agent": {\n    "@C@": {"mode": "subagent", "prompt": "x"},\n  },',
    "command name": '  "command": {\n    "@C@": {"template": "run it"},\n  },',
    "comment prose": '  // personal setup for @C@, do not share',
    "theme": '  "theme": "@C@",',
    "small_model": '  "small_model": "acme/@C@",',
}
for k, body in TC.items():
    def reg(k=k, body=body):
        c = "60391847" if "numeric" in k else P("tcx" + k)
        oc(f"jsonc trailing comma {k}", c, tcfile(body), fn=".config/opencode/opencode.jsonc")
    reg()
oc("codex-config trailing comma customModels name", P("ccx1"), fn=".config/opencode/codex-config.jsonc",
   text='{\n  "customModels": {\n    "@C@": {"targetModel": "gpt-5.1-codex", "name": "x"},\n  },\n}\n')
oc("project .opencode/opencode.jsonc trailing comma provider id", P("ccx2"), fn="../work/.opencode/opencode.jsonc",
   text='{\n  "provider": {"@C@": {"npm": "@ai-sdk/openai-compatible",},},\n}\n')

# a snapshot that misses its schema (rotated `.json.1`, gzip): the body is not omitted
import gzip as _gz
def snapbody(c):
    body = {"model": "gpt-5.1-codex", "tools": [{"type": "function", "name": "deploy", "description": f"Deploys the {c} service", "parameters": {"type": "object", "properties": {}}}], "input": []}
    return json.dumps({"timestamp": "2026-01-01T00:00:00.000Z", "runId": RUN, "requestId": "req-1", "stage": "outbound-attempt", "method": "POST", "url": "https://chatgpt.com/backend-api/codex/responses", "headers": {}, "body": body, "meta": {}}, indent=2) + "\n"
def snapfn(c):
    body = {"model": "gpt-5.1-codex", "input": [{"type": "function_call", "name": f"{c}_query", "call_id": "call_1", "arguments": "{}"}]}
    return json.dumps({"timestamp": "2026-01-01T00:00:00.000Z", "runId": RUN, "requestId": "req-1", "stage": "outbound-attempt", "headers": {}, "body": body, "meta": {}}, indent=2) + "\n"
c = P("sb1"); log("rotated snapshot .json.1 tool description", f"{RUN}-request-1-outbound-attempt.json.1", snapbody(c), c)
c = P("sb2"); log("rotated snapshot .json.1 function name", f"{RUN}-request-2-outbound-attempt.json.1", snapfn(c.replace("-", "_")), c.replace("-", "_"))
c = P("sb3")
@case("r36 gzip snapshot .json.gz tool description", c)
def _(h, c=c): h.write(f"{LOGS}/{RUN}-request-3-outbound-attempt.json.gz", _gz.compress(snapbody(c).encode()))
c = P("sb4"); log("schema snapshot tool description (control)", f"{RUN}-request-4-outbound-attempt.json", snapbody(c), c)
c = P("sb5"); log("schema snapshot tool description include-bodies", f"{RUN}-request-5-outbound-attempt.json", snapbody(c), c, args=["--include-bodies"])
