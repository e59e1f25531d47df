"""Round 11 (r28): labels of two words (`User Id=`, `User Name:`, `login_name:`, `Display
Name =`) in connection strings, settings and tool output; git's `[user]` section; `who`,
`w` and `last` rows. Also credentials in the shapes developers' tools print them (git
remotes, JDBC and ADO.NET connection strings, `.npmrc`, `.pgpass`, SSH public key comments,
Kerberos principals, shell prompts, Python dict reprs, exported tokens, Slack webhooks),
which the engine already caught and which stay here as regressions. Each canary is a
made-up word the gate would keep as vocabulary-shaped, unless the case says otherwise."""
import json
from redteam import case
from canary import word, tok

def one(name, text, seed, log="a.log", cap=False):
    c = word("r28" + seed, 3)
    if cap:
        c = c.capitalize()
    @case(f"r28 {name}", c)
    def _(h): h.log(log, text.replace("@C@", c))

def two(name, text, seed, log="a.log"):
    """Two Capitalized canaries: a person's full name."""
    a, b = word("r28a" + seed, 3).capitalize(), word("r28b" + seed, 3).capitalize()
    @case(f"r28 {name}", [a, b])
    def _(h): h.log(log, text.replace("@A@", a).replace("@B@", b))

# Labels of two words.
one("ado.net user id", "dsn=Server=db.corp.example;User Id=@C@;Password=x;\n", "ad1")
one("ado.net user id upper", "Data Source=db;Initial Catalog=app;User ID=@C@;Pwd=x\n", "ad2")
one("user id colon", "User ID: @C@\n", "ui1")
one("user id lower", "user id: @C@\n", "ui2")
one("user name colon", "User Name: @C@\n", "un1")
one("account name colon", "Account Name: @C@\n", "an1")
one("login_name yaml", "login_name: @C@\n", "ln1")
one("user_name spaced equals", "user_name = @C@\n", "ln2")
one("user-name dashed", "user-name: @C@\n", "ln3")
one("login id in json string", json.dumps({"level": "info", "msg": "Login ID: @C@ signed in"}) + "\n", "ln4", log="a.jsonl")
two("display name equals", "Display Name = @A@ @B@\n", "dn1")
two("git config user section", "[user]\n\tname = @A@ @B@\n\temail = someone@corp.example\n", "gc1")
two("git config quoted name", "[user]\n    name = \"@A@ @B@\"\n", "gc2")
one("nick name", "nick name: @C@\n", "nn1")
# who, w and last.
one("who row", "@C@ pts/0        2026-12-04 10:00 (10.0.0.5)\n", "wh1")
one("last row", "@C@   tty7         :0               Fri Dec  4 10:00   still logged in\n", "wh2")
one("w row", " 10:00:01 up 3 days,  2 users,  load average: 0.10, 0.20, 0.30\nUSER     TTY      FROM             LOGIN@   IDLE   JCPU   PCPU WHAT\n@C@     pts/1    10.0.0.9         09:58    1.00s  0.05s  0.01s -bash\n", "wh3")

