//! The codex-rotation suite (one binary; modules only). Cases are numbered as in the
//! reference's section 15.

mod acquire;
mod cooldown;
mod ratelimit;
mod retry;
mod selection;
