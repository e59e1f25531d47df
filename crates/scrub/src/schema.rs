//! Structured files by schema: keep the structure and the keys, keep a value only where its
//! key is on the file kind's allowlist and the value has that key's safe shape.
//!
//! Every file format the plugin and OpenCode write has a [`FileKind`] (the bundle picks it
//! from the file's path). [`redact_value`] walks a parsed JSON document of that kind:
//! - numbers, booleans and `null` stay (counts, timestamps, status codes, flags);
//! - a string stays only when its key is on the kind's allowlist ([`allowlist`]) and the
//!   string has the key's [`Shape`] (an event name, an error code, a model slug, a
//!   timestamp, a version, an allowed URL, …); in the plugin's and OpenCode's own kinds a
//!   key whose values are a closed set keeps only what its catalogue lists
//!   ([`crate::catalog`], [`Shape::OneOf`]), so a made-up word of a word's shape is replaced;
//! - identities (identity keys, account ids, emails, session keys, prompt cache keys,
//!   attempt keys) become per-bundle pseudonyms, by key or, for files keyed by them
//!   (`codex-snapshots.json`, `codex-session-affinity.json`), by position;
//! - every other string becomes a typed placeholder `<string:N>` (N characters), whatever
//!   its key: unknown keys get placeholders, not trust;
//! - keys stay when they have the shape of a name (`requestId`, `x-request-id`,
//!   `gpt-5.1-codex`); a key shaped like data (an email, an opaque id, anything with `|` or
//!   spaces) becomes a `name_…` pseudonym, and so does a key the user names in a map of
//!   such names that no catalogue knows (an OpenCode provider id, an MCP server).
//!
//! A JSON Lines record takes [`rewrite_record`], the same walk in one pass over its bytes
//! (no parsed tree), which falls back to this module's parsed way on anything unusual.
//!
//! The result still goes through the engine (detectors and the allowlist gate) like every
//! other file, so a schema can only make a file stricter than the generic rules.

use std::borrow::Cow;
use std::cell::RefCell;

mod one_pass;
pub use one_pass::rewrite_record;

use serde_json::{Map, Value};

use crate::catalog as cat;
use crate::engine::Counts;
use crate::pseudonym::{looks_like_pseudonym, Kind, Pseudonymizer};
use crate::rules::{Action, KeySite, Rule};

/// The file formats the plugin and OpenCode write, as the bundle knows them by path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FileKind {
    /// `<runId>-request-<n>-<stage>.json` / `-response-`: a header snapshot (pretty JSON).
    RequestSnapshot,
    /// `live-headers.jsonl`: one compact header snapshot per line.
    LiveHeaders,
    /// `shareable-debug.jsonl`, its segments and incidents: rotation and fetch events.
    ShareableDebug,
    /// `shareable-debug-state/incident-state.json`, `manifestless-recovery.json`.
    DebugState,
    /// `oauth-lifecycle.log`: OAuth lifecycle events, one JSON line each.
    LifecycleLog,
    /// `cache/codex-client-version.json`.
    ClientVersion,
    /// `cache/codex-models-cache-meta.json`.
    CatalogMeta,
    /// A model catalog (`codex-models-cache.json`, `codex-auth-models-*.json`), or the
    /// bundle's slug-list summary of one.
    ModelCatalog,
    /// `cache/codex-snapshots.json`: quota snapshots keyed by identity key.
    QuotaSnapshots,
    /// `cache/codex-session-affinity.json`: session keys → identity keys.
    SessionAffinity,
    /// `opencode.json` / `opencode.jsonc` / `$OPENCODE_CONFIG`.
    OpencodeConfig,
    /// `codex-config.jsonc` / `codex-config.json` / an explicit plugin config.
    PluginConfig,
    /// `codex-accounts.json`: never put into a bundle; the schema exists so that a copy met
    /// anywhere else keeps nothing but its shape.
    AccountStore,
    /// Any other JSON: only the generic allowlist (event, status, codes, timestamps).
    Generic,
}

impl FileKind {
    /// Every kind (for tests and docs).
    pub const ALL: [FileKind; 14] = [
        FileKind::RequestSnapshot,
        FileKind::LiveHeaders,
        FileKind::ShareableDebug,
        FileKind::DebugState,
        FileKind::LifecycleLog,
        FileKind::ClientVersion,
        FileKind::CatalogMeta,
        FileKind::ModelCatalog,
        FileKind::QuotaSnapshots,
        FileKind::SessionAffinity,
        FileKind::OpencodeConfig,
        FileKind::PluginConfig,
        FileKind::AccountStore,
        FileKind::Generic,
    ];

    /// A stable name (the manifest's `kind`).
    pub fn name(self) -> &'static str {
        match self {
            FileKind::RequestSnapshot => "request-snapshot",
            FileKind::LiveHeaders => "live-headers",
            FileKind::ShareableDebug => "shareable-debug",
            FileKind::DebugState => "debug-state",
            FileKind::LifecycleLog => "oauth-lifecycle",
            FileKind::ClientVersion => "client-version",
            FileKind::CatalogMeta => "catalog-meta",
            FileKind::ModelCatalog => "model-catalog",
            FileKind::QuotaSnapshots => "quota-snapshots",
            FileKind::SessionAffinity => "session-affinity",
            FileKind::OpencodeConfig => "opencode-config",
            FileKind::PluginConfig => "plugin-config",
            FileKind::AccountStore => "account-store",
            FileKind::Generic => "generic-json",
        }
    }

    /// Whether the file is JSON Lines (one document per line) rather than one document.
    pub fn is_lines(self) -> bool {
        matches!(
            self,
            FileKind::LiveHeaders | FileKind::ShareableDebug | FileKind::LifecycleLog
        )
    }
}

