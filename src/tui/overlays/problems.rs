//! Problems to read through in full: every problem found in a file that
//! would not open (file:line:col, field and message), or why a session
//! could not be closed.

use super::{Outcome, centered, draw_box, scroll_box};
use crate::core::text::one_line;
use crate::core::text::wrap;
use crate::tui::action::Action;
use crate::tui::style::Styles;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

#[derive(Debug, Clone)]
pub struct Problems {
    pub title: String,
    pub lines: Vec<String>,
    pub scroll: usize,
    /// The last line, when it is not the count of a file's problems.
    pub footer: Option<String>,
}

const WIDTH: u16 = 100;

impl Problems {
    pub fn new(title: String, lines: Vec<String>) -> Problems {
        Problems {
            title,
            lines,
            scroll: 0,
            footer: None,
        }
    }

    /// Lines that are not a file's problems, with `footer` as the last line.
    pub fn with_footer(mut self, footer: impl Into<String>) -> Problems {
        self.footer = Some(footer.into());
        self
    }

    fn layout(&self, area: Rect, styles: &Styles) -> (Rect, Vec<Line<'static>>) {
        let inner = usize::from(WIDTH.min(area.width.saturating_sub(2)).saturating_sub(2));
        let mut lines = Vec::new();
        for problem in &self.lines {
            let style = if problem.contains(": warning: ") {
                styles.warning
            } else {
                styles.base
            };
            // Wrapped lines are indented so each problem reads as one.
            for (i, part) in wrap(&one_line(problem), inner.saturating_sub(2))
                .into_iter()
                .enumerate()
            {
                let indent = if i == 0 { "" } else { "  " };
                lines.push(Line::from(Span::styled(format!("{indent}{part}"), style)));
            }
        }
        let footer = if let Some(footer) = &self.footer {
            one_line(footer).into_owned()
        } else if self.lines.len() == 1 {
            "1 problem. Fix the file, then r on the home screen looks again.".to_string()
        } else {
            format!(
                "{} problems. Fix the file, then r on the home screen looks again.",
                self.lines.len()
            )
        };
        lines.push(Line::from(""));
        lines.push(Line::from(Span::styled(footer, styles.muted)));
        let height = u16::try_from(lines.len())
            .unwrap_or(u16::MAX)
            .saturating_add(2);
        (centered(area, WIDTH, height), lines)
    }

    pub fn update(&mut self, action: &Action, size: (u16, u16), styles: &Styles) -> Outcome {
        match action {
            Action::Cancel => Outcome::Close,
            Action::Help => Outcome::Help,
            _ => {
                let (rect, lines) = self.layout(Rect::new(0, 0, size.0, size.1), styles);
                scroll_box(&mut self.scroll, rect, lines.len(), action);
                Outcome::Stay
            }
        }
    }

    pub fn draw(&self, frame: &mut Frame, area: Rect, styles: &Styles) {
        let (rect, lines) = self.layout(area, styles);
        let title = one_line(&self.title);
        let fits = format!("{title} (Esc closes)");
        let scrolls = format!("{title} (j/k scroll, Esc closes)");
        draw_box(frame, rect, lines, self.scroll, (&fits, &scrolls), styles);
    }
}
