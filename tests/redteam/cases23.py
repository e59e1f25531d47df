"""Round 4, batch 4: non-ASCII names and prompts, full-width characters, invisible characters
inside tokens, homoglyphs; Markdown."""
import json
from redteam import case
from canary import pw, tok

NAMES = [("cjk name after cue", "name: 山田花子", "山田花子"), ("cyrillic name", "Пользователь: Иван Петров", "Иван Петров"),
         ("arabic name", "المستخدم: محمد العلي", "محمد العلي"), ("greek name", "user: Γιώργος Παπαδόπουλος", "Παπαδόπουλος"),
         ("hangul name", "사용자 김민준 님", "김민준"), ("accented latin name", "Signed in as José Müller-Łukasz", "Łukasz"),
         ("cjk prompt", "prompt: 我的密码是 hunter2zq 请记住", "hunter2zq"),
         ("japanese password told", "パスワード: ぷりん猫2024zq", "ぷりん猫2024zq")]
for i, (n, t, c) in enumerate(NAMES):
    def reg(n=n, t=t, c=c):
        @case(f"r14 {n} text", c)
        def _(h): h.log("a.log", t + "\n")
        @case(f"r14 {n} json message", c)
        def _(h): h.log("other.jsonl", json.dumps({"message": t}, ensure_ascii=False) + "\n")
        @case(f"r14 {n} json \\u escaped", c)
        def _(h): h.log("other.jsonl", json.dumps({"message": t}) + "\n")
    reg()
FW = str.maketrans({chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)})
c = "sk-proj-" + tok("fullwidth", 24)
@case("r14 full-width api key", tok("fullwidth", 24))
def _(h): h.log("a.log", "key " + c.translate(FW) + "\n")
c = pw("fwpass")
@case("r14 full-width password label", c)
def _(h): h.log("a.log", "ｐａｓｓｗｏｒｄ＝" + c + "\n")
for j, ch in enumerate(["\u200b", "\u00ad", "\u200d", "\u2060", "\ufeff", "\u034f", "\u180e"]):
    def reg(j=j, ch=ch):
        t = "ghp_" + tok(f"zw{j}", 36)
        mid = t[:12] + ch + t[12:]
        @case(f"r14 invisible U+{ord(ch):04X} inside token", t[14:])
        def _(h): h.log("a.log", "token " + mid + "\n")
    reg()
c = pw("homoglyph")
@case("r14 cyrillic homoglyph in password key", c)
def _(h): h.log("a.log", "раssword=" + c + "\n")  # Cyrillic р, а
c = pw("homoglyph2")
@case("r14 greek omicron in token key json", c)
def _(h): h.log("other.jsonl", json.dumps({"tοken": c}, ensure_ascii=False) + "\n")
c = pw("emoji")
@case("r14 emoji before password", c)
def _(h): h.log("a.log", "🔑 password: " + c + "\n")
c = pw("nbsp")
@case("r14 nbsp between key and value", c)
def _(h): h.log("a.log", "password:\u00a0" + c + "\n")
c = pw("ideosp")
@case("r14 ideographic space after password is", c)
def _(h): h.log("a.log", "my password is\u3000" + c + "\n")
c = pw("rtl")
@case("r14 rtl override around secret", c)
def _(h): h.log("a.log", "token=\u202e" + c + "\u202c\n")
c = pw("mdcode")
@case("r14 markdown inline code after key", c)
def _(h): h.log("a.log", "Set `OPENAI_API_KEY` to `" + c + "` and restart\n")
c = pw("mdbold")
@case("r14 markdown bold password", c)
def _(h): h.log("a.log", "**Password:** " + c + "\n")
c = pw("mdquote")
@case("r14 markdown blockquote yaml", c)
def _(h): h.log("a.log", "> api_key: " + c + "\n")
c = pw("mdlist")
@case("r14 markdown list password item", c)
def _(h): h.log("a.log", "- password: " + c + "\n")
c = pw("mdhtml")
@case("r14 html input value password", c)
def _(h): h.log("a.log", f"<input type=\"password\" name=\"pw\" value=\"{c}\">\n")
c = tok("mdref", 40)
@case("r14 markdown reference link token", c)
def _(h): h.log("a.log", f"[1]: https://hooks.slack.com/services/T000/B000/{c}\n")
