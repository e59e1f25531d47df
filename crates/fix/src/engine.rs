//! Applying a plan safely, rolling it back, and undoing the last run.
//!
//! Order of work for one run (`<state>/codex-kit/doctor/fix/<run id>/`):
//! 1. refuse when the plan changes the store while OpenCode runs (unless forced);
//! 2. take the store's lock when a fix touches the store (held for the whole run; the state
//!    of a stale lock directory it reclaims is recorded just before);
//! 3. record, under that lock, the state of every path the plan touches *before* anything
//!    changes: a byte-exact backup (`files/<n>`, fsynced) and its mode for files, mode and
//!    mtime for directories, "absent" for paths the run creates (and the parent directories it
//!    creates), then the manifest (`manifest.json`, written atomically);
//! 4. apply each action atomically (temp file + fsync + rename + directory fsync), first
//!    checking that the path is still as planned;
//! 5. on the first failure, restore the paths this run wrote that are still as it wrote them
//!    (never a later write of another program) and mark the run `rolled_back`.
//!
//! [`undo`] restores the newest run from its manifest (bytes, modes, mtimes of directories;
//! files the run created are removed, removed directories recreated). Because the manifest is
//! complete before the first change and each change is atomic, a run killed at any point
//! leaves each file wholly old or wholly new, and `undo` still restores it.

use std::fs::{self, File, OpenOptions};
use std::io::{ErrorKind, Write};
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use codex_env::{env_vars, EnvSnapshot};
use codex_store::{FileLock, LockOptions};
use serde::{Deserialize, Serialize};

use crate::error::FixError;
use crate::plan::{Action, Plan};

/// Version of `manifest.json`.
pub const MANIFEST_VERSION: u32 = 1;
/// The manifest's file name inside a run folder.
pub const MANIFEST: &str = "manifest.json";

/// `$XDG_STATE_HOME/codex-kit/doctor/fix` (an absolute `XDG_STATE_HOME` only), else
/// `~/.local/state/codex-kit/doctor/fix`.
pub fn state_dir(env: &EnvSnapshot) -> Result<PathBuf, FixError> {
    let base = match env
        .non_blank(env_vars::XDG_STATE_HOME)
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
    {
        Some(p) => p,
        None => env
            .non_blank(env_vars::HOME)
            .map(|h| PathBuf::from(h).join(".local/state"))
            .ok_or(FixError::NoStateDir)?,
    };
    Ok(base.join("codex-kit").join("doctor").join("fix"))
}

/// How to apply.
#[derive(Debug, Clone)]
pub struct ApplyOptions {
    /// Where run folders go (see [`state_dir`]).
    pub state_dir: PathBuf,
    /// The auth store (`codex-accounts.json`): locked, and written with the store's atomic write.
    pub store_path: PathBuf,
    /// OpenCode processes running now (`pid 12 (opencode)`), found by the caller.
    pub opencode_running: Vec<String>,
    /// Apply store fixes even while OpenCode runs.
    pub force: bool,
    /// How long to wait for the store's lock.
    pub lock_budget: Duration,
    /// Test hook: sleep this long after each action (see `CODEX_DOCTOR_FIX_PAUSE_MS`).
    pub pause_between: Option<Duration>,
}

/// State of a run, as its manifest says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunState {
    /// Backups written, changes being made (or the process died while making them).
    Applying,
    /// Every action was applied.
    Applied,
    /// An action failed and everything was restored.
    RolledBack,
    /// `undo` restored it.
    Undone,
}

/// A path's state before the run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Before {
    /// Nothing was there (the run creates it).
    Absent {
        /// The run creates a directory here.
        dir: bool,
    },
    /// A regular file.
    File {
        /// Backup file name inside the run folder.
        backup: String,
        /// Permission bits.
        mode: u32,
        /// Size in bytes.
        size: u64,
    },
    /// A directory.
    Dir {
        /// Permission bits.
        mode: u32,
        /// Modification time (ms since the epoch).
        mtime_ms: u64,
    },
}

/// One recorded path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// The path.
    pub path: PathBuf,
    /// What was there.
    pub before: Before,
    /// What the run left there (recorded once every action is applied).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<Seen>,
}

/// A path's content and mode as observed (directories by mode only: their mtime moves with
/// every file replaced inside).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Seen {
    /// `sha256:<hex>` of a file, `dir`, or `None` when absent.
    pub content: Option<String>,
    /// Permission bits.
    pub mode: Option<u32>,
}

fn sha(bytes: &[u8]) -> String {
    use sha2::Digest;
    format!("sha256:{:x}", sha2::Sha256::digest(bytes))
}

/// What is at `path` now.
fn observe(path: &Path) -> Seen {
    match fs::symlink_metadata(path) {
        Err(_) => Seen {
            content: None,
            mode: None,
        },
        Ok(m) if m.is_dir() => Seen {
            content: Some("dir".into()),
            mode: Some(m.mode() & 0o7777),
        },
        Ok(m) => Seen {
            content: fs::read(path).ok().map(|b| sha(&b)),
            mode: Some(m.mode() & 0o7777),
        },
    }
}

