//! `opencode.models`, `auth.quota`, `login.environment` and `auth.lineage`: pass, warn and
//! fail rows on real temp homes.

use serde_json::json;

use crate::common::{account, expect, now_ms, store_with, Home, FAR};

// ---- opencode.models ----

#[test]
fn models_skip_without_openai_references_and_pass_for_catalog_slugs() {
    let h = Home::healthy();
    expect(&h.check("opencode.models"), "skip", &["no model reference"]);
    h.write_work(
        "opencode.json",
        r#"{"model": "openai/gpt-5.4", "agent": {"plan": {"model": "openai/gpt-5.1-codex"}}}"#,
    );
    expect(
        &h.check("opencode.models"),
        "pass",
        &["2 model reference(s)", "`agent.plan.model`"],
    );
}

#[test]
fn an_unknown_model_fails_naming_the_layer_and_the_closest_slugs() {
    let h = Home::healthy();
    h.write_work(
        "opencode.json",
        r#"{"small_model": "openai/gpt-9-nope", "model": "openai/gpt-5.4"}"#,
    );
    let file = h.cwd.join("opencode.json").display().to_string();
    expect(
        &h.check("opencode.models"),
        "fail",
        &[
            &format!("`small_model` in {file}"),
            "model_not_found",
            "closest: openai/",
        ],
    );
}

#[test]
fn a_hidden_model_warns() {
    let h = Home::healthy();
    let now = now_ms();
    h.write_json(
        ".config/opencode/cache/codex-models-cache.json",
        &json!({"fetchedAt": now, "source": "github", "models": [
            {"slug": "gpt-5.4"},
            {"slug": "gpt-5-old", "visibility": "hide"}
        ]}),
    );
    h.write_work("opencode.json", r#"{"model": "openai/gpt-5-old"}"#);
    expect(&h.check("opencode.models"), "warn", &["catalog hides"]);
}

// ---- auth.quota ----

#[test]
fn quota_passes_for_a_healthy_home() {
    expect(
        &Home::healthy().check("auth.quota"),
        "pass",
        &["quota state is known"],
    );
}

#[test]
fn an_expired_account_without_a_snapshot_warns_unknown_account_expired() {
    let mut a = account("acc_exp1", "ex@example.com", "plus");
    a["expires"] = json!(now_ms() - 3_600_000.0);
    let h = Home::healthy_with(vec![a]);
    h.write_json(".config/opencode/cache/codex-snapshots.json", &json!({}));
    expect(
        &h.check("auth.quota"),
        "warn",
        &["Unknown, account expired", "Check quotas"],
    );
}

#[test]
fn an_expired_token_with_no_refresh_token_fails() {
    let mut a = account("acc_norf1", "nr@example.com", "plus");
    a["expires"] = json!(now_ms() - 3_600_000.0);
    a.as_object_mut().unwrap().remove("refresh");
    let h = Home::healthy_with(vec![a]);
    expect(
        &h.check("auth.quota"),
        "fail",
        &["can never be renewed", "opencode auth login"],
    );
}

#[test]
fn a_zero_window_without_reset_and_a_cooldown_beside_quota_left_warn() {
    let mut a = account("acc_cool1", "co@example.com", "pro");
    a["cooldownUntil"] = json!(now_ms() + 3.0 * 3_600_000.0);
    let b = account("acc_zero1", "ze@example.com", "plus");
    let h = Home::healthy_with(vec![a.clone(), b.clone()]);
    let now = now_ms();
    h.write_json(
        ".config/opencode/cache/codex-snapshots.json",
        &json!({
            a["identityKey"].as_str().unwrap(): {"updatedAt": now, "limits": [{"name": "5h", "leftPct": 100, "resetsAt": now + 3_600_000.0}]},
            b["identityKey"].as_str().unwrap(): {"updatedAt": now, "limits": [{"name": "weekly", "leftPct": 0}]},
        }),
    );
    expect(
        &h.check("auth.quota"),
        "warn",
        &[
            "cooling down for 3h",
            "snapshot shows quota left",
            "is at 0 % with no reset time",
        ],
    );
}

// ---- login.environment ----

#[test]
fn a_local_desktop_passes_login_environment() {
    expect(
        &Home::healthy().check("login.environment"),
        "pass",
        &["can finish here"],
    );
}

#[test]
fn ssh_without_a_forward_warns_with_the_exact_command() {
    let mut h = Home::healthy();
    h.set("SSH_CONNECTION", "192.0.2.7 50000 198.51.100.9 2222");
    let port = h.port();
    expect(
        &h.check("login.environment"),
        "warn",
        &[
            "SSH session",
            &format!("ssh -L {port}:localhost:{port} -p 2222 <user>@198.51.100.9"),
            "headless",
        ],
    );
}

#[test]
fn a_container_and_a_headless_box_warn() {
    let mut h = Home::healthy();
    h.set("CODEX_DOCTOR_CONTAINER", "container=podman");
    expect(
        &h.check("login.environment"),
        "warn",
        &["container", "device flow"],
    );
    let mut h = Home::healthy();
    h.unset("DISPLAY");
    expect(&h.check("login.environment"), "warn", &["no DISPLAY"]);
    let mut h = Home::healthy();
    h.set("WSL_DISTRO_NAME", "Ubuntu");
    h.remove("bin/xdg-open");
    expect(&h.check("login.environment"), "warn", &["WSL", "wslu"]);
}

// ---- auth.lineage ----

#[test]
fn one_copy_per_account_passes_lineage() {
    expect(
        &Home::healthy().check("auth.lineage"),
        "pass",
        &["held in one store"],
    );
}

#[test]
fn the_same_refresh_token_in_two_stores_warns_without_printing_it() {
    let a = account("acc_dup1", "dup@example.com", "plus");
    let h = Home::healthy_with(vec![a.clone()]);
    // OpenCode's auth.json holds the login's tokens as a marker: harmless.
    h.write_json(
        ".local/share/opencode/auth.json",
        &json!({"openai": {"type": "oauth", "refresh": a["refresh"], "access": a["access"], "expires": FAR}}),
    );
    expect(&h.check("auth.lineage"), "pass", &["held in one store"]);
    // The Codex CLI refreshing a copy of the same token family is not.
    h.write_json(
        ".codex/auth.json",
        &json!({"OPENAI_API_KEY": null, "tokens": {"refresh_token": a["refresh"], "access_token": a["access"], "account_id": "acc_dup1"}}),
    );
    let row = h.check("auth.lineage");
    expect(
        &row,
        "warn",
        &[
            "2 stores",
            "share one refresh token",
            "refresh_token_reused",
        ],
    );
    let text = row.to_string();
    assert!(!text.contains("rt_acc_dup1"), "token printed: {text}");
}

#[test]
fn the_same_account_with_diverged_tokens_in_the_legacy_store_warns() {
    let a = account("acc_div1", "div@example.com", "plus");
    let h = Home::healthy_with(vec![a.clone()]);
    let mut old = a.clone();
    old["refresh"] = json!("rt_acc_div1_older_copy");
    h.write_json(
        ".config/opencode/openai-codex-accounts.json",
        &store_with(vec![old]),
    );
    expect(
        &h.check("auth.lineage"),
        "warn",
        &["different refresh tokens"],
    );
}
