//! How close two names are, for "did you mean" suggestions: `explain`'s closest codes, an
//! `--only`/`--skip` pattern that matches no check, an unknown model slug. Case-insensitive
//! Levenshtein distance over characters.

/// The edit distance between `a` and `b`, ignoring case.
pub(crate) fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.to_lowercase().chars().collect();
    let b: Vec<char> = b.to_lowercase().chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            cur.push((prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edits_are_counted_ignoring_case() {
        assert_eq!(distance("auth.store", "AUTH.STORE"), 0);
        assert_eq!(distance("auth.stor", "auth.store"), 1);
        assert_eq!(distance("gpt-5.4", "gpt-5.1"), 1);
        assert_eq!(distance("", "abc"), 3);
    }
}
