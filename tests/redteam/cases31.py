"""Round 5, batch 1 (r22): the plugin's own files as they really are: request snapshots with
body, live-headers with every header, shareable-debug incidents/segments, oauth-lifecycle meta,
codex-config.jsonc / opencode.json value positions, models cache, quarantine names."""
import json
from redteam import case, LOGS
from canary import pw, tok

RUN = "2026-01-01T00-00-00-000Z-4242-abcd1234"
def L(h, n, t): h.log(n, t)

def snapreq(body, headers=None, meta=None, url="https://chatgpt.com/backend-api/codex/responses"):
    return json.dumps({"timestamp": "2026-01-01T00:00:00.000Z", "runId": RUN, "requestId": "req-1", "stage": "outbound-attempt",
                       "method": "POST", "url": url, "headers": headers or {"authorization": "Bearer [redacted]", "content-type": "application/json"},
                       "body": body, "meta": meta or {}}, indent=2) + "\n"

BODY_SHAPES = {
    "instructions": lambda c: {"model": "gpt-5.1-codex", "instructions": f"You work for {c}.", "input": []},
    "input text": lambda c: {"model": "gpt-5.1-codex", "input": [{"role": "user", "content": [{"type": "input_text", "text": f"my password is {c}"}]}]},
    "input string": lambda c: {"model": "gpt-5.1-codex", "input": f"deploy with token {c}"},
    "tool output": lambda c: {"input": [{"type": "function_call_output", "call_id": "call_1", "output": f"DB_PASSWORD={c}"}]},
    "tool args": lambda c: {"input": [{"type": "function_call", "name": "bash", "arguments": json.dumps({"command": f"export API_KEY={c}"})}]},
    "user field": lambda c: {"model": "gpt-5.1-codex", "user": c},
    "metadata": lambda c: {"model": "gpt-5.1-codex", "metadata": {"project": c}},
    "tools schema enum": lambda c: {"tools": [{"type": "function", "name": "x", "parameters": {"type": "object", "properties": {"env": {"enum": [c]}}}}]},
    "text format name": lambda c: {"text": {"format": {"type": "json_schema", "name": c, "schema": {}}}},
    "include list": lambda c: {"include": ["reasoning.encrypted_content", c]},
    "reasoning summary": lambda c: {"input": [{"type": "reasoning", "summary": [{"type": "summary_text", "text": c}]}]},
    "store false service tier": lambda c: {"service_tier": c},
}
for k, f in BODY_SHAPES.items():
    def reg(k=k, f=f):
        c = pw("snapbody" + k)
        @case(f"r22 snapshot body {k}", c, args=["--include-bodies"])
        def _(h): L(h, f"{RUN}-request-1-outbound-attempt.json", snapreq(f(c)))
        c2 = pw("snapbodynoflag" + k)
        @case(f"r22 snapshot body default {k}", c2)
        def _(h): L(h, f"{RUN}-request-2-outbound-attempt.json", snapreq(f(c2)))
    reg()

# body as non-JSON string (form body)
c = pw("formbody")
@case("r22 snapshot body form string", c, args=["--include-bodies"])
def _(h): L(h, f"{RUN}-request-3-outbound-attempt.json", snapreq(f"grant_type=password&username=jdoe&password={c}"))

HEADERS = ["x-stainless-os", "x-stainless-runtime-version", "originator", "version", "openai-beta", "x-codex-turn-state",
           "x-request-id", "x-oai-request-id", "cf-ray", "x-envoy-upstream-service-time", "server", "via", "x-codex-primary-used-percent",
           "openai-organization", "x-client-request-id", "referer", "origin", "x-github-request-id", "baggage", "traceparent",
           "sentry-trace", "x-amzn-trace-id", "x-datadog-trace-id", "x-hostname", "x-user", "x-workspace", "x-tenant", "x-device-id"]
for hn in HEADERS:
    def reg(hn=hn):
        c = pw("hdr" + hn)
        @case(f"r22 live-headers header {hn}", c)
        def _(h): L(h, "live-headers.jsonl", json.dumps({"timestamp": "2026-01-01T00:00:00.000Z", "runId": RUN, "requestId": "r", "stage": "before-auth", "method": "POST", "url": "https://chatgpt.com/backend-api/codex/responses", "headers": {hn: c}, "meta": {}}) + "\n")
    reg()
