//! Secret hygiene for every codex-kit tool.
//!
//! This crate owns three things: [`Secret`], a wrapper that makes `{:?}` and `{}` of a token
//! print `[redacted]` by construction; the masking helpers ([`mask_email`], [`mask_id`]) used
//! when identities are shown to a person (and [`MaskedDebug`] for `Debug` output); and [`Redactor`], which scrubs known secret values
//! and secret-shaped text out of any string before it leaves the process. [`panic`] is what a
//! panic may print (location and a fixed line, never the payload), for both binaries.

#![warn(unreachable_pub)]

mod mask;
pub mod panic;
mod redactor;
mod secret;

pub use mask::{mask_email, mask_id, mask_identity_key, MaskedDebug};
pub use redactor::{IdentityMode, Redactor};
pub use secret::Secret;

/// The text every redacted value is replaced with.
pub const REDACTED: &str = "[redacted]";
