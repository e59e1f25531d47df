"""Round 3, batch 5: free-text lines real tools print (sign-ins, TLS, shells, CLIs), the
`scan` command on realistic files (it must flag them and never print the value), and
identities the first four batches found leaking, in more shapes."""
import base64, gzip, io, json, random, string, zipfile
from redteam import case, LOGS

R = random.Random(71203)
def rs(n, alpha=string.ascii_letters + string.digits):
    return "".join(R.choice(alpha) for _ in range(n))
def L(h, name, text): h.log(name, text)

# ---- sign-ins and greetings as CLIs print them
@case("r6 signed in as name", "Priyanka Ramaswamy")
def _(h): L(h, "a.log", "Signed in as Priyanka Ramaswamy (Plus)\n")
@case("r6 logged in as handle", "pramaswamy7")
def _(h): L(h, "a.log", "✓ Logged in as pramaswamy7\n")
@case("r6 gh auth status account", "octozorv")
def _(h): L(h, "a.log", "github.com\n  ✓ Logged in to github.com account octozorv (keyring)\n")
@case("r6 authenticated as in json message", "zq-handle9")
def _(h): L(h, "other.jsonl", json.dumps({"event": "x", "message": "authenticated as zq-handle9"}) + "\n")
@case("r6 welcome back name", "Priyanka")
def _(h): L(h, "a.log", "Welcome back, Priyanka!\n")
@case("r6 workspace quoted", "Ramaswamy Labs")
def _(h): L(h, "a.log", 'workspace "Ramaswamy Labs" has been deactivated\n')
@case("r6 org quoted in json message", "Zorvtek Holdings")
def _(h): L(h, "other.jsonl", json.dumps({"event": "x", "message": 'org "Zorvtek Holdings" over quota'}) + "\n")
@case("r6 user single quoted", "zq_handle")
def _(h): L(h, "a.log", "User 'zq_handle' lacks scope model.request\n")
# ---- certificates
@case("r6 cert subject CN person", "Zorvia Quent")
def _(h): L(h, "a.log", "subject=CN=Zorvia Quent,O=Acme,C=US\n")
@case("r6 cert issuer O company", "Zorvtek Root")
def _(h): L(h, "a.log", "issuer: /C=US/O=Zorvtek Root Authority/CN=Zorvtek Root CA\n")
@case("r6 openssl s_client subject", "zqproxy")
def _(h): L(h, "a.log", "depth=0 CN = zqproxy.corp, O = Acme\n")
# ---- phones
@case("r6 phone jp", "90-1234-5678")
def _(h): L(h, "a.log", "whatsapp +81 90-1234-5678\n")
@case("r6 phone ru", "912 345-67-89")
def _(h): L(h, "a.log", "tel +7 912 345-67-89\n")
@case("r6 phone br", "91234-5678")
def _(h): L(h, "a.log", "+55 11 91234-5678\n")
@case("r6 phone in", "98765 43210")
def _(h): L(h, "a.log", "call +91 98765 43210\n")
@case("r6 phone de long group", "151 12345678")
def _(h): L(h, "a.log", "mobil +49 151 12345678\n")
@case("r6 phone mobile bare", "4155552699")
def _(h): L(h, "a.log", "mobile=4155552699\n")
@case("r6 phone json key", "4155552698")
def _(h): L(h, "other.jsonl", '{"event":"x","phoneNumber":4155552698}\n')
@case("r6 phone cue hash", "555-2671")
def _(h): L(h, "a.log", "Phone # 555-2671\n")
# ---- emails
@case("r6 email ip literal", "zqlit")
def _(h): L(h, "a.log", "rcpt zqlit@[192.0.2.7]\n")
@case("r6 email ipv6 literal", "zqlit6")
def _(h): L(h, "a.log", "rcpt <zqlit6@[IPv6:2001:db8::1]>\n")
# ---- dates of birth
@case("r6 dob key text", "1987-04-12")
def _(h): L(h, "a.log", "date_of_birth=1987-04-12\n")
@case("r6 dob yaml", "1987-04-19")
def _(h): L(h, "a.log", "birth_date: 1987-04-19\n")
# ---- fine-tuned models
@case("r6 ft org text", "zqorgft")
def _(h): L(h, "a.log", "The model `ft:gpt-4o-mini-2024-07-18:zqorgft:support:9abcDEF1` does not exist\n")
@case("r6 ft org url", "zqorgurl")
def _(h): L(h, "a.log", "POST https://api.openai.com/v1/fine_tuning/jobs model=ft:gpt-4o-2024-08-06:zqorgurl::AbC12345\n")
# ---- shell prompts
@case("r6 prompt user at macbook", "zqprompt")
def _(h): L(h, "a.log", "zqprompt@Zqs-MacBook-Pro ~ % opencode\n")
@case("r6 prompt user at local", "zqprompt2")
def _(h): L(h, "a.log", "zqprompt2@nas.local:~$ ls\n")

