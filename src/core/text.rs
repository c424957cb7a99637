//! Making text from files safe to show on a terminal.
//!
//! A session title could hold `ESC [ 2 J` or an OSC sequence that rewrites
//! the clipboard; printed raw, it would act on the facilitator's terminal.
//! Everything shown to a person goes through these functions first.

use std::borrow::Cow;

use unicode_truncate::UnicodeTruncateStr;

fn is_unsafe(c: char) -> bool {
    c.is_control() || is_bidi_control(c)
}

/// Bidirectional overrides and isolates can make text display in an order
/// other than it reads ("Trojan Source").
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}')
}

/// A visible stand-in for a control character: the Unicode "control
/// pictures" (`␛` for ESC) for C0 and DEL, `�` for the rest.
fn picture(c: char) -> char {
    match c {
        '\u{0}'..='\u{1F}' => char::from_u32(0x2400 + c as u32).unwrap_or('\u{FFFD}'),
        '\u{7F}' => '\u{2421}',
        _ => '\u{FFFD}',
    }
}

/// Text for a single line: newlines and tabs become spaces, other control
/// characters become visible pictures.
pub fn one_line(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars()
            .map(|c| match c {
                '\n' | '\r' | '\t' => ' ',
                c if is_unsafe(c) => picture(c),
                c => c,
            })
            .collect(),
    )
}

/// Text that may span lines: keeps newlines, turns tabs into spaces and
/// other control characters into visible pictures.
pub fn multi_line(text: &str) -> Cow<'_, str> {
    if !text.chars().any(|c| is_unsafe(c) && c != '\n') {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars()
            .map(|c| match c {
                '\n' => '\n',
                '\t' => ' ',
                c if is_unsafe(c) => picture(c),
                c => c,
            })
            .collect(),
    )
}

/// Removes control characters that have no place in exported data (all but
/// newline, carriage return and tab) and bidi overrides.
pub fn strip_controls(text: &str) -> Cow<'_, str> {
    let keep = |c: char| matches!(c, '\n' | '\r' | '\t') || !is_unsafe(c);
    if text.chars().all(keep) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(text.chars().filter(|&c| keep(c)).collect())
}

/// Lowercase letters, digits and `_` from `text`, with a single `-` for
/// every run of anything else and none at the ends: for file names and
/// Jira labels (which cannot contain spaces).
pub fn slug(text: &str) -> String {
    let mut slug = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_alphanumeric() || c == '_' {
            slug.extend(c.to_lowercase());
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    while slug.ends_with('-') {
        slug.pop();
    }
    slug
}

/// A count with the noun that agrees with it: "1 asset", "2 assets",
/// "0 assets". Both forms are given because English plurals are not all a
/// trailing `s` ("1 boundary", "2 boundaries").
pub fn plural<N>(n: N, one: &str, many: &str) -> String
where
    N: std::fmt::Display + PartialEq + From<u8>,
{
    let noun = if n == N::from(1) { one } else { many };
    format!("{n} {noun}")
}

/// How many terminal columns `text` takes: CJK and most emoji take two.
pub fn width(text: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(text)
}

/// `text` in at most `columns` terminal columns, keeping its start and
/// ending in `…` when something was cut, so a cut name never passes for a
/// whole one: "Payslip fun…".
pub fn fit(text: &str, columns: usize) -> Cow<'_, str> {
    if width(text) <= columns {
        return Cow::Borrowed(text);
    }
    if columns == 0 {
        return Cow::Borrowed("");
    }
    let (head, _) = text.unicode_truncate(columns - 1);
    Cow::Owned(format!("{}…", head.trim_end()))
}

/// `text` in at most `columns` columns, keeping its end: "…good.toml".
/// For paths, whose distinguishing part is the end.
pub fn fit_start(text: &str, columns: usize) -> Cow<'_, str> {
    if width(text) <= columns {
        return Cow::Borrowed(text);
    }
    if columns == 0 {
        return Cow::Borrowed("");
    }
    let (tail, _) = text.unicode_truncate_start(columns - 1);
    Cow::Owned(format!("…{tail}"))
}

/// `text` word-wrapped into lines of at most `columns` terminal columns
/// (a word longer than a line is broken).
pub fn wrap(text: &str, columns: usize) -> Vec<String> {
    let options = textwrap::Options::new(columns.max(1)).break_words(true);
    textwrap::wrap(text, options)
        .into_iter()
        .map(|line| line.into_owned())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_sequences_become_visible() {
        assert_eq!(one_line("a\u{1b}[2Jb\nc"), "a\u{241b}[2Jb c");
        assert_eq!(multi_line("a\u{7}\nb\tc"), "a\u{2407}\nb c");
        assert_eq!(one_line("x\u{9b}y\u{202e}z"), "x\u{fffd}y\u{fffd}z");
        assert!(matches!(one_line("plain 日本 🚀"), Cow::Borrowed(_)));
    }

    #[test]
    fn exports_drop_controls_but_keep_line_breaks() {
        assert_eq!(
            strip_controls("a\u{1b}]52;c;x\u{7}\r\nb\tc"),
            "a]52;c;x\r\nb\tc"
        );
    }

    #[test]
    fn plurals_agree_with_the_count() {
        assert_eq!(plural(1usize, "asset", "assets"), "1 asset");
        assert_eq!(plural(0usize, "asset", "assets"), "0 assets");
        assert_eq!(plural(2u32, "boundary", "boundaries"), "2 boundaries");
        assert_eq!(plural(u32::MAX, "dot", "dots"), "4294967295 dots");
    }

    #[test]
    fn fitting_measures_columns_and_marks_the_cut() {
        assert_eq!(fit("Amazon S3", 9), "Amazon S3");
        assert_eq!(fit("Amazon DynamoDB", 10), "Amazon Dy…");
        // No blank before the marker.
        assert_eq!(fit("Payslip functions", 9), "Payslip…");
        assert_eq!(fit("abc", 1), "…");
        assert_eq!(fit_start("sessions/good-one.toml", 14), "…good-one.toml");
        assert_eq!(fit_start("sessions/bro.toml", 40), "sessions/bro.toml");
        assert_eq!(wrap("one two three", 7), ["one two", "three"]);
        assert_eq!(wrap("支払い 支払い", 6), ["支払い", "支払い"]);
        assert_eq!(wrap("abcdefgh", 3), ["abc", "def", "gh"]);
        assert_eq!(width("日本語"), 6);
        assert_eq!(fit("日本語API", 6), "日本…");
        assert_eq!(width(&fit("日本語API", 6)), 5);
        assert_eq!(fit("🚀🚀🚀", 4), "🚀…");
        assert_eq!(fit("abc", 0), "");
    }
}
