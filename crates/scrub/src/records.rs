//! Lines of record formats whose fields say what they hold, read whole (red team, round 9;
//! known leaks since rounds 5 and 8): an `/etc/passwd` line (`jdoe:x:1000:1000:Jane
//! Doe,,,:/home/jdoe:/bin/bash`: the user and the GECOS name), a `.pgpass` line
//! (`host:port:database:user:password`: the user and the password), a vCard's `FN:`, `N:`,
//! `NICKNAME:`, `EMAIL…:`, `TEL…:` and `ADR…:` properties, and a latitude and longitude pair
//! (`48.85837,2.294481`, `"lat":37.77493,"lon":-122.41942`). Each field alone is ordinary
//! words or numbers the gate keeps.

use crate::rules::Rule;
use crate::span::{Repl, Span};

/// The fields of a line split at `:` (at most `N`), when it has exactly `N`.
fn colon_fields<const N: usize>(low: &[u8]) -> Option<[(usize, usize); N]> {
    let mut out = [(0, 0); N];
    let mut start = 0;
    let mut k = 0;
    for (i, &c) in low.iter().enumerate() {
        if c == b':' {
            *out.get_mut(k)? = (start, i);
            k += 1;
            start = i + 1;
        }
    }
    *out.get_mut(k)? = (start, low.len());
    (k + 1 == N).then_some(out)
}

fn all_digits(v: &[u8]) -> bool {
    !v.is_empty() && v.iter().all(u8::is_ascii_digit)
}

fn name_chars(v: &[u8]) -> bool {
    !v.is_empty()
        && v.iter()
            .all(|&c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'-' | b'$'))
}

/// Replaces a number: quoted when it stands as a JSON value (`json`), so JSON stays JSON.
fn push_number(v: (usize, usize), json: bool, spans: &mut Vec<Span>) {
    let repl = if json {
        Repl::QuotedRedacted { escaped: false }
    } else {
        Repl::Redacted
    };
    spans.push(Span::new(v.0, v.1, Rule::StreetAddress, repl));
}

/// Whether the bytes around `v` make it a bare JSON value (`:` or `[` or `,` before it;
/// `,`, `}`, `]` or the end after it).
fn bare_json_value(low: &[u8], v: (usize, usize)) -> bool {
    let before = low[..v.0].iter().rev().find(|c| !c.is_ascii_whitespace());
    let after = low[v.1..].iter().find(|c| !c.is_ascii_whitespace());
    matches!(before, Some(b':' | b'[' | b',')) && matches!(after, None | Some(b',' | b'}' | b']'))
}

fn push(v: (usize, usize), rule: Rule, spans: &mut Vec<Span>) {
    if v.1 > v.0 {
        spans.push(Span::new(v.0, v.1, rule, Repl::Redacted));
    }
}

/// `name:x:1000:1000:GECOS:/home/name:/bin/sh`: the user and the GECOS field (a person's
/// name, room, phones) go, unless the account is a system one.
fn passwd_line(dec: &[u8], low: &[u8], spans: &mut Vec<Span>) {
    let Some(f) = colon_fields::<7>(low) else {
        return;
    };
    let field = |k: usize| &low[f[k].0..f[k].1];
    if !name_chars(field(0))
        || !all_digits(field(2))
        || !all_digits(field(3))
        || !(field(5).starts_with(b"/") && (field(6).starts_with(b"/") || field(6).is_empty()))
    {
        return;
    }
    if crate::logins::system_name(field(0)) {
        return;
    }
    push(f[0], Rule::PersonName, spans);
    // The GECOS field without its empty sub-fields (`Jane Doe,,,`).
    let (gs, mut ge) = f[4];
    while ge > gs && dec[ge - 1] == b',' {
        ge -= 1;
    }
    push((gs, ge), Rule::PersonName, spans);
}

