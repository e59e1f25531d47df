//! Naming accounts within one request, and the failover reason codes (reference 6.3, 7.4).
//!
//! An *attempt key* tells accounts apart while one request walks through them: the identity
//! key, else the strict `accountId|email|plan` tuple, else `idx:<index>`. The *retry account
//! key* compares the accounts of two consecutive attempts to name the failover reason.

/// The strict tuple `accountId|email|plan` (trimmed; email and plan lowercased), when all
/// three parts are non-blank.
fn strict_tuple(
    account_id: Option<&str>,
    email: Option<&str>,
    plan: Option<&str>,
) -> Option<String> {
    let id = account_id.map(str::trim).filter(|s| !s.is_empty())?;
    let email = email
        .map(str::trim)
        .filter(|s| !s.is_empty())?
        .to_lowercase();
    let plan = plan
        .map(str::trim)
        .filter(|s| !s.is_empty())?
        .to_lowercase();
    Some(format!("{id}|{email}|{plan}"))
}

/// The attempt key of the account at `index` of its domain.
pub fn attempt_key(
    identity_key: Option<&str>,
    account_id: Option<&str>,
    email: Option<&str>,
    plan: Option<&str>,
    index: usize,
) -> String {
    identity_key
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .map(str::to_string)
        .or_else(|| strict_tuple(account_id, email, plan))
        .unwrap_or_else(|| format!("idx:{index}"))
}

/// `identity:<key>`, else `attempt:<attempt key>`, else `tuple:<id|email|plan>`.
pub fn retry_account_key(
    identity_key: Option<&str>,
    attempt_key: Option<&str>,
    account_id: Option<&str>,
    email: Option<&str>,
    plan: Option<&str>,
) -> Option<String> {
    if let Some(k) = identity_key.filter(|k| !k.trim().is_empty()) {
        return Some(format!("identity:{k}"));
    }
    if let Some(k) = attempt_key.filter(|k| !k.trim().is_empty()) {
        return Some(format!("attempt:{k}"));
    }
    strict_tuple(account_id, email, plan).map(|t| format!("tuple:{t}"))
}

/// Why an attempt is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FailoverReason {
    /// The first attempt, or the previous one did not end in a rate limit.
    InitialAttempt,
    /// After a rate limit, on another account.
    RetrySwitchedAccountAfter429,
    /// After a rate limit, on the same account.
    RetrySameAccountAfter429,
}

impl FailoverReason {
    /// The plugin's code.
    pub fn as_str(self) -> &'static str {
        match self {
            FailoverReason::InitialAttempt => "initial_attempt",
            FailoverReason::RetrySwitchedAccountAfter429 => "retry_switched_account_after_429",
            FailoverReason::RetrySameAccountAfter429 => "retry_same_account_after_429",
        }
    }
}

/// The reason code of an attempt, from the previous attempt's status and account key.
pub fn failover_reason(
    previous_status: Option<u16>,
    previous_key: Option<&str>,
    key: Option<&str>,
) -> FailoverReason {
    match previous_status {
        Some(429) if previous_key.is_some() && previous_key == key => {
            FailoverReason::RetrySameAccountAfter429
        }
        Some(429) => FailoverReason::RetrySwitchedAccountAfter429,
        _ => FailoverReason::InitialAttempt,
    }
}
