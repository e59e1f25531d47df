//! Names of the user's own machines: hosts on the local network (`*.local` from mDNS,
//! `*.lan`, `*.localdomain`, `*.home.arpa`, `*.internal`) and device names that carry their
//! owner's name (`Janes-MacBook-Pro`, `jane-mbp`, `iMac-Jane`). The gate keeps them when
//! every part reads as a word; they name a person or a household, so the whole host becomes
//! `[redacted]`. `localhost`, Docker's `host.docker.internal` and paths such as
//! `~/.local/share` stay.

use crate::rules::Rule;
use crate::span::{in_escape, Repl, Span};

/// Suffixes of hosts on a private network.
const PRIVATE_SUFFIXES: &[&[u8]] = &[
    b".local",
    b".lan",
    b".localdomain",
    b".home.arpa",
    b".internal",
];

/// Hosts that name no one.
const NAMELESS: &[&[u8]] = &[
    b"localhost",
    b"host.docker.internal",
    b"gateway.docker.internal",
    b"kubernetes.docker.internal",
];

/// A byte of a host name (also of a URL path segment: [`crate::code_hosts`]).
pub(crate) fn host_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'-' | b'.' | b'_')
}

/// The host around `[s, e)`: extended over host characters both ways (a trailing `.` is
/// not part of it), never back into an escape (`\njane-mbp.local`, `\u201cjane-mbp`).
fn host_around(low: &[u8], s: usize, e: usize) -> (usize, usize) {
    let mut a = s;
    while a > 0 && host_char(low[a - 1]) && !in_escape(low, a - 1) {
        a -= 1;
    }
    let mut b = e;
    while b < low.len() && host_char(low[b]) {
        b += 1;
    }
    while b > a && low[b - 1] == b'.' {
        b -= 1;
    }
    (a, b)
}

/// A private-network suffix starting at `p` (its `.`), `len` long: the host's end, when
/// it is one.
fn suffix_at(low: &[u8], p: usize, len: usize, spans: &mut Vec<Span>) -> Option<usize> {
    let e = p + len;
    // The suffix ends the host (`jane-mbp.local:8080`, not `x.local.json` or `x.lang`), and
    // a label comes before it (not `~/.local/share`).
    let free = |i: usize| low.get(i).is_none_or(|c| !host_char(*c));
    // A sentence's full stop may follow (`… router.lan.`).
    let ends = free(e) || (low[e] == b'.' && free(e + 1));
    let labelled = p > 0 && (low[p - 1].is_ascii_alphanumeric() || low[p - 1] == b'-');
    if !ends || !labelled {
        return None;
    }
    let (a, b) = host_around(low, p, e);
    // `/usr/x.local` is a file in a folder, not a host… unless a URL (`//`) or a UNC path
    // (`\\nas.local\share`) names it.
    let named = low[..a].ends_with(b"//") || low[..a].ends_with(b"\\\\");
    if a > 0
        && matches!(low[a - 1], b'/' | b'\\')
        && low.get(a..p).is_some_and(|l| !l.contains(&b'.'))
        && !named
    {
        return None;
    }
    if NAMELESS.contains(&&low[a..b]) {
        return None;
    }
    push(low, spans, a, b);
    Some(b)
}

fn push(low: &[u8], spans: &mut Vec<Span>, a: usize, b: usize) {
    // `jdoe@Janes-MacBook-Pro ~ %`: the user before the host goes with it (found by the red
    // team, round 3: with the host replaced, the user was no longer part of an address).
    let mut a = a;
    if a > 1 && low[a - 1] == b'@' {
        let mut u = a - 1;
        while u > 0
            && (low[u - 1].is_ascii_alphanumeric() || matches!(low[u - 1], b'.' | b'_' | b'-'))
            && !in_escape(low, u - 1)
        {
            u -= 1;
        }
        if u < a - 1 {
            a = u;
        }
    }
    // A host is found once per mark in it: only the last span can be the same.
    let seen = spans
        .last()
        .is_some_and(|s| s.rule == Rule::PrivateHost && s.start == a && s.end == b);
    if !seen {
        spans.push(Span::new(a, b, Rule::PrivateHost, Repl::Redacted));
    }
}

/// The word `[s, e)` of the line (lower case): a private-network suffix (`local` after a
/// `.`) or a device mark (`macbook`, `-mbp`) starts a private host here. The host's end,
/// to go on from.
pub(crate) fn at_word(low: &[u8], s: usize, e: usize, spans: &mut Vec<Span>) -> Option<usize> {
    let w = &low[s..e];
    let after = |c: u8| s > 0 && low[s - 1] == c;
    let mark = match w {
        b"local" | b"lan" | b"localdomain" | b"home" | b"internal" if after(b'.') => {
            // The suffix this word is (`.localdomain`, not the `.local` it starts with).
            let suffix = PRIVATE_SUFFIXES.iter().find(|x| {
                low[s - 1..].starts_with(x) && (x.len() == w.len() + 1 || w == b"home")
            })?;
            return suffix_at(low, s - 1, suffix.len(), spans);
        }
        b"macbook" | b"imac" => after(b'-') || low.get(e) == Some(&b'-'),
        b"mbp" | b"laptop" | b"desktop" => after(b'-'),
        _ => false,
    };
    if !mark {
        return None;
    }
    let (a, b) = host_around(low, s, e);
    // Only a device name with more than the mark (`janes-macbook-pro`, not the word
    // `macbook` alone in prose).
    (b - a > e - s + 1).then(|| {
        push(low, spans, a, b);
        b
    })
}
