import json
from redteam import case, LOGS
def L(h, name, text): h.log(name, text)
for k in ["user", "username", "login", "owner", "account", "AccountName", "hostname", "host", "computer", "id", "name", "workspace", "org", "project", "repo", "branch", "cwd", "file", "path", "email", "handle", "author", "tenant", "team", "customer", "device", "machine", "server", "db", "database", "bucket", "region", "profile", "role", "group", "label", "title", "version", "model", "plan", "type"]:
    def mk(k):
        v = "zorvkv" + k.lower()[:5]
        @case(f"kv text {k}=word", v)
        def _(h): L(h, "a.log", f"config {k}={v} ok\n")
        @case(f"json key {k} word", v + "j")
        def _(h): L(h, "a.jsonl", json.dumps({"event": "x", k: v + "j"}) + "\n")
        @case(f"yaml {k}: word", v + "y")
        def _(h): L(h, "a.log", f"  {k}: {v}y\n")
    mk(k)
@case("file url path in report plugin", "zorvfileq")
def _(h): h.write(".config/opencode/opencode.json", '{"plugin":["file:///home/x/zorvfileq/plugin.js"]}\n')
