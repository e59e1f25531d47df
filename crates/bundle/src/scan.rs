//! `scan`: the redactor's detectors run over files, folders and zips, reporting matches.
//!
//! Folders are walked with `walkdir` without following symlinks. What each file holds is
//! decided from its bytes, not its name: a zip is read entry by entry (entry names are
//! scanned too, and zips inside zips are opened, [`MAX_NESTING`] levels deep), gzip is
//! decompressed, UTF-16 (with or without a byte-order mark, also when it starts after plain
//! text) is decoded, other text is read line by line. Whatever cannot be read (another
//! compression format, binary data, an unreadable file, a zip entry in an unsupported format) is listed
//! as skipped, which the caller treats as a failure to vouch for it. Every match is reported
//! with its file, line, rule and a masked preview, never the value itself.

use std::fs::File;
use std::io::{Cursor, Read};
use std::path::{Path, PathBuf};

use codex_scrub::{
    default_threads, scan_parallel, Certified, FileScrubber, Finding, Mode, Scrubber,
};
use serde::Serialize;

use crate::error::ScanError;
use crate::sniff::refused_format;

/// How many zips deep `scan` looks into zips inside zips.
pub(crate) const MAX_NESTING: usize = 4;

/// The largest nested zip or UTF-16 file read into memory to be scanned.
const MAX_IN_MEMORY: u64 = 512 * 1024 * 1024;

pub use crate::finding::ScanFinding;

/// A file that was not scanned, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Skipped {
    /// The file.
    pub file: String,
    /// Why.
    pub reason: String,
}

/// Everything a scan found.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ScanReport {
    /// Matches, in file and line order.
    pub findings: Vec<ScanFinding>,
    /// Files not scanned.
    pub skipped: Vec<Skipped>,
    /// Files (and zip entries) scanned.
    pub files_scanned: u64,
    /// Bytes scanned.
    pub bytes_scanned: u64,
}

impl ScanReport {
    fn skip(&mut self, file: &str, reason: impl Into<String>) {
        self.skipped.push(Skipped {
            file: file.to_string(),
            reason: reason.into(),
        });
    }
}

fn mode_for(name: &str) -> Mode {
    if name.ends_with(".json") || name.ends_with(".jsonc") {
        Mode::Document
    } else {
        Mode::Lines
    }
}

const SNIFF: usize = 8192;

/// Whether `head` looks like UTF-16 without a byte-order mark: most bytes at odd (or even)
/// offsets are NUL.
fn looks_utf16(head: &[u8]) -> Option<bool> {
    if head.starts_with(b"\xff\xfe") {
        return Some(true);
    }
    if head.starts_with(b"\xfe\xff") {
        return Some(false);
    }
    if head.len() < 8 {
        return None;
    }
    let odd = head.iter().skip(1).step_by(2).filter(|&&b| b == 0).count();
    let even = head.iter().step_by(2).filter(|&&b| b == 0).count();
    let half = head.len() / 2;
    if odd * 10 >= half * 7 && even * 10 < half {
        Some(true)
    } else if even * 10 >= half * 7 && odd * 10 < half {
        Some(false)
    } else {
        None
    }
}

fn decode_utf16(bytes: &[u8], little: bool) -> String {
    let body = if bytes.starts_with(b"\xff\xfe") || bytes.starts_with(b"\xfe\xff") {
        &bytes[2..]
    } else {
        bytes
    };
    let units: Vec<u16> = body
        .chunks_exact(2)
        .map(|c| {
            if little {
                u16::from_le_bytes([c[0], c[1]])
            } else {
                u16::from_be_bytes([c[0], c[1]])
            }
        })
        .collect();
    String::from_utf16_lossy(&units)
}

/// Scans a name (a file name or a zip entry name) as one line.
fn scan_name(scrubber: &Scrubber, label: &str, name: &str, report: &mut ScanReport) {
    // The name the plugin gives every request snapshot (a time, a pid, 8 hex digits of a
    // random id, the request number and stage) says nothing about the user.
    let last = name.rsplit(['/', '\\']).next().unwrap_or(name);
    if codex_scrub::gate::is_snapshot_file_name(last) && !name.contains(['@', ' ']) {
        let folder = &name[..name.len() - last.len()];
        if folder.is_empty() {
            return;
        }
        return scan_name(scrubber, label, folder, report);
    }
    for f in scrubber.scan_text(name, Mode::Lines) {
        report.findings.push(ScanFinding {
            file: label.to_string(),
            line: 0,
            rule: f.rule.as_str().to_string(),
            preview: f.preview,
        });
    }
}

