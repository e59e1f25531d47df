"""Round 2: new shapes. Random mixed-case alnum canaries (8-40 chars, with and without a
prefix) in every file type the bundle takes; keys; split values; number-looking strings;
Unicode look-alikes, full-width, zero-width; YAML/TOML/INI; stack traces; HTTP lines."""
import json, random
from redteam import case, LOGS

rnd = random.Random(20261203)
ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


def tok(n, prefix=""):
    while True:
        s = "".join(rnd.choice(ALNUM) for _ in range(n))
        # mixed case and a digit, like a real credential
        if any(c.isupper() for c in s) and any(c.islower() for c in s) and any(c.isdigit() for c in s):
            return prefix + s


def L(h, name, text):
    h.log(name, text)


FW = {c: chr(ord(c) + 0xFEE0) for c in ALNUM}


def fullwidth(s):
    return "".join(FW.get(c, c) for c in s)


ZW = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad"]


def zw(s, z):
    return z.join(s[i:i + 3] for i in range(0, len(s), 3))


CYR = {"a": "\u0430", "e": "\u0435", "o": "\u043e", "p": "\u0440", "c": "\u0441", "x": "\u0445", "A": "\u0410", "B": "\u0412", "E": "\u0415", "K": "\u041a", "M": "\u041c", "H": "\u041d", "O": "\u041e", "P": "\u0420", "C": "\u0421", "T": "\u0422", "X": "\u0425"}


def cyr(s):
    return "".join(CYR.get(c, c) for c in s)


# ---- plain tokens of every length, with and without a prefix, in plain log text
for n in (8, 9, 10, 11, 12, 14, 16, 20, 24, 32, 40):
    for prefix in ("", "sk_", "tok-", "key."):
        t = tok(n, prefix)

        def mk(t=t, n=n, prefix=prefix):
            @case(f"r2 token len {n} prefix {prefix!r} in text", t)
            def _(h):
                L(h, "a.log", f"retrying with {t} now\n")

            @case(f"r2 token len {n} prefix {prefix!r} as k=v", t)
            def _(h):
                L(h, "a.log", f"ref={t} ok\n")

            @case(f"r2 token len {n} prefix {prefix!r} in generic json", t)
            def _(h):
                L(h, "other.jsonl", json.dumps({"event": "x", "value": t}) + "\n")
        mk()

# ---- tokens in every file type the bundle takes
T = tok(14)
@case("r2 token in live-headers meta", T)
def _(h): L(h, "live-headers.jsonl", json.dumps({"timestamp": "2026-01-01T00:00:00.000Z", "stage": "before-auth", "meta": {"note": T}}) + "\n")
T2 = tok(10)
@case("r2 token in shareable file field", T2)
def _(h): L(h, "shareable-debug.jsonl", json.dumps({"seq": 1, "event": "incident_opened", "file": T2}) + "\n")
T3 = tok(10)
@case("r2 token in incident-state file", T3)
def _(h): L(h, "shareable-debug-state/incident-state.json", json.dumps({"version": 1, "open": {"file": f"incident-{T3}.jsonl"}}))
T4 = tok(12)
@case("r2 token in segment", T4)
def _(h): L(h, "shareable-debug-state/segments/segment-0000000000000001.jsonl", json.dumps({"seq": 1, "event": "rotation_decision", "decision": T4}) + "\n")
T5 = tok(12)
@case("r2 token in opencode.jsonc comment block", T5)
def _(h): h.write(".config/opencode/opencode.jsonc", '/* key: ' + T5 + ' */\n{"plugin":["@iam-brain/opencode-codex-auth@latest"]}\n')
T6 = tok(12)
@case("r2 token in codex-config.jsonc line comment", T6)
def _(h):
    c = h.read(".config/opencode/codex-config.jsonc")
    h.write(".config/opencode/codex-config.jsonc", "// " + T6 + "\n" + c)
