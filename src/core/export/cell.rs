//! CSV cells that are safe to open in a spreadsheet.
//!
//! A cell starting with `=`, `+`, `-`, `@`, tab, CR or LF can be run as a
//! formula by Excel, LibreOffice or Google Sheets (CSV injection, OWASP).
//! Quoting does not help: spreadsheets unquote first. Every cell we write
//! goes through [`neutralise`], which prefixes such a cell with `'`, the
//! apostrophe spreadsheets treat as "this is text".
//!
//! The two CSV formats differ in how often that prefix is needed:
//! - `csv` (for spreadsheets) prefixes any cell that starts dangerously;
//!   the apostrophe is hidden by the spreadsheet.
//! - `jira-csv` (for Jira's importer) would import an apostrophe literally
//!   into the issue, so its cells are built never to start dangerously:
//!   summaries start with the threat id (`T3: ...`), descriptions with a
//!   fixed sentence, labels are slugs that start with a letter or digit.
//!   The same guard still runs on every cell, so a value from a config file
//!   such as an issue type `-Task` is neutralised rather than trusted.

use std::borrow::Cow;
use std::io::{self, Write};

use crate::core::text::strip_controls;

/// Characters that make a spreadsheet evaluate a cell.
const DANGEROUS_FIRST: [char; 7] = ['=', '+', '-', '@', '\t', '\r', '\n'];

/// Whether a spreadsheet could read `cell` as a formula.
pub fn is_dangerous(cell: &str) -> bool {
    cell.starts_with(DANGEROUS_FIRST)
}

/// `cell`, prefixed with `'` if it could be read as a formula, and without
/// control characters other than line breaks and tabs (an escape sequence
/// in a cell would act on the terminal of whoever runs `cat` on the file).
pub fn neutralise(cell: &str) -> Cow<'_, str> {
    let cell = strip_controls(cell);
    if is_dangerous(&cell) {
        Cow::Owned(format!("'{cell}"))
    } else {
        cell
    }
}

/// The two CSV dialects stridekit writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CsvFlavor {
    /// RFC 4180, quoting only where needed.
    Spreadsheet,
    /// Every cell quoted, as Jira's importer documentation shows.
    Jira,
}

impl CsvFlavor {
    pub fn writer<W: Write>(self, out: W) -> SafeCsv<W> {
        let quote = match self {
            CsvFlavor::Spreadsheet => csv::QuoteStyle::Necessary,
            CsvFlavor::Jira => csv::QuoteStyle::Always,
        };
        let inner = csv::WriterBuilder::new()
            .quote_style(quote)
            .terminator(csv::Terminator::CRLF)
            // Jira's files repeat the Labels column; rows differ in length
            // only if a caller forgets padding, which `flexible` would hide.
            .flexible(false)
            .from_writer(out);
        SafeCsv { inner }
    }
}

/// A CSV writer that neutralises every cell.
pub struct SafeCsv<W: Write> {
    inner: csv::Writer<W>,
}

impl<W: Write> SafeCsv<W> {
    pub fn row<'a, I>(&mut self, cells: I) -> io::Result<()>
    where
        I: IntoIterator<Item = &'a str>,
    {
        self.inner
            .write_record(cells.into_iter().map(|c| neutralise(c).into_owned()))
            .map_err(io::Error::other)
    }

    pub fn finish(mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn neutralises_every_dangerous_start() {
        for bad in ["=1+2", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "\nx"] {
            assert_eq!(neutralise(bad), format!("'{bad}"));
        }
        for fine in ["", "x=1", "'already", " =1", "T3: =1"] {
            assert_eq!(neutralise(fine), fine);
        }
    }

    #[test]
    fn separators_inside_a_cell_cannot_start_a_new_cell() {
        let mut out = Vec::new();
        let mut w = CsvFlavor::Spreadsheet.writer(&mut out);
        w.row(["=1+2\";=1+2", "a,=b", "x\n=y"]).unwrap();
        w.finish().unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(text, "\"'=1+2\"\";=1+2\",\"a,=b\",\"x\n=y\"\r\n");
        // Reading it back gives one row of three cells, none dangerous.
        let mut r = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(text.as_bytes());
        let row = r.records().next().unwrap().unwrap();
        assert_eq!(row.len(), 3);
        assert!(row.iter().all(|c| !is_dangerous(c)));
    }
}
