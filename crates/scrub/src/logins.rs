//! Login names handed to commands (red team, round 9): `ssh -l jdoe`, `psql -U jdoe`,
//! `mysql -ujdoe`, `sudo -u jdoe`, `docker login -u jdoe`, `curl -u jdoe:…`,
//! `smbclient -U jdoe%…`, `--username jdoe`, a `.netrc` line's `login jdoe`, `chown
//! jdoe:staff`. A login name is an identity, and an ordinary word the gate would keep; the
//! flag says what it is. The password such a value carries after `:`, `%` or `,` goes too.
//! System accounts (`root`, `postgres`, …), numeric ids and `$USER`-style references stay.

use crate::rules::Rule;
use crate::span::{Repl, Span};

/// Commands whose one-letter flag takes a login name (the letter as typed).
const USER_FLAGS: &[(&[&[u8]], u8)] = &[
    (&[b"ssh", b"slogin", b"autossh"], b'l'),
    (
        &[
            b"psql",
            b"pg_dump",
            b"pg_dumpall",
            b"pg_restore",
            b"pg_basebackup",
            b"pg_isready",
            b"createdb",
            b"dropdb",
            b"createuser",
            b"dropuser",
            b"vacuumdb",
            b"reindexdb",
            b"clusterdb",
            b"pgbench",
        ],
        b'U',
    ),
    (crate::spoken::MYSQL_TOOLS, b'u'),
    (crate::spoken::MONGO_TOOLS, b'u'),
    (&[b"sudo", b"doas", b"runuser", b"crontab"], b'u'),
    (&[b"curl", b"lftp"], b'u'),
    (&[b"smbclient", b"rpcclient"], b'U'),
    (
        &[
            b"ps", b"pgrep", b"pkill", b"killall", b"top", b"htop", b"lsof", b"skill", b"slay",
        ],
        b'u',
    ),
    (&[b"ps", b"pgrep", b"pkill"], b'U'),
];

/// Commands whose arguments name a user (`su - jdoe`, `passwd jdoe`, `useradd -m jdoe`,
/// `finger jdoe`; not `id` or `groups`, which label values in logs): every plain argument after them in the shell segment goes (an option's
/// value such as a group too: harmless).
const USER_COMMANDS: &[&[u8]] = &[
    b"su", b"passwd", b"useradd", b"usermod", b"userdel", b"adduser", b"deluser", b"finger",
    b"chage", b"chfn", b"chsh", b"lastlog", b"pinky",
];

/// Commands whose `login` subcommand takes the user name as `-u` (`docker login -u jdoe`).
const LOGIN_SUBCOMMAND: &[&[u8]] = crate::spoken::P_IS_LOGIN_PASSWORD;

/// Tools whose `--user` takes `name:password`.
const CREDENTIAL_USER: &[&[u8]] = &[b"curl", b"wget", b"lftp", b"redis-cli", b"http", b"https"];

/// Accounts and groups every system has (of Linux and macOS, of databases and registries):
/// naming one identifies nobody. The one list the login, OS-output and record detectors
/// share (here, where nothing it reads imports it back).
const SYSTEM_NAMES: &[&[u8]] = &[
    b"root",
    b"admin",
    b"administrator",
    b"wheel",
    b"staff",
    b"users",
    b"user",
    b"sudo",
    b"adm",
    b"docker",
    b"everyone",
    b"nogroup",
    b"nobody",
    b"daemon",
    b"bin",
    b"sys",
    b"sync",
    b"games",
    b"man",
    b"lp",
    b"mail",
    b"news",
    b"uucp",
    b"proxy",
    b"backup",
    b"list",
    b"irc",
    b"www-data",
    b"postgres",
    b"mysql",
    b"mongodb",
    b"redis",
    b"sshd",
    b"git",
    b"guest",
    b"default",
    b"sa",
    b"ubuntu",
    b"ec2-user",
    b"runner",
    b"oauth2accesstoken",
    b"x-access-token",
    b"anonymous",
    b"messagebus",
    b"syslog",
    b"localhost",
    b"*",
];