/// What `before` looks like when observed.
fn seen_before(run_dir: &Path, before: &Before) -> Seen {
    match before {
        Before::Absent { .. } => Seen {
            content: None,
            mode: None,
        },
        Before::Dir { mode, .. } => Seen {
            content: Some("dir".into()),
            mode: Some(*mode),
        },
        Before::File { backup, mode, .. } => Seen {
            content: fs::read(run_dir.join(backup)).ok().map(|b| sha(&b)),
            mode: Some(*mode),
        },
    }
}

/// A fix as the manifest records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestFix {
    /// Check id.
    pub check_id: String,
    /// Fix code.
    pub code: String,
    /// Summary.
    pub summary: String,
}

/// `manifest.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// [`MANIFEST_VERSION`].
    pub version: u32,
    /// The run id (also the folder name).
    pub run_id: String,
    /// When the run started (RFC 3339).
    pub created_at: String,
    /// Where it stands.
    pub state: RunState,
    /// The run changed the store (undo takes its lock too).
    pub touches_store: bool,
    /// The fixes applied.
    pub fixes: Vec<ManifestFix>,
    /// Every path touched, in the order first touched.
    pub entries: Vec<Entry>,
}

/// What [`apply`] did.
#[derive(Debug, Clone)]
pub struct Applied {
    /// The run id.
    pub run_id: String,
    /// The run folder (backups and manifest).
    pub run_dir: PathBuf,
    /// Actions applied.
    pub actions: usize,
}

/// What [`undo`] did.
#[derive(Debug, Clone)]
pub struct Undone {
    /// The run undone.
    pub run_id: String,
    /// Paths restored.
    pub restored: Vec<PathBuf>,
}

fn now_ms() -> u64 {
    codex_timefmt::now_ms().max(0.0) as u64
}

fn io<'a>(action: &'static str, path: &'a Path) -> impl FnOnce(std::io::Error) -> FixError + 'a {
    move |e| FixError::io(action, path, e)
}

fn sync_dir(dir: &Path) -> Result<(), FixError> {
    Ok(codex_store::atomic::sync_dir(dir)?)
}

fn parent_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Atomically replaces (or creates) `path` with `bytes` and `mode`: a temp file named as the
/// plugin names its own (`<file>.tmp.<base36 ms>.<uuid>`), fsynced, renamed over, the
/// directory fsynced. A symbolic link at `path` is refused.
pub fn write_atomic(path: &Path, bytes: &[u8], mode: u32) -> Result<(), FixError> {
    let opts = codex_store::atomic::WriteOptions {
        mode,
        ..Default::default()
    };
    Ok(codex_store::atomic::write_atomic(
        path,
        bytes,
        opts,
        now_ms(),
    )?)
}

fn mtime_ms(m: &fs::Metadata) -> u64 {
    m.modified()
        .ok()
        .and_then(|t| t.duration_since(SystemTime::UNIX_EPOCH).ok())
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// `<epoch ms, 13 digits>-<pid>-<sequence>`: unique, and sorted by name in the order made.
fn new_run_id() -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static SEQ: AtomicU32 = AtomicU32::new(0);
    let seq = SEQ.fetch_add(1, Ordering::Relaxed);
    format!("{:013}-{}-{seq:04}", now_ms(), std::process::id())
}

fn write_manifest(run_dir: &Path, m: &Manifest) -> Result<(), FixError> {
    let mut text = serde_json::to_string_pretty(m).map_err(|e| FixError::Manifest {
        path: run_dir.join(MANIFEST),
        detail: e.to_string(),
    })?;
    text.push('\n');
    write_atomic(&run_dir.join(MANIFEST), text.as_bytes(), 0o600)
}

fn read_manifest(run_dir: &Path) -> Result<Manifest, FixError> {
    let path = run_dir.join(MANIFEST);
    let text = fs::read_to_string(&path).map_err(io("read", &path))?;
    let m: Manifest = serde_json::from_str(&text).map_err(|e| FixError::Manifest {
        path: path.clone(),
        detail: e.to_string(),
    })?;
    if m.version != MANIFEST_VERSION {
        return Err(FixError::Manifest {
            path,
            detail: format!(
                "version {} (this doctor reads {MANIFEST_VERSION})",
                m.version
            ),
        });
    }
    Ok(m)
}

/// Records `path`'s current state (and backs a file up) unless already recorded.
fn record(
    path: &Path,
    run_dir: &Path,
    entries: &mut Vec<Entry>,
    creates_dir: bool,
) -> Result<(), FixError> {
    if entries.iter().any(|e| e.path == path) {
        return Ok(());
    }
    let before = match fs::symlink_metadata(path) {
        Err(e) if e.kind() == ErrorKind::NotFound => Before::Absent { dir: creates_dir },
        Err(e) => return Err(FixError::io("stat", path, e)),
        Ok(m) if m.is_dir() => Before::Dir {
            mode: m.mode() & 0o7777,
            mtime_ms: mtime_ms(&m),
        },
        Ok(m) if m.is_file() => {
            let bytes = fs::read(path).map_err(io("read", path))?;
            let name = format!("files/{}", entries.len());
            let backup = run_dir.join(&name);
            let mut f = OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(&backup)
                .map_err(io("create backup", &backup))?;
            f.write_all(&bytes).map_err(io("write backup", &backup))?;
            f.sync_all().map_err(io("fsync backup", &backup))?;
            Before::File {
                backup: name,
                mode: m.mode() & 0o7777,
                size: bytes.len() as u64,
            }
        }
        Ok(_) => {
            return Err(FixError::io(
                "back up",
                path,
                std::io::Error::other("not a regular file or directory (a symbolic link?)"),
            ))
        }
    };
    entries.push(Entry {
        path: path.to_path_buf(),
        before,
        after: None,
    });
    Ok(())
}

