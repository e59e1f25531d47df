//! The allowlist gate: after the detectors, nothing stays in a line unless it is known safe.
//!
//! The detectors ([`crate::rules`], [`crate::shapes`], [`crate::known`]) replace what they
//! recognize, with pseudonyms where a maintainer needs to follow an identity. The gate then
//! reads what is left and keeps only what it can vouch for; every other token becomes a
//! typed placeholder `<string:N>` (N characters). A secret of a shape nobody listed is caught
//! because it is not known to be safe, not because it matches a rule.
//!
//! JSON (a line of JSON Lines, or a line of a pretty-printed document) keeps its structure
//! and keys. A string value stays only when
//! - its key is on the free-text allowlist ([`TEXT_KEYS`]: `message`, `summary`, `error`, …)
//!   and every token in it passes the token test below, or
//! - it is a single token that passes the token test and either its key is on the value
//!   allowlist ([`VALUE_KEYS`]: `event`, `status`, `code`, `model`, …) or the value has a
//!   shape that is safe under any key ([`self_evident`]: numbers, timestamps, booleans,
//!   snake_case codes, paths with the home replaced, model slugs, placeholders, pseudonyms).
//!
//! Anything else (multi-word text under any other key, a prompt under `input` or `payload`,
//! array elements with spaces, a plain word under an unknown key such as a name) becomes
//! `"<string:N>"`. Keys themselves pass the token test or become placeholders (caches key
//! objects by identities).
//!
//! Free text (and text outside JSON strings) is split into chunks at whitespace, quotes and
//! brackets; each chunk is looked at in its decoded forms (percent-encoding, also twice,
//! HTML entities, backslash escapes) and as its parts (URL pieces, path segments). A part
//! is kept when every sub-word (split at `.`, `-`, `_`, `+` and camelCase) is ordinary
//! vocabulary: a dictionary-like word (letters only, vowels, no long consonant runs, at most
//! 24 letters), a number of at most 13 digits in a row (JSON numbers under a key: up to 17
//! after the point), a short letter-digit mix (`v1`, `gpt`, `5h`,
//! `100ms`, `utf8`). Email-like parts, `user:pass@` in URLs, IPv4 and IPv6 addresses (other
//! than loopback), long digit runs, hex ids, mixed-case opaque runs and non-ASCII words are
//! replaced. `key=value` in free text follows the JSON value rule, and the folder after
//! `/Users/` or `/home/` (a Windows user name in a WSL path) is always replaced.

/// Keys whose string values may be free text (each token still tested).
pub const TEXT_KEYS: &[&str] = &[
    "message",
    "msg",
    "summary",
    "details",
    "detail",
    "fix",
    "hint",
    "title",
    "description",
    "note",
    "reason",
    "error",
    "error_description",
    "errormessage",
    "error_message",
    "statustext",
    "status_text",
    "os_version",
    "remediation",
    "warning",
    "cause",
    // The bundle's own account summary: relative times (`in 2h 5m`, `3m 20s ago`).
    "access_expires",
    "cooldown",
    "refresh_lease",
    "last_used",
];

/// Keys whose values are a user agent (product tokens and comments: `opencode/1.14.3 (linux
/// 6.8.0; x64)`): held to the words the schema keeps there, run by run (red team, closed
/// classes: a made-up word among them stayed as vocabulary).
pub const AGENT_KEYS: &[&str] = &["user-agent", "user_agent", "useragent"];

/// Headers whose values are media types, encodings and parameters: held to the catalogued
/// words the schema keeps there, part by part.
pub const HEADER_VALUE_KEYS: &[&str] = &[
    "accept",
    "accept-encoding",
    "content-encoding",
    "content-type",
    "content_type",
    "openai-beta",
];

/// Keys whose single-token values are kept when the token passes the token test (request
/// and run ids are kept only when their parts are ordinary words and short numbers, so an
/// opaque id is replaced anyway).
pub const VALUE_KEYS: &[&str] = &[
    "event",
    "type",
    "kind",
    "status",
    "code",
    "error_code",
    "errorcode",
    "level",
    "severity",
    "method",
    "phase",
    "stage",
    "mode",
    "model",
    "slug",
    "plan",
    "strategy",
    "source",
    "category",
    "group",
    "id",
    "check",
    "outcome",
    "result",
    "action",
    "transport",
    "encoding",
    "format",
    "scheme",
    "protocol",
    "direction",
    "route",
    "endpoint",
    "version",
    "platform",
    "arch",
    "os",
    "unit",
    "root",
    "rule",
    "path",
    "url",
    "file",
    "filename",
    "store",
    "state",
    "domain_kind",
    "authtypes",
    "tool",
    "finish_reason",
    "role",
    "effort",
    "reasoning_effort",
    "verbosity",
    "personality",
    "service_tier",
    "x-codex-turn-state",
    "stream",
    "note",
    "reason",
    "originator",
    "runid",
    "requestid",
    "request_id",
    "x-request-id",
    "param",
];

/// Keys of the plugin's own records whose values come from a closed set, in any file: a
/// value stays only when it is in the key's catalogue ([`crate::catalog`]), so a made-up
/// word of a word's shape is replaced even where no schema reads the line (a torn or
/// overlong line, a record copied into another log). Names no other writer uses.
pub const CLOSED_KEYS: &[(&str, &[&[&str]])] = &[
    ("authmode", &[crate::catalog::MODES]),
    ("rotationstrategy", &[crate::catalog::ROTATION]),
    // Red team, closed-record neighbours: a made-up word under `decision` stayed.
    ("decision", &[crate::catalog::DECISIONS]),
    ("attemptreasoncode", &[crate::catalog::ATTEMPT_REASONS]),
    ("errorname", &[crate::catalog::ERROR_NAMES]),
    ("originator", &[crate::catalog::ORIGINATORS]),
    ("promptcachekeystrategy", &[crate::catalog::LEVEL_WORDS]),
    ("ultrareasoningeffort", &[crate::catalog::LEVEL_WORDS]),
];

impl KeyClass {
    /// The grammar a user agent's or header value's key holds its values to.
    fn grammar(self) -> Option<Grammar> {
        match self {
            KeyClass::Agent => Some(Grammar::Agent),
            KeyClass::HeaderValue => Some(Grammar::HeaderValue),
            _ => None,
        }
    }
}

/// How a JSON string value is judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyClass {
    /// One value of the closed sets named (see [`CLOSED_KEYS`]).
    Closed(&'static [&'static [&'static str]]),
    /// Free text allowed (each token tested).
    Text,
    /// One token allowed when it passes the test.
    Value,
    /// One token allowed only when its shape is safe under any key.
    Unknown,
    /// A SHA-256 digest (the manifest's `sha256`): 64 lowercase hex digits.
    Digest,
    /// A user agent ([`AGENT_KEYS`]): each run one the schema keeps.
    Agent,
    /// A header value ([`HEADER_VALUE_KEYS`]): each part a catalogued word or number.
    HeaderValue,
}

/// [`classify_plain`] through a table of the listed keys by length (each key is compared
/// only with listed keys of its own length), so a value's key costs a few comparisons.
fn classify(key: &[u8]) -> KeyClass {
    if plain_gate() {
        return classify_plain(key);
    }
    let mut low = [0u8; 32];
    if key.len() > low.len() {
        return KeyClass::Unknown;
    }
    for (d, s) in low.iter_mut().zip(key) {
        *d = s.to_ascii_lowercase();
    }
    let k = &low[..key.len()];
    let listed = match k.first() {
        Some(&first) => key_table()[k.len()]
            .iter()
            .find(|(w, _)| w[0] == first && *w == k)
            .map(|&(_, c)| c),
        None => None,
    };
    match listed {
        Some(c) => c,
        None if k.ends_with(b"code") || crate::schema::allowlisted_anywhere(k) => KeyClass::Value,
        None => KeyClass::Unknown,
    }
}

/// Listed keys by length (0 to 32 bytes), each with its class.
type KeyTable = [Vec<(&'static [u8], KeyClass)>; 33];

/// The listed keys (`sha256`, [`TEXT_KEYS`], [`VALUE_KEYS`], first listing wins) by length.
fn key_table() -> &'static KeyTable {
    static TABLE: std::sync::OnceLock<KeyTable> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        let mut t: KeyTable = std::array::from_fn(|_| Vec::new());
        let all = std::iter::once(("sha256", KeyClass::Digest))
            .chain(
                CLOSED_KEYS
                    .iter()
                    .map(|&(k, sets)| (k, KeyClass::Closed(sets))),
            )
            .chain(AGENT_KEYS.iter().map(|k| (*k, KeyClass::Agent)))
            .chain(
                HEADER_VALUE_KEYS
                    .iter()
                    .map(|k| (*k, KeyClass::HeaderValue)),
            )
            .chain(TEXT_KEYS.iter().map(|k| (*k, KeyClass::Text)))
            .chain(VALUE_KEYS.iter().map(|k| (*k, KeyClass::Value)));
        for (k, c) in all {
            let k = k.as_bytes();
            if let Some(bucket) = t.get_mut(k.len()) {
                if !bucket.iter().any(|(w, _)| *w == k) {
                    bucket.push((k, c));
                }
            }
        }
        t
    })
}

/// How a key's string values are judged: the plain definition (lists read in order).
fn classify_plain(key: &[u8]) -> KeyClass {
    let mut low = [0u8; 32];
    if key.len() > low.len() {
        return KeyClass::Unknown;
    }
    for (d, s) in low.iter_mut().zip(key) {
        *d = s.to_ascii_lowercase();
    }
    let k = &low[..key.len()];
    let is = |list: &[&str]| list.iter().any(|w| w.as_bytes() == k);
    if k == b"sha256" {
        KeyClass::Digest
    } else if let Some(&(_, sets)) = CLOSED_KEYS.iter().find(|(w, _)| w.as_bytes() == k) {
        KeyClass::Closed(sets)
    } else if is(AGENT_KEYS) {
        KeyClass::Agent
    } else if is(HEADER_VALUE_KEYS) {
        KeyClass::HeaderValue
    } else if is(TEXT_KEYS) {
        KeyClass::Text
    } else if is(VALUE_KEYS)
        || k.ends_with(b"_code")
        || k.ends_with(b"code")
        || crate::schema::allowlisted_anywhere(k)
    {
        KeyClass::Value
    } else {
        KeyClass::Unknown
    }
}

/// Where the gate writes: the output line, or nowhere (a check that only counts).
trait Sink {
    fn push(&mut self, b: u8);
    fn extend_from_slice(&mut self, s: &[u8]);
    fn pop(&mut self) -> Option<u8>;
}

impl Sink for Vec<u8> {
    fn push(&mut self, b: u8) {
        Vec::push(self, b);
    }
    fn extend_from_slice(&mut self, s: &[u8]) {
        Vec::extend_from_slice(self, s);
    }
    fn pop(&mut self) -> Option<u8> {
        Vec::pop(self)
    }
}

/// A sink that keeps nothing (for [`text_ok`]).
struct Discard;

impl Sink for Discard {
    fn push(&mut self, _: u8) {}
    fn extend_from_slice(&mut self, _: &[u8]) {}
    fn pop(&mut self) -> Option<u8> {
        None
    }
}

/// Writes the placeholder for `n` characters.
fn placeholder<S: Sink>(text: &[u8], out: &mut S) {
    let n = match std::str::from_utf8(text) {
        Ok(t) => t.chars().count(),
        Err(_) => String::from_utf8_lossy(text).chars().count(),
    };
    out.extend_from_slice(b"<string:");
    out.extend_from_slice(crate::bytes::decimal(n, &mut [0; 20]));
    out.push(b'>');
}

/// What the gate did to one line.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct GateOutcome {
    /// Placeholders written.
    pub replaced: u64,
    /// A placeholder replaced part of a chunk, so the rest of it may read differently on
    /// another pass (`^::2` → `<string:1>::2`, an address). A whole chunk or a whole JSON
    /// value sits between separators and changes nothing around it.
    pub reflow: bool,
}

/// What the gate carries from one line of a file to the next: the key of an array that is
/// still open (a pretty-printed `"details": [` whose elements follow on their own lines), and
/// a YAML value under a credential's name that goes on below its key's line ([`Block`]).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct GateState {
    array: Option<KeyClass>,
    block: Option<Block>,
    /// The line before was a shell prompt whose command names a credential
    /// ([`hands_on`]): this line is what it printed.
    output: bool,
}

/// A value under a credential's name that goes on, indented, on the lines after its key's
/// line (YAML, a struct dump): `client_secret: |` or `password: >-` (a block scalar), or a
/// bare `api_keys:` (a list or a plain scalar below it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Block {
    /// The column of the key: lines indented deeper belong to the value.
    col: usize,
    /// A block scalar: every deeper line is text of the value. Otherwise a deeper line
    /// that is itself `key: value` (a nested map) is read as usual, and `- item` lines at
    /// the key's own column belong to the value too (YAML's compact list).
    scalar: bool,
}

/// Runs the gate over `line`, writing the result to `out`. `spans`, when given, receives
/// the byte ranges of `line` that were replaced (for scanning).
///
/// A line inside a [`Block`] loses all its text but its indentation and list marker (a
/// blank line keeps the block open, as in YAML); the value's lines are read one at a time
/// elsewhere, where a word is ordinary, so a secret written as words would pass.
pub fn gate(
    line: &[u8],
    state: &mut GateState,
    out: &mut Vec<u8>,
    mut spans: Option<&mut Vec<(usize, usize)>>,
) -> GateOutcome {
    // The engine's own whole-line markers pass as they are and change nothing of what the
    // lines around them carry: the redaction resumes with the state it had before the line
    // it replaced, and a scan reads the marker the same way (found by the fuzz target: a
    // marker after a line that hands on was read as that line's output).
    if line == crate::UNREDACTABLE.as_bytes() || line == crate::LINE_TOO_LONG {
        out.extend_from_slice(line);
        return GateOutcome::default();
    }
    if state.output || state.block.is_some() {
        if let Some(g) = gate_carried(line, state, out, spans.as_deref_mut()) {
            return g;
        }
    }
    let start = out.len();
    let g = gate_line(line, state, out, spans);
    state.block = block_opener(line);
    state.output = hands_on(line);
    // What the line hands on is read from what was written too: a scan reads this output,
    // and where a placeholder makes it a credential's key or a prompt whose command the
    // gate changed, the redaction must carry that as the scan will (found by the fuzz
    // target). Either reading carries: fail closed.
    if g.replaced > 0 {
        let written = &out[start..];
        state.block = state.block.or_else(|| block_opener(written));
        state.output |= hands_on(written);
    }
    g
}

/// Whether `line` is a shell prompt of any command (what it printed may follow it):
/// `--max-bytes` starts no kept part right after one.
pub fn prompt_line(line: &[u8]) -> bool {
    prompt_command(line).is_some()
}

/// A line read with what the line before handed on (a prompt's output, a [`Block`]): what
/// it wrote, or `None` (state cleared) when the line is read as usual. Kept out of [`gate`]:
/// few lines need it.
#[inline(never)]
fn gate_carried(
    line: &[u8],
    state: &mut GateState,
    out: &mut Vec<u8>,
    mut spans: Option<&mut Vec<(usize, usize)>>,
) -> Option<GateOutcome> {
    if std::mem::take(&mut state.output) && prompt_command(line).is_none() {
        // What `$ echo $GITHUB_TOKEN`, `$ op read op://…/password` or `$ pass show …`
        // printed: the whole line goes.
        state.array = None;
        state.block = None;
        let mut g = GateOutcome::default();
        let mut end = line.len();
        while end > 0 && matches!(line[end - 1], b'\r' | b' ' | b'\t') {
            end -= 1;
        }
        let value = &line[..end];
        if value.is_empty() || is_placeholder(value) {
            out.extend_from_slice(value);
        } else {
            placeholder(value, out);
            g.replaced += 1;
            if let Some(s) = spans.as_deref_mut() {
                s.push((0, end));
            }
        }
        out.extend_from_slice(&line[end..]);
        return Some(g);
    }
    if let Some(b) = state.block.take() {
        match block_line(line, b) {
            BlockLine::Out => {}
            BlockLine::Pair(ks, ke, vs, ve) => {
                // A nested pair under a credential's name (`credentials:` then `  id: …`):
                // its key stays as a JSON key does, its value only when it passes by its
                // shape under any key (a number, a time, a pseudonym, a placeholder, a
                // marker, a block scalar's indicator).
                state.array = None;
                state.output = false;
                state.block = block_opener(line).or(Some(b));
                let mut g = GateOutcome::default();
                out.extend_from_slice(&line[..ks]);
                for (from, to, keep) in [
                    (ks, ke, block_key_kept(&line[ks..ke])),
                    (vs, ve, kept_in_block(&line[ks..ke], &line[vs..ve])),
                ] {
                    if keep {
                        out.extend_from_slice(&line[from..to]);
                    } else {
                        placeholder(&line[from..to], out);
                        g.replaced += 1;
                        if let Some(s) = spans.as_deref_mut() {
                            s.push((from, to));
                        }
                    }
                    if from == ks {
                        out.extend_from_slice(&line[ke..vs]);
                    }
                }
                out.extend_from_slice(&line[ve..]);
                return Some(g);
            }
            BlockLine::Value(at, end) => {
                state.block = Some(b);
                state.array = None;
                let mut g = GateOutcome::default();
                out.extend_from_slice(&line[..at]);
                let value = &line[at..end];
                if value.is_empty() || is_placeholder(value) {
                    out.extend_from_slice(value);
                } else {
                    placeholder(value, out);
                    g.replaced += 1;
                    if let Some(s) = spans {
                        s.push((at, end));
                    }
                }
                out.extend_from_slice(&line[end..]);
                return Some(g);
            }
        }
    }
    None
}

/// Whether `line` is a shell prompt whose command names a credential (`$ printenv
/// OPENAI_API_KEY`, `jdoe@box:~$ echo $GITHUB_TOKEN`, `PS C:\> op read op://vault/x/password`)
/// or runs a password manager (`pass`, `gopass`, `op`, `bw`, `lpass`, `secret-tool`,
/// `keyring`, `sops`): the next line, what it printed, is read as a secret whole. A chunk of
/// the parallel redaction never starts right after such a line.
pub fn hands_on(line: &[u8]) -> bool {
    let Some(cmd) = prompt_command(line) else {
        return false;
    };
    const MANAGERS: [&[u8]; 8] = [
        b"pass",
        b"gopass",
        b"op",
        b"bw",
        b"lpass",
        b"secret-tool",
        b"keyring",
        b"sops",
    ];
    let mut words = cmd
        .split(|c| c.is_ascii_whitespace() || b"/=:'\"$,;|&(){}<>%[]\\".contains(c))
        .filter(|w| !w.is_empty());
    let first = words.clone().next().unwrap_or_default();
    // A command the gate already changed (its own output read again) hands on too: the
    // name that made it a secret's may be what it replaced.
    MANAGERS.contains(&first)
        || identity_command(first, words.clone())
        || words.any(|w| w.iter().all(key_byte) && credential_name(w))
        || memchr::memmem::find(cmd, b"<string:").is_some()
}

/// Whether a command (its first word, then all its words) prints who the user is or what
/// the machine is called, alone on the next line (red team, round 11): `whoami`, `npm
/// whoami`, `heroku auth:whoami`, `logname`, `hostname`, `id -un`, `uname -n`, `git config
/// user.name`, `scutil --get ComputerName`, `echo $USER`.
fn identity_command<'a>(first: &[u8], mut words: impl Iterator<Item = &'a [u8]> + Clone) -> bool {
    const NAMES: [&[u8]; 8] = [
        b"USER",
        b"USERNAME",
        b"LOGNAME",
        b"HOSTNAME",
        b"HOST",
        b"COMPUTERNAME",
        b"USERDOMAIN",
        b"UID",
    ];
    let has = |w: &[u8]| words.clone().any(|x| x == w);
    match first {
        b"whoami" | b"logname" | b"hostname" | b"hostnamectl" | b"groups" | b"users" => true,
        b"id" => {
            ["-un", "-nu", "-gn", "-ng", "-Gn", "-nG"]
                .iter()
                .any(|f| has(f.as_bytes()))
                || ((has(b"-u") || has(b"-g") || has(b"-G")) && has(b"-n"))
                || (has(b"--user") && has(b"--name"))
        }
        b"uname" => has(b"-n"),
        b"git" => has(b"user.name") || has(b"user.email"),
        b"gh" => has(b"api") && has(b"user"),
        b"scutil" => has(b"--get"),
        // `echo $USER`, `printenv USER`, PowerShell's `$env:USERNAME`, `Write-Output
        // $env:COMPUTERNAME`, `[Environment]::UserName`.
        _ if first.eq_ignore_ascii_case(b"env")
            || first.eq_ignore_ascii_case(b"environment")
            || [
                &b"echo"[..],
                b"printf",
                b"printenv",
                b"write-output",
                b"write-host",
            ]
            .iter()
            .any(|c| c.eq_ignore_ascii_case(first)) =>
        {
            words.any(|w| NAMES.iter().any(|n| n.eq_ignore_ascii_case(w)))
        }
        _ => words.any(|w| w == b"whoami"),
    }
}

/// Whether `prefix` ends inside a placeholder or marker the redaction writes (`<string:3`,
/// `<user`): the `>` after it closes it, it is no prompt.
fn ends_in_placeholder(prefix: &[u8]) -> bool {
    memchr::memrchr(b'<', prefix).is_some_and(|lt| {
        let inner = &prefix[lt + 1..];
        !inner.is_empty()
            && inner
                .iter()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b':' || *c == b'-')
    })
}

