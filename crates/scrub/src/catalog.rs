//! The closed sets of values the plugin and OpenCode write under some keys: event names,
//! auth modes, rotation strategies, decisions, reason codes, outcomes, error names and codes,
//! originators, stages, methods, roles, plans, levels, header words, URL path segments and
//! model slug words. A schema keeps a value under such a key only when it is in the key's
//! catalogue (compared without regard to ASCII case); anything else, a made-up word
//! included, becomes a placeholder. Every value here is public: the names come from the
//! plugin's behaviour reference (`shared/reference/plugin-behaviour.md`), its JSON schemas,
//! the catalog fixtures and the doctor's own list of codes (`codex-doctor explain`).

/// Whether `s` is one of `list` (ASCII case-insensitive).
pub fn has(list: &[&str], s: &str) -> bool {
    list.iter().any(|w| w.eq_ignore_ascii_case(s))
}

/// Shareable-debug events (reference 11.5), lifecycle lines of its summary included.
pub const SHAREABLE_EVENTS: &[&str] = &[
    "rotation_begin",
    "rotation_decision",
    "rotation_candidate_selected",
    "fetch_attempt_request",
    "fetch_attempt_response",
    "retry_after_429",
    "auth_failure",
    "synthetic_fatal_error",
    "process_failure",
    "incident_opened",
    "incident_closed",
    "incident_recovered",
];

/// OAuth lifecycle events (reference 11.2).
pub const LIFECYCLE_EVENTS: &[&str] = &[
    "server_starting",
    "server_reuse",
    "server_listen_attempt_failed",
    "server_started",
    "server_start_error",
    "server_stopping",
    "server_stopped",
    "server_stop_scheduled",
    "server_stop_timer_fired",
    "callback_rejected_non_loopback",
    "callback_hit",
    "callback_error",
    "token_exchange_start",
    "token_exchange_success",
    "token_exchange_error",
    "callback_success_page",
    "callback_cancel",
    "callback_cancel_rejected",
    "callback_wait_start",
    "callback_wait_resolved",
    "callback_wait_rejected",
    "callback_wait_timeout",
    "browser_open_blocked",
    "browser_open_attempt",
    "browser_open_success",
    "browser_open_failure",
];

/// Every event name of the plugin's logs (a header snapshot's `meta` may name one).
pub const EVENTS: &[&[&str]] = &[SHAREABLE_EVENTS, LIFECYCLE_EVENTS];

/// `runtime.mode` and shareable debug's `authMode` (`codex` also for process failures).
pub const MODES: &[&str] = &["native", "codex"];

/// OAuth flows a lifecycle `meta.mode` names, beside [`MODES`].
pub const LOGIN_MODES: &[&str] = &[
    "native", "codex", "browser", "headless", "device", "manual", "auto",
];

/// `runtime.rotationStrategy` (codex-config schema).
pub const ROTATION: &[&str] = &["sticky", "hybrid", "round_robin"];

/// Rotation decisions (reference 6.2's debug decision codes, and `keep` / `switch`).
pub const DECISIONS: &[&str] = &[
    "keep",
    "switch",
    "none",
    "none-eligible",
    "sticky-session-reuse",
    "sticky-session-assign",
    "sticky-fallback-first",
    "sticky-active",
    "sticky-pid-offset",
    "hybrid-session-reuse",
    "hybrid-session-assign",
    "hybrid-active",
    "hybrid-lru",
    "round-robin-next",
    "round-robin-pid-offset",
];

/// Failover reason codes per attempt (reference 7.4) and quota reason codes (7.7).
pub const ATTEMPT_REASONS: &[&str] = &[
    "initial_attempt",
    "retry_switched_account_after_429",
    "retry_same_account_after_429",
    "quota_limit_exhausted_5h",
    "quota_limit_exhausted_weekly",
];

/// Signals a process failure names (lowercased as the plugin writes them, and as written).
pub const SIGNALS: &[&str] = &[
    "sigint", "sigterm", "sighup", "sigbreak", "sigkill", "sigquit",
];

/// Outcomes of shareable-debug records beside codes and signals.
pub const OUTCOMES: &[&str] = &[
    "ok",
    "success",
    "failure",
    "failed",
    "error",
    "fatal",
    "retry",
    "rate_limited",
    "cooldown",
    "refreshed",
    "refresh_failed",
    "uncaught_exception",
    "unhandled_rejection",
    "timeout",
    "aborted",
];

