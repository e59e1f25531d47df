//! What OS tools print about users and machines, in the columns and prefixes they always
//! use (red team, rounds 9 and 10; known leaks since round 7): the owner and group of an
//! `ls -l`, `tar -tv` or eza line, the user column of `ps aux`, `ps -ef` and `top`, `id`'s
//! `uid=1000(name)`, `stat`'s `Uid: ( 1000/ name)`, sudo's log line (`sudo:   name :
//! TTY=…`, journald's `sudo[1]:`, its refusals), the machine of a syslog or journal line
//! (`Jan 01 00:00:00 host prog[1]:`, also with an ISO time) and of `uname -a`, the author
//! of a `git blame` line, the resource a user named in an AWS ARN, the display name of a
//! Slack mention. Each is an ordinary word the gate keeps; the layout says what it is.
//! System accounts and groups (`root`, `staff`, `wheel`, …) and `localhost` stay.

use crate::rules::Rule;
use crate::span::{Repl, Span};

/// The end of a user, group or host name starting at `v` (letters, digits, `.`, `_`, `-`,
/// `+` as `ps` marks a cut name, `$` of a machine account).
fn name_end(low: &[u8], v: usize) -> usize {
    let mut e = v;
    while e < low.len()
        && (low[e].is_ascii_alphanumeric() || matches!(low[e], b'.' | b'_' | b'-' | b'+' | b'$'))
    {
        e += 1;
    }
    e
}

/// Replaces the name `low[v..e]` unless it is a system name, a number, a marker or a
/// pseudonym.
fn push_name(low: &[u8], v: usize, e: usize, rule: Rule, spans: &mut Vec<Span>) -> bool {
    let name = &low[v..e];
    if name.is_empty()
        || !name.iter().any(u8::is_ascii_alphabetic)
        || crate::logins::system_name(name)
        || crate::rules::only_markers(name)
        || crate::pseudonym::looks_like_pseudonym(name)
    {
        return false;
    }
    spans.push(Span::new(v, e, rule, Repl::Redacted));
    true
}

fn spaces(low: &[u8], mut i: usize) -> usize {
    while matches!(low.get(i), Some(b' ' | b'\t')) {
        i += 1;
    }
    i
}

/// The name that follows spaces from `i` (`(start, end)`): none without a space before it
/// or without a name character.
fn spaced_name(low: &[u8], i: usize) -> Option<(usize, usize)> {
    let v = spaces(low, i);
    let e = name_end(low, v);
    (v > i && e > v).then_some((v, e))
}

fn digits(low: &[u8], i: usize) -> usize {
    crate::bytes::digits_end(low, i.min(low.len()))
}

/// Whether `low[m..m + 10]` is a file mode as `ls -l` prints it (`-rw-------`,
/// `drwxr-xr-x`, `lrwxrwxrwx`; eza writes a plain file's as `.rw-r--r--`).
fn file_mode(low: &[u8], m: usize) -> bool {
    let Some(mode) = low.get(m..m + 10) else {
        return false;
    };
    matches!(
        mode[0],
        b'-' | b'd' | b'l' | b'c' | b'b' | b'p' | b's' | b'.'
    ) && mode[1..]
        .iter()
        .all(|c| matches!(c, b'-' | b'r' | b'w' | b'x' | b's' | b't'))
        && mode[1..].iter().any(|&c| c != b'-')
}

/// An `ls -l` line whose file mode starts at `m` (a word's start): `-rw------- 1 jdoe staff
/// 1234 Jan  1 00:00 file`; also `tar -tv`'s `-rw-r--r-- jdoe/staff 1024 2026-01-01 …` and
/// eza's `.rw-r--r--@ 1.0k jdoe  1 Jan 10:00 file` (size first, the group only with `-g`).
/// The owner and the group are replaced; the end of the group (or owner).
pub(crate) fn ls_long_at(low: &[u8], m: usize, spans: &mut Vec<Span>) -> Option<usize> {
    if !(m == 0 || matches!(low[m - 1], b' ' | b'\t')) || !file_mode(low, m) {
        return None;
    }
    let mut i = m + 10;
    if matches!(low.get(i), Some(b'.' | b'+' | b'@')) {
        i += 1;
    }
    let links = spaces(low, i);
    if links == i {
        return None;
    }
    ls_rest(low, links, spans).or_else(|| tar_or_eza(low, links, spans))
}

/// The rest of an `ls -l` line from `links`, the word after the mode: the link count, the
/// owner, the group and a size.
fn ls_rest(low: &[u8], links: usize, spans: &mut Vec<Span>) -> Option<usize> {
    let after_links = digits(low, links);
    if after_links == links {
        return None;
    }
    let (owner, owner_end) = spaced_name(low, after_links)?;
    let (group, group_end) = spaced_name(low, owner_end)?;
    let size = spaces(low, group_end);
    if size == group_end || !low.get(size).is_some_and(u8::is_ascii_digit) {
        return None;
    }
    push_name(low, owner, owner_end, Rule::PersonName, spans);
    push_name(low, group, group_end, Rule::PersonName, spans);
    Some(group_end)
}

