//! `cache/codex-session-affinity.json`: which account each OpenCode session is pinned to
//! (reference 6.4).
//!
//! `{ "version": 1, "native": {seenSessionKeys, stickyBySessionKey, hybridBySessionKey},
//! "codex": {…} }`. Reading sanitizes like the plugin: blank keys and wrongly typed values
//! are dropped, timestamps floored, each map capped at 200 entries (`seenSessionKeys` keeps
//! the newest by timestamp, the others the last inserted), and a mode whose three maps are
//! empty is omitted. Sessions whose OpenCode session file is gone are pruned unless seen
//! within the grace window. Written with the same lock and atomic write as the store.

use std::path::{Path, PathBuf};

use codex_auth::model::Domain;
use serde_json::{Map, Value};

use crate::cachefile::{load_best_effort, update_json};
use crate::error::Result;
use crate::json::{self, js_entries};
use crate::store::{StoreOptions, Updated};

/// Entries kept per map.
pub const MAX_ENTRIES: usize = 200;

/// Grace window for sessions whose file is missing (15 min).
pub const PRUNE_GRACE_MS: f64 = 900_000.0;

/// One mode's maps, in insertion order (JavaScript `Map` semantics). `Debug` shows sizes,
/// not session or identity keys.
#[derive(Clone, Default, PartialEq)]
pub struct ModeAffinity {
    /// Session key → last seen (epoch ms).
    pub seen: Vec<(String, f64)>,
    /// Session key → identity key (sticky strategy).
    pub sticky: Vec<(String, String)>,
    /// Session key → identity key (hybrid strategy).
    pub hybrid: Vec<(String, String)>,
}

impl std::fmt::Debug for ModeAffinity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ModeAffinity")
            .field("seen", &self.seen.len())
            .field("sticky", &self.sticky.len())
            .field("hybrid", &self.hybrid.len())
            .finish()
    }
}

fn map_set<V>(entries: &mut Vec<(String, V)>, key: &str, value: V) {
    match entries.iter_mut().find(|(k, _)| k == key) {
        Some((_, v)) => *v = value,
        None => entries.push((key.to_string(), value)),
    }
}

fn clamp<V>(mut entries: Vec<(String, V)>) -> Vec<(String, V)> {
    if entries.len() > MAX_ENTRIES {
        entries.drain(..entries.len() - MAX_ENTRIES);
    }
    entries
}

impl ModeAffinity {
    /// Whether all three maps are empty.
    pub fn is_empty(&self) -> bool {
        self.seen.is_empty() && self.sticky.is_empty() && self.hybrid.is_empty()
    }

    /// Records that `session` was seen at `at_ms`.
    pub fn record_seen(&mut self, session: &str, at_ms: f64) {
        map_set(&mut self.seen, session, at_ms.floor());
    }

    /// Pins `session` to `identity_key` for the sticky strategy.
    pub fn assign_sticky(&mut self, session: &str, identity_key: &str) {
        map_set(&mut self.sticky, session, identity_key.to_string());
    }

    /// Pins `session` to `identity_key` for the hybrid strategy.
    pub fn assign_hybrid(&mut self, session: &str, identity_key: &str) {
        map_set(&mut self.hybrid, session, identity_key.to_string());
    }

    /// Removes sessions for which `exists` is false, unless seen within `grace_ms` of `now_ms`.
    /// Returns how many `seenSessionKeys` entries were removed.
    pub fn prune(&mut self, exists: impl Fn(&str) -> bool, now_ms: f64, grace_ms: f64) -> usize {
        let mut keys: Vec<String> = Vec::new();
        for k in self
            .seen
            .iter()
            .map(|(k, _)| k)
            .chain(self.sticky.iter().map(|(k, _)| k))
            .chain(self.hybrid.iter().map(|(k, _)| k))
        {
            if !keys.contains(k) {
                keys.push(k.clone());
            }
        }
        let mut removed = 0;
        for k in keys {
            if exists(&k) {
                continue;
            }
            let recent = self
                .seen
                .iter()
                .find(|(s, _)| *s == k)
                .is_some_and(|(_, at)| now_ms - at < grace_ms);
            if recent {
                continue;
            }
            let before = self.seen.len();
            self.seen.retain(|(s, _)| *s != k);
            removed += before - self.seen.len();
            self.sticky.retain(|(s, _)| *s != k);
            self.hybrid.retain(|(s, _)| *s != k);
        }
        removed
    }

    fn from_value(v: Option<&Value>) -> ModeAffinity {
        let Some(Value::Object(m)) = v else {
            return ModeAffinity::default();
        };
        ModeAffinity {
            seen: sanitize_seen(m.get("seenSessionKeys")),
            sticky: sanitize_strings(m.get("stickyBySessionKey")),
            hybrid: sanitize_strings(m.get("hybridBySessionKey")),
        }
    }