/// Whether `name` (lower case) is a system account or group ([`SYSTEM_NAMES`], `_www`-style
/// macOS accounts, `systemd-*`).
pub(crate) fn system_name(name: &[u8]) -> bool {
    SYSTEM_NAMES.contains(&name) || name.starts_with(b"_") || name.starts_with(b"systemd-")
}

/// Whether `-<flag>` at `k` belongs to a command that reads it as a login name.
fn user_flag_of(low: &[u8], k: usize, flag: u8) -> bool {
    // The flag belongs to the nearest command before it: options and their values may stand
    // between them, not another plain word (`ssh box wc -l log`, `sudo sort -u names`). A
    // registry login takes its host before the flag (`helm registry login reg.io -u …`).
    let (mut command, mut login_tool, mut logging_in) = (false, false, false);
    let (mut after_option, mut runs_another) = (false, false);
    for name in crate::spoken::segment_words(low, k) {
        if USER_FLAGS
            .iter()
            .any(|(cmds, f)| *f == flag && cmds.contains(&name))
        {
            command = true;
            after_option = false;
            // Commands whose first plain argument starts another command (or a remote one).
            runs_another = matches!(
                name,
                b"ssh" | b"slogin" | b"autossh" | b"sudo" | b"doas" | b"runuser"
            );
            continue;
        }
        if LOGIN_SUBCOMMAND.contains(&name) {
            login_tool = true;
        } else if login_tool && name == b"login" {
            logging_in = true;
        }
        if name.starts_with(b"-") {
            after_option = true;
        } else if after_option {
            after_option = false;
        } else if runs_another {
            command = false;
        }
    }
    command || (logging_in && flag == b'u')
}

/// Whether a flag's `-` at `k` starts an argument (a space, a quote or a list before it).
fn flag_starts(low: &[u8], k: usize) -> bool {
    k == 0 || matches!(low[k - 1], b' ' | b'\t' | b'\'' | b'"' | b'[' | b',' | b'(')
}

/// The end of an argument that starts at `v`.
fn argument_end(low: &[u8], v: usize) -> usize {
    let mut e = v;
    while e < low.len()
        && !matches!(
            low[e],
            b' ' | b'\t' | b'"' | b'\'' | b')' | b']' | b'}' | b'>' | b'\\' | b';' | b'|' | b'&'
        )
    {
        e += 1;
    }
    e
}

/// Replaces the login name `low[v..e]` (up to a `:`, `%` or `,` that starts its password,
/// which is replaced too) unless it names no one. The end of the argument.
/// Replaces the login name `low[v..e]` unless it names no one; whether it was replaced.
fn push_name(low: &[u8], v: usize, e: usize, spans: &mut Vec<Span>) -> bool {
    let name = &low[v..e];
    // (An email is an email: its own rule gives it a pseudonym.)
    let anonymous = name.is_empty()
        || !name[0].is_ascii_alphanumeric()
        || name.contains(&b'@')
        || name.iter().all(u8::is_ascii_digit)
        || system_name(name)
        || crate::rules::only_markers(name)
        || crate::pseudonym::looks_like_pseudonym(name);
    if !anonymous {
        spans.push(Span::new(v, e, Rule::PersonName, Repl::Redacted));
    }
    !anonymous
}

fn push_login(low: &[u8], v: usize, e: usize, spans: &mut Vec<Span>) -> Option<usize> {
    if e <= v {
        return None;
    }
    let arg = &low[v..e];
    // A marker or placeholder (`[redacted]`, `<string:9>`, which holds a `:` of its own)
    // is read no further.
    if matches!(arg[0], b'[' | b'<') {
        return None;
    }
    let sep = arg.iter().position(|&c| matches!(c, b':' | b'%' | b','));
    let name_end = sep.map_or(e, |p| v + p);
    push_name(low, v, name_end, spans);
    if let Some(p) = sep {
        let pass = v + p + 1;
        if pass < e && !crate::rules::only_markers(&low[pass..e]) {
            spans.push(Span::new(pass, e, Rule::ToldCredential, Repl::Redacted));
        }
    }
    Some(e)
}

