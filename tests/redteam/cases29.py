"""Round 4, batch 10: the doctor report's echoes of config values (report.json/report.txt),
Windows prompts, YAML keys written with spaces, and prompts inside other logs."""
import json
from redteam import case, LOGS
from canary import pw

def cfg(name, body, c):
    @case(f"r20 report echo {name}", c)
    def _(h): h.write(".config/opencode/codex-config.jsonc", body.replace("@C@", c))

cfg("rotationStrategy word", '{\n  "rotationStrategy": "@C@"\n}\n', pw("e1"))
cfg("authMode word", '{\n  "authMode": "@C@"\n}\n', pw("e2"))
cfg("unknown key name", '{\n  "@C@": true\n}\n', pw("e3"))
cfg("promptCacheKeyStrategy", '{\n  "promptCacheKeyStrategy": "@C@"\n}\n', pw("e4"))
cfg("trailing comma error with value", '{\n  "quietMode": true,\n  "apiKey": "@C@",\n}\n', pw("e5"))
cfg("nested object unknown", '{\n  "runtime": {"clientKey": "@C@"}\n}\n', pw("e6"))
c = pw("e7")
@case("r20 report echo opencode.json baseURL host", c)
def _(h): h.write(".config/opencode/opencode.json", json.dumps({"plugin": ["@iam-brain/opencode-codex-auth@latest"], "provider": {"openai": {"options": {"baseURL": f"https://{c}.example.com/v1"}}}}, indent=2))
c = pw("e8")
@case("r20 report echo opencode.json plugin spec file path", c)
def _(h): h.write(".config/opencode/opencode.json", json.dumps({"plugin": ["@iam-brain/opencode-codex-auth@latest", f"file:///home/{c}/plugins/x.js"]}, indent=2))
c = pw("e9")
@case("r20 report echo OPENCODE_CONFIG path", c)
def _(h): h.env["OPENCODE_CONFIG"] = f"/srv/{c}/opencode.json"
c = pw("e10")
@case("r20 report echo opencode.json model", c)
def _(h): h.write(".config/opencode/opencode.json", json.dumps({"plugin": ["@iam-brain/opencode-codex-auth@latest"], "model": f"openai/{c}"}, indent=2))

def one(name, text, seed, log="a.log"):
    c = pw(seed)
    @case(f"r20 {name}", c)
    def _(h): h.log(log, text.replace("@C@", c))

one("cmd prompt %VAR%", "C:\\Users\\x> echo %OPENAI_API_KEY%\n@C@\n", "f1")
one("node repl bracket", "> process.env['API_TOKEN']\n'@C@'\n", "f2")
one("yaml key with spaces", "API Key: |\n  @C@\n", "f3")
one("yaml quoted key with spaces", "\"api key\": >\n  @C@\n", "f4")
one("prompt in middle of log", "2026-01-01 info start\n$ echo $OPENAI_API_KEY\n@C@\n2026-01-01 info end\n", "f5")
one("env grep output lines", "$ env | grep -i token\nGITHUB_TOKEN=@C@\nNPM_TOKEN=other-word-here\n", "f6")
one("two-line output of secret command", "$ cat ~/.config/app/credentials\n@C@\nsecond-line-words\n", "f7")
one("printed secret with trailing spaces", "$ printenv OPENAI_API_KEY\n@C@   \n", "f8")
one("kubectl get secret jsonpath decoded", "$ kubectl get secret db -o jsonpath='{.data.password}' | base64 -d\n@C@\n", "f9")
one("docker inspect env", "$ docker inspect app --format '{{.Config.Env}}'\n[PATH=/usr/bin DB_PASSWORD=@C@]\n", "f10")
one("heroku config get", "$ heroku config:get DATABASE_URL\npostgres://u:@C@@host:5432/db\n", "f11")
one("az keyvault secret show", "$ az keyvault secret show --name api --vault-name kv --query value -o tsv\n@C@\n", "f12")
one("gcloud secrets access", "$ gcloud secrets versions access latest --secret=api-key\n@C@\n", "f13")
one("vault kv get field", "$ vault kv get -field=password secret/app\n@C@\n", "f14")
