//! Reference 6.3's final errors and refresh classification (cases 66, 67, 69, 70).

use codex_rotation::acquire::is_terminal_refresh_error;
use codex_rotation::{final_acquire_error, format_wait, AcquireError, AcquireFailure};

fn base() -> AcquireFailure {
    AcquireFailure {
        oauth_configured: true,
        has_accounts: true,
        any_enabled: true,
        ..AcquireFailure::default()
    }
}

#[test]
fn priority_order() {
    let now = 1000.0;
    assert_eq!(
        final_acquire_error(&AcquireFailure::default(), now),
        AcquireError::OauthNotConfigured
    );
    let f = AcquireFailure {
        has_accounts: false,
        ..base()
    };
    assert_eq!(
        final_acquire_error(&f, now),
        AcquireError::NoAccountsConfigured
    );
    let f = AcquireFailure {
        any_enabled: false,
        invalid_grant: true,
        ..base()
    };
    assert_eq!(
        final_acquire_error(&f, now),
        AcquireError::RefreshInvalidGrantAll
    );
    // case 66 / 69: cooling wins over the single invalid_grant and transient failures.
    let f = AcquireFailure {
        earliest_wait_until: Some(now + 90_000.0),
        invalid_grant: true,
        transient_refresh_failure: true,
        ..base()
    };
    assert_eq!(
        final_acquire_error(&f, now),
        AcquireError::AllCoolingDown { wait_ms: 90_000.0 }
    );
    let f = AcquireFailure {
        invalid_grant: true,
        ..base()
    };
    assert_eq!(
        final_acquire_error(&f, now),
        AcquireError::RefreshInvalidGrant
    );
    let f = AcquireFailure {
        missing_refresh: true,
        missing_identity: true,
        ..base()
    };
    assert_eq!(
        final_acquire_error(&f, now),
        AcquireError::MissingRefreshToken
    );
    // case 70
    let f = AcquireFailure {
        missing_identity: true,
        ..base()
    };
    assert_eq!(
        final_acquire_error(&f, now),
        AcquireError::MissingAccountIdentity
    );
    let f = AcquireFailure {
        transient_refresh_failure: true,
        ..base()
    };
    assert_eq!(final_acquire_error(&f, now), AcquireError::RefreshFailed);
    assert_eq!(
        final_acquire_error(&base(), now),
        AcquireError::NoEnabledAccounts
    );
}

#[test]
fn wait_format() {
    assert_eq!(format_wait(90_000.0), "1m 30s");
    assert_eq!(format_wait(5_001.0), "6s");
    assert_eq!(format_wait(0.0), "1s");
}

#[test]
fn case_67_terminal_refresh_errors() {
    assert!(is_terminal_refresh_error(Some("invalid_grant"), None, None));
    assert!(is_terminal_refresh_error(
        Some("refresh_token_reused"),
        None,
        None
    ));
    assert!(is_terminal_refresh_error(
        None,
        Some("Token refresh failed (status 400)"),
        Some("Refresh token has been revoked")
    ));
    assert!(is_terminal_refresh_error(
        None,
        Some("oops invalid_grant"),
        None
    ));
    // case 69: invalid_token is transient.
    assert!(!is_terminal_refresh_error(
        Some("invalid_token"),
        None,
        None
    ));
    assert!(!is_terminal_refresh_error(
        None,
        Some("Token refresh failed (status 502)"),
        None
    ));
}
