#!/usr/bin/env python3
"""Fills <home>/.config/opencode/logs/codex-plugin with MB megabytes of synthetic plugin logs
(live headers, shareable debug, OAuth lifecycle, segments), for the bundle benchmark.

Usage: make-logs.py HOME_DIR [MB] [ACCOUNTS] [simple|varied]

`simple` (the default) repeats four record shapes with raw tokens, emails and callback
URLs in them (the plugin's files before its own redaction, the engine's worst case).
`varied` writes every event and field the reference lists for the shareable debug log
(11.5), the OAuth lifecycle log (11.2) and the live headers (11.3), with the values the
plugin writes (pseudonyms, `[redacted]`, epoch milliseconds, header values, user agents
with their platform), as a real log folder holds them.
"""
import base64, json, os, random, sys

home = sys.argv[1]
total = int(sys.argv[2]) if len(sys.argv) > 2 else 200
n = int(sys.argv[3]) if len(sys.argv) > 3 else 50
logs = os.path.join(home, ".config", "opencode", "logs", "codex-plugin")
os.makedirs(logs, exist_ok=True)
rnd = random.Random(42)

def jwt(payload):
    b = base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")
    return "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9." + b + ".c2lnbmF0dXJlLXNpZ25hdHVyZQ"

varied = len(sys.argv) > 4 and sys.argv[4] == "varied"

def ts():
    return (f"2025-0{rnd.randrange(1, 9)}-1{rnd.randrange(9)}T{rnd.randrange(24):02d}:"
            f"{rnd.randrange(60):02d}:{rnd.randrange(60):02d}.{rnd.randrange(1000):03d}Z")

def h8():
    return f"{rnd.getrandbits(32):08x}"

def ms():
    return 1733300000000 + rnd.randrange(10**9)

def shareable(seq):
    e = rnd.choice(["rotation_begin", "rotation_decision", "rotation_candidate_selected",
                    "fetch_attempt_request", "fetch_attempt_response", "retry_after_429",
                    "auth_failure", "synthetic_fatal_error", "process_failure",
                    "incident_opened", "incident_closed"])
    r = {"seq": seq, "timestamp": ts(), "event": e}
    ident, sess = lambda: "ident_" + h8(), lambda: "sess_" + h8()
    if e == "rotation_begin":
        r.update(authMode="native", rotationStrategy=rnd.choice(["sticky", "hybrid", "round_robin"]),
                 totalAccounts=3, enabledAccounts=2, activeIdentity=ident(), session=sess())
    elif e == "rotation_decision":
        r.update(decision=rnd.choice(["keep", "switch"]), counters={"eligible": 3, "cooling": 1, "disabled": 0},
                 selectedIndex=1, selectedIdentity=ident(), activeIdentity=ident(), session=sess(), attempt=1)
    elif e == "rotation_candidate_selected":
        r.update(selectedIndex=2, selectedEnabled=True, selectedCooldownUntil=rnd.choice([None, ms()]),
                 selectedExpires=ms(), selectedIdentity=ident(), attempt=2)
    elif e == "fetch_attempt_request":
        r.update(rotationStrategy="hybrid", attempt=1, maxAttempts=3,
                 attemptReasonCode=rnd.choice(["initial", "retry_after_429", "auth_refresh"]), method="POST",
                 endpoint="/backend-api/codex/responses", selectedIdentity=ident(), activeIdentity=ident(),
                 session=sess(), promptCacheKey="pck_" + h8())
    elif e == "fetch_attempt_response":
        r.update(rotationStrategy="hybrid", attempt=1, maxAttempts=3, method="POST",
                 endpoint="/backend-api/codex/responses", status=rnd.choice([200, 429, 401, 500]),
                 selectedIdentity=ident(), session=sess())
    elif e == "retry_after_429":
        r.update(waitMs=rnd.randrange(60000), attempt=2, selectedIdentity=ident())
    elif e == "auth_failure":
        r.update(outcome="refresh_failed", status=401, waitMs=1500)
    elif e == "synthetic_fatal_error":
        r.update(outcome="all_accounts_cooling", status=429, endpoint="/backend-api/codex/responses")
    elif e == "process_failure":
        r.update(authMode="codex", outcome=rnd.choice(["sigterm", "uncaught_exception"]), status=500,
                 errorName="TypeError")
    else:
        r = {"timestamp": ts(), "event": e,
             "file": f"incident-2025-01-01T00-00-00-000Z-{h8()}-1a2b-4c3d-9e8f-0123456789ab.jsonl",
             "reason": rnd.choice(["trigger", "recovered", "missing_output", "interrupted"])}
        if e == "incident_closed":
            r["incomplete"] = False
    return r

