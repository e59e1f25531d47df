//! A file lock that Node's proper-lockfile 4.x (the plugin's locker) sees and respects.
//!
//! Protocol (reference 5.1): the lock *target* is `<file>.lock`, an empty regular file created
//! with mode 0600 and never deleted; the lock itself is the directory
//! `<realpath(target)>.lock`, created with one `mkdir`. While held, a background thread
//! (one per process, shared by all held locks: see `heartbeat`) refreshes the directory's
//! mtime every 5 s and notices if someone else removed or touched it (the lock was
//! "compromised"). A directory whose mtime is older than 10 s is stale and is
//! reclaimed with `rmdir`. Nothing is ever put inside the directory, and release is `rmdir`,
//! except of a directory another process has taken over, which is left alone.
//! A directory holding `.owner` comes from the plugin's fallback locker, which never goes
//! stale: it is reported, never removed. Advisory `flock` would be invisible to the plugin,
//! which is why this is written by hand.

use std::fs::{self, OpenOptions};
use std::io::ErrorKind;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use crate::error::LockError;
use crate::heartbeat::{self, Shared, Ticket};

/// The file the plugin's fallback locker writes into its lock directory.
pub const FALLBACK_OWNER_FILE: &str = ".owner";

/// Lock timing. The defaults match proper-lockfile's (10 s stale, 5 s refresh) and retry for
/// longer than the plugin does (it gives up after about 1.75 s), so that a lock left by a
/// killed process is reclaimed rather than reported.
#[derive(Debug, Clone)]
pub struct LockOptions {
    /// A lock directory whose mtime is older than this is stale (proper-lockfile: 10 s).
    pub stale: Duration,
    /// How often the holder refreshes the mtime (proper-lockfile: stale / 2).
    pub update: Duration,
    /// How long to keep retrying before reporting the lock as held.
    pub budget: Duration,
    /// First retry delay; doubles up to `max_delay`.
    pub min_delay: Duration,
    /// Largest retry delay.
    pub max_delay: Duration,
}

impl Default for LockOptions {
    fn default() -> Self {
        LockOptions {
            stale: codex_paths::LOCK_STALE,
            update: Duration::from_secs(5),
            budget: Duration::from_secs(12),
            min_delay: Duration::from_millis(2),
            max_delay: Duration::from_millis(50),
        }
    }
}

impl LockOptions {
    /// The same options with a different retry budget.
    pub fn with_budget(mut self, budget: Duration) -> Self {
        self.budget = budget;
        self
    }
}

pub use codex_paths::{lock_dir_of, lock_target_for};

fn age(now: SystemTime, then: SystemTime) -> Duration {
    now.duration_since(then).unwrap_or(Duration::ZERO)
}

/// A held lock. Dropping it releases the lock (best effort); [`FileLock::release`] reports
/// errors.
pub struct FileLock {
    file: PathBuf,
    lock_dir: PathBuf,
    shared: Arc<Shared>,
    ticket: Option<Ticket>,
    released: bool,
}

impl std::fmt::Debug for FileLock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FileLock")
            .field("lock_dir", &self.lock_dir)
            .field("compromised", &self.is_compromised())
            .finish()
    }
}

/// A small xorshift generator for retry jitter (no need for a crypto RNG here).
struct Jitter(u64);

impl Jitter {
    fn new() -> Self {
        let nanos = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(1);
        Jitter((nanos ^ (u64::from(std::process::id()) << 32)) | 1)
    }

    /// A factor in [0.5, 1.5).
    fn factor(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        0.5 + (self.0 % 1000) as f64 / 1000.0
    }
}

impl FileLock {
    /// Acquires the lock of `file`, creating the parent directory and the lock target.
    pub fn acquire(file: &Path, opts: &LockOptions) -> Result<FileLock, LockError> {
        if let Some(parent) = file.parent().filter(|p| !p.as_os_str().is_empty()) {
            fs::create_dir_all(parent).map_err(|e| LockError::io("create directory", parent, e))?;
        }
        let target = lock_target_for(file);
        OpenOptions::new()
            .append(true)
            .create(true)
            .mode(0o600)
            .open(&target)
            .map_err(|e| LockError::io("create lock target", &target, e))?;
        let real = fs::canonicalize(&target).map_err(|e| LockError::io("resolve", &target, e))?;
        Self::acquire_lock_dir(file, codex_paths::lock_name(&real), opts)
    }

