//! The `?` overlay: every key of the screen underneath.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::widgets::{Clear, Paragraph};

use super::{boxed, centered};
use crate::tui::app::App;
use crate::tui::view::help_lines;

pub fn draw(frame: &mut Frame, area: Rect, app: &App, scroll: u16) {
    let lines = help_lines(app);
    let rect = centered(area, 76, lines.len() as u16 + 4);
    frame.render_widget(Clear, rect);
    let block = boxed(app, "Keys (Esc closes, j/k scroll)");
    frame.render_widget(Paragraph::new(lines).block(block).scroll((scroll, 0)), rect);
}