/// Missing ancestors of `path`, outermost first.
fn missing_parents(path: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut cur = path.parent();
    while let Some(p) = cur {
        if p.as_os_str().is_empty() || fs::symlink_metadata(p).is_ok() {
            break;
        }
        out.push(p.to_path_buf());
        cur = p.parent();
    }
    out.reverse();
    out
}

fn lock_store(plan: &Plan, opts: &ApplyOptions) -> Result<Option<FileLock>, FixError> {
    if !plan.touches_store() {
        return Ok(None);
    }
    let lock = FileLock::acquire(
        &opts.store_path,
        &LockOptions::default().with_budget(opts.lock_budget),
    )?;
    Ok(Some(lock))
}

/// Applies `plan`; see the module docs for the order of work.
pub fn apply(plan: &Plan, opts: &ApplyOptions) -> Result<Applied, FixError> {
    if plan.touches_store() && !opts.force && !opts.opencode_running.is_empty() {
        return Err(FixError::OpencodeRunning(opts.opencode_running.join(", ")));
    }
    let plan = &edits_through_links(plan, &opts.store_path);
    let run_id = new_run_id();
    let run_dir = opts.state_dir.join(&run_id);
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(run_dir.join("files"))
        .map_err(io("create", &run_dir))?;

    // The store's own lock directory (a stale one that taking the lock reclaims) is recorded
    // as it was before the lock is taken; every other path is recorded under the lock, so a
    // write the lock holder made while this run waited is what the backup holds (found from
    // the user's side: a rotated refresh token written meanwhile was rolled back).
    let lock_dir = plan
        .touches_store()
        .then(|| codex_paths::lock_dir_of(&opts.store_path));
    let mut entries = Vec::new();
    for f in &plan.fixes {
        for a in &f.actions {
            for p in a.paths() {
                if Some(p) == lock_dir.as_ref() {
                    record(p, &run_dir, &mut entries, false)?;
                }
            }
        }
    }
    let lock = match lock_store(plan, opts) {
        Ok(l) => l,
        Err(e) => {
            // Nothing was changed, and no manifest written: the run leaves no trace.
            let _ = fs::remove_dir_all(&run_dir);
            return Err(e);
        }
    };
    for f in &plan.fixes {
        for a in &f.actions {
            if let Action::Create { path, .. } = a {
                for p in missing_parents(path) {
                    record(&p, &run_dir, &mut entries, true)?;
                }
            }
            for p in a.paths() {
                record(p, &run_dir, &mut entries, false)?;
            }
        }
    }
    sync_dir(&run_dir.join("files"))?;
    let mut manifest = Manifest {
        version: MANIFEST_VERSION,
        run_id: run_id.clone(),
        created_at: codex_timefmt::rfc3339(SystemTime::now()),
        state: RunState::Applying,
        touches_store: plan.touches_store(),
        fixes: plan
            .fixes
            .iter()
            .map(|f| ManifestFix {
                check_id: f.check_id.to_string(),
                code: f.code.to_string(),
                summary: f.summary.clone(),
            })
            .collect(),
        entries,
    };
    write_manifest(&run_dir, &manifest)?;

    let mut applied = 0usize;
    let mut failure = None;
    // What this run wrote, path by path: a rollback puts back only these, and only where
    // they are still as written (another program's later write is never undone).
    let mut written: Vec<(PathBuf, Seen)> = Vec::new();
    'outer: for f in &plan.fixes {
        for a in &f.actions {
            let held = lock.as_ref().map(|l| l.lock_dir());
            if let Err(e) = apply_action(a, &manifest.entries, &opts.store_path, held) {
                failure = Some(e);
                break 'outer;
            }
            if let Action::Create { path, .. } = a {
                for p in missing_parents_recorded(path, &manifest.entries) {
                    written.push((p.clone(), observe(&p)));
                }
            }
            for p in a.paths() {
                written.push((p.clone(), observe(p)));
            }
            applied += 1;
            if let Some(d) = opts.pause_between {
                std::thread::sleep(d);
            }
        }
    }
    let held = lock.as_ref().map(|l| l.lock_dir().to_path_buf());
    let (mut problems, deferred) = match &failure {
        None => (Vec::new(), Vec::new()),
        Some(_) => {
            let (ours, mut problems): (Vec<Entry>, Vec<String>) =
                rollback_set(&manifest.entries, &written, held.as_deref());
            let (more, deferred) = restore_holding(&run_dir, &ours, held.as_deref());
            problems.extend(more);
            (problems, deferred)
        }
    };
    let released = lock.map(FileLock::release).transpose();
    problems.extend(restore_all(&run_dir, &deferred));
    match failure {
        None => {
            released?;
            for e in &mut manifest.entries {
                e.after = Some(observe(&e.path));
            }
            manifest.state = RunState::Applied;
            write_manifest(&run_dir, &manifest)?;
            Ok(Applied {
                run_id,
                run_dir,
                actions: applied,
            })
        }
        Some(cause) => {
            if let Err(e) = released {
                problems.push(e.to_string());
            }
            manifest.state = RunState::RolledBack;
            let _ = write_manifest(&run_dir, &manifest);
            let rollback = if problems.is_empty() {
                String::new()
            } else {
                format!(
                    " (except: {}; the backups are in {})",
                    problems.join("; "),
                    run_dir.display()
                )
            };
            Err(FixError::RolledBack {
                cause: Box::new(cause),
                applied,
                rollback,
            })
        }
    }
}

