//! The adversarial corpus: one synthetic home per case, each with its own canary planted in a
//! shape an attacker would try (names, cuts, encodings, shapes beside the rules, identities
//! beyond the store, prompts under other keys, bad input). After unzipping the bundle, the
//! canary must be absent in every form: raw, any case, percent-encoded once and twice,
//! JSON-escaped, base64 and base64url at every alignment, and any 10-character window.
//! Every escape found belongs here as a new case.

use std::collections::BTreeMap;
use std::fs;
use std::io::Write;

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;

use super::{pct, unzip};
use crate::common::Home;

const LOGS: &str = ".config/opencode/logs/codex-plugin";

/// What a canary looks like.
#[derive(Clone, Copy)]
enum Shape {
    /// An opaque token (`Qz07Kv8Rw3Xp7LmT`).
    Token,
    /// A name made of syllables (`Zorvelquin Bramblewick`): ordinary-looking words.
    Name,
    /// A common given name and a syllable surname (`Priya Bramblewickton`): a realistic
    /// full name with no cue word before it.
    FullName,
}

struct Case {
    class: &'static str,
    name: &'static str,
    shape: Shape,
    plant: fn(&mut Home, &str),
    args: &'static [&'static str],
}

fn canary(i: usize, shape: Shape) -> String {
    const SYL: [&str; 12] = [
        "zor", "vel", "quin", "bram", "ble", "wick", "thad", "mor", "fen", "drix", "lum", "sarn",
    ];
    match shape {
        Shape::Token => format!("Qz{i:02}Kv8Rw3Xp7Lm{}T", (b'a' + (i % 26) as u8) as char),
        Shape::Name => {
            let a = SYL[i % 12];
            let b = SYL[(i / 12 + 3) % 12];
            let c = SYL[(i * 7 + 5) % 12];
            let first = format!("{}{a}{b}", c[..1].to_uppercase() + &c[1..]);
            format!("{first} Ha{}{b}ton", SYL[(i + 9) % 12])
        }
        Shape::FullName => {
            const GIVEN: [&str; 6] = ["Priya", "Jane", "Mohammed", "Lukas", "Sofia", "Kenji"];
            let surname = canary(i, Shape::Name)
                .split(' ')
                .nth(1)
                .unwrap_or("")
                .to_string();
            format!("{} {surname}", GIVEN[i % GIVEN.len()])
        }
    }
}

/// `Jane Doe` → (`jane`, `doe`).
fn lower_parts(c: &str) -> (String, String) {
    let mut it = c.split(' ').map(str::to_lowercase);
    (it.next().unwrap_or_default(), it.next().unwrap_or_default())
}

fn log(h: &Home, name: &str, text: &str) {
    h.write(&format!("{LOGS}/{name}"), text);
}

fn gz(text: &str) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(text.as_bytes()).expect("gz");
    e.finish().expect("gz")
}

fn html_entities(s: &str) -> String {
    s.chars().map(|c| format!("&#{};", c as u32)).collect()
}

fn u_escaped(s: &str) -> String {
    s.chars().map(|c| format!("\\u{:04x}", c as u32)).collect()
}

fn pretty_prompt(c: &str, n: usize) -> String {
    let mut s = String::new();
    for k in 0..n {
        s.push_str(&format!(
            "{{\n  \"seq\": {k},\n  \"request\": {{\n    \"model\": \"gpt-5.1-codex\",\n    \"messages\": [\n      \"please review {c} again\",\n      \"thanks\"\n    ]\n  }}\n}}\n"
        ));
    }
    s
}

