//! Reference 15, cases 73–75: rate-limit headers, usage payloads, quota thresholds.

use codex_rotation::ratelimit::{
    exhausted_until, limits_of_snapshot, parse_rate_limit_headers, parse_reset,
    parse_usage_payload, pick_windows, snapshot_value, usage_url, QuotaAlerts, QuotaView, Window,
};
use codex_rotation::Limit;
use serde_json::json;

#[test]
fn case_73_generic_headers() {
    let now = 1000.0;
    let h = [
        ("x-ratelimit-remaining-requests", "75"),
        ("x-ratelimit-limit-requests", "100"),
        ("x-ratelimit-reset-requests", "1700"),
    ];
    let l = parse_rate_limit_headers(&h, now);
    assert_eq!(
        l,
        vec![Limit {
            name: "requests".into(),
            left_pct: 75.0,
            resets_at: Some(1_701_000.0)
        }]
    );
    assert_eq!(parse_reset("1700000000000", now), Some(1_700_000_000_000.0));
    assert_eq!(parse_reset("1.5s", now), Some(2500.0));
    assert_eq!(parse_reset("1500ms", now), Some(2500.0));
    assert_eq!(parse_reset("1700000000", now), Some(1_700_000_000_000.0));
    assert_eq!(parse_reset("soon", now), None);
    let nan = [
        ("x-ratelimit-remaining-requests", "NaN"),
        ("x-ratelimit-limit-requests", "100"),
    ];
    assert!(parse_rate_limit_headers(&nan, now).is_empty());
}

/// The plugin reads header numbers with `Number(v)` (`lib/codex-status.ts`, `num`), so a blank
/// value is 0, a hex value is read, and `inf` is not a number, exactly as in JavaScript.
#[test]
fn header_numbers_are_read_as_javascripts_number() {
    let now = 1000.0;
    let blank = [
        ("x-ratelimit-remaining-requests", " "),
        ("x-ratelimit-limit-requests", "100"),
    ];
    let l = parse_rate_limit_headers(&blank, now);
    assert_eq!(l.len(), 1);
    assert_eq!(l[0].left_pct, 0.0, "Number(' ') is 0 in the plugin");
    let hex = [
        ("x-ratelimit-remaining-requests", "0x19"),
        ("x-ratelimit-limit-requests", "100"),
    ];
    assert_eq!(parse_rate_limit_headers(&hex, now)[0].left_pct, 25.0);
    let inf = [
        ("x-ratelimit-remaining-requests", "inf"),
        ("x-ratelimit-limit-requests", "100"),
    ];
    assert!(parse_rate_limit_headers(&inf, now).is_empty());
}

#[test]
fn codex_window_headers() {
    let now = 1_000_000.0;
    let h = [
        ("x-codex-primary-used-percent", "100.0"),
        ("x-codex-primary-window-minutes", "300"),
        ("x-codex-primary-reset-at", "1700000000"),
        ("x-codex-secondary-used-percent", "42.4"),
        ("x-codex-secondary-reset-after-seconds", "60"),
    ];
    let l = parse_rate_limit_headers(&h, now);
    assert_eq!(l.len(), 2);
    assert_eq!((l[0].name.as_str(), l[0].left_pct), ("requests", 0.0));
    assert_eq!(l[0].resets_at, Some(1_700_000_000_000.0));
    assert_eq!((l[1].name.as_str(), l[1].left_pct), ("tokens", 58.0));
    assert_eq!(l[1].resets_at, Some(now + 60_000.0));
    assert_eq!(exhausted_until(&l, now), Some(1_700_000_000_000.0));
}