T7 = tok(9)
@case("r2 token as codex-config value under allowlisted key", T7)
def _(h): h.write(".config/opencode/codex-config.jsonc", '{"runtime": {"mode": "' + T7 + '"}}\n')
T8 = tok(11)
@case("r2 token in quarantine file content", T8)
def _(h): h.write(".config/opencode/quarantine/codex-accounts.json.1767225600000.quarantine.json", json.dumps({"openai": {"type": "oauth", "accounts": [{"note": T8}]}}))
T9 = tok(12)
@case("r2 token in client version cache", T9)
def _(h): h.wj(".config/opencode/cache/codex-client-version.json", {"version": T9, "fetchedAt": 1})
T10 = tok(12)
@case("r2 token in catalog meta etag", T10)
def _(h): h.wj(".config/opencode/cache/codex-models-cache-meta.json", {"etag": 'W/"' + T10 + '"', "tag": "rust-v0.144.0", "lastChecked": 1, "url": "https://raw.githubusercontent.com/openai/codex/rust-v0.144.0/codex-rs/models-manager/models.json"})
T11 = tok(12)
@case("r2 token in env value", T11)
def _(h): h.env["OPENCODE_DISABLE_X"] = T11
T12 = tok(16)
@case("r2 token in env name", T12)
def _(h): h.env["CODEX_" + T12.upper()] = "1"
T13 = tok(10)
@case("r2 token in snapshot limit name", T13)
def _(h): h.wj(".config/opencode/cache/codex-snapshots.json", {"acc|a@b.co|plus": {"updatedAt": 1, "modelFamily": T13, "limits": [{"name": "requests", "leftPct": 5}]}})
T14 = tok(10)
@case("r2 token in models cache slug", T14)
def _(h): h.wj(".config/opencode/cache/codex-models-cache.json", {"fetchedAt": 1, "source": "github", "models": [{"slug": "gpt-5-" + T14}]})

# ---- keys rather than values
K1 = tok(12)
@case("r2 token as a json key in a log", K1)
def _(h): L(h, "other.jsonl", json.dumps({"event": "x", K1: 1}) + "\n")
K2 = tok(12)
@case("r2 token as a key in live-headers headers", K2)
def _(h): L(h, "live-headers.jsonl", json.dumps({"stage": "before-auth", "headers": {"x-" + K2.lower(): "1"}}) + "\n")
K3 = tok(10)
@case("r2 token as a key in opencode.json", K3)
def _(h): h.write(".config/opencode/opencode.json", json.dumps({"plugin": ["@iam-brain/opencode-codex-auth@latest"], "provider": {K3: {"npm": "x"}}}, indent=2))
K4 = tok(10)
@case("r2 token as yaml key", K4)
def _(h): L(h, "a.log", f"secrets:\n  {K4}: true\n")

# ---- split over keys and values
S1 = tok(16)
@case("r2 token split over two json values", [S1[:8], S1[8:]])
def _(h): L(h, "other.jsonl", json.dumps({"event": "x", "a": S1[:8], "b": S1[8:]}) + "\n")
S2 = tok(16)
@case("r2 token split over key and value", [S2[:8], S2[8:]])
def _(h): L(h, "other.jsonl", json.dumps({S2[:8]: S2[8:]}) + "\n")
S3 = tok(16)
@case("r2 token split over two k=v", [S3[:8], S3[8:]])
def _(h): L(h, "a.log", f"p1={S3[:8]} p2={S3[8:]}\n")
S4 = tok(18)
@case("r2 token split in three array items", [S4[:6] + S4[6:12], S4[12:]])
def _(h): L(h, "other.jsonl", json.dumps({"event": "x", "parts": [S4[:6], S4[6:12], S4[12:]]}) + "\n")

# ---- number-looking strings
@case("r2 numeric id 12 digits", "739182640517")
def _(h): L(h, "a.log", "account 739182640517 suspended\n")
@case("r2 numeric string in json", "739182640518")
def _(h): L(h, "other.jsonl", json.dumps({"event": "x", "account": "739182640518"}) + "\n")
@case("r2 card number spaced", "4539 1488 0343 6467")
def _(h): L(h, "a.log", "card 4539 1488 0343 6467 declined\n")
@case("r2 card number dashed", "4539-1488-0343-6468")
def _(h): L(h, "a.log", "card 4539-1488-0343-6468 declined\n")
@case("r2 hex with 0x", "0x7f3a9c2e1b4d")
def _(h): L(h, "a.log", "key 0x7f3a9c2e1b4d loaded\n")
@case("r2 numeric with letters suffix", "83920174x")
def _(h): L(h, "a.log", "ticket 83920174x\n")
@case("r2 decimal secret", "3.14159265358979")
def _(h): L(h, "a.log", "pin=3.14159265358979\n")

