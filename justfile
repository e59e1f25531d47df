# codex-kit tasks. `just` is a convenience: every recipe is plain cargo underneath.

# Run the doctor against this machine's real environment.
doctor *ARGS:
    cargo run --release -q -p codex-doctor -- {{ARGS}}

# Run every test.
test:
    cargo test --workspace

# Clippy with warnings as errors.
lint:
    cargo clippy --workspace --all-targets -- -D warnings

# Format the workspace.
fmt:
    cargo fmt --all

# All benchmarks.
bench: bench-doctor bench-bundle bench-proxy

# Whole-process benchmark of `codex-doctor --json` (50 accounts, full caches).
bench-doctor:
    bash tests/bench/doctor.sh 50

# Whole-process benchmark of `codex-doctor bundle` over a 200 MB log dir.
bench-bundle:
    bash tests/bench/bundle.sh

# Proxy overhead against a loopback mock upstream (direct vs proxied vs nginx when installed,
# JSON and SSE, c=1 and c=64); e.g. `just bench-proxy --one-core` or `just bench-proxy --pin`.
bench-proxy *ARGS:
    cargo bench -p codex-proxy --bench proxy -- {{ARGS}}

# Fuzz the redactor (`cargo install cargo-fuzz`; not in CI). RUSTC_BOOTSTRAP lets a stable
# toolchain take cargo-fuzz's nightly flags. Extra args go to libFuzzer, e.g. `just fuzz -max_total_time=60`.
fuzz *ARGS:
    cd fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz run redact -- {{ARGS}}

# Fuzz the one-pass JSON record rewrite against serde_json and the schema's parsed walk.
fuzz-schema *ARGS:
    cd fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz run schema_one_pass -- {{ARGS}}

# What CI runs.
ci:
    bash .ci/run
