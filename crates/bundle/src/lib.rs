//! `codex-bundle`: the redacted issue-report zip, and the scanner that checks attachments.
//!
//! [`assemble::build`] writes a bundle: the doctor report, environment, config files, an
//! accounts summary, caches, what a local codex-runtime reports ([`runtime`]) and logs, each passed through one `codex-scrub` redactor that
//! knows every secret in the user's auth files ([`known`]); only files inside the config and
//! data roots are read ([`roots`]); the zip is written to a private temp file
//! ([`zipout`]), scanned again with the same detectors ([`scan`]) and only then moved into
//! place. Nothing here prints: progress goes through [`ctx::Progress`].

#![warn(unreachable_pub)]

mod accounts;
mod assemble;
mod cache;
mod ctx;
mod environment;
mod error;
mod finding;
mod kinds;
pub mod known;
mod logs;
pub mod manifest;
mod names;
mod options;
mod readme;
mod roots;
pub mod runtime;
mod scan;
mod schema_pool;
mod sniff;
mod structured;
mod zipout;

pub use assemble::{build, scrubber_for, BundleInput, BundleResult};
pub use ctx::{NoProgress, Progress};
pub use error::{BundleError, ScanError};
pub use options::{
    default_file_name, parse_duration, parse_size, BundleOptions, DEFAULT_MAX_BYTES,
};
pub use scan::{scan_paths, ScanFinding, ScanReport};