fn cases() -> Vec<Case> {
    use Shape::{FullName, Name, Token};
    let c = |class, name, shape, plant: fn(&mut Home, &str)| Case {
        class,
        name,
        shape,
        plant,
        args: &[],
    };
    let with = |class, name, shape, plant: fn(&mut Home, &str), args| Case {
        class,
        name,
        shape,
        plant,
        args,
    };
    vec![
        // ---- names
        c("names", "log named by an email", Token, |h, c| {
            log(h, &format!("{c}@example.org.log"), "ok\n")
        }),
        c("names", "folder named by an account id", Token, |h, c| {
            log(h, &format!("user-{c}/a.log"), "ok\n")
        }),
        c("names", "log named by a token", Token, |h, c| {
            log(h, &format!("{c}.jsonl"), "{\"event\":\"x\"}\n")
        }),
        c("names", "log named after a person", Name, |h, c| {
            log(h, &format!("{}.log", c.replace(' ', "_")), "ok\n")
        }),
        c(
            "names",
            "nested folders named after a person",
            Name,
            |h, c| {
                log(
                    h,
                    &format!("{}/{}/x.log", c.replace(' ', "-"), c.replace(' ', ".")),
                    "ok\n",
                )
            },
        ),
        c("names", "gzip log named by a token", Token, |h, c| {
            h.write_bytes(&format!("{LOGS}/{c}.log.gz"), &gz("ok\n"))
        }),
        c(
            "names",
            "explicit config path named after a person",
            Name,
            |h, c| {
                let rel = format!(".config/opencode/{}.jsonc", c.replace(' ', "-"));
                h.write(&rel, "{}\n");
                let p = h.path(&rel).display().to_string();
                h.set("OPENCODE_OPENAI_MULTI_CONFIG_PATH", &p);
            },
        ),
        c(
            "names",
            "quarantined file named by a token",
            Token,
            |h, c| h.write(&format!(".config/opencode/quarantine/{c}.json"), "{}"),
        ),
        c("names", "snapshot named with a run id", Token, |h, c| {
            log(
                h,
                &format!("{c}-request-1-before-auth.json"),
                "{\"status\":200}\n",
            )
        }),
        // ---- cuts
        with(
            "cuts",
            "pretty prompt cut by --max-bytes",
            Name,
            |h, c| log(h, "big.log", &pretty_prompt(c, 400)),
            &["--max-bytes", "20K"],
        ),
        with(
            "cuts",
            "pretty secret array cut by --max-bytes",
            Token,
            |h, c| {
                let mut s = String::new();
                for k in 0..300 {
                    s.push_str(&format!("{{\n  \"k\": {k},\n  \"access_token\": [\n    \"{c}\",\n    \"{c}\"\n  ]\n}}\n"));
                }
                log(h, "arr.log", &s);
            },
            &["--max-bytes", "16K"],
        ),
        with(
            "cuts",
            "JSON document too big for the budget",
            Token,
            |h, c| {
                let body: Vec<String> = (0..2000).map(|k| format!("\"v{k} {c}\"")).collect();
                log(
                    h,
                    "snap.json",
                    &format!("{{\n  \"body\": [\n    {}\n  ]\n}}\n", body.join(",\n    ")),
                );
            },
            &["--max-bytes", "8K"],
        ),
        with(
            "cuts",
            "JSON lines cut by --max-bytes",
            Token,
            |h, c| {
                let s: String = (0..2000)
                    .map(|k| format!("{{\"k\":{k},\"note\":\"{c}\"}}\n"))
                    .collect();
                log(h, "l.jsonl", &s);
            },
            &["--max-bytes", "12K"],
        ),
        // ---- encodings
        c("encodings", "URL fragment", Token, |h, c| {
            log(
                h,
                "a.log",
                &format!("redirect https://app.example/cb#access_token={c}&x=1\n"),
            )
        }),
        c(
            "encodings",
            "percent-encoded twice inside another URL",
            Token,
            |h, c| {
                log(
                    h,
                    "a.log",
                    &format!(
                        "go https://a.example/?next={}\n",
                        pct(&pct(&format!("https://b.example/?k={c}")))
                    ),
                )
            },
        ),
        c("encodings", "HTML entities", Token, |h, c| {
            log(h, "a.log", &format!("<p>key {}</p>\n", html_entities(c)))
        }),
        c("encodings", "JSON escaped twice", Token, |h, c| {
            log(h, "a.jsonl", &format!("{{\"data\":\"{{\\\"inner\\\":\\\"{{\\\\\\\"v\\\\\\\":\\\\\\\"{c}\\\\\\\"}}\\\"}}\"}}\n"))
        }),
        c("encodings", "JSON escaped three levels", Token, |h, c| {
            let v1 = serde_json::to_string(&serde_json::json!({"v": c})).expect("j");
            let v2 = serde_json::to_string(&serde_json::json!({"d": v1})).expect("j");
            let v3 = serde_json::to_string(&serde_json::json!({"e": v2})).expect("j");
            log(h, "a.jsonl", &format!("{v3}\n"));
        }),
        c("encodings", "ANSI colour codes", Token, |h, c| {
            log(
                h,
                "a.log",
                &format!("\x1b[31mERROR\x1b[0m key=\x1b[1m{c}\x1b[0m\n"),
            )
        }),
        c("encodings", "token wrapped across lines", Token, |h, c| {
            log(
                h,
                "a.log",
                &format!("token part {}\n{} end\n", &c[..8], &c[8..]),
            )
        }),
        c(
            "encodings",
            "UTF-16 after the first 8 KiB",
            Token,
            |h, c| {
                let mut b = "plain start line\n".repeat(600).into_bytes();
                for u in format!("secret {c}\n").encode_utf16() {
                    b.extend_from_slice(&u.to_le_bytes());
                }
                h.write_bytes(&format!("{LOGS}/u.log"), &b);
            },
        ),
        c("encodings", "gzip-compressed log", Token, |h, c| {
            h.write_bytes(&format!("{LOGS}/old.log.gz"), &gz(&format!("line {c}\n")))
        }),
        c("encodings", "zstd file", Token, |h, c| {
            h.write_bytes(
                &format!("{LOGS}/old.log.zst"),
                format!("\x28\u{b5}\x2f {c}").as_bytes(),
            )
        }),
        c("encodings", "base64 of JSON", Token, |h, c| {
            log(
                h,
                "a.log",
                &format!(
                    "payload {}\n",
                    STANDARD.encode(format!("{{\"k\":\"{c}\"}}"))
                ),
            )
        }),
        c("encodings", "base64url of user:secret", Token, |h, c| {
            log(
                h,
                "a.log",
                &format!("auth {}\n", URL_SAFE_NO_PAD.encode(format!("me:{c}"))),
            )
        }),
        c("encodings", "\\u escapes", Token, |h, c| {
            log(
                h,
                "a.jsonl",
                &format!("{{\"note\":\"{}\"}}\n", u_escaped(c)),
            )
        }),
        c("encodings", "CRLF line endings", Token, |h, c| {
            log(h, "a.log", &format!("first\r\nkey {c}\r\nlast\r\n"))
        }),
        // ---- shapes beside the rules
        c("shapes", "header mid-line", Token, |h, c| {
            log(h, "a.log", &format!("sent x-custom-token: {c} ok\n"))
        }),
        c("shapes", "header without a space", Token, |h, c| {
            log(h, "a.log", &format!("Authorization:{c}\n"))
        }),
        c("shapes", "rawHeaders list", Token, |h, c| {
            log(
                h,
                "a.jsonl",
                &format!("{{\"rawHeaders\":[\"X-Secret\",\"{c}\"]}}\n"),
            )
        }),
        c("shapes", "name/value pairs", Token, |h, c| {
            log(
                h,
                "a.jsonl",
                &format!("{{\"headers\":[[\"x-sig\",\"{c}\"]]}}\n"),
            )
        }),
        c("shapes", "HAR headers", Token, |h, c| {
            log(
                h,
                "a.jsonl",
                &format!("{{\"headers\":[{{\"name\":\"X-Api\",\"value\":\"{c}\"}}]}}\n"),
            )
        }),
        c("shapes", "util.inspect output", Token, |h, c| {
            log(h, "a.log", &format!("{{ token: '{c}', user: 'x' }}\n"))
        }),
        c("shapes", "user:pass@host", Token, |h, c| {
            log(
                h,
                "a.log",
                &format!("proxy https://bob:{c}@proxy.corp.example:3128/\n"),
            )
        }),
        c(
            "shapes",
            "other credential query parameters",
            Token,
            |h, c| {
                log(
                    h,
                    "a.log",
                    &format!("GET https://s3.example/o?X-Amz-Signature={c}&sig={c}\n"),
                )
            },
        ),
        c("shapes", "NAME=value env dump", Token, |h, c| {
            log(h, "a.log", &format!("MY_THING={c}\nOTHER=1\n"))
        }),
        c("shapes", "NAME=word env dump", Name, |h, c| {
            log(h, "a.log", &format!("DB_PASS={}\n", c.replace(' ', "")))
        }),
        c("shapes", "secret in a config comment", Token, |h, c| {
            let p = h.path(".config/opencode/codex-config.jsonc");
            let cfg = fs::read_to_string(&p).unwrap_or_else(|_| "{}".into());
            fs::write(p, format!("// team key {c}\n{cfg}")).expect("write");
        }),
        c(
            "shapes",
            "custom header value in opencode.json",
            Token,
            |h, c| {
                h.write(".config/opencode/opencode.json", &format!("{{\"plugin\":[\"@iam-brain/opencode-codex-auth@latest\"],\"provider\":{{\"p\":{{\"options\":{{\"headers\":{{\"X-Team\":\"{c}\"}}}}}}}}}}\n"))
            },
        ),
        c("shapes", "MCP env in opencode.json", Token, |h, c| {
            h.write(".config/opencode/opencode.json", &format!("{{\n  \"plugin\": [\"@iam-brain/opencode-codex-auth@latest\"],\n  \"mcp\": {{\"gh\": {{\"environment\": {{\"GITHUB_PAT\": \"{c}\"}}}}}}\n}}\n"))
        }),
        c("shapes", "YAML-ish key: value", Token, |h, c| {
            log(h, "a.log", &format!("config:\n  signing_material: {c}\n"))
        }),
        c("shapes", "token in a stack trace path", Token, |h, c| {
            log(
                h,
                "a.log",
                &format!("Error: boom\n    at run (/srv/{c}/index.js:1:2)\n"),
            )
        }),
        c("shapes", "Set-Cookie mid-line", Token, |h, c| {
            log(
                h,
                "a.log",
                &format!("resp set-cookie: sid={c}; Path=/; HttpOnly\n"),
            )
        }),
        c("shapes", "GraphQL variables", Token, |h, c| {
            log(
                h,
                "a.jsonl",
                &format!("{{\"variables\":{{\"k\":\"{c}\"}}}}\n"),
            )
        }),
        c("shapes", "secret as an object key", Token, |h, c| {
            log(h, "a.jsonl", &format!("{{\"{c}\":1}}\n"))
        }),
        // ---- identities beyond the store
        c("identities", "id of a removed account", Token, |h, c| {
            log(
                h,
                "a.log",
                &format!("account {c} removed after refresh failure\n"),
            )
        }),
        c(
            "identities",
            "email of a quarantined account",
            Token,
            |h, c| {
                log(
                    h,
                    "a.log",
                    &format!("quarantined store had {}@corp.example\n", c.to_lowercase()),
                )
            },
        ),
        c("identities", "workspace name", Name, |h, c| {
            log(h, "a.jsonl", &format!("{{\"workspace_name\":\"{c}\"}}\n"))
        }),
        c(
            "identities",
            "full name alone on a signature line",
            FullName,
            |h, c| log(h, "a.log", &format!("thanks,\n--\n{c}\nSenior Engineer\n")),
        ),
        c(
            "identities",
            "full name in a git branch",
            FullName,
            |h, c| {
                let (a, b) = lower_parts(c);
                log(h, "a.log", &format!("branch: feature/{a}-{b}-fix\n"))
            },
        ),
        c(
            "identities",
            "full name in a project path",
            FullName,
            |h, c| {
                let (a, b) = lower_parts(c);
                log(h, "a.log", &format!("cwd /srv/src/{a}_{b}/app/main.py\n"))
            },
        ),
        c("identities", "Co-authored-by trailer", FullName, |h, c| {
            log(
                h,
                "a.log",
                &format!("fix stuff\n\nCo-authored-by: {c} <noreply@github.com>\n"),
            )
        }),
        c(
            "identities",
            "full name in a JSON message",
            FullName,
            |h, c| {
                log(
                    h,
                    "a.jsonl",
                    &format!("{{\"message\":\"reviewed with {c} today\",\"status\":200}}\n"),
                )
            },
        ),
        c(
            "identities",
            "mDNS name of the user's machine",
            Name,
            |h, c| {
                let (a, b) = lower_parts(c);
                log(
                    h,
                    "a.log",
                    &format!("connecting from {a}-{b}-mbp.local:8080\n"),
                )
            },
        ),
        c("identities", "macOS device name", Name, |h, c| {
            log(
                h,
                "a.log",
                &format!("device {}s-MacBook-Pro paired\n", c.replace(' ', "-")),
            )
        }),
        c("shapes", "password told in prose", Name, |h, c| {
            let (a, _) = lower_parts(c);
            log(
                h,
                "a.log",
                &format!("note: my password is {a} for the vpn\n"),
            )
        }),
        c("shapes", "passphrase of ordinary words", Name, |h, c| {
            let (a, b) = lower_parts(c);
            log(
                h,
                "a.log",
                &format!("the recovery phrase is {a} {b} battery staple.\n"),
            )
        }),
        c("shapes", "one-time code told in prose", Token, |h, _| {
            log(h, "a.log", "your one-time code is 482913\n")
        }),
        c("shapes", "2FA code after a colon", Token, |h, _| {
            log(h, "a.log", "2FA code: 396727 (expires in 30s)\n")
        }),
        c("identities", "street address", Name, |h, c| {
            let surname = c.split(' ').nth(1).unwrap_or("");
            log(
                h,
                "a.jsonl",
                &format!("{{\"message\":\"ship to 42 {surname} Street, Springfield\"}}\n"),
            )
        }),
        c(
            "identities",
            "GitHub account in a remote URL",
            Name,
            |h, c| {
                let (a, b) = lower_parts(c);
                log(
                    h,
                    "a.log",
                    &format!("remote https://github.com/{a}-{b}/dotfiles.git fetched\n"),
                )
            },
        ),
        c("identities", "full name", Name, |h, c| {
            log(
                h,
                "a.jsonl",
                &format!("{{\"name\":\"{c}\",\"plan\":\"plus\"}}\n"),
            )
        }),
        c(
            "identities",
            "display name in a pretty document",
            Name,
            |h, c| log(h, "a.log", &format!("{{\n  \"displayName\": \"{c}\"\n}}\n")),
        ),
        c("identities", "client IPv4", Token, |h, _| {
            log(h, "a.log", "client 198.51.100.173 connected\n")
        }),
        c("identities", "client IPv6", Token, |h, _| {
            log(
                h,
                "a.log",
                "client 2001:db8:85a3::8a2e:370:7334 connected\n",
            )
        }),
        c(
            "identities",
            "Windows user name in a WSL path",
            Name,
            |h, c| {
                log(
                    h,
                    "a.log",
                    &format!("read /mnt/c/Users/{}/AppData/x.json\n", c.replace(' ', "")),
                )
            },
        ),
        c(
            "identities",
            "Windows path with backslashes",
            Name,
            |h, c| {
                log(
                    h,
                    "a.jsonl",
                    &format!(
                        "{{\"cwd\":\"C:\\\\Users\\\\{}\\\\proj\"}}\n",
                        c.replace(' ', "")
                    ),
                )
            },
        ),
        c("identities", "email in mixed case", Token, |h, c| {
            log(h, "a.log", &format!("login {}@Example.COM ok\n", c))
        }),
        c("identities", "organization id", Token, |h, c| {
            log(h, "a.log", &format!("org-{c} selected\n"))
        }),
        c("identities", "HTTPS_PROXY credentials", Token, |h, c| {
            h.set("HTTPS_PROXY", &format!("http://me:{c}@10.0.0.9:3128"));
        }),
        // ---- prompts under other keys
        c("prompts", "requestBody", Name, |h, c| {
            log(
                h,
                "a.jsonl",
                &format!("{{\"requestBody\":\"{c} please refactor the parser\"}}\n"),
            )
        }),
        c("prompts", "payload object", Name, |h, c| {
            log(
                h,
                "a.jsonl",
                &format!("{{\"payload\":{{\"text\":\"hello {c} there\"}}}}\n"),
            )
        }),
        c("prompts", "input array", Name, |h, c| {
            log(
                h,
                "a.jsonl",
                &format!("{{\"input\":[{{\"role\":\"user\",\"content\":\"fix {c} now\"}}]}}\n"),
            )
        }),
        c(
            "prompts",
            "pretty-printed prompt in a .log",
            Name,
            |h, c| log(h, "p.log", &pretty_prompt(c, 1)),
        ),
        c("prompts", "instructions", Name, |h, c| {
            log(
                h,
                "a.jsonl",
                &format!("{{\"instructions\":\"You are {c}\"}}\n"),
            )
        }),
        c(
            "prompts",
            "prompt as JSON in a JSON string",
            Name,
            |h, c| {
                log(
                    h,
                    "a.jsonl",
                    &format!("{{\"raw\":\"{{\\\"prompt\\\":\\\"dear {c}\\\"}}\"}}\n"),
                )
            },
        ),
        c(
            "prompts",
            "single-word prompt under an unknown key",
            Name,
            |h, c| {
                log(
                    h,
                    "a.jsonl",
                    &format!("{{\"q\":\"{}\"}}\n", c.replace(' ', "")),
                )
            },
        ),
        // ---- bad input
        c("bad-input", "symlink to a file outside", Token, |h, c| {
            let out = h.root().join("outside.log");
            fs::write(&out, format!("{c}\n")).expect("write");
            let link = h.path(&format!("{LOGS}/l.log"));
            fs::create_dir_all(link.parent().expect("parent")).expect("mkdir");
            std::os::unix::fs::symlink(&out, link).expect("symlink");
        }),
        c("bad-input", "hard link to a file outside", Token, |h, c| {
            let out = h.root().join("outside-hard.log");
            fs::write(&out, format!("{c}\n")).expect("write");
            let link = h.path(&format!("{LOGS}/hl.log"));
            fs::create_dir_all(link.parent().expect("parent")).expect("mkdir");
            fs::hard_link(&out, link).expect("link");
        }),
        c("bad-input", "binary file", Token, |h, c| {
            h.write_bytes(&format!("{LOGS}/core"), format!("\0\0{c}\0").as_bytes())
        }),
        c(
            "bad-input",
            "other app under the data root",
            Token,
            |h, c| h.write(&format!(".local/share/other/{c}.log"), &format!("{c}\n")),
        ),
        c(
            "bad-input",
            "OPENCODE_CONFIG outside the roots",
            Token,
            |h, c| {
                let p = h.root().join("elsewhere.json");
                fs::write(&p, format!("{{\"k\":\"{c}\"}}")).expect("write");
                h.set("OPENCODE_CONFIG", &p.display().to_string());
            },
        ),
        c(
            "bad-input",
            "OPENCODE_CONFIG naming the store",
            Token,
            |h, c| {
                let p = h.path(".config/opencode/codex-accounts.json");
                let store = fs::read_to_string(&p).expect("store");
                fs::write(&p, store.replacen('{', &format!("{{\"x\":\"{c}\","), 1)).expect("write");
                h.set("OPENCODE_CONFIG", &p.display().to_string());
            },
        ),
        c("bad-input", "an overlong line", Token, |h, c| {
            log(h, "a.log", &format!("{}{c}\n", "word ".repeat(80_000)))
        }),
        // ---- found by the red-team harness (shapes real logs carry)
        c(
            "shapes",
            "credential flag in a command line",
            Name,
            |h, c| {
                let (a, b) = lower_parts(c);
                log(
                h,
                "a.log",
                &format!("exec: mysql -u root --password {a} -h db\nargv: node cli.js --api-key {b} --verbose\n"),
            )
            },
        ),
        c("shapes", "credential flag in an argv list", Name, |h, c| {
            let (a, b) = lower_parts(c);
            log(
                h,
                "a.log",
                &format!("spawn ['opencode', 'serve', '--token', '{a}']\n{{\"argv\":[\"node\",\"--secret\",\"{b}\"]}}\n"),
            )
        }),
        c(
            "shapes",
            "abbreviated credential names in dumps",
            Name,
            |h, c| {
                let (a, b) = lower_parts(c);
                log(
                    h,
                    "a.log",
                    &format!("cfg: &{{Host:db Port:5432 User:app Pass:{a}}}\nUser(name='x', pw='{b}')\n[smtp]\npass = {a}x\n"),
                )
            },
        ),
        c(
            "shapes",
            "word credential after Authorization in a curl command",
            Name,
            |h, c| {
                let (a, b) = lower_parts(c);
                log(
                    h,
                    "a.log",
                    &format!("+ curl -H 'Authorization: token {a}' https://api.github.com\n+ curl -H \"Authorization: {b}\" x\n"),
                )
            },
        ),
        c("identities", "UUID account id in text", Token, |h, _| {
            log(
                h,
                "a.log",
                "user 550e8400-e29b-41d4-a716-446655440001 switched\naccount 55014400-2921-4154-1716-446655440000 x\n",
            )
        }),
        c("identities", "MAC addresses", Token, |h, _| {
            log(
                h,
                "a.log",
                "Physical Address. . . : 3C-22-FB-9A-7E-02\nmac 3c22.fb9a.7e03\n",
            )
        }),
        c("identities", "IPv4 inside a host name", Token, |h, _| {
            log(
                h,
                "a.log",
                "resolved ec2-203-0-113-45.compute-1.amazonaws.com\nhost ip-10-20-30-40 up\n",
            )
        }),
        c("identities", "home folder written ~name", Name, |h, c| {
            let (a, b) = lower_parts(c);
            log(
                h,
                "a.log",
                &format!("see ~{a}/projects/app\norigin git@git.sr.ht:~{b}/repo (fetch)\n"),
            )
        }),
        c(
            "identities",
            "host of a shell prompt and a handle",
            Name,
            |h, c| {
                let (a, b) = lower_parts(c);
                log(
                    h,
                    "a.log",
                    &format!("tester@{a}:~/proj$ opencode\nthanks @{b} for the fix\n"),
                )
            },
        ),
        c("identities", "phone numbers without +", Token, |h, _| {
            log(
                h,
                "a.log",
                "call me on 07911 123456 tomorrow\nTelefon: 030 12345678\ntel 0044 20 7946 0958\nportable 06.12.34.56.78\noffice +44 (0)20 7946 0959\n",
            )
        }),
        c("identities", "IBAN in groups", Token, |h, _| {
            log(
                h,
                "a.jsonl",
                "{\"message\":\"pay to IBAN DE89 3704 0044 0532 0130 00 please\"}\n",
            )
        }),
        c(
            "identities",
            "company host and names in URL paths",
            Name,
            |h, c| {
                let (a, b) = lower_parts(c);
                log(
                    h,
                    "a.log",
                    &format!("connect https://gitlab.{a}-corp.com:443/{b}/dotfiles.git ok\nGET https://hooks.acme.test/trigger/{a}x 200\nGET https://example.com/people/{b}-x/profile\n"),
                )
            },
        ),
        c(
            "identities",
            "company host without a scheme",
            Name,
            |h, c| {
                let (a, b) = lower_parts(c);
                log(
                h,
                "a.log",
                &format!("Error: getaddrinfo ENOTFOUND llm.{a}-corp.com\nconnect {b}.io:443 timed out\n"),
            )
            },
        ),
        c(
            "identities",
            "one name in a commit trailer",
            Name,
            |h, c| {
                let first = c.split(' ').next().unwrap_or("");
                log(h, "a.log", &format!("fix parser\n\nReported-by: {first}\n"))
            },
        ),
        c("shapes", "password in curl -u", Name, |h, c| {
            let (a, _) = lower_parts(c);
            log(
                h,
                "a.log",
                &format!("$ curl -u admin:{a} https://api.github.com/user\n"),
            )
        }),
        c(
            "identities",
            "name in a request path's query",
            Name,
            |h, c| {
                let (a, b) = lower_parts(c);
                log(h, "a.log", &format!("GET /search?q={a}+{b}&page=2 200\n"))
            },
        ),
        c(
            "identities",
            "handle after an account label",
            Name,
            |h, c| {
                let (a, b) = lower_parts(c);
                log(
                    h,
                    "a.log",
                    &format!("loaded profile:\n  user: {a}\n  owner: {b}-corp\n"),
                )
            },
        ),
        c(
            "identities",
            "account name in a connection string",
            Name,
            |h, c| {
                let (a, _) = lower_parts(c);
                log(
                    h,
                    "a.log",
                    &format!("DefaultEndpointsProtocol=https;AccountName={a};EndpointSuffix=core.windows.net\n"),
                )
            },
        ),
        c(
            "identities",
            "project folder in a file:// plugin path",
            Name,
            |h, c| {
                let (a, _) = lower_parts(c);
                h.write(
                    ".config/opencode/opencode.json",
                    &format!("{{\"plugin\":[\"file:///srv/{a}/plugin.js\"]}}\n"),
                );
            },
        ),
        c(
            "identities",
            "environment dumped as an object literal",
            Name,
            |h, c| {
                let (a, b) = lower_parts(c);
                log(
                    h,
                    "a.log",
                    &format!("env: {{ LOGNAME: '{a}', HOSTNAME: '{b}x', GIT_AUTHOR_NAME: '{c}' }}\nenviron({{'USER': '{b}', 'MYSQL_PWD': '{a}y'}})\n"),
                )
            },
        ),
        c("identities", "indented YAML pairs", Name, |h, c| {
            let (a, b) = lower_parts(c);
            log(
                h,
                "a.log",
                &format!("machine:\n  hostname: {a}-box\n  name: {b}\n"),
            )
        }),
        c(
            "shapes",
            "word credential after Bearer mid-line",
            Name,
            |h, c| {
                let (a, _) = lower_parts(c);
                log(h, "a.log", &format!("sent with Bearer {a} to the api\n"))
            },
        ),
        c("shapes", "password in a .netrc line", Name, |h, c| {
            let (a, _) = lower_parts(c);
            log(
                h,
                "a.log",
                &format!("$ cat ~/.netrc\nmachine api.example.com login me password {a}\n"),
            )
        }),
        // ---- round 2: words under keys whose values are a closed set
        c(
            "closed-sets",
            "shareable-debug fields as made-up words",
            Name,
            |h, c| {
                let (a, b) = lower_parts(c);
                let mut text = String::new();
                for key in [
                    "event",
                    "authMode",
                    "outcome",
                    "attemptReasonCode",
                    "decision",
                ] {
                    text.push_str(&format!("{{\"seq\":1,\"event\":\"fetch_attempt_response\",\"status\":200,\"{key}\":\"{a}\"}}\n"));
                }
                text.push_str(&format!("{{\"seq\":2,\"event\":\"process_failure\",\"errorName\":\"{b}\",\"reason\":\"{b}\"}}\n"));
                log(h, "shareable-debug.jsonl", &text)
            },
        ),
        c(
            "closed-sets",
            "OAuth lifecycle meta as made-up words",
            Name,
            |h, c| {
                let (a, b) = lower_parts(c);
                let mut text = String::new();
                for key in ["event", "status", "code", "reason", "mode", "error", "host"] {
                    text.push_str(&format!("{{\"ts\":\"2026-01-01T00:00:00.000Z\",\"pid\":1,\"event\":\"callback_hit\",\"meta\":{{\"{key}\":\"{a}\"}}}}\n"));
                }
                text.push_str(&format!(
                    "{{\"ts\":\"2026-01-01T00:00:00.000Z\",\"pid\":1,\"event\":\"{b}\"}}\n"
                ));
                log(h, "oauth-lifecycle.log", &text)
            },
        ),
        c(
            "closed-sets",
            "header snapshot fields as made-up words",
            Name,
            |h, c| {
                let (a, b) = lower_parts(c);
                log(
                h,
                "live-headers.jsonl",
                &format!("{{\"timestamp\":\"2026-01-01T00:00:00.000Z\",\"stage\":\"{a}\",\"method\":\"POST\",\"url\":\"https://chatgpt.com/backend-api/{b}/responses\",\"headers\":{{\"originator\":\"{a}\",\"accept\":\"{b}\",\"openai-beta\":\"{a}=experimental\",\"user-agent\":\"opencode/1.2.3 ({b}; x64) {a}\"}},\"meta\":{{\"attempt\":\"{a}\",\"reason\":\"{b}\"}}}}\n"),
            );
                log(
                h,
                "2026-01-01T00-00-00-000Z-4242-abcd1234-response-1-outbound-response.json",
                &format!("{{\n  \"stage\": \"outbound-response\",\n  \"status\": 400,\n  \"statusText\": \"{a}\"\n}}\n"),
            )
            },
        ),
        c(
            "closed-sets",
            "plugin config enums as made-up words",
            Name,
            |h, c| {
                let (a, b) = lower_parts(c);
                h.write(
                ".config/opencode/codex-config.jsonc",
                &format!("{{\n  \"runtime\": {{ \"mode\": \"{a}\", \"rotationStrategy\": \"{b}\" }},\n  \"personality\": \"{a}\"\n}}\n"),
            )
            },
        ),
        c(
            "closed-sets",
            "model slugs with a made-up word",
            Name,
            |h, c| {
                let (a, b) = lower_parts(c);
                log(
                h,
                "shareable-debug.jsonl",
                &format!("{{\"seq\":1,\"event\":\"fetch_attempt_request\",\"model\":\"ft:gpt-4o:{a}:custom:x1\"}}\n{{\"seq\":2,\"event\":\"fetch_attempt_request\",\"model\":\"gpt-5-{b}\"}}\n"),
            )
            },
        ),
        c(
            "closed-sets",
            "closed keys in a torn record and in a text log",
            Name,
            |h, c| {
                let (a, b) = lower_parts(c);
                log(
                h,
                "shareable-debug.jsonl",
                &format!("{{\"seq\":1,\"event\":\"{a}\",\"authMode\":\"{b}\"\n[{{\"seq\":2,\"event\":\"{a}\"}}]\n"),
            );
                log(
                h,
                "a.log",
                &format!("{{\"headers\":{{\"originator\":\"{a}\"}},\"errorName\":\"{b}\"}}\nrun authMode={a} rotationStrategy={b}\n"),
            )
            },
        ),
        c(
            "closed-sets",
            "a record over the schema's 1 MiB limit",
            Name,
            |h, c| {
                let (a, _) = lower_parts(c);
                log(
                    h,
                    "shareable-debug.jsonl",
                    &format!(
                        "{{\"seq\":1,\"event\":\"{a}\",\"pad\":\"{}\"}}\n",
                        "ab ".repeat(400_000)
                    ),
                )
            },
        ),
        // ---- round 2: values the doctor's report quotes from the user's files
        c(
            "closed-sets",
            "unknown config keys the report lists",
            Name,
            |h, c| {
                let (a, b) = lower_parts(c);
                h.write(
                    ".config/opencode/codex-config.jsonc",
                    &format!("{{\n  \"{a}\": true,\n  \"runtime\": {{ \"{b}\": 1 }}\n}}\n"),
                )
            },
        ),
        c(
            "closed-sets",
            "a custom model slug the report quotes",
            Name,
            |h, c| {
                let (a, _) = lower_parts(c);
                h.write(
                ".config/opencode/opencode.json",
                &format!("{{\n  \"plugin\": [\"@iam-brain/opencode-codex-auth@latest\"],\n  \"model\": \"openai/{a}\"\n}}\n"),
            )
            },
        ),
        c(
            "closed-sets",
            "a plan and a client version as words",
            Name,
            |h, c| {
                let (a, b) = lower_parts(c);
                let store = crate::common::store_with(vec![crate::common::account(
                    "acc_planword",
                    "pw@example.com",
                    &a,
                )]);
                h.write_json(".config/opencode/codex-accounts.json", &store);
                h.write_json(
                    ".config/opencode/cache/codex-client-version.json",
                    &serde_json::json!({"version": b, "fetchedAt": 1_767_225_600_000u64}),
                )
            },
        ),
        // ---- round 2: new shapes
        c(
            "shapes",
            "zero-width characters inside a token",
            Token,
            |h, c| {
                let mut text = String::new();
                for z in ["\u{200b}", "\u{200d}", "\u{2060}", "\u{feff}", "\u{ad}"] {
                    let cut: Vec<String> = c
                        .as_bytes()
                        .chunks(3)
                        .map(|p| String::from_utf8_lossy(p).into_owned())
                        .collect();
                    text.push_str(&format!("token {} ok\n", cut.join(z)));
                    text.push_str(&format!("{{\"message\":\"uses {}\"}}\n", cut.join(z)));
                }
                log(h, "a.log", &text)
            },
        ),
        c("shapes", "a token cut by visible symbols", Token, |h, c| {
            let cut: Vec<String> = c
                .as_bytes()
                .chunks(4)
                .map(|p| String::from_utf8_lossy(p).into_owned())
                .collect();
            log(
                h,
                "a.log",
                &format!("key {} ok\nkey {} ok\n", cut.join("🔑"), cut.join("·")),
            )
        }),
        c("shapes", "password as an XML element", Name, |h, c| {
            let (a, b) = lower_parts(c);
            log(
                h,
                "a.log",
                &format!("<password>{a}</password>\n<cfg><apiKey>{b}</apiKey></cfg>\n"),
            )
        }),
        c(
            "identities",
            "numbers in dashed groups and long digit runs",
            Token,
            |h, _| {
                log(
                h,
                "a.log",
                "card 4539-1488-0343-6468 declined\naccount 739182640517 suspended\n{\"account\":\"739182640518\"}\ncb?state=739182640519&n=1\n",
            )
            },
        ),
        c(
            "shapes",
            "an 8-character token of two mixed pieces",
            Token,
            |h, _| log(h, "a.log", "code Xk3jP9qz sent\ngot P9qwXk3j back\n"),
        ),
        c(
            "closed-sets",
            "a made-up model slug in generic JSON",
            Name,
            |h, c| {
                let (a, _) = lower_parts(c);
                log(
                    h,
                    "other.jsonl",
                    &format!("{{\"event\":\"x\",\"model\":\"gpt-5-{a}\"}}\n"),
                )
            },
        ),
        c(
            "closed-sets",
            "provider, MCP server and custom model named by the user",
            Name,
            |h, c| {
                let (a, b) = lower_parts(c);
                h.write(
                ".config/opencode/opencode.json",
                &format!("{{\n  \"plugin\": [\"@iam-brain/opencode-codex-auth@latest\"],\n  \"provider\": {{ \"{a}-labs\": {{ \"npm\": \"@ai-sdk/openai-compatible\" }} }},\n  \"mcp\": {{ \"{b}-notes\": {{ \"type\": \"local\" }} }}\n}}\n"),
            );
                h.write(
                ".config/opencode/codex-config.jsonc",
                &format!("{{\n  \"customModels\": {{ \"{a}\": {{ \"targetModel\": \"gpt-5\" }} }}\n}}\n"),
            )
            },
        ),
        c(
            "closed-sets",
            "a session key where the affinity cache names its maps",
            Name,
            |h, c| {
                let (a, b) = lower_parts(c);
                h.write_json(
                ".config/opencode/cache/codex-session-affinity.json",
                &serde_json::json!({"version": 1, "sessions": {format!("ses_{a}"): {"updatedAt": 1}},
                    "native": {format!("ses_{b}"): {"x": 1}, "seenSessionKeys": {}}}),
            )
            },
        ),
        c(
            "closed-sets",
            "ids, file names and version suffixes as made-up words",
            Name,
            |h, c| {
                let (a, b) = lower_parts(c);
                log(
                h,
                "live-headers.jsonl",
                &format!("{{\"stage\":\"before-auth\",\"requestId\":\"{a}\",\"responseId\":\"req-{b}\"}}\n"),
            );
                log(
                h,
                "shareable-debug.jsonl",
                &format!("{{\"seq\":1,\"event\":\"incident_opened\",\"file\":\"incident-{a}.jsonl\"}}\n"),
            );
                h.write_json(
                ".config/opencode/cache/codex-client-version.json",
                &serde_json::json!({"version": format!("0.144.0-{b}"), "fetchedAt": 1_767_225_600_000u64}),
            );
                let mut store = crate::common::store_with(vec![crate::common::account(
                    "acc_rootword",
                    "rw@example.com",
                    "plus",
                )]);
                store[a.as_str()] = serde_json::json!({"type": "oauth", "accounts": []});
                h.write_json(".config/opencode/codex-accounts.json", &store);
            },
        ),
        // ---- round 3: realistic shapes nobody listed
        c(
            "identities",
            "phone numbers grouped as countries write them",
            Token,
            |h, _| {
                log(
                h,
                "a.log",
                "whatsapp +81 90-1234-5678\ntel +7 912 345-67-89\ncall +91 98765 43210\n+49 151 12345678\n",
            )
            },
        ),
        c(
            "identities",
            "a bare phone number after a phone cue",
            Token,
            |h, _| {
                log(h, "a.log", "phone: 4155552671\nhref=tel:4155552674\n");
                log(
                    h,
                    "b.jsonl",
                    "{\"event\":\"x\",\"phone\":4155552673,\"mobile_number\":\"415 555 2672\"}\n",
                );
            },
        ),
        c(
            "identities",
            "an email whose domain is an address literal",
            Token,
            |h, c| log(h, "a.log", &format!("rcpt {c}@[192.0.2.7] refused\n")),
        ),
        c(
            "identities",
            "names in a certificate subject",
            FullName,
            |h, c| {
                log(
                h,
                "a.log",
                &format!("TLS: self signed certificate in chain; subject=CN={c},O=Acme Zq Inc\n/C=US/O={c}/CN=proxy\n"),
            )
            },
        ),
        c(
            "identities",
            "sign-ins, greetings and quoted names after a cue",
            Name,
            |h, c| {
                let (a, _) = lower_parts(c);
                let first = c.split(' ').next().unwrap_or("");
                log(
                h,
                "a.log",
                &format!("Signed in as {c} (Plus)\nLogged in as {a}42\nWelcome back, {first}!\nworkspace \"{c}\" is deactivated\n"),
            );
                log(
                    h,
                    "b.jsonl",
                    &format!("{{\"message\":\"user \\\"{a}42\\\" not found\"}}\n"),
                );
            },
        ),
        c(
            "identities",
            "a birth date under its key in text",
            Token,
            |h, _| {
                log(
                    h,
                    "a.log",
                    "date_of_birth=1987-04-22\nbirth_date: 1987-04-23\n",
                )
            },
        ),
        c(
            "identities",
            "the organisation of a fine-tuned model",
            Name,
            |h, c| {
                let (a, b) = lower_parts(c);
                log(
                    h,
                    "a.log",
                    &format!("model ft:gpt-4o-mini-2024-07-18:{a}:{b}:9abcDEF1 not found\n"),
                )
            },
        ),
        c(
            "identities",
            "the user of a shell prompt on a personal device",
            Name,
            |h, c| {
                let (a, _) = lower_parts(c);
                log(h, "a.log", &format!("{a}42@MacBook-Pro ~ % opencode\n"))
            },
        ),
        c(
            "identities",
            "a OneDrive folder named after the organisation",
            Name,
            |h, c| {
                log(
                    h,
                    "a.log",
                    &format!("ENOENT: C:\\Users\\x\\OneDrive - {c}\\proj\\opencode.json\n"),
                );
                log(
                    h,
                    "b.jsonl",
                    &format!(
                        "{{\"message\":\"open /mnt/c/Users/x/OneDrive - {c}/proj failed\"}}\n"
                    ),
                );
            },
        ),
        c(
            "identities",
            "the account gh auth status names",
            Name,
            |h, c| {
                let (a, _) = lower_parts(c);
                log(
                    h,
                    "a.log",
                    &format!("github.com\n  ✓ Logged in to github.com account {a}-dev (keyring)\n"),
                )
            },
        ),
        c(
            "identities",
            "a host ssh could not resolve and an organisation's handle",
            Name,
            |h, c| {
                let (a, b) = lower_parts(c);
                log(
                    h,
                    "a.log",
                    &format!("ssh: Could not resolve hostname build-{a}: Name or service not known\nerror: Your organization {b}-labs has disabled access\n"),
                )
            },
        ),
        c(
            "identities",
            "handles after a sign-in to a host, a user, a host name and an assignee label",
            Name,
            |h, c| {
                let (a, b) = lower_parts(c);
                log(
                    h,
                    "a.log",
                    &format!("✓ Logged in to github.com as {a} (oauth_token)\nerror: user {b}42 not found\n Static hostname: {a}-ws\nassignee: {b}\n"),
                )
            },
        ),
        c(
            "identities",
            "a company's wildcard in a certificate's altnames",
            Name,
            |h, c| {
                let (a, b) = lower_parts(c);
                log(
                    h,
                    "a.log",
                    &format!("Hostname/IP does not match certificate's altnames: Host: api.openai.com. is not in the cert's altnames: DNS:*.{a}-{b}.com, DNS:proxy.{a}-{b}.com\n"),
                )
            },
        ),
        c(
            "identities",
            "a login code a sign-in e-mail tells",
            Token,
            |h, _| {
                log(
                    h,
                    "a.log",
                    "Your ChatGPT code is 482917\ninvitation code: 7QK2-9MZX\n",
                )
            },
        ),
        c(
            "identities",
            "typographic quotes, 'as:' and openssl's spaced subject",
            Name,
            |h, c| {
                let (a, _) = lower_parts(c);
                log(
                    h,
                    "a.log",
                    &format!("workspace \u{201c}{c}\u{201d} is deactivated\nSigned in as: {a}42\ndepth=0 CN = {a}.corp, C = US\n"),
                )
            },
        ),
        c(
            "identities",
            "one-time codes and personal numbers as JSON numbers under their keys",
            Token,
            |h, _| {
                log(
                    h,
                    "a.jsonl",
                    "{\"event\":\"x\",\"otp\":482919,\"pin\":48213,\"cvv\":7391,\"verification_code\":552219,\"ssn\":78051129}\n",
                );
                log(h, "b.log", "cvv=7392 mfa_code=334459\n");
            },
        ),
    ]
}

