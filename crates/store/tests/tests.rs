//! The codex-store integration suite (one binary; modules only).

mod common;

mod bad_input;
mod cache_files;
mod child;
mod concurrency;
mod crash;
mod interop;
mod ops;
mod quarantine;
mod roundtrip;
mod storage;
mod upsert;
