//! The domain core: sessions, catalogs, themes, scoring and exports. No
//! terminal code lives here; the command line and the TUI sit on top.

pub mod catalog;
pub mod config;
pub mod coverage;
pub mod diag;
pub mod discovery;
pub mod edit;
pub mod export;
pub mod files;
pub mod ids;
pub mod index;
pub mod interop;
pub mod model;
#[cfg(not(unix))]
mod non_unix;
pub mod participation;
pub mod plan;
pub mod review;
pub mod scoring;
pub mod store;
pub mod stride;
pub mod suggest;
// Test and benchmark support only: the user's binary has no use for it.
#[cfg(any(test, feature = "synth"))]
pub mod synth;
pub mod text;
pub mod theme;
pub mod time;
pub mod timer;
pub mod validate;
pub mod walk;
