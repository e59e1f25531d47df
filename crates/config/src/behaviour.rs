//! One behaviour object of `codex-config.jsonc` (`global`, `perModel.<m>`,
//! `perModel.<m>.variants.<v>`, `customModels.<s>` and its variants), normalized the way the
//! plugin normalizes it (reference 2.3): choices trimmed with JavaScript's `trim` and
//! lowercased, unknown values dropped, the deprecated aliases (`reasoningSummaries`,
//! `thinkingSummaries`, `verbosityEnabled`, `verbosity`, the `default` service tier) folded
//! into their current fields. [`crate::resolve`] reads `global` through it before applying the
//! environment; `codex-runtime serve` reads every scope through it.

use serde_json::Value;

/// `include` values the plugin accepts.
pub const INCLUDE_VALUES: [&str; 3] = [
    "reasoning.encrypted_content",
    "file_search_call.results",
    "message.output_text.logprobs",
];

pub(crate) const SUMMARY: &[&str] = &["auto", "concise", "detailed", "none"];
pub(crate) const TEXT_VERBOSITY: &[&str] = &["default", "low", "medium", "high", "none"];
pub(crate) const VERBOSITY: &[&str] = &["default", "low", "medium", "high"];
const REASONING_MODE: &[&str] = &["standard", "pro"];

/// Trimmed, lowercased value when it is one of `allowed`.
pub(crate) fn normalize_choice(raw: Option<&str>, allowed: &[&str]) -> Option<String> {
    let v = codex_js::trim_lower(raw?);
    allowed.contains(&v.as_str()).then_some(v)
}

/// `auto|priority|flex`, with the deprecated `default` meaning `auto`.
pub(crate) fn normalize_service_tier(raw: Option<&str>) -> Option<String> {
    match codex_js::trim_lower(raw?).as_str() {
        "default" | "auto" => Some("auto".to_string()),
        t @ ("priority" | "flex") => Some(t.to_string()),
        _ => None,
    }
}

/// The summary a boolean alias stands for.
pub(crate) fn summary_word(on: bool) -> String {
    if on { "auto" } else { "none" }.to_string()
}

/// A trimmed, non-empty string (JavaScript's `trim`).
fn trimmed(v: Option<&Value>) -> Option<String> {
    let s = codex_js::trim(v?.as_str()?);
    (!s.is_empty()).then(|| s.to_string())
}

/// One behaviour object, normalized.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Behaviour {
    /// `reasoningEffort` (trimmed, case kept).
    pub reasoning_effort: Option<String>,
    /// `reasoningMode`: `standard` or `pro`.
    pub reasoning_mode: Option<String>,
    /// `reasoningSummary`: `auto`, `concise`, `detailed` or `none` (else the boolean
    /// `reasoningSummaries`, else `thinkingSummaries`).
    pub reasoning_summary: Option<String>,
    /// `textVerbosity`: `default`, `low`, `medium`, `high` or `none` (else
    /// `verbosityEnabled: false` → `none`, else `verbosity`, else `verbosityEnabled: true` →
    /// `default`).
    pub text_verbosity: Option<String>,
    /// `serviceTier`: `auto`, `priority` or `flex` (`default` reads as `auto`).
    pub service_tier: Option<String>,
    /// `include` (known values, trimmed, lowercased, deduped); `None` when absent or empty.
    pub include: Option<Vec<String>>,
    /// `parallelToolCalls`.
    pub parallel_tool_calls: Option<bool>,
}

impl Behaviour {
    /// Normalizes a behaviour object; anything that is not an object is empty.
    pub fn parse(v: &Value) -> Behaviour {
        let Some(o) = v.as_object() else {
            return Behaviour::default();
        };
        let bool_at = |k: &str| o.get(k).and_then(Value::as_bool);
        let reasoning_summary =
            normalize_choice(o.get("reasoningSummary").and_then(Value::as_str), SUMMARY)
                .or_else(|| bool_at("reasoningSummaries").map(summary_word))
                .or_else(|| bool_at("thinkingSummaries").map(summary_word));
        let text_verbosity = normalize_choice(
            o.get("textVerbosity").and_then(Value::as_str),
            TEXT_VERBOSITY,
        )
        .or_else(|| {
            let legacy = normalize_choice(o.get("verbosity").and_then(Value::as_str), VERBOSITY);
            match (bool_at("verbosityEnabled"), legacy) {
                (Some(false), _) => Some("none".to_string()),
                (_, Some(v)) => Some(v),
                (Some(true), None) => Some("default".to_string()),
                (None, None) => None,
            }
        });
        let include = o
            .get("include")
            .and_then(Value::as_array)
            .and_then(|items| {
                let mut out: Vec<String> = Vec::new();
                for i in items
                    .iter()
                    .filter_map(Value::as_str)
                    .map(codex_js::trim_lower)
                {
                    if INCLUDE_VALUES.contains(&i.as_str()) && !out.contains(&i) {
                        out.push(i);
                    }
                }
                (!out.is_empty()).then_some(out)
            });
        Behaviour {
            reasoning_effort: trimmed(o.get("reasoningEffort")),
            reasoning_mode: normalize_choice(
                o.get("reasoningMode").and_then(Value::as_str),
                REASONING_MODE,
            ),
            reasoning_summary,
            text_verbosity,
            service_tier: normalize_service_tier(o.get("serviceTier").and_then(Value::as_str)),
            include,
            parallel_tool_calls: bool_at("parallelToolCalls"),
        }
    }