/// The rest of a `tar -tv` or eza line from `w`, the word after the mode (see
/// [`ls_long_at`]).
fn tar_or_eza(low: &[u8], w: usize, spans: &mut Vec<Span>) -> Option<usize> {
    // A date as these tools print it: `2026-01-01`, `1 Jan`, `Jan  1`.
    let date_at = |i: usize| {
        let r = &low[i.min(low.len())..];
        let d = r.iter().take_while(|c| c.is_ascii_digit()).count();
        let month = |t: &[u8]| t.len() >= 3 && MONTHS.contains(&&t[..3]);
        (d == 4 && r.get(4) == Some(&b'-') && r.get(5).is_some_and(u8::is_ascii_digit))
            || ((1..=2).contains(&d) && r.get(d) == Some(&b' ') && month(&r[spaces(r, d)..]))
            || (month(r) && r.get(3) == Some(&b' '))
    };
    let first_end = name_end(low, w);
    // tar: `jdoe/staff`, a size and a date.
    if low.get(first_end) == Some(&b'/') {
        let group_end = name_end(low, first_end + 1);
        let size = spaces(low, group_end);
        let size_end = digits(low, size);
        if first_end == w
            || group_end == first_end + 1
            || size == group_end
            || size_end == size
            || !date_at(spaces(low, size_end))
        {
            return None;
        }
        push_name(low, w, first_end, Rule::PersonName, spans);
        push_name(low, first_end + 1, group_end, Rule::PersonName, spans);
        return Some(group_end);
    }
    // eza: a size (`-`, `512`, `1.0k`, `12M`), the owner, maybe the group, then the date
    // (`1 Jan`, `Jan  1`, `2026-01-01`).
    let size_end = if low.get(w) == Some(&b'-') {
        w + 1
    } else {
        let d = digits(low, w);
        let mut e = d;
        if d > w && low.get(e) == Some(&b'.') {
            e = digits(low, e + 1);
        }
        if low.get(e).is_some_and(|c| b"kmgtpe".contains(c)) {
            e += 1;
        }
        if d == w {
            return None;
        }
        e
    };
    let (owner, owner_end) = spaced_name(low, size_end)?;
    let next = spaces(low, owner_end);
    if next == owner_end {
        return None;
    }
    if date_at(next) {
        push_name(low, owner, owner_end, Rule::PersonName, spans);
        return Some(owner_end);
    }
    let (group, group_end) = spaced_name(low, owner_end)?;
    let date = spaces(low, group_end);
    if date == group_end || !date_at(date) {
        return None;
    }
    push_name(low, owner, owner_end, Rule::PersonName, spans);
    push_name(low, group, group_end, Rule::PersonName, spans);
    Some(group_end)
}

/// A `ps aux` line: `jdoe  12345  0.0  0.1 …` (the user, a PID, then %CPU and %MEM), or
/// a `ps -ef` line: `jdoe  12345  1  0 10:02 ?  00:00:01 cmd` (the user, PID, PPID, C,
/// the start time, the terminal and the CPU time). The user is replaced.
pub(crate) fn ps_user(low: &[u8], spans: &mut Vec<Span>) {
    let v = spaces(low, 0);
    let end = name_end(low, v);
    let pid = spaces(low, end);
    if end == v || pid == end {
        return;
    }
    let i = digits(low, pid);
    if i == pid {
        return;
    }
    if ps_aux_rest(low, i) || ps_ef_rest(low, i) {
        push_name(low, v, end, Rule::PersonName, spans);
    }
}

/// A row of `who`, `w`, `last` or `lastb` (red team, round 11): the user, maybe `who -T`'s
/// `+`/`-` column, a terminal (`pts/0`, `tty7`, `console`, `:0`, macOS's `s000`,
/// `ssh:notty`), then a column that starts with a digit, `(`, `-`, `:` or a day's or
/// month's name (`jdoe  pts/0  2026-12-04 10:00 (10.0.0.5)`). The terminal's host column
/// of `w` and `last` (a name, not an address) goes too.
pub(crate) fn who_user(low: &[u8], spans: &mut Vec<Span>) {
    const DAYS_MONTHS: [&[u8]; 19] = [
        b"mon", b"tue", b"wed", b"thu", b"fri", b"sat", b"sun", b"jan", b"feb", b"mar", b"apr",
        b"may", b"jun", b"jul", b"aug", b"sep", b"oct", b"nov", b"dec",
    ];
    let Some((v, end)) = spaced_name(low, 0).or_else(|| {
        let e = name_end(low, 0);
        (e > 0).then_some((0, e))
    }) else {
        return;
    };
    let mut t = spaces(low, end);
    if t == end {
        return;
    }
    // `who -T`'s message status.
    if matches!(low.get(t), Some(b'+' | b'-' | b'?')) && matches!(low.get(t + 1), Some(b' ')) {
        t = spaces(low, t + 1);
    }
    let tty = &low[t..];
    let te = t + tty
        .iter()
        .position(|&c| c == b' ' || c == b'\t')
        .unwrap_or(tty.len());
    let term = &low[t..te];
    let all_digits = |b: &[u8]| !b.is_empty() && b.iter().all(u8::is_ascii_digit);
    let terminal = (term.starts_with(b"pts/") && all_digits(&term[4..]))
        || (term.starts_with(b"tty")
            && term.len() > 3
            && term[3..].iter().all(u8::is_ascii_alphanumeric))
        || term == b"console"
        || term == b"ssh:notty"
        || term == b"notty"
        // An X display, `:0` (`:80` is a port).
        || (term.len() == 2 && term[0] == b':' && term[1].is_ascii_digit())
        || (term.len() == 4 && term[0] == b's' && all_digits(&term[1..]));
    if !terminal {
        return;
    }
    let r = spaces(low, te);
    let Some(&c) = low.get(r) else {
        return;
    };
    // A day's or a month's name as a word (`Fri`, `Dec`; not `market`).
    let named_day = |at: usize| {
        DAYS_MONTHS.iter().any(|d| low[at..].starts_with(d))
            && low.get(at + 3).is_none_or(|c| !c.is_ascii_alphabetic())
    };
    // A login time (`10:00`).
    let time_at = |at: usize| {
        let clock = digits(low, at);
        clock > at && clock - at <= 2 && low.get(clock) == Some(&b':')
    };
    // A date, a time, an address, `:0`; `-` (macOS `w`'s FROM) only before a time.
    let column = c.is_ascii_digit()
        || c == b':'
        || named_day(r)
        || (c == b'-' && low.get(r + 1) == Some(&b' ') && time_at(spaces(low, r + 1)));
    if r == te {
        return;
    }
    // `w`'s and `last`'s FROM column: a host name (an address is the gate's).
    let host = (c.is_ascii_alphabetic() && !column).then(|| (r, name_end(low, r)));
    if let Some((hs, he)) = host {
        let after = spaces(low, he);
        // Then a login time (`10:00`) or a date (`Fri Dec  4`).
        if he > hs
            && after > he
            && (time_at(after) || named_day(after))
            && push_name(low, v, end, Rule::PersonName, spans)
        {
            push_name(low, hs, he, Rule::PersonName, spans);
        }
        return;
    }
    if column {
        push_name(low, v, end, Rule::PersonName, spans);
    }
}