/// The argument after a flag that ends at `f` (attached when `attached`, else after spaces or
/// inside quotes): where it starts and ends.
fn argument_after(low: &[u8], f: usize, attached: bool) -> Option<(usize, usize)> {
    let mut v = f;
    if !attached {
        while matches!(low.get(v), Some(b' ' | b'\t')) {
            v += 1;
        }
    }
    if let Some(&q @ (b'"' | b'\'')) = low.get(v) {
        let close = low[v + 1..low.len().min(v + 257)]
            .iter()
            .position(|&c| c == q)?;
        return Some((v + 1, v + 1 + close));
    }
    let c = *low.get(v)?;
    if !(c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.')) {
        return None;
    }
    Some((v, argument_end(low, v)))
}

/// PowerShell's `-Identity NAME`, `-SamAccountName NAME`, `-UserName NAME` (`Get-ADUser
/// -Identity jdoe`; red team, round 11): `s..e` is the flag's word after its one `-`. The
/// name, bare or quoted, is replaced. The end of what was matched.
pub(crate) fn powershell_user_flag(
    low: &[u8],
    s: usize,
    e: usize,
    spans: &mut Vec<Span>,
) -> Option<usize> {
    if !matches!(&low[s..e], b"identity" | b"samaccountname" | b"username")
        || s == 0
        || low[s - 1] != b'-'
        || (s >= 2 && !matches!(low[s - 2], b' ' | b'\t'))
    {
        return None;
    }
    let (v, end) = argument_after(low, e, false)?;
    push_name(low, v, end, spans).then_some(end)
}

/// `-l`, `-u` or `-U` at `s` (the letter after a `-` that starts a flag) of a command that
/// reads it as a login name ([`USER_FLAGS`], `… login -u`): the name is replaced, attached
/// (`-ujdoe`) or the next argument. The end of what was matched.
pub(crate) fn short_user_flag(
    dec: &[u8],
    low: &[u8],
    s: usize,
    spans: &mut Vec<Span>,
) -> Option<usize> {
    let flag = *dec.get(s)?;
    if s == 0 || low[s - 1] != b'-' || !matches!(flag, b'l' | b'u' | b'U') {
        return None;
    }
    let k = s - 1;
    if !flag_starts(low, k) || !user_flag_of(low, k, flag) {
        return None;
    }
    // `['-u', 'jdoe']`, `"-u","jdoe"`: the flag is a quoted list item; the name is the next.
    if k > 0 && matches!(low[k - 1], b'"' | b'\'') {
        let q = low[k - 1];
        if low.get(s + 1) != Some(&q) {
            return None;
        }
        let mut v = crate::bytes::skip_spaces(low, s + 2);
        if low.get(v) != Some(&b',') {
            return None;
        }
        v = crate::bytes::skip_spaces(low, v + 1);
        if low.get(v) != Some(&q) {
            return None;
        }
        v += 1;
        let close = low[v..low.len().min(v + 257)]
            .iter()
            .position(|&c| c == q)?;
        return push_login(low, v, v + close, spans);
    }
    let attached = low.get(s + 1).is_some_and(|&c| !matches!(c, b' ' | b'\t'));
    let (v, e) = argument_after(low, s + 1, attached)?;
    push_login(low, v, e, spans)
}

