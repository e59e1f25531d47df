//! The runtime tests' OAuth fixtures (tokens carrying the claims the plugin reads), on top of
//! the shared loopback HTTP server and JWTs of `codex-testkit`.

pub use codex_testkit::http::{pairs, Loopback, Request, Response};
use codex_testkit::jwt;

/// An ID token carrying the identity claims the plugin reads.
pub fn id_token(account_id: &str, email: &str, plan: &str) -> String {
    jwt(&serde_json::json!({
        "email": email,
        "https://api.openai.com/auth": {
            "chatgpt_account_id": account_id,
            "chatgpt_plan_type": plan,
        },
    }))
}

/// An access token carrying the account id only.
pub fn access_token(account_id: &str, nonce: &str) -> String {
    jwt(&serde_json::json!({
        "https://api.openai.com/auth": { "chatgpt_account_id": account_id },
        "nonce": nonce,
    }))
}

/// Now in epoch ms, as an integer.
pub fn now_ms() -> u64 {
    codex_testkit::now_ms() as u64
}
