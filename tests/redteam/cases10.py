"""Round 2, third batch: pronounceable made-up words (no long consonant run) under every
key a schema still keeps in a word, version or time shape."""
import json
from redteam import case, LOGS
def L(h, name, text): h.log(name, text)

@case("r4 live-headers requestId word", "quinmorel")
def _(h): L(h, "live-headers.jsonl", json.dumps({"stage": "before-auth", "requestId": "quinmorel"}) + "\n")
@case("r4 response snapshot responseId word", "bramelfen")
def _(h): L(h, "2026-01-01T00-00-00-000Z-4242-abcd1234-response-1-outbound-response.json", json.dumps({"stage": "outbound-response", "responseId": "bramelfen", "status": 200}, indent=2))
@case("r4 shareable file word", "lumedrax")
def _(h): L(h, "shareable-debug.jsonl", json.dumps({"seq": 1, "event": "incident_opened", "file": "incident-lumedrax.jsonl"}) + "\n")
@case("r4 incident-state file word", "fenmoral")
def _(h): L(h, "shareable-debug-state/incident-state.json", json.dumps({"version": 1, "open": {"file": "fenmoral.jsonl", "openedAt": "2026-01-01T00:00:00.000Z"}}))
@case("r4 client version with suffix word", "quinlumel")
def _(h): h.wj(".config/opencode/cache/codex-client-version.json", {"version": "0.144.0-quinlumel", "fetchedAt": 1})
@case("r4 catalog meta tag with suffix word", "dravelon")
def _(h): h.wj(".config/opencode/cache/codex-models-cache-meta.json", {"etag": "x", "tag": "rust-v0.144.0-dravelon", "lastChecked": 1, "url": "https://raw.githubusercontent.com/openai/codex/rust-v0.144.0/codex-rs/models-manager/models.json"})
@case("r4 generic version with suffix word", "morelquin")
def _(h): L(h, "other.jsonl", json.dumps({"event": "x", "version": "1.2.3-morelquin"}) + "\n")
@case("r4 opencode schema url path word", "velanor")
def _(h): h.write(".config/opencode/opencode.json", json.dumps({"$schema": "https://opencode.ai/velanor/config.json", "plugin": ["@iam-brain/opencode-codex-auth@latest"]}, indent=2))
@case("r4 opencode plugin unscoped private word", "quinelbram")
def _(h): h.write(".config/opencode/opencode.json", json.dumps({"plugin": ["@iam-brain/opencode-codex-auth@latest", "quinelbram-tools"]}, indent=2))
@case("r4 opencode plugin tag word", "lumafen")
def _(h): h.write(".config/opencode/opencode.json", json.dumps({"plugin": ["@iam-brain/opencode-codex-auth@lumafen"]}, indent=2))
@case("r4 snapshot runId word", "fenquil")
def _(h): L(h, "live-headers.jsonl", json.dumps({"stage": "before-auth", "runId": "2026-01-01T00-00-00-000Z-4242-fenquil"}) + "\n")
@case("r4 error type word in snapshot", "moravel")
def _(h): L(h, "2026-01-01T00-00-00-000Z-4242-abcd1234-response-1-outbound-response.json", json.dumps({"stage": "outbound-response", "status": 400, "error": {"type": "moravel", "code": "moravel"}}, indent=2))
@case("r4 quota snapshot limit name", "quinavel")
def _(h): h.wj(".config/opencode/cache/codex-snapshots.json", {"acc|a@b.co|plus": {"updatedAt": 1, "modelFamily": "codex", "limits": [{"name": "quinavel", "leftPct": 5}]}})
@case("r4 catalog visibility word", "lumaquin")
def _(h): h.wj(".config/opencode/cache/codex-models-cache.json", {"fetchedAt": 1, "source": "lumaquin", "models": [{"slug": "gpt-5", "visibility": "lumaquin"}]})
@case("r4 log file name word", "quinavelor")
def _(h): L(h, "quinavelor-debug.log", "ok\n")
@case("r4 log folder name word", "bramelquin")
def _(h): L(h, "bramelquin/a.log", "ok\n")
@case("r4 accounts summary domain word", "moralquin")
def _(h):
    d = json.loads(h.read(".config/opencode/codex-accounts.json"))
    d["moralquin"] = {"type": "oauth", "accounts": []}
    h.wj(".config/opencode/codex-accounts.json", d)
@case("r4 store strategy word", "velquinor")
def _(h):
    d = json.loads(h.read(".config/opencode/codex-accounts.json"))
    d["openai"]["strategy"] = "velquinor"
    h.wj(".config/opencode/codex-accounts.json", d)
@case("r4 report opencode model provider word", "quinoral")
def _(h): h.write(".config/opencode/opencode.json", json.dumps({"plugin": ["@iam-brain/opencode-codex-auth@latest"], "model": "quinoral/gpt-5"}, indent=2))
@case("r4 env OPENCODE_CONFIG dir word", "velmoran")
def _(h):
    p = h.p("velmoran/opencode.json")
    import os
    os.makedirs(os.path.dirname(p), exist_ok=True)
    open(p, "w").write('{"plugin": ["@iam-brain/opencode-codex-auth@latest"]}\n')
    h.env["OPENCODE_CONFIG"] = p
