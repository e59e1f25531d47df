//! The codex-proxy suite (one binary; modules only). Reference case numbers refer to
//! section 15 of the plugin reference.

mod support;

mod catalog;
mod chat;
mod chat_client;
mod defences;
mod endpoints;
mod failover;
mod opencode_e2e;
mod quota;
mod refresh;
mod routing;
mod shaping;
mod store_writer;
mod streaming;
mod upstream;
