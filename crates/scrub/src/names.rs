//! File and folder names that are known to be safe: the ones OpenCode and the plugin use
//! (reference 1.2, 11), and common system and package folders. The bundle shows these in
//! the manifest as they are (any other name becomes a pseudonym), and the gate keeps them
//! as path segments (any other segment of an absolute or `~/` path becomes a placeholder).

/// Folder and file names OpenCode and the plugin use (reference 1.2, 11).
pub const KNOWN: &[&str] = &[
    "~",
    ".config",
    ".local",
    "share",
    "opencode",
    "logs",
    "codex-plugin",
    "cache",
    "quarantine",
    "shareable-debug-state",
    "segments",
    "incidents",
    "storage",
    "session",
    "commands",
    "skills",
    "codex-accounts.json",
    "openai-codex-accounts.json",
    "auth.json",
    "opencode.json",
    "opencode.jsonc",
    "codex-config.jsonc",
    "codex-config.json",
    "oauth-lifecycle.log",
    "oauth-lifecycle.log.1",
    "live-headers.jsonl",
    "live-headers.jsonl.1",
    "shareable-debug.jsonl",
    "shareable-debug.jsonl.1",
    "incident-state.json",
    "manifestless-recovery.json",
    "codex-client-version.json",
    "codex-models-cache.json",
    "codex-models-cache-meta.json",
    "codex-snapshots.json",
    "codex-session-affinity.json",
    ".gitignore",
    "personality-builder",
    "SKILL.md",
    "references",
    "personality-patterns.md",
    "create-personality.md",
    "cache.lock",
];

/// Path segments of the endpoints the plugin and codex-runtime call or serve (reference 7.1,
/// 9): kept in URL paths (`/backend-api/codex/responses`).
pub const ENDPOINTS: &[&str] = &[
    "backend-api",
    "codex",
    "responses",
    "models",
    "wham",
    "usage",
    "api",
    "oauth",
    "authorize",
    "token",
    "accounts",
    "deviceauth",
    "usercode",
    "device",
    "auth",
    "callback",
    "chat",
    "completions",
    "status",
    "metrics",
    "healthz",
];

/// Common folders of a system, a Node install or a package, kept in paths.
pub const COMMON: &[&str] = &[
    "home",
    "Users",
    "mnt",
    "usr",
    "local",
    "lib",
    "lib64",
    "bin",
    "sbin",
    "etc",
    "opt",
    "var",
    "tmp",
    "run",
    "proc",
    "dev",
    "srv",
    "share",
    "node_modules",
    ".cache",
    ".npm",
    ".bun",
    ".nvm",
    ".volta",
    ".pnpm-store",
    "pnpm",
    "versions",
    "node",
    "dist",
    "src",
    "build",
    "out",
    "AppData",
    "Roaming",
    "Local",
    "Temp",
    "c",
    "d",
    "@iam-brain",
    "opencode-codex-auth",
    "opencode-ai",
    "index.js",
    "index.mjs",
    "index.cjs",
    "cli.js",
    "main.js",
    "index.ts",
    "storage",
    "session",
    "message",
    "part",
    "snapshot",
    "project",
    "log",
    "internal",
    "modules",
    "esm",
    "cjs",
    "workspace",
];

