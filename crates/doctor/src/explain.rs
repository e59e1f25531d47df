//! `codex-doctor explain CODE`: what every code, warning and status text means, and the fix.
//!
//! The catalogue covers the plugin's synthetic HTTP error types, console warnings, thrown
//! errors and status texts (reference 13.1), every error type codex-runtime emits (a test
//! enumerates them from `codex_proxy::errors::ALL_TYPES` and `STREAM_ERROR_CODES`),
//! the upstream OAuth and backend codes users paste (`refresh_token_reused`,
//! `usage_limit_reached`, …), OpenCode's own "OpenAI API key is missing", and every check id.
//! Lookup is exact (case-insensitive), then by prefix for texts that carry a path or number,
//! also after the plugin's console prefix or an error class (`Error:`, `Authorization
//! failed:`) is removed, then by a synthetic error's message text, then by a known code
//! quoted inside the text (a pasted JSON error); an unknown code gets the closest matches.

use crate::checks;

/// One explainable code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    /// The code or text as the user sees it.
    pub code: &'static str,
    /// What kind of thing it is.
    pub kind: &'static str,
    /// HTTP status, for synthetic errors.
    pub http: Option<u16>,
    /// What it means.
    pub meaning: &'static str,
    /// What to do.
    pub fix: &'static str,
}

const LOGIN: &str = "Run `opencode auth login` (choose \"ChatGPT Pro/Plus (browser)\").";

macro_rules! e {
    ($code:expr, $kind:expr, $http:expr, $meaning:expr, $fix:expr) => {
        Entry {
            code: $code,
            kind: $kind,
            http: $http,
            meaning: $meaning,
            fix: $fix,
        }
    };
}

const ERR: &str = "synthetic error type";
const WARN: &str = "console warning";
const THROWN: &str = "thrown error";
const STATUS: &str = "status text";
const RUNTIME: &str = "codex-runtime error type";
const UPSTREAM: &str = "upstream error code";

