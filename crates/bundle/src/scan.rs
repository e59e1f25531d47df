//! `scan`: the redactor's detectors run over files, folders and zips, reporting matches.
//!
//! Folders are walked without following symlinks; a file starting with the zip signature is
//! read entry by entry (nested zips inside a zip are reported as skipped, not expanded);
//! binary files are skipped and listed. Every match is reported with its file, line, rule and
//! a masked preview, never the value itself.

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use codex_scrub::{looks_binary, scan_stream, Finding, LineReader, Mode, Scrubber};
use serde::Serialize;

use crate::error::ScanError;

/// One secret-looking match.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScanFinding {
    /// The file (`bundle.zip!logs/x.jsonl` inside a zip).
    pub file: String,
    /// 1-based line.
    pub line: u64,
    /// The detector (`jwt`, `email`, …).
    pub rule: String,
    /// Masked preview.
    pub preview: String,
}

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

fn mode_for(name: &str) -> Mode {
    if name.ends_with(".json") || name.ends_with(".jsonc") {
        Mode::Document
    } else {
        Mode::Lines
    }
}

const SNIFF: usize = 8192;

/// Scans one reader whose first bytes are `head`.
fn scan_reader<R: Read>(
    scrubber: &Scrubber,
    label: &str,
    head: &[u8],
    rest: R,
    report: &mut ScanReport,
) -> std::io::Result<()> {
    let mut fs = scrubber.file(mode_for(label));
    let mut reader = LineReader::new(head.chain(rest));
    let file = label.to_string();
    scan_stream(&mut fs, &mut reader, &mut |f: Finding| {
        report.findings.push(ScanFinding {
            file: file.clone(),
            line: f.line,
            rule: f.rule.as_str().to_string(),
            preview: f.preview,
        });
    })?;
    report.files_scanned += 1;
    report.bytes_scanned += reader.consumed;
    Ok(())
}

fn read_head<R: Read>(r: &mut R) -> std::io::Result<Vec<u8>> {
    let mut head = Vec::with_capacity(SNIFF);
    r.take(SNIFF as u64).read_to_end(&mut head)?;
    Ok(head)
}

/// Scans every entry of the zip at `path`.
pub fn scan_zip(
    path: &Path,
    scrubber: &Scrubber,
    report: &mut ScanReport,
) -> Result<(), ScanError> {
    let zerr = |source| ScanError::Zip {
        path: path.to_path_buf(),
        source,
    };
    let file = File::open(path).map_err(|source| ScanError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let mut archive = zip::ZipArchive::new(file).map_err(zerr)?;
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).map_err(zerr)?;
        if entry.is_dir() {
            continue;
        }
        let label = format!("{}!{}", path.display(), entry.name());
        let head = read_head(&mut entry).map_err(|source| ScanError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        if head.starts_with(b"PK\x03\x04") {
            report.skipped.push(Skipped {
                file: label,
                reason: "zip inside a zip (not expanded; unpack and scan it)".into(),
            });
            continue;
        }
        if looks_binary(&head) {
            report.skipped.push(Skipped {
                file: label,
                reason: "binary".into(),
            });
            continue;
        }
        scan_reader(scrubber, &label, &head, &mut entry, report).map_err(|source| {
            ScanError::Read {
                path: path.to_path_buf(),
                source,
            }
        })?;
    }
    Ok(())
}

fn scan_file(path: &Path, scrubber: &Scrubber, report: &mut ScanReport) -> Result<(), ScanError> {
    let rerr = |source| ScanError::Read {
        path: path.to_path_buf(),
        source,
    };
    let mut f = File::open(path).map_err(rerr)?;
    let head = read_head(&mut f).map_err(rerr)?;
    if head.starts_with(b"PK\x03\x04") {
        return scan_zip(path, scrubber, report);
    }
    if looks_binary(&head) {
        report.skipped.push(Skipped {
            file: path.display().to_string(),
            reason: "binary".into(),
        });
        return Ok(());
    }
    scan_reader(scrubber, &path.display().to_string(), &head, f, report).map_err(rerr)
}

fn walk(dir: &Path, depth: usize, out: &mut Vec<PathBuf>, report: &mut ScanReport) {
    let rd = match std::fs::read_dir(dir) {
        Ok(rd) => rd,
        Err(e) => {
            report.skipped.push(Skipped {
                file: dir.display().to_string(),
                reason: format!("unreadable folder: {e}"),
            });
            return;
        }
    };
    let mut entries: Vec<_> = rd.filter_map(Result::ok).collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let p = e.path();
        match e.file_type() {
            Ok(t) if t.is_symlink() => report.skipped.push(Skipped {
                file: p.display().to_string(),
                reason: "symlink (not followed)".into(),
            }),
            Ok(t) if t.is_dir() && depth < 32 => walk(&p, depth + 1, out, report),
            Ok(t) if t.is_file() => out.push(p),
            _ => report.skipped.push(Skipped {
                file: p.display().to_string(),
                reason: "not a regular file".into(),
            }),
        }
    }
}

/// Scans files, folders (recursively) and zips. Unreadable files are listed as skipped; a
/// path that does not exist is an error.
pub fn scan_paths(paths: &[PathBuf], scrubber: &Scrubber) -> Result<ScanReport, ScanError> {
    let mut report = ScanReport::default();
    for p in paths {
        let meta = std::fs::metadata(p).map_err(|source| ScanError::Read {
            path: p.clone(),
            source,
        })?;
        let mut files = Vec::new();
        if meta.is_dir() {
            walk(p, 0, &mut files, &mut report);
        } else {
            files.push(p.clone());
        }
        for f in files {
            if let Err(e) = scan_file(&f, scrubber, &mut report) {
                report.skipped.push(Skipped {
                    file: f.display().to_string(),
                    reason: e.to_string(),
                });
            }
        }
    }
    Ok(report)
}