/// Reasons: incident reasons (reference 11.5), snapshot meta reasons, lifecycle reasons.
pub const REASONS: &[&str] = &[
    "trigger",
    "recovered",
    "missing_output",
    "interrupted",
    "incomplete",
    "initial",
    "retry",
    "timeout",
    "idle",
    "cancel",
    "cancelled",
    "canceled",
    "success",
    "error",
    "shutdown",
    "replaced",
    "reuse",
    "rate_limit",
    "rate_limited",
    "cooldown",
    "expired",
    "refresh",
    "manual",
    "signal",
    "exit",
];

/// Error class names (JavaScript's, Node's, undici's, the DOM's).
pub const ERROR_NAMES: &[&str] = &[
    "Error",
    "TypeError",
    "RangeError",
    "SyntaxError",
    "ReferenceError",
    "EvalError",
    "URIError",
    "AggregateError",
    "AbortError",
    "TimeoutError",
    "DOMException",
    "SystemError",
    "FetchError",
    "HeadersTimeoutError",
    "BodyTimeoutError",
    "ConnectTimeoutError",
    "SocketError",
    "RequestAbortedError",
    "ResponseError",
    "InvalidArgumentError",
    "NotSupportedError",
    "UndiciError",
    "JSONParseError",
    "APICallError",
    "UnknownError",
];

/// Error codes: the plugin's fatal codes, the backend's and OAuth's codes as the doctor's
/// `explain` knows them, and Node's error codes a fetch or a listen meets.
pub const CODES: &[&str] = &[
    // The plugin's fatal and routing codes (reference 6.3, 7.4, 7.5, 8, 12).
    "oauth_not_configured",
    "no_accounts_configured",
    "no_enabled_accounts",
    "refresh_invalid_grant",
    "all_accounts_cooling_down",
    "missing_refresh_token",
    "missing_account_identity",
    "refresh_failed",
    "auth_storage_error",
    "no_valid_access_token",
    "all_accounts_rate_limited",
    "upstream_unreachable",
    "plugin_fetch_failed",
    "outbound_redirect_limit_exceeded",
    "blocked_outbound_redirect",
    "outbound_redirect_error",
    "disallowed_outbound_protocol",
    "disallowed_outbound_credentials",
    "disallowed_outbound_port",
    "disallowed_outbound_host",
    "disallowed_outbound_request",
    "invalid_reasoning_summary",
    "invalid_session_key",
    "invalid_refresh_token",
    // The backend's.
    "refresh_token_reused",
    "refresh_token_expired",
    "refresh_token_invalidated",
    "refresh_token_revoked",
    "token_invalidated",
    "token_expired",
    "token_revoked",
    "invalid_token",
    "usage_limit_reached",
    "usage_not_included",
    "rate_limit_exceeded",
    "insufficient_quota",
    "model_not_found",
    "context_length_exceeded",
    "server_is_overloaded",
    "server_error",
    "invalid_request_error",
    "invalid_api_key",
    "invalid_prompt",
    "unsupported_model",
    "unsupported_parameter",
    "unsupported_value",
    "unknown_parameter",
    "missing_required_parameter",
    "invalid_value",
    "invalid_type",
    "not_found",
    "unauthorized",
    "forbidden",
    "upstream_error",
    "upstream_stream_error",
    "upstream_timeout",
    "upstream_idle_timeout",
    // The doctor's proxy.
    "request_too_large",
    "method_not_allowed",
    "codex_runtime_not_installed",
    "codex_runtime_not_started",
    "misdirected_host",
    "forbidden_origin",
    "unsupported_media_type",
    "request_timeout",
    "proxy_busy",
    "malformed_request",
    "invalid_chat_request",
    "proxy_shutting_down",
    // OAuth (RFC 6749, 8628).
    "invalid_grant",
    "invalid_request",
    "invalid_client",
    "invalid_scope",
    "unauthorized_client",
    "unsupported_grant_type",
    "unsupported_response_type",
    "access_denied",
    "authorization_pending",
    "slow_down",
    "expired_token",
    "temporarily_unavailable",
    "login_required",
    "consent_required",
    // Node and undici.
    "ECONNREFUSED",
    "ECONNRESET",
    "ECONNABORTED",
    "ENOTFOUND",
    "ETIMEDOUT",
    "EAI_AGAIN",
    "EADDRINUSE",
    "EADDRNOTAVAIL",
    "EACCES",
    "EPERM",
    "ENOENT",
    "EEXIST",
    "EISDIR",
    "ENOTDIR",
    "EPIPE",
    "EHOSTUNREACH",
    "ENETUNREACH",
    "ENOSPC",
    "EMFILE",
    "EBUSY",
    "ELOCKED",
    "ECOMPROMISED",
    "ERR_INVALID_URL",
    "ERR_INVALID_ARG_TYPE",
    "ERR_STREAM_PREMATURE_CLOSE",
    "ERR_TLS_CERT_ALTNAME_INVALID",
    "CERT_HAS_EXPIRED",
    "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
    "SELF_SIGNED_CERT_IN_CHAIN",
    "DEPTH_ZERO_SELF_SIGNED_CERT",
    "UND_ERR_CONNECT_TIMEOUT",
    "UND_ERR_HEADERS_TIMEOUT",
    "UND_ERR_BODY_TIMEOUT",
    "UND_ERR_SOCKET",
    "UND_ERR_ABORTED",
    "ABORT_ERR",
];

