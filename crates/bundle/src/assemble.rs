//! Putting a bundle together: sections in order, manifest last, self-scan, move into place.
//!
//! Order in the zip: `report.json`, `report.txt`, `environment.json`, `config/`,
//! `auth/accounts-summary.json`, `cache/`, `runtime/`, `logs/`, `README.txt`, `manifest.json`. Files that
//! are never included (auth stores, temp copies of them, quarantined files) are listed in the
//! manifest. The finished zip is scanned with the same detectors; if anything turns up it is
//! deleted and the bundle fails, otherwise it is moved to its final name (mode 0600).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use codex_env::{env_vars, EnvSnapshot};
use codex_paths::Paths;
use codex_scrub::schema::FileKind;
use codex_scrub::{Certified, Counts, KnownValues, Mode, Options, Pseudonymizer, Scrubber};

use crate::ctx::{Ctx, Progress};
use crate::error::BundleError;
use crate::manifest::{counts_map, Excluded, Manifest, ManifestOptions, Redactions, Tool, Totals};
use crate::options::BundleOptions;
use crate::roots::Roots;
use crate::runtime::{self, RuntimeCapture};
use crate::scan::{scan_zip, ScanFinding, ScanReport};
use crate::zipout::{TempZip, ZipOut};
use crate::{accounts, cache, environment, known, logs, readme};

/// What the caller (the doctor binary) provides. `Debug` shows sizes, not the report texts
/// (they hold identities until the bundle's redactor has seen them).
pub struct BundleInput<'a> {
    /// Resolved paths.
    pub paths: &'a Paths,
    /// The environment snapshot.
    pub env: &'a EnvSnapshot,
    /// Now.
    pub now: SystemTime,
    /// The doctor report as JSON (identities shown: the redactor pseudonymizes them).
    pub report_json: String,
    /// The doctor report as text.
    pub report_txt: String,
    /// OpenCode's version, when known.
    pub opencode_version: Option<String>,
    /// The doctor's version.
    pub doctor_version: String,
    /// What local codex-runtime proxies answered (captured by the caller over loopback).
    pub runtime: Vec<RuntimeCapture>,
    /// Options.
    pub options: BundleOptions,
}

impl std::fmt::Debug for BundleInput<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BundleInput")
            .field("report_json_bytes", &self.report_json.len())
            .field("report_txt_bytes", &self.report_txt.len())
            .field("runtime", &self.runtime)
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

/// A written bundle.
#[derive(Debug)]
pub struct BundleResult {
    /// Where it is.
    pub path: PathBuf,
    /// Its manifest.
    pub manifest: Manifest,
    /// The manifest as written into the zip.
    pub manifest_json: String,
}

impl BundleResult {
    /// `12 files, 1.2 MB, 57 redactions`.
    pub fn summary_line(&self) -> String {
        let t = &self.manifest.totals;
        format!(
            "{} files, {}, {} redactions",
            t.files,
            codex_timefmt::bytes(t.bytes_after),
            self.manifest.redactions.total
        )
    }
}

/// The login name from `USER` / `LOGNAME`.
fn login_name(env: &EnvSnapshot) -> Option<String> {
    env.non_blank(codex_env::env_vars::USER)
        .or_else(|| env.non_blank(codex_env::env_vars::LOGNAME))
        .map(str::to_string)
}

/// The redactor the bundle and the self-scan use.
pub fn scrubber_for(
    paths: &Paths,
    env: &EnvSnapshot,
    known: &KnownValues,
    drop_bodies: bool,
    pseudo: Pseudonymizer,
) -> Scrubber {
    let options = Options {
        drop_bodies,
        home: paths.home.as_ref().map(|h| h.display().to_string()),
        user: login_name(env),
        keep_unvetted: false,
    };
    Scrubber::new(known, &options, pseudo)
}

