//! A filter-as-you-type list over a form.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, List, ListItem, ListState, Paragraph};

use super::{boxed, centered};
use crate::core::text::one_line;
use crate::tui::app::App;
use crate::tui::picker::Picker;

pub fn draw(frame: &mut Frame, area: Rect, app: &App, p: &Picker) {
    let s = &app.styles;
    let rect = centered(area, 70, area.height.saturating_sub(4).max(8));
    frame.render_widget(Clear, rect);
    let title = if p.multi {
        format!("{} (Tab marks, Enter takes the marked)", p.title)
    } else {
        format!("{} (type to filter, Enter chooses)", p.title)
    };
    let block = boxed(app, &title);
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
    let items: Vec<ListItem> = p
        .visible
        .iter()
        .map(|&i| {
            let item = &p.items[i];
            let mut spans = Vec::new();
            if p.multi {
                spans.push(Span::raw(if p.is_marked(item) { "[x] " } else { "[ ] " }));
            }
            spans.push(Span::raw(one_line(&item.label).into_owned()));
            if !item.detail.is_empty() {
                spans.push(Span::styled(
                    format!("  {}", one_line(&item.detail)),
                    s.muted,
                ));
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
