//! A local streaming proxy to the Codex backend with account rotation.
//!
//! [`config`] resolves the settings (options, environment, `codex-config.jsonc`);
//! [`server`] binds, routes and shuts down gracefully; [`chat`] serves Chat Completions
//! through the Responses pipeline; [`shared`] is the state every part
//! reads and [`state`] adds the background syncers to it; [`orchestrator`] runs one Responses
//! request through acquisition, attempts and failover; [`pool`] is the store-backed account
//! pool with its in-memory overlay; [`refresh`] is the OAuth refresh grant and
//! [`proactive`] refreshes ahead of expiry; [`settings`] applies the plugin's request settings; [`quota`] polls account usage; [`shape`] turns a client's request into the
//! backend's shape; [`sse`] holds back stream openings and streams bodies through;
//! [`upstream`] is the connection pool of the Responses POST; [`outbound`] is the allowlist and redirect policy; [`limits`] raises the open-file limit; [`errors`] the synthetic errors;
//! [`snapshots`] and [`persist`] write the plugin's cache files; [`metrics`], [`status`] and
//! [`models`] serve the other endpoints, [`catalog`] keeps the live model catalog current; [`opencode`] prints the OpenCode provider snippet.
//! Selection itself is pure and lives in `codex-rotation`.

#![warn(unreachable_pub)]

mod catalog;
mod chat;
mod compat;
pub mod config;
pub mod errors;
pub mod limits;
mod metrics;
pub mod models;
pub mod opencode;
mod orchestrator;
pub mod outbound;
mod persist;
mod pool;
pub mod proactive;
pub mod quota;
pub mod refresh;
mod server;
mod settings;
pub mod shape;
mod shared;
mod snapshots;
pub mod sse;
mod state;
mod status;
pub mod upstream;

pub use config::{ProxyConfig, ServeOptions, DEFAULT_LISTEN};
pub use server::{start, Running, ServeError, Server, OPENCODE_MODELS_PATH};
pub use shared::Shared;
pub use state::AppState;
