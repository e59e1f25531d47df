//! Detectors for personal data written as prose: the shapes the allowlist gate keeps because
//! every word in them is ordinary (digits in groups, dictionary words).
//!
//! - obfuscated emails: `jane dot doe at gmail dot com`, `jane(at)example(dot)com`,
//!   `jane [at] example [dot] com`, `jane @ example.com`;
//! - phone numbers: `+` and a country code with 8 to 15 digits in groups
//!   (`+1 415 555 0134`, `+44 20 7946 0958`, `+14155550134`), and North American numbers
//!   (`(415) 555-0134`, `415-555-0134`, `415.555.0134`, `415 555 0134`);
//! - US social security numbers (`078-05-1120`);
//! - payment card numbers: 13 to 19 digits, whole or in groups of four (also 4-6-5 and
//!   4-6-4) separated by spaces or dashes, starting with 2 to 6 and passing the Luhn check
//!   (so timestamps, counts, ports and durations, which fail one of these, stay);
//! - personal names after a cue word: `name: Jane Doe`, `Hi Jane,`, `Dear Jane`,
//!   `from Jane Doe`, `user Jane Doe`, `workspace Acme` (one or more Capitalized words after
//!   a label, a greeting or an organisation's label, two or more after `from`, `by`, `user`, `customer`, …; never a word on the
//!   list of capitalized words logs use, such as `Error` or `Windows`).
//!
//! Each detector is one pass triggered by a byte search, on the decoded line.

use crate::bytes::ByteSet;
use crate::bytes::{skip_spaces, skip_spaces_back};
use crate::pseudonym::Kind;
use crate::rules::Rule;
use crate::span::{Repl, Span};

/// Top-level domains accepted after a spoken `at` / `dot` (`jane at example dot com`), where
/// ordinary English could otherwise read as an address.
const SPOKEN_TLDS: &[&[u8]] = &[
    b"com", b"org", b"net", b"edu", b"gov", b"io", b"co", b"uk", b"de", b"fr", b"ai", b"dev",
    b"app", b"me", b"us", b"ca", b"au", b"info", b"biz", b"nl", b"jp", b"in", b"ru", b"ch", b"se",
    b"es", b"it", b"br", b"eu", b"mail",
];

fn label_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'_' | b'%' | b'+' | b'-')
}

/// The bracketed forms of `at` and `dot`: `(at)`, `[at]`, `{at}`, `<at>`.
fn bracketed(low: &[u8], at: usize, word: &[u8]) -> bool {
    let n = word.len();
    let (Some(&open), Some(&close)) = (low.get(at), low.get(at + n + 1)) else {
        return false;
    };
    matches!(
        (open, close),
        (b'(', b')') | (b'[', b']') | (b'{', b'}') | (b'<', b'>')
    ) && low.get(at + 1..at + 1 + n) == Some(word)
}

/// A `dot` at `i` (`.`, ` dot `, `(dot)` with optional spaces): where the next label starts,
/// and whether the form was spoken or bracketed.
fn dot_forward(low: &[u8], i: usize) -> Option<(usize, Form)> {
    if low.get(i) == Some(&b'.') {
        return Some((i + 1, Form::Plain));
    }
    let j = skip_spaces(low, i);
    if bracketed(low, j, b"dot") {
        return Some((skip_spaces(low, j + 5), Form::Bracketed));
    }
    if j == i + 1 && low[j..].starts_with(b"dot ") {
        return Some((j + 4, Form::Spoken));
    }
    None
}

/// A `dot` ending at `i` (the start of the label after it): where the label before it ends.
fn dot_backward(low: &[u8], i: usize) -> Option<(usize, Form)> {
    if i > 0 && low[i - 1] == b'.' {
        return Some((i - 1, Form::Plain));
    }
    let j = skip_spaces_back(low, i);
    if j >= 5 && bracketed(low, j - 5, b"dot") {
        return Some((skip_spaces_back(low, j - 5), Form::Bracketed));
    }
    if j + 1 == i && j >= 4 && &low[j - 4..j] == b" dot" {
        return Some((j - 4, Form::Spoken));
    }
    None
}

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Form {
    Plain,
    Spoken,
    Bracketed,
}

/// Obfuscated emails → `email_…`.
pub(crate) fn obfuscated_emails(low: &[u8], spans: &mut Vec<Span>) {
    static AT: std::sync::OnceLock<memchr::memmem::Finder<'static>> = std::sync::OnceLock::new();
    let words = AT
        .get_or_init(|| memchr::memmem::Finder::new(b"at"))
        .find_iter(low)
        .filter(|&p| p > 0 && !low[p - 1].is_ascii_alphanumeric())
        .map(|p| p - 1);
    at_tokens(low, words, spans);
    if memchr::memchr(b'@', low).is_some() {
        at_tokens(low, memchr::memchr_iter(b'@', low), spans);
    }
}

/// [`obfuscated_emails`] around each candidate `at` token.
fn at_tokens(low: &[u8], ats: impl Iterator<Item = usize>, spans: &mut Vec<Span>) {
    let mut last = 0;
    for at in ats {
        if at < last {
            continue;
        }
        // The `at` token: `at_start..at_end`, and how it is written.
        let (at_start, at_end, form) = if bracketed(low, at, b"at") {
            (
                skip_spaces_back(low, at),
                skip_spaces(low, at + 4),
                Form::Bracketed,
            )
        } else if low[at] == b' ' && low[at + 1..].starts_with(b"at ") {
            (at, at + 4, Form::Spoken)
        } else if low[at] == b'@' && at > 0 && low[at - 1] == b' ' {
            (
                skip_spaces_back(low, at),
                skip_spaces(low, at + 1),
                Form::Bracketed,
            )
        } else {
            continue;
        };
        // The local part, back from the `at`.
        let label_back = |end: usize| {
            let mut s = end;
            while s > 0 && label_char(low[s - 1]) {
                s -= 1;
            }
            s
        };
        let mut start = label_back(at_start);
        if start == at_start {
            continue;
        }
        let mut loudest = form;
        while let Some((end, f)) = dot_backward(low, start) {
            let s = label_back(end);
            if s == end {
                break;
            }
            loudest = loudest.max(f);
            start = s;
        }
        // The domain: labels joined by dots, the last one letters only.
        let label_fwd = |s: usize| {
            let mut e = s;
            while e < low.len() && (low[e].is_ascii_alphanumeric() || low[e] == b'-') {
                e += 1;
            }
            e
        };
        let mut end = label_fwd(at_end);
        if end == at_end {
            continue;
        }
        let mut labels = 1;
        let mut tld = (at_end, end);
        while let Some((s, f)) = dot_forward(low, end) {
            let e = label_fwd(s);
            if e == s {
                break;
            }
            loudest = loudest.max(f);
            labels += 1;
            tld = (s, e);
            end = e;
        }
        let tld = &low[tld.0..tld.1];
        let tld_ok = (2..=24).contains(&tld.len()) && tld.iter().all(u8::is_ascii_alphabetic);
        let plausible = match loudest {
            Form::Bracketed => true,
            _ => SPOKEN_TLDS.contains(&tld),
        };
        // A plain `a@b.c` is the email detector's; this one needs an obfuscation.
        let obfuscated = form != Form::Plain;
        if labels >= 2 && tld_ok && plausible && obfuscated {
            spans.push(Span::new(
                start,
                end,
                Rule::Email,
                Repl::Pseudonym(Kind::Email),
            ));
            last = end;
        }
    }
}

/// A digit group: `start..end` of `dec`.
#[derive(Clone, Copy)]
struct Group {
    start: usize,
    end: usize,
}

impl Group {
    fn len(self) -> usize {
        self.end - self.start
    }
}

use crate::bytes::digits_end;

