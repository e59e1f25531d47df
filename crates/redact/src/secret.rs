//! `Secret<T>`: a value that never prints itself.
//!
//! Tokens (access, refresh, id) live in this type from the moment they are parsed. Its
//! `Debug` and `Display` implementations print `[redacted]`, so a stray `{:?}` in a log line,
//! a panic message or an error cannot leak the value. The only way out is [`Secret::expose`].

use std::fmt;

/// A secret value whose formatting is redacted by construction.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Secret<T>(T);

impl<T> Secret<T> {
    /// Wraps a secret value.
    pub fn new(value: T) -> Self {
        Secret(value)
    }

    /// Borrows the secret. Call sites are the only places a secret can leave this type.
    pub fn expose(&self) -> &T {
        &self.0
    }

    /// Unwraps the secret.
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> From<T> for Secret<T> {
    fn from(value: T) -> Self {
        Secret(value)
    }
}

impl<T> fmt::Debug for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(crate::REDACTED)
    }
}

impl<T> fmt::Display for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(crate::REDACTED)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_hide_the_value() {
        let s = Secret::new("rt_very_secret".to_string());
        assert_eq!(format!("{s:?}"), "[redacted]");
        assert_eq!(format!("{s}"), "[redacted]");
        assert_eq!(format!("{:?}", Some(s.clone())), "Some([redacted])");
        assert_eq!(s.expose(), "rt_very_secret");
    }

    #[test]
    fn nested_debug_stays_redacted() {
        #[derive(Debug)]
        #[allow(dead_code)]
        struct Account {
            refresh: Secret<String>,
        }
        let a = Account {
            refresh: Secret::new("rt_abc".into()),
        };
        let shown = format!("{a:?} {a:#?}");
        assert!(!shown.contains("rt_abc"), "{shown}");
    }
}