    /// Whether nothing is set.
    pub fn is_empty(&self) -> bool {
        *self == Behaviour::default()
    }

    /// Field by field: `self` where set, else `lower`.
    pub fn or(self, lower: &Behaviour) -> Behaviour {
        Behaviour {
            reasoning_effort: self
                .reasoning_effort
                .or_else(|| lower.reasoning_effort.clone()),
            reasoning_mode: self.reasoning_mode.or_else(|| lower.reasoning_mode.clone()),
            reasoning_summary: self
                .reasoning_summary
                .or_else(|| lower.reasoning_summary.clone()),
            text_verbosity: self.text_verbosity.or_else(|| lower.text_verbosity.clone()),
            service_tier: self.service_tier.or_else(|| lower.service_tier.clone()),
            include: self.include.or_else(|| lower.include.clone()),
            parallel_tool_calls: self.parallel_tool_calls.or(lower.parallel_tool_calls),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn choices_use_javascript_trim_and_drop_unknown_values() {
        // U+FEFF and U+00A0 are JavaScript whitespace; U+0085 is not (Rust's `trim` strips it).
        let b = Behaviour::parse(&json!({
            "reasoningEffort": "\u{feff} High\u{a0}",
            "reasoningSummary": "\u{feff}DETAILED ",
            "textVerbosity": "loud",
            "verbosity": " Low ",
            "serviceTier": "\u{85}priority",
            "reasoningMode": " Pro ",
            "include": [" Reasoning.Encrypted_Content ", "reasoning.encrypted_content", "x", 3],
            "parallelToolCalls": false,
        }));
        assert_eq!(b.reasoning_effort.as_deref(), Some("High"));
        assert_eq!(b.reasoning_summary.as_deref(), Some("detailed"));
        assert_eq!(b.text_verbosity.as_deref(), Some("low"));
        assert_eq!(b.service_tier, None, "U+0085 is not trimmed by JavaScript");
        assert_eq!(b.reasoning_mode.as_deref(), Some("pro"));
        assert_eq!(
            b.include,
            Some(vec!["reasoning.encrypted_content".to_string()])
        );
        assert_eq!(b.parallel_tool_calls, Some(false));
    }

    #[test]
    fn deprecated_aliases_fold_into_their_fields() {
        let b = Behaviour::parse(
            &json!({"thinkingSummaries": false, "verbosityEnabled": false, "verbosity": "high", "serviceTier": "default"}),
        );
        assert_eq!(b.reasoning_summary.as_deref(), Some("none"));
        assert_eq!(b.text_verbosity.as_deref(), Some("none"));
        assert_eq!(b.service_tier.as_deref(), Some("auto"));
        let b = Behaviour::parse(
            &json!({"reasoningSummaries": true, "thinkingSummaries": false, "verbosityEnabled": true}),
        );
        assert_eq!(b.reasoning_summary.as_deref(), Some("auto"));
        assert_eq!(b.text_verbosity.as_deref(), Some("default"));
        assert!(Behaviour::parse(&json!("global")).is_empty());
        assert!(Behaviour::parse(&json!({"reasoningEffort": "  ", "include": []})).is_empty());
    }

    #[test]
    fn or_fills_only_unset_fields() {
        let hi = Behaviour::parse(&json!({"reasoningEffort": "high"}));
        let lo = Behaviour::parse(&json!({"reasoningEffort": "low", "textVerbosity": "low"}));
        let b = hi.or(&lo);
        assert_eq!(b.reasoning_effort.as_deref(), Some("high"));
        assert_eq!(b.text_verbosity.as_deref(), Some("low"));
    }
}
