//! `codex-scrub`: the one redaction engine (report, bundle, `scan`) and its detectors.
//!
//! Everything `codex-doctor bundle` puts into a zip, and everything `codex-doctor scan` reads,
//! goes through one [`Scrubber`]. It applies the plugin's own snapshot and lifecycle-log rules
//! ([`rules`]: header names and substrings, JSON keys at any depth, `k=v` and `"k":"v"`, URL
//! query parameters, meta keys), detectors by shape ([`shapes`]: JWTs, `Bearer`/`Basic`,
//! `sk-` keys, refresh-token shapes, cookies, emails, identity keys, account and session ids),
//! detectors of personal data in prose ([`personal`]: obfuscated emails, phone numbers, SSNs,
//! card numbers, names after cue words),
//! detectors by key ([`keyed`]), and every value the caller knows ([`known`]) in its encoded
//! forms. Identifiers become per-bundle pseudonyms ([`pseudonym`]), or, in the report's output
//! style ([`Style::Mask`], [`Pseudonymizer::masking`]), masks a person recognizes their own
//! accounts by; the doctor's report, `fix` and the bundle all use this one engine. After the detectors, the
//! allowlist [`gate`] keeps only what it can vouch for (structure, keys, allowlisted values,
//! ordinary vocabulary) and replaces every other token with `<string:N>`. Structured files
//! of a known kind go through their schema first ([`schema`]): structure and keys kept, a
//! value only where its key is on the kind's allowlist and has the key's safe shape. Input is
//! read line by line with bounded memory ([`stream`]), a large file in chunks of whole lines on
//! every core with the output of one thread ([`parallel`]); the lines a redaction proves
//! clean on the way are recorded so the bundle's self-scan can pass over them
//! ([`certify`]), and closed records (what a schema writes for the plugin's own records, which
//! the detectors and gate would leave as they are) pass without them ([`closed`]); nothing
//! here prints.

#![warn(unreachable_pub)]

mod bytes;
pub mod catalog;
pub mod certify;
#[doc(hidden)]
pub mod closed;
mod code_hosts;
mod decode;
pub mod engine;
pub mod gate;
mod given_names;
mod hosts;
mod keyed;
mod known;
mod logins;
mod named;
pub mod names;
pub mod parallel;
mod pass_cache;
mod personal;
mod prose;
#[cfg(test)]
mod prose_tests;
pub mod pseudonym;
mod records;
pub mod rules;
pub mod schema;
mod shapes;
mod span;
mod spoken;
mod stream;
mod system_output;
mod urls;
pub mod vocabulary;

pub use certify::Certified;
pub use codex_redact::IdentityMode;
pub use engine::{preview, Counts, FileScrubber, Finding, Mode, Options, Scrubber};
pub use known::KnownValues;
pub use parallel::{default_threads, redact_parallel, redact_parallel_certified, scan_parallel};
pub use pseudonym::{Kind, Pseudonymizer, RandomUnavailable, Style};
pub use rules::Rule;
pub use stream::{looks_binary, redact_stream, scan_stream, LineReader, StreamOutcome, MAX_LINE};

/// What a secret value is replaced with.
pub const REDACTED: &str = "[redacted]";

/// What a dropped request body is replaced with.
pub const OMITTED: &str = "[omitted: request body]";

/// What replaces a line the engine could not redact (`engine::SETTLE_PASSES` passes still
/// matched, or the gate's output did not scan clean).
pub const UNREDACTABLE: &str = "[omitted: line could not be redacted]";

/// What replaces the rest of a line longer than `engine::MAX_GATED_LINE`.
pub const LINE_TOO_LONG: &[u8] = b"[omitted: the rest of this line is longer than 8 MiB]";
