//! Byte classes as 256-entry tables, so hot loops test a byte with one load.

/// `n` in decimal, written into `buf`: the digits are the returned slice's (no allocation).
pub(crate) fn decimal(mut n: usize, buf: &mut [u8; 20]) -> &[u8] {
    let mut at = buf.len();
    loop {
        at -= 1;
        // A digit: `n % 10` is below 10.
        buf[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    &buf[at..]
}

/// A set of bytes.
pub(crate) struct ByteSet([bool; 256]);

impl ByteSet {
    /// ASCII letters and digits (when `alnum`), ASCII whitespace (when `ws`), plus `extra`.
    pub(crate) const fn new(alnum: bool, ws: bool, extra: &[u8]) -> ByteSet {
        let mut t = [false; 256];
        let mut i = 0;
        while i < 256 {
            let c = i as u8;
            t[i] = (alnum && c.is_ascii_alphanumeric()) || (ws && c.is_ascii_whitespace());
            i += 1;
        }
        let mut j = 0;
        while j < extra.len() {
            t[extra[j] as usize] = true;
            j += 1;
        }
        ByteSet(t)
    }

    /// Whether `c` is in the set.
    #[inline]
    pub(crate) fn has(&self, c: u8) -> bool {
        self.0[usize::from(c)]
    }
}

const ONES: u64 = 0x0101_0101_0101_0101;

/// The bytes of `x` with `lo <= b <= hi` (both below 0x80), as their high bits; bytes of 0x80
/// and up are never in range. Eight bytes with one add, one subtract and three masks.
#[inline]
fn in_range(x: u64, lo: u8, hi: u8) -> u64 {
    let low7 = x & (ONES * 0x7f);
    // With the high bit cleared, adding `0x80 - lo` sets a byte's high bit exactly when it is
    // at least `lo` (no carry leaves a byte); the same with `hi + 1` marks those above `hi`.
    let at_least_lo = low7 + ONES * u64::from(0x80 - lo);
    let above_hi = low7 + ONES * u64::from(0x80 - (hi + 1));
    at_least_lo & !above_hi & !x & (ONES * 0x80)
}

/// Eight bytes from `at` (fewer than eight: `None`).
#[inline]
fn word_at(b: &[u8], at: usize) -> Option<u64> {
    let w: [u8; 8] = b.get(at..at + 8)?.try_into().ok()?;
    Some(u64::from_le_bytes(w))
}

/// The end of the run of ASCII letters that starts at `i` (`i` itself when `b[i]` is none).
#[inline]
pub(crate) fn letters_end(b: &[u8], mut i: usize) -> usize {
    while let Some(w) = word_at(b, i) {
        // A letter with its case bit set is `a..=z`; bytes of 0x80 and up stay out.
        let letters = in_range(w | (ONES * 0x20), b'a', b'z');
        if letters != ONES * 0x80 {
            return i + ((!letters & (ONES * 0x80)).trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while i < b.len() && b[i].is_ascii_alphabetic() {
        i += 1;
    }
    i
}

/// Past the spaces (` ` only) from `i`.
#[inline]
pub(crate) fn skip_spaces(b: &[u8], mut i: usize) -> usize {
    while b.get(i) == Some(&b' ') {
        i += 1;
    }
    i
}

/// Back over the spaces (` ` only) before `i`.
#[inline]
pub(crate) fn skip_spaces_back(b: &[u8], mut i: usize) -> usize {
    while i > 0 && b[i - 1] == b' ' {
        i -= 1;
    }
    i
}

/// The end of the run of ASCII letters and digits that starts at `i`.
#[inline]
pub(crate) fn alnum_end(b: &[u8], mut i: usize) -> usize {
    while let Some(w) = word_at(b, i) {
        let alnum = in_range(w | (ONES * 0x20), b'a', b'z') | in_range(w, b'0', b'9');
        if alnum != ONES * 0x80 {
            return i + ((!alnum & (ONES * 0x80)).trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while i < b.len() && b[i].is_ascii_alphanumeric() {
        i += 1;
    }
    i
}

/// The end of the run of ASCII digits that starts at `i`.
#[inline]
pub(crate) fn digits_end(b: &[u8], mut i: usize) -> usize {
    while let Some(w) = word_at(b, i) {
        let digits = in_range(w, b'0', b'9');
        if digits != ONES * 0x80 {
            return i + ((!digits & (ONES * 0x80)).trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    i
}

/// FNV-1a over words: a fast hash for the short keys of the engine's lookup tables (not exposed to
/// untrusted collision attacks: keys come from the user's own files and the tables are
/// bounded).
#[derive(Clone, Copy)]
pub(crate) struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl std::hash::Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // Eight bytes at a time (FNV-1a's step over words), then the rest byte by byte.
        let mut words = bytes.chunks_exact(8);
        for w in &mut words {
            let mut b = [0u8; 8];
            b.copy_from_slice(w);
            self.0 = (self.0 ^ u64::from_le_bytes(b)).wrapping_mul(0x0100_0000_01b3);
            self.0 ^= self.0 >> 29;
        }
        for &b in words.remainder() {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }

    fn write_u32(&mut self, n: u32) {
        self.0 = (self.0 ^ u64::from(n)).wrapping_mul(0x0100_0000_01b3);
        self.0 ^= self.0 >> 29;
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0 ^ n).wrapping_mul(0x0100_0000_01b3);
        self.0 ^= self.0 >> 29;
    }
}

/// A `HashMap` hasher builder for [`Fnv`].
pub(crate) type FnvBuild = std::hash::BuildHasherDefault<Fnv>;

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The word-at-a-time run ends agree with byte-by-byte scans, at every start, over
        /// bytes around every class edge (`@` `[` `` ` `` `{` `/` `:` beside the ranges, and
        /// bytes of 0x80 and up whose low seven bits are a letter or digit).
        #[test]
        fn run_ends_agree_with_the_definition(
            text in proptest::collection::vec(
                proptest::sample::select(b"aAzZmM09517@[`{/:_ -\xc1\xe1\xb0\xb9\xdaq".to_vec()),
                0..40,
            ),
        ) {
            for i in 0..=text.len() {
                let letters = i + text[i..].iter().take_while(|c| c.is_ascii_alphabetic()).count();
                let digits = i + text[i..].iter().take_while(|c| c.is_ascii_digit()).count();
                proptest::prop_assert_eq!(letters_end(&text, i), letters);
                proptest::prop_assert_eq!(digits_end(&text, i), digits);
            }
        }
    }

    #[test]
    fn every_byte_at_every_lane() {
        for c in 0..=255u8 {
            for lane in 0..8 {
                let mut w = *b"aaaaaaaaaa";
                w[lane] = c;
                let want = if c.is_ascii_alphabetic() { 10 } else { lane };
                assert_eq!(letters_end(&w, 0), want, "{c} at {lane}");
                let mut d = *b"0000000000";
                d[lane] = c;
                let want = if c.is_ascii_digit() { 10 } else { lane };
                assert_eq!(digits_end(&d, 0), want, "{c} at {lane}");
            }
        }
    }

    #[test]
    fn sets() {
        const S: ByteSet = ByteSet::new(true, false, b"-_");
        assert!(S.has(b'a') && S.has(b'Z') && S.has(b'7') && S.has(b'-'));
        assert!(!S.has(b' ') && !S.has(b'.') && !S.has(0xff));
        const W: ByteSet = ByteSet::new(false, true, b",");
        assert!(W.has(b'\n') && W.has(b',') && !W.has(b'a'));
    }
}