/// Whether the line after `line` may be read with what `line` hands on ([`hands_on`]),
/// judged before the detectors and the gate have rewritten `line`: its written form can hand
/// on where the raw one does not (a placeholder ending in `>` before a space, a command the
/// gate changed), so only a JSON object line or a blank one is known not to. Where a
/// parallel chunk may start.
pub(crate) fn may_hand_on(line: &[u8]) -> bool {
    match line.iter().position(|c| !c.is_ascii_whitespace()) {
        None => false,
        Some(i) => line[i] != b'{' || hands_on(line),
    }
}

/// The command of a shell prompt line: [`simple_prompt_command`]'s, or after a default
/// prompt of more words ([`spaced_prompt_command`]).
fn prompt_command(line: &[u8]) -> Option<&[u8]> {
    let lead = line.iter().position(|c| !matches!(c, b' ' | b'\t'))?;
    let t = &line[lead..];
    // A JSON line (most of a log) is no prompt; `[` opens one only before a user's name
    // or the placeholder the gate wrote for it (`[jdoe@box ~]$ `, `[<string:8> ~]$ `).
    if matches!(t[0], b'{' | b'"')
        || (t[0] == b'['
            && !t
                .get(1)
                .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'<'))
    {
        return None;
    }
    simple_prompt_command(t).or_else(|| spaced_prompt_command(t))
}

/// The command after a default prompt of more than one word, or of cmd.exe (red team,
/// round 11's review): macOS zsh's `jdoe@MacBook-Pro ~ % `, old macOS bash's `box:~ jdoe$ `,
/// RHEL's and Fedora's `[jdoe@box ~]$ ` (also `# `), cmd.exe's `C:\Users\jdoe>` (no space
/// needed after it). Only these shapes: a line whose first words are a label and a value
/// (`timeout: 30 # seconds`, `Cost: 0.02$ per`) is no prompt. `t` starts at the line's
/// first character that is no blank.
fn spaced_prompt_command(t: &[u8]) -> Option<&[u8]> {
    let head = &t[..t.len().min(96)];
    let clean = |p: &[u8]| {
        !p.iter()
            .any(|c| matches!(c, b'"' | b'\'' | b'{' | b'}' | b'=' | b','))
    };
    // cmd.exe: a drive, a path, `>`.
    if t.len() > 3 && t[0].is_ascii_alphabetic() && t[1] == b':' && t[2] == b'\\' {
        let gt = memchr::memchr(b'>', head)?;
        let command = &t[gt + 1..];
        let start = command.iter().position(|c| !matches!(c, b' ' | b'\t'))?;
        return clean(&t[..gt]).then_some(&command[start..]);
    }
    let (at, width) = [&b" % "[..], b" $ ", b" # ", b"]$ ", b"]# ", b"$ "]
        .iter()
        .filter_map(|m| memchr::memmem::find(head, m).map(|i| (i, m.len())))
        .min()?;
    let prefix = &t[..at];
    if !clean(prefix) {
        return None;
    }
    // `user@host`, or what the detectors and the gate wrote for it (the gate reads its own
    // output the same way).
    let user_at_host = |w: &[u8]| {
        let name = |c: &u8| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'-');
        w == b"[redacted]"
            || (w.starts_with(b"<string:") && w.ends_with(b">"))
            || memchr::memchr(b'@', w).is_some_and(|i| {
                i > 0 && i + 1 < w.len() && w[..i].iter().all(name) && w[i + 1..].iter().all(name)
            })
    };
    let dir = |w: &[u8]| matches!(w.first(), Some(b'~' | b'/'));
    let words: Vec<&[u8]> = prefix
        .split(|&c| c == b' ')
        .filter(|w| !w.is_empty())
        .collect();
    let shaped = match (&t[at..at + width], words.as_slice()) {
        // RHEL's `[jdoe@box ~]$ `.
        (b"]$ " | b"]# ", [first, rest @ ..]) => {
            first.len() > 1
                && first[0] == b'['
                && user_at_host(&first[1..])
                && rest.len() <= 1
                && rest
                    .iter()
                    .all(|w| dir(w) || w.iter().all(u8::is_ascii_alphanumeric))
        }
        // Old macOS bash's `box:~ jdoe$ `: the marker ends the user's name.
        (b"$ ", [host, user]) => {
            memchr::memchr(b':', host)
                .is_some_and(|i| host.get(i + 1).is_some_and(|c| matches!(c, b'~' | b'/')))
                && (user
                    .iter()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'-'))
                    || user_at_host(user))
        }
        // macOS zsh's `jdoe@MacBook-Pro ~ % `.
        (b" % " | b" $ " | b" # ", [first]) => user_at_host(first),
        (b" % " | b" $ " | b" # ", [first, path]) => user_at_host(first) && dir(path),
        _ => false,
    };
    if !shaped {
        return None;
    }
    let command = &t[at + width..];
    let start = command.iter().position(|c| !matches!(c, b' ' | b'\t'))?;
    Some(&command[start..])
}

/// The command of a shell prompt line: after `$ `, `% `, `> `, `❯ ` at its start, after a
/// prompt such as `jdoe@box:~/src$ ` or `root@box:/# ` (no space, quote or brace before the
/// marker), or after PowerShell's `PS C:\src> `. `t` starts at the line's first character
/// that is no blank.
fn simple_prompt_command(t: &[u8]) -> Option<&[u8]> {
    if t[0] == b'[' {
        return None;
    }
    let after = if let Some(rest) = t.strip_prefix("❯ ".as_bytes()) {
        rest
    } else if t.starts_with(b"PS ") {
        let gt = memchr::memmem::find(&t[..t.len().min(160)], b"> ")?;
        &t[gt + 2..]
    } else {
        // A virtualenv's or conda's name before the prompt: `(venv) jdoe@box:~$ `.
        let t = match t.strip_prefix(b"(") {
            Some(rest) => {
                let close = memchr::memchr(b')', &rest[..rest.len().min(64)])?;
                let after = &rest[close + 1..];
                &after[after.iter().position(|c| *c != b' ')?..]
            }
            None => t,
        };
        let sp = memchr::memchr2(b' ', b'\t', &t[..t.len().min(96)])?;
        if sp == 0 {
            return None;
        }
        let marker = t[sp - 1];
        let prefix = &t[..sp - 1];
        let ok = match marker {
            b'$' | b'%' => true,
            // Not an arrow (`=> "…"`, irb's and a REPL's printed value), nor the end of a
            // placeholder the gate wrote (`<string:3> …`: its own output read again must
            // read as its input did; found by the property test after merging round 4).
            b'>' => !matches!(prefix.last(), Some(b'=' | b'-')) && !ends_in_placeholder(prefix),
            b'#' => !prefix.is_empty(),
            _ => false,
        };
        if !ok
            || prefix
                .iter()
                .any(|c| matches!(c, b'"' | b'{' | b'}' | b'['))
        {
            return None;
        }
        &t[sp..]
    };
    let start = after.iter().position(|c| !matches!(c, b' ' | b'\t'))?;
    Some(&after[start..])
}

/// How a line reads inside a [`Block`].
enum BlockLine {
    /// It ends the block (a line at the key's column or left of it).
    Out,
    /// A nested `key: value` (not in a block scalar): its key at `.0` to `.1`, its value at
    /// `.2` to `.3` (empty for a nested map's key); the block goes on.
    Pair(usize, usize, usize, usize),
    /// Text of the value, at `.0` to `.1` (after the indentation and a list marker, before
    /// a trailing `\r`); empty for a blank line.
    Value(usize, usize),
}

fn block_line(line: &[u8], b: Block) -> BlockLine {
    let indent = line
        .iter()
        .position(|c| !matches!(c, b' ' | b'\t'))
        .unwrap_or(line.len());
    let mut end = line.len();
    while end > indent && matches!(line[end - 1], b'\r' | b' ' | b'\t') {
        end -= 1;
    }
    if end == indent {
        return BlockLine::Value(indent, indent);
    }
    let item =
        |at: usize| line[at] == b'-' && (at + 1 == end || matches!(line[at + 1], b' ' | b'\t'));
    let deeper = indent > b.col;
    if !deeper && (b.scalar || indent < b.col || !item(indent)) {
        return BlockLine::Out;
    }
    if b.scalar {
        return BlockLine::Value(indent, end);
    }
    let mut at = indent;
    if item(at) {
        at += 1;
        while at < end && matches!(line[at], b' ' | b'\t') {
            at += 1;
        }
    }
    if let Some((ks, ke)) = yaml_key(&line[at..end]) {
        let mut vs = at + ke;
        while vs < end && line[vs] != b':' {
            vs += 1;
        }
        vs += 1;
        while vs < end && matches!(line[vs], b' ' | b'\t') {
            vs += 1;
        }
        let vs = vs.min(end);
        BlockLine::Pair(at + ks, at + ke, vs, end)
    } else {
        BlockLine::Value(at, end)
    }
}

/// The key of a `key: …` line's text (`text` starts at the key): its range, when the key is
/// plain (letters, digits, `_ - .`, maybe quoted) and a space, a tab or the end follows its
/// colon.
fn yaml_key(text: &[u8]) -> Option<(usize, usize)> {
    let colon = memchr::memchr(b':', text)?;
    if !matches!(text.get(colon + 1), None | Some(b' ' | b'\t')) {
        return None;
    }
    let mut key = &text[..colon];
    let mut start = 0;
    while let [rest @ .., b' ' | b'\t'] = key {
        key = rest;
    }
    let mut quoted = false;
    if let [q @ (b'"' | b'\''), inner @ .., last] = key {
        if last == q {
            key = inner;
            start = 1;
            quoted = true;
        }
    }
    // A name people write with a space (`API Key`, `Client Secret`, `"api key"`): two words
    // at most unquoted (a sentence ending in `token:` is no key), any number quoted.
    let words = key.split(|&c| c == b' ').count();
    let ok = !key.is_empty()
        && (quoted || words <= 2)
        && key
            .split(|&c| c == b' ')
            .all(|w| !w.is_empty() && w.iter().all(key_byte));
    ok.then_some((start, start + key.len()))
}

/// A line that opens a [`Block`]: `  client_secret: |` (also `>`, `|-`, `>+`, `|2`), or
/// `api_keys:` with nothing after the colon, maybe as a list item (`- password: |`), when
/// the key names a credential.
fn block_opener(line: &[u8]) -> Option<Block> {
    let mut end = line.len();
    while end > 0 && matches!(line[end - 1], b'\r' | b' ' | b'\t') {
        end -= 1;
    }
    // The detectors replace a block scalar's indicator after a credential's name
    // (`password: [redacted]`); the lines deeper than it go on with that value, whatever
    // they hold.
    if let Some(head) = line[..end].strip_suffix(b"[redacted]") {
        end = head.len();
        while end > 0 && matches!(line[end - 1], b' ' | b'\t') {
            end -= 1;
        }
        if end == 0 || end == head.len() || line[end - 1] != b':' {
            return None;
        }
        return block_key(line, end - 1, true);
    }
    let last = *line.get(end.checked_sub(1)?)?;
    let scalar = match last {
        b':' => false,
        b'|' | b'>' | b'-' | b'+' | b'0'..=b'9' => true,
        _ => return None,
    };
    let mut colon = end - 1;
    if scalar {
        // Up to two chomping and indentation indicators after the `|` or `>`.
        let mut at = end;
        while at > 0 && end - at < 2 && matches!(line[at - 1], b'-' | b'+' | b'0'..=b'9') {
            at -= 1;
        }
        if at == 0 || !matches!(line[at - 1], b'|' | b'>') {
            return None;
        }
        at -= 1;
        while at > 0 && matches!(line[at - 1], b' ' | b'\t') {
            at -= 1;
        }
        if at == end - 1 || at == 0 || line[at - 1] != b':' {
            return None;
        }
        colon = at - 1;
    }
    block_key(line, colon, scalar)
}

/// The [`Block`] of a line whose key's colon is at `colon`, when the key names a credential.
fn block_key(line: &[u8], colon: usize, scalar: bool) -> Option<Block> {
    let mut col = line
        .iter()
        .position(|c| !matches!(c, b' ' | b'\t'))
        .unwrap_or(line.len());
    if line.get(col) == Some(&b'-') && matches!(line.get(col + 1), Some(b' ' | b'\t')) {
        col += 1;
        while matches!(line.get(col), Some(b' ' | b'\t')) {
            col += 1;
        }
    }
    if col >= colon {
        return None;
    }
    let (ks, ke) = yaml_key(&line[col..=colon])?;
    if col + ke != colon
        && !line[col + ke..colon]
            .iter()
            .all(|c| matches!(c, b' ' | b'\t' | b'"' | b'\''))
    {
        return None;
    }
    credential_name(&line[col + ks..col + ke]).then_some(Block { col, scalar })
}

/// Whether a nested key under a credential's name stays: as a JSON key, when it passes the
/// token test (a key made of words, which may itself be a secret, stays: see the docs' "Left
/// after round 4").
fn block_key_kept(key: &[u8]) -> bool {
    token_ok(key)
}

/// Whether a nested value under a credential's name stays: nothing, a placeholder or a
/// marker already written, a block scalar's indicator, a boolean, a value of its key's
/// closed set (`authMode: native`), or what passes by its shape under any key (a number, a
/// time, a pseudonym).
fn kept_in_block(key: &[u8], v: &[u8]) -> bool {
    if let KeyClass::Closed(sets) = classify(key) {
        return closed_ok(v, sets);
    }
    let indicator = matches!(v, [b'|' | b'>', rest @ ..] if rest.len() <= 2
        && rest.iter().all(|c| matches!(c, b'-' | b'+' | b'0'..=b'9')));
    v.is_empty()
        || is_placeholder(v)
        || matches!(v, b"[redacted]" | b"true" | b"false" | b"null")
        || indicator
        || value_passes_by_shape(v)
}

/// The length of the placeholder (`<string:12>`) that starts `text`, if one does.
fn placeholder_at(text: &[u8]) -> Option<usize> {
    if !text.starts_with(b"<string:") {
        return None;
    }
    let end = memchr::memchr(b'>', &text[..text.len().min(24)])?;
    is_placeholder(&text[..=end]).then_some(end + 1)
}

/// Whether `text` is one placeholder the gate wrote (`<string:12>`).
fn is_placeholder(text: &[u8]) -> bool {
    text.strip_prefix(b"<string:")
        .and_then(|t| t.strip_suffix(b">"))
        .is_some_and(|d| !d.is_empty() && d.iter().all(u8::is_ascii_digit))
}

/// [`gate`] without the [`Block`] a line may be in or open.
fn gate_line(
    line: &[u8],
    state: &mut GateState,
    out: &mut Vec<u8>,
    mut spans: Option<&mut Vec<(usize, usize)>>,
) -> GateOutcome {
    let mut g = GateOutcome::default();
    if !json_like(line) {
        state.array = None;
        free_text(line, 0, out, &mut g, spans);
        return g;
    }
    let mut i = 0;
    let mut last_key: Option<(usize, usize)> = None;
    let mut text_start = 0;
    while i < line.len() {
        match line[i] {
            b'"' => {}
            b'[' => {
                state.array = match last_key {
                    Some((ks, ke)) if value_follows_key(line, ke + 1, i) => {
                        Some(classify(&line[ks..ke]))
                    }
                    _ => None,
                };
                i += 1;
                continue;
            }
            b']' | b'{' => {
                state.array = None;
                i += 1;
                continue;
            }
            _ => {
                i += 1;
                continue;
            }
        }
        // Free text before the string.
        between_key(
            line,
            last_key,
            text_start,
            i,
            out,
            &mut g,
            spans.as_deref_mut(),
        );
        let (end, closed) = string_end(line, i + 1);
        let content = &line[i + 1..end];
        let after = if closed { end + 1 } else { end };
        let is_key = closed && next_non_space(line, after) == Some(b':');
        let under = match last_key {
            Some((ks, ke)) if value_follows_key(line, ke + 1, i) => Some(&line[ks..ke]),
            _ => None,
        };
        out.push(b'"');
        // A number, time or pseudonym is kept under any key: it is self-evident, and as one
        // chunk it passes by shape. A string that passed before in the same place (a key,
        // a value under the same key) passes again.
        let by_shape = !is_key && !plain_gate() && value_passes_by_shape(content);
        let memo = if by_shape {
            None
        } else {
            StringMemo::new(is_key, under, state.array, content)
        };
        if by_shape || memo.as_ref().is_some_and(StringMemo::passed_before) {
            out.extend_from_slice(content);
        } else {
            let verdict = if is_key {
                if token_ok(content) {
                    Verdict::Keep
                } else {
                    Verdict::Replace
                }
            } else {
                let class = match under {
                    Some(key) => classify(key),
                    None => state.array.unwrap_or(KeyClass::Unknown),
                };
                value_verdict(content, class)
            };
            let (at, before) = (out.len(), g.replaced);
            if verdict == Verdict::Keep {
                out.extend_from_slice(content);
            } else if verdict == Verdict::Words {
                free_text(content, i + 1, out, &mut g, spans.as_deref_mut());
            } else if let Verdict::Runs(grammar) = verdict {
                catalogued_runs(content, grammar, i + 1, out, &mut g, spans.as_deref_mut());
            } else {
                placeholder(content, out);
                g.replaced += 1;
                if let Some(s) = spans.as_deref_mut() {
                    s.push((i + 1, end));
                }
            }
            if let Some(m) = memo {
                if g.replaced == before && out[at..] == *content {
                    m.remember();
                }
            }
        }
        if closed {
            out.push(b'"');
        }
        if is_key {
            last_key = Some((i + 1, end));
        }
        i = after;
        text_start = after;
    }
    between_key(line, last_key, text_start, line.len(), out, &mut g, spans);
    g
}

/// [`between`] for `line[start..end]`; when that text follows a key's closing quote (`"secret":
/// word`, a YAML or JS line written with a quoted key, or a torn JSON line), the bare word
/// after its `:` is a value and is judged under the key as a string would be: a word of an
/// unknown key or a credential's goes, `true`, `false`, `null` and numbers stay (red team,
/// round 5). Valid JSON has nothing else there, so it reads as before.
#[inline]
fn between_key(
    line: &[u8],
    last_key: Option<(usize, usize)>,
    start: usize,
    end: usize,
    out: &mut Vec<u8>,
    g: &mut GateOutcome,
    spans: Option<&mut Vec<(usize, usize)>>,
) {
    let key = match last_key {
        Some((ks, ke)) if ke + 1 == start => Some(&line[ks..ke]),
        _ => None,
    };
    between(&line[start..end], start, key, out, g, spans);
}

/// [`between`]'s text after a key that is more than structure and numbers.
#[inline(never)]
fn bare_value(
    text: &[u8],
    start: usize,
    key: &[u8],
    out: &mut Vec<u8>,
    g: &mut GateOutcome,
    mut spans: Option<&mut Vec<(usize, usize)>>,
) {
    let blank = |t: &[u8], mut at: usize| {
        while at < t.len() && matches!(t[at], b' ' | b'\t') {
            at += 1;
        }
        at
    };
    let colon = blank(text, 0);
    if text.get(colon) != Some(&b':') {
        return free_text(text, start, out, g, spans);
    }
    let mut v = blank(text, colon + 1);
    // `"plugin": [word, word]` (a config that does not parse): each bare element is judged
    // under the key, as the elements of an array are.
    let array = text.get(v) == Some(&b'[');
    if array {
        v = blank(text, v + 1);
    }
    let class = classify(key);
    let mut copied = 0;
    loop {
        let w = v + text[v..]
            .iter()
            .position(|c| matches!(c, b',' | b'}' | b']' | b' ' | b'\t' | b'\r'))
            .unwrap_or(text.len() - v);
        let word = &text[v..w];
        // A number is kept by its shape alone; one that is no JSON number (a run of more
        // than 13 digits, an account or card number) goes here, quoted, rather than as a
        // word of free text, which would leave the line no JSON.
        let numeric = !word.is_empty()
            && word
                .iter()
                .all(|c| matches!(c, b'0'..=b'9' | b'.' | b'e' | b'E' | b'+' | b'-'));
        let kept = word.is_empty()
            || if numeric {
                // (An array's elements keep `number_like`'s 13 digits in a row.)
                json_number_within(word, if array { 13 } else { 17 }) || number_like(word)
            } else {
                matches!(word[0], b'{' | b'[' | b'"')
                    || matches!(word, b"true" | b"false" | b"null" | b"[redacted]")
                    || number_like(word)
                    || is_placeholder(word)
                    || matches!(value_verdict(word, class), Verdict::Keep | Verdict::Words)
            };
        if !kept {
            // Quoted, so a JSON line stays JSON.
            out.extend_from_slice(&text[copied..v]);
            out.push(b'"');
            placeholder(word, out);
            out.push(b'"');
            g.replaced += 1;
            if let Some(s) = spans.as_deref_mut() {
                s.push((start + v, start + w));
            }
            copied = w;
        }
        let comma = blank(text, w);
        if !array || kept && !word.is_empty() && matches!(word[0], b'{' | b'[' | b'"') {
            break;
        }
        if text.get(comma) != Some(&b',') {
            break;
        }
        v = blank(text, comma + 1);
        if v >= text.len() {
            break;
        }
    }
    if copied == 0 {
        return free_text(text, start, out, g, spans);
    }
    between(&text[copied..], start + copied, None, out, g, spans);
}

/// Gates the text between a JSON line's strings. Structure and numbers (`:`, `,`, brackets,
/// spaces, and chunks such as `:7` or `367.7` that pass by shape as numbers) pass as they
/// are: a number names no credential, so nothing after it reads differently.
fn between(
    text: &[u8],
    base: usize,
    key: Option<&[u8]>,
    out: &mut Vec<u8>,
    g: &mut GateOutcome,
    spans: Option<&mut Vec<(usize, usize)>>,
) {
    // Part of the definition (the plain gate reads it so too): a number of JSON's structure
    // stays whole up to 13 digits in a row (17 after the point of a number under a key:
    // [`keyed_json_number`]), where the same digits in text or in a string are judged as
    // words (an account number; see `sub_ok`).
    if bare_structure(text) || numbers_and_structure(text) {
        out.extend_from_slice(text);
    } else if let Some(key) = key {
        bare_value(text, base, key, out, g, spans);
    } else {
        free_text(text, base, out, g, spans);
    }
}

