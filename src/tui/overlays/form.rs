//! A form: labelled fields, the focused one editable.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use super::{Outcome, Owner, boxed, centered};
use crate::core::text::{multi_line, one_line};
use crate::tui::action::Action;
use crate::tui::context::Purpose;
use crate::tui::form::{FieldKind, Form, FormEvent};
use crate::tui::style::Styles;

/// A form over the screen that opened it; saving hands it back to its
/// owner with the purpose.
#[derive(Debug, Clone)]
pub struct FormOverlay {
    pub form: Form,
    pub owner: Owner,
    pub purpose: Purpose,
}

impl FormOverlay {
    pub fn update(&mut self, action: Action) -> Outcome {
        let form = &mut self.form;
        let event = match action {
            Action::NextField => {
                form.next_field();
                FormEvent::None
            }
            Action::PrevField => {
                form.prev_field();
                FormEvent::None
            }
            Action::Open => form.enter(),
            Action::Input(key) => form.input(key),
            Action::Paste(text) => {
                form.paste(&text);
                FormEvent::None
            }
            Action::Cancel if form.changed() => return Outcome::AskDiscard,
            Action::Cancel => return Outcome::Close,
            Action::Submit => return Outcome::Submit,
            Action::Help => return Outcome::Help,
            _ => FormEvent::None,
        };
        match event {
            FormEvent::OpenPicker { field, typed } => Outcome::OpenPicker { field, typed },
            FormEvent::None => Outcome::Stay,
        }
    }

    pub fn draw(&self, frame: &mut Frame, area: Rect, styles: &Styles) {
        draw(frame, area, styles, &self.form);
    }
}

/// Rows a field takes: its label plus its box.
fn field_height(kind: &FieldKind) -> u16 {
    match kind {
        FieldKind::Text(_) => 1 + 5,
        FieldKind::Line(_) | FieldKind::Number { .. } => 1 + 3,
        _ => 1 + 1,
    }
}

fn draw(frame: &mut Frame, area: Rect, styles: &Styles, form: &Form) {
    let s = styles;
    let body: u16 = form.fields.iter().map(|f| field_height(&f.kind)).sum();
    let rect = centered(area, 72, body + 4);
    frame.render_widget(Clear, rect);
    let block = boxed(s, &form.title);
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
            None => s.key_hints(
                &[
                    ("Tab", "next field"),
                    ("Ctrl-S", "save"),
                    ("Esc", "cancel"),
                    ("F1", "keys"),
                ],
                2,
            ),
        };
        frame.render_widget(Paragraph::new(line), footer);
    }
}