/// Statuses written as words (the Responses API's, a check's, a login's).
pub const STATUSES: &[&str] = &[
    "ok",
    "error",
    "fail",
    "failed",
    "failure",
    "warn",
    "warning",
    "pass",
    "skip",
    "skipped",
    "success",
    "pending",
    "completed",
    "in_progress",
    "incomplete",
    "queued",
    "cancelled",
    "canceled",
    "timeout",
    "expired",
    "active",
    "inactive",
    "enabled",
    "disabled",
    "unknown",
];

/// `type` values: Responses API items and stream events, error types, content parts,
/// JSON Schema types, auth entry types.
pub const TYPES: &[&str] = &[
    "message",
    "input_text",
    "input_image",
    "input_audio",
    "input_file",
    "output_text",
    "refusal",
    "reasoning",
    "reasoning_text",
    "summary_text",
    "function",
    "function_call",
    "function_call_output",
    "custom_tool_call",
    "custom_tool_call_output",
    "local_shell_call",
    "local_shell_call_output",
    "web_search",
    "web_search_call",
    "file_search_call",
    "image_generation_call",
    "item_reference",
    "tool_result",
    "tool_output",
    "text",
    "image_url",
    "json_schema",
    "json_object",
    "response.created",
    "response.in_progress",
    "response.completed",
    "response.failed",
    "response.incomplete",
    "response.output_item.added",
    "response.output_item.done",
    "response.content_part.added",
    "response.content_part.done",
    "response.output_text.delta",
    "response.output_text.done",
    "response.function_call_arguments.delta",
    "response.function_call_arguments.done",
    "response.reasoning_summary_text.delta",
    "response.reasoning_summary_text.done",
    "response.reasoning_summary_part.added",
    "response.reasoning_summary_part.done",
    "response.reasoning_text.delta",
    "response.reasoning_text.done",
    "response.refusal.delta",
    "response.refusal.done",
    "error",
    "usage_limit",
    "usage_limit_reached",
    "invalid_request_error",
    "server_error",
    "rate_limit_error",
    "authentication_error",
    "permission_error",
    "not_found_error",
    "api_error",
    "overloaded_error",
    "upstream_error",
    "upstream_stream_error",
    "string",
    "number",
    "integer",
    "boolean",
    "object",
    "array",
    "null",
    "oauth",
    "api",
    "wellknown",
    "local",
    "remote",
];

/// Log levels.
pub const LEVELS: &[&str] = &[
    "trace", "debug", "info", "notice", "warn", "warning", "error", "fatal", "critical",
];

/// Header snapshot stages (reference 11.3).
pub const STAGES: &[&str] = &[
    "before-header-transform",
    "after-header-transform",
    "before-auth",
    "after-sanitize",
    "outbound-attempt",
    "outbound-response",
    "snapshot",
];

/// HTTP methods.
pub const METHODS: &[&str] = &[
    "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "CONNECT", "TRACE",
];