/// The text between most JSON strings (`:`, `,`, `":{"`, `"},"`): separators and at most one
/// `:`, which [`numbers_and_structure`] passes too, told without walking its chunks.
#[inline]
fn bare_structure(text: &[u8]) -> bool {
    match *text {
        [] => true,
        [a] => matches!(a, b':' | b',' | b'{' | b'}' | b'[' | b']' | b' '),
        [a, b] => {
            let sep = |c: u8| matches!(c, b',' | b'{' | b'}' | b'[' | b']' | b' ');
            (sep(a) || a == b':') && sep(b) || sep(a) && b == b':'
        }
        _ => false,
    }
}

/// Whether `text` is separators (`,` brackets, spaces) and chunks of digits, `.`, `:`,
/// `-` (and an exponent's `e`, `+`) that are [`number_like`] or a [`json_number_within`].
fn numbers_and_structure(text: &[u8]) -> bool {
    let mut run = 0;
    for (i, &c) in text.iter().enumerate() {
        match c {
            b'0'..=b'9' | b'.' | b':' | b'-' | b'e' | b'E' | b'+' => continue,
            b',' | b'{' | b'}' | b'[' | b']' | b' ' | b'\t' => {
                if run < i
                    && !number_like(&text[run..i])
                    && !keyed_json_number(&text[..run], &text[run..i])
                {
                    return false;
                }
                run = i + 1;
            }
            _ => return false,
        }
    }
    run >= text.len() || number_like(&text[run..]) || keyed_json_number(&text[..run], &text[run..])
}

/// A [`json_number_within`] right after a key's `:` (`:96.31585726239595`, or after the `:` and
/// spaces ending `before`); elsewhere (an array's elements) one of at most 13 digits in a
/// row.
fn keyed_json_number(before: &[u8], c: &[u8]) -> bool {
    let after_colon = c.first() == Some(&b':')
        || before.iter().rev().find(|b| !matches!(b, b' ' | b'\t')) == Some(&b':');
    // (An array's elements: 13 digits in a row at most, an exponent allowed.)
    json_number_within(c, if after_colon { 17 } else { 13 })
}

/// A number as JSON's structure holds it (after a `:` that may come with it): at most 13
/// digits in a row before the point, as [`number_like`] counts them, and a fraction of up
/// to `max_frac` digits, with an exponent (`1e+21`, `2.5E-7`). `max_frac` is 17 right under
/// a key (`96.31585726239595`, a duration as JavaScript writes a double) and 13 in an array
/// ([`keyed_json_number`]). A longer run of digits is judged as a word (an account or card
/// number), and replaced by a quoted placeholder ([`bare_value`]).
fn json_number_within(c: &[u8], max_frac: usize) -> bool {
    let c = c.strip_prefix(b":").unwrap_or(c);
    let c = c.strip_prefix(b"-").unwrap_or(c);
    let int = c.iter().take_while(|b| b.is_ascii_digit()).count();
    if int == 0 || int > 13 {
        return false;
    }
    let mut rest = &c[int..];
    if let Some(f) = rest.strip_prefix(b".") {
        let frac = f.iter().take_while(|b| b.is_ascii_digit()).count();
        if frac == 0 || frac > max_frac {
            return false;
        }
        rest = &f[frac..];
    }
    if let Some(e) = rest.strip_prefix(b"e").or_else(|| rest.strip_prefix(b"E")) {
        let e = e
            .strip_prefix(b"+")
            .or_else(|| e.strip_prefix(b"-"))
            .unwrap_or(e);
        let exp = e.iter().take_while(|b| b.is_ascii_digit()).count();
        if exp == 0 || exp > 3 {
            return false;
        }
        rest = &e[exp..];
    }
    rest.is_empty()
}

/// The place of a JSON string in its line and its content, for [`MEMO`]: the gate's verdict
/// on a string is a function of them alone (a key's of its content; a value's of the key
/// before it, or of the open array's class, and its content).
struct StringMemo {
    buf: [u8; 2 + 32 + CACHED_CHUNK],
    len: usize,
}

impl StringMemo {
    /// `None` with the plain gate, or when the key or the content is too long to remember.
    fn new(
        is_key: bool,
        under: Option<&[u8]>,
        array: Option<KeyClass>,
        content: &[u8],
    ) -> Option<StringMemo> {
        if plain_gate() || content.len() > CACHED_CHUNK {
            return None;
        }
        let key: &[u8] = match (is_key, under) {
            (false, Some(k)) => k,
            _ => b"",
        };
        if key.len() > 32 {
            return None;
        }
        let tag = match (is_key, under, array) {
            (true, _, _) => 0,
            (false, Some(_), _) => 1,
            (false, None, None) => 2,
            (false, None, Some(KeyClass::Text)) => 3,
            (false, None, Some(KeyClass::Value)) => 4,
            (false, None, Some(KeyClass::Unknown)) => 5,
            (false, None, Some(KeyClass::Digest)) => 6,
            // Which closed sets is not in the tag: such elements are not remembered.
            (false, None, Some(KeyClass::Closed(_))) => return None,
            (false, None, Some(KeyClass::Agent | KeyClass::HeaderValue)) => return None,
        };
        let mut m = StringMemo {
            buf: [0; 2 + 32 + CACHED_CHUNK],
            len: 2 + key.len() + content.len(),
        };
        m.buf[0] = tag;
        m.buf[1] = key.len() as u8;
        m.buf[2..2 + key.len()].copy_from_slice(key);
        m.buf[2 + key.len()..m.len].copy_from_slice(content);
        Some(m)
    }

    fn passed_before(&self) -> bool {
        MEMO.with(|p| p.borrow().contains(&self.buf[..self.len]))
    }

    /// The string passed unchanged.
    fn remember(&self) {
        MEMO.with(|p| p.borrow_mut().insert(&self.buf[..self.len]));
    }
}

thread_local! {
    /// JSON strings that passed the gate unchanged, by their place ([`StringMemo`]), bounded.
    static MEMO: std::cell::RefCell<crate::pass_cache::PassCache> = std::cell::RefCell::new(crate::pass_cache::PassCache::default());
}

/// Whether reading `line` does not depend on the lines before it ([`GateState`]): it starts
/// at its first column with a byte other than `-` (so it is in no YAML [`Block`]), and it is
/// not read as JSON or starts with `{` (which starts afresh).
pub(crate) fn fresh_start(line: &[u8]) -> bool {
    // (The line before it must not hand it on either: see [`hands_on`].)
    // An indented, blank or `-` line may go on with a YAML value ([`Block`]).
    if matches!(
        line.first(),
        None | Some(b' ' | b'\t' | b'\r' | b'\n' | b'-')
    ) {
        return false;
    }
    !json_like(line) || line.first() == Some(&b'{')
}

/// Whether `line` is read as JSON: it starts (after spaces) with `{`, `[` or `"`, or holds a
/// key (`":`). Other lines are free text, where quotes only separate words.
fn json_like(line: &[u8]) -> bool {
    let first = line.iter().copied().find(|c| !c.is_ascii_whitespace());
    matches!(first, Some(b'{' | b'[' | b'"')) || find(line, b"\":").is_some()
}

/// The end of a JSON string whose content starts at `from`: `(index of the closing quote or
/// the line's end, whether it closed)`.
fn string_end(line: &[u8], from: usize) -> (usize, bool) {
    let mut j = from;
    while j < line.len() {
        let Some(k) = memchr::memchr2(b'\\', b'"', &line[j..]) else {
            break;
        };
        j += k;
        if line[j] == b'"' {
            return (j, true);
        }
        j += 2;
    }
    (line.len(), false)
}

fn next_non_space(line: &[u8], from: usize) -> Option<u8> {
    line.get(from..)?
        .iter()
        .copied()
        .find(|c| !c.is_ascii_whitespace())
}

/// Whether only `:` and spaces stand between a key's closing quote (`from`) and `to`.
fn value_follows_key(line: &[u8], from: usize, to: usize) -> bool {
    from <= to
        && line[from..to]
            .iter()
            .all(|&c| c == b':' || c.is_ascii_whitespace())
}

/// What happens to a JSON string value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    /// Kept as it is.
    Keep,
    /// Kept as free text: each word or path segment is tested and replaced on its own.
    Words,
    /// Replaced whole.
    Replace,
    /// Kept run by run in a user agent or header value ([`catalogued_runs`]).
    Runs(Grammar),
}

/// The two value grammars held to the schema's words run by run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Grammar {
    Agent,
    HeaderValue,
}

impl Grammar {
    /// A byte of a run (between separators).
    fn run_byte(self, c: u8) -> bool {
        c.is_ascii_alphanumeric()
            || match self {
                Grammar::Agent => b"._-".contains(&c),
                Grammar::HeaderValue => b"._-/+*".contains(&c),
            }
    }

    /// A separator that stays.
    fn separator(self, c: u8) -> bool {
        match self {
            Grammar::Agent => b" /();,:[]".contains(&c),
            Grammar::HeaderValue => b" ;,=".contains(&c),
        }
    }

    /// A run stays when the schema keeps it there and it passes the token test too (which
    /// replaces addresses and dashed digit groups the schema's shapes let through: found in
    /// review, `10.20.30.40`, `4539-1488-0343-6469`).
    fn run_ok(self, run: &[u8]) -> bool {
        std::str::from_utf8(run).is_ok_and(|r| {
            let (words, schema_ok) = match self {
                Grammar::Agent => (crate::catalog::AGENT_WORDS, crate::schema::agent_run_ok(r)),
                Grammar::HeaderValue => (
                    crate::catalog::HEADER_WORDS,
                    crate::schema::header_part_ok(r),
                ),
            };
            // A catalogued word is public as it is; anything else built from the shapes
            // (versions, numbers) must pass the token test as well.
            crate::catalog::has(words, r) || (schema_ok && token_ok(run))
        })
    }

    /// A value replaced whole, whatever its runs: a header value with a space that does not
    /// follow `;` or `,` (numbers apart: `415 555 0134`) or more than eight digits in all (a
    /// number cut into parameters), a user agent with two colons or more (an IPv6 address
    /// whose digit groups would stay between placeholders).
    fn refuses(self, v: &[u8]) -> bool {
        match self {
            Grammar::HeaderValue => {
                v.iter().filter(|c| c.is_ascii_digit()).count() > 8
                    || v.iter()
                        .enumerate()
                        .any(|(i, &c)| c == b' ' && !(i > 0 && matches!(v[i - 1], b';' | b',')))
            }
            Grammar::Agent => {
                // The colons of placeholders already written do not count.
                let colons = v.iter().filter(|&&c| c == b':').count();
                colons - memchr::memmem::find_iter(v, b"<string:").count() >= 2
            }
        }
    }

    /// Whether every run of `v` stays (nothing would be replaced).
    fn whole_ok(self, v: &[u8]) -> bool {
        let mut i = 0;
        while i < v.len() {
            if self.separator(v[i]) {
                i += 1;
                continue;
            }
            if let Some(n) = placeholder_at(&v[i..]) {
                i += n;
                continue;
            }
            let start = i;
            while i < v.len() && self.run_byte(v[i]) {
                i += 1;
            }
            if i == start || !self.run_ok(&v[start..i]) {
                return false;
            }
        }
        true
    }
}

/// Writes the value `v` (at `at` in the line) of a [`Grammar`]: each run that stays as it
/// is, any other run or byte as a placeholder. A value with an escape or a byte beyond ASCII
/// is replaced whole (read as written, it could hide anything).
fn catalogued_runs<S: Sink>(
    v: &[u8],
    grammar: Grammar,
    at: usize,
    out: &mut S,
    g: &mut GateOutcome,
    mut spans: Option<&mut Vec<(usize, usize)>>,
) {
    let mut replace = |from: usize, to: usize, out: &mut S, g: &mut GateOutcome| {
        placeholder(&v[from..to], out);
        g.replaced += 1;
        g.reflow = true;
        if let Some(s) = spans.as_deref_mut() {
            s.push((at + from, at + to));
        }
    };
    if v.iter().any(|&c| c == b'\\' || !(0x20..0x7f).contains(&c)) {
        replace(0, v.len(), out, g);
        return;
    }
    let mut i = 0;
    while i < v.len() {
        if grammar.separator(v[i]) {
            out.push(v[i]);
            i += 1;
            continue;
        }
        if let Some(n) = placeholder_at(&v[i..]) {
            out.extend_from_slice(&v[i..i + n]);
            i += n;
            continue;
        }
        let start = i;
        while i < v.len() && grammar.run_byte(v[i]) {
            i += 1;
        }
        if i == start {
            // A byte that is neither a run's nor a separator.
            i += 1;
            replace(start, i, out, g);
        } else if grammar.run_ok(&v[start..i]) {
            out.extend_from_slice(&v[start..i]);
        } else {
            replace(start, i, out, g);
        }
    }
}

/// What happens to a JSON string value under a key of `class`.
fn value_verdict(v: &[u8], class: KeyClass) -> Verdict {
    if plugin_run_id(v) {
        return Verdict::Keep;
    }
    // A word of the plugin's, OpenCode's or HTTP's catalogues (`"pragmatic"`, `"sticky"`)
    // is public under any key.
    if class == KeyClass::Unknown
        && v.len() <= 40
        && std::str::from_utf8(v).is_ok_and(crate::catalog::anywhere)
    {
        return Verdict::Keep;
    }
    if let KeyClass::Closed(sets) = class {
        return if closed_ok(v, sets) {
            Verdict::Keep
        } else {
            Verdict::Replace
        };
    }
    if let Some(grammar) = class.grammar() {
        return if v.is_empty() || crate::rules::is_marker(v) || is_placeholder(v) {
            Verdict::Keep
        } else if grammar.refuses(v) {
            Verdict::Replace
        } else if grammar.whole_ok(v) {
            Verdict::Keep
        } else {
            Verdict::Runs(grammar)
        };
    }
    if class == KeyClass::Digest
        && v.len() == 64
        && v.iter()
            .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(c))
    {
        return Verdict::Keep;
    }
    let one_token = !v.iter().any(|c| c.is_ascii_whitespace());
    if class == KeyClass::Text
        || v.is_empty()
        || self_evident(v)
        || (class == KeyClass::Value && one_token)
    {
        return Verdict::Words;
    }
    if value_ok(v, class) {
        Verdict::Keep
    } else {
        Verdict::Replace
    }
}

/// Whether `v` is in one of the closed `sets`, a short number, or a placeholder, marker or
/// pseudonym already written in place of a value.
fn closed_ok(v: &[u8], sets: &[&[&str]]) -> bool {
    let Ok(s) = std::str::from_utf8(v) else {
        return false;
    };
    v.is_empty()
        || sets.iter().any(|set| crate::catalog::has(set, s))
        || (v.len() <= 9 && v.iter().all(u8::is_ascii_digit))
        || (v.starts_with(b"<string:") && v.ends_with(b">"))
        || crate::rules::is_marker(v)
}

/// Whether a JSON string value stays as it is.
fn value_ok(v: &[u8], class: KeyClass) -> bool {
    if let KeyClass::Closed(sets) = class {
        return closed_ok(v, sets);
    }
    if let Some(grammar) = class.grammar() {
        return v.is_empty()
            || crate::rules::is_marker(v)
            || is_placeholder(v)
            || (!grammar.refuses(v) && grammar.whole_ok(v));
    }
    if class == KeyClass::Digest
        && v.len() == 64
        && v.iter()
            .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(c))
    {
        return true;
    }
    if v.is_empty() || self_evident(v) {
        return text_ok(v);
    }
    // An authorization value whose credential is already replaced (`Bearer [redacted]`).
    if let Some(scheme) = v.strip_suffix(b" [redacted]") {
        if [&b"bearer"[..], b"basic", b"digest", b"token", b"bot"]
            .iter()
            .any(|s| s.eq_ignore_ascii_case(scheme))
        {
            return true;
        }
    }
    let one_token = !v.iter().any(|c| c.is_ascii_whitespace());
    match class {
        KeyClass::Text => text_ok(v),
        KeyClass::Value => one_token && token_ok(v),
        KeyClass::Unknown
        | KeyClass::Digest
        | KeyClass::Closed(_)
        | KeyClass::Agent
        | KeyClass::HeaderValue => false,
    }
}

/// Whether every chunk of free text `v` passes (nothing would be replaced).
fn text_ok(v: &[u8]) -> bool {
    let mut g = GateOutcome::default();
    if !plain_gate()
        && !v.is_empty()
        && v.iter()
            .all(|&c| c.is_ascii() && !CHUNK_SEP[usize::from(c)])
    {
        // One chunk: what free text does with it, without the reading around it.
        chunk_gate(v, 0, &mut Discard, &mut g, None);
    } else {
        free_text(v, 0, &mut Discard, &mut g, None);
    }
    g.replaced == 0
}

/// Whether the gate would leave `line` as it is (a fresh state).
pub fn passes(line: &[u8]) -> bool {
    let mut out = Vec::new();
    gate(line, &mut GateState::default(), &mut out, None).replaced == 0
}

/// A value whose shape is safe under any key: a number or time, a boolean, a snake_case or
/// SCREAMING_CASE code, a path or URL (its parts still tested), a public host
/// ([`PUBLIC_HOSTS`]), a model slug, a placeholder, a pseudonym, a marker the bundle writes.
pub fn self_evident(v: &[u8]) -> bool {
    if v.starts_with(b"[redacted")
        || v.starts_with(b"[omitted")
        || v.starts_with(b"[codex-doctor")
        || (v.starts_with(b"<") && v.ends_with(b">"))
        || crate::pseudonym::looks_like_pseudonym(v)
    {
        return true;
    }
    if v.iter().any(|c| c.is_ascii_whitespace()) {
        return false;
    }
    if matches!(
        v,
        b"true" | b"false" | b"null" | b"undefined" | b"none" | b"~"
    ) {
        return true;
    }
    if v[0].is_ascii_digit() || (v[0] == b'-' && v.len() > 1 && v[1].is_ascii_digit()) {
        // Numbers, versions, times, dates, durations, sizes.
        static NUMERIC: crate::bytes::ByteSet = crate::bytes::ByteSet::new(true, false, b".:-+,/ ");
        return v.iter().all(|&c| NUMERIC.has(c));
    }
    if v.starts_with(b"~/") || v.starts_with(b"/") || find(v, b"://").is_some() {
        return true;
    }
    // A host of the plugin's, OpenCode's or npm's (`registry.npmjs.org`, `auth.openai.com`)
    // whose labels are words (not a token planted as a subdomain).
    if (v.contains(&b'.') || v.eq_ignore_ascii_case(b"localhost"))
        && v.iter().all(key_byte)
        && public_host(v)
        && part_ok(v)
    {
        return true;
    }
    if v.contains(&b'_')
        && (v.iter().all(|c| !c.is_ascii_uppercase()) || v.iter().all(|c| !c.is_ascii_lowercase()))
    {
        return true;
    }
    [
        "gpt-",
        "o1",
        "o3",
        "o4",
        "codex-",
        "chatgpt",
        "text-embedding",
    ]
    .iter()
    .any(|p| v.len() >= p.len() && v[..p.len()].eq_ignore_ascii_case(p.as_bytes()))
}

/// [`is_chunk_sep`] as a table, for the inner loop.
const CHUNK_SEP: [bool; 128] = {
    let mut t = [false; 128];
    let mut c = 0;
    while c < 128 {
        let b = c as u8;
        t[c] = b.is_ascii_whitespace()
            || b < 0x20
            || b == 0x7f
            || matches!(
                b,
                b'"' | b'\''
                    | b'`'
                    | b','
                    | b'('
                    | b')'
                    | b'['
                    | b']'
                    | b'{'
                    | b'}'
                    | b'<'
                    | b'>'
                    | b'|'
            );
        c += 1;
    }
    t
};

/// The longest chunk that can pass; a longer one is replaced whole.
const MAX_CHUNK: usize = 2048;

#[cfg(test)]
fn is_chunk_sep(c: u8) -> bool {
    c.is_ascii_whitespace() || c < 0x20 || c == 0x7f || b"\"'`,()[]{}<>|".contains(&c)
}

