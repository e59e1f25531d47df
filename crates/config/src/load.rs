//! Which config file the plugin would load, and what it would say about it.
//!
//! [`load`] replays the plugin's `loadConfigFile` (reference 2.1) without side effects: it
//! never creates the default file and never moves the legacy `codex-config.json` into
//! quarantine; it reports that the plugin *would* ([`ConfigLoad::legacy_would_be_quarantined`]).
//! Candidates are tried in the plugin's order (read, strip comments, parse, validate); the
//! first that passes is in effect and the rest are not tried. The warnings are the plugin's
//! console texts without the `[opencode-codex-auth] ` prefix.
//!
//! Differences that cannot be avoided: the detail after `Failed to read codex-config at
//! <path>.` is our own wording (the plugin prints Node's or V8's message), and parse errors
//! carry the 1-based line and column of the *original* file, where V8 counts positions in the
//! comment-stripped text.

use std::path::{Path, PathBuf};

use codex_env::EnvSnapshot;
use codex_paths::{Paths, Resolved};
use serde_json::Value;

use crate::jsonc::{blank_comments, strip_comments};
use crate::validate::{deprecated_keys, deprecation_warning, validate};

/// The canonical file name.
pub const CONFIG_FILE: &str = "codex-config.jsonc";
/// The legacy file name.
pub const LEGACY_CONFIG_FILE: &str = "codex-config.json";

/// The result of replaying the plugin's config-file selection.
#[derive(Debug, Clone, PartialEq)]
pub struct ConfigLoad {
    /// `OPENCODE_OPENAI_MULTI_CONFIG_PATH`, when set: then it is the only candidate.
    pub explicit: Option<Resolved>,
    /// The files the plugin considers, in the order it tries them.
    pub candidates: Vec<Candidate>,
    /// Index into `candidates` of the file in effect; `None` means no file (env + defaults).
    pub effective: Option<usize>,
    /// The loaded object, or `{}` when no file is in effect.
    pub value: Value,
    /// `codex-config.jsonc` and `codex-config.json` both exist (only without an explicit path).
    pub both_names_exist: bool,
    /// The plugin will move `codex-config.json` to `quarantine/` at its next start: both files
    /// exist and the canonical one loads.
    pub legacy_would_be_quarantined: bool,
    /// Where the plugin would move the legacy file: `<root>/quarantine/codex-config.json.<epoch
    /// ms>.quarantine.json` is created in this directory.
    pub quarantine_dir: Option<PathBuf>,
    /// The plugin's console warnings, exact text, without the `[opencode-codex-auth] ` prefix.
    pub warnings: Vec<String>,
}

impl ConfigLoad {
    /// The candidate in effect.
    pub fn effective_candidate(&self) -> Option<&Candidate> {
        self.effective.and_then(|i| self.candidates.get(i))
    }

    /// Deprecated keys of the file in effect (reference 2.5).
    pub fn deprecated(&self) -> &[String] {
        match self.effective_candidate().map(|c| &c.outcome) {
            Some(CandidateOutcome::Loaded { deprecated }) => deprecated,
            _ => &[],
        }
    }
}

/// One file the plugin considers.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// The file and the rule that chose its path.
    pub file: Resolved,
    /// `fs.existsSync` (true for a directory, false for a dangling symlink).
    pub exists: bool,
    /// What happened when the plugin tried it.
    pub outcome: CandidateOutcome,
}

/// What the plugin does with one candidate.
#[derive(Debug, Clone, PartialEq)]
pub enum CandidateOutcome {
    /// An earlier candidate was loaded, so this one is not read.
    NotTried,
    /// The file does not exist; it is skipped silently.
    Missing,
    /// It exists but cannot be read as UTF-8 text.
    ReadError {
        /// What went wrong.
        message: String,
        /// Why, as a kind the fix can be chosen from.
        problem: crate::opencode::ReadProblem,
    },
    /// It is not valid JSON once comments are stripped.
    ParseError {
        /// What went wrong (serde_json's wording, our positions).
        message: String,
        /// 1-based line in the original file.
        line: usize,
        /// 1-based column, in characters, in the original file.
        column: usize,
    },
    /// It parses but fails validation, so the whole file is ignored.
    Invalid {
        /// The plugin's issue strings.
        issues: Vec<String>,
    },
    /// It is the file in effect.
    Loaded {
        /// Its deprecated keys (reference 2.5).
        deprecated: Vec<String>,
    },
}

