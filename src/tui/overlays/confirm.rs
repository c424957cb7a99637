//! A yes/no question over the screen.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Clear, Paragraph, Wrap};

use super::{boxed, centered};
use crate::tui::app::{App, Confirm};

pub fn draw(frame: &mut Frame, area: Rect, app: &App, c: &Confirm) {
    let rect = centered(area, 50, 5);
    frame.render_widget(Clear, rect);
    let s = &app.styles;
    frame.render_widget(
        Paragraph::new(vec![
            Line::from(c.question.clone()),
            s.key_hints(&[("y", "yes"), ("n", "no")], 3),
        ])
        .wrap(Wrap { trim: true })
        .block(boxed(app, "Question")),
        rect,
    );
}
