//! Errors of bundle assembly and scanning, each naming the file it is about.

use std::path::PathBuf;

use crate::finding::ScanFinding;

/// Why a bundle could not be written.
#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    /// The output file exists and `--force` was not given.
    #[error("{}: already exists (pass --force to overwrite it)", path.display())]
    Exists {
        /// The output path.
        path: PathBuf,
    },
    /// The output path names something other than a file (a device, a pipe, a socket): not
    /// replaced, even with `--force`.
    #[error("{}: not a regular file, so it is not replaced (--force replaces files only)", path.display())]
    NotAFile {
        /// The output path.
        path: PathBuf,
    },
    /// The folder the output should go in does not exist (or is not a folder).
    #[error("cannot write {}: the folder {} does not exist", path.display(), folder.display())]
    NoFolder {
        /// The output path.
        path: PathBuf,
        /// Its folder.
        folder: PathBuf,
    },
    /// Writing the zip (or its temp file) failed.
    #[error("cannot write {}: {source}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// The zip library failed.
    #[error("cannot write the zip {}: {source}", path.display())]
    Zip {
        /// The file.
        path: PathBuf,
        /// The zip error.
        source: zip::result::ZipError,
    },
    /// The self-scan of the finished zip found secret-looking values; the zip was deleted.
    #[error("the finished bundle still contained {} secret-looking value(s), so it was deleted instead of written to {}", findings.len(), path.display())]
    SelfScan {
        /// Where the bundle would have gone.
        path: PathBuf,
        /// What was found.
        findings: Vec<ScanFinding>,
    },
    /// Files that should have been in the bundle could not be read (and `--force` was not
    /// given); nothing was written.
    #[error("{} file(s) could not be read, so {} was not written: {}\n\nhint: fix the permissions, or pass --force to write the bundle without them", files.len(), path.display(), files.join(", "))]
    Unreadable {
        /// Where the bundle would have gone.
        path: PathBuf,
        /// The files (pseudonymized as in the manifest) with the reason.
        files: Vec<String>,
    },
    /// No random bytes for the pseudonym key.
    #[error("{0}")]
    Random(#[from] codex_scrub::RandomUnavailable),
}

/// Why a path could not be scanned.
#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    /// The path does not exist or cannot be read.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        /// The path.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// A zip could not be opened or read.
    #[error("cannot read the zip {}: {source}", path.display())]
    Zip {
        /// The path.
        path: PathBuf,
        /// The zip error.
        source: zip::result::ZipError,
    },
}
