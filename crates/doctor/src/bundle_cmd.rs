//! `bundle` and `scan`: glue between the doctor and `codex-bundle`.
//!
//! Builds the doctor report that goes into a bundle (every check, offline, identities left
//! for the bundle's redactor to pseudonymize), the bundle input (with what a local
//! codex-runtime answers over loopback), the redactor `scan` uses,
//! and the text renderings of scan results. The binary drives the progress bar and prints.

use std::path::Path;
use std::time::SystemTime;

use codex_bundle::runtime::RuntimeCapture;
use codex_bundle::{BundleInput, BundleOptions, ScanFinding, ScanReport};
use codex_redact::IdentityMode;
use codex_scrub::{KnownValues, Options, Pseudonymizer, Scrubber};

use crate::checks;
use crate::cli::BundleCommand;
use crate::facts::{Facts, LocalProbe, OpencodeInstall};
use crate::loopback;
use crate::render::{self, Style};
use crate::runner::{self, Selection};
use codex_timefmt as time;

/// The doctor's version.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The report as JSON and as text (no colour, details of every check).
pub fn report_texts(facts: &Facts) -> (String, String) {
    // Identities stay visible here: the bundle's redactor turns them into the same
    // pseudonyms it uses in every other file. Tokens are removed by the doctor's redactor.
    let report = runner::run_redacted(
        checks::ALL,
        facts,
        &Selection::default(),
        IdentityMode::Shown,
        time::rfc3339(facts.now),
    );
    let text = render::human::render(
        &report,
        Style {
            color: false,
            ascii: false,
            verbose: true,
        },
    );
    (render::json::render(&report), text)
}

/// Largest `/status` or `/metrics` body taken into a bundle.
const RUNTIME_BODY_LIMIT: usize = 4 * 1024 * 1024;

/// `/status` and `/metrics` of every local codex-runtime an OpenCode provider points at and
/// that answers its `/healthz` as codex-runtime does (nothing else is asked). Loopback only;
/// the client key, when set in the environment, is sent as the proxy expects it.
pub fn runtime_captures(facts: &Facts) -> Vec<RuntimeCapture> {
    let Ok((providers, _)) = checks::runtime::configured(facts) else {
        return Vec::new();
    };
    let key = facts
        .env
        .non_blank(codex_env::env_vars::CODEX_RUNTIME_CLIENT_KEY)
        .map(str::to_string);
    providers
        .iter()
        .filter(|lp| facts.local_http(&lp.host, lp.port) == LocalProbe::Runtime)
        .map(|lp| {
            let fetch = |path: &str| match loopback::get(
                &lp.host,
                lp.port,
                path,
                key.as_deref(),
                RUNTIME_BODY_LIMIT,
            ) {
                Ok(a) if a.status == 200 => Ok(String::from_utf8_lossy(&a.body).into_owned()),
                Ok(a) if a.status == 401 => Err(format!(
                    "{path} needs the client key ({}): set it in the environment",
                    a.status_line
                )),
                Ok(a) => Err(format!("{path} answered {}", a.status_line)),
                Err(e) => Err(format!("{path} could not be read: {e}")),
            };
            RuntimeCapture {
                provider: lp.id.clone(),
                address: format!("http://{}:{}", lp.host, lp.port),
                status: fetch("/status"),
                metrics: fetch("/metrics"),
            }
        })
        .collect()
}

/// The bundle input for `args`, or the reason the paths cannot be resolved.
pub fn bundle_input<'a>(
    facts: &'a Facts,
    args: &BundleCommand,
    cwd: &Path,
) -> Result<BundleInput<'a>, String> {
    let paths = facts.paths()?;
    let (report_json, report_txt) = report_texts(facts);
    let opencode_version = match facts.opencode_install() {
        OpencodeInstall::Found { version, .. } => version.clone(),
        OpencodeInstall::Missing | OpencodeInstall::DanglingLink { .. } => None,
    };
    let output = match &args.output {
        // A folder (`-o ~/Desktop`): the default file name inside it, as `cp` would.
        Some(o) if cwd.join(o).is_dir() => cwd
            .join(o)
            .join(codex_bundle::default_file_name(SystemTime::now())),
        Some(o) => cwd.join(o),
        None => cwd.join(codex_bundle::default_file_name(SystemTime::now())),
    };
    Ok(BundleInput {
        paths,
        env: &facts.env,
        now: facts.now,
        report_json,
        report_txt,
        opencode_version,
        doctor_version: VERSION.to_string(),
        runtime: runtime_captures(facts),
        options: BundleOptions {
            output,
            since: args.since,
            max_bytes: args.max_bytes,
            force: args.force,
            include_bodies: args.include_bodies,
        },
    })
}

