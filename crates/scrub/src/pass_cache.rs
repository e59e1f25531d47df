//! The gate's memory of what passed it: a bounded set of short byte strings with no
//! allocation per entry.
//!
//! The gate's verdict on a chunk (or on a JSON string in its place) is a pure function of
//! its bytes, so a cache may forget at any time without changing the output: only the time
//! spent differs. [`PassCache`] is direct-mapped: each string has one slot, chosen by its
//! hash, holding the hash, the length and the bytes inline, and a string that lands on a
//! taken slot replaces what was there. A lookup reads one slot (no pointer to follow, no
//! probing), where a hash set of boxed strings read its control bytes, a bucket and the
//! string's own allocation.

/// The longest string kept.
pub(crate) const MAX_LEN: usize = 136;

/// Slots (a power of two): 8192, about 1.2 MB per cache at most. The tables are allocated
/// zeroed on first use, so only the pages slots land on are ever touched.
const SLOTS: usize = 1 << 13;

/// A lossy set of byte strings of at most [`MAX_LEN`] bytes.
#[derive(Default)]
pub(crate) struct PassCache {
    /// Each slot's string's hash; 0 marks an empty slot (a string hashing to 0 is never
    /// kept).
    hashes: Vec<u64>,
    lens: Vec<u8>,
    /// [`MAX_LEN`] bytes per slot.
    bytes: Vec<u8>,
}

/// A word-at-a-time hash (multiply and rotate), good enough to spread log words and keys.
fn hash(bytes: &[u8]) -> u64 {
    let mut h = 0x243f_6a88_85a3_08d3 ^ bytes.len() as u64;
    let mut words = bytes.chunks_exact(8);
    for w in &mut words {
        let mut b = [0u8; 8];
        b.copy_from_slice(w);
        h = (h.rotate_left(5) ^ u64::from_le_bytes(b)).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
    let rest = words.remainder();
    if !rest.is_empty() {
        let mut b = [0u8; 8];
        b[..rest.len()].copy_from_slice(rest);
        h = (h.rotate_left(5) ^ u64::from_le_bytes(b)).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
    h ^ (h >> 29)
}

impl PassCache {
    fn slot(h: u64) -> usize {
        // The high bits (the multiply mixes into them best).
        (h >> (64 - SLOTS.trailing_zeros())) as usize
    }

    /// Whether `s` is in the set.
    pub(crate) fn contains(&self, s: &[u8]) -> bool {
        if self.hashes.is_empty() || s.len() > MAX_LEN {
            return false;
        }
        let h = hash(s);
        let i = Self::slot(h);
        h != 0
            && self.hashes[i] == h
            && usize::from(self.lens[i]) == s.len()
            && self.bytes[i * MAX_LEN..i * MAX_LEN + s.len()] == *s
    }

    /// Adds `s` (a string longer than [`MAX_LEN`] is not kept).
    pub(crate) fn insert(&mut self, s: &[u8]) {
        if s.len() > MAX_LEN {
            return;
        }
        let h = hash(s);
        if h == 0 {
            return;
        }
        if self.hashes.is_empty() {
            self.hashes = vec![0; SLOTS];
            self.lens = vec![0; SLOTS];
            self.bytes = vec![0; SLOTS * MAX_LEN];
        }
        let i = Self::slot(h);
        self.hashes[i] = h;
        self.lens[i] = s.len() as u8;
        self.bytes[i * MAX_LEN..i * MAX_LEN + s.len()].copy_from_slice(s);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_what_was_inserted_and_nothing_else() {
        let mut c = PassCache::default();
        assert!(!c.contains(b"hello"));
        c.insert(b"hello");
        c.insert(b"");
        assert!(c.contains(b"hello"));
        assert!(c.contains(b""));
        assert!(!c.contains(b"hellO"));
        assert!(!c.contains(b"hell"));
        assert!(!c.contains(b"hello "));
        let long = [b'a'; MAX_LEN + 1];
        c.insert(&long);
        assert!(!c.contains(&long));
        let max = [b'b'; MAX_LEN];
        c.insert(&max);
        assert!(c.contains(&max));
    }

    proptest::proptest! {
        /// A lossy set: whatever it answers yes to was inserted (it may forget, never
        /// invent), and the last string inserted is always there.
        #[test]
        fn never_answers_yes_for_what_was_not_inserted(
            inserted in proptest::collection::vec(proptest::collection::vec(0u8..4, 0..20), 0..400),
            probes in proptest::collection::vec(proptest::collection::vec(0u8..4, 0..20), 0..400),
        ) {
            let mut c = PassCache::default();
            for s in &inserted {
                c.insert(s);
                proptest::prop_assert!(c.contains(s));
            }
            for p in probes.iter().chain(&inserted) {
                if c.contains(p) {
                    proptest::prop_assert!(inserted.contains(p));
                }
            }
        }
    }
}