/// `--username jdoe`, `--user-name`, `--login-name`, and `--user` or `--login` of a command
/// of [`USER_FLAGS`] or with a password after `:` (`--user jdoe:…`; `bash --login x` is no
/// name): `s..e` is the flag's last
/// word. The end of what was matched.
pub(crate) fn long_user_flag(
    low: &[u8],
    s: usize,
    e: usize,
    spans: &mut Vec<Span>,
) -> Option<usize> {
    let word = &low[s..e];
    if !matches!(word, b"user" | b"username" | b"login" | b"name") {
        return None;
    }
    let mut k = s;
    while k > 0 && (low[k - 1].is_ascii_alphanumeric() || matches!(low[k - 1], b'-' | b'_')) {
        k -= 1;
    }
    let flag = &low[k..e];
    if !flag.starts_with(b"--") || !flag_starts(low, k) {
        return None;
    }
    let flag = &flag[2..];
    if !matches!(
        flag,
        b"user" | b"username" | b"user-name" | b"login" | b"login-name"
    ) {
        return None;
    }
    if !matches!(low.get(e), Some(b' ' | b'\t')) {
        return None;
    }
    let (v, end) = argument_after(low, e, false)?;
    if matches!(flag, b"user" | b"login") {
        // `name:password` only for the tools that take one (`docker run --user node:node`
        // is a uid and a gid); a bare name for the commands of [`USER_FLAGS`].
        let colon = low[v..end].contains(&b':');
        let known = if colon {
            crate::spoken::segment_words(low, k).any(|name| CREDENTIAL_USER.contains(&name))
        } else {
            crate::spoken::segment_words(low, k)
                .any(|name| USER_FLAGS.iter().any(|(cmds, _)| cmds.contains(&name)))
        };
        if !known {
            return None;
        }
    }
    push_login(low, v, end, spans)
}

/// A `.netrc` line's `login jdoe` (`machine api.example.com login jdoe password …`,
/// `default login …`), or a line of a `.netrc` written over several lines: `login jdoe`
/// alone on an indented line, or `login jdoe password …` alone on its line. `s..e` is the
/// word `login`. The end of what was matched.
pub(crate) fn netrc_login(low: &[u8], s: usize, e: usize, spans: &mut Vec<Span>) -> Option<usize> {
    let before = &low[..s];
    let line_start = before
        .iter()
        .rposition(|&c| c == b'\n')
        .map_or(0, |p| p + 1);
    let head = &before[line_start..];
    let words = || {
        head.split(|c| c.is_ascii_whitespace())
            .filter(|w| !w.is_empty())
    };
    let machine = words().any(|w| w == b"machine");
    let default = words().any(|w| w == b"default");
    let alone = words().next().is_none();
    if !(machine || default || alone) || !matches!(low.get(e), Some(b' ' | b'\t')) {
        return None;
    }
    let (v, end) = argument_after(low, e, false)?;
    // (Not the `\r` of a CRLF line; a quoted login keeps its spaces.)
    let mut end = end;
    while end > v && low[end - 1].is_ascii_whitespace() {
        end -= 1;
    }
    let password_next = low[end..].starts_with(b" password ");
    // `default login jdoe password …` (not macOS's "default login keychain").
    if default && !machine && !password_next {
        return None;
    }
    if alone && !machine && !default {
        let rest = &low[end..];
        let line_ends = rest
            .iter()
            .position(|&c| c == b'\n' || c == b'\r')
            .map_or(rest, |p| &rest[..p])
            .iter()
            .all(|c| c.is_ascii_whitespace());
        // (`  login successful`, `  login failed` are log lines.)
        let word = &low[v..end];
        if !(password_next || (!head.is_empty() && line_ends))
            || matches!(
                word,
                b"successful"
                    | b"succeeded"
                    | b"failed"
                    | b"failure"
                    | b"required"
                    | b"ok"
                    | b"error"
                    | b"expired"
                    | b"complete"
                    | b"completed"
                    | b"page"
                    | b"denied"
            )
        {
            return None;
        }
    }
    push_login(low, v, end, spans)
}

