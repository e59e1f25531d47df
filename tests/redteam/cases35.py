"""Round 7 (r35): secrets that survive in text logs.
(1) Token-shaped secrets cut into short groups (<= 4 characters) by `-`, `.`, `:`, `_`, `*` or
spaces: each group passes the gate, so the whole secret passes; a TOTP setup key as
authenticator apps show it (base32 in groups of 4) loses only its first group even after
`secret=`. (2) Credential names the detectors miss: `<name>_key = "…"` with spaced `=` and a
quoted value (Python/TOML/settings files), dotted targets (`config.api_key = "…"`,
`process.env.X = '…'`), setter calls (`os.Setenv`, `System.setProperty`,
`keyring.set_password`, `setx`, `launchctl setenv`, Dockerfile `ENV K V`), Android/plist XML,
`=>` maps (JS `Map`, PHP `print_r`), SQL (`IDENTIFIED BY`, `PASSWORD('…')`, `WITH PASSWORD
'…'`, positional `INSERT`), password flags of other CLIs (`zip -P`, `7z -p`, `ssh-keygen -N`,
`mongosh -p`, `redis-cli -a`, `keytool -storepass`, `az login -p`, `smbclient -U u%p`,
`htpasswd -b`), values piped into `--password-stdin` / `--with-token`, a vendor header
without a credential word (`X-Honeycomb-Team`), and Netscape cookie-jar lines.
Word-shaped canaries (canary.word) where the gate keeps vocabulary; token-shaped ones for (1).
The last block holds near misses that are caught (kept as regression guards)."""
import json
from redteam import case
from canary import word

def one(name, text, canary, log="a.log"):
    @case(f"r35 {name}", canary)
    def _(h): h.log(log, text.replace("@C@", canary))

W = lambda s: word("r35" + s, 4)

# --- (1) short groups: token-shaped secrets that pass group by group -------------------
one("totp setup key grouped lower", "Can't scan the QR code? Enter this setup key: @C@\n", "4rtq 7mzx k2lp wv3n y6hd 5ebs q2xk m7ra")
one("totp secret grouped upper", "TOTP secret: @C@\n", "4RTQ 7MZX K2LP WV3N Y6HE 5EBS Q2XK M7RB")
one("secret= grouped base32", "secret=@C@\n", "4rtq 7mzx k2lp wv3n y6hd 5ebs q2xk m7rc")
one("dashed 4-groups in prose", "login with @C@\n", "Xq7k-Lm2p-Pz9w-Kd4r")
one("dashed 4-groups upper", "backup codes @C@ (store safely)\n", "7KQ2-9XZ4-M3PD-8WTR")
one("dotted 4-groups", "backup codes @C@ (store safely)\n", "xq7k.lm2p.pz9w.kd4r.rt8v")
one("colon 4-groups", "backup codes @C@ (store safely)\n", "r8Tq:Zx4m:Lp9w:Kd2v")
one("underscore 3-groups", "backup codes @C@ (store safely)\n", "qz7_rv9_kp3_wd2_mx8")
one("space 3-groups", "backup codes @C@ (store safely)\n", "Hq7 Lm2 Pz9 Kd4 Rt8")
one("star 3-groups", "backup codes @C@ (store safely)\n", "Hq7*Lm2*Pz9*Wd3")
one("hex grouped by 4", "recovery code for the vault is @C@ keep it\n", "9f2c 4e1a b37d 05c8 e6f1 a2b3")