/// The values to look for when the case plants fixed text instead of its canary.
fn fixed_canaries(case: &str) -> Option<Vec<&'static str>> {
    Some(match case {
        "one-time code told in prose" => vec!["482913"],
        "2FA code after a colon" => vec!["396727"],
        "client IPv4" => vec!["198.51.100.173"],
        "client IPv6" => vec!["2001:db8:85a3::8a2e:370:7334", "8a2e:370:7334"],
        "UUID account id in text" => vec![
            "550e8400-e29b-41d4-a716-446655440001",
            "55014400-2921-4154-1716-446655440000",
        ],
        "MAC addresses" => vec!["3C-22-FB-9A-7E-02", "3c22.fb9a.7e03"],
        "IPv4 inside a host name" => vec!["203-0-113-45", "10-20-30-40"],
        "phone numbers grouped as countries write them" => vec![
            "90-1234-5678",
            "912 345-67-89",
            "98765 43210",
            "151 12345678",
        ],
        "a bare phone number after a phone cue" => {
            vec!["4155552671", "4155552674", "4155552673", "415 555 2672"]
        }
        "a birth date under its key in text" => vec!["1987-04-22", "1987-04-23"],
        "a login code a sign-in e-mail tells" => vec!["482917", "7QK2-9MZX"],
        "one-time codes and personal numbers as JSON numbers under their keys" => {
            vec![
                "482919", "48213", "7391", "552219", "78051129", "7392", "334459",
            ]
        }
        "phone numbers without +" => vec![
            "07911 123456",
            "030 12345678",
            "0044 20 7946 0958",
            "06.12.34.56.78",
            "7946 0959",
        ],
        "IBAN in groups" => vec!["DE89 3704 0044 0532 0130 00"],
        "an 8-character token of two mixed pieces" => vec!["Xk3jP9qz", "P9qwXk3j"],
        "personal numbers and dates told with a colon" => {
            vec!["1987-04-12", "078051120", "12345678", "12-34-56"]
        }
        "numbers in dashed groups and long digit runs" => vec![
            "4539-1488-0343-6468",
            "739182640517",
            "739182640518",
            "739182640519",
        ],
        _ => return None,
    })
}