/// `originator` values (reference 7.2).
pub const ORIGINATORS: &[&str] = &["opencode", "codex_exec", "codex_cli_rs", "codex_vscode"];

/// Message roles.
pub const ROLES: &[&str] = &[
    "user",
    "assistant",
    "system",
    "developer",
    "tool",
    "function",
];

/// ChatGPT plans (`chatgpt_plan_type`).
pub const PLANS: &[&str] = &[
    "free",
    "go",
    "plus",
    "pro",
    "team",
    "business",
    "enterprise",
    "edu",
    "education",
    "k12",
    "unknown",
];

/// Reasoning efforts, summaries, verbosities, service tiers, modes and the like (the
/// codex-config schema's enums, the catalog's levels, OpenCode's options).
pub const LEVEL_WORDS: &[&str] = &[
    "none",
    "minimal",
    "low",
    "medium",
    "high",
    "xhigh",
    "max",
    "ultra",
    "auto",
    "concise",
    "detailed",
    "default",
    "priority",
    "flex",
    "standard",
    "pro",
    "project",
    "experimental",
    "freeform",
    "function",
    "list",
    "hide",
    "text",
    "image",
    "audio",
    "required",
    "true",
    "false",
    "manual",
    "disabled",
    "enabled",
];

/// `personality` values the plugin ships (a custom personality's name is the user's own).
pub const PERSONALITIES: &[&str] = &["none", "default", "friendly", "pragmatic"];

/// `include` entries (codex-config schema).
pub const INCLUDES: &[&str] = &[
    "reasoning.encrypted_content",
    "file_search_call.results",
    "message.output_text.logprobs",
    "message.input_image.image_url",
    "computer_call_output.output.image_url",
    "code_interpreter_call.outputs",
    "web_search_call.action.sources",
];

/// Where a catalog came from.
pub const SOURCES: &[&str] = &[
    "github", "server", "network", "cache", "bundled", "live", "fallback", "disk", "remote",
];

/// Loopback host names a lifecycle `meta.host` names.
pub const LOOPBACK: &[&str] = &["localhost", "127.0.0.1", "::1", "[::1]", "0.0.0.0"];

/// Words of header values (media types, encodings, parameters).
pub const HEADER_WORDS: &[&str] = &[
    "application/json",
    "application/x-www-form-urlencoded",
    "application/octet-stream",
    "application/problem+json",
    "text/event-stream",
    "text/plain",
    "text/html",
    "multipart/form-data",
    "*/*",
    "charset",
    "utf-8",
    "utf8",
    "gzip",
    "deflate",
    "br",
    "zstd",
    "identity",
    "chunked",
    "responses",
    "experimental",
    "assistants",
    "v1",
    "v2",
    "q",
    "no-cache",
    "no-store",
    "keep-alive",
    "close",
];

/// Product and platform words of a `user-agent` (reference 7.2: `opencode/<v> (<platform>
/// <release>; <arch>)`, `<originator>/<v> (<os> <release>; <arch>) <terminal>`).
pub const AGENT_WORDS: &[&str] = &[
    "opencode",
    "codex_exec",
    "codex_cli_rs",
    "codex_vscode",
    "codex",
    "ai-sdk",
    "provider-utils",
    "provider",
    "openai",
    "runtime",
    "node",
    "nodejs",
    "bun",
    "deno",
    "undici",
    "node-fetch",
    "axios",
    "curl",
    "mozilla",
    "linux",
    "darwin",
    "mac",
    "os",
    "x",
    "macos",
    "windows",
    "win32",
    "nt",
    "freebsd",
    "wsl",
    "wsl2",
    "microsoft",
    "standard",
    "generic",
    "amd64",
    "arm64",
    "aarch64",
    "x64",
    "x86",
    "x86_64",
    "ia32",
    "arm",
    "armv7l",
    "ppc64",
    "s390x",
    "iterm",
    "iterm.app",
    "apple_terminal",
    "wezterm",
    "ghostty",
    "kitty",
    "alacritty",
    "xterm",
    "xterm-256color",
    "xterm-kitty",
    "tmux",
    "screen",
    "vscode",
    "zed",
    "warp",
    "warpterminal",
    "konsole",
    "gnome-terminal",
    "windows_terminal",
    "hyper",
    "unknown",
    "tty",
    "dumb",
];

