"""Round 3, batch 1: realistic credentials in formats real tools write (config dumps, CLIs,
SDK errors), with random bodies of each format's own alphabet."""
import base64, json, random, string
from redteam import case, LOGS

R = random.Random(31203)
def rs(n, alpha=string.ascii_letters + string.digits):
    return "".join(R.choice(alpha) for _ in range(n))
HEX = "0123456789abcdef"
LOWALNUM = string.ascii_lowercase + string.digits
B64 = string.ascii_letters + string.digits + "+/"
def L(h, name, text): h.log(name, text)

# ---- key prefixes of real providers, in a plain log line and in generic JSON
PREFIXED = {
    "openai project key": "sk-proj-" + rs(48) + "T3BlbkFJ" + rs(20),
    "openai svcacct key": "sk-svcacct-" + rs(40, string.ascii_letters + string.digits + "_-"),
    "openai admin key": "sk-admin-" + rs(40, string.ascii_letters + string.digits + "_-"),
    "anthropic key": "sk-ant-api03-" + rs(86, string.ascii_letters + string.digits + "_-") + "-" + rs(6) + "AA",
    "anthropic oauth": "sk-ant-oat01-" + rs(60, string.ascii_letters + string.digits + "_-"),
    "github ghp": "ghp_" + rs(36),
    "github gho": "gho_" + rs(36),
    "github ghs": "ghs_" + rs(36),
    "github ghu": "ghu_" + rs(36),
    "gitlab glpat": "glpat-" + rs(20, string.ascii_letters + string.digits + "_-"),
    "gitlab runner": "glrt-" + rs(20, string.ascii_letters + string.digits + "_-"),
    "slack xoxb": "xoxb-" + rs(11, string.digits) + "-" + rs(13, string.digits) + "-" + rs(24),
    "slack xapp": "xapp-1-A" + rs(10, string.ascii_uppercase + string.digits) + "-" + rs(13, string.digits) + "-" + rs(64, HEX),
    "stripe rk_live": "rk_live_" + rs(99),
    "stripe whsec": "whsec_" + rs(32),
    "google api key": "AIza" + rs(35, string.ascii_letters + string.digits + "_-"),
    "google oauth access": "ya29.a0" + rs(150, string.ascii_letters + string.digits + "_-"),
    "google refresh": "1//0" + rs(2) + "-" + rs(60, string.ascii_letters + string.digits + "_-"),
    "huggingface": "hf_" + rs(34),
    "groq": "gsk_" + rs(52),
    "xai": "xai-" + rs(80),
    "perplexity": "pplx-" + rs(48),
    "replicate": "r8_" + rs(37),
    "sendgrid": "SG." + rs(22, string.ascii_letters + string.digits + "_-") + "." + rs(43, string.ascii_letters + string.digits + "_-"),
    "mailgun hex": "key-" + rs(32, HEX),
    "twilio SK": "SK" + rs(32, HEX),
    "databricks": "dapi" + rs(32, HEX),
    "digitalocean": "dop_v1_" + rs(64, HEX),
    "shopify": "shpat_" + rs(32, HEX),
    "linear": "lin_api_" + rs(40),
    "notion": "ntn_" + rs(46),
    "postman": "PMAK-" + rs(24, HEX) + "-" + rs(34, HEX),
    "atlassian": "ATATT3xFfGF0" + rs(180, string.ascii_letters + string.digits + "_-=") ,
    "supabase": "sbp_" + rs(40, HEX),
    "npm token": "npm_" + rs(36),
    "pypi token": "pypi-AgEIcHlwaS5vcmc" + rs(60, string.ascii_letters + string.digits + "_-"),
    "age secret key": "AGE-SECRET-KEY-1" + rs(58, "QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L"),
    "terraform cloud": rs(14) + ".atlasv1." + rs(67),
    "doppler": "dp.st.prd." + rs(40),
    "vault token": "hvs." + rs(24),
    "azure openai key hex": rs(32, HEX),
    "openrouter": "sk-or-v1-" + rs(64, HEX),
    "deepseek": "sk-" + rs(32, HEX),
    "cohere-like lowercase": rs(40, LOWALNUM),
    "discord bot token": "MT" + rs(24) + "." + rs(6) + "." + rs(38, string.ascii_letters + string.digits + "_-"),
    "telegram bot token": rs(10, string.digits) + ":AA" + rs(33, string.ascii_letters + string.digits + "_-"),
    "fireworks": "fw_" + rs(24),
    "mistral lower": rs(32, string.ascii_letters + string.digits),
    "cloudflare api token": rs(40, string.ascii_letters + string.digits + "_-"),
}
for label, tok in PREFIXED.items():
    def mk(label=label, tok=tok):
        @case(f"r5 prefixed {label} in text log", tok)
        def _(h): L(h, "a.log", f"[provider] request failed using key {tok}\n")
        @case(f"r5 prefixed {label} in generic json", tok)
        def _(h): L(h, "other.jsonl", json.dumps({"event": "provider_error", "detail": tok}) + "\n")
    mk()