/// The plan with each edit of a config file that is a symbolic link to a regular file (a
/// dotfile manager's `opencode.json`) made to the file it points to: the link stays, and the
/// change lands where the user keeps the file. The auth store keeps the plugin's behaviour
/// (its writes replace the name). A link into a read-only place fails at the write, named.
fn edits_through_links(plan: &Plan, store: &Path) -> Plan {
    let mut plan = plan.clone();
    for f in &mut plan.fixes {
        for a in &mut f.actions {
            if let Action::Edit { path, .. } = a {
                let is_link =
                    fs::symlink_metadata(&*path).is_ok_and(|m| m.file_type().is_symlink());
                if !is_link || path.as_path() == store {
                    continue;
                }
                if let Ok(target) = fs::canonicalize(&*path) {
                    if target.is_file() {
                        *path = target;
                    }
                }
            }
        }
    }
    plan
}

/// The recorded parents of `path` this run created (they were absent before it).
fn missing_parents_recorded(path: &Path, entries: &[Entry]) -> Vec<PathBuf> {
    path.ancestors()
        .skip(1)
        .filter(|p| {
            entries
                .iter()
                .any(|e| e.path == *p && matches!(e.before, Before::Absent { .. }))
        })
        .map(Path::to_path_buf)
        .collect()
}

/// Of the recorded entries, those a rollback restores: the paths this run wrote that are
/// still as it wrote them, and the store's lock directory it holds; with a problem line for
/// each path it wrote that another program changed since (left as it is).
fn rollback_set(
    entries: &[Entry],
    written: &[(PathBuf, Seen)],
    held: Option<&Path>,
) -> (Vec<Entry>, Vec<String>) {
    let mut ours = Vec::new();
    let mut problems = Vec::new();
    for e in entries {
        if Some(e.path.as_path()) == held {
            ours.push(e.clone());
            continue;
        }
        // The last write of this run to the path decides.
        let Some((_, seen)) = written.iter().rev().find(|(p, _)| *p == e.path) else {
            continue;
        };
        if observe(&e.path) == *seen {
            ours.push(e.clone());
        } else {
            problems.push(format!(
                "{} was changed by another program after this run wrote it, so it was left as it is",
                e.path.display()
            ));
        }
    }
    (ours, problems)
}

/// Restores every entry except the lock directory we hold (its stale predecessor can only
/// come back once ours is released); returns the problems and the entries left for later.
fn restore_holding(
    run_dir: &Path,
    entries: &[Entry],
    held: Option<&Path>,
) -> (Vec<String>, Vec<Entry>) {
    let (later, now): (Vec<Entry>, Vec<Entry>) = entries
        .iter()
        .cloned()
        .partition(|e| Some(e.path.as_path()) == held);
    (restore_all(run_dir, &now), later)
}

fn recorded<'a>(entries: &'a [Entry], path: &Path) -> Option<&'a Before> {
    entries.iter().find(|e| e.path == path).map(|e| &e.before)
}