/// What a kept string must look like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// A code, event, stage, enum value or model slug: ASCII letters, digits and `._:/-`, at
    /// most 64 characters, starting with a letter or digit, no run of more than 12 digits,
    /// no mixed-case opaque run (`sticky`, `fetch_attempt_response`, `gpt-5.1-codex`,
    /// `openai/gpt-5`, `TypeError`, `POST`).
    Word,
    /// An ISO-8601 time or date (`2026-01-02T03:04:05.678Z`), or a plugin run id that starts
    /// with one (`2026-01-02T03-04-05-678Z-4242-ab12cd34`).
    Time,
    /// A version or release tag: `0.144.0`, `rust-v0.144.0`, `v1.10.0`.
    Version,
    /// A decimal number written as a string (`"12.5"`).
    Number,
    /// A URL on a host the plugin talks to (or loopback), without user info, query or
    /// fragment, whose path segments are known ones ([`crate::catalog::path_word`]),
    /// versions or numbers; or such a bare URL path (`/backend-api/codex`).
    Url,
    /// A MIME type or another header value made of catalogued words
    /// ([`crate::catalog::HEADER_WORDS`]) and numbers (`application/json`,
    /// `text/event-stream; charset=utf-8`, `responses=experimental`).
    HeaderValue,
    /// An npm package specifier (`@iam-brain/opencode-codex-auth@latest`, `opencode-wakatime`).
    Package,
    /// A short phrase of plain words (`Too Many Requests`, `The usage limit has been
    /// reached`): at most 120 characters, every word letters only (or a short number), with
    /// ordinary punctuation.
    Phrase,
    /// A marker a writer already put in place of a secret (`[redacted]`, `Bearer [redacted]`,
    /// `[omitted: …]`) or a pseudonym (`ident_0123abcd`).
    Marker,
    /// An identity: replaced by the per-bundle pseudonym of this kind (kept as it is when
    /// it already is a pseudonym the plugin wrote).
    Identity(Kind),
    /// A value of a closed set the plugin or OpenCode writes ([`crate::catalog`]): kept only
    /// when it is in one of these catalogues (ASCII case aside) or is a short number.
    OneOf(&'static [&'static [&'static str]]),
    /// A model, `[provider/]slug`: the provider one OpenCode knows, every piece of the slug
    /// (between `-`, `.`, `:`) a model word ([`crate::catalog::MODEL_WORDS`]) or a number.
    Model,
    /// A request or response id: its pieces (between `-` and `_`) numbers, hex with a
    /// digit, or a prefix such as `req`, `resp`, `msg`, `call`.
    Id,
    /// A file name of the plugin's debug state (`incident-<time>-<uuid>.jsonl`,
    /// `segment-<16 digits>.jsonl`): its pieces (between `-`, `.`, `_`) the plugin's words,
    /// numbers, times written with `-` (`01T00`, `000Z`) or hex groups.
    File,
    /// An error's or a reason's message (the OAuth lifecycle's `error`, `reason`): kept when
    /// it is the software speaking, every token one of the messages' words
    /// ([`crate::vocabulary`], `self-signed`, `certificate's`), a code whose parts are such
    /// words (`invalid_grant`) or a Node.js error code (`EADDRINUSE`), a short number or
    /// duration (`400`, `600000ms`), a loopback address with its port (`127.0.0.1:1455`) or
    /// a kept URL; at most 512 bytes. Any other word (a name, an id, a host) and the whole
    /// message gets a placeholder.
    Message,
    /// A `user-agent`: kept piece by piece, each run of `[A-Za-z0-9._-]` a product or
    /// platform word ([`crate::catalog::AGENT_WORDS`]), a version or a number; any other
    /// run becomes a placeholder in place.
    UserAgent,
}

/// Hosts a kept URL may name: the plugin's own endpoints, GitHub for the catalogs, OpenCode's
/// schema host, and loopback.
const HOSTS: &[&str] = &[
    "chatgpt.com",
    "api.openai.com",
    "auth.openai.com",
    "api.github.com",
    "github.com",
    "raw.githubusercontent.com",
    "opencode.ai",
    "localhost",
    "127.0.0.1",
    "[::1]",
];

/// Keys every kind allows (records of events and errors). [`Generic`](FileKind::Generic)
/// JSON comes from writers nobody listed, so its event names and codes are words of any
/// kind (the gate still tests each); the plugin's own kinds take [`CLOSED_COMMON`] first.
const COMMON: &[(&str, Shape)] = &[
    ("event", Shape::Word),
    ("type", Shape::Word),
    ("status", Shape::Word),
    ("code", Shape::Word),
    ("error_code", Shape::Word),
    ("errorCode", Shape::Word),
    ("level", Shape::Word),
    ("timestamp", Shape::Time),
    ("ts", Shape::Time),
    ("time", Shape::Time),
    ("version", Shape::Version),
    ("$schema", Shape::Url),
    ("message", Shape::Phrase),
    ("statusText", Shape::Phrase),
    // A model is a closed set in any file: a slug of model words.
    ("model", Shape::Model),
];

/// Error codes as a code key's catalogues.
const CODE_SETS: &[&[&str]] = &[cat::CODES];

/// [`COMMON`]'s keys in the plugin's and OpenCode's own files: closed sets.
const CLOSED_COMMON: &[(&str, Shape)] = &[
    ("event", Shape::OneOf(cat::EVENTS)),
    ("type", Shape::OneOf(&[cat::TYPES])),
    ("status", Shape::OneOf(&[cat::STATUSES])),
    ("code", Shape::OneOf(CODE_SETS)),
    ("error_code", Shape::OneOf(CODE_SETS)),
    ("errorCode", Shape::OneOf(CODE_SETS)),
    ("level", Shape::OneOf(&[cat::LEVELS])),
    ("model", Shape::Model),
    ("statusText", Shape::OneOf(&[cat::HTTP_REASONS])),
];

/// Reasons: incident and meta reasons, attempt reasons, codes.
const REASON_SETS: &[&[&str]] = &[
    cat::REASONS,
    cat::ATTEMPT_REASONS,
    cat::CODES,
    cat::ULTRA_WORDS,
];

/// Header snapshot fields (request files and `live-headers.jsonl`), body fields when bodies
/// are kept, and meta fields.
const SNAPSHOT: &[(&str, Shape)] = &[
    ("runId", Shape::Time),
    ("requestId", Shape::Id),
    ("responseId", Shape::Id),
    ("stage", Shape::OneOf(&[cat::STAGES])),
    ("method", Shape::OneOf(&[cat::METHODS])),
    ("url", Shape::Url),
    ("prompt_cache_key", Shape::Identity(Kind::PromptCacheKey)),
    ("promptCacheKey", Shape::Identity(Kind::PromptCacheKey)),
    ("stream", Shape::OneOf(&[cat::LEVEL_WORDS])),
    ("store", Shape::OneOf(&[cat::LEVEL_WORDS])),
    ("include", Shape::OneOf(&[cat::INCLUDES])),
    ("effort", Shape::OneOf(&[cat::LEVEL_WORDS])),
    ("summary", Shape::OneOf(&[cat::LEVEL_WORDS])),
    ("verbosity", Shape::OneOf(&[cat::LEVEL_WORDS])),
    ("service_tier", Shape::OneOf(&[cat::LEVEL_WORDS])),
    ("tool_choice", Shape::OneOf(&[cat::LEVEL_WORDS])),
    ("role", Shape::OneOf(&[cat::ROLES])),
    ("attempt", Shape::Number),
    ("reason", Shape::OneOf(REASON_SETS)),
    ("event", Shape::OneOf(cat::EVENTS)),
    ("identityKey", Shape::Identity(Kind::Identity)),
    ("accountId", Shape::Identity(Kind::Account)),
    ("sessionKey", Shape::Identity(Kind::Session)),
    ("session_id", Shape::Identity(Kind::Session)),
    ("attemptKey", Shape::Identity(Kind::Attempt)),
    // Meta of the plugin's snapshot calls (`openai-loader-fetch.ts`, v1.10.0).
    ("attemptReasonCode", Shape::OneOf(&[cat::ATTEMPT_REASONS])),
    ("spoofMode", Shape::OneOf(&[cat::SPOOF_MODES])),
    ("serviceTier", Shape::OneOf(&[cat::LEVEL_WORDS])),
    (
        "serviceTierOverrideReason",
        Shape::OneOf(&[cat::TRANSFORM_REASONS]),
    ),
    (
        "developerMessageRemapReason",
        Shape::OneOf(&[cat::TRANSFORM_REASONS]),
    ),
    (
        "promptCacheKeyOverrideReason",
        Shape::OneOf(&[cat::TRANSFORM_REASONS]),
    ),
    ("selectionStrategy", Shape::OneOf(&[cat::ROTATION])),
    ("selectionDecision", Shape::OneOf(&[cat::DECISIONS])),
    (
        "selectionSelectedIdentityKey",
        Shape::Identity(Kind::Identity),
    ),
    (
        "selectionActiveIdentityKey",
        Shape::Identity(Kind::Identity),
    ),
    ("selectionSessionKey", Shape::Identity(Kind::Session)),
    ("selectionAttemptKey", Shape::Identity(Kind::Attempt)),
    ("ultraAgentRole", Shape::OneOf(&[cat::ULTRA_WORDS])),
    ("logicalEffort", Shape::OneOf(&[cat::LEVEL_WORDS])),
    ("wireEffort", Shape::OneOf(&[cat::LEVEL_WORDS])),
    ("delegationPolicy", Shape::OneOf(&[cat::ULTRA_WORDS])),
    ("agentRole", Shape::OneOf(&[cat::ULTRA_WORDS])),
    ("agentReason", Shape::OneOf(&[cat::ULTRA_WORDS])),
    ("agentName", Shape::OneOf(&[cat::AGENTS])),
    ("modelSlug", Shape::Model),
    ("multiAgentVersion", Shape::Version),
];

/// Shareable-debug records (reference 11.5).
const SHAREABLE: &[(&str, Shape)] = &[
    ("seq", Shape::Number),
    // Any of the plugin's events: a record may sit in another of its logs (the bench
    // corpus mixes them), and the union is as closed.
    ("event", Shape::OneOf(cat::EVENTS)),
    ("authMode", Shape::OneOf(&[cat::MODES])),
    ("rotationStrategy", Shape::OneOf(&[cat::ROTATION])),
    ("decision", Shape::OneOf(&[cat::DECISIONS])),
    ("attemptReasonCode", Shape::OneOf(&[cat::ATTEMPT_REASONS])),
    ("method", Shape::OneOf(&[cat::METHODS])),
    ("endpoint", Shape::Url),
    (
        "outcome",
        Shape::OneOf(&[cat::OUTCOMES, cat::SIGNALS, cat::CODES]),
    ),
    ("errorName", Shape::OneOf(&[cat::ERROR_NAMES])),
    ("reason", Shape::OneOf(REASON_SETS)),
    ("file", Shape::File),
    ("activeIdentity", Shape::Identity(Kind::Identity)),
    ("selectedIdentity", Shape::Identity(Kind::Identity)),
    ("session", Shape::Identity(Kind::Session)),
    ("attempt", Shape::Identity(Kind::Attempt)),
    ("promptCacheKey", Shape::Identity(Kind::PromptCacheKey)),
    ("incidentFile", Shape::File),
    ("incidentId", Shape::File),
    ("triggerEvent", Shape::OneOf(cat::EVENTS)),
    ("triggerReason", Shape::OneOf(&[cat::TRIGGER_REASONS])),
    // The `ultra` object of fetch records.
    ("logicalEffort", Shape::OneOf(&[cat::LEVEL_WORDS])),
    ("wireEffort", Shape::OneOf(&[cat::LEVEL_WORDS])),
    ("delegationPolicy", Shape::OneOf(&[cat::ULTRA_WORDS])),
    ("agentRole", Shape::OneOf(&[cat::ULTRA_WORDS])),
    ("agentReason", Shape::OneOf(&[cat::ULTRA_WORDS])),
    ("agentName", Shape::OneOf(&[cat::AGENTS])),
    ("modelSlug", Shape::Model),
    ("multiAgentVersion", Shape::Version),
    ("openedAt", Shape::Time),
    ("closedAt", Shape::Time),
];

/// OAuth lifecycle events (reference 11.2): the meta keys that carry no secret.
const LIFECYCLE: &[(&str, Shape)] = &[
    ("event", Shape::OneOf(cat::EVENTS)),
    ("host", Shape::OneOf(&[cat::LOOPBACK])),
    ("reason", Shape::Message),
    ("mode", Shape::OneOf(&[cat::LOGIN_MODES])),
    ("authMode", Shape::OneOf(&[cat::MODES])),
    ("redirectUri", Shape::Url),
    ("error", Shape::Message),
    ("errorName", Shape::OneOf(&[cat::ERROR_NAMES])),
    ("signal", Shape::OneOf(&[cat::SIGNALS])),
    ("url", Shape::Url),
];

const CLIENT_VERSION: &[(&str, Shape)] = &[];

const CATALOG_META: &[(&str, Shape)] = &[("tag", Shape::Version), ("url", Shape::Url)];

/// A catalog's model fields (reference 10.4) that are codes, names of levels or slugs; the
/// texts (`description`, `base_instructions`, templates) get placeholders.
const CATALOG: &[(&str, Shape)] = &[
    ("source", Shape::OneOf(&[cat::SOURCES])),
    ("fetched_at_utc", Shape::Time),
    ("models", Shape::Model),
    ("slug", Shape::Model),
    ("display_name", Shape::Model),
    ("visibility", Shape::OneOf(&[cat::LEVEL_WORDS])),
    ("default_reasoning_level", Shape::OneOf(&[cat::LEVEL_WORDS])),
    ("effort", Shape::OneOf(&[cat::LEVEL_WORDS])),
    ("apply_patch_tool_type", Shape::OneOf(&[cat::LEVEL_WORDS])),
    (
        "reasoning_summary_format",
        Shape::OneOf(&[cat::LEVEL_WORDS]),
    ),
    ("default_verbosity", Shape::OneOf(&[cat::LEVEL_WORDS])),
    (
        "default_reasoning_summary",
        Shape::OneOf(&[cat::LEVEL_WORDS]),
    ),
    ("minimal_client_version", Shape::Version),
    ("input_modalities", Shape::OneOf(&[cat::LEVEL_WORDS])),
    ("id", Shape::Model),
];

/// Quota snapshots (reference 7.8).
const SNAPSHOTS: &[(&str, Shape)] = &[
    ("modelFamily", Shape::Model),
    ("name", Shape::OneOf(&[cat::LIMIT_NAMES])),
    ("balance", Shape::Number),
];

/// `opencode.json`: what a maintainer needs to see of OpenCode's config.
const OPENCODE: &[(&str, Shape)] = &[
    ("plugin", Shape::Package),
    ("npm", Shape::Package),
    ("small_model", Shape::Model),
    ("baseURL", Shape::Url),
    ("theme", Shape::OneOf(&[cat::THEMES])),
    ("share", Shape::OneOf(&[cat::LEVEL_WORDS])),
    ("autoupdate", Shape::OneOf(&[cat::LEVEL_WORDS])),
    ("disabled_providers", Shape::OneOf(&[cat::PROVIDERS])),
    ("enabled_providers", Shape::OneOf(&[cat::PROVIDERS])),
    ("reasoningEffort", Shape::OneOf(&[cat::LEVEL_WORDS])),
    ("reasoningSummary", Shape::OneOf(&[cat::LEVEL_WORDS])),
    ("textVerbosity", Shape::OneOf(&[cat::LEVEL_WORDS])),
    ("include", Shape::OneOf(&[cat::INCLUDES])),
    ("store", Shape::OneOf(&[cat::LEVEL_WORDS])),
    ("setCacheKey", Shape::OneOf(&[cat::LEVEL_WORDS])),
];

/// `codex-config.jsonc` (the plugin's schema: enums, booleans and numbers).
const PLUGIN_CONFIG: &[(&str, Shape)] = &[
    ("mode", Shape::OneOf(&[cat::MODES])),
    ("rotationStrategy", Shape::OneOf(&[cat::ROTATION])),
    ("promptCacheKeyStrategy", Shape::OneOf(&[cat::LEVEL_WORDS])),
    ("ultraReasoningEffort", Shape::OneOf(&[cat::LEVEL_WORDS])),
    ("personality", Shape::OneOf(&[cat::PERSONALITIES])),
    ("reasoningEffort", Shape::OneOf(&[cat::LEVEL_WORDS])),
    ("reasoningMode", Shape::OneOf(&[cat::LEVEL_WORDS])),
    ("reasoningSummary", Shape::OneOf(&[cat::LEVEL_WORDS])),
    ("textVerbosity", Shape::OneOf(&[cat::LEVEL_WORDS])),
    ("verbosity", Shape::OneOf(&[cat::LEVEL_WORDS])),
    ("serviceTier", Shape::OneOf(&[cat::LEVEL_WORDS])),
    ("include", Shape::OneOf(&[cat::INCLUDES])),
    ("targetModel", Shape::Model),
];

/// Shareable-debug state files.
const DEBUG_STATE: &[(&str, Shape)] = &[
    ("file", Shape::File),
    ("openedAt", Shape::Time),
    ("reason", Shape::OneOf(REASON_SETS)),
];

/// The store: nothing but its shape, identities pseudonymized.
const STORE: &[(&str, Shape)] = &[
    ("strategy", Shape::OneOf(&[cat::ROTATION])),
    ("plan", Shape::OneOf(&[cat::PLANS])),
    ("authTypes", Shape::OneOf(&[cat::MODES])),
    ("identityKey", Shape::Identity(Kind::Identity)),
    ("activeIdentityKey", Shape::Identity(Kind::Identity)),
    ("accountId", Shape::Identity(Kind::Account)),
    ("email", Shape::Identity(Kind::Email)),
];

/// The keys a kind allows (beyond [`COMMON`]) with their shapes.
pub fn allowlist(kind: FileKind) -> &'static [(&'static str, Shape)] {
    match kind {
        FileKind::RequestSnapshot | FileKind::LiveHeaders => SNAPSHOT,
        FileKind::ShareableDebug => SHAREABLE,
        FileKind::DebugState => DEBUG_STATE,
        FileKind::LifecycleLog => LIFECYCLE,
        FileKind::ClientVersion => CLIENT_VERSION,
        FileKind::CatalogMeta => CATALOG_META,
        FileKind::ModelCatalog => CATALOG,
        FileKind::QuotaSnapshots => SNAPSHOTS,
        FileKind::SessionAffinity => &[],
        FileKind::OpencodeConfig => OPENCODE,
        FileKind::PluginConfig => PLUGIN_CONFIG,
        FileKind::AccountStore => STORE,
        FileKind::Generic => &[],
    }
}

