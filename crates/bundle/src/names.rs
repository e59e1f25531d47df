//! Names in a bundle: entry names are generated (`logs/001.log`), and the manifest shows a
//! file's origin with every path component a bundle does not know replaced by a pseudonym.
//!
//! File and folder names are user data like any other (a log named after an email, a folder
//! named after an account id, a config path named after a person), so only the names OpenCode
//! and the plugin themselves use are shown as they are; any other component becomes
//! `name_<8 hex>` (per-bundle HMAC, as every pseudonym) keeping a plain extension.

use codex_scrub::{Kind, Pseudonymizer};

/// Extensions kept on a pseudonymized name.
const EXTENSIONS: &[&str] = &["log", "jsonl", "json", "jsonc", "txt", "gz", "md", "1", "2"];

/// Whether `name` is one OpenCode or the plugin writes (the list lives with the gate, which
/// keeps the same names in paths).
fn known(name: &str) -> bool {
    codex_scrub::names::is_known(name)
}

/// The extension kept for `name`: the last one or two plain extensions (`.log.gz`).
pub(crate) fn plain_extension(name: &str) -> &str {
    let mut start = name.len();
    for _ in 0..2 {
        match name[..start].rfind('.') {
            Some(i) if i > 0 && EXTENSIONS.contains(&&name[i + 1..start]) => start = i,
            _ => break,
        }
    }
    &name[start..]
}

/// One path component as the manifest shows it.
pub(crate) fn pseudonymize_name(name: &str, p: &Pseudonymizer) -> String {
    if known(name) {
        return name.to_string();
    }
    if let Some((run, rest)) = snapshot_parts(name) {
        return format!("{}{rest}", p.pseudonym(Kind::Name, run.as_bytes()));
    }
    let ext = plain_extension(name);
    let stem = &name[..name.len() - ext.len()];
    format!("{}{ext}", p.pseudonym(Kind::Name, stem.as_bytes()))
}

/// A request snapshot's name `<runId>-request-<n>-<stage>.json` as `(runId, the rest)`,
/// when the rest is exactly that shape (the stage in lowercase words).
fn snapshot_parts(name: &str) -> Option<(&str, &str)> {
    let stem = name.strip_suffix(".json")?;
    let at = ["-request-", "-response-"]
        .iter()
        .filter_map(|k| stem.rfind(k))
        .max()?;
    let rest = &stem[at + 1..];
    let mut parts = rest.splitn(3, '-');
    let _kind = parts.next()?;
    let n = parts.next()?;
    let stage = parts.next()?;
    let plain = !n.is_empty()
        && n.bytes().all(|b| b.is_ascii_digit())
        && !stage.is_empty()
        && stage.bytes().all(|b| b.is_ascii_lowercase() || b == b'-');
    plain.then(|| (&name[..at], &name[at..]))
}

/// A relative (or absolute) path with every unknown component pseudonymized.
pub(crate) fn pseudonymize_path(path: &str, p: &Pseudonymizer) -> String {
    path.split('/')
        .map(|c| {
            if c.is_empty() {
                String::new()
            } else {
                pseudonymize_name(c, p)
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// The entry name of the `n`th (1-based) generated file in `folder`: `logs/001.log`, with a
/// plain extension of the original (`.jsonl`, `.json`, `.txt`; gzip logs are stored
/// decompressed) and `.log` otherwise.
pub(crate) fn entry_name(folder: &str, n: usize, original: &str) -> String {
    let ext = plain_extension(original);
    let ext = ext.strip_suffix(".gz").unwrap_or(ext);
    let last = ext.rsplit('.').next().unwrap_or("");
    let ext = match last {
        "jsonl" | "json" | "jsonc" | "txt" | "md" => last,
        _ => "log",
    };
    format!("{folder}/{n:03}.{ext}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_names_become_pseudonyms_and_entries_are_numbered() {
        let p = Pseudonymizer::with_key(&[1; 32]);
        let shown = pseudonymize_path("logs/codex-plugin/alice.smith@example.com.log", &p);
        assert!(shown.starts_with("logs/codex-plugin/name_"), "{shown}");
        assert!(
            shown.ends_with(".log") && !shown.contains("alice"),
            "{shown}"
        );
        assert_eq!(
            pseudonymize_path(
                "logs/codex-plugin/shareable-debug-state/segments/segment-0000000000000001.jsonl",
                &p
            ),
            "logs/codex-plugin/shareable-debug-state/segments/segment-0000000000000001.jsonl"
        );
        let acct = pseudonymize_path("user-8f2kQ93jd/x.log.gz", &p);
        assert!(
            !acct.contains("8f2k") && acct.ends_with(".log.gz"),
            "{acct}"
        );
        let snap = pseudonymize_name(
            "2025-01-01T00-00-00-000Z-4242-abcd1234-request-1-before-auth.json",
            &p,
        );
        assert!(
            snap.starts_with("name_") && snap.ends_with("-request-1-before-auth.json"),
            "{snap}"
        );
        assert_eq!(
            entry_name("logs", 1, "live-headers.jsonl"),
            "logs/001.jsonl"
        );
        assert_eq!(entry_name("logs", 12, "old.log.gz"), "logs/012.log");
        assert_eq!(entry_name("logs", 3, "bob-secret"), "logs/003.log");
        assert_eq!(
            entry_name("logs", 4, "live-headers.jsonl.1"),
            "logs/004.log"
        );
    }
}
