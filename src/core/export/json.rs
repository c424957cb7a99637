//! The whole session as JSON, for scripts, with the computed ranking beside it.

use std::io::{self, Write};

use serde::Serialize;
use serde_json::ser::{CompactFormatter, Formatter, PrettyFormatter, Serializer};

use super::ExportContext;
use crate::core::model::Session;
use crate::core::scoring::{Ranked, budget, rank};
use crate::core::text::{is_bidi_control, is_invisible, is_line_separator};

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
    write_value(&mut *out, &doc, true)?;
    out.write_all(b"\n")
}

/// Writes `value` as JSON (indented when `pretty`) with every character
/// that could act on a terminal or hide text escaped as `\uXXXX`.
pub fn write_value<W: Write, T: Serialize + ?Sized>(
    out: W,
    value: &T,
    pretty: bool,
) -> io::Result<()> {
    if pretty {
        let mut ser = Serializer::with_formatter(out, SafeFormatter(PrettyFormatter::new()));
        value.serialize(&mut ser).map_err(io::Error::other)
    } else {
        let mut ser = Serializer::with_formatter(out, SafeFormatter(CompactFormatter));
        value.serialize(&mut ser).map_err(io::Error::other)
    }
}

/// Characters serde_json writes raw that must not be: DEL and the C1
/// controls (U+009B is a CSI on many terminals), bidi controls, invisible
/// characters and line separators (which also end a line in JavaScript
/// before ES2019). Escaped, the file holds the same data.
fn needs_escape(c: char) -> bool {
    c.is_control() || is_bidi_control(c) || is_invisible(c) || is_line_separator(c)
}

/// A formatter that escapes [`needs_escape`] characters and otherwise
/// lays out JSON as the one it wraps.
struct SafeFormatter<F>(F);

impl<F: Formatter> Formatter for SafeFormatter<F> {
    fn write_string_fragment<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        let mut start = 0;
        for (i, c) in fragment.char_indices() {
            if !needs_escape(c) {
                continue;
            }
            writer.write_all(&fragment.as_bytes()[start..i])?;
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                write!(writer, "\\u{unit:04x}")?;
            }
            start = i + c.len_utf8();
        }
        writer.write_all(&fragment.as_bytes()[start..])
    }

    // The layout is the wrapped formatter's.
    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_array(w)
    }
    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array(w)
    }
    fn begin_array_value<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.0.begin_array_value(w, first)
    }
    fn end_array_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array_value(w)
    }
    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object(w)
    }
    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object(w)
    }
    fn begin_object_key<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.0.begin_object_key(w, first)
    }
    fn end_object_key<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object_key(w)
    }
    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object_value(w)
    }
    fn end_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object_value(w)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn c1_bidi_and_invisible_characters_are_escaped_and_read_back() {
        // Issue 9, item 10.
        let text = "a\u{9b}31m\u{7f}\u{202e}\u{2066}\u{200b}\u{200d}\u{feff}\u{2028}\u{e0041}\u{1b}b \"日本\"";
        for pretty in [false, true] {
            let mut out = Vec::new();
            write_value(&mut out, &[text], pretty).unwrap();
            let json = String::from_utf8(out).unwrap();
            assert!(
                json.chars().all(|c| !needs_escape(c) || c == '\n'),
                "{json:?}"
            );
            assert!(json.contains(
                "a\\u009b31m\\u007f\\u202e\\u2066\\u200b\\u200d\\ufeff\\u2028\\udb40\\udc41\\u001bb \\\"日本\\\""
            ), "{json}");
            let back: Vec<String> = serde_json::from_str(&json).unwrap();
            assert_eq!(back, [text]);
        }
    }
}
