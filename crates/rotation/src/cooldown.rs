//! How long a rate-limited account rests, and what kind of error a response carries.
//!
//! The plugin cools an account for `Retry-After` or 5 s (reference 7.4). Here the response
//! is read more closely, so an account whose 5-hour or weekly window is exhausted rests until
//! that window resets instead of being retried every 5 s: a `usage_limit_reached` body's
//! `resets_at` / `resets_in_seconds`, exhausted windows in the rate-limit headers and
//! `Retry-After` are explicit signals (the latest one wins); without any, the earliest
//! future `x-ratelimit-reset*` value, then a "try again in 1.5s" hint in the message, then
//! 5 s. [`classify_error`] sorts error codes found in a body or in a stream's opening events
//! into rate limits, auth failures, transient server trouble and everything else.

use serde_json::Value;

use crate::ratelimit::{exhausted_until, parse_rate_limit_headers, reset_headers, HeaderLookup};
use crate::retry::parse_retry_after_ms;

/// The plugin's fallback cooldown after a 429.
pub const DEFAULT_RATE_LIMIT_MS: f64 = 5_000.0;

/// Upper bound of any computed cooldown (8 days: a weekly window plus slack).
pub const MAX_COOLDOWN_MS: f64 = 8.0 * 24.0 * 3_600_000.0;

/// Cooldown after a transient refresh failure or a missing refresh token.
pub const REFRESH_FAILURE_COOLDOWN_MS: f64 = 30_000.0;

/// An error object found in a JSON body or SSE event.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ErrorInfo {
    /// `code`, else `type`.
    pub code: Option<String>,
    /// `message`.
    pub message: Option<String>,
    /// `resets_at` (epoch ms).
    pub resets_at_ms: Option<f64>,
    /// `resets_in_seconds` × 1000.
    pub resets_in_ms: Option<f64>,
}

fn text(v: Option<&Value>) -> Option<String> {
    v.and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

fn num(v: Option<&Value>) -> Option<f64> {
    match v? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
    .filter(|n: &f64| n.is_finite())
}

fn info_from(obj: &Value) -> ErrorInfo {
    ErrorInfo {
        code: text(obj.get("code")).or_else(|| text(obj.get("type"))),
        message: text(obj.get("message")),
        resets_at_ms: num(obj.get("resets_at")).filter(|n| *n > 0.0).map(|n| {
            if n >= 1e12 {
                n
            } else {
                n * 1000.0
            }
        }),
        resets_in_ms: num(obj.get("resets_in_seconds"))
            .filter(|n| *n >= 0.0)
            .map(|n| n * 1000.0),
    }
}

/// The error object of a body or event: `error`, `response.error`, or a `type: "error"`
/// event itself.
pub fn error_info(v: &Value) -> Option<ErrorInfo> {
    if let Some(e) = v.get("error").filter(|e| e.is_object()) {
        return Some(info_from(e));
    }
    if let Some(e) = v
        .get("response")
        .and_then(|r| r.get("error"))
        .filter(|e| e.is_object())
    {
        return Some(info_from(e));
    }
    if v.get("type").and_then(Value::as_str) == Some("error") {
        let mut info = info_from(v);
        if info.code.as_deref() == Some("error") {
            info.code = None;
        }
        return Some(info);
    }
    None
}

/// What an error means for the account that got it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorClass {
    /// The account's quota or rate limit: cool it and use another.
    RateLimited,
    /// The account's token was rejected: refresh once, then use another.
    Auth,
    /// The server is struggling: try another account, no cooldown.
    Transient,
    /// Not about the account (bad request, context length, …): pass it on.
    Other,
}

impl ErrorClass {
    /// `rate_limited`, `auth`, `transient`, `other`.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorClass::RateLimited => "rate_limited",
            ErrorClass::Auth => "auth",
            ErrorClass::Transient => "transient",
            ErrorClass::Other => "other",
        }
    }
}