/// Every form of `c` that must not appear in `hay` (already lowercased).
fn leaks(hay: &str, c: &str) -> Vec<String> {
    let mut forms = vec![c.to_string(), pct(c), pct(&pct(c))];
    if let Ok(j) = serde_json::to_string(c) {
        forms.push(j.trim_matches('"').to_string());
    }
    forms.push(u_escaped(c));
    for k in 0..3 {
        let mut raw = vec![b'x'; k];
        raw.extend_from_slice(c.as_bytes());
        for enc in [STANDARD.encode(&raw), URL_SAFE_NO_PAD.encode(&raw)] {
            // The part that encodes only canary bytes.
            let skip = (k * 4).div_ceil(3) + 1;
            let inner = enc.get(skip..enc.len().saturating_sub(4)).unwrap_or("");
            if inner.len() >= 8 {
                forms.push(inner.to_string());
            }
        }
    }
    let chars: Vec<char> = c.chars().collect();
    for w in chars.windows(10) {
        forms.push(w.iter().collect());
    }
    forms
        .into_iter()
        .filter(|f| !f.is_empty() && hay.contains(&f.to_lowercase()))
        .collect()
}

fn haystack(files: &BTreeMap<String, Vec<u8>>) -> String {
    let mut s = String::new();
    for (name, bytes) in files {
        s.push_str(name);
        s.push('\n');
        s.push_str(&String::from_utf8_lossy(bytes));
        s.push('\n');
    }
    s.to_lowercase()
}

