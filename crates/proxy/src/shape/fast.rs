//! Body shaping without rebuilding the body: the result of parsing the whole request into a
//! `serde_json::Value`, shaping it ([`super::shape_body`]) and serializing it again, at a
//! fraction of the cost.
//!
//! The top-level object is split into raw members, in one pass over the bytes that checks
//! what `serde_json` checks ([`split`]; for what that pass does not vouch for, `serde_json`'s
//! own split and a scan of each value, [`split_parsed`]). Only what shaping reads is parsed:
//! `instructions`, `store`, `reasoning`, `include`, `model`, the leading `system`/`developer`
//! input items (to lift them) and the input items that name reasoning (a `type` starting with
//! `reasoning`, a `reasoning_content` key); everything else is copied as received. The split
//! itself checks what `serde_json` checks while skipping a value (grammar, escapes, control
//! characters, UTF-8); a byte scan of each member then finds the items that name reasoning
//! without decoding strings, and checks what skipping leaves open. What the scan cannot
//! vouch for (a `\u` escape of a surrogate, a number with an exponent or hundreds of
//! digits, deep nesting, a key or `type` value spelled with `\u` escapes) goes through a
//! parse that allocates nothing and runs the same `serde_json` code as a full parse, so a
//! body is shaped here exactly when the full parse would accept it. What this path does not
//! handle (duplicate top-level keys, nesting near the parser's depth limit, anything it
//! cannot read) is left to the full parse, which stays the reference. When nothing needs
//! to change, the body is sent as it came.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::Value;

use super::{delete_reasoning_content, is_instruction_item, item_text, starts_with_reasoning};

/// Deepest container level this path accepts (`serde_json` refuses level 128).
const MAX_LEVEL: usize = 100;

/// What the fast path made of a body.
pub(super) struct FastShaped {
    /// The new body; `None` when the body needs no change.
    pub body: Option<Vec<u8>>,
    /// `model`, when it is a string.
    pub model: Option<String>,
    /// See [`super::Shaped::invalid_summary`].
    pub invalid_summary: Option<String>,
    /// One of [`crate::settings::CLAMP_KEYS`] is a top-level key of the shaped body.
    pub clamp_keys: bool,
}

/// A key that borrows from the body when it has no escapes.
struct Key<'a>(Cow<'a, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, s: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(s)))
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(s.to_string())))
            }
        }
        d.deserialize_str(V)
    }
}

/// A top-level member's value as `serde_json` splits it: raw, or for `input` its items, raw.
enum RawMember<'a> {
    Raw(&'a RawValue),
    Items(Vec<&'a RawValue>),
}

/// The members of the top-level object, in order, values unparsed; `input` is split into
/// its items in the same pass (an `input` that is not an array is left to the full parse).
struct Members<'a>(Vec<(Cow<'a, str>, RawMember<'a>)>);

/// A top-level member's value in a [`Split`]: its text as received, or `input` (its items
/// are in [`Split::items`]).
enum Member<'a> {
    Raw(&'a str),
    Items,
}

impl Member<'_> {
    fn raw(&self) -> Option<&str> {
        match self {
            Member::Raw(r) => Some(r),
            Member::Items => None,
        }
    }
}

/// A body checked as the full parse would check it, split into its top-level members (in
/// order, values as received) and the `input` items, each with whether it names reasoning.
struct Split<'a> {
    members: Vec<(Cow<'a, str>, Member<'a>)>,
    items: Option<Vec<(&'a str, bool)>>,
}

struct Items;

impl<'de> DeserializeSeed<'de> for Items {
    type Value = Vec<&'de RawValue>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Items {
    type Value = Vec<&'de RawValue>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(16));
        while let Some(item) = seq.next_element::<&'de RawValue>()? {
            out.push(item);
        }
        Ok(out)
    }
}

impl<'de> Deserialize<'de> for Members<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Members<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Members<'de>, A::Error> {
                let mut out = Vec::new();
                while let Some(Key(k)) = map.next_key::<Key<'de>>()? {
                    let v = if k == "input" {
                        RawMember::Items(map.next_value_seed(Items)?)
                    } else {
                        RawMember::Raw(map.next_value()?)
                    };
                    out.push((k, v));
                }
                Ok(Members(out))
            }
        }
        d.deserialize_map(V)
    }
}

/// The object keys shaping cares about.
#[derive(Clone, Copy, PartialEq, Eq)]
enum KeyKind {
    Type,
    ReasoningContent,
    Other,
}

struct KeySeed;

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = KeyKind;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<KeyKind, D::Error> {
        d.deserialize_str(self)
    }
}

impl Visitor<'_> for KeySeed {
    type Value = KeyKind;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }
    fn visit_str<E: de::Error>(self, s: &str) -> Result<KeyKind, E> {
        Ok(if s == "type" {
            KeyKind::Type
        } else if s.eq_ignore_ascii_case("reasoning_content") {
            KeyKind::ReasoningContent
        } else {
            KeyKind::Other
        })
    }
}

/// Walks a value as a full parse would (same `serde_json` code for strings, escapes and
/// numbers) without building it; notes whether it names reasoning.
struct Inspect<'s> {
    /// Set when a `type` is a string starting with `reasoning` or a key is
    /// `reasoning_content` (ASCII case-insensitively, as [`super::strip_reasoning`] compares).
    reasoning: &'s mut bool,
    /// Container level of the value's parent (the top-level object is level 1).
    level: usize,
    /// The value is the value of a `type` key.
    type_value: bool,
}

impl Inspect<'_> {
    fn child(&mut self, level: usize, type_value: bool) -> Inspect<'_> {
        Inspect {
            reasoning: &mut *self.reasoning,
            level,
            type_value,
        }
    }
}