/// Path segments of the URLs the plugin, OpenCode and the catalogs use (reference 7.1, 9,
/// 10), besides versions, numbers and the endpoints' own segments ([`crate::names::ENDPOINTS`];
/// [`path_word`] asks both).
pub const PATH_WORDS: &[&str] = &[
    "v1",
    "success",
    "cancel",
    "config.json",
    "openai",
    "codex-rs",
    "models-manager",
    "models.json",
    "repos",
    "releases",
    "latest",
    "tags",
    "main",
    "raw",
    "refs",
    "heads",
    "schema",
    "theme.json",
    "tui.json",
];

/// Model providers an OpenCode `model` may name before `/`.
pub const PROVIDERS: &[&str] = &[
    "openai",
    "anthropic",
    "google",
    "google-vertex",
    "azure",
    "amazon-bedrock",
    "openrouter",
    "github-copilot",
    "opencode",
    "groq",
    "mistral",
    "xai",
    "deepseek",
    "ollama",
    "lmstudio",
    "together",
    "fireworks",
];

/// Words of model slugs (`gpt-5.1-codex-max`, `o4-mini`, `claude-sonnet-4-5`), besides
/// numbers and short number-letter pieces (`4o`, `70b`).
pub const MODEL_WORDS: &[&str] = &[
    "gpt",
    "codex",
    "mini",
    "nano",
    "max",
    "pro",
    "spark",
    "chat",
    "latest",
    "preview",
    "turbo",
    "instant",
    "thinking",
    "high",
    "medium",
    "low",
    "xhigh",
    "minimal",
    "none",
    "auto",
    "oss",
    "o1",
    "o3",
    "o4",
    "4o",
    "audio",
    "realtime",
    "search",
    "image",
    "text",
    "embedding",
    "large",
    "small",
    "claude",
    "opus",
    "sonnet",
    "haiku",
    "gemini",
    "flash",
    "lite",
    "exp",
    "llama",
    "qwen",
    "coder",
    "deepseek",
    "reasoner",
    "grok",
    "code",
    "fast",
    "mistral",
    "codestral",
    "devstral",
    "kimi",
    "glm",
    "instruct",
    "ft",
];

/// Quota limit names (reference 7.7, 7.8).
pub const LIMIT_NAMES: &[&str] = &["requests", "tokens", "5h", "weekly", "primary", "secondary"];

/// OpenCode's built-in themes.
pub const THEMES: &[&str] = &[
    "system",
    "opencode",
    "tokyonight",
    "everforest",
    "ayu",
    "catppuccin",
    "catppuccin-macchiato",
    "catppuccin-frappe",
    "gruvbox",
    "kanagawa",
    "nord",
    "matrix",
    "one-dark",
    "dracula",
    "github",
    "solarized",
    "material",
    "monokai",
    "nightowl",
    "rosepine",
    "palenight",
    "synthwave84",
    "vesper",
    "zenburn",
    "cobalt2",
    "aura",
    "flexoki",
    "mercury",
    "orng",
    "lucent-orng",
];

/// Words of a version beside its numbers (`1.2.3-beta.1`).
pub const VERSION_WORDS: &[&str] = &[
    "alpha", "beta", "rc", "dev", "canary", "next", "preview", "lts", "nightly", "snapshot", "x",
];

/// HTTP reason phrases (a response snapshot's `statusText`).
pub const HTTP_REASONS: &[&str] = &[
    "OK",
    "Created",
    "Accepted",
    "No Content",
    "Moved Permanently",
    "Found",
    "See Other",
    "Not Modified",
    "Temporary Redirect",
    "Permanent Redirect",
    "Bad Request",
    "Unauthorized",
    "Payment Required",
    "Forbidden",
    "Not Found",
    "Method Not Allowed",
    "Not Acceptable",
    "Proxy Authentication Required",
    "Request Timeout",
    "Conflict",
    "Gone",
    "Length Required",
    "Precondition Failed",
    "Payload Too Large",
    "Content Too Large",
    "URI Too Long",
    "Unsupported Media Type",
    "Misdirected Request",
    "Unprocessable Entity",
    "Unprocessable Content",
    "Too Early",
    "Precondition Required",
    "Too Many Requests",
    "Request Header Fields Too Large",
    "Client Closed Request",
    "Internal Server Error",
    "Not Implemented",
    "Bad Gateway",
    "Service Unavailable",
    "Gateway Timeout",
    "HTTP Version Not Supported",
];

