//! The end of an acquisition that found no usable account (reference 6.3), and the
//! classification of refresh failures.
//!
//! [`AcquireFailure`] collects what the attempts saw; [`final_acquire_error`] applies the
//! plugin's priority order to choose one synthetic error. [`is_terminal_refresh_error`]
//! decides whether a failed refresh disables the account or only cools it down.

/// What an acquisition saw before it ran out of accounts.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AcquireFailure {
    /// The store has an OAuth entry.
    pub oauth_configured: bool,
    /// The domain has accounts.
    pub has_accounts: bool,
    /// Some account of the domain is still enabled (after this acquisition's writes).
    pub any_enabled: bool,
    /// Earliest end of a future lease or cooldown among enabled accounts (epoch ms).
    pub earliest_wait_until: Option<f64>,
    /// A refresh was rejected as terminal (`invalid_grant` and friends).
    pub invalid_grant: bool,
    /// An account had no refresh token.
    pub missing_refresh: bool,
    /// An account had no usable identity.
    pub missing_identity: bool,
    /// A refresh failed transiently.
    pub transient_refresh_failure: bool,
}

/// The synthetic errors of a failed acquisition.
#[derive(Debug, Clone, PartialEq)]
pub enum AcquireError {
    /// No OAuth entry at all.
    OauthNotConfigured,
    /// The domain has no accounts.
    NoAccountsConfigured,
    /// No enabled account.
    NoEnabledAccounts,
    /// Every enabled account's refresh token was rejected.
    RefreshInvalidGrantAll,
    /// Everything enabled is cooling down or leased; wait this long.
    AllCoolingDown {
        /// Milliseconds until the earliest account is usable.
        wait_ms: f64,
    },
    /// One account's refresh token was rejected.
    RefreshInvalidGrant,
    /// The selected account has no refresh token.
    MissingRefreshToken,
    /// The selected account has no identity.
    MissingAccountIdentity,
    /// A refresh failed transiently.
    RefreshFailed,
}

/// The plugin's priority order (reference 6.3, "Final errors").
pub fn final_acquire_error(f: &AcquireFailure, now_ms: f64) -> AcquireError {
    if !f.oauth_configured {
        return AcquireError::OauthNotConfigured;
    }
    if !f.has_accounts {
        return AcquireError::NoAccountsConfigured;
    }
    if !f.any_enabled && f.invalid_grant {
        return AcquireError::RefreshInvalidGrantAll;
    }
    if let Some(until) = f.earliest_wait_until.filter(|u| *u > now_ms) {
        return AcquireError::AllCoolingDown {
            wait_ms: until - now_ms,
        };
    }
    if f.invalid_grant {
        return AcquireError::RefreshInvalidGrant;
    }
    if f.missing_refresh {
        return AcquireError::MissingRefreshToken;
    }
    if f.missing_identity {
        return AcquireError::MissingAccountIdentity;
    }
    if f.transient_refresh_failure {
        return AcquireError::RefreshFailed;
    }
    AcquireError::NoEnabledAccounts
}

/// `Xm Ys` or `Ys` (whole seconds, rounded up, at least 1 s).
pub fn format_wait(ms: f64) -> String {
    let secs = (ms.max(0.0) / 1000.0).ceil().max(1.0) as u64;
    if secs >= 60 {
        format!("{}m {}s", secs / 60, secs % 60)
    } else {
        format!("{secs}s")
    }
}

/// OAuth error codes that mean the refresh token is dead.
pub const TERMINAL_REFRESH_CODES: [&str; 7] = [
    "invalid_grant",
    "invalid_refresh_token",
    "refresh_token_expired",
    "refresh_token_reused",
    "refresh_token_invalidated",
    "refresh_token_revoked",
    "token_revoked",
];

/// Whether a refresh failure is terminal (disable the account) rather than transient
/// (cool it for 30 s).
pub fn is_terminal_refresh_error(
    code: Option<&str>,
    message: Option<&str>,
    oauth_message: Option<&str>,
) -> bool {
    if code
        .is_some_and(|c| TERMINAL_REFRESH_CODES.contains(&c.trim().to_ascii_lowercase().as_str()))
    {
        return true;
    }
    [message, oauth_message].into_iter().flatten().any(|m| {
        let m = m.to_ascii_lowercase();
        m.contains("invalid_grant")
            || (m.contains("refresh token")
                && ["invalid", "expired", "reused", "revoked", "invalidated"]
                    .iter()
                    .any(|w| m.contains(w)))
    })
}