# ---- credential files as tools print them
U, P = "zorvdocker", rs(18)
@case("r5 docker config auths base64", [P, base64.b64encode(f"{U}:{P}".encode()).decode()])
def _(h): L(h, "a.log", 'docker config: {"auths":{"https://index.docker.io/v1/":{"auth":"%s"}}}\n' % base64.b64encode(f"{U}:{P}".encode()).decode())
P2 = rs(20)
@case("r5 docker config auths pretty json document", [P2])
def _(h): L(h, "docker-config.json", json.dumps({"auths": {"ghcr.io": {"auth": base64.b64encode(f"zorv:{P2}".encode()).decode()}}, "credsStore": "desktop"}, indent=2))
T = rs(40, LOWALNUM)
@case("r5 git credentials file line", T)
def _(h): L(h, "a.log", f"credential store: https://zorvgituser:{T}@gitlab.example.org\n")
T = "glpat-" + rs(20)
@case("r5 git credential fill output", T)
def _(h): L(h, "a.log", f"protocol=https\nhost=gitlab.com\nusername=oauth2\npassword={T}\n")
T = rs(24, LOWALNUM)
@case("r5 netrc multi-line machine", T)
def _(h): L(h, "a.log", f"machine api.heroku.com\n  login me@example.org\n  password {T}\n")
T = rs(16)
@case("r5 pip.conf index-url", T)
def _(h): L(h, "a.log", f"[global]\nindex-url = https://pipuser:{T}@pypi.corp.example/simple\n")
T = rs(36)
@case("r5 npmrc scoped authToken", T)
def _(h): L(h, "a.log", f"@acme:registry=https://npm.pkg.github.com\n//npm.pkg.github.com/:_authToken={T}\n")
T = base64.b64encode(rs(14).encode()).decode()
@case("r5 npmrc _password base64", T)
def _(h): L(h, "a.log", f"//registry.corp.example/:username=ci\n//registry.corp.example/:_password={T}\n")
T = rs(40, string.ascii_letters + string.digits + "+/")
@case("r5 aws credentials file", T)
def _(h): L(h, "a.log", f"[profile dev]\naws_access_key_id=ASIA{rs(16, string.ascii_uppercase + string.digits)}\naws_secret_access_key={T}\n")
T = "IQoJb3JpZ2luX2VjE" + rs(200, B64)
@case("r5 aws session token", T)
def _(h): L(h, "a.log", f"aws_session_token = {T}\n")
T = rs(40, string.ascii_letters + string.digits + "+/")
@case("r5 aws env dump AWS_SECRET_ACCESS_KEY", T)
def _(h): L(h, "a.log", f"env: AWS_SECRET_ACCESS_KEY={T} AWS_REGION=us-east-1\n")
PK = "MIIEvgIBADANBgkqhkiG9w0BAQEFAASC" + rs(60, B64)
@case("r5 gcp service account json document", [PK, "zorvsa-prod-418"])
def _(h): L(h, "sa.json", json.dumps({"type": "service_account", "project_id": "zorvsa-prod-418", "private_key_id": rs(40, HEX), "private_key": f"-----BEGIN PRIVATE KEY-----\n{PK}\n{rs(64, B64)}\n-----END PRIVATE KEY-----\n", "client_email": "ci@zorvsa-prod-418.iam.gserviceaccount.com", "client_id": rs(21, string.digits)}, indent=2))
K1 = rs(64, B64)
@case("r5 RSA private key block lines", K1)
def _(h): L(h, "a.log", f"-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,{rs(32, HEX.upper())}\n\n{K1}\n{rs(64, B64)}\n-----END RSA PRIVATE KEY-----\n")
K2 = rs(64, B64)
@case("r5 EC private key in json string", K2)
def _(h): L(h, "other.jsonl", json.dumps({"event": "x", "pem": f"-----BEGIN EC PRIVATE KEY-----\n{K2}\n-----END EC PRIVATE KEY-----"}) + "\n")
K3 = rs(64, B64)
@case("r5 PGP private key block with comment", [K3, "zorvpgp@example.org"])
def _(h): L(h, "a.log", f"-----BEGIN PGP PRIVATE KEY BLOCK-----\nComment: Zorv Pgp <zorvpgp@example.org>\n\n{K3}\n={rs(4, B64)}\n-----END PGP PRIVATE KEY BLOCK-----\n")
K4 = rs(64, B64)
@case("r5 PuTTY ppk", K4)
def _(h): L(h, "a.log", f"PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nComment: eddsa-key-20260101\nPublic-Lines: 2\nAAAAC3NzaC1lZDI1NTE5AAAAI{rs(30, B64)}\nPrivate-Lines: 1\n{K4}\nPrivate-MAC: {rs(64, HEX)}\n")
K5 = rs(44, B64)
@case("r5 azure service bus connection string", K5)
def _(h): L(h, "a.log", f"Endpoint=sb://zorvbus.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey={K5}=\n")
SIG = rs(43, B64)
@case("r5 azure SAS url", SIG)
def _(h): L(h, "a.log", "GET https://zorvstore.blob.core.windows.net/c/b.txt?sv=2022-11-02&ss=b&srt=sco&sp=rl&se=2026-01-01T00:00:00Z&sig=" + SIG.replace("+", "%2B").replace("/", "%2F") + "%3D 403\n")
SIG2 = rs(64, HEX)
@case("r5 s3 presigned url signature", SIG2)
def _(h): L(h, "a.log", f"fetch https://zorvbkt.s3.amazonaws.com/x.tgz?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIA{rs(16, string.ascii_uppercase+string.digits)}%2F20260101%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20260101T000000Z&X-Amz-Expires=900&X-Amz-SignedHeaders=host&X-Amz-Signature={SIG2}\n")
SIG3 = rs(40, B64)
@case("r5 gcs signed url on googleapis", SIG3)
def _(h): L(h, "a.log", "GET https://storage.googleapis.com/zorvbucket/obj.bin?X-Goog-Algorithm=GOOG4-RSA-SHA256&X-Goog-Signature=" + SIG3.replace("+", "%2B").replace("/", "%2F") + " 200\n")
T = rs(32, HEX)
@case("r5 googleapis tokeninfo access_token", T)
def _(h): L(h, "a.log", f"GET https://www.googleapis.com/oauth2/v3/tokeninfo?access_token=ya29.{T}\n")
B = base64.b64encode(f"zorvproxy:{rs(12)}".encode()).decode()
@case("r5 Proxy-Authorization Basic", B)
def _(h): L(h, "a.log", f"> CONNECT api.openai.com:443 HTTP/1.1\n> Proxy-Authorization: Basic {B}\n")
J = "eyJhbGciOiJIUzI1NiJ9." + base64.urlsafe_b64encode(json.dumps({"sub": "zorvjwt", "email": "j@x.io"}).encode()).decode().rstrip("=") + "." + rs(43, string.ascii_letters + string.digits + "_-")
@case("r5 JWT in cookie with attributes", J)
def _(h): L(h, "a.log", f"set-cookie: __Host-auth={J}; Path=/; Secure; HttpOnly; SameSite=Lax\n")
C = rs(32)
@case("r5 HAR cookies array", C)
def _(h): L(h, "capture.har.json", json.dumps({"log": {"entries": [{"request": {"method": "GET", "url": "https://chatgpt.com/backend-api/me", "cookies": [{"name": "__Secure-next-auth.session-token", "value": C, "httpOnly": True}], "headers": [{"name": "X-Custom", "value": "1"}]}}]}}, indent=2))
C2 = rs(24)
@case("r5 HAR headers array name/value", C2)
def _(h): L(h, "capture.har.json", json.dumps({"log": {"entries": [{"request": {"headers": [{"name": "Authorization", "value": "Bearer " + C2}, {"name": "x-goog-api-key", "value": "AIza" + rs(35)}]}}]}}, indent=2))
C3 = rs(35, string.ascii_letters + string.digits + "_-")
@case("r5 HAR headers array other key header", "AIza" + C3)
def _(h): L(h, "capture.har.jsonl", json.dumps({"headers": [{"name": "x-goog-api-key", "value": "AIza" + C3}]}) + "\n")
SAML = base64.b64encode(f'<samlp:Response><saml:Assertion><saml:Subject><saml:NameID>zorvsaml@corp.example</saml:NameID></saml:Subject></saml:Assertion></samlp:Response>'.encode()).decode()
@case("r5 SAMLResponse base64 xml", ["zorvsaml@corp.example", SAML[:40]])
def _(h): L(h, "a.log", f"POST /sso/acs SAMLResponse={SAML}&RelayState=abc\n")
T = rs(32)
@case("r5 python requests auth tuple repr", T)
def _(h): L(h, "a.log", f"Session(auth=('zorvreq', '{T}'), verify=True)\n")
T = rs(28)
@case("r5 connection string sqlserver", T)
def _(h): L(h, "a.log", f"Server=tcp:zorvsql.database.windows.net,1433;Initial Catalog=app;User ID=sa;Password={T};Encrypt=True;\n")
T = rs(22)
@case("r5 k8s kubeconfig token", T)
def _(h): L(h, "a.log", f"users:\n- name: admin\n  user:\n    token: {T}\n")
T = base64.b64encode(rs(24).encode()).decode()
@case("r5 k8s secret data base64", T)
def _(h): L(h, "a.log", f"apiVersion: v1\nkind: Secret\ndata:\n  OPENAI_API_KEY: {T}\n")
T = rs(32)
@case("r5 github actions masked env echo", T)
def _(h): L(h, "a.log", f"##[debug]Evaluating: secrets.OPENAI_KEY\n##[debug]Result: '{T}'\n")
T = rs(26)
@case("r5 .env line with export and comment", T)
def _(h): L(h, "a.log", f"export ANTHROPIC_API_KEY=\"{T}\" # personal\n")
T = rs(30)
@case("r5 x-goog-api-key header text", T)
def _(h): L(h, "a.log", f"x-goog-api-key: {T}\n")
T = rs(30)
@case("r5 ocp-apim-subscription-key header", T)
def _(h): L(h, "a.log", f"Ocp-Apim-Subscription-Key: {T}\n")
T = rs(40)
@case("r5 private-token header gitlab", T)
def _(h): L(h, "a.log", f"curl --header \"PRIVATE-TOKEN: {T}\" https://gitlab.example.com/api/v4/projects\n")
T = rs(32)
@case("r5 openai-organization header", "org-" + T[:24])
def _(h): L(h, "live-headers.jsonl", json.dumps({"stage": "before-auth", "headers": {"openai-organization": "org-" + T[:24], "openai-project": "proj_" + T[:24]}}) + "\n")
T = rs(24)
@case("r5 openai-project header", "proj_" + T)
def _(h): L(h, "live-headers.jsonl", json.dumps({"stage": "before-auth", "headers": {"openai-project": "proj_" + T}}) + "\n")
T = rs(12, string.ascii_lowercase)
@case("r5 wifi psk in nmcli", "zorvwifi" + T)
def _(h): L(h, "a.log", f"802-11-wireless-security.psk: zorvwifi{T}\n")
T = rs(29, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
@case("r5 otpauth uri secret base32", T)
def _(h): L(h, "a.log", f"otpauth://totp/GitHub:zorvotp?secret={T}&issuer=GitHub\n")