/// Schema keys too generic to trust in any file (a person's name is a `name` as well): only
/// their own kind's schema keeps them, and the gate judges them as unknown keys.
const GATE_EXCEPT: &[&str] = &["name", "display_name", "host"];

/// Whether some kind's schema allows values under `key` (lowercased) in a shape other than
/// an identity: the allowlist gate treats such a key as a value key too, so what a schema
/// keeps is not replaced again by the generic gate (the gate still tests every word).
pub fn allowlisted_anywhere(key: &[u8]) -> bool {
    static KEYS: std::sync::OnceLock<std::collections::HashSet<Vec<u8>>> =
        std::sync::OnceLock::new();
    KEYS.get_or_init(|| {
        FileKind::ALL
            .iter()
            .flat_map(|&k| COMMON.iter().chain(allowlist(k)))
            .filter(|(k, shape)| !matches!(shape, Shape::Identity(_)) && !GATE_EXCEPT.contains(k))
            .map(|(k, _)| k.to_ascii_lowercase().into_bytes())
            .chain(SAFE_HEADERS.iter().map(|(h, _)| h.as_bytes().to_vec()))
            .collect()
    })
    .contains(key)
}

/// Every key some kind's schema lists (identities too, but not [`GATE_EXCEPT`]) and every
/// safe header name, with each shape it is listed with: the keys a closed record may hold
/// ([`crate::closed`]).
pub(crate) fn closed_keys() -> impl Iterator<Item = (&'static str, Shape)> {
    FileKind::ALL
        .iter()
        .flat_map(|&k| COMMON.iter().chain(CLOSED_COMMON).chain(allowlist(k)))
        .chain(SAFE_HEADERS)
        .copied()
        .filter(|(k, _)| !GATE_EXCEPT.contains(k))
}

/// Header names whose values are kept when they have their shape (snapshots).
const SAFE_HEADERS: &[(&str, Shape)] = &[
    ("accept", Shape::HeaderValue),
    ("accept-encoding", Shape::HeaderValue),
    ("content-encoding", Shape::HeaderValue),
    ("content-type", Shape::HeaderValue),
    ("openai-beta", Shape::HeaderValue),
    ("originator", Shape::OneOf(&[cat::ORIGINATORS])),
    ("retry-after", Shape::Number),
    ("x-codex-primary-used-percent", Shape::Number),
    ("x-codex-secondary-used-percent", Shape::Number),
    ("x-codex-primary-reset-after-seconds", Shape::Number),
    ("x-codex-secondary-reset-after-seconds", Shape::Number),
    ("user-agent", Shape::UserAgent),
];

/// The maps of a mode in `codex-session-affinity.json` (reference 6.4).
const AFFINITY_MAPS: &[&str] = &[
    "seenSessionKeys",
    "stickyBySessionKey",
    "hybridBySessionKey",
];

/// Keys whose value is an object of headers.
const HEADER_MAPS: &[&str] = &["headers", "rawHeaders"];

/// Options of one walk.
#[derive(Debug, Clone, Copy)]
pub struct SchemaOptions {
    /// Replace request bodies (`body`) with `[omitted: request body]` (the bundle's default).
    pub drop_bodies: bool,
}

/// The shape of `key` in `kind`, if it is on the allowlist: the kind's own entry first, then
/// [`CLOSED_COMMON`] (not for [`FileKind::Generic`]), then [`COMMON`]. Looked up in a table
/// per kind, built once (every value of every record asks).
fn shape_of(kind: FileKind, key: &str) -> Option<Shape> {
    type Table = std::collections::HashMap<&'static str, Shape, crate::bytes::FnvBuild>;
    static TABLES: std::sync::OnceLock<Vec<Table>> = std::sync::OnceLock::new();
    let tables = TABLES.get_or_init(|| {
        FileKind::ALL
            .iter()
            .map(|&kind| {
                let closed: &[(&str, Shape)] = if kind == FileKind::Generic {
                    &[]
                } else {
                    CLOSED_COMMON
                };
                let mut t = Table::default();
                for &(k, s) in allowlist(kind).iter().chain(closed).chain(COMMON) {
                    t.entry(k).or_insert(s);
                }
                t
            })
            .collect()
    });
    let i = FileKind::ALL.iter().position(|&k| k == kind)?;
    tables.get(i)?.get(key).copied()
}

/// Redacts a parsed document of `kind` (see the module docs). The counts say what the walk
/// replaced, by rule (placeholders count as `unvetted`).
pub fn redact_value(
    kind: FileKind,
    value: Value,
    p: &Pseudonymizer,
    options: SchemaOptions,
) -> (Value, Counts) {
    redact_value_with(kind, value, p, options, &mut Memo::default())
}

/// Pseudonyms already computed, kept across the documents of one file (the lines of a JSON
/// Lines log repeat their identities); bounded.
#[derive(Default)]
pub struct Memo {
    pseudonyms: std::collections::HashMap<
        Kind,
        std::collections::HashMap<String, std::sync::Arc<str>, crate::bytes::FnvBuild>,
        crate::bytes::FnvBuild,
    >,
    /// What the plugin's rules say of the keys seen so far.
    keys: crate::rules::KeyCache,
    /// User agents already rewritten (a log repeats its few).
    agents: std::collections::HashMap<String, std::sync::Arc<str>, crate::bytes::FnvBuild>,
    /// The one-pass reader's list of an object's written names, kept for its allocation.
    names: Vec<(usize, usize)>,
}

impl std::fmt::Debug for Memo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Memo").finish_non_exhaustive()
    }
}

/// [`redact_value`] with pseudonyms memoized in `memo`.
pub fn redact_value_with(
    kind: FileKind,
    value: Value,
    p: &Pseudonymizer,
    options: SchemaOptions,
    memo: &mut Memo,
) -> (Value, Counts) {
    let w = Walk {
        kind,
        p,
        options,
        counts: RefCell::new(Counts::default()),
        memo: RefCell::new(std::mem::take(memo)),
    };
    let v = w.top(value);
    *memo = w.memo.into_inner();
    (v, w.counts.into_inner())
}

struct Walk<'a> {
    kind: FileKind,
    p: &'a Pseudonymizer,
    options: SchemaOptions,
    counts: RefCell<Counts>,
    memo: RefCell<Memo>,
}