/// A terminal as `ps` prints it: `?`, `??`, `pts/0`, `tty1`, `s000`, `console`.
fn tty_at(low: &[u8], t: usize) -> bool {
    let tty = &low[t.min(low.len())..];
    tty.starts_with(b"? ")
        || tty.starts_with(b"?? ")
        || tty.starts_with(b"pts/")
        || tty.starts_with(b"tty")
        || tty.starts_with(b"console")
        || (tty.first() == Some(&b's') && tty.get(1).is_some_and(u8::is_ascii_digit))
}

/// `ps aux` after the PID (at `i`): %CPU and %MEM, VSZ and RSS, the terminal.
fn ps_aux_rest(low: &[u8], mut i: usize) -> bool {
    // %CPU and %MEM: `0.0`.
    for _ in 0..2 {
        let f = spaces(low, i);
        let whole = digits(low, f);
        if f == i || whole == f || low.get(whole) != Some(&b'.') {
            return false;
        }
        i = digits(low, whole + 1);
        if i == whole + 1 {
            return false;
        }
    }
    // VSZ and RSS, then the terminal.
    for _ in 0..2 {
        let f = spaces(low, i);
        let d = digits(low, f);
        if f == i || d == f {
            return false;
        }
        i = d;
    }
    let t = spaces(low, i);
    t > i && tty_at(low, t)
}

/// `ps -ef` after the PID (at `i`): PPID, C, the start time (`10:02`, `jan04`, `2025`), the
/// terminal and the CPU time (`00:00:01`).
fn ps_ef_rest(low: &[u8], mut i: usize) -> bool {
    for _ in 0..2 {
        let f = spaces(low, i);
        let d = digits(low, f);
        if f == i || d == f {
            return false;
        }
        i = d;
    }
    let st = spaces(low, i);
    if st == i {
        return false;
    }
    let d = digits(low, st);
    let st_end = if d > st && low.get(d) == Some(&b':') {
        digits(low, d + 1)
    } else if d == st + 4 {
        d
    } else if low.len() >= st + 5 && MONTHS.contains(&&low[st..st + 3]) {
        let e = digits(low, st + 3);
        if e == st + 3 {
            return false;
        }
        e
    } else {
        return false;
    };
    let t = spaces(low, st_end);
    if t == st_end || !tty_at(low, t) {
        return false;
    }
    let tty_end = t + low[t..]
        .iter()
        .position(|&c| c == b' ')
        .unwrap_or(low.len() - t);
    let time = spaces(low, tty_end);
    let h = digits(low, time);
    time > tty_end && h > time && low.get(h) == Some(&b':') && digits(low, h + 1) == h + 3
}

/// A process line of `top`: `  4123 jdoe  20   0  1.2g  80m  12m S   1.3  0.5   0:01.02
/// node` (PID, user, priority, nice, three sizes, state, %CPU, %MEM, TIME+). The user is
/// replaced.
pub(crate) fn top_user(low: &[u8], spans: &mut Vec<Span>) {
    let p = spaces(low, 0);
    let pe = digits(low, p);
    let v = spaces(low, pe);
    if pe == p || v == pe {
        return;
    }
    let end = name_end(low, v);
    if end == v {
        return;
    }
    // The fields after the user, each after spaces.
    let mut i = end;
    let mut field = |ok: &dyn Fn(&[u8]) -> bool| {
        let f = spaces(low, i);
        let e = f + low[f..]
            .iter()
            .position(|&c| c == b' ')
            .unwrap_or(low.len() - f);
        let good = f > i && e > f && ok(&low[f..e]);
        i = e;
        good
    };
    let int = |w: &[u8]| {
        let w = w.strip_prefix(b"-").unwrap_or(w);
        !w.is_empty() && w.iter().all(u8::is_ascii_digit)
    };
    let size = |w: &[u8]| {
        let w = w.strip_suffix(b"k").unwrap_or(w);
        let w = match w.last() {
            Some(b'm' | b'g' | b't' | b'p' | b'e') => &w[..w.len() - 1],
            _ => w,
        };
        !w.is_empty() && w.iter().all(|c| c.is_ascii_digit() || *c == b'.') && w[0] != b'.'
    };
    let decimal = |w: &[u8]| {
        let mut parts = w.split(|&c| c == b'.');
        let a = parts.next().unwrap_or_default();
        let b = parts.next().unwrap_or_default();
        !a.is_empty()
            && !b.is_empty()
            && parts.next().is_none()
            && a.iter().chain(b).all(u8::is_ascii_digit)
    };
    let time = |w: &[u8]| {
        let Some(c) = w.iter().position(|&c| c == b':') else {
            return false;
        };
        c > 0 && w[..c].iter().all(u8::is_ascii_digit) && decimal(&w[c + 1..])
    };
    let ok = field(&|w| w == b"rt" || int(w))
        && field(&int)
        && field(&size)
        && field(&size)
        && field(&size)
        && field(&|w| w.len() == 1 && b"rsdztiw".contains(&w[0]))
        && field(&decimal)
        && field(&decimal)
        && field(&time);
    if ok {
        push_name(low, v, end, Rule::PersonName, spans);
    }
}

/// `id`'s output: `uid=1000(jdoe) gid=1000(jdoe) groups=1000(jdoe),27(sudo)`; `s` is the
/// word `uid` before `=`. The user's name is replaced wherever it stands in brackets on the
/// line, and so is a group named otherwise that is no system group.
pub(crate) fn id_output(low: &[u8], s: usize, spans: &mut Vec<Span>) -> Option<usize> {
    let e = s + 3;
    if low.get(e) != Some(&b'=') || (s > 0 && low[s - 1].is_ascii_alphanumeric()) {
        return None;
    }
    let d = digits(low, e + 1);
    if d == e + 1 || low.get(d) != Some(&b'(') {
        return None;
    }
    let mut any = false;
    let mut end = d;
    // Every `N(name)` of the `uid=… gid=… groups=…` tokens: the uid's, the gid's and each
    // group's (not of what follows them on the line).
    let mut i = e + 1;
    let mut tokens = 1;
    let stop = low.len().min(e + 512);
    while i < stop {
        if low[i] == b' ' {
            tokens += 1;
            let rest = &low[i + 1..];
            if tokens > 4
                || !(rest.starts_with(b"gid=")
                    || rest.starts_with(b"groups=")
                    || rest.starts_with(b"context="))
            {
                break;
            }
        }
        let d = digits(low, i);
        if d > i && low.get(d) == Some(&b'(') {
            let ne = name_end(low, d + 1);
            if low.get(ne) == Some(&b')') {
                any |= push_name(low, d + 1, ne, Rule::PersonName, spans);
                end = ne + 1;
                i = ne + 1;
                continue;
            }
        }
        i = d.max(i + 1);
    }
    any.then_some(end)
}