/// What reading one file produced.
enum Attempt {
    Read(String, crate::opencode::ReadProblem),
    Parse {
        message: String,
        line: usize,
        column: usize,
    },
    Invalid(Vec<String>),
    Loaded(Value),
}

/// Replays the plugin's config-file selection. Reads files; never writes, moves or creates
/// any.
pub fn load(paths: &Paths, env: &EnvSnapshot) -> ConfigLoad {
    let explicit = paths.explicit_config(env);
    let canonical = paths.codex_config_jsonc();
    let legacy = paths.codex_config_json();

    let mut both_names_exist = false;
    let files: Vec<Resolved> = match &explicit {
        Some(file) => vec![file.clone()],
        None => {
            let has_canonical = canonical.path.exists();
            let has_legacy = legacy.path.exists();
            both_names_exist = has_canonical && has_legacy;
            match (has_canonical, has_legacy) {
                (true, true) => vec![canonical.clone(), legacy.clone()],
                (false, true) => vec![legacy.clone()],
                _ => vec![canonical.clone()],
            }
        }
    };

    let mut out = ConfigLoad {
        explicit,
        candidates: Vec::with_capacity(files.len()),
        effective: None,
        value: Value::Object(serde_json::Map::new()),
        both_names_exist,
        legacy_would_be_quarantined: false,
        quarantine_dir: None,
        warnings: Vec::new(),
    };

    for file in files {
        let exists = file.path.exists();
        let shown = file.path.display().to_string();
        let outcome = if out.effective.is_some() {
            CandidateOutcome::NotTried
        } else if !exists {
            CandidateOutcome::Missing
        } else {
            match attempt(&file.path) {
                Attempt::Read(message, problem) => {
                    out.warnings
                        .push(format!("Failed to read codex-config at {shown}. {message}"));
                    CandidateOutcome::ReadError { message, problem }
                }
                Attempt::Parse {
                    message,
                    line,
                    column,
                } => {
                    out.warnings
                        .push(format!("Failed to read codex-config at {shown}. {message}"));
                    CandidateOutcome::ParseError {
                        message,
                        line,
                        column,
                    }
                }
                Attempt::Invalid(issues) => {
                    out.warnings.push(format!(
                        "Invalid codex-config at {shown}. {}",
                        issues.join("; ")
                    ));
                    CandidateOutcome::Invalid { issues }
                }
                Attempt::Loaded(value) => {
                    let deprecated = deprecated_keys(&value);
                    if !deprecated.is_empty() {
                        out.warnings.push(deprecation_warning(&shown, &deprecated));
                    }
                    if out.both_names_exist && file.path == canonical.path {
                        out.legacy_would_be_quarantined = true;
                        out.quarantine_dir = legacy.path.parent().map(|d| d.join("quarantine"));
                        out.warnings.push(format!(
                            "Found both {CONFIG_FILE} and {LEGACY_CONFIG_FILE}. Using {CONFIG_FILE}."
                        ));
                    }
                    out.value = value;
                    out.effective = Some(out.candidates.len());
                    CandidateOutcome::Loaded { deprecated }
                }
            }
        };
        out.candidates.push(Candidate {
            file,
            exists,
            outcome,
        });
    }
    out
}

/// Reads, strips, parses and validates one existing file.
fn attempt(path: &Path) -> Attempt {
    if path.is_dir() {
        return Attempt::Read(
            "the path is a directory, not a file (EISDIR)".to_string(),
            crate::opencode::ReadProblem::IsAFolder,
        );
    }
    let bytes = match codex_paths::read_file(path) {
        Ok(bytes) => bytes,
        Err(e) => {
            return Attempt::Read(
                describe_io_error(&e),
                crate::opencode::ReadProblem::of_io(&e, path),
            )
        }
    };
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            return Attempt::Read(
                describe_utf8_error(e.as_bytes(), e.utf8_error()),
                crate::opencode::ReadProblem::of_utf8(&e),
            )
        }
    };
    match parse_jsonc(&text) {
        Err(p) => Attempt::Parse {
            message: p.message,
            line: p.line,
            column: p.column,
        },
        Ok(value) => {
            let issues = validate(&value);
            if issues.is_empty() {
                Attempt::Loaded(value)
            } else {
                Attempt::Invalid(issues)
            }
        }
    }
}

