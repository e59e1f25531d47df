//! The process's open-file limit. Each connection costs a descriptor (two while it is
//! proxied), and a soft limit of 1024 is common; `serve` raises the soft limit to the hard
//! one at start, so the server's connection cap, not the descriptor limit, bounds how many
//! clients are served.

/// The soft limit before and after, when it could be read (`None`: unlimited).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NofileChange {
    /// Before.
    pub before: Option<u64>,
    /// After (equal to `before` when it could not be raised).
    pub after: Option<u64>,
}

/// Raises the soft `RLIMIT_NOFILE` to the hard limit (or to 1 048 576 when the hard limit
/// is unlimited and the system refuses that).
#[cfg(unix)]
pub fn raise_nofile() -> NofileChange {
    use rustix::process::{getrlimit, setrlimit, Resource, Rlimit};
    let now = getrlimit(Resource::Nofile);
    let before = now.current;
    if now.current == now.maximum {
        return NofileChange {
            before,
            after: before,
        };
    }
    let candidates = [now.maximum, Some(1 << 20)];
    for target in candidates {
        let raise = match (target, now.current) {
            (None, _) => true,
            (Some(t), Some(c)) => t > c,
            (Some(_), None) => false,
        };
        if !raise {
            continue;
        }
        let new = Rlimit {
            current: target,
            maximum: now.maximum,
        };
        if setrlimit(Resource::Nofile, new).is_ok() {
            return NofileChange {
                before,
                after: getrlimit(Resource::Nofile).current,
            };
        }
    }
    NofileChange {
        before,
        after: before,
    }
}

/// Elsewhere: nothing to raise.
#[cfg(not(unix))]
pub fn raise_nofile() -> NofileChange {
    NofileChange {
        before: None,
        after: None,
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn the_soft_limit_ends_at_the_hard_limit() {
        let change = raise_nofile();
        let now = rustix::process::getrlimit(rustix::process::Resource::Nofile);
        assert_eq!(change.after, now.current);
        // Where the hard limit is finite, the soft limit reaches it.
        if let Some(hard) = now.maximum {
            assert_eq!(now.current, Some(hard));
        }
    }
}