/// `stat`'s owner: `Uid: ( 1000/  jdoe)`, `Gid: ( 1000/  jdoe)`; `s` is the word `uid` or
/// `gid` before `:`. The name is replaced; the end of the bracket.
pub(crate) fn stat_owner(low: &[u8], s: usize, spans: &mut Vec<Span>) -> Option<usize> {
    let e = s + 3;
    if low.get(e) != Some(&b':') {
        return None;
    }
    let open = spaces(low, e + 1);
    if low.get(open) != Some(&b'(') {
        return None;
    }
    let n = spaces(low, open + 1);
    let d = digits(low, n);
    if d == n || low.get(d) != Some(&b'/') {
        return None;
    }
    let v = spaces(low, d + 1);
    let ne = name_end(low, v);
    if low.get(spaces(low, ne)) != Some(&b')') {
        return None;
    }
    push_name(low, v, ne, Rule::PersonName, spans);
    Some(ne)
}

/// sudo's log line: `sudo:   jdoe : TTY=pts/0 ; PWD=… ; USER=root ; COMMAND=…`, also with
/// the process id journald writes (`sudo[1234]:`), a count before the cue (`jdoe : 3
/// incorrect password attempts ; …`) and the refusals (`jdoe : user NOT in sudoers ; …`,
/// `sudo: jdoe is not in the sudoers file.`, `jdoe is not allowed to run sudo on box.`);
/// `s` is the word `sudo`. The invoking user is replaced.
pub(crate) fn sudo_log(low: &[u8], s: usize, spans: &mut Vec<Span>) -> Option<usize> {
    let mut e = s + 4;
    if low.get(e) == Some(&b'[') {
        let d = digits(low, e + 1);
        if d == e + 1 || low.get(d) != Some(&b']') {
            return None;
        }
        e = d + 1;
    }
    if low.get(e) != Some(&b':') {
        return None;
    }
    let v = spaces(low, e + 1);
    let ne = name_end(low, v);
    if ne == v {
        return None;
    }
    let after = spaces(low, ne);
    let told = if low.get(after) == Some(&b':') {
        let mut r = spaces(low, after + 1);
        // `3 incorrect password attempts`.
        let d = digits(low, r);
        if d > r && low.get(d) == Some(&b' ') {
            r = d + 1;
        }
        let rest = &low[r..];
        [
            &b"tty="[..],
            b"pwd=",
            b"user=",
            b"command=",
            b"auth",
            b"incorrect",
            b"a password",
            b"user not in sudoers",
            b"command not allowed",
        ]
        .iter()
        .any(|k| rest.starts_with(k))
    } else {
        let rest = &low[ne..];
        rest.starts_with(b" is not in the sudoers file")
            || rest.starts_with(b" is not allowed to run sudo")
    };
    if !told {
        return None;
    }
    push_name(low, v, ne, Rule::PersonName, spans);
    Some(ne)
}

const MONTHS: [&[u8]; 12] = [
    b"jan", b"feb", b"mar", b"apr", b"may", b"jun", b"jul", b"aug", b"sep", b"oct", b"nov", b"dec",
];

/// The end of a syslog time at the start of a line: `Jan  1 00:00:00` or an ISO time
/// (`2026-01-01T00:00:00.123456+00:00`).
fn syslog_time_end(low: &[u8]) -> Option<usize> {
    if low.len() >= 15 && MONTHS.contains(&&low[..3]) && low[3] == b' ' {
        let day = spaces(low, 4);
        let de = digits(low, day);
        let t = de + 1;
        let ok = (1..=2).contains(&(de - day))
            && low.get(de) == Some(&b' ')
            && low.get(t..t + 8).is_some_and(|h| {
                h[2] == b':'
                    && h[5] == b':'
                    && h.iter()
                        .enumerate()
                        .all(|(k, c)| k == 2 || k == 5 || c.is_ascii_digit())
            });
        return ok.then_some(t + 8);
    }
    if low.len() >= 20 && digits(low, 0) == 4 && low[4] == b'-' && low[10] == b't' {
        let mut i = 11;
        while i < low.len()
            && (low[i].is_ascii_digit() || matches!(low[i], b':' | b'.' | b'+' | b'-' | b'z'))
        {
            i += 1;
        }
        return Some(i);
    }
    None
}

/// The machine of a syslog or journal line (`Jan 01 00:00:00 zq-nuc sshd[812]: …`): the
/// word after the time, when a program's tag (`name:` or `name[pid]:`) follows it.
pub(crate) fn syslog_host(dec: &[u8], low: &[u8], spans: &mut Vec<Span>) {
    let Some(t) = syslog_time_end(low) else {
        return;
    };
    let h = t + 1;
    if low.get(t) != Some(&b' ') {
        return;
    }
    let he = name_end(low, h);
    if he == h || low.get(he) != Some(&b' ') {
        return;
    }
    // The tag: a program name, then `[pid]` or not, then `:`.
    let p = he + 1;
    let mut pe = p;
    while pe < low.len()
        && (low[pe].is_ascii_alphanumeric()
            || matches!(low[pe], b'-' | b'_' | b'.' | b'/' | b'(' | b')'))
    {
        pe += 1;
    }
    if pe == p {
        return;
    }
    if low.get(pe) == Some(&b'[') {
        let d = digits(low, pe + 1);
        if d == pe + 1 || low.get(d) != Some(&b']') {
            return;
        }
        pe = d + 1;
    }
    // `prog: msg` (a Rust `module::path:` after a level is no syslog tag).
    if low.get(pe) == Some(&b':')
        && matches!(low.get(pe + 1), None | Some(b' '))
        && !LEVELS.contains(&&low[h..he])
        && !dec[h..he].iter().all(|c| !c.is_ascii_lowercase())
    {
        push_name(low, h, he, Rule::PersonName, spans);
    }
}

