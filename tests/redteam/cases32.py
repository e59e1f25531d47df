"""Round 5, batch 2 (r23): identities of ordinary words, identifying numbers, split / encoded
secrets, manifest names, report routes, --max-bytes cuts inside multi-line values."""
import base64, json, urllib.parse, gzip
from redteam import case, LOGS
from canary import pw, tok, word

def one(name, text, canary, log="a.log", args=()):
    @case(f"r23 {name}", canary, args=list(args))
    def _(h): h.log(log, text.replace("@C@", canary))

W = lambda s: word("r23" + s)
# identities made of ordinary words
one("lowercase two-word name after by", "reviewed by @C@ yesterday\n", W("n1") + " " + W("n2"))
one("firstname.lastname in path", "open /srv/share/@C@/notes.txt failed\n", W("f1") + "." + W("l1"))
one("firstname.lastname host", "connect @C@.corp.internal:22\n", W("f2") + "." + W("l2"))
one("firstname.lastname handle", "assigned to @C@ in jira\n", W("f3") + "." + W("l3"))
one("company subdomain of public host", "GET https://@C@.openai.azure.com/openai/deployments\n", W("co1"))
one("company subdomain chatgpt", "workspace https://@C@.chatgpt.com/ loaded\n", W("co2"))
one("github owner repo url", "cloning https://github.com/@C@/secret-plans.git\n", W("gh1"))
one("github owner repo in json", json.dumps({"event": "x", "url": "https://github.com/" + "@C@" + "/infra"}) + "\n", W("gh2"), log="a.jsonl")
one("raw githubusercontent owner", "fetch https://raw.githubusercontent.com/@C@/dotfiles/main/.env\n", W("gh3"))
one("slack user id", "notified slack user @C@ in channel C0123ABCD\n", "U04" + "QZ7K2M9X")
one("slack webhook", "posting to https://hooks.slack.com/services/T0AB12CD3/B0EF45GH6/@C@\n", tok("slackhook", 24))
one("discord webhook", "https://discord.com/api/webhooks/123456789012345678/@C@\n", tok("discordhook", 40))
one("discord user mention", "ping <@@C@> now\n", "802345678901234567")
one("teams webhook host", "https://@C@.webhook.office.com/webhookb2/x\n", W("teams"))
one("email with plus and subdomain words", "from: @C@\n", W("e1") + "+" + W("e2") + "@mail." + W("e3") + ".org")
one("written email at dot", "write to @C@\n", W("w1") + " at " + W("w2") + " dot com")
one("git author line", "Author: @C@ <noreply>\n", W("a1").capitalize() + " " + W("a2").capitalize())
one("ssh key comment", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGx0 @C@@laptop\n", W("sshc"))
one("hostname in prompt words", "[@C@ ~]$ ls\n", W("hp1") + "@" + W("hp2"))
one("kerberos principal words", "kinit @C@@CORP.EXAMPLE.COM\n", W("krb"))
one("docker image private registry", "pull registry.@C@.io/team/app:1\n", W("dreg"))
one("npm private scope in log", "installing @@C@/internal-tool\n", W("npmsc"))
one("hostname field json", json.dumps({"event": "startup", "host": W("hjson") + "-macbook-pro"}) + "\n", W("hjson"), log="a.jsonl")
one("mdns local host", "resolved @C@.local to 192.168.1.5\n", W("mdns"))
# numbers that identify
one("iban spaced", "refund to IBAN @C@\n", "DE89 3704 0044 0532 0130 00")
one("iban compact", "iban=@C@\n", "GB82WEST12345698765432")
one("card spaces", "card @C@ declined\n", "4111 1111 1111 1111")
one("card no separator", "charged card 5500005555555559 ok\n", "5500005555555559")
one("card in json number", json.dumps({"event": "pay", "pan": 4012888888881881}) + "\n", "4012888888881881", log="a.jsonl")
one("us ssn no dashes after cue", "SSN: @C@\n", "078051120")
one("uk nino", "NI number @C@\n", "QQ123456C")
one("phone e164", "call +14155552671 now\n", "4155552671")
one("phone dotted", "tel 415.555.2671\n", "555.2671")
one("phone parens", "phone: (415) 555-2671\n", "555-2671")
one("phone intl spaced", "WhatsApp +44 20 7946 0958\n", "7946 0958")
one("phone french", "mobile 06 12 34 56 78\n", "06 12 34 56 78")
one("ipv4 with port", "connect 198.51.100.23:8443 refused\n", "198.51.100.23")
one("ipv4 octal-ish zero padded", "from 010.001.002.003\n", "010.001.002.003")
one("ipv4 integer", "peer addr 3325256815\n", "3325256815")
one("ipv4 hex", "peer 0xC6336417\n", "0xC6336417")
one("ipv4 mapped v6", "remote ::ffff:198.51.100.99\n", "198.51.100.99")
one("ipv6 compressed", "bind 2001:db8:85a3::8a2e:370:7334 ok\n", "8a2e:370:7334")
one("ipv6 bracket port", "connect [2001:db8::1234:5678]:443\n", "1234:5678")
one("ipv6 zone", "fe80::1c2d:3e4f:5a6b:7c8d%en0 up\n", "5a6b:7c8d")
one("ipv6 in json", json.dumps({"event": "x", "remoteAddress": "2001:db8:abcd:12::9f"}) + "\n", "abcd:12::9f", log="a.jsonl")
one("mac colon lower", "wlan0 ether a4:83:e7:1b:2c:3d\n", "a4:83:e7:1b:2c:3d")
one("mac in json", json.dumps({"event": "x", "mac": "a4:83:e7:1b:2c:4e"}) + "\n", "a4:83:e7:1b:2c:4e", log="a.jsonl")
one("private host port", "proxy intranet-gw:3128 timeout\n", "intranet-gw")
# split secrets
c = pw("splitarr")
one("secret split json array", json.dumps({"event": "x", "parts": [c[:10], c[10:]]}) + "\n", c, log="a.jsonl")
T1 = tok("concat1", 40)
one("concat js string", 'const k = "sk-" + "proj-@C@";\n', T1)
T2 = tok("concat2", 40)
one("concat python implicit", 'api_key = ("sk-proj-" "@C@")\n', T2)
T3 = "sk-proj-" + tok("ghsplit", 40)
one("token split across lines in json string", json.dumps({"event": "x", "message": T3[:20]}) + "\n" + json.dumps({"event": "x", "message": T3[20:]}) + "\n", T3, log="a.jsonl")
# encodings nested
c = pw("b64b64")
inner = base64.b64encode(f"password={c}".encode()).decode()
one("base64 of base64", "payload " + base64.b64encode(inner.encode()).decode() + "\n", c)
c = pw("hexb64")
one("hex body", "body=" + f"password={c}".encode().hex() + "\n", c)
c = pw("urlb64")
one("urlencoded base64", "data=" + urllib.parse.quote(base64.b64encode(f"token: {c}".encode()).decode()) + "\n", c)
c = pw("jsonb64")
one("json string holding base64 json", json.dumps({"event": "x", "payload": base64.b64encode(json.dumps({"apiKey": c}).encode()).decode()}) + "\n", c, log="a.jsonl")
c = pw("gzipb64")
one("base64 gzip", "blob " + base64.b64encode(gzip.compress(f"password={c}".encode())).decode() + "\n", c)
c = pw("jwtpayload")
one("unsigned jwt payload words", "token eyJhbGciOiJub25lIn0." + base64.urlsafe_b64encode(json.dumps({"sub": c}).encode()).decode().rstrip("=") + ".\n", c)
# manifest names
for k, nm in {
    "folder email depth2": "x/@C@@gmail.com/y/a.log",
    "folder with space": "Jane @C@/a.log",
    "unicode folder": "Zoë @C@/a.log",
    "newline in name": "a\n@C@.log",
    "name with key": "@C@.jsonl",
}.items():
    def reg(k=k, nm=nm):
        c = W("mf" + k)
        @case(f"r23 manifest {k}", c)
        def _(h): h.log(nm.replace("@C@", c), "ok\n")
    reg()
# report / environment routes
for k, (var, val) in {
    "OPENCODE_CONFIG path names person": ("OPENCODE_CONFIG", "/home/tester/@C@/opencode.json"),
    "HTTPS_PROXY host word": ("HTTPS_PROXY", "http://@C@.corp:3128"),
    "NO_PROXY hosts": ("NO_PROXY", "localhost,@C@.internal"),
    "CODEX_HOME path": ("CODEX_HOME", "/srv/@C@/codex"),
    "OPENCODE_CONFIG_DIR": ("OPENCODE_CONFIG_DIR", "/data/@C@"),
    "HOSTNAME": ("HOSTNAME", "@C@-laptop"),
    "NODE_OPTIONS": ("NODE_OPTIONS", "--require /opt/@C@/hook.js"),
    "OPENAI_BASE_URL": ("OPENAI_BASE_URL", "https://@C@.example.net/v1"),
}.items():
    def reg(k=k, var=var, val=val):
        c = W("env" + k)
        @case(f"r23 env {k}", c)
        def _(h): h.env[var] = val.replace("@C@", c)
    reg()
c = W("dirarg")
@case("r23 --dir path naming a person", c)
def _(h):
    import os
    d = os.path.join(h.root, c); os.makedirs(d, exist_ok=True)
    h.cwd = d
c = pw("badjson")
@case("r23 broken accounts file quoted in error", c)
def _(h): h.write(".config/opencode/codex-accounts.json", '{"openai": {"type": "oauth", "accounts": [ {"email": "' + c + '"\n')
c = pw("badcfg")
@case("r23 broken codex-config quoted in error", c)
def _(h): h.write(".config/opencode/codex-config.jsonc", '{\n  "quietMode": ' + c + '\n}\n')
c = pw("badoc")
@case("r23 broken opencode.json quoted in error", c)
def _(h): h.write(".config/opencode/opencode.json", '{ "plugin": [' + c + '] }\n')
# --max-bytes cuts inside a multi-line value
for n in range(8):
    def reg(n=n):
        c = pw(f"cutml{n}")
        fill = "".join(json.dumps({"event": "x", "i": i}) + "\n" for i in range(400))
        text = fill + '{\n  "event": "x",\n  "apiKey":\n    "' + c + '",\n  "ok": 1\n}\n' + '"token": """\n' + c + '\n"""\n'
        @case(f"r23 cut inside multi-line value {n}", c, args=["--max-bytes", str(200 + n * 7)])
        def _(h): h.log("big.log", text)
    reg()
for n in range(6):
    def reg(n=n):
        c = pw(f"cutpem{n}")
        text = "x\n" * 300 + "-----BEGIN OPENSSH PRIVATE KEY-----\n" + ("b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ" + c + "\n") * 6 + "-----END OPENSSH PRIVATE KEY-----\n"
        @case(f"r23 cut inside pem {n}", c, args=["--max-bytes", str(120 + n * 40)])
        def _(h): h.log("k.log", text)
    reg()