fn apply_action(
    a: &Action,
    entries: &[Entry],
    store: &Path,
    held_lock: Option<&Path>,
) -> Result<(), FixError> {
    match a {
        Action::Edit {
            path,
            before,
            after,
        } => {
            let meta = fs::symlink_metadata(path).map_err(io("stat", path))?;
            let now = fs::read(path).map_err(io("read", path))?;
            if !meta.is_file() || &now != before {
                return Err(FixError::Changed { path: path.clone() });
            }
            if path == store {
                codex_store::atomic::write_atomic(
                    path,
                    after,
                    codex_store::atomic::WriteOptions::default(),
                    now_ms(),
                )?;
                Ok(())
            } else {
                write_atomic(path, after, meta.mode() & 0o7777)
            }
        }
        Action::Create {
            path,
            content,
            mode,
        } => {
            if fs::symlink_metadata(path).is_ok() {
                return Err(FixError::Changed { path: path.clone() });
            }
            let dir = parent_of(path);
            fs::create_dir_all(&dir).map_err(io("create directory", &dir))?;
            if path == store {
                codex_store::atomic::write_atomic(
                    path,
                    content,
                    codex_store::atomic::WriteOptions::default(),
                    now_ms(),
                )?;
                Ok(())
            } else {
                write_atomic(path, content, *mode)
            }
        }
        // Taking the store's lock reclaimed its stale lock directory, exactly as proper-lockfile
        // does; releasing ours removes the directory.
        Action::Remove { path, dir: true } if Some(path.as_path()) == held_lock => Ok(()),
        Action::Remove { path, dir } => {
            let meta = fs::symlink_metadata(path).map_err(io("stat", path))?;
            if *dir {
                let unchanged = matches!(recorded(entries, path),
                    Some(Before::Dir { mtime_ms: m, .. }) if *m == mtime_ms(&meta));
                if !meta.is_dir() || !unchanged {
                    return Err(FixError::Changed { path: path.clone() });
                }
                fs::remove_dir(path).map_err(io("remove directory", path))?;
            } else {
                if !meta.is_file() {
                    return Err(FixError::Changed { path: path.clone() });
                }
                fs::remove_file(path).map_err(io("remove", path))?;
            }
            sync_dir(&parent_of(path))
        }
        Action::Move { from, to } => {
            if fs::symlink_metadata(to).is_ok() {
                return Err(FixError::Changed { path: to.clone() });
            }
            fs::rename(from, to).map_err(io("move", from))?;
            sync_dir(&parent_of(to))?;
            sync_dir(&parent_of(from))
        }
        Action::Chmod { path, from, to } => {
            let meta = fs::symlink_metadata(path).map_err(io("stat", path))?;
            if meta.file_type().is_symlink() || meta.mode() & 0o7777 != *from {
                return Err(FixError::Changed { path: path.clone() });
            }
            fs::set_permissions(path, fs::Permissions::from_mode(*to)).map_err(io("chmod", path))
        }
    }
}

/// Puts one recorded path back as it was.
fn restore(run_dir: &Path, e: &Entry) -> Result<(), FixError> {
    let path = &e.path;
    let now = fs::symlink_metadata(path);
    match &e.before {
        Before::Absent { .. } => match now {
            Err(err) if err.kind() == ErrorKind::NotFound => Ok(()),
            Err(err) => Err(FixError::io("stat", path, err)),
            Ok(m) if m.is_dir() => fs::remove_dir(path).map_err(io("remove directory", path)),
            Ok(_) => fs::remove_file(path).map_err(io("remove", path)),
        },
        Before::File { backup, mode, .. } => {
            let src = run_dir.join(backup);
            let bytes = fs::read(&src).map_err(io("read backup", &src))?;
            let same = match &now {
                Ok(m) if m.is_file() && m.mode() & 0o7777 == *mode => {
                    fs::read(path).map(|b| b == bytes).unwrap_or(false)
                }
                _ => false,
            };
            if same {
                return Ok(());
            }
            if let Ok(m) = &now {
                if m.is_dir() {
                    fs::remove_dir(path).map_err(io("remove directory", path))?;
                }
            }
            let dir = parent_of(path);
            fs::create_dir_all(&dir).map_err(io("create directory", &dir))?;
            write_atomic(path, &bytes, *mode)
        }
        Before::Dir { mode, mtime_ms } => {
            match now {
                Ok(m) if m.is_dir() => {}
                Ok(_) => {
                    return Err(FixError::io(
                        "recreate directory",
                        path,
                        std::io::Error::other("a file is in its place"),
                    ))
                }
                Err(_) => fs::create_dir(path).map_err(io("recreate directory", path))?,
            }
            fs::set_permissions(path, fs::Permissions::from_mode(*mode))
                .map_err(io("chmod", path))?;
            let t = SystemTime::UNIX_EPOCH + Duration::from_millis(*mtime_ms);
            File::open(path)
                .and_then(|d| d.set_modified(t))
                .map_err(io("set the modification time of", path))
        }
    }
}

/// Restores every entry, last first; returns the problems (empty when clean).
fn restore_all(run_dir: &Path, entries: &[Entry]) -> Vec<String> {
    entries
        .iter()
        .rev()
        .filter_map(|e| restore(run_dir, e).err().map(|err| err.to_string()))
        .collect()
}

/// The newest run under `state_dir` that changed something and is not undone yet (applied,
/// or interrupted while applying), with its manifest. Runs rolled back or undone are passed
/// over, so repeated undos go back run by run.
pub fn last_run(state_dir: &Path) -> Result<Option<(PathBuf, Manifest)>, FixError> {
    let rd = match fs::read_dir(state_dir) {
        Ok(rd) => rd,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(FixError::io("list", state_dir, e)),
    };
    let mut runs: Vec<PathBuf> = rd
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.join(MANIFEST).is_file())
        .collect();
    runs.sort();
    for dir in runs.into_iter().rev() {
        let m = read_manifest(&dir)?;
        if matches!(m.state, RunState::Applied | RunState::Applying) {
            return Ok(Some((dir, m)));
        }
    }
    Ok(None)
}