#[test]
fn the_adversarial_corpus_leaks_nothing_in_any_form() {
    let cases = cases();
    assert!(cases.len() >= 60, "{} cases", cases.len());
    let mut failures = Vec::new();
    for (i, case) in cases.iter().enumerate() {
        let mut h = Home::healthy();
        let c = canary(i, case.shape);
        (case.plant)(&mut h, &c);
        let out = h.root().join("corpus.zip");
        let mut args = vec!["bundle", "-o", out.to_str().expect("utf8")];
        args.extend_from_slice(case.args);
        let run = h.run(&args);
        if run.code != 0 {
            failures.push(format!(
                "[{}] {}: exit {}\n{}",
                case.class, case.name, run.code, run.stderr
            ));
            continue;
        }
        let files = unzip(&out);
        let hay = haystack(&files);
        let mut canaries = vec![c.clone()];
        if matches!(case.shape, Shape::Name | Shape::FullName) {
            canaries.extend(c.split(' ').map(str::to_string));
            canaries.push(c.replace(' ', ""));
        }
        if let Some(fixed) = fixed_canaries(case.name) {
            canaries = fixed.into_iter().map(str::to_string).collect();
        }
        for canary in canaries.iter().filter(|c| c.len() >= 6) {
            let found = leaks(&hay, canary);
            if !found.is_empty() {
                let line = hay
                    .lines()
                    .find(|l| found.iter().any(|f| l.contains(&f.to_lowercase())))
                    .unwrap_or("")
                    .chars()
                    .take(300)
                    .collect::<String>();
                failures.push(format!(
                    "[{}] {}: {canary:?} leaked as {found:?} in: {line}",
                    case.class, case.name
                ));
            }
        }
        // The stderr lists what was left out, never the canary.
        if !leaks(&run.stderr.to_lowercase(), &c).is_empty() {
            failures.push(format!("[{}] {}: canary on stderr", case.class, case.name));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases leaked:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

/// The bundle keeps an error code or an originator only when `codex_scrub::catalog` lists it:
/// every code and originator the proxy itself writes must be there, or a maintainer would see
/// `<string:N>` where the proxy's own error stood. (The two lists live in crates that do not
/// depend on each other; this test keeps them in step.)
#[test]
fn the_bundles_catalogue_knows_every_code_and_originator_the_proxy_writes() {
    use codex_scrub::catalog::{has, CODES, ORIGINATORS};
    for code in codex_proxy::errors::ALL_TYPES
        .iter()
        .chain(codex_proxy::errors::STREAM_ERROR_CODES)
    {
        assert!(
            has(CODES, code),
            "{code} is not in codex_scrub::catalog::CODES"
        );
    }
    for o in codex_proxy::shape::KNOWN_ORIGINATORS {
        assert!(
            has(ORIGINATORS, o),
            "{o} is not in codex_scrub::catalog::ORIGINATORS"
        );
    }
}