/// The first position from `i` where a number may start: a byte of [`NUMBER_START`] not
/// right after a byte of [`NUMBER_INSIDE`]; `dec.len()` when there is none. Eight bytes
/// holding no byte from `(` to `9` (the range of every start byte) are passed at once.
fn next_start(dec: &[u8], mut i: usize) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    /// Whether some byte `b` of `x` has `0x27 < b < 0x3a` (bytes of 0x80 and up never do).
    fn any_in_range(x: u64) -> bool {
        let low7 = x & (ONES * 127);
        ((ONES * (127 + 0x3a)).wrapping_sub(low7)
            & !x
            & (low7 + ONES * (127 - 0x27))
            & (ONES * 128))
            != 0
    }
    let n = dec.len();
    let mut free = i == 0 || !NUMBER_INSIDE.has(dec[i - 1]);
    while i < n {
        let end = if i + 8 <= n {
            let mut w = [0u8; 8];
            w.copy_from_slice(&dec[i..i + 8]);
            if !any_in_range(u64::from_le_bytes(w)) {
                free = !NUMBER_INSIDE.has(dec[i + 7]);
                i += 8;
                continue;
            }
            i + 8
        } else {
            n
        };
        while i < end {
            if free && NUMBER_START.has(dec[i]) {
                return i;
            }
            free = !NUMBER_INSIDE.has(dec[i]);
            i += 1;
        }
    }
    n
}

/// The bytes a number does not start right after: inside a word, a version, a path or
/// another number.
static NUMBER_INSIDE: ByteSet = ByteSet::new(true, false, b".-_/#+%\\");

/// Whether a number may start at `i`: not inside a word, a version, a path or another number.
#[cfg(test)]
fn number_starts(dec: &[u8], i: usize) -> bool {
    i == 0
        || !(dec[i - 1].is_ascii_alphanumeric()
            || matches!(
                dec[i - 1],
                b'.' | b'-' | b'_' | b'/' | b'#' | b'+' | b'%' | b'\\'
            ))
}

/// Whether a number may end at `e`: not followed by a word character or by a separator and
/// more digits (`1.2.3`, `10:30`).
fn number_ends(dec: &[u8], e: usize) -> bool {
    match dec.get(e) {
        None => true,
        Some(c) if c.is_ascii_alphanumeric() || *c == b'_' => false,
        Some(b'.' | b'-' | b':' | b'/' | b',') => !dec.get(e + 1).is_some_and(u8::is_ascii_digit),
        Some(_) => true,
    }
}

/// The bytes a phone number, SSN or card number starts with.
static NUMBER_START: ByteSet = ByteSet::new(false, false, b"0123456789+(");

/// Luhn's check over the digits of `dec[start..end]`.
fn luhn(dec: &[u8], start: usize, end: usize) -> bool {
    let mut sum = 0u32;
    let mut double = false;
    for &c in dec[start..end].iter().rev() {
        if !c.is_ascii_digit() {
            continue;
        }
        let mut d = u32::from(c - b'0');
        if double {
            d *= 2;
            if d > 9 {
                d -= 9;
            }
        }
        sum += d;
        double = !double;
    }
    sum.is_multiple_of(10)
}

/// Phone numbers, SSNs and card numbers: one pass over the line's digit runs.
pub(crate) fn numbers(dec: &[u8], spans: &mut Vec<Span>) {
    let n = dec.len();
    let mut i = 0;
    while i < n {
        i = next_start(dec, i);
        if i == n {
            break;
        }
        let c = dec[i];
        let found = if c == b'+' && dec.get(i + 1).is_some_and(u8::is_ascii_digit) {
            international(dec, i).or_else(|| cued_phone(dec, i, i + 1))
        } else if c == b'(' {
            parenthesized(dec, i)
        } else if c.is_ascii_digit() {
            digit_shapes(dec, i).or_else(|| cued_phone(dec, i, i))
        } else {
            None
        };
        if let Some((end, rule)) = found {
            spans.push(Span::new(i, end, rule, number_repl(dec, i, end)));
            i = end;
            continue;
        }
        if c.is_ascii_digit() {
            // Past the rest of this run: a number starts only at its first digit.
            i = digits_end(dec, i);
        } else {
            i += 1;
        }
    }
}

/// `[redacted]`, or `"[redacted]"` for a run of digits standing as a JSON value (after `:`,
/// `[` or `,`, before `,`, `}`, `]` or the end), so redacted JSON stays JSON.
fn number_repl(dec: &[u8], start: usize, end: usize) -> Repl {
    let before = dec[..start].iter().rev().find(|c| !c.is_ascii_whitespace());
    let after = dec[end..].iter().find(|c| !c.is_ascii_whitespace());
    let bare = dec[start..end].iter().all(u8::is_ascii_digit)
        && matches!(before, Some(b':' | b'[' | b','))
        && matches!(after, None | Some(b',' | b'}' | b']'));
    if bare {
        Repl::QuotedRedacted { escaped: false }
    } else {
        Repl::Redacted
    }
}

/// Groups of digits from `from` separated by one `sep_ok` byte (the same one throughout),
/// at most `max` digits in all: the groups and where they end.
fn groups(dec: &[u8], from: usize, max: usize, seps: &[u8], out: &mut [Group; 8]) -> usize {
    let mut k = 0;
    let mut total = 0;
    let mut sep: Option<u8> = None;
    let mut at = from;
    while k < out.len() {
        let e = digits_end(dec, at);
        if e == at || total + (e - at) > max {
            break;
        }
        out[k] = Group { start: at, end: e };
        k += 1;
        total += e - at;
        match dec.get(e) {
            Some(&s) if seps.contains(&s) && sep.is_none_or(|p| p == s) => {
                if !dec.get(e + 1).is_some_and(u8::is_ascii_digit) {
                    break;
                }
                sep = Some(s);
                at = e + 1;
            }
            _ => break,
        }
    }
    k
}

/// `+` and a country code: 8 to 15 digits in groups of at most 4 (the first up to 3), or
/// one run.
fn international(dec: &[u8], plus: usize) -> Option<(usize, Rule)> {
    let mut g = [Group { start: 0, end: 0 }; 8];
    let k = groups(dec, plus + 1, 15, b" -.", &mut g);
    // `+44 (0)20 7946 0958`: the trunk zero in brackets after the country code.
    if k == 1 && g[0].len() <= 3 {
        let mut at = g[0].end + usize::from(dec.get(g[0].end) == Some(&b' '));
        if dec.get(at..).is_some_and(|r| r.starts_with(b"(0)")) {
            at += 3;
            at += usize::from(dec.get(at) == Some(&b' '));
            let mut rest = [Group { start: 0, end: 0 }; 8];
            let n = groups(dec, at, 15 - g[0].len(), b" -.", &mut rest);
            let rest = &rest[..n];
            let total = g[0].len() + rest.iter().map(|x| x.len()).sum::<usize>();
            let end = rest.last()?.end;
            let ok = (8..=15).contains(&total)
                && rest.iter().all(|x| x.len() <= 4)
                && number_ends(dec, end);
            return ok.then_some((end, Rule::Phone));
        }
    }
    let g = &g[..k];
    let total: usize = g.iter().map(|x| x.len()).sum();
    let shape_ok = (k == 1 && total >= 10)
        || (k >= 2 && g[0].len() <= 3 && g[1..].iter().all(|x| x.len() <= 4));
    let end = g.last()?.end;
    if (8..=15).contains(&total) && shape_ok && number_ends(dec, end) {
        return Some((end, Rule::Phone));
    }
    // Groups as countries write them after the country code: separators mixed and groups of
    // up to 8 digits (`+81 90-1234-5678`, `+7 912 345-67-89`, `+91 98765 43210`,
    // `+49 151 12345678`).
    let mut g = [Group { start: 0, end: 0 }; 8];
    let k = mixed_groups(dec, plus + 1, &mut g);
    let g = &g[..k];
    let total: usize = g.iter().map(|x| x.len()).sum();
    let end = g.last()?.end;
    let ok = k >= 2
        && g[0].len() <= 3
        && g[1..].iter().all(|x| x.len() <= 8)
        && (8..=15).contains(&total)
        && number_ends(dec, end);
    ok.then_some((end, Rule::Phone))
}