/// The plugin's own modules (`dist/lib/<folder>/<module>.js`, current and older releases)
/// and its lock dependency's, as they appear in stack traces: kept with a script extension
/// (`storage.js`, `openai-loader-fetch.js`, `lockfile.js`), so a maintainer sees where an
/// error was thrown.
#[rustfmt::skip]
const PLUGIN_MODULES: &[&str] = &[
    // dist/ and dist/bin/
    "index", "opencode-codex-auth", "persona-tool", "opencode-openai-multi",
    // dist/lib/
    "account-auth-types", "accounts-tools", "auth-messages", "cache-io", "cache-lock",
    "claims", "codex-cache-layout", "codex-native", "codex-quota-fetch",
    "codex-status-storage", "codex-status-tool", "codex-status-ui", "codex-status",
    "compat-sanitizer", "config-dir-gitignore", "config", "fatal-errors",
    "fetch-orchestrator-helpers", "fetch-orchestrator-types", "fetch-orchestrator", "identity",
    "installer-cli", "legacy-orchestrator-cleanup", "logger", "model-catalog", "oauth-pages",
    "opencode-install", "paths", "persona-tool-cli", "personalities", "personality-command",
    "personality-create", "personality-skill", "plugin-lifecycle", "proactive-refresh",
    "prompt-cache-key", "quarantine", "quota-threshold-alerts", "rate-limit", "refresh-queue",
    "remote-cache-fetch", "request-snapshots", "rotation", "session-affinity",
    "shareable-debug", "storage", "toast", "types", "util",
    // dist/lib/codex-native/
    "accounts", "acquire-auth", "agent-execution", "auth-menu-flow", "auth-menu-quotas",
    "browser", "catalog-sync", "chat-hooks", "client-identity", "ultra-instructions",
    "instruction-utils", "oauth-auth-methods", "oauth-persistence", "oauth-server",
    "oauth-utils", "openai-loader-fetch-quota", "openai-loader-fetch-state",
    "openai-loader-fetch", "originator", "rate-limit-snapshots", "reasoning-summary",
    "request-routing", "request-transform-model-service-tier", "request-transform-model",
    "request-transform-payload-helpers", "request-transform-payload", "session-affinity-state",
    "session-messages", "ultra",
    // dist/lib/config/, model-catalog/, storage/, ui/
    "file", "resolve", "cache-helpers", "catalog-fetch", "provider", "shared", "auth-state",
    "auth-menu", "tty",
    // modules of older releases
    "auth-refresh", "codex-prompts-cache", "constants", "orchestrator-agent",
    "orchestrator-agents", "tools-output", "catalog-auth", "collaboration",
    "oauth-server-debug", "oauth-server-network", "oauth-server-types", "request-transform",
    "request-transform-gpt54-limits", "request-transform-instructions",
    "request-transform-pipeline", "request-transform-shared", "static-fallback-models",
    "behavior-settings", "io", "parse", "validation", "domain-state", "migration",
    "auth-menu-runner", "ansi", "confirm", "select",
    // proper-lockfile's lib/
    "lockfile", "adapter", "mtime-precision",
];

/// Folders of the plugin's install and of its dependencies, kept in paths.
const PLUGIN_FOLDERS: &[&str] = &[
    "codex-native",
    "model-catalog",
    "config",
    "ui",
    "generated",
    "proper-lockfile",
    "@opencode-ai",
    "plugin",
    "sdk",
];

/// Whether `seg` is one of the plugin's module files (`storage.js`, `tty.d.ts`) or folders.
fn is_plugin_file(seg: &str) -> bool {
    if PLUGIN_FOLDERS.contains(&seg) {
        return true;
    }
    [".js.map", ".d.ts", ".js", ".mjs", ".cjs", ".ts"]
        .iter()
        .find_map(|ext| seg.strip_suffix(ext))
        .is_some_and(|stem| PLUGIN_MODULES.contains(&stem))
}

/// Whether `name` is one OpenCode or the plugin writes.
pub fn is_known(name: &str) -> bool {
    if KNOWN.contains(&name) {
        return true;
    }
    // quarantine/<known name>.<digits>.quarantine.json
    if let Some(rest) = name.strip_suffix(".quarantine.json") {
        if let Some((base, stamp)) = rest.rsplit_once('.') {
            return KNOWN.contains(&base) && stamp.bytes().all(|b| b.is_ascii_digit());
        }
    }
    // segments/segment-<16 digits>.jsonl
    name.strip_prefix("segment-")
        .and_then(|r| r.strip_suffix(".jsonl"))
        .is_some_and(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()))
}

/// Whether a path segment is known to be safe: a name of [`is_known`], a common folder, a
/// version (`1.2.3`, `v20.11.0`), a per-account cache name (`codex-auth-models-<…>.json`
/// whose rest the gate still tests), a pseudonym or placeholder.
pub fn is_safe_segment(seg: &str) -> bool {
    if seg.is_empty()
        || seg == "~"
        || seg == "."
        || seg == ".."
        || is_known(seg)
        || COMMON.contains(&seg)
        || ENDPOINTS.contains(&seg)
        || is_plugin_file(seg)
    {
        return true;
    }
    let b = seg.as_bytes();
    if crate::pseudonym::looks_like_pseudonym(b)
        || seg == "<user>"
        || (seg.starts_with('<') && seg.ends_with('>'))
    {
        return true;
    }
    let version = seg.strip_prefix('v').unwrap_or(seg);
    if !version.is_empty() && version.bytes().all(|c| c.is_ascii_digit() || c == b'.') {
        return true;
    }
    ["codex-auth-models-", "codex-models-cache-", "incident-"]
        .iter()
        .any(|p| seg.starts_with(p))
}
