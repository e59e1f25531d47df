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