    fn to_value(&self) -> Value {
        let mut seen = self.seen.clone();
        seen.sort_by(|a, b| a.1.partial_cmp(&b.1).unwrap_or(std::cmp::Ordering::Equal));
        let seen: Map<String, Value> = clamp(seen)
            .into_iter()
            .map(|(k, v)| (k, json::number(v)))
            .collect();
        let strings = |entries: &Vec<(String, String)>| -> Map<String, Value> {
            clamp(entries.clone())
                .into_iter()
                .map(|(k, v)| (k, Value::String(v)))
                .collect()
        };
        let mut m = Map::new();
        m.insert("seenSessionKeys".into(), Value::Object(seen));
        m.insert(
            "stickyBySessionKey".into(),
            Value::Object(strings(&self.sticky)),
        );
        m.insert(
            "hybridBySessionKey".into(),
            Value::Object(strings(&self.hybrid)),
        );
        Value::Object(m)
    }
}

fn sanitize_seen(v: Option<&Value>) -> Vec<(String, f64)> {
    let Some(Value::Object(m)) = v else {
        return Vec::new();
    };
    let mut out: Vec<(String, f64)> = js_entries(m)
        .into_iter()
        .filter(|(k, _)| !codex_js::trim(k).is_empty())
        .filter_map(|(k, v)| {
            let f = v.as_f64().filter(|f| f.is_finite())?;
            Some((k.clone(), f.floor()))
        })
        .collect();
    out.sort_by(|a, b| a.1.partial_cmp(&b.1).unwrap_or(std::cmp::Ordering::Equal));
    clamp(out)
}

fn sanitize_strings(v: Option<&Value>) -> Vec<(String, String)> {
    let Some(Value::Object(m)) = v else {
        return Vec::new();
    };
    clamp(
        js_entries(m)
            .into_iter()
            .filter(|(k, _)| !codex_js::trim(k).is_empty())
            .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_string())))
            .collect(),
    )
}

/// The whole file.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AffinityFile {
    /// `native` section.
    pub native: ModeAffinity,
    /// `codex` section.
    pub codex: ModeAffinity,
}

impl AffinityFile {
    /// `sanitizeFile`.
    pub fn from_value(v: Option<&Value>) -> AffinityFile {
        let get = |k: &str| v.and_then(|v| v.as_object()).and_then(|m| m.get(k));
        AffinityFile {
            native: ModeAffinity::from_value(get("native")),
            codex: ModeAffinity::from_value(get("codex")),
        }
    }

    /// `{version: 1, native?, codex?}`.
    pub fn to_value(&self) -> Value {
        let mut m = Map::new();
        m.insert("version".into(), Value::from(1));
        for (k, mode) in [("native", &self.native), ("codex", &self.codex)] {
            if !mode.is_empty() {
                m.insert(k.into(), mode.to_value());
            }
        }
        Value::Object(m)
    }

    /// One mode's maps.
    pub fn mode(&self, d: Domain) -> &ModeAffinity {
        match d {
            Domain::Native => &self.native,
            Domain::Codex => &self.codex,
        }
    }

    /// One mode's maps, mutable.
    pub fn mode_mut(&mut self, d: Domain) -> &mut ModeAffinity {
        match d {
            Domain::Native => &mut self.native,
            Domain::Codex => &mut self.codex,
        }
    }
}

/// Whether OpenCode's session file for `key` exists (unsafe keys count as missing,
/// reference 1.4).
pub fn session_file_exists(session_dir: &Path, key: &str) -> bool {
    let k = codex_js::trim(key);
    if k.is_empty()
        || k.contains("..")
        || k.contains('/')
        || k.contains('\\')
        || Path::new(k).is_absolute()
    {
        return false;
    }
    session_dir.join(format!("{k}.json")).exists()
}

/// The affinity file.
#[derive(Debug, Clone)]
pub struct AffinityStore {
    path: PathBuf,
    opts: StoreOptions,
}

impl AffinityStore {
    /// A store at `path` (normally `Paths::cache_file("codex-session-affinity.json")`).
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self::with_options(path, StoreOptions::default())
    }

    /// A store with options.
    pub fn with_options(path: impl Into<PathBuf>, opts: StoreOptions) -> Self {
        AffinityStore {
            path: path.into(),
            opts,
        }
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Unlocked best-effort read (malformed → empty).
    pub fn load(&self) -> Result<AffinityFile> {
        let m = load_best_effort(&self.path, &self.opts)?.map(Value::Object);
        Ok(AffinityFile::from_value(m.as_ref()))
    }

    /// Locked read-modify-write; skipped when nothing changed.
    pub fn update<T>(&self, f: impl FnOnce(&mut AffinityFile) -> T) -> Result<Updated<T>> {
        let empty = AffinityFile::default().to_value();
        update_json(&self.path, &self.opts, &empty, |current| {
            let mut file = AffinityFile::from_value(current.map(Value::Object).as_ref());
            let value = f(&mut file);
            (file.to_value(), value)
        })
    }
}
