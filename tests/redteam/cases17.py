"""Round 3, batch 7: realistic backend and Node error messages inside the plugin's own
structured logs (error.message of a response snapshot, live-headers, shareable-debug,
OAuth lifecycle, generic JSON), where a schema keeps a phrase."""
import json
from redteam import case, LOGS

SNAP = "2026-01-01T00-00-00-000Z-4242-abcd1234-response-1-outbound-response.json"
MSGS = {
    "org handle": ("Your organization zq-labs-inc has disabled access to this model.", "zq-labs-inc"),
    "workspace quoted": ("Workspace 'Zqacme Holdings' is deactivated.", "Zqacme Holdings"),
    "signed in as": ("You are signed in as zqsigned42 but this workspace requires SSO.", "zqsigned42"),
    "email in message": ("The account zq.msg+codex@acme-corp.example is not part of this workspace.", "zq.msg+codex@acme-corp.example"),
    "cert altnames": ("Hostname/IP does not match certificate's altnames: Host: chatgpt.com. is not in the cert's altnames: DNS:*.zqproxyco.com", "zqproxyco"),
    "cert subject": ("self signed certificate in certificate chain (subject: CN=Zqroot Authority,O=Zqproxyco Inc)", "Zqroot Authority"),
    "proxy host": ("getaddrinfo ENOTFOUND proxy.zqproxyco.com", "zqproxyco"),
    "ip port": ("connect ECONNREFUSED 10.44.55.66:3128", "10.44.55.66"),
    "windows path": ("EPERM: operation not permitted, rename 'C:\\Users\\zqwinpath\\.config\\opencode\\codex-accounts.json.tmp'", "zqwinpath"),
    "onedrive": ("ENOENT: C:\\Users\\x\\OneDrive - Zqonedrive Ltd\\proj", "Zqonedrive"),
    "phone": ("Verify your phone number +81 90-1234-5678 to continue.", "90-1234-5678"),
    "ft model": ("The model 'ft:gpt-4o-2024-08-06:zqftco::AbC12345' does not exist", "zqftco"),
    "user handle": ("user zq_handle_7 is not a member of organization org-AbCdEf123456", "zq_handle_7"),
    "ssh host": ("ssh: Could not resolve hostname zqbuildhost: Name or service not known", "zqbuildhost"),
}
for label, (msg, canary) in MSGS.items():
    def reg(label=label, msg=msg, canary=canary):
        @case(f"r8 snapshot error.message {label}", canary)
        def _(h): h.log(SNAP, json.dumps({"stage": "outbound-response", "status": 403, "error": {"message": msg, "code": "forbidden"}}, indent=2))
        @case(f"r8 live-headers error message {label}", canary)
        def _(h): h.log("live-headers.jsonl", json.dumps({"stage": "outbound-response", "status": 403, "error": {"message": msg}}) + "\n")
        @case(f"r8 shareable-debug message {label}", canary)
        def _(h): h.log("shareable-debug.jsonl", json.dumps({"seq": 1, "event": "request_error", "message": msg, "errorName": "Error"}) + "\n")
        @case(f"r8 oauth lifecycle meta message {label}", canary)
        def _(h): h.log("oauth-lifecycle.log", json.dumps({"ts": "2026-01-01T00:00:00.000Z", "pid": 1, "event": "callback_error", "meta": {"error": msg}}) + "\n")
        @case(f"r8 generic json message {label}", canary)
        def _(h): h.log("other.jsonl", json.dumps({"event": "x", "message": msg}) + "\n")
        @case(f"r8 text log line {label}", canary)
        def _(h): h.log("a.log", f"[2026-01-01T00:00:00Z] ERROR {msg}\n")
        @case(f"r8 sse error data line {label}", canary)
        def _(h): h.log("a.log", "event: error\ndata: " + json.dumps({"type": "error", "error": {"message": msg}}) + "\n\n")
    reg()
