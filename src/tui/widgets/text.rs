//! Text measured as the terminal shows it, and cut to fit with a marker.
//!
//! Widths are display columns (`unicode-width`): a CJK character or an
//! emoji takes two, a combining accent none. Text that does not fit is cut
//! at a character boundary and ends in `…`, so a reader always knows
//! something is missing.

use std::borrow::Cow;

use unicode_truncate::UnicodeTruncateStr;
use unicode_width::UnicodeWidthStr;

/// The marker for cut text.
pub const ELLIPSIS: char = '…';

/// Display columns of `text`.
pub fn width(text: &str) -> usize {
    UnicodeWidthStr::width(text)
}

/// `text` in at most `max` columns, keeping its start: "Payslip fu…".
pub fn fit(text: &str, max: usize) -> Cow<'_, str> {
    if width(text) <= max {
        return Cow::Borrowed(text);
    }
    if max == 0 {
        return Cow::Borrowed("");
    }
    let (head, _) = text.unicode_truncate(max - 1);
    Cow::Owned(format!("{}{ELLIPSIS}", head.trim_end()))
}

/// `text` in at most `max` columns, keeping its end: "…sessions/good.toml".
/// For paths, whose distinguishing part is the end.
pub fn fit_start(text: &str, max: usize) -> Cow<'_, str> {
    if width(text) <= max {
        return Cow::Borrowed(text);
    }
    if max == 0 {
        return Cow::Borrowed("");
    }
    let (tail, _) = text.unicode_truncate_start(max - 1);
    Cow::Owned(format!("{ELLIPSIS}{tail}"))
}

/// `text` word-wrapped into lines of at most `max` columns (long words
/// are broken), for boxes that scroll and need to know their height.
pub fn wrap(text: &str, max: usize) -> Vec<String> {
    let options = textwrap::Options::new(max.max(1)).break_words(true);
    textwrap::wrap(text, options)
        .into_iter()
        .map(|line| line.into_owned())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fits_by_display_width_with_a_marker() {
        assert_eq!(fit("Payslip functions", 20), "Payslip functions");
        assert_eq!(fit("Payslip functions", 12), "Payslip fun…");
        assert_eq!(width(&fit("Payslip functions", 12)), 12);
        // No blank before the marker.
        assert_eq!(fit("Payslip functions", 9), "Payslip…");
        // Two columns a character: 支払い is six columns wide.
        assert_eq!(fit("支払い API", 6), "支払…");
        assert_eq!(fit("💳💳💳", 5), "💳💳…");
        assert!(width(&fit("💳💳💳", 4)) <= 4);
        assert_eq!(fit("abc", 0), "");
        assert_eq!(fit("abc", 1), "…");
    }

    #[test]
    fn wraps_by_display_width() {
        assert_eq!(wrap("one two three", 7), ["one two", "three"]);
        assert_eq!(wrap("支払い 支払い", 6), ["支払い", "支払い"]);
        assert_eq!(wrap("abcdefgh", 3), ["abc", "def", "gh"]);
    }

    #[test]
    fn paths_keep_their_end() {
        assert_eq!(fit_start("sessions/good-one.toml", 14), "…good-one.toml");
        assert_eq!(fit_start("sessions/bro.toml", 40), "sessions/bro.toml");
    }
}