/// Groups of digits from `from`, each after one of ` `, `-` or `.` (mixed), at most 15
/// digits in all.
fn mixed_groups(dec: &[u8], from: usize, out: &mut [Group; 8]) -> usize {
    let mut k = 0;
    let mut total = 0;
    let mut at = from;
    while k < out.len() {
        let e = digits_end(dec, at);
        if e == at || total + (e - at) > 15 {
            break;
        }
        out[k] = Group { start: at, end: e };
        k += 1;
        total += e - at;
        match dec.get(e) {
            Some(b' ' | b'-' | b'.') if dec.get(e + 1).is_some_and(u8::is_ascii_digit) => {
                at = e + 1
            }
            _ => break,
        }
    }
    k
}

/// Words that name a phone number (lower case): `phone: 4155550134`, `"mobile": 4155550134`,
/// `tel:+4155550134`, `phone_number=…`, `homePhone: …`.
/// (Grouped by their last letter: `e`, then `l`, then the rest; see [`phone_cue`].)
const PHONE_CUES: &[&[u8]] = &[
    b"phone",
    b"telephone",
    b"mobile",
    b"cellphone",
    b"smartphone",
    b"tel",
    b"cell",
    b"fax",
    b"msisdn",
    b"whatsapp",
    b"sms",
];

/// Whether a phone cue word ends just before `i`, past a joiner of spaces, quotes, `:`,
/// `=` and `#` (`phone: `, `"phone":"`, `tel:`, `Phone #`), and a `number` after it
/// (`phone_number`, `mobileNumber`). The cue is a word of its own or the last word of a
/// camelCase name (`homePhone`; not `microphone`).
fn phone_cue(dec: &[u8], i: usize) -> bool {
    let mut j = i;
    while j > 0 && matches!(dec[j - 1], b' ' | b'\t' | b'"' | b'\'' | b':' | b'=' | b'#') {
        j -= 1;
        if i - j > 5 {
            return false;
        }
    }
    if j == i || j == 0 {
        return false;
    }
    if j >= 6 && dec[j - 6..j].eq_ignore_ascii_case(b"number") {
        j -= 6;
        if j > 0 && matches!(dec[j - 1], b'_' | b'-' | b' ') {
            j -= 1;
        }
    }
    // The cues that end in the letter before `j`: most keys before a number have none.
    let cues: &[&[u8]] = match dec.get(j.wrapping_sub(1)).map(|c| c | 0x20) {
        Some(b'e') => &PHONE_CUES[..5],
        Some(b'l') => &PHONE_CUES[5..7],
        Some(b'x') => &PHONE_CUES[7..8],
        Some(b'n') => &PHONE_CUES[8..9],
        Some(b'p') => &PHONE_CUES[9..10],
        Some(b's') => &PHONE_CUES[10..],
        _ => return false,
    };
    cues.iter().any(|cue| {
        let n = cue.len();
        j >= n
            && dec[j - n..j].eq_ignore_ascii_case(cue)
            && (j == n
                || !dec[j - n - 1].is_ascii_alphanumeric()
                || dec[j - n].is_ascii_uppercase())
    })
}

/// A number after a phone cue (`phone: 4155550134`, `"mobile": "415 555 0134"`): 7 to 15
/// digits, whole or in groups, from `digits` (after a `+` at `start`, if any).
fn cued_phone(dec: &[u8], start: usize, digits: usize) -> Option<(usize, Rule)> {
    // Seven digits or more, or a group that goes on: most numbers (`"seq":12,`) end here.
    let run = digits_end(dec, digits);
    if run - digits < 7 && !matches!(dec.get(run), Some(b' ' | b'-' | b'.')) {
        return None;
    }
    if !phone_cue(dec, start) {
        return None;
    }
    let mut g = [Group { start: 0, end: 0 }; 8];
    let k = mixed_groups(dec, digits, &mut g);
    let g = &g[..k];
    let total: usize = g.iter().map(|x| x.len()).sum();
    let end = g.last()?.end;
    ((7..=15).contains(&total) && number_ends(dec, end)).then_some((end, Rule::Phone))
}

/// North American area and exchange codes start with 2 to 9.
fn nanp(d: u8) -> bool {
    (b'2'..=b'9').contains(&d)
}

/// `(415) 555-0134`, `(415)555-0134`.
fn parenthesized(dec: &[u8], open: usize) -> Option<(usize, Rule)> {
    let area = digits_end(dec, open + 1);
    if area != open + 4 || dec.get(area) != Some(&b')') || !nanp(dec[open + 1]) {
        return None;
    }
    let mut at = area + 1;
    if dec.get(at) == Some(&b' ') {
        at += 1;
    }
    let ex = digits_end(dec, at);
    if ex != at + 3 || !nanp(dec[at]) || !matches!(dec.get(ex), Some(b'-' | b'.' | b' ')) {
        return None;
    }
    let end = digits_end(dec, ex + 1);
    (end == ex + 5 && number_ends(dec, end)).then_some((end, Rule::Phone))
}

/// Shapes that start with a digit: a North American number (`415-555-0134`, `415.555.0134`,
/// `415 555 0134`), an SSN (`078-05-1120`), a card number.
fn digit_shapes(dec: &[u8], i: usize) -> Option<(usize, Rule)> {
    // Every shape has 9 digits or more: a shorter run that is not followed by a group
    // separator is none of them.
    let run = digits_end(dec, i);
    if run - i < 9 && !matches!(dec.get(run), Some(b' ' | b'-' | b'.')) {
        return None;
    }
    let mut g = [Group { start: 0, end: 0 }; 8];
    let k = groups(dec, i, 19, b" -.", &mut g);
    let g = &g[..k];
    let end = g.last()?.end;
    if !number_ends(dec, end) {
        return None;
    }
    let mut lens_buf = [0usize; 8];
    for (l, x) in lens_buf.iter_mut().zip(g) {
        *l = x.len();
    }
    let lens = &lens_buf[..k];
    let sep = (k > 1).then(|| dec[g[0].end]);
    // (Not with spaces: `200 429 5000` is a list of counts.)
    if lens == [3, 3, 4]
        && matches!(sep, Some(b'-' | b'.'))
        && nanp(dec[g[0].start])
        && nanp(dec[g[1].start])
    {
        return Some((end, Rule::Phone));
    }
    if lens == [3, 2, 4] && sep == Some(b'-') {
        let area = &dec[g[0].start..g[0].end];
        let ok = area != b"000"
            && area != b"666"
            && area[0] != b'9'
            && &dec[g[1].start..g[1].end] != b"00"
            && &dec[g[2].start..g[2].end] != b"0000";
        return ok.then_some((end, Rule::Ssn));
    }
    if dec[i] == b'0' && zero_led_phone(dec, g, sep) {
        return Some((end, Rule::Phone));
    }
    let total: usize = lens.iter().sum();
    let card_shape = match lens {
        [_] => true,
        [4, 6, 5] | [4, 6, 4] => true,
        [init @ .., last] => init.iter().all(|&l| l == 4) && (1..=4).contains(last),
        [] => false,
    };
    let first = dec[i];
    let card = (13..=19).contains(&total)
        && card_shape
        && sep != Some(b'.')
        && (b'2'..=b'6').contains(&first)
        && luhn(dec, i, end);
    card.then_some((end, Rule::CardNumber))
}