/// Scans text line by line. A line with NUL bytes (UTF-16 that starts after plain text)
/// is scanned once more with the NULs removed.
fn scan_lines<R: Read>(
    scrubber: &Scrubber,
    label: &str,
    reader: R,
    report: &mut ScanReport,
    proven: Option<&Certified>,
) -> std::io::Result<()> {
    let on_piece = |fs: &mut [FileScrubber<'_>; 2],
                    piece: &[u8],
                    newline: bool,
                    line_no: u64,
                    found: &mut Vec<Finding>| {
        fs[0].scan_piece_proven(piece, newline, line_no, found, proven);
        if memchr::memchr(0, piece).is_some() {
            let stripped: Vec<u8> = piece.iter().copied().filter(|&b| b != 0).collect();
            fs[1].scan_piece(&stripped, newline, line_no, found);
        }
    };
    let consumed = scan_parallel(
        scrubber,
        mode_for(label),
        reader,
        default_threads(),
        &on_piece,
        &mut |f| {
            report.findings.push(ScanFinding {
                file: label.to_string(),
                line: f.line,
                rule: f.rule.as_str().to_string(),
                preview: f.preview,
            })
        },
    )?;
    report.files_scanned += 1;
    report.bytes_scanned += consumed;
    Ok(())
}

fn read_bounded<R: Read>(r: R, what: &str) -> Result<Vec<u8>, String> {
    let mut buf = Vec::new();
    r.take(MAX_IN_MEMORY + 1)
        .read_to_end(&mut buf)
        .map_err(|e| format!("cannot read it: {e}"))?;
    if buf.len() as u64 > MAX_IN_MEMORY {
        return Err(format!("{what} larger than 512 MiB (not scanned)"));
    }
    Ok(buf)
}

/// Scans whatever `reader` holds, deciding by its bytes. `depth`: zips already entered.
fn scan_content(
    scrubber: &Scrubber,
    label: &str,
    reader: &mut dyn Read,
    depth: usize,
    report: &mut ScanReport,
    proven: Option<&Certified>,
) -> Result<(), String> {
    let mut head = Vec::with_capacity(SNIFF);
    reader
        .take(SNIFF as u64)
        .read_to_end(&mut head)
        .map_err(|e| format!("cannot read it: {e}"))?;
    let whole = Cursor::new(head.clone()).chain(reader);
    if head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06") {
        if depth >= MAX_NESTING {
            return Err(format!(
                "a zip nested more than {MAX_NESTING} levels deep (not opened)"
            ));
        }
        let bytes = read_bounded(whole, "a zip")?;
        return scan_archive(
            scrubber,
            label,
            Cursor::new(bytes),
            depth + 1,
            report,
            proven,
        );
    }
    if head.starts_with(b"\x1f\x8b") {
        let inner = format!("{label}!gunzip");
        if depth >= MAX_NESTING {
            return Err("gzip nested too deep (not opened)".to_string());
        }
        return scan_content(
            scrubber,
            &inner,
            &mut flate2::read::MultiGzDecoder::new(whole),
            depth + 1,
            report,
            proven,
        );
    }
    if let Some(little) = looks_utf16(&head) {
        let bytes = read_bounded(whole, "a UTF-16 file")?;
        let text = decode_utf16(&bytes, little);
        return scan_lines(scrubber, label, text.as_bytes(), report, proven)
            .map_err(|e| format!("cannot read it: {e}"));
    }
    if let Some(why) = refused_format(&head) {
        return Err(why);
    }
    if memchr::memchr(0, &head).is_some() {
        return Err("binary (not text, so nothing in it can be vouched for)".to_string());
    }
    scan_lines(scrubber, label, whole, report, proven).map_err(|e| format!("cannot read it: {e}"))
}

