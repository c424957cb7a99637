//! One module per screen.

pub mod home;
pub mod later;
pub mod scope;
pub mod setup;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, List, ListItem, ListState, Table, TableState};

use super::app::App;

/// The left-hand column of a phase screen: its panes with item counts, the
/// focused one highlighted (Tab moves on).
pub fn pane_list(
    frame: &mut Frame,
    area: Rect,
    app: &App,
    title: &str,
    panes: &[(String, String)],
    focused: usize,
) {
    let s = &app.styles;
    let width = usize::from(area.width.saturating_sub(4));
    let items: Vec<ListItem> = panes
        .iter()
        .map(|(name, count)| {
            let gap = width.saturating_sub(name.chars().count() + count.chars().count());
            ListItem::new(Line::from(vec![
                Span::raw(name.clone()),
                Span::raw(" ".repeat(gap.max(1))),
                Span::styled(count.clone(), s.muted),
            ]))
        })
        .collect();
    let list = List::new(items)
        .block(
            Block::default()
                .borders(Borders::ALL)
                .border_style(s.border)
                .title(Span::styled(format!(" {title} "), s.title)),
        )
        .highlight_style(s.selection())
        .highlight_symbol("›")
        .style(s.base);
    frame.render_stateful_widget(
        list,
        area,
        &mut ListState::default().with_selected(Some(focused)),
    );
}

/// Draws `table` in `block` as a list with a cursor on row `cursor`: the
/// selection style and marker every list screen shares.
pub fn cursor_table(
    frame: &mut Frame,
    area: Rect,
    app: &App,
    table: Table<'_>,
    block: Block<'_>,
    cursor: usize,
) {
    let table = table
        .row_highlight_style(app.styles.selection())
        .highlight_symbol("› ")
        .block(block)
        .style(app.styles.base);
    frame.render_stateful_widget(
        table,
        area,
        &mut TableState::default().with_selected(Some(cursor)),
    );
}