# ---- Unicode
U1 = tok(14)
@case("r2 full-width token", U1)
def _(h): L(h, "a.log", "token " + fullwidth(U1) + "\n")
U2 = tok(14)
@case("r2 full-width token in json", U2)
def _(h): L(h, "other.jsonl", json.dumps({"event": "x", "value": fullwidth(U2)}, ensure_ascii=False) + "\n")
U3 = tok(14)
@case("r2 full-width token escaped in json", U3)
def _(h): L(h, "other.jsonl", json.dumps({"event": "x", "value": fullwidth(U3)}) + "\n")
for i, z in enumerate(ZW):
    def mkz(i=i, z=z):
        t = tok(15)
        @case(f"r2 zero-width {i} inside token", t)
        def _(h): L(h, "a.log", "token " + zw(t, z) + "\n")
        t2 = tok(15)
        @case(f"r2 zero-width {i} inside token in json", t2)
        def _(h): L(h, "other.jsonl", json.dumps({"event": "x", "message": "uses " + zw(t2, z)}, ensure_ascii=False) + "\n")
        w = "zorvzw" + str(i) + "secretword"
        @case(f"r2 zero-width {i} inside shareable event", w)
        def _(h): L(h, "shareable-debug.jsonl", json.dumps({"seq": 1, "event": zw(w, z)}, ensure_ascii=False) + "\n")
    mkz()
C1 = "QzKvRwXpLmTa"
@case("r2 cyrillic look-alike token", C1)
def _(h): L(h, "a.log", "token " + cyr(C1) + "\n")
@case("r2 cyrillic look-alike name", ["Tomasz", "Kowalczyk"])
def _(h): L(h, "a.log", "owner: " + cyr("Tomasz Kowalczyk") + "\n")
@case("r2 nfkc ligature word", "zorvfiresecret")
def _(h): L(h, "a.log", "word zorv\ufb01resecret\n")
@case("r2 math bold token", "QzKv8Rw3XpLm")
def _(h): L(h, "a.log", "t " + "".join(chr(0x1D400 + ord(c) - 65) if c.isupper() else (chr(0x1D41A + ord(c) - 97) if c.islower() else chr(0x1D7CE + ord(c) - 48)) for c in "QzKv8Rw3XpLm") + "\n")
E1 = tok(12)
@case("r2 email full-width at", "zorvfw")
def _(h): L(h, "a.log", "mail zorvfw\uff20example.org\n")
@case("r2 email with unicode dot", "zorvud")
def _(h): L(h, "a.log", "mail zorvud@example\u3002org\n")
@case("r2 email in IDN", "zorvidn")
def _(h): L(h, "a.log", "mail zorvidn@b\u00fccher.de\n")

# ---- YAML / TOML / INI
Y1 = tok(12)
@case("r2 toml quoted key value", Y1)
def _(h): L(h, "a.log", f'[auth]\napi_key = "{Y1}"\n')
@case("r2 toml word secret", "lanternfish")
def _(h): L(h, "a.log", '[server]\nclient_secret = "lanternfish"\n')
@case("r2 ini word password", "copperkettle")
def _(h): L(h, "a.log", "[db]\nPassword=copperkettle\n")
@case("r2 yaml list item word under secrets", "amberlantern")
def _(h): L(h, "a.log", "secrets:\n  - amberlantern\n")
@case("r2 yaml token under token key", "silverbrook")
def _(h): L(h, "a.log", "auth:\n  token: silverbrook\n")
@case("r2 yaml flow map", "quietmeadow")
def _(h): L(h, "a.log", "creds: {user: admin, pass: quietmeadow}\n")
@case("r2 env file export", "hollowpine")
def _(h): L(h, "a.log", "export OPENAI_API_KEY=hollowpine\n")
@case("r2 dotenv quoted", "mossgarden")
def _(h): L(h, "a.log", 'SECRET_KEY="mossgarden"\n')
@case("r2 properties colon", "velvetthorn")
def _(h): L(h, "a.log", "db.password: velvetthorn\n")
@case("r2 xml element", "copperfield")
def _(h): L(h, "a.log", "<password>copperfield</password>\n")
@case("r2 xml attribute", "marblehaven")
def _(h): L(h, "a.log", '<user name="x" password="marblehaven"/>\n')
@case("r2 json key with password as word", "pebbleshore")
def _(h): L(h, "other.jsonl", json.dumps({"event": "x", "dbPassword": "pebbleshore"}) + "\n")