impl<'de> DeserializeSeed<'de> for Inspect<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Inspect<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E: de::Error>(self, s: &str) -> Result<(), E> {
        if self.type_value && starts_with_reasoning_str(s) {
            *self.reasoning = true;
        }
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<(), A::Error> {
        let level = self.level + 1;
        if level > MAX_LEVEL {
            return Err(de::Error::custom("nested too deep for the fast path"));
        }
        while seq.next_element_seed(self.child(level, false))?.is_some() {}
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<(), A::Error> {
        let level = self.level + 1;
        if level > MAX_LEVEL {
            return Err(de::Error::custom("nested too deep for the fast path"));
        }
        while let Some(k) = map.next_key_seed(KeySeed)? {
            if k == KeyKind::ReasoningContent {
                *self.reasoning = true;
            }
            map.next_value_seed(self.child(level, k == KeyKind::Type))?;
        }
        Ok(())
    }
}

fn starts_with_reasoning_str(s: &str) -> bool {
    starts_with_reasoning_bytes(s.as_bytes())
}

fn starts_with_reasoning_bytes(s: &[u8]) -> bool {
    s.get(..9)
        .is_some_and(|p| p.eq_ignore_ascii_case(b"reasoning"))
}

/// Checks `raw` (a value whose parent is at container level `level`) as the full parse
/// would; `Some(names reasoning)` when it is valid. The byte scan answers for nearly every
/// value; what it cannot vouch for goes through the parse.
fn inspect(raw: &str, level: usize) -> Option<bool> {
    match scan(raw.as_bytes(), level) {
        Some(names) => Some(names),
        None => inspect_parsed(raw, level),
    }
}

/// Characters that may continue a number token.
fn in_number(b: u8) -> bool {
    matches!(b, b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E')
}

/// The longest number token [`scan`] vouches for: without an exponent, a shorter one has
/// fewer than 300 integer digits, far inside `f64`'s range (the full parse refuses only
/// numbers beyond it).
const SCAN_NUMBER_MAX: usize = 300;

/// A string token from just after its opening quote: the index of its closing quote, and
/// whether it has escapes; `None` for a `\u` escape of a UTF-16 surrogate, whose pairing
/// only the full parse checks.
fn string_end(b: &[u8], mut i: usize) -> Option<(usize, bool)> {
    let mut escaped = false;
    loop {
        i += memchr::memchr2(b'"', b'\\', b.get(i..)?)?;
        if b[i] == b'"' {
            return Some((i, escaped));
        }
        escaped = true;
        if b.get(i + 1) == Some(&b'u') {
            let hex = std::str::from_utf8(b.get(i + 2..i + 6)?).ok()?;
            let unit = u16::from_str_radix(hex, 16).ok()?;
            if (0xD800..=0xDFFF).contains(&unit) {
                return None;
            }
            i += 6;
        } else {
            i += 2;
        }
    }
}

/// The open containers of a scan (bit set: an object), deepest last.
struct Nesting {
    bits: u128,
    len: usize,
}

impl Nesting {
    fn push(&mut self, object: bool) -> Option<()> {
        if self.len >= 128 {
            return None;
        }
        self.bits = (self.bits << 1) | u128::from(object);
        self.len += 1;
        Some(())
    }

    fn pop(&mut self) -> Option<()> {
        self.len = self.len.checked_sub(1)?;
        self.bits >>= 1;
        Some(())
    }

    fn in_object(&self) -> bool {
        self.len > 0 && self.bits & 1 == 1
    }
}

/// [`inspect_parsed`]'s answer from the bytes of a value the member split has already
/// checked (grammar, escapes, control characters and UTF-8 are as the full parse
/// requires), without decoding its strings. `None` (the parse decides) for what that check
/// leaves open: a `\u` escape of a surrogate, a number with an exponent or of
/// [`SCAN_NUMBER_MAX`] characters or more, nesting past [`MAX_LEVEL`]; and for a key or a
/// `type` value whose escapes could spell the words looked for.
fn scan(b: &[u8], level: usize) -> Option<bool> {
    let mut reasoning = false;
    let mut depth = level;
    let mut nesting = Nesting { bits: 0, len: 0 };
    // The next string is a key; the next value is a `type` key's.
    let mut key_next = false;
    let mut type_value = false;
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        match c {
            b' ' | b'\n' | b'\t' | b'\r' | b':' => i += 1,
            b',' => {
                key_next = nesting.in_object();
                i += 1;
            }
            b'{' | b'[' => {
                depth += 1;
                if depth > MAX_LEVEL {
                    return None;
                }
                nesting.push(c == b'{')?;
                key_next = c == b'{';
                type_value = false;
                i += 1;
            }
            b'}' | b']' => {
                nesting.pop()?;
                depth -= 1;
                key_next = false;
                i += 1;
            }
            b'"' => {
                let (end, escaped) = string_end(b, i + 1)?;
                let s = &b[i + 1..end];
                if key_next {
                    // An escape other than `\u` stands for a character neither word has.
                    if escaped && memchr::memmem::find(s, b"\\u").is_some() {
                        return None;
                    }
                    type_value = !escaped && s == b"type";
                    if !escaped && s.eq_ignore_ascii_case(b"reasoning_content") {
                        reasoning = true;
                    }
                    key_next = false;
                } else {
                    if type_value {
                        let head = &s[..s.len().min(9)];
                        if head.contains(&b'\\') {
                            return None;
                        }
                        if starts_with_reasoning_bytes(s) {
                            reasoning = true;
                        }
                    }
                    type_value = false;
                }
                i = end + 1;
            }
            b't' | b'n' => {
                i += 4;
                type_value = false;
            }
            b'f' => {
                i += 5;
                type_value = false;
            }
            b'-' | b'0'..=b'9' => {
                let len = b[i..]
                    .iter()
                    .position(|x| !in_number(*x))
                    .unwrap_or(b.len() - i);
                let token = &b[i..i + len];
                if len >= SCAN_NUMBER_MAX || token.iter().any(|x| matches!(x, b'e' | b'E')) {
                    return None;
                }
                i += len;
                type_value = false;
            }
            _ => return None,
        }
    }
    (nesting.len == 0).then_some(reasoning)
}

/// JSON whitespace, as `serde_json` skips it.
fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while matches!(b.get(i), Some(b' ' | b'\n' | b'\t' | b'\r')) {
        i += 1;
    }
    i
}

