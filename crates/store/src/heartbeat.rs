//! The heartbeat of held locks: one shared thread keeps every lock directory of this process
//! fresh.
//!
//! proper-lockfile treats a lock directory whose mtime is older than the stale threshold
//! (10 s) as abandoned, so its holder touches it every 5 s, checking first that the mtime is
//! still the one it set last (otherwise another process took the lock over: the lock is
//! *compromised*). Almost every critical section here lasts about a millisecond, far less
//! than one period, so a thread per lock would be spawned and joined for nothing — and on a
//! busy machine that hand-off cost more than the whole read-modify-write. Instead one thread,
//! started on first use, sleeps until the earliest refresh is due; taking and releasing a lock
//! only edit a mutex-protected list. The thread exits after a minute without locks and is
//! started again when needed. Releasing marks the lock under its own mutex before anything
//! else, so the heartbeat never touches a directory its owner has let go.

use std::fs::{self, File, FileTimes};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock, PoisonError};
use std::time::{Duration, Instant, SystemTime};

/// While no lock is held the thread wakes this often (no later than the first refresh of a
/// lock with the default 5 s period, so registering one needs no wake-up call).
const IDLE_TICK: Duration = Duration::from_secs(5);

/// Idle ticks before the thread exits.
const IDLE_TICKS_BEFORE_EXIT: u32 = 12;

/// What a lock's owner and the heartbeat share.
pub(crate) struct Shared {
    dir: PathBuf,
    /// Set when a refresh found the directory touched or removed by someone else.
    pub(crate) compromised: AtomicBool,
    /// The mtime we set last (`None` when it could not be read). Held while refreshing and
    /// while the owner compares, so a refresh in progress is not mistaken for a takeover.
    pub(crate) mtime: Mutex<Option<SystemTime>>,
    /// Set (under `mtime`) when the owner releases the lock: no refresh after that.
    released: AtomicBool,
}

impl Shared {
    /// A freshly acquired lock directory whose mtime is `mtime`.
    pub(crate) fn new(dir: PathBuf, mtime: Option<SystemTime>) -> Self {
        Shared {
            dir,
            compromised: AtomicBool::new(false),
            mtime: Mutex::new(mtime),
            released: AtomicBool::new(false),
        }
    }

    /// Stops refreshes for good; returns once none is in progress.
    pub(crate) fn stop(&self) {
        let _guard = lock(&self.mtime);
        self.released.store(true, Ordering::SeqCst);
    }

    /// One heartbeat: verify the mtime is still the one we set, then set it to now. False
    /// when the lock was taken over (or cannot be touched any more).
    fn refresh(&self) -> bool {
        let mut guard = lock(&self.mtime);
        if self.released.load(Ordering::SeqCst) {
            return true;
        }
        let current = match fs::metadata(&self.dir).and_then(|m| m.modified()) {
            Ok(m) => m,
            Err(_) => return false,
        };
        if guard.is_some_and(|expected| expected != current) {
            return false;
        }
        match touch(&self.dir) {
            Ok(()) => {
                *guard = fs::metadata(&self.dir).and_then(|m| m.modified()).ok();
                true
            }
            Err(_) => false,
        }
    }
}

/// Sets a directory's atime and mtime to now.
fn touch(dir: &Path) -> io::Result<()> {
    let now = SystemTime::now();
    File::open(dir)?.set_times(FileTimes::new().set_accessed(now).set_modified(now))
}

/// A registered lock; pass it back to [`deregister`].
#[derive(Debug)]
pub(crate) struct Ticket(u64);

struct Entry {
    id: u64,
    shared: Arc<Shared>,
    every: Duration,
    due: Instant,
}

#[derive(Default)]
struct Registry {
    entries: Vec<Entry>,
    next_id: u64,
    running: bool,
    /// When the sleeping thread will wake up by itself (`None` while it is not sleeping).
    wake_at: Option<Instant>,
}

struct Heartbeat {
    registry: Mutex<Registry>,
    wake: Condvar,
}

fn heartbeat() -> &'static Heartbeat {
    static HEARTBEAT: OnceLock<Heartbeat> = OnceLock::new();
    HEARTBEAT.get_or_init(|| Heartbeat {
        registry: Mutex::new(Registry::default()),
        wake: Condvar::new(),
    })
}

/// A poisoned mutex only means a panic elsewhere; the data (times, a list) stays valid.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Refreshes `shared`'s directory every `every` until [`deregister`]ed or compromised.
pub(crate) fn register(shared: Arc<Shared>, every: Duration) -> Ticket {
    let hb = heartbeat();
    let mut reg = lock(&hb.registry);
    let id = reg.next_id;
    reg.next_id += 1;
    let due = Instant::now() + every;
    reg.entries.push(Entry {
        id,
        shared,
        every,
        due,
    });
    if !reg.running {
        // If the thread cannot be started the lock is held without refreshes, which only
        // matters past the stale threshold; the next registration tries again.
        reg.running = std::thread::Builder::new()
            .name("codex-store-lock".into())
            .spawn(run)
            .is_ok();
    } else if reg.wake_at.is_none_or(|w| due < w) {
        hb.wake.notify_one();
    }
    Ticket(id)
}

/// Forgets a lock (call [`Shared::stop`] first).
pub(crate) fn deregister(ticket: Ticket) {
    lock(&heartbeat().registry)
        .entries
        .retain(|e| e.id != ticket.0);
}

/// The heartbeat thread.
fn run() {
    let hb = heartbeat();
    let mut idle_ticks = 0;
    let mut reg = lock(&hb.registry);
    loop {
        let now = Instant::now();
        let mut due = Vec::new();
        for e in reg.entries.iter_mut().filter(|e| e.due <= now) {
            e.due = now + e.every;
            due.push(Arc::clone(&e.shared));
        }
        if !due.is_empty() {
            // Refresh without the list locked: other threads keep taking and releasing locks.
            drop(reg);
            for shared in &due {
                if !shared.refresh() {
                    shared.compromised.store(true, Ordering::SeqCst);
                }
            }
            reg = lock(&hb.registry);
            reg.entries
                .retain(|e| !e.shared.compromised.load(Ordering::SeqCst));
            continue;
        }
        if reg.entries.is_empty() {
            if idle_ticks >= IDLE_TICKS_BEFORE_EXIT {
                reg.running = false;
                return;
            }
            idle_ticks += 1;
        } else {
            idle_ticks = 0;
        }
        let wake_at = reg
            .entries
            .iter()
            .map(|e| e.due)
            .min()
            .unwrap_or(now + IDLE_TICK);
        reg.wake_at = Some(wake_at);
        reg = match hb
            .wake
            .wait_timeout(reg, wake_at.saturating_duration_since(now))
        {
            Ok((guard, _)) => guard,
            Err(poisoned) => poisoned.into_inner().0,
        };
        reg.wake_at = None;
    }
}