# ---- stack traces
ST1 = tok(12)
@case("r2 stack trace frame with token in path", ST1)
def _(h): L(h, "a.log", f"Error: boom\n    at fetch (/tmp/{ST1}/index.js:1:2)\n")
@case("r2 stack trace windows user", "Zorvwinu")
def _(h): L(h, "a.log", "    at run (C:\\Users\\Zorvwinu\\dev\\app.js:3:4)\n")
@case("r2 stack trace file url", "zorvfileu")
def _(h): L(h, "a.log", "    at file:///home/zorvfileu/app/index.mjs:3:4\n")
@case("r2 stack trace message with name", ["Brannoc", "Quillfeather"])
def _(h): L(h, "a.log", "Error: user Brannoc Quillfeather not allowed\n    at x (/app/a.js:1:1)\n")
@case("r2 python traceback", "zorvpyhome")
def _(h): L(h, "a.log", 'Traceback (most recent call last):\n  File "/home/zorvpyhome/app.py", line 3, in <module>\n')
@case("r2 rust panic", "zorvrsuser")
def _(h): L(h, "a.log", "thread 'main' panicked at /home/zorvrsuser/src/main.rs:3:5:\n")
@case("r2 macos volume path", "zorvmacv")
def _(h): L(h, "a.log", "open /Volumes/Macintosh HD/Users/zorvmacv/x\n")
@case("r2 var folders", "zorvvarf")
def _(h): L(h, "a.log", "tmp /private/var/folders/zz/zorvvarf/T/x\n")

# ---- HTTP request lines
H1 = tok(12)
@case("r2 http request line path token", H1)
def _(h): L(h, "a.log", f"GET /reset/{H1} HTTP/1.1\n")
@case("r2 http request line user path", "zorvhttpu")
def _(h): L(h, "a.log", "GET /api/users/zorvhttpu/profile HTTP/1.1\n")
H2 = tok(12)
@case("r2 http query token", H2)
def _(h): L(h, "a.log", f"POST /v1/things?sig={H2}&x=1 HTTP/2\n")
@case("r2 http host header", "zorvhosty")
def _(h): L(h, "a.log", "Host: zorvhosty.internal\n")
@case("r2 http x-api-key word", "brightcanyon")
def _(h): L(h, "a.log", "X-Api-Key: brightcanyon\n")
@case("r2 http cookie word", "gentleriver")
def _(h): L(h, "a.log", "Cookie: session=gentleriver; theme=dark\n")
@case("r2 http basic auth base64", "zorvbasic:pass")
def _(h): L(h, "a.log", "Authorization: Basic em9ydmJhc2ljOnBhc3M=\n")
@case("r2 curl -H header", "amberfalcon")
def _(h): L(h, "a.log", "curl -H 'X-Auth: amberfalcon' https://chatgpt.com/\n")
@case("r2 url userinfo word", "zorvui")
def _(h): L(h, "a.log", "fetch https://zorvui:pw@chatgpt.com/x\n")
@case("r2 websocket url token", "Xq93LmPz0Tr8")
def _(h): L(h, "a.log", "connect wss://chatgpt.com/ws?ticket=Xq93LmPz0Tr8\n")

# ---- allowlisted value keys in plain log JSON (torn or overlong lines bypass the schema)
@case("r2 torn shareable line authMode word", "zorvtornauth")
def _(h): L(h, "shareable-debug.jsonl", '{"seq":1,"event":"fetch_attempt_response","authMode":"zorvtornauth"\n')
@case("r2 torn shareable line event word", "zorvtornevent")
def _(h): L(h, "shareable-debug.jsonl", '{"seq":1,"event":"zorvtornevent","authMode":"native"\n')
@case("r2 array line in shareable", "zorvarrevent")
def _(h): L(h, "shareable-debug.jsonl", '[{"seq":1,"event":"zorvarrevent"}]\n')
@case("r2 overlong shareable line event word", "zorvlongevent")
def _(h): L(h, "shareable-debug.jsonl", '{"seq":1,"event":"zorvlongevent","pad":"' + "a " * 600000 + '"}\n')
@case("r2 originator in text log", "zorvorigtext")
def _(h): L(h, "a.log", '{"headers":{"originator":"zorvorigtext"}}\n')
@case("r2 errorName in text log", "zorverrtext")
def _(h): L(h, "a.log", '{"errorName":"zorverrtext"}\n')
@case("r2 user-agent in text log", "zorvuatext")
def _(h): L(h, "a.log", 'user-agent: zorvuatext/1.0\n')
@case("r2 request snapshot statusText word", "zorvquinstatus")
def _(h): L(h, "2026-01-01T00-00-00-000Z-4242-abcd1234-response-1-outbound-response.json", json.dumps({"stage": "outbound-response", "status": 400, "statusText": "zorvquinstatus"}, indent=2))
@case("r2 request snapshot error message word", "zorverrmsgword")
def _(h): L(h, "2026-01-01T00-00-00-000Z-4242-abcd1234-response-1-outbound-response.json", json.dumps({"stage": "outbound-response", "status": 400, "error": {"message": "zorverrmsgword"}}, indent=2))
