//! The assembly context: the zip being written, the redactor, the manifest being built and
//! the progress callback, with the few operations every section uses (add a generated text,
//! stream a file in, record an exclusion).

use std::io::Write;
use std::path::Path;
use std::time::SystemTime;

use codex_scrub::{redact_stream, Counts, LineReader, Mode, Scrubber};

use crate::error::BundleError;
use crate::manifest::{counts_map, Excluded, FileEntry};
use crate::roots::{Access, Roots};
use crate::zipout::ZipOut;

/// Bytes kept free for the marker written when a file is cut at its end.
pub const END_MARKER_ROOM: u64 = 160;

/// Progress of a bundle, driven by the binary (which owns any progress bar).
pub trait Progress {
    /// About `total` bytes will be read.
    fn start(&mut self, total: u64);
    /// `n` more bytes were read.
    fn advance(&mut self, n: u64);
    /// Done.
    fn finish(&mut self);
}

/// No progress reporting.
#[derive(Debug, Default)]
pub struct NoProgress;

impl Progress for NoProgress {
    fn start(&mut self, _total: u64) {}
    fn advance(&mut self, _n: u64) {}
    fn finish(&mut self) {}
}

/// Everything the sections share.
pub struct Ctx<'a> {
    /// The redactor.
    pub scrubber: &'a Scrubber,
    /// The zip.
    pub zip: ZipOut,
    /// The temp file path (for errors).
    pub zip_path: std::path::PathBuf,
    /// Allowed roots.
    pub roots: Roots,
    /// Files written so far.
    pub files: Vec<FileEntry>,
    /// Files left out.
    pub excluded: Vec<Excluded>,
    /// Redactions over everything.
    pub counts: Counts,
    /// Progress.
    pub progress: &'a mut dyn Progress,
}