fn never_included(ctx: &mut Ctx<'_>, paths: &Paths) {
    let mut stores = vec![
        (
            paths.auth_store().path,
            "the account store (tokens); see auth/accounts-summary.json",
        ),
        (paths.legacy_store().path, "legacy account store (tokens)"),
    ];
    for f in paths.opencode_auth_files() {
        stores.push((f.path, "OpenCode's auth.json (tokens)"));
    }
    for (p, reason) in stores {
        if let Ok(m) = std::fs::symlink_metadata(&p) {
            ctx.exclude(&p, reason, Some(m.len()), m.modified().ok());
        }
    }
    for dir in [paths.config_root.path.clone(), paths.cache_dir().path] {
        let Ok(rd) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut tmp: Vec<_> = rd
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().contains(".json.tmp"))
            .collect();
        tmp.sort_by_key(|e| e.file_name());
        for e in tmp {
            let m = e.metadata().ok();
            ctx.exclude(
                &e.path(),
                "temporary copy of a plugin file (may hold tokens)",
                m.as_ref().map(|m| m.len()),
                m.and_then(|m| m.modified().ok()),
            );
        }
    }
    for q in paths.quarantine_dirs() {
        let Ok(rd) = std::fs::read_dir(&q.path) else {
            continue;
        };
        let mut entries: Vec<_> = rd.filter_map(Result::ok).collect();
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            let m = e.metadata().ok();
            ctx.exclude(
                &e.path(),
                "quarantined file (may hold tokens); only its name, size and date are listed",
                m.as_ref().map(|m| m.len()),
                m.and_then(|m| m.modified().ok()),
            );
        }
    }
}

fn add_config(ctx: &mut Ctx<'_>, paths: &Paths, env: &EnvSnapshot) -> Result<(), BundleError> {
    let load = codex_config::load::load(paths, env);
    let mut seen = Vec::new();
    let mut generated = 0;
    // A file name OpenCode or the plugin uses is kept; any other (an explicit config path
    // can be named anything) gets a generated name.
    let mut entry = |p: &Path| {
        let base = p
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if matches!(
            base.as_str(),
            "codex-config.jsonc" | "codex-config.json" | "opencode.json" | "opencode.jsonc"
        ) {
            base
        } else {
            generated += 1;
            crate::names::entry_name("x", generated, &base)
                .trim_start_matches("x/")
                .to_string()
        }
    };
    for (i, c) in load.candidates.iter().enumerate() {
        let p = &c.file.path;
        if seen.contains(p) {
            continue;
        }
        seen.push(p.clone());
        let base = entry(p);
        let name = if load.effective == Some(i) || load.effective.is_none() {
            format!("config/{base}")
        } else {
            format!("config/not-in-effect/{base}")
        };
        ctx.add_checked_as(&name, p, Mode::Document, Some(FileKind::PluginConfig))?;
    }
    for r in [paths.opencode_json(), paths.opencode_jsonc()] {
        let base = entry(&r.path);
        ctx.add_checked_as(
            &format!("config/{base}"),
            &r.path,
            Mode::Document,
            Some(FileKind::OpencodeConfig),
        )?;
    }
    if let Some(p) = env.non_blank(env_vars::OPENCODE_CONFIG) {
        let p = paths.cwd.join(p);
        if !seen.contains(&p) && p != paths.opencode_json().path {
            ctx.add_checked_as(
                "config/OPENCODE_CONFIG.json",
                &p,
                Mode::Document,
                Some(FileKind::OpencodeConfig),
            )?;
        }
    }
    Ok(())
}

fn to_json<T: serde::Serialize>(v: &T) -> String {
    let mut s =
        serde_json::to_string_pretty(v).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    s.push('\n');
    s
}

