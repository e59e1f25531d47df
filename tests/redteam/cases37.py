"""Round 9 (r26): login names handed to commands, which the gate keeps as ordinary words:
`ssh -l`, `psql -U`, `mysql -u` (attached and spaced), `sudo -u`, `docker login -u`,
`curl -u name:password`, `smbclient -U name%password`, `--username`, a `.netrc` line's
`login`, `chown owner:group`, commands whose argument is a user (`su`, `passwd`, `useradd`,
`finger`, `ps -u`), what sshd and PAM log about a login; the columns and prefixes OS tools
print about users and machines (`ls -l`, `ps aux`, `id`, `stat`, sudo's log, syslog,
`uname -a`); record formats (passwd, .pgpass, vCard), positions, `git blame` authors, ARN
resources, Slack mentions; in text logs and in JSON strings. Each canary is a made-up word
the gate would keep as vocabulary-shaped, unless the case says otherwise."""
import json
from redteam import case
from canary import word

def one(name, text, seed, log="a.log"):
    c = word("r26" + seed, 3)
    @case(f"r26 {name}", c)
    def _(h): h.log(log, text.replace("@C@", c))

one("ssh -l", "ssh -l @C@ build-box uptime\n", "ss1")
one("ssh -l attached", "exec ssh -l@C@ -p 2222 build-box\n", "ss2")
one("autossh -l", "autossh -M 0 -l @C@ tunnel-host\n", "ss3")
one("psql -U", "PGPASSWORD=x psql -h db -U @C@ -d app\n", "pg1")
one("pg_dump -U attached", "pg_dump -U@C@ app > app.sql\n", "pg2")
one("createdb -U quoted", "createdb -U '@C@' scratch\n", "pg3")
one("mysql -u spaced", "mysql -u @C@ -p app\n", "my1")
one("mysql -u attached", "$ mysql -u@C@ -h db app\n", "my2")
one("mongosh -u", "mongosh --host db -u @C@ --authenticationDatabase admin\n", "mg1")
one("sudo -u", "$ sudo -u @C@ make install\n", "su1")
one("sudo -u after &&", "git pull && sudo -u \"@C@\" ./deploy.sh\n", "su2")
one("crontab -u", "crontab -u @C@ -l\n", "cr1")
one("docker login -u", "docker login -u @C@ ghcr.io\n", "dk1")
one("helm registry login -u", "helm registry login reg.example.com -u @C@\n", "dk2")
one("curl -u name:password name", "curl -u @C@:x https://api.example.com/v1\n", "cu1")
one("curl --user name:password name", "curl --user '@C@:x' https://api.example.com/v1\n", "cu2")
one("smbclient -U name%password name", "smbclient //fs/share -U @C@%x\n", "sm1")
one("lftp -u name,password name", "lftp -u @C@,x ftp.example.com\n", "lf1")
one("--username", "gh auth login --username @C@ --hostname github.com\n", "lg1")
one("--user-name quoted", "tool sync --user-name \"@C@\"\n", "lg2")
one("mysql --user", "mysql --user @C@ app\n", "lg3")
one("netrc line", "machine api.example.com login @C@ password x\n", "nr1")
one("netrc default", "default login @C@ password x\n", "nr2")
one("chown owner:group", "chown @C@:staff /srv/app\n", "ch1")
one("chown -R owner", "sudo chown -R @C@ /srv/app\n", "ch2")
one("ssh -l in json string", json.dumps({"level": "info", "message": "spawned ssh -l @C@ build-box"}) + "\n", "js1", log="a.jsonl")
one("sudo -u in json error", json.dumps({"error": "sudo -u @C@ failed: exit 1"}) + "\n", "js2", log="a.jsonl")
one("sshd accepted publickey", "Dec  3 10:01:02 box sshd[812]: Accepted publickey for @C@ from 203.0.113.9 port 51234 ssh2\n", "sd1")
one("sshd failed password invalid user", "sshd[812]: Failed password for invalid user @C@ from 203.0.113.9 port 22 ssh2\n", "sd2")
one("sshd invalid user", "sshd[99]: Invalid user @C@ from 203.0.113.9 port 40022\n", "sd3")
one("pam session opened", "pam_unix(sshd:session): session opened for user @C@(uid=1000) by (uid=0)\n", "sd4")
one("sshd closed by authenticating user", "Connection closed by authenticating user @C@ 203.0.113.9 port 22 [preauth]\n", "sd5")
one("su - user", "$ su - @C@\n", "uc1")
one("sudo passwd user", "sudo passwd @C@\n", "uc2")
one("useradd with options", "/usr/sbin/useradd -m -s /bin/bash @C@\n", "uc3")
one("finger and userdel", "finger @C@ && sudo userdel -r @C@\n", "uc4")
one("ps -u user", "ps -u @C@ -o pid,cmd\n", "uc5")
one("logind session of user", "systemd-logind[1]: New session 7 of user @C@.\n", "lo1")
one("ls -l macos owner", "drwxr-xr-x@ 12 @C@  staff   384 Jan  1 00:00 src\n", "ls1")
one("ls -l symlink owner", "lrwxrwxrwx 1 @C@ @C@ 24 Jan  1 00:00 cfg -> /etc/x\n", "ls2")
one("ps aux macos", "@C@  812  0.0  0.1 408 1632 s000  S  10:01AM  0:00.02 node opencode\n", "ps1")
one("syslog iso host", "2026-01-01T00:00:00.123456+00:00 @C@ opencode[77]: started\n", "sy1")
one("sudo log other user", "Jan  1 00:00:00 box sudo:   @C@ : TTY=pts/1 ; PWD=/srv ; USER=root ; COMMAND=/usr/bin/ls\n", "sy2")
one("id output", "uid=1001(@C@) gid=1001(@C@) groups=1001(@C@),998(wheel)\n", "id1")
one("stat Uid", "Access: (0644/-rw-r--r--)  Uid: ( 1001/ @C@)   Gid: (   20/   staff)\n", "st1")
one("uname -a darwin", "Darwin @C@ 23.1.0 Darwin Kernel Version 23.1.0: Mon Oct  9 21:27:24 PDT 2023\n", "un1")
one("docker login argv list -u", "spawn docker ['login', '-u', '@C@', '-p', 'x']\n", "dk3")
one("passwd line other user", "@C@:x:1001:1001:,,,:/home/@C@:/usr/bin/zsh\n", "pw1")
one("passwd gecos", "jdoe:x:1001:1001:@C@ Quill,,,:/home/jdoe:/bin/bash\n", "pw2")
one("pgpass user", "db.internal:5432:*:@C@:x\n", "pg4")
one("vcard nickname", "BEGIN:VCARD\nNICKNAME:@C@\nEND:VCARD\n", "vc1")
one("email quoted local in json", json.dumps({"to": '"@C@"@example.com'}) + "\n", "em1", log="a.jsonl")

