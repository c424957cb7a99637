//! Ratatui styles from the core's themes.
//!
//! Colour is never the only signal: selection is also reversed or bold,
//! warnings and overtime also change the text, so screens work with
//! `NO_COLOR` and on monochrome projectors.

use ratatui::style::{Color as TermColor, Modifier, Style};
use ratatui::text::{Line, Span};

use crate::core::scoring::RiskBand;
use crate::core::stride::Category;
use crate::core::theme::{Color, Named, Theme};

fn term(color: Color) -> TermColor {
    match color {
        Color::Default => TermColor::Reset,
        Color::Rgb(r, g, b) => TermColor::Rgb(r, g, b),
        Color::Named(n) => match n {
            Named::Black => TermColor::Black,
            Named::Red => TermColor::Red,
            Named::Green => TermColor::Green,
            Named::Yellow => TermColor::Yellow,
            Named::Blue => TermColor::Blue,
            Named::Magenta => TermColor::Magenta,
            Named::Cyan => TermColor::Cyan,
            Named::Gray => TermColor::Gray,
            Named::DarkGray => TermColor::DarkGray,
            Named::LightRed => TermColor::LightRed,
            Named::LightGreen => TermColor::LightGreen,
            Named::LightYellow => TermColor::LightYellow,
            Named::LightBlue => TermColor::LightBlue,
            Named::LightMagenta => TermColor::LightMagenta,
            Named::LightCyan => TermColor::LightCyan,
            Named::White => TermColor::White,
        },
    }
}

/// The theme, resolved into the styles screens use.
#[derive(Debug, Clone)]
pub struct Styles {
    pub name: String,
    pub base: Style,
    pub muted: Style,
    pub accent: Style,
    pub title: Style,
    pub border: Style,
    pub border_focus: Style,
    pub selected: Style,
    pub header: Style,
    /// The session title in the header: on the header's background, never
    /// the screen's title colour (white on white in `high-contrast`).
    pub header_title: Style,
    pub hint_key: Style,
    pub hint_text: Style,
    pub success: Style,
    pub warning: Style,
    pub error: Style,
    pub timer_normal: Style,
    pub timer_warning: Style,
    pub timer_overtime: Style,
    pub timer_paused: Style,
    pub phase_done: Style,
    pub phase_current: Style,
    pub phase_todo: Style,
    theme: Theme,
}

impl Styles {
    pub fn new(theme: &Theme) -> Styles {
        let fg = |role: &str| Style::new().fg(term(theme.color(role)));
        let base = Style::new()
            .fg(term(theme.color("fg")))
            .bg(term(theme.color("bg")));
        Styles {
            name: theme.name.clone(),
            base,
            muted: fg("muted"),
            accent: fg("accent"),
            title: fg("title").add_modifier(Modifier::BOLD),
            border: fg("border"),
            border_focus: fg("border-focus").add_modifier(Modifier::BOLD),
            // Reversed as well, so the selection shows without colour.
            selected: Style::new()
                .fg(term(theme.color("selected.fg")))
                .bg(term(theme.color("selected.bg")))
                .add_modifier(Modifier::BOLD),
            header: Style::new()
                .fg(term(theme.color("header.fg")))
                .bg(term(theme.color("header.bg"))),
            header_title: Style::new()
                .fg(term(theme.color("header.title")))
                .bg(term(theme.color("header.bg")))
                .add_modifier(Modifier::BOLD),
            hint_key: fg("hint.key").add_modifier(Modifier::BOLD),
            hint_text: fg("hint.text"),
            success: fg("success"),
            warning: fg("warning").add_modifier(Modifier::BOLD),
            error: fg("error").add_modifier(Modifier::BOLD),
            timer_normal: fg("timer.normal").add_modifier(Modifier::BOLD),
            timer_warning: fg("timer.warning").add_modifier(Modifier::BOLD),
            timer_overtime: fg("timer.overtime").add_modifier(Modifier::BOLD | Modifier::REVERSED),
            timer_paused: fg("timer.paused"),
            phase_done: fg("phase.done"),
            phase_current: fg("phase.current").add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
            phase_todo: fg("phase.todo"),
            theme: theme.clone(),
        }
    }

    /// A selection that stays visible without colour (`NO_COLOR`).
    pub fn selection(&self) -> Style {
        if self.theme.color("selected.bg") == Color::Default {
            self.selected.add_modifier(Modifier::REVERSED)
        } else {
            self.selected
        }
    }

    pub fn stride(&self, category: Category) -> Style {
        Style::new().fg(term(
            self.theme.color(&format!("stride.{}", category.key())),
        ))
    }

    pub fn risk(&self, band: RiskBand) -> Style {
        Style::new().fg(term(self.theme.color(&format!("risk.{}", band.key()))))
    }

    /// "key what  key what": keys in the hint-key style, `gap` spaces
    /// between pairs.
    pub fn key_hints(&self, pairs: &[(&str, &str)], gap: usize) -> Line<'static> {
        let mut spans = Vec::with_capacity(pairs.len() * 2);
        for (i, (key, what)) in pairs.iter().enumerate() {
            spans.push(Span::styled(key.to_string(), self.hint_key));
            let pad = if i + 1 < pairs.len() {
                " ".repeat(gap)
            } else {
                String::new()
            };
            spans.push(Span::styled(format!(" {what}{pad}"), self.hint_text));
        }
        Line::from(spans)
    }

    pub fn role(&self, role: &str) -> Style {
        Style::new().fg(term(self.theme.color(role)))
    }
}