/// The redactor `scan` uses: every known value of the user's auth files, home and login name.
pub fn scan_scrubber(facts: &Facts) -> Scrubber {
    let pseudo = Pseudonymizer::with_key(&[0; 32]);
    match facts.paths() {
        Ok(p) => {
            let known = codex_bundle::known::known_values(p);
            codex_bundle::scrubber_for(p, &facts.env, &known, false, pseudo)
        }
        Err(_) => Scrubber::new(
            &KnownValues::default(),
            &Options {
                drop_bodies: false,
                home: None,
                user: facts.env.non_blank("USER").map(str::to_string),
                keep_unvetted: false,
            },
            pseudo,
        ),
    }
}

/// One finding as `file:line: rule: preview`.
pub fn finding_line(f: &ScanFinding) -> String {
    format!("{}:{}: {}: {}\n", f.file, f.line, f.rule, f.preview)
}

/// The human rendering of a scan (stdout part).
pub fn render_scan(report: &ScanReport) -> String {
    let mut s = String::new();
    for f in &report.findings {
        s.push_str(&finding_line(f));
    }
    let files: std::collections::BTreeSet<&str> =
        report.findings.iter().map(|f| f.file.as_str()).collect();
    if report.findings.is_empty() && !report.skipped.is_empty() {
        // Exit 2: what was not read cannot be called clean.
        s.push_str(&format!(
            "not vouched for: nothing secret-looking in the {} file(s) read ({}), but {} could not be read (see the notes); do not post those as they are\n",
            report.files_scanned,
            time::bytes(report.bytes_scanned),
            report.skipped.len()
        ));
    } else if report.findings.is_empty() {
        s.push_str(&format!(
            "clean: nothing secret-looking in {} file(s), {}\n",
            report.files_scanned,
            time::bytes(report.bytes_scanned)
        ));
    } else {
        // What a detector recognised and what the allowlist could not vouch for are told
        // apart: the second is often a harmless word of a config, but still not known safe.
        let unvetted = report
            .findings
            .iter()
            .filter(|f| f.rule == "unvetted")
            .count();
        let secret = report.findings.len() - unvetted;
        let what = match (secret, unvetted) {
            (n, 0) => format!("{n} secret-looking value(s)"),
            (0, u) => format!(
                "{u} value(s) not known to be safe (`unvetted`: not a recognised secret, but not ordinary vocabulary either; check each)"
            ),
            (n, u) => format!(
                "{n} secret-looking value(s) and {u} not known to be safe (`unvetted`)"
            ),
        };
        s.push_str(&format!(
            "found {what} in {} file(s); do not post these files as they are\n",
            files.len()
        ));
    }
    s
}

/// One stderr line per file the bundle left out, with the reason.
pub fn excluded_notes(manifest: &codex_bundle::manifest::Manifest) -> Vec<String> {
    manifest
        .excluded
        .iter()
        .map(|e| format!("note: {}", e.terminal_line()))
        .collect()
}

/// `scan`'s exit code: 1 when anything was found, else 2 when something could not be read
/// (nothing can be vouched for), else 0.
pub fn scan_exit_code(report: &ScanReport) -> u8 {
    if !report.findings.is_empty() {
        1
    } else if !report.skipped.is_empty() {
        2
    } else {
        0
    }
}

/// Notes about skipped files (stderr part of a scan).
pub fn render_skipped(report: &ScanReport) -> Vec<String> {
    report
        .skipped
        .iter()
        .map(|s| format!("note: skipped {}: {}", s.file, s.reason))
        .collect()
}
