//! Secret hygiene for every codex-kit tool: the types and helpers, not the engine.
//!
//! This crate owns [`Secret`], a wrapper that makes `{:?}` and `{}` of a token print
//! `[redacted]` by construction; the masking helpers ([`mask_email`], [`mask_id`],
//! [`mask_identity_key`]) used when identities are shown to a person, with [`MaskedDebug`] for
//! `Debug` output and [`IdentityMode`] for whether a person asked to see them; and [`panic`],
//! what a panic may print (location and a fixed line, never the payload), for both binaries.
//! Text is redacted by one engine, `codex-scrub`, whose report style writes these masks.

#![warn(unreachable_pub)]

mod mask;
pub mod panic;
mod secret;

pub use mask::{mask_email, mask_id, mask_identity_key, IdentityMode, MaskedDebug};
pub use secret::Secret;

/// The text every redacted value is replaced with.
pub const REDACTED: &str = "[redacted]";
