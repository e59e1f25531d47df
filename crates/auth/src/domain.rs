//! The two account domains of `codex-accounts.json` (`openai.native`, `openai.codex`), one per
//! runtime mode.

use std::fmt;

/// The two account domains.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Domain {
    /// `openai.native`.
    Native,
    /// `openai.codex`.
    Codex,
}

impl Domain {
    /// The JSON key / mode name.
    pub fn as_str(self) -> &'static str {
        match self {
            Domain::Native => "native",
            Domain::Codex => "codex",
        }
    }

    /// Both domains in the plugin's order.
    pub const ALL: [Domain; 2] = [Domain::Native, Domain::Codex];
}

impl fmt::Display for Domain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
