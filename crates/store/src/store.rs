//! `codex-accounts.json` on disk: locked read-modify-write, unlocked reads, quarantine.
//!
//! [`AuthStore::update`] is the plugin's `saveAuthStorage` (reference 4.5): under the file
//! lock, read (quarantining corrupt content), run the edit, normalize, and write atomically
//! unless the serialized result equals what was read. [`AuthStore::load`] reads without the
//! lock, like the plugin's request path; when it finds corrupt content it takes the lock and
//! checks again before quarantining, so it never moves a file another process is replacing.
//! Content that is valid for the plugin but unrepresentable here, too large, not UTF-8 or
//! wrongly typed is reported and left untouched.

use std::fs::{self, File};
use std::io::{ErrorKind, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use codex_auth::model::Domain;
use codex_redact::Secret;
use serde_json::Value;

use crate::atomic::{refuse_symlink, write_atomic, WriteOptions};
use crate::error::{Result, StoreError};
use crate::gitignore::ensure_config_dir_gitignore;
use crate::json::{is_parser_limit, type_name};
use crate::lock::{lock_dir_of, lock_target_for, with_lock, LockOptions};
use crate::quarantine::{default_quarantine_dir, quarantine_file, DEFAULT_KEEP};
use codex_auth::account::ShapeIssue;
use codex_auth::ops::{AccountRow, CommitOptions, Lease, LoginTokens, RefreshedTokens};
use codex_auth::state::{is_openai_only, AuthState, OauthState, OpenAi};

/// Milliseconds since the epoch, injectable for tests.
pub type Clock = Arc<dyn Fn() -> u64 + Send + Sync>;

/// The system clock.
pub fn system_clock() -> Clock {
    Arc::new(|| codex_timefmt::now_ms() as u64)
}

/// Files above this size are refused (an account store is a few KiB per account).
const DEFAULT_MAX_BYTES: u64 = 16 * 1024 * 1024;

/// Knobs of a store.
#[derive(Clone)]
pub struct StoreOptions {
    /// Lock timing.
    pub lock: LockOptions,
    /// Quarantine directory (default `<dir of file>/quarantine`).
    pub quarantine_dir: Option<PathBuf>,
    /// Quarantined copies kept (default 5).
    pub keep: usize,
    /// Time source.
    pub clock: Clock,
    /// Largest file accepted.
    pub max_bytes: u64,
    write: WriteOptions,
}

impl std::fmt::Debug for StoreOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoreOptions")
            .field("lock", &self.lock)
            .field("quarantine_dir", &self.quarantine_dir)
            .field("keep", &self.keep)
            .field("max_bytes", &self.max_bytes)
            .field("write", &self.write)
            .finish()
    }
}

impl Default for StoreOptions {
    fn default() -> Self {
        StoreOptions {
            lock: LockOptions::default(),
            quarantine_dir: None,
            keep: DEFAULT_KEEP,
            clock: system_clock(),
            max_bytes: DEFAULT_MAX_BYTES,
            write: WriteOptions::default(),
        }
    }
}

impl StoreOptions {
    /// With these lock timings.
    pub fn with_lock(mut self, lock: LockOptions) -> Self {
        self.lock = lock;
        self
    }

    /// With this clock.
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    /// With this quarantine directory.
    pub fn with_quarantine_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.quarantine_dir = Some(dir.into());
        self
    }

    /// Benchmarks only: skip fsync of the temp file and the directory.
    #[doc(hidden)]
    pub fn without_fsync_for_bench(mut self) -> Self {
        self.write = WriteOptions {
            fsync: false,
            ..WriteOptions::default()
        };
        self
    }

    pub(crate) fn write_options(&self) -> WriteOptions {
        self.write
    }

    pub(crate) fn now(&self) -> u64 {
        (self.clock)()
    }
}

/// Whether an update wrote the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteOutcome {
    /// The serialized result equaled what was read: nothing written.
    Unchanged,
    /// The file was replaced.
    Written,
}

