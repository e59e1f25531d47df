//! PKCE verifier and challenge, and the state (reference 9.2).
//!
//! verifier = base64url (no padding) of 64 random bytes (86 characters); challenge =
//! base64url SHA-256 of the verifier (43 characters); state = base64url of 32 random bytes.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use codex_redact::Secret;
use sha2::{Digest, Sha256};

use crate::LoginError;

/// A verifier and its S256 challenge.
#[derive(Debug, Clone)]
pub(crate) struct Pkce {
    /// Sent only to the token endpoint.
    pub verifier: Secret<String>,
    /// Sent in the authorize URL.
    pub challenge: String,
}

fn random(n: usize) -> Result<Vec<u8>, LoginError> {
    let mut buf = vec![0u8; n];
    getrandom::getrandom(&mut buf)
        .map_err(|e| LoginError::Listen(format!("no randomness for PKCE: {e}")))?;
    Ok(buf)
}

/// The S256 challenge of a verifier.
pub(crate) fn challenge_of(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

impl Pkce {
    /// A fresh pair.
    pub(crate) fn generate() -> Result<Pkce, LoginError> {
        let verifier = URL_SAFE_NO_PAD.encode(random(64)?);
        Ok(Pkce {
            challenge: challenge_of(&verifier),
            verifier: Secret::new(verifier),
        })
    }
}

/// A fresh state.
pub(crate) fn generate_state() -> Result<Secret<String>, LoginError> {
    Ok(Secret::new(URL_SAFE_NO_PAD.encode(random(32)?)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url_safe(s: &str) -> bool {
        s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    }

    #[test]
    fn lengths_and_charset() {
        // Reference case 98.
        let p = Pkce::generate().expect("pkce");
        assert_eq!(p.verifier.expose().len(), 86);
        assert_eq!(p.challenge.len(), 43);
        assert!(url_safe(p.verifier.expose()) && url_safe(&p.challenge));
        assert_eq!(challenge_of(p.verifier.expose()), p.challenge);
        let s = generate_state().expect("state");
        assert_eq!(s.expose().len(), 43);
        assert_ne!(s.expose(), generate_state().expect("state").expose());
    }

    #[test]
    fn rfc7636_example() {
        assert_eq!(
            challenge_of("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }
}