/// Restores the newest run (applied, or interrupted while applying). A path changed since
/// the run (neither what the run left nor what was there before) is not overwritten unless
/// `opts.force`; nor is the store while OpenCode runs.
pub fn undo(opts: &ApplyOptions) -> Result<Undone, FixError> {
    let state_dir = &opts.state_dir;
    let store_path = &opts.store_path;
    let lock_budget = opts.lock_budget;
    let Some((run_dir, mut m)) = last_run(state_dir)? else {
        return Err(FixError::NothingToUndo(state_dir.to_path_buf()));
    };
    if m.touches_store && !opts.force && !opts.opencode_running.is_empty() {
        return Err(FixError::OpencodeRunning(opts.opencode_running.join(", ")));
    }
    // The lock first, then the comparison: a write the holder makes while undo waits is seen
    // (found from the user's side: it was restored over).
    let lock = if m.touches_store {
        Some(FileLock::acquire(
            store_path,
            &LockOptions::default().with_budget(lock_budget),
        )?)
    } else {
        None
    };
    if !opts.force {
        let changed: Vec<String> = m
            .entries
            .iter()
            .filter(|e| Some(e.path.as_path()) != lock.as_ref().map(|l| l.lock_dir()))
            .filter(|e| {
                let now = observe(&e.path);
                e.after.as_ref().is_some_and(|a| *a != now)
                    && now != seen_before(&run_dir, &e.before)
            })
            .map(|e| e.path.display().to_string())
            .collect();
        if !changed.is_empty() {
            if let Some(l) = lock {
                let _ = l.release();
            }
            return Err(FixError::ChangedSince(changed.join(", ")));
        }
    }
    let held = lock.as_ref().map(|l| l.lock_dir().to_path_buf());
    let (mut problems, deferred) = restore_holding(&run_dir, &m.entries, held.as_deref());
    if let Some(l) = lock {
        if let Err(e) = l.release() {
            problems.push(e.to_string());
        }
    }
    problems.extend(restore_all(&run_dir, &deferred));
    if !problems.is_empty() {
        return Err(FixError::Manifest {
            path: run_dir.join(MANIFEST),
            detail: format!(
                "some paths could not be restored: {}; the backups stay in {}",
                problems.join("; "),
                run_dir.display()
            ),
        });
    }
    m.state = RunState::Undone;
    write_manifest(&run_dir, &m)?;
    Ok(Undone {
        run_id: m.run_id,
        restored: m.entries.into_iter().map(|e| e.path).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::Fix;

    fn opts(tmp: &Path) -> ApplyOptions {
        ApplyOptions {
            state_dir: tmp.join("state"),
            store_path: tmp.join("codex-accounts.json"),
            opencode_running: Vec::new(),
            force: false,
            lock_budget: Duration::from_secs(1),
            pause_between: None,
        }
    }

    fn fix(actions: Vec<Action>) -> Plan {
        Plan {
            fixes: vec![Fix {
                check_id: "t.x",
                code: "t.x",
                summary: "test".into(),
                actions,
                touches_store: false,
            }],
        }
    }

    #[test]
    fn apply_then_undo_restores_bytes_modes_and_removed_dirs() {
        let tmp = tempfile::tempdir().unwrap();
        let t = tmp.path();
        let a = t.join("a.json");
        fs::write(&a, b"old").unwrap();
        fs::set_permissions(&a, fs::Permissions::from_mode(0o640)).unwrap();
        let b = t.join("b.json");
        fs::write(&b, b"bee").unwrap();
        fs::set_permissions(&b, fs::Permissions::from_mode(0o644)).unwrap();
        let lock = t.join("x.lock");
        fs::create_dir(&lock).unwrap();
        let old = SystemTime::now() - Duration::from_secs(60);
        File::open(&lock).unwrap().set_modified(old).unwrap();
        let lock_mtime = mtime_ms(&fs::metadata(&lock).unwrap());
        let created = t.join("new/dir/c.md");
        let plan = fix(vec![
            Action::Edit {
                path: a.clone(),
                before: b"old".to_vec(),
                after: b"new".to_vec(),
            },
            Action::Chmod {
                path: b.clone(),
                from: 0o644,
                to: 0o600,
            },
            Action::Remove {
                path: lock.clone(),
                dir: true,
            },
            Action::Create {
                path: created.clone(),
                content: b"c".to_vec(),
                mode: 0o600,
            },
        ]);
        let done = apply(&plan, &opts(t)).unwrap();
        assert_eq!(done.actions, 4);
        assert_eq!(fs::read(&a).unwrap(), b"new");
        assert_eq!(fs::metadata(&a).unwrap().mode() & 0o777, 0o640);
        assert_eq!(fs::metadata(&b).unwrap().mode() & 0o777, 0o600);
        assert!(!lock.exists());
        assert_eq!(fs::read(&created).unwrap(), b"c");

        let u = undo(&opts(t)).unwrap();
        assert_eq!(u.run_id, done.run_id);
        assert_eq!(fs::read(&a).unwrap(), b"old");
        assert_eq!(fs::metadata(&a).unwrap().mode() & 0o777, 0o640);
        assert_eq!(fs::metadata(&b).unwrap().mode() & 0o777, 0o644);
        assert!(lock.is_dir());
        assert_eq!(mtime_ms(&fs::metadata(&lock).unwrap()), lock_mtime);
        assert!(!created.exists());
        assert!(
            !t.join("new").exists(),
            "the parents the run created are gone too"
        );
        // A second undo has nothing to do.
        assert!(matches!(undo(&opts(t)), Err(FixError::NothingToUndo(_))));
    }

    #[test]
    fn a_failing_action_rolls_back_the_applied_ones() {
        let tmp = tempfile::tempdir().unwrap();
        let t = tmp.path();
        let a = t.join("a.json");
        fs::write(&a, b"old").unwrap();
        let b = t.join("b.json");
        fs::write(&b, b"changed behind our back").unwrap();
        let plan = fix(vec![
            Action::Edit {
                path: a.clone(),
                before: b"old".to_vec(),
                after: b"new".to_vec(),
            },
            Action::Edit {
                path: b.clone(),
                before: b"planned".to_vec(),
                after: b"x".to_vec(),
            },
        ]);
        let err = apply(&plan, &opts(t)).unwrap_err();
        assert!(
            matches!(err, FixError::RolledBack { applied: 1, .. }),
            "{err}"
        );
        assert!(err.to_string().contains("changed since the plan"), "{err}");
        assert_eq!(fs::read(&a).unwrap(), b"old");
        assert_eq!(fs::read(&b).unwrap(), b"changed behind our back");
        let leftovers: Vec<_> = fs::read_dir(t)
            .unwrap()
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().contains(".tmp."))
            .collect();
        assert!(leftovers.is_empty());
    }

    /// A lock holder (the plugin rotating a refresh token): after 400 ms it writes
    /// `{"rotated":1}` to `store`, then removes `lock_dir`, the lock it held.
    fn holder_writes_then_releases(store: &Path, lock_dir: &Path) -> std::thread::JoinHandle<()> {
        let (store, lock_dir) = (store.to_path_buf(), lock_dir.to_path_buf());
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(400));
            fs::write(&store, b"{\"rotated\":1}").unwrap();
            fs::remove_dir(&lock_dir).unwrap();
        })
    }

    /// Found from the user's side: a store fix waiting for the lock backed up the store
    /// before it held the lock, so when the holder (the plugin rotating a refresh token)
    /// wrote meanwhile, the rollback put the old store back and the new token was lost.
    #[test]
    fn a_write_made_while_the_run_waits_for_the_lock_is_never_rolled_back() {
        let tmp = tempfile::tempdir().unwrap();
        let t = tmp.path();
        let o = ApplyOptions {
            lock_budget: Duration::from_secs(10),
            ..opts(t)
        };
        let store = o.store_path.clone();
        fs::write(&store, b"{\"old\":1}").unwrap();
        let other = t.join("opencode.json");
        fs::write(&other, b"{}").unwrap();
        let lock_dir = codex_paths::lock_dir_of(&store);
        fs::create_dir(&lock_dir).unwrap();
        let mut plan = fix(vec![
            Action::Edit {
                path: other.clone(),
                before: b"{}".to_vec(),
                after: b"{\"x\":1}".to_vec(),
            },
            Action::Edit {
                path: store.clone(),
                before: b"{\"old\":1}".to_vec(),
                after: b"{\"fixed\":1}".to_vec(),
            },
        ]);
        plan.fixes[0].touches_store = true;
        // The holder writes the store while the run waits, then releases.
        let holder = holder_writes_then_releases(&store, &lock_dir);
        let err = apply(&plan, &o).unwrap_err();
        holder.join().unwrap();
        assert!(err.to_string().contains("changed since the plan"), "{err}");
        assert_eq!(
            fs::read(&store).unwrap(),
            b"{\"rotated\":1}",
            "the holder's write stays"
        );
        assert_eq!(
            fs::read(&other).unwrap(),
            b"{}",
            "this run's own write is rolled back"
        );
        assert!(!lock_dir.exists(), "the lock is released");
    }

    /// Found from the user's side: undo compared the files before it held the lock, so a
    /// write the holder made while undo waited was restored over.
    #[test]
    fn undo_compares_under_the_lock() {
        let tmp = tempfile::tempdir().unwrap();
        let t = tmp.path();
        let o = ApplyOptions {
            lock_budget: Duration::from_secs(10),
            ..opts(t)
        };
        let store = o.store_path.clone();
        fs::write(&store, b"{\"old\":1}").unwrap();
        let mut plan = fix(vec![Action::Edit {
            path: store.clone(),
            before: b"{\"old\":1}".to_vec(),
            after: b"{\"fixed\":1}".to_vec(),
        }]);
        plan.fixes[0].touches_store = true;
        apply(&plan, &o).unwrap();
        let lock_dir = codex_paths::lock_dir_of(&store);
        fs::create_dir(&lock_dir).unwrap();
        let holder = holder_writes_then_releases(&store, &lock_dir);
        let err = undo(&o).unwrap_err();
        holder.join().unwrap();
        assert!(matches!(err, FixError::ChangedSince(_)), "{err}");
        assert_eq!(fs::read(&store).unwrap(), b"{\"rotated\":1}");
        assert!(!lock_dir.exists(), "the lock is released");
    }

    /// A path this run wrote that another program changed before the rollback is left as
    /// that program wrote it, and said so.
    #[test]
    fn a_rollback_never_undoes_another_programs_later_write() {
        let tmp = tempfile::tempdir().unwrap();
        let t = tmp.path();
        let a = t.join("a.json");
        fs::write(&a, b"old").unwrap();
        let b = t.join("b.json");
        fs::write(&b, b"changed behind our back").unwrap();
        let written = vec![(
            a.clone(),
            Seen {
                content: Some(sha(b"new")),
                mode: Some(0o644),
            },
        )];
        let entries = vec![Entry {
            path: a.clone(),
            before: Before::Absent { dir: false },
            after: None,
        }];
        // `a` now holds someone else's bytes, not what this run wrote.
        fs::write(&a, b"theirs").unwrap();
        let (ours, problems) = rollback_set(&entries, &written, None);
        assert!(ours.is_empty());
        assert!(
            problems[0].contains("changed by another program"),
            "{problems:?}"
        );
    }

    #[test]
    fn store_fixes_refuse_while_opencode_runs_unless_forced() {
        let tmp = tempfile::tempdir().unwrap();
        let t = tmp.path();
        let store = t.join("codex-accounts.json");
        fs::write(&store, b"{}").unwrap();
        fs::set_permissions(&store, fs::Permissions::from_mode(0o644)).unwrap();
        let mut plan = fix(vec![Action::Chmod {
            path: store.clone(),
            from: 0o644,
            to: 0o600,
        }]);
        plan.fixes[0].touches_store = true;
        let mut o = opts(t);
        o.opencode_running = vec!["pid 42 (opencode)".into()];
        let err = apply(&plan, &o).unwrap_err();
        assert!(err.to_string().contains("pid 42 (opencode)"), "{err}");
        assert_eq!(fs::metadata(&store).unwrap().mode() & 0o777, 0o644);
        o.force = true;
        apply(&plan, &o).unwrap();
        assert_eq!(fs::metadata(&store).unwrap().mode() & 0o777, 0o600);
        // The lock was released: no lock directory is left.
        assert!(!codex_paths::lock_dir_of(&store).exists());
    }

    #[test]
    fn the_state_dir_follows_xdg_state_home_when_absolute() {
        let e = EnvSnapshot::from_pairs([("HOME", "/h"), ("XDG_STATE_HOME", "/s")]);
        assert_eq!(
            state_dir(&e).unwrap(),
            PathBuf::from("/s/codex-kit/doctor/fix")
        );
        let e = EnvSnapshot::from_pairs([("HOME", "/h"), ("XDG_STATE_HOME", "rel")]);
        assert_eq!(
            state_dir(&e).unwrap(),
            PathBuf::from("/h/.local/state/codex-kit/doctor/fix")
        );
        assert!(state_dir(&EnvSnapshot::from_pairs([("X", "y")])).is_err());
    }
}