    /// Acquires the lock of a whole directory, as the plugin's `withLockedDirectory` does
    /// for the model-catalog cache (reference 5.2): proper-lockfile pointed at the directory
    /// itself, so the lock is `<realpath(dir)>.lock` (for `<root>/cache`, `<root>/cache.lock`)
    /// and there is no separate target file. The directory is created when missing.
    pub fn acquire_dir(dir: &Path, opts: &LockOptions) -> Result<FileLock, LockError> {
        fs::create_dir_all(dir).map_err(|e| LockError::io("create directory", dir, e))?;
        let real = fs::canonicalize(dir).map_err(|e| LockError::io("resolve", dir, e))?;
        Self::acquire_lock_dir(dir, codex_paths::lock_name(&real), opts)
    }

    fn acquire_lock_dir(
        file: &Path,
        lock_dir: PathBuf,
        opts: &LockOptions,
    ) -> Result<FileLock, LockError> {
        let started = Instant::now();
        let mut attempt: u32 = 0;
        let mut jitter = Jitter::new();
        let mut skip_stale_check = false;
        loop {
            match fs::create_dir(&lock_dir) {
                Ok(()) => return Ok(Self::held(file, lock_dir, opts)),
                Err(e) if e.kind() == ErrorKind::AlreadyExists => {}
                Err(e) => return Err(LockError::io("create lock directory", &lock_dir, e)),
            }
            let meta = match fs::metadata(&lock_dir) {
                Ok(m) => m,
                // Released between our mkdir and stat: try again at once.
                Err(e) if e.kind() == ErrorKind::NotFound => continue,
                Err(e) => return Err(LockError::io("stat", &lock_dir, e)),
            };
            let now = SystemTime::now();
            let mtime = meta.modified().ok();
            let is_stale = mtime.is_some_and(|m| age(now, m) > opts.stale);
            let fallback = lock_dir.join(FALLBACK_OWNER_FILE).exists();
            if is_stale && !skip_stale_check {
                if fallback {
                    return Err(LockError::FallbackLeftover {
                        age: mtime.map(|m| age(now, m)),
                        lock_dir,
                    });
                }
                match fs::remove_dir(&lock_dir) {
                    Ok(()) => {}
                    Err(e) if e.kind() == ErrorKind::NotFound => {}
                    Err(e) if e.raw_os_error() == Some(libc::ENOTEMPTY) => {
                        return Err(LockError::NotEmpty { lock_dir });
                    }
                    Err(e) => return Err(LockError::io("remove stale lock", &lock_dir, e)),
                }
                // Retry at once, like proper-lockfile, without a second stale check.
                skip_stale_check = true;
                continue;
            }
            skip_stale_check = false;
            let waited = started.elapsed();
            if waited >= opts.budget {
                if fallback {
                    // The fallback locker never refreshes or expires its locks.
                    return Err(LockError::FallbackLeftover {
                        age: mtime.map(|m| age(now, m)),
                        lock_dir,
                    });
                }
                return Err(LockError::Held {
                    file: file.to_path_buf(),
                    held_for: meta.created().ok().map(|c| age(now, c)),
                    refreshed_ago: mtime.map(|m| age(now, m)),
                    lock_dir,
                    waited,
                });
            }
            let base = opts
                .min_delay
                .saturating_mul(1u32 << attempt.min(16))
                .min(opts.max_delay);
            let delay = base.mul_f64(jitter.factor());
            let remaining = opts.budget.saturating_sub(waited);
            std::thread::sleep(delay.min(remaining).max(Duration::from_millis(1)));
            attempt = attempt.saturating_add(1);
        }
    }

    fn held(file: &Path, lock_dir: PathBuf, opts: &LockOptions) -> FileLock {
        let mtime = fs::metadata(&lock_dir).and_then(|m| m.modified()).ok();
        let shared = Arc::new(Shared::new(lock_dir.clone(), mtime));
        let update = opts.update.max(Duration::from_millis(10));
        let ticket = heartbeat::register(Arc::clone(&shared), update);
        FileLock {
            file: file.to_path_buf(),
            lock_dir,
            shared,
            ticket: Some(ticket),
            released: false,
        }
    }

    /// The lock directory.
    pub fn lock_dir(&self) -> &Path {
        &self.lock_dir
    }

    /// The locked file.
    pub fn file(&self) -> &Path {
        &self.file
    }