/// Every non-check entry.
pub const ENTRIES: &[Entry] = &[
    e!("oauth_not_configured", ERR, Some(401), "codex-accounts.json has no `openai` OAuth entry, so the plugin has no account to use.", LOGIN),
    e!("no_accounts_configured", ERR, Some(401), "The domain of the mode in effect (native or codex) has no accounts. Accounts are stored per mode; switching runtime.mode hides the other mode's accounts.", "Run `opencode auth login` in this mode, or set runtime.mode back to the mode that has accounts. `codex-doctor --only auth.accounts` shows which."),
    e!("no_enabled_accounts", ERR, Some(403), "Every account of the mode in effect is disabled (the plugin disables accounts whose refresh token was rejected).", "Enable one with the codex-toggle-account tool or `codex-runtime accounts enable N`, or run `opencode auth login` to re-authenticate."),
    e!("refresh_invalid_grant", ERR, Some(401), "The token endpoint rejected the refresh token (invalid_grant, refresh_token_reused, revoked, expired). The account was disabled. A reused token usually means two processes refreshed the same account at once.", "Run `opencode auth login` to re-authenticate the account."),
    e!("all_accounts_cooling_down", ERR, Some(429), "Every enabled account has a cooldown (after a 429 or a failed refresh) or a refresh lease in the future. The message says how long: \"Try again in Xm Ys\".", "Wait the stated time, or add another account with `opencode auth login`. `codex-doctor --only auth.accounts` lists each account's cooldown."),
    e!("missing_refresh_token", ERR, Some(401), "The selected account has no refresh token, so its access token cannot be renewed.", LOGIN),
    e!("missing_account_identity", ERR, Some(401), "The selected account lacks accountId, email or plan even after reading its access token, so it has no identity key and cannot be used.", "Run `opencode auth login` for that account. `codex-doctor --only auth.identity` lists the affected accounts."),
    e!("refresh_failed", ERR, Some(401), "A token refresh failed for a transient reason (network, 5xx, timeout, invalid_token); the account cools down for 30 s.", "Check connectivity (`codex-doctor --online`), retry, and run `opencode auth login` if it persists."),
    e!("auth_storage_error", ERR, Some(500), "The plugin could not read or lock codex-accounts.json: corrupt JSON (it was quarantined), a lock held too long, or a permission problem.", "Run `codex-doctor` and follow auth.store, auth.lock and auth.quarantine."),
    e!("no_valid_access_token", ERR, Some(401), "No usable access token could be obtained for the request.", LOGIN),
    e!("all_accounts_rate_limited", ERR, Some(429), "Every attempted account answered 429 (usage limit). Each got a cooldown from Retry-After (or 5 s).", "Wait for the limit to reset, or add another account with `opencode auth login`."),
    e!("upstream_unreachable", ERR, Some(503), "The request failed before any response: DNS, TCP, TLS or proxy trouble.", "Run `codex-doctor --online` (network.reachability) and check network.proxy-env."),
    e!("plugin_fetch_failed", ERR, Some(502), "An unexpected error inside the plugin's fetch path.", "Retry once; if it persists run `opencode auth login` and file an issue with a `codex-doctor bundle`."),
    e!("outbound_redirect_limit_exceeded", ERR, Some(502), "The backend redirected more than 3 times.", "Retry later; a proxy or captive portal may be rewriting responses (check network.proxy-env)."),
    e!("blocked_outbound_redirect", ERR, Some(502), "The backend answered with a redirect the plugin refuses: redirects of POST requests are never followed (\"Blocked outbound redirect for non-idempotent request method.\"), nor any redirect without URL validation (\"Blocked outbound redirect because redirect URL validation is not configured.\").", "Usually a proxy or captive portal in the way: check network.proxy-env and `codex-doctor --online`."),
    e!("outbound_redirect_error", ERR, Some(502), "Redirect handling failed unexpectedly.", "Retry; file an issue with a `codex-doctor bundle` if it persists."),
    e!("disallowed_outbound_protocol", ERR, Some(400), "A request would have used a protocol other than HTTPS; the plugin only proxies HTTPS to OpenAI/ChatGPT.", "Check the provider's baseURL in opencode.json: the built-in `openai` provider must not point at an http:// URL while the plugin is active."),
    e!("disallowed_outbound_credentials", ERR, Some(400), "A request URL embedded credentials (user:pass@host).", "Remove credentials from the baseURL in opencode.json."),
    e!("disallowed_outbound_port", ERR, Some(400), "A request targeted a port other than 443.", "Use the default HTTPS port in the provider's baseURL."),
    e!("disallowed_outbound_host", ERR, Some(400), "A request targeted a host outside api.openai.com, auth.openai.com, chat.openai.com and chatgpt.com.", "Remove a custom baseURL from the `openai` provider; use a separate provider id for local proxies such as codex-runtime."),
    e!("disallowed_outbound_request", ERR, Some(400), "The outbound request failed validation before it was sent.", "Check the provider settings in opencode.json; file an issue if they look right."),
    e!("invalid_reasoning_summary", ERR, Some(400), "A reasoning summary setting has a value other than auto, concise, detailed or none.", "Fix reasoningSummary in codex-config.jsonc (global, perModel or customModels) or the request's reasoning.summary."),
    e!("Invalid codex-config at", WARN, None, "The config file failed validation and the plugin ignores the whole file (env and defaults only). The issues follow in the plugin's wording.", "Run `codex-doctor --only config.resolved` for every issue and its file, then fix them."),
    e!("Failed to read codex-config at", WARN, None, "The config file could not be read or parsed (comments are fine, trailing commas are not); the plugin tries the next candidate or uses defaults.", "Run `codex-doctor --only config.resolved` for the line and column."),
    e!("Deprecated config key(s) in", WARN, None, "The config uses reasoningSummaries, thinkingSummaries, verbosityEnabled, verbosity or serviceTier \"default\".", "Use reasoningSummary, textVerbosity and serviceTier: \"auto\" instead."),
    e!("Found both codex-config.jsonc and codex-config.json", WARN, None, "Both config names exist. The plugin uses codex-config.jsonc and moves codex-config.json to quarantine/.", "Merge what you need from the quarantined codex-config.json into codex-config.jsonc."),
    e!("Deprecated env var `OPENCODE_OPENAI_MULTI_THINKING_SUMMARIES`", WARN, None, "The old name of OPENCODE_OPENAI_MULTI_REASONING_SUMMARIES is set.", "Rename it to OPENCODE_OPENAI_MULTI_REASONING_SUMMARIES."),
    e!("Deprecated env value `OPENCODE_OPENAI_MULTI_SERVICE_TIER=default`", WARN, None, "`default` is the deprecated spelling of `auto`.", "export OPENCODE_OPENAI_MULTI_SERVICE_TIER=auto"),
    e!("Corrupt auth storage at", WARN, None, "codex-accounts.json did not parse (or was not an object) and was moved to quarantine/. The next start sees no store.", "Inspect the quarantined copy (`codex-doctor --only auth.quarantine`), restore it if repairable, else run `opencode auth login`."),
    e!("customModels.", WARN, None, "A customModels entry's targetModel is not in the active Codex catalog, so the custom model is not created.", "Fix targetModel to a slug the catalog lists (see cache.models), or remove the entry."),
    e!("bootstrap:", WARN, None, "A start-up step (default config file, /create-personality command, skill, legacy cleanup) failed.", "Check permissions of the config root; run `codex-doctor` (install.command, install.skill, env.paths)."),
    e!("Corrupt auth storage JSON at", THROWN, None, "The auth store was corrupt and quarantined; the error names the quarantined file.", "Repair and restore the quarantined file, or run `opencode auth login`."),
    e!("Auth storage root must be a JSON object", THROWN, None, "codex-accounts.json holds an array, string, number or null.", "Restore the file from the quarantine or a backup, or run `opencode auth login`."),
    e!("OpenAI OAuth not configured", THROWN, None, "No `openai` OAuth entry in codex-accounts.json.", LOGIN),
    e!("Invalid OpenAI OAuth config", THROWN, None, "The `openai` entry is malformed.", "Run `codex-doctor --only auth.store`, then log in again."),
    e!("Malformed OpenCode config at", THROWN, None, "The installer parsed opencode.json as strict JSON, failed, and moved it to quarantine/.", "Repair the quarantined copy (remove comments/trailing commas) and put it back, then rerun the installer."),
    e!("Lock file is already being held", THROWN, None, "Another process holds the lock on a plugin file for longer than the ~1.75 s retry budget (ELOCKED).", "Run `codex-doctor --only auth.lock`; stale locks older than 10 s are reclaimed automatically, fallback locks holding .owner must be removed by hand."),
    e!("Token refresh failed", THROWN, None, "The refresh request failed: `(invalid_grant)` and similar codes disable the account; `(status N)` is transient.", "For invalid_grant/reused/revoked: `opencode auth login`. For status codes: retry later."),
    e!("Token exchange failed", THROWN, None, "Exchanging the login code for tokens failed.", "Retry `opencode auth login`; check the clock and network."),
    e!("OAuth request timed out after", THROWN, None, "An OAuth HTTP call exceeded CODEX_OAUTH_HTTP_TIMEOUT_MS.", "Check connectivity; raise CODEX_OAUTH_HTTP_TIMEOUT_MS (minimum 1000)."),
    e!("Failed to initiate device authorization", THROWN, None, "The headless login could not start.", "Retry, or use the browser login."),
    e!("OAuth callback timeout - authorization took too long", THROWN, None, "The browser login was not completed in time (CODEX_OAUTH_CALLBACK_TIMEOUT_MS, default 10 min).", "Retry `opencode auth login` and finish in the browser sooner."),
    e!("Invalid state - potential CSRF attack", THROWN, None, "The callback's state did not match the pending login (an old tab, or a second login).", "Close old login tabs and retry `opencode auth login`."),
    e!("Missing authorization code", THROWN, None, "The callback arrived without a code.", "Retry `opencode auth login`."),
    e!("Login cancelled", THROWN, None, "The login was cancelled.", "Run `opencode auth login` again when ready."),
    e!("Authorization already in progress", THROWN, None, "A login flow is already pending in this process.", "Finish or cancel the other login first."),
    e!("Failed to bind OAuth callback server", THROWN, None, "Port 1455 could not be bound (usually EADDRINUSE).", "Run `codex-doctor --only port.1455` to see who holds it, or use the headless login."),
    e!("invalid_session_key", THROWN, None, "A session id was blank or contained path characters.", "Harmless for users; file an issue if it repeats."),
    e!("Invalid personality name. Use a safe key without path characters.", THROWN, None, "A personality key contained `/`, `\\` or `..`.", "Use a plain name such as `pirate` (file personalities/pirate.md)."),
    e!("OpenAI API key is missing", "OpenCode error", None, "OpenCode found no credentials for its openai provider: its own auth.json has no `openai` entry, and no plugin gave the provider a key. With the plugin, OpenCode asks it only when auth.json has an entry, so this appears before the plugin is involved.", "Run `opencode auth login`, pick OpenAI and \"ChatGPT Pro/Plus (browser)\" (or register the codex-kit bridge, which needs no auth.json). `codex-doctor --only auth.opencode,plugin.registered` checks both."),
    e!("No Codex accounts configured.", STATUS, None, "codex-status found no `openai` OAuth entry.", LOGIN),
    e!("Unknown", STATUS, None, "A quota window exists but has no future reset time (the backend gave none).", "Refresh in the account manager: `opencode auth login` → the account → Refresh token, then Check quotas."),
    e!("Unknown, account expired", STATUS, None, "No quota snapshot and the access token has expired, so quotas cannot be fetched until it is refreshed.", "`opencode auth login` → the account → Refresh token → Check quotas (or send one request)."),
    e!("Unknown, no snapshot yet", STATUS, None, "No request has been made with this account since the snapshots were reset.", "Send one request or use Check quotas in `opencode auth login`."),
    e!("Unknown, missing identity metadata", STATUS, None, "The account has no identity key, so snapshots cannot attach to it.", "Run `opencode auth login` for that account (see auth.identity)."),
    e!("[identity-missing]", STATUS, None, "Badge for an account without an identity key.", "Run `opencode auth login` for that account (see auth.identity)."),
    e!("request_too_large", RUNTIME, Some(413), "codex-runtime refused a request body larger than its limit (the message names it) before contacting the backend.", "Start a new session or compact the conversation (OpenCode's /compact); very large tool outputs or attachments are the usual cause."),
    e!("unauthorized_client", RUNTIME, Some(401), "codex-runtime was started with a client key (--client-key or CODEX_RUNTIME_CLIENT_KEY) and the request carried none or another one.", "Put the same key in the provider's `options.apiKey` in opencode.json (`codex-runtime opencode-config` prints the block), or start the proxy without a client key."),
    e!("not_found", RUNTIME, Some(404), "codex-runtime serves /v1/responses, /v1/chat/completions, /v1/models, /healthz and /status; the request asked for another path.", "Set the provider's baseURL to `http://127.0.0.1:<port>/v1` (OpenCode appends /responses). `codex-doctor --only runtime.proxy` checks it."),
    e!("method_not_allowed", RUNTIME, Some(405), "A known codex-runtime path was called with the wrong HTTP method (e.g. GET /v1/responses).", "Use POST for /v1/responses and /v1/chat/completions and GET for the other paths; point OpenCode at the proxy through a provider rather than calling it by hand."),
    e!("codex_runtime_not_installed", "OpenCode bridge error", None, "The codex-kit OpenCode bridge plugin could not find codex-runtime: not on PATH, or CODEX_RUNTIME_BIN names no executable file. Every request of the openai provider fails with this until it is installed.", "Install it (`cargo install --path crates/runtime`, or `nix profile install` of the flake's package), or point CODEX_RUNTIME_BIN at the binary; then restart OpenCode."),
    e!("codex_runtime_not_started", "OpenCode bridge error", None, "The bridge started `codex-runtime serve` but it exited or did not answer within 10 s (or another OpenCode was starting it and did not finish).", "Read serve.log in the runtime's state folder (~/.local/state/codex-kit/runtime/), run `codex-runtime serve` by hand to see the error, and run `codex-doctor`."),
    e!("upstream_timeout", RUNTIME, Some(504), "No attempted account's upstream sent response headers within codex-runtime's header timeout (45 s by default); each account was tried in turn.", "Check connectivity (`codex-doctor --online`); if the backend is just slow, raise the timeout (`codex-runtime serve --help`, docs/proxy.md)."),
    e!("misdirected_host", RUNTIME, Some(421), "codex-runtime refused a request whose Host (or absolute-form target) does not name its own listener. On a listener without a client key this is how a DNS-rebinding web page is stopped.", "Point the client at http://127.0.0.1:PORT or http://localhost:PORT exactly as `codex-runtime serve` prints it; to serve other names, bind with a client key (`--client-key-file`)."),
    e!("forbidden_origin", RUNTIME, Some(403), "A request carried an Origin header that is neither the listener's own nor allowed: a web page tried to use your accounts through the local proxy.", "Browser-based clients you trust can be allowed with `--allow-origin ORIGIN` or CODEX_RUNTIME_ALLOWED_ORIGINS; anything else should stay refused."),
    e!("unsupported_media_type", RUNTIME, Some(415), "A POST to codex-runtime did not say `content-type: application/json` (cross-site form posts are refused this way).", "Send the request body as JSON with `content-type: application/json`."),
    e!("request_timeout", RUNTIME, Some(408), "The client sent its request body too slowly: it paused longer than 15 s or took longer than 120 s in all, so codex-runtime closed the connection.", "Retry; if the client really is that slow, check the network between it and the proxy."),
    e!("proxy_busy", RUNTIME, Some(503), "The request bodies codex-runtime held at once would have passed its memory cap (256 MiB), so this one was refused with Retry-After: 1.", "Retry after a second; send fewer very large requests at once."),
    e!("malformed_request", RUNTIME, Some(400), "The request body's framing was broken (bad chunked encoding, or a body shorter than its content-length); the connection was closed.", "Fix or update the client; a proxy between the client and codex-runtime may be mangling requests."),
    e!("invalid_chat_request", RUNTIME, Some(400), "codex-runtime could not convert a /v1/chat/completions request into the Codex backend's Responses request: `n` above 1, a message role, content part, tool type, tool_choice or response_format with no Responses equivalent, or a missing model/messages. The message names the field.", "Change the client's request as the message says (docs/proxy.md lists what is converted, dropped and refused), or send the Responses API to /v1/responses instead."),
    e!("upstream_error", RUNTIME, None, "The backend answered a /v1/chat/completions request with an error whose body was not in the OpenAI error shape (e.g. `{\"detail\":…}`), so codex-runtime wrapped its text with the upstream status.", "Read the message: it is the backend's own text (often an unsupported parameter or model). `codex-runtime serve -v` logs the request."),
    e!("upstream_idle_timeout", RUNTIME, None, "The backend stopped sending mid-stream for longer than codex-runtime's idle timeout (300 s by default), so it ended the stream with this error event.", "Retry the turn; if it repeats, check connectivity (`codex-doctor --online`) or raise `--upstream-idle-timeout-ms`."),
    e!("proxy_shutting_down", RUNTIME, None, "codex-runtime was stopped while this stream was still open and its 30 s drain ran out, so it ended the stream with this error event.", "Retry the turn once codex-runtime is running again."),
    e!("upstream_stream_error", RUNTIME, None, "The backend's stream broke after output had started, so codex-runtime could not switch accounts; it ended the stream with this error event.", "Retry the turn. If it repeats, check connectivity (`codex-doctor --online`) and the proxy's log (`codex-runtime serve -v`)."),
    e!("refresh_token_reused", UPSTREAM, Some(401), "The token endpoint saw this refresh token used before: refresh tokens rotate on every refresh, and another copy of the same ChatGPT account (the Codex CLI's ~/.codex/auth.json, a legacy store an older plugin version still uses, another tool or machine) refreshed first and kept the new token. The plugin disables the account (refresh_invalid_grant).", "Run `opencode auth login` for that account, then keep one copy of each account: remove it from the other tools or let them share one store. `codex-doctor --only auth.lineage` lists accounts held in several stores."),
    e!("refresh_token_expired", UPSTREAM, Some(401), "The refresh token is too old to use (the account was not refreshed for a long time).", LOGIN),
    e!("refresh_token_invalidated", UPSTREAM, Some(401), "The refresh token was revoked: a log-out everywhere, a password change or a security action on the ChatGPT account.", LOGIN),
    e!("token_invalidated", UPSTREAM, Some(401), "The backend rejected the access token as revoked (log-out everywhere, password change, or the same account signed in elsewhere with a fresh login).", "Run `opencode auth login` for that account; `codex-doctor --only auth.lineage` shows accounts shared with other stores."),
    e!("token_expired", UPSTREAM, Some(401), "The access token had expired when the request was sent. The plugin refreshes before expiry, so this usually means a wrong system clock or a refresh that failed.", "Check the clock (`date -u`); run `codex-doctor --only auth.accounts,auth.quota`; if the refresh keeps failing, `opencode auth login`."),
    e!("token_revoked", UPSTREAM, Some(401), "OpenAI revoked the token (a security check on the account). Unlike refresh_token_reused this may need the account re-verified.", "Sign in at chatgpt.com to clear any verification, then `opencode auth login`."),
    e!("usage_limit_reached", UPSTREAM, Some(429), "The plan's 5-hour or weekly Codex window is used up for this account; the answer says when it resets. The plugin and codex-runtime rest the account until then and try another.", "Wait for the reset, or add another account with `opencode auth login`. `codex-runtime accounts list` and `codex-doctor --only auth.quota` show each account's windows."),
    e!("usage_not_included", UPSTREAM, Some(403), "The account's plan or workspace does not include Codex usage (for example a free plan, or a workspace that turned Codex off).", "Use a Plus, Pro, Team or Enterprise account with Codex enabled; disable this account (`codex-runtime accounts disable N`)."),
    e!("rate_limit_exceeded", UPSTREAM, Some(429), "Too many requests in a short time (not the plan's usage window).", "Retry after the Retry-After delay; several accounts spread the load."),
    e!("model_not_found", UPSTREAM, Some(404), "The backend does not serve the requested model slug to this account: a typo, a retired model, or one the plan does not include.", "Pick a slug from the account's catalog: `codex-doctor --only cache.models,opencode.models` names the closest ones; fix `model`/`small_model` in opencode.json."),
    e!("context_length_exceeded", UPSTREAM, Some(400), "The conversation plus the new input is longer than the model's context window.", "Compact the session (OpenCode's /compact) or start a new one; trim large tool outputs or attachments."),
    e!("server_is_overloaded", UPSTREAM, Some(503), "The backend is temporarily overloaded.", "Retry in a minute; nothing is wrong with the setup."),
    e!("authorization_pending", UPSTREAM, None, "The headless (device) login is waiting for the code to be entered at the verification page; the plugin keeps polling.", "Open the verification URL the login printed and enter the code before it expires."),
    e!("slow_down", UPSTREAM, None, "The device login polled too fast; the plugin waits longer between polls.", "Nothing to do; finish entering the code."),
    e!("expired_token", UPSTREAM, None, "The device login's code expired before it was entered.", "Run `opencode auth login` again and choose the headless method, then enter the new code promptly."),
    e!("access_denied", UPSTREAM, None, "The login was declined on the authorization page.", "Run `opencode auth login` again and approve the access."),
    e!("invalid_grant", UPSTREAM, Some(400), "The OAuth token endpoint rejected a refresh token or login code: the token was already used (refresh_token_reused), expired, or revoked. The plugin disables the account (refresh_invalid_grant). The troubleshooting docs also use the phrase for \"healthy candidates exhausted and at least one account needs re-auth\".", "Run `opencode auth login` for the disabled account(s); `codex-doctor --only auth.accounts` shows which and `--only auth.lineage` whether another store holds the same account."),
];