/// Gates free text (outside JSON strings, or a free-text value). `base` is the offset of
/// `text` in the line (for spans).
fn free_text<S: Sink>(
    text: &[u8],
    base: usize,
    out: &mut S,
    g: &mut GateOutcome,
    mut spans: Option<&mut Vec<(usize, usize)>>,
) {
    let mut i = 0;
    // The previous chunk was a credential's name followed by `:` or `=` (`X-Api-Key: …`,
    // `password = …`): the next chunk is its value.
    let mut credential_next = false;
    let mut loose_next = false;
    while i < text.len() {
        if let Some(n) = separator_len(&text[i..]) {
            out.extend_from_slice(&text[i..i + n]);
            // A table's cell border (`| OPENAI_API_KEY | … |`) stands between a name and its
            // value as a space does.
            let cell = text[i] == b'|' && text.get(i + 1) == Some(&b' ');
            if !matches!(text[i], b' ' | b'\t' | b':' | b'=') && !wide_sep(&text[i..]) && !cell {
                credential_next = false;
            }
            if text[i] != b' ' && !cell {
                loose_next = false;
            }
            i += n;
            continue;
        }
        let start = i;
        while i < text.len() {
            let c = text[i];
            let sep = if c.is_ascii() {
                CHUNK_SEP[usize::from(c)]
            } else {
                // A symbol right between two letters or digits (`Qz07🔑Kv8R`, `ab·cd`) joins
                // them: as a separator it would let each short piece of a token pass while
                // a reader sees the token whole. With a space or punctuation beside it
                // (`a · b`, `(✓)`) it separates.
                separator_len(&text[i..]).is_some_and(|n| {
                    !(i > start
                        && text[i - 1].is_ascii_alphanumeric()
                        && text.get(i + n).is_some_and(u8::is_ascii_alphanumeric))
                })
            };
            if sep {
                break;
            }
            i += 1;
        }
        let chunk = &text[start..i];
        // An auth scheme or a flag between a credential's name and its value (`AUTH PLAIN …`,
        // `API_TOKEN --body …`) passes, and the value after it is read as the name's.
        let mut skipped = false;
        if loose_next {
            loose_next = false;
            // `key sk_proj_…`, `token AbC123…`: after a credential's name and a space, anything
            // but a plain lowercase word or a number is the credential.
            let (body, escape) = split_escape(chunk);
            // A sentence's full stop or comma after the word is no part of it (`before token
            // expiry.`).
            let word = body
                .strip_suffix(b".")
                .or_else(|| body.strip_suffix(b","))
                .unwrap_or(body);
            let plain_word = word.iter().all(|c| c.is_ascii_lowercase()) || is_acronym(word);
            skipped = !credential_next && text.get(i) == Some(&b' ') && scheme_or_flag(body);
            if !skipped && !plain_word && !short_number_like(body) && !credential_next {
                placeholder(body, out);
                if escape {
                    out.push(b'\\');
                }
                g.replaced += 1;
                g.reflow = true;
                if let Some(s) = spans.as_deref_mut() {
                    s.push((base + start, base + i - usize::from(escape)));
                }
                continue;
            }
        }
        if credential_next && text.get(i) == Some(&b' ') && scheme(chunk) {
            // `authorization: Token …`: the scheme stays, the value after it goes.
            out.extend_from_slice(chunk);
            continue;
        }
        if credential_next {
            // `=` / `:` standing alone (`name = value`) pass; the value after them goes.
            let lead = chunk
                .iter()
                .take_while(|c| matches!(c, b':' | b'='))
                .count();
            out.extend_from_slice(&chunk[..lead]);
            if chunk.len() == lead {
                continue;
            }
            let (value, escape) = split_escape(&chunk[lead..]);
            if value.is_empty() || short_number_like(value) {
                out.extend_from_slice(&chunk[lead..]);
            } else {
                placeholder(value, out);
                if escape {
                    out.push(b'\\');
                }
                g.replaced += 1;
                g.reflow = true;
                if let Some(s) = spans.as_deref_mut() {
                    s.push((base + start + lead, base + i - usize::from(escape)));
                }
            }
            credential_next = false;
            continue;
        }
        chunk_gate(chunk, base + start, out, g, spans.as_deref_mut());
        let name = chunk
            .strip_suffix(b":")
            .or_else(|| chunk.strip_suffix(b"="))
            .unwrap_or(chunk);
        let next_is_sep = text
            .get(i)
            .is_some_and(|c| matches!(c, b' ' | b'\t' | b':' | b'='));
        let after_spaces = text[i..]
            .iter()
            .find(|c| !matches!(c, b' ' | b'\t'))
            .copied();
        let named = chunk.len() > name.len() || matches!(after_spaces, Some(b':' | b'='));
        // Whether the chunk names a credential matters only when something follows it.
        let matters = (next_is_sep && named) || (!named && matches!(text.get(i), Some(b' ')));
        // A dotted name (`auth.store`, `client.secret`) names what its last part names: the
        // doctor's check ids and config key paths are no credentials unless their leaf is.
        let leaf = name.rsplit(|c| *c == b'.').next().unwrap_or(name);
        let credential =
            matters && !leaf.is_empty() && name.iter().all(key_byte) && credential_name(leaf);
        credential_next = next_is_sep && named && credential;
        loose_next = skipped || credential && !named && matches!(text.get(i), Some(b' '));
        // A credential named in another language (`我的密码是 …`, `пароль: …`, `パスワード：…`):
        // the word itself is replaced as a word that is not ASCII, the value after it goes.
        if !credential_next && next_or_wide_sep(&text[i..]) && !chunk.is_ascii() {
            credential_next = foreign_credential(chunk);
        }
        // An object literal's pair in a log (`{ USER: 'jdoe' }` from util.inspect,
        // `{'USER': 'jdoe'}` from Python, `key: "value"` in YAML): the quoted value is judged
        // under its key as a JSON string is.
        // An XML element named as a credential (`<password>…</password>`): its text goes.
        if let Some((vs, ve)) = xml_credential(text, start, i) {
            out.push(b'>');
            let value = &text[vs..ve];
            if short_number_like(value) {
                out.extend_from_slice(value);
            } else {
                placeholder(value, out);
                g.replaced += 1;
                g.reflow = true;
                if let Some(s) = spans.as_deref_mut() {
                    s.push((base + vs, base + ve));
                }
            }
            credential_next = false;
            loose_next = false;
            i = ve;
            continue;
        }
        let pair = literal_value(text, i, chunk.len() > name.len())
            .or_else(|| indented_value(text, start, i, chunk.len() > name.len()));
        if let Some((vs, ve)) = pair {
            out.extend_from_slice(&text[i..vs]);
            let value = &text[vs..ve];
            // A credential's name (`MYSQL_PWD`, `GIT_AUTHOR_…` by its `auth`) keeps nothing.
            let named_credential =
                !name.is_empty() && name.iter().all(key_byte) && credential_name(name);
            let verdict = if named_credential {
                Verdict::Replace
            } else {
                value_verdict(value, classify(name))
            };
            credential_next = false;
            loose_next = false;
            match verdict {
                Verdict::Keep => out.extend_from_slice(value),
                Verdict::Words => free_text(value, base + vs, out, g, spans.as_deref_mut()),
                Verdict::Runs(grammar) => {
                    catalogued_runs(value, grammar, base + vs, out, g, spans.as_deref_mut())
                }
                Verdict::Replace => {
                    placeholder(value, out);
                    g.replaced += 1;
                    g.reflow = true;
                    if let Some(s) = spans.as_deref_mut() {
                        s.push((base + vs, base + ve));
                    }
                }
            }
            i = ve;
        }
    }
}

/// An auth scheme (`Bearer`, `Basic`, `PLAIN`, …) or a command-line flag (`--body`, `-b`):
/// what follows it is still the value of the credential named before it.
fn scheme_or_flag(w: &[u8]) -> bool {
    let flag = match w {
        [b'-', b'-', c, rest @ ..] | [b'-', c, rest @ ..] => {
            c.is_ascii_alphabetic() && rest.iter().all(key_byte)
        }
        _ => false,
    };
    flag || scheme(w)
}

/// An auth scheme's name as headers and protocols write it (`Bearer`, `Basic`, `Token`,
/// SMTP's `PLAIN`, …).
fn scheme(w: &[u8]) -> bool {
    const SCHEMES: [&[u8]; 14] = [
        b"Bearer",
        b"bearer",
        b"BEARER",
        b"Basic",
        b"basic",
        b"Token",
        b"Digest",
        b"PLAIN",
        b"LOGIN",
        b"XOAUTH2",
        b"NTLM",
        b"Negotiate",
        b"CRAM-MD5",
        b"ApiKey",
    ];
    SCHEMES.contains(&w)
}

/// A full-width colon or equals sign, or an ideographic space, at the start of `text`: they
/// stand between a name and its value as `:`, `=` and a space do.
fn wide_sep(text: &[u8]) -> bool {
    matches!(text, [0xEF, 0xBC, 0x9A | 0x9D, ..] | [0xE3, 0x80, 0x80, ..])
}

/// A space, a tab, `:`, `=` or a [`wide_sep`] at the start of `text`.
fn next_or_wide_sep(text: &[u8]) -> bool {
    matches!(text.first(), Some(b' ' | b'\t' | b':' | b'=')) || wide_sep(text)
}

/// Whether a word that is not ASCII names a credential in a language other than English:
/// password, token, secret key or one-time code in Chinese, Japanese, Korean, Russian,
/// Ukrainian, Spanish, Polish, Turkish, Greek, Hebrew, Arabic, Hindi, Vietnamese, Swedish.
fn foreign_credential(word: &[u8]) -> bool {
    const WORDS: [&str; 34] = [
        "密码",
        "密碼",
        "口令",
        "令牌",
        "密钥",
        "秘钥",
        "密鑰",
        "验证码",
        "驗證碼",
        "パスワード",
        "暗証番号",
        "トークン",
        "秘密鍵",
        "シークレット",
        "認証コード",
        "비밀번호",
        "암호",
        "토큰",
        "인증번호",
        "пароль",
        "Пароль",
        "ПАРОЛЬ",
        "токен",
        "Токен",
        "ключ",
        "contraseña",
        "Contraseña",
        "hasło",
        "Hasło",
        "şifre",
        "Şifre",
        "κωδικός",
        "סיסמה",
        "पासवर्ड",
    ];
    const MORE: [&str; 4] = ["المرور", "السر", "khẩu", "lösenord"];
    WORDS
        .iter()
        .chain(MORE.iter())
        .any(|w| memchr::memmem::find(word, w.as_bytes()).is_some())
}

/// After an element name at `start..i` (`<password>`, `<ns:apiKey>`) that names a
/// credential: the range of the element's text, up to the next `<` on this line.
fn xml_credential(text: &[u8], start: usize, i: usize) -> Option<(usize, usize)> {
    if start == 0 || text[start - 1] != b'<' || text.get(i) != Some(&b'>') {
        return None;
    }
    let name = &text[start..i];
    if name.is_empty()
        || !name
            .iter()
            .all(|c| c.is_ascii_alphanumeric() || b"_-.:".contains(c))
        || !credential_name(name)
    {
        return None;
    }
    let vs = i + 1;
    let len = text[vs..]
        .iter()
        .position(|&c| c == b'<' || c == b'\n')
        .unwrap_or(text.len() - vs);
    (len > 0).then_some((vs, vs + len))
}

/// An indented `key: value` line (YAML, a struct dump: `  hostname: jdoe-box`), the key
/// chunk at `start..i`: the range of its one-token value, which ends the line (a `,` after
/// it stays outside).
fn indented_value(text: &[u8], start: usize, i: usize, colon: bool) -> Option<(usize, usize)> {
    if !colon || start < 2 || !text[..start].iter().all(|&c| c == b' ') {
        return None;
    }
    let mut vs = i;
    while text.get(vs) == Some(&b' ') {
        vs += 1;
    }
    if vs == i || vs >= text.len() {
        return None;
    }
    let mut ve = text.len();
    while ve > vs && matches!(text[ve - 1], b'\r' | b' ' | b',') {
        ve -= 1;
    }
    let one_token = text[vs..ve]
        .iter()
        .all(|&c| c.is_ascii() && !CHUNK_SEP[usize::from(c)]);
    (ve > vs && one_token).then_some((vs, ve))
}

/// After a key chunk ending at `i` (`USER:` when `colon`, else `USER` in `'USER':`): the
/// range of a quoted value that follows (`: 'jdoe'`, `': "jdoe"`), on this line, without an
/// escape inside (a JSON-escaped quote belongs to the JSON string around it).
fn literal_value(text: &[u8], i: usize, colon: bool) -> Option<(usize, usize)> {
    let mut at = i;
    if !colon {
        if !matches!(text.get(at), Some(b'\'' | b'"')) || text.get(at + 1) != Some(&b':') {
            return None;
        }
        at += 2;
    }
    while matches!(text.get(at), Some(b' ' | b'\t')) {
        at += 1;
    }
    let q = *text.get(at)?;
    if q != b'\'' && q != b'"' {
        return None;
    }
    let vs = at + 1;
    let len = text[vs..]
        .iter()
        .position(|&c| c == q || c == b'\\' || c == b'\n')?;
    (text[vs + len] == q).then_some((vs, vs + len))
}

/// `v` without a final backslash that escapes the next byte (`\"` inside a JSON string),
/// and whether there was one: a placeholder replaces only the first part, so the string
/// stays valid.
fn split_escape(v: &[u8]) -> (&[u8], bool) {
    if trailing_backslashes(v) % 2 == 1 {
        (&v[..v.len() - 1], true)
    } else {
        (v, false)
    }
}

/// The length of the separator at the start of `b`: an ASCII separator, or a whole UTF-8
/// character that is not a letter or digit (`✓`, `—`); `None` when `b` starts a word.
fn separator_len(b: &[u8]) -> Option<usize> {
    if b[0].is_ascii() {
        return CHUNK_SEP[usize::from(b[0])].then_some(1);
    }
    let n = match b[0] {
        0xc0..=0xdf => 2,
        0xe0..=0xef => 3,
        0xf0..=0xf7 => 4,
        // A continuation byte out of place: part of a word, which then fails.
        _ => return None,
    };
    match b.get(..n).and_then(|s| std::str::from_utf8(s).ok()) {
        Some(s)
            if !s
                .chars()
                .next()
                .is_some_and(|c| c.is_alphanumeric() || invisible(c)) =>
        {
            Some(n)
        }
        _ => None,
    }
}

/// A character that shows nothing (zero-width spaces and joiners, the soft hyphen, word
/// joiners, bidi controls, variation selectors, the byte-order mark, tags): it joins the
/// bytes around it into one word, so a token cut by one (`Qz0​7Kv8…`) stays one chunk, and
/// that chunk is replaced as a word that is not ASCII. As a separator it would let every
/// short piece pass on its own while a reader sees the token whole.
fn invisible(c: char) -> bool {
    matches!(
        u32::from(c),
        0xAD | 0x34F
            | 0x61C
            | 0x115F..=0x1160
            | 0x17B4..=0x17B5
            | 0x180B..=0x180F
            | 0x200B..=0x200F
            | 0x202A..=0x202E
            | 0x2060..=0x206F
            | 0x3164
            | 0xFE00..=0xFE0F
            | 0xFEFF
            | 0xFFA0
            | 0xFFF0..=0xFFFB
            | 0x1D173..=0x1D17A
            | 0xE0000..=0xE0FFF
    )
}

fn is_part_sep(c: u8) -> bool {
    static PART_SEP: crate::bytes::ByteSet =
        crate::bytes::ByteSet::new(false, false, b"/?&=:#,;\\");
    PART_SEP.has(c)
}

/// Letters, digits and `_ - .`: the bytes of a plain key or name (`X-Api-Key`, `app.port`).
fn key_byte(c: &u8) -> bool {
    static KEY_BYTE: crate::bytes::ByteSet = crate::bytes::ByteSet::new(true, false, b"_-.");
    KEY_BYTE.has(*c)
}

/// Gates one chunk. A backslash at its end that escapes the next byte (`\"` inside a JSON
/// string) is set aside and written back after it, so a JSON string stays valid.
fn chunk_gate<S: Sink>(
    chunk: &[u8],
    base: usize,
    out: &mut S,
    g: &mut GateOutcome,
    spans: Option<&mut Vec<(usize, usize)>>,
) {
    if plain_gate() {
        return chunk_gate_uncached(chunk, base, out, g, spans);
    }
    // Numbers, dates, times and pseudonyms are recognised by shape (most of them are seen
    // once, so the cache would only churn).
    if passes_by_shape(chunk) {
        out.extend_from_slice(chunk);
        return;
    }
    // Logs repeat their words, keys and paths: a chunk that passed once passes again.
    if passed_before(chunk) {
        out.extend_from_slice(chunk);
        return;
    }
    let before = g.replaced;
    chunk_gate_uncached(chunk, base, out, g, spans);
    if g.replaced == before {
        remember_pass(chunk);
    }
}