    /// Whether another process removed or touched the lock directory while we held it.
    pub fn is_compromised(&self) -> bool {
        if self.shared.compromised.load(Ordering::SeqCst) {
            return true;
        }
        // Hold the mutex while comparing, so a heartbeat in progress is not mistaken for a
        // takeover.
        // A poisoned mutex still holds the last mtime set (the heartbeat reads it the same
        // way); treating it as a takeover would leave our lock behind for 10 s.
        let expected = self
            .shared
            .mtime
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        match fs::metadata(&self.lock_dir).and_then(|m| m.modified()) {
            Ok(m) => expected.is_some_and(|e| e != m),
            Err(_) => true,
        }
    }

    /// Fails with [`LockError::Compromised`] when the lock is no longer ours; call before
    /// committing a write.
    pub fn check(&self) -> Result<(), LockError> {
        if self.is_compromised() {
            return Err(LockError::Compromised {
                lock_dir: self.lock_dir.clone(),
            });
        }
        Ok(())
    }

    /// Releases the lock (`rmdir`), reporting failures.
    pub fn release(mut self) -> Result<(), LockError> {
        self.release_inner()
    }

    fn release_inner(&mut self) -> Result<(), LockError> {
        if self.released {
            return Ok(());
        }
        self.released = true;
        // Judged before the heartbeat stops, and by the directory's mtime as well as the
        // heartbeat's flag: a takeover since the last beat must not be mistaken for ours.
        let compromised = self.is_compromised();
        self.shared.stop();
        if let Some(ticket) = self.ticket.take() {
            heartbeat::deregister(ticket);
        }
        // Again once no beat can run, to narrow the window before the `rmdir`.
        if compromised || self.is_compromised() {
            // Not ours any more: removing it would release someone else's lock.
            return Err(LockError::Compromised {
                lock_dir: self.lock_dir.clone(),
            });
        }
        match fs::remove_dir(&self.lock_dir) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == ErrorKind::NotFound => Err(LockError::Compromised {
                lock_dir: self.lock_dir.clone(),
            }),
            Err(e) => Err(LockError::io("remove lock directory", &self.lock_dir, e)),
        }
    }
}

impl Drop for FileLock {
    fn drop(&mut self) {
        let _ = self.release_inner();
    }
}