impl Ctx<'_> {
    fn write_err(&self, source: std::io::Error) -> BundleError {
        BundleError::Write {
            path: self.zip_path.clone(),
            source,
        }
    }

    /// Records a file left out.
    pub fn exclude(
        &mut self,
        path: &Path,
        reason: impl Into<String>,
        bytes: Option<u64>,
        modified: Option<SystemTime>,
    ) {
        let (root, source) = self.roots.relative(path);
        self.excluded.push(Excluded {
            source,
            root,
            reason: reason.into(),
            bytes,
            modified: modified.map(codex_timefmt::rfc3339),
        });
    }

    /// Redacts `text` and writes it as entry `name`.
    pub fn add_text(
        &mut self,
        name: &str,
        source: Option<(&'static str, String)>,
        bytes_before: u64,
        text: &str,
        mode: Mode,
        note: Option<String>,
    ) -> Result<(), BundleError> {
        let (out, counts) = self.scrubber.redact_text(text, mode);
        let digest = self.zip.write_entry(name, out.as_bytes())?;
        let (root, source) = match source {
            Some((r, s)) => (r, Some(s)),
            None => ("generated", None),
        };
        self.counts.merge(&counts);
        self.files.push(FileEntry {
            path: name.to_string(),
            source,
            root,
            bytes_before,
            bytes_after: digest.bytes,
            sha256: digest.sha256,
            redactions: counts_map(&counts),
            note,
        });
        Ok(())
    }

    /// Streams the file at `real` (checked by [`Roots::check`]) through the redactor into
    /// entry `name`. `skip_to`: start at this offset, after the next newline (a cut file),
    /// with `marker` first. Returns the bytes written.
    #[allow(clippy::too_many_arguments)]
    pub fn add_file(
        &mut self,
        name: &str,
        shown: &Path,
        real: &Path,
        size: u64,
        mode: Mode,
        skip_to: Option<(u64, String)>,
        max_out: Option<u64>,
    ) -> Result<Result<u64, String>, BundleError> {
        use std::io::{Seek, SeekFrom};
        let mut file = match std::fs::File::open(real) {
            Ok(f) => f,
            Err(e) => return Ok(Err(format!("unreadable: {e}"))),
        };
        if let Some((offset, _)) = &skip_to {
            if let Err(e) = file.seek(SeekFrom::Start(*offset)) {
                return Ok(Err(format!("unreadable: {e}")));
            }
        }
        // Sniff before starting the entry, so a binary file leaves no trace in the zip.
        let mut head = Vec::with_capacity(8192);
        if let Err(e) =
            std::io::Read::read_to_end(&mut std::io::Read::take(&mut file, 8192), &mut head)
        {
            return Ok(Err(format!("unreadable: {e}")));
        }
        if codex_scrub::looks_binary(&head) {
            return Ok(Err("binary (not a text log)".to_string()));
        }
        let mut reader = LineReader::new(std::io::Read::chain(&head[..], file));
        let zip_path = self.zip_path.clone();
        let scrubber = self.scrubber;
        let progress = &mut *self.progress;
        let mut w = self.zip.entry(name)?;
        let mut marker_len = 0u64;
        let mut note = None;
        if let Some((offset, marker)) = &skip_to {
            reader
                .skip_partial_line()
                .map_err(|source| BundleError::Write {
                    path: zip_path.clone(),
                    source,
                })?;
            w.write_all(marker.as_bytes())
                .map_err(|source| BundleError::Write {
                    path: zip_path.clone(),
                    source,
                })?;
            marker_len = marker.len() as u64;
            note = Some(format!(
                "cut: the oldest {} bytes were left out (--max-bytes); the newest part is kept",
                offset + reader.consumed
            ));
        }
        let mut fs = scrubber.file(mode);
        // Room for the end marker, so a cut file never passes `max_out`.
        let budget = max_out.map(|m| m.saturating_sub(marker_len + END_MARKER_ROOM));
        let outcome = redact_stream(&mut fs, &mut reader, &mut w, budget, &mut |n| {
            progress.advance(n)
        })
        .map_err(|source| BundleError::Write {
            path: zip_path.clone(),
            source,
        })?;
        if outcome.truncated {
            let tail = format!(
                "\n[codex-doctor bundle: the rest of this file ({} bytes) was left out (--max-bytes)]\n",
                size.saturating_sub(outcome.bytes_in)
            );
            w.write_all(tail.as_bytes())
                .map_err(|source| BundleError::Write {
                    path: zip_path.clone(),
                    source,
                })?;
            note = Some("cut: the end of this file was left out (--max-bytes)".to_string());
        }
        w.flush().map_err(|e| self_err(&zip_path, e))?;
        let digest = w.digest();
        let counts = fs.counts().clone();
        self.counts.merge(&counts);
        let (root, source) = self.roots.relative(shown);
        self.files.push(FileEntry {
            path: name.to_string(),
            source: Some(source),
            root,
            bytes_before: size,
            bytes_after: digest.bytes,
            sha256: digest.sha256,
            redactions: counts_map(&counts),
            note,
        });
        Ok(Ok(digest.bytes))
    }

    /// Checks `path` against the roots and streams it in whole, or records why not.
    pub fn add_checked(&mut self, name: &str, path: &Path, mode: Mode) -> Result<(), BundleError> {
        match self.roots.check(path) {
            Access::Missing => Ok(()),
            Access::Refused {
                reason,
                bytes,
                modified,
            } => {
                self.exclude(path, reason, bytes, modified);
                Ok(())
            }
            Access::File { real, meta } => {
                match self.add_file(name, path, &real, meta.len(), mode, None, None)? {
                    Ok(_) => Ok(()),
                    Err(reason) => {
                        self.exclude(path, reason, Some(meta.len()), meta.modified().ok());
                        Ok(())
                    }
                }
            }
        }
    }

    /// An I/O error on the zip.
    pub fn io_err(&self, e: std::io::Error) -> BundleError {
        self.write_err(e)
    }
}

fn self_err(path: &Path, source: std::io::Error) -> BundleError {
    BundleError::Write {
        path: path.to_path_buf(),
        source,
    }
}