/// The result of an update.
#[derive(Debug, Clone)]
pub struct Updated<T> {
    /// What the edit returned.
    pub value: T,
    /// Whether the file was written.
    pub outcome: WriteOutcome,
}

/// How a file's bytes classify.
pub(crate) enum Classified {
    Missing,
    Parsed(serde_json::Map<String, Value>),
    Corrupt(String),
}

/// Reads and classifies a JSON file (size limit, UTF-8, JSON, object).
pub(crate) fn read_json_object(path: &Path, max_bytes: u64) -> Result<Classified> {
    match read_limited(path, max_bytes)? {
        None => Ok(Classified::Missing),
        Some((bytes, _)) => classify(path, &bytes),
    }
}

/// A file's bytes, refused above `max_bytes` before reading, and the still open file;
/// `None` when it does not exist.
pub(crate) fn read_limited(path: &Path, max_bytes: u64) -> Result<Option<(Vec<u8>, File)>> {
    let mut file = match codex_paths::open_regular(path) {
        Ok(f) => f,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(StoreError::io("read", path, e)),
    };
    let size = file
        .metadata()
        .map_err(|e| StoreError::io("read", path, e))?
        .len();
    if size > max_bytes {
        return Err(StoreError::TooLarge {
            path: path.to_path_buf(),
            size,
            limit: max_bytes,
        });
    }
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    file.read_to_end(&mut bytes)
        .map_err(|e| StoreError::io("read", path, e))?;
    Ok(Some((bytes, file)))
}

/// Classifies the bytes of `path` (UTF-8, JSON, object); never `Missing`.
pub(crate) fn classify(path: &Path, bytes: &[u8]) -> Result<Classified> {
    let parsed = match std::str::from_utf8(bytes) {
        Ok(text) => serde_json::from_str::<Value>(text),
        Err(utf8) => {
            // Node decodes invalid UTF-8 as U+FFFD; if that parses, the plugin would accept
            // the file and rewrite it lossily. Refuse instead of quarantining valid data.
            let lossy = String::from_utf8_lossy(bytes);
            return match serde_json::from_str::<Value>(&lossy) {
                Ok(_) => Err(StoreError::NotUtf8 {
                    path: path.to_path_buf(),
                    offset: utf8.valid_up_to(),
                }),
                Err(e) => Ok(Classified::Corrupt(format!("not JSON: {e}"))),
            };
        }
    };
    match parsed {
        Ok(Value::Object(m)) => Ok(Classified::Parsed(m)),
        Ok(other) => Ok(Classified::Corrupt(format!(
            "the content is a JSON {}, not an object",
            type_name(&other)
        ))),
        Err(e) if is_parser_limit(&e) => Err(StoreError::Unsupported {
            path: path.to_path_buf(),
            detail: e.to_string(),
        }),
        Err(e) => Ok(Classified::Corrupt(format!("not JSON: {e}"))),
    }
}

/// What the bytes of an existing store hold.
enum Content {
    /// A JSON object, and the state read from it (or why it cannot be represented).
    Object(Result<AuthState>),
    /// Not JSON, or not an object: to be quarantined.
    Corrupt(String),
}

/// The account store file.
#[derive(Debug, Clone)]
pub struct AuthStore {
    path: PathBuf,
    opts: StoreOptions,
}

