//! Every environment variable the plugin or codex-kit reads, in one place.
//!
//! Each variable is a documented constant; [`ALL`] lists them with their group and meaning.
//! `docs/config.md` is checked against [`ALL`] by a test, so a variable cannot be read without
//! being documented.

/// Config root is `$XDG_CONFIG_HOME/opencode` when absolute; some plugin modules also accept a relative value (see `env.paths`).
pub const XDG_CONFIG_HOME: &str = "XDG_CONFIG_HOME";

/// Data root (OpenCode's `auth.json`, session storage) when absolute.
pub const XDG_DATA_HOME: &str = "XDG_DATA_HOME";

/// The doctor's own cache is `$XDG_CACHE_HOME/codex-doctor` when absolute.
pub const XDG_CACHE_HOME: &str = "XDG_CACHE_HOME";
/// State root when absolute: `codex-doctor fix` backups (`$XDG_STATE_HOME/codex-kit/doctor/fix`)
/// and the record of a running `codex-runtime serve` (`$XDG_STATE_HOME/codex-kit/runtime`).
pub const XDG_STATE_HOME: &str = "XDG_STATE_HOME";

/// Home directory; fallback for both roots.
pub const HOME: &str = "HOME";

/// Searched for the `opencode` binary.
pub const PATH: &str = "PATH";

/// OpenCode's own explicit config file; a layer of OpenCode's merged config.
pub const OPENCODE_CONFIG: &str = "OPENCODE_CONFIG";

/// OpenCode's extra config directory (its `opencode.json[c]`, commands, agents, plugins).
pub const OPENCODE_CONFIG_DIR: &str = "OPENCODE_CONFIG_DIR";

/// Inline OpenCode config JSON, merged above the project files.
pub const OPENCODE_CONFIG_CONTENT: &str = "OPENCODE_CONFIG_CONTENT";

/// `true`/`1`: OpenCode skips project `opencode.json[c]` files and `.opencode` folders.
pub const OPENCODE_DISABLE_PROJECT_CONFIG: &str = "OPENCODE_DISABLE_PROJECT_CONFIG";

/// OpenCode's managed config dir instead of `/etc/opencode` (OpenCode's own test hook).
pub const OPENCODE_TEST_MANAGED_CONFIG_DIR: &str = "OPENCODE_TEST_MANAGED_CONFIG_DIR";

/// `1` disables browser auto-open and the interactive account menu.
pub const OPENCODE_NO_BROWSER: &str = "OPENCODE_NO_BROWSER";

/// Explicit `codex-config` path; replaces the default lookup (a missing file means no config file).
pub const OPENCODE_OPENAI_MULTI_CONFIG_PATH: &str = "OPENCODE_OPENAI_MULTI_CONFIG_PATH";

/// Plugin debug logging, only when exactly `1`.
pub const OPENCODE_OPENAI_MULTI_DEBUG: &str = "OPENCODE_OPENAI_MULTI_DEBUG";

/// Same as `OPENCODE_OPENAI_MULTI_DEBUG` (exactly `1`).
pub const DEBUG_CODEX_PLUGIN: &str = "DEBUG_CODEX_PLUGIN";

/// Boolean: overrides `refreshAhead.enabled`.
pub const OPENCODE_OPENAI_MULTI_PROACTIVE_REFRESH: &str = "OPENCODE_OPENAI_MULTI_PROACTIVE_REFRESH";

/// Number: overrides `refreshAhead.bufferMs`.
pub const OPENCODE_OPENAI_MULTI_PROACTIVE_REFRESH_BUFFER_MS: &str =
    "OPENCODE_OPENAI_MULTI_PROACTIVE_REFRESH_BUFFER_MS";

/// Boolean: overrides `quiet`.
pub const OPENCODE_OPENAI_MULTI_QUIET: &str = "OPENCODE_OPENAI_MULTI_QUIET";