/// Log levels and HTTP methods, which stand where a syslog line has its machine.
const LEVELS: &[&[u8]] = &[
    b"error",
    b"warn",
    b"warning",
    b"info",
    b"debug",
    b"trace",
    b"fatal",
    b"notice",
    b"crit",
    b"critical",
    b"alert",
    b"emerg",
    b"err",
    b"get",
    b"post",
    b"put",
    b"delete",
    b"patch",
    b"head",
    b"options",
];

/// `uname -a`: `Linux zq-box 6.6.1-arch1-1 #1 SMP …`, `Darwin zq-mbp 23.1.0 Darwin Kernel …`:
/// the machine after the system's name, when a release number follows it.
pub(crate) fn uname_host(low: &[u8], spans: &mut Vec<Span>) {
    let v = spaces(low, 0);
    let sys = crate::bytes::letters_end(low, v);
    if !matches!(
        &low[v..sys],
        b"linux" | b"darwin" | b"freebsd" | b"openbsd" | b"netbsd"
    ) || low.get(sys) != Some(&b' ')
    {
        return;
    }
    let h = sys + 1;
    let he = name_end(low, h);
    if he == h || low.get(he) != Some(&b' ') || !low.get(he + 1).is_some_and(u8::is_ascii_digit) {
        return;
    }
    // The release (`6.6.1-arch1-1`, `23.1.0`), then the build (`#1 SMP …`, `Darwin Kernel`).
    let rel_end = he
        + 1
        + low[he + 1..]
            .iter()
            .take_while(|c| !c.is_ascii_whitespace())
            .count();
    let rest = &low[rel_end..];
    if rest.starts_with(b" #")
        || rest.starts_with(b" darwin kernel")
        || rest.starts_with(b" freebsd ")
    {
        push_name(low, h, he, Rule::PersonName, spans);
    }
}

/// Whether `t` starts with a git date: `2026-01-01 00:00:00 +0000`.
fn git_date(t: &[u8]) -> bool {
    const SHAPE: &[u8] = b"dddd-dd-dd dd:dd:dd +dddd";
    t.len() >= SHAPE.len()
        && t.iter().zip(SHAPE).all(|(&c, &p)| match p {
            b'd' => c.is_ascii_digit(),
            b'+' => c == b'+' || c == b'-',
            _ => c == p,
        })
}

/// `git blame`: `^abc1234 (Jane Doe 2026-01-01 00:00:00 +0000 12) code`, also with a file
/// name before the bracket. The author goes.
pub(crate) fn blame_author(low: &[u8], spans: &mut Vec<Span>) {
    let id_start = usize::from(low.first() == Some(&b'^'));
    let id_end = id_start
        + low[id_start..]
            .iter()
            .take_while(|c| c.is_ascii_hexdigit())
            .count();
    let id = &low[id_start..id_end];
    if id.len() < 4
        || low.get(id_end) != Some(&b' ')
        || !id.iter().any(u8::is_ascii_digit)
        || id.iter().all(u8::is_ascii_digit)
    {
        return;
    }
    let Some(open) = low[id_end..low.len().min(id_end + 256)]
        .iter()
        .position(|&c| c == b'(')
        .map(|p| id_end + p)
    else {
        return;
    };
    let a = open + 1;
    let Some(date) =
        (a..low.len().min(a + 128)).find(|&i| low[i - 1] == b' ' && git_date(&low[i..]))
    else {
        return;
    };
    let mut e = date;
    while e > a && low[e - 1] == b' ' {
        e -= 1;
    }
    if e > a && !crate::rules::only_markers(&low[a..e]) {
        spans.push(Span::new(a, e, Rule::PersonName, Repl::Redacted));
    }
}

/// An AWS ARN (`arn:aws:bedrock:us-east-1:123456789012:inference-profile/my-profile`,
/// `arn:aws:iam::123456789012:user/jdoe`, `arn:aws:s3:::my-bucket`): the resource a user
/// named goes (after its type: `inference-profile/`, `user/`); AWS's own resources (no
/// account: `…::foundation-model/anthropic.claude-…`) stay, except S3 buckets.
pub(crate) fn arn_resources(low: &[u8], spans: &mut Vec<Span>) {
    static ARN: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
        std::sync::LazyLock::new(|| memchr::memmem::Finder::new(b"arn:aws"));
    for at in ARN.find_iter(low) {
        if at > 0 && (low[at - 1].is_ascii_alphanumeric() || low[at - 1] == b'_') {
            continue;
        }
        let end = at
            + low[at..]
                .iter()
                .take_while(|&&c| {
                    !matches!(
                        c,
                        b' ' | b'\t' | b'"' | b'\'' | b',' | b')' | b']' | b'}' | b'>' | b'\\'
                    )
                })
                .count();
        let arn = &low[at..end];
        // A field already replaced (`<string:12>` holds a `:` of its own): read no further.
        if arn.contains(&b'<') {
            continue;
        }
        // arn:partition:service:region:account:resource
        let mut colons = arn
            .iter()
            .enumerate()
            .filter(|(_, &c)| c == b':')
            .map(|(i, _)| i);
        let (Some(_), Some(c2), Some(c3), Some(c4), Some(c5)) = (
            colons.next(),
            colons.next(),
            colons.next(),
            colons.next(),
            colons.next(),
        ) else {
            continue;
        };
        let service = &arn[c2 + 1..c3];
        let account = &arn[c4 + 1..c5];
        let resource = (at + c5 + 1, end);
        if resource.1 <= resource.0 {
            continue;
        }
        let id = if service == b"s3" {
            resource.0
        } else if !account.is_empty() {
            low[resource.0..resource.1]
                .iter()
                .position(|&c| c == b'/' || c == b':')
                .map_or(resource.0, |p| resource.0 + p + 1)
        } else {
            continue;
        };
        // AWS's own inference profiles live under the user's account but name a model
        // (`inference-profile/us.anthropic.claude-3-5-sonnet-…`): the model stays.
        if service == b"bedrock" && model_id(&low[id..resource.1]) {
            continue;
        }
        // (Already replaced: a marker stays, so a redacted ARN reads the same again.)
        if id < resource.1 && !matches!(low[id], b'[' | b'<') {
            spans.push(Span::new(id, resource.1, Rule::PersonName, Repl::Redacted));
        }
    }
}