/// OpenCode's built-in agents and modes.
pub const AGENTS: &[&str] = &[
    "build",
    "plan",
    "general",
    "explore",
    "title",
    "summary",
    "compaction",
];

/// What shareable debug's `ultra` object holds (`lib/codex-native/ultra.ts` and
/// `agent-execution.ts`, v1.10.0): delegation policies, agent roles and reasons, eligibility
/// reasons.
pub const ULTRA_WORDS: &[&str] = &[
    "proactive",
    "explicit_request_only",
    "disabled",
    "root",
    "child",
    "auxiliary",
    "session_parent",
    "session_root",
    "configured_primary",
    "configured_subagent",
    "builtin_primary",
    "builtin_subagent",
    "builtin_auxiliary",
    "conservative_fallback",
    "eligible",
    "missing_catalog",
    "missing_ultra_effort",
    "missing_multi_agent_v2",
    "not_supported_in_api",
    "not_visible",
];

/// Why a request transform changed a request or not (`TransformReason`, v1.10.0), and the
/// prompt cache key's `default_strategy`: a snapshot meta's `…Reason`.
pub const TRANSFORM_REASONS: &[&str] = &[
    "disabled",
    "non_post",
    "empty_body",
    "invalid_json",
    "non_object_body",
    "missing_input_array",
    "no_reasoning_replay",
    "no_developer_messages",
    "permissions_only",
    "missing_key",
    "already_matches",
    "set",
    "replaced",
    "updated",
    "default_strategy",
];

/// `spoofMode` of request snapshots.
pub const SPOOF_MODES: &[&str] = &["native", "codex", "strict"];

/// The plugin's status texts (reference 13.1), which the doctor's quota check quotes.
pub const STATUS_TEXTS: &[&str] = &[
    "No Codex accounts configured.",
    "Unknown",
    "Unknown, account expired",
    "Unknown, no snapshot yet",
    "Unknown, missing identity metadata",
    "[identity-missing]",
];

/// Why an incident opened (shareable debug's `triggerReason`).
pub const TRIGGER_REASONS: &[&str] = &[
    "http_status",
    "auth_failure",
    "retry_after_429",
    "synthetic_fatal_error",
    "process_failure",
];

/// Every catalogue, for [`anywhere`].
const ALL: &[&[&str]] = &[
    SHAREABLE_EVENTS,
    LIFECYCLE_EVENTS,
    MODES,
    LOGIN_MODES,
    ROTATION,
    DECISIONS,
    ATTEMPT_REASONS,
    SIGNALS,
    OUTCOMES,
    REASONS,
    ERROR_NAMES,
    CODES,
    STATUSES,
    TYPES,
    LEVELS,
    STAGES,
    METHODS,
    ORIGINATORS,
    ROLES,
    PLANS,
    LEVEL_WORDS,
    PERSONALITIES,
    INCLUDES,
    SOURCES,
    LOOPBACK,
    HEADER_WORDS,
    AGENT_WORDS,
    PATH_WORDS,
    crate::names::ENDPOINTS,
    PROVIDERS,
    MODEL_WORDS,
    LIMIT_NAMES,
    THEMES,
    VERSION_WORDS,
    HTTP_REASONS,
    AGENTS,
    ULTRA_WORDS,
    TRIGGER_REASONS,
    TRANSFORM_REASONS,
    SPOOF_MODES,
    STATUS_TEXTS,
];

/// Whether `seg` is a known URL path segment: an endpoint's or one of [`PATH_WORDS`].
pub fn path_word(seg: &str) -> bool {
    has(crate::names::ENDPOINTS, seg) || has(PATH_WORDS, seg)
}

/// Every word of every catalogue (a word may come more than once).
pub fn every_word() -> impl Iterator<Item = &'static str> {
    ALL.iter().flat_map(|set| set.iter().copied())
}

/// Whether `s` is in any catalogue (a public word of the plugin's, OpenCode's or HTTP's).
pub fn anywhere(s: &str) -> bool {
    ALL.iter().any(|set| has(set, s))
}