thread_local! {
    /// Run the gate without its fast paths and cache ([`with_plain_gate`]).
    static PLAIN: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

fn plain_gate() -> bool {
    PLAIN.with(std::cell::Cell::get)
}

/// Runs `f` with the gate's fast paths (shape recognition, the pass cache, the memo of JSON
/// strings, the key table, structure and numbers between strings) off on this thread: every chunk goes through the plain test. For agreement tests and
/// benches; the output is the same either way.
#[doc(hidden)]
pub fn with_plain_gate<R>(f: impl FnOnce() -> R) -> R {
    struct Reset(bool);
    impl Drop for Reset {
        fn drop(&mut self) {
            PLAIN.with(|p| p.set(self.0));
        }
    }
    let _reset = Reset(PLAIN.with(|p| p.replace(true)));
    f()
}

/// A JSON string value kept under any key by its shape alone: a number, date or time
/// starting with a digit ([`self_evident`]) that [`passes_by_shape`], or a pseudonym.
fn value_passes_by_shape(v: &[u8]) -> bool {
    match v.first() {
        Some(b'0'..=b'9') => passes_by_shape(v),
        Some(b'a'..=b'z') => crate::pseudonym::looks_like_pseudonym(v),
        _ => false,
    }
}

/// Whether `chunk` is one the plain test passes whole, judged by shape alone:
/// - a number, date or duration: digits with at most two `.`, one `:` and two `-`, no
///   digit run longer than 9 (fewer dots and colons than an address, every word a short
///   number; [`short_number_like`]);
/// - an ISO time `YYYY-MM-DDTHH:MM:SS` with an optional `.` and 1 to 3 digits and an
///   optional `Z`;
/// - a pseudonym (`ident_0123abcd`).
///
/// `false` says nothing (the plain test decides); agreement tests hold it to the plain test.
fn passes_by_shape(chunk: &[u8]) -> bool {
    match chunk.first() {
        Some(b'0'..=b'9') => short_number_like(chunk) || iso_time(chunk),
        Some(b'-' | b'.' | b':') => short_number_like(chunk),
        Some(b'a'..=b'z') => crate::pseudonym::looks_like_pseudonym(chunk),
        _ => false,
    }
}

/// [`number_like`] whose runs of digits are counts and sizes (at most 9 digits) or epoch
/// times (10 or 13 digits from 1 to 4, the seconds and milliseconds of 2001 to 2128), as the
/// plain test keeps them: never an account, card or phone number.
fn short_number_like(c: &[u8]) -> bool {
    number_like(c)
        && c.split(|b| !b.is_ascii_digit())
            .all(|run| run.len() <= 9 || (matches!(run.len(), 10 | 13) && run[0] == b'1'))
}

/// A number in JSON's structure or in text: digits with at most two `.`, one `:` and two
/// `-`, no run of more than 13 digits.
fn number_like(c: &[u8]) -> bool {
    let (mut dots, mut colons, mut dashes, mut run, mut digits) = (0, 0, 0, 0, 0);
    for &b in c {
        match b {
            b'0'..=b'9' => {
                run += 1;
                digits += 1;
                if run > 13 {
                    return false;
                }
                continue;
            }
            b'.' => dots += 1,
            b':' => colons += 1,
            b'-' => dashes += 1,
            _ => return false,
        }
        run = 0;
    }
    // Three dashes or more may be an address or an id (`10-0-1-23`), and two with 12 digits
    // or more a number in groups (`3782-822463-10005`): the plain test decides.
    !c.is_empty()
        && c.len() <= MAX_CHUNK
        && dots <= 2
        && colons <= 1
        && dashes <= 2
        && !(dashes == 2 && digits >= 12)
}

fn iso_time(c: &[u8]) -> bool {
    const SHAPE: &[u8; 19] = b"dddd-dd-ddTdd:dd:dd";
    if c.len() < SHAPE.len() {
        return false;
    }
    let fixed = SHAPE.iter().zip(c).all(|(&s, &b)| {
        if s == b'd' {
            b.is_ascii_digit()
        } else {
            s == b
        }
    });
    let mut rest = &c[SHAPE.len()..];
    if let Some(r) = rest.strip_suffix(b"Z") {
        rest = r;
    }
    if let Some(frac) = rest.strip_prefix(b".") {
        rest = if (1..=3).contains(&frac.len()) && frac.iter().all(u8::is_ascii_digit) {
            b""
        } else {
            rest
        };
    }
    fixed && rest.is_empty()
}

/// Chunks up to this long are remembered when they pass.
const CACHED_CHUNK: usize = 96;

thread_local! {
    /// Chunks that passed the gate (a pure function of the chunk's bytes), bounded.
    static PASSED: std::cell::RefCell<crate::pass_cache::PassCache> = std::cell::RefCell::new(crate::pass_cache::PassCache::default());
}

fn passed_before(chunk: &[u8]) -> bool {
    chunk.len() <= CACHED_CHUNK && PASSED.with(|p| p.borrow().contains(chunk))
}

fn remember_pass(chunk: &[u8]) {
    if chunk.len() > CACHED_CHUNK {
        return;
    }
    PASSED.with(|p| p.borrow_mut().insert(chunk));
}

/// [`chunk_gate`] without the cache.
fn chunk_gate_uncached<S: Sink>(
    chunk: &[u8],
    base: usize,
    out: &mut S,
    g: &mut GateOutcome,
    spans: Option<&mut Vec<(usize, usize)>>,
) {
    if trailing_backslashes(chunk) % 2 == 1 {
        let body = &chunk[..chunk.len() - 1];
        if !body.is_empty() {
            chunk_body(body, base, out, g, spans);
        }
        out.push(b'\\');
    } else {
        chunk_body(chunk, base, out, g, spans);
    }
}

/// Gates one chunk: decoded forms first (a chunk hiding something behind an encoding is
/// replaced whole), then part by part.
fn chunk_body<S: Sink>(
    chunk: &[u8],
    base: usize,
    out: &mut S,
    g: &mut GateOutcome,
    spans: Option<&mut Vec<(usize, usize)>>,
) {
    let mut prev_users = false;
    let whole_bad = |g: &mut GateOutcome, out: &mut S, spans: Option<&mut Vec<(usize, usize)>>| {
        placeholder(chunk, out);
        g.replaced += 1;
        if let Some(s) = spans {
            s.push((base, base + chunk.len()));
        }
    };
    if chunk.len() > MAX_CHUNK {
        return whole_bad(g, out, spans);
    }
    if let Some(decoded) = decoded_form(chunk) {
        if !text_ok(&decoded) {
            return whole_bad(g, out, spans);
        }
    }
    if !chunk.is_ascii() {
        return whole_bad(g, out, spans);
    }
    if bad_address(chunk) {
        return whole_bad(g, out, spans);
    }
    // user:pass@host in a URL: the credentials and host go whole.
    let scheme = find(chunk, b"://");
    if let Some(scheme_end) = scheme {
        let rest = &chunk[scheme_end + 3..];
        let host_end = rest.iter().position(|&c| c == b'/').unwrap_or(rest.len());
        if rest[..host_end].contains(&b'@') {
            return whole_bad(g, out, spans);
        }
    }
    let mut spans = spans;
    // A URL's query and fragment (`?ticket=…`, `#id_token=…`): parameter names stay when they
    // are ordinary words, every value but a number goes (fail closed: nothing there is
    // needed to read a log, and credentials live there).
    // A request path (`GET /search?q=…`) has a query too.
    let authority = scheme
        .map(|e| e + 3)
        .or_else(|| (chunk.first() == Some(&b'/')).then_some(0));
    if let Some(after_scheme) = authority {
        let is_delim = |c: u8| matches!(c, b'?' | b'#' | b'&' | b';');
        let tail_at = chunk[after_scheme..]
            .iter()
            .position(|&c| c == b'?' || c == b'#')
            .map(|p| p + after_scheme)
            .filter(|&q| q > 0);
        if let Some(q) = tail_at {
            chunk_body(&chunk[..q], base, out, g, spans.as_deref_mut());
            let mut i = q;
            while i < chunk.len() {
                if is_delim(chunk[i]) {
                    out.push(chunk[i]);
                    i += 1;
                    continue;
                }
                let start = i;
                while i < chunk.len() && !is_delim(chunk[i]) {
                    i += 1;
                }
                let item = &chunk[start..i];
                let (name, value_at) = match item.iter().position(|&c| c == b'=') {
                    Some(e) => (&item[..e], Some(start + e + 1)),
                    None => (&item[..0], Some(start)),
                };
                if !name.is_empty() {
                    if token_ok(name) {
                        out.extend_from_slice(name);
                    } else {
                        placeholder(name, out);
                        g.replaced += 1;
                        if let Some(s) = spans.as_deref_mut() {
                            s.push((base + start, base + start + name.len()));
                        }
                    }
                }
                // The `=` stays, also after an empty name (`#=…`): dropping it changed the
                // text without a placeholder, and the chunk was then remembered as passed.
                if value_at != Some(start) {
                    out.push(b'=');
                }
                if let Some(at) = value_at {
                    let v = &chunk[at..i];
                    if v.is_empty() || short_number_like(v) {
                        out.extend_from_slice(v);
                    } else {
                        placeholder(v, out);
                        g.replaced += 1;
                        g.reflow = true;
                        if let Some(s) = spans.as_deref_mut() {
                            s.push((base + at, base + i));
                        }
                    }
                }
            }
            return;
        }
    }
    // `name:value` where the name says it holds a credential (`X-Api-Key:…`, `password:…`):
    // the value goes whatever it looks like.
    if scheme.is_none() {
        if let Some(colon) = chunk.iter().position(|&c| c == b':') {
            let (k, v) = (&chunk[..colon], &chunk[colon + 1..]);
            let plain_key = !k.is_empty() && k.iter().all(key_byte);
            // A public host and its port (`auth.openai.com:443`) name no credential.
            let host_port = public_host(k) && port(v);
            if plain_key && !v.is_empty() && credential_name(k) && !host_port {
                out.extend_from_slice(k);
                out.push(b':');
                placeholder(v, out);
                g.replaced += 1;
                g.reflow = true;
                if let Some(s) = spans.as_deref_mut() {
                    s.push((base + colon + 1, base + chunk.len()));
                }
                return;
            }
        }
    }
    let eq_at = memchr::memchr(b'=', chunk);
    // `//registry.npmjs.org/:_authToken=…` (an `.npmrc` line): after the last `/` or `:`
    // before the `=`, a name that says it holds a credential; its value goes, the rest is
    // read as usual.
    if let Some(eq) = eq_at {
        let (k, v) = (&chunk[..eq], &chunk[eq + 1..]);
        if let Some(p) = k.iter().rposition(|&c| c == b'/' || c == b':') {
            let name = &k[p + 1..];
            if !name.is_empty()
                && !v.is_empty()
                && name.iter().all(key_byte)
                && credential_name(name)
                && !v.contains(&b'=')
            {
                chunk_body(k, base, out, g, spans.as_deref_mut());
                out.push(b'=');
                placeholder(v, out);
                g.replaced += 1;
                g.reflow = true;
                if let Some(s) = spans {
                    s.push((base + eq + 1, base + chunk.len()));
                }
                return;
            }
        }
    }
    // `k=v;k=v` and `k=v&k=v` outside a URL (a connection string, a form body, a cookie
    // list): each pair is judged on its own, like a lone `key=value`.
    if authority.is_none() && eq_at.is_some() {
        if let Some(first) = chunk.iter().position(|&c| c == b';' || c == b'&') {
            let eq_before = chunk[..first].contains(&b'=');
            if eq_before || chunk[first + 1..].contains(&b'=') {
                let mut at = 0;
                for (k, &c) in chunk.iter().enumerate() {
                    if c == b';' || c == b'&' {
                        if k > at {
                            chunk_body(&chunk[at..k], base + at, out, g, spans.as_deref_mut());
                        }
                        out.push(c);
                        at = k + 1;
                    }
                }
                if at < chunk.len() {
                    chunk_body(&chunk[at..], base + at, out, g, spans);
                }
                return;
            }
        }
    }
    // key=value: the value is judged as a JSON value under that key; a catalogued header
    // parameter (`responses=experimental` of `openai-beta`, `charset=utf-8`) is public as a whole.
    if let Some(eq) = eq_at {
        let header_word = |w: &[u8]| {
            std::str::from_utf8(w)
                .is_ok_and(|w| crate::catalog::has(crate::catalog::HEADER_WORDS, w))
        };
        if header_word(&chunk[..eq]) && header_word(&chunk[eq + 1..]) {
            out.extend_from_slice(chunk);
            return;
        }
        let (k, v) = (&chunk[..eq], &chunk[eq + 1..]);
        let plain_key = !k.is_empty() && k.iter().all(key_byte);
        if plain_key && !v.contains(&b'=') && !v.contains(&b'&') && !v.is_empty() {
            let key_ok = token_ok(k);
            let val_ok = value_ok(v, classify(k));
            if key_ok && val_ok {
                out.extend_from_slice(chunk);
                return;
            }
            if key_ok {
                out.extend_from_slice(k);
                out.push(b'=');
                placeholder(v, out);
                g.replaced += 1;
                g.reflow = true;
                if let Some(s) = spans {
                    s.push((base + eq + 1, base + chunk.len()));
                }
                return;
            }
            return whole_bad(g, out, spans);
        }
    }
    // A file path (absolute, `~/`, a Windows drive or backslashes; not a URL): its folder
    // and file names are the user's own unless known (`crate::names`).
    let path = scheme.is_none()
        && ((chunk.starts_with(b"/") && chunk.iter().filter(|&&c| c == b'/').count() >= 2)
            || chunk.starts_with(b"~/")
            || chunk.contains(&b'\\')
            || (chunk.len() > 2
                && chunk[0].is_ascii_alphabetic()
                && chunk[1] == b':'
                && chunk[2] == b'/'));
    // A URL on a host that is not a public one the plugin, OpenCode or npm use (a company's
    // gateway, a self-hosted forge, a webhook receiver): the host is the user's, and its
    // path segments must be known names, as in a file path.
    let private_url = scheme.and_then(|e| private_url_host(chunk, e + 3));
    let mut i = 0;
    while i < chunk.len() {
        if is_part_sep(chunk[i]) {
            out.push(chunk[i]);
            i += 1;
            continue;
        }
        let start = i;
        while i < chunk.len() && !is_part_sep(chunk[i]) {
            i += 1;
        }
        let part = &chunk[start..i];
        let user_folder = prev_users;
        prev_users = part.eq_ignore_ascii_case(b"users") || part.eq_ignore_ascii_case(b"home");
        let (in_host, in_path) = private_url.map_or((false, false), |(hs, he, ps)| {
            (start >= hs && i <= he, start >= ps)
        });
        let segment = (path && start > 0 && matches!(chunk[start - 1], b'/' | b'\\')) || in_path;
        let segment_ok = !in_host
            && (!segment || std::str::from_utf8(part).is_ok_and(crate::names::is_safe_segment));
        if !user_folder && segment_ok && !handle_or_home(part, chunk.get(i)) && part_ok(part) {
            out.extend_from_slice(part);
        } else {
            // A part right after an escaping backslash (`\u00e9…`, `\n…`) takes the
            // backslash with it, so no broken escape is left behind.
            if trailing_backslashes(&chunk[..start]) % 2 == 1 {
                out.pop();
            }
            placeholder(part, out);
            g.replaced += 1;
            g.reflow = true;
            if let Some(s) = spans.as_deref_mut() {
                s.push((base + start, base + i));
            }
        }
    }
}

/// Hosts whose URLs say nothing about the user: the plugin's and OpenCode's endpoints, the
/// code hosts and package registries they fetch from, and loopback. A host matches itself
/// or any subdomain.
const PUBLIC_HOSTS: &[&[u8]] = &[
    b"openai.com",
    b"chatgpt.com",
    b"oaiusercontent.com",
    b"github.com",
    b"githubusercontent.com",
    b"opencode.ai",
    b"models.dev",
    b"npmjs.org",
    b"npmjs.com",
    b"nodejs.org",
    b"bun.sh",
    b"anthropic.com",
    b"googleapis.com",
    b"localhost",
    b"127.0.0.1",
    b"0.0.0.0",
    b"[::1]",
    // The plugin's own schema host (`$schema` of codex-config.jsonc).
    b"iam-brain.dev",
];

/// Top-level domains a host name in a log ends with (`getaddrinfo ENOTFOUND llm.acme.com`,
/// `connect gitlab.acme-corp.io:443`); not ones that are common file extensions (`.md`,
/// `.sh`, `.app`, `.rs`, `.py`, `.in`).
const TLDS: &[&[u8]] = &[
    b"com", b"net", b"org", b"io", b"ai", b"dev", b"co", b"cloud", b"tech", b"xyz", b"info",
    b"biz", b"me", b"us", b"uk", b"de", b"fr", b"ca", b"au", b"nl", b"se", b"ch", b"jp", b"cn",
    b"ru", b"br", b"eu", b"edu", b"gov", b"corp", b"site", b"online", b"test",
];

/// A host name that is not public ([`PUBLIC_HOSTS`]): labels of letters, digits and `-`
/// ending in a top-level domain of [`TLDS`] (`llm.acme-corp.com`, `acme.io`).
fn private_host_name(part: &[u8]) -> bool {
    let Some(dot) = memchr::memrchr(b'.', part) else {
        return false;
    };
    let tld = &part[dot + 1..];
    if !(2..=6).contains(&tld.len()) || !TLDS.iter().any(|t| t.eq_ignore_ascii_case(tld)) {
        return false;
    }
    // A certificate's wildcard (`*.acme-corp.com` in Node's `cert's altnames: DNS:…`; found
    // by the red team, round 3) names the same company as the host.
    let part = part.strip_prefix(b"*.").unwrap_or(part);
    let labels_ok = part
        .split(|&c| c == b'.')
        .all(|l| !l.is_empty() && l.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-'));
    labels_ok && !public_host(part)
}

fn public_host(host: &[u8]) -> bool {
    PUBLIC_HOSTS.iter().any(|p| {
        host.len() >= p.len()
            && host[host.len() - p.len()..].eq_ignore_ascii_case(p)
            && (host.len() == p.len()
                || (host[host.len() - p.len() - 1] == b'.'
                    && host[..host.len() - p.len() - 1]
                        .split(|&c| c == b'.')
                        .all(public_subdomain)))
    })
}

/// The labels in front of a public host that name one of its services (`api.openai.com`,
/// `raw.githubusercontent.com`, `npm.pkg.github.com`); any other (`acme.chatgpt.com`, a
/// company's workspace or tenant on the public host: red team, round 5) makes the host a
/// private one, however ordinary the word.
fn public_subdomain(label: &[u8]) -> bool {
    const LABELS: &[&[u8]] = &[
        b"api",
        b"auth",
        b"auth0",
        b"www",
        b"raw",
        b"registry",
        b"cdn",
        b"status",
        b"platform",
        b"help",
        b"docs",
        b"chat",
        b"gist",
        b"codeload",
        b"objects",
        b"uploads",
        b"avatars",
        b"pkg",
        b"npm",
        b"files",
        b"persistent",
        b"ab",
        b"community",
        b"console",
        b"storage",
        b"oauth2",
        b"accounts",
        b"github",
        b"release-assets",
        b"dev",
        b"app",
        b"schemas",
    ];
    LABELS.iter().any(|l| l.eq_ignore_ascii_case(label))
}

/// A TCP port: 1 to 5 digits, at most 65535.
fn port(v: &[u8]) -> bool {
    (1..=5).contains(&v.len())
        && v.iter().all(u8::is_ascii_digit)
        && v.iter().fold(0u32, |a, &c| a * 10 + u32::from(c - b'0')) <= 65535
}

/// For a URL (`scheme://host…`, the host starting at `hs`) whose host is not public
/// ([`PUBLIC_HOSTS`]): the host's range in `chunk` and where its path starts (after the host,
/// its port and the `/`).
fn private_url_host(chunk: &[u8], hs: usize) -> Option<(usize, usize, usize)> {
    let he = hs
        + chunk[hs..]
            .iter()
            .position(|&c| matches!(c, b'/' | b':' | b'?' | b'#'))
            .unwrap_or(chunk.len() - hs);
    let host = &chunk[hs..he];
    if host.is_empty() || host == b"~" {
        // `file:///srv/app/x.js`: a file path, its folders the user's own unless known;
        // `file://~/…` is one whose home the bundle already replaced.
        return Some((hs, hs, hs));
    }
    if host.starts_with(b"127.") {
        return None;
    }
    if public_host(host) {
        return None;
    }
    let ps = he
        + chunk[he..]
            .iter()
            .position(|&c| c == b'/')
            .unwrap_or(chunk.len() - he);
    Some((hs, he, ps))
}

/// A part that names a person's account: `~jane` (a home folder: `~jane/src`,
/// `git@host:~jane/repo`) or `@jane` (a handle, or the host of `<user>@jane-box:~$`), but
/// not an npm scope (`@scope/pkg`, followed by `/`) nor a few well-known `@` keys.
fn handle_or_home(part: &[u8], next: Option<&u8>) -> bool {
    let named = part.len() > 1 && part[1].is_ascii_alphanumeric();
    match part.first() {
        Some(b'~') => named,
        Some(b'@') => {
            named
                && next != Some(&b'/')
                && !matches!(
                    &part[1..],
                    b"timestamp" | b"version" | b"type" | b"context" | b"latest" | b"next"
                )
        }
        _ => false,
    }
}

/// An identifier or address written as groups, inside a part: a UUID (`8-4-4-4-12` hex
/// digits), a MAC address (`3C-22-FB-9A-7E-01`, `3c22.fb9a.7e01`) or an IPv4 address written
/// with dashes inside a host name (`ec2-203-0-113-45.compute-1…`, `ip-10-0-1-23`). Each of
/// its groups alone is ordinary (a short number, `e29b`), so the part is judged by its shape.
fn id_shaped(part: &[u8]) -> bool {
    // Every shape is at most 64 bytes; a longer part is looked at in its first 256 (a host
    // name, a file name), so a long run of text costs no more.
    if part.len() < 7 {
        return false;
    }
    let part = &part[..part.len().min(256)];
    // Alphanumeric groups and the byte after each (0 at the end), at most 32; one pass.
    let mut g = [(0usize, 0usize, 0u8); 32];
    let (mut n, mut i, mut seps, mut digit) = (0, 0, 0, false);
    while i < part.len() && n < g.len() {
        let s = i;
        while i < part.len() && part[i].is_ascii_alphanumeric() {
            digit |= part[i].is_ascii_digit();
            i += 1;
        }
        let sep = part.get(i).copied().unwrap_or(0);
        seps += usize::from(sep == b'-' || sep == b'.');
        g[n] = (s, i, sep);
        n += 1;
        i += 1;
    }
    if seps < 2 || !digit {
        return false;
    }
    let g = &g[..n];
    let hex = |k: usize| part[g[k].0..g[k].1].iter().all(u8::is_ascii_hexdigit);
    let len = |k: usize| g[k].1 - g[k].0;
    let letter = |k: usize| part[g[k].0..g[k].1].iter().any(u8::is_ascii_alphabetic);
    let joined = |from: usize, count: usize, sep: u8| {
        from + count <= n && (from..from + count - 1).all(|k| g[k].2 == sep)
    };
    let byte = |k: usize| {
        len(k) <= 3
            && part[g[k].0..g[k].1].iter().all(u8::is_ascii_digit)
            && part[g[k].0..g[k].1]
                .iter()
                .fold(0u32, |a, &c| a * 10 + u32::from(c - b'0'))
                <= 255
    };
    (0..n).any(|k| {
        // Every shape starts with a group of 1 to 4 or 8 characters followed by `-` or `.`.
        if !(len(k) <= 4 || len(k) == 8) || !matches!(g[k].2, b'-' | b'.') {
            return false;
        }
        let uuid = joined(k, 5, b'-')
            && [8, 4, 4, 4, 12]
                .iter()
                .enumerate()
                .all(|(j, &l)| len(k + j) == l && hex(k + j));
        let mac = joined(k, 6, b'-') && (k..k + 6).all(|j| len(j) == 2 && hex(j));
        let cisco = joined(k, 3, b'.')
            && (k..k + 3).all(|j| len(j) == 4 && hex(j))
            && (k..k + 3).any(letter);
        // Exactly four numbers: not more of a dashed run of numbers (`2026-01-01-12-30`).
        let number = |j: usize| part[g[j].0..g[j].1].iter().all(u8::is_ascii_digit);
        let dashed_v4 = || {
            (k == 0 || g[k - 1].2 != b'-' || !number(k - 1))
                && joined(k, 4, b'-')
                && (k..k + 4).all(byte)
                && !(g[k + 3].2 == b'-' && k + 4 < n && number(k + 4))
        };
        // Three or more dashed groups of 3 to 6 digits, 12 digits or more in all: a card
        // or account number cut in groups (`4539-1488-0343-6468`), whatever its checksum.
        let grouped = || {
            let mut digits = 0;
            let mut j = k;
            while j < n && number(j) && (3..=6).contains(&len(j)) {
                digits += len(j);
                j += 1;
                if g[j - 1].2 != b'-' {
                    break;
                }
            }
            j - k >= 3 && digits >= 12
        };
        // A Windows security identifier of a domain or machine account
        // (`S-1-5-21-3623811015-3361044348-30300820-1013`); the short well-known ones
        // (`S-1-5-18`) stay.
        let sid = || {
            len(k) == 1 && part[g[k].0] == b'S' && joined(k, 7, b'-') && (k + 1..k + 7).all(number)
        };
        uuid || mac || cisco || dashed_v4() || grouped() || sid()
    })
}

/// Whether a name says its value is a credential: `X-Api-Key`, `password`, `session_token`,
/// `ticket`, `signature`, … (any case, any separators).
fn credential_name(k: &[u8]) -> bool {
    const WORDS: [&[u8]; 14] = [
        b"key",
        b"token",
        b"secret",
        b"passw",
        b"pwd",
        b"auth",
        b"cookie",
        b"session",
        b"ticket",
        b"signature",
        b"credential",
        b"bearer",
        b"jwt",
        b"otp",
    ];
    // The name's letters and digits, lowercased (on the stack for the usual short name).
    let mut buf = [0u8; 128];
    let mut heap = Vec::new();
    let low: &[u8] = if k.len() <= buf.len() {
        let mut n = 0;
        for &c in k.iter().filter(|c| c.is_ascii_alphanumeric()) {
            buf[n] = c.to_ascii_lowercase();
            n += 1;
        }
        &buf[..n]
    } else {
        heap.extend(
            k.iter()
                .filter(|c| c.is_ascii_alphanumeric())
                .map(u8::to_ascii_lowercase),
        );
        &heap
    };
    let n = low.len();
    (0..n).any(|i| {
        // Every listed word starts with one of these letters.
        matches!(
            low[i],
            b'k' | b't' | b's' | b'p' | b'a' | b'c' | b'b' | b'j' | b'o'
        ) && WORDS.iter().any(|w| low[i..].starts_with(w))
    })
}

fn trailing_backslashes(b: &[u8]) -> usize {
    b.iter().rev().take_while(|&&c| c == b'\\').count()
}

/// The first `n` in `h`, for the short needles of this module (a candidate is first found by
/// its first byte, with `memchr`).
fn find(h: &[u8], n: &[u8]) -> Option<usize> {
    let (&first, rest) = n.split_first()?;
    memchr::memchr_iter(first, h).find(|&i| h[i + 1..].starts_with(rest))
}

/// The chunk with percent-encoding (up to three times), HTML entities and backslash escapes
/// undone, when any of them is present.
fn decoded_form(chunk: &[u8]) -> Option<Vec<u8>> {
    let has = |b: u8| chunk.contains(&b);
    if !has(b'%') && !has(b'&') && !has(b'\\') && !has(b'+') {
        return None;
    }
    let mut cur = chunk.to_vec();
    for _ in 0..3 {
        let next = html_decode(&unescape(&percent_decode(&cur)));
        if next == cur {
            break;
        }
        cur = next;
    }
    (cur != chunk).then_some(cur)
}

fn hexv(c: u8) -> Option<u8> {
    (c as char).to_digit(16).and_then(|d| u8::try_from(d).ok())
}

fn percent_decode(s: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        if s[i] == b'%' && i + 2 < s.len() {
            if let (Some(a), Some(b)) = (hexv(s[i + 1]), hexv(s[i + 2])) {
                out.push(a * 16 + b);
                i += 3;
                continue;
            }
        }
        out.push(if s[i] == b'+' { b' ' } else { s[i] });
        i += 1;
    }
    out
}

fn unescape(s: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        if s[i] == b'\\' && i + 1 < s.len() {
            match s[i + 1] {
                b'u' if i + 5 < s.len() => {
                    let v = s[i + 2..i + 6]
                        .iter()
                        .try_fold(0u32, |acc, &c| hexv(c).map(|d| acc * 16 + u32::from(d)));
                    if let Some(ch) = v.and_then(char::from_u32) {
                        let mut buf = [0u8; 4];
                        out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                        i += 6;
                        continue;
                    }
                }
                b'n' | b't' | b'r' => {
                    out.push(b' ');
                    i += 2;
                    continue;
                }
                b'\\' | b'/' | b'"' => {
                    out.push(s[i + 1]);
                    i += 2;
                    continue;
                }
                _ => {}
            }
        }
        out.push(s[i]);
        i += 1;
    }
    out
}