/// Finds the bytes that end a run of plain string bytes (`"`, `\\` or a control
/// character) through a body, 64 at a time: the positions of those bytes in a block are
/// one 64-bit mask, built with 16-byte vector compares (SSE2, NEON, or plain code where
/// neither is there), so that each stop costs a few bit operations rather than a scan.
/// String values are most of a long body, and a prompt's escapes (`\n`, `\"`) come every
/// few dozen bytes.
pub(super) struct Specials<'a> {
    b: &'a [u8],
    /// Where the cached block starts; `usize::MAX` before the first.
    block: usize,
    /// Bit `k` set: byte `block + k` is special.
    mask: u64,
}

impl<'a> Specials<'a> {
    pub(super) fn new(b: &'a [u8]) -> Self {
        Specials {
            b,
            block: usize::MAX,
            mask: 0,
        }
    }

    /// The first special byte at or after `i`.
    pub(super) fn at(&mut self, mut i: usize) -> Option<usize> {
        loop {
            if let Some(k) = i.checked_sub(self.block).filter(|k| *k < 64) {
                let rest = self.mask >> k;
                if rest != 0 {
                    return Some(i + rest.trailing_zeros() as usize);
                }
                i = self.block + 64;
            }
            match self.b.get(i..i + 64) {
                Some(w) => {
                    self.block = i;
                    self.mask = block_mask(w);
                }
                None => {
                    return self
                        .b
                        .get(i..)?
                        .iter()
                        .position(|&c| c == b'"' || c == b'\\' || c < 0x20)
                        .map(|n| i + n)
                }
            }
        }
    }
}

/// The special bytes of a 64-byte block (see [`Specials`]) as a mask, lowest byte first.
fn block_mask(w: &[u8]) -> u64 {
    use wide::u8x16;
    const QUOTE: u8x16 = u8x16::splat(b'"');
    const BACKSLASH: u8x16 = u8x16::splat(b'\\');
    const CONTROL_MAX: u8x16 = u8x16::splat(0x1f);
    let mut mask = 0u64;
    for (k, part) in w.chunks_exact(16).enumerate() {
        let mut lanes = [0u8; 16];
        lanes.copy_from_slice(part);
        let v = u8x16::new(lanes);
        let hit = v.simd_eq(QUOTE) | v.simd_eq(BACKSLASH) | v.min(CONTROL_MAX).simd_eq(v);
        mask |= u64::from(hit.to_bitmask()) << (16 * k);
    }
    mask
}

/// A string token from just after its opening quote, checked as `serde_json` checks it (no
/// control character, only its escapes, `\u` with four hex digits): the index of its
/// closing quote, and whether it has escapes. `None` for anything else, and for a `\u`
/// escape of a UTF-16 surrogate, whose pairing only the full parse checks. The text is
/// known to be UTF-8.
fn checked_string_end(sp: &mut Specials<'_>, mut i: usize) -> Option<(usize, bool)> {
    let b = sp.b;
    let mut escaped = false;
    loop {
        i = sp.at(i)?;
        match b[i] {
            b'"' => return Some((i, escaped)),
            b'\\' => {}
            // A control character.
            _ => return None,
        }
        escaped = true;
        match *b.get(i + 1)? {
            b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => i += 2,
            b'u' => {
                let hex = b.get(i + 2..i + 6)?;
                let mut unit: u16 = 0;
                for &h in hex {
                    let d = (h as char).to_digit(16)?;
                    unit = unit << 4 | d as u16;
                }
                if (0xD800..=0xDFFF).contains(&unit) {
                    return None;
                }
                i += 6;
            }
            _ => return None,
        }
    }
}

/// A number token at `i`, checked as `serde_json` reads it (`-`, then `0` or digits not
/// starting with `0`, then `.` and digits): the index after it. `None` for anything else,
/// and (as [`scan`]) for an exponent or a token of [`SCAN_NUMBER_MAX`] characters or more.
fn checked_number_end(b: &[u8], start: usize) -> Option<usize> {
    let digits = |mut i: usize| {
        let from = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        (i > from).then_some(i)
    };
    let mut i = start;
    if b.get(i) == Some(&b'-') {
        i += 1;
    }
    i = match b.get(i) {
        Some(b'0') => i + 1,
        Some(b'1'..=b'9') => digits(i)?,
        _ => return None,
    };
    if b.get(i) == Some(&b'.') {
        i = digits(i + 1)?;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) || i - start >= SCAN_NUMBER_MAX {
        return None;
    }
    Some(i)
}

/// An object key at `i` up to its `:` (whitespace around it skipped): the index after the
/// `:`, whether the key is `type` (so the value is a `type` value), and whether it is
/// `reasoning_content` (in any case). `None` for a key whose `\u` escapes could spell either.
fn checked_key(sp: &mut Specials<'_>, i: usize) -> Option<(usize, bool, bool)> {
    let b = sp.b;
    if b.get(i) != Some(&b'"') {
        return None;
    }
    let (end, escaped) = checked_string_end(sp, i + 1)?;
    let s = &b[i + 1..end];
    // An escape other than `\u` stands for a character neither word has.
    if escaped && memchr::memmem::find(s, b"\\u").is_some() {
        return None;
    }
    let is_type = !escaped && s == b"type";
    let reasoning_content = !escaped && s.eq_ignore_ascii_case(b"reasoning_content");
    let colon = skip_ws(b, end + 1);
    if b.get(colon) != Some(&b':') {
        return None;
    }
    Some((skip_ws(b, colon + 1), is_type, reasoning_content))
}