# Developers' tools: already caught, kept as regressions.
t = tok("r28gr1", 36)
@case("r28 git remote token", t)
def _(h): h.log("a.log", f"git remote: https://x-access-token:{t}@github.com/org/repo.git\n")
one("jdbc user", "jdbc:mysql://db.example:3306/app?user=@C@&password=x\n", "jd1")
t2 = tok("r28np1", 36)
@case("r28 npmrc auth token", t2)
def _(h): h.log("a.log", f"//registry.npmjs.org/:_authToken=npm_{t2}\n")
one("pgpass line", "db.example:5432:appdb:@C@:Blemstorvik9\n", "pg1")
one("ssh public key comment", "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7 @C@@laptop\n", "ss1")
one("kerberos principal", "kinit @C@@CORP.EXAMPLE.COM\n", "kr1")
one("shell prompt", "@C@@workstation:~/proj$ opencode\n", "sp1")
one("python dict repr password", "{'password': '@C@', 'user': 'x'}\n", "py1")
one("exported token word", "export GITHUB_TOKEN=\"@C@\"\n", "ex1")
t3 = tok("r28sl1", 24)
@case("r28 slack webhook", t3)
def _(h): h.log("a.log", f"webhook https://hooks.slack.com/services/T0ABCDEF1/B0ABCDEF2/{t3}\n")
two("git author line", "Author: @A@ @B@ <ab@corp.example>\n", "ga1")
one("id output", "uid=1000(@C@) gid=1000(@C@) groups=1000(@C@),27(sudo)\n", "io1")
one("passwd line", "@C@:x:1000:1000:,,,:/home/@C@:/bin/bash\n", "pw1")
# A computer's and a Wi-Fi network's name after their labels.
one("scutil computer name", "ComputerName: @C@-PC\n", "cn1")
one("computer name spaced", "Computer Name: @C@-pc\n", "cn2")
one("machine name", "Machine Name: @C@-pc\n", "cn3")
one("host name spaced", "host name: @C@-mbp\n", "cn4")
one("wifi ssid", "SSID: @C@-Home-5G\n", "ws1")
one("wifi quoted name", "connected to wifi \"@C@ Home\"\n", "ws2")
# What `whoami` and its kin print, alone on the line after the prompt.
one("npm whoami output", "> npm whoami\n@C@\n", "wo1")
one("whoami output", "$ whoami\n@C@\n$ ls\nsrc\n", "wo2")
one("hostname output", "jdoe@box:~$ hostname\n@C@-pc\n", "wo3")
two("git config user.name output", "$ git config user.name\n@A@ @B@\n", "wo4")
one("echo user output", "$ echo $USER\n@C@\n", "wo5")
one("id -un output", "$ id -un\n@C@\n", "wo6")
one("whoami in opencode bash tool output", json.dumps({"type": "tool", "tool": "bash", "output": "$ whoami\n@C@\n"}) + "\n", "wo7", log="a.jsonl")
# Windows' and PowerShell's ways of naming an account.
one("net user", "C:\\> net user @C@ /domain\n", "nu1")
one("net user add", "net user @C@ Zq7-passw0rd /add\n", "nu2")
one("powershell identity", "PS C:\\> Get-ADUser -Identity @C@ -Properties *\n", "ps1")
one("powershell samaccountname quoted", "New-ADUser -Name \"X\" -SamAccountName \"@C@\"\n", "ps2")
# Round 11's review: other spacing, joined labels, tables, ipconfig's dots; a name to its
# last part; a machine's name to the line's end; who/w/last variants; default prompts of
# more than one word and cmd.exe's; more commands that print who the user is.
one("label tab before colon", "User Name\t: @C@\n", "rv1")
one("label two spaces between words", "User  Name: @C@\n", "rv2")
one("net user table", "User name                    @C@\nFull Name                    X\n", "rv3")
one("ipconfig host name", "   Host Name . . . . . . . . . . . . : @C@-pc\n", "rv4")
one("joined userid", "UserId: @C@\n", "rv5")
one("samaccountname label", "SamAccountName: @C@\n", "rv6")
one("user logon name", "User logon name: @C@\n", "rv7")
one("netsh ssid", "    SSID                   : @C@\n", "rv8")
one("wi-fi label", "Wi-Fi: @C@\n", "rv9")
two("display name with initial and particle", "Display Name = @A@ Q. de @B@\n", "rv10")
two("computer name possessive", "ComputerName: @A@ @B@'s MacBook Pro\n", "rv11")
two("ssid two words", "SSID: Casa @A@ @B@\n", "rv12")
one("macos w row", "@C@ s000 - 10:00 - w\n", "rv13")
one("who -T row", "@C@ + pts/0        2026-12-04 10:00\n", "rv14")
one("lastb row", "@C@ ssh:notty    10.0.0.5         Fri Dec  4 10:00 - 10:00  (00:00)\n", "rv15")
one("w from host", "jdoe pts/2    @C@-pc    10:00    1.00s  0.05s w\n", "rv16")
one("zsh prompt whoami", "jdoe@MacBook-Pro ~ % whoami\n@C@\n", "rv17")
one("rhel prompt whoami", "[jdoe@box ~]$ whoami\n@C@\n", "rv18")
one("old macos prompt whoami", "box:~ jdoe$ whoami\n@C@\n", "rv19")
one("cmd.exe whoami", "C:\\>whoami\nacme\\@C@\n", "rv20")
one("printenv user", "$ printenv USER\n@C@\n", "rv21")
one("powershell env username", "PS C:\\> $env:USERNAME\n@C@\n", "rv22")
one("groups output", "$ groups\n@C@ sudo docker\n", "rv23")
one("secret word told", "the secret word is @C@\n", "sw1")
two("wi-fi quoted network", "Connected to Wi-Fi \"@A@ @B@\"\n", "wq1")
# Escapes found in the final review: a dotted label and a hash's `=>`.
one("dotted label", "User.Name: @C@\n", "fr1")
one("hash arrow label", "display_name => \"@C@\"\n", "fr2")

