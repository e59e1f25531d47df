//! Which file format a file is, from its path: the bundle reads the plugin's and OpenCode's
//! structured files through their schema (`codex_scrub::schema`), everything else as text.
//!
//! The names are the plugin's own (reference 1.2): config files, caches, the store, the
//! header snapshots, `live-headers.jsonl`, shareable debug (summary, segments, incidents,
//! state files) and the OAuth lifecycle log, with their rotated `.1` copies. Any other
//! `.json`/`.jsonl` file gets the strict generic schema; other files are free text.

use std::path::Path;

use codex_scrub::schema::FileKind;

/// A file name without its rotation and compression suffixes: rotated and compressed
/// copies (`live-headers.jsonl.1`, `….json.2`, `….json.gz`) are the same format.
pub(crate) fn rotation_base(name: &str) -> &str {
    let unzipped = name.strip_suffix(".gz").unwrap_or(name);
    match unzipped.rsplit_once('.') {
        Some((base, n)) if !n.is_empty() && n.bytes().all(|c| c.is_ascii_digit()) => base,
        _ => unzipped,
    }
}

/// The kind of the file at `path`, or `None` for free text.
pub(crate) fn kind_of(path: &Path) -> Option<FileKind> {
    let name = path.file_name()?.to_str()?;
    let base = rotation_base(name);
    let in_debug_state = path
        .ancestors()
        .any(|a| a.file_name().is_some_and(|n| n == "shareable-debug-state"));
    let kind = match base {
        "codex-accounts.json" => FileKind::AccountStore,
        "opencode.json" | "opencode.jsonc" => FileKind::OpencodeConfig,
        "codex-config.jsonc" | "codex-config.json" => FileKind::PluginConfig,
        "codex-client-version.json" => FileKind::ClientVersion,
        "codex-models-cache-meta.json" => FileKind::CatalogMeta,
        "codex-snapshots.json" => FileKind::QuotaSnapshots,
        "codex-session-affinity.json" => FileKind::SessionAffinity,
        "live-headers.jsonl" => FileKind::LiveHeaders,
        "shareable-debug.jsonl" => FileKind::ShareableDebug,
        "incident-state.json" | "manifestless-recovery.json" => FileKind::DebugState,
        "oauth-lifecycle.log" => FileKind::LifecycleLog,
        n if n.ends_with(".json")
            && (n.starts_with("codex-models-cache") || n.starts_with("codex-auth-models-")) =>
        {
            FileKind::ModelCatalog
        }
        n if n.ends_with(".json") && (n.contains("-request-") || n.contains("-response-")) => {
            FileKind::RequestSnapshot
        }
        n if n.ends_with(".jsonl") && in_debug_state => FileKind::ShareableDebug,
        n if n.ends_with(".json") || n.ends_with(".jsonl") => FileKind::Generic,
        _ => return None,
    };
    Some(kind)
}

/// Whether a kind's files may hold JSONC comments (stripped before parsing).
pub(crate) fn jsonc(kind: FileKind) -> bool {
    matches!(kind, FileKind::OpencodeConfig | FileKind::PluginConfig)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_by_path() {
        let k = |p: &str| kind_of(Path::new(p));
        assert_eq!(k("/c/opencode.json"), Some(FileKind::OpencodeConfig));
        assert_eq!(k("/c/codex-config.jsonc"), Some(FileKind::PluginConfig));
        assert_eq!(
            k("/c/cache/codex-auth-models-0123456789abcdef.json"),
            Some(FileKind::ModelCatalog)
        );
        assert_eq!(
            k("/c/cache/codex-models-cache-meta.json"),
            Some(FileKind::CatalogMeta)
        );
        assert_eq!(
            k("/c/cache/codex-snapshots.json"),
            Some(FileKind::QuotaSnapshots)
        );
        assert_eq!(k("/l/live-headers.jsonl.1"), Some(FileKind::LiveHeaders));
        assert_eq!(
            k("/l/2026-01-01T00-00-00-000Z-1-ab12cd34-request-1-before-auth.json"),
            Some(FileKind::RequestSnapshot)
        );
        assert_eq!(
            k("/l/shareable-debug-state/segments/segment-0000000000000001.jsonl"),
            Some(FileKind::ShareableDebug)
        );
        assert_eq!(
            k("/l/shareable-debug-state/incident-state.json"),
            Some(FileKind::DebugState)
        );
        assert_eq!(k("/l/oauth-lifecycle.log.1"), Some(FileKind::LifecycleLog));
        assert_eq!(
            k("/l/2026-01-01T00-00-00-000Z-1-ab12cd34-request-1-before-auth.json.1"),
            Some(FileKind::RequestSnapshot)
        );
        assert_eq!(
            k("/l/2026-01-01T00-00-00-000Z-1-ab12cd34-request-1-before-auth.json.gz"),
            Some(FileKind::RequestSnapshot)
        );
        assert_eq!(
            k("/l/2026-01-01T00-00-00-000Z-1-ab12cd34-request-1-before-auth.json.2"),
            Some(FileKind::RequestSnapshot)
        );
        assert_eq!(k("/l/other.json"), Some(FileKind::Generic));
        assert_eq!(k("/l/plugin.log"), None);
    }
}