/// One value at `i` (no whitespace before it), checked as `serde_json` checks a value and
/// scanned as [`scan`] scans it, in one pass: the index after it and whether it names
/// reasoning. `level` is the container level of its parent. `None` where [`scan`] would
/// say `None`, and for anything the parse would refuse.
fn checked_value(sp: &mut Specials<'_>, mut i: usize, level: usize) -> Option<(usize, bool)> {
    let b = sp.b;
    let mut reasoning = false;
    let mut depth = level;
    let mut nesting = Nesting { bits: 0, len: 0 };
    // The value at `i` is a `type` key's.
    let mut type_value = false;
    loop {
        // A value at `i`.
        match *b.get(i)? {
            c @ (b'{' | b'[') => {
                depth += 1;
                if depth > MAX_LEVEL {
                    return None;
                }
                nesting.push(c == b'{')?;
                i = skip_ws(b, i + 1);
                let close = if c == b'{' { b'}' } else { b']' };
                if b.get(i) == Some(&close) {
                    nesting.pop()?;
                    depth -= 1;
                    i += 1;
                } else {
                    type_value = false;
                    if c == b'{' {
                        let (next, is_type, rc) = checked_key(sp, i)?;
                        reasoning |= rc;
                        type_value = is_type;
                        i = next;
                    }
                    continue;
                }
            }
            b'"' => {
                let (end, _) = checked_string_end(sp, i + 1)?;
                if type_value {
                    let s = &b[i + 1..end];
                    if s[..s.len().min(9)].contains(&b'\\') {
                        return None;
                    }
                    if starts_with_reasoning_bytes(s) {
                        reasoning = true;
                    }
                }
                i = end + 1;
            }
            b't' if b.get(i..i + 4) == Some(b"true") => i += 4,
            b'f' if b.get(i..i + 5) == Some(b"false") => i += 5,
            b'n' if b.get(i..i + 4) == Some(b"null") => i += 4,
            b'-' | b'0'..=b'9' => i = checked_number_end(b, i)?,
            _ => return None,
        }
        type_value = false;
        // After a value: close containers until a `,` asks for the next value.
        loop {
            if nesting.len == 0 {
                return Some((i, reasoning));
            }
            i = skip_ws(b, i);
            let in_object = nesting.in_object();
            match *b.get(i)? {
                b',' => {
                    i = skip_ws(b, i + 1);
                    if in_object {
                        let (next, is_type, rc) = checked_key(sp, i)?;
                        reasoning |= rc;
                        type_value = is_type;
                        i = next;
                    }
                    break;
                }
                b'}' if in_object => {}
                b']' if !in_object => {}
                _ => return None,
            }
            nesting.pop()?;
            depth -= 1;
            i += 1;
        }
    }
}

/// The one-pass [`split_parsed`]: the body checked as `serde_json` would check it and split
/// into members and `input` items, each value scanned as [`inspect`] scans it, without the
/// parse. `None` (the parse decides) for anything it does not vouch for, and for a
/// top-level key with escapes.
fn split(body: &[u8]) -> Option<Split<'_>> {
    // UTF-8 checked once for the whole body: outside strings only ASCII is valid anyway.
    let text = std::str::from_utf8(body).ok()?;
    let b = text.as_bytes();
    let mut sp = Specials::new(b);
    let mut i = skip_ws(b, 0);
    if b.get(i) != Some(&b'{') {
        return None;
    }
    let mut members = Vec::with_capacity(16);
    let mut items = None;
    i = skip_ws(b, i + 1);
    if b.get(i) == Some(&b'}') {
        i += 1;
    } else {
        loop {
            if b.get(i) != Some(&b'"') {
                return None;
            }
            let (end, escaped) = checked_string_end(&mut sp, i + 1)?;
            if escaped {
                return None;
            }
            let key = &text[i + 1..end];
            i = skip_ws(b, end + 1);
            if b.get(i) != Some(&b':') {
                return None;
            }
            i = skip_ws(b, i + 1);
            if key == "input" {
                // The parse leaves an `input` that is not an array to the full parse.
                if b.get(i) != Some(&b'[') {
                    return None;
                }
                let mut list = Vec::with_capacity(16);
                i = skip_ws(b, i + 1);
                if b.get(i) == Some(&b']') {
                    i += 1;
                } else {
                    loop {
                        let (end, names) = checked_value(&mut sp, i, 2)?;
                        list.push((&text[i..end], names));
                        i = skip_ws(b, end);
                        match b.get(i) {
                            Some(b',') => i = skip_ws(b, i + 1),
                            Some(b']') => {
                                i += 1;
                                break;
                            }
                            _ => return None,
                        }
                    }
                }
                items = Some(list);
                members.push((Cow::Borrowed(key), Member::Items));
            } else {
                let (end, _) = checked_value(&mut sp, i, 1)?;
                members.push((Cow::Borrowed(key), Member::Raw(&text[i..end])));
                i = end;
            }
            i = skip_ws(b, i);
            match b.get(i) {
                Some(b',') => i = skip_ws(b, i + 1),
                Some(b'}') => {
                    i += 1;
                    break;
                }
                _ => return None,
            }
        }
    }
    (skip_ws(b, i) == b.len()).then_some(Split { members, items })
}

/// The parse behind [`inspect`].
fn inspect_parsed(raw: &str, level: usize) -> Option<bool> {
    let mut reasoning = false;
    let mut d = serde_json::Deserializer::from_str(raw);
    Inspect {
        reasoning: &mut reasoning,
        level,
        type_value: false,
    }
    .deserialize(&mut d)
    .ok()?;
    d.end().ok()?;
    Some(reasoning)
}

/// Reads only an item's `role` and `type` (the last of each, as `Value::get` does).
struct RoleAndType {
    role: Option<String>,
    ty: Option<String>,
}

/// A string value, or `None` for any other value (skipped).
struct StrOrSkip;