/// What `explain` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    /// A catalogue entry.
    Code(Entry),
    /// A check id.
    Check(&'static checks::CheckDef),
}

impl PartialEq for checks::CheckDef {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
    }
}
impl Eq for checks::CheckDef {}

/// Every code and check id, for `explain --list`.
pub fn list() -> Vec<(&'static str, &'static str)> {
    let mut out: Vec<(&str, &str)> = ENTRIES.iter().map(|e| (e.code, e.kind)).collect();
    out.extend(checks::ALL.iter().map(|c| (c.id, "check")));
    out
}

/// The message texts of the plugin's synthetic errors (reference 13.1), by their start,
/// with the code they explain: users paste what OpenCode showed them, not the type.
const MESSAGES: &[(&str, &str)] = &[
    ("Not authenticated with OpenAI", "oauth_not_configured"),
    ("No enabled OpenAI", "no_enabled_accounts"),
    (
        "All enabled OpenAI refresh tokens were rejected",
        "refresh_invalid_grant",
    ),
    ("OpenAI refresh token was rejected", "refresh_invalid_grant"),
    (
        "All enabled OpenAI accounts are cooling down",
        "all_accounts_cooling_down",
    ),
    (
        "Selected OpenAI account is missing a refresh token",
        "missing_refresh_token",
    ),
    (
        "Selected OpenAI account is missing identity metadata",
        "missing_account_identity",
    ),
    ("Failed to refresh OpenAI access token", "refresh_failed"),
    ("Unable to access OpenAI auth storage", "auth_storage_error"),
    (
        "No valid OpenAI access token available",
        "no_valid_access_token",
    ),
    (
        "All attempted OpenAI accounts are rate limited",
        "all_accounts_rate_limited",
    ),
    (
        "OpenAI request failed before receiving a response",
        "upstream_unreachable",
    ),
    ("OpenAI request failed unexpectedly", "plugin_fetch_failed"),
    (
        "Blocked outbound request with unsupported protocol",
        "disallowed_outbound_protocol",
    ),
    (
        "Outbound request validation failed",
        "disallowed_outbound_request",
    ),
    (
        "Outbound request could not be prepared",
        "disallowed_outbound_request",
    ),
    (
        "Invalid reasoning summary setting",
        "invalid_reasoning_summary",
    ),
];