/// `host:port:database:user:password` (`.pgpass`; `*` for any): the user and the password.
fn pgpass_line(low: &[u8], spans: &mut Vec<Span>) {
    let Some(f) = colon_fields::<5>(low) else {
        return;
    };
    let field = |k: usize| &low[f[k].0..f[k].1];
    let port_ok = all_digits(field(1)) || field(1) == b"*";
    // A host name, `*`, or an IPv4 address (a timestamp's `2026-01-01T00` is none).
    let host = field(0);
    let ipv4 = host.iter().filter(|&&c| c == b'.').count() == 3
        && host.iter().all(|&c| c.is_ascii_digit() || c == b'.');
    let host_ok = host == b"*"
        || ipv4
        || (host.first().is_some_and(u8::is_ascii_alphabetic) && name_chars(host));
    let db_ok = field(2) == b"*" || name_chars(field(2));
    let user_ok =
        field(3) == b"*" || (name_chars(field(3)) && field(3).iter().any(u8::is_ascii_alphabetic));
    if !(port_ok && host_ok && db_ok && user_ok) || f[4].1 == f[4].0 {
        return;
    }
    if field(3) != b"*" && !crate::logins::system_name(field(3)) {
        push(f[3], Rule::PersonName, spans);
    }
    if !crate::rules::only_markers(field(4)) {
        push(f[4], Rule::ToldCredential, spans);
    }
}

/// A vCard property that holds a person's data: `FN:`, `N:` (fields after `;`),
/// `NICKNAME:`, `ADR;…:` (fields after `;`), `BDAY:`, `X-SKYPE:` (a name before `:` or `;`
/// at the line's start, and no space after the `:`, as vCard writes them). The value goes.
/// (Emails and phones have their own rules.)
fn vcard_property(low: &[u8], spans: &mut Vec<Span>) {
    let name_end = low
        .iter()
        .position(|&c| c == b':' || c == b';')
        .unwrap_or(low.len());
    // A property may carry a group (`item1.ADR;…`, as Apple's contacts write it; only
    // theirs: `app.fn:handle_request` is a log line).
    let name = &low[..name_end];
    let name = match name.strip_prefix(b"item") {
        Some(rest) => {
            let d = rest.iter().take_while(|c| c.is_ascii_digit()).count();
            if d > 0 && rest.get(d) == Some(&b'.') {
                &rest[d + 1..]
            } else {
                name
            }
        }
        None => name,
    };
    if !matches!(
        name,
        b"fn" | b"n" | b"nickname" | b"adr" | b"bday" | b"x-skype"
    ) {
        return;
    }
    let Some(colon) = low[name_end..].iter().position(|&c| c == b':') else {
        return;
    };
    let v = name_end + colon + 1;
    let value = &low[v..];
    let params = &low[name_end..v - 1];
    let structured = matches!(name, b"n" | b"adr");
    if params.contains(&b' ')
        || value.first().is_none_or(|&c| c == b' ' || c == b'\t')
        || (structured && !value.contains(&b';'))
        || !value.iter().any(u8::is_ascii_alphanumeric)
        || crate::rules::only_markers(value)
    {
        return;
    }
    push((v, low.len()), Rule::PersonName, spans);
}

/// The line-wide record formats, tried once per line.
pub(crate) fn record_lines(dec: &[u8], low: &[u8], spans: &mut Vec<Span>) {
    // Each starts with a name, a host or `*` (JSON lines start with none of them).
    if !low
        .first()
        .is_some_and(|&c| c.is_ascii_alphanumeric() || c == b'*' || c == b'_')
    {
        return;
    }
    let colons = memchr::memchr_iter(b':', low).take(7).count();
    if colons == 6 {
        passwd_line(dec, low, spans);
    } else if colons == 4 {
        pgpass_line(low, spans);
    }
    if colons >= 1
        && low
            .first()
            .is_some_and(|c| matches!(c, b'f' | b'n' | b'a' | b'b' | b'x' | b'i'))
    {
        vcard_property(low, spans);
    }
}

/// A decimal with at least four digits after the point, in `-limit..=limit`: its end.
fn coordinate(low: &[u8], s: usize, limit: u32) -> Option<usize> {
    let mut i = s;
    if low.get(i) == Some(&b'-') {
        i += 1;
    }
    let whole = crate::bytes::digits_end(low, i);
    if whole == i || whole - i > 3 || low.get(whole) != Some(&b'.') {
        return None;
    }
    let frac = crate::bytes::digits_end(low, whole + 1);
    if frac - (whole + 1) < 4 || frac - (whole + 1) > 17 {
        return None;
    }
    let n: u32 = std::str::from_utf8(&low[i..whole]).ok()?.parse().ok()?;
    (n <= limit).then_some(frac)
}