# ---- scan: realistic files must be flagged, and the value never printed
SCAN = {
    "openai key in .env": ("OPENAI_API_KEY=sk-proj-" + rs(60) + "\n", "sk-proj-"),
    "anthropic key in yaml": ("anthropic:\n  api_key: sk-ant-api03-" + rs(80, string.ascii_letters + string.digits + "_-") + "\n", "sk-ant-api03-"),
    "github token in git config": ("[remote \"origin\"]\n\turl = https://x-access-token:ghs_" + rs(36) + "@github.com/acme/repo.git\n", "ghs_"),
    "email in csv": ("id,email\n1,zqscan@acme.example\n", "zqscan@acme.example"),
    "jwt in har": (json.dumps({"log": {"entries": [{"request": {"headers": [{"name": "authorization", "value": "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ6cSJ9." + rs(43, string.ascii_letters + string.digits + "_-")}]}}]}}), "eyJhbGciOiJIUzI1NiJ9"),
    "aws secret in credentials": ("[default]\naws_access_key_id = AKIA" + rs(16, string.ascii_uppercase + string.digits) + "\naws_secret_access_key = " + rs(40) + "\n", "aws_secret"),
    "pem key": ("-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ" + rs(30) + "\n-----END OPENSSH PRIVATE KEY-----\n", "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ"),
    "phone jp": ("whatsapp +81 90-1234-5678\n", "90-1234-5678"),
    "cookie in curl": ("curl -b '__Secure-next-auth.session-token=" + rs(60) + "' https://chatgpt.com\n", "__Secure"),
    "utf16 key file": (("token sk-proj-" + rs(50) + "\n").encode("utf-16"), "sk-proj-"),
    "gzip log with key": (gzip.compress(("sk-proj-" + rs(50) + "\n").encode()), "sk-proj-"),
    "github pat fine grained": ("GH_TOKEN=github_pat_11" + rs(20, string.ascii_uppercase + string.digits) + "_" + rs(59) + "\n", "github_pat_"),
    "google api key": ("key: AIza" + rs(35, string.ascii_letters + string.digits + "_-") + "\n", "AIza"),
    "slack bot": ("SLACK=xoxb-" + rs(12, string.digits) + "-" + rs(13, string.digits) + "-" + rs(24) + "\n", "xoxb-"),
    "stripe live": ("STRIPE=sk_live_" + rs(99) + "\n", "sk_live_"),
    "huggingface": ("HF_TOKEN=hf_Zq" + "Kv8Rw3Xp7LmTq2Wn5Yb4Hj6Gf1Ds0Ay3E" + "\n", "hf_ZqKv8Rw3Xp7LmTq2Wn5Yb4Hj6Gf1Ds0Ay3E"),
    "npm token": ("//registry.npmjs.org/:_authToken=npm_" + rs(36) + "\n", "npm_"),
    "private key in json sa": (json.dumps({"type": "service_account", "private_key": "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC" + rs(60) + "\n-----END PRIVATE KEY-----\n"}), "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC"),
    "gitlab pat": ("token: glpat-" + rs(20) + "\n", "glpat-"),
    "ssn in prose": ("my ssn is 078-05-1120\n", "078-05-1120"),
}
for name, (content, needle) in SCAN.items():
    def reg(name=name, content=content, needle=needle):
        @case(f"r6 scan {name}", needle)
        def _(h):
            return ("scan", {"file.txt" if not isinstance(content, bytes) else "file.bin": content})
    reg()
# zip holding a file holding a secret, and a secret only in an entry name
T = "sk-proj-" + rs(50)
@case("r6 scan zip entry content", T)
def _(h):
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w") as z: z.writestr("logs/a.log", "key " + T + "\n")
    return ("scan", {"attach.zip": b.getvalue()})
@case("r6 scan zip entry name email", "zqzipname@acme.example")
def _(h):
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w") as z: z.writestr("zqzipname@acme.example.log", "ok\n")
    return ("scan", {"attach.zip": b.getvalue()})
