//! The `?` overlay: the keys of what is underneath, its own first, each
//! marked when it does not work right now (and why).

use super::{Outcome, centered, draw_box, scroll_box};
use crate::core::text::{width, wrap};
use crate::tui::action::Action;
use crate::tui::style::Styles;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

/// One line of help before wrapping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    Heading(String),
    Key {
        keys: String,
        help: String,
        /// Why it does nothing right now, if it does not.
        unavailable: Option<String>,
    },
    Note(String),
}

#[derive(Debug, Clone)]
pub struct Help {
    pub entries: Vec<Entry>,
    /// The first line shown.
    pub scroll: usize,
}

/// Columns for the keys before their description.
const KEYS: usize = 16;
const WIDTH: u16 = 76;

impl Help {
    pub fn new(entries: Vec<Entry>) -> Help {
        Help { entries, scroll: 0 }
    }

    /// The box in `area` and the lines wrapped to fit it.
    fn layout(&self, area: Rect, styles: &Styles) -> (Rect, Vec<Line<'static>>) {
        let inner = usize::from(WIDTH.min(area.width.saturating_sub(2)).saturating_sub(2));
        let text = inner.saturating_sub(KEYS + 2).max(10);
        let mut lines = Vec::new();
        for entry in &self.entries {
            match entry {
                Entry::Heading(title) => {
                    if !lines.is_empty() {
                        lines.push(Line::from(""));
                    }
                    lines.push(Line::from(Span::styled(title.clone(), styles.title)));
                }
                Entry::Key {
                    keys,
                    help,
                    unavailable,
                } => {
                    let (key_style, text_style) = match unavailable {
                        None => (styles.hint_key, styles.base),
                        Some(_) => (styles.muted, styles.muted),
                    };
                    let said = match unavailable {
                        None => help.clone(),
                        Some(why) => format!("{help} (not now: {why})"),
                    };
                    for (i, part) in wrap(&said, text).into_iter().enumerate() {
                        let keys = if i == 0 { keys.as_str() } else { "" };
                        let pad = KEYS.saturating_sub(width(keys));
                        lines.push(Line::from(vec![
                            Span::styled(format!("  {keys}{}", " ".repeat(pad)), key_style),
                            Span::styled(part, text_style),
                        ]));
                    }
                }
                Entry::Note(note) => {
                    lines.push(Line::from(""));
                    for part in wrap(note, inner.saturating_sub(2)) {
                        lines.push(Line::from(Span::styled(part, styles.muted)));
                    }
                }
            }
        }
        let height = u16::try_from(lines.len())
            .unwrap_or(u16::MAX)
            .saturating_add(2);
        (centered(area, WIDTH, height), lines)
    }

    pub fn update(&mut self, action: &Action, size: (u16, u16), styles: &Styles) -> Outcome {
        match action {
            Action::Cancel | Action::Help | Action::Back => Outcome::Close,
            _ => {
                let (rect, lines) = self.layout(Rect::new(0, 0, size.0, size.1), styles);
                scroll_box(&mut self.scroll, rect, lines.len(), action);
                Outcome::Stay
            }
        }
    }

    pub fn draw(&self, frame: &mut Frame, area: Rect, styles: &Styles) {
        let (rect, lines) = self.layout(area, styles);
        let titles = (
            "Keys (Esc closes)",
            "Keys (Esc closes, j/k PgDn g/G scroll)",
        );
        draw_box(frame, rect, lines, self.scroll, titles, styles);
    }
}