/// A JSONC syntax error located in the original text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct JsoncError {
    /// Description including the position, e.g. `trailing comma (line 3, column 1)`.
    pub message: String,
    /// 1-based line in the original text.
    pub line: usize,
    /// 1-based column, in characters, in the original text.
    pub column: usize,
}

/// Parses JSONC the way the plugin does (strip comments, then strict JSON), reporting errors
/// at their position in `src` itself.
pub fn parse_jsonc(src: &str) -> Result<Value, JsoncError> {
    let stripped = strip_comments(src);
    let err = match serde_json::from_str::<Value>(&stripped) {
        Ok(value) => return Ok(value),
        Err(err) => err,
    };
    // Blanking keeps every character where it was, and fails wherever stripping fails, so
    // its error position is the one in the user's file.
    let blanked = blank_comments(src);
    let located = serde_json::from_str::<Value>(&blanked).err().unwrap_or(err);
    let (line, column) = char_position(&blanked, located.line(), located.column());
    let mut what = located.to_string();
    let suffix = format!(" at line {} column {}", located.line(), located.column());
    if let Some(stem) = what.strip_suffix(&suffix) {
        what = stem.to_string();
    }
    if line == 1 && column == 1 && src.starts_with('\u{feff}') {
        what.push_str("; the file starts with a UTF-8 byte order mark, which JSON.parse rejects");
    }
    Err(JsoncError {
        message: format!("{what} (line {line}, column {column})"),
        line,
        column,
    })
}

/// Converts serde_json's position (1-based line, byte column) into a 1-based character
/// column; both count lines at `\n`.
fn char_position(text: &str, line: usize, byte_column: usize) -> (usize, usize) {
    let line = line.max(1);
    let Some(content) = text.split('\n').nth(line - 1) else {
        return (line, byte_column.max(1));
    };
    let mut end = byte_column.min(content.len());
    while !content.is_char_boundary(end) {
        end += 1;
    }
    let column = content[..end].chars().count();
    (line, column.max(1))
}

fn describe_io_error(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::PermissionDenied => {
            format!("permission denied while reading the file ({e})")
        }
        _ => format!("cannot read the file: {e}"),
    }
}

fn describe_utf8_error(bytes: &[u8], e: std::str::Utf8Error) -> String {
    let offset = e.valid_up_to();
    let prefix = String::from_utf8_lossy(&bytes[..offset]);
    let line = prefix.matches('\n').count() + 1;
    let column = prefix.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    format!(
        "the file is not valid UTF-8 (invalid byte at offset {offset}, line {line}, column {column}); save it as UTF-8"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_errors_point_into_the_original_text() {
        let src = "{\n  /* ü */ \"a\": 1,,\n}";
        let err = parse_jsonc(src).expect_err("double comma");
        assert_eq!((err.line, err.column), (2, 18));
        assert!(
            err.message.ends_with("(line 2, column 18)"),
            "{}",
            err.message
        );
    }

    #[test]
    fn trailing_comma_after_comment_is_an_error() {
        let err = parse_jsonc("{\n  \"a\": 1, // x\n}").expect_err("trailing comma");
        assert_eq!((err.line, err.column), (3, 1));
    }

    #[test]
    fn byte_order_mark_is_rejected_with_a_hint() {
        let err = parse_jsonc("\u{feff}{}").expect_err("bom");
        assert_eq!((err.line, err.column), (1, 1));
        assert!(err.message.contains("byte order mark"));
    }

    #[test]
    fn tokens_joined_by_stripping_parse_like_the_plugin() {
        assert_eq!(
            parse_jsonc("[1/**/2]").expect("joined"),
            serde_json::json!([12])
        );
    }

    #[test]
    fn utf8_errors_are_located() {
        let bytes = b"{\n \xff}".to_vec();
        let err = String::from_utf8(bytes.clone()).expect_err("invalid");
        let msg = describe_utf8_error(&bytes, err.utf8_error());
        assert!(msg.contains("offset 3, line 2, column 2"), "{msg}");
    }
}
