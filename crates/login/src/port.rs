//! Who holds a TCP port: `"<pid> <name>"` of the processes listening on it, where Linux's
//! `/proc` tells (`/proc/net/tcp*` for the listening socket inodes, `/proc/<pid>/fd` for their
//! owners). Elsewhere, or for another user's process, the list is empty.

use std::fs;

/// Inodes (`socket:[n]`) of sockets listening on `port`.
fn listening_inodes(port: u16) -> Vec<String> {
    let mut inodes = Vec::new();
    for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
        let Ok(text) = fs::read_to_string(table) else {
            continue;
        };
        for line in text.lines().skip(1) {
            let cols: Vec<&str> = line.split_whitespace().collect();
            let (Some(local), Some(state), Some(inode)) = (cols.get(1), cols.get(3), cols.get(9))
            else {
                continue;
            };
            let p = local
                .rsplit(':')
                .next()
                .and_then(|h| u16::from_str_radix(h, 16).ok());
            // `0A` is LISTEN.
            if p == Some(port) && *state == "0A" {
                inodes.push(format!("socket:[{inode}]"));
            }
        }
    }
    inodes
}

/// The processes listening on `port`, sorted, as `"<pid> <name>"`.
pub(crate) fn holders(port: u16) -> Vec<String> {
    let inodes = listening_inodes(port);
    if inodes.is_empty() {
        return Vec::new();
    }
    let Ok(procs) = fs::read_dir("/proc") else {
        return Vec::new();
    };
    let mut out: Vec<String> = procs
        .filter_map(Result::ok)
        .filter_map(|p| {
            let pid: u32 = p.file_name().to_str()?.parse().ok()?;
            let holds = fs::read_dir(p.path().join("fd"))
                .ok()?
                .filter_map(Result::ok)
                .any(|fd| {
                    fs::read_link(fd.path())
                        .is_ok_and(|l| inodes.iter().any(|i| l.as_os_str() == i.as_str()))
                });
            holds.then(|| {
                let comm = fs::read_to_string(p.path().join("comm")).unwrap_or_default();
                format!("{pid} {}", comm.trim())
            })
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg(target_os = "linux")]
    fn names_this_process() {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = l.local_addr().expect("addr").port();
        let me = std::process::id().to_string();
        assert!(
            holders(port)
                .iter()
                .any(|h| h.split(' ').next() == Some(me.as_str())),
            "{:?}",
            holders(port)
        );
        drop(l);
        assert!(holders(port).is_empty());
    }
}
