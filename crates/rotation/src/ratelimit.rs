//! Rate-limit headers, usage payloads and quota thresholds (reference 7.6, 7.7, 7.8).
//!
//! [`parse_rate_limit_headers`] reads the generic `x-ratelimit-*` / `ratelimit-*` families the
//! plugin reads, and the Codex backend's own `x-codex-primary-*` / `x-codex-secondary-*`
//! windows (the 5-hour and weekly windows, named `requests` and `tokens` in snapshots as the
//! plugin's usage mapping does). [`parse_usage_payload`] reads a `wham/usage` body.
//! [`snapshot_value`] builds the `codex-snapshots.json` entry. [`QuotaAlerts`] tracks the
//! threshold crossings that warn and, at 0 %, cool an account down.

use serde_json::{Map, Value};

/// Case-insensitive header access by lowercase name.
pub trait HeaderLookup {
    /// The first value of the header `name` (lowercase), as text.
    fn header(&self, name: &str) -> Option<&str>;
}

impl HeaderLookup for [(&str, &str)] {
    fn header(&self, name: &str) -> Option<&str> {
        self.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| *v)
    }
}

impl<const N: usize> HeaderLookup for [(&str, &str); N] {
    fn header(&self, name: &str) -> Option<&str> {
        self.as_slice().header(name)
    }
}

impl HeaderLookup for Vec<(String, String)> {
    fn header(&self, name: &str) -> Option<&str> {
        self.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// One limit of a snapshot.
#[derive(Debug, Clone, PartialEq)]
pub struct Limit {
    /// `requests` (the 5-hour window) or `tokens` (the weekly window), or a payload's name.
    pub name: String,
    /// Percent left, 0..=100, whole.
    pub left_pct: f64,
    /// When the window resets (epoch ms).
    pub resets_at: Option<f64>,
}

/// A usage snapshot: limits and, from usage payloads, credits.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct UsageSnapshot {
    /// The limits.
    pub limits: Vec<Limit>,
    /// `{hasCredits, unlimited, balance}` as found.
    pub credits: Option<Value>,
}

fn first<'a, H: HeaderLookup + ?Sized>(h: &'a H, names: &[&str]) -> Option<&'a str> {
    names.iter().find_map(|n| h.header(n))
}

/// The plugin's `num`: JavaScript `Number(text)`, finite only (so a blank value is `0`, as in
/// the plugin).
fn js_number(s: &str) -> Option<f64> {
    codex_js::number(s).filter(|n| n.is_finite())
}

/// A reset header value → epoch ms (reference 7.6).
///
/// Whole number ≥ 1e12 → absolute ms; ≤ 86 400 → now + seconds; other whole numbers →
/// epoch seconds; `<n>s` → now + n s; `<n>ms` → now + n ms; anything else → none.
pub fn parse_reset(value: &str, now_ms: f64) -> Option<f64> {
    let v = value.trim();
    if !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) {
        let n: f64 = v.parse().ok()?;
        return Some(if n >= 1e12 {
            n
        } else if n <= 86_400.0 {
            now_ms + n * 1000.0
        } else {
            n * 1000.0
        });
    }
    let decimal = |s: &str| {
        (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit() || b == b'.'))
            .then(|| s.parse::<f64>().ok())
            .flatten()
    };
    if let Some(ms) = v.strip_suffix("ms").and_then(decimal) {
        return Some(now_ms + ms.round());
    }
    if let Some(s) = v.strip_suffix('s').and_then(decimal) {
        return Some(now_ms + (s * 1000.0).round());
    }
    None
}

fn generic_limit<H: HeaderLookup + ?Sized>(
    h: &H,
    name: &str,
    remaining: &[&str],
    limit: &[&str],
    reset: &[&str],
    now_ms: f64,
) -> Option<Limit> {
    let rem = first(h, remaining).and_then(js_number)?;
    let lim = first(h, limit).and_then(js_number).filter(|l| *l > 0.0)?;
    Some(Limit {
        name: name.to_string(),
        left_pct: (rem / lim * 100.0).round().clamp(0.0, 100.0),
        resets_at: first(h, reset).and_then(|r| parse_reset(r, now_ms)),
    })
}

/// Epoch seconds (or ms when ≥ 1e12) → ms.
fn epoch_to_ms(n: f64) -> f64 {
    if n >= 1e12 {
        n
    } else {
        n * 1000.0
    }
}

