//! CSV cells that are safe to open in a spreadsheet.
//!
//! A cell starting with `=`, `+`, `-`, `@`, tab, CR or LF can be run as a
//! formula by Excel, LibreOffice or Google Sheets (CSV injection, OWASP).
//! So can one whose first such character comes after blanks a spreadsheet
//! skips (spaces, NBSP, U+3000, zero-width characters, a BOM), or is the
//! fullwidth, small, superscript or subscript form of one (every character
//! whose compatibility form, NFKC, starts with `=`, `+`, `-` or `@`: `＝`,
//! `﹫`, `⁼`, `₊`, `⩵`, ...), which some spreadsheets fold to ASCII. Quoting does not help:
//! spreadsheets unquote first. Every cell we write goes through
//! [`neutralise`], which prefixes such a cell with `'`, the apostrophe
//! spreadsheets treat as "this is text".
//!
//! The two CSV formats differ in how often that prefix is needed:
//! - `csv` (for spreadsheets) prefixes any cell that starts dangerously;
//!   the apostrophe stays visible (LibreOffice Calc shows `'=1+2`), which
//!   is the price of a cell that cannot run.
//! - `jira-csv` (for Jira's importer) would import an apostrophe literally
//!   into the issue, so its cells are built never to start dangerously:
//!   summaries start with the threat id (`T3: ...`), descriptions with a
//!   fixed sentence, labels are slugs that start with a letter or digit.
//!   The same guard still runs on every cell, so a value from a config file
//!   such as an issue type `-Task` is neutralised rather than trusted.

use std::borrow::Cow;
use std::io::{self, Write};

use crate::core::text::{is_invisible, strip_controls};

/// Characters that make a spreadsheet evaluate a cell when they come first.
const DANGEROUS_FIRST: [char; 7] = ['=', '+', '-', '@', '\t', '\r', '\n'];

/// Characters that start a formula after any blanks: the ASCII ones and
/// every character whose NFKC form starts with one (the full list, from
/// Unicode's data: fullwidth, small, superscript, subscript, the Hebrew
/// alternative plus, the doubled and tripled equals signs).
const FORMULA_START: [char; 19] = [
    '=', '+', '-', '@', '\u{207A}', '\u{207C}', '\u{208A}', '\u{208C}', '\u{2A75}', '\u{2A76}',
    '\u{FB29}', '\u{FE62}', '\u{FE63}', '\u{FE66}', '\u{FE6B}', '\u{FF0B}', '\u{FF0D}', '\u{FF1D}',
    '\u{FF20}',
];

/// Whether a spreadsheet could read `cell` as a formula: it starts with a
/// formula character or a tab or line break, or its first character that
/// is neither whitespace nor invisible is a formula character.
pub fn is_dangerous(cell: &str) -> bool {
    if cell.starts_with(DANGEROUS_FIRST) {
        return true;
    }
    cell.chars()
        .find(|&c| !c.is_whitespace() && !is_invisible(c))
        .is_some_and(|c| FORMULA_START.contains(&c))
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
        for fine in ["", "x=1", "'already", "T3: =1", "  x = 1", "\u{200b}", "−1"] {
            assert_eq!(neutralise(fine), fine);
        }
    }

    #[test]
    fn formulas_after_blanks_or_in_fullwidth_are_neutralised() {
        // Issue 9, item 10.
        for bad in [
            " =1+2",
            "   +1",
            "\u{a0}=1+2",
            "\u{3000}=1+2",
            "\u{200b}=1+2",
            "\u{feff}=1+2",
            "\u{2060}\u{200d} @SUM(1)",
            "\u{ff1d}1+2",
            "\u{ff0b}1",
            "\u{ff0d}1",
            "\u{ff20}SUM(1)",
            " \u{ff1d}1+2",
            "\u{fe66}1+2",
            // Found in the attack pass after issue 9.
            "\u{fe6b}SUM(A1)",
            "\u{207c}1+2",
            "\u{208a}1",
            "\u{207a}1",
            "\u{208c}1",
            "\u{fb29}1",
            "\u{2a75}1",
        ] {
            assert_eq!(neutralise(bad), format!("'{bad}"), "{bad:?}");
        }
        // Controls go before the check, so they cannot hide a formula.
        assert_eq!(neutralise("\u{9b}\u{202e}=1+2"), "'=1+2");
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

    /// A writer that takes every byte and then fails on flush, as a full
    /// disk or a closed pipe does.
    struct FailsOnFlush {
        bytes: Vec<u8>,
    }

    impl Write for FailsOnFlush {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.bytes.extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Err(io::Error::other("disk full"))
        }
    }

    /// `finish` is where buffered rows reach the file, so its error is the
    /// export's error: an export that could not be written must not say it
    /// was.
    #[test]
    fn finish_writes_the_rows_and_reports_a_failed_flush() {
        let mut sink = FailsOnFlush { bytes: Vec::new() };
        let mut w = CsvFlavor::Spreadsheet.writer(&mut sink);
        w.row(["a", "b"]).unwrap();
        let error = w.finish().unwrap_err();
        assert_eq!(error.to_string(), "disk full");
        assert_eq!(sink.bytes, b"a,b\r\n");
    }
}
