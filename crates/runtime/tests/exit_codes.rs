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

/// Found from the user's side: `accounts list > /dev/full` exited 0 with nothing said.
#[test]
fn output_that_cannot_be_written_exits_2_and_says_so() {
    let home = TempHome::new();
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .expect("/dev/full");
    let out = home
        .command(cargo_bin("codex-runtime"))
        .args(["accounts", "list"])
        .stdout(full)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("the output could not be written to stdout"),
        "{stderr}"
    );
}