fn scan_archive<R: Read + std::io::Seek>(
    scrubber: &Scrubber,
    label: &str,
    source: R,
    depth: usize,
    report: &mut ScanReport,
    proven: Option<&Certified>,
) -> Result<(), String> {
    let mut archive =
        zip::ZipArchive::new(source).map_err(|e| format!("not a readable zip: {e}"))?;
    for i in 0..archive.len() {
        let mut entry = match archive.by_index(i) {
            Ok(e) => e,
            Err(e) => {
                report.skip(
                    &format!("{label}!#{i}"),
                    format!("zip entry cannot be read: {e}"),
                );
                continue;
            }
        };
        let name = entry.name().to_string();
        let entry_label = format!("{label}!{name}");
        scan_name(scrubber, &entry_label, &name, report);
        if entry.is_dir() {
            continue;
        }
        if let Err(reason) = scan_content(scrubber, &entry_label, &mut entry, depth, report, proven)
        {
            report.skip(&entry_label, reason);
        }
    }
    Ok(())
}

/// Scans every entry of the zip at `path` (names and contents), passing over the lines
/// `proven` holds ([`codex_scrub::certify`]).
pub(crate) fn scan_zip(
    path: &Path,
    scrubber: &Scrubber,
    report: &mut ScanReport,
    proven: Option<&Certified>,
) -> Result<(), ScanError> {
    let file = File::open(path).map_err(|source| ScanError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let label = path.display().to_string();
    if let Err(reason) = scan_archive(
        scrubber,
        &label,
        std::io::BufReader::new(file),
        1,
        report,
        proven,
    ) {
        report.skip(&label, reason);
    }
    Ok(())
}

fn scan_file(path: &Path, scrubber: &Scrubber, report: &mut ScanReport) {
    let label = path.display().to_string();
    if let Some(name) = path.file_name() {
        scan_name(scrubber, &label, &name.to_string_lossy(), report);
    }
    let f = match File::open(path) {
        Ok(f) => f,
        Err(e) => return report.skip(&label, format!("cannot read it: {e}")),
    };
    if let Err(reason) = scan_content(
        scrubber,
        &label,
        &mut std::io::BufReader::new(f),
        0,
        report,
        None,
    ) {
        report.skip(&label, reason);
    }
}

/// Scans files, folders (recursively) and zips. Files that cannot be read are listed as
/// skipped; a path given that does not exist is an error.
pub fn scan_paths(paths: &[PathBuf], scrubber: &Scrubber) -> Result<ScanReport, ScanError> {
    let mut report = ScanReport::default();
    for p in paths {
        let meta = std::fs::metadata(p).map_err(|source| ScanError::Read {
            path: p.clone(),
            source,
        })?;
        if meta.is_file() {
            scan_file(p, scrubber, &mut report);
            continue;
        }
        if !meta.is_dir() {
            // A pipe without a writer would block the read forever, a device may never end.
            report.skip(
                &p.display().to_string(),
                "not a regular file (pipes, sockets and devices are not read: copy the text to a file and scan that)",
            );
            continue;
        }
        for entry in walkdir::WalkDir::new(p)
            .follow_links(false)
            .sort_by_file_name()
        {
            match entry {
                Err(e) => {
                    let file = e
                        .path()
                        .map_or_else(|| p.display().to_string(), |q| q.display().to_string());
                    report.skip(&file, format!("cannot read it: {e}"));
                }
                Ok(e) if e.file_type().is_file() => scan_file(e.path(), scrubber, &mut report),
                Ok(e) if e.file_type().is_dir() => {
                    if e.depth() > 0 {
                        let label = e.path().display().to_string();
                        scan_name(
                            scrubber,
                            &label,
                            &e.file_name().to_string_lossy(),
                            &mut report,
                        );
                    }
                }
                Ok(e) if e.file_type().is_symlink() => {
                    report.skip(&e.path().display().to_string(), "symlink (not followed)")
                }
                Ok(e) => report.skip(&e.path().display().to_string(), "not a regular file"),
            }
        }
    }
    shown_labels(scrubber, &mut report);
    Ok(report)
}

/// The labels as they are shown: a file, folder or zip entry name in which a detector finds
/// something (not only the gate: the user must still find the file) is shown redacted,
/// since the finding is the name itself (found by the red team,
/// round 3: `a.zip!jane@example.org.log:0: email: jan… (24 chars)` printed the value the
/// preview hides).
fn shown_labels(scrubber: &Scrubber, report: &mut ScanReport) {
    let mut cache: std::collections::HashMap<String, String> = std::collections::HashMap::new();
    let mut show = |label: &mut String| {
        if let Some(s) = cache.get(label.as_str()) {
            label.clone_from(s);
            return;
        }
        let mut out = String::with_capacity(label.len());
        for part in label.split_inclusive(['/', '!']) {
            let (name, sep) = match part.char_indices().last() {
                Some((i, c)) if c == '/' || c == '!' => (&part[..i], &part[i..]),
                _ => (part, ""),
            };
            let detected = scrubber
                .scan_text(name, Mode::Lines)
                .iter()
                .any(|f| f.rule != codex_scrub::Rule::Unvetted);
            if !name.is_empty() && detected {
                out.push_str(
                    scrubber
                        .redact_text(name, Mode::Lines)
                        .0
                        .trim_end_matches('\n'),
                );
            } else {
                out.push_str(name);
            }
            out.push_str(sep);
        }
        cache.insert(label.clone(), out.clone());
        *label = out;
    };
    for f in &mut report.findings {
        show(&mut f.file);
    }
    for s in &mut report.skipped {
        show(&mut s.file);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use codex_scrub::{KnownValues, Options, Pseudonymizer};
    use std::io::Write;

    fn scrubber() -> Scrubber {
        let known = KnownValues {
            emails: vec!["carol.canary@example.org".into()],
            ..KnownValues::default()
        };
        Scrubber::new(
            &known,
            &Options::default(),
            Pseudonymizer::with_key(&[0; 32]),
        )
    }

    fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut z = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for (name, data) in entries {
            z.start_file(*name, zip::write::SimpleFileOptions::default())
                .expect("entry");
            z.write_all(data).expect("write");
        }
        z.finish().expect("finish").into_inner()
    }

    #[test]
    fn names_nested_zips_gzip_and_utf16_are_read() {
        let dir = tempfile::tempdir().expect("tempdir");
        let s = scrubber();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(b"ok\nmail carol.canary@example.org\n")
            .expect("gz");
        let gz = gz.finish().expect("gz");
        let mut utf16 = b"plain start\n".repeat(1000);
        for u in "tail carol.canary@example.org\n".encode_utf16() {
            utf16.extend_from_slice(&u.to_le_bytes());
        }
        let inner = zip_of(&[("deep/x.log.gz", &gz)]);
        let outer = zip_of(&[
            ("carol.canary@example.org.log", b"clean\n"),
            ("inner.zip", &inner),
            ("late-utf16.log", &utf16),
            ("x.zst", b"\x28\xb5\x2f\xfdxx"),
        ]);
        let path = dir.path().join("a.zip");
        std::fs::write(&path, outer).expect("write");
        let report = scan_paths(std::slice::from_ref(&path), &s).expect("scan");
        let files: Vec<&str> = report.findings.iter().map(|f| f.file.as_str()).collect();
        // The entry whose name is the finding is shown with the name redacted.
        assert!(
            files.iter().any(|f| f.contains("a.zip!email_")),
            "{report:?}"
        );
        assert!(
            !files.iter().any(|f| f.contains("carol.canary")),
            "{report:?}"
        );
        assert!(
            files
                .iter()
                .any(|f| f.ends_with("!inner.zip!deep/x.log.gz!gunzip")),
            "{report:?}"
        );
        assert!(
            files.iter().any(|f| f.ends_with("!late-utf16.log")),
            "{report:?}"
        );
        assert_eq!(report.skipped.len(), 1, "{report:?}");
        assert!(report.skipped[0].reason.contains("zstd"), "{report:?}");
        // A whole UTF-16 file with a byte-order mark.
        let mut bom = vec![0xff, 0xfe];
        for u in "x carol.canary@example.org\n".encode_utf16() {
            bom.extend_from_slice(&u.to_le_bytes());
        }
        let p2 = dir.path().join("u16.txt");
        std::fs::write(&p2, bom).expect("write");
        let r2 = scan_paths(&[p2], &s).expect("scan");
        assert_eq!(r2.findings.len(), 1, "{r2:?}");
        assert!(r2.skipped.is_empty());
    }
}
