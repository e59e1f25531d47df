"""Round 5, batch 3 (r24): numeric secrets under cue words (PIN, CVV, OTP, MFA), license keys
of words, seed phrases, recovery codes, prose cues, CLI credential flags, JSON key spellings."""
import json
from redteam import case
from canary import pw, tok, word

def one(name, text, canary, log="a.log"):
    @case(f"r24 {name}", canary)
    def _(h): h.log(log, text.replace("@C@", canary))

N = iter(["48213", "739104", "5829", "913", "602817", "3317", "84120", "270591", "6604", "771", "290384", "51937", "8842", "190273", "37706", "64219"])
for cue in ["PIN: @C@", "pin=@C@", "cvv @C@", "CVC: @C@", "otp=@C@", "MFA code: @C@", "2FA code @C@", "verification code: @C@", "passcode=@C@", "security code @C@", "one-time password: @C@", "TOTP @C@"]:
    def reg(cue=cue, n=next(N)):
        one(f"numeric secret {cue.split('@')[0].strip()}", f"login step: {cue}\n", n)
    reg()
for k in ["pin", "otp", "cvv", "passcode"]:
    def reg(k=k, n=next(N)):
        one(f"numeric secret json {k}", json.dumps({"event": "x", k: n}) + "\n", n, log="a.jsonl")
    reg()
c = "91827"
one("json number under password", '{"event": "x", "password": 91827}\n', c, log="a.jsonl")
def words(seed, n): return " ".join(word(seed + str(i)) for i in range(n))
def dashed(seed, n): return "-".join(word(seed + str(i), 2).upper() for i in range(n))
one("license key upper words", "license key: @C@\n", dashed("lic", 5))
one("product key words", "Product Key @C@ accepted\n", dashed("prod", 5))
one("seed phrase", "seed phrase: @C@\n", words("seed", 12))
one("mnemonic json", json.dumps({"event": "x", "mnemonic": words("mnem", 12)}) + "\n", words("mnem", 12), log="a.jsonl")
one("recovery codes", "recovery codes: @C@\n", word("rc1", 2) + "-" + word("rc2", 2))
one("security answer", "security answer: @C@\n", word("secans"))
one("mother's maiden name", "mother's maiden name: @C@\n", word("maiden").capitalize())
one("password is quoted phrase", 'the password is "@C@"\n', words("pwphr", 4))
one("password was prose", "I changed my password to @C@ yesterday\n", pw("pwprose"))
one("key is backticks", "my api key is `@C@`\n", pw("keybt"))
one("wifi password", "wifi password: @C@\n", pw("wifi"))
one("cmdkey pass", "cmdkey /generic:git /user:jdoe /pass:@C@\n", pw("cmdkey"))
one("curl -u", "curl -u jdoe:@C@ https://api.example.com\n", pw("curlu"))
one("curl --user", "curl --user 'jdoe:@C@' https://x\n", pw("curluser"))
one("wget --password", "wget --password=@C@ ftp://x\n", pw("wget"))
one("mongodb srv", "mongodb+srv://app:@C@@cluster0.ab1cd.mongodb.net/db\n", pw("mongo"))
one("psql conninfo", 'psql "host=db user=app password=@C@ dbname=x"\n', pw("psqlci"))
one("otpauth url", "otpauth://totp/ACME:jdoe?secret=@C@&issuer=ACME\n", "JBSWY3DPEHPK3PXP")
one("totp base32 secret cue", "2fa secret: @C@\n", "GEZDGNBVGY3TQOJQ")
one("json escaped key", '{"event": "x", "pass\\u0077ord": "@C@"}\n', pw("escjkey"), log="a.jsonl")
one("json key trailing space", '{"event": "x", "password ": "@C@"}\n', pw("trailsp"), log="a.jsonl")
one("text key with escaped unicode", "pass\\u0077ord=@C@\n", pw("escttext"))
one("url-encoded pair in text", "password%3D@C@\n", pw("pctpair"))
one("html entity eq", "password&#61;@C@\n", pw("htmleq"))
one("pwd short name", "pwd=@C@\n", pw("pwdshort"))
one("pw colon", "pw: @C@\n", pw("pwcolon"))
one("pass arrow", "pass -> @C@\n", pw("passarrow"))
one("password em dash", "password — @C@\n", pw("pwemdash"))
one("secret in parentheses", "apikey(@C@)\n", pw("paren"))
one("key equals with spaces tab", "API_KEY\t=\t@C@\n", pw("tabeq"))
one("hyphen flag no eq", "--api-key @C@\n", pw("flagsp"))
one("single dash flag", "-token @C@\n", pw("sdflag"))
one("yaml json style", '"secret": @C@\n', pw("yamlq"))
one("toml dotted key", "auth.token = \"@C@\"\n", pw("tomldot"))
one("env in json array docker", json.dumps({"Env": ["PATH=/usr/bin", "DB_PASSWORD=" + pw("dockenv")]}) + "\n", pw("dockenv") if False else None or "x", log="a.jsonl") if False else None
c = pw("dockenv")
one("docker inspect env array", json.dumps({"Env": ["PATH=/usr/bin", "DB_PASSWORD=" + c]}) + "\n", c, log="a.jsonl")
c = pw("argvpw")
one("process argv array", json.dumps({"argv": ["node", "srv.js", "--password", c]}) + "\n", c, log="a.jsonl")
c = pw("argvpw2")
one("process argv array pretty", json.dumps({"argv": ["node", "--token", c]}, indent=2) + "\n", c, log="a.json")