/// A phone number written with an international `00` prefix instead of `+`
/// (`0044 20 7946 0958`, `00 33 6 12 34 56 78`), or in a national format with its trunk
/// `0` (`07911 123456`, `030 12345678`, `020 7946 0958`, `06 12 34 56 78`,
/// `06.12.34.56.78`): groups of at least two digits with one kind of separator, the first
/// starting with `0`. A count, size or id does not start with a zero-led group (a
/// zero-padded sequence number starts `00` and has no country code after it).
fn zero_led_phone(dec: &[u8], g: &[Group], sep: Option<u8>) -> bool {
    if g.len() < 2 || sep.is_none() {
        return false;
    }
    let d = |k: usize, j: usize| dec[g[k].start + j];
    let total: usize = g.iter().map(|x| x.len()).sum();
    if g[0].len() >= 2 && d(0, 1) == b'0' {
        // `00` and a country code (`0044 …` or `00 44 …`), 8 to 15 digits after `00`.
        let cc_first = if g[0].len() == 2 { d(1, 0) } else { d(0, 2) };
        return g[0].len() <= 5
            && cc_first != b'0'
            && (10..=17).contains(&total)
            && g[1..].iter().all(|x| x.len() <= 4);
    }
    (2..=5).contains(&g[0].len()) && g.iter().all(|x| x.len() >= 2) && (10..=11).contains(&total)
}

/// An IBAN at `s`: two capital letters, two check digits and 11 to 30 letters or digits,
/// whole or in groups of four separated by single spaces, passing the mod-97 check (so a
/// word followed by a number is not taken). The end of the IBAN.
#[inline(never)]
pub(crate) fn iban_at(dec: &[u8], s: usize) -> Option<usize> {
    let ok = |c: u8| c.is_ascii_uppercase() || c.is_ascii_digit();
    if !(dec.get(s..s + 2)?.iter().all(u8::is_ascii_uppercase)
        && dec.get(s + 2..s + 4)?.iter().all(u8::is_ascii_digit))
    {
        return None;
    }
    // The characters and, for each count of them, where that many end (spaces skipped).
    let mut chars = [0u8; 34];
    let mut ends = [0usize; 35];
    let mut n = 0;
    let mut i = s;
    let mut grouped: Option<bool> = None;
    while n < 34 && i < dec.len() {
        if ok(dec[i]) {
            chars[n] = dec[i];
            n += 1;
            i += 1;
            ends[n] = i;
            continue;
        }
        // A single space between groups of four (`DE89 3704 0044 …`), throughout.
        let space = dec[i] == b' ' && n % 4 == 0 && dec.get(i + 1).is_some_and(|&c| ok(c));
        if space && grouped != Some(false) {
            grouped = Some(true);
            i += 1;
            continue;
        }
        break;
    }
    if grouped.is_none() && n > 4 {
        grouped = Some(false);
    }
    // The longest candidate that ends a word and passes the check.
    (15..=n).rev().find_map(|len| {
        let end = ends[len];
        let ends_word = dec.get(end).is_none_or(|c| !c.is_ascii_alphanumeric());
        let whole = grouped != Some(false) || len == n;
        (ends_word && whole && mod97(&chars[..len]) == 1).then_some(end)
    })
}

/// The IBAN check: the first four characters moved to the end, letters as 10 to 35, the
/// number modulo 97.
fn mod97(iban: &[u8]) -> u32 {
    let (head, rest) = iban.split_at(4);
    rest.iter().chain(head).fold(0u32, |acc, &c| {
        if c.is_ascii_digit() {
            (acc * 10 + u32::from(c - b'0')) % 97
        } else {
            (acc * 100 + u32::from(c - b'A') + 10) % 97
        }
    })
}

/// Cue words after which Capitalized words are a person's name: `(cue, words needed)`.
/// Labels (`name:`) and greetings need one word; the others two (`from Jane Doe`).
const CUES: &[(&[u8], usize)] = &[
    (b"name", 1),
    (b"fullname", 1),
    (b"full name", 1),
    (b"display name", 1),
    (b"displayname", 1),
    (b"username", 1),
    (b"hi", 1),
    (b"hello", 1),
    (b"hey", 1),
    (b"dear", 1),
    (b"thanks", 1),
    (b"from", 2),
    (b"by", 2),
    (b"user", 2),
    (b"customer", 2),
    (b"contact", 2),
    (b"author", 2),
    (b"owner", 2),
    (b"signed", 2),
    (b"regards", 1),
    // Organisations are identities too: a workspace's or a company's name.
    (b"workspace", 1),
    (b"organization", 1),
    (b"organisation", 1),
    (b"org", 1),
    (b"company", 1),
    (b"tenant", 1),
    (b"team", 1),
    // Found by the red team (round 3): labels of a name's parts, greetings and sign-ins.
    (b"firstname", 1),
    (b"lastname", 1),
    (b"surname", 1),
    (b"givenname", 1),
    (b"welcome", 1),
    (b"welcome back", 1),
    (b"signed in as", 1),
    (b"logged in as", 1),
    (b"authenticated as", 1),
];

/// The parts of an X.500 name (a certificate's subject or issuer, an LDAP entry) that hold a
/// person's or an organisation's name, before `=`: `CN=Jane Doe`, `/O=Acme Inc/`.
const DN_CUES: &[&[u8]] = &[b"cn", b"o", b"ou"];

/// Cues after which a quoted value is an account's, a person's or an organisation's name
/// in any case (`workspace "Acme Zq"`, `for user 'jdoe42'`).
const QUOTED_CUES: &[&[u8]] = &[
    // Round 11: a Wi-Fi network's name (`connected to wifi "Doe Home"`).
    b"wifi",
    b"wi-fi",
    b"ssid",
    b"user",
    b"username",
    b"customer",
    b"contact",
    b"author",
    b"owner",
    b"account",
    b"workspace",
    b"organization",
    b"organisation",
    b"org",
    b"company",
    b"tenant",
    b"team",
    b"full name",
    b"fullname",
    b"display name",
    b"displayname",
];

/// Sign-ins after which one token in any case is the account's handle (`Logged in as
/// jdoe42`).
const AS_CUES: &[&[u8]] = &[b"signed in as", b"logged in as", b"authenticated as"];

/// Whether `cue` ends at `end` in `low` as a word of its own.
fn cue_ends(low: &[u8], end: usize, cue: &[u8]) -> bool {
    end.checked_sub(cue.len())
        .is_some_and(|cs| (cs == 0 || !low[cs - 1].is_ascii_alphanumeric()) && &low[cs..end] == cue)
}

/// A quoted name after a [`QUOTED_CUES`] cue and a space (`workspace "Acme Zq"`, also
/// `\"…\"` inside a JSON string): its inside, unless it is a number, a placeholder, a
/// pseudonym or a word logs use.
pub(crate) fn quoted_name(dec: &[u8], low: &[u8], sp: usize, spans: &mut Vec<Span>) {
    if dec[sp] != b' ' || !QUOTED_CUES.iter().any(|c| cue_ends(low, sp, c)) {
        return;
    }
    let s = sp + 1;
    let (open, close): (usize, &[u8]) = match &dec[s..] {
        [b'\\', b'"', ..] => (2, b"\\\""),
        [b'"', ..] => (1, b"\""),
        [b'\'', ..] => (1, b"'"),
        // Typographic quotes (`“Acme Zq”`, `‘jdoe42’`).
        [0xE2, 0x80, 0x9C, ..] => (3, "\u{201d}".as_bytes()),
        [0xE2, 0x80, 0x98, ..] => (3, "\u{2019}".as_bytes()),
        _ => return,
    };
    let v = s + open;
    let rest = &dec[v..dec.len().min(v + 64)];
    let Some(len) = memchr::memmem::find(rest, close) else {
        return;
    };
    let value = &low[v..v + len];
    if value.is_empty()
        || value.iter().all(u8::is_ascii_digit)
        || crate::pseudonym::looks_like_pseudonym(value)
        || crate::rules::only_markers(value)
        || not_a_name(value)
    {
        return;
    }
    spans.push(Span::new(v, v + len, Rule::PersonName, Repl::Redacted));
}