impl AuthStore {
    /// A store at `path` with default options.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self::with_options(path, StoreOptions::default())
    }

    /// A store at `path`.
    pub fn with_options(path: impl Into<PathBuf>, opts: StoreOptions) -> Self {
        AuthStore {
            path: path.into(),
            opts,
        }
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The options.
    pub fn options(&self) -> &StoreOptions {
        &self.opts
    }

    /// `<file>.lock`.
    pub fn lock_target(&self) -> PathBuf {
        lock_target_for(&self.path)
    }

    /// The lock directory proper-lockfile would use.
    pub fn lock_dir(&self) -> PathBuf {
        lock_dir_of(&self.path)
    }

    /// The quarantine directory.
    pub fn quarantine_dir(&self) -> PathBuf {
        self.opts
            .quarantine_dir
            .clone()
            .unwrap_or_else(|| default_quarantine_dir(&self.path))
    }

    fn openai_only(&self) -> bool {
        is_openai_only(&self.path)
    }

    /// Whether the file exists (an existing store, even empty, is authoritative).
    pub fn exists(&self) -> bool {
        fs::symlink_metadata(&self.path).is_ok()
    }

    fn shape_error(&self, issue: ShapeIssue) -> StoreError {
        StoreError::InvalidShape {
            path: self.path.clone(),
            at: issue.at,
            expected: issue.expected,
            found: issue.found,
        }
    }

    fn parse(&self, root: serde_json::Map<String, Value>) -> Result<AuthState> {
        AuthState::from_root(root, self.openai_only()).map_err(|i| self.shape_error(i))
    }

    fn quarantine(&self, detail: String) -> StoreError {
        let qdir = self.quarantine_dir();
        match quarantine_file(&self.path, &qdir, self.opts.now(), self.opts.keep) {
            Ok(q) => StoreError::Corrupt {
                path: self.path.clone(),
                quarantined: q,
                detail,
            },
            Err(source) => StoreError::QuarantineFailed {
                path: self.path.clone(),
                quarantine_dir: qdir,
                detail,
                source,
            },
        }
    }

    /// Interprets the store's bytes. `codex-accounts.json` of the usual shape is read
    /// straight into the state ([`codex_auth::state::parse_accounts_file`]); anything else is classified and parsed
    /// through a JSON value, which gives the same state and the exact errors.
    fn interpret(&self, bytes: &[u8]) -> Result<Content> {
        if self.openai_only() {
            let direct = std::str::from_utf8(bytes)
                .ok()
                .and_then(AuthState::parse_usual);
            if let Some(state) = direct {
                return Ok(Content::Object(Ok(state)));
            }
        }
        Ok(match classify(&self.path, bytes)? {
            Classified::Missing => Content::Object(Ok(AuthState::empty(self.openai_only()))),
            Classified::Parsed(root) => Content::Object(self.parse(root)),
            Classified::Corrupt(detail) => Content::Corrupt(detail),
        })
    }

    /// Reads under a lock the caller holds; corrupt content is quarantined. Also returns
    /// the number of bytes read and the open file (0 and `None` when it is missing).
    fn read_locked(&self) -> Result<(AuthState, usize, Option<File>)> {
        let Some((bytes, file)) = read_limited(&self.path, self.opts.max_bytes)? else {
            return Ok((AuthState::empty(self.openai_only()), 0, None));
        };
        match self.interpret(&bytes)? {
            Content::Object(state) => Ok((state?, bytes.len(), Some(file))),
            Content::Corrupt(detail) => Err(self.quarantine(detail)),
        }
    }

    /// [`AuthStore::load`] for reading only: a field of the wrong type is left out and named
    /// (`openai.native.accounts[0].expires (a string, should be a number)`), as the plugin
    /// treats such a field as absent, instead of refusing the whole store. Writers keep using
    /// [`AuthStore::load`], which refuses: writing back would lose the field.
    pub fn load_for_reading(&self) -> Result<(AuthState, Vec<String>)> {
        let mut skipped = Vec::new();
        let first = match self.load() {
            Err(StoreError::InvalidShape {
                at,
                expected,
                found,
                ..
            }) => (at, expected, found),
            other => return other.map(|s| (s, skipped)),
        };
        let Some((bytes, _)) = read_limited(&self.path, self.opts.max_bytes)? else {
            return Ok((AuthState::empty(self.openai_only()), skipped));
        };
        let Classified::Parsed(mut root) = classify(&self.path, &bytes)? else {
            return self.load().map(|s| (s, skipped));
        };
        let mut issue = first;
        // Each round takes out the one field the parser named; a bounded number of rounds.
        for _ in 0..256 {
            if !remove_at(&mut root, &issue.0) {
                break;
            }
            skipped.push(format!("{} ({}, should be {})", issue.0, issue.2, issue.1));
            match AuthState::from_root(root.clone(), self.openai_only()) {
                Ok(state) => return Ok((state, skipped)),
                Err(i) => issue = (i.at, i.expected, i.found),
            }
        }
        Err(StoreError::InvalidShape {
            path: self.path.clone(),
            at: issue.0,
            expected: issue.1,
            found: issue.2,
        })
    }

    /// Reads without the lock (like the plugin's request path). A missing file is an empty
    /// store. Corrupt content is quarantined (after re-checking under the lock) and reported.
    pub fn load(&self) -> Result<AuthState> {
        let Some((bytes, _)) = read_limited(&self.path, self.opts.max_bytes)? else {
            return Ok(AuthState::empty(self.openai_only()));
        };
        match self.interpret(&bytes)? {
            Content::Object(state) => {
                if self.openai_only() {
                    if let Some(dir) = self.path.parent() {
                        ensure_config_dir_gitignore(dir);
                    }
                }
                state
            }
            Content::Corrupt(_) => with_lock(&self.path, &self.opts.lock, |_| {
                self.read_locked().map(|(state, _, _)| state)
            }),
        }
    }

    /// Reads without the lock and without quarantining: `Ok(None)` when the content does
    /// not parse, which may be a writer's half-written file rather than corruption (a caller
    /// that can wait calls [`AuthStore::load`] after a pause, which re-reads under the lock
    /// before quarantining). A missing file is an empty store.
    pub fn load_unless_corrupt(&self) -> Result<Option<AuthState>> {
        let Some((bytes, _)) = read_limited(&self.path, self.opts.max_bytes)? else {
            return Ok(Some(AuthState::empty(self.openai_only())));
        };
        match self.interpret(&bytes)? {
            Content::Object(state) => state.map(Some),
            Content::Corrupt(_) => Ok(None),
        }
    }

    fn prepare_write(&self) -> Result<()> {
        refuse_symlink(&self.path)?;
        if let Some(dir) = self.path.parent().filter(|p| !p.as_os_str().is_empty()) {
            fs::create_dir_all(dir).map_err(|e| StoreError::io("create directory", dir, e))?;
            if self.openai_only() {
                ensure_config_dir_gitignore(dir);
            }
        }
        Ok(())
    }

    /// Locked read-modify-write (the plugin's `saveAuthStorage`).
    pub fn update<T>(&self, f: impl FnOnce(&mut AuthState) -> Result<T>) -> Result<Updated<T>> {
        self.prepare_write()?;
        // The file read stays open until the lock is released. Replacing it frees its blocks
        // at the last close, which some filesystems do synchronously (a discard): that wait
        // then happens outside the critical section.
        let mut replaced = None;
        let updated = with_lock(&self.path, &self.opts.lock, |lock| {
            let (mut state, size, file) = self.read_locked()?;
            replaced = file;
            // Nothing changed, nothing written: like the plugin, write unless the new text
            // equals the text of the state as read. That state is kept (a cheap copy: tokens
            // are shared) and compared with the new text as it is walked, stopping at the
            // first difference (domains first, see `AuthState::writes`), rather than
            // serialized into a second text.
            let before = state.clone();
            let value = f(&mut state)?;
            state.normalize();
            // Sized for the usual case (the file is already in the plugin's form), so a large
            // store's text is not regrown while it is written.
            let mut after = String::with_capacity(size + size / 16 + 256);
            let split = state.write_file_split(&mut after);
            if before.writes(&after, split) {
                return Ok(Updated {
                    value,
                    outcome: WriteOutcome::Unchanged,
                });
            }
            lock.check()?;
            write_atomic(
                &self.path,
                after.as_bytes(),
                self.opts.write_options(),
                self.opts.now(),
            )?;
            Ok(Updated {
                value,
                outcome: WriteOutcome::Written,
            })
        });
        drop(replaced);
        updated
    }

    fn oauth_of<'a>(&self, state: &'a mut AuthState, create: bool) -> Result<&'a mut OauthState> {
        if matches!(state.openai(), OpenAi::Absent) {
            if !create {
                return Err(StoreError::NotConfigured {
                    path: self.path.clone(),
                });
            }
            *state.openai_mut() = OpenAi::Oauth(Box::new(OauthState::empty()));
        }
        match state.openai_mut() {
            OpenAi::Oauth(s) => Ok(s),
            OpenAi::Raw(v) => Err(StoreError::NotOauth {
                path: self.path.clone(),
                found: describe_raw(v),
            }),
            OpenAi::Absent => Err(StoreError::NotConfigured {
                path: self.path.clone(),
            }),
        }
    }

    /// Locked update of the OAuth state; fails when the file has none.
    pub fn update_oauth<T>(
        &self,
        f: impl FnOnce(&mut OauthState) -> Result<T>,
    ) -> Result<Updated<T>> {
        self.update(|state| f(self.oauth_of(state, false)?))
    }

    /// Locked update of the OAuth state, creating an empty one when the file has none.
    pub fn update_oauth_or_create<T>(
        &self,
        f: impl FnOnce(&mut OauthState) -> Result<T>,
    ) -> Result<Updated<T>> {
        self.update(|state| f(self.oauth_of(state, true)?))
    }

    /// Rewrites the file in the plugin's canonical form when its bytes differ from it.
    pub fn rewrite_normalized(&self) -> Result<WriteOutcome> {
        self.prepare_write()?;
        with_lock(&self.path, &self.opts.lock, |lock| {
            let Some((current, _)) = read_limited(&self.path, self.opts.max_bytes)? else {
                return Ok(WriteOutcome::Unchanged);
            };
            let state = match self.interpret(&current)? {
                Content::Object(state) => state?,
                Content::Corrupt(detail) => return Err(self.quarantine(detail)),
            };
            let text = state.to_file_string();
            if current == text.as_bytes() {
                return Ok(WriteOutcome::Unchanged);
            }
            lock.check()?;
            write_atomic(
                &self.path,
                text.as_bytes(),
                self.opts.write_options(),
                self.opts.now(),
            )?;
            Ok(WriteOutcome::Written)
        })
    }

    /// The tools' rows (unlocked read). Empty when there is no OAuth entry.
    pub fn rows(&self) -> Result<Vec<AccountRow>> {
        Ok(self
            .load()?
            .oauth()
            .map(OauthState::rows)
            .unwrap_or_default())
    }

    /// `setAccountCooldown`.
    pub fn set_cooldown(&self, mode: Domain, identity_key: &str, until_ms: f64) -> Result<bool> {
        Ok(self
            .update_oauth(|s| Ok(s.set_cooldown(mode, identity_key, until_ms)))?
            .value)
    }

    /// `updateAccountTokensByIdentityKey`.
    pub fn set_tokens(
        &self,
        mode: Domain,
        identity_key: &str,
        access: Secret<String>,
        refresh: Secret<String>,
        expires_ms: f64,
    ) -> Result<bool> {
        Ok(self
            .update_oauth(|s| Ok(s.set_tokens(mode, identity_key, access, refresh, expires_ms)))?
            .value)
    }

    /// Persists a login into domain `mode` and makes it active (reference 4.7).
    pub fn upsert_login(&self, mode: Domain, tokens: &LoginTokens) -> Result<Option<String>> {
        let now = self.opts.now() as f64;
        Ok(self
            .update_oauth_or_create(|s| Ok(s.upsert_login(mode, tokens, now)))?
            .value)
    }

    /// Claims a refresh lease (see [`OauthState::acquire_lease`]).
    pub fn acquire_lease(
        &self,
        mode: Domain,
        identity_key: &str,
        expected_refresh: &Secret<String>,
        duration_ms: f64,
    ) -> Result<Option<Lease>> {
        let now = self.opts.now() as f64;
        Ok(self
            .update_oauth(|s| {
                Ok(s.acquire_lease(mode, identity_key, expected_refresh, now, duration_ms))
            })?
            .value)
    }

    /// Commits refreshed tokens if the lease is still ours (see [`OauthState::commit_refresh`]).
    pub fn commit_refresh(
        &self,
        lease: &Lease,
        tokens: &RefreshedTokens,
        opts: &CommitOptions,
    ) -> Result<bool> {
        let now = self.opts.now() as f64;
        Ok(self
            .update_oauth(|s| Ok(s.commit_refresh(lease, tokens, now, opts)))?
            .value)
    }

    /// Records a failed refresh (see [`OauthState::fail_refresh`]).
    pub fn fail_refresh(&self, lease: &Lease, terminal: bool) -> Result<bool> {
        let now = self.opts.now() as f64;
        Ok(self
            .update_oauth(|s| Ok(s.fail_refresh(lease, terminal, now)))?
            .value)
    }

    /// `accounts use N`.
    pub fn switch_active(&self, index: usize) -> Result<Updated<AccountRow>> {
        self.update_oauth(|s| Ok(s.switch_active(index)?))
    }

    /// `accounts enable N` / `accounts disable N`; the flag says whether a record changed.
    pub fn set_enabled(&self, index: usize, enabled: bool) -> Result<Updated<(AccountRow, bool)>> {
        self.update_oauth(|s| Ok(s.set_enabled(index, enabled)?))
    }

    /// `accounts remove N`; the flag says whether a domain record was removed.
    pub fn remove(&self, index: usize) -> Result<Updated<(AccountRow, bool)>> {
        self.update_oauth(|s| Ok(s.remove(index)?))
    }
}

