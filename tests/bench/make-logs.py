#!/usr/bin/env python3
"""Fills <home>/.config/opencode/logs/codex-plugin with MB megabytes of synthetic plugin logs
(live headers, shareable debug, OAuth lifecycle, segments), for the bundle benchmark.

Usage: make-logs.py HOME_DIR [MB] [ACCOUNTS]
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
        block.append(json.dumps(line(seq), separators=(",", ":")))
    chunk = ("\n".join(block) + "\n").encode()
    with open(p, "wb") as f:
        written = 0
        while written < per:
            f.write(chunk)
            written += len(chunk)
    os.chmod(p, 0o600)
print(logs)
