//! Byte classes as 256-entry tables, so hot loops test a byte with one load.

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

    #[test]
    fn sets() {
        const S: ByteSet = ByteSet::new(true, false, b"-_");
        assert!(S.has(b'a') && S.has(b'Z') && S.has(b'7') && S.has(b'-'));
        assert!(!S.has(b' ') && !S.has(b'.') && !S.has(0xff));
        const W: ByteSet = ByteSet::new(false, true, b",");
        assert!(W.has(b'\n') && W.has(b',') && !W.has(b'a'));
    }
}