/// A Bedrock model id, with or without a cross-region prefix (`us.`, `eu.`, `apac.`,
/// `global.`): a vendor's name and a `.` start it.
fn model_id(id: &[u8]) -> bool {
    let id = [&b"us."[..], b"eu.", b"apac.", b"global.", b"us-gov."]
        .iter()
        .find_map(|p| id.strip_prefix(*p))
        .unwrap_or(id);
    [
        &b"anthropic."[..],
        b"amazon.",
        b"meta.",
        b"mistral.",
        b"cohere.",
        b"ai21.",
        b"deepseek.",
        b"writer.",
        b"openai.",
        b"qwen.",
        b"stability.",
    ]
    .iter()
    .any(|v| id.starts_with(v))
}

/// A Slack mention with its display name (`<@U04ABCD1EFG|jane.doe>`): the name goes.
pub(crate) fn slack_mentions(low: &[u8], spans: &mut Vec<Span>) {
    static MENTION: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
        std::sync::LazyLock::new(|| memchr::memmem::Finder::new(b"<@"));
    for at in MENTION.find_iter(low) {
        let id = at + 2;
        let id_end = id
            + low[id..]
                .iter()
                .take_while(|c| c.is_ascii_alphanumeric())
                .count();
        if id_end == id || low.get(id_end) != Some(&b'|') {
            continue;
        }
        let n = id_end + 1;
        let Some(close) = low[n..low.len().min(n + 128)]
            .iter()
            .position(|&c| c == b'>')
        else {
            continue;
        };
        if close > 0 && !matches!(low[n], b'<' | b'[') {
            spans.push(Span::new(n, n + close, Rule::PersonName, Repl::Redacted));
        }
    }
}

/// A git object's identity line (`git cat-file -p`, `git log --format=raw`): `author Jane
/// Doe <jane@example.com> 1700000000 +0100`, `committer …`, `tagger …`. The name goes (the
/// email has its own rule).
pub(crate) fn git_identity_line(low: &[u8], spans: &mut Vec<Span>) {
    let v = spaces(low, 0);
    let word = crate::bytes::letters_end(low, v);
    if !matches!(&low[v..word], b"author" | b"committer" | b"tagger")
        || low.get(word) != Some(&b' ')
    {
        return;
    }
    let n = word + 1;
    // The name ends at ` <` (the email) or at ` <10 digits> ±hhmm` (the time).
    let mut e = None;
    let mut i = n;
    while i < low.len() && i < n + 128 {
        if low[i] == b' ' {
            let rest = &low[i + 1..];
            let time = crate::bytes::digits_end(rest, 0) >= 9
                && rest.get(crate::bytes::digits_end(rest, 0)) == Some(&b' ')
                && matches!(
                    rest.get(crate::bytes::digits_end(rest, 0) + 1),
                    Some(b'+' | b'-')
                );
            if rest.first() == Some(&b'<') || time {
                e = Some(i);
                break;
            }
        }
        i += 1;
    }
    if let Some(e) = e {
        if e > n && !crate::rules::only_markers(&low[n..e]) {
            spans.push(Span::new(n, e, Rule::PersonName, Repl::Redacted));
        }
    }
}

/// The line-start layouts ([`line_layouts`], `ls -l`, [`crate::records::record_lines`]) at
/// every line a JSON string holds after a `\n` escape (a tool's output logged in a
/// message: `"error":"…\n-rw------- 1 jdoe staff …\nuid=1000(jdoe) …"`).
pub(crate) fn escaped_lines(dec: &[u8], low: &[u8], spans: &mut Vec<Span>) {
    if memchr::memchr(b'\\', low).is_none() {
        return;
    }
    static NEWLINE: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
        std::sync::LazyLock::new(|| memchr::memmem::Finder::new(b"\\n"));
    let starts: Vec<usize> = NEWLINE
        .find_iter(low)
        // The backslash escapes the `n` (not a `\\` before an `n`).
        .filter(|&p| low[..p].iter().rev().take_while(|&&c| c == b'\\').count() % 2 == 0)
        .map(|p| p + 2)
        .take(4096)
        .collect();
    let mut found = Vec::new();
    for (k, &s) in starts.iter().enumerate() {
        let e = starts.get(k + 1).map_or(low.len(), |&n| n - 2);
        if e <= s {
            continue;
        }
        let (d, l) = (&dec[s..e], &low[s..e]);
        found.clear();
        line_layouts(d, l, &mut found);
        crate::records::record_lines(d, l, &mut found);
        let _ = ls_long_at(l, 0, &mut found);
        spans.extend(found.iter().map(|sp| Span {
            start: sp.start + s,
            end: sp.end + s,
            ..*sp
        }));
    }
}

