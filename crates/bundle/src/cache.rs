//! `cache/`: the plugin's caches with identities pseudonymized and catalogs summarized.
//!
//! Client version and models meta are copied (redacted). The shared GitHub catalog and the
//! per-account catalogs are reduced to their slug lists; per-account file names carry a
//! hash of the account id, which becomes the account's pseudonym. Snapshots (keyed by
//! identity key) and session affinity (session keys → identity keys) are rewritten with
//! pseudonyms whatever the shape of the keys, then redacted like everything else.

use std::path::Path;

use codex_paths::{account_hash, Paths};
use codex_scrub::schema::{redact_value, FileKind, SchemaOptions};
use codex_scrub::{Kind, KnownValues, Mode};
use serde_json::{json, Value};

use crate::ctx::Ctx;
use crate::error::BundleError;
use crate::roots::Access;

/// Cache files bigger than this are not parsed.
const MAX_CACHE: u64 = 32 * 1024 * 1024;

fn slugs(v: &Value) -> Vec<String> {
    v.get("models")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|m| m.get("slug").and_then(Value::as_str).map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

fn catalog_summary(v: &Value) -> Value {
    let s = slugs(v);
    json!({
        "source": v.get("source"),
        "fetchedAt": v.get("fetchedAt"),
        "fetched_at_utc": v.get("fetchedAt").and_then(Value::as_f64).map(codex_timefmt::rfc3339_ms),
        "model_count": s.len(),
        "models": s,
    })
}

/// How one cache file goes into the bundle.
enum Treatment {
    /// Through the schema of its kind (client version, catalog meta, quota snapshots keyed
    /// by identity key, session affinity keyed by session key).
    Schema,
    /// Reduced to its slug list, which then goes through the catalog schema.
    Summarize,
}

fn add_json(
    ctx: &mut Ctx<'_>,
    path: &Path,
    name: &str,
    shown_source: Option<String>,
    treatment: Treatment,
) -> Result<(), BundleError> {
    let (real, meta) = match ctx.roots.check(path) {
        Access::Missing => return Ok(()),
        Access::Refused {
            reason,
            bytes,
            modified,
        } => {
            ctx.exclude(path, reason, bytes, modified);
            return Ok(());
        }
        Access::File { real, meta } => (real, meta),
    };
    if let Treatment::Schema = treatment {
        return ctx.add_checked(name, path, Mode::Document);
    }
    if meta.len() > MAX_CACHE {
        ctx.exclude(
            path,
            "too large to summarize",
            Some(meta.len()),
            meta.modified().ok(),
        );
        return Ok(());
    }
    let parsed = codex_paths::read_file(&real)
        .map_err(|e| format!("unreadable: {e}"))
        .and_then(|b| {
            serde_json::from_slice::<Value>(&b).map_err(|e| format!("not valid JSON: {e}"))
        });
    let value = match parsed {
        Ok(v) => v,
        Err(reason) => {
            ctx.exclude(path, reason, Some(meta.len()), meta.modified().ok());
            return Ok(());
        }
    };
    let (summary, counts) = redact_value(
        FileKind::ModelCatalog,
        catalog_summary(&value),
        ctx.scrubber.pseudonymizer(),
        SchemaOptions {
            drop_bodies: ctx.drop_bodies,
        },
    );
    let note = Some("summarized: slug list only (model-catalog schema)".to_string());
    let mut text = serde_json::to_string_pretty(&summary).unwrap_or_default();
    text.push('\n');
    let source = shown_source.unwrap_or_else(|| ctx.shown_source(path).1);
    ctx.progress.advance(meta.len());
    ctx.add_text_counted(
        name,
        Some(("config", source)),
        meta.len(),
        &text,
        Mode::Document,
        note,
        &counts,
    )
}

/// Adds every cache file.
pub(crate) fn add_cache(
    ctx: &mut Ctx<'_>,
    paths: &Paths,
    known: &KnownValues,
) -> Result<(), BundleError> {
    let f = |n: &str| paths.cache_file(n).path;
    add_json(
        ctx,
        &f("codex-client-version.json"),
        "cache/codex-client-version.json",
        None,
        Treatment::Schema,
    )?;
    add_json(
        ctx,
        &f("codex-models-cache-meta.json"),
        "cache/codex-models-cache-meta.json",
        None,
        Treatment::Schema,
    )?;
    add_json(
        ctx,
        &f("codex-models-cache.json"),
        "cache/codex-models-cache.json",
        None,
        Treatment::Summarize,
    )?;
    add_json(
        ctx,
        &f("codex-snapshots.json"),
        "cache/codex-snapshots.json",
        None,
        Treatment::Schema,
    )?;
    add_json(
        ctx,
        &f("codex-session-affinity.json"),
        "cache/codex-session-affinity.json",
        None,
        Treatment::Schema,
    )?;

    // Per-account catalogs: the hash in the name becomes the account's pseudonym.
    let p = ctx.scrubber.pseudonymizer().clone();
    let by_hash: Vec<(String, String)> = known
        .account_ids
        .iter()
        .map(|id| (account_hash(id), p.pseudonym(Kind::Account, id.as_bytes())))
        .collect();
    let dir = paths.cache_dir().path;
    let mut names: Vec<String> = match std::fs::read_dir(&dir) {
        Ok(rd) => rd
            .filter_map(Result::ok)
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect(),
        Err(_) => Vec::new(),
    };
    names.sort();
    let mut unknown = 0;
    for name in names {
        let stem = ["codex-auth-models-", "codex-models-cache-"]
            .iter()
            .find_map(|prefix| Some((*prefix, name.strip_prefix(prefix)?.strip_suffix(".json")?)));
        let Some((prefix, hash)) = stem else { continue };
        if prefix == "codex-models-cache-" && hash == "meta" {
            continue;
        }
        let label = if hash == "shared" {
            "shared".to_string()
        } else if let Some((_, ps)) = by_hash.iter().find(|(h, _)| h == hash) {
            ps.clone()
        } else {
            unknown += 1;
            format!("unknown-account-{unknown}")
        };
        let source = format!("cache/{prefix}[{label}].json");
        add_json(
            ctx,
            &dir.join(&name),
            &format!("cache/{prefix}{label}.json"),
            Some(source),
            Treatment::Summarize,
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use codex_scrub::Pseudonymizer;

    #[test]
    fn a_catalog_is_summarized_to_slugs_that_pass_its_schema() {
        let cat = json!({"source": "github", "fetchedAt": 0, "models": [
            {"slug": "gpt-5", "base_instructions": "long"},
            {"slug": "Zq8vN2mX7pL4kR9tW3yB6cD1"}
        ]});
        let s = catalog_summary(&cat);
        assert_eq!(s["models"], json!(["gpt-5", "Zq8vN2mX7pL4kR9tW3yB6cD1"]));
        let (s, _) = redact_value(
            FileKind::ModelCatalog,
            s,
            &Pseudonymizer::with_key(&[5; 32]),
            SchemaOptions { drop_bodies: true },
        );
        assert_eq!(s["models"], json!(["gpt-5", "<string:24>"]));
        assert_eq!(s["source"], "github");
        assert_eq!(s["model_count"], 2);
    }
}