/// Where a value sits.
#[derive(Clone, Copy)]
enum Slot<'k> {
    /// Under a key (array elements inherit their array's key).
    Key(&'k str),
    /// A header's value under its (lowercased) name.
    Header(&'k str),
    /// An identity by position (snapshot and affinity values).
    Identity(Kind),
    /// Nothing allows it.
    None,
}

impl Walk<'_> {
    fn top(&self, value: Value) -> Value {
        match (self.kind, value) {
            // Keyed by identity key at the top.
            (FileKind::QuotaSnapshots, Value::Object(m)) => Value::Object(
                m.into_iter()
                    .map(|(k, v)| {
                        (
                            self.identity(Kind::Identity, &k).into_owned(),
                            self.value(v, Slot::None),
                        )
                    })
                    .collect(),
            ),
            // mode → map name → session key → timestamp or identity key.
            (FileKind::SessionAffinity, Value::Object(m)) => Value::Object(
                m.into_iter()
                    .map(|(mode, section)| {
                        let section = match section {
                            Value::Object(maps) => Value::Object(
                                maps.into_iter()
                                    .map(|(name, map)| {
                                        (self.named(&name, AFFINITY_MAPS), self.affinity_map(map))
                                    })
                                    .collect(),
                            ),
                            other => self.value(other, Slot::Key(&mode)),
                        };
                        (self.named(&mode, &["version", "native", "codex"]), section)
                    })
                    .collect(),
            ),
            (_, v) => self.value(v, Slot::None),
        }
    }

    fn affinity_map(&self, map: Value) -> Value {
        match map {
            Value::Object(entries) => Value::Object(
                entries
                    .into_iter()
                    .map(|(session, v)| {
                        (
                            self.identity(Kind::Session, &session).into_owned(),
                            self.value(v, Slot::Identity(Kind::Identity)),
                        )
                    })
                    .collect(),
            ),
            other => self.value(other, Slot::None),
        }
    }

    fn value(&self, v: Value, slot: Slot<'_>) -> Value {
        match v {
            Value::String(s) => match self.string(&s, slot) {
                Cow::Owned(o) => Value::String(o),
                // Kept as it is: moved, not copied.
                Cow::Borrowed(_) => Value::String(s),
            },
            Value::Array(a) => Value::Array(a.into_iter().map(|x| self.value(x, slot)).collect()),
            Value::Object(m) => self.object(m, slot),
            scalar => scalar,
        }
    }

    /// Whether a key of an object under `slot` is kept: shaped like a name, and, in a map
    /// whose keys are the user's own names ([`named_map`]), one the catalogue knows.
    fn key_kept(&self, slot: Slot<'_>, k: &str) -> bool {
        key_shaped(k)
            && match slot {
                Slot::Key(parent) => named_map(self.kind, parent).is_none_or(|ok| ok(k)),
                // The store's root: its one domain (another root key is the user's own).
                Slot::None if self.kind == FileKind::AccountStore => k == "openai",
                _ => true,
            }
    }

    fn object(&self, mut m: Map<String, Value>, slot: Slot<'_>) -> Value {
        let headers = matches!(slot, Slot::Key(k) if HEADER_MAPS.contains(&k));
        if m.keys().all(|k| self.key_kept(slot, k)) {
            // Every key is kept: the values are replaced where they are, in order.
            for (k, v) in m.iter_mut() {
                if self.options.drop_bodies && k == "body" {
                    self.count(Rule::BodyDropped);
                    *v = Value::String(crate::OMITTED.to_string());
                    continue;
                }
                let slot = if headers {
                    Slot::Header(k)
                } else {
                    Slot::Key(k)
                };
                *v = self.value(std::mem::take(v), slot);
            }
            return Value::Object(m);
        }
        let mut out = Map::new();
        for (k, v) in m {
            if self.options.drop_bodies && k == "body" {
                self.count(Rule::BodyDropped);
                out.insert(k, Value::String(crate::OMITTED.to_string()));
                continue;
            }
            let kept = self.key_kept(slot, &k);
            let v = self.value(
                v,
                if headers {
                    Slot::Header(&k)
                } else {
                    Slot::Key(&k)
                },
            );
            // A kept key is moved, not copied.
            let name = if kept {
                k
            } else {
                self.p.pseudonym(Kind::Name, k.as_bytes())
            };
            out.insert(name, v);
        }
        Value::Object(out)
    }

    /// A key of a closed set: kept when it is one of `names`, else a `name_…` pseudonym.
    fn named(&self, k: &str, names: &[&str]) -> String {
        if names.contains(&k) {
            k.to_string()
        } else {
            self.p.pseudonym(Kind::Name, k.as_bytes())
        }
    }

    fn count(&self, rule: Rule) {
        self.counts.borrow_mut().add(rule);
    }

    fn identity<'s>(&self, kind: Kind, v: &'s str) -> Cow<'s, str> {
        self.identity_stand(kind, v).into_cow()
    }

    /// [`Walk::identity`] as a [`Stand`]: a remembered pseudonym is shared, not copied.
    fn identity_stand<'s>(&self, kind: Kind, v: &'s str) -> Stand<'s> {
        if looks_like_pseudonym(v.as_bytes()) || crate::rules::is_marker(v.as_bytes()) {
            Stand::Kept(v)
        } else {
            self.count(match kind {
                Kind::Email => Rule::Email,
                Kind::Identity => Rule::IdentityKey,
                Kind::Session => Rule::SessionId,
                _ => Rule::MetaKey,
            });
            let mut memo = self.memo.borrow_mut();
            let memo = memo.pseudonyms.entry(kind).or_default();
            if let Some(p) = memo.get(v) {
                return Stand::Shared(p.clone());
            }
            if memo.len() >= 4096 {
                memo.clear();
            }
            let p: std::sync::Arc<str> = self.p.pseudonym(kind, v.as_bytes()).into();
            memo.insert(v.to_string(), p.clone());
            Stand::Shared(p)
        }
    }

    /// [`user_agent`] of `s`, remembered (a log repeats its few agents).
    fn user_agent(&self, s: &str) -> std::sync::Arc<str> {
        let mut memo = self.memo.borrow_mut();
        if let Some(a) = memo.agents.get(s) {
            return a.clone();
        }
        if memo.agents.len() >= 256 {
            memo.agents.clear();
        }
        let a: std::sync::Arc<str> = user_agent(s).into();
        memo.agents.insert(s.to_string(), a.clone());
        a
    }

    /// What stands for the string `s` under `slot`: `s` itself (borrowed) when it is kept.
    fn string<'s>(&self, s: &'s str, slot: Slot<'_>) -> Cow<'s, str> {
        self.stand(s, slot).into_cow()
    }

    /// [`Walk::string`] as a [`Stand`], for a writer that needs no `String` for it.
    fn stand<'s>(&self, s: &'s str, slot: Slot<'_>) -> Stand<'s> {
        let shape = match slot {
            Slot::Key(k) => shape_of(self.kind, k),
            Slot::Header(name) => SAFE_HEADERS
                .iter()
                .find(|(h, _)| h.eq_ignore_ascii_case(name))
                .map(|&(_, shape)| shape),
            Slot::Identity(kind) => Some(Shape::Identity(kind)),
            Slot::None => None,
        };
        match shape {
            Some(Shape::Identity(kind)) => return self.identity_stand(kind, s),
            // A user agent fits when its rewrite is itself (`fits`), found once per agent.
            Some(Shape::UserAgent) if !s.is_empty() => {
                let a = self.user_agent(s);
                if *a == *s {
                    return Stand::Kept(s);
                }
                if !fits(Shape::Marker, s) {
                    self.count(Rule::Unvetted);
                    return Stand::Shared(a);
                }
            }
            Some(shape) if fits(shape, s) => return Stand::Kept(s),
            Some(Shape::UserAgent) if !fits(Shape::Marker, s) => {
                self.count(Rule::Unvetted);
                return Stand::Other(user_agent(s));
            }
            _ => {}
        }
        // A marker the writer put there stays under any key (`Bearer [redacted]`).
        if fits(Shape::Marker, s) {
            return Stand::Kept(s);
        }
        // What the plugin's rules say of the key: identities by key become pseudonyms (so a
        // session followed across files keeps one name), an auth scheme stays before
        // `[redacted]`, every other value is a placeholder counted under its rule.
        let (key, site) = match slot {
            Slot::Key(k) => (Some(k), KeySite::Json),
            Slot::Header(k) => (Some(k), KeySite::HeaderLine),
            _ => (None, KeySite::Json),
        };
        let class = key.and_then(|k| {
            // `classify_key` of the lowercased key, from the memo (on the stack; a key
            // longer than 80 bytes names nothing).
            let mut low = [0u8; 80];
            let low = low.get_mut(..k.len())?;
            for (d, c) in low.iter_mut().zip(k.bytes()) {
                *d = c.to_ascii_lowercase();
            }
            self.memo.borrow_mut().keys.classify(low, site, false)
        });
        match class.map(|c| (c.rule, c.action)) {
            Some((_, Action::Pseudonym(kind))) => self.identity_stand(kind, s),
            Some((rule, Action::KeepScheme)) => {
                self.count(rule);
                match s.split_once(' ') {
                    Some((scheme, _))
                        if scheme.len() <= 16
                            && scheme.bytes().all(|c| c.is_ascii_alphabetic()) =>
                    {
                        Stand::Other(format!("{scheme} {}", crate::REDACTED))
                    }
                    _ => Stand::Placeholder(s.chars().count()),
                }
            }
            Some((rule, _)) => {
                self.count(rule);
                Stand::Placeholder(s.chars().count())
            }
            None => {
                self.count(Rule::Unvetted);
                Stand::Placeholder(s.chars().count())
            }
        }
    }
}

/// The strings (values and keys) of `value` that its kind's schema replaces with a
/// placeholder or a `name_…` pseudonym. A caller registers them as known values, so that a
/// text elsewhere that quotes one (the doctor's report: "found string (\"…\")", "unknown
/// keys are ignored: …") loses it too. Identities are not listed (they have pseudonyms).
pub fn replaced_strings(kind: FileKind, value: &Value) -> Vec<String> {
    let p = Pseudonymizer::with_key(&[0; 32]);
    let (out, _) = redact_value(kind, value.clone(), &p, SchemaOptions { drop_bodies: true });
    let mut found = Vec::new();
    diff(value, &out, &mut found);
    found
}

