//! Glob matching for `--only` / `--skip` patterns on check ids (`auth.*`, `*.lock`, `port.?455`).
//!
//! `*` matches any run of characters (dots included), `?` one character; everything else is
//! literal. A pattern without wildcards also matches as a prefix group (`auth` = `auth.*`).

/// Whether `id` matches `pattern`.
pub(crate) fn matches(pattern: &str, id: &str) -> bool {
    let pattern = pattern.trim();
    if !pattern.contains(['*', '?']) && !pattern.contains('.') {
        return id == pattern || id.starts_with(&format!("{pattern}."));
    }
    wildcard(pattern.as_bytes(), id.as_bytes())
}

fn wildcard(p: &[u8], s: &[u8]) -> bool {
    let (mut pi, mut si) = (0, 0);
    let (mut star, mut mark) = (None, 0);
    while si < s.len() {
        if pi < p.len() && (p[pi] == b'?' || p[pi] == s[si]) {
            pi += 1;
            si += 1;
        } else if pi < p.len() && p[pi] == b'*' {
            star = Some(pi);
            mark = si;
            pi += 1;
        } else if let Some(st) = star {
            pi = st + 1;
            mark += 1;
            si = mark;
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == b'*' {
        pi += 1;
    }
    pi == p.len()
}

#[cfg(test)]
mod tests {
    use super::matches;

    #[test]
    fn patterns() {
        assert!(matches("auth.*", "auth.store"));
        assert!(!matches("auth.*", "cache.files"));
        assert!(matches("*", "port.1455"));
        assert!(matches("auth", "auth.lock"));
        assert!(!matches("auth", "authx.lock"));
        assert!(matches("port.?455", "port.1455"));
        assert!(matches("*.lock", "auth.lock"));
        assert!(matches("auth.store", "auth.store"));
        assert!(!matches("auth.stor", "auth.store"));
    }
}