/// `chown jdoe file`, `chown -R jdoe:staff dir`: `s..e` is the word `chown` (a command:
/// at the start of the text or after a space, quote or shell separator). The owner is
/// replaced (the group after `:` stays: a group is not a person).
pub(crate) fn chown_owner(low: &[u8], s: usize, e: usize, spans: &mut Vec<Span>) -> Option<usize> {
    if !command_at(low, s) {
        return None;
    }
    if s > 0
        && !matches!(
            low[s - 1],
            b' ' | b'\t' | b'"' | b'\'' | b'|' | b';' | b'&' | b'(' | b'/'
        )
    {
        return None;
    }
    let mut v = e;
    loop {
        while matches!(low.get(v), Some(b' ' | b'\t')) {
            v += 1;
        }
        if low.get(v) != Some(&b'-') {
            break;
        }
        // Options (`-R`, `--recursive`, `--from=…`).
        v = argument_end(low, v);
    }
    let (v, end) = argument_after(low, v, true)?;
    let owner_end = v + low[v..end]
        .iter()
        .position(|&c| c == b':' || c == b'.')
        .unwrap_or(end - v);
    push_login(low, v, owner_end, spans)?;
    Some(end)
}

/// Whether `word` (lower case) is one of [`USER_COMMANDS`].
pub(crate) fn is_user_command(word: &[u8]) -> bool {
    USER_COMMANDS.contains(&word)
}

/// Whether the word at `s` is a command: at the start of the text, after a prompt (`$ `,
/// `# `, `> `), a shell separator or quote, or after `sudo`, `doas`, `exec`, `nohup`,
/// `time` or `then`; a path before it (`/usr/sbin/useradd`) is part of the word.
fn command_at(low: &[u8], s: usize) -> bool {
    // The word is the whole token or its file name (`aws_access_key_id =` is no `id`).
    if s > 0
        && (low[s - 1].is_ascii_alphanumeric()
            || low[s - 1] >= 0x80
            || matches!(low[s - 1], b'_' | b'-' | b'.'))
    {
        return false;
    }
    let mut k = s;
    while k > 0
        && (low[k - 1].is_ascii_alphanumeric() || matches!(low[k - 1], b'/' | b'.' | b'_' | b'-'))
    {
        k -= 1;
    }
    let mut j = k;
    while j > 0 && matches!(low[j - 1], b' ' | b'\t') {
        j -= 1;
    }
    if j == 0 {
        return true;
    }
    if matches!(
        low[j - 1],
        b'|' | b';' | b'&' | b'(' | b'`' | b'$' | b'#' | b'>' | b'"' | b'\'' | b'['
    ) {
        return j < k || matches!(low[j - 1], b'(' | b'`' | b'"' | b'\'' | b'[');
    }
    let w = j - low[..j]
        .iter()
        .rev()
        .take_while(|c| c.is_ascii_alphabetic())
        .count();
    j > w
        && matches!(
            &low[w..j],
            b"sudo" | b"doas" | b"exec" | b"nohup" | b"time" | b"then" | b"do"
        )
        && (w == 0 || !low[w - 1].is_ascii_alphanumeric())
}

