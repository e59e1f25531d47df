//! The plugin's auth files, understood (read-only).
//!
//! [`jwt`] extracts claims from access and id tokens, [`identity`] builds identity keys and
//! `legacy|…` fingerprints exactly as the plugin does, [`model`] parses `codex-accounts.json`
//! into per-domain views with claims hydrated (reference 4.1–4.3), and [`legacy`] reads the
//! sources a transfer would import from (reference 4.6).

pub mod identity;
pub mod jwt;
pub mod legacy;
pub mod model;

pub use model::{AccountRecord, AuthStore, Domain, DomainView, StoreRead};