# response snapshot headers
c = pw("respsetcookie")
@case("r22 response snapshot x-codex header word", c)
def _(h): L(h, f"{RUN}-response-1-outbound-response.json", json.dumps({"timestamp": "2026-01-01T00:00:00.000Z", "runId": RUN, "responseId": "r", "stage": "outbound-response", "status": 200, "statusText": "OK", "headers": {"x-codex-plan-type": "plus", "x-codex-account": c}, "meta": {}}, indent=2))
c = pw("respstatustext")
@case("r22 response snapshot statusText word", c)
def _(h): L(h, f"{RUN}-response-2-outbound-response.json", json.dumps({"timestamp": "2026-01-01T00:00:00.000Z", "runId": RUN, "responseId": "r", "stage": "outbound-response", "status": 403, "statusText": f"Forbidden for {c}", "headers": {}, "meta": {}}, indent=2))

# live-headers meta keys
for mk in ["accountLabel2", "selectedEmail", "workspace", "orgName", "projectDir", "cwd", "hostname", "note", "label"]:
    def reg(mk=mk):
        c = pw("lhmeta" + mk)
        @case(f"r22 live-headers meta {mk}", c)
        def _(h): L(h, "live-headers.jsonl", json.dumps({"timestamp": "2026-01-01T00:00:00.000Z", "stage": "before-auth", "headers": {}, "meta": {mk: c}}) + "\n")
    reg()

# oauth-lifecycle meta with the real keys
OM = {
    "error": lambda c: {"error": f"invalid_grant: refresh token {c} expired"},
    "reason": lambda c: {"reason": f"state mismatch {c}"},
    "redirectUri": lambda c: {"redirectUri": f"http://localhost:1455/auth/callback?code={c}&state=x"},
    "redirectUri host": lambda c: {"redirectUri": f"http://{c}.local:1455/auth/callback"},
    "remoteAddress v6": lambda c: {"remoteAddress": "::ffff:203.0.113.77"},
    "stateTail": lambda c: {"stateTail": c},
    "url": lambda c: {"url": f"https://auth.openai.com/oauth/authorize?client_id=app_x&login_hint={c}"},
    "message": lambda c: {"message": f"EADDRINUSE 127.0.0.1:1455 held by {c}"},
}
for k, f in OM.items():
    def reg(k=k, f=f):
        c = pw("olmeta" + k) if k != "remoteAddress v6" else "203.0.113.77"
        if k == "stateTail": c = tok("stail", 6)
        @case(f"r22 oauth-lifecycle meta {k}", c)
        def _(h): L(h, "oauth-lifecycle.log", json.dumps({"ts": "2026-01-01T00:00:00.000Z", "pid": 42, "event": "callback_error", "meta": f(c)}) + "\n")
    reg()

# shareable-debug segments and incidents
SD = {
    "segment selectedIdentity raw": ("shareable-debug-state/segments/segment-0000000000000001.jsonl", lambda c: {"seq": 1, "timestamp": "2026-01-01T00:00:00.000Z", "event": "rotation_decision", "selectedIdentity": c}),
    "incident endpoint with query": ("shareable-debug-state/incidents/incident-2026-01-01T00-00-00-000Z-8a1b2c3d-1111-2222-3333-444455556666.jsonl", lambda c: {"seq": 2, "event": "fetch_attempt_request", "endpoint": f"/backend-api/codex/responses?workspace={c}"}),
    "incident errorName": ("shareable-debug-state/incidents/incident-2026-01-01T00-00-00-000Z-8a1b2c3d-1111-2222-3333-444455556667.jsonl", lambda c: {"seq": 3, "event": "process_failure", "errorName": c}),
    "manifestless recovery": ("shareable-debug-state/manifestless-recovery.json", lambda c: {"version": 1, "triggerSeq": 4, "note": c}),
    "incident-state file": ("shareable-debug-state/incident-state.json", lambda c: {"version": 1, "open": {"file": f"incident-{c}.jsonl"}}),
    "session field": ("shareable-debug.jsonl", lambda c: {"seq": 1, "event": "rotation_begin", "session": c}),
    "outcome": ("shareable-debug.jsonl", lambda c: {"seq": 1, "event": "auth_failure", "outcome": c, "status": 401}),
}
for k, (fn, f) in SD.items():
    def reg(k=k, fn=fn, f=f):
        c = pw("sd" + k)
        @case(f"r22 shareable {k}", c)
        def _(h): L(h, fn, json.dumps(f(c)) + "\n")
    reg()

