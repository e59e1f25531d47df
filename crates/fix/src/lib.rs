//! Repairs for what `codex-doctor` finds, shown before they are made and undoable after.
//!
//! A [`plan::Plan`] is a list of [`plan::Fix`]es, each naming the check it makes pass and the
//! file [`plan::Action`]s that do it (edit, create, remove, move, chmod). The [`fixers`]
//! compute plans from the real files under a resolved [`codex_paths::Paths`], reusing the
//! config, paths and store crates' own rules. [`render`] turns a plan into text (unified
//! diffs via `similar`, one line per move, chmod or removal). [`engine`] applies a plan:
//! backups and a manifest are written first under the doctor's state folder, every change is
//! atomic, a failure rolls back what was already applied, and [`engine::undo`] restores the
//! last run exactly. Nothing here prints.

#![warn(unreachable_pub)]

pub mod engine;
pub mod error;
pub mod fixers;
mod plan;
pub mod render;
mod textedit;

pub use error::FixError;
pub use plan::{Action, Fix, Plan};
