//! Account names on code hosts: the owner in `https://github.com/<owner>/…`,
//! `git@github.com:<owner>/…`, `raw.githubusercontent.com/<owner>/…`, `<owner>.github.io`
//! (also GitLab, Bitbucket, Codeberg). A user name reads as a word to the gate, and it names
//! the user or their employer, so it becomes `[redacted]`. Owners a maintainer needs and that
//! name no user (the plugin's, OpenCode's and their dependencies' organisations) and the
//! hosts' own pages (`/settings`, `/login`, …) stay.

use crate::hosts::host_char;
use crate::rules::Rule;
use crate::span::{in_escape, Repl, Span};

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

/// First path segments after which the next segment is the owner (`/users/<owner>`,
/// `/orgs/<owner>`, `/sponsors/<owner>`, the API's `/repos/<owner>`).
const OWNER_NEXT: &[&[u8]] = &[b"users", b"orgs", b"sponsors", b"repos"];

/// The path segment starting at `o`: its end.
fn segment_end(low: &[u8], o: usize) -> usize {
    let mut e = o;
    while e < low.len() && host_char(low[e]) {
        e += 1;
    }
    while e > o && low[e - 1] == b'.' {
        e -= 1;
    }
    e
}

/// The word `[s, e)` of the line (lower case): a code host's name (`github`, …) starts an
/// owner here.
pub(crate) fn at_word(low: &[u8], s: usize, e: usize, spans: &mut Vec<Span>) {
    let w = &low[s..e];
    if !matches!(
        w,
        b"github" | b"githubusercontent" | b"gitlab" | b"bitbucket" | b"codeberg"
    ) {
        return;
    }
    // `<owner>.github.io`, `<owner>.gitlab.io`.
    let pages = low[e..].starts_with(b".io") && low.get(e + 3).is_none_or(|c| !host_char(*c));
    if s > 0 && low[s - 1] == b'.' && pages && matches!(w, b"github" | b"gitlab") {
        let mut a = s - 1;
        while a > 0
            && (low[a - 1].is_ascii_alphanumeric() || low[a - 1] == b'-')
            && !in_escape(low, a - 1)
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
    // A port (`github.com:443/<owner>`); a port with no path after it (`github.com:22`)
    // names nobody.
    let digits = low[o..].iter().take_while(|c| c.is_ascii_digit()).count();
    if digits > 0 && low.get(o + digits) == Some(&b'/') {
        o += digits + 1;
    } else if digits > 0 && low.get(o + digits).is_none_or(|c| !host_char(*c)) {
        return;
    }
    let mut oe = segment_end(low, o);
    if OWNER_NEXT.contains(&&low[o..oe]) && low.get(oe) == Some(&b'/') {
        o = oe + 1;
        oe = segment_end(low, o);
    }
    if oe > o && !KEPT.contains(&&low[o..oe]) {
        spans.push(Span::new(o, oe, Rule::CodeHostOwner, Repl::Redacted));
    }
}
