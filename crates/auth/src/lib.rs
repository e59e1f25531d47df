//! The plugin's auth files: the one owner of the `codex-accounts.json` format.
//!
//! [`jwt`] extracts claims from access and id tokens and [`identity`] builds identity keys and
//! `legacy|…` fingerprints exactly as the plugin does. The file format itself lives here and
//! nowhere else: [`account`] is one record, [`state`] the `openai` entry with its two domains
//! (parse, migration of the legacy shapes, normalization, the aggregate split and rebuild,
//! byte-exact serialization through [`json`]), with the usual file shape read without a
//! JSON tree first (`direct`), and [`ops`] the edits the plugin's code paths make to it
//! (upsert, cooldown, tokens, refresh leases, the tools' switch/enable/disable/remove). That is the strict read the store writes through. [`model`] is
//! the lenient read the doctor and the bundle use: the same [`Account`] records normalized by
//! the same code, with wrong-typed fields left out and reported instead of refused. [`legacy`] reads the sources a transfer would import from (reference
//! 4.6). Nothing here touches a lock or writes a file: that is `codex-store`.

#![warn(unreachable_pub)]

pub mod account;
mod direct;
mod domain;
pub mod identity;
pub mod json;
pub mod jwt;
pub mod legacy;
pub mod model;
pub mod ops;
pub mod state;

pub use account::{Account, ShapeIssue};
pub use model::{AccountRecord, AccountsView, Domain, DomainView, StoreRead};
pub use ops::{AccountRow, CommitOptions, EditError, Lease, LoginTokens, RefreshedTokens};
pub use state::{AuthState, DomainState, FormatError, OauthState, OpenAi};