/// Boolean: overrides `runtime.pidOffset`.
pub const OPENCODE_OPENAI_MULTI_PID_OFFSET: &str = "OPENCODE_OPENAI_MULTI_PID_OFFSET";

/// `sticky`, `hybrid` or `round_robin`: overrides `runtime.rotationStrategy`.
pub const OPENCODE_OPENAI_MULTI_ROTATION_STRATEGY: &str = "OPENCODE_OPENAI_MULTI_ROTATION_STRATEGY";

/// `default` or `project`.
pub const OPENCODE_OPENAI_MULTI_PROMPT_CACHE_KEY_STRATEGY: &str =
    "OPENCODE_OPENAI_MULTI_PROMPT_CACHE_KEY_STRATEGY";

/// Global personality (unsafe keys ignored).
pub const OPENCODE_OPENAI_MULTI_PERSONALITY: &str = "OPENCODE_OPENAI_MULTI_PERSONALITY";

/// Boolean: global reasoning summary `auto`/`none`.
pub const OPENCODE_OPENAI_MULTI_REASONING_SUMMARIES: &str =
    "OPENCODE_OPENAI_MULTI_REASONING_SUMMARIES";

/// Deprecated alias of `OPENCODE_OPENAI_MULTI_REASONING_SUMMARIES`.
pub const OPENCODE_OPENAI_MULTI_THINKING_SUMMARIES: &str =
    "OPENCODE_OPENAI_MULTI_THINKING_SUMMARIES";

/// `default`, `low`, `medium`, `high` or `none`.
pub const OPENCODE_OPENAI_MULTI_TEXT_VERBOSITY: &str = "OPENCODE_OPENAI_MULTI_TEXT_VERBOSITY";

/// Legacy boolean, used only when the text verbosity variable is unset.
pub const OPENCODE_OPENAI_MULTI_VERBOSITY_ENABLED: &str = "OPENCODE_OPENAI_MULTI_VERBOSITY_ENABLED";

/// Legacy verbosity (`default`, `low`, `medium`, `high`).
pub const OPENCODE_OPENAI_MULTI_VERBOSITY: &str = "OPENCODE_OPENAI_MULTI_VERBOSITY";

/// `auto`, `priority` or `flex` (`default` is a deprecated `auto`).
pub const OPENCODE_OPENAI_MULTI_SERVICE_TIER: &str = "OPENCODE_OPENAI_MULTI_SERVICE_TIER";

/// `native` or `codex`: the auth mode (invalid values ignored).
pub const OPENCODE_OPENAI_MULTI_MODE: &str = "OPENCODE_OPENAI_MULTI_MODE";

/// `native` or `codex`; used only when no mode is set elsewhere.
pub const OPENCODE_OPENAI_MULTI_SPOOF_MODE: &str = "OPENCODE_OPENAI_MULTI_SPOOF_MODE";

/// Boolean: overrides `runtime.sanitizeInputs`.
pub const OPENCODE_OPENAI_MULTI_COMPAT_INPUT_SANITIZER: &str =
    "OPENCODE_OPENAI_MULTI_COMPAT_INPUT_SANITIZER";

/// Boolean: overrides `runtime.developerMessagesToUser`.
pub const OPENCODE_OPENAI_MULTI_REMAP_DEVELOPER_MESSAGES_TO_USER: &str =
    "OPENCODE_OPENAI_MULTI_REMAP_DEVELOPER_MESSAGES_TO_USER";

/// Boolean: overrides `runtime.codexCompactionOverride`.
pub const OPENCODE_OPENAI_MULTI_CODEX_COMPACTION_OVERRIDE: &str =
    "OPENCODE_OPENAI_MULTI_CODEX_COMPACTION_OVERRIDE";

/// Boolean: shareable debug summaries (suppresses header snapshots).
pub const OPENCODE_OPENAI_MULTI_SHAREABLE_DEBUG: &str = "OPENCODE_OPENAI_MULTI_SHAREABLE_DEBUG";

