"""Round 4, batch 5: environment.json routes, names of files and folders under the logs
folder at every depth, chunk boundaries of the parallel redaction, >1 MiB lines, gzip."""
import gzip, json
from redteam import case, LOGS
from canary import pw, tok

ENV = [
    ("OPENCODE_CONFIG_CONTENT", lambda c: json.dumps({"provider": {"openai": {"options": {"apiKey": c}}}})),
    ("OPENCODE_CONFIG_CONTENT", lambda c: json.dumps({"mcp": {"x": {"environment": {"GITHUB_PERSONAL_ACCESS_TOKEN": c}}}})),
    ("OPENCODE_CONFIG_CONTENT", lambda c: json.dumps({"mcp": {"x": {"headers": {"Authorization": "Bearer " + c}}}})),
    ("OPENCODE_CONFIG_CONTENT", lambda c: "{\n  \"provider\": {\"x\": {\"options\": {\"apiKey\":\n \"" + c + "\"}}}\n}"),
    ("HTTPS_PROXY", lambda c: f"http://jdoe:{c}@proxy.corp:8080"),
    ("https_proxy", lambda c: f"socks5h://svc:{c}@10.2.3.4:1080"),
    ("ALL_PROXY", lambda c: f"jdoe:{c}@proxy:3128"),
    ("CODEX_PASSWD", lambda c: c),
    ("CODEX_BEARER", lambda c: c),
    ("CODEX_CREDENTIALS", lambda c: c),
    ("OPENCODE_PAT", lambda c: c),
    ("CODEX_API_CRED", lambda c: c),
    ("CODEX_LOGIN", lambda c: f"jdoe:{c}"),
    ("OPENCODE_SERVER_PASS", lambda c: c),
    ("CODEX_HEADERS", lambda c: f"X-Api-Key={c}"),
    ("OPENCODE_EXTRA_ARGS", lambda c: f"--password {c}"),
    ("CODEX_DSN", lambda c: f"postgres://app:{c}@db:5432/app"),
    ("OPENCODE_DATA_DIR", lambda c: f"/home/{c}/data"),
    ("CODEX_WORKSPACE", lambda c: f"/Users/{c}/src/app"),
    ("XDG_RUNTIME_DIR", lambda c: f"/run/user/1000/{c}"),
    ("OPENCODE_TUI_TITLE", lambda c: c),
]
for i, (k, f) in enumerate(ENV):
    def reg(i=i, k=k, f=f):
        c = pw(f"env{i}") if "/" not in f("x") or "://" in f("x") else "zq" + pw(f"env{i}").split("-")[0]
        @case(f"r15 env {k} {i}", c)
        def _(h): h.env[k] = f(c)
    reg()
# names at every depth under the logs folder
for d in range(0, 5):
    def reg(d=d):
        c = pw(f"dirname{d}")
        @case(f"r15 folder name depth {d}", c)
        def _(h): h.log("/".join(["sub"] * d + [c, "a.log"]), "ok\n")
        c2 = pw(f"filename{d}")
        @case(f"r15 file name depth {d}", c2)
        def _(h): h.log("/".join(["sub"] * d + [c2 + ".log"]), "ok\n")
    reg()