#[cfg(test)]
mod undo_tests {
    use super::*;
    use crate::plan::Fix;

    #[test]
    fn undo_refuses_to_overwrite_a_file_changed_since_the_run_unless_forced() {
        let tmp = tempfile::tempdir().unwrap();
        let t = tmp.path();
        let a = t.join("a.json");
        fs::write(&a, b"old").unwrap();
        let plan = Plan {
            fixes: vec![Fix {
                check_id: "t.x",
                code: "t.x",
                summary: "test".into(),
                actions: vec![Action::Edit {
                    path: a.clone(),
                    before: b"old".to_vec(),
                    after: b"new".to_vec(),
                }],
                touches_store: false,
            }],
        };
        let mut o = ApplyOptions {
            state_dir: t.join("state"),
            store_path: t.join("codex-accounts.json"),
            opencode_running: Vec::new(),
            force: false,
            lock_budget: Duration::from_secs(1),
            pause_between: None,
        };
        apply(&plan, &o).unwrap();
        fs::write(&a, b"edited by the user later").unwrap();
        let err = undo(&o).unwrap_err();
        assert!(err.to_string().contains("a.json"), "{err}");
        assert_eq!(fs::read(&a).unwrap(), b"edited by the user later");
        o.force = true;
        undo(&o).unwrap();
        assert_eq!(fs::read(&a).unwrap(), b"old");
    }

