//! Account rotation for the Codex backend, as pure functions.
//!
//! Everything here is a function of its inputs (the accounts, the clock value, header
//! values, a JSON body): no file, network or clock access, so each rule of the plugin
//! (reference sections 6 and 7) is tested directly. [`select`] is `selectAccount` with
//! eligibility and session affinity; [`attempt`] names accounts within one request and
//! gives the failover reason codes; [`retry`] parses `Retry-After` and computes backoff;
//! [`ratelimit`] parses rate-limit headers, usage payloads and quota thresholds;
//! [`cooldown`] decides how long a rate-limited or failing account rests and classifies
//! errors found in a response; [`acquire`] picks the synthetic error that ends an
//! acquisition when no account is usable; [`httpdate`] parses the date forms of
//! `Retry-After`.

#![warn(unreachable_pub)]

pub mod acquire;
mod attempt;
pub mod cooldown;
pub mod httpdate;
pub mod ratelimit;
mod retry;
mod select;

pub use acquire::{final_acquire_error, format_wait, AcquireError, AcquireFailure};
pub use attempt::{attempt_key, failover_reason, retry_account_key, FailoverReason};
pub use cooldown::{classify_error, rate_limit_cooldown, ErrorClass, RateLimitCooldown};
pub use ratelimit::{HeaderLookup, Limit, UsageSnapshot};
pub use retry::{compute_backoff_ms, parse_retry_after_ms};
pub use select::{
    health, is_eligible, select_account, AccountView, Decision, Health, SelectInput, Selection,
    SessionState, Strategy,
};