/// Pairs `before` with its redaction `after`, collecting what became a placeholder.
fn diff(before: &Value, after: &Value, found: &mut Vec<String>) {
    match (before, after) {
        (Value::String(b), Value::String(a)) if a != b && a.starts_with("<string:") => {
            found.push(b.clone());
        }
        (Value::Array(b), Value::Array(a)) => {
            for (x, y) in b.iter().zip(a) {
                diff(x, y, found);
            }
        }
        (Value::Object(b), Value::Object(a)) => {
            for (k, x) in b {
                match a.get(k) {
                    Some(y) => diff(x, y, found),
                    None => {
                        // The key was replaced; its value is found under its pseudonym.
                        found.push(k.clone());
                        let name =
                            Pseudonymizer::with_key(&[0; 32]).pseudonym(Kind::Name, k.as_bytes());
                        if let Some(y) = a.get(&name) {
                            diff(x, y, found);
                        }
                    }
                }
            }
        }
        _ => {}
    }
}

/// The test for the keys of a map whose keys are the user's own names (OpenCode's
/// `provider`, `mcp`, `agent`, `mode`, `command`; the plugin's `customModels` and
/// `perModel`): a provider id OpenCode ships, a built-in agent, a model slug; any other name
/// (a company's provider, an internal MCP server, a custom model) becomes a `name_…`
/// pseudonym. `None` for any other map.
fn named_map(kind: FileKind, parent: &str) -> Option<fn(&str) -> bool> {
    match (kind, parent) {
        (FileKind::OpencodeConfig, "provider") => Some(|k| cat::has(cat::PROVIDERS, k)),
        (FileKind::OpencodeConfig, "agent" | "mode") => Some(|k| cat::has(cat::AGENTS, k)),
        (FileKind::OpencodeConfig, "mcp" | "command")
        | (FileKind::PluginConfig, "customModels") => Some(|_| false),
        (FileKind::PluginConfig, "perModel") => Some(model),
        // Red team, round 8: more maps keyed by the user's own names — a provider's
        // `models` (a model slug stays), their `variants` (an effort level stays), language
        // servers, formatters and `tools` (OpenCode's built-in tools stay).
        (FileKind::OpencodeConfig, "models") => Some(model),
        (FileKind::OpencodeConfig | FileKind::PluginConfig, "variants") => Some(|k| {
            matches!(
                k,
                "none" | "minimal" | "low" | "medium" | "high" | "xhigh" | "default" | "fast"
            )
        }),
        // `permission.bash`'s keys are command patterns (`"git push *": "ask"`): any may
        // name a host, a path or a person.
        (FileKind::OpencodeConfig, "lsp" | "formatter" | "bash") => Some(|_| false),
        (FileKind::OpencodeConfig, "tools") => Some(|k| {
            matches!(
                k,
                "bash"
                    | "edit"
                    | "write"
                    | "read"
                    | "grep"
                    | "glob"
                    | "list"
                    | "patch"
                    | "todowrite"
                    | "todoread"
                    | "webfetch"
                    | "websearch"
                    | "task"
                    | "lsp"
                    | "skill"
                    | "*"
            )
        }),
        _ => None,
    }
}

/// What stands for a string in a rewritten document: the string itself, the placeholder
/// of a string of N characters, a remembered pseudonym, or another text.
enum Stand<'s> {
    Kept(&'s str),
    Placeholder(usize),
    Shared(std::sync::Arc<str>),
    Other(String),
}

impl<'s> Stand<'s> {
    fn into_cow(self) -> Cow<'s, str> {
        match self {
            Stand::Kept(s) => Cow::Borrowed(s),
            Stand::Placeholder(n) => Cow::Owned(format!("<string:{n}>")),
            Stand::Shared(p) => Cow::Owned(p.to_string()),
            Stand::Other(o) => Cow::Owned(o),
        }
    }
}

/// `<string:N>` for a string of N characters.
pub fn placeholder(s: &str) -> String {
    format!("<string:{}>", s.chars().count())
}

/// Whether a key has the shape of a name rather than of data: letters, digits and
/// `_-.$:/`, at most 64 bytes, not opaque (no `@`, `|`, spaces or non-ASCII).
fn key_shaped(k: &str) -> bool {
    static NAME: crate::bytes::ByteSet = crate::bytes::ByteSet::new(true, false, b"_-.$:/");
    let b = k.as_bytes();
    if b.is_empty() || b.len() > 64 {
        return false;
    }
    let mut colon = false;
    for &c in b {
        if !NAME.has(c) {
            return false;
        }
        colon |= c == b':';
    }
    let url = colon && memchr::memchr_iter(b':', b).any(|i| b[i..].starts_with(b"://"));
    !url && !opaque(k)
}

/// A run that reads like an id rather than a word: a run of letters and digits of 16 or
/// more that mixes case and digits or is hex with digits, or more than 12 digits in a row.
fn opaque(s: &str) -> bool {
    // Either needs 13 bytes or more.
    if s.len() < 13 {
        return false;
    }
    let (mut len, mut digits) = (0usize, 0usize);
    let (mut up, mut lo, mut dig, mut hex) = (false, false, false, true);
    for c in s.bytes().chain(std::iter::once(b' ')) {
        if c.is_ascii_alphanumeric() {
            len += 1;
            if c.is_ascii_digit() {
                digits += 1;
                if digits > 12 {
                    return true;
                }
                dig = true;
            } else {
                digits = 0;
            }
            up |= c.is_ascii_uppercase();
            lo |= c.is_ascii_lowercase();
            hex &= c.is_ascii_hexdigit();
        } else {
            if len >= 16 && dig && ((up && lo) || hex) {
                return true;
            }
            (len, digits) = (0, 0);
            (up, lo, dig, hex) = (false, false, false, true);
        }
    }
    false
}

/// Whether `s` has `shape`.
pub fn fits(shape: Shape, s: &str) -> bool {
    match shape {
        Shape::Word => word(s, b"._:/-"),
        Shape::Time => time(s),
        Shape::Version => version(s),
        Shape::Number => {
            !s.is_empty()
                && s.len() <= 24
                && s.bytes().any(|c| c.is_ascii_digit())
                && s.bytes()
                    .all(|c| c.is_ascii_digit() || b".-+eE".contains(&c))
        }
        Shape::Url => url(s),
        Shape::HeaderValue => {
            // Catalogued words (media types, encodings, parameters) or numbers joined by
            // `=`, in a list separated by `;` or `,` (each may be followed by one space):
            // `text/event-stream; charset=utf-8`.
            let joined = s.replace("; ", ";").replace(", ", ",");
            s.len() <= 128
                && !joined.contains(' ')
                && joined
                    .split([';', ','])
                    .all(|part| part.split('=').all(header_part_ok))
        }
        Shape::OneOf(sets) => sets.iter().any(|set| cat::has(set, s)) || short_number(s),
        Shape::Model => model(s),
        Shape::Id => id(s),
        Shape::File => file(s),
        Shape::UserAgent => !s.is_empty() && user_agent(s) == s,
        Shape::Package => package(s),
        Shape::Message => s.len() <= 512 && s.split_ascii_whitespace().all(message_token),
        Shape::Phrase => {
            !s.is_empty()
                && s.len() <= 120
                && s.split(|c: char| c == ' ' || ",.;:!?()'-".contains(c))
                    .filter(|w| !w.is_empty())
                    .all(|w| {
                        (w.len() <= 24 && w.bytes().all(|c| c.is_ascii_alphabetic()))
                            || (w.len() <= 6 && w.bytes().all(|c| c.is_ascii_digit()))
                    })
        }
        Shape::Marker => {
            crate::rules::is_marker(s.as_bytes())
                || looks_like_pseudonym(s.as_bytes())
                || s.strip_suffix(" [redacted]").is_some_and(|scheme| {
                    ["bearer", "basic", "digest", "token"]
                        .iter()
                        .any(|w| scheme.eq_ignore_ascii_case(w))
                })
        }
        Shape::Identity(_) => false,
    }
}

/// One whitespace-separated token of a [`Shape::Message`], around its punctuation.
fn message_token(tok: &str) -> bool {
    let core = tok
        .trim_start_matches(['(', '[', '{', '"', '\''])
        .trim_end_matches([')', ']', '}', '"', '\'', '.', ',', ':', ';', '!', '?']);
    if !core.bytes().any(|c| c.is_ascii_alphanumeric()) || crate::vocabulary::known(core) {
        return true;
    }
    let b = core.as_bytes();
    let digits = |s: &str| !s.is_empty() && s.len() <= 6 && s.bytes().all(|c| c.is_ascii_digit());
    if digits(core)
        || ["ms", "s"]
            .iter()
            .any(|u| core.strip_suffix(u).is_some_and(digits))
    {
        return true;
    }
    if crate::keyed::is_error_code(b) {
        return true;
    }
    // `invalid_grant`, `self-signed`, `certificate's`, `Hostname/IP`: every part a word of
    // the messages.
    if core.contains(['_', '-', '\'', '/']) && !core.contains("//") {
        return core
            .split(['_', '-', '\'', '/'])
            .all(|w| crate::vocabulary::known(w) || w == "s");
    }
    // A loopback address or a host the plugin talks to, with or without its port.
    let host = match core.rsplit_once(':') {
        Some((h, port)) if digits(port) && !h.is_empty() => h,
        _ => core,
    };
    // `[::1]:1455` lost its `[` with the punctuation around the token.
    let host = host.strip_suffix(']').unwrap_or(host);
    cat::has(cat::LOOPBACK, host) || cat::has(HOSTS, host) || url(core)
}

/// Letters, digits and `extra`, at most 64 bytes, starting with a letter or digit, not
/// opaque.
fn word(s: &str, extra: &[u8]) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.as_bytes()[0].is_ascii_alphanumeric()
        && s.bytes()
            .all(|c| c.is_ascii_alphanumeric() || extra.contains(&c))
        && !opaque(s)
}

fn time(s: &str) -> bool {
    let b = s.as_bytes();
    let date = b.len() >= 10
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[5..7].iter().all(u8::is_ascii_digit)
        && b[7] == b'-'
        && b[8..10].iter().all(u8::is_ascii_digit);
    // After the date: digits, separators and short hex runs (a run id's pid and UUID head).
    date && s.len() <= 48
        && b[10..]
            .iter()
            .all(|&c| c.is_ascii_digit() || b"-:.+TZ".contains(&c) || (b'a'..=b'f').contains(&c))
        && b[10..]
            .split(|c| !c.is_ascii_alphanumeric())
            .all(|run| run.len() <= 8)
}

