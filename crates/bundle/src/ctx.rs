//! The assembly context: the zip being written, the redactor, the manifest being built and
//! the progress callback, with the few operations every section uses (add a generated text,
//! stream a file in, record an exclusion).

use std::io::Write;
use std::path::Path;
use std::time::SystemTime;

use codex_scrub::schema::{FileKind, SchemaOptions};
use codex_scrub::{default_threads, redact_parallel_certified, Certified, Counts, Mode, Scrubber};

use crate::names;
use crate::sniff::{self, Content};

use crate::error::BundleError;
use crate::manifest::{counts_map, Excluded, FileEntry};
use crate::roots::{Access, Roots};
use crate::zipout::ZipOut;

/// Bytes kept free for the marker written when a file is cut at its end.
pub(crate) const END_MARKER_ROOM: u64 = 160;

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
pub(crate) struct Ctx<'a> {
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
    /// Request bodies are replaced (structured files drop `body` in their schema walk).
    pub drop_bodies: bool,
    /// Lines the redaction proved clean, for the self-scan ([`codex_scrub::certify`]).
    pub certified: Certified,
}

impl Ctx<'_> {
    /// Records a file left out.
    pub(crate) fn exclude(
        &mut self,
        path: &Path,
        reason: impl Into<String>,
        bytes: Option<u64>,
        modified: Option<SystemTime>,
    ) {
        let (root, source) = self.shown_source(path);
        self.excluded.push(Excluded {
            source,
            root,
            reason: reason.into(),
            bytes,
            modified: modified.map(codex_timefmt::rfc3339),
        });
    }

    /// Redacts `text` and writes it as entry `name`.
    pub(crate) fn add_text(
        &mut self,
        name: &str,
        source: Option<(&'static str, String)>,
        bytes_before: u64,
        text: &str,
        mode: Mode,
        note: Option<String>,
    ) -> Result<(), BundleError> {
        self.add_text_counted(
            name,
            source,
            bytes_before,
            text,
            mode,
            note,
            &Counts::default(),
        )
    }

    /// [`Self::add_text`] for a text a schema already redacted (`before`: what it replaced).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn add_text_counted(
        &mut self,
        name: &str,
        source: Option<(&'static str, String)>,
        bytes_before: u64,
        text: &str,
        mode: Mode,
        note: Option<String>,
        before: &Counts,
    ) -> Result<(), BundleError> {
        let (out, mut counts) = self.scrubber.redact_text(text, mode);
        counts.merge(before);
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

    /// The schema options of this bundle.
    fn schema_options(&self) -> SchemaOptions {
        SchemaOptions {
            drop_bodies: self.drop_bodies,
        }
    }

    /// Reads the document at `real` of `kind` through its schema, then the engine, into
    /// entry `name`. A document that is too large, not UTF-8 or not JSON is streamed through
    /// the engine as text instead ([`Self::add_file`]). Returns the bytes written, or why
    /// the file was left out.
    pub(crate) fn add_structured(
        &mut self,
        name: &str,
        shown: &Path,
        real: &Path,
        size: u64,
        kind: FileKind,
    ) -> Result<Result<u64, String>, BundleError> {
        let as_text = |ctx: &mut Self| {
            ctx.add_file(name, shown, real, size, Mode::Document, None, None, None)
        };
        if size > crate::structured::MAX_SCHEMA_DOCUMENT {
            return as_text(self);
        }
        let text = match std::fs::read(real) {
            Ok(b) => match String::from_utf8(b) {
                Ok(t) => t,
                Err(_) => return as_text(self),
            },
            Err(e) => return Ok(Err(format!("unreadable: {e}"))),
        };
        let p = self.scrubber.pseudonymizer();
        let Some((out, counts)) =
            crate::structured::document(kind, &text, p, self.schema_options())
        else {
            return as_text(self);
        };
        self.progress.advance(size);
        let (root, source) = self.shown_source(shown);
        let note = format!(
            "read by the {} schema: structure and keys kept, a value only where its key is allowlisted for this kind and the value has the key's safe shape",
            kind.name()
        );
        self.add_text_counted(
            name,
            Some((root, source)),
            size,
            &out,
            Mode::Document,
            Some(note),
            &counts,
        )?;
        Ok(Ok(self.files.last().map_or(0, |f| f.bytes_after)))
    }

    /// Streams the file at `real` (checked by [`Roots::check`]) through the redactor into
    /// entry `name`. `kind`: a JSON Lines kind reads every JSON line through its schema
    /// first ([`crate::schema_pool::SchemaPool`], on every core). `skip_to`: a cut file; start at the first whole line (or whole JSON
    /// document) at or after this offset, behind a marker saying what was left out. The
    /// whole range read is sniffed first ([`sniff`]): binary and other formats are refused,
    /// gzip is decompressed and redacted like text. Returns the bytes written, or why the
    /// file was left out.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn add_file(
        &mut self,
        name: &str,
        shown: &Path,
        real: &Path,
        size: u64,
        mode: Mode,
        skip_to: Option<u64>,
        max_out: Option<u64>,
        kind: Option<FileKind>,
    ) -> Result<Result<u64, String>, BundleError> {
        use std::io::{Seek, SeekFrom};
        let offset = match skip_to {
            None => 0,
            Some(o) => match sniff::line_start_at_or_after(real, o) {
                Ok(Some(p)) => p,
                Ok(None) => {
                    return Ok(Err(
                        "no whole line fits in what is left of --max-bytes".to_string()
                    ))
                }
                Err(e) => return Ok(Err(format!("unreadable: {e}"))),
            },
        };
        let content = match sniff::sniff(real, offset) {
            Ok(c) => c,
            Err(e) => return Ok(Err(format!("unreadable: {e}"))),
        };
        let mut file = match std::fs::File::open(real) {
            Ok(f) => f,
            Err(e) => return Ok(Err(format!("unreadable: {e}"))),
        };
        if let Err(e) = file.seek(SeekFrom::Start(offset)) {
            return Ok(Err(format!("unreadable: {e}")));
        }
        let (source, mut note): (Box<dyn std::io::Read>, Option<String>) = match content {
            Content::Text => (Box::new(file), None),
            Content::Gzip { inflated } => (
                Box::new(flate2::read::MultiGzDecoder::new(file)),
                Some(format!(
                    "decompressed from gzip ({inflated} bytes) and redacted; the compressed file is not included"
                )),
            ),
            Content::Refused(reason) => return Ok(Err(reason)),
        };
        let tally = std::rc::Rc::new(std::cell::RefCell::new(crate::structured::Tally::default()));
        // JSON Lines of a known kind, and any other file read line by line (a `.jsonl` of
        // no known kind): each line that is a JSON object goes through its schema.
        let lines_kind =
            kind.filter(|k| k.is_lines() || (*k == FileKind::Generic && mode == Mode::Lines));
        let schema = lines_kind.is_some();
        let source: Box<dyn std::io::Read> = match lines_kind {
            Some(k) => Box::new(crate::schema_pool::SchemaPool::new(
                source,
                k,
                self.scrubber.pseudonymizer().clone(),
                self.schema_options(),
                tally.clone(),
                default_threads(),
            )),
            None => source,
        };
        let zip_path = self.zip_path.clone();
        let scrubber = self.scrubber;
        let progress = &mut *self.progress;
        let mut w = self.zip.entry(name)?;
        let mut marker_len = 0u64;
        if skip_to.is_some() {
            let marker = format!(
                "[codex-doctor bundle: the oldest part of this file (about {offset} bytes) was left out (--max-bytes); newest lines follow]\n"
            );
            w.write_all(marker.as_bytes())
                .map_err(|e| self_err(&zip_path, e))?;
            marker_len = marker.len() as u64;
            note = Some(format!(
                "cut: the oldest {offset} bytes were left out (--max-bytes); the newest whole lines are kept"
            ));
        }
        // Room for the end marker, so a cut file never passes `max_out`.
        let budget = max_out.map(|m| m.saturating_sub(marker_len + END_MARKER_ROOM));
        // On every core; the output is that of one thread.
        let (outcome, counts) = redact_parallel_certified(
            scrubber,
            mode,
            source,
            &mut w,
            budget,
            default_threads(),
            &mut self.certified,
            &mut |n| progress.advance(n),
        )
        .map_err(|e| self_err(&zip_path, e))?;
        if outcome.truncated {
            let tail = format!(
                "\n[codex-doctor bundle: the rest of this file ({} bytes) was left out (--max-bytes)]\n",
                size.saturating_sub(if schema {
                    tally.borrow().bytes_read
                } else {
                    outcome.bytes_in
                })
            );
            w.write_all(tail.as_bytes())
                .map_err(|e| self_err(&zip_path, e))?;
            note = Some("cut: the newest whole lines were left out (--max-bytes)".to_string());
        }
        w.flush().map_err(|e| self_err(&zip_path, e))?;
        let digest = w.digest();
        let mut counts = counts;
        counts.merge(&tally.borrow().counts);
        self.counts.merge(&counts);
        let source = self.shown_source(shown);
        self.files.push(FileEntry {
            path: name.to_string(),
            source: Some(source.1),
            root: source.0,
            bytes_before: size,
            bytes_after: digest.bytes,
            sha256: digest.sha256,
            redactions: counts_map(&counts),
            note,
        });
        Ok(Ok(digest.bytes))
    }

    /// `(root, path relative to it)` with every name a bundle does not know replaced by a
    /// pseudonym (`name_0123abcd.log`): what the manifest shows as a file's origin.
    pub(crate) fn shown_source(&self, path: &Path) -> (&'static str, String) {
        let (root, rel) = self.roots.relative(path);
        (
            root,
            names::pseudonymize_path(&rel, self.scrubber.pseudonymizer()),
        )
    }

    /// Checks `path` against the roots and streams it in whole (through the schema of its
    /// kind, [`crate::kinds::kind_of`]), or records why not.
    pub(crate) fn add_checked(
        &mut self,
        name: &str,
        path: &Path,
        mode: Mode,
    ) -> Result<(), BundleError> {
        self.add_checked_as(name, path, mode, crate::kinds::kind_of(path))
    }

    /// [`Self::add_checked`] with the kind given (a config file named by a variable can
    /// have any name).
    pub(crate) fn add_checked_as(
        &mut self,
        name: &str,
        path: &Path,
        mode: Mode,
        kind: Option<FileKind>,
    ) -> Result<(), BundleError> {
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
                let added = match kind {
                    Some(k) if !k.is_lines() => {
                        self.add_structured(name, path, &real, meta.len(), k)?
                    }
                    _ => self.add_file(name, path, &real, meta.len(), mode, None, None, kind)?,
                };
                match added {
                    Ok(_) => Ok(()),
                    Err(reason) => {
                        self.exclude(path, reason, Some(meta.len()), meta.modified().ok());
                        Ok(())
                    }
                }
            }
        }
    }
}

fn self_err(path: &Path, source: std::io::Error) -> BundleError {
    BundleError::Write {
        path: path.to_path_buf(),
        source,
    }
}
