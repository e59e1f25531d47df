//! The exit-code policy at the binary's edge: a panic anywhere exits 3 with one fixed line
//! (where, and where to report it), never the panic's message. Driven by the documented test
//! hook `CODEX_KIT_TEST_PANIC`.

use assert_cmd::cargo::cargo_bin;
use codex_testkit::{run, TempHome};

#[test]
fn a_panic_exits_3_with_one_line_and_no_payload() {
    let home = TempHome::new();
    let out = run(home
        .command(cargo_bin("codex-runtime"))
        .env(
            "CODEX_KIT_TEST_PANIC",
            "rt_panicpayload_secret alice@example.com",
        )
        .args(["accounts", "list"]));
    out.assert_panicked(
        "codex-runtime",
        "crates/runtime/src/main.rs",
        &["rt_panicpayload", "alice", "test hook"],
    );
}
