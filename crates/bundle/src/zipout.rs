//! Writing the zip: a private temp file beside the target, entries that hash and count what
//! they write, and the final move into place (no overwrite unless forced).
//!
//! The temp file is created with mode 0600 and `create_new`; [`TempZip`] deletes it when
//! dropped unless [`TempZip::persist`] moved it to the target. Without `--force` the move is
//! a hard link (fails if the target appeared meanwhile) followed by removing the temp name;
//! with `--force` it is a rename.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use sha2::{Digest, Sha256};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

use crate::error::BundleError;

/// Whether the bundle may be written to `target`, checked before any work: its folder
/// exists; an existing target is refused without `force`, and with it replaced only when it
/// is a regular file or a link to one (a device, pipe or socket in its place, or a link to
/// one, is never replaced by the zip).
pub(crate) fn check_target(target: &Path, force: bool) -> Result<(), BundleError> {
    if let Ok(meta) = std::fs::symlink_metadata(target) {
        if !force {
            return Err(BundleError::Exists {
                path: target.to_path_buf(),
            });
        }
        // A link is replaced, not followed (the rename moves the zip onto the name), but only
        // a link to a regular file or to nothing: one naming a device, pipe, socket or folder
        // (`/dev/stdout`, found from the user's side) is refused like the thing it names.
        let names_a_file = meta.file_type().is_symlink()
            && std::fs::metadata(target).map_or(true, |m| m.file_type().is_file());
        if !(meta.file_type().is_file() || names_a_file) {
            return Err(BundleError::NotAFile {
                path: target.to_path_buf(),
            });
        }
    }
    let folder = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if !folder.is_dir() {
        return Err(BundleError::NoFolder {
            path: target.to_path_buf(),
            folder,
        });
    }
    Ok(())
}

/// A temp file that disappears unless persisted.
#[derive(Debug)]
pub(crate) struct TempZip {
    /// The temp path.
    pub path: PathBuf,
    armed: bool,
}

impl TempZip {
    /// Creates `.<target name>.<pid>.<nanos>.tmp` beside `target`, mode 0600.
    pub(crate) fn create(target: &Path) -> Result<(TempZip, File), BundleError> {
        let dir = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "bundle.zip".to_string());
        let nanos = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let path = dir.join(format!(".{name}.{}.{nanos}.tmp", std::process::id()));
        let file = OpenOptions::new()
            .write(true)
            .read(true)
            .create_new(true)
            .mode(0o600)
            .open(&path)
            .map_err(|source| BundleError::Write {
                path: path.clone(),
                source,
            })?;
        Ok((TempZip { path, armed: true }, file))
    }

    /// Moves the temp file to `target`.
    pub(crate) fn persist(mut self, target: &Path, force: bool) -> Result<(), BundleError> {
        let err = |source| BundleError::Write {
            path: target.to_path_buf(),
            source,
        };
        if force {
            // Checked again just before the move: what appeared meanwhile is not replaced
            // unless it is a file.
            check_target(target, true)?;
            std::fs::rename(&self.path, target).map_err(err)?;
        } else {
            match std::fs::hard_link(&self.path, target) {
                Ok(()) => {
                    let _ = std::fs::remove_file(&self.path);
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                    return Err(BundleError::Exists {
                        path: target.to_path_buf(),
                    })
                }
                Err(_) => {
                    // File systems without hard links: check, then rename.
                    if target.exists() {
                        return Err(BundleError::Exists {
                            path: target.to_path_buf(),
                        });
                    }
                    std::fs::rename(&self.path, target).map_err(err)?;
                }
            }
        }
        self.armed = false;
        Ok(())
    }
}

impl Drop for TempZip {
    fn drop(&mut self) {
        if self.armed {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// The zip being written, with the options every entry uses.
pub(crate) struct ZipOut {
    zip: ZipWriter<File>,
    options: SimpleFileOptions,
    path: PathBuf,
}

impl std::fmt::Debug for ZipOut {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ZipOut").field("path", &self.path).finish()
    }
}

/// What one entry received.
#[derive(Debug, Clone, Default)]
pub(crate) struct EntryDigest {
    /// Bytes written.
    pub bytes: u64,
    /// Lowercase hex SHA-256 of the bytes.
    pub sha256: String,
}

/// A writer into the current entry that hashes and counts.
pub(crate) struct EntryWriter<'a> {
    zip: &'a mut ZipWriter<File>,
    hasher: Sha256,
    bytes: u64,
}

impl Write for EntryWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.zip.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.zip.flush()
    }
}

impl EntryWriter<'_> {
    /// Ends the entry.
    pub(crate) fn digest(self) -> EntryDigest {
        let sha = self.hasher.finalize();
        EntryDigest {
            bytes: self.bytes,
            sha256: sha.iter().map(|b| format!("{b:02x}")).collect(),
        }
    }
}

impl ZipOut {
    /// Starts a zip in `file` (the temp file at `path`).
    pub(crate) fn new(file: File, path: &Path, now: SystemTime, large: bool) -> ZipOut {
        let (y, mo, d, h, mi, s) = codex_timefmt::parts(now);
        let stamp = zip::DateTime::from_date_and_time(
            u16::try_from(y).unwrap_or(1980),
            mo as u8,
            d as u8,
            h as u8,
            mi as u8,
            s as u8,
        )
        .unwrap_or_default();
        let options = SimpleFileOptions::default()
            .compression_method(CompressionMethod::Deflated)
            .compression_level(Some(1))
            .unix_permissions(0o600)
            .last_modified_time(stamp)
            .large_file(large);
        ZipOut {
            zip: ZipWriter::new(file),
            options,
            path: path.to_path_buf(),
        }
    }

    fn zip_err(&self, source: zip::result::ZipError) -> BundleError {
        BundleError::Zip {
            path: self.path.clone(),
            source,
        }
    }

    /// Starts entry `name` and returns its writer.
    pub(crate) fn entry(&mut self, name: &str) -> Result<EntryWriter<'_>, BundleError> {
        let options = self.options;
        if let Err(e) = self.zip.start_file(name, options) {
            return Err(self.zip_err(e));
        }
        Ok(EntryWriter {
            zip: &mut self.zip,
            hasher: Sha256::new(),
            bytes: 0,
        })
    }

    /// Writes a whole entry.
    pub(crate) fn write_entry(
        &mut self,
        name: &str,
        data: &[u8],
    ) -> Result<EntryDigest, BundleError> {
        let path = self.path.clone();
        let mut w = self.entry(name)?;
        w.write_all(data)
            .map_err(|source| BundleError::Write { path, source })?;
        Ok(w.digest())
    }

    /// Finishes the zip and flushes it to disk.
    pub(crate) fn finish(self) -> Result<(), BundleError> {
        let path = self.path.clone();
        let file = self.zip.finish().map_err(|source| BundleError::Zip {
            path: path.clone(),
            source,
        })?;
        file.sync_all()
            .map_err(|source| BundleError::Write { path, source })
    }
}