def lifecycle(seq):
    e = rnd.choice(["server_starting", "server_started", "callback_hit", "token_exchange_start",
                    "token_exchange_success", "callback_wait_start", "browser_open_attempt", "server_stopped"])
    meta = {}
    if e == "server_starting":
        meta = {"port": 1455, "host": "127.0.0.1"}
    elif e == "callback_wait_start":
        meta = {"stateTail": h8()[:6]}
    elif e == "callback_hit":
        meta = {"path": "/auth/callback", "hasCode": True}
    elif e == "browser_open_attempt":
        meta = {"url": "https://auth.openai.com/oauth/authorize?client_id=app_EMoamEEZ73f0CkXaXp7hrann&state=[redacted]"}
    elif e == "token_exchange_success":
        i = rnd.randrange(n)
        meta = {"email": f"user{i}@example.com", "plan": "plus"}
    return {"ts": ts(), "pid": rnd.randrange(1000, 99999), "event": e, "meta": meta}

def live_headers(seq):
    agent = rnd.choice(["opencode/1.10.0 (linux 6.8.0-45-generic; x64)",
                        "opencode/1.0.134 ai-sdk/provider-utils/3.0.9 runtime/bun/1.2.21",
                        "codex_cli_rs/1.10.0 (Mac OS 15.1.0; arm64) iTerm.app/3.5.10"])
    return {"timestamp": ts(), "runId": f"2025-01-01T00-00-00-000Z-{rnd.randrange(99999)}-{h8()}",
            "requestId": f"req-{seq}", "stage": rnd.choice(["before-auth", "after-sanitize", "outbound-attempt"]),
            "method": "POST", "url": "https://chatgpt.com/backend-api/codex/responses",
            "headers": {"accept": "text/event-stream", "authorization": "Bearer [redacted]",
                        "chatgpt-account-id": "[redacted]", "content-type": "application/json",
                        "openai-beta": "responses=experimental", "originator": "codex_cli_rs",
                        "session_id": "[redacted]", "user-agent": agent},
            "prompt_cache_key": "[redacted]", "meta": {"attempt": 1, "identity": "[redacted]"}}

def varied_line(name, seq):
    if name.startswith("live-headers"):
        return live_headers(seq)
    if name.startswith("oauth-lifecycle"):
        return lifecycle(seq)
    return shareable(seq)

def line(seq):
    i = rnd.randrange(n)
    aid, email = f"acc_{i:04d}", f"user{i}@example.com"
    k = seq % 4
    if k == 0:
        return {"timestamp": "2025-01-01T00:00:00.000Z", "runId": f"2025-01-01T00-00-00-000Z-{seq % 99999}-abcd1234",
                "requestId": f"req-{seq}", "stage": "outbound-attempt", "method": "POST",
                "url": "https://chatgpt.com/backend-api/codex/responses",
                "headers": {"authorization": "Bearer " + jwt({"email": email, "chatgpt_account_id": aid}),
                            "chatgpt-account-id": aid, "session_id": f"ses_{rnd.getrandbits(64):016x}",
                            "originator": "codex_cli_rs", "user-agent": "opencode/1.2.3"},
                "prompt_cache_key": "[redacted]", "meta": {"attempt": seq % 3}}
    if k == 1:
        return {"seq": seq, "timestamp": "2025-01-01T00:00:00.000Z", "event": "fetch_attempt_response",
                "rotationStrategy": "sticky", "attempt": 1, "maxAttempts": 3,
                "endpoint": "/backend-api/codex/responses", "status": rnd.choice([200, 200, 429, 401]),
                "selectedIdentity": f"ident_{rnd.getrandbits(32):08x}", "session": f"sess_{rnd.getrandbits(32):08x}",
                "waitMs": rnd.randrange(5000)}
    if k == 2:
        return {"ts": "2025-01-01T00:00:00.000Z", "pid": 4242, "event": "token_exchange_success",
                "meta": {"email": email, "identityKey": f"{aid}|{email}|plus",
                         "url": f"http://localhost:1455/auth/callback?code=ac_{rnd.getrandbits(48):x}&state={rnd.getrandbits(48):x}"}}
    return {"seq": seq, "event": "rotation_decision", "decision": "keep", "counters": {"eligible": 3, "cooling": 0},
            "selectedIndex": seq % 3, "durationMs": rnd.random() * 900}

names = ["live-headers.jsonl", "live-headers.jsonl.1", "shareable-debug.jsonl", "shareable-debug.jsonl.1",
         "oauth-lifecycle.log", "oauth-lifecycle.log.1"] + \
        [f"shareable-debug-state/segments/segment-{i:016d}.jsonl" for i in range(4)]
per = total * 1024 * 1024 // len(names)
seq = 0
for name in names:
    p = os.path.join(logs, name)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    # A block of distinct lines, repeated: realistic content without minutes of Python.
    block = []
    for _ in range(2000):
        seq += 1
        record = varied_line(name, seq) if varied else line(seq)
        block.append(json.dumps(record, separators=(",", ":")))
    chunk = ("\n".join(block) + "\n").encode()
    with open(p, "wb") as f:
        written = 0
        while written < per:
            f.write(chunk)
            written += len(chunk)
    os.chmod(p, 0o600)
print(logs)
