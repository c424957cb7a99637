//! A filter-as-you-type list over a form.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, List, ListItem, ListState, Paragraph};

use super::{Outcome, Reply, boxed, centered};
use crate::core::text::one_line;
use crate::core::text::{fit, width};
use crate::tui::action::Action;
use crate::tui::picker::{PickResult, Picker};
use crate::tui::style::Styles;

/// A picker over a form field or a screen.
#[derive(Debug, Clone)]
pub struct PickerOverlay {
    pub picker: Picker,
    pub reply: Reply,
}

impl PickerOverlay {
    pub fn update(&mut self, action: Action) -> Outcome {
        let picker = &mut self.picker;
        match action {
            Action::Up => picker.up(),
            Action::Down => picker.down(),
            Action::PageUp => picker.page(false, 10),
            Action::PageDown => picker.page(true, 10),
            Action::Toggle => picker.toggle(),
            Action::Input(key) => picker.input(key),
            Action::Paste(text) => picker.paste(&text),
            Action::Cancel => return Outcome::Close,
            Action::Help => return Outcome::Help,
            Action::Open => {
                if let PickResult::Chosen(keys) = picker.choose() {
                    return Outcome::Picked(keys);
                }
            }
            _ => {}
        }
        Outcome::Stay
    }

    pub fn draw(&self, frame: &mut Frame, area: Rect, styles: &Styles) {
        draw(frame, area, styles, &self.picker);
    }
}

fn draw(frame: &mut Frame, area: Rect, styles: &Styles, p: &Picker) {
    let s = styles;
    let rect = centered(area, 70, area.height.saturating_sub(4).max(8));
    frame.render_widget(Clear, rect);
    let title = if p.multi {
        format!("{} (Tab marks, Enter takes the marked)", p.title)
    } else {
        format!("{} (type to filter, Enter chooses)", p.title)
    };
    let block = boxed(s, &title);
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    let [filter_area, list_area, count_area] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(1),
    ])
    .areas(inner);
    frame.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled("Filter: ", s.muted),
            Span::styled(one_line(&p.filter).into_owned(), s.accent),
            Span::styled("▏", s.accent),
        ])),
        filter_area,
    );
    // The label first, then the detail in what room is left, each cut
    // with a marker.
    let room = usize::from(list_area.width.saturating_sub(2));
    let items: Vec<ListItem> = p
        .visible
        .iter()
        .filter_map(|&i| p.items.get(i))
        .map(|item| {
            let mut spans = Vec::new();
            let mut left = room;
            if p.multi {
                spans.push(Span::raw(if p.is_marked(item) { "[x] " } else { "[ ] " }));
                left = left.saturating_sub(4);
            }
            let label = fit(&one_line(&item.label), left).into_owned();
            left = left.saturating_sub(width(&label));
            spans.push(Span::raw(label));
            if !item.detail.is_empty() && left > 4 {
                let detail = fit(&one_line(&item.detail), left - 2).into_owned();
                spans.push(Span::styled(format!("  {detail}"), s.muted));
            }
            ListItem::new(Line::from(spans))
        })
        .collect();
    let list = List::new(items)
        .highlight_style(s.selection())
        .highlight_symbol("› ")
        .style(s.base);
    let selected = (!p.visible.is_empty()).then_some(p.cursor);
    frame.render_stateful_widget(
        list,
        list_area,
        &mut ListState::default().with_selected(selected),
    );
    frame.render_widget(
        Paragraph::new(Span::styled(
            format!("{} of {}", p.visible.len(), p.items.len()),
            s.muted,
        )),
        count_area,
    );
}
