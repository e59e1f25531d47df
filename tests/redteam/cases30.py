"""Round 4, batch 11: config files pasted into logs (Dockerfile, GitHub Actions, ssh config,
pip/npm/maven/gradle, .git-credentials, .pypirc), sudo prompts, CRLF transcripts."""
import json
from redteam import case
from canary import pw

def one(name, text, seed=None, log="a.log", canary=None):
    c = canary or pw(seed or name)
    @case(f"r21 {name}", c)
    def _(h): h.log(log, text.replace("@C@", c))

one("dockerfile ENV", "FROM node:20\nENV OPENAI_API_KEY=@C@\n")
one("dockerfile ENV space form", "ENV OPENAI_API_KEY @C@\n")
one("dockerfile ARG default", "ARG NPM_TOKEN=@C@\n")
one("gha env block literal", "jobs:\n  test:\n    env:\n      OPENAI_API_KEY: @C@\n")
one("gha with: token", "      - uses: actions/checkout@v4\n        with:\n          token: @C@\n")
one("ssh config user", "Host work\n  HostName 10.0.0.5\n  User zq@C@\n", canary="zq" + pw("sshu").split("-")[0])
one("pip.conf index-url creds", "[global]\nindex-url = https://__token__:@C@@pypi.example.com/simple\n")
one("npmrc auth line", "//npm.pkg.github.com/:_authToken=@C@\n")
one("maven settings password", "<server>\n  <id>x</id>\n  <password>@C@</password>\n</server>\n")
one("gradle proxy password", "systemProp.https.proxyPassword=@C@\n")
one("git-credentials line", "https://jdoe:@C@@github.com\n")
one("pypirc", "[pypi]\nusername = __token__\npassword = @C@\n")
one("sudo prompt with password echoed", "[sudo] password for jdoe: @C@\n")
one("crlf transcript prompt", "$ printenv OPENAI_API_KEY\r\n@C@\r\n")
one("sudo -S echo", "$ echo @C@ | sudo -S apt update\n")
one("mysql config file", "[client]\nuser=root\npassword=@C@\n")
one("k8s secret stringData yaml", "stringData:\n  password: @C@\n")
one("k8s secret data yaml word", "data:\n  api-key: @C@\n")
one("helm values nested", "postgresql:\n  auth:\n    postgresPassword: @C@\n")
one("compose secrets file", "secrets:\n  db_password:\n    file: ./@C@.txt\n")
one("terraform tfvars", "db_password = \"@C@\"\n")
TF = pw("tfstate")
one("terraform state json", json.dumps({"resources": [{"instances": [{"attributes": {"password": TF}}]}]}, indent=2), canary=TF, log="state.json")
one("jupyter cell output", '{"cell_type": "code", "outputs": [{"text": ["@C@\\n"]}], "source": ["os.environ[\\"OPENAI_API_KEY\\"]"]}\n', log="nb.jsonl")
one("env file with comment and blank", "# prod\n\nSTRIPE_KEY=@C@\n")
one("connection string in yaml", "database:\n  url: postgres://app:@C@@db:5432/app\n")
one("yaml anchors merge", "defaults: &d\n  password: @C@\nprod:\n  <<: *d\n")
one("json5 unquoted key", "{ apiKey: '@C@', }\n")
one("hcl block", "provider \"x\" {\n  token = \"@C@\"\n}\n")
one("ini with colon separator", "[auth]\ntoken: @C@\n")
one("properties with spaces", "api.key = @C@\n")