#[test]
fn case_74_usage_payload() {
    let body = json!({
        "rate_limit": {
            "primary_window": {"used_percent": 25, "reset_at": 1_710_000_000},
            "secondary_window": {"used_percent": 70, "reset_at": 1_711_000_000}
        },
        "credits": {"has_credits": true, "unlimited": false, "balance": "12.5"}
    });
    let s = parse_usage_payload(&body).expect("limits");
    assert_eq!(s.limits[0].name, "requests");
    assert_eq!(s.limits[0].left_pct, 75.0);
    assert_eq!(s.limits[0].resets_at, Some(1_710_000_000_000.0));
    assert_eq!(s.limits[1].name, "tokens");
    assert_eq!(s.limits[1].left_pct, 30.0);
    assert_eq!(s.limits[1].resets_at, Some(1_711_000_000_000.0));
    assert_eq!(
        s.credits,
        Some(json!({"hasCredits": true, "unlimited": false, "balance": "12.5"}))
    );
    assert_eq!(
        usage_url("https://chatgpt.com/backend-api"),
        "https://chatgpt.com/backend-api/wham/usage"
    );
    assert_eq!(
        usage_url("https://api.openai.com"),
        "https://api.openai.com/api/codex/usage"
    );
    assert!(parse_usage_payload(&json!({"rate_limit": {}})).is_none());
    let fallback =
        parse_usage_payload(&json!({"limits": [{"name": "Tokens", "remaining": 1, "limit": 4}]}))
            .expect("fallback limits");
    assert_eq!(
        (
            fallback.limits[0].name.as_str(),
            fallback.limits[0].left_pct
        ),
        ("tokens", 25.0)
    );
    let v = snapshot_value(5.0, &s);
    assert_eq!(
        v,
        json!({"updatedAt": 5, "modelFamily": "codex", "limits": [
            {"name": "requests", "leftPct": 75, "resetsAt": 1_710_000_000_000_i64},
            {"name": "tokens", "leftPct": 30, "resetsAt": 1_711_000_000_000_i64}],
            "credits": {"hasCredits": true, "unlimited": false, "balance": "12.5"}})
    );
    // And back: what a reader of the file (accounts list) gets.
    assert_eq!(limits_of_snapshot(&v), s.limits);
    let (five, weekly) = pick_windows(&s.limits);
    assert_eq!(five.map(|l| l.left_pct), Some(75.0));
    assert_eq!(weekly.map(|l| l.left_pct), Some(30.0));
    assert!(limits_of_snapshot(&json!({"limits": [{"leftPct": 3}, "x"]})).is_empty());
    let q = QuotaView::of_snapshot(&v).expect("view");
    assert_eq!(
        q.to_json(),
        json!({"updatedAt": 5, "fiveHour": {"leftPct": 75, "resetsAt": 1_710_000_000_000_i64},
               "weekly": {"leftPct": 30, "resetsAt": 1_711_000_000_000_i64}})
    );
    assert!(QuotaView::of_snapshot(&json!({"limits": []})).is_none());
    assert!(limits_of_snapshot(&json!("not an entry")).is_empty());
}

fn limit(name: &str, left: f64, reset: Option<f64>) -> Limit {
    Limit {
        name: name.into(),
        left_pct: left,
        resets_at: reset,
    }
}

#[test]
fn case_75_thresholds() {
    let now = 1_000.0;
    let mut st = QuotaAlerts::default();
    let e = st.evaluate(&[limit("requests", 24.0, None)], now);
    assert_eq!(e.warnings.len(), 1);
    assert_eq!(e.warnings[0].threshold, 25.0);
    assert_eq!(e.warnings[0].reason, "quota_5h_remaining_below_25pct");
    assert_eq!(
        e.warnings[0].message,
        "Heads up, you have less than 25% of your 5h quota left."
    );
    let e = st.evaluate(&[limit("requests", 18.0, None)], now);
    assert_eq!(e.warnings[0].threshold, 20.0);
    let e = st.evaluate(&[limit("requests", 0.0, Some(50_000.0))], now);
    assert_eq!(e.warnings[0].threshold, 0.0);
    let ex = e.exhausted.expect("exhausted");
    assert_eq!(ex.windows, vec![Window::FiveHour]);
    assert_eq!(Window::FiveHour.as_str(), "five_hour");
    assert_eq!(ex.reason, "quota_limit_exhausted_5h");
    assert_eq!(ex.cooldown_until, 50_000.0);

    let mut wk = QuotaAlerts::default();
    let lim = [limit("requests", 80.0, None), limit("tokens", 4.0, None)];
    let e = wk.evaluate(&lim, now);
    assert_eq!(e.warnings.len(), 1);
    assert_eq!(
        (e.warnings[0].window, e.warnings[0].threshold),
        (Window::Weekly, 5.0)
    );
    assert!(wk.evaluate(&lim, now).warnings.is_empty());
    let e = wk.evaluate(
        &[limit("requests", 80.0, None), limit("tokens", 0.0, None)],
        now,
    );
    let ex = e.exhausted.expect("weekly exhausted");
    assert_eq!(ex.reason, "quota_limit_exhausted_weekly");
    assert_eq!(ex.cooldown_until, now + 300_000.0);
    let e = QuotaAlerts::default().evaluate(&[limit("requests", 2.0, None)], now);
    assert_eq!(e.warnings[0].reason, "quota_5h_remaining_below_2_5pct");
}
