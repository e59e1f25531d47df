"""Round 6 (r25): passwords that are dictionary-like words on command lines and in prose,
where no flag word names them: `-p` of the commands that read it as a password (attached,
spaced, quoted, in argv lists), `echo … | sudo -S`, password prompts echoed with the answer,
`config set KEY VALUE` of npm/git/aws, `set … to …`, `apikey(…)`. Each canary is a made-up
word the gate would keep as vocabulary-shaped."""
import json
from redteam import case
from canary import word

def one(name, text, seed, log="a.log"):
    c = word("r25" + seed, 4)
    @case(f"r25 {name}", c)
    def _(h): h.log(log, text.replace("@C@", c))

one("mysql attached -p", "exec: mysql -uroot -p@C@ -h db\n", "my1")
one("mysqldump quoted -p", 'mysqldump -u root -p"@C@" appdb > dump.sql\n', "my2")
one("mariadb attached -p after sudo", "$ sudo mariadb -u root -p@C@\n", "my3")
one("docker login -p", "docker login -u bob -p @C@ registry.example.com\n", "dk1")
one("podman login -p path", "/usr/bin/podman login --username bob -p @C@ quay.io\n", "dk2")
one("helm registry login -p", "helm registry login reg.example.com -u bob -p @C@\n", "dk3")
one("docker login argv json", json.dumps({"event": "spawn", "argv": ["docker", "login", "-u", "bob", "-p", "@C@"]}) + "\n", "dk4", log="a.jsonl")
one("docker login argv text list", "spawn docker ['login', '-u', 'bob', '-p', '@C@']\n", "dk5")
one("sshpass -p", "sshpass -p @C@ ssh deploy@10.0.0.5\n", "sp1")
one("sshpass -p quoted", "sshpass -p '@C@' scp a b:\n", "sp2")
one("echo pipe sudo -S", "$ echo @C@ | sudo -S apt update\n", "su1")
one("echo -n pipe sudo --stdin", "echo -n '@C@' | sudo --stdin true\n", "su2")
one("printf pipe sudo -S", "printf '%s\\n' @C@ | sudo -S systemctl restart x\n", "su3")
one("sudo prompt", "[sudo] password for jdoe: @C@\n", "pr1")
one("git https prompt", "Password for 'https://jdoe@github.com': @C@\n", "pr2")
one("npm config set authToken", "npm config set //registry.npmjs.org/:_authToken @C@\n", "cf1")
one("git config user.password", "git config --global user.password @C@\n", "cf2")
one("aws configure set secret", "aws configure set aws_secret_access_key @C@\n", "cf3")
one("yarn config set npmAuthToken", "yarn config set npmAuthToken @C@\n", "cf4")
one("changed password to", "I changed my password to @C@ yesterday\n", "st1")
one("set api key to", "then set the API key to @C@ and retried\n", "st2")
one("reset token to", "reset token to @C@\n", "st3")
one("apikey call", "client = make(apikey(@C@))\n", "cl1")
one("password call", "login(password(@C@))\n", "cl2")
