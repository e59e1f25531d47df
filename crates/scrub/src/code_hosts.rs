//! Account names on code hosts: the owner in `https://github.com/<owner>/…`,
//! `git@github.com:<owner>/…`, `raw.githubusercontent.com/<owner>/…`, `<owner>.github.io`
//! (also GitLab, Bitbucket, Codeberg). A user name reads as a word to the gate, and it names
//! the user or their employer, so it becomes `[redacted]`. Owners a maintainer needs and that
//! name no user (the plugin's, OpenCode's and their dependencies' organisations) and the
//! hosts' own pages (`/settings`, `/login`, …) stay.

use crate::rules::Rule;
use crate::span::{escaped_at, Repl, Span};

const HOSTS: &[&[u8]] = &[
    b"github.com",
    b"githubusercontent.com",
    b"gitlab.com",
    b"bitbucket.org",
    b"codeberg.org",
];

/// Public owners and the hosts' own first path segments (lower case).
const KEPT: &[&[u8]] = &[
    b"iam-brain",
    b"anomalyco",
    b"sst",
    b"opencode-ai",
    b"openai",
    b"anthropics",
    b"vercel",
    b"microsoft",
    b"nodejs",
    b"npm",
    b"oven-sh",
    b"rust-lang",
    b"nixos",
    b"github",
    b"gitlab-org",
    b"settings",
    b"login",
    b"logout",
    b"orgs",
    b"organizations",
    b"apps",
    b"marketplace",
    b"features",
    b"notifications",
    b"pulls",
    b"issues",
    b"explore",
    b"topics",
    b"sponsors",
    b"about",
    b"pricing",
    b"enterprise",
    b"security",
    b"site",
    b"new",
    b"search",
    b"trending",
    b"codespaces",
    b"copilot",
    b"users",
    b"api",
    b"v3",
    b"v4",
    b"graphql",
];

fn segment_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.')
}

/// Code-host owners → `[redacted]`.
pub(crate) fn owners(low: &[u8], spans: &mut Vec<Span>) {
    for host in HOSTS {
        for p in memchr::memmem::find_iter(low, host) {
            let mut s = p + host.len();
            if !matches!(low.get(s), Some(b'/' | b':')) {
                continue;
            }
            s += 1;
            // `github.com/api/v3/repos/<owner>`-style prefixes are rare in logs; the first
            // segment is the owner.
            let mut e = s;
            while e < low.len() && segment_char(low[e]) {
                e += 1;
            }
            while e > s && low[e - 1] == b'.' {
                e -= 1;
            }
            if e > s && !KEPT.contains(&&low[s..e]) {
                spans.push(Span::new(s, e, Rule::CodeHostOwner, Repl::Redacted));
            }
        }
    }
    for p in memchr::memmem::find_iter(low, b".github.io") {
        let mut s = p;
        while s > 0
            && (low[s - 1].is_ascii_alphanumeric() || low[s - 1] == b'-')
            && !escaped_at(low, s - 1)
        {
            s -= 1;
        }
        if s < p && !KEPT.contains(&&low[s..p]) {
            spans.push(Span::new(s, p, Rule::CodeHostOwner, Repl::Redacted));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<String> {
        let low = text.to_ascii_lowercase();
        let mut spans = Vec::new();
        owners(low.as_bytes(), &mut spans);
        spans
            .iter()
            .map(|s| text[s.start..s.end].to_string())
            .collect()
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