    #[test]
    fn undos_go_back_run_by_run_passing_over_rolled_back_ones() {
        let tmp = tempfile::tempdir().unwrap();
        let t = tmp.path();
        let a = t.join("a.json");
        fs::write(&a, b"v1").unwrap();
        let edit = |from: &[u8], to: &[u8]| Plan {
            fixes: vec![Fix {
                check_id: "t.x",
                code: "t.x",
                summary: "test".into(),
                actions: vec![Action::Edit {
                    path: a.clone(),
                    before: from.to_vec(),
                    after: to.to_vec(),
                }],
                touches_store: false,
            }],
        };
        let o = ApplyOptions {
            state_dir: t.join("state"),
            store_path: t.join("codex-accounts.json"),
            opencode_running: Vec::new(),
            force: false,
            lock_budget: Duration::from_secs(1),
            pause_between: None,
        };
        apply(&edit(b"v1", b"v2"), &o).unwrap();
        apply(&edit(b"v2", b"v3"), &o).unwrap();
        assert!(apply(&edit(b"stale", b"x"), &o).is_err());
        assert_eq!(fs::read(&a).unwrap(), b"v3");
        undo(&o).unwrap();
        assert_eq!(fs::read(&a).unwrap(), b"v2");
        undo(&o).unwrap();
        assert_eq!(fs::read(&a).unwrap(), b"v1");
        assert!(matches!(undo(&o), Err(FixError::NothingToUndo(_))));
    }
}