/// `48.85837,2.294481`, `(48.85837, 2.294481)`: a latitude and a longitude, each with four
/// or more decimals (a position to about ten metres), starting at `s` (the latitude's first
/// digit or `-`, not inside a longer number). Both go.
#[inline]
pub(crate) fn coordinates_at(low: &[u8], digit: usize, spans: &mut Vec<Span>) -> Option<usize> {
    // Most numbers are no latitude: up to three digits and a point first.
    let point = crate::bytes::digits_end(low, digit);
    if point - digit > 3 || low.get(point) != Some(&b'.') {
        return None;
    }
    // A minus sign before the first digit belongs to the latitude.
    let minus = digit > 0
        && low[digit - 1] == b'-'
        && (digit == 1 || !low[digit - 2].is_ascii_alphanumeric());
    let s = if minus { digit - 1 } else { digit };
    if s > 0 && (low[s - 1].is_ascii_alphanumeric() || matches!(low[s - 1], b'.' | b'-' | b'_')) {
        return None;
    }
    // Latitude first, or longitude first as GeoJSON writes a position (`[-122.41942,
    // 37.77493]`): one of the two within ±90.
    let lat_end = coordinate(low, s, 180)?;
    let mut j = lat_end;
    if low.get(j) != Some(&b',') {
        return None;
    }
    j += 1;
    if low.get(j) == Some(&b' ') {
        j += 1;
    }
    let lon_end = coordinate(low, j, 180)?;
    let lat_first = coordinate(low, s, 90).is_some();
    if !lat_first && coordinate(low, j, 90).is_none() {
        return None;
    }
    // Not a longer number or version (`3.12345.6`); a sentence's full stop may follow.
    let next = low.get(lon_end).copied().unwrap_or(b' ');
    let after = low.get(lon_end + 1).copied().unwrap_or(b' ');
    if next.is_ascii_alphanumeric()
        || next == b'_'
        || (next == b'.' && after.is_ascii_alphanumeric())
    {
        return None;
    }
    // Two numbers alone, not two of a longer list (`3,0.6931,0.5012`, score arrays).
    let before = low[..s]
        .iter()
        .rev()
        .find(|c| !c.is_ascii_whitespace())
        .copied();
    let after_pair = low[lon_end..]
        .iter()
        .find(|c| !c.is_ascii_whitespace())
        .copied();
    if before == Some(b',') || after_pair == Some(b',') {
        return None;
    }
    // A JSON pair (`[48.85837, 2.294481]`, `"pos":48.8,…`) is a position only where a
    // word before says so (`coordinates`, `location`, `center`, …): two numbers in an
    // array are as often two scores.
    let json = matches!(before, Some(b':' | b'[')) && bare_json_value(low, (j, lon_end));
    // A JSON pair, or a pair with the longitude first (as GeoJSON writes it), only under a
    // position word.
    if json || !lat_first {
        // The word may stand before the whole array of positions (a GeoJSON `LineString`:
        // `"coordinates":[[…],[…],…]`): the window ends where the array of numbers starts.
        let array_start = s - low[..s]
            .iter()
            .rev()
            .take_while(|c| {
                c.is_ascii_digit()
                    || matches!(
                        c,
                        b'.' | b',' | b'-' | b'[' | b']' | b' ' | b'e' | b'E' | b'+'
                    )
            })
            .count();
        let near = &low[s.saturating_sub(48)..s];
        let ctx = &low[array_start.saturating_sub(48)..array_start];
        let cued = [
            &b"coord"[..],
            b"loc",
            b"lat",
            b"lng",
            b"lon",
            b"geo",
            b"pos",
            b"point",
            b"center",
            b"gps",
            b"place",
            b"where",
        ]
        .iter()
        .any(|w| memchr::memmem::find(ctx, w).is_some() || memchr::memmem::find(near, w).is_some());
        if !cued {
            return None;
        }
    }
    push_number((s, lat_end), json, spans);
    push_number((j, lon_end), json, spans);
    Some(lon_end)
}

