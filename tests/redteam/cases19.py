"""Round 3, batch 9: one-time codes and personal numbers as JSON numbers under their keys,
bypasses of this round's own detectors (spacing, typographic quotes, colons)."""
import json
from redteam import case, LOGS

NUMS = {"otp": 482913, "pin": 4821, "cvv": 123, "cvc": 456, "passcode": 998877, "ssn": 78051120,
        "account_number": 12345678, "routing_number": 21000021, "verification_code": 552211,
        "mfa_code": 334455, "dob": 19870412, "phone_number": 4155550188, "security_code": 9182}
for k, v in NUMS.items():
    def reg(k=k, v=v):
        @case(f"r10 json number under {k}", str(v))
        def _(h): h.log("other.jsonl", json.dumps({"event": "x", k: v}) + "\n")
        @case(f"r10 json number under {k} pretty document", str(v))
        def _(h): h.log("doc.json", json.dumps({"event": "x", "user": {k: v}}, indent=2))
        @case(f"r10 k=v number {k}", str(v))
        def _(h): h.log("a.log", f"{k}={v}\n")
    reg()
@case("r10 as colon", "zqcolonuser")
def _(h): h.log("a.log", "Signed in as: zqcolonuser\n")
@case("r10 as double space", "zqdblspace7")
def _(h): h.log("a.log", "Logged in as  zqdblspace7\n")
@case("r10 curly quoted workspace", "Zqcurly Holdings")
def _(h): h.log("a.log", "workspace “Zqcurly Holdings” is deactivated\n")
@case("r10 curly single quoted user", "zqcurlyuser")
def _(h): h.log("a.log", "user ‘zqcurlyuser’ not found\n")
@case("r10 openssl spaced subject", "zqsslhost")
def _(h): h.log("a.log", "depth=0 CN = zqsslhost.corp, O = Acme\n")
@case("r10 hostname localhost stays? (canary is a neighbour)", "zqneighbour7")
def _(h): h.log("a.log", "hostname: localhost user zqneighbour7 x\n")
@case("r10 yaml block scalar under secret key", "marmot-lantern-velvet-42")
def _(h): h.log("a.log", "client_secret: |\n  marmot-lantern-velvet-42\nnext: 1\n")
@case("r10 yaml folded scalar under password", "marmot lantern velvet")
def _(h): h.log("a.log", "password: >-\n  marmot lantern velvet\nok: 1\n")
