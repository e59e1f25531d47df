//! Matches on one line: [`Span`]s found by the detectors, and how overlaps are resolved.
//!
//! Every detector reports the byte range of a secret and what should replace it. Ranges are
//! then sorted and merged: a range inside another is dropped (the outer replacement removes
//! it anyway), and two ranges that partly overlap become one, replaced by `[redacted]`.

use crate::pseudonym::Kind;
use crate::rules::Rule;

/// What a span is replaced with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Repl {
    /// `[redacted]`.
    Redacted,
    /// `"[redacted]"` (a non-string JSON value); `escaped` writes `\"[redacted]\"`.
    QuotedRedacted {
        /// Inside a JSON string (`\"…\"`).
        escaped: bool,
    },
    /// `[omitted: request body]`, quoted when it replaces a non-string value.
    Omitted {
        /// Add quotes.
        quoted: bool,
        /// Inside a JSON string (`\"…\"`).
        escaped: bool,
    },
    /// A pseudonym computed from the matched text.
    Pseudonym(Kind),
    /// The replacement of known value number `n`.
    Known(u32),
    /// `<user>` (the login name).
    User,
}

impl Repl {
    fn strength(self) -> u8 {
        match self {
            Repl::Redacted | Repl::QuotedRedacted { .. } | Repl::Omitted { .. } => 3,
            Repl::Known(_) => 2,
            Repl::Pseudonym(_) => 1,
            Repl::User => 0,
        }
    }
}

/// One match: bytes `start..end` of the (decoded) line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Span {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
    /// The detector.
    pub rule: Rule,
    /// The replacement.
    pub repl: Repl,
}

impl Span {
    /// A new span.
    pub(crate) fn new(start: usize, end: usize, rule: Rule, repl: Repl) -> Span {
        Span {
            start,
            end,
            rule,
            repl,
        }
    }
}

/// Sorts `spans` and merges overlaps in place; the result is ordered and disjoint.
pub(crate) fn resolve(spans: &mut Vec<Span>) {
    if spans.len() < 2 {
        return;
    }
    spans.sort_unstable_by(|a, b| a.start.cmp(&b.start).then(b.end.cmp(&a.end)));
    let mut w = 0;
    for r in 1..spans.len() {
        let next = spans[r];
        let cur = &mut spans[w];
        if next.start >= cur.end {
            w += 1;
            spans[w] = next;
        } else if next.end <= cur.end {
            // Contained: the outer replacement removes it, unless the inner one is a
            // stronger kind on exactly the same bytes.
            if next.start == cur.start
                && next.end == cur.end
                && next.repl.strength() > cur.repl.strength()
            {
                *cur = next;
            }
        } else {
            cur.end = next.end;
            if cur.repl.strength() < 3 {
                cur.repl = Repl::Redacted;
            }
        }
    }
    spans.truncate(w + 1);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(a: usize, b: usize, repl: Repl) -> Span {
        Span::new(a, b, Rule::Email, repl)
    }

    #[test]
    fn contained_and_overlapping() {
        let mut v = vec![
            s(10, 12, Repl::Redacted),
            s(0, 5, Repl::Pseudonym(Kind::Email)),
            s(1, 3, Repl::Redacted),
            s(4, 8, Repl::Pseudonym(Kind::Email)),
            s(20, 25, Repl::Pseudonym(Kind::Email)),
            s(20, 25, Repl::Redacted),
        ];
        resolve(&mut v);
        assert_eq!(
            v,
            vec![
                s(0, 8, Repl::Redacted),
                s(10, 12, Repl::Redacted),
                s(20, 25, Repl::Redacted)
            ]
        );
    }
}

/// Whether `line[i]` is the letter of a backslash escape (`n` in `\n`): an odd run of
/// backslashes before it. Detectors read lines as written, so JSON strings keep their
/// escapes, and a span must never start inside one.
pub(crate) fn escaped_at(line: &[u8], i: usize) -> bool {
    let run = line[..i].iter().rev().take_while(|&&c| c == b'\\').count();
    run % 2 == 1
}

/// Whether a word may start at `s`: at the line's start, after a byte that is not a letter
/// or digit, or right after an escape (`\nJane`, `\u00e9Jane`).
#[inline]
pub(crate) fn starts_word(line: &[u8], s: usize) -> bool {
    if s == 0 || !line[s - 1].is_ascii_alphanumeric() {
        return true;
    }
    if escaped_at(line, s - 1) {
        return true;
    }
    s >= 6
        && line[s - 5] == b'u'
        && escaped_at(line, s - 5)
        && line[s - 4..s].iter().all(u8::is_ascii_hexdigit)
}

/// Whether `line[i]` is part of a backslash escape after its backslash: the letter (`n` in
/// `\n`, `u` in `\u201c`) or one of the four hex digits of a `\uXXXX`.
pub(crate) fn in_escape(line: &[u8], i: usize) -> bool {
    if escaped_at(line, i) {
        return true;
    }
    (1..=4).any(|k| {
        i >= k
            && line[i - k] == b'u'
            && escaped_at(line, i - k)
            && line
                .get(i - k + 1..i - k + 5)
                .is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit))
    })
}

/// The first index at or after `s` that is not inside a backslash escape ([`in_escape`]):
/// where a word may start in `\nJane` or `\u201cJane`.
#[inline]
pub(crate) fn past_escape(line: &[u8], s: usize) -> usize {
    // Inside an escape, the byte before is its backslash, its `u` or one of its hex digits:
    // after any other byte (most words start after a separator) there is none to pass.
    if s == 0 || !(line[s - 1].is_ascii_alphanumeric() || line[s - 1] == b'\\') {
        return s;
    }
    // An escape needs its backslash within the five bytes before (`\u201c` at most).
    if !line[s.saturating_sub(5)..s].contains(&b'\\') {
        return s;
    }
    let mut i = s;
    while i < line.len() && in_escape(line, i) {
        i += 1;
    }
    i
}

#[cfg(test)]
mod escape_tests {
    use super::*;

    #[test]
    fn words_start_after_escapes_and_never_inside_one() {
        let l = br#"a\nJane \\nb \u00e9Doe"#;
        let at = |w: &[u8]| l.windows(w.len()).position(|x| x == w).unwrap();
        assert!(escaped_at(l, at(b"nJane")));
        assert!(starts_word(l, at(b"Jane")));
        assert!(
            !escaped_at(l, at(b"nb")),
            "an escaped backslash escapes nothing after it"
        );
        assert!(!starts_word(l, at(b"b ")));
        assert!(starts_word(l, at(b"Doe")));
        assert!(!starts_word(l, at(b"ane")));
        let q = br#"x\u201cJane"#;
        assert_eq!(past_escape(q, 2), q.len() - 4, "past u201c");
        assert!(in_escape(q, q.len() - 5) && !in_escape(q, q.len() - 4));
        assert!(
            !in_escape(br#"a\\u201c"#, 3),
            "an escaped backslash escapes nothing"
        );
    }
}
