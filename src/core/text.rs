//! Making text from files safe to show on a terminal.
//!
//! A session title could hold `ESC [ 2 J` or an OSC sequence that rewrites
//! the clipboard; printed raw, it would act on the facilitator's terminal.
//! Invisible characters are as bad in a different way: a zero-width joiner
//! or a line separator takes a column in one program's count and none in
//! another's, so everything drawn after it lands in the wrong place.
//! Everything shown to a person goes through these functions first.

use std::borrow::Cow;

use unicode_truncate::UnicodeTruncateStr;

/// Whether `c` must not reach a terminal or a document as it is.
fn is_unsafe(c: char) -> bool {
    c.is_control() || is_bidi_control(c) || is_invisible(c) || is_line_separator(c)
}

/// Bidirectional overrides, isolates and marks can make text display in an
/// order other than it reads ("Trojan Source").
pub fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}'
    )
}

/// Format characters that draw nothing: zero-width space, non-joiner and
/// joiner, word joiner and invisible operators, the byte-order mark, the
/// soft hyphen, the Mongolian vowel separator, interlinear annotation
/// marks and tag characters. Terminals and width tables disagree on them,
/// and they can hide a difference between two names that look the same.
pub fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200D}'
            | '\u{2060}'..='\u{2064}'
            | '\u{FEFF}'
            | '\u{FFF9}'..='\u{FFFB}'
            | '\u{E0000}'..='\u{E007F}'
    )
}

/// U+2028 and U+2029 end a line in some programs and not in others.
pub fn is_line_separator(c: char) -> bool {
    matches!(c, '\u{2028}' | '\u{2029}')
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

/// Text for a single line: line breaks (newline, CR, U+2028, U+2029) and
/// tabs become spaces, invisible characters are dropped (a `�` for each
/// would make Persian or an emoji sequence unreadable), other control
/// characters and bidi controls become visible pictures.
pub fn one_line(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars()
            .filter(|&c| !is_invisible(c))
            .map(|c| match c {
                '\n' | '\r' | '\t' => ' ',
                c if is_line_separator(c) => ' ',
                c if is_unsafe(c) => picture(c),
                c => c,
            })
            .collect(),
    )
}

/// Text that may span lines: keeps newlines (and makes U+2028 and U+2029
/// newlines), turns tabs into spaces, drops invisible characters and turns
/// other control characters into visible pictures.
pub fn multi_line(text: &str) -> Cow<'_, str> {
    if !text.chars().any(|c| is_unsafe(c) && c != '\n') {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars()
            .filter(|&c| !is_invisible(c))
            .map(|c| match c {
                '\n' => '\n',
                '\t' => ' ',
                c if is_line_separator(c) => '\n',
                c if is_unsafe(c) => picture(c),
                c => c,
            })
            .collect(),
    )
}

/// Removes control characters that have no place in exported data (all but
/// newline, carriage return and tab) and bidi overrides. Invisible
/// characters stay: they are data (an emoji sequence, Persian text) and do
/// nothing to a terminal that prints the file.
pub fn strip_controls(text: &str) -> Cow<'_, str> {
    let keep = |c: char| matches!(c, '\n' | '\r' | '\t') || !(c.is_control() || is_bidi_control(c));
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

/// How many terminal columns `text` takes once drawn through [`one_line`]:
/// CJK and most emoji take two, an escape character's picture one, an
/// invisible character none.
pub fn width(text: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(one_line(text).as_ref())
}

/// `text` as [`one_line`] draws it, in at most `columns` terminal columns,
/// keeping its start and ending in `…` when something was cut, so a cut
/// name never passes for a whole one: "Payslip fun…". Neutralising here
/// too means what is measured is what is drawn, even for a caller that
/// forgot [`one_line`].
pub fn fit(text: &str, columns: usize) -> Cow<'_, str> {
    let text = one_line(text);
    if width(&text) <= columns {
        return text;
    }
    if columns == 0 {
        return Cow::Borrowed("");
    }
    let (head, _) = text.unicode_truncate(columns - 1);
    Cow::Owned(format!("{}…", head.trim_end()))
}

/// `text` as [`one_line`] draws it, in at most `columns` columns, keeping
/// its end: "…good.toml". For paths, whose distinguishing part is the end.
pub fn fit_start(text: &str, columns: usize) -> Cow<'_, str> {
    let text = one_line(text);
    if width(&text) <= columns {
        return text;
    }
    if columns == 0 {
        return Cow::Borrowed("");
    }
    let (tail, _) = text.unicode_truncate_start(columns - 1);
    Cow::Owned(format!("…{tail}"))
}

/// `text` as [`multi_line`] draws it, word-wrapped into lines of at most
/// `columns` terminal columns (a word longer than a line is broken).
pub fn wrap(text: &str, columns: usize) -> Vec<String> {
    let text = multi_line(text);
    let options = textwrap::Options::new(columns.max(1)).break_words(true);
    textwrap::wrap(&text, options)
        .into_iter()
        .map(|line| line.into_owned())
        .collect()
}

/// A path as it may be printed: neutralised like any text from outside
/// (a file can be named with escape sequences).
pub fn shown_path(path: &std::path::Path) -> String {
    one_line(&path.display().to_string()).into_owned()
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
    fn invisible_characters_and_line_separators_take_no_hidden_column() {
        // Issue 9, item 11: each of these once shifted the header's clock.
        for c in [
            '\u{200B}',
            '\u{200C}',
            '\u{200D}',
            '\u{2060}',
            '\u{2061}',
            '\u{2064}',
            '\u{FEFF}',
            '\u{00AD}',
            '\u{E0041}',
        ] {
            let text = format!("a{c}b");
            assert_eq!(one_line(&text), "ab", "{:04X}", c as u32);
            assert_eq!(multi_line(&text), "ab", "{:04X}", c as u32);
            assert_eq!(width(&text), 2, "{:04X}", c as u32);
            assert_eq!(fit(&text, 5), "ab");
        }
        for c in ['\u{2028}', '\u{2029}'] {
            let text = format!("a{c}b");
            assert_eq!(one_line(&text), "a b");
            assert_eq!(multi_line(&text), "a\nb");
            assert_eq!(wrap(&text, 10), ["a", "b"]);
        }
        for c in [
            '\u{202A}', '\u{202E}', '\u{2066}', '\u{2069}', '\u{200E}', '\u{200F}', '\u{061C}',
        ] {
            let text = format!("a{c}b");
            assert_eq!(one_line(&text), "a\u{FFFD}b", "{:04X}", c as u32);
            assert_eq!(width(&text), 3);
        }
        // An emoji sequence falls apart into emoji the terminal can count.
        assert_eq!(one_line("👩\u{200D}💻 review"), "👩💻 review");
        // What is measured is what is drawn, even unneutralised.
        let title = "LeeJames\u{200D}\u{2028}\u{1b}[2J HR payslips";
        assert_eq!(fit(title, 80), "LeeJames \u{241B}[2J HR payslips");
        assert_eq!(width(title), width(&fit(title, 80)));
        assert_eq!(fit(title, 12), "LeeJames ␛[…");
        assert_eq!(fit_start(title, 12), "…HR payslips");
    }

    #[test]
    fn exports_drop_controls_but_keep_line_breaks() {
        assert_eq!(
            strip_controls("a\u{1b}]52;c;x\u{7}\r\nb\tc"),
            "a]52;c;x\r\nb\tc"
        );
        assert_eq!(strip_controls("x\u{9b}y\u{202e}z\u{200d}"), "xyz\u{200d}");
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
