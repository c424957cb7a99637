//! The whole session as JSON, for scripts, with the computed ranking beside it.

use std::io::{self, Write};

use serde::Serialize;

use super::ExportContext;
use crate::core::model::Session;
use crate::core::scoring::{Ranked, budget, rank};

/// Bumped when the shape of this document changes incompatibly.
pub const JSON_FORMAT_VERSION: u32 = 1;

#[derive(Serialize)]
struct Document<'a> {
    format: &'static str,
    version: u32,
    session: &'a Session,
    /// Derived values, so scripts need not re-implement the ranking.
    computed: Computed,
}

#[derive(Serialize)]
struct Computed {
    dots_per_person: u32,
    ranking: Vec<Ranked>,
}

pub fn write(ctx: &ExportContext<'_>, out: &mut dyn Write) -> io::Result<()> {
    let doc = Document {
        format: "stridekit-session",
        version: JSON_FORMAT_VERSION,
        session: ctx.session,
        computed: Computed {
            dots_per_person: budget(ctx.session),
            ranking: rank(ctx.session),
        },
    };
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    out.write_all(b"\n")
}