/// A Codex window's headers: `x-codex-<which>-used-percent`, `-reset-at`,
/// `-reset-after-seconds`, and the limit's name.
struct CodexWindow {
    name: &'static str,
    used_percent: &'static str,
    reset_at: &'static str,
    reset_after_seconds: &'static str,
}

/// The 5-hour (`primary`, named `requests`) and weekly (`secondary`, `tokens`) windows.
const CODEX_WINDOWS: [CodexWindow; 2] = [
    CodexWindow {
        name: "requests",
        used_percent: "x-codex-primary-used-percent",
        reset_at: "x-codex-primary-reset-at",
        reset_after_seconds: "x-codex-primary-reset-after-seconds",
    },
    CodexWindow {
        name: "tokens",
        used_percent: "x-codex-secondary-used-percent",
        reset_at: "x-codex-secondary-reset-at",
        reset_after_seconds: "x-codex-secondary-reset-after-seconds",
    },
];

fn codex_window<H: HeaderLookup + ?Sized>(h: &H, w: &CodexWindow, now_ms: f64) -> Option<Limit> {
    let name = w.name;
    let used = h.header(w.used_percent).and_then(js_number)?;
    let resets_at = h
        .header(w.reset_at)
        .and_then(js_number)
        .filter(|n| *n > 0.0)
        .map(epoch_to_ms)
        .or_else(|| {
            h.header(w.reset_after_seconds)
                .and_then(js_number)
                .filter(|n| *n >= 0.0)
                .map(|s| now_ms + s * 1000.0)
        });
    Some(Limit {
        name: name.to_string(),
        left_pct: (100.0 - used).round().clamp(0.0, 100.0),
        resets_at,
    })
}

/// The limits in a response's headers: the plugin's families (reference 7.6), then the
/// Codex windows, which replace a generic limit of the same name.
pub fn parse_rate_limit_headers<H: HeaderLookup + ?Sized>(h: &H, now_ms: f64) -> Vec<Limit> {
    let mut out = Vec::new();
    out.extend(generic_limit(
        h,
        "requests",
        &[
            "x-ratelimit-remaining-requests",
            "x-ratelimit-requests-remaining",
            "x-ratelimit-remaining",
            "ratelimit-remaining",
        ],
        &[
            "x-ratelimit-limit-requests",
            "x-ratelimit-requests-limit",
            "x-ratelimit-limit",
            "ratelimit-limit",
        ],
        &[
            "x-ratelimit-reset-requests",
            "x-ratelimit-requests-reset",
            "x-ratelimit-reset",
            "ratelimit-reset",
        ],
        now_ms,
    ));
    out.extend(generic_limit(
        h,
        "tokens",
        &[
            "x-ratelimit-remaining-tokens",
            "x-ratelimit-tokens-remaining",
            "ratelimit-remaining-tokens",
        ],
        &[
            "x-ratelimit-limit-tokens",
            "x-ratelimit-tokens-limit",
            "ratelimit-limit-tokens",
        ],
        &[
            "x-ratelimit-reset-tokens",
            "x-ratelimit-tokens-reset",
            "ratelimit-reset-tokens",
        ],
        now_ms,
    ));
    for w in &CODEX_WINDOWS {
        if let Some(l) = codex_window(h, w, now_ms) {
            match out.iter_mut().find(|e| e.name == w.name) {
                Some(slot) => *slot = l,
                None => out.push(l),
            }
        }
    }
    out
}

/// Reset headers present without a usable remaining/limit pair (`x-ratelimit-reset*`),
/// as epoch ms. Used for cooldowns when a 429 names its reset.
pub fn reset_headers<H: HeaderLookup + ?Sized>(h: &H, now_ms: f64) -> Vec<f64> {
    [
        "x-ratelimit-reset-requests",
        "x-ratelimit-requests-reset",
        "x-ratelimit-reset",
        "ratelimit-reset",
        "x-ratelimit-reset-tokens",
        "x-ratelimit-tokens-reset",
        "ratelimit-reset-tokens",
    ]
    .iter()
    .filter_map(|n| h.header(n))
    .filter_map(|v| parse_reset(v, now_ms))
    .collect()
}

