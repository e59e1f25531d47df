//! Identity keys: re-exported from `codex_auth::identity`, which owns the plugin's exact
//! string semantics for readers and writers alike.

pub use codex_auth::identity::{
    build_identity_key, is_canonical_key, legacy_fingerprint, normalize_lower,
    synchronize_identity_key,
};
