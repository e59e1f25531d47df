//! JWT claims, as the plugin reads them (reference 4.2).
//!
//! A token must have exactly three `.`-separated parts whose middle part base64url-decodes to
//! a JSON object; the signature is never verified. Only identity claims are extracted.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use codex_redact::MaskedDebug;
use serde_json::{Map, Value};

/// Identity claims found in a token. `Debug` masks them.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Claims {
    /// `chatgpt_account_id`, the auth namespace's `chatgpt_account_id`, or `organizations[0].id`.
    pub account_id: Option<String>,
    /// `email` or the profile namespace's `email` (case preserved).
    pub email: Option<String>,
    /// `plan` or the auth namespace's `chatgpt_plan_type`.
    pub plan: Option<String>,
}

impl std::fmt::Debug for Claims {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Claims")
            .field("account_id", &MaskedDebug::Id(self.account_id.as_deref()))
            .field("email", &MaskedDebug::Email(self.email.as_deref()))
            .field("plan", &self.plan)
            .finish()
    }
}

const AUTH_NS: &str = "https://api.openai.com/auth";
const PROFILE_NS: &str = "https://api.openai.com/profile";

/// Decodes the payload of a three-part token into a JSON object.
pub fn parse_jwt_payload(token: &str) -> Option<Map<String, Value>> {
    let parts: Vec<&str> = token.split('.').collect();
    if parts.len() != 3 {
        return None;
    }
    let payload = parts[1].trim_end_matches('=');
    let bytes = URL_SAFE_NO_PAD.decode(payload).ok()?;
    match serde_json::from_slice::<Value>(&bytes).ok()? {
        Value::Object(map) => Some(map),
        _ => None,
    }
}

fn truthy_string(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        _ => None,
    }
}

/// Extracts identity claims; `None` when the token is not a decodable JWT.
pub fn claims(token: &str) -> Option<Claims> {
    let p = parse_jwt_payload(token)?;
    let auth = p.get(AUTH_NS).and_then(Value::as_object);
    let profile = p.get(PROFILE_NS).and_then(Value::as_object);
    let org = p
        .get("organizations")
        .and_then(Value::as_array)
        .and_then(|a| a.first())
        .and_then(|o| o.get("id"));
    Some(Claims {
        account_id: truthy_string(p.get("chatgpt_account_id"))
            .or_else(|| truthy_string(auth.and_then(|a| a.get("chatgpt_account_id"))))
            .or_else(|| truthy_string(org)),
        email: truthy_string(p.get("email"))
            .or_else(|| truthy_string(profile.and_then(|a| a.get("email")))),
        plan: truthy_string(p.get("plan"))
            .or_else(|| truthy_string(auth.and_then(|a| a.get("chatgpt_plan_type")))),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use codex_testkit::jwt_raw;

    #[test]
    fn not_a_jwt() {
        assert_eq!(claims("not-a-jwt"), None);
        assert_eq!(claims(&jwt_raw("null")), None);
        assert_eq!(claims("a.b.c.d"), None);
    }

    #[test]
    fn namespaced_claims() {
        let t = jwt_raw(
            r#"{"https://api.openai.com/auth":{"chatgpt_account_id":"acc_1","chatgpt_plan_type":"pro"},"https://api.openai.com/profile":{"email":"User@Example.com"}}"#,
        );
        let c = claims(&t).expect("claims");
        assert_eq!(c.account_id.as_deref(), Some("acc_1"));
        assert_eq!(c.email.as_deref(), Some("User@Example.com"));
        assert_eq!(c.plan.as_deref(), Some("pro"));
    }

    #[test]
    fn top_level_wins_and_orgs_fall_back() {
        let t = jwt_raw(r#"{"email":"a@b.c","organizations":[{"id":"org_1"}],"exp":10}"#);
        let c = claims(&t).expect("claims");
        assert_eq!(c.account_id.as_deref(), Some("org_1"));
        assert_eq!(c.email.as_deref(), Some("a@b.c"));
    }
}
