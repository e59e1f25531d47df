//! The authorize URL (reference 9.2): parameters in the plugin's order, values encoded like
//! JavaScript's `encodeURIComponent` (a space is `%20`, never `+`).

use codex_js::encode_uri_component;
use codex_redact::{Secret, REDACTED};
use codex_store::Domain;

use crate::oauth::{Issuer, CLIENT_ID, SCOPE};

/// The `originator` of a mode: `codex_cli_rs` in codex mode, `opencode` in native.
pub(crate) fn originator(mode: Domain) -> &'static str {
    match mode {
        Domain::Native => "opencode",
        Domain::Codex => "codex_cli_rs",
    }
}

fn build(
    issuer: &Issuer,
    redirect_uri: &str,
    challenge: &str,
    state: &str,
    mode: Domain,
) -> String {
    let params: [(&str, &str); 10] = [
        ("response_type", "code"),
        ("client_id", CLIENT_ID),
        ("redirect_uri", redirect_uri),
        ("scope", SCOPE),
        ("code_challenge", challenge),
        ("code_challenge_method", "S256"),
        ("id_token_add_organizations", "true"),
        ("codex_cli_simplified_flow", "true"),
        ("state", state),
        ("originator", originator(mode)),
    ];
    let query: Vec<String> = params
        .iter()
        .map(|(k, v)| match *k {
            "state" if state == REDACTED => format!("{k}={REDACTED}"),
            _ => format!("{k}={}", encode_uri_component(v)),
        })
        .collect();
    format!("{}?{}", issuer.join("oauth/authorize"), query.join("&"))
}

/// The URL the user opens.
pub(crate) fn authorize_url(
    issuer: &Issuer,
    redirect_uri: &str,
    challenge: &str,
    state: &Secret<String>,
    mode: Domain,
) -> Secret<String> {
    Secret::new(build(issuer, redirect_uri, challenge, state.expose(), mode))
}

/// The same URL with `state=[redacted]`, for anything that is logged.
pub(crate) fn redacted_url(
    issuer: &Issuer,
    redirect_uri: &str,
    challenge: &str,
    mode: Domain,
) -> String {
    build(issuer, redirect_uri, challenge, REDACTED, mode)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_parameters_in_order() {
        // Reference case 97.
        let url = authorize_url(
            &Issuer::openai(),
            "http://localhost:1455/auth/callback",
            "CHALLENGE",
            &Secret::new("STATE".into()),
            Domain::Native,
        );
        assert_eq!(
            url.expose(),
            "https://auth.openai.com/oauth/authorize?response_type=code\
             &client_id=app_EMoamEEZ73f0CkXaXp7hrann\
             &redirect_uri=http%3A%2F%2Flocalhost%3A1455%2Fauth%2Fcallback\
             &scope=openid%20profile%20email%20offline_access\
             &code_challenge=CHALLENGE&code_challenge_method=S256\
             &id_token_add_organizations=true&codex_cli_simplified_flow=true\
             &state=STATE&originator=opencode"
        );
        assert!(!url.expose().contains('+'));
        let codex = redacted_url(&Issuer::openai(), "http://x/cb", "C", Domain::Codex);
        assert!(
            codex.ends_with("&state=[redacted]&originator=codex_cli_rs"),
            "{codex}"
        );
    }
}
