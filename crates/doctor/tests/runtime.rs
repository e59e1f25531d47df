//! `runtime.proxy`: an OpenCode provider pointing at a local codex-runtime.

use serde_json::{json, Value};

use crate::common::*;

/// A server answering every path it knows with `status` and `body`.
fn http_server(status: &'static str, body: &'static str) -> u16 {
    crate::common::http_server(
        vec![
            ("/healthz", status, body.to_string()),
            ("/v1/responses", status, body.to_string()),
        ],
        None,
    )
}

/// A port nothing listens on: bound but never listening, so connections are refused and no
/// other test can take the port while the socket lives.
fn dead_port() -> (tokio::net::TcpSocket, u16) {
    let s = tokio::net::TcpSocket::new_v4().unwrap();
    s.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let port = s.local_addr().unwrap().port();
    (s, port)
}

fn with_provider(h: &Home, id: &str, base: &str, extra: Value) {
    let mut cfg = json!({
        "plugin": ["@iam-brain/opencode-codex-auth@latest"],
        "provider": {
            id: {
                "npm": "@ai-sdk/openai",
                "options": {"baseURL": base, "apiKey": "codex-kit-local"},
                "models": {"gpt-5.4": {"name": "gpt-5.4"}, "gpt-5.4-mini": {"name": "gpt-5.4-mini"}}
            }
        },
        "model": format!("{id}/gpt-5.4"),
        "small_model": format!("{id}/gpt-5.4-mini")
    });
    for (k, v) in extra.as_object().unwrap() {
        if v.is_null() {
            cfg.as_object_mut().unwrap().remove(k);
        } else {
            cfg[k] = v.clone();
        }
    }
    h.write_json(".config/opencode/opencode.json", &cfg);
}

#[test]
fn a_running_proxy_with_listed_models_passes() {
    let h = Home::healthy();
    // The real codex-runtime proxy, serving this home's store.
    let (rt, proxy, port) = real_proxy(&h, None);
    let base = format!("http://127.0.0.1:{port}/v1");
    with_provider(&h, "codex-kit", &base, json!({}));
    let row = h.check("runtime.proxy");
    expect(
        &row,
        "pass",
        &["`codex-kit`", &base, "/healthz answered ok"],
    );
    // The whole healthy home stays healthy with the provider in place.
    assert_eq!(h.run(&["--json"]).json()["summary"]["fail"], 0);
    stop_proxy((rt, proxy));
}

#[test]
fn no_local_provider_is_a_skip() {
    let h = Home::healthy();
    expect(
        &h.check("runtime.proxy"),
        "skip",
        &["codex-runtime opencode-config"],
    );
    // A provider on another machine or over https is not a local proxy.
    with_provider(&h, "remote", "http://10.1.2.3:8080/v1", json!({}));
    expect(&h.check("runtime.proxy"), "skip", &[]);
}

#[test]
fn nothing_listening_says_how_to_start_it() {
    let h = Home::healthy();
    let (_dead, port) = dead_port();
    with_provider(
        &h,
        "codex-kit",
        &format!("http://localhost:{port}/v1"),
        json!({}),
    );
    expect(
        &h.check("runtime.proxy"),
        "warn",
        &[
            &format!("nothing listens at localhost:{port}"),
            &format!("codex-runtime serve --listen 127.0.0.1:{port}"),
        ],
    );
}

#[test]
fn something_else_on_the_port_is_named() {
    let h = Home::healthy();
    let port = http_server("404 Not Found", "nope");
    with_provider(
        &h,
        "codex-kit",
        &format!("http://127.0.0.1:{port}/v1"),
        json!({}),
    );
    expect(
        &h.check("runtime.proxy"),
        "warn",
        &["not as codex-runtime does", "404 Not Found"],
    );
}

#[test]
fn the_builtin_openai_id_and_unlisted_models_fail() {
    let h = Home::healthy();
    let port = http_server("200 OK", "ok");
    with_provider(
        &h,
        "openai",
        &format!("http://127.0.0.1:{port}/v1"),
        json!({}),
    );
    expect(
        &h.check("runtime.proxy"),
        "fail",
        &[
            "provider `openai`",
            "blocks the built-in openai provider",
            "codex-runtime opencode-config",
        ],
    );

    with_provider(
        &h,
        "codex-kit",
        &format!("http://127.0.0.1:{port}/v1"),
        json!({"model": "codex-kit/gpt-9"}),
    );
    expect(
        &h.check("runtime.proxy"),
        "fail",
        &[
            "`gpt-9` is not listed",
            "OpenCode refuses it",
            "--model gpt-9",
        ],
    );
}

#[test]
fn half_wired_and_wrong_paths_warn() {
    let h = Home::healthy();
    let port = http_server("200 OK", "ok");
    with_provider(
        &h,
        "codex-kit",
        &format!("http://127.0.0.1:{port}/v1"),
        json!({"small_model": null}),
    );
    expect(
        &h.check("runtime.proxy"),
        "warn",
        &[
            "only `model` uses provider `codex-kit`",
            "\\\"small_model\\\"",
        ],
    );

    with_provider(
        &h,
        "codex-kit",
        &format!("http://127.0.0.1:{port}/api"),
        json!({}),
    );
    expect(
        &h.check("runtime.proxy"),
        "warn",
        &[
            "<baseURL>/responses",
            &format!("http://127.0.0.1:{port}/v1"),
        ],
    );

    with_provider(
        &h,
        "codex-kit",
        &format!("http://127.0.0.1:{port}/v1"),
        json!({"model": "openai/gpt-5.4", "small_model": null}),
    );
    expect(
        &h.check("runtime.proxy"),
        "warn",
        &["neither `model` nor `small_model` uses it"],
    );
}