/// Boolean: request/response header snapshots under the log dir.
pub const OPENCODE_OPENAI_MULTI_HEADER_SNAPSHOTS: &str = "OPENCODE_OPENAI_MULTI_HEADER_SNAPSHOTS";

/// Boolean: include request bodies (prompts) in snapshots.
pub const OPENCODE_OPENAI_MULTI_HEADER_SNAPSHOT_BODIES: &str =
    "OPENCODE_OPENAI_MULTI_HEADER_SNAPSHOT_BODIES";

/// Boolean: extra before/after header-transform snapshots.
pub const OPENCODE_OPENAI_MULTI_HEADER_TRANSFORM_DEBUG: &str =
    "OPENCODE_OPENAI_MULTI_HEADER_TRANSFORM_DEBUG";

/// Boolean: Ultra agent mode (work in progress).
pub const OPENCODE_OPENAI_MULTI_ULTRA: &str = "OPENCODE_OPENAI_MULTI_ULTRA";

/// `low`, `medium`, `high`, `xhigh` or `max`.
pub const OPENCODE_OPENAI_MULTI_ULTRA_REASONING_EFFORT: &str =
    "OPENCODE_OPENAI_MULTI_ULTRA_REASONING_EFFORT";

/// OAuth lifecycle log when `1`, `true`, `yes` or `on`.
pub const CODEX_AUTH_DEBUG: &str = "CODEX_AUTH_DEBUG";

/// Rotation size of `oauth-lifecycle.log` (at least 16384).
pub const CODEX_AUTH_DEBUG_MAX_BYTES: &str = "CODEX_AUTH_DEBUG_MAX_BYTES";

/// Browser login wait (default 600000, minimum 60000).
pub const CODEX_OAUTH_CALLBACK_TIMEOUT_MS: &str = "CODEX_OAUTH_CALLBACK_TIMEOUT_MS";

/// Callback server shutdown grace after success (default 2000, minimum 0).
pub const CODEX_OAUTH_SERVER_SHUTDOWN_GRACE_MS: &str = "CODEX_OAUTH_SERVER_SHUTDOWN_GRACE_MS";

/// Callback server shutdown grace after an error (default 60000, minimum 0).
pub const CODEX_OAUTH_SERVER_SHUTDOWN_ERROR_GRACE_MS: &str =
    "CODEX_OAUTH_SERVER_SHUTDOWN_ERROR_GRACE_MS";

/// OAuth HTTP timeout (default 15000, minimum 1000).
pub const CODEX_OAUTH_HTTP_TIMEOUT_MS: &str = "CODEX_OAUTH_HTTP_TIMEOUT_MS";

/// Device login timeout (default 600000, minimum 1000).
pub const CODEX_DEVICE_AUTH_TIMEOUT_MS: &str = "CODEX_DEVICE_AUTH_TIMEOUT_MS";

/// HTTP proxy used by OpenCode (and its lowercase form).
pub const HTTP_PROXY: &str = "HTTP_PROXY";

/// HTTPS proxy used by OpenCode (and its lowercase form).
pub const HTTPS_PROXY: &str = "HTTPS_PROXY";

/// Proxy for every scheme (and its lowercase form).
pub const ALL_PROXY: &str = "ALL_PROXY";

/// Hosts that bypass the proxy (and its lowercase form); should cover `127.0.0.1` and `localhost`.
pub const NO_PROXY: &str = "NO_PROXY";

/// Disables colour in codex-kit output (and in the plugin's quota UI).
pub const NO_COLOR: &str = "NO_COLOR";

/// Forces colour even when stdout is not a terminal (unless `NO_COLOR` is set).
pub const CLICOLOR_FORCE: &str = "CLICOLOR_FORCE";

/// Test hook: the port `port.1455` probes instead of 1455 (tests never bind fixed ports).
pub const CODEX_DOCTOR_LOGIN_PORT: &str = "CODEX_DOCTOR_LOGIN_PORT";