# Beside closed records (lines the engine passes without its detectors): one open value in a
# line otherwise made of listed keys, catalogue words, pseudonyms and placeholders, read as
# free text (`a.log`) and as the plugin's debug log (schema first).
for log, tag in (("a.log", "cr"), ("shareable-debug.jsonl", "cs")):
    base = {"seq": 12, "timestamp": "2025-01-01T00:00:00.000Z", "event": "rotation_decision",
            "selectedIdentity": "ident_c8639675", "url": "<string:47>"}
    for field, shape, seed in (("decision", "@C@", "1"), ("event", "@C@", "2"),
                               ("rotationStrategy", "sticky-@C@", "3"), ("session", "sess_@C@", "4"),
                               ("meta", {"attempt": ["keep", "@C@"]}, "5"),
                               ("endpoint", "/backend-api/@C@/responses", "6")):
        rec = dict(base)
        rec[field] = shape
        one(f"closed-record neighbour {field} {tag}", json.dumps(rec, separators=(",", ":")) + "\n",
            tag + seed, log=log)

# Beside the closed classes added later (header values, user agents with spaces, epoch
# times, the loopback host): one open value among them, in free text and in the live
# headers log.
for log, tag in (("a.log", "cv"), ("live-headers.jsonl", "cw")):
    base = {"timestamp": "2025-01-01T00:00:00.000Z", "runId": "2025-01-01T00-00-00-000Z-4-abcd1234",
            "requestId": "req-4", "url": "https://chatgpt.com/backend-api/codex/responses",
            "headers": {"accept": "text/event-stream", "authorization": "Bearer [redacted]",
                        "user-agent": "opencode/1.10.0 (linux <string:16>; x64)"},
            "meta": {"attempt": 1, "host": "127.0.0.1", "port": 1455}}
    for field, seed in (("ua-word", "1"), ("ua-paren", "2"), ("accept", "3"), ("beta", "4"),
                        ("host", "5"), ("path", "6")):
        rec = json.loads(json.dumps(base))
        if field == "ua-word":
            rec["headers"]["user-agent"] = "opencode/1.10.0 (linux <string:16>; x64) @C@"
        elif field == "ua-paren":
            rec["headers"]["user-agent"] = "opencode/1.10.0 (@C@ 6.8.0; x64)"
        elif field == "accept":
            rec["headers"]["accept"] = "text/event-stream;@C@"
        elif field == "beta":
            rec["headers"]["openai-beta"] = "responses=@C@"
        elif field == "host":
            rec["meta"]["host"] = "@C@.corp.example"
        else:
            rec["meta"]["path"] = "/home/@C@/project"
        one(f"closed-class neighbour {field} {tag}", json.dumps(rec, separators=(",", ":")) + "\n",
            tag + seed, log=log)
