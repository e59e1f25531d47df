//! `opencode.models`: do the models OpenCode is told to use exist for the plugin?
//!
//! Every model reference in OpenCode's merged config (`model`, `small_model`, `agent.*.model`,
//! `mode.*.model`, `command.*.model`) on the `openai` provider, which the plugin serves, is
//! looked up in the cached catalog of the account that would answer (the active account of
//! the mode in effect: its `codex-auth-models-<hash>.json`, merged with the shared GitHub
//! snapshot as the plugin merges them, reference 10.3) and in `customModels` of
//! codex-config. An unknown slug fails with the closest ones (the backend answers
//! `model_not_found`); a slug the catalog hides (`visibility` other than `list`) warns.

use codex_auth::model::AccountRecord;
use serde_json::Value;

use super::{problem, CheckDef, Problem};
use crate::facts::Facts;
use crate::report::CheckResult;

/// `opencode.models`.
pub(super) const MODELS: CheckDef = CheckDef {
    id: "opencode.models",
    title: "Models in use",
    about: "Every openai/ model named in OpenCode's merged config (model, small_model, agents, commands) is in the cached catalog of the account that would answer.",
    run,
};

/// The provider id the plugin serves.
const PROVIDER: &str = "openai";

/// `(where, "openai/slug")` for every model reference of the merged config.
fn references(merged: &Value) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for k in ["model", "small_model"] {
        if let Some(v) = merged.get(k).and_then(Value::as_str) {
            out.push((format!("`{k}`"), v.to_string()));
        }
    }
    for section in ["agent", "mode", "command"] {
        if let Some(m) = merged.get(section).and_then(Value::as_object) {
            for (name, v) in m {
                if let Some(model) = v.get("model").and_then(Value::as_str) {
                    out.push((format!("`{section}.{name}.model`"), model.to_string()));
                }
            }
        }
    }
    out
}

/// A catalog entry: slug and whether the catalog lists it.
struct Known {
    slug: String,
    listed: bool,
}

fn catalog_of(v: &Value) -> Vec<Known> {
    v.get("models")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|m| {
                    let slug = m.get("slug").and_then(Value::as_str)?.to_ascii_lowercase();
                    let listed = m
                        .get("visibility")
                        .and_then(Value::as_str)
                        .is_none_or(|v| v == "list");
                    Some(Known { slug, listed })
                })
                .collect()
        })
        .unwrap_or_default()
}

fn active_account(f: &Facts) -> Option<AccountRecord> {
    let openai = super::auth::parsed_openai(f).ok()?;
    let view = openai.domain(super::auth::mode_domain(f))?;
    let active = view.effective_active();
    view.accounts
        .iter()
        .find(|r| active.is_some() && r.identity_key() == active)
        .or_else(|| view.accounts.iter().find(|r| r.is_enabled()))
        .cloned()
}

fn run(f: &Facts) -> CheckResult {
    let Some(oc) = f.opencode_config() else {
        return super::no_paths("unknown");
    };
    let refs: Vec<(String, String, String)> = references(&oc.merged)
        .into_iter()
        .filter_map(|(at, v)| {
            let (prov, slug) = v.split_once('/')?;
            (prov == PROVIDER).then(|| (at, v.clone(), slug.to_ascii_lowercase()))
        })
        .collect();
    if refs.is_empty() {
        return CheckResult::skip(
            "no model reference in OpenCode's config uses the `openai` provider the plugin serves",
        );
    }
    let account = active_account(f);
    let (primary, _) =
        codex_paths::catalog_cache_names(account.as_ref().and_then(|a| a.account_id()));
    let mut catalog: Vec<Known> = Vec::new();
    let mut sources: Vec<String> = Vec::new();
    for name in [primary.as_str(), "codex-models-cache.json"] {
        if let Some(v) = f.cache_json(name) {
            let add = catalog_of(&v);
            if !add.is_empty() {
                sources.push(format!("{name} ({} model(s))", add.len()));
            }
            for k in add {
                if !catalog.iter().any(|c| c.slug == k.slug) {
                    catalog.push(k);
                }
            }
        }
    }
    if catalog.is_empty() {
        return CheckResult::skip(
            "no model catalog is cached yet (the plugin fetches one at its first request)",
        );
    }
    let custom: Vec<String> = f
        .config()
        .and_then(|c| {
            c.value
                .get("customModels")
                .and_then(Value::as_object)
                .cloned()
        })
        .map(|m| m.keys().map(|k| k.to_ascii_lowercase()).collect())
        .unwrap_or_default();
    let place = |at: &str| -> String {
        let key: Vec<&str> = at.trim_matches('`').split('.').collect();
        oc.origin(&key)
            .map(|l| l.place())
            .unwrap_or_else(|| "OpenCode's config".to_string())
    };
    let mut fails: Vec<Problem> = Vec::new();
    let mut warns: Vec<Problem> = Vec::new();
    let mut fixes = Vec::new();
    let mut details = vec![format!("catalog: {}", sources.join(" + "))];
    for (at, full, slug) in &refs {
        if custom.contains(slug) {
            details.push(format!(
                "{at} = {full:?}: a customModels entry of codex-config"
            ));
            continue;
        }
        match catalog.iter().find(|c| &c.slug == slug) {
            Some(k) if k.listed => details.push(format!("{at} = {full:?}: in the catalog")),
            Some(_) => {
                warns.push(problem("hidden", format!(
                    "{at} in {} is {full:?}, which the catalog hides (retired or not offered to this plan)",
                    place(at)
                )));
                fixes.push(format!("Switch {at} to a listed model (`codex-doctor -v --only opencode.models` lists the catalog)"));
            }
            None => {
                let near = closest(slug, &catalog);
                fails.push(problem("unknown", format!(
                    "{at} in {} is {full:?}, but `{slug}` is not in the catalog: the backend answers model_not_found",
                    place(at)
                )));
                fixes.push(if near.is_empty() {
                    format!("Set {at} to one of the catalog's models")
                } else {
                    format!(
                        "Set {at} to a catalog model; closest: {}",
                        near.iter()
                            .map(|s| format!("openai/{s}"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                });
            }
        }
    }
    details.push(format!(
        "listed models: {}",
        catalog
            .iter()
            .filter(|c| c.listed)
            .map(|c| c.slug.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    ));
    let n = refs.len();
    super::verdict(
        fails,
        warns,
        || format!("{n} model reference(s) on `openai` are in the catalog"),
        details,
        fixes,
    )
}

fn closest(slug: &str, catalog: &[Known]) -> Vec<String> {
    let rule = crate::closest::Rule {
        take: 3,
        bounded: false,
        substring: false,
    };
    let listed = catalog.iter().filter(|c| c.listed);
    crate::closest::nearest(slug, listed.map(|c| (&c.slug, c.slug.clone())), rule)
}