/// `su - jdoe`, `passwd jdoe`, `useradd -m -s /bin/bash jdoe`, `finger jdoe` ([`USER_COMMANDS`]
/// run as commands, see [`command_at`]): `s..e` is the command word. Its plain arguments (not
/// options, paths, numbers or `$` references) to the end of the shell segment are replaced.
/// The end of what was read.
pub(crate) fn user_command(
    dec: &[u8],
    low: &[u8],
    s: usize,
    e: usize,
    spans: &mut Vec<Span>,
) -> Option<usize> {
    // Typed in lower case (`Su casa`, `Id` in a sentence are no commands).
    if !dec[s..e].iter().all(u8::is_ascii_lowercase)
        || !USER_COMMANDS.contains(&&low[s..e])
        || !matches!(low.get(e), Some(b' ' | b'\t'))
        || !command_at(low, s)
    {
        return None;
    }
    let mut v = e;
    let mut last = None;
    for _ in 0..8 {
        while matches!(low.get(v), Some(b' ' | b'\t')) {
            v += 1;
        }
        if matches!(
            low.get(v),
            None | Some(b'|' | b';' | b'&' | b')' | b'>' | b'<' | b'`' | b'#')
        ) {
            break;
        }
        // The whole argument, to the next blank or shell separator; a name is one made of
        // name characters only, bare or in one pair of quotes (anything else is skipped
        // whole, so a replacement beside odd bytes reads the same way again).
        let end = v + low[v..]
            .iter()
            .take_while(|&&c| !matches!(c, b' ' | b'\t' | b'|' | b';' | b'&' | b'>' | b'<' | b'`'))
            .count();
        let mut arg = (v, end);
        if let (Some(&q @ (b'"' | b'\'')), true) = (low.get(v), end - v >= 2) {
            if low[end - 1] == q {
                arg = (v + 1, end - 1);
            }
        }
        let name = &low[arg.0..arg.1];
        let plain = !name.is_empty()
            && name[0].is_ascii_alphanumeric()
            && name
                .iter()
                .all(|&c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'-'));
        if plain && push_name(low, arg.0, arg.1, spans) {
            last = Some(end);
        }
        v = end;
    }
    last
}