/// The latest future reset among windows with nothing left.
pub fn exhausted_until(limits: &[Limit], now_ms: f64) -> Option<f64> {
    limits
        .iter()
        .filter(|l| l.left_pct <= 0.0)
        .filter_map(|l| l.resets_at)
        .filter(|r| *r > now_ms)
        .fold(None, |acc: Option<f64>, r| {
            Some(acc.map_or(r, |a| a.max(r)))
        })
}

fn number_field(v: &Value, keys: &[&str]) -> Option<f64> {
    keys.iter()
        .find_map(|k| v.get(*k))
        .and_then(|x| match x {
            Value::Number(n) => n.as_f64(),
            Value::String(s) => js_number(s),
            _ => None,
        })
        .filter(|n| n.is_finite())
}

fn usage_window(w: &Value, name: &str) -> Option<Limit> {
    let used = number_field(w, &["used_percent"])?;
    let left = (100.0 - used).round();
    if !(0.0..=100.0).contains(&left) {
        return None;
    }
    let resets_at = number_field(w, &["reset_at", "resets_at"])
        .filter(|r| *r > 0.0)
        .map(|r| if r < 2e9 { r * 1000.0 } else { r });
    Some(Limit {
        name: name.to_string(),
        left_pct: left,
        resets_at,
    })
}

fn fallback_limit(v: &Value) -> Option<Limit> {
    let name = v
        .get("name")
        .and_then(Value::as_str)
        .map(str::to_lowercase)
        .unwrap_or_else(|| "requests".to_string());
    let left = number_field(v, &["leftPct", "left_pct"])
        .or_else(|| number_field(v, &["used_percent"]).map(|u| 100.0 - u))
        .or_else(|| {
            let rem = number_field(v, &["remaining"])?;
            let lim = number_field(v, &["limit"]).filter(|l| *l > 0.0)?;
            Some(rem / lim * 100.0)
        })?
        .round();
    if !(0.0..=100.0).contains(&left) {
        return None;
    }
    let resets_at = number_field(v, &["resetsAt", "reset_at", "resets_at"])
        .filter(|r| *r > 0.0)
        .map(|r| if r < 2e9 { r * 1000.0 } else { r });
    Some(Limit {
        name,
        left_pct: left,
        resets_at,
    })
}

/// A usage payload (`GET …/wham/usage`, reference 7.7) → snapshot; `None` without limits.
pub fn parse_usage_payload(body: &Value) -> Option<UsageSnapshot> {
    let rl = body.get("rate_limit");
    let primary = rl
        .and_then(|r| r.get("primary_window"))
        .or_else(|| body.get("primary"));
    let secondary = rl
        .and_then(|r| r.get("secondary_window"))
        .or_else(|| body.get("secondary"));
    let mut limits: Vec<Limit> = primary
        .and_then(|w| usage_window(w, "requests"))
        .into_iter()
        .chain(secondary.and_then(|w| usage_window(w, "tokens")))
        .collect();
    if limits.is_empty() {
        if let Some(Value::Array(items)) = body.get("limits") {
            limits = items.iter().filter_map(fallback_limit).collect();
        }
    }
    if limits.is_empty() {
        return None;
    }
    let credits = body.get("credits").and_then(Value::as_object).map(|c| {
        let mut m = Map::new();
        if let Some(v) = c.get("has_credits") {
            m.insert("hasCredits".into(), v.clone());
        }
        if let Some(v) = c.get("unlimited") {
            m.insert("unlimited".into(), v.clone());
        }
        if let Some(v) = c.get("balance") {
            m.insert("balance".into(), v.clone());
        }
        Value::Object(m)
    });
    Some(UsageSnapshot { limits, credits })
}

/// The usage URL for a backend base: `<base>/wham/usage` when the base contains
/// `/backend-api`, else `<base>/api/codex/usage`.
pub fn usage_url(base: &str) -> String {
    let b = base.trim_end_matches('/');
    if b.contains("/backend-api") {
        format!("{b}/wham/usage")
    } else {
        format!("{b}/api/codex/usage")
    }
}

fn json_number(n: f64) -> Value {
    if n.fract() == 0.0 && n.abs() < 9e15 {
        Value::from(n as i64)
    } else {
        serde_json::Number::from_f64(n).map_or(Value::Null, Value::Number)
    }
}

