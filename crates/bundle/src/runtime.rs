//! What a local codex-runtime said when the bundle was made: its `/status` (account states,
//! eligibility, cooldowns, last errors, counters, quotas) and its `/metrics`, captured by the
//! doctor over loopback for each OpenCode provider pointing at one, written as
//! `runtime/001/status.json` and `runtime/001/metrics.txt` (numbered: provider ids are the
//! user's own names). The masked account
//! labels of `/status` (`a***@example.com (plus)`, which still show the mail domain) are
//! dropped; accounts keep their pseudonymous metrics label. Both go through the redactor like
//! every other entry. A capture that failed is listed in `excluded` with the reason.

use codex_scrub::Mode;
use serde_json::Value;

use crate::ctx::Ctx;
use crate::error::BundleError;
use crate::manifest::Excluded;

/// One local codex-runtime, as the doctor found it. `Debug` shows sizes, not the bodies.
#[derive(Clone)]
pub struct RuntimeCapture {
    /// The OpenCode provider id pointing at it (`codex-kit`).
    pub provider: String,
    /// `http://127.0.0.1:11455`.
    pub address: String,
    /// The body of `GET /status`, or why there is none.
    pub status: Result<String, String>,
    /// The body of `GET /metrics`, or why there is none.
    pub metrics: Result<String, String>,
}

impl std::fmt::Debug for RuntimeCapture {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let size = |r: &Result<String, String>| r.as_ref().map(String::len).map_err(Clone::clone);
        f.debug_struct("RuntimeCapture")
            .field("provider", &self.provider)
            .field("address", &self.address)
            .field("status_bytes", &size(&self.status))
            .field("metrics_bytes", &size(&self.metrics))
            .finish()
    }
}

/// `/status` without the accounts' masked labels, pretty-printed.
pub fn sanitize_status(text: &str) -> Result<String, String> {
    let mut v: Value =
        serde_json::from_str(text).map_err(|e| format!("/status is not JSON: {e}"))?;
    if let Some(accounts) = v.get_mut("accounts").and_then(Value::as_array_mut) {
        for a in accounts.iter_mut().filter_map(Value::as_object_mut) {
            a.remove("label");
        }
    }
    serde_json::to_string_pretty(&v)
        .map(|s| s + "\n")
        .map_err(|e| e.to_string())
}

pub(crate) fn add_runtime(
    ctx: &mut Ctx<'_>,
    captures: &[RuntimeCapture],
) -> Result<(), BundleError> {
    for (i, c) in captures.iter().enumerate() {
        // Provider ids are the user's own names: the folder is numbered instead.
        let dir = format!("runtime/{:03}", i + 1);
        let note = Some(format!(
            "what codex-runtime at {} answered; account labels dropped",
            c.address
        ));
        match c.status.clone().and_then(|s| sanitize_status(&s)) {
            Ok(doc) => ctx.add_text(
                &format!("{dir}/status.json"),
                None,
                c.status.as_ref().map_or(0, |s| s.len() as u64),
                &doc,
                Mode::Document,
                note.clone(),
            )?,
            Err(reason) => excluded(ctx, c, "/status", reason),
        }
        match &c.metrics {
            Ok(text) => ctx.add_text(
                &format!("{dir}/metrics.txt"),
                None,
                text.len() as u64,
                text,
                Mode::Lines,
                note,
            )?,
            Err(reason) => excluded(ctx, c, "/metrics", reason.clone()),
        }
    }
    Ok(())
}

fn excluded(ctx: &mut Ctx<'_>, c: &RuntimeCapture, path: &str, reason: String) {
    ctx.excluded.push(Excluded {
        source: format!("{}{path}", c.address),
        root: "runtime",
        reason,
        bytes: None,
        modified: None,
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_dropped() {
        let out = sanitize_status(
            r#"{"mode":"native","accounts":[{"label":"a***@corp.example (plus)","metricsLabel":"acct_1","state":"ok"}]}"#,
        )
        .expect("json");
        assert!(!out.contains("corp.example"), "{out}");
        assert!(
            out.contains("acct_1") && out.contains("\"state\": \"ok\""),
            "{out}"
        );
        assert!(sanitize_status("<html>").is_err());
    }
}
