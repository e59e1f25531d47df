//! Behaviour tests of the word-triggered detectors, through the one pass that runs them
//! ([`crate::prose::word_detectors`]): what each finds and what it leaves alone. (Kept apart
//! from the detectors' modules so none of them depends on `prose`, which calls them.)

use crate::prose::found;
use crate::rules::Rule;

mod given_names {
    use super::*;

    fn found(text: &str) -> Vec<String> {
        super::found(text, Rule::FullName)
    }

    #[test]
    fn full_names_in_every_form() {
        assert_eq!(found("commit by Jane Doe today"), ["Jane Doe"]);
        assert_eq!(found("--\nAlice Smith\nSenior Engineer"), ["Alice Smith"]);
        assert_eq!(found("branch feature/jane-doe-fix"), ["jane-doe"]);
        assert_eq!(found("/home/u/src/priya_sharma/app.py"), ["priya_sharma"]);
        assert_eq!(found("from John.Appleseed"), ["John.Appleseed"]);
        assert_eq!(found("\"author\":\"Mohammed Khan\""), ["Mohammed Khan"]);
        assert_eq!(found(r#"{"m":"hi\nJane Doe\n"}"#), ["Jane Doe"]);
        assert_eq!(found(r#"{"m":"\u00e9Jane Doe"}"#), ["Jane Doe"]);
    }

    #[test]
    fn ordinary_text_stays() {
        for text in [
            "Max Retries Exceeded",
            "rotation round_robin_selection",
            "Will retry in 5s",
            "jane doe in lower-case prose",
            "JANE DOE",
            "Jane Doe2",
            "v2jane-doe",
            "Claude Sonnet",
            "Aurora Postgres",
            "Error Refreshing Token",
            "jane.doe@example.com",
        ] {
            assert!(found(text).is_empty(), "{text}: {:?}", found(text));
        }
    }
}

mod hosts {
    use super::*;

    fn found(text: &str) -> Vec<String> {
        super::found(text, Rule::PrivateHost)
    }

    #[test]
    fn private_and_personal_hosts_are_found() {
        assert_eq!(
            found("connecting from jane-mbp.local:8080"),
            ["jane-mbp.local"]
        );
        assert_eq!(found("host=Janes-MacBook-Pro ok"), ["Janes-MacBook-Pro"]);
        assert_eq!(found("GET http://nas.home.arpa/x"), ["nas.home.arpa"]);
        assert_eq!(found("router.lan."), ["router.lan"]);
        assert_eq!(found("db.corp.internal refused"), ["db.corp.internal"]);
        assert_eq!(found(r#""\njane-mbp.local""#), ["jane-mbp.local"]);
        // Found by the red team (round 3): the user of a shell prompt goes with its host.
        assert_eq!(
            found("jdoe42@Janes-MacBook-Pro ~ %"),
            ["jdoe42@Janes-MacBook-Pro"]
        );
    }

    #[test]
    fn paths_and_nameless_hosts_stay() {
        for text in [
            "~/.local/share/opencode/auth.json",
            "/usr/local/bin/opencode",
            "/opt/app/config.local.json",
            "x.lang",
            "http://localhost:1455/auth/callback",
            "host.docker.internal:11455",
            "buy a MacBook",
            "/srv/cache.local",
        ] {
            assert!(found(text).is_empty(), "{text}: {:?}", found(text));
        }
    }
}

mod spoken {
    use super::*;

    fn told(text: &str) -> Vec<String> {
        found(text, Rule::ToldCredential)
    }

    fn streets(text: &str) -> Vec<String> {
        found(text, Rule::StreetAddress)
    }

    #[test]
    fn personal_numbers_and_dates_told_with_a_colon_are_found() {
        assert_eq!(told("date of birth: 1987-04-12"), ["1987-04-12"]);
        assert_eq!(told("DOB=1987-04-12 ok"), ["1987-04-12"]);
        assert_eq!(told("ssn: 078051120"), ["078051120"]);
        assert_eq!(told("account number: 12345678"), ["12345678"]);
        assert_eq!(told("sort code: 12-34-56"), ["12-34-56"]);
        assert!(told("account is disabled").is_empty());
        // Found by the red team (round 3): the key forms of a birth date.
        assert_eq!(told("date_of_birth=1987-04-12"), ["1987-04-12"]);
        assert_eq!(told("birth_date: 1987-04-12"), ["1987-04-12"]);
        assert!(told("date_format=iso").is_empty());
        assert_eq!(told("Your ChatGPT code is 482913"), ["482913"]);
        assert_eq!(told("invitation code: 7QK2-9MZX"), ["7QK2-9MZX"]);
        // Red team, round 5: a card's check digits, an authenticator's code, an answer, a
        // number right after the name and a space.
        assert_eq!(told("CVC: 913"), ["913"]);
        assert_eq!(told("login step: cvv 5829"), ["5829"]);
        assert_eq!(told("2FA code 84120"), ["84120"]);
        assert_eq!(told("TOTP 51937"), ["51937"]);
        assert_eq!(told("security code 771"), ["771"]);
        assert_eq!(told("security answer: lulekeb"), ["lulekeb"]);
        assert_eq!(told("recovery codes: movat-posup"), ["movat-posup"]);
        assert_eq!(
            told("password \u{2014} kituluk-nogipad"),
            ["kituluk-nogipad"]
        );
        assert_eq!(told("my api key is `gabolev-zudadom`"), ["gabolev-zudadom"]);
        for kept in [
            "token 12 of 40",
            "pass 123",
            "the pin 12345678abc",
            "token expired",
        ] {
            assert!(told(kept).is_empty(), "{kept}");
        }
    }

    #[test]
    fn credentials_told_in_prose_are_found() {
        assert_eq!(
            told("note: my password is sunshine for the vpn"),
            ["sunshine"]
        );
        assert_eq!(told("The PIN was 4821."), ["4821"]);
        assert_eq!(told("the secret word is marmot"), ["marmot"]);
        assert!(told("the secret word count is 5").is_empty());
        assert_eq!(told("api key: hello-world-42"), ["hello-world-42"]);
        assert_eq!(
            told("the passphrase is correct horse battery staple, keep it"),
            ["correct horse battery staple, keep it"],
            "a phrase runs to the end of its clause; a comma does not end it"
        );
        assert_eq!(
            told("Recovery phrase: abandon ability able"),
            ["abandon ability able"]
        );
        // A `.netrc` written over several lines: `password VALUE` alone on its line.
        assert_eq!(told("  password correcthorse"), ["correcthorse"]);
        assert_eq!(told("password correcthorse"), ["correcthorse"]);
        assert_eq!(told("\tpasswd correcthorse \r"), ["correcthorse"]);
    }

    #[test]
    fn ordinary_mentions_stay() {
        for text in [
            "password reset required",
            "the token is expired",
            "Password was incorrect.",
            "access token is not valid",
            "tokenizer is ready",
            "spin is 3",
            "\"password\":\"x\"",
            "password=",
            "password changed",
            "  password reset",
            "password correcthorse and more",
            "password (required)",
            "password changed.",
            "the password correcthorse",
        ] {
            let got = told(text);
            assert!(got.is_empty(), "{text}: {got:?}");
        }
    }

    #[test]
    fn street_addresses_are_found() {
        assert_eq!(
            streets("ship to 42 Elm Street, Springfield"),
            ["42 Elm Street"]
        );
        assert_eq!(streets("221B Baker St. London"), ["221B Baker St."]);
        assert_eq!(streets(r#""to:\n42 Elm Street""#), ["42 Elm Street"]);
        assert_eq!(
            streets("at 1600 Pennsylvania Avenue NW"),
            ["1600 Pennsylvania Avenue"]
        );
        for text in [
            "retry 3 Times Street",
            "took 250 ms",
            "HTTP 429 Too Many Requests",
            "v2 Way",
            "2026 Road",
        ] {
            let got = streets(text);
            if text == "retry 3 Times Street" {
                assert_eq!(got, ["3 Times Street"], "shape alone decides");
            } else if text == "2026 Road" {
                assert!(got.is_empty(), "a street type needs a name before it");
            } else {
                assert!(got.is_empty(), "{text}: {got:?}");
            }
        }
    }
}

mod code_hosts {
    use super::*;

    fn found(text: &str) -> Vec<String> {
        super::found(text, Rule::CodeHostOwner)
    }

    #[test]
    fn owners_are_found_in_every_form() {
        assert_eq!(
            found("remote https://github.com/JaneDoe/dotfiles.git"),
            ["JaneDoe"]
        );
        assert_eq!(
            found("git@github.com:acme-corp/secret-app.git"),
            ["acme-corp"]
        );
        assert_eq!(
            found("fetch https://raw.githubusercontent.com/jdoe/x/main/a.json"),
            ["jdoe"]
        );
        assert_eq!(found("see https://jdoe.github.io/blog"), ["jdoe"]);
        assert_eq!(found("https://gitlab.com/someone"), ["someone"]);
        assert_eq!(found("git@github.com:443/jdoe/x.git"), ["jdoe"]);
        assert_eq!(found("git@github.com:22jdoe/x.git"), ["22jdoe"]);
    }

    #[test]
    fn public_owners_and_host_pages_stay() {
        for text in [
            "https://github.com/iam-brain/opencode-codex-auth/issues/12",
            "https://github.com/anomalyco/opencode",
            "https://github.com/settings/tokens",
            "github.com is down",
            "https://github.com/",
            // A port with no path names nobody (`ssh -T git@github.com` on port 22).
            "connect github.com:22 timed out",
            "connect ECONNREFUSED github.com:443",
        ] {
            assert!(found(text).is_empty(), "{text}: {:?}", found(text));
        }
    }
}

mod urls {
    use super::*;

    fn found(text: &str) -> Vec<String> {
        super::found(text, Rule::UrlUserinfo)
    }

    #[test]
    fn user_information_is_found() {
        assert_eq!(
            found("git+https://jdoe:s3cret@github.com/acme/x.git"),
            ["jdoe:s3cret"]
        );
        assert_eq!(found("postgres://app:pw@db:5432/main"), ["app:pw"]);
        assert_eq!(found("\"https://ghp_abc@host/\""), ["ghp_abc"]);
        assert_eq!(found("https://a@b:c@host/"), ["a@b:c"]);
        assert!(
            found("http://[redacted]@[redacted]:3128").is_empty(),
            "a fixpoint"
        );
    }

    #[test]
    fn urls_without_credentials_stay() {
        for text in [
            "https://github.com/acme/x?email=a@b.c",
            "mailto:jane@example.com",
            "https://host/@scope/pkg",
            "see https://x.org/",
        ] {
            assert!(found(text).is_empty(), "{text}: {:?}", found(text));
        }
    }
}

/// Escapes of the review after the first version: each case was missed or corrupted.
mod review {
    use super::*;

    #[test]
    fn spans_never_start_inside_a_unicode_escape() {
        // Python's json.dumps escapes every non-ASCII character.
        let host = found(r#"{"host":"Ren\u00e9e-MacBook-Pro"}"#, Rule::PrivateHost);
        assert_eq!(host, ["e-MacBook-Pro"]);
        let host = found(r#""\u201cjane-mbp.local\u201d""#, Rule::PrivateHost);
        assert_eq!(host, ["jane-mbp.local"]);
        let owner = found(r#""\u201cjdoe.github.io""#, Rule::CodeHostOwner);
        assert_eq!(owner, ["jdoe"]);
    }

    #[test]
    fn words_after_a_unicode_escape_are_read() {
        assert_eq!(
            found(r#""\u201cJane Doe\u201d""#, Rule::FullName),
            ["Jane Doe"]
        );
        assert_eq!(
            found(r#""\u201cmy password is hunter2""#, Rule::ToldCredential),
            ["hunter2"]
        );
        assert_eq!(
            found(r#""\nverification code: 123456""#, Rule::ToldCredential),
            ["123456"]
        );
        assert_eq!(
            found(r#""\ngithubusercontent.com/jdoe/x""#, Rule::CodeHostOwner),
            ["jdoe"]
        );
    }

    #[test]
    fn every_private_suffix_is_found() {
        assert_eq!(
            found("build01.localdomain up", Rule::PrivateHost),
            ["build01.localdomain"]
        );
        assert_eq!(
            found(r"open \\nas.local\share", Rule::PrivateHost),
            ["nas.local"]
        );
    }

    #[test]
    fn a_long_host_is_read_once() {
        let line = format!("x{}", "-mbp".repeat(20_000));
        assert_eq!(found(&line, Rule::PrivateHost).len(), 1);
        let lans = "a.lan ".repeat(5_000);
        assert_eq!(found(&lans, Rule::PrivateHost).len(), 5_000);
    }

    #[test]
    fn middle_names_and_initials_go_with_the_name() {
        assert_eq!(
            found("by John Michael Smith today", Rule::FullName),
            ["John Michael Smith"]
        );
        assert_eq!(
            found("Mary-Jane Smith", Rule::FullName),
            ["Mary-Jane Smith"]
        );
        assert_eq!(found("Jane Q. Public", Rule::FullName), ["Jane Q. Public"]);
        assert_eq!(
            found("Jane Doe Error Code", Rule::FullName),
            ["Jane Doe"],
            "a word logs use stays"
        );
    }

    #[test]
    fn quoted_and_punctuated_credentials_go_whole() {
        let told = |t: &str| found(t, Rule::ToldCredential);
        assert_eq!(told(r#"my password is "hunter 2" ok"#), ["hunter 2"]);
        assert_eq!(told("password: 'x y'"), ["x y"]);
        assert_eq!(told(r#""password is \"s3cr3t\" now""#), ["s3cr3t"]);
        assert_eq!(told("password: !Qaz2wsx,def"), ["!Qaz2wsx,def"]);
        assert_eq!(told("password:\thunter2"), ["hunter2"]);
        assert_eq!(
            told("recovery phrase: 1. abandon 2. ability; next"),
            ["1. abandon 2. ability"]
        );
        assert_eq!(
            told("seed phrase: abandon, ability, able. Then"),
            ["abandon, ability, able"]
        );
        assert!(told("password is [redacted]").is_empty(), "a fixpoint");
        assert!(told(r#"password is "[redacted]""#).is_empty(), "a fixpoint");
    }

    #[test]
    fn codes_named_by_the_word_before_them() {
        let told = |t: &str| found(t, Rule::ToldCredential);
        assert_eq!(told("your one-time code is 482913"), ["482913"]);
        assert_eq!(told("2FA code: 396727"), ["396727"]);
        assert_eq!(told("enter the user code: WDJB-MJHT"), ["WDJB-MJHT"]);
        assert!(told("status code: 429").is_empty());
        assert!(told("exit code is 1").is_empty());
        assert!(told("the login code is expired").is_empty());
    }

    #[test]
    fn street_types_in_any_case() {
        assert_eq!(
            found("ship to 42 Elm street now", Rule::StreetAddress),
            ["42 Elm street"]
        );
        assert_eq!(
            found("42 Elm STREET", Rule::StreetAddress),
            ["42 Elm STREET"]
        );
    }

    #[test]
    fn code_host_owners_behind_their_pages_and_ports() {
        let owner = |t: &str| found(t, Rule::CodeHostOwner);
        assert_eq!(owner("https://github.com/users/jdoe"), ["jdoe"]);
        assert_eq!(owner("https://github.com/orgs/acme/people"), ["acme"]);
        assert_eq!(owner("https://api.github.com/repos/jdoe/x"), ["jdoe"]);
        assert_eq!(owner("https://github.com:443/jdoe/x"), ["jdoe"]);
        assert_eq!(owner("see jdoe.gitlab.io"), ["jdoe"]);
        assert!(owner("x.github.iox").is_empty());
    }

    #[test]
    fn schemes_ending_in_a_digit_carry_user_information() {
        let info = |t: &str| found(t, Rule::UrlUserinfo);
        assert_eq!(info("s3://AKIAX:secret@bucket/key"), ["AKIAX:secret"]);
        assert_eq!(info("postgresql+psycopg2://app:pw@db/main"), ["app:pw"]);
    }
}

/// Found by the red-team harness: credentials after an abbreviated name or a flag.
mod flags_and_abbreviations {
    use super::*;

    fn told(text: &str) -> Vec<String> {
        found(text, Rule::ToldCredential)
    }

    #[test]
    fn a_credential_flag_takes_its_argument() {
        assert_eq!(
            told("exec: mysql -u root --password marmalade -h db"),
            ["marmalade"]
        );
        assert_eq!(
            told("argv: node cli.js --api-key moonriver --verbose"),
            ["moonriver"]
        );
        assert_eq!(told("run --auth-token 'two words' now"), ["two words"]);
        assert_eq!(
            told("spawn ['opencode', '--token', 'lighthouse']"),
            ["lighthouse"]
        );
        assert_eq!(
            told(r#"{"argv":["node","--token","mangosalsa"]}"#),
            ["mangosalsa"]
        );
        assert_eq!(
            told(r#"{"d":"[\"--secret\",\"quietharbor\"]"}"#),
            ["quietharbor"]
        );
    }

    #[test]
    fn a_netrc_line() {
        assert_eq!(
            told("machine api.example.com login zorvel password lemoncurd"),
            ["lemoncurd"]
        );
        assert!(told("password reset for login flow").is_empty());
        assert!(told("login ok, password reset required").is_empty());
    }

    #[test]
    fn a_user_flag_with_a_password() {
        assert_eq!(
            told("$ curl -u admin:marmaladepw https://api.example.com/v1"),
            ["marmaladepw"]
        );
        assert_eq!(told("curl --user 'me:two words' x"), ["two words"]);
        for text in ["mysql -u root -h db", "useradd -u 1001 x", "ps -u tester"] {
            assert!(told(text).is_empty(), "{text}");
        }
    }

    #[test]
    fn abbreviated_names_before_a_colon_or_equals() {
        assert_eq!(told("[smtp]\npass = orangegrove"), ["orangegrove"]);
        assert_eq!(
            told("cfg: &{Host:db User:app Pass:butterscotch}"),
            ["butterscotch"]
        );
        assert_eq!(told("User(name='x', pw='tangerine')"), ["tangerine"]);
        assert_eq!(told("login failed (pass: sesamestreet)"), ["sesamestreet"]);
    }

    #[test]
    fn ordinary_flags_and_counts_stay() {
        for text in [
            "tests pass: 12 fail: 0",
            "pass is the default",
            "bypass: true",
            "passes: 3",
            "--password-file /run/secret",
            "--token --verbose",
            "--token-limit 4096 is fine",
            "x-api-key: [redacted]",
            "--key [redacted]",
            "npm run build --verbose",
            "pw",
        ] {
            let got = told(text);
            assert!(got.is_empty(), "{text}: {got:?}");
        }
    }
}

/// Found by the red-team harness (round 6): passwords on command lines and in prose that
/// no flag word names (`-p` of the commands that read it as a password, `echo … | sudo -S`,
/// `set … to …`, `apikey(…)`).
mod commands_and_setters {
    use super::*;

    fn told(text: &str) -> Vec<String> {
        found(text, Rule::ToldCredential)
    }

    #[test]
    fn the_p_flag_of_password_commands() {
        assert_eq!(
            told("exec: mysql -uroot -pmarmalades -h db"),
            ["marmalades"]
        );
        assert_eq!(told("mysqldump -u root -p\"two words\" db"), ["two words"]);
        assert_eq!(
            told("docker login -u zorvel -p grapefruitx registry.example.com"),
            ["grapefruitx"]
        );
        assert_eq!(told("sudo /usr/bin/podman login -p 'a b' x"), ["a b"]);
        assert_eq!(told("sshpass -p hunter2 ssh host"), ["hunter2"]);
        assert_eq!(
            told("spawn docker [\"login\",\"-p\",\"hunter2\"]"),
            ["hunter2"]
        );
        assert_eq!(told("spawn docker ['login', '-p', 'hunter2']"), ["hunter2"]);
    }

    /// Red team, round 7: the password flags of more tools.
    #[test]
    fn other_tools_password_flags() {
        for (text, value) in [
            ("zip -P lemonade secrets.zip .env", "lemonade"),
            ("unzip -P lemonade backup.zip", "lemonade"),
            ("7z a -plemonade archive.7z dir", "lemonade"),
            ("ssh-keygen -t ed25519 -N lemonade -f key", "lemonade"),
            (
                "mongosh \"mongodb://localhost\" -u admin -p lemonade",
                "lemonade",
            ),
            ("redis-cli -h cache -a lemonade ping", "lemonade"),
            ("keytool -keystore k.jks -storepass lemonade", "lemonade"),
            ("az login -u bob -p lemonade", "lemonade"),
            ("smbclient //server/share -U bob%lemonade", "lemonade"),
        ] {
            assert_eq!(told(text), [value], "{text}");
        }
        assert_eq!(told("htpasswd -b -c .htpasswd bob lemonade"), ["lemonade"]);
        assert_eq!(told("htpasswd -nb bob lemonade"), ["lemonade"]);
        for text in [
            "htpasswd -c .htpasswd bob",
            "unzip -p backup.zip file",
            "ls -a /tmp",
            "grep -N x",
            "7z a -p x.7z",
        ] {
            let got = told(text);
            assert!(got.is_empty(), "{text}: {got:?}");
        }
    }

    #[test]
    fn a_secret_piped_into_a_stdin_flag() {
        assert_eq!(
            told("$ echo lemonade | docker login -u bob --password-stdin ghcr.io"),
            ["lemonade"]
        );
        assert_eq!(
            told("echo lemonade | gh auth login --with-token"),
            ["lemonade"]
        );
        for text in [
            "cat token.txt | docker login --password-stdin",
            "echo hi; docker login --password-stdin",
            "echo hi | tee x && gh auth login --with-token",
        ] {
            let got = told(text);
            assert!(got.is_empty(), "{text}: {got:?}");
        }
    }

    /// Red team, round 7: SQL's password clauses.
    #[test]
    fn sql_password_clauses() {
        for (text, value) in [
            (
                "CREATE USER 'bob'@'%' IDENTIFIED BY 'lemonade';",
                "lemonade",
            ),
            (
                "SET PASSWORD FOR 'bob'@'localhost' = PASSWORD('lemonade');",
                "lemonade",
            ),
            ("ALTER USER bob WITH PASSWORD 'lemonade';", "lemonade"),
            ("psql -c \"ALTER ROLE bob PASSWORD 'lemonade'\"", "lemonade"),
        ] {
            assert_eq!(told(text), [value], "{text}");
        }
        // Unquoted, these are prose: nothing goes. A quoted word after `password` is told.
        for text in ["identified by name", "password (required)"] {
            let got = told(text);
            assert!(got.is_empty(), "{text}: {got:?}");
        }
        assert_eq!(told("reset password 'lemonade' done"), ["lemonade"]);
        // A state word stays even quoted (`password 'now' works`).
        assert!(told("reset password 'now' done").is_empty());
    }

    #[test]
    fn p_as_a_port_or_a_prompt_stays() {
        for text in [
            "psql -h db -p 5432 -U app",
            "ssh -p 2222 host",
            "docker run -p 8080:80 nginx",
            "docker login -u me registry; ls -p",
            "mysql -p appdb",
            "mkdir -p /tmp/x",
            "cp -p a b",
        ] {
            let got = told(text);
            assert!(got.is_empty(), "{text}: {got:?}");
        }
    }

    #[test]
    fn a_password_piped_into_sudo() {
        assert_eq!(told("$ echo lemonade | sudo -S apt update"), ["lemonade"]);
        assert_eq!(
            told("echo -n 'two words' | sudo --stdin true"),
            ["'two words'"]
        );
        assert_eq!(told("printf '%s\\n' hunter2 | sudo -S id"), ["hunter2"]);
        for text in [
            "echo hello | sudo tee /etc/x",
            "echo x || sudo -S id",
            "cat f | sudo -S id",
        ] {
            let got = told(text);
            assert!(got.is_empty(), "{text}: {got:?}");
        }
    }

    #[test]
    fn a_prompt_for_someone_and_config_setters() {
        assert_eq!(told("[sudo] password for jdoe: lemonade"), ["lemonade"]);
        assert_eq!(
            told("Password for 'https://jdoe@github.com': lemonade"),
            ["lemonade"]
        );
        assert_eq!(
            told("npm config set //registry.npmjs.org/:_authToken lemonade"),
            ["lemonade"]
        );
        assert_eq!(
            told("git config --global user.password 'two words'"),
            ["two words"]
        );
        assert_eq!(
            told("aws configure set aws_secret_access_key lemonade"),
            ["lemonade"]
        );
        assert_eq!(told("yarn config set npmAuthToken lemonade"), ["lemonade"]);
        // Red team, round 7: the same with Windows' `setx`, `launchctl setenv`, a
        // Dockerfile's `ENV`.
        assert_eq!(told("setx OPENAI_API_KEY \"lemonade\""), ["lemonade"]);
        assert_eq!(
            told("launchctl setenv OPENAI_API_KEY lemonade"),
            ["lemonade"]
        );
        assert_eq!(told("ENV OPENAI_API_KEY lemonade"), ["lemonade"]);
        assert!(told("env OPENAI_API_KEY=x opencode run").is_empty());
        for text in [
            "password for this account is required",
            "npm config set registry https://r.example.com",
            "aws configure set region us-east-1",
            "git config --global user.email",
            "npm config set _authToken=[redacted]",
            "config token refresh failed",
            "aws configure set region us-east-1 --profile dev",
        ] {
            let got = told(text);
            assert!(got.is_empty(), "{text}: {got:?}");
        }
    }

    #[test]
    fn set_to_and_call_forms() {
        assert_eq!(
            told("I changed my password to lemonade yesterday"),
            ["lemonade"]
        );
        assert_eq!(told("set the API key to moonriver"), ["moonriver"]);
        assert_eq!(told("apikey(lemonade)"), ["lemonade"]);
        for text in [
            "password to access the server",
            "the token(s) expired",
            "how to send the token to the server",
            "apikey()",
        ] {
            let got = told(text);
            assert!(got.is_empty(), "{text}: {got:?}");
        }
    }
}

/// Found by the red-team harness: a handle after an account label, in lower case.
mod account_labels {
    use super::*;

    fn handles(text: &str) -> Vec<String> {
        found(text, Rule::PersonName)
    }

    #[test]
    fn the_value_of_an_account_label_is_an_identity() {
        assert_eq!(handles("  user: zorvkvuser"), ["zorvkvuser"]);
        assert_eq!(handles("owner:acme-corp ok"), ["acme-corp"]);
        assert_eq!(handles("Account: 'jdoe' selected"), ["jdoe"]);
        assert_eq!(handles("login: jane.doe."), ["jane.doe"]);
    }

    #[test]
    fn counts_placeholders_and_urls_stay() {
        for text in [
            "user: 3",
            "account: acct_0123abcd",
            "user: <user>",
            "user: [redacted]",
            "git.user: x",
            "account: none",
            "user://x",
            "users: many",
        ] {
            assert!(handles(text).is_empty(), "{text}: {:?}", handles(text));
        }
    }
}

/// Found by the red team (round 3): the organisation and suffix of a fine-tuned model.
mod fine_tuned {
    use crate::prose::found;
    use crate::rules::Rule;

    #[test]
    fn the_owner_part_of_a_fine_tuned_model_goes() {
        assert_eq!(
            found(
                "model ft:gpt-4o-mini-2024-07-18:acme-corp:support:9abcDEF1 not found",
                Rule::PersonName
            ),
            ["acme-corp:support:9abcDEF1"]
        );
        assert_eq!(
            found(
                "\"ft:gpt-3.5-turbo-0613:personal::7qTVM5AR\"",
                Rule::PersonName
            ),
            ["personal::7qTVM5AR"]
        );
        for text in ["ft: 12", "shift:gpt-5:x", "ft:gpt-5", "left:right"] {
            assert!(found(text, Rule::PersonName).is_empty(), "{text}");
        }
    }
}

/// Found by the red team (round 3): handles after a sign-in, quoted names after a cue, the
/// parts of an X.500 name.
mod handles_and_quoted_names {
    use crate::prose::found;
    use crate::rules::Rule;

    #[test]
    fn handles_quoted_names_and_x500_parts_are_found() {
        for (text, want) in [
            ("subject=CN=Zorvia Quent,C=US", "Zorvia Quent"),
            ("/C=US/O=Acme Zq Inc/L=x", "Acme Zq Inc"),
            ("depth=0 CN = zqproxy.corp, C = US", "zqproxy.corp"),
            ("Logged in as jdoe42", "jdoe42"),
            ("logged in as @jdoe42", "jdoe42"),
            (
                "✓ Logged in to github.com account octozorv (keyring)",
                "octozorv",
            ),
            ("workspace \"Acme Zq\" deactivated", "Acme Zq"),
            ("for user 'jdoe42'", "jdoe42"),
            ("workspace “Zqacme Corp” is deactivated", "Zqacme Corp"),
            ("user ‘jdoe42’ not found", "jdoe42"),
            ("Logged in as  jdoe42", "jdoe42"),
            ("Signed in as: jdoe42", "jdoe42"),
            ("Workspace 'Zqacme Corp' is deactivated", "Zqacme Corp"),
            (
                "C:\\Users\\x\\OneDrive - Zorvtech Ltd\\proj",
                "Zorvtech Ltd",
            ),
            ("/mnt/c/Users/x/OneDrive - Acme/y", "Acme"),
            (
                "ssh: Could not resolve hostname build-box-jdoe: Name or service not known",
                "build-box-jdoe",
            ),
            (
                "error: Your organization zq-labs-inc has disabled access",
                "zq-labs-inc",
            ),
            (
                "✓ Logged in to github.com as zqoctocat (oauth_token)",
                "zqoctocat",
            ),
            ("error: user jdoe42 not found", "jdoe42"),
            (" Static hostname: zq-fedora-ws", "zq-fedora-ws"),
            ("assignee: zqjira", "zqjira"),
            ("{\"message\":\"user \\\"jdoe42\\\" not found\"}", "jdoe42"),
        ] {
            let want: Vec<&str> = [want].into_iter().filter(|w| !w.is_empty()).collect();
            assert_eq!(found(text, Rule::PersonName), want, "{text}");
        }
        for text in [
            "user \"default\"",
            "logged in as 42",
            "the account abc was used",
            "signed in as email_1a2b3c4d",
            "org \"[redacted]\"",
            "x=O=1",
            "GET /x?o=json&cn=2",
            "runs as root",
            "OneDrive sync done",
            "team settings changed",
            "hostname localhost",
            "hostname: localhost",
            "hostname: 127.0.0.1",
            "workspace 42",
            "user 2 of 3",
            "user agent",
            "it runs as a service",
        ] {
            assert!(found(text, Rule::PersonName).is_empty(), "{text}");
        }
    }
}

/// Red team, round 11: labels of two words, written with a space, `_` or `-` or joined, and
/// git's bare `name =` with a full name.
mod compound_labels {
    use super::*;

    fn found(text: &str) -> Vec<String> {
        super::found(text, Rule::PersonName)
    }

    #[test]
    fn a_handle_or_a_name_after_a_two_word_label_is_found() {
        assert_eq!(
            found("Server=db;User Id=vantorquel;Password=x;"),
            ["vantorquel"]
        );
        assert_eq!(found("User ID: vantorquel"), ["vantorquel"]);
        assert_eq!(found("user id: vantorquel"), ["vantorquel"]);
        assert_eq!(found("User Name: vantorquel"), ["vantorquel"]);
        assert_eq!(found("Account Name: acme-corp"), ["acme-corp"]);
        assert_eq!(found("login_name: vantorquel"), ["vantorquel"]);
        assert_eq!(found("user_name = vantorquel"), ["vantorquel"]);
        assert_eq!(found("user-name: vantorquel"), ["vantorquel"]);
        assert_eq!(
            found("Display Name = Vantorquel Blemstorvik"),
            ["Vantorquel Blemstorvik"]
        );
        assert_eq!(
            found("[user]\n\tname = Vantorquel Blemstorvik"),
            ["Vantorquel Blemstorvik"]
        );
        assert_eq!(found("nick name: \"Vantorquel B\""), ["Vantorquel B"]);
    }

    #[test]
    fn other_labels_and_values_that_name_no_one_stay() {
        for text in [
            "file name: notes.txt",
            "user id: 1000",
            "model name: gpt-5",
            "display name: null",
            "user name: [redacted]",
            "name = Config",
            "the name = Hello",
            "my_user_name: x1",
            "git.user_name: x1",
            "if user_id == other_id {",
            "https://example.invalid/user_name://x",
        ] {
            assert!(found(text).is_empty(), "{text}: {:?}", found(text));
        }
    }
}

/// Red team, round 11: a computer's and a Wi-Fi network's name after their labels.
mod machine_labels {
    use super::*;

    #[test]
    fn computer_and_network_names_are_found() {
        let found = |t: &str| super::found(t, Rule::PersonName);
        assert_eq!(found("ComputerName: VANTORQUEL-PC"), ["VANTORQUEL-PC"]);
        assert_eq!(found("Computer Name: vantorquel-pc"), ["vantorquel-pc"]);
        assert_eq!(found("Machine Name: vantorquel-pc"), ["vantorquel-pc"]);
        assert_eq!(found("host name: vantorquel-mbp"), ["vantorquel-mbp"]);
        assert_eq!(found("SSID: Blemstorvik-Home-5G"), ["Blemstorvik-Home-5G"]);
        assert!(found("host name: localhost").is_empty());
        assert_eq!(
            crate::prose::found("Connected to Wi-Fi \"Casa Marmot\"", Rule::PersonName),
            ["Casa Marmot"]
        );
        assert!(found("host name: 127.0.0.1").is_empty());
    }
}

/// Red team, round 11: Windows' and PowerShell's ways of naming an account.
mod windows_accounts {
    use super::*;

    #[test]
    fn net_user_and_identity_flags_name_the_account() {
        let found = |t: &str| super::found(t, Rule::PersonName);
        assert_eq!(found("net user vantorquel /domain"), ["vantorquel"]);
        assert_eq!(found("Get-ADUser -Identity vantorquel"), ["vantorquel"]);
        assert_eq!(found("Get-ADUser -Identity \"vantorquel\""), ["vantorquel"]);
        assert_eq!(
            found("New-ADUser -SamAccountName vantorquel"),
            ["vantorquel"]
        );
        assert_eq!(found("Get-LocalUser -UserName vantorquel"), ["vantorquel"]);
        for text in [
            "net user /domain",
            "internet user guide",
            "Get-ADUser -Identity $name",
            "ssh -o Identity=x host",
            "--identity ./key.pem",
        ] {
            assert!(found(text).is_empty(), "{text}: {:?}", found(text));
        }
    }
}

/// Round 11's review: labels written with other spacing, joined, in tables and ipconfig's
/// dotted form; a person's name to its last part, a machine's name to the line's end; code
/// and other labels stay.
mod label_forms {
    use super::*;

    fn found(text: &str) -> Vec<String> {
        super::found(text, Rule::PersonName)
    }

    #[test]
    fn spacing_joined_and_table_forms() {
        for (text, want) in [
            ("User Name\t: vantorquel", "vantorquel"),
            ("User  Name: vantorquel", "vantorquel"),
            ("User Name   : vantorquel", "vantorquel"),
            ("User name                    vantorquel", "vantorquel"),
            (
                "   Host Name . . . . . . . . : vantorquel-pc",
                "vantorquel-pc",
            ),
            ("UserId: vantorquel", "vantorquel"),
            ("displayname: vantorquel", "vantorquel"),
            ("SamAccountName: vantorquel", "vantorquel"),
            ("User logon name: vantorquel", "vantorquel"),
            ("User_Name := vantorquel", "vantorquel"),
            ("User.Name: vantorquel", "vantorquel"),
            ("display_name => \"vantorquel\"", "vantorquel"),
            ("    SSID                   : vantorquel", "vantorquel"),
            ("Wi-Fi: vantorquel", "vantorquel"),
            ("LocalHostName: vantorquel", "vantorquel"),
        ] {
            assert_eq!(found(text), [want], "{text}");
        }
    }

    #[test]
    fn a_persons_name_to_its_last_part_a_machines_to_the_lines_end() {
        assert_eq!(
            found("Display Name = Jane Q. de Vantorquel"),
            ["Jane Q. de Vantorquel"]
        );
        assert_eq!(found("RealName: Jane  Vantorquel"), ["Jane  Vantorquel"]);
        assert_eq!(
            found("ComputerName: Jane Vantorquel's MacBook Pro"),
            ["Jane Vantorquel's MacBook Pro"]
        );
        assert_eq!(found("SSID: Casa Vantorquel"), ["Casa Vantorquel"]);
        assert_eq!(found("Display Name: Zoë Smith"), ["Zoë Smith"]);
        assert_eq!(found("Full name: jane doe"), ["jane doe"]);
        // A host is one token; the next label ends a name.
        assert_eq!(
            found("Invalid host name: registry.example.org Please Check Your Proxy Settings"),
            ["registry.example.org"]
        );
        assert_eq!(
            found("Hostname: api.example.org Port: 443 Status: OK"),
            ["api.example.org"]
        );
        assert_eq!(
            found("hostname: build-agent-7 Connected To Server In 350ms"),
            ["build-agent-7"]
        );
        assert_eq!(
            found("Full Name                    Jane Vantorquel"),
            ["Jane Vantorquel"]
        );
    }

    #[test]
    fn code_and_other_labels_stay() {
        for text in [
            "Model name: AMD EPYC 7763",
            "OS Name: Microsoft Windows 11 Pro",
            "Service name: opencode",
            "def f(user_name: str, user_id: int)",
            "user_id: Option<String>",
            "let display_name = user.display_name;",
            "host_name = socket.gethostname()",
            "user = getUser()",
            "GET /authorize?tenant=common&client_id=abc",
            "account = await getAccount()",
            "user_name => user_name.trim()",
            "if (a => b) user_id == x",
            "if user_id == other_id {",
        ] {
            assert!(found(text).is_empty(), "{text}: {:?}", found(text));
        }
    }
}