/// Whether a run of a user agent (letters, digits and `._-` between its separators) stays:
/// a catalogued word ([`cat::AGENT_WORDS`]), or pieces between `._-+` each a number of at
/// most eight digits, a catalogued word or a version word (`6.8.0-generic`, `1.2.3-beta`).
pub(crate) fn agent_run_ok(run: &str) -> bool {
    cat::has(cat::AGENT_WORDS, run)
        || run.split(['.', '-', '_', '+']).all(|p| {
            (p.len() <= 8 && p.bytes().all(|c| c.is_ascii_digit()))
                || cat::has(cat::AGENT_WORDS, p)
                || cat::has(cat::VERSION_WORDS, p)
        })
}

/// Whether a part of a header value (between `;`, `,` and `=`) stays: a catalogued word
/// ([`cat::HEADER_WORDS`]) or a short number.
pub(crate) fn header_part_ok(w: &str) -> bool {
    cat::has(cat::HEADER_WORDS, w) || short_number(w)
}

/// `[rust-v|v]<digits>…`: every piece (between `.`, `-`, `+`) a number or a pre-release or
/// build word ([`crate::catalog::VERSION_WORDS`]: `1.2.3-beta.1`, `0.144.0`).
fn version(s: &str) -> bool {
    let core = s
        .strip_prefix("rust-v")
        .or_else(|| s.strip_prefix('v'))
        .unwrap_or(s);
    !core.is_empty()
        && core.len() <= 32
        && core.as_bytes()[0].is_ascii_digit()
        && core.split(['.', '-', '+']).all(|p| {
            (!p.is_empty() && p.len() <= 12 && p.bytes().all(|c| c.is_ascii_digit()))
                || cat::has(cat::VERSION_WORDS, p)
        })
}

/// Hex with a digit, or a whole group of a UUID (4, 8 or 12 hex digits).
fn hex_piece(p: &str) -> bool {
    !p.is_empty()
        && p.len() <= 32
        && p.bytes().all(|c| c.is_ascii_hexdigit())
        && (p.bytes().any(|c| c.is_ascii_digit()) || matches!(p.len(), 4 | 8 | 12))
}

/// See [`Shape::Id`].
fn id(s: &str) -> bool {
    const PREFIXES: &[&str] = &[
        "req", "request", "resp", "response", "msg", "call", "run", "item",
    ];
    !s.is_empty()
        && s.len() <= 64
        && s.split(['-', '_']).all(|p| {
            (!p.is_empty() && p.len() <= 13 && p.bytes().all(|c| c.is_ascii_digit()))
                || hex_piece(p)
                || cat::has(PREFIXES, p)
        })
}

/// See [`Shape::File`].
fn file(s: &str) -> bool {
    const WORDS: &[&str] = &[
        "incident",
        "segment",
        "jsonl",
        "json",
        "log",
        "manifestless",
        "recovery",
        "state",
    ];
    !s.is_empty()
        && s.len() <= 128
        && s.split(['-', '.', '_']).all(|p| {
            let digits = p.bytes().filter(u8::is_ascii_digit).count();
            let time = digits > 0
                && digits + 2 >= p.len()
                && p.bytes()
                    .all(|c| c.is_ascii_digit() || c == b'T' || c == b'Z');
            cat::has(WORDS, p) || time || hex_piece(p)
        })
}

/// A number of at most 9 digits, perhaps with a fraction (`0.9`, `429`).
fn short_number(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 12
        && s.bytes().filter(u8::is_ascii_digit).count() <= 9
        && s.bytes().any(|c| c.is_ascii_digit())
        && s.bytes().all(|c| c.is_ascii_digit() || c == b'.')
}

/// `[provider/]slug`, every piece of the slug a model word or a number (see [`Shape::Model`]).
fn model(s: &str) -> bool {
    let (provider, slug) = match s.split_once('/') {
        Some((p, rest)) => (Some(p), rest),
        None => (None, s),
    };
    s.len() <= 64
        && provider.is_none_or(|p| cat::has(cat::PROVIDERS, p))
        && !slug.is_empty()
        && slug.split(['-', '.', ':', '_']).all(|piece| {
            let digits = piece.bytes().take_while(u8::is_ascii_digit).count();
            let unit = &piece[digits..];
            cat::has(cat::MODEL_WORDS, piece)
                || (digits > 0
                    && digits <= 8
                    && (unit.is_empty() || ["b", "k", "m", "o", "t", "x"].contains(&unit)))
        })
}

/// A `user-agent` with every run of `[A-Za-z0-9._-]` that is not a product or platform
/// word, a version or a number replaced by its placeholder (see [`Shape::UserAgent`]).
fn user_agent(s: &str) -> String {
    let run_ok = agent_run_ok;
    let is_run = |c: char| c.is_ascii_alphanumeric() || "._-".contains(c);
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while !rest.is_empty() {
        let sep = rest.find(|c: char| !is_run(c)).unwrap_or(rest.len());
        let (run, tail) = rest.split_at(sep);
        if !run.is_empty() {
            if run_ok(run) {
                out.push_str(run);
            } else {
                out.push_str(&placeholder(run));
            }
        }
        let mut chars = tail.chars();
        if let Some(c) = chars.next() {
            // A separator stays when it is plain ASCII punctuation or a space.
            if c == ' ' || "/();,:[]".contains(c) {
                out.push(c);
            } else {
                out.push_str(&placeholder(&c.to_string()));
            }
        }
        rest = chars.as_str();
    }
    out
}

fn url(s: &str) -> bool {
    let (rest, path) = if let Some(r) = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"))
    {
        let (host, path) = r.split_at(r.find('/').unwrap_or(r.len()));
        let host = host
            .rsplit_once(':')
            .filter(|(_, port)| port.bytes().all(|c| c.is_ascii_digit()))
            .map_or(host, |(h, _)| h);
        (HOSTS.contains(&host), path)
    } else {
        (s.starts_with('/'), s)
    };
    rest && s.len() <= 256
        && !path.contains(['?', '#', '@', '%'])
        && path
            .split('/')
            .all(|seg| seg.is_empty() || cat::path_word(seg) || version(seg) || short_number(seg))
}

