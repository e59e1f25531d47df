"""Round 3, batch 8: environment variables the doctor lists, with realistic values, and a
few login-code and webhook shapes."""
import json
from redteam import case, LOGS

ENV = {
    "OPENCODE_SERVER_USERNAME": ("jdoe42zq", "jdoe42zq"),
    "CODEX_HOME": ("/home/jdoezq/.codex", "jdoezq"),
    "OPENCODE_CONFIG_DIR": ("/Users/jdoezq2/dotfiles/opencode", "jdoezq2"),
    "HTTPS_PROXY": ("http://proxy.zqacme-corp.com:3128", "zqacme-corp"),
    "HTTP_PROXY": ("http://jdoe:Summer2024zq@proxy:3128", "Summer2024zq"),
    "NO_PROXY": ("localhost,127.0.0.1,.zqintranet.corp,10.0.0.0/8", "zqintranet"),
    "OPENCODE_CONFIG_CONTENT": (json.dumps({"username": "Zqjane Doe"}), "Zqjane"),
    "OPENCODE_CONFIG_CONTENT ": (json.dumps({"provider": {"zqacme": {"options": {"baseURL": "https://llm.zqacme.com/v1"}}}}), "zqacme"),
    "CODEX_RUNTIME_LISTEN": ("192.168.7.23:11455", "192.168.7.23"),
    "XDG_CONFIG_HOME": ("/home/zqxdguser/.config", "zqxdguser"),
    "OPENCODE_OPENAI_MULTI_CONFIG_PATH": ("/home/zqmcp/cfg/codex-config.jsonc", "zqmcp"),
    "CODEX_AUTH_DEBUG": ("jdoe@zqacme.com", "jdoe@zqacme.com"),
    "OPENCODE_THEME": ("zqacme-dark-4", "zqacme-dark-4"),
}
for k, (v, canary) in ENV.items():
    def reg(k=k.strip(), v=v, canary=canary, label=k):
        @case(f"r9 env {label}", canary)
        def _(h): h.env[k] = v
    reg()

@case("r9 chatgpt login code told", "482913")
def _(h): h.log("a.log", "Your ChatGPT code is 482913\n")
@case("r9 telegram bot url", "AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw")
def _(h): h.log("a.log", "POST https://api.telegram.org/bot123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw/sendMessage 200\n")
@case("r9 teams webhook", "a1b2c3d4e5f60718293a4b5c6d7e8f90")
def _(h): h.log("a.log", "POST https://acme.webhook.office.com/webhookb2/5a3c2b1d-9e8f-4a7b-b6c5-d4e3f2a1b0c9@72f988bf-86f1-41af-91ab-2d7cd011db47/IncomingWebhook/a1b2c3d4e5f60718293a4b5c6d7e8f90/3f2a9c1e-7ffe-4b2a-9c1e-7ffe4b2a9c1e\n")
@case("r9 ifttt key path", "dZqK8mW2qR5zX9pL3vT")
def _(h): h.log("a.log", "GET https://maker.ifttt.com/trigger/deploy/with/key/dZqK8mW2qR5zX9pL3vT\n")
@case("r9 basic auth in url lowercase words", "correcthorsezq")
def _(h): h.log("a.log", "GET https://admin:correcthorsezq@registry.example.com/v2/\n")
@case("r9 pat in git url no user", "ghp_" + "ZqKv8Rw3Xp7LmTq2Wn5Yb4Hj6Gf1Ds0Ay3E")
def _(h): h.log("a.log", "remote: https://ghp_ZqKv8Rw3Xp7LmTq2Wn5Yb4Hj6Gf1Ds0Ay3E@github.com/acme/x\n")
