//! Plain CSV, one row per threat, for spreadsheets and other trackers.
//!
//! UTF-8 without a byte-order mark (scripts and most trackers choke on one;
//! Excel users import through Data > From Text/CSV and pick UTF-8), CRLF line
//! ends, quoting where needed, and every cell neutralised against formula
//! injection (see [`super::cell`]).

use std::io::{self, Write};

use super::cell::CsvFlavor;
use super::{ExportContext, statement_sentence};
use crate::core::index::SessionIndex;
use crate::core::scoring::rank;

pub const HEADER: [&str; 23] = [
    "Rank",
    "ID",
    "Title",
    "Category",
    "Target",
    "Target name",
    "Dots",
    "Likelihood",
    "Impact",
    "Risk",
    "Risk band",
    "Tied",
    "Status",
    "Status reason",
    "Author",
    "Statement",
    "Impacted assets",
    "Catalog",
    "Notes",
    "Created",
    "Mitigations",
    "Mitigation status",
    "Owner",
];

pub fn write(ctx: &ExportContext<'_>, out: &mut dyn Write) -> io::Result<()> {
    let session = ctx.session;
    let index = SessionIndex::new(session);
    let mut w = CsvFlavor::Spreadsheet.writer(out);
    w.row(HEADER)?;
    for r in rank(session) {
        let Some(t) = index.threat(r.threat) else {
            continue;
        };
        let opt = |v: Option<u8>| v.map_or(String::new(), |n| n.to_string());
        let mitigations = index.mitigations_of(t.id);
        let join = |f: &dyn Fn(&crate::core::model::Mitigation) -> String| {
            mitigations
                .iter()
                .map(|m| f(m))
                .collect::<Vec<_>>()
                .join("\n")
        };
        let mut owners: Vec<&str> = mitigations
            .iter()
            .map(|m| m.owner.as_str())
            .filter(|o| !o.is_empty())
            .collect();
        owners.dedup();
        let assets: Vec<String> = t
            .statement
            .assets
            .iter()
            .map(|a| index.describe(*a))
            .collect();
        let cells: [String; 23] = [
            r.rank.to_string(),
            t.id.to_string(),
            t.title.clone(),
            t.category.name().to_string(),
            t.target.map_or(String::new(), |x| x.to_string()),
            t.target
                .and_then(|x| index.element(x))
                .map_or(String::new(), |e| e.name().to_string()),
            r.dots.to_string(),
            opt(t.likelihood),
            opt(t.impact),
            opt(r.risk),
            r.band.map_or(String::new(), |b| b.name().to_string()),
            if r.tied { "yes" } else { "no" }.to_string(),
            t.status.key().to_string(),
            t.status_reason.clone(),
            t.author.map_or(String::new(), |a| index.describe(a)),
            statement_sentence(&index, t).unwrap_or_default(),
            assets.join(", "),
            t.catalog.clone().unwrap_or_default(),
            t.notes.clone(),
            t.created.to_string(),
            join(&|m| format!("{}: {}", m.id, m.text)),
            join(&|m| format!("{}: {}", m.id, m.status.key())),
            owners.join(", "),
        ];
        w.row(cells.iter().map(String::as_str))?;
    }
    w.finish()
}