# Not names: a system account, a numeric id, `$USER` stay, and so do the same letters where
# they are no login (`ls -l`, `sort -u`, `docker run -u`): held by the engine's unit tests.

# Positions and keys (the canary is the secret, not a word).
@case("r26 geo pair negative in text", "-33.86882")
def _(h): h.log("a.log", "pinned at -33.86882, 151.20929 by the app\n")
@case("r26 geo latitude key pretty", "51.50735")
def _(h): h.log("doc.json", json.dumps({"place": {"latitude": 51.50735, "longitude": -0.12776}}, indent=2))
@case("r26 hex key all letters upper", "DEADBEEFCAFEFADEBEEF")
def _(h): h.log("a.log", "using key DEADBEEFCAFEFADEBEEF for signing\n")

# git blame authors, ARN resources, Slack mentions.
@case("r26 git blame author with file", "Zqblamer Orvane")
def _(h): h.log("a.log", "3f2a1b9c src/auth.ts (Zqblamer Orvane 2025-12-31 23:59:59 -0800 120)   const x = 1;\n")
@case("r26 iam user arn", "zqiamuser")
def _(h): h.log("a.log", "AccessDenied: arn:aws:iam::123456789012:user/zqiamuser is not authorized\n")
@case("r26 s3 bucket arn in json", "zq-private-bucket")
def _(h): h.log("a.jsonl", json.dumps({"event": "x", "message": "denied on arn:aws:s3:::zq-private-bucket/logs"}) + "\n")
@case("r26 slack mention in json", "zq.mention")
def _(h): h.log("a.jsonl", json.dumps({"event": "notify", "message": "ping <@U0ZQ12345|zq.mention> now"}) + "\n")

# git identities: raw commit objects and `git config user.name`.
@case("r26 git raw committer without email", "Zqcommit Orlane")
def _(h): h.log("a.log", "tree 4b825dc6\nauthor Zqcommit Orlane 1700000000 +0100\ncommitter Zqcommit Orlane 1700000000 +0100\n")
@case("r26 git config user.name bare", "zqgitname")
def _(h): h.log("a.log", "$ git config user.name zqgitname\n")

# Tool output logged inside a JSON string, its lines joined by `\n` escapes.
@case("r26 ls -l inside a json error", "zqjsonowner")
def _(h): h.log("a.jsonl", json.dumps({"event": "tool_error", "error": "permission denied\n-rw------- 1 zqjsonowner staff 1234 Jan  1 00:00 codex-accounts.json\n"}) + "\n")
@case("r26 passwd line inside a json message", "Zqgecos Marlow")
def _(h): h.log("a.jsonl", json.dumps({"level": "warn", "message": "getent said:\nzq:x:1000:1000:Zqgecos Marlow,,,:/home/zq:/bin/bash"}) + "\n")
@case("r26 ls -l after a literal \\n in a text log", "zqtextowner")
def _(h): h.log("a.log", "tool said: listing\\ndrwxr-xr-x 2 zqtextowner staff 64 Jan 1 00:00 src\\nok\n")
@case("r26 passwd line after a literal \\n in a text log", "Zqtextgecos Marlow")
def _(h): h.log("a.log", "out: x\\nzq:x:1000:1000:Zqtextgecos Marlow,,,:/home/zq:/bin/bash\n")
