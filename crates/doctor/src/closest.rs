//! "Did you mean" suggestions, ranked one way for `explain`'s closest codes, an
//! `--only`/`--skip` pattern that matches no check and an unknown model slug:
//! case-insensitive Levenshtein distance over characters, best first, ties by candidate.

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

/// How [`nearest`] ranks and cuts.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Rule {
    /// At most this many suggestions.
    pub take: usize,
    /// Keep only candidates within `max(3, query length / 2)` edits (else any distance).
    pub bounded: bool,
    /// A candidate containing the query, or contained in it, counts as distance 0.
    pub substring: bool,
}

/// The candidates closest to `query`, best first. Each candidate is `(name, value)`: the
/// distance is measured to `name`, and `value` is what is returned (and breaks ties).
pub(crate) fn nearest<K: AsRef<str>, V: Ord>(
    query: &str,
    candidates: impl IntoIterator<Item = (K, V)>,
    rule: Rule,
) -> Vec<V> {
    let q = query.trim().to_lowercase();
    let mut scored: Vec<(usize, V)> = candidates
        .into_iter()
        .map(|(name, v)| {
            let name = name.as_ref().to_lowercase();
            let d = if rule.substring && !q.is_empty() && (name.contains(&q) || q.contains(&name)) {
                0
            } else {
                distance(&q, &name)
            };
            (d, v)
        })
        .collect();
    scored.sort();
    let limit = (q.chars().count() / 2).max(3);
    scored
        .into_iter()
        .filter(|(d, _)| !rule.bounded || *d <= limit)
        .take(rule.take)
        .map(|(_, v)| v)
        .collect()
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

    #[test]
    fn nearest_ranks_bounds_and_takes() {
        let names = [
            "auth.store",
            "auth.lock",
            "cache.models",
            "plugin.registered",
        ];
        let rule = Rule {
            take: 2,
            bounded: true,
            substring: false,
        };
        let got = nearest("auth.stor", names.iter().map(|n| (*n, *n)), rule);
        assert_eq!(got, vec!["auth.store", "auth.lock"]);
        assert!(nearest("zzzzzzzzzzzzzzzzzzzz", names.iter().map(|n| (*n, *n)), rule).is_empty());
        let any = Rule {
            bounded: false,
            ..rule
        };
        assert_eq!(
            nearest("zzzzzzzzzzzzzzzzzzzz", names.iter().map(|n| (*n, *n)), any).len(),
            2
        );
        let sub = Rule {
            substring: true,
            ..rule
        };
        assert_eq!(
            nearest("MODELS", names.iter().map(|n| (*n, *n)), sub),
            vec!["cache.models"],
            "contained counts as exact; nothing else is within 3 edits"
        );
    }
}