/// The `codex-snapshots.json` entry (reference 7.8).
pub fn snapshot_value(updated_at_ms: f64, snapshot: &UsageSnapshot) -> Value {
    let limits = snapshot
        .limits
        .iter()
        .map(|l| {
            let mut m = Map::new();
            m.insert("name".into(), Value::String(l.name.clone()));
            m.insert("leftPct".into(), json_number(l.left_pct));
            if let Some(r) = l.resets_at {
                m.insert("resetsAt".into(), json_number(r.round()));
            }
            Value::Object(m)
        })
        .collect();
    let mut m = Map::new();
    m.insert("updatedAt".into(), json_number(updated_at_ms.round()));
    m.insert("modelFamily".into(), Value::String("codex".into()));
    m.insert("limits".into(), Value::Array(limits));
    if let Some(c) = &snapshot.credits {
        m.insert("credits".into(), c.clone());
    }
    Value::Object(m)
}

/// The limits of a stored `codex-snapshots.json` entry (reference 7.8); entries without a
/// name or a numeric `leftPct` are skipped.
pub fn limits_of_snapshot(entry: &Value) -> Vec<Limit> {
    entry
        .get("limits")
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(|l| {
                    Some(Limit {
                        name: l.get("name")?.as_str()?.to_string(),
                        left_pct: l.get("leftPct")?.as_f64()?,
                        resets_at: l.get("resetsAt").and_then(Value::as_f64),
                    })
                })
                .collect()
        })
        .unwrap_or_default()
}

/// An account's last known quota: the 5-hour and weekly windows of its stored snapshot.
#[derive(Debug, Clone, PartialEq)]
pub struct QuotaView {
    /// When the snapshot was taken (epoch ms).
    pub updated_at: Option<f64>,
    /// The 5-hour window.
    pub five_hour: Option<Limit>,
    /// The weekly window.
    pub weekly: Option<Limit>,
}

impl QuotaView {
    /// The view of a `codex-snapshots.json` entry; `None` when it has neither window.
    pub fn of_snapshot(entry: &Value) -> Option<QuotaView> {
        let limits = limits_of_snapshot(entry);
        let (five, weekly) = pick_windows(&limits);
        (five.is_some() || weekly.is_some()).then(|| QuotaView {
            updated_at: entry.get("updatedAt").and_then(Value::as_f64),
            five_hour: five.cloned(),
            weekly: weekly.cloned(),
        })
    }

    /// `{"updatedAt", "fiveHour": {"leftPct", "resetsAt"} | null, "weekly": … | null}`.
    pub fn to_json(&self) -> Value {
        let window = |l: &Option<Limit>| {
            l.as_ref().map_or(Value::Null, |l| {
                let mut m = Map::new();
                m.insert("leftPct".into(), json_number(l.left_pct));
                m.insert(
                    "resetsAt".into(),
                    l.resets_at.map_or(Value::Null, |r| json_number(r.round())),
                );
                Value::Object(m)
            })
        };
        let mut m = Map::new();
        m.insert(
            "updatedAt".into(),
            self.updated_at
                .map_or(Value::Null, |u| json_number(u.round())),
        );
        m.insert("fiveHour".into(), window(&self.five_hour));
        m.insert("weekly".into(), window(&self.weekly));
        Value::Object(m)
    }
}

/// The warning thresholds, in percent left.
pub const THRESHOLDS: [f64; 6] = [25.0, 20.0, 10.0, 5.0, 2.5, 0.0];

/// Cooldown when a window is exhausted and no reset is known.
pub const EXHAUSTED_DEFAULT_MS: f64 = 300_000.0;

/// A quota window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Window {
    /// The 5-hour window.
    FiveHour,
    /// The weekly window.
    Weekly,
}

impl Window {
    /// `five_hour` / `weekly`.
    pub fn as_str(self) -> &'static str {
        match self {
            Window::FiveHour => "five_hour",
            Window::Weekly => "weekly",
        }
    }

    fn short(self) -> &'static str {
        match self {
            Window::FiveHour => "5h",
            Window::Weekly => "weekly",
        }
    }
}

/// A threshold warning.
#[derive(Debug, Clone, PartialEq)]
pub struct QuotaWarning {
    /// Which window.
    pub window: Window,
    /// The threshold crossed (percent left).
    pub threshold: f64,
    /// `quota_5h_remaining_below_<pct>pct` / `quota_weekly_remaining_below_<pct>pct`.
    pub reason: String,
    /// `Heads up, you have less than <t>% of your 5h|weekly quota left.`
    pub message: String,
}