/// What an SSH server or PAM logs about a login (`Accepted publickey for jdoe from …`,
/// `Invalid user jdoe from …`, `session opened for user jdoe(uid=1000) by …`,
/// `Connection closed by authenticating user jdoe …`): `s..e` is the word `user` or
/// `for`. The login name is replaced; the end of what was matched.
pub(crate) fn auth_log_user(
    low: &[u8],
    s: usize,
    e: usize,
    spans: &mut Vec<Span>,
) -> Option<usize> {
    let word = &low[s..e];
    if low.get(e) != Some(&b' ') {
        return None;
    }
    let v = e + 1;
    let end = v + low[v..]
        .iter()
        .take(64)
        .take_while(|&&c| {
            c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.' | b'@' | b'\\')
        })
        .count();
    let mut name_end = end;
    while name_end > v && low[name_end - 1] == b'.' {
        name_end -= 1;
    }
    if name_end == v {
        return None;
    }
    let rest = &low[name_end..];
    // `… from 203.0.113.9 port 22`: what sshd writes after a login name.
    let from_port = rest.starts_with(b" from ") && {
        let a = 6;
        let host_end = a + rest[a..]
            .iter()
            .take_while(|&&c| !c.is_ascii_whitespace())
            .count();
        rest[host_end..].starts_with(b" port ")
    };
    let told_by_what_follows = rest.starts_with(b"(uid=");
    let before = &low[s.saturating_sub(48)..s];
    let cued = match word {
        b"user" => {
            told_by_what_follows
                || before.ends_with(b"invalid ")
                || before.ends_with(b"illegal ")
                || before.ends_with(b"authenticating ")
                || before.ends_with(b"disconnected from ")
                || before.ends_with(b"closed by ")
                // logind: `New session 3 of user jdoe.`, `Started Session 3 of User jdoe.`
                || (before.ends_with(b" of ") && memchr::memmem::find(before, b"session ").is_some())
        }
        // `Accepted password for jdoe from`, `Failed publickey for jdoe from`.
        b"for" => {
            from_port
                && (memchr::memmem::find(before, b"accepted ").is_some()
                    || memchr::memmem::find(before, b"failed ").is_some()
                    || memchr::memmem::find(before, b"postponed ").is_some())
        }
        _ => false,
    };
    if !cued || &low[v..name_end] == b"invalid" || &low[v..name_end] == b"user" {
        return None;
    }
    push_login(low, v, name_end, spans)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the login detectors replace in `text`, as (matched text, rule).
    fn found(text: &str) -> Vec<(String, Rule)> {
        let low = text.to_ascii_lowercase();
        let (dec, low) = (text.as_bytes(), low.as_bytes());
        let mut spans = Vec::new();
        let mut i = 0;
        while i < low.len() {
            if !low[i].is_ascii_alphabetic() {
                i += 1;
                continue;
            }
            let e = crate::bytes::letters_end(low, i);
            let r = short_user_flag(dec, low, i, &mut spans)
                .or_else(|| long_user_flag(low, i, e, &mut spans))
                .or_else(|| {
                    (&low[i..e] == b"login")
                        .then(|| netrc_login(low, i, e, &mut spans))
                        .flatten()
                })
                .or_else(|| {
                    (&low[i..e] == b"chown")
                        .then(|| chown_owner(low, i, e, &mut spans))
                        .flatten()
                });
            let r = r
                .or_else(|| user_command(dec, low, i, e, &mut spans))
                .or_else(|| auth_log_user(low, i, e, &mut spans));
            i = r.unwrap_or(e).max(e);
        }
        spans
            .iter()
            .map(|s| (text[s.start..s.end].to_string(), s.rule))
            .collect()
    }

    fn names(text: &str) -> Vec<String> {
        found(text)
            .into_iter()
            .filter(|(_, r)| *r == Rule::PersonName)
            .map(|(t, _)| t)
            .collect()
    }

    #[test]
    fn a_login_flag_of_a_known_command_names_a_person() {
        for (text, want) in [
            ("ssh -l mkowalski build-box", "mkowalski"),
            ("ssh -lmkowalski build-box", "mkowalski"),
            ("psql -U mkowalski -h db -d app", "mkowalski"),
            ("pg_dump -Umkowalski app", "mkowalski"),
            ("mysql -u mkowalski -p app", "mkowalski"),
            ("mysql -umkowalski app", "mkowalski"),
            ("/usr/bin/sudo -u mkowalski ls", "mkowalski"),
            ("exec: docker login -u mkowalski ghcr.io", "mkowalski"),
            ("mongosh --host db -u 'mkowalski'", "mkowalski"),
            ("git push && sudo -u \"mkowalski\" make", "mkowalski"),
            ("crontab -u mkowalski -l", "mkowalski"),
            (
                "spawn docker ['login', '-u', 'mkowalski', '-p', 'x']",
                "mkowalski",
            ),
            (
                r#"{"argv":["docker","login","-u","mkowalski"]}"#,
                "mkowalski",
            ),
        ] {
            assert_eq!(names(text), vec![want.to_string()], "{text}");
        }
    }

    #[test]
    fn a_password_carried_with_the_name_goes_too() {
        let f = found("curl -u mkowalski:S3cr3tPw https://x");
        assert_eq!(
            f,
            vec![
                ("mkowalski".into(), Rule::PersonName),
                ("S3cr3tPw".into(), Rule::ToldCredential)
            ]
        );
        let f = found("smbclient //fs/share -U mkowalski%Tr0ub4dor");
        assert_eq!(
            f,
            vec![
                ("mkowalski".into(), Rule::PersonName),
                ("Tr0ub4dor".into(), Rule::ToldCredential)
            ]
        );
        let f = found("lftp -u mkowalski,Tr0ub4dor ftp.example.com");
        assert_eq!(f.len(), 2, "{f:?}");
    }

    #[test]
    fn the_same_letters_elsewhere_are_not_names() {
        for text in [
            "scp -l 8000 file host:",
            "ls -l build",
            "docker run -u 1000:1000 img",
            "docker run -u builder img",
            "tar -U file",
            "sort -u names.txt",
            "pip install --user requests",
            "bash --login build.sh",
            "grep -l pattern files",
            "ssh -l root host",
            "sudo -u postgres psql",
            "sudo -u $USER ls",
            "psql -U <user> app",
            "mysql-u mkowalski",
            "find . -user mkowalski",
            "ssh box wc -l access.log",
            "sudo sort -u names.txt",
            "sudo docker run -u builder img",
            "docker run --user node:node img",
            "default login keychain unlocked",
            "az login -u jdoe@example.com",
        ] {
            assert!(names(text).is_empty(), "{text}: {:?}", names(text));
        }
    }

    #[test]
    fn long_flags_netrc_and_chown() {
        assert_eq!(names("gh auth login --username mkowalski"), ["mkowalski"]);
        assert_eq!(names("tool --user-name 'mkowalski'"), ["mkowalski"]);
        assert_eq!(
            names("redis-cli --user mkowalski:pw --pass x"),
            ["mkowalski"]
        );
        assert_eq!(names("mysql --user mkowalski app"), ["mkowalski"]);
        assert_eq!(
            names("machine api.example.com login mkowalski password hunter2"),
            ["mkowalski"]
        );
        assert_eq!(
            names("default login mkowalski password hunter2"),
            ["mkowalski"]
        );
        assert!(names("please login mkowalski to continue").is_empty());
        // A `.netrc` over several lines.
        assert_eq!(names("  login mkowalski"), ["mkowalski"]);
        assert_eq!(names("\tlogin mkowalski\r"), ["mkowalski"]);
        assert_eq!(names("login mkowalski password hunter2"), ["mkowalski"]);
        assert!(names("login mkowalski").is_empty());
        assert!(names("login successful for the session").is_empty());
        assert!(names("  login failed: bad gateway").is_empty());
        assert!(names("  login successful").is_empty());
        assert_eq!(
            names("machine h login \"Mk Owalski\" password x"),
            ["Mk Owalski"]
        );
        assert_eq!(names("chown mkowalski:staff file"), ["mkowalski"]);
        assert_eq!(names("sudo chown -R mkowalski /srv"), ["mkowalski"]);
        assert!(names("then we chown the directory").is_empty());
        assert!(names("chown root:root /srv").is_empty());
    }

    #[test]
    fn commands_that_take_a_user() {
        assert_eq!(names("su - mkowalski"), ["mkowalski"]);
        assert_eq!(names("$ sudo passwd mkowalski"), ["mkowalski"]);
        assert_eq!(
            names("/usr/sbin/useradd -m -s /bin/bash mkowalski"),
            ["mkowalski"]
        );
        assert_eq!(names("finger mkowalski; ls"), ["mkowalski"]);
        // `id` and `groups` label values in logs more often than they run as commands.
        assert!(names("id Zq81kXv93LmQpRt").is_empty());
        assert_eq!(names("ps -u mkowalski"), ["mkowalski"]);
        assert!(names("the id field and su values").is_empty());
        assert!(names("passwd: password updated successfully").is_empty());
        assert!(names("su root").is_empty());
        assert!(names("A[\" Su casa es grande").is_empty());
        assert!(names("aws_access_key_id = AKIAQ7RT5ZP2WX8KLMNC").is_empty());
        assert!(names("x.id abc").is_empty());
    }

    #[test]
    fn what_sshd_and_pam_log_about_a_login() {
        for text in [
            "sshd[812]: Accepted publickey for mkowalski from 203.0.113.9 port 51234 ssh2",
            "sshd[812]: Failed password for invalid user mkowalski from 203.0.113.9 port 22",
            "Invalid user mkowalski from 203.0.113.9 port 40022",
            "pam_unix(sshd:session): session opened for user mkowalski(uid=1000) by (uid=0)",
            "Connection closed by authenticating user mkowalski 203.0.113.9 port 22 [preauth]",
            "Disconnected from user mkowalski 203.0.113.9 port 22",
            "systemd-logind[1]: New session 3 of user mkowalski.",
            "systemd[1]: Started Session 3 of User mkowalski.",
        ] {
            assert_eq!(names(text), ["mkowalski"], "{text}");
        }
        assert!(names("settings for user interface").is_empty());
        assert!(names("Loaded user config from ~/.codex/config.toml").is_empty());
        assert!(names("Failed to refresh token for account from keychain").is_empty());
        assert!(found("tool --user \"<string:1>\"").is_empty());
        assert!(found("docker login -u \"<string:9>\"").is_empty());
        assert!(names("Accepted the terms for now").is_empty());
    }
}