/// The word before `eq` (its `=`) is `CN`, `O` or `OU` of an X.500 name (a certificate's
/// subject or issuer, an LDAP entry: after the line's start, `/`, `,`, `+`, a space or
/// `=`, not a query's `&o=json`): the value, to the next part, is a person's or an
/// organisation's name (`CN=Jane Doe`, `/O=Acme Inc/`).
pub(crate) fn dn_value(dec: &[u8], low: &[u8], word_end: usize, spans: &mut Vec<Span>) {
    let dn = |c: &&[u8]| {
        cue_ends(low, word_end, c)
            && (word_end == c.len()
                || matches!(
                    low[word_end - c.len() - 1],
                    b'/' | b',' | b'+' | b' ' | b'='
                ))
    };
    // `CN=x`, or `CN = x` as `openssl s_client` prints it.
    let eq = word_end + usize::from(dec.get(word_end) == Some(&b' '));
    if dec.get(eq) != Some(&b'=') || !DN_CUES.iter().any(dn) {
        return;
    }
    let s = eq + 1 + usize::from(eq > word_end && dec.get(eq + 1) == Some(&b' '));
    let rest = &dec[s..dec.len().min(s + 64)];
    let len = rest
        .iter()
        .position(|c| matches!(c, b',' | b'/' | b'+' | b';' | b'"' | b'\'' | b'\\'))
        .unwrap_or(rest.len());
    let value = &low[s..s + len];
    let value_end = s + len - value.iter().rev().take_while(|&&c| c == b' ').count();
    let value = &low[s..value_end];
    if !value.is_empty()
        && !value.iter().all(u8::is_ascii_digit)
        && !crate::rules::only_markers(value)
    {
        spans.push(Span::new(s, value_end, Rule::PersonName, Repl::Redacted));
    }
}

/// The token after a word that names a host or an organisation and a space: after
/// `hostname` any host (`Could not resolve hostname build-box-jdoe`, as ssh prints it);
/// after `organization`, `organisation`, `workspace`, `tenant`, `team` or `user` a
/// handle-shaped one, with a digit, `-` or `_` (`Your organization zq-labs-inc has disabled
/// access`, `user jdoe42 not found`; `team settings` and `user 2` stay). Found by the red team (round 3).
/// After Windows' `net user` any token is the account's name.
pub(crate) fn token_after_cue(dec: &[u8], low: &[u8], s: usize, e: usize, spans: &mut Vec<Span>) {
    let host = match &low[s..e] {
        b"hostname" => true,
        b"organization" | b"organisation" | b"workspace" | b"tenant" | b"team" | b"user" => false,
        _ => return,
    };
    let v = e + 1;
    let mut end = v;
    while end < dec.len()
        && (dec[end].is_ascii_alphanumeric() || matches!(dec[end], b'_' | b'-' | b'.'))
    {
        end += 1;
    }
    while end > v && dec[end - 1] == b'.' {
        end -= 1;
    }
    let value = &low[v..end];
    let handle = value
        .iter()
        .any(|c| c.is_ascii_digit() || matches!(c, b'-' | b'_'));
    // Windows' `net user NAME` (red team, round 11): any token is the account's name.
    let net_user = &low[s..e] == b"user"
        && s >= 4
        && &low[s - 4..s] == b"net "
        && (s == 4 || !low[s - 5].is_ascii_alphanumeric());
    if value.is_empty()
        || !value.iter().any(u8::is_ascii_alphabetic)
        || (!host && !handle && !net_user)
        || matches!(
            value,
            b"localhost" | b"is" | b"not" | b"for" | b"of" | b"and"
        )
        || crate::pseudonym::looks_like_pseudonym(value)
        || not_a_name(value)
    {
        return;
    }
    spans.push(Span::new(v, end, Rule::PersonName, Repl::Redacted));
}

/// One token in any case after an [`AS_CUES`] sign-in (`Logged in as jdoe42`), or after
/// `account` in a line that says `Logged in to <host>`: the handle.
pub(crate) fn handle_after_as(dec: &[u8], low: &[u8], sp: usize, spans: &mut Vec<Span>) {
    // `✓ Logged in to github.com account octocat (keyring)`, as `gh auth status` prints it.
    // `Logged in to github.com as octocat`, `… account octocat`: after a sign-in to a host.
    let signed_in_to = || {
        (cue_ends(low, sp, b"account") || cue_ends(low, sp, b"as"))
            && memchr::memmem::rfind(&low[sp.saturating_sub(96)..sp], b"ed in to ").is_some()
    };
    if !matches!(dec[sp], b' ' | b':')
        || !(AS_CUES.iter().any(|c| cue_ends(low, sp, c)) || signed_in_to())
    {
        return;
    }
    // `as jdoe`, `as: jdoe`, `as  jdoe`, `as @jdoe`.
    let mut v = sp + 1;
    while matches!(dec.get(v), Some(b' ' | b'\t')) && v - sp < 4 {
        v += 1;
    }
    let v = v + usize::from(dec.get(v) == Some(&b'@'));
    let mut e = v;
    while e < dec.len() && (dec[e].is_ascii_alphanumeric() || matches!(dec[e], b'_' | b'-' | b'.'))
    {
        e += 1;
    }
    while e > v && dec[e - 1] == b'.' {
        e -= 1;
    }
    let value = &low[v..e];
    if value.is_empty()
        || value.iter().all(u8::is_ascii_digit)
        || crate::pseudonym::looks_like_pseudonym(value)
        || not_a_name(value)
        || matches!(value, b"guest" | b"anonymous" | b"a" | b"an")
    {
        return;
    }
    spans.push(Span::new(v, e, Rule::PersonName, Repl::Redacted));
}

/// Capitalized words logs and messages use that are not names.
const NOT_NAMES: &[&[u8]] = &[
    b"the",
    b"this",
    b"that",
    b"these",
    b"there",
    b"error",
    b"warning",
    b"request",
    b"response",
    b"server",
    b"client",
    b"node",
    b"windows",
    b"linux",
    b"darwin",
    b"mac",
    b"chrome",
    b"firefox",
    b"safari",
    b"default",
    b"none",
    b"true",
    b"false",
    b"null",
    b"unknown",
    b"codex",
    b"opencode",
    b"openai",
    b"chatgpt",
    b"github",
    b"google",
    b"microsoft",
    b"apple",
    b"plus",
    b"pro",
    b"team",
    b"free",
    b"enterprise",
    b"business",
    b"world",
    b"all",
    b"everyone",
    b"sir",
    b"madam",
    b"bearer",
    b"basic",
    b"token",
    b"account",
    b"user",
    b"agent",
    b"session",
    b"auth",
    b"oauth",
    b"api",
    b"http",
    b"https",
    b"json",
    b"cloudflare",
    b"proxy",
    b"model",
    b"local",
    b"home",
    b"system",
    b"admin",
    b"root",
    b"bun",
    b"npm",
    b"unauthorized",
    b"forbidden",
    b"not",
    b"bad",
    b"too",
    b"many",
    b"requests",
    b"internal",
    b"service",
    b"gateway",
    b"timeout",
    b"failed",
    b"success",
    b"ok",
    b"yes",
    b"no",
    b"it",
    b"we",
    b"you",
    b"there",
];