# --- (2) credential names the detectors miss (word-shaped values) -----------------------
one("py api_key spaced quoted", 'api_key = "@C@"\n', W("a1"))
one("py SECRET_KEY spaced quoted", "SECRET_KEY = '@C@'\n", W("a2"))
one("py OPENAI_API_KEY spaced quoted", 'OPENAI_API_KEY = "@C@"\n', W("a3"))
one("py private_key spaced quoted", 'private_key = "@C@"\n', W("a4"))
one("dotted config.api_key", 'config.api_key = "@C@"\n', W("a5"))
one("process.env assignment", "process.env.OPENAI_API_KEY = '@C@'\n", W("a6"))
one("go := api_key", 'api_key := "@C@"\n', W("a7"))
one("py triple-quoted token", 'token = """@C@"""\n', W("a8"))
one("py raw string api_key", 'api_key = r"@C@"\n', W("a9"))
one("go os.Setenv", 'os.Setenv("GITHUB_TOKEN", "@C@")\n', W("s1"))
one("java setProperty password", 'System.setProperty("db.password", "@C@");\n', W("s2"))
one("keyring.set_password", 'keyring.set_password("openai", "bob", "@C@")\n', W("s3"))
one("windows setx", 'setx OPENAI_API_KEY "@C@"\n', W("s4"))
one("launchctl setenv", "launchctl setenv OPENAI_API_KEY @C@\n", W("s5"))
one("dockerfile ENV spaced", "ENV OPENAI_API_KEY @C@\n", W("s6"))
one("android string resource", '<string name="api_key">@C@</string>\n', W("x1"))
one("plist key string", "<key>APIToken</key><string>@C@</string>\n", W("x2"))
one("js Map x-api-key", "Map(2) { 'x-api-key' => '@C@', 'accept' => '*/*' }\n", W("m1"))
one("js Map authorization", "Map(1) { 'authorization' => '@C@' }\n", W("m2"))
one("arrow hash single quotes", "{'api_key' => '@C@'}\n", W("m3"))
one("php print_r password", "    [password] => @C@\n", W("m4"))
one("sql identified by", "CREATE USER 'bob'@'%' IDENTIFIED BY '@C@';\n", W("q1"))
one("sql PASSWORD() call", "SET PASSWORD FOR 'bob'@'localhost' = PASSWORD('@C@');\n", W("q2"))
one("sql with password quoted", "ALTER USER bob WITH PASSWORD '@C@';\n", W("q3"))
one("sql insert positional", "INSERT INTO users (email, password) VALUES ('x', '@C@');\n", W("q4"))
one("psql -c alter role", "psql -c \"ALTER ROLE bob PASSWORD '@C@'\"\n", W("q5"))
one("echo to docker --password-stdin", "$ echo @C@ | docker login -u bob --password-stdin ghcr.io\n", W("c1"))
one("echo to gh --with-token", "$ echo @C@ | gh auth login --with-token\n", W("c2"))
one("zip -P", "zip -P @C@ secrets.zip .env\n", W("c3"))
one("unzip -P", "unzip -P @C@ backup.zip\n", W("c4"))
one("7z -p attached", "7z a -p@C@ archive.7z dir\n", W("c5"))
one("ssh-keygen -N", "ssh-keygen -t ed25519 -N @C@ -f key\n", W("c6"))
one("mongosh -p", 'mongosh "mongodb://localhost" -u admin -p @C@\n', W("c7"))
one("redis-cli -a", "redis-cli -h cache -a @C@ ping\n", W("c8"))
one("keytool -storepass", "keytool -genkey -alias x -keystore k.jks -storepass @C@\n", W("c9"))
one("az login -p", "az login -u bob@example.com -p @C@\n", W("d1"))
one("smbclient user%pass", "smbclient //server/share -U bob%@C@\n", W("d2"))
one("htpasswd -b", "htpasswd -b -c .htpasswd bob @C@\n", W("d3"))
one("here-string after password-file", "rsync --password-file=/dev/stdin <<< @C@\n", W("d4"))
one("process substitution vault password", "ansible-vault decrypt --vault-password-file <(echo @C@) x.yml\n", W("d5"))
one("getpass repr", "getpass() -> '@C@'\n", W("d6"))
one("honeycomb header", "X-Honeycomb-Team: @C@\n", W("h1"))
one("honeycomb header curl -H", "curl -H 'X-Honeycomb-Team: @C@' https://api.honeycomb.io/1/events/x\n", W("h2"))
one("netscape cookie jar", ".example.com\tTRUE\t/\tTRUE\t1735689600\tsessionid\t@C@\n", W("k1"))
one("netscape cookie jar httponly", "#HttpOnly_.github.com\tTRUE\t/\tTRUE\t1735689600\tuser_session\t@C@\n", W("k2"))

# --- near misses: caught today (regression guards) -------------------------------------
one("ok password spaced quoted", "password = '@C@'\n", W("n1"))
one("ok let apiKey", "let apiKey = '@C@';\n", W("n2"))
one("ok secret_key token-ish", "secret_key = '@C@'\n", "Summer2024zq")
one("ok 5-char groups", "backup codes @C@ (store safely)\n", "a8Kq2-Zt9Lm-Pq3xW")
one("ok openssl pass:", "openssl enc -aes-256-cbc -in a -out b -pass pass:@C@\n", W("n3"))
one("ok http2 authorization", "* [HTTP/2] [1] [authorization: Bearer @C@]\n", W("n4"))
one("ok sql login password", "CREATE ROLE app LOGIN PASSWORD '@C@';\n", W("n5"))
one("ok jsonl argv zip -P", json.dumps({"level": "info", "msg": "x", "args": ["zip", "-P", "@C@", "a.zip"]}) + "\n", W("n6"), log="a.jsonl")
one("ok Map cookie", "Map(1) { 'cookie' => 'sid=@C@' }\n", W("n7"))
one("ok code= grouped", "code: @C@\n", "Xq7k-Lm2p-Pz9w-Kd4s")
# Found in review: the `=>` map reader judged a value under `code` in lower case, so a
# mixed-case token read as a snake_case error code (the gate still replaced it).
one("arrow map code mixed case", "{'code' => '@C@'}\n", "Zq7Ab12Cd34EfGh")
