//! Credentials in a URL's authority: `https://user:pass@host/…`, `git+https://token@host/…`,
//! `postgres://user:secret@db/…`. Everything before the last `@` of the authority (user name
//! and password) becomes `[redacted]`; the scheme, host and path stay. The bundle's gate
//! also refuses such a chunk whole, but the report (which does not run the gate) needs this
//! rule, and a scheme-less mask would otherwise show a password's first letter.

use crate::rules::Rule;
use crate::span::{Repl, Span};

/// The authority starting at `u` (just after `://`): user information before its last `@`
/// → `[redacted]`.
pub(crate) fn userinfo_at(dec: &[u8], u: usize, spans: &mut Vec<Span>) {
    let mut end = u;
    let mut at = None;
    while end < dec.len() {
        match dec[end] {
            b'/' | b'?' | b'#' | b' ' | b'\t' | b'"' | b'\'' | b'<' | b'>' | b'\\' | b'`' => break,
            b'@' => at = Some(end),
            _ => {}
        }
        end += 1;
    }
    // Already replaced (`[redacted]@host`, a pseudonym): nothing left to do.
    if let Some(at) = at.filter(|&a| a > u && !crate::rules::only_markers(&dec[u..a])) {
        spans.push(Span::new(u, at, Rule::UrlUserinfo, Repl::Redacted));
    }
}
