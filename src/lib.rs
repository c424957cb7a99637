//! stridekit: keyboard-driven STRIDE threat-modeling workshops.
//!
//! [`core`] holds the domain (sessions, catalogs, themes, scoring, exports)
//! and has no terminal code; [`tui`] is the workshop's terminal interface
//! and [`cli`] the command line, both on top of it.

pub mod cli;
pub mod core;
pub mod share;
pub mod tui;

/// The demo session (the seed article's HR payslip system), embedded so
/// `stridekit demo` works with nothing beside the binary.
pub const DEMO_SESSION: &str = include_str!("../sessions/leejames-hr.toml");
pub const DEMO_FILE_NAME: &str = "leejames-hr.toml";