/// Writes the bundle described by `input`.
pub fn build(
    input: BundleInput<'_>,
    progress: &mut dyn Progress,
) -> Result<BundleResult, BundleError> {
    let opts = &input.options;
    let target = opts.output.clone();
    crate::zipout::check_target(&target, opts.force)?;
    let paths = input.paths;
    let mut known = known::known_values(paths);
    known::add_echoes(&mut known, paths, input.env);
    let scrubber = scrubber_for(
        paths,
        input.env,
        &known,
        !opts.include_bodies,
        Pseudonymizer::random()?,
    );
    let (temp, file) = TempZip::create(&target)?;
    let now_ms = input
        .now
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as f64)
        .unwrap_or(0.0);

    let roots = Roots::new(paths);
    let log_dir = paths.log_dir().path;
    let mut ctx = Ctx {
        scrubber: &scrubber,
        zip: ZipOut::new(
            file,
            &temp.path,
            input.now,
            opts.max_bytes >= u32::MAX as u64,
        ),
        zip_path: temp.path.clone(),
        roots,
        files: Vec::new(),
        excluded: Vec::new(),
        counts: Counts::default(),
        progress,
        drop_bodies: !opts.include_bodies,
        certified: Certified::new(&scrubber),
    };

    let found = logs::find_logs(&mut ctx, &log_dir);
    let selected = logs::select(&mut ctx, found, input.now, opts.since);
    let planned: u64 = selected
        .iter()
        .map(|f| f.size)
        .sum::<u64>()
        .min(opts.max_bytes);
    ctx.progress.start(planned);

    let n = input.report_json.len() as u64;
    ctx.add_text(
        "report.json",
        None,
        n,
        &input.report_json,
        Mode::Document,
        None,
    )?;
    let n = input.report_txt.len() as u64;
    ctx.add_text("report.txt", None, n, &input.report_txt, Mode::Lines, None)?;
    let env_doc = to_json(&environment::environment(
        input.env,
        input.opencode_version.as_deref(),
        &input.doctor_version,
    ));
    ctx.add_text(
        "environment.json",
        None,
        env_doc.len() as u64,
        &env_doc,
        Mode::Document,
        None,
    )?;
    add_config(&mut ctx, paths, input.env)?;
    let summary = to_json(&accounts::summary(paths, scrubber.pseudonymizer(), now_ms));
    let note = Some("summary of the account store; the store itself is never included".to_string());
    ctx.add_text(
        "auth/accounts-summary.json",
        None,
        summary.len() as u64,
        &summary,
        Mode::Document,
        note,
    )?;
    cache::add_cache(&mut ctx, paths, &known)?;
    runtime::add_runtime(&mut ctx, &input.runtime)?;
    logs::add_logs(&mut ctx, selected, opts.max_bytes)?;
    never_included(&mut ctx, paths);
    ctx.progress.finish();

    let mut roots_shown = BTreeMap::new();
    roots_shown.insert("config", paths.config_root.path.display().to_string());
    roots_shown.insert(
        "data",
        paths.data_root.path.join("opencode").display().to_string(),
    );
    let mut manifest = Manifest {
        schema: 1,
        tool: Tool {
            name: "codex-doctor".to_string(),
            version: input.doctor_version.clone(),
        },
        generated_at: codex_timefmt::rfc3339(input.now),
        options: ManifestOptions {
            since_seconds: opts.since.map(|d| d.as_secs()),
            max_bytes: opts.max_bytes,
            include_bodies: opts.include_bodies,
        },
        roots: roots_shown,
        files: Vec::new(),
        excluded: Vec::new(),
        redactions: Redactions::default(),
        totals: Totals::default(),
    };
    let finish_counts = |m: &mut Manifest, ctx: &Ctx<'_>| {
        m.files = ctx.files.clone();
        m.excluded = ctx.excluded.clone();
        m.redactions = Redactions {
            total: ctx.counts.total(),
            by_rule: counts_map(&ctx.counts),
        };
        m.totals = Totals {
            files: ctx.files.len() as u64 + 1,
            bytes_before: ctx.files.iter().map(|f| f.bytes_before).sum(),
            bytes_after: ctx.files.iter().map(|f| f.bytes_after).sum(),
        };
    };
    finish_counts(&mut manifest, &ctx);
    refuse_unreadable(&manifest.excluded, opts.force, &target)?;
    let text = readme::readme(&manifest);
    ctx.add_text(
        "README.txt",
        None,
        text.len() as u64,
        &text,
        Mode::Lines,
        None,
    )?;
    finish_counts(&mut manifest, &ctx);
    let (manifest_json, _) = scrubber.redact_text(&to_json(&manifest), Mode::Document);
    ctx.zip
        .write_entry("manifest.json", manifest_json.as_bytes())?;
    ctx.zip.finish()?;

    // Self-scan with the same detectors; the pseudonym key does not matter for finding.
    let checker = scrubber_for(
        paths,
        input.env,
        &known,
        false,
        Pseudonymizer::with_key(&[0; 32]),
    );
    let proven = ctx.certified.for_checker(&checker);
    finalize(temp, &target, opts.force, &checker, proven)?;
    Ok(BundleResult {
        path: target,
        manifest,
        manifest_json,
    })
}