/// An exhaustion crossing: the account should rest until `cooldown_until`.
#[derive(Debug, Clone, PartialEq)]
pub struct Exhaustion {
    /// Windows that reached 0 %.
    pub windows: Vec<Window>,
    /// Latest future reset of those windows, else now + 5 min.
    pub cooldown_until: f64,
    /// `quota_limit_exhausted_5h` / `quota_limit_exhausted_weekly` (first window).
    pub reason: String,
}

/// What one snapshot changed.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct QuotaEvaluation {
    /// New warnings.
    pub warnings: Vec<QuotaWarning>,
    /// A new exhaustion.
    pub exhausted: Option<Exhaustion>,
}

/// Per-identity threshold state.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct QuotaAlerts {
    five_hour: Option<f64>,
    weekly: Option<f64>,
}

fn pct_code(t: f64) -> String {
    let s = if t.fract() == 0.0 {
        format!("{}", t as i64)
    } else {
        format!("{t}")
    };
    s.replace('.', "_")
}

fn level(left: f64) -> Option<f64> {
    THRESHOLDS
        .iter()
        .copied()
        .filter(|&t| if t == 0.0 { left <= 0.0 } else { left < t })
        .fold(None, |acc: Option<f64>, t| {
            Some(acc.map_or(t, |a| a.min(t)))
        })
}

/// The 5-hour and weekly windows of a snapshot's limits: the 5-hour one is named `5h`,
/// `primary` or `requests` (else the first), the weekly one `weekly`, `secondary` or
/// `tokens` (else another one), as the plugin's threshold alerts pick them.
pub fn pick_windows(limits: &[Limit]) -> (Option<&Limit>, Option<&Limit>) {
    let five = limits
        .iter()
        .position(|l| matches!(l.name.as_str(), "5h" | "primary" | "requests"))
        .or(if limits.is_empty() { None } else { Some(0) });
    let weekly = limits
        .iter()
        .enumerate()
        .position(|(i, l)| {
            Some(i) != five && matches!(l.name.as_str(), "weekly" | "secondary" | "tokens")
        })
        .or_else(|| (0..limits.len()).find(|i| Some(*i) != five));
    (
        five.and_then(|i| limits.get(i)),
        weekly.and_then(|i| limits.get(i)),
    )
}

impl QuotaAlerts {
    /// Feeds a snapshot; returns the warnings and exhaustion it crosses into.
    pub fn evaluate(&mut self, limits: &[Limit], now_ms: f64) -> QuotaEvaluation {
        let (five, weekly) = pick_windows(limits);
        let mut out = QuotaEvaluation::default();
        let mut exhausted = Vec::new();
        let mut resets = Vec::new();
        for (window, limit, slot) in [
            (Window::FiveHour, five, &mut self.five_hour),
            (Window::Weekly, weekly, &mut self.weekly),
        ] {
            let Some(limit) = limit else { continue };
            let new = level(limit.left_pct);
            let deeper = match (new, *slot) {
                (Some(n), Some(old)) => n < old,
                (Some(_), None) => true,
                _ => false,
            };
            if deeper {
                if let Some(t) = new {
                    out.warnings.push(QuotaWarning {
                        window,
                        threshold: t,
                        reason: format!(
                            "quota_{}_remaining_below_{}pct",
                            window.short(),
                            pct_code(t)
                        ),
                        message: format!(
                            "Heads up, you have less than {t}% of your {} quota left.",
                            window.short()
                        ),
                    });
                    if t == 0.0 {
                        exhausted.push(window);
                        resets.extend(limit.resets_at.filter(|r| *r > now_ms));
                    }
                }
            }
            *slot = new;
        }
        if let Some(first) = exhausted.first() {
            let until = resets
                .iter()
                .copied()
                .fold(None, |acc: Option<f64>, r| {
                    Some(acc.map_or(r, |a| a.max(r)))
                })
                .unwrap_or(now_ms + EXHAUSTED_DEFAULT_MS);
            out.exhausted = Some(Exhaustion {
                reason: format!("quota_limit_exhausted_{}", first.short()),
                windows: exhausted,
                cooldown_until: until,
            });
        }
        out
    }
}