/// `[@scope/]name[@tag]`: the tag a version (`1.2.3`, `^1.2`) or a word without dots
/// (`latest`), so `user@example.org` is not a package.
fn package(s: &str) -> bool {
    let (scope, rest) = match s.strip_prefix('@') {
        Some(r) => match r.split_once('/') {
            Some((scope, rest)) => (Some(scope), rest),
            None => return false,
        },
        None => (None, s),
    };
    let (name, tag) = match rest.split_once('@') {
        Some((n, t)) => (n, Some(t)),
        None => (rest, None),
    };
    let tag_ok = tag.is_none_or(|t| {
        let v = t.trim_start_matches(['^', '~']);
        version(v) || (word(t, b"-_") && !t.contains('.'))
    });
    scope.is_none_or(|sc| word(sc, b"._-")) && word(name, b"._-") && tag_ok
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn p() -> Pseudonymizer {
        Pseudonymizer::with_key(&[4; 32])
    }

    /// `v` through the schema of `kind` (bodies dropped), as the bundle reads it.
    pub(super) fn walk(kind: FileKind, v: Value) -> Value {
        redact_value(kind, v, &p(), SchemaOptions { drop_bodies: true }).0
    }

    #[test]
    fn shapes() {
        for ok in [
            "sticky",
            "fetch_attempt_response",
            "gpt-5.1-codex",
            "openai/gpt-5",
            "POST",
            "TypeError",
            "429",
        ] {
            assert!(fits(Shape::Word, ok), "{ok}");
        }
        for bad in [
            "hello world",
            "Zq8vN2mX7pL4kR9tW3yB",
            "a@b.co",
            "",
            "x\"y",
            "12345678901234",
        ] {
            assert!(!fits(Shape::Word, bad), "{bad}");
        }
        assert!(fits(Shape::Time, "2026-01-02T03:04:05.678Z"));
        assert!(fits(Shape::Time, "2026-01-02T03-04-05-678Z-4242-ab12cd34"));
        assert!(!fits(Shape::Time, "2026-01-02 secret"));
        assert!(fits(Shape::Version, "rust-v0.144.0") && fits(Shape::Version, "0.144.0"));
        assert!(fits(
            Shape::Url,
            "https://chatgpt.com/backend-api/codex/responses"
        ));
        assert!(fits(Shape::Url, "http://127.0.0.1:1455/auth/callback"));
        assert!(fits(Shape::Url, "/backend-api/codex/responses"));
        for bad in [
            "https://evil.example.com/x",
            "https://chatgpt.com/cb?code=abc",
            "https://user:pw@chatgpt.com/",
            "https://chatgpt.com/u/Zq8vN2mX7pL4kR9tW3yB",
        ] {
            assert!(!fits(Shape::Url, bad), "{bad}");
        }
        assert!(fits(
            Shape::Package,
            "@iam-brain/opencode-codex-auth@latest"
        ));
        assert!(!fits(Shape::Package, "file:///home/bob/plugin"));
        assert!(!fits(Shape::Package, "bob.smith@example.org"));
        assert!(fits(Shape::Package, "opencode-wakatime") && fits(Shape::Package, "pkg@^1.2.3"));
        assert!(fits(Shape::Marker, "Bearer [redacted]") && fits(Shape::Marker, "ident_0123abcd"));
    }

    #[test]
    fn closed_sets_keep_only_their_catalogue() {
        let out = walk(
            FileKind::ShareableDebug,
            json!({"event": "fetch_attempt_response", "authMode": "native",
                   "rotationStrategy": "round_robin", "outcome": "sigterm", "status": 429,
                   "attemptReasonCode": "retry_same_account_after_429", "errorName": "TypeError",
                   "decision": "sticky-session-reuse", "method": "POST"}),
        );
        for key in [
            "event",
            "authMode",
            "rotationStrategy",
            "outcome",
            "attemptReasonCode",
            "errorName",
            "decision",
            "method",
        ] {
            assert!(!out[key].as_str().unwrap().starts_with('<'), "{key}: {out}");
        }
        // A made-up word of a word's shape under each closed key: a placeholder.
        for key in [
            "event",
            "authMode",
            "rotationStrategy",
            "outcome",
            "attemptReasonCode",
            "errorName",
            "decision",
            "reason",
            "method",
            "code",
            "type",
            "level",
        ] {
            let out = walk(FileKind::ShareableDebug, json!({ key: "zorvsdevent" }));
            assert_eq!(out[key], "<string:11>", "{key}");
        }
        for key in [
            "event",
            "status",
            "code",
            "mode",
            "authMode",
            "host",
            "stateTail",
        ] {
            let out = walk(
                FileKind::LifecycleLog,
                json!({"event": "callback_hit", "meta": { key: "zorvolword" }}),
            );
            assert_eq!(out["meta"][key], "<string:10>", "{key}");
            assert_eq!(out["event"], "callback_hit");
        }
        // An error's or reason's message stays when every word is the software's.
        for key in ["error", "reason"] {
            let out = walk(
                FileKind::LifecycleLog,
                json!({"event": "callback_error", "meta": { key: "State mismatch" }}),
            );
            assert_eq!(out["meta"][key], "State mismatch", "{key}");
            let out = walk(
                FileKind::LifecycleLog,
                json!({"event": "callback_error", "meta": { key: "State mismatch for zorvolword" }}),
            );
            assert_eq!(out["meta"][key], "<string:29>", "{key}");
        }
        let out = walk(
            FileKind::LifecycleLog,
            json!({"event": "token_exchange_error", "meta": {"code": "invalid_grant",
                   "host": "127.0.0.1", "signal": "SIGINT", "mode": "headless"}}),
        );
        assert_eq!(out["meta"]["code"], "invalid_grant");
        assert_eq!(out["meta"]["host"], "127.0.0.1");
        assert_eq!(out["meta"]["signal"], "SIGINT");
        assert_eq!(out["meta"]["mode"], "headless");
        // Generic JSON has no catalogue: its words stay for the gate to judge.
        let out = walk(FileKind::Generic, json!({"event": "custom_event"}));
        assert_eq!(out["event"], "custom_event");
    }

    #[test]
    fn headers_models_and_urls_are_closed_too() {
        let out = walk(
            FileKind::LiveHeaders,
            json!({"stage": "before-auth", "method": "POST", "meta": {"attempt": 2},
                   "url": "https://chatgpt.com/backend-api/codex/responses",
                   "headers": {"originator": "codex_cli_rs", "accept": "text/event-stream",
                   "user-agent": "opencode/1.10.0 (linux 6.8.0-45-generic; x64) WezTerm/20240203",
                   "openai-beta": "responses=experimental", "retry-after": "12"}}),
        );
        assert_eq!(out["headers"]["originator"], "codex_cli_rs");
        assert_eq!(out["headers"]["accept"], "text/event-stream");
        assert_eq!(out["headers"]["openai-beta"], "responses=experimental");
        assert_eq!(out["headers"]["retry-after"], "12");
        assert_eq!(
            out["headers"]["user-agent"],
            "opencode/1.10.0 (linux 6.8.0-45-generic; x64) WezTerm/20240203"
        );
        assert_eq!(out["meta"]["attempt"], 2);
        let out = walk(
            FileKind::LiveHeaders,
            json!({"stage": "zorvlhstage", "meta": {"attempt": "zorvmtattemp"},
                   "url": "https://chatgpt.com/backend-api/zorvelpath/responses",
                   "headers": {"originator": "zorvorig", "accept": "zorvhdaccept",
                   "openai-beta": "zorvhd=experimental",
                   "user-agent": "zorvhduserag/1.2.3 (linux; x64) opencode"}}),
        );
        assert_eq!(out["stage"], "<string:11>");
        assert_eq!(out["meta"]["attempt"], "<string:12>");
        assert_eq!(out["url"], "<string:52>");
        assert_eq!(out["headers"]["originator"], "<string:8>");
        assert_eq!(out["headers"]["accept"], "<string:12>");
        assert_eq!(out["headers"]["openai-beta"], "<string:19>");
        assert_eq!(
            out["headers"]["user-agent"],
            "<string:12>/1.2.3 (linux; x64) opencode"
        );
        for (ok, model) in [
            (true, "gpt-5.1-codex-max"),
            (true, "openai/gpt-5"),
            (true, "o4-mini"),
            (true, "gpt-oss-120b"),
            (true, "claude-sonnet-4-5-20250929"),
            (false, "zorvprov/gpt-5"),
            (false, "openai/zorvmodelx"),
            (false, "ft:gpt-4o:zorvelorg:custom:abc123"),
            (false, "gpt-5-Qz07Kv8Rw3"),
        ] {
            assert_eq!(fits(Shape::Model, model), ok, "{model}");
        }
        let out = walk(
            FileKind::PluginConfig,
            json!({"runtime": {"rotationStrategy": "zorvquinax", "mode": "codex"},
                   "personality": "zorvpersona"}),
        );
        assert_eq!(out["runtime"]["rotationStrategy"], "<string:10>");
        assert_eq!(out["runtime"]["mode"], "codex");
        assert_eq!(out["personality"], "<string:11>");
    }

    #[test]
    fn replaced_strings_lists_what_the_schema_replaced() {
        let doc = json!({"runtime": {"mode": "zorvmode", "rotationStrategy": "sticky"},
                         "Bob Smith": {"x": 1}, "global": {"personality": "friendly"}});
        let mut found = replaced_strings(FileKind::PluginConfig, &doc);
        found.sort();
        assert_eq!(found, vec!["Bob Smith".to_string(), "zorvmode".to_string()]);
        let doc = json!({"model": "openai/zorvmodelx", "theme": "opencode"});
        assert_eq!(
            replaced_strings(FileKind::OpencodeConfig, &doc),
            vec!["openai/zorvmodelx".to_string()]
        );
    }

    #[test]
    fn maps_keyed_by_the_users_own_names_keep_only_catalogued_names() {
        let out = walk(
            FileKind::OpencodeConfig,
            json!({"provider": {"openai": {"npm": "@ai-sdk/openai"}, "zorvel-labs": {"npm": "x"}},
                   "mcp": {"zorvel-notes": {"type": "local"}}, "agent": {"build": {}, "zorvagent": {}}}),
        );
        let name = |k: &str| p().pseudonym(Kind::Name, k.as_bytes());
        assert_eq!(out["provider"]["openai"]["npm"], "@ai-sdk/openai");
        assert_eq!(out["provider"][name("zorvel-labs").as_str()]["npm"], "x");
        assert_eq!(out["mcp"][name("zorvel-notes").as_str()]["type"], "local");
        // Maps of the user's own names beyond these (red team, round 8).
        let more = walk(
            FileKind::OpencodeConfig,
            json!({"provider": {"openai": {"models": {"gpt-5": {"variants": {"high": {}, "zorvel-tier": {}}}, "zorvel-model": {}}}},
                   "lsp": {"zorvel-ls": {"command": ["x"]}}, "tools": {"bash": true, "zorvel_tool": false},
                   "permission": {"bash": {"ssh zorvel-host": "ask", "*": "allow"}}}),
        );
        let text = more.to_string();
        assert!(!text.contains("zorvel"), "{text}");
        assert!(
            more["provider"]["openai"]["models"]["gpt-5"]["variants"]["high"].is_object(),
            "{text}"
        );
        assert_eq!(more["tools"]["bash"], true, "{text}");
        assert!(out["agent"].get("build").is_some());
        assert!(out["agent"].get("zorvagent").is_none(), "{out}");
        let out = walk(
            FileKind::PluginConfig,
            json!({"perModel": {"gpt-5.1-codex": {"reasoningEffort": "high"}},
                   "customModels": {"zorvel-special": {"targetModel": "gpt-5"}}}),
        );
        assert_eq!(out["perModel"]["gpt-5.1-codex"]["reasoningEffort"], "high");
        assert_eq!(
            out["customModels"][name("zorvel-special").as_str()]["targetModel"],
            "gpt-5"
        );
        let mut found = replaced_strings(
            FileKind::OpencodeConfig,
            &json!({"provider": {"zorvel-labs": {}}}),
        );
        found.sort();
        assert_eq!(found, vec!["zorvel-labs".to_string()]);
    }

    #[test]
    fn affinity_modes_and_maps_are_closed_sets() {
        let out = walk(
            FileKind::SessionAffinity,
            json!({"version": 1, "sessions": {"ses_zorvaffin": {"updatedAt": 1}},
                   "native": {"ses_zorvother": {"x": 1}, "seenSessionKeys": {}}}),
        );
        let text = out.to_string();
        assert!(
            !text.contains("zorvaffin") && !text.contains("zorvother"),
            "{text}"
        );
        assert!(out["native"].get("seenSessionKeys").is_some(), "{out}");
        assert_eq!(out["version"], 1);
    }

    #[test]
    fn ids_file_names_and_versions_are_closed_too() {
        for (ok, v) in [
            (true, "req-1"),
            (true, "resp_68c0a1b2c3d4e5f6"),
            (true, "1"),
            (false, "quinmorel"),
            (false, "req-bramelfen"),
        ] {
            assert_eq!(fits(Shape::Id, v), ok, "{v}");
        }
        for (ok, v) in [
            (
                true,
                "incident-2025-01-01T00-00-00-000Z-1a2b3c4d-1a2b-4c3d-8e9f-0a1b2c3d4e5f.jsonl",
            ),
            (true, "segment-0000000000000001.jsonl"),
            (false, "incident-lumedrax.jsonl"),
            (false, "fenmoral.jsonl"),
        ] {
            assert_eq!(fits(Shape::File, v), ok, "{v}");
        }
        for (ok, v) in [
            (true, "0.144.0"),
            (true, "rust-v0.144.0"),
            (true, "1.2.3-beta.1"),
            (false, "0.144.0-quinlumel"),
            (false, "rust-v0.144.0-dravelon"),
        ] {
            assert_eq!(fits(Shape::Version, v), ok, "{v}");
        }
        let out = walk(
            FileKind::AccountStore,
            json!({"openai": {"type": "oauth"}, "moralquin": {"type": "oauth"}}),
        );
        assert_eq!(out["openai"]["type"], "oauth");
        assert!(out.get("moralquin").is_none(), "{out}");
    }

    #[test]
    fn unknown_keys_get_placeholders_and_data_keys_pseudonyms() {
        let out = walk(
            FileKind::Generic,
            json!({"event": "x_happened", "note": "hello", "n": 3, "ok": true,
                   "bob@example.com": {"status": "fail"}, "list": ["a", "b c"]}),
        );
        assert_eq!(out["event"], "x_happened");
        assert_eq!(out["note"], "<string:5>");
        assert_eq!(out["n"], 3);
        assert_eq!(out["ok"], true);
        assert_eq!(out["list"], json!(["<string:1>", "<string:3>"]));
        let name = p().pseudonym(Kind::Name, b"bob@example.com");
        assert_eq!(out[name.as_str()]["status"], "fail");
    }

    #[test]
    fn keys_by_position_are_pseudonyms() {
        let out = walk(
            FileKind::QuotaSnapshots,
            json!({"acc_1|a@b.co|plus": {"updatedAt": 1, "modelFamily": "codex",
                   "limits": [{"name": "requests", "leftPct": 75}], "credits": {"balance": "12.5"}}}),
        );
        let ident = p().pseudonym(Kind::Identity, b"acc_1|a@b.co|plus");
        let snap = &out[ident.as_str()];
        assert_eq!(snap["modelFamily"], "codex");
        assert_eq!(snap["limits"][0]["name"], "requests");
        assert_eq!(snap["credits"]["balance"], "12.5");
        let out = walk(
            FileKind::SessionAffinity,
            json!({"version": 1, "native": {"stickyBySessionKey": {"ses_abc": "acc|a@b.co|plus"},
                   "seenSessionKeys": {"ses_abc": 5}}}),
        );
        let sess = p().pseudonym(Kind::Session, b"ses_abc");
        let ident = p().pseudonym(Kind::Identity, b"acc|a@b.co|plus");
        assert_eq!(
            out["native"]["stickyBySessionKey"][sess.as_str()],
            ident.as_str()
        );
        assert_eq!(out["native"]["seenSessionKeys"][sess.as_str()], 5);
    }

    #[test]
    fn headers_keep_names_and_safe_values() {
        let out = walk(
            FileKind::RequestSnapshot,
            json!({"headers": {"authorization": "Bearer [redacted]", "content-type": "application/json",
                   "x-custom": "v1secret", "chatgpt-account-id": "[redacted]"},
                   "body": {"input": "my prompt"}, "url": "https://chatgpt.com/backend-api/codex/responses"}),
        );
        assert_eq!(out["headers"]["authorization"], "Bearer [redacted]");
        assert_eq!(out["headers"]["content-type"], "application/json");
        assert_eq!(out["headers"]["x-custom"], "<string:8>");
        assert_eq!(out["body"], crate::OMITTED);
        assert_eq!(
            out["url"],
            "https://chatgpt.com/backend-api/codex/responses"
        );
        let raw = json!({"headers": {"Authorization": "Bearer sk-live-1", "session_id": "ses_9"}});
        let out = walk(FileKind::LiveHeaders, raw);
        assert_eq!(out["headers"]["Authorization"], "Bearer [redacted]");
        assert_eq!(
            out["headers"]["session_id"],
            p().pseudonym(Kind::Session, b"ses_9")
        );
    }
}