# codex-config.jsonc value positions
CC = {
    "unknown nested": '{\n  "runtime": {\n    "proxyAuth": "@C@"\n  }\n}\n',
    "comment after value": '{\n  "quietMode": true // token @C@\n}\n',
    "block comment": '{\n  /* my key: @C@ */\n  "quietMode": true\n}\n',
    "known key string value": '{\n  "rotationStrategy": "@C@"\n}\n',
    "env substitution": '{\n  "debugToken": "{env:@C@}"\n}\n',
    "file substitution": '{\n  "runtime": {"logDir": "{file:~/@C@/key.txt}"}\n}\n',
    "array element": '{\n  "models": ["gpt-5", "@C@"]\n}\n',
    "key is secret": '{\n  "@C@": true\n}\n',
}
for k, t in CC.items():
    def reg(k=k, t=t):
        c = pw("cc" + k)
        @case(f"r22 codex-config {k}", c)
        def _(h): h.write(".config/opencode/codex-config.jsonc", t.replace("@C@", c))
    reg()
OC = {
    "mcp env": lambda c: {"mcp": {"gh": {"type": "local", "command": ["npx", "gh-mcp"], "environment": {"GH_TOKEN": c}}}},
    "mcp headers": lambda c: {"mcp": {"x": {"type": "remote", "url": "https://mcp.example.com", "headers": {"Authorization": f"Bearer {c}"}}}},
    "mcp remote url token": lambda c: {"mcp": {"x": {"type": "remote", "url": f"https://mcp.example.com/sse?key={c}"}}},
    "mcp command arg": lambda c: {"mcp": {"x": {"type": "local", "command": ["node", "srv.js", "--password", c]}}},
    "provider baseURL userinfo": lambda c: {"provider": {"openai": {"options": {"baseURL": f"https://me:{c}@gw.example.com/v1"}}}},
    "provider headers": lambda c: {"provider": {"openai": {"options": {"headers": {"X-Org-Secret": c}}}}},
    "provider apiKey env": lambda c: {"provider": {"openai": {"options": {"apiKey": "{env:" + c + "}"}}}},
    "provider apiKey file": lambda c: {"provider": {"openai": {"options": {"apiKey": "{file:~/.secrets/" + c + "}"}}}},
    "provider name": lambda c: {"provider": {c: {"npm": "@ai-sdk/openai-compatible"}}},
    "agent prompt": lambda c: {"agent": {"build": {"prompt": f"You are {c}'s assistant"}}},
    "username": lambda c: {"username": c},
    "share + instructions": lambda c: {"instructions": [f"~/{c}/rules.md"]},
}
for k, f in OC.items():
    def reg(k=k, f=f):
        c = pw("oc" + k)
        @case(f"r22 opencode.json {k}", c)
        def _(h):
            d = {"plugin": ["@iam-brain/opencode-codex-auth@latest"]}
            d.update(f(c))
            h.wj(".config/opencode/opencode.json", d)
    reg()

# models cache planted fields
MC = {
    "extra field": lambda m, c: m.__setitem__("owner", c),
    "description": lambda m, c: m.__setitem__("description", f"internal model for {c}"),
    "slug": lambda m, c: m.__setitem__("slug", "gpt-5-" + c),
}
for k, f in MC.items():
    def reg(k=k, f=f):
        c = pw("mc" + k)
        @case(f"r22 models cache {k}", c)
        def _(h):
            d = json.loads(h.read(".config/opencode/cache/codex-models-cache.json"))
            f(d["models"][0], c)
            h.wj(".config/opencode/cache/codex-models-cache.json", d)
    reg()
c = pw("mcmetaurl")
@case("r22 models cache meta url", c)
def _(h): h.wj(".config/opencode/cache/codex-models-cache-meta.json", {"etag": 'W/"abc"', "tag": "rust-v0.144.0", "lastChecked": 1, "url": f"https://git.{c}.com/openai/codex/models.json"})
c = pw("mcgpt")
@case("r22 models cache per-account file", c)
def _(h): h.wj(".config/opencode/cache/codex-models-cache-abcdef12.json", {"fetchedAt": 1, "source": "server", "accountLabel": c, "models": []})
# quarantine names
for k, nm in {"quarantine email name": "codex-accounts.json.quarantine-@C@", "quarantine dir person": "quarantine/@C@/codex-accounts.json"}.items():
    def reg(k=k, nm=nm):
        c = pw("q" + k)
        @case(f"r22 {k}", c)
        def _(h): h.write(".config/opencode/" + nm.replace("@C@", c), "{}\n")
    reg()
