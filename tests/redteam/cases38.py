"""Round 10 (r27): the variants round 9's review listed as not covered. A `.netrc` written over
several lines, journald's `sudo[pid]:` and sudo's refusals, `ps -ef`, `top`, `tar -tv` and
eza listings, a grouped vCard address, names told in prose in any case, GeoJSON's longitude-first positions and positions
written as quoted or `key=value` values; in text logs and in JSON strings. Each canary is a
made-up word the gate would keep as vocabulary-shaped, unless the case says otherwise."""
import json
from redteam import case
from canary import word

def one(name, text, seed, log="a.log"):
    c = word("r27" + seed, 3)
    @case(f"r27 {name}", c)
    def _(h): h.log(log, text.replace("@C@", c))

one("netrc multi-line indented login", "machine git.corp.example\n  login @C@\n  password x\n", "nr1")
one("netrc multi-line login and password", "machine git.corp.example\nlogin @C@ password x\n", "nr2")
one("netrc multi-line tab crlf", "machine git.corp.example\r\n\tlogin @C@\r\n\tpassword x\r\n", "nr3")
one("netrc multi-line password word", "machine git.corp.example\n  login jdoe\n  password @C@\n", "nr4")
one("netrc multi-line password unindented", "machine git.corp.example\nlogin jdoe\npassword @C@\n", "nr5")
one("journald sudo pid", "Dec  4 10:00:00 box sudo[1234]:   @C@ : TTY=pts/0 ; PWD=/tmp ; USER=root ; COMMAND=/bin/ls\n", "sd1")
one("sudo incorrect password attempts", "Dec  4 10:00:00 box sudo[1234]: @C@ : 3 incorrect password attempts ; TTY=pts/0 ; PWD=/tmp ; USER=root ; COMMAND=/bin/ls\n", "sd2")
one("sudo not in sudoers file", "sudo: @C@ is not in the sudoers file.  This incident will be reported.\n", "sd3")
one("sudo user NOT in sudoers", "Dec  4 10:00:00 box sudo:   @C@ : user NOT in sudoers ; TTY=pts/0 ; PWD=/tmp ; USER=root\n", "sd4")
one("sudo not allowed to run", "sudo[7]: @C@ is not allowed to run sudo on box.  This incident will be reported.\n", "sd5")
one("ps -ef row", "UID          PID    PPID  C STIME TTY          TIME CMD\n@C@   4123     1  0 10:02 ?        00:00:01 /usr/bin/node server.js\n", "pe1")
one("ps -ef row month start", "@C@  4123  1  3 Jan04 pts/0    00:12:01 opencode\n", "pe2")
one("top row", "  PID USER      PR  NI    VIRT    RES    SHR S  %CPU  %MEM     TIME+ COMMAND\n  4123 @C@  20   0  1.2g  80m  12m S   1.3  0.5   0:01.02 node\n", "tp1")
one("tar -tv owner and group", "-rw-r--r-- @C@/staff   1024 2026-01-01 10:00 notes.txt\n", "tr1")
one("tar -tv group", "drwxr-xr-x jdoe/@C@ 0 2026-01-01 10:00 src/\n", "tr2")
one("eza row", ".rw-r--r--@ 1.0k @C@  1 Jan 10:00 notes.txt\n", "ez1")
one("eza directory row", "drwxr-xr-x    - @C@  1 Jan 10:00 src\n", "ez2")
one("ps -ef row in json string", json.dumps({"level": "debug", "stdout": "@C@   4123     1  0 10:02 ?        00:00:01 node"}) + "\n", "js1", log="a.jsonl")
one("vcard grouped address", "BEGIN:VCARD\nitem1.ADR;type=HOME:;;12 Quiet Lane;@C@;IL;62704;USA\nEND:VCARD\n", "vc1")

# Names told in prose, in any case.
one("my name's in json message", json.dumps({"event": "feedback", "message": "My name's @C@ and the login loops"}) + "\n", "pn1", log="a.jsonl")
one("hey name exclamation", "hey @C@! your session expired\n", "pn2")
one("dear name comma", "dear @C@, your plan renews soon\n", "pn3")
one("i am capitalized name here", "I am " + word("r27pn4", 3).capitalize() + " here, on the infra team\n", "pn4")

# Positions (the canary is the secret, not a word).
@case("r27 geojson point longitude first", "-122.41942")
def _(h): h.log("a.jsonl", json.dumps({"type": "Point", "coordinates": [-122.41942, 37.77493]}) + "\n")
@case("r27 geojson point latitude second", "37.77493")
def _(h): h.log("a.jsonl", json.dumps({"type": "Point", "coordinates": [-122.41942, 37.77493]}) + "\n")
@case("r27 quoted latitude in json", "48.85837")
def _(h): h.log("a.jsonl", json.dumps({"event": "geo", "latitude": "48.85837", "longitude": "2.29448"}) + "\n")
@case("r27 lat attribute quoted", "-33.86882")
def _(h): h.log("a.log", '<pin lat="-33.86882" lon="151.20929"/>\n')
@case("r27 lng query parameter", "151.20929")
def _(h): h.log("a.log", "GET /map?lat=-33.86882&lng=151.20929 200\n")