/// Sorts an error code (and, failing that, its message).
pub fn classify_error(code: Option<&str>, message: Option<&str>) -> ErrorClass {
    let code = code.unwrap_or("").trim().to_ascii_lowercase();
    match code.as_str() {
        "usage_limit_reached"
        | "usage_limit_exceeded"
        | "rate_limit_exceeded"
        | "rate_limit_error"
        | "rate_limited"
        | "too_many_requests"
        | "insufficient_quota" => return ErrorClass::RateLimited,
        "token_invalidated"
        | "token_expired"
        | "token_revoked"
        | "refresh_token_reused"
        | "refresh_token_invalidated"
        | "refresh_token_expired"
        | "invalid_token"
        | "invalid_api_key"
        | "unauthorized"
        | "authentication_error" => return ErrorClass::Auth,
        "server_is_overloaded"
        | "overloaded"
        | "overloaded_error"
        | "slow_down"
        | "server_error"
        | "internal_error"
        | "internal_server_error"
        | "service_unavailable"
        | "bad_gateway"
        | "gateway_timeout"
        | "timeout" => return ErrorClass::Transient,
        _ => {}
    }
    let m = message.unwrap_or("").to_ascii_lowercase();
    if m.contains("usage limit") || m.contains("rate limit") {
        ErrorClass::RateLimited
    } else if m.contains("overloaded") {
        ErrorClass::Transient
    } else {
        ErrorClass::Other
    }
}

/// `try again in 1.5s` / `in 250ms` / `in 2m3s` in a message → milliseconds.
pub fn try_again_hint_ms(message: &str) -> Option<f64> {
    let lower = message.to_ascii_lowercase();
    let start = lower.find("try again in ")? + "try again in ".len();
    let rest = &lower[start..];
    let mut total = 0.0;
    let mut num = String::new();
    let mut any = false;
    let mut chars = rest.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_ascii_digit() || c == '.' {
            num.push(c);
            continue;
        }
        let n: f64 = match num.parse() {
            Ok(n) => n,
            Err(_) => break,
        };
        num.clear();
        let unit_ms = match c {
            'm' if chars.peek() == Some(&'s') => {
                chars.next();
                1.0
            }
            'h' => 3_600_000.0,
            'm' => 60_000.0,
            's' => 1_000.0,
            _ => break,
        };
        total += n * unit_ms;
        any = true;
    }
    any.then_some(total)
}

/// Where a cooldown came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CooldownSource {
    /// The explicit signals (usage-limit body, exhausted window, `Retry-After`).
    Explicit,
    /// A rate-limit reset header.
    ResetHeader,
    /// "try again in …" in the message.
    MessageHint,
    /// The plugin's 5 s.
    Default,
}

/// A computed cooldown.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RateLimitCooldown {
    /// Cool until (epoch ms).
    pub until: f64,
    /// Which signal decided it.
    pub source: CooldownSource,
}

/// The cooldown of an account that was rate limited, from the response's headers and the
/// error object of its body (or of the stream event that carried it).
pub fn rate_limit_cooldown<H: HeaderLookup + ?Sized>(
    headers: &H,
    error: Option<&ErrorInfo>,
    now_ms: f64,
) -> RateLimitCooldown {
    let mut explicit: Vec<f64> = Vec::new();
    if let Some(e) = error {
        explicit.extend(e.resets_at_ms.filter(|r| *r > now_ms));
        explicit.extend(e.resets_in_ms.map(|ms| now_ms + ms));
    }
    explicit.extend(exhausted_until(
        &parse_rate_limit_headers(headers, now_ms),
        now_ms,
    ));
    explicit
        .extend(parse_retry_after_ms(headers.header("retry-after"), now_ms).map(|ms| now_ms + ms));
    let cap = now_ms + MAX_COOLDOWN_MS;
    if let Some(until) = explicit.into_iter().reduce(f64::max) {
        return RateLimitCooldown {
            until: until.min(cap),
            source: CooldownSource::Explicit,
        };
    }
    if let Some(until) = reset_headers(headers, now_ms)
        .into_iter()
        .filter(|r| *r > now_ms)
        .reduce(f64::min)
    {
        return RateLimitCooldown {
            until: until.min(cap),
            source: CooldownSource::ResetHeader,
        };
    }
    if let Some(ms) = error
        .and_then(|e| e.message.as_deref())
        .and_then(try_again_hint_ms)
    {
        return RateLimitCooldown {
            until: (now_ms + ms).min(cap),
            source: CooldownSource::MessageHint,
        };
    }
    RateLimitCooldown {
        until: now_ms + DEFAULT_RATE_LIMIT_MS,
        source: CooldownSource::Default,
    }
}