/// Fails when a file that belongs in the bundle could not be read, unless `force`.
fn refuse_unreadable(excluded: &[Excluded], force: bool, target: &Path) -> Result<(), BundleError> {
    let unreadable: Vec<String> = excluded
        .iter()
        .filter(|e| e.is_unreadable())
        .map(|e| format!("{} ({})", e.source, e.reason))
        .collect();
    if unreadable.is_empty() || force {
        return Ok(());
    }
    Err(BundleError::Unreadable {
        path: target.to_path_buf(),
        files: unreadable,
    })
}

/// Scans the finished temp zip; deletes it and fails when anything turns up, otherwise
/// moves it to `target`.
pub(crate) fn finalize(
    temp: TempZip,
    target: &Path,
    force: bool,
    checker: &Scrubber,
    proven: Option<&Certified>,
) -> Result<(), BundleError> {
    let mut report = ScanReport::default();
    if let Err(e) = scan_zip(&temp.path, checker, &mut report, proven) {
        return Err(BundleError::Write {
            path: temp.path.clone(),
            source: std::io::Error::other(e.to_string()),
        });
    }
    // An entry the scan could not read (binary-looking, say) is as unsafe as one that
    // matched: it is reported as a finding of its own.
    let unscanned = report.skipped.into_iter().map(|s| ScanFinding {
        file: s.file,
        line: 0,
        rule: "unscanned".to_string(),
        preview: s.reason,
    });
    let all: Vec<ScanFinding> = report.findings.into_iter().chain(unscanned).collect();
    if !all.is_empty() {
        let temp_name = temp.path.display().to_string();
        let findings = all
            .into_iter()
            .map(|mut f| {
                f.file = f.file.replace(&temp_name, &target.display().to_string());
                f
            })
            .collect();
        drop(temp);
        return Err(BundleError::SelfScan {
            path: target.to_path_buf(),
            findings,
        });
    }
    temp.persist(target, force)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn a_zip_that_still_holds_a_secret_is_deleted_not_kept() {
        let dir = tempfile::tempdir().expect("tempdir");
        let target = dir.path().join("out.zip");
        let (temp, file) = TempZip::create(&target).expect("temp");
        let mut z = zip::ZipWriter::new(file);
        z.start_file("logs/x.log", zip::write::SimpleFileOptions::default())
            .expect("entry");
        z.write_all(b"ok line\nleaked eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4eXoxMjMifQ.c2lnbmF0dXJl\n")
            .expect("write");
        z.finish().expect("finish");
        let temp_path = temp.path.clone();
        let checker = Scrubber::new(
            &KnownValues::default(),
            &Options::default(),
            Pseudonymizer::with_key(&[0; 32]),
        );
        match finalize(temp, &target, false, &checker, None) {
            Err(BundleError::SelfScan { findings, path }) => {
                assert_eq!(path, target);
                assert_eq!(findings.len(), 1);
                assert_eq!(findings[0].rule, "jwt");
                assert_eq!(findings[0].line, 2);
                assert!(
                    findings[0].file.ends_with("out.zip!logs/x.log"),
                    "{:?}",
                    findings[0]
                );
            }
            other => panic!("{other:?}"),
        }
        assert!(!temp_path.exists());
        assert!(!target.exists());
    }

    /// The self-scan reads a large entry in chunks on several threads: a leak planted after
    /// redaction deep inside one (in a line that a chunk does not start with, and in the last
    /// line, without a newline) is still found, on its own line number.
    #[test]
    fn a_leak_deep_inside_a_large_entry_is_found() {
        let dir = tempfile::tempdir().expect("tempdir");
        let target = dir.path().join("out.zip");
        let (temp, file) = TempZip::create(&target).expect("temp");
        let mut z = zip::ZipWriter::new(file);
        z.start_file("logs/big.jsonl", zip::write::SimpleFileOptions::default())
            .expect("entry");
        let clean = "{\"event\":\"fetch_attempt_response\",\"status\":429,\"waitMs\":1500}\n";
        let lines = 3 * codex_scrub::parallel::CHUNK / clean.len();
        let mut text = String::new();
        for i in 0..lines {
            text.push_str(clean);
            if i == lines / 2 {
                text.push_str("  \"note\": \"Qz07Kv8Rw3Xp7LmT\",\n");
            }
        }
        text.push_str("call +1 415 555 0134");
        z.write_all(text.as_bytes()).expect("write");
        z.finish().expect("finish");
        let checker = Scrubber::new(
            &KnownValues::default(),
            &Options::default(),
            Pseudonymizer::with_key(&[0; 32]),
        );
        match finalize(temp, &target, false, &checker, None) {
            Err(BundleError::SelfScan { findings, .. }) => {
                let got: Vec<(u64, &str)> =
                    findings.iter().map(|f| (f.line, f.rule.as_str())).collect();
                let n = lines as u64;
                assert_eq!(got, vec![(n / 2 + 2, "unvetted"), (n + 2, "phone")]);
            }
            other => panic!("{other:?}"),
        }
        assert!(!target.exists());
    }

    #[test]
    fn a_zip_with_an_entry_the_scan_cannot_read_is_refused_too() {
        let dir = tempfile::tempdir().expect("tempdir");
        let target = dir.path().join("out.zip");
        let (temp, file) = TempZip::create(&target).expect("temp");
        let mut z = zip::ZipWriter::new(file);
        z.start_file("logs/x.log", zip::write::SimpleFileOptions::default())
            .expect("entry");
        z.write_all(b"\x28\xb5\x2f\xfd zstd data the scan cannot read\n")
            .expect("write");
        z.finish().expect("finish");
        let checker = Scrubber::new(
            &KnownValues::default(),
            &Options::default(),
            Pseudonymizer::with_key(&[0; 32]),
        );
        match finalize(temp, &target, false, &checker, None) {
            Err(BundleError::SelfScan { findings, .. }) => {
                assert_eq!(findings.len(), 1, "{findings:?}");
                assert_eq!(findings[0].rule, "unscanned");
                assert!(
                    findings[0].file.ends_with("out.zip!logs/x.log"),
                    "{findings:?}"
                );
            }
            other => panic!("{other:?}"),
        }
        assert!(!target.exists());
    }

    #[test]
    fn an_unreadable_file_fails_the_bundle_unless_forced() {
        let target = Path::new("/tmp/out.zip");
        let left_out = |reason: &str| Excluded {
            source: "logs/codex-plugin/name_0123abcd.log".to_string(),
            root: "config",
            reason: reason.to_string(),
            bytes: Some(3),
            modified: None,
        };
        let chosen = [
            left_out("older than --since"),
            left_out("binary or UTF-16 (a NUL byte at offset 0)"),
        ];
        assert!(refuse_unreadable(&chosen, false, target).is_ok());
        let broken = [
            left_out("older than --since"),
            left_out("unreadable: permission denied"),
        ];
        match refuse_unreadable(&broken, false, target) {
            Err(e @ BundleError::Unreadable { .. }) => {
                let text = e.to_string();
                assert!(
                    text.contains("name_0123abcd.log (unreadable: permission denied)"),
                    "{text}"
                );
                assert!(text.contains("--force"), "{text}");
            }
            other => panic!("{other:?}"),
        }
        assert!(refuse_unreadable(&broken, true, target).is_ok());
    }

    #[test]
    fn a_clean_zip_is_moved_into_place_without_overwriting() {
        let dir = tempfile::tempdir().expect("tempdir");
        let target = dir.path().join("out.zip");
        let checker = Scrubber::new(
            &KnownValues::default(),
            &Options::default(),
            Pseudonymizer::with_key(&[0; 32]),
        );
        let make = || {
            let (temp, file) = TempZip::create(&target).expect("temp");
            let mut z = zip::ZipWriter::new(file);
            z.start_file("a.txt", zip::write::SimpleFileOptions::default())
                .expect("entry");
            z.write_all(b"status 429\n").expect("write");
            z.finish().expect("finish");
            temp
        };
        finalize(make(), &target, false, &checker, None).expect("first");
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&target)
            .expect("meta")
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(mode, 0o600);
        assert!(matches!(
            finalize(make(), &target, false, &checker, None),
            Err(BundleError::Exists { .. })
        ));
        finalize(make(), &target, true, &checker, None).expect("forced");
        let left: Vec<_> = std::fs::read_dir(dir.path()).expect("ls").collect();
        assert_eq!(left.len(), 1, "temp files left behind");
    }
}