/// Whether a Capitalized word is one logs use that is not a name (`Error`, `Windows`).
pub(crate) fn not_a_name(word: &[u8]) -> bool {
    NOT_NAMES.iter().any(|w| w.eq_ignore_ascii_case(word))
}

/// One Capitalized word at `s` (`Jane`, `O'Brien`, `Mary-Jane`): its end.
fn name_word(dec: &[u8], s: usize) -> Option<usize> {
    if !dec.get(s).is_some_and(u8::is_ascii_uppercase) {
        return None;
    }
    let mut e = s + 1;
    let mut lower = 0;
    while e < dec.len() {
        let c = dec[e];
        let joined = |c: u8| matches!(c, b'\'' | b'-');
        // `O'Brien`, `Mary-Jane`: a joiner before a letter, a capital after a joiner.
        let ok = c.is_ascii_lowercase()
            || (joined(c) && dec.get(e + 1).is_some_and(u8::is_ascii_alphabetic))
            || (c.is_ascii_uppercase() && joined(dec[e - 1]));
        if !ok {
            break;
        }
        lower += usize::from(c.is_ascii_lowercase());
        e += 1;
    }
    // A backslash continues a Windows path (`Jane\Documents`) unless it starts a JSON
    // escape that ends the text (`Jane\n`, `Jane\"`, `Jane\u2019s`).
    let unicode_escape = dec.get(e + 1) == Some(&b'u')
        && dec
            .get(e + 2..e + 6)
            .is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit));
    let json_escape = dec.get(e) == Some(&b'\\')
        && (matches!(dec.get(e + 1), Some(b'n' | b't' | b'r' | b'"')) || unicode_escape);
    let ends = json_escape
        || dec.get(e).is_none_or(|c| {
            !(c.is_ascii_alphanumeric() || matches!(c, b'_' | b'/' | b'@' | b'\\'))
        });
    let word = &dec[s..e];
    let listed = not_a_name(word);
    (lower >= 1 && e - s <= 20 && ends && !listed).then_some(e)
}

