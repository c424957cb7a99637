//! A yes/no question over the screen.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Clear, Paragraph, Wrap};

use super::{Outcome, Reply, boxed, centered};
use crate::core::text::one_line;
use crate::tui::action::Action;
use crate::tui::style::Styles;

#[derive(Debug, Clone)]
pub struct Confirm {
    pub question: String,
    pub reply: Reply,
}

impl Confirm {
    pub fn update(&mut self, action: &Action) -> Outcome {
        match action {
            Action::Yes => Outcome::Yes,
            Action::No | Action::Cancel => Outcome::Close,
            Action::Help => Outcome::Help,
            _ => Outcome::Stay,
        }
    }

    pub fn draw(&self, frame: &mut Frame, area: Rect, styles: &Styles) {
        let rect = centered(area, 50, 5);
        frame.render_widget(Clear, rect);
        frame.render_widget(
            Paragraph::new(vec![
                Line::from(one_line(&self.question).into_owned()),
                styles.key_hints(&[("y", "yes"), ("n", "no")], 3),
            ])
            .wrap(Wrap { trim: true })
            .block(boxed(styles, "Question")),
            rect,
        );
    }
}
