import json
from redteam import case, LOGS
def L(h, name, text): h.log(name, text)
BASE = {"timestamp": "2026-01-01T00:00:00.000Z", "runId": "2026-01-01T00-00-00-000Z-4242-abcd1234", "requestId": "req-1", "stage": "before-auth", "method": "POST", "url": "https://chatgpt.com/backend-api/codex/responses", "headers": {"content-type": "application/json", "user-agent": "opencode/1.2.3"}, "meta": {"attempt": 1}}
fields = ["timestamp", "runId", "requestId", "stage", "method", "url"]
for f in fields:
    def mk(f):
        w = "zorvlh" + f.lower()[:6]
        @case(f"live-headers field {f} word", w)
        def _(h):
            r = json.loads(json.dumps(BASE)); r[f] = w
            L(h, "live-headers.jsonl", json.dumps(r) + "\n")
        @case(f"live-headers field {f} name", ["Zorvnamef", "Bramnamel"])
        def _(h):
            r = json.loads(json.dumps(BASE)); r[f] = "Zorvnamef Bramnamel"
            L(h, "live-headers.jsonl", json.dumps(r) + "\n")
        @case(f"request snapshot field {f} word", w + "s")
        def _(h):
            r = json.loads(json.dumps(BASE)); r[f] = w + "s"
            L(h, "2026-01-01T00-00-00-000Z-4242-abcd1234-request-1-before-auth.json", json.dumps(r, indent=2))
    mk(f)
for k in ["accept", "openai-beta", "originator", "user-agent", "x-codex-primary-used-percent", "retry-after", "content-type", "version", "x-stainless-os", "x-request-id", "referer", "host", "from", "x-client-name", "x-user"]:
    def mk2(k):
        w = "zorvhd" + k.replace("-", "")[:6]
        @case(f"header {k} word", w)
        def _(h):
            r = json.loads(json.dumps(BASE)); r["headers"][k] = w
            L(h, "live-headers.jsonl", json.dumps(r) + "\n")
    mk2(k)
for k in ["reason", "attempt", "accountLabel", "user", "note", "email", "path", "identity", "label", "workspace"]:
    def mk3(k):
        w = "zorvmt" + k.lower()[:6]
        @case(f"meta {k} word", w)
        def _(h):
            r = json.loads(json.dumps(BASE)); r["meta"][k] = w
            L(h, "live-headers.jsonl", json.dumps(r) + "\n")
    mk3(k)
SD = {"seq": 1, "timestamp": "2026-01-01T00:00:00.000Z", "event": "fetch_attempt_response", "authMode": "native", "rotationStrategy": "sticky", "endpoint": "/backend-api/codex/responses", "status": 200, "outcome": "ok"}
for f in ["event", "authMode", "rotationStrategy", "endpoint", "outcome", "decision", "attemptReasonCode", "errorName", "selectedIdentity", "session", "promptCacheKey", "activeIdentity"]:
    def mk4(f):
        w = "zorvsd" + f.lower()[:6]
        @case(f"shareable {f} word", w)
        def _(h):
            r = dict(SD); r[f] = w
            L(h, "shareable-debug.jsonl", json.dumps(r) + "\n")
    mk4(f)
OL = {"ts": "2026-01-01T00:00:00.000Z", "pid": 1, "event": "callback_hit", "meta": {}}
for f in ["event", "status", "code", "reason", "mode", "error", "url", "stateTail", "message", "host", "port", "email"]:
    def mk5(f):
        w = "zorvol" + f.lower()[:6]
        @case(f"oauth meta {f} word", w)
        def _(h):
            r = json.loads(json.dumps(OL)); r["meta"][f] = w
            L(h, "oauth-lifecycle.log", json.dumps(r) + "\n")
    mk5(f)
