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
    fn credentials_told_in_prose_are_found() {
        assert_eq!(
            told("note: my password is sunshine for the vpn"),
            ["sunshine"]
        );
        assert_eq!(told("The PIN was 4821."), ["4821"]);
        assert_eq!(told("api key: hello-world-42"), ["hello-world-42"]);
        assert_eq!(
            told("the passphrase is correct horse battery staple, keep it"),
            ["correct horse battery staple"]
        );
        assert_eq!(
            told("Recovery phrase: abandon ability able"),
            ["abandon ability able"]
        );
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
    }

    #[test]
    fn public_owners_and_host_pages_stay() {
        for text in [
            "https://github.com/iam-brain/opencode-codex-auth/issues/12",
            "https://github.com/anomalyco/opencode",
            "https://github.com/settings/tokens",
            "github.com is down",
            "https://github.com/",
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