/// What a pasted text starts with that is not part of the message: the plugin's console
/// prefix, a log tag, an error class, quotes.
fn strip_wrapping(q: &str) -> &str {
    let mut q = q
        .trim()
        .trim_matches(|c| c == '"' || c == '\'' || c == '`')
        .trim();
    loop {
        let before = q;
        for prefix in [
            "[opencode-codex-auth]",
            "[codex-auth-debug]",
            "Error:",
            "error:",
            "Authorization failed:",
            "AI_APICallError:",
        ] {
            if let Some(rest) = q.strip_prefix(prefix) {
                q = rest.trim_start();
            }
        }
        if q == before {
            return q;
        }
    }
}

/// Looks a code up: a check id or code exactly (any case), then a pasted text (the
/// plugin's prefix and an error class removed) by the code or message it starts with, then
/// a known code quoted anywhere inside it (a pasted JSON error body).
pub fn lookup(code: &str) -> Option<Found> {
    let q = strip_wrapping(code);
    if let Some(f) = lookup_exact(q) {
        return Some(f);
    }
    let low = q.to_lowercase();
    if let Some((_, c)) = MESSAGES
        .iter()
        .find(|(m, _)| low.starts_with(&m.to_lowercase()))
    {
        return lookup_exact(c);
    }
    // `listen EADDRINUSE: address already in use 127.0.0.1:1455` after `Authorization
    // failed:` is the callback server's bind failing.
    if low.contains("eaddrinuse") && low.contains("1455") {
        return lookup_exact("Failed to bind OAuth callback server");
    }
    ENTRIES
        .iter()
        .filter(|e| {
            e.code.len() >= 10 && e.code.contains('_') && low.contains(&e.code.to_lowercase())
        })
        .max_by_key(|e| e.code.len())
        .map(|e| Found::Code(*e))
}