fn html_decode(s: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        if s[i] == b'&' {
            if let Some(len) = s[i..].iter().take(12).position(|&c| c == b';') {
                let ent = &s[i + 1..i + len];
                let ch = match ent {
                    b"amp" => Some('&'),
                    b"lt" => Some('<'),
                    b"gt" => Some('>'),
                    b"quot" => Some('"'),
                    b"apos" => Some('\''),
                    b"commat" => Some('@'),
                    b"period" => Some('.'),
                    b"colon" => Some(':'),
                    b"sol" => Some('/'),
                    _ if ent.first() == Some(&b'#') => {
                        let (digits, radix) = match ent.get(1) {
                            Some(b'x' | b'X') => (&ent[2..], 16),
                            _ => (&ent[1..], 10),
                        };
                        std::str::from_utf8(digits)
                            .ok()
                            .and_then(|d| u32::from_str_radix(d, radix).ok())
                            .and_then(char::from_u32)
                    }
                    _ => None,
                };
                if let Some(ch) = ch {
                    let mut buf = [0u8; 4];
                    out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                    i += len + 1;
                    continue;
                }
            }
        }
        out.push(s[i]);
        i += 1;
    }
    out
}

/// An IPv4 address other than loopback and `0.0.0.0`, or an IPv6 address other than `::1`,
/// anywhere in the chunk (also with a port).
fn bad_address(chunk: &[u8]) -> bool {
    let (mut dots, mut colons) = (0, 0);
    for &c in chunk {
        dots += usize::from(c == b'.');
        colons += usize::from(c == b':');
    }
    if dots < 3 && colons < 2 {
        return false;
    }
    // IPv4: four dot-separated numbers.
    let mut i = 0;
    while i < chunk.len() {
        if chunk[i].is_ascii_digit()
            && (i == 0 || !chunk[i - 1].is_ascii_alphanumeric() && chunk[i - 1] != b'.')
        {
            let mut j = i;
            let mut groups = 0;
            let mut first = 0u32;
            loop {
                let s = j;
                let mut v = 0u32;
                while j < chunk.len() && chunk[j].is_ascii_digit() && j - s < 3 {
                    v = v * 10 + u32::from(chunk[j] - b'0');
                    j += 1;
                }
                if j == s || v > 255 {
                    break;
                }
                if groups == 0 {
                    first = v;
                }
                groups += 1;
                if groups == 4 || j >= chunk.len() || chunk[j] != b'.' {
                    break;
                }
                j += 1;
            }
            let ends = j >= chunk.len() || !chunk[j].is_ascii_alphanumeric();
            if groups == 4 && ends {
                let addr = &chunk[i..j];
                return !(first == 127 || addr == b"0.0.0.0");
            }
            i = j.max(i + 1);
        } else {
            i += 1;
        }
    }
    // IPv6 anywhere in the chunk (a URL path, `host=`): a run of hex digits, colons and dots
    // with `::` and two colons, or five colons.
    let mut k = 0;
    while k < chunk.len() {
        let start = k;
        while k < chunk.len()
            && (chunk[k].is_ascii_hexdigit() || chunk[k] == b':' || chunk[k] == b'.')
        {
            k += 1;
        }
        let run = &chunk[start..k];
        let colons = run.iter().filter(|&&c| c == b':').count();
        let hex = run.iter().any(u8::is_ascii_hexdigit);
        let v6 = hex && ((find(run, b"::").is_some() && colons >= 2) || colons >= 5);
        if v6 && run != b"::1" && run.trim_ascii_start() != b"::1" {
            return true;
        }
        k = k.max(start + 1);
    }
    // IPv6: hex groups and colons with `::` or at least 5 groups.
    let core: &[u8] = chunk
        .strip_prefix(b"[")
        .map(|c| c.split(|&b| b == b']').next().unwrap_or(c))
        .unwrap_or(chunk);
    let colons = core.iter().filter(|&&c| c == b':').count();
    if colons >= 2
        && core
            .iter()
            .all(|c| c.is_ascii_hexdigit() || *c == b':' || *c == b'.' || *c == b'%')
        && (find(core, b"::").is_some() || colons >= 4)
        && core.iter().any(|c| c.is_ascii_hexdigit())
    {
        return core != b"::1";
    }
    false
}

/// Whether a single token (a key, a value without spaces) passes: all its chunks and parts.
pub(crate) fn token_ok(t: &[u8]) -> bool {
    text_ok(t)
}

/// Whether one part (between `/ ? & = : # , ; \`) is ordinary vocabulary.
fn part_ok(part: &[u8]) -> bool {
    if part.is_empty() {
        return true;
    }
    if crate::pseudonym::looks_like_pseudonym(part) || part == b"~" {
        return true;
    }
    // An `@` between word characters: an email or `user@host`.
    // (`pkg@latest`, `pkg@1.2.3` are npm specifiers).
    for (at, _) in part.iter().enumerate().filter(|(_, &c)| c == b'@') {
        let before = at > 0 && part[at - 1].is_ascii_alphanumeric();
        let after = &part[at + 1..];
        let tag = after.first().is_some_and(u8::is_ascii_digit)
            || [&b"latest"[..], b"next", b"beta", b"canary"].contains(&after);
        if before && after.first().is_some_and(u8::is_ascii_alphanumeric) && !tag {
            return false;
        }
    }
    static WORD_SEP: crate::bytes::ByteSet =
        crate::bytes::ByteSet::new(false, false, b".-+%~*!$@^");
    for word in part.split(|&c| WORD_SEP.has(c)) {
        if word.is_empty() || crate::pseudonym::looks_like_pseudonym(word) {
            continue;
        }
        for piece in word.split(|&c| c == b'_') {
            if piece.is_empty() {
                continue;
            }
            // A long run mixing letters and digits is an identifier or a credential, whatever
            // its case changes (`KAAAAAAAAAAA00A7`; found by the planted-secret property).
            if piece.len() >= 12
                && piece.iter().any(u8::is_ascii_alphabetic)
                && piece.iter().any(u8::is_ascii_digit)
            {
                return false;
            }
            let mut buf: [&[u8]; MAX_SUBS] = [&[]; MAX_SUBS];
            let Some(n) = camel_split(piece, &mut buf) else {
                return false;
            };
            let subs = &buf[..n];
            if !subs.iter().all(|sub| sub_ok(sub)) {
                return false;
            }
            // Two sub-words that each mix letters and digits (`Xk3jP9qz`: `Xk3j`, `P9qz`)
            // are a short credential, not a word with a version (`utf8Decoder`, `gpt5Mini`).
            let mixed = subs
                .iter()
                .filter(|sub| {
                    sub.iter().any(u8::is_ascii_alphabetic) && sub.iter().any(u8::is_ascii_digit)
                })
                .count();
            if mixed >= 2 {
                return false;
            }
            // camelCase of words (`fetchAttemptResponse`, `toISOString`) has sub-words of
            // three or more letters after the first and digits only at the end; anything
            // else with three or more pieces is an opaque mixed-case run.
            if subs.len() >= 3 {
                let last = subs.len() - 1;
                let opaque = subs.iter().enumerate().any(|(idx, sub)| {
                    let letters = sub.iter().all(u8::is_ascii_alphabetic);
                    (letters && sub.len() < 3 && idx > 0 && !short_camel_word(sub))
                        || (!letters && idx < last)
                });
                if opaque {
                    return false;
                }
            }
        }
    }
    // Every word is ordinary; the part as a whole may still be an id, an address or a host.
    !id_shaped(part) && !private_host_name(part)
}

/// Splits `fetchAttemptResponse` / `HTTPResponse` / `gpt5` into sub-words at case changes
/// and at letter–digit changes, into `out`; `None` when there are more than [`MAX_SUBS`].
fn camel_split<'w>(w: &'w [u8], out: &mut [&'w [u8]; MAX_SUBS]) -> Option<usize> {
    let mut n = 0;
    let mut start = 0;
    for i in 1..w.len() {
        let (a, b) = (w[i - 1], w[i]);
        let next_lower = w.get(i + 1).is_some_and(u8::is_ascii_lowercase);
        let cut = (a.is_ascii_lowercase() && b.is_ascii_uppercase())
            || (a.is_ascii_uppercase() && b.is_ascii_uppercase() && next_lower)
            || (a.is_ascii_alphabetic()
                && b.is_ascii_digit()
                && w[start..i]
                    .iter()
                    .rev()
                    .take_while(|c| c.is_ascii_alphabetic())
                    .count()
                    >= 4)
            || (a.is_ascii_digit() && b.is_ascii_alphabetic() && i - start > 13);
        if cut {
            *out.get_mut(n)? = &w[start..i];
            n += 1;
            start = i;
        }
    }
    *out.get_mut(n)? = &w[start..];
    Some(n + 1)
}

/// The most sub-words one piece is split into; a piece with more is opaque.
const MAX_SUBS: usize = 16;

/// One sub-word: a dictionary-like word, a number, a short letter–digit mix.
fn sub_ok(s: &[u8]) -> bool {
    let letters = s.iter().filter(|c| c.is_ascii_alphabetic()).count();
    let digits = s.iter().filter(|c| c.is_ascii_digit()).count();
    if letters + digits != s.len() {
        return false;
    }
    if letters == 0 {
        // Counts and sizes up to 9 digits, epoch times in seconds or milliseconds (10 or 13
        // digits from 1 to 4: 2001 to 2128), zero-padded sequence numbers. Any other run of
        // 10 to 13 digits is an account, card or phone number, an id.
        let epoch = (digits == 10 || digits == 13) && (b'1'..=b'4').contains(&s[0]);
        return digits <= 9 || epoch || (digits <= 20 && s.starts_with(b"0000"));
    }
    if digits == 0 {
        return word_like(s);
    }
    // Mixed: short (`v1`, `o3`, `5h`, `x86`, `utf8`, `01T00`), a word with a short number
    // (`node18`, `segment1`), or a number with a unit (`100ms`, `64mib`).
    let digit_runs_short = s.split(u8::is_ascii_alphabetic).all(|run| run.len() <= 4);
    if s.len() <= 4 || (letters == 1 && digit_runs_short) {
        return true;
    }
    let lead_letters = s.iter().take_while(|c| c.is_ascii_alphabetic()).count();
    if lead_letters == letters && digits <= 3 {
        return word_like(&s[..lead_letters]);
    }
    let lead_digits = s.iter().take_while(|c| c.is_ascii_digit()).count();
    let unit = &s[lead_digits..];
    let epoch = (digits == 10 || digits == 13) && (b'1'..=b'4').contains(&s[0]);
    lead_digits == digits
        && (digits <= 9 || epoch)
        && UNITS
            .iter()
            .any(|u| u.as_bytes().eq_ignore_ascii_case(unit))
}

/// Two-letter words camelCase names are made of (`developerMessagesToUser`, `isOnByDefault`,
/// `userIdOrEmail`): a closed list, so other short pieces keep marking an opaque run.
fn short_camel_word(sub: &[u8]) -> bool {
    const WORDS: &[&[u8]] = &[
        b"to", b"of", b"in", b"on", b"at", b"by", b"is", b"as", b"or", b"an", b"if", b"no", b"up",
        b"id", b"ok", b"be", b"do", b"my", b"it", b"ui", b"io", b"db", b"js", b"ts",
    ];
    WORDS.iter().any(|w| w.eq_ignore_ascii_case(sub))
}

/// Units after a number (`100ms`, `64mib`, `2nd`).
const UNITS: &[&str] = &[
    "ms", "s", "m", "h", "d", "w", "y", "ns", "us", "min", "sec", "hr", "b", "k", "kb", "mb", "gb",
    "tb", "kib", "mib", "gib", "px", "x", "st", "nd", "rd", "th", "t", "z", "am", "pm",
];

/// Common technical words without a vowel.
const NO_VOWEL_WORDS: &[&str] = &[
    "http", "https", "html", "xhtml", "pnpm", "sftp", "ftps", "hmac", "pkcs", "jwks", "ctrl",
    "grpc", "crlf", "stdn", "ttfb", "ttft", "wsl", "pwd", "nvm", "npm", "sdk", "mcp", "llm",
    "npmjs", "sshd",
];

/// Letters that read like a word: at most 24, a vowel in anything of 4 or more, no run of
/// more than 4 consonants, lower case, Capitalized or UPPER CASE.
fn word_like(w: &[u8]) -> bool {
    if w.len() > 24 {
        return false;
    }
    if NO_VOWEL_WORDS
        .iter()
        .any(|v| v.as_bytes().eq_ignore_ascii_case(w))
    {
        return true;
    }
    // Twelve letters or more, all of them hex digits (`deadbeefcafefade`): a key, no word
    // (red team, round 1).
    if w.len() >= 12 && w.iter().all(u8::is_ascii_hexdigit) {
        return false;
    }
    let upper = w.iter().filter(|c| c.is_ascii_uppercase()).count();
    let case_ok = upper == 0 || upper == w.len() || (upper == 1 && w[0].is_ascii_uppercase());
    if !case_ok {
        return false;
    }
    if w.len() < 4 {
        return true;
    }
    let mut vowels = 0;
    let mut run = 0;
    for c in w {
        static VOWEL: crate::bytes::ByteSet =
            crate::bytes::ByteSet::new(false, false, b"aeiouyAEIOUY");
        if VOWEL.has(*c) {
            vowels += 1;
            run = 0;
        } else {
            run += 1;
            if run > 4 {
                return false;
            }
        }
    }
    vowels > 0 && vowels * 8 >= w.len()
}

/// Whether `name` is a request or response snapshot's file name as the plugin gives it
/// (reference 11.3): `<run id>-request-<n>-<stage>.json` / `-response-`.
pub fn is_snapshot_file_name(name: &str) -> bool {
    let Some(stem) = name.strip_suffix(".json") else {
        return false;
    };
    ["-request-", "-response-"].iter().any(|kind| {
        stem.split_once(kind).is_some_and(|(run, tail)| {
            let (n, stage) = tail.split_once('-').unwrap_or((tail, ""));
            plugin_run_id(run.as_bytes())
                && !n.is_empty()
                && n.len() <= 9
                && n.bytes().all(|c| c.is_ascii_digit())
                && !stage.is_empty()
                && stage.len() <= 64
                && stage
                    .bytes()
                    .all(|c| c.is_ascii_alphanumeric() || c == b'-')
        })
    })
}

/// The plugin's run id (reference 11.3): the ISO time with `:` and `.` as `-`, the pid, and
/// the first 8 hex digits of a random UUID (`2026-12-01T10-00-00-000Z-4242-3f2b8c1e`);
/// nothing in it is the user's.
fn plugin_run_id(v: &[u8]) -> bool {
    const TIME: &[u8] = b"dddd-dd-ddTdd-dd-dd-dddZ-";
    if v.len() < TIME.len() + 1 + 1 + 8 || v.len() > TIME.len() + 7 + 1 + 8 {
        return false;
    }
    let time_ok = TIME.iter().zip(v).all(|(&t, &c)| {
        if t == b'd' {
            c.is_ascii_digit()
        } else {
            t == c
        }
    });
    let rest = &v[TIME.len()..];
    let (pid, uuid) = rest.split_at(rest.len() - 9);
    time_ok
        && !pid.is_empty()
        && pid.iter().all(u8::is_ascii_digit)
        && uuid[0] == b'-'
        && uuid[1..]
            .iter()
            .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(c))
}