impl<'de> DeserializeSeed<'de> for StrOrSkip {
    type Value = Option<String>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for StrOrSkip {
    type Value = Option<String>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_str<E: de::Error>(self, s: &str) -> Result<Self::Value, E> {
        Ok(Some(s.to_string()))
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<de::IgnoredAny>()?.is_some() {}
        Ok(None)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map
            .next_entry::<de::IgnoredAny, de::IgnoredAny>()?
            .is_some()
        {}
        Ok(None)
    }
}

impl<'de> Deserialize<'de> for RoleAndType {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RoleAndType;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON value")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RoleAndType, A::Error> {
                let mut out = RoleAndType {
                    role: None,
                    ty: None,
                };
                while let Some(Key(k)) = map.next_key::<Key<'de>>()? {
                    match k.as_ref() {
                        "role" => out.role = map.next_value_seed(StrOrSkip)?,
                        "type" => out.ty = map.next_value_seed(StrOrSkip)?,
                        _ => {
                            map.next_value::<de::IgnoredAny>()?;
                        }
                    }
                }
                Ok(out)
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<RoleAndType, E> {
                Ok(RoleAndType {
                    role: None,
                    ty: None,
                })
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<RoleAndType, E> {
                Ok(RoleAndType {
                    role: None,
                    ty: None,
                })
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<RoleAndType, E> {
                Ok(RoleAndType {
                    role: None,
                    ty: None,
                })
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<RoleAndType, E> {
                Ok(RoleAndType {
                    role: None,
                    ty: None,
                })
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<RoleAndType, E> {
                Ok(RoleAndType {
                    role: None,
                    ty: None,
                })
            }
            fn visit_unit<E: de::Error>(self) -> Result<RoleAndType, E> {
                Ok(RoleAndType {
                    role: None,
                    ty: None,
                })
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<RoleAndType, A::Error> {
                while seq.next_element::<de::IgnoredAny>()?.is_some() {}
                Ok(RoleAndType {
                    role: None,
                    ty: None,
                })
            }
        }
        d.deserialize_any(V)
    }
}

/// Whether an (already checked) item can be a `system`/`developer` message, from its
/// `role` and `type` alone; the full item is parsed only when it can.
fn may_be_instruction_item(raw: &str) -> Option<bool> {
    use std::sync::LazyLock;
    static SYSTEM: LazyLock<memchr::memmem::Finder<'static>> =
        LazyLock::new(|| memchr::memmem::Finder::new(b"\"system\""));
    static DEVELOPER: LazyLock<memchr::memmem::Finder<'static>> =
        LazyLock::new(|| memchr::memmem::Finder::new(b"\"developer\""));
    // Without an escape, a `role` of `system` or `developer` is that word in quotes.
    let b = raw.as_bytes();
    if memchr::memchr(b'\\', b).is_none() && SYSTEM.find(b).is_none() && DEVELOPER.find(b).is_none()
    {
        return Some(false);
    }
    let RoleAndType { role, ty } = serde_json::from_str(raw).ok()?;
    Some(
        matches!(role.as_deref(), Some("system" | "developer"))
            && matches!(ty.as_deref(), None | Some("message")),
    )
}

fn parse(raw: &str) -> Option<Value> {
    serde_json::from_str(raw).ok()
}

/// One `input` item in the output.
enum Item<'a> {
    Raw(&'a str),
    Rewritten(Value),
}

/// Writes `{"k":v,…}`.
struct ObjectWriter {
    out: Vec<u8>,
    empty: bool,
}

impl ObjectWriter {
    fn member(&mut self, key: &str) -> Option<&mut Vec<u8>> {
        self.out.push(if self.empty { b'{' } else { b',' });
        self.empty = false;
        if key.bytes().any(|b| b == b'"' || b == b'\\' || b < 0x20) {
            serde_json::to_writer(&mut self.out, key).ok()?;
        } else {
            // Nothing to escape: the key as it is, quoted.
            self.out.push(b'"');
            self.out.extend_from_slice(key.as_bytes());
            self.out.push(b'"');
        }
        self.out.push(b':');
        Some(&mut self.out)
    }

    fn finish(mut self) -> Vec<u8> {
        if self.empty {
            self.out.push(b'{');
        }
        self.out.push(b'}');
        self.out
    }
}

/// The split by `serde_json`: the members as its parse reads them, every value checked by
/// [`inspect`].
fn split_parsed(body: &[u8]) -> Option<Split<'_>> {
    let Members(raw) = serde_json::from_slice(body).ok()?;
    let mut members = Vec::with_capacity(raw.len());
    let mut items = None;
    for (k, m) in raw {
        match m {
            RawMember::Raw(r) => {
                inspect(r.get(), 1)?;
                members.push((k, Member::Raw(r.get())));
            }
            RawMember::Items(list) => {
                let mut v = Vec::with_capacity(list.len());
                for item in list {
                    v.push((item.get(), inspect(item.get(), 2)?));
                }
                items = Some(v);
                members.push((k, Member::Items));
            }
        }
    }
    Some(Split { members, items })
}

/// Shapes `body` as [`super::shape_body`] would; `None` leaves it to the full parse.
pub(super) fn shape(body: &[u8]) -> Option<FastShaped> {
    let Split { members, items } = split(body).or_else(|| split_parsed(body))?;
    for (i, (k, _)) in members.iter().enumerate() {
        if members[..i].iter().any(|(other, _)| other == k) {
            return None;
        }
    }
    let find = |name: &str| members.iter().position(|(k, _)| k == name);
    let (instructions_at, max_at, store_at, reasoning_at, include_at, model_at) = (
        find("instructions"),
        find("max_output_tokens"),
        find("store"),
        find("reasoning"),
        find("include"),
        find("model"),
    );

    // A member shaping reads, parsed (all but `input` are raw).
    let value = |i: usize| members[i].1.raw().and_then(parse);

    // Leading `system`/`developer` items become `instructions` when there are none.
    let has_instructions = match instructions_at {
        Some(i) => value(i)?.as_str().is_some_and(|s| !s.is_empty()),
        None => false,
    };
    let mut lifted: Vec<String> = Vec::new();
    if let (false, Some(items)) = (has_instructions, &items) {
        for (raw, _) in items {
            if !may_be_instruction_item(raw)? {
                break;
            }
            let v = parse(raw)?;
            if !is_instruction_item(&v) {
                break;
            }
            match item_text(&v) {
                Some(t) => lifted.push(t),
                None => break,
            }
        }
    }

    // The reasoning replay strip, on the items that name reasoning.
    let mut input_changed = !lifted.is_empty();
    let mut out_items: Vec<Item<'_>> = Vec::new();
    if let Some(items) = &items {
        out_items.reserve(items.len());
        for (raw, names_reasoning) in &items[lifted.len()..] {
            if !names_reasoning {
                out_items.push(Item::Raw(raw));
                continue;
            }
            input_changed = true;
            let mut v = parse(raw)?;
            if starts_with_reasoning(&v) {
                continue;
            }
            if v.get("role").and_then(Value::as_str) == Some("assistant") {
                if let Some(Value::Array(parts)) = v.get_mut("content") {
                    parts.retain(|p| !starts_with_reasoning(p));
                }
            }
            delete_reasoning_content(&mut v);
            out_items.push(Item::Rewritten(v));
        }
    }

    // `include` gains `reasoning.encrypted_content` when reasoning is requested.
    let reasoning = match reasoning_at {
        Some(i) => Some(value(i)?),
        None => None,
    };
    let mut include: Option<Value> = None;
    let mut append_include = false;
    if super::reasoning_requested_by(reasoning.as_ref()) {
        match include_at {
            None => append_include = true,
            Some(i) => {
                if let Value::Array(mut list) = value(i)? {
                    if !list
                        .iter()
                        .any(|x| x.as_str() == Some("reasoning.encrypted_content"))
                    {
                        list.push(Value::String("reasoning.encrypted_content".into()));
                        include = Some(Value::Array(list));
                    }
                }
            }
        }
    }

    // Checked with every member above: only a string is kept.
    let model = match model_at {
        Some(i) => {
            let raw = members[i].1.raw()?;
            let mut d = serde_json::Deserializer::from_str(raw);
            StrOrSkip.deserialize(&mut d).ok()?
        }
        None => None,
    };
    let store_changed = store_at.is_none_or(|i| members[i].1.raw().is_none_or(|r| r != "false"));
    let changed =
        input_changed || max_at.is_some() || store_changed || include.is_some() || append_include;
    let invalid_summary = super::invalid_summary(reasoning.as_ref());
    // The shaped body's top-level keys are the members' (less `max_output_tokens`) and
    // `instructions`, `store` and `include`, none of them a clamp key.
    let clamp_keys = members
        .iter()
        .enumerate()
        .any(|(i, (k, _))| Some(i) != max_at && crate::settings::CLAMP_KEYS.contains(&&**k));
    if !changed {
        return Some(FastShaped {
            body: None,
            model,
            invalid_summary,
            clamp_keys,
        });
    }

    let instructions = (!lifted.is_empty()).then(|| lifted.join("\n\n"));
    let mut w = ObjectWriter {
        out: Vec::with_capacity(body.len() + 64),
        empty: true,
    };
    for (i, (k, m)) in members.iter().enumerate() {
        if Some(i) == max_at {
            continue;
        }
        let out = w.member(k)?;
        match m {
            Member::Items => {
                out.push(b'[');
                for (n, item) in out_items.iter().enumerate() {
                    if n > 0 {
                        out.push(b',');
                    }
                    match item {
                        Item::Raw(r) => out.extend_from_slice(r.as_bytes()),
                        Item::Rewritten(v) => serde_json::to_writer(&mut *out, v).ok()?,
                    }
                }
                out.push(b']');
            }
            Member::Raw(_) if Some(i) == instructions_at && instructions.is_some() => {
                serde_json::to_writer(&mut *out, &instructions).ok()?;
            }
            Member::Raw(_) if Some(i) == store_at => out.extend_from_slice(b"false"),
            Member::Raw(_) if Some(i) == include_at && include.is_some() => {
                serde_json::to_writer(&mut *out, &include).ok()?;
            }
            Member::Raw(raw) => out.extend_from_slice(raw.as_bytes()),
        }
    }
    if let (None, Some(text)) = (instructions_at, &instructions) {
        let out = w.member("instructions")?;
        serde_json::to_writer(&mut *out, text).ok()?;
    }
    if store_at.is_none() {
        w.member("store")?.extend_from_slice(b"false");
    }
    if append_include {
        w.member("include")?
            .extend_from_slice(br#"["reasoning.encrypted_content"]"#);
    }
    Some(FastShaped {
        body: Some(w.finish()),
        model,
        invalid_summary,
        clamp_keys,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The scan of `text` (a value the member split accepts), checked against the parse:
    /// when it answers, it answers as the parse does.
    fn agrees(text: &str, level: usize) -> Option<bool> {
        let raw: &RawValue = serde_json::from_str(text).expect("the member split accepts it");
        let parsed = inspect_parsed(raw.get(), level);
        let scanned = scan(text.as_bytes(), level);
        if let Some(s) = scanned {
            assert_eq!(Some(s), parsed, "{text}");
        }
        assert_eq!(inspect(raw.get(), level), parsed, "{text}");
        scanned
    }

    #[test]
    fn clamp_keys_are_the_shaped_bodys_top_level_keys_as_the_parse_finds_them() {
        for (body, expected) in [
            (
                r#"{"model":"gpt-5.4","model_context_window":2000000}"#,
                true,
            ),
            (
                r#"{"model":"gpt-5.4","model_auto_compact_token_limit":1}"#,
                true,
            ),
            (r#"{"model_context_window":1,"store":false}"#, true),
            // Shaping drops `max_output_tokens`: no clamp is left to do.
            (r#"{"model":"gpt-5.4","max_output_tokens":200000}"#, false),
            (
                r#"{"model":"gpt-5.4","input":[{"role":"user","content":"max_output_tokens"}]}"#,
                false,
            ),
            (
                r#"{"model":"gpt-5.4","reasoning":{"model_context_window":1}}"#,
                false,
            ),
            // A key with escapes goes through serde's split, decoded.
            (r#"{"model":"gpt-5.4","model_context_windo\u0077":1}"#, true),
            (r#"{"model":"gpt-5.4"}"#, false),
        ] {
            let fast = shape(body.as_bytes()).expect("the fast path shapes it");
            let (_, _, kind, _) = super::super::shape_parsed(bytes::Bytes::from(body));
            assert_eq!(fast.clamp_keys, expected, "{body}");
            assert_eq!(
                kind,
                crate::settings::BodyKind::Object {
                    clamp_keys: expected
                },
                "{body}"
            );
        }
    }

    #[test]
    fn the_scan_answers_for_ordinary_values_as_the_parse_does() {
        let answered: &[(&str, bool)] = &[
            (r#"{"type":"reasoning","id":"rs_1"}"#, true),
            (r#"{"type":"REASONING_text"}"#, true),
            (r#"{"type":"reasonin"}"#, false),
            (
                r#"{"type":"message","content":"a \"b\" \\ c\n\t\/ d \u00e9"}"#,
                false,
            ),
            (r#"{"Reasoning_Content":1}"#, true),
            (r#"{"x":[{"y":{"reasoning_content":null}}]}"#, true),
            (r#"{"x":{"type":"reasoning_text"}}"#, true),
            (r#"{"type":["reasoning"]}"#, false),
            (r#"{"type":{"a":"reasoning"}}"#, false),
            (r#"["type","reasoning"]"#, false),
            (r#"{"a":"type","b":"reasoning"}"#, false),
            (r#"{"a\"type":"reasoning"}"#, false),
            (r#"{"type":"message_x\u0041","text":"reasoning"}"#, false),
            (r#"{"type":"reasoning\u0041"}"#, true),
            (
                r#"{"type":7,"n":-12.5,"m":0,"k":18446744073709551616,"b":true,"f":false,"z":null}"#,
                false,
            ),
            (r#" { "type" : "reasoning" } "#, true),
            (r#"{"role":"user","content":[]}"#, false),
            ("\"reasoning\"", false),
            ("12", false),
        ];
        for (text, names) in answered {
            assert_eq!(agrees(text, 2), Some(*names), "{text}");
        }
        // Left to the parse: surrogate escapes, exponents, long numbers, deep nesting, keys
        // and `type` values whose escapes could spell a word.
        let left: &[&str] = &[
            r#"{"a":"\ud83d\ude00"}"#,
            r#"{"a":"\ud83d lone"}"#,
            r#"{"a":"\udc00"}"#,
            r#"{"a":1e5}"#,
            r#"{"a":1E400}"#,
            r#"{"t\u0079pe":"reasoning"}"#,
            r#"{"reasoning\u005fcontent":1}"#,
            r#"{"type":"re\u0061soning"}"#,
            r#"{"type":"reas\"oning"}"#,
        ];
        for text in left {
            assert_eq!(agrees(text, 2), None, "{text}");
        }
        let long = format!("[{}]", "9".repeat(400));
        assert_eq!(agrees(&long, 2), None);
        assert_eq!(agrees(&format!("[{}]", "9".repeat(299)), 2), Some(false));
        for depth in [97, 98, 99, 100, 101, 130] {
            let nested = format!("{}1{}", "[".repeat(depth), "]".repeat(depth));
            agrees(&nested, 1);
            agrees(&nested, 2);
        }
    }

    /// Pieces of JSON text: words the scan looks for, escapes of every kind (surrogates
    /// among them), numbers of every form.
    fn piece() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("type".to_string()),
            Just("reasoning".to_string()),
            Just("REASONING_x".to_string()),
            Just("reasoning_content".to_string()),
            Just("Reasoning_Content".to_string()),
            Just(r"\u0074ype".to_string()),
            Just(r"re\u0061soning".to_string()),
            Just(r"\ud83d\ude00".to_string()),
            Just(r"\ud83d".to_string()),
            Just(r"\udc00".to_string()),
            Just(r"\\u0041".to_string()),
            Just(r#"\""#.to_string()),
            Just(r"\\".to_string()),
            Just(r"\n\t\/\b\f\r".to_string()),
            Just("\u{e9}\u{1F600}".to_string()),
            "[a-z ]{0,6}",
        ]
    }

    fn string() -> impl Strategy<Value = String> {
        prop::collection::vec(piece(), 0..4).prop_map(|p| format!("\"{}\"", p.concat()))
    }

    fn number() -> impl Strategy<Value = String> {
        prop_oneof![
            any::<i64>().prop_map(|n| n.to_string()),
            any::<u64>().prop_map(|n| format!("{n}0")),
            (-1.0e6f64..1.0e6).prop_map(|f| format!("{f}")),
            (0u32..400, 0u32..3).prop_map(|(e, form)| match form {
                0 => format!("1e{e}"),
                1 => format!("-2.5E-{e}"),
                _ => format!("1{}", "0".repeat(e as usize)),
            }),
        ]
    }

    fn text() -> impl Strategy<Value = String> {
        let leaf = prop_oneof![
            string(),
            number(),
            Just("true".to_string()),
            Just("false".to_string()),
            Just("null".to_string()),
        ];
        leaf.prop_recursive(6, 64, 5, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..5)
                    .prop_map(|v| format!("[{}]", v.join(" , "))),
                prop::collection::vec((string(), inner), 0..5).prop_map(|kv| {
                    let members: Vec<String> =
                        kv.into_iter().map(|(k, v)| format!("{k}:{v}")).collect();
                    format!("{{\n{}}}", members.join(","))
                }),
            ]
        })
    }

    /// The one-pass split of `body`, checked against the parse's: when it answers, it
    /// answers as the parse does (members, values, items and their marks).
    fn splits_agree(body: &[u8]) -> bool {
        let Some(fast) = split(body) else {
            return false;
        };
        let Some(parsed) = split_parsed(body) else {
            panic!("the one-pass split accepted what the parse refuses: {body:?}");
        };
        let view = |s: &Split<'_>| {
            let members: Vec<(String, Option<String>)> = s
                .members
                .iter()
                .map(|(k, m)| (k.to_string(), m.raw().map(str::to_string)))
                .collect();
            let items: Option<Vec<(String, bool)>> = s
                .items
                .as_ref()
                .map(|v| v.iter().map(|(t, r)| (t.to_string(), *r)).collect());
            (members, items)
        };
        assert_eq!(
            view(&fast),
            view(&parsed),
            "{}",
            String::from_utf8_lossy(body)
        );
        true
    }

    #[test]
    fn strings_are_read_alike_wherever_they_cross_a_64_byte_block() {
        // Every special byte (quote, each escape, a raw control character) at every
        // position around the first two block edges, in a key, a value and an item.
        for pad in 0..140 {
            let a = "a".repeat(pad);
            for special in [
                r#"\""#,
                r"\\",
                r"\n",
                r"\u00e9",
                r"\ud83d\ude00",
                "\u{1}",
                "\t",
            ] {
                let body = format!(
                    r#"{{"model":"gpt-5.4","input":[{{"role":"user","{a}{special}k":1,"content":"{a}{special}{a}"}},{{"type":"reasoning","x":"{special}"}}],"s":"{a}"}}"#
                );
                // A `\u` escape in a key and a raw control character are the parse's.
                let expected = [r#"\""#, r"\\", r"\n"].contains(&special);
                assert_eq!(splits_agree(body.as_bytes()), expected, "{body}");
            }
        }
    }

    proptest! {
        #[test]
        fn specials_find_the_first_quote_backslash_or_control_byte(
            b in prop::collection::vec(prop_oneof![
                Just(b'"'), Just(b'\\'), 0u8..0x20, 0x20u8..=0xff, Just(b'a'), Just(b'a'),
                Just(b'a'), Just(b'a'),
            ], 0..300),
            from in 0usize..300,
        ) {
            let expected = b
                .iter()
                .enumerate()
                .skip(from)
                .find(|(_, &c)| c == b'"' || c == b'\\' || c < 0x20)
                .map(|(i, _)| i);
            prop_assert_eq!(Specials::new(&b).at(from), expected);
            // A cursor asked in any order answers each position alike.
            let mut sp = Specials::new(&b);
            for at in [from, 0, from / 2, from, b.len()] {
                let expected = b
                    .iter()
                    .enumerate()
                    .skip(at)
                    .find(|(_, &c)| c == b'"' || c == b'\\' || c < 0x20)
                    .map(|(i, _)| i);
                prop_assert_eq!(sp.at(at), expected);
            }
        }
    }

    #[test]
    fn the_one_pass_split_answers_for_ordinary_bodies_as_the_parse_does() {
        let answered = [
            r#"{}"#,
            r#" { } "#,
            r#"{"model":"gpt-5.4","input":[],"store":false}"#,
            r#"{"input":[{"type":"reasoning"},{"role":"user","content":"x \" \\ \u00e9"}],"a":[1,-0,0.5,-12.25,true,false,null,{},[]]}"#,
            "{\n\t\"input\" : [ {\"Reasoning_Content\" : 1} , 2 ] ,\r\n \"b\":{\"type\":\"REASONING\"}}\n",
            r#"{"input":[{"x":[{"y":{"type":"reasoning_text"}}]}]}"#,
            r#"{"a":"\u00e9\u20ac","b":"\/\b\f\n\r\t"}"#,
        ];
        for body in answered {
            assert!(splits_agree(body.as_bytes()), "{body}");
        }
        // Refused by both (the parse then decides), or left to the parse.
        let refused = [
            "",
            "[]",
            r#"{"a":1,}"#,
            r#"{"a":[1,]}"#,
            r#"{"a":01}"#,
            r#"{"a":1.}"#,
            r#"{"a":-}"#,
            r#"{"a":.5}"#,
            r#"{"a":+1}"#,
            r#"{"a":tru}"#,
            r#"{"a":nul}"#,
            r#"{"a":"\x"}"#,
            r#"{"a":"\u12g4"}"#,
            r#"{"a":"\u+123"}"#,
            "{\"a\":\"tab\there\"}",
            r#"{"a":1}x"#,
            r#"{"a" 1}"#,
            r#"{"a":{"b" 1}}"#,
            r#"{"a":[1 2]}"#,
            r#"{"a":{"b":1]}"#,
            r#"{"a":[1}"#,
            r#"{"input":{}}"#,
            r#"{"inp\u0075t":[]}"#,
            r#"{"a\n":1}"#,
            r#"{"a":"\ud83d\ude00"}"#,
            r#"{"a":1e5}"#,
            r#"{"a":{"t\u0079pe":"reasoning"}}"#,
        ];
        for body in refused {
            assert!(!splits_agree(body.as_bytes()), "{body}");
        }
        assert!(!splits_agree(b"{\"a\":\"\xff\"}"));
        let deep = format!("{{\"a\":{}1{}}}", "[".repeat(99), "]".repeat(99));
        assert!(splits_agree(deep.as_bytes()));
        let deeper = format!("{{\"a\":{}1{}}}", "[".repeat(100), "]".repeat(100));
        assert!(!splits_agree(deeper.as_bytes()));
    }

    /// A body around generated values, as a client would send it.
    fn body_text() -> impl Strategy<Value = String> {
        let key = "[a-z_]{1,8}";
        (prop::collection::vec(text(), 0..4), text(), key).prop_map(|(items, other, key)| {
            format!(
                "{{\"model\":\"gpt-5.4\",\"input\":[{}],\"{key}\":{other},\"store\":false}}",
                items.join(",")
            )
        })
    }

    /// An edit of a body: a byte removed, inserted or replaced (JSON's own bytes are likely).
    fn edit() -> impl Strategy<Value = (prop::sample::Index, u8, u8)> {
        let byte = prop_oneof![
            prop::sample::select(b"{}[],:\"\\ \n0123456789-+.eEtrufalsn/u\t\x01".to_vec()),
            any::<u8>(),
        ];
        (any::<prop::sample::Index>(), byte, 0u8..3)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]

        #[test]
        fn the_scan_agrees_with_the_parse(t in text(), level in 1usize..3) {
            agrees(&t, level);
        }

        #[test]
        fn the_one_pass_split_agrees_with_the_parse(
            body in body_text(),
            edits in prop::collection::vec(edit(), 0..3),
        ) {
            let mut b = body.into_bytes();
            splits_agree(&b);
            for (at, byte, op) in edits {
                let i = at.index(b.len() + 1);
                match op {
                    0 if i < b.len() => {
                        b.remove(i);
                    }
                    1 => b.insert(i, byte),
                    _ if i < b.len() => b[i] = byte,
                    _ => {}
                }
                splits_agree(&b);
            }
        }
    }
}
