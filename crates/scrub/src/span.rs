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
