//! Overlays drawn over the screen: help, forms, pickers and questions.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, List, ListItem, ListState, Paragraph, Wrap};

use super::app::{App, Confirm, Overlay};
use super::form::{FieldKind, Form};
use super::picker::Picker;
use super::view::help_lines;
use crate::core::text::{multi_line, one_line};

pub fn draw(frame: &mut Frame, area: Rect, app: &App) {
    if area.width < super::app::MIN_WIDTH || area.height < super::app::MIN_HEIGHT {
        return;
    }
    for overlay in &app.overlays {
        match overlay {
            Overlay::Help { scroll } => help(frame, area, app, *scroll),
            Overlay::Form(f) => form(frame, area, app, &f.form),
            Overlay::Picker(p) => picker(frame, area, app, p),
            Overlay::Confirm(c) => confirm(frame, area, app, c),
        }
    }
}

/// A rectangle of at most `width` x `height`, centred in `area`.
fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(area.width.saturating_sub(2)).max(1);
    let h = height.min(area.height.saturating_sub(2)).max(1);
    Rect::new(
        area.x + (area.width.saturating_sub(w)) / 2,
        area.y + (area.height.saturating_sub(h)) / 2,
        w,
        h,
    )
}

fn boxed<'a>(app: &App, title: &str) -> Block<'a> {
    Block::default()
        .borders(Borders::ALL)
        .border_style(app.styles.border_focus)
        .title(Span::styled(format!(" {title} "), app.styles.title))
        .style(app.styles.base)
}

fn help(frame: &mut Frame, area: Rect, app: &App, scroll: u16) {
    let lines = help_lines(app);
    let rect = centered(area, 76, lines.len() as u16 + 4);
    frame.render_widget(Clear, rect);
    let block = boxed(app, "Keys (Esc closes, j/k scroll)");
    frame.render_widget(Paragraph::new(lines).block(block).scroll((scroll, 0)), rect);
}

fn confirm(frame: &mut Frame, area: Rect, app: &App, c: &Confirm) {
    let rect = centered(area, 50, 5);
    frame.render_widget(Clear, rect);
    let s = &app.styles;
    frame.render_widget(
        Paragraph::new(vec![
            Line::from(c.question.clone()),
            Line::from(vec![
                Span::styled("y", s.hint_key),
                Span::styled(" yes   ", s.hint_text),
                Span::styled("n", s.hint_key),
                Span::styled(" no", s.hint_text),
            ]),
        ])
        .wrap(Wrap { trim: true })
        .block(boxed(app, "Question")),
        rect,
    );
}

/// Rows a field takes: its label plus its box.
fn field_height(kind: &FieldKind) -> u16 {
    match kind {
        FieldKind::Text(_) => 1 + 5,
        FieldKind::Line(_) | FieldKind::Number { .. } => 1 + 3,
        _ => 1 + 1,
    }
}

fn form(frame: &mut Frame, area: Rect, app: &App, form: &Form) {
    let s = &app.styles;
    let body: u16 = form.fields.iter().map(|f| field_height(&f.kind)).sum();
    let rect = centered(area, 72, body + 4);
    frame.render_widget(Clear, rect);
    let block = boxed(app, &form.title);
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    let mut constraints: Vec<Constraint> = form
        .fields
        .iter()
        .map(|f| Constraint::Length(field_height(&f.kind)))
        .collect();
    constraints.push(Constraint::Min(0));
    constraints.push(Constraint::Length(1));
    let rows = Layout::vertical(constraints).split(inner);
    for (i, field) in form.fields.iter().enumerate() {
        let Some(&row) = rows.get(i) else { break };
        if row.height == 0 {
            continue;
        }
        let focused = i == form.focus;
        let [label_area, value_area] =
            Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(row);
        let mut label = vec![Span::styled(
            field.label.to_string(),
            if focused { s.accent } else { s.muted },
        )];
        if field.required {
            label.push(Span::styled(" *", s.muted));
        }
        if let Some(error) = &field.error {
            label.push(Span::styled(format!("  {error}"), s.error));
        }
        frame.render_widget(Paragraph::new(Line::from(label)), label_area);
        match (&field.kind, field.text_area()) {
            (_, Some(text)) => {
                let border = if focused { s.border_focus } else { s.border };
                let block = Block::default().borders(Borders::ALL).border_style(border);
                let text_area = block.inner(value_area);
                frame.render_widget(block, value_area);
                if focused {
                    let mut t = text.clone();
                    t.set_style(s.base);
                    t.set_cursor_line_style(Style::default());
                    frame.render_widget(&t, text_area);
                } else {
                    let shown = if field.is_multi_line() {
                        multi_line(&field.display()).into_owned()
                    } else {
                        one_line(&field.display()).into_owned()
                    };
                    frame.render_widget(
                        Paragraph::new(shown)
                            .wrap(Wrap { trim: false })
                            .style(s.base),
                        text_area,
                    );
                }
            }
            (kind, None) => {
                let value = one_line(&field.display()).into_owned();
                let (prefix, suffix) = match kind {
                    FieldKind::Cycle { .. } => ("‹ ", " ›  Space changes"),
                    _ => ("", "  Enter picks"),
                };
                let style = if focused { s.selection() } else { s.base };
                frame.render_widget(
                    Paragraph::new(Line::from(vec![
                        Span::styled(format!("{prefix}{value}"), style),
                        Span::styled(if focused { suffix } else { "" }, s.muted),
                    ])),
                    value_area,
                );
            }
        }
    }
    if let Some(&footer) = rows.last() {
        let line = match &form.error {
            Some(error) => Line::from(Span::styled(error.clone(), s.error)),
            None => Line::from(vec![
                Span::styled("Tab", s.hint_key),
                Span::styled(" next field  ", s.hint_text),
                Span::styled("Ctrl-S", s.hint_key),
                Span::styled(" save  ", s.hint_text),
                Span::styled("Esc", s.hint_key),
                Span::styled(" cancel", s.hint_text),
            ]),
        };
        frame.render_widget(Paragraph::new(line), footer);
    }
}

fn picker(frame: &mut Frame, area: Rect, app: &App, p: &Picker) {
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