fn lookup_exact(q: &str) -> Option<Found> {
    if let Some(c) = checks::ALL.iter().find(|c| c.id.eq_ignore_ascii_case(q)) {
        return Some(Found::Check(c));
    }
    // A finding code the doctor prints (`plugin.registered.missing`, the title of a
    // `--format github` annotation): its check.
    if let Some(c) = checks::ALL.iter().find(|c| {
        q.len() > c.id.len()
            && q[..c.id.len()].eq_ignore_ascii_case(c.id)
            && q.as_bytes()[c.id.len()] == b'.'
    }) {
        return Some(Found::Check(c));
    }
    if let Some(e) = ENTRIES.iter().find(|e| e.code.eq_ignore_ascii_case(q)) {
        return Some(Found::Code(*e));
    }
    // Texts that carry a path, number or suffix: the longest catalogue prefix wins.
    ENTRIES
        .iter()
        .filter(|e| e.code.len() >= 8 && q.to_lowercase().starts_with(&e.code.to_lowercase()))
        .max_by_key(|e| e.code.len())
        .map(|e| Found::Code(*e))
}

/// Up to five closest codes for an unknown query (a code containing it, or contained in it,
/// first).
pub fn closest(code: &str) -> Vec<&'static str> {
    let rule = crate::closest::Rule {
        take: 5,
        bounded: true,
        substring: true,
    };
    crate::closest::nearest(code, list().into_iter().map(|(c, _)| (c, c)), rule)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_codex_runtime_can_emit_is_explained() {
        let mut codes: Vec<String> = codex_proxy::errors::ALL_TYPES
            .iter()
            .map(|c| c.to_string())
            .collect();
        codes.extend(
            codex_proxy::errors::STREAM_ERROR_CODES
                .iter()
                .map(|c| c.to_string()),
        );
        assert!(codes.iter().any(|c| c == "upstream_stream_error"));
        for c in &codes {
            match lookup(c) {
                Some(Found::Code(e)) => assert_eq!(e.code, c.as_str()),
                other => panic!("explain does not know {c}: {other:?}"),
            }
        }
    }

    #[test]
    fn upstream_codes_users_paste_are_explained() {
        for c in [
            "refresh_token_reused",
            "refresh_token_expired",
            "refresh_token_invalidated",
            "token_invalidated",
            "token_expired",
            "token_revoked",
            "usage_limit_reached",
            "usage_not_included",
            "rate_limit_exceeded",
            "model_not_found",
            "context_length_exceeded",
            "invalid_grant",
        ] {
            match lookup(c) {
                Some(Found::Code(e)) => {
                    assert_eq!(e.code, c);
                    assert!(!e.fix.is_empty() && !e.meaning.is_empty());
                }
                other => panic!("explain does not know {c}: {other:?}"),
            }
        }
    }

    #[test]
    fn codes_are_unique() {
        let mut codes: Vec<&str> = list().into_iter().map(|(c, _)| c).collect();
        codes.sort_unstable();
        let n = codes.len();
        codes.dedup();
        assert_eq!(n, codes.len());
    }

    /// The OpenCode bridge (JavaScript) throws its own codes; users paste them too.
    #[test]
    fn every_code_the_opencode_bridge_throws_is_explained() {
        let js = include_str!("../../runtime/opencode-bridge/lib.js");
        let codes: Vec<&str> = js
            .split("BridgeError(")
            .skip(1)
            .filter_map(|rest| rest.trim_start().strip_prefix('"'))
            .filter_map(|rest| rest.split('"').next())
            .collect();
        assert!(codes.contains(&"codex_runtime_not_installed"), "{codes:?}");
        for c in codes {
            assert!(
                matches!(lookup(c), Some(Found::Code(e)) if e.code == c),
                "explain does not know {c}"
            );
        }
    }

    #[test]
    fn lookups() {
        assert!(
            matches!(lookup("all_accounts_cooling_down"), Some(Found::Code(e)) if e.http == Some(429))
        );
        assert!(
            matches!(lookup("AUTH.IDENTITY"), Some(Found::Check(c)) if c.id == "auth.identity")
        );
        assert!(
            matches!(lookup("Unknown, account expired"), Some(Found::Code(e)) if e.kind == STATUS)
        );
        assert!(matches!(
            lookup("Invalid codex-config at /x/codex-config.jsonc. runtime.mode: expected"),
            Some(Found::Code(e)) if e.code == "Invalid codex-config at"
        ));
        assert!(lookup("nonsense_code").is_none());
        assert!(closest("all_acounts_cooling").contains(&"all_accounts_cooling_down"));
    }

    /// Found from the user's side: the texts users paste were all "unknown code".
    #[test]
    fn pasted_texts_find_their_entry() {
        let code = |q: &str| match lookup(q) {
            Some(Found::Code(e)) => e.code,
            Some(Found::Check(c)) => c.id,
            None => panic!("{q:?} not found"),
        };
        assert_eq!(
            code("[opencode-codex-auth] Invalid codex-config at /x. a"),
            "Invalid codex-config at"
        );
        assert_eq!(
            code("All enabled OpenAI accounts are cooling down. Try again in 4m 10s or run `opencode auth login`."),
            "all_accounts_cooling_down"
        );
        assert_eq!(
            code("Authorization failed: listen EADDRINUSE: address already in use 127.0.0.1:1455"),
            "Failed to bind OAuth callback server"
        );
        assert_eq!(
            code("OpenAI API key is missing"),
            "OpenAI API key is missing"
        );
        assert_eq!(code("\"Error: Login cancelled\""), "Login cancelled");
        assert_eq!(
            code(r#"{"error":{"type":"usage_limit_reached","resets_in_seconds":120}}"#),
            "usage_limit_reached"
        );
        assert_eq!(code("auth.opencode"), "auth.opencode");
        assert_eq!(code("plugin.registered.missing"), "plugin.registered");
        assert_eq!(code("login.environment.container"), "login.environment");
        assert!(lookup("something else entirely").is_none());
    }
}