/// The whole-line layouts, tried once per line: `ps aux`, syslog, `uname -a`, `git blame`;
/// ARNs and Slack mentions anywhere in it.
pub(crate) fn line_layouts(dec: &[u8], low: &[u8], spans: &mut Vec<Span>) {
    if memchr::memchr(b'<', low).is_some() {
        slack_mentions(low, spans);
    }
    arn_resources(low, spans);
    match low.first() {
        Some(c) if c.is_ascii_alphanumeric() || *c == b' ' || *c == b'^' => {}
        _ => return,
    }
    ps_user(low, spans);
    who_user(low, spans);
    top_user(low, spans);
    syslog_host(dec, low, spans);
    uname_host(low, spans);
    blame_author(low, spans);
    git_identity_line(low, spans);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// [`syslog_host`] on a text (it reads the written case too).
    fn syslog(text: &str) -> Vec<String> {
        let low = text.to_ascii_lowercase();
        let mut spans = Vec::new();
        syslog_host(text.as_bytes(), low.as_bytes(), &mut spans);
        spans
            .iter()
            .map(|s| text[s.start..s.end].to_string())
            .collect()
    }

    fn names(text: &str, f: impl Fn(&[u8], &mut Vec<Span>)) -> Vec<String> {
        let low = text.to_ascii_lowercase();
        let mut spans = Vec::new();
        f(low.as_bytes(), &mut spans);
        spans
            .iter()
            .map(|s| text[s.start..s.end].to_string())
            .collect()
    }

    #[test]
    fn who_w_and_last_rows_name_their_user() {
        assert_eq!(
            names(
                "vantorquel pts/0        2026-12-04 10:00 (10.0.0.5)",
                who_user
            ),
            ["vantorquel"]
        );
        assert_eq!(
            names(
                "jdoe42   tty7         :0               Fri Dec  4 10:00   still logged in",
                who_user
            ),
            ["jdoe42"]
        );
        assert_eq!(names("  jdoe console  Dec  4 10:00", who_user), ["jdoe"]);
        assert_eq!(
            names("vantorquel s000 - 10:00 - w", who_user),
            ["vantorquel"]
        );
        assert_eq!(
            names("vantorquel + pts/0        2026-12-04 10:00", who_user),
            ["vantorquel"]
        );
        assert_eq!(
            names(
                "vantorquel ssh:notty    10.0.0.5         Fri Dec  4 10:00",
                who_user
            ),
            ["vantorquel"]
        );
        assert_eq!(
            names(
                "vantorquel pts/2    vantorquel-pc    10:00    1.00s  0.05s w",
                who_user
            ),
            ["vantorquel", "vantorquel-pc"]
        );
        for text in [
            "listening :3000 (http)",
            "Server :8080 started ok",
            "Error :1 unexpected token",
            "Logging console output to file",
            "Opening ttyUSB0 at 115200 baud",
            "listening :80 (http)",
            "Opening console (press Ctrl+C to exit)",
            "worker s001 - starting job",
            "worker s001 market open",
            "USER     TTY      FROM             LOGIN@   IDLE   JCPU   PCPU WHAT",
            "root     pts/1    10:00",
            "stdin is not a tty",
            "opening pts/0",
            "jdoe pts/0",
        ] {
            assert!(names(text, who_user).is_empty(), "{text}");
        }
    }

    #[test]
    fn ls_long_owner_and_group() {
        let ls = |t: &[u8], s: &mut Vec<Span>| {
            let _ = ls_long_at(t, 0, s);
        };
        assert_eq!(
            names(
                "-rw------- 1 zqowner staff 1234 Jan  1 00:00 codex-accounts.json",
                ls
            ),
            ["zqowner"]
        );
        assert_eq!(
            names(
                "drwxr-xr-x@ 12 mkowalski mkowalski 4096 Jan  1 00:00 src",
                ls
            ),
            ["mkowalski", "mkowalski"]
        );
        assert!(names("-rw-r--r-- 1 root root 10 Jan 1 x", ls).is_empty());
        // `tar -tv` and eza.
        assert_eq!(
            names(
                "-rw-r--r-- zqtar/zqgroup   1024 2026-01-01 10:00 notes.txt",
                ls
            ),
            ["zqtar", "zqgroup"]
        );
        assert!(names("-rw-r--r-- root/root 10 2026-01-01 x", ls).is_empty());
        assert!(names("-rw-r--r-- 1000/1000 10 2026-01-01 x", ls).is_empty());
        assert!(names("-rw-r--r-- src/main.rs 1024", ls).is_empty());
        assert!(names("-rw-r--r-- src/main.rs 1024 bytes", ls).is_empty());
        assert!(names(".rw-r--r-- 12 files 3 changed", ls).is_empty());
        assert_eq!(
            names(".rw-r--r--@ 1.0k zqeza  1 Jan 10:00 notes.txt", ls),
            ["zqeza"]
        );
        assert_eq!(
            names("drwxr-xr-x    - zqeza staff Jan  1 10:00 src", ls),
            ["zqeza"]
        );
        assert_eq!(
            names(".rw------- 512 zqeza zqgrp 2026-01-01 10:00 x", ls),
            ["zqeza", "zqgrp"]
        );
        assert_eq!(
            names(".rw-r--r-- 512 zqeza  1 Jan 10:00 notes.txt", ls),
            ["zqeza"]
        );
        assert!(names(".rw-r--r-- 1.0k then something else", ls).is_empty());
        assert!(names("-rw------- is the mode we want", ls).is_empty());
        assert!(names("----------", ls).is_empty());
    }

    #[test]
    fn ps_id_stat_sudo() {
        assert_eq!(
            names(
                "zqpsuser  12345  0.0  0.1 123456 7890 ?  Sl  00:00  0:01 node opencode",
                ps_user
            ),
            ["zqpsuser"]
        );
        assert!(names("root  1  0.0  0.1 1 2 ? Ss 00:00 0:01 init", ps_user).is_empty());
        assert!(names("status 200 0.5 1.5 done", ps_user).is_empty());
        // `ps -ef`.
        for line in [
            "zqef       4123     1  0 10:02 ?        00:00:01 /usr/bin/node server.js",
            "zqef  4123  1  3 Jan04 pts/0    00:12:01 node",
            "zqef  4123  1  0  2025 tty1     1:01:02 node",
        ] {
            assert_eq!(names(line, ps_user), ["zqef"], "{line}");
        }
        assert!(names("UID  PID  PPID  C STIME TTY  TIME CMD", ps_user).is_empty());
        assert!(names("root  1  0  0 10:02 ?  00:00:01 init", ps_user).is_empty());
        assert!(names("retry 3 1 0 10:02 ? later", ps_user).is_empty());
        // `top`.
        for line in [
            "  4123 zqtop     20   0  1.2g  80m  12m S   1.3  0.5   0:01.02 node",
            "4123 zqtop rt -5 123456 7890 1234 R 99.0 10.2 12:01.02 node",
        ] {
            assert_eq!(names(line, top_user), ["zqtop"], "{line}");
        }
        assert!(names(
            "  1 root 20 0 1.2g 80m 12m S 0.0 0.1 0:01.02 init",
            top_user
        )
        .is_empty());
        assert!(names("  4123 requests 20 0 in 3 batches", top_user).is_empty());
        let id = |t: &[u8], s: &mut Vec<Span>| {
            let _ = id_output(t, 0, s);
        };
        assert_eq!(
            names(
                "uid=1000(zqidcmd) gid=1000(zqidcmd) groups=1000(zqidcmd),27(sudo)",
                id
            ),
            ["zqidcmd", "zqidcmd", "zqidcmd"]
        );
        assert_eq!(
            names("uid=1000(zqidcmd) gid=1000(zqidcmd) then ran 42(keep)", id),
            ["zqidcmd", "zqidcmd"]
        );
        let stat = |t: &[u8], s: &mut Vec<Span>| {
            let _ = stat_owner(t, 0, s);
        };
        assert_eq!(
            names("Uid: ( 1000/  zqstat)   Gid: ( 1000/  zqstat)", stat),
            ["zqstat"]
        );
        let sudo = |t: &[u8], s: &mut Vec<Span>| {
            let _ = sudo_log(t, 0, s);
        };
        assert_eq!(
            names(
                "sudo:   zqsudo : TTY=pts/0 ; PWD=/home/x ; USER=root ; COMMAND=/bin/ls",
                sudo
            ),
            ["zqsudo"]
        );
        for line in [
            "box sudo[4242]:   zqsudo : TTY=pts/0 ; PWD=/tmp ; USER=root ; COMMAND=/bin/ls",
            "sudo: zqsudo : 3 incorrect password attempts ; TTY=pts/0 ; USER=root",
            "sudo:   zqsudo : user NOT in sudoers ; TTY=pts/0 ; PWD=/tmp ; USER=root",
            "sudo: zqsudo is not in the sudoers file.  This incident will be reported.",
            "sudo[7]: zqsudo is not allowed to run sudo on box.",
        ] {
            let at = line.find("sudo").expect("sudo");
            let found = names(&line[at..], sudo);
            assert_eq!(found, ["zqsudo"], "{line}");
        }
        assert!(names("sudo: unable to resolve host", sudo).is_empty());
        assert!(names("sudo[x]: zqsudo : TTY=pts/0", sudo).is_empty());
        assert!(names("sudo: zqsudo is here", sudo).is_empty());
    }

    #[test]
    fn machines_of_syslog_and_uname() {
        assert_eq!(
            syslog("Jan 01 00:00:00 zqhost-nuc opencode[1234]: started"),
            ["zqhost-nuc"]
        );
        assert_eq!(
            syslog("2026-01-01T00:00:00.123456+00:00 zq-box sshd[9]: x"),
            ["zq-box"]
        );
        assert_eq!(syslog("Dec  3 10:01:02 box kernel: x"), ["box"]);
        assert!(syslog("Jan 01 00:00:00 localhost cron[1]: x").is_empty());
        assert!(syslog("Jan 01 was a holiday: x").is_empty());
        assert!(syslog("2025-01-01T00:00:04.123456Z ERROR codex_core::codex: boom").is_empty());
        assert!(syslog("2025-01-01T00:00:04.123456Z DEBUG request: sent").is_empty());
        assert!(syslog("2025-01-01T00:00:04Z error x: y").is_empty());
        assert_eq!(
            names(
                "Linux zq-arch-box 6.6.1-arch1-1 #1 SMP PREEMPT_DYNAMIC x86_64 GNU/Linux",
                uname_host
            ),
            ["zq-arch-box"]
        );
        assert!(names("Linux kernel 6.6 is out", uname_host).is_empty());
    }

    #[test]
    fn blame_arn_and_mentions() {
        assert_eq!(
            names(
                "^abc123f (Zqblame Quint 2026-01-01 00:00:00 +0000 1) x",
                blame_author
            ),
            ["Zqblame Quint"]
        );
        assert_eq!(
            names(
                "3f2a1b9c src/a.rs (Jane Doe   2025-12-31 23:59:59 -0800 120)   let x = 1;",
                blame_author
            ),
            ["Jane Doe"]
        );
        assert!(names("abc1234 (fix) 2026-01-01 00:00:00", blame_author).is_empty());
        assert_eq!(
            names(
                "arn:aws:bedrock:us-east-1:123456789012:inference-profile/zqbedrock",
                arn_resources
            ),
            ["zqbedrock"]
        );
        assert_eq!(
            names("arn:aws:iam::123456789012:user/jdoe", arn_resources),
            ["jdoe"]
        );
        assert_eq!(
            names("bucket arn:aws:s3:::acme-private-logs,", arn_resources),
            ["acme-private-logs"]
        );
        assert!(names(
            "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-5-sonnet",
            arn_resources
        )
        .is_empty());
        assert_eq!(
            names("<@U04ABCD1EFG|zqslack.person> please check", slack_mentions),
            ["zqslack.person"]
        );
        assert!(names("a <@here> b", slack_mentions).is_empty());
        assert!(names("<@U1|<string:4>> hi", slack_mentions).is_empty());
        assert!(names("added (fix 2026-01-01 00:00:00 +0000 1)", blame_author).is_empty());
        assert_eq!(
            names("committer Zorvan Quill 1700000000 +0100", git_identity_line),
            ["Zorvan Quill"]
        );
        assert_eq!(
            names(
                "author Zorvan Quill <zq@example.com> 1700000000 +0100",
                git_identity_line
            ),
            ["Zorvan Quill"]
        );
        assert!(names("author of the change was away", git_identity_line).is_empty());
        assert!(names("arn:aws:iam::123456789012:user/[redacted]", arn_resources).is_empty());
        assert!(names(
            "arn:aws:bedrock:us-east-1:<string:12>:inference-profile/[redacted]",
            arn_resources
        )
        .is_empty());
    }

    #[test]
    fn lines_inside_a_json_string_are_read_as_lines() {
        let text = r#"{"error":"ls failed\n-rw------- 1 zqowner staff 1234 Jan  1 00:00 x\nuid=1000(zqid) gid=1000(zqid)\nzq:x:1000:1000:Zorv Quillan,,,:/home/zq:/bin/bash"}"#;
        let low = text.to_ascii_lowercase();
        let mut spans = Vec::new();
        escaped_lines(text.as_bytes(), low.as_bytes(), &mut spans);
        let got: Vec<&str> = spans.iter().map(|s| &text[s.start..s.end]).collect();
        assert!(got.contains(&"zqowner"), "{got:?}");
        assert!(got.contains(&"Zorv Quillan"), "{got:?}");
        let mut none = Vec::new();
        escaped_lines(br#"{"a":"x\\nroot"}"#, br#"{"a":"x\\nroot"}"#, &mut none);
        assert!(none.is_empty());
    }
}