/// Test hook: `codex-doctor fix --yes` sleeps this many milliseconds after each file action
/// (lets a test kill the process half-way through a multi-file fix).
pub const CODEX_DOCTOR_FIX_PAUSE_MS: &str = "CODEX_DOCTOR_FIX_PAUSE_MS";

/// Test and self-hosting hook: the Codex backend base URL `codex-runtime serve` sends to
/// (default `https://chatgpt.com/backend-api/codex`); the outbound allowlist then admits
/// exactly that origin and the issuer's.
pub const CODEX_RUNTIME_UPSTREAM: &str = "CODEX_RUNTIME_UPSTREAM";

/// A PEM file of CA certificates `codex-runtime serve` trusts for its upstream besides the
/// built-in webpki roots (a self-hosted backend, the https bench); it adds roots and never
/// turns verification off. `--upstream-ca-file` wins.
pub const CODEX_RUNTIME_UPSTREAM_CA_FILE: &str = "CODEX_RUNTIME_UPSTREAM_CA_FILE";

/// Test and self-hosting hook: the OAuth issuer `codex-runtime login` signs in at and
/// `accounts refresh` and `serve` refresh tokens at (default `https://auth.openai.com`).
pub const CODEX_RUNTIME_ISSUER: &str = "CODEX_RUNTIME_ISSUER";

/// Test hook: the port `codex-runtime login` binds for its OAuth callback instead of 1455
/// (`0` picks a free port; the printed URL names it). Tests never bind the fixed port.
pub const CODEX_RUNTIME_LOGIN_PORT: &str = "CODEX_RUNTIME_LOGIN_PORT";

/// The key clients must present (`Authorization: Bearer <key>` or `x-api-key`) to
/// `codex-runtime serve`; required with `--allow-remote`.
pub const CODEX_RUNTIME_CLIENT_KEY: &str = "CODEX_RUNTIME_CLIENT_KEY";

/// Origins (comma-separated, `scheme://host[:port]`) whose browser requests
/// `codex-runtime serve` answers besides its own; `--allow-origin` wins.
pub const CODEX_RUNTIME_ALLOWED_ORIGINS: &str = "CODEX_RUNTIME_ALLOWED_ORIGINS";

/// Read by the OpenCode bridge plugin (`crates/runtime/opencode-bridge`): the
/// `codex-runtime` binary it starts when no runtime is running (default: found on `PATH`).
pub const CODEX_RUNTIME_BIN: &str = "CODEX_RUNTIME_BIN";

/// The login name; `codex-doctor bundle` replaces it with `<user>` in everything it collects.
pub const USER: &str = "USER";

/// Fallback login name when `USER` is unset (same use as `USER`).
pub const LOGNAME: &str = "LOGNAME";

/// Where the test-support scripts install npm packages (default `<repo>/target/codex-kit-cache`).
pub const CODEX_KIT_CACHE: &str = "CODEX_KIT_CACHE";

/// The Codex CLI's home (`auth.json` there; default `~/.codex`).
pub const CODEX_HOME: &str = "CODEX_HOME";

/// Set by sshd in an SSH session (`client-ip client-port server-ip server-port`).
pub const SSH_CONNECTION: &str = "SSH_CONNECTION";

/// Set by sshd in an SSH session.
pub const SSH_CLIENT: &str = "SSH_CLIENT";

/// Set by sshd when the session has a terminal.
pub const SSH_TTY: &str = "SSH_TTY";

/// Set inside WSL.
pub const WSL_DISTRO_NAME: &str = "WSL_DISTRO_NAME";

/// Set inside WSL 2.
pub const WSL_INTEROP: &str = "WSL_INTEROP";

/// Set by systemd-nspawn, podman and others inside a container.
pub const CONTAINER: &str = "container";

/// An X11 display.
pub const DISPLAY: &str = "DISPLAY";

/// A Wayland display.
pub const WAYLAND_DISPLAY: &str = "WAYLAND_DISPLAY";

