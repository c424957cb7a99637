//! Overlays drawn over the screen, one module each: help, forms, pickers
//! and questions.

mod confirm;
mod form;
mod help;
mod picker;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Span;
use ratatui::widgets::{Block, Borders};

use super::app::{App, Overlay};

pub fn draw(frame: &mut Frame, area: Rect, app: &App) {
    if area.width < super::app::MIN_WIDTH || area.height < super::app::MIN_HEIGHT {
        return;
    }
    for overlay in &app.overlays {
        match overlay {
            Overlay::Help { scroll } => help::draw(frame, area, app, *scroll),
            Overlay::Form(f) => form::draw(frame, area, app, &f.form),
            Overlay::Picker(p) => picker::draw(frame, area, app, p),
            Overlay::Confirm(c) => confirm::draw(frame, area, app, c),
        }
    }
}

/// A rectangle of at most `width` x `height`, centred in `area`.
pub(super) fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(area.width.saturating_sub(2)).max(1);
    let h = height.min(area.height.saturating_sub(2)).max(1);
    Rect::new(
        area.x + (area.width.saturating_sub(w)) / 2,
        area.y + (area.height.saturating_sub(h)) / 2,
        w,
        h,
    )
}

pub(super) fn boxed<'a>(app: &App, title: &str) -> Block<'a> {
    Block::default()
        .borders(Borders::ALL)
        .border_style(app.styles.border_focus)
        .title(Span::styled(format!(" {title} "), app.styles.title))
        .style(app.styles.base)
}