/// A user folder whose name has a space (`/Users/Jane Doe/`, `C:\Users\Jane Doe\`,
/// `/home/jane doe/`) → `<user>`: the gate reads text a word at a time, so it would replace
/// only the first word. The name runs to the next `/` or `\` (64 bytes at most).
pub(crate) fn user_folders(low: &[u8], spans: &mut Vec<Span>) {
    static MARKERS: std::sync::OnceLock<[memchr::memmem::Finder<'static>; 2]> =
        std::sync::OnceLock::new();
    let [users, home] = MARKERS.get_or_init(|| {
        [
            memchr::memmem::Finder::new(b"users"),
            memchr::memmem::Finder::new(b"home"),
        ]
    });
    for (marker, len) in [(users, 5usize), (home, 4)] {
        for p in marker.find_iter(low) {
            let before_ok = p > 0 && matches!(low[p - 1], b'/' | b'\\');
            let s = p + len;
            if !before_ok || !matches!(low.get(s), Some(b'/' | b'\\')) {
                continue;
            }
            let mut start = s + 1;
            // A doubled separator (`\\\\` in JSON-escaped text).
            while matches!(low.get(start), Some(b'/' | b'\\')) {
                start += 1;
            }
            let mut end = start;
            while end < low.len()
                && end - start < 64
                && !matches!(low[end], b'/' | b'\\' | b'"' | b'\'' | b'\n' | b'\r')
            {
                end += 1;
            }
            // Only names with a space, inside a path that goes on (`…/Jane Doe/…`): a
            // one-word folder is the gate's already, and words after a path's last part
            // (`/home/x does not exist`) are prose.
            let name = &low[start..end];
            let goes_on = matches!(low.get(end), Some(b'/' | b'\\'));
            if goes_on && name.contains(&b' ') && !name.starts_with(b" ") && !name.ends_with(b" ") {
                spans.push(Span::new(start, end, Rule::UserName, Repl::User));
            }
        }
    }
}

/// Words a greeting or an introduction is followed by that are no name.
const TOLD_NOT_NAMES: &[&[u8]] = &[
    b"codex",
    b"claude",
    b"customer",
    b"displayed",
    b"working",
    b"fine",
    b"good",
    b"well",
    b"okay",
    b"ok",
    b"user",
    b"admin",
    b"support",
    b"opencode",
    b"chatgpt",
    b"assistant",
    b"bot",
    b"stuck",
    b"done",
    b"ready",
    b"sure",
    b"afraid",
    b"able",
    b"unable",
    b"going",
    b"below",
    b"shown",
    b"set",
    b"required",
    b"wrong",
    b"correct",
    b"different",
    b"all",
    b"also",
    b"an",
    b"again",
    b"buddy",
    b"everybody",
    b"everyone",
    b"folks",
    b"friend",
    b"friends",
    b"guys",
    b"just",
    b"missing",
    b"not",
    b"now",
    b"null",
    b"sir",
    b"still",
    b"madam",
    b"team",
    b"the",
    b"there",
    b"undefined",
    b"unknown",
    b"world",
    b"empty",
    b"invalid",
    b"too",
    b"sorry",
    b"here",
    b"back",
    b"new",
    b"happy",
    b"glad",
    b"using",
    b"trying",
    b"getting",
    b"running",
    b"on",
    b"in",
    b"at",
    b"a",
];

/// A name told in prose, in any case (red team, rounds 7 and 18): after `my name is` or
/// `my name's`; after a greeting (`hi`, `hello`, `hey`, `dear`) when a `,` or `!` follows the
/// word (`hello jane, your plan …`); after `I'm` or `I am` when `from`, `here` or `,`
/// follows a capitalized word (`I'm Jane from the platform team`). `sp` is the space before
/// the word. Whether a name was replaced.
fn told_name(dec: &[u8], low: &[u8], sp: usize, spans: &mut Vec<Span>) -> bool {
    let before = &low[..sp];
    let after_cue = |cues: &[&[u8]]| {
        cues.iter().any(|c| {
            before.ends_with(c)
                && (before.len() == c.len()
                    || !before[before.len() - c.len() - 1].is_ascii_alphanumeric())
        })
    };
    // (`’` is how macOS and iOS type an apostrophe.)
    let intro = after_cue(&[b"my name is", b"my name's", "my name\u{2019}s".as_bytes()]);
    let greeting = !intro && after_cue(&[b"hi", b"hello", b"hey", b"dear"]);
    let i_am = !intro && !greeting && after_cue(&[b"i'm", b"i am", "i\u{2019}m".as_bytes()]);
    if !(intro || greeting || i_am) {
        return false;
    }
    let s = sp + 1;
    // After `my name is`, a handle too (`jdoe42`, `jane_doe`, `jane.doe`), not a sentence's
    // full stop.
    let mut e = if intro {
        let mut e = s;
        while e < dec.len()
            && (dec[e].is_ascii_alphanumeric() || matches!(dec[e], b'_' | b'.' | b'-'))
        {
            e += 1;
        }
        while e > s && matches!(dec[e - 1], b'.' | b'-' | b'_') {
            e -= 1;
        }
        e
    } else {
        crate::bytes::letters_end(dec, s)
    };
    let word = &low[s..e];
    if word.len() < 2 || TOLD_NOT_NAMES.contains(&word) {
        return false;
    }
    // The word must end there (not `jane_doe.txt`, `hello-world`).
    let ends = |e: usize| {
        let next = dec.get(e).copied();
        !next.is_some_and(|c| {
            c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.' | b'@' | b'/')
        }) || (next == Some(b'.') && dec.get(e + 1).is_none_or(|c| c.is_ascii_whitespace()))
    };
    if !ends(e) {
        return false;
    }
    // A capitalized name goes on over capitalized words (`Jane Doe`, `Mary Ann Smith`).
    if dec[s].is_ascii_uppercase() {
        for _ in 0..2 {
            let w = e + 1;
            if dec.get(e) != Some(&b' ')
                || !dec.get(w).is_some_and(u8::is_ascii_uppercase)
                || !dec.get(w + 1).is_some_and(u8::is_ascii_lowercase)
            {
                break;
            }
            let we = crate::bytes::letters_end(dec, w);
            if !ends(we) || TOLD_NOT_NAMES.contains(&&low[w..we]) {
                break;
            }
            e = we;
        }
    }
    let next = dec.get(e).copied();
    let told = if intro {
        true
    } else if greeting {
        matches!(next, Some(b',' | b'!'))
    } else {
        dec[s].is_ascii_uppercase()
            && (matches!(next, Some(b','))
                || low[e..].starts_with(b" from ")
                || low[e..].starts_with(b" here"))
    };
    if told {
        spans.push(Span::new(s, e, Rule::PersonName, Repl::Redacted));
    }
    told
}

/// Names after cue words → `[redacted]`.
pub(crate) fn names(dec: &[u8], low: &[u8], spans: &mut Vec<Span>) {
    for sp in memchr::memchr3_iter(b' ', b':', b'=', dec) {
        let s = sp + 1;
        if dec[sp] == b' '
            && dec.get(s).is_some_and(u8::is_ascii_alphabetic)
            && told_name(dec, low, sp, spans)
        {
            continue;
        }
        if !dec.get(s).is_some_and(u8::is_ascii_uppercase)
            || !dec.get(s + 1).is_some_and(u8::is_ascii_lowercase)
        {
            continue;
        }
        // The cue ends at the space, `:` or `=`, or at a `:` / `=` / `,` just before a space.
        let mut cue_end = sp;
        if dec[sp] == b' ' && cue_end > 0 && matches!(dec[cue_end - 1], b':' | b'=' | b',') {
            cue_end -= 1;
        }
        let needed = CUES.iter().find_map(|&(cue, n)| {
            let cs = cue_end.checked_sub(cue.len())?;
            let bounded = cs == 0 || !low[cs - 1].is_ascii_alphanumeric();
            (bounded && &low[cs..cue_end] == cue).then_some(n)
        });
        let Some(needed) = needed else {
            continue;
        };
        // A cue written as a label (`Reported-by: Jane`, `From: Jane`, `Owner: Acme`) needs
        // one word.
        let needed = if dec.get(cue_end) == Some(&b':') {
            1
        } else {
            needed
        };
        let mut end = s;
        let mut words = 0;
        let mut at = s;
        while words < 4 {
            let Some(e) = name_word(dec, at) else {
                break;
            };
            words += 1;
            end = e;
            if dec.get(e) == Some(&b' ') && name_word(dec, e + 1).is_some() {
                at = e + 1;
            } else {
                break;
            }
        }
        if words >= needed {
            spans.push(Span::new(s, end, Rule::PersonName, Repl::Redacted));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The word-at-a-time skip stops where the byte-at-a-time definition does.
        #[test]
        fn next_start_agrees_with_the_definition(
            text in proptest::collection::vec(
                proptest::sample::select(b"az09+(-._/#%\\\" :,)*\x80\xe9Z".to_vec()),
                0..80,
            ),
            from in 0usize..80,
        ) {
            let from = from.min(text.len());
            let want = (from..text.len())
                .find(|&i| NUMBER_START.has(text[i]) && number_starts(&text, i))
                .unwrap_or(text.len());
            proptest::prop_assert_eq!(next_start(&text, from), want);
        }
    }

    #[test]
    fn the_inside_table_is_the_start_rule() {
        for c in 0..=255u8 {
            assert_eq!(NUMBER_INSIDE.has(c), !number_starts(&[c, b'1'], 1), "{c}");
        }
    }

    fn found(text: &str) -> Vec<(String, Rule)> {
        let low = text.to_ascii_lowercase();
        let mut spans = Vec::new();
        obfuscated_emails(low.as_bytes(), &mut spans);
        numbers(text.as_bytes(), &mut spans);
        names(text.as_bytes(), low.as_bytes(), &mut spans);
        spans
            .iter()
            .map(|s| (text[s.start..s.end].to_string(), s.rule))
            .collect()
    }

    #[test]
    fn names_told_in_prose_in_any_case() {
        for (text, name) in [
            ("hi, my name is zqlowname and I need help", "zqlowname"),
            ("My name's Zqname.", "Zqname"),
            ("hello zqhello, your plan renews soon", "zqhello"),
            ("Hey zqhey! thanks", "zqhey"),
            ("dear zqdear,", "zqdear"),
            ("I'm Zqiamname from the platform team", "Zqiamname"),
            ("i am Zqiam, the admin", "Zqiam"),
            ("my name is Zqfirst Zqlast and", "Zqfirst Zqlast"),
            ("I'm Zqfirst Zqlast, the admin", "Zqfirst Zqlast"),
            ("my name is zqjdoe42.", "zqjdoe42"),
            ("my name is zq.jdoe today", "zq.jdoe"),
            ("I\u{2019}m Zqcurly from ops", "Zqcurly"),
        ] {
            let got = found(text);
            assert!(
                got.iter().any(|(t, r)| t == name && *r == Rule::PersonName),
                "{text}: {got:?}"
            );
        }
        for text in [
            "hello world, this is a test",
            "hi there, how are you",
            "hey all, the build is green",
            "hello zqhello and goodbye",
            "hi zqfile.txt, no",
            "I'm Sorry, that failed",
            "I'm Zqbuilding the image now",
            "i am here from the start",
            "my name is not set",
            "hello-world, again",
            "say hi, then go",
            "hi codex, fix the tests",
            "hey claude! again",
            "my name is displayed wrong",
            "I'm Working from home",
            "I'm Fine, thanks",
        ] {
            let got = found(text);
            assert!(
                !got.iter().any(|(_, r)| *r == Rule::PersonName),
                "{text}: {got:?}"
            );
        }
    }

    #[test]
    fn obfuscated_emails_are_found() {
        for (text, want) in [
            (
                "mail jane dot doe at gmail dot com now",
                "jane dot doe at gmail dot com",
            ),
            (
                "mail jane(at)example(dot)com now",
                "jane(at)example(dot)com",
            ),
            (
                "mail jane [at] example [dot] com",
                "jane [at] example [dot] com",
            ),
            ("mail jane [at] example.co.uk", "jane [at] example.co.uk"),
            (
                "mail Jane.Doe AT Example DOT org",
                "Jane.Doe AT Example DOT org",
            ),
            ("mail jane @ example.com", "jane @ example.com"),
            ("mail jane{at}example{dot}io", "jane{at}example{dot}io"),
        ] {
            assert_eq!(found(text), vec![(want.to_string(), Rule::Email)], "{text}");
        }
        for text in [
            "retry at 10:00 for rate limit",
            "failed at step 3. next",
            "    at Object.load (node:internal/modules:1:2)",
            "error at Module.require",
            "look at the status",
            "jane@example.com",
        ] {
            assert_eq!(found(text), vec![], "{text}");
        }
    }

    #[test]
    fn phones_ssns_and_cards_are_found() {
        for (text, want, rule) in [
            ("call +1 415 555 0134 now", "+1 415 555 0134", Rule::Phone),
            ("call (415) 555-0134", "(415) 555-0134", Rule::Phone),
            ("call +44 20 7946 0958.", "+44 20 7946 0958", Rule::Phone),
            ("call +14155550134", "+14155550134", Rule::Phone),
            ("call 415-555-0134", "415-555-0134", Rule::Phone),
            ("call 415.555.0134", "415.555.0134", Rule::Phone),
            ("ssn 078-05-1120 x", "078-05-1120", Rule::Ssn),
            (
                "card 4111 1111 1111 1111 x",
                "4111 1111 1111 1111",
                Rule::CardNumber,
            ),
            (
                "card 4111-1111-1111-1111",
                "4111-1111-1111-1111",
                Rule::CardNumber,
            ),
            (
                "card 4111111111111111",
                "4111111111111111",
                Rule::CardNumber,
            ),
            (
                "amex 3782 822463 10005",
                "3782 822463 10005",
                Rule::CardNumber,
            ),
            ("mc 5555555555554444", "5555555555554444", Rule::CardNumber),
        ] {
            assert_eq!(found(text), vec![(want.to_string(), rule)], "{text}");
        }
        for text in [
            "2025-01-01T00:00:05.123Z status 429 took 1500 ms",
            "ts 1735689600000 port 1455 pid 24694",
            "version 1.2.3 node 18.19.0 and 10.0.0.1",
            "counts 200 429 401 5000",
            "card 4111 1111 1111 1112",
            "id 2025-01-01T00-00-00-000Z-12345-abcd1234",
            "+0000 and +05:30 and +1 retry",
            "uuid 550e8400-e29b-41d4-a716-446655440000",
            "seq 0000000000000000001",
            "{\"status\":200,\"waitMs\":2989,\"durationMs\":367.7}",
        ] {
            assert_eq!(found(text), vec![], "{text}");
        }
    }

    /// Found by the red team (round 3): groups as countries write them, and a number a
    /// phone cue names.
    #[test]
    fn mixed_groups_and_cued_phones() {
        for (text, want) in [
            ("whatsapp +81 90-1234-5678 ok", "+81 90-1234-5678"),
            ("tel +7 912 345-67-89", "+7 912 345-67-89"),
            ("+55 11 91234-5678", "+55 11 91234-5678"),
            ("call +91 98765 43210", "+91 98765 43210"),
            ("+49 151 12345678", "+49 151 12345678"),
            ("phone: 4155552671", "4155552671"),
            ("mobile 4155552671.", "4155552671"),
            ("href=tel:4155552671", "4155552671"),
            ("{\"phone\":4155552673}", "4155552673"),
            ("{\"phone_number\": \"415 555 2672\"}", "415 555 2672"),
            ("Phone # 555-2671 x", "555-2671"),
            ("homePhone: 4155552675", "4155552675"),
        ] {
            assert_eq!(found(text), vec![(want.to_string(), Rule::Phone)], "{text}");
        }
        for text in [
            "{\"ts\":4155552671}",
            "microphone: 4155552671",
            "phone2: 1700000000",
            "phones 12 34",
            "cell 12345",
            "diff +12 -3",
            "tz +05:30",
        ] {
            assert_eq!(found(text), vec![], "{text}");
        }
    }

    #[test]
    fn phone_cues_are_grouped_by_their_last_letter() {
        for (i, cue) in PHONE_CUES.iter().enumerate() {
            let last = cue[cue.len() - 1];
            let group = match i {
                0..5 => b'e',
                5..7 => b'l',
                _ => last,
            };
            assert_eq!(last, group, "{}", String::from_utf8_lossy(cue));
            let single = [b'x', b'n', b'p', b's'];
            assert_eq!(
                i >= 7,
                single.contains(&last),
                "{}",
                String::from_utf8_lossy(cue)
            );
            if i >= 7 {
                assert_eq!(single[i - 7], last, "{}", String::from_utf8_lossy(cue));
            }
        }
    }

    /// Found by the red-team harness: phone numbers without `+`, and IBANs in groups.
    #[test]
    fn zero_led_phones_and_ibans() {
        for (text, want) in [
            ("tel 0044 20 7946 0958", "0044 20 7946 0958"),
            ("call +44 (0)20 7946 0958 today", "+44 (0)20 7946 0958"),
            ("call +44 (0) 20 7946 0958", "+44 (0) 20 7946 0958"),
            ("tel 00 33 6 12 34 56 78", "00 33 6 12 34 56 78"),
            ("call me on 07911 123456 tomorrow", "07911 123456"),
            ("Telefon: 030 12345678", "030 12345678"),
            ("ring 020 7946 0958.", "020 7946 0958"),
            ("portable 06.12.34.56.78", "06.12.34.56.78"),
            ("portable 06 12 34 56 78", "06 12 34 56 78"),
        ] {
            assert_eq!(found(text), vec![(want.to_string(), Rule::Phone)], "{text}");
        }
        for text in [
            "seq 0000 0000 1234",
            "took 0.25 s and 0 12 34",
            "on 05 10 2026",
            "version 0.144.0 build 01.02",
            "00 00 00 00 00 00",
        ] {
            assert_eq!(found(text), vec![], "{text}");
        }
        let iban = |t: &str| {
            let end = t.find("DE89").or_else(|| t.find("GB29"))?;
            super::iban_at(t.as_bytes(), end).map(|e| t[end..e].to_string())
        };
        assert_eq!(
            iban("pay DE89 3704 0044 0532 0130 00 please").as_deref(),
            Some("DE89 3704 0044 0532 0130 00")
        );
        assert_eq!(
            iban("iban GB29NWBK60161331926819.").as_deref(),
            Some("GB29NWBK60161331926819")
        );
        assert_eq!(
            iban("GB29 NWBK 6016 1331 9268 19 EUR").as_deref(),
            Some("GB29 NWBK 6016 1331 9268 19")
        );
        assert_eq!(iban("DE89 3704 0044 0532 0130 01"), None, "check digits");
        assert_eq!(iban("DE89 1 2 3"), None);
    }

    /// Found by the red-team harness: one name after a label such as a commit trailer.
    #[test]
    fn one_name_after_a_label_cue() {
        for (text, want) in [
            ("Reported-by: Quinzorvex", "Quinzorvex"),
            ("From: Quinzorvex <q@x>", "Quinzorvex"),
            ("Owner: Acme", "Acme"),
        ] {
            assert_eq!(
                found(text),
                vec![(want.to_string(), Rule::PersonName)],
                "{text}"
            );
        }
        for text in ["from Cloudflare", "by Quinzorvex", "from: Error"] {
            assert_eq!(found(text), vec![], "{text}");
        }
    }

    #[test]
    fn names_after_cue_words_are_found() {
        for (text, want) in [
            ("name: Jane Doe", "Jane Doe"),
            ("Hi Jane, the token expired", "Jane"),
            ("Dear Jane", "Jane"),
            ("request from Jane Doe failed", "Jane Doe"),
            ("user Jane Doe logged in", "Jane Doe"),
            ("name=Mary-Jane O'Brien", "Mary-Jane O'Brien"),
        ] {
            assert_eq!(
                found(text),
                vec![(want.to_string(), Rule::PersonName)],
                "{text}"
            );
        }
        // Found by the red team (round 3): greetings, sign-ins and a name's parts.
        for (text, want) in [
            ("Welcome back, Priyanka!", "Priyanka"),
            ("Signed in as Priyanka Raman (Plus)", "Priyanka Raman"),
            ("lastname: Quillan", "Quillan"),
        ] {
            assert_eq!(
                found(text),
                vec![(want.to_string(), Rule::PersonName)],
                "{text}"
            );
        }
        for text in [
            "Welcome to OpenCode",
            "response from Cloudflare",
            "Hi there",
            "request from OpenCode failed",
            "caused by Error: boom",
            "user Agent",
            "the name of the model",
            "Too Many Requests from the server",
            "Hello World",
        ] {
            assert_eq!(found(text), vec![], "{text}");
        }
    }
}