/// Runs `f` while holding the lock of `file`, then releases it.
pub fn with_lock<T, E>(
    file: &Path,
    opts: &LockOptions,
    f: impl FnOnce(&FileLock) -> Result<T, E>,
) -> Result<T, E>
where
    E: From<LockError>,
{
    let lock = FileLock::acquire(file, opts)?;
    let out = f(&lock);
    let released = lock.release();
    let value = out?;
    released?;
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs::{File, FileTimes};

    fn quick() -> LockOptions {
        LockOptions {
            budget: Duration::from_millis(200),
            ..LockOptions::default()
        }
    }

    #[test]
    fn names_follow_proper_lockfile() {
        let f = Path::new("/x/codex-accounts.json");
        assert_eq!(
            codex_paths::lock_name(&lock_target_for(f)),
            PathBuf::from("/x/codex-accounts.json.lock.lock")
        );
    }

    #[test]
    fn directory_lock_is_a_sibling_dir_with_no_target_file() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let cache = tmp.path().join("cache");
        let lock = FileLock::acquire_dir(&cache, &quick()).expect("lock");
        assert!(cache.is_dir(), "the locked directory is created");
        let dir = tmp.path().join("cache.lock");
        assert_eq!(lock.lock_dir(), dir);
        assert_eq!(fs::read_dir(&dir).expect("read_dir").count(), 0);
        let err = FileLock::acquire_dir(&cache, &quick()).expect_err("held");
        assert!(matches!(err, LockError::Held { .. }), "{err}");
        lock.release().expect("release");
        assert!(!dir.exists());
        assert_eq!(fs::read_dir(tmp.path()).expect("read_dir").count(), 1);
    }

    #[test]
    fn directory_lock_under_a_symlinked_root_is_the_one_the_doctor_names() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let real = tmp.path().join("real");
        fs::create_dir(&real).expect("mkdir");
        std::os::unix::fs::symlink(&real, tmp.path().join("link")).expect("symlink");
        let cache = tmp.path().join("link/cache");
        let lock = FileLock::acquire_dir(&cache, &quick()).expect("lock");
        let resolved = fs::canonicalize(&real)
            .expect("canonical")
            .join("cache.lock");
        assert_eq!(lock.lock_dir(), resolved);
        assert_eq!(codex_paths::dir_lock_of(&cache), resolved);
        let file = tmp.path().join("link/codex-accounts.json");
        let file_lock = FileLock::acquire(&file, &quick()).expect("file lock");
        assert_eq!(file_lock.lock_dir(), codex_paths::lock_dir_of(&file));
        file_lock.release().expect("release");
        lock.release().expect("release");
    }

    #[test]
    fn acquire_creates_target_and_empty_dir_and_release_removes_dir() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let file = tmp.path().join("sub/codex-accounts.json");
        let lock = FileLock::acquire(&file, &quick()).expect("lock");
        let target = tmp.path().join("sub/codex-accounts.json.lock");
        let dir = tmp.path().join("sub/codex-accounts.json.lock.lock");
        assert!(target.is_file());
        assert!(dir.is_dir());
        assert_eq!(fs::read_dir(&dir).expect("read_dir").count(), 0);
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            fs::metadata(&target).expect("meta").permissions().mode() & 0o777,
            0o600
        );
        assert!(!lock.is_compromised());
        lock.release().expect("release");
        assert!(!dir.exists());
        assert!(target.exists(), "the lock target is never deleted");
    }

    #[test]
    fn second_acquire_reports_held_with_dir_and_age() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let file = tmp.path().join("a.json");
        let _held = FileLock::acquire(&file, &quick()).expect("lock");
        let err = FileLock::acquire(&file, &quick()).expect_err("must be held");
        let msg = err.to_string();
        assert!(matches!(err, LockError::Held { .. }), "{msg}");
        assert!(msg.contains("a.json.lock.lock"), "{msg}");
        assert!(msg.contains("gave up after"), "{msg}");
    }

    #[test]
    fn stale_dir_is_reclaimed_and_fallback_is_reported() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let file = tmp.path().join("b.json");
        let dir = tmp.path().join("b.json.lock.lock");
        fs::create_dir_all(&dir).expect("mkdir");
        let old = SystemTime::now() - Duration::from_secs(30);
        File::open(&dir)
            .expect("open")
            .set_times(FileTimes::new().set_modified(old).set_accessed(old))
            .expect("utimes");
        fs::write(tmp.path().join("b.json.lock"), b"").expect("target");
        let lock = FileLock::acquire(&file, &quick()).expect("stale lock reclaimed");
        drop(lock);

        fs::create_dir_all(&dir).expect("mkdir");
        fs::write(dir.join(FALLBACK_OWNER_FILE), b"uuid").expect("owner");
        File::open(&dir)
            .expect("open")
            .set_times(FileTimes::new().set_modified(old).set_accessed(old))
            .expect("utimes");
        let err = FileLock::acquire(&file, &quick()).expect_err("fallback lock");
        assert!(matches!(err, LockError::FallbackLeftover { .. }), "{err}");
        assert!(dir.join(FALLBACK_OWNER_FILE).exists(), "never removed");
    }

    #[test]
    fn a_fresh_fallback_lock_is_reported_at_the_end_of_the_budget() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let file = tmp.path().join("e.json");
        let dir = tmp.path().join("e.json.lock.lock");
        fs::create_dir_all(&dir).expect("mkdir");
        fs::write(dir.join(FALLBACK_OWNER_FILE), b"uuid").expect("owner");
        let err = FileLock::acquire(&file, &quick()).expect_err("fallback lock");
        assert!(matches!(err, LockError::FallbackLeftover { .. }), "{err}");
        assert!(err.to_string().contains(".owner"), "{err}");
        assert!(dir.join(FALLBACK_OWNER_FILE).exists());
    }

    #[test]
    fn heartbeat_refreshes_mtime_and_detects_takeover() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let file = tmp.path().join("c.json");
        let opts = LockOptions {
            update: Duration::from_millis(50),
            ..quick()
        };
        let lock = FileLock::acquire(&file, &opts).expect("lock");
        let dir = lock.lock_dir().to_path_buf();
        let old = SystemTime::now() - Duration::from_secs(3);
        // Someone else rewrites the mtime: the heartbeat must notice.
        File::open(&dir)
            .expect("open")
            .set_times(FileTimes::new().set_modified(old).set_accessed(old))
            .expect("utimes");
        assert!(eventually(|| lock.is_compromised()), "takeover noticed");
        assert!(lock.check().is_err());
        assert!(matches!(lock.release(), Err(LockError::Compromised { .. })));
        assert!(dir.exists(), "a compromised lock is not removed by us");
    }

    #[test]
    fn release_after_a_takeover_between_heartbeats_leaves_the_new_lock() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let file = tmp.path().join("t.json");
        // The default 5 s period: no heartbeat runs before the release below.
        let lock = FileLock::acquire(&file, &quick()).expect("lock");
        let dir = lock.lock_dir().to_path_buf();
        // Another process took the lock as stale: removed it and made its own.
        fs::remove_dir(&dir).expect("rmdir");
        std::thread::sleep(Duration::from_millis(20));
        fs::create_dir(&dir).expect("mkdir");
        let theirs = SystemTime::now() - Duration::from_secs(1);
        File::open(&dir)
            .expect("open")
            .set_times(FileTimes::new().set_modified(theirs).set_accessed(theirs))
            .expect("utimes");
        assert!(matches!(lock.release(), Err(LockError::Compromised { .. })));
        assert!(dir.exists(), "the other process's lock is still held");
    }

    #[test]
    fn heartbeat_keeps_the_lock_fresh() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let file = tmp.path().join("d.json");
        let opts = LockOptions {
            update: Duration::from_millis(30),
            ..quick()
        };
        let lock = FileLock::acquire(&file, &opts).expect("lock");
        let first = fs::metadata(lock.lock_dir())
            .and_then(|m| m.modified())
            .expect("mtime");
        assert!(
            eventually(|| mtime(lock.lock_dir()) > first),
            "mtime refreshed"
        );
        assert!(!lock.is_compromised());
        let dir = lock.lock_dir().to_path_buf();
        assert!(!dir.join(FALLBACK_OWNER_FILE).exists());
        lock.release().expect("release");
        assert!(!dir.exists(), "released");
    }

    fn mtime(dir: &Path) -> SystemTime {
        fs::metadata(dir).and_then(|m| m.modified()).expect("mtime")
    }

    /// Polls `cond` for up to 5 s: the heartbeat thread runs when the scheduler lets it.
    fn eventually(mut cond: impl FnMut() -> bool) -> bool {
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        while std::time::Instant::now() < deadline {
            if cond() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        cond()
    }

    #[test]
    fn one_heartbeat_serves_locks_with_different_periods() {
        let tmp = tempfile::tempdir().expect("tempdir");
        // A default (5 s) lock first, so the shared thread sleeps for seconds; a 30 ms lock
        // registered afterwards must wake it.
        let slow = FileLock::acquire(&tmp.path().join("slow.json"), &quick()).expect("lock");
        let fast_opts = LockOptions {
            update: Duration::from_millis(30),
            ..quick()
        };
        let fast: Vec<FileLock> = (0..3)
            .map(|i| {
                FileLock::acquire(&tmp.path().join(format!("f{i}.json")), &fast_opts).expect("lock")
            })
            .collect();
        let first: Vec<SystemTime> = fast.iter().map(|l| mtime(l.lock_dir())).collect();
        let slow_first = mtime(slow.lock_dir());
        for (l, t) in fast.iter().zip(&first) {
            assert!(
                eventually(|| mtime(l.lock_dir()) > *t),
                "{}",
                l.lock_dir().display()
            );
            assert!(!l.is_compromised());
        }
        assert_eq!(mtime(slow.lock_dir()), slow_first, "not due yet");
        for l in fast {
            l.release().expect("release");
        }
        slow.release().expect("release");
    }

    #[test]
    fn a_released_lock_is_never_touched_again() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let file = tmp.path().join("r.json");
        let opts = LockOptions {
            update: Duration::from_millis(20),
            ..quick()
        };
        let lock = FileLock::acquire(&file, &opts).expect("lock");
        let dir = lock.lock_dir().to_path_buf();
        lock.release().expect("release");
        // Someone else's directory now (say, a stale one about to be reclaimed).
        fs::create_dir(&dir).expect("mkdir");
        let old = SystemTime::now() - Duration::from_secs(30);
        File::open(&dir)
            .expect("open")
            .set_times(FileTimes::new().set_modified(old).set_accessed(old))
            .expect("utimes");
        std::thread::sleep(Duration::from_millis(120));
        assert_eq!(mtime(&dir), old);
    }
}