/// Test hook: `none` or a description, instead of detecting a container.
pub const CODEX_DOCTOR_CONTAINER: &str = "CODEX_DOCTOR_CONTAINER";
/// Test hook: the process table the doctor reads instead of `/proc`.
pub const CODEX_DOCTOR_PROC_ROOT: &str = "CODEX_DOCTOR_PROC_ROOT";
/// Test hook: both binaries panic at start (with this value in the panic message).
pub const CODEX_KIT_TEST_PANIC: &str = "CODEX_KIT_TEST_PANIC";

/// One documented environment variable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EnvVar {
    /// The variable's name.
    pub name: &'static str,
    /// The area it belongs to (`paths`, `config`, `debug`, `oauth`, `network`, `output`, `opencode`, `login`, `proxy`, `test`).
    pub group: &'static str,
    /// What it does.
    pub description: &'static str,
}

/// Every variable, in documentation order.
pub const ALL: &[EnvVar] = &[
    EnvVar { name: XDG_CONFIG_HOME, group: "paths", description: "Config root is `$XDG_CONFIG_HOME/opencode` when absolute; some plugin modules also accept a relative value (see `env.paths`)." },
    EnvVar { name: XDG_DATA_HOME, group: "paths", description: "Data root (OpenCode's `auth.json`, session storage) when absolute." },
    EnvVar { name: XDG_CACHE_HOME, group: "paths", description: "The doctor's own cache (`opencode --version` answers keyed by the binary's path, size and mtime) is `$XDG_CACHE_HOME/codex-doctor` when absolute, else `~/.cache/codex-doctor`." },
    EnvVar { name: XDG_STATE_HOME, group: "paths", description: "State root when absolute, default `~/.local/state`: `codex-doctor fix` backups and manifests (`$XDG_STATE_HOME/codex-kit/doctor/fix`), and `codex-runtime serve`'s record of where it listens (`$XDG_STATE_HOME/codex-kit/runtime/serve.json`) with the OpenCode bridge's `serve.log`." },
    EnvVar { name: HOME, group: "paths", description: "Home directory; fallback for both roots." },
    EnvVar { name: PATH, group: "paths", description: "Searched for the `opencode` binary." },
    EnvVar { name: OPENCODE_CONFIG, group: "opencode", description: "OpenCode's own explicit config file; a layer of OpenCode's merged config (see docs/checks.md)." },
    EnvVar { name: OPENCODE_CONFIG_DIR, group: "opencode", description: "OpenCode's extra config directory; its `opencode.json[c]` and `plugin/` files are a layer of OpenCode's merged config." },
    EnvVar { name: OPENCODE_CONFIG_CONTENT, group: "opencode", description: "Inline OpenCode config JSON; overrides the global, `OPENCODE_CONFIG`, project and `.opencode` layers." },
    EnvVar { name: OPENCODE_DISABLE_PROJECT_CONFIG, group: "opencode", description: "`true`/`1`: OpenCode (and the doctor) skip project `opencode.json[c]` files and `.opencode` folders." },
    EnvVar { name: OPENCODE_TEST_MANAGED_CONFIG_DIR, group: "opencode", description: "OpenCode's managed config directory instead of `/etc/opencode` (the highest layer)." },
    EnvVar { name: OPENCODE_NO_BROWSER, group: "opencode", description: "`1` disables browser auto-open and the interactive account menu." },
    EnvVar { name: OPENCODE_OPENAI_MULTI_CONFIG_PATH, group: "config", description: "Explicit `codex-config` path; replaces the default lookup (a missing file means no config file)." },
    EnvVar { name: OPENCODE_OPENAI_MULTI_DEBUG, group: "debug", description: "Plugin debug logging, only when exactly `1`." },
    EnvVar { name: DEBUG_CODEX_PLUGIN, group: "debug", description: "Same as `OPENCODE_OPENAI_MULTI_DEBUG` (exactly `1`)." },
    EnvVar { name: OPENCODE_OPENAI_MULTI_PROACTIVE_REFRESH, group: "config", description: "Boolean: overrides `refreshAhead.enabled`." },
    EnvVar { name: OPENCODE_OPENAI_MULTI_PROACTIVE_REFRESH_BUFFER_MS, group: "config", description: "Number: overrides `refreshAhead.bufferMs`." },
    EnvVar { name: OPENCODE_OPENAI_MULTI_QUIET, group: "config", description: "Boolean: overrides `quiet`." },
    EnvVar { name: OPENCODE_OPENAI_MULTI_PID_OFFSET, group: "config", description: "Boolean: overrides `runtime.pidOffset`." },
    EnvVar { name: OPENCODE_OPENAI_MULTI_ROTATION_STRATEGY, group: "config", description: "`sticky`, `hybrid` or `round_robin`: overrides `runtime.rotationStrategy`." },
    EnvVar { name: OPENCODE_OPENAI_MULTI_PROMPT_CACHE_KEY_STRATEGY, group: "config", description: "`default` or `project`." },
    EnvVar { name: OPENCODE_OPENAI_MULTI_PERSONALITY, group: "config", description: "Global personality (unsafe keys ignored)." },
    EnvVar { name: OPENCODE_OPENAI_MULTI_REASONING_SUMMARIES, group: "config", description: "Boolean: global reasoning summary `auto`/`none`." },
    EnvVar { name: OPENCODE_OPENAI_MULTI_THINKING_SUMMARIES, group: "config", description: "Deprecated alias of `OPENCODE_OPENAI_MULTI_REASONING_SUMMARIES`." },
    EnvVar { name: OPENCODE_OPENAI_MULTI_TEXT_VERBOSITY, group: "config", description: "`default`, `low`, `medium`, `high` or `none`." },
    EnvVar { name: OPENCODE_OPENAI_MULTI_VERBOSITY_ENABLED, group: "config", description: "Legacy boolean, used only when the text verbosity variable is unset." },
    EnvVar { name: OPENCODE_OPENAI_MULTI_VERBOSITY, group: "config", description: "Legacy verbosity (`default`, `low`, `medium`, `high`)." },
    EnvVar { name: OPENCODE_OPENAI_MULTI_SERVICE_TIER, group: "config", description: "`auto`, `priority` or `flex` (`default` is a deprecated `auto`)." },
    EnvVar { name: OPENCODE_OPENAI_MULTI_MODE, group: "config", description: "`native` or `codex`: the auth mode (invalid values ignored)." },
    EnvVar { name: OPENCODE_OPENAI_MULTI_SPOOF_MODE, group: "config", description: "`native` or `codex`; used only when no mode is set elsewhere." },
    EnvVar { name: OPENCODE_OPENAI_MULTI_COMPAT_INPUT_SANITIZER, group: "config", description: "Boolean: overrides `runtime.sanitizeInputs`." },
    EnvVar { name: OPENCODE_OPENAI_MULTI_REMAP_DEVELOPER_MESSAGES_TO_USER, group: "config", description: "Boolean: overrides `runtime.developerMessagesToUser`." },
    EnvVar { name: OPENCODE_OPENAI_MULTI_CODEX_COMPACTION_OVERRIDE, group: "config", description: "Boolean: overrides `runtime.codexCompactionOverride`." },
    EnvVar { name: OPENCODE_OPENAI_MULTI_SHAREABLE_DEBUG, group: "debug", description: "Boolean: shareable debug summaries (suppresses header snapshots)." },
    EnvVar { name: OPENCODE_OPENAI_MULTI_HEADER_SNAPSHOTS, group: "debug", description: "Boolean: request/response header snapshots under the log dir." },
    EnvVar { name: OPENCODE_OPENAI_MULTI_HEADER_SNAPSHOT_BODIES, group: "debug", description: "Boolean: include request bodies (prompts) in snapshots." },
    EnvVar { name: OPENCODE_OPENAI_MULTI_HEADER_TRANSFORM_DEBUG, group: "debug", description: "Boolean: extra before/after header-transform snapshots." },
    EnvVar { name: OPENCODE_OPENAI_MULTI_ULTRA, group: "config", description: "Boolean: Ultra agent mode (work in progress)." },
    EnvVar { name: OPENCODE_OPENAI_MULTI_ULTRA_REASONING_EFFORT, group: "config", description: "`low`, `medium`, `high`, `xhigh` or `max`." },
    EnvVar { name: CODEX_AUTH_DEBUG, group: "debug", description: "OAuth lifecycle log when `1`, `true`, `yes` or `on`." },
    EnvVar { name: CODEX_AUTH_DEBUG_MAX_BYTES, group: "debug", description: "Rotation size of `oauth-lifecycle.log` (at least 16384)." },
    EnvVar { name: CODEX_OAUTH_CALLBACK_TIMEOUT_MS, group: "oauth", description: "Browser login wait (default 600000, minimum 60000)." },
    EnvVar { name: CODEX_OAUTH_SERVER_SHUTDOWN_GRACE_MS, group: "oauth", description: "Callback server shutdown grace after success (default 2000, minimum 0)." },
    EnvVar { name: CODEX_OAUTH_SERVER_SHUTDOWN_ERROR_GRACE_MS, group: "oauth", description: "Callback server shutdown grace after an error (default 60000, minimum 0)." },
    EnvVar { name: CODEX_OAUTH_HTTP_TIMEOUT_MS, group: "oauth", description: "OAuth HTTP timeout (default 15000, minimum 1000)." },
    EnvVar { name: CODEX_DEVICE_AUTH_TIMEOUT_MS, group: "oauth", description: "Device login timeout (default 600000, minimum 1000)." },
    EnvVar { name: HTTP_PROXY, group: "network", description: "HTTP proxy used by OpenCode (and its lowercase form)." },
    EnvVar { name: HTTPS_PROXY, group: "network", description: "HTTPS proxy used by OpenCode (and its lowercase form)." },
    EnvVar { name: ALL_PROXY, group: "network", description: "Proxy for every scheme (and its lowercase form)." },
    EnvVar { name: NO_PROXY, group: "network", description: "Hosts that bypass the proxy (and its lowercase form); should cover `127.0.0.1` and `localhost`." },
    EnvVar { name: NO_COLOR, group: "output", description: "Disables colour in codex-kit output (and in the plugin's quota UI)." },
    EnvVar { name: CLICOLOR_FORCE, group: "output", description: "Forces colour even when stdout is not a terminal (unless `NO_COLOR` is set)." },
    EnvVar { name: USER, group: "paths", description: "Login name; `codex-doctor bundle` replaces it with `<user>`." },
    EnvVar { name: LOGNAME, group: "paths", description: "Fallback login name when `USER` is unset." },
    EnvVar { name: CODEX_KIT_CACHE, group: "test", description: "Where the test-support scripts install npm packages (default `target/codex-kit-cache`)." },
    EnvVar { name: CODEX_DOCTOR_LOGIN_PORT, group: "test", description: "Test hook: the port `port.1455` probes instead of 1455." },
    EnvVar { name: CODEX_DOCTOR_FIX_PAUSE_MS, group: "test", description: "Test hook: `codex-doctor fix --yes` sleeps this many milliseconds after each file action." },
    EnvVar { name: CODEX_RUNTIME_UPSTREAM, group: "test", description: "Test and self-hosting hook: Codex backend base URL for `codex-runtime serve` (default `https://chatgpt.com/backend-api/codex`); the allowlist then admits exactly it and the issuer." },
    EnvVar { name: CODEX_RUNTIME_UPSTREAM_CA_FILE, group: "proxy", description: "A PEM file of CA certificates `codex-runtime serve` trusts for its upstream besides the built-in webpki roots (a self-hosted backend, the https bench); it adds roots and never turns verification off. `--upstream-ca-file` wins." },
    EnvVar { name: CODEX_RUNTIME_ISSUER, group: "test", description: "Test and self-hosting hook: OAuth issuer for `codex-runtime login`, `accounts refresh` and token refresh in `serve` (default `https://auth.openai.com`)." },
    EnvVar { name: CODEX_RUNTIME_LOGIN_PORT, group: "test", description: "Test hook: the port `codex-runtime login` binds for its OAuth callback instead of 1455 (`0` picks a free port)." },
    EnvVar { name: CODEX_RUNTIME_CLIENT_KEY, group: "proxy", description: "Client key for `codex-runtime serve` (`Authorization: Bearer` or `x-api-key`, compared in constant time); required with `--allow-remote`." },
    EnvVar { name: CODEX_RUNTIME_ALLOWED_ORIGINS, group: "proxy", description: "Comma-separated origins (`scheme://host[:port]`) whose requests `codex-runtime serve` answers besides its own listener's; any other `Origin` gets `forbidden_origin` (403). `--allow-origin` wins." },
    EnvVar { name: CODEX_RUNTIME_BIN, group: "proxy", description: "Read by the OpenCode bridge plugin: the `codex-runtime` binary it starts when no runtime answers (default: `codex-runtime` on `PATH`)." },
    EnvVar { name: CODEX_HOME, group: "paths", description: "The Codex CLI's home; `auth.lineage` compares the account in its `auth.json` (default `~/.codex/auth.json`) with the plugin's stores." },
    EnvVar { name: SSH_CONNECTION, group: "login", description: "An SSH session (`login.environment`): the browser login needs `ssh -L 1455:localhost:1455`; the server address and port name the exact command." },
    EnvVar { name: SSH_CLIENT, group: "login", description: "An SSH session (`login.environment`)." },
    EnvVar { name: SSH_TTY, group: "login", description: "An SSH session with a terminal (`login.environment`)." },
    EnvVar { name: WSL_DISTRO_NAME, group: "login", description: "WSL (`login.environment`): the browser opens in Windows and needs `wslview` or `xdg-open`." },
    EnvVar { name: WSL_INTEROP, group: "login", description: "WSL 2 (`login.environment`)." },
    EnvVar { name: CONTAINER, group: "login", description: "Set inside some containers (`login.environment`; also `/.dockerenv`, `/run/.containerenv`)." },
    EnvVar { name: DISPLAY, group: "login", description: "An X11 display: a browser can open here (`login.environment`)." },
    EnvVar { name: WAYLAND_DISPLAY, group: "login", description: "A Wayland display: a browser can open here (`login.environment`)." },
    EnvVar { name: CODEX_DOCTOR_CONTAINER, group: "test", description: "Test hook for `login.environment`: `none`, or a description, instead of detecting a container." },
    EnvVar { name: CODEX_DOCTOR_PROC_ROOT, group: "test", description: "Test hook: the directory read as the process table instead of `/proc` (`process.opencode`, and `fix`'s refusal while OpenCode runs), so tests see only the processes they lay out." },
    EnvVar { name: CODEX_KIT_TEST_PANIC, group: "test", description: "Test hook: when set, `codex-doctor` and `codex-runtime` panic at start with its value in the panic message, so tests can check that a panic exits 3 and prints only the fixed internal-error line (never the message)." },
];

/// Finds a documented variable by name.
pub fn lookup(name: &str) -> Option<&'static EnvVar> {
    ALL.iter().find(|v| v.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique() {
        let mut names: Vec<_> = ALL.iter().map(|v| v.name).collect();
        names.sort_unstable();
        let before = names.len();
        names.dedup();
        assert_eq!(before, names.len());
    }
}

#[cfg(test)]
mod docs_tests {
    use super::ALL;

    #[test]
    fn docs_config_lists_every_variable() {
        let docs = include_str!("../../../docs/config.md");
        for v in ALL {
            assert!(
                docs.contains(&format!("`{}`", v.name)),
                "docs/config.md does not document {}",
                v.name
            );
        }
    }
}
