//! What a file really holds, decided from all of it: text, gzip-compressed text, or
//! something the bundle leaves out (binary, UTF-16, another compression format).
//!
//! The whole file (from the offset that will be read) is looked at, not just its head: a log
//! that turns to UTF-16 or binary after its first kilobytes is left out too. A gzip file is
//! decompressed once here to check what it holds (up to [`MAX_INFLATED`] bytes) and again when
//! it is redacted; its compressed bytes never enter a bundle.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::Path;

use flate2::read::MultiGzDecoder;

/// The most a gzip log may inflate to; a larger one is left out.
pub(crate) const MAX_INFLATED: u64 = 1 << 30;

/// What a file holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Content {
    /// Text (no NUL byte anywhere).
    Text,
    /// gzip whose inflated content is text of this many bytes.
    Gzip {
        /// Inflated size.
        inflated: u64,
    },
    /// Not to be included, and why.
    Refused(String),
}

/// Magic numbers of formats that are never copied and not decoded.
const OTHER_FORMATS: [(&[u8], &str); 6] = [
    (b"PK\x03\x04", "a zip archive"),
    (b"\x28\xb5\x2f\xfd", "zstd-compressed"),
    (b"\xfd7zXZ\x00", "xz-compressed"),
    (b"BZh", "bzip2-compressed"),
    (b"\x04\x22\x4d\x18", "lz4-compressed"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
];

/// Why `head` (a file's first bytes) is left out, if its format says so.
pub(crate) fn refused_format(head: &[u8]) -> Option<String> {
    if head.starts_with(b"\xff\xfe") || head.starts_with(b"\xfe\xff") {
        return Some("UTF-16 text (not a format the plugin writes; left out)".to_string());
    }
    OTHER_FORMATS
        .iter()
        .find(|(magic, _)| head.starts_with(magic))
        .map(|(_, what)| format!("{what} (never copied; unpack it and attach what you need)"))
}

/// Reads all of `r`, failing at the first NUL byte. Returns the bytes read, or the offset of
/// the NUL.
fn nul_free<R: Read>(mut r: R, limit: u64) -> io::Result<Result<u64, u64>> {
    let mut buf = vec![0u8; 64 * 1024];
    let mut total = 0u64;
    loop {
        let n = match r.read(&mut buf) {
            Ok(0) => return Ok(Ok(total)),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if let Some(i) = memchr_nul(&buf[..n]) {
            return Ok(Err(total + i as u64));
        }
        total += n as u64;
        if total > limit {
            return Ok(Ok(total));
        }
    }
}

fn memchr_nul(b: &[u8]) -> Option<usize> {
    memchr::memchr(0, b)
}

/// Looks at all of `path` from `offset` on.
pub(crate) fn sniff(path: &Path, offset: u64) -> io::Result<Content> {
    let mut f = File::open(path)?;
    let mut head = Vec::with_capacity(8);
    (&mut f).take(8).read_to_end(&mut head)?;
    if offset == 0 && head.starts_with(b"\x1f\x8b") {
        f.seek(SeekFrom::Start(0))?;
        return Ok(match nul_free(MultiGzDecoder::new(f), MAX_INFLATED) {
            Err(e) => Content::Refused(format!("gzip that cannot be decompressed: {e}")),
            Ok(Ok(n)) if n > MAX_INFLATED => {
                Content::Refused("gzip that inflates to more than 1 GiB".to_string())
            }
            Ok(Ok(inflated)) => Content::Gzip { inflated },
            Ok(Err(at)) => Content::Refused(format!(
                "gzip holding binary data (a NUL byte at inflated offset {at})"
            )),
        });
    }
    if offset == 0 {
        if let Some(why) = refused_format(&head) {
            return Ok(Content::Refused(why));
        }
    }
    f.seek(SeekFrom::Start(offset))?;
    Ok(match nul_free(f, u64::MAX)? {
        Ok(_) => Content::Text,
        Err(at) => Content::Refused(format!(
            "binary or UTF-16 (a NUL byte at offset {})",
            offset + at
        )),
    })
}

/// The offset of the first whole line at or after `offset` that starts a JSON document or a
/// log line (not the inside of a pretty-printed document or a YAML value: no leading space,
/// `}`, `]`, `,` or `-`), and does not follow a shell prompt (whose next line may be a secret
/// it printed: [`codex_scrub::gate::prompt_line`]; a line before it that starts more than 4 KiB
/// before `offset` is not known, so that place is passed over), or `None` when there is
/// none. `offset` 0 is a start by definition.
pub(crate) fn line_start_at_or_after(path: &Path, offset: u64) -> io::Result<Option<u64>> {
    if offset == 0 {
        return Ok(Some(0));
    }
    let back = offset.saturating_sub(4096);
    let mut f = File::open(path)?;
    f.seek(SeekFrom::Start(back))?;
    let mut r = io::BufReader::with_capacity(64 * 1024, f);
    let mut pos = back;
    let (mut line, mut prev) = (Vec::new(), Vec::new());
    // Whether `pos` starts a line, and whether `prev` is a whole line.
    let mut at_start = back == 0;
    let mut prev_whole = false;
    loop {
        line.clear();
        let n = io::BufRead::read_until(&mut r, b'\n', &mut line)?;
        if n == 0 {
            return Ok(None);
        }
        if pos >= offset
            && at_start
            && !line.is_empty()
            && starts_document(&line)
            && prev_whole
            && !codex_scrub::gate::prompt_line(&prev)
        {
            return Ok(Some(pos));
        }
        pos += n as u64;
        prev_whole = at_start;
        at_start = line.ends_with(b"\n");
        std::mem::swap(&mut line, &mut prev);
    }
}

fn starts_document(line: &[u8]) -> bool {
    !matches!(
        line.first(),
        Some(b' ' | b'\t' | b'}' | b']' | b',' | b'-' | b'\r' | b'\n')
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn the_whole_file_is_sniffed_and_gzip_is_looked_into() {
        let dir = tempfile::tempdir().expect("tempdir");
        let late = dir.path().join("late.log");
        let mut text = "plain line\n".repeat(2000).into_bytes();
        text.extend_from_slice(b"s\0e\0c\0r\0e\0t\0");
        std::fs::write(&late, &text).expect("write");
        assert!(
            matches!(sniff(&late, 0).expect("sniff"), Content::Refused(r) if r.contains("NUL"))
        );
        let gz = dir.path().join("old.log.gz");
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(b"line one\nline two\n").expect("gz");
        std::fs::write(&gz, e.finish().expect("gz")).expect("write");
        assert_eq!(
            sniff(&gz, 0).expect("sniff"),
            Content::Gzip { inflated: 18 }
        );
        let z = dir.path().join("x.zst");
        std::fs::write(&z, b"\x28\xb5\x2f\xfdabc").expect("write");
        assert!(matches!(sniff(&z, 0).expect("sniff"), Content::Refused(r) if r.contains("zstd")));
    }

    #[test]
    fn a_cut_starts_at_a_whole_document() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("x.log");
        let text = "{\n  \"a\": \"x\"\n}\n{\n  \"b\": 1\n}\n";
        std::fs::write(&p, text).expect("write");
        let second = text.find("{\n  \"b\"").expect("second") as u64;
        assert_eq!(line_start_at_or_after(&p, 3).expect("io"), Some(second));
        assert_eq!(
            line_start_at_or_after(&p, second).expect("io"),
            Some(second)
        );
        assert_eq!(line_start_at_or_after(&p, second + 1).expect("io"), None);
    }

    /// Red team, round 4: a cut must not start inside a YAML list (`- …` under `api_keys:`)
    /// or right after a shell prompt that printed a secret on the next line.
    #[test]
    fn a_cut_starts_after_a_yaml_list_and_a_prompts_output() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("x.log");
        let text = "a\napi_keys:\n- marmot\n$ printenv OPENAI_API_KEY\nlantern\nnext line\n";
        std::fs::write(&p, text).expect("write");
        let list = text.find("- marmot").expect("list") as u64;
        let next = text.find("next line").expect("next") as u64;
        assert_eq!(
            line_start_at_or_after(&p, list).expect("io"),
            Some(list + 9)
        );
        let printed = text.find("lantern").expect("printed") as u64;
        assert_eq!(line_start_at_or_after(&p, printed).expect("io"), Some(next));
        // Whatever came before the window is not known: the first line is passed over.
        let mut long = "x".repeat(5000);
        long.push_str("\nfirst\nsecond\n");
        std::fs::write(&p, &long).expect("write");
        let first = long.find("first").expect("first") as u64;
        let second = long.find("second").expect("second") as u64;
        assert_eq!(line_start_at_or_after(&p, first).expect("io"), Some(second));
    }
}