fn describe_raw(v: &Value) -> String {
    match v.get("type").and_then(Value::as_str) {
        Some("oauth") => "an OAuth entry in a shape the plugin does not recognize".to_string(),
        Some(t) => format!("of type `{t}`"),
        None => format!("a JSON {}", type_name(v)),
    }
}

/// Removes the value at a JSON path written as the parser names it
/// (`openai.native.accounts[0].expires`); whether there was one.
fn remove_at(root: &mut serde_json::Map<String, Value>, at: &str) -> bool {
    // Split into keys and indexes: `a.b[0].c` -> a, b, [0], c.
    let mut steps: Vec<(Option<&str>, Option<usize>)> = Vec::new();
    for part in at.split('.') {
        let (key, rest) = match part.find('[') {
            Some(i) => (&part[..i], &part[i..]),
            None => (part, ""),
        };
        if !key.is_empty() {
            steps.push((Some(key), None));
        }
        for idx in rest.split('[').filter(|x| !x.is_empty()) {
            let Ok(n) = idx.trim_end_matches(']').parse::<usize>() else {
                return false;
            };
            steps.push((None, Some(n)));
        }
    }
    let Some((last, path)) = steps.split_last() else {
        return false;
    };
    let Some((Some(first), None)) = path.first().copied() else {
        return match last {
            (Some(k), None) => root.remove(*k).is_some(),
            _ => false,
        };
    };
    let mut cur = match root.get_mut(first) {
        Some(v) => v,
        None => return false,
    };
    for step in &path[1..] {
        cur = match (step, cur) {
            ((Some(k), None), Value::Object(m)) => match m.get_mut(*k) {
                Some(v) => v,
                None => return false,
            },
            ((None, Some(i)), Value::Array(a)) => match a.get_mut(*i) {
                Some(v) => v,
                None => return false,
            },
            _ => return false,
        };
    }
    match (last, cur) {
        ((Some(k), None), Value::Object(m)) => m.remove(*k).is_some(),
        ((None, Some(i)), Value::Array(a)) if *i < a.len() => {
            a.remove(*i);
            true
        }
        _ => false,
    }
}
