"""Round 4, batch 3: error messages and stack traces that embed values."""
import json
from redteam import case
from canary import pw, tok

ERRS = [
    ("invalid url userinfo", "TypeError: Invalid URL: https://jdoe:{c}@llm.internal.example/v1", "{c}"),
    ("invalid url words host", "TypeError [ERR_INVALID_URL]: Invalid URL: https://{c}.example.com/v1", "{c}"),
    ("enoent home path", "Error: ENOENT: no such file or directory, open '/home/{c}/.config/opencode/codex-config.jsonc'", "{c}"),
    ("eacces other user's home", "Error: EACCES: permission denied, mkdir '/Users/{c}/Library/Caches'", "{c}"),
    ("json unexpected token quoting value", "SyntaxError: Unexpected token 'p', \"password={c}\" is not valid JSON", "{c}"),
    ("json position quoting value", "SyntaxError: Unexpected token s in JSON at position 0: sk_{c}", "{c}"),
    ("fetch failed cause hostname", "TypeError: fetch failed\n    [cause]: Error: getaddrinfo ENOTFOUND {c}.corp\n", "{c}"),
    ("fetch failed cause connect", "TypeError: fetch failed {{ cause: ConnectTimeoutError: Connect Timeout Error (attempted address: {c}.lan:443, timeout: 10000ms) }}", "{c}"),
    ("zod invalid string", "ZodError: [ {{ \"code\": \"invalid_string\", \"validation\": \"url\", \"message\": \"Invalid url\", \"path\": [\"baseURL\"], \"received\": \"{c}\" }} ]", "{c}"),
    ("zod received value in message", "Invalid enum value. Expected 'sticky' | 'round-robin', received '{c}'", "{c}"),
    ("ajv must be equal", "config/apiKey must match pattern \"^sk-\" (value: \"{c}\")", "{c}"),
    ("python keyerror", "KeyError: '{c}'", "{c}"),
    ("python traceback locals", "  File \"/srv/app/main.py\", line 12, in main\n    client = OpenAI(api_key=\"{c}\")\n", "{c}"),
    ("rust panic with debug struct", "thread 'main' panicked at src/main.rs:4:5:\ncalled `Result::unwrap()` on an `Err` value: Auth {{ user: \"app\", password: \"{c}\" }}", "{c}"),
    ("go error with url", "Get \"https://api.example.com/v1?key={c}\": dial tcp: lookup api.example.com: no such host", "{c}"),
    ("node util.inspect headers", "Headers {{ authorization: 'Bearer {c}', accept: '*/*' }}", "{c}"),
    ("axios error config", "AxiosError: Request failed with status code 401\n  config: {{ headers: {{ 'X-API-KEY': '{c}' }} }}", "{c}"),
    ("undici headers timeout with socket", "HeadersTimeoutError: Headers Timeout Error\n  at Socket ... localAddress: '10.1.2.3', remoteAddress: '{c}.internal'", "{c}"),
    ("java exception message", "java.lang.IllegalArgumentException: Illegal base64 character in token {c}", "{c}"),
    ("npm ERR 401 with registry auth", "npm ERR! 401 Unauthorized - GET https://npm.pkg.github.com/@acme%2fpkg - authentication token {c} not valid", "{c}"),
    ("git fatal with credentials", "fatal: unable to access 'https://oauth2:{c}@gitlab.com/acme/app.git/': The requested URL returned error: 403", "{c}"),
    ("ssh permission denied user host", "{c}@build-01: Permission denied (publickey).", "{c}"),
    ("psql fatal password auth user", "psql: error: FATAL:  password authentication failed for user \"{c}\"", "{c}"),
    ("mongo uri error", "MongoParseError: URI malformed: mongodb+srv://app:{c}@cluster0.mongodb.net", "{c}"),
    ("docker daemon error registry creds", "Error response from daemon: Get \"https://registry.acme.io/v2/\": unauthorized: incorrect username or password {c}", "{c}"),
    ("stack frame path in user home windows", "    at Object.<anonymous> (C:\\Users\\{c}\\AppData\\Roaming\\npm\\node_modules\\opencode-ai\\bin\\opencode:3:1)", "{c}"),
    ("stack frame file url", "    at file:///home/{c}/.cache/opencode/node_modules/@iam-brain/opencode-codex-auth/dist/index.js:10:5", "{c}"),
    ("bun error source line", "error: Unexpected identifier\n  const apiKey = \"{c}\"\n                 ^\n    at /work/app/index.ts:1:16", "{c}"),
]
for i, (name, tmpl, _) in enumerate(ERRS):
    def reg(i=i, name=name, tmpl=tmpl):
        c = pw(f"err{i}") if "home" not in name and "Users" not in tmpl and "@build" not in tmpl and "for user" not in tmpl else "zq" + pw(f"err{i}").split("-")[0]
        text = tmpl.format(c=c)
        @case(f"r13 {name} (text log)", c)
        def _(h): h.log("a.log", text + "\n")
        if i % 2 == 0:
            @case(f"r13 {name} (error.message in jsonl)", c)
            def _(h): h.log("live-headers.jsonl", json.dumps({"stage": "outbound-response", "status": 500, "error": {"message": text, "code": "server_error"}}) + "\n")
        else:
            @case(f"r13 {name} (stack in generic json)", c)
            def _(h): h.log("other.jsonl", json.dumps({"level": "error", "err": {"name": "Error", "stack": text}}) + "\n")
    reg()