/// Acronyms logs write after a credential's name (`failed to auto-open oauth URL`, `token
/// JSON invalid`): a closed list, in any case, so no other capitalized word passes there.
fn is_acronym(w: &[u8]) -> bool {
    const ACRONYMS: &[&[u8]] = &[
        b"url", b"uri", b"http", b"https", b"json", b"jsonl", b"api", b"tls", b"ssl", b"dns",
        b"id", b"ids", b"pkce", b"jwt", b"jwks", b"cli", b"sdk", b"ui", b"tty", b"pid", b"tcp",
    ];
    ACRONYMS.iter().any(|a| a.eq_ignore_ascii_case(w))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn g(s: &str) -> String {
        let mut out = Vec::new();
        gate(s.as_bytes(), &mut GateState::default(), &mut out, None);
        String::from_utf8_lossy(&out).into_owned()
    }

    /// Each line passes the gate unchanged.
    fn assert_kept(lines: &[&str]) {
        for line in lines {
            assert_eq!(g(line), *line);
        }
    }

    /// In each `(line, secret)`, the gate removes the secret.
    fn assert_gone(cases: &[(&str, &str)]) {
        for (line, gone) in cases {
            assert!(!g(line).contains(gone), "{line}: {}", g(line));
        }
    }

    /// Found reading a bundle's JSON Lines: a duration as JavaScript writes a double
    /// (`96.31585726239595`, 14 digits after the point) became an unquoted `<string:17>`,
    /// and the line was no longer JSON. A JSON number keeps up to 17 fraction digits; a
    /// longer run of digits (an account or card number) under a key becomes a quoted
    /// placeholder, so the line stays JSON.
    #[test]
    fn json_numbers_stay_and_what_goes_stays_json() {
        assert_kept(&[
            r#"{"seq":3,"durationMs":96.31585726239595}"#,
            r#"{"durationMs":890.1360800412459,"ok":true}"#,
            r#"{"scores":[0.1234567,-3.5e-7,1e+21]}"#,
            r#"{"ratio": -0.00012345678901234}"#,
        ]);
        for (line, gone) in [
            (r#"{"acct":4111111111111111}"#, "4111111111111111"),
            (r#"{"acct":4111111111111111,"n":1}"#, "4111111111111111"),
            (r#"{"n":0.123456789012345678}"#, "123456789012345678"),
            (r#"{"n":12345678901234.5}"#, "12345678901234"),
            (
                r#"{"card":"visa","n":1.0,"x":[0.4111111111111111]}"#,
                "4111111111111111",
            ),
        ] {
            let out = g(line);
            assert!(!out.contains(gone), "{line}: {out}");
            serde_json::from_str::<serde_json::Value>(&out)
                .unwrap_or_else(|e| panic!("{line} gave {out}, no JSON: {e}"));
        }
        assert!(json_number_within(b":96.31585726239595", 17));
        assert!(json_number_within(b"-1", 17));
        assert!(!json_number_within(b"1.", 17));
        assert!(!json_number_within(b".5", 17));
        assert!(!json_number_within(b"1e", 17));
        assert!(!json_number_within(b"12345678901234", 17));
        assert!(!json_number_within(b"1.2.3", 17));
        assert!(!json_number_within(b"0.12345678901234", 13));
    }

    /// Found bundling a request snapshot as the plugin writes it: the run id, the
    /// `openai-beta` parameter and the user agent were placeholders.
    #[test]
    fn a_snapshots_run_id_beta_header_and_user_agent_stay() {
        assert_kept(&[
            r#"{"runId":"2026-12-01T10-00-00-000Z-4242-3f2b8c1e"}"#,
            r#"{"openai-beta":"responses=experimental"}"#,
            r#"{"user-agent":"opencode/1.14.3 (linux 6.8.0; x64) node/22.11.0"}"#,
        ]);
        assert_gone(&[
            (
                r#"{"runId":"2026-12-01T10-00-00-000Z-4242-3f2b8c1eZq"}"#,
                "3f2b8c1eZq",
            ),
            (
                r#"{"runId":"2026-12-01T10-00-00-000Z-jdoe-3f2b8c1e"}"#,
                "jdoe",
            ),
            (
                r#"{"x":"2026-12-01T10-00-00-000Z-4242-3F2B8C1E"}"#,
                "3F2B8C1E",
            ),
            (r#"{"openai-beta":"responses=Zq81kXv93"}"#, "Zq81kXv93"),
            (
                r#"{"user-agent":"acme-agent/1.0 (jdoe42@laptop-9x)"}"#,
                "jdoe42",
            ),
        ]);
    }

    /// Red team, closed classes: a made-up word in a user agent or a header value of a
    /// free-text JSON line stayed as vocabulary. Those keys now hold their values to the
    /// schema's words run by run: the catalogued runs stay, the others become placeholders.
    #[test]
    fn user_agents_and_header_values_keep_only_catalogued_runs() {
        assert_kept(&[
            r#"{"user-agent":"opencode/1.10.0 (linux <string:16>; x64) node/22.11.0"}"#,
            r#"{"user-agent":"codex_cli_rs/0.44.0 (Mac OS 15.1.0; arm64)"}"#,
            r#"{"accept":"application/json; charset=utf-8"}"#,
            r#"{"content-type":"text/event-stream;q=0.9"}"#,
            r#"{"user-agent":"[redacted]","accept":""}"#,
        ]);
        for (line, secret, stays) in [
            (
                r#"{"user-agent":"opencode/1.10.0 (linux 6.8.0; x64) begazor"}"#,
                "begazor",
                "opencode/1.10.0 (linux 6.8.0; x64) <string:7>",
            ),
            (
                r#"{"user-agent":"opencode/1.10.0 (gonufud 6.8.0; x64)"}"#,
                "gonufud",
                "opencode/1.10.0 (<string:7> 6.8.0; x64)",
            ),
            (
                r#"{"accept":"text/event-stream;gegutop"}"#,
                "gegutop",
                "text/event-stream;<string:7>",
            ),
            (
                r#"{"openai-beta":"responses=gegutop"}"#,
                "gegutop",
                "responses=<string:7>",
            ),
            (
                r#"{"user-agent":"opencode/1.0 \u0068unter2"}"#,
                "unter2",
                "<string:",
            ),
            // Found in review: addresses and digit groups the schema's shapes let through.
            (
                r#"{"user-agent":"opencode/1.0 (linux 10.20.30.40; x64)"}"#,
                "10.20.30.40",
                "opencode/1.0 (linux <string:11>; x64)",
            ),
            (
                r#"{"user-agent":"opencode 4539-1488-0343-6469"}"#,
                "1488",
                "opencode <string:19>",
            ),
            (
                r#"{"user-agent":"opencode 00-11-22-33-44-55"}"#,
                "33-44",
                "opencode <string:",
            ),
            (r#"{"accept":"10.20.30.40"}"#, "20.30", "<string:11>"),
            (
                r#"{"content-type":"text/plain;10.0.0.12"}"#,
                "10.0.0",
                "text/plain;<string:",
            ),
            (r#"{"accept":"4539 1488 0343 6469"}"#, "1488", "<string:19>"),
            (r#"{"accept":"415 555 0134"}"#, "0134", "<string:12>"),
            (r#"{"accept":"4539,1488,0343,6469"}"#, "1488", "<string:19>"),
            (
                r#"{"user-agent":"opencode (2001:0db8:85a3::8a2e:0370:7334)"}"#,
                "7334",
                "<string:",
            ),
        ] {
            let out = g(line);
            assert!(!out.contains(secret), "{line} -> {out}");
            assert!(out.contains(stays), "{line} -> {out}");
        }
    }

    /// Found from the user's side: `scan` called a caret range in a plugin specifier
    /// (`@^1.9`) secret-looking, where `@~1.9.0` and `@1.9.0` passed.
    #[test]
    fn npm_caret_ranges_are_specifiers() {
        let kept = r#"{"plugin": ["@iam-brain/opencode-codex-auth@^1.9"]}"#;
        assert_eq!(g(kept), kept);
        assert_gone(&[
            ("Zq81kXv93^Lm4", "Zq81kXv93"),
            ("x^9f8e7d6c5b4a", "9f8e7d6c5b4a"),
        ]);
    }

    /// Found scanning the plugin's own example `codex-config.jsonc`: ten "secret-looking"
    /// values, all the plugin's own words.
    #[test]
    fn the_plugins_example_config_words_pass() {
        assert_kept(&[
            "    // Refresh before token expiry.",
            "    // Prompt cache key policy.",
            r#"    "developerMessagesToUser": true,"#,
            r#"    // Built-ins: "pragmatic", "friendly""#,
            r#"  "$schema": "https://schemas.iam-brain.dev/opencode-codex-auth/codex-config.schema.json","#,
        ]);
        assert_gone(&[
            ("token Zq81kXv93.", "Zq81kXv93"),
            (r#""xAbQz": 1"#, "xAbQz"),
            (r#""aXbYcZ": 1"#, "aXbYcZ"),
            (r#"// custom: "zorvqlblat""#, "zorvqlblat"),
            ("https://jdoe42.iam-brain.dev.evil.com/x", "jdoe42"),
        ]);
    }

    /// Found by the property test after merging round 4: a placeholder's `>` followed by a
    /// space read as a shell prompt in the gate's own output, so the next line went when the
    /// output was scanned again but not when it was redacted.
    #[test]
    fn a_placeholder_is_no_prompt() {
        for first in ["+\\e \":", "<string:3> \"<string:1>", "<user> ls"] {
            let mut st = GateState::default();
            let mut out = Vec::new();
            gate(first.as_bytes(), &mut st, &mut out, None);
            assert!(!st.output, "{first}");
        }
        assert!(hands_on(b"$ printenv <string:14>"));
        assert!(hands_on(b"jdoe@box> printenv OPENAI_API_KEY"));
    }

    /// Found from the user's side: the bundle's `report.txt` lost the paths and numbers after
    /// `auth.store`, `auth.opencode`, `auth.quota` (read as a credential's name).
    #[test]
    fn a_dotted_name_is_a_credential_only_by_its_last_part() {
        assert_kept(&[
            "  ! auth.store     ~/.config/opencode/codex-accounts.json is readable by group or others (0644)",
            "  ! auth.quota     #2 email_f7b4dbef (plus) [native]",
        ]);
        assert_gone(&[
            ("auth.token Zq81kXv93LmQ", "Zq81kXv93LmQ"),
            ("client.secret=hunter2word", "hunter2word"),
            ("config.api_key: Zq81kXv93", "Zq81kXv93"),
        ]);
    }

    #[test]
    fn the_plugins_snapshot_file_names() {
        assert!(is_snapshot_file_name(
            "2026-12-04T04-35-09-532Z-4242-3f2b8c1e-request-1-outbound-attempt.json"
        ));
        assert!(is_snapshot_file_name(
            "2026-12-04T04-35-09-532Z-4242-3f2b8c1e-response-12-outbound-response.json"
        ));
        for other in [
            "2026-12-04T04-35-09-532Z-4242-zzzz1234-request-1-x.json",
            "2026-12-04T04-35-09-532Z-jdoe-3f2b8c1e-request-1-x.json",
            "2026-12-04T04-35-09-532Z-4242-3f2b8c1e-request-1-jane@x.json",
            "2026-12-04T04-35-09-532Z-4242-3f2b8c1e-request-1-x.jsonl",
            "notes-request-1-x.json",
        ] {
            assert!(!is_snapshot_file_name(other), "{other}");
        }
    }

    /// `NO_PROXY` stays private as a whole: its internal hosts read as ordinary words (a
    /// relaxation for loopback let `.corp.internal` names through; red team, round 5).
    #[test]
    fn no_proxy_internal_hosts_go() {
        for line in [
            r#"{"NO_PROXY": "localhost,127.0.0.1,.zqintranet.corp"}"#,
            r#"{"no_proxy": "localhost,.corp.zorvel.example"}"#,
        ] {
            let out = g(line);
            assert!(
                !out.contains("zqintranet") && !out.contains("zorvel"),
                "{out}"
            );
        }
    }

    /// The bundle's accounts summary: its relative times stay (found from the user's side:
    /// they were placeholders).
    #[test]
    fn the_summarys_relative_times_stay() {
        assert_kept(&[
            r#"{"access_expires":"in 59m 59s","cooldown":"in 2h 5m","refresh_lease":"in 30s","last_used":"3m 20s ago"}"#,
        ]);
    }

    /// Found reading the plugin's own log calls: `failed to auto-open oauth URL` lost `URL`,
    /// read as the credential after `oauth`.
    #[test]
    fn acronyms_after_a_credentials_name_stay_and_nothing_else_does() {
        assert_kept(&[
            "[warn] failed to auto-open oauth URL",
            "[warn] blocked auto-open oauth URL",
            "token JSON invalid",
            "oauth HTTP error",
        ]);
        assert_gone(&[
            ("oauth URLX9", "URLX9"),
            ("token HUNTER", "HUNTER"),
            ("token Zq81kP", "Zq81kP"),
        ]);
    }

    /// Found using the bundle as a maintainer: OpenAI's error names the offending request
    /// parameter in `param`, and it became a placeholder.
    #[test]
    fn an_api_errors_param_is_kept_when_it_is_a_name() {
        let line = r#"{"error":{"type":"invalid_request_error","code":"context_length_exceeded","param":"input"}}"#;
        assert_eq!(g(line), line);
        let opaque = r#"{"error":{"param":"Zq81kXv93LmQ"}}"#;
        assert!(!g(opaque).contains("Zq81kXv93LmQ"), "{}", g(opaque));
    }

    /// Found using the bundle as a maintainer: a stack trace lost the plugin's module names
    /// (`dist/lib/<string:10>:123:45`), the one thing it is read for.
    #[test]
    fn stack_traces_keep_the_plugin_modules_and_drop_the_users_folders() {
        let home = "/home/u/.cache/opencode/node_modules";
        for kept in [
            "/@iam-brain/opencode-codex-auth/dist/lib/storage.js:123:45",
            "/@iam-brain/opencode-codex-auth/dist/lib/codex-native/openai-loader-fetch.js:88:12",
            "/@iam-brain/opencode-codex-auth/dist/lib/ui/tty.js:3:1",
            "/@iam-brain/opencode-codex-auth/dist/bin/opencode-codex-auth.js:2:1",
            "/proper-lockfile/lib/lockfile.js:10:2",
        ] {
            let line = format!("    at f (file://{home}{kept})");
            assert_eq!(
                g(&line),
                format!("    at f (file:///home/<string:1>{}{kept})", &home[7..])
            );
        }
        // A module name is kept only as itself with a script extension; the user's own files
        // and folders beside it still go.
        assert_gone(&[
            ("/srv/app/src/zorblatt.js:1:1", "zorblatt.js"),
            ("/srv/app/storage.json.bak", "storage.json.bak"),
            ("/srv/jdoe42/lib/storage.js", "jdoe42"),
        ]);
    }

    /// Red team, round 5: a bare word after a quoted key's `:` (`"secret": word` in a YAML
    /// or JS line, a torn JSON record) is a value, judged under its key.
    #[test]
    fn a_bare_value_after_a_quoted_key_is_judged_under_the_key() {
        for (line, gone) in [
            (r#""secret": vununaz-katubig-fozodus"#, "vununaz"),
            (r#"  "apiKey": zorvel, "ok": true"#, "zorvel"),
            (r#"{"event": "x", "owner": bramblewick}"#, "bramblewick"),
            (r#"{ "owners": [tilalud-kubisil] }"#, "tilalud"),
            (r#"{ "owners": [1, kezimaf-dorin, 2] }"#, "kezimaf"),
        ] {
            let out = g(line);
            assert!(!out.contains(gone), "{line}: {out}");
        }
        assert_kept(&[
            r#"{"ok": true, "n": 12, "v": null, "t": 1.5}"#,
            r#"{"a": [1, 2, true], "b": [[1], {"c": 1}]}"#,
            r#""status": ok"#,
            r#"  "level": info,"#,
        ]);
    }

    /// Found using the bundle as a maintainer: a public host's port went with `auth` in its
    /// name, and npm's registry failed the word test.
    #[test]
    fn public_hosts_keep_their_ports_and_npm_its_registry() {
        assert_kept(&[
            "connect ECONNREFUSED auth.openai.com:443",
            "getaddrinfo ENOTFOUND registry.npmjs.org",
            "npm ERR! 404 GET https://registry.npmjs.org/opencode-ai",
            "sshd refused the connection",
            r#"{"host":"registry.npmjs.org","upstream":"auth.openai.com"}"#,
            r#"{"meta":{"port":1455,"host":"localhost"}}"#,
            "GET https://raw.githubusercontent.com/openai/codex/main/x.json 200",
            "fetch https://api.github.com/repos 403",
        ]);
        // Other hosts under a key nobody vouched for still go, and so does a token planted as
        // a public host's subdomain.
        assert!(!g(r#"{"host":"llm.zorvel.com"}"#).contains("zorvel"));
        for planted in [
            "x7Kq2mZp9wLs.chatgpt.com",
            "a1b2c3d4e5f6a7b8.openai.com",
            // A company's workspace or tenant as a public host's subdomain: every word is
            // ordinary, the label is not one of the host's services (red team, round 5).
            "zorvelcorp.chatgpt.com",
            "quinlan.api.openai.com",
        ] {
            let out = g(&format!(r#"{{"host":"{planted}"}}"#));
            assert!(!out.contains(&planted[..8]), "{out}");
            let out = g(&format!("workspace https://{planted}/ loaded"));
            assert!(!out.contains(&planted[..8]), "{out}");
        }
        // A credential's name with a port-like value is still a credential, and so is a
        // port-like value under a private host named for one.
        for (text, gone) in [
            ("auth.pin:4321", "4321"),
            ("token:443", "443"),
            ("auth.zorvel-corp.com:443", "443"),
        ] {
            assert!(!g(text).contains(gone), "{text}: {}", g(text));
        }
    }

    /// The shortcut for the text between JSON strings passes only what the walk over its
    /// chunks passes.
    #[test]
    fn bare_structure_is_a_case_of_numbers_and_structure() {
        let alphabet = b":,{}[] \t.-0a\"";
        let mut passed = 0;
        for &a in alphabet {
            assert!(!bare_structure(&[a]) || numbers_and_structure(&[a]), "{a}");
            for &b in alphabet {
                let t = [a, b];
                if bare_structure(&t) {
                    passed += 1;
                    assert!(
                        numbers_and_structure(&t),
                        "{:?}",
                        String::from_utf8_lossy(&t)
                    );
                }
            }
        }
        assert!(bare_structure(b"") && bare_structure(b":") && bare_structure(b"},"));
        assert!(!bare_structure(b"::"), "two colons are not a number's");
        assert!(passed > 30, "{passed}");
    }

    /// Found by the red-team harness: an environment dumped by util.inspect or Python kept
    /// plain words under keys nobody vouched for.
    /// Red team, round 4: an auth scheme, a flag or a table's cell border between a
    /// credential's name and its value let the value pass.
    #[test]
    fn a_scheme_flag_or_cell_border_stands_between_a_name_and_its_value() {
        for text in [
            "AUTH PLAIN marmot-lantern",
            "gh secret set API_TOKEN --body marmot-lantern",
            "| OPENAI_API_KEY | marmot-lantern |",
            "authorization: Token marmot-lantern",
        ] {
            let out = g(text);
            assert!(!out.contains("marmot"), "{text:?} -> {out:?}");
        }
        assert_kept(&[
            "| token | expired |",
            "| status | ok |",
            "refresh token -> retry",
        ]);
    }

    /// Found by the parallel property test: an empty parameter name before `=` in a query
    /// or fragment lost its `=`, so the chunk read differently once remembered as passed.
    #[test]
    fn an_empty_parameter_name_keeps_its_equals_sign() {
        assert_eq!(g("/w#="), "/w#=");
        assert_eq!(g("GET /x?=5&a=1"), "GET /x?=5&a=1");
        let t = "/w#=<.^E>$~\\i%'c#T";
        let first = g(t);
        g("/w#=");
        assert_eq!(g(t), first);
    }

    /// Red team, round 4: an `.npmrc` line's token after a registry path passed when made of
    /// words.
    #[test]
    fn a_credentials_value_after_a_path_goes() {
        let out = g("//registry.npmjs.org/:_authToken=marmot-lantern-velvet");
        assert!(!out.contains("marmot"), "{out}");
        assert!(out.ends_with(":_authToken=<string:21>"), "{out}");
        for kept in ["level=info", "/srv/dist/index.js", "/v1/responses?stream=1"] {
            assert_eq!(g(kept), kept);
        }
    }

    /// Red team, round 4: a domain account's security identifier passed, its 10-digit
    /// groups read as epoch times.
    #[test]
    fn a_windows_sid_goes_whole() {
        let out = g("SID S-1-5-21-3623811015-3361044348-30300820-1013 denied");
        assert_eq!(out, "SID <string:44> denied");
        assert_eq!(g("run as S-1-5-18"), "run as S-1-5-18");
    }

    /// Red team, round 4: a credential named in another language kept its value.
    #[test]
    fn a_credential_named_in_another_language_loses_its_value() {
        for text in [
            "prompt: 我的密码是 hunter2zq 请记住",
            "密码：hunter2zq",
            "пароль: hunter2zq",
            "パスワード＝hunter2zq",
            "Contraseña hunter2zq",
            "비밀번호 hunter2zq",
        ] {
            let out = g(text);
            assert!(!out.contains("hunter2zq"), "{text:?} -> {out:?}");
        }
        // Other words that are not ASCII leave the next word alone.
        assert_eq!(g("使用 gpt-5 模型"), "<string:2> gpt-5 <string:2>");
    }

    /// Lines in order through one state, as a file's lines are read.
    fn g_lines(text: &str) -> String {
        let mut state = GateState::default();
        let mut all = String::new();
        for line in text.split('\n') {
            let mut out = Vec::new();
            gate(line.as_bytes(), &mut state, &mut out, None);
            all.push_str(&String::from_utf8_lossy(&out));
            all.push('\n');
        }
        all
    }

    /// Red team, round 4: the lines of a YAML value under a credential's name (a block
    /// scalar, a list, a plain scalar on the next line) were read one at a time, and a
    /// secret made of words passed on them.
    #[test]
    fn a_yaml_value_below_a_credentials_name_goes_on_every_line() {
        for text in [
            "config:\n  client_secret: |\n    marmot-lantern\n\n    velvet words\n  region: 1",
            "password: >-\n  marmot lantern\nnext: 1",
            "  api_key: |2\n    marmot-lantern",
            "- password: |+\n    marmot-lantern\n  x: 1",
            "secrets:\n  - marmot-lantern\n  - velvet-words\nlevel: info",
            "api_keys:\n- marmot-lantern",
            "auth:\n  token:\n    marmot-lantern",
            "\"client_secret\": |\n  marmot-lantern",
            "password: [redacted]\n  marmot-lantern",
            "API Key: |\n  marmot-lantern",
            "\"client secret\": >\n  marmot-lantern",
        ] {
            let out = g_lines(text);
            for gone in ["marmot", "lantern", "velvet"] {
                assert!(!out.contains(gone), "{text:?} -> {out:?}");
            }
        }
        // The block ends at the key's column; a nested map's pairs are read as usual.
        assert_eq!(
            g_lines("token: |\n  marmot\nlevel: info\n  at run (/srv/dist/index.js:1:2)"),
            "token: |\n  <string:6>\nlevel: info\n  at run (/srv/dist/index.js:1:2)\n"
        );
        assert_eq!(
            g_lines("session:\n  id: marmot\n  ttl: 3600\n  at: 2025-01-01T00:00:00Z\n  user:\n    - x"),
            "session:\n  id: <string:6>\n  ttl: 3600\n  at: 2025-01-01T00:00:00Z\n  user:\n    - <string:1>\n"
        );
        // A value of its key's closed set stays.
        assert_eq!(
            g_lines("auth:\n  authMode: native\n  rotationStrategy: marmot"),
            "auth:\n  authMode: native\n  rotationStrategy: <string:6>\n"
        );
        // A nested block scalar keeps its indicator and opens its own block.
        assert_eq!(
            g_lines("secrets:\n  Xk3jP9qz: true\n  db:\n    password: |\n      velvet"),
            "secrets:\n  <string:8>: true\n  db:\n    password: |\n      <string:6>\n"
        );
        // Not a credential's name, not a block: read as before.
        for kept in [
            "description: |\n  retries once\nlevel: info",
            "status:\n  - ok\n",
            "Error: invalid token: [redacted]\n    at run (/srv/dist/index.js:1:2)",
            "[redacted]\n  retries once",
            "Failed to refresh the token:\n  retries once",
            " [redacted]\n  retries once",
        ] {
            assert_eq!(g_lines(kept), format!("{kept}\n"));
        }
        // Its own output reads the same (placeholders pass, blank lines keep the block).
        let once = g_lines("secret: |\n  marmot\n\n  lantern");
        assert_eq!(g_lines(once.trim_end()), once);
    }

    /// Red team, round 4: what a shell printed for a command that names a credential is on
    /// the next line, where each word alone is ordinary.
    #[test]
    fn a_command_that_prints_who_the_user_is_hands_its_output_on() {
        // Red team, round 11: the output of `whoami` and its kin names the user or the
        // machine, alone on the next line.
        for text in [
            "> npm whoami\nmarmot",
            "$ whoami\nmarmot",
            "jdoe@box:~$ hostname\nmarmot-pc",
            "$ git config user.name\nMarmot Lantern",
            "$ git config --get user.email\nmarmot",
            "$ echo $USER\nmarmot",
            "$ id -un\nmarmot",
            "$ uname -n\nmarmot-pc",
            "$ logname\nmarmot",
            "$ vercel whoami\nmarmot",
            "% scutil --get ComputerName\nMarmot Lantern",
            "$ printenv USER\nmarmot",
            "$ id -gn\nmarmot",
            "$ groups\nmarmot sudo",
            "$ id --user --name\nmarmot",
            "PS C:\\> $env:USERNAME\nmarmot",
            "PS C:\\> [Environment]::UserName\nmarmot",
            "$ gh api user -q .login\nmarmot",
            // Default prompts of more than one word, and cmd.exe's.
            "jdoe@MacBook-Pro ~ % whoami\nmarmot",
            "[jdoe@box ~]$ whoami\nmarmot",
            "[root@box ~]# hostname\nmarmot-pc",
            "box:~ jdoe$ whoami\nmarmot",
            "C:\\>whoami\nacme\\marmot",
            "C:\\Users\\Public>hostname\nMARMOT-PC",
            "jdoe@MacBook-Pro ~ % echo $OPENAI_API_KEY\nmarmot-lantern",
        ] {
            let out = g_lines(text);
            assert!(!out.contains("armot"), "{text:?} -> {out:?}");
        }
        for kept in [
            "$ echo hello\nhello",
            "$ id\nuid=1000 gid=1000",
            "$ uname -r\n6.8.0",
            "$ git status\nclean",
            "Error: cost 5$ per run\nnext line",
            "[2026-12-04 10:00:00] $ deploy\nok",
        ] {
            assert_eq!(g_lines(kept), format!("{kept}\n"));
        }
        // Lines whose first words are a label and a value are no prompts (round 11's second
        // review): the line after them stays.
        for text in [
            "issuer: https://auth.example.com # OAuth issuer\nclient_id: my-plugin-dev",
            "timeout: 30 # seconds before token refresh\nretries: 3",
            "limit: 100 # users per page\nnext: page 2 of 5",
            "Cost: 0.02$ per 1K tokens\nResponse: 200 OK in 350ms",
            "Rate limit: 90 % of tokens used\nRetrying request in 5s",
            "10:00:01 info: 100 % users synced\nsync finished in 3.2s",
            "[10:00:01] $ npm run auth\nok",
            "@acme/oauth-plugin@1.2.0 $ node scripts/refresh-token.js\nok",
        ] {
            let second = text.split('\n').nth(1).unwrap_or_default();
            let out = g_lines(text);
            assert!(
                out.ends_with(&format!("\n{second}\n")),
                "{text:?} -> {out:?}"
            );
        }
    }

    #[test]
    fn a_prompts_printed_secret_goes_on_the_next_line() {
        for text in [
            "$ printenv OPENAI_API_KEY\nmarmot-lantern",
            "jdoe@box:~/src$ echo $GITHUB_TOKEN\nmarmot-lantern",
            "% security find-generic-password -s codex -w\nmarmot lantern",
            "$ pass show email/work\nmarmot-lantern",
            "PS C:\\src> op read op://vault/item/password\nmarmot-lantern",
            "root@box:/# cat /etc/app/secret\nmarmot-lantern",
            "irb(main):001:0> ENV['API_TOKEN']\n=> \"marmot-lantern\"",
            "(venv) jdoe@box:~$ echo $OPENAI_API_KEY\nmarmot-lantern",
            "C:\\Users\\x> echo %OPENAI_API_KEY%\nmarmot-lantern",
            "> process.env['API_TOKEN']\n'marmot-lantern'",
            "$ cat ~/.config/app/credentials\nmarmot-lantern",
        ] {
            let out = g_lines(text);
            assert!(!out.contains("marmot"), "{text:?} -> {out:?}");
        }
        // A prompt whose command the gate changed hands on as its output will when read
        // again (found by the property test, round 5: `A# +@a` then `A`).
        assert_eq!(g_lines("A# +@a\nA"), "A# <string:3>\n<string:1>\n");
        assert!(prompt_line(b"A# +@a") && !prompt_line(b"# a comment"));
        assert!(may_hand_on(b"A# +@a") && !may_hand_on(b"{\"a\":1}") && !may_hand_on(b""));
        // One line only; a prompt line that follows is read as usual, and other commands hand
        // nothing on.
        assert_eq!(
            g_lines("$ echo $TOKEN\nmarmot\nretries once"),
            "$ echo $TOKEN\n<string:6>\nretries once\n"
        );
        for kept in [
            "$ echo $TOKEN\n$ ls dist",
            "$ npm install\nadded 12 packages",
            "# Token refresh\nretries once",
        ] {
            assert_eq!(g_lines(kept), format!("{kept}\n"));
        }
        assert!(hands_on(b"$ gh auth token") && !hands_on(b"$ gh pr list"));
        // Read again over its own output (the engine's next pass over a changed line), a
        // prompt whose credential's name became a placeholder still hands on.
        let mut out = Vec::new();
        gate(
            b"$ cat ~/.config/app/credentials",
            &mut GateState::default(),
            &mut out,
            None,
        );
        let mut st = GateState::default();
        gate(&out, &mut st, &mut Vec::new(), None);
        assert!(st.output, "{}", String::from_utf8_lossy(&out));
        assert!(!hands_on(br#"{"a":"b$ token"}"#) && !hands_on(b"# the token"));
    }

    #[test]
    fn indented_pairs_are_judged_under_their_key() {
        let out = g("  hostname: zorvbox");
        assert!(!out.contains("zorvbox"), "{out}");
        let out = g("    name: jdoe,");
        assert!(!out.contains("jdoe"), "{out}");
        assert_kept(&[
            "  status: ok",
            "  level: info",
            "  errno: -3008,",
            "    at run (/srv/dist/index.js:1:2)",
            "  message: Too Many Requests",
            "hostname: top-level lines are prose",
        ]);
    }

    #[test]
    fn object_literal_pairs_are_judged_under_their_key() {
        let out = g("env: { LOGNAME: 'zorvenvl', HOSTNAME: 'zorvhostx', GIT_AUTHOR_NAME: 'Zorvgitf Zorvgitn' }");
        for gone in ["zorvenvl", "zorvhostx", "Zorvgitf", "Zorvgitn"] {
            assert!(!out.contains(gone), "{out}");
        }
        let out = g("environ({'USER': 'zorvpyu', 'MYSQL_PWD': 'bramblepass'})");
        assert!(
            !out.contains("zorvpyu") && !out.contains("bramblepass"),
            "{out}"
        );
        assert_kept(&[
            "{ status: 'ok', level: 'info', message: 'Too Many Requests' }",
            "config: { model: 'gpt-5.1-codex', path: '~/.config/opencode' }",
            "Error: 'fetch' failed with 429",
        ]);
    }

    /// Found by the red-team harness: ids and addresses whose groups are each ordinary.
    #[test]
    fn ids_and_addresses_written_as_groups_go() {
        for (line, gone) in [
            (
                "user 550e8400-e29b-41d4-a716-446655440001 switched",
                "e29b-41d4",
            ),
            (
                "account 55014400-2921-4154-1716-446655440000 x",
                "2921-4154",
            ),
            ("Physical Address: 3C-22-FB-9A-7E-02", "FB-9A"),
            ("mac 3c22.fb9a.7e03", "fb9a"),
            (
                "resolved ec2-203-0-113-45.compute-1.amazonaws.com",
                "113-45",
            ),
            ("host ip-10-20-30-40 up", "20-30"),
            ("see ~zorveltil/projects/app", "zorveltil"),
            ("origin git@git.sr.ht:~zorvelgit/repo", "zorvelgit"),
            ("<user>@zorvelbox:~/proj$ opencode", "zorvelbox"),
            ("thanks @zorvelhandle for the fix", "zorvelhandle"),
        ] {
            let out = g(line);
            assert!(!out.contains(gone), "{line} -> {out}");
        }
        assert_kept(&[
            "on 2025-01-01 at 12:30:45 took 1-2 s",
            "2026-01-01-12-30 rotated",
            "version 1.2.3-beta.4 and 0.144.0",
            "installing @iam-brain/opencode-codex-auth@latest",
            "see ~/.config/opencode/logs",
            "gpt-5.1-codex-max",
            "{\"@timestamp\":\"2025-01-01T00:00:05.000Z\"}",
        ]);
    }

    /// Found by the red-team harness: a company's host and a name or word secret in the
    /// path of a URL on it were kept.
    #[test]
    fn urls_on_private_hosts_keep_only_known_segments() {
        for (line, gone) in [
            (
                "connect https://gitlab.zorvel-corp.com:443/x ok",
                "zorvel-corp",
            ),
            (
                "remote https://gitlab.example.org.zz/zorvelown/repo.git",
                "zorvelown",
            ),
            (
                "GET https://hooks.acme.test/trigger/cinnamonroll 200",
                "cinnamonroll",
            ),
            ("GET https://people.acme.test/jane-zorvel/profile", "jane"),
        ] {
            let out = g(line);
            assert!(!out.contains(gone), "{line} -> {out}");
        }
        assert_eq!(
            g("POST https://llm.acme.test/v1/chat/completions 429"),
            "POST https://<string:13>/v1/chat/completions 429"
        );
        for (line, gone) in [
            ("connect gitlab.zorvel-corp.com:443 ok", "zorvel-corp"),
            ("getaddrinfo ENOTFOUND llm.acme.io", "acme"),
            (
                "is not in the cert's altnames: DNS:*.zqcorp-proxy.com, DNS:gw.zqcorp-proxy.com",
                "zqcorp",
            ),
        ] {
            let out = g(line);
            assert!(!out.contains(gone), "{line} -> {out}");
        }
        let out = g("plugin = [\"file:///srv/zorvfilepl/plugin.js\"]");
        assert!(!out.contains("zorvfilepl"), "{out}");
        let out = g("DefaultEndpointsProtocol=https;AccountName=acmestorezq;EndpointSuffix=x");
        assert!(!out.contains("acmestorezq"), "{out}");
        assert_eq!(g("a=1;level=info&b=2"), "a=1;level=info&b=2");
        let out = g("GET /search?q=Quinurl+Zorvelurl&page=2");
        assert!(!out.contains("Quinurl"), "{out}");
        assert_eq!(
            g("GET /search?q=Quinurl&page=2"),
            "GET /search?q=<string:7>&page=2"
        );
        assert_kept(&[
            "request to chatgpt.com and api.openai.com:443 failed",
            "read opencode.json and README.md, ran build.sh",
            "host.docker.internal and x.local",
            "POST https://chatgpt.com/backend-api/codex/responses 429",
            "GET https://raw.githubusercontent.com/openai/codex/main/models.json",
            "GET https://opencode.ai/config.json",
            "http://localhost:1455/auth/callback and http://127.0.0.1:8080/status",
            "see https://github.com/iam-brain/opencode-codex-auth/issues",
            "altnames: DNS:*.openai.com",
        ]);
    }

    #[test]
    fn json_keeps_structure_and_safe_values() {
        let line = r#"{"event":"fetch_attempt_response","status":429,"model":"gpt-5.1-codex","ts":"2025-01-01T00:00:05.000Z","name":"Alice","input":"please fix my code","message":"Too Many Requests","id":"auth.store"}"#;
        assert_eq!(
            g(line),
            r#"{"event":"fetch_attempt_response","status":429,"model":"gpt-5.1-codex","ts":"2025-01-01T00:00:05.000Z","name":"<string:5>","input":"<string:18>","message":"Too Many Requests","id":"auth.store"}"#
        );
    }

    #[test]
    fn free_text_keeps_words_and_replaces_unknown_shapes() {
        assert_eq!(
            g("retry after 1500 ms for model gpt-5 at 2025-01-01T00:00:05Z"),
            "retry after 1500 ms for model gpt-5 at 2025-01-01T00:00:05Z"
        );
        let out = g("token xK9fQ2mZ7LpR client 203.0.113.9 host ::ffff:10.0.0.1 ok 127.0.0.1:1455");
        assert!(
            !out.contains("xK9f") && !out.contains("203.0") && !out.contains("ffff"),
            "{out}"
        );
        assert!(
            out.contains("127.0.0.1:1455") && out.contains("client"),
            "{out}"
        );
        let out = g("see https://bob:hunter2@proxy.example/path and /mnt/c/Users/JaneDoe/x.log");
        assert!(
            !out.contains("hunter2") && !out.contains("JaneDoe"),
            "{out}"
        );
        let out = g("mail carol%2540example.com and carol&#64;example.com");
        assert!(!out.contains("carol"), "{out}");
        let out = g("DB_PASS=correcthorse level=info");
        assert!(
            !out.contains("correcthorse") && out.contains("level=info"),
            "{out}"
        );
    }

    /// Red-team shapes found after the corpus: credentials in a URL's query or fragment, and
    /// after a credential's name with `:` (with or without a space).
    #[test]
    fn url_parameters_and_named_credentials_go() {
        let out = g("url https://chatgpt.com/cb#id_token=CANARYfragTOKENvalue&state=abc");
        assert!(!out.contains("CANARY") && !out.contains("abc"), "{out}");
        assert!(
            out.contains("https://chatgpt.com/cb#id_token=<string:20>"),
            "{out}"
        );
        let out = g("ws wss://gateway.example.com/socket?ticket=CANARYwsTICKET123&n=5");
        assert!(!out.contains("CANARY"), "{out}");
        assert!(out.ends_with("&n=5"), "numbers stay: {out}");
        for line in [
            "X-Api-Key:zk_live_CANARYONEtwothree",
            "header X-Api-Key: zk_live_CANARYspaceTWO",
            "password:CorrectHorseBatteryStaple",
            "session_token = Plain words here",
        ] {
            let out = g(line);
            assert!(
                !out.contains("CANARY") && !out.contains("Correct") && !out.contains("Plain"),
                "{line} -> {out}"
            );
        }
        let out = g("retrying with key sk_proj_ABCdef123 for user");
        assert!(
            !out.contains("ABCdef") && out.contains("with key <string:"),
            "{out}"
        );
        assert_eq!(g("the key rotation ran"), "the key rotation ran");
        assert_eq!(g("status: 200 ok"), "status: 200 ok");
        assert_eq!(g("retry after: 5"), "retry after: 5");
    }

    /// A string that passed in one place does not pass in another because of it.
    #[test]
    fn a_string_remembered_in_one_place_is_judged_again_in_another() {
        assert_eq!(
            g(r#"{"message":"Alice Smith","Alice":1}"#),
            r#"{"message":"Alice Smith","Alice":1}"#
        );
        assert_eq!(
            g(r#"{"name":"Alice Smith","x":"Alice"}"#),
            r#"{"name":"<string:11>","x":"<string:5>"}"#
        );
        let mut state = GateState::default();
        let mut out = Vec::new();
        for line in [
            r#"  "details": ["#,
            r#"    "Alice Smith","#,
            "  ],",
            r#"  "Alice Smith""#,
        ] {
            gate(line.as_bytes(), &mut state, &mut out, None);
            out.push(b'\n');
        }
        assert_eq!(
            String::from_utf8_lossy(&out),
            "  \"details\": [\n    \"Alice Smith\",\n  ],\n  \"<string:11>\"\n"
        );
    }

    #[test]
    fn placeholders_count_characters() {
        for (text, want) in [
            (&b""[..], "<string:0>"),
            (b"abcdefghij", "<string:10>"),
            ("é✓".as_bytes(), "<string:2>"),
            (b"\xff\xfea", "<string:3>"),
        ] {
            let mut out = Vec::new();
            placeholder(text, &mut out);
            assert_eq!(String::from_utf8_lossy(&out), want);
        }
    }

    #[test]
    fn the_separator_table_is_its_definition() {
        for c in 0..128u8 {
            assert_eq!(CHUNK_SEP[usize::from(c)], is_chunk_sep(c), "{c}");
        }
    }

    #[test]
    fn invisible_characters_join_a_token_instead_of_cutting_it() {
        for z in [
            "\u{200b}",
            "\u{200c}",
            "\u{200d}",
            "\u{2060}",
            "\u{feff}",
            "\u{ad}",
            "\u{e0041}",
        ] {
            let token = ["P5q", "tWk", "hZt", "H4C", "64d"].join(z);
            let out = g(&format!("token {token} ok"));
            assert!(!out.contains("tWk") && !out.contains("64d"), "{z:?}: {out}");
            let out = g(&format!("{{\"message\":\"uses {token}\"}}"));
            assert!(!out.contains("tWk") && !out.contains("64d"), "{z:?}: {out}");
        }
        // Visible separators still separate (the report's `·`, a dash in prose), but not
        // right between two letters or digits, where they cut a token as well.
        assert_eq!(g("· ok — fine (✓)"), "· ok — fine (✓)");
        let out = g("key Qz07🔑Kv8R•w3Xp→7LmT ok");
        assert!(!out.contains("Kv8R") && !out.contains("7LmT"), "{out}");
    }

    #[test]
    fn an_xml_element_named_as_a_credential_loses_its_text() {
        assert_eq!(
            g("<password>copperfield</password>"),
            "<password><string:11></password>"
        );
        assert_eq!(
            g("<cfg><apiKey>amber falcon</apiKey><port>8080</port></cfg>"),
            "<cfg><apiKey><string:12></apiKey><port>8080</port></cfg>"
        );
        assert_eq!(g("<b>bold words</b>"), "<b>bold words</b>");
    }

    #[test]
    fn digits_in_dashed_groups_of_twelve_or_more_are_replaced() {
        assert_eq!(
            g("card 4539-1488-0343-6468 declined"),
            "card <string:19> declined"
        );
        assert_eq!(g("acct 3782-822463-10005 x"), "acct <string:17> x");
        for keep in [
            "2026-01-01",
            "415-555-01",
            "v1.2.3-4",
            "2026-01-01-12-30",
            "1-2-3-4-5",
        ] {
            assert_eq!(g(keep), keep);
        }
    }

    #[test]
    fn long_digit_runs_stay_only_as_epoch_times() {
        assert_eq!(
            g("account 739182640517 suspended"),
            "account <string:12> suspended"
        );
        assert_eq!(g("call 5155550132x"), "call <string:11>");
        assert_eq!(
            g("at 1767225600 and 1767225600000"),
            "at 1767225600 and 1767225600000"
        );
        assert_eq!(g("size 209715200 bytes"), "size 209715200 bytes");
        assert_eq!(g("cb?state=739182640517&n=2"), "cb?state=<string:12>&n=2");
        assert_eq!(g("password=739182640517"), "password=<string:12>");
        // A number of JSON's structure stays (a placeholder would break the document).
        assert_eq!(g(r#"{"size":12345678901}"#), r#"{"size":12345678901}"#);
        assert_eq!(g(r#"{"at":1767225600000}"#), r#"{"at":1767225600000}"#);
        assert_eq!(
            g(r#"{"account":"739182640517"}"#),
            r#"{"account":"<string:12>"}"#
        );
    }

    #[test]
    fn a_short_token_of_two_mixed_pieces_is_replaced() {
        assert_eq!(g("code Xk3jP9qz sent"), "code <string:8> sent");
        assert_eq!(g("got P9qzXk3j back"), "got <string:8> back");
        for keep in [
            "x86_64",
            "toISOString",
            "utf8",
            "node18",
            "Base64",
            "gpt-5.1-codex",
        ] {
            assert_eq!(g(keep), keep);
        }
    }

    #[test]
    fn closed_keys_keep_only_their_catalogue_in_any_line() {
        let ok = r#"{"authMode":"native","originator":"codex_cli_rs","errorName":"TypeError","rotationStrategy":"<string:5>"}"#;
        assert_eq!(g(ok), ok);
        // A torn record no schema reads: made-up words (snake_case ones too) are replaced.
        assert_eq!(
            g(r#"{"seq":1,"authMode":"zorvtornauth","errorName":"zorv_err_name""#),
            r#"{"seq":1,"authMode":"<string:12>","errorName":"<string:13>""#
        );
        assert_eq!(
            g(r#"{"headers":{"originator":"zorvorigtext"}}"#),
            r#"{"headers":{"originator":"<string:12>"}}"#
        );
        assert_eq!(
            g("run originator=zorvorigtext ok"),
            "run originator=<string:12> ok"
        );
        assert_eq!(
            g("{'originator': 'zorvorigtext'}"),
            "{'originator': '<string:12>'}"
        );
    }

    #[test]
    fn the_key_table_agrees_with_the_lists() {
        let closed: Vec<&str> = CLOSED_KEYS.iter().map(|(k, _)| *k).collect();
        let listed = TEXT_KEYS
            .iter()
            .chain(VALUE_KEYS)
            .chain(AGENT_KEYS)
            .chain(HEADER_VALUE_KEYS)
            .chain(&["sha256"])
            .chain(closed.iter());
        for k in listed {
            for v in [
                k.to_string(),
                k.to_ascii_uppercase(),
                format!("{k}x"),
                format!("x{k}"),
                format!("{k}_code"),
                format!("{k}Code"),
                k[1..].to_string(),
            ] {
                assert_eq!(classify(v.as_bytes()), classify_plain(v.as_bytes()), "{v}");
            }
        }
    }

    /// A chunk the fast path passes is one the plain test passes whole.
    fn assert_shape_agrees(c: &str) {
        if passes_by_shape(c.as_bytes()) {
            let mut out = Vec::new();
            let mut g = GateOutcome::default();
            chunk_gate_uncached(c.as_bytes(), 0, &mut out, &mut g, None);
            assert_eq!((out, g.replaced), (c.as_bytes().to_vec(), 0), "{c}");
        }
    }

    #[test]
    fn shapes_passed_by_the_fast_path_pass_the_plain_test() {
        for c in [
            "0",
            "-",
            ":",
            "..",
            "123456789",
            "1767225600000",
            "367.7",
            "2025-01-01",
            "10.0.0",
            ":1455",
            "2025-01-01T00:00:05.000Z",
            "2025-01-01T00:00:05Z",
            "2025-01-01T00:00:05.1",
            "ident_0bf34dad",
            "email_a7279f09",
        ] {
            assert!(passes_by_shape(c.as_bytes()), "{c}");
            assert_shape_agrees(c);
        }
        let long = "1-".repeat(MAX_CHUNK);
        for c in [
            "12345678901234",
            "2234567890123",
            "10.0.0.1",
            "1::2",
            "2025-01-01T00:00:05.0000Z",
            "ident_0bf34daz",
            &long,
        ] {
            assert!(!passes_by_shape(c.as_bytes()), "{c}");
        }
    }

    proptest::proptest! {
        #[test]
        fn key_table_agrees_on_any_key(k in "[A-Za-z_\\-]{0,40}") {
            proptest::prop_assert_eq!(classify(k.as_bytes()), classify_plain(k.as_bytes()));
        }

        #[test]
        fn fast_shapes_agree_with_the_plain_test(
            c in proptest::prop_oneof![
                "[0-9.:\\-]{1,40}",
                "[0-9TZ.:\\-]{1,30}",
                "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{0,4})?Z?",
                "(email|acct|ident|sess|pck|attempt|name)_[0-9a-f]{8}",
            ]
        ) {
            assert_shape_agrees(&c);
        }
    }

    #[test]
    fn placeholders_and_pseudonyms_pass_again() {
        for s in [
            r#"{"email":"email_0123abcd","x":"<string:12>","b":"[omitted: request body]"}"#,
            "Bearer [redacted] for acct_89abcdef at ~/.config/opencode",
        ] {
            assert_eq!(g(s), s);
        }
    }
}
