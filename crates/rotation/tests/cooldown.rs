//! Cooldowns after rate limits (better than the plugin's 5 s) and error classification.

use codex_rotation::cooldown::{error_info, try_again_hint_ms, CooldownSource};
use codex_rotation::{classify_error, rate_limit_cooldown, ErrorClass};
use serde_json::json;

const NOW: f64 = 1_700_000_000_000.0;

#[test]
fn case_53_54_retry_after_or_five_seconds() {
    let h = [("Retry-After", "10")];
    let c = rate_limit_cooldown(&h, None, 1000.0);
    assert_eq!((c.until, c.source), (11_000.0, CooldownSource::Explicit));
    let none: [(&str, &str); 0] = [];
    let c = rate_limit_cooldown(&none, None, 1000.0);
    assert_eq!((c.until, c.source), (6_000.0, CooldownSource::Default));
}

#[test]
fn usage_limit_body_sets_the_window_reset() {
    let body = json!({"error": {"type": "usage_limit_reached", "message": "You've hit your usage limit",
        "plan_type": "plus", "resets_at": 1_700_003_600_i64, "resets_in_seconds": 3600}});
    let info = error_info(&body).expect("error object");
    assert_eq!(info.code.as_deref(), Some("usage_limit_reached"));
    assert_eq!(
        classify_error(info.code.as_deref(), None),
        ErrorClass::RateLimited
    );
    let h = [("retry-after", "5")];
    let c = rate_limit_cooldown(&h, Some(&info), NOW);
    assert_eq!(c.until, NOW + 3_600_000.0);
    let only_in = json!({"error": {"code": "usage_limit_reached", "resets_in_seconds": 120}});
    let c = rate_limit_cooldown(&[] as &[(&str, &str)], error_info(&only_in).as_ref(), NOW);
    assert_eq!(c.until, NOW + 120_000.0);
}

#[test]
fn exhausted_window_header_beats_five_seconds() {
    let h = [
        ("x-codex-primary-used-percent", "100"),
        ("x-codex-primary-reset-after-seconds", "900"),
    ];
    let c = rate_limit_cooldown(&h, None, NOW);
    assert_eq!(
        (c.until, c.source),
        (NOW + 900_000.0, CooldownSource::Explicit)
    );
}

#[test]
fn reset_header_and_message_hint() {
    let h = [("x-ratelimit-reset-requests", "20s")];
    let c = rate_limit_cooldown(&h, None, NOW);
    assert_eq!(
        (c.until, c.source),
        (NOW + 20_000.0, CooldownSource::ResetHeader)
    );
    let ev = json!({"type": "response.failed", "response": {"error": {"code": "rate_limit_exceeded",
        "message": "Rate limit reached. Please try again in 11.054s."}}});
    let info = error_info(&ev).expect("error");
    let c = rate_limit_cooldown(&[] as &[(&str, &str)], Some(&info), NOW);
    assert_eq!(
        (c.until, c.source),
        (NOW + 11_054.0, CooldownSource::MessageHint)
    );
    assert_eq!(try_again_hint_ms("try again in 1m30s"), Some(90_000.0));
    assert_eq!(try_again_hint_ms("try again in 250ms."), Some(250.0));
    assert_eq!(try_again_hint_ms("try again later"), None);
}

#[test]
fn cooldowns_are_capped() {
    let body = json!({"error": {"code": "usage_limit_reached", "resets_in_seconds": 1e9}});
    let c = rate_limit_cooldown(&[] as &[(&str, &str)], error_info(&body).as_ref(), NOW);
    assert_eq!(c.until, NOW + 8.0 * 24.0 * 3_600_000.0);
}

#[test]
fn classification() {
    let cases = [
        ("server_is_overloaded", ErrorClass::Transient),
        ("slow_down", ErrorClass::Transient),
        ("token_invalidated", ErrorClass::Auth),
        ("refresh_token_reused", ErrorClass::Auth),
        ("rate_limit_exceeded", ErrorClass::RateLimited),
        ("context_length_exceeded", ErrorClass::Other),
        ("invalid_request_error", ErrorClass::Other),
    ];
    for (code, class) in cases {
        assert_eq!(classify_error(Some(code), None), class, "{code}");
    }
    let ev = json!({"type": "error", "code": "server_is_overloaded", "message": "busy"});
    assert_eq!(
        error_info(&ev).and_then(|i| i.code),
        Some("server_is_overloaded".to_string())
    );
    assert!(error_info(&json!({"type": "response.created"})).is_none());
}