#[cfg(test)]
mod lifecycle_lines {
    use super::*;
    use serde_json::json;

    fn walk(v: Value) -> Value {
        super::tests::walk(FileKind::LifecycleLog, v)
    }

    /// Error messages: the software's own are kept whole; one word of the user's and the
    /// whole message goes.
    #[test]
    fn messages_of_the_software_stay_and_others_go_whole() {
        for kept in [
            "listen EADDRINUSE: address already in use 127.0.0.1:1455",
            "listen EACCES: permission denied 0.0.0.0:1455",
            "OAuth callback timeout - authorization took too long",
            "Token exchange failed: 400 invalid_grant",
            "getaddrinfo ENOTFOUND auth.openai.com",
            "connect ECONNREFUSED [::1]:1455",
            "self-signed certificate in certificate chain",
            "Hostname/IP does not match certificate's altnames",
            "State mismatch",
            "Invalid state - potential CSRF attack",
            "Missing authorization code",
            "spawn xdg-open ENOENT",
        ] {
            let out = walk(json!({"event": "callback_error", "meta": {"error": kept}}));
            assert_eq!(out["meta"]["error"], kept);
        }
        for gone in [
            "listen EADDRINUSE: address already in use 192.168.1.5:1455",
            "getaddrinfo ENOTFOUND llm.acme-corp.com",
            "Token exchange failed for Ann Lee",
            "Token exchange failed: 400 sk-proj-Zq81kXv93",
            "access_denied for jdoe",
            "access_denied https://evil.example/x?token=abc",
            "invalid_grant zorvolword",
            "failed: 4000000 x",
        ] {
            let out = walk(json!({"event": "callback_error", "meta": {"reason": gone}}));
            let v = out["meta"]["reason"].as_str().unwrap();
            assert!(v.starts_with("<string:"), "{gone} -> {v}");
        }
    }

    /// The meta the plugin's OAuth server writes (`lib/codex-native/oauth-server.ts`,
    /// v1.10.0), as a maintainer needs it.
    #[test]
    fn the_plugins_own_lifecycle_meta_is_kept() {
        let out = walk(json!({"ts": "2026-12-01T10:00:00.000Z", "pid": 4242,
            "event": "server_started", "meta": {"port": 1455, "host": "localhost",
            "redirectUri": "http://localhost:1455/auth/callback"}}));
        assert_eq!(out["meta"]["host"], "localhost");
        assert_eq!(
            out["meta"]["redirectUri"],
            "http://localhost:1455/auth/callback"
        );
        for mode in ["native", "codex"] {
            let out = walk(json!({"event": "callback_wait_timeout",
                "meta": {"authMode": mode, "timeoutMs": 600000}}));
            assert_eq!(out["meta"]["authMode"], mode);
            assert_eq!(out["meta"]["timeoutMs"], 600000);
        }
        let out = walk(json!({"event": "callback_hit",
            "meta": {"hasCode": true, "hasState": true, "hasError": false}}));
        assert_eq!(out["meta"]["hasCode"], true);
    }
}

#[cfg(test)]
mod shareable_records {
    use super::*;
    use serde_json::json;

    fn walk(v: Value) -> Value {
        super::tests::walk(FileKind::ShareableDebug, v)
    }

    /// The records `lib/shareable-debug.ts` (v1.10.0) writes, kept whole: the `ultra`
    /// object of fetch records and the incident lines were placeholders.
    #[test]
    fn the_plugins_records_are_kept_whole() {
        for record in [
            json!({"seq": 4, "timestamp": "2026-12-01T10:00:00.030Z", "event": "fetch_attempt_request",
                "authMode": "native", "rotationStrategy": "hybrid", "attempt": 1, "maxAttempts": 3,
                "attemptReasonCode": "initial_attempt", "method": "POST",
                "endpoint": "/backend-api/codex/responses", "selectedIdentity": "ident_11223344",
                "session": "sess_4e5f6a7b", "promptCacheKey": "pck_5566aabb",
                "ultra": {"selected": true, "logicalEffort": "ultra", "wireEffort": "max",
                    "eligible": true, "delegationPolicy": "proactive", "agentRole": "root",
                    "agentReason": "builtin_primary", "agentName": "build", "reason": "eligible",
                    "modelSlug": "gpt-5.5", "multiAgentVersion": "v2"}}),
            json!({"seq": 2, "timestamp": "2026-12-01T10:00:00.010Z", "event": "rotation_decision",
                "authMode": "codex", "rotationStrategy": "sticky", "decision": "sticky-pid-offset",
                "totalCount": 3, "selectedIndex": 2, "attempt": "attempt_99aabbcc"}),
            json!({"timestamp": "2026-12-01T10:00:05.000Z", "event": "incident_opened",
                "incidentId": "3f2b8c1e-9a4d-4e7f-b1c2-5d6e7f8a9b0c",
                "incidentFile": "incident-2026-12-01T10-00-05-000Z-3f2b8c1e-9a4d-4e7f-b1c2-5d6e7f8a9b0c.jsonl",
                "triggerSeq": 5, "triggerEvent": "fetch_attempt_response", "triggerReason": "http_status"}),
            json!({"timestamp": "2026-12-01T10:00:09.000Z", "event": "incident_closed",
                "incidentId": "3f2b8c1e-9a4d-4e7f-b1c2-5d6e7f8a9b0c", "triggerSeq": 5,
                "triggerEvent": "fetch_attempt_response", "reason": "missing_output", "incomplete": true}),
        ] {
            assert_eq!(walk(record.clone()), record);
        }
        // A user's own agent, and words that are not the plugin's, still go.
        let out = walk(json!({"event": "fetch_attempt_request",
            "ultra": {"agentName": "jdoe-reviewer", "agentReason": "zorvolword",
                "triggerReason": "zorvolword"}, "incidentId": "Zq81kXv93LmQpRt"}));
        assert_eq!(out["ultra"]["agentName"], "<string:13>");
        assert_eq!(out["ultra"]["agentReason"], "<string:10>");
        assert_eq!(out["ultra"]["triggerReason"], "<string:10>");
        assert!(
            out["incidentId"].as_str().unwrap().starts_with("<string:"),
            "{out}"
        );
    }
}

#[cfg(test)]
mod snapshot_meta {
    use super::*;
    use serde_json::json;

    /// The meta of an `outbound-attempt` snapshot as the plugin (v1.10.0) writes it: every
    /// code kept, every identity pseudonymized, the account label gone.
    #[test]
    fn the_plugins_snapshot_meta_is_kept_and_identities_pseudonymized() {
        let meta = json!({"attempt": 1, "maxAttempts": 3, "attemptReasonCode": "initial_attempt",
            "developerMessagesRemapped": true, "developerMessageRemapReason": "updated",
            "developerMessageRemapCount": 2, "promptCacheKeyOverridden": false,
            "promptCacheKeyOverrideReason": "default_strategy", "spoofMode": "native",
            "serviceTierOverridden": true, "serviceTierOverrideReason": "already_matches",
            "serviceTier": "priority", "sanitized": false, "selectionStrategy": "sticky",
            "selectionDecision": "sticky-active", "selectionTotalCount": 3,
            "ultraAgentRole": "child"});
        let out = super::tests::walk(FileKind::RequestSnapshot, json!({"meta": meta.clone()}));
        assert_eq!(out["meta"], meta);
        let out = super::tests::walk(
            FileKind::RequestSnapshot,
            json!({"meta": {"selectionSelectedIdentityKey": "acc_9f8e7d6c|jane@example.com|plus",
                "selectionSessionKey": "ses_4a1b2c3d4e5f", "accountLabel": "jane@example.com (plus)",
                "spoofMode": "zorvolword"}}),
        );
        let text = out.to_string();
        assert!(
            !text.contains("jane") && !text.contains("4a1b2c3d4e5f"),
            "{text}"
        );
        assert!(out["meta"]["selectionSelectedIdentityKey"]
            .as_str()
            .unwrap()
            .starts_with("ident_"));
        assert_eq!(out["meta"]["spoofMode"], "<string:10>");
    }
}
