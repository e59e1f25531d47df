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

/// The word `[s, e)` of the line (lower case): a code host's name (`github`, …) starts an
/// owner here.
pub(crate) fn at_word(low: &[u8], s: usize, e: usize, spans: &mut Vec<Span>) {
    if !matches!(
        &low[s..e],
        b"github" | b"githubusercontent" | b"gitlab" | b"bitbucket" | b"codeberg"
    ) {
        return;
    }
    // `<owner>.github.io`.
    if s > 0 && low[s - 1] == b'.' && low[e..].starts_with(b".io") && &low[s..e] == b"github" {
        let mut a = s - 1;
        while a > 0
            && (low[a - 1].is_ascii_alphanumeric() || low[a - 1] == b'-')
            && !escaped_at(low, a - 1)
        {
            a -= 1;
        }
        if a < s - 1 && !KEPT.contains(&&low[a..s - 1]) {
            spans.push(Span::new(a, s - 1, Rule::CodeHostOwner, Repl::Redacted));
        }
        return;
    }
    let Some(host) = HOSTS.iter().find(|h| low[s..].starts_with(h)) else {
        return;
    };
    let mut o = s + host.len();
    if !matches!(low.get(o), Some(b'/' | b':')) {
        return;
    }
    o += 1;
    let mut oe = o;
    while oe < low.len() && segment_char(low[oe]) {
        oe += 1;
    }
    while oe > o && low[oe - 1] == b'.' {
        oe -= 1;
    }
    if oe > o && !KEPT.contains(&&low[o..oe]) {
        spans.push(Span::new(o, oe, Rule::CodeHostOwner, Repl::Redacted));
    }
}
