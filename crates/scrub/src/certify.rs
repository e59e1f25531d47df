//! Lines a redaction has proven clean, so the self-scan of what it wrote passes over them.
//!
//! A line's scan (decode, detectors, gate from a fresh state) is a function of its bytes
//! and of the scrubber's analysis. Redaction does that very work for most lines it writes:
//! a line where nothing matched and the gate kept everything was read exactly as it is
//! written, and a line the gate changed is read again as a scan would read it
//! ([`crate::FileScrubber`]). Such a line, when its reading started and ended with the
//! gate's fresh state, is recorded here by a keyed 64-bit fingerprint of its bytes (the key
//! is random per [`Certified`], so nobody can write a line that collides with another).
//!
//! The self-scan passes over a line only when it arrives whole, from a fresh state, in
//! [`crate::Mode::Lines`], and its fingerprint is here; everything else is scanned. Proofs
//! hold for a checker whose analysis is the redactor's ([`Certified::for_checker`]): the
//! same known values, home, user name and identity style, and request bodies dropped by the
//! redactor or by neither (the redactor's reading with bodies dropped flags everything the
//! checker's without does: `body` is no secret key on its own).

use std::collections::HashSet;
use std::hash::{BuildHasherDefault, Hasher, RandomState};

use crate::engine::{fingerprint, Scrubber};

/// The most fingerprints kept (8 bytes each); lines proven after that are scanned again.
pub const MAX_PROOFS: usize = 1 << 21;

/// Fingerprints are keyed hashes already: the set uses them as they are.
#[derive(Default)]
struct AsIs(u64);

impl Hasher for AsIs {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) | u64::from(b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// Lines proven clean by one bundle's redaction.
pub struct Certified {
    hasher: RandomState,
    lines: HashSet<u64, BuildHasherDefault<AsIs>>,
    analysis: u64,
    drop_bodies: bool,
}

impl std::fmt::Debug for Certified {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Certified({} lines)", self.lines.len())
    }
}

impl Certified {
    /// An empty set for the lines `redactor` writes.
    pub fn new(redactor: &Scrubber) -> Certified {
        let (analysis, drop_bodies) = redactor.analysis();
        Certified {
            hasher: RandomState::new(),
            lines: HashSet::default(),
            analysis,
            drop_bodies,
        }
    }

    /// The keyed hasher the redaction fingerprints lines with.
    pub(crate) fn hasher(&self) -> RandomState {
        self.hasher.clone()
    }

    /// Adds fingerprints of proven lines (up to [`MAX_PROOFS`]).
    pub(crate) fn extend(&mut self, proofs: Vec<u64>) {
        let room = MAX_PROOFS.saturating_sub(self.lines.len());
        self.lines.extend(proofs.into_iter().take(room));
    }

    /// Lines proven so far.
    pub fn len(&self) -> usize {
        self.lines.len()
    }

    /// No line proven.
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// Whether `line` (without its newline) was proven clean.
    pub fn contains(&self, line: &[u8]) -> bool {
        self.lines.contains(&fingerprint(&self.hasher, line))
    }

    /// The proofs, when they hold for `checker`: its analysis is the redactor's, and it
    /// drops request bodies only if the redactor did.
    pub fn for_checker(&self, checker: &Scrubber) -> Option<&Certified> {
        let (analysis, drop_bodies) = checker.analysis();
        (analysis == self.analysis && (self.drop_bodies || !drop_bodies)).then_some(self)
    }
}