/// Every latitude and longitude pair of a line (see [`coordinates_at`]), found at its comma.
pub(crate) fn coordinate_pairs(low: &[u8], spans: &mut Vec<Span>) {
    let mut last = 0;
    for c in memchr::memchr_iter(b',', low) {
        if c < last || c == 0 || !low[c - 1].is_ascii_digit() {
            continue;
        }
        // Back over the latitude's decimals, its point and its whole degrees.
        let mut k = c;
        while k > 0 && low[k - 1].is_ascii_digit() {
            k -= 1;
        }
        if k == 0 || low[k - 1] != b'.' {
            continue;
        }
        k -= 1;
        while k > 0 && low[k - 1].is_ascii_digit() {
            k -= 1;
        }
        if let Some(end) = coordinates_at(low, k, spans) {
            last = end;
        }
    }
}

/// Latitude and longitude under their keys, in JSON or as `key=value` (`"lat":37.77493,
/// "lon":-122.41942`, `"latitude": "37.77493"`, `lat="37.77493" lng=…`, `lon=-122.41942`):
/// each number with four or more decimals goes, bare or quoted.
pub(crate) fn coordinate_keys(low: &[u8], spans: &mut Vec<Span>) {
    for q in memchr::memchr_iter(b'l', low) {
        if q > 0
            && !matches!(
                low[q - 1],
                b'"' | b'\'' | b' ' | b'?' | b'&' | b',' | b'{' | b';' | b'('
            )
        {
            continue;
        }
        let rest = &low[q..];
        let (len, limit) = if rest.starts_with(b"latitude") {
            (8, 90)
        } else if rest.starts_with(b"longitude") {
            (9, 180)
        } else if rest.starts_with(b"long") && !rest.get(4).is_some_and(u8::is_ascii_alphabetic) {
            (4, 180)
        } else if rest.starts_with(b"lat") || rest.starts_with(b"lon") || rest.starts_with(b"lng") {
            (3, if rest[1] == b'a' { 90 } else { 180 })
        } else {
            continue;
        };
        let mut k = q + len;
        let quoted_key = q > 0 && matches!(low[q - 1], b'"' | b'\'');
        if quoted_key {
            if low.get(k) != Some(&low[q - 1]) {
                continue;
            }
            k += 1;
        }
        let mut v = crate::bytes::skip_spaces(low, k);
        match low.get(v) {
            Some(b':') if quoted_key || low.get(v + 1) == Some(&b' ') => {}
            Some(b'=') if !quoted_key => {}
            _ => continue,
        }
        v = crate::bytes::skip_spaces(low, v + 1);
        let quote = low.get(v).copied().filter(|c| matches!(c, b'"' | b'\''));
        if quote.is_some() {
            v += 1;
        }
        let Some(end) = coordinate(low, v, limit) else {
            continue;
        };
        match quote {
            Some(c) if low.get(end) == Some(&c) => push_number((v, end), false, spans),
            Some(_) => {}
            None => {
                let next = low.get(end).copied().unwrap_or(b' ');
                if !(next.is_ascii_alphanumeric() || matches!(next, b'.' | b'_')) {
                    push_number(
                        (v, end),
                        quoted_key && bare_json_value(low, (v, end)),
                        spans,
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<String> {
        let low = text.to_ascii_lowercase();
        let mut spans = Vec::new();
        record_lines(text.as_bytes(), low.as_bytes(), &mut spans);
        coordinate_keys(low.as_bytes(), &mut spans);
        coordinate_pairs(low.as_bytes(), &mut spans);
        spans
            .iter()
            .map(|s| text[s.start..s.end].to_string())
            .collect()
    }

    #[test]
    fn passwd_and_pgpass_lines() {
        assert_eq!(
            found("zq:x:1000:1000:Zorv Quillan,,,:/home/zq:/bin/bash"),
            ["zq", "Zorv Quillan"]
        );
        assert!(found("root:x:0:0:root:/root:/bin/bash").is_empty());
        assert_eq!(
            found("db.example.com:5432:app:jdoe:tralalogin"),
            ["jdoe", "tralalogin"]
        );
        assert_eq!(found("*:*:*:postgres:hunter2"), ["hunter2"]);
        assert!(found("at 10:01:02:03:04 ok").is_empty());
        assert!(found("2026-01-01T00:00:00:000:x").is_empty());
    }

    #[test]
    fn vcard_properties() {
        assert_eq!(found("FN:Zqorla Brimvale"), ["Zqorla Brimvale"]);
        assert_eq!(found("N:Brimzale;Zqorla;;;"), ["Brimzale;Zqorla;;;"]);
        assert_eq!(
            found("ADR;TYPE=home:;;42 Elm St;Springfield;;;"),
            [";;42 Elm St;Springfield;;;"]
        );
        assert!(found("n:5").is_empty());
        assert!(found("fn: main").is_empty());
        assert!(found("N:;;;;").is_empty());
        assert!(found("note: something").is_empty());
        assert!(found("error: timed out").is_empty());
        // A grouped property, as Apple's contacts write it.
        assert_eq!(
            found("item1.ADR;type=HOME:;;12 Quiet Lane;Springfield;IL;62704;USA"),
            [";;12 Quiet Lane;Springfield;IL;62704;USA"]
        );
        assert!(found("item1.X-ABLabel:home").is_empty());
        assert!(found("items.adr is empty: 3").is_empty());
        assert!(found("app.fn:handle_request took 3ms").is_empty());
        assert!(found("item.fn:x").is_empty());
    }

    #[test]
    fn latitude_and_longitude() {
        assert_eq!(
            found("location 48.85837,2.294481 (home)"),
            ["48.85837", "2.294481"]
        );
        assert_eq!(
            found(r#"{"event":"geo","lat":37.77493,"lon":-122.41942}"#),
            ["37.77493", "-122.41942"]
        );
        assert!(found("took 1.2345,0.5 s").is_empty());
        assert!(found("version 1.2.3,4.5").is_empty());
        assert!(found("ratio 120.12345,300.12345").is_empty());
        assert!(found(r#"{"lat":37.7}"#).is_empty());
        assert_eq!(found("at -33.86882, 151.20929"), ["-33.86882", "151.20929"]);
        assert_eq!(
            found("at -33.86882,-151.20929."),
            ["-33.86882", "-151.20929"]
        );
        assert!(found("v1-2.12345,3.12345").is_empty());
        assert!(found("3,0.6931,0.5012").is_empty());
        assert!(found(r#"{"scores":[0.9123,0.0877]}"#).is_empty());
        assert_eq!(
            found(r#"{"coordinates":[2.294481,48.85837]}"#),
            ["2.294481", "48.85837"]
        );
        // GeoJSON writes the longitude first, beyond ±90 too.
        assert_eq!(
            found(r#"{"type":"Point","coordinates":[-122.41942,37.77493]}"#),
            ["-122.41942", "37.77493"]
        );
        assert_eq!(
            found("location -122.41942,37.77493"),
            ["-122.41942", "37.77493"]
        );
        assert!(found("at -122.41942,37.77493").is_empty());
        // Neither within ±90: no position.
        assert!(found("at 122.41942,137.77493").is_empty());
        // Longitude first only under a position word.
        assert!(found("took 150.1234,20.5678").is_empty());
        // Every position of a line, not only the first within the word's reach; as many
        // decimals as a double prints.
        let line = r#"{"type":"LineString","coordinates":[[-122.41941550000001,37.77492950000001],[-122.41841550000001,37.77592950000001],[-122.41741550000001,37.77692950000001]]}"#;
        assert_eq!(found(line).len(), 6, "{:?}", found(line));
        assert!(found(r#"{"scores":[[0.91234,0.08766],[0.5123,0.4877]]}"#).is_empty());
        // YAML and JavaScript objects.
        assert_eq!(found("lat: 37.77493"), ["37.77493"]);
        assert_eq!(
            found("{ lat: 37.77493, lng: -122.41942 }"),
            ["37.77493", "-122.41942"]
        );
        // Quoted values and `key=value`.
        assert_eq!(
            found(r#"{"latitude":"37.77493","longitude":"-122.41942"}"#),
            ["37.77493", "-122.41942"]
        );
        assert_eq!(
            found(r#"<pin lat="37.77493" lon='-122.41942'/>"#),
            ["37.77493", "-122.41942"]
        );
        assert_eq!(
            found("GET /map?lat=37.77493&lng=-122.41942 200"),
            ["37.77493", "-122.41942"]
        );
        assert_eq!(found("long=-122.41942"), ["-122.41942"]);
        assert!(found("plat=37.77493 along=1.23456").is_empty());
        assert!(found("lat=37.77493.1").is_empty());
        assert!(found("longest=37.77493").is_empty());
        assert!(found(r#"{"lat":"37.7749x"}"#).is_empty());
    }
}