c = "sk-" + tok("fname-sk", 30)
@case("r15 file name holds api key", tok("fname-sk", 30))
def _(h): h.log(c + ".jsonl", "{}\n")
c = "jane.doe"
@case("r15 folder named like email", "zqjane@zqacme.com")
def _(h): h.log("zqjane@zqacme.com/a.log", "ok\n")
c = pw("fnamepw")
@case("r15 file name password=", c)
def _(h): h.log(f"password={c}.log", "ok\n")
c = pw("fnamegz")
@case("r15 gz file name with secret", c)
def _(h): h.write(f"{LOGS}/token_{c}.log.gz", gzip.compress(b"ok\n"))
c = pw("snapname")
@case("r15 request snapshot name with words run id", c)
def _(h): h.log(f"2026-01-01T00-00-00-000Z-{c}-request-1-outbound-request.json", "{}\n")
# chunk boundaries: ~1 MiB of filler, then a secret around the cut
FILL = ("{\"event\":\"x\",\"seq\":1}\n") * 50000  # ~1.1 MB
for j, (name, tail) in enumerate([
    ("yaml block after 1MiB", "client_secret: |\n  {c}\nok: 1\n"),
    ("pretty json after 1MiB", "{{\n  \"password\":\n    \"{c}\"\n}}\n"),
    ("pretty array after 1MiB", "{{\n  \"apiKeys\": [\n    \"{c}\"\n  ]\n}}\n"),
    ("plain line after 1MiB", "password={c}\n"),
]):
    def reg(j=j, name=name, tail=tail):
        for shift in (0, 1):
            c = pw(f"chunk{j}{shift}")
            fill = FILL + ("x\n" * shift * 7)
            @case(f"r15 {name} shift {shift}", c)
            def _(h): h.log("big.log", fill + tail.format(c=c) + FILL)
    reg()
# a value spanning a boundary: many pretty-printed lines under a secret array
c = pw("manylines")
@case("r15 pretty array of 60000 lines then secret", c)
def _(h): h.log("big.log", "{\n  \"tokens\": [\n" + "    1,\n" * 60000 + f"    \"{c}\"\n  ]\n}}\n")
# >1 MiB single JSON line
for j, where in enumerate(["start", "middle", "end"]):
    def reg(j=j, where=where):
        c = pw(f"longline{j}")
        pad = "ok " * 400000
        obj = {"start": {"password": c, "pad": pad}, "middle": {"pad": pad, "password": c, "pad2": pad}, "end": {"pad": pad, "password": c}}[where]
        @case(f"r15 1.2 MiB json line secret at {where}", c)
        def _(h): h.log("huge.jsonl", json.dumps({"event": "x", "data": obj}) + "\n")
        c2 = pw(f"longlinetxt{j}")
        @case(f"r15 1.2 MiB text line told secret at {where}", c2)
        def _(h): h.log("huge.log", {"start": f"password={c2} " + pad, "middle": pad + f" password={c2} " + pad, "end": pad + f" password={c2}"}[where] + "\n")
    reg()
c = pw("longstr")
@case("r15 secret string value longer than 300 KB", c)
def _(h): h.log("huge.jsonl", json.dumps({"event": "x", "apiKey": c + "-" + "ab" * 200000}) + "\n")
c = pw("gzyaml")
@case("r15 gzip yaml block", c)
def _(h): h.write(f"{LOGS}/old.log.1.gz", gzip.compress(f"secret: |\n  {c}\nok: 1\n".encode()))
c = pw("gzpretty")
@case("r15 gzip pretty json split", c)
def _(h): h.write(f"{LOGS}/dump.json.gz", gzip.compress(("{\n  \"apiKey\":\n    \"" + c + "\"\n}\n").encode()))
# report.json routes: config values that appear in the report
c = pw("cfgpath")
@case("r15 codex-config unknown key value", c)
def _(h): h.write(".config/opencode/codex-config.jsonc", "{\n  \"$schema\": \"x\",\n  \"quietMode\": true,\n  \"debugToken\": \"" + c + "\"\n}\n")
c = pw("opencodejsonc")
@case("r15 opencode.jsonc provider apiKey split line", c)
def _(h): h.write(".config/opencode/opencode.jsonc", "{\n  \"plugin\": [\"@iam-brain/opencode-codex-auth@latest\"],\n  \"provider\": {\"anthropic\": {\"options\": {\"apiKey\":\n    \"" + c + "\"}}}\n}\n")
c = pw("opencodejsonc2")
@case("r15 opencode.jsonc broken (text) apiKey", c)
def _(h): h.write(".config/opencode/opencode.json", "{\n  \"plugin\": [\"@iam-brain/opencode-codex-auth@latest\"],\n  \"provider\": {\"anthropic\": {\"options\": {\"apiKey\": \"" + c + "\",,}}}\n")
