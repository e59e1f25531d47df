//! Atomic replacement of a file, with the plugin's temp-file naming (reference 5.3).
//!
//! The plugin's request path reads `codex-accounts.json` without the lock, so a writer must
//! never rewrite it in place: the new content goes to `<file>.tmp.<base36 ms>.<uuid v4>`
//! (mode 0600), is fsynced, renamed over the file, and the directory is fsynced so the rename
//! survives a crash. A reader sees the old bytes or the new bytes, never a mix. A symbolic
//! link at the destination is refused: the rename would replace the link itself.

use std::fs::{self, File, OpenOptions};
use std::io::{ErrorKind, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use crate::error::{Result, StoreError};

/// How durable a write is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WriteOptions {
    /// fsync the temp file and the directory. Always on outside benchmarks.
    pub fsync: bool,
    /// The file's permission bits (the plugin's files are 0600; `codex-doctor fix` keeps the
    /// mode a file had). The temp file gets them before the rename.
    pub mode: u32,
}

impl Default for WriteOptions {
    fn default() -> Self {
        WriteOptions {
            fsync: true,
            mode: 0o600,
        }
    }
}

/// `n` in base 36, lowercase (JavaScript's `n.toString(36)`).
pub fn base36(mut n: u64) -> String {
    const DIGITS: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    if n == 0 {
        return "0".to_string();
    }
    let mut out = Vec::new();
    while n > 0 {
        out.push(DIGITS[(n % 36) as usize]);
        n /= 36;
    }
    out.reverse();
    String::from_utf8_lossy(&out).into_owned()
}

/// `<file>.tmp.<base36 now_ms>.<uuid v4>`.
pub fn temp_path_for(path: &Path, now_ms: u64) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(format!(".tmp.{}.{}", base36(now_ms), uuid::Uuid::new_v4()));
    PathBuf::from(s)
}

/// Fails when `path` is a symbolic link (see the module docs).
pub fn refuse_symlink(path: &Path) -> Result<()> {
    match fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => Err(StoreError::Symlink {
            path: path.to_path_buf(),
            target: fs::read_link(path).unwrap_or_default(),
        }),
        _ => Ok(()),
    }
}

/// Atomically replaces `path` with `bytes` (mode `opts.mode`, 0600 by default).
pub fn write_atomic(path: &Path, bytes: &[u8], opts: WriteOptions, now_ms: u64) -> Result<()> {
    refuse_symlink(path)?;
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    fs::create_dir_all(&dir).map_err(|e| StoreError::io("create directory", &dir, e))?;
    let tmp = temp_path_for(path, now_ms);
    let result = write_then_rename(&tmp, path, &dir, bytes, opts);
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

fn write_then_rename(
    tmp: &Path,
    path: &Path,
    dir: &Path,
    bytes: &[u8],
    opts: WriteOptions,
) -> Result<()> {
    let mut f = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(tmp)
        .map_err(|e| StoreError::io("create temp file", tmp, e))?;
    f.write_all(bytes)
        .map_err(|e| StoreError::io("write temp file", tmp, e))?;
    if opts.mode != 0o600 {
        f.set_permissions(fs::Permissions::from_mode(opts.mode))
            .map_err(|e| StoreError::io("chmod temp file", tmp, e))?;
    }
    if opts.fsync {
        f.sync_all()
            .map_err(|e| StoreError::io("fsync temp file", tmp, e))?;
    }
    drop(f);
    fs::rename(tmp, path).map_err(|e| StoreError::io("rename temp file over", path, e))?;
    if opts.fsync {
        sync_dir(dir)?;
    }
    // Best effort, like the plugin: the temp file already had the mode.
    let _ = fs::set_permissions(path, fs::Permissions::from_mode(opts.mode));
    Ok(())
}

/// fsyncs a directory so a rename or removal in it survives a crash (a filesystem that cannot
/// fsync a directory is not an error).
pub fn sync_dir(dir: &Path) -> Result<()> {
    match File::open(dir).and_then(|d| d.sync_all()) {
        Ok(()) => Ok(()),
        // Some filesystems cannot fsync a directory; the rename itself already happened.
        Err(e) if matches!(e.kind(), ErrorKind::InvalidInput | ErrorKind::Unsupported) => Ok(()),
        Err(e) => Err(StoreError::io("fsync directory", dir, e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base36_matches_javascript() {
        assert_eq!(base36(0), "0");
        assert_eq!(base36(35), "z");
        assert_eq!(base36(36), "10");
        // (1700000000000).toString(36) in Node.
        assert_eq!(base36(1_700_000_000_000), "loyw3v28");
    }

    #[test]
    fn temp_name_shape() {
        let p = temp_path_for(Path::new("/d/codex-accounts.json"), 1_700_000_000_000);
        let name = p
            .file_name()
            .and_then(|n| n.to_str())
            .expect("name")
            .to_string();
        let rest = name
            .strip_prefix("codex-accounts.json.tmp.loyw3v28.")
            .expect("prefix");
        assert_eq!(rest.len(), 36);
        assert_eq!(rest.as_bytes()[14], b'4', "uuid v4");
    }

    #[test]
    fn replaces_atomically_with_0600_and_no_leftovers() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let p = tmp.path().join("x/f.json");
        write_atomic(&p, b"one\n", WriteOptions::default(), 1).expect("write");
        write_atomic(
            &p,
            b"two\n",
            WriteOptions {
                fsync: false,
                ..WriteOptions::default()
            },
            2,
        )
        .expect("write");
        assert_eq!(fs::read(&p).expect("read"), b"two\n");
        assert_eq!(
            fs::metadata(&p).expect("meta").permissions().mode() & 0o777,
            0o600
        );
        let names: Vec<_> = fs::read_dir(tmp.path().join("x"))
            .expect("dir")
            .filter_map(|e| e.ok())
            .map(|e| e.file_name())
            .collect();
        assert_eq!(names.len(), 1, "{names:?}");
    }

    #[test]
    fn a_requested_mode_is_on_the_file_from_the_rename_on() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let p = tmp.path().join("opencode.json");
        fs::write(&p, b"{}\n").expect("write");
        fs::set_permissions(&p, fs::Permissions::from_mode(0o600)).expect("chmod");
        let opts = WriteOptions {
            mode: 0o644,
            ..WriteOptions::default()
        };
        write_atomic(&p, b"{\"a\": 1}\n", opts, 3).expect("write");
        assert_eq!(fs::read(&p).expect("read"), b"{\"a\": 1}\n");
        assert_eq!(
            fs::metadata(&p).expect("meta").permissions().mode() & 0o7777,
            0o644
        );
    }

    #[test]
    fn refuses_symlink_targets() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let real = tmp.path().join("real.json");
        fs::write(&real, b"{}\n").expect("write");
        let link = tmp.path().join("link.json");
        std::os::unix::fs::symlink(&real, &link).expect("symlink");
        let err = write_atomic(&link, b"x", WriteOptions::default(), 1).expect_err("symlink");
        assert!(matches!(err, StoreError::Symlink { .. }), "{err}");
        assert_eq!(fs::read(&real).expect("read"), b"{}\n");
        assert!(fs::symlink_metadata(&link)
            .expect("meta")
            .file_type()
            .is_symlink());
    }
}
