//! A form: labelled fields, the focused one editable.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use super::{Outcome, Owner, boxed, centered};
use crate::core::text::{multi_line, one_line, wrap};
use crate::tui::action::Action;
use crate::tui::context::Purpose;
use crate::tui::form::{FieldKind, Form, FormEvent};
use crate::tui::style::Styles;

/// The keys that matter in `form` right now, for its footer and the hint
/// bar: what Enter does depends on the field (see [`Form::enter`]).
pub fn footer_hints(form: &Form) -> Vec<(&'static str, &'static str)> {
    let several = form.fields.len() > 1;
    match (form.enter_submits(), form.enter_saves, several) {
        (true, true, true) => vec![
            ("Enter", form.verb),
            ("Tab", "more fields"),
            ("Esc", "cancel"),
            ("F1", "keys"),
        ],
        (true, _, false) => vec![("Enter", form.verb), ("Esc", "cancel"), ("F1", "keys")],
        (true, false, true) => vec![
            ("Enter", form.verb),
            ("Tab", "first field"),
            ("Esc", "cancel"),
            ("F1", "keys"),
        ],
        (false, _, _) => vec![
            ("Tab", "next field"),
            ("Ctrl-S", form.verb),
            ("Esc", "cancel"),
            ("F1", "keys"),
        ],
    }
}

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
            FormEvent::Submit => Outcome::Submit,
            FormEvent::None => Outcome::Stay,
        }
    }

    pub fn draw(&self, frame: &mut Frame, area: Rect, styles: &Styles) {
        draw(frame, area, styles, &self.form);
    }
}

/// The width of a form's box.
const WIDTH: u16 = 72;

/// Lines a note (a preview) may take.
const NOTE_LINES: usize = 4;

/// Rows a field takes: its label plus its box (or its text, for a note).
fn field_height(field: &crate::tui::form::Field, form: &Form) -> u16 {
    match &field.kind {
        FieldKind::Text(_) => 1 + 5,
        FieldKind::Line(_) | FieldKind::Number { .. } => 1 + 3,
        FieldKind::Note(render) => {
            let lines = wrap(&one_line(&render(form)), usize::from(WIDTH - 4)).len();
            1 + u16::try_from(lines.clamp(1, NOTE_LINES)).unwrap_or(1)
        }
        _ => 1 + 1,
    }
}

/// The fields shown when not all fit in `room` rows: a run around the
/// focused one.
fn window(heights: &[u16], focus: usize, room: u16) -> std::ops::Range<usize> {
    let total: u16 = heights.iter().sum();
    if total <= room || heights.is_empty() {
        return 0..heights.len();
    }
    let focus = focus.min(heights.len() - 1);
    let used = |r: &std::ops::Range<usize>| -> u16 { heights[r.clone()].iter().sum() };
    let mut shown = focus..focus + 1;
    loop {
        let grown_down = shown.start..shown.end + 1;
        let grown_up = shown.start.wrapping_sub(1)..shown.end;
        if shown.end < heights.len() && used(&grown_down) <= room {
            shown = grown_down;
        } else if shown.start > 0 && used(&grown_up) <= room {
            shown = grown_up;
        } else {
            return shown;
        }
    }
}

fn draw(frame: &mut Frame, area: Rect, styles: &Styles, form: &Form) {
    let s = styles;
    let heights: Vec<u16> = form.fields.iter().map(|f| field_height(f, form)).collect();
    let body: u16 = heights.iter().sum();
    let rect = centered(area, WIDTH, body + 4);
    frame.render_widget(Clear, rect);
    let block = boxed(s, &form.title);
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    // One row for the footer, one to breathe above it when there is room.
    let room = inner.height.saturating_sub(2);
    let shown = window(&heights, form.focus, room);
    let mut constraints: Vec<Constraint> = shown
        .clone()
        .map(|i| Constraint::Length(heights[i]))
        .collect();
    constraints.push(Constraint::Min(0));
    constraints.push(Constraint::Length(1));
    let rows = Layout::vertical(constraints).split(inner);
    for (row, i) in rows.iter().zip(shown.clone()) {
        let Some(field) = form.fields.get(i) else {
            break;
        };
        if row.height == 0 {
            continue;
        }
        let focused = i == form.focus;
        let [label_area, value_area] =
            Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(*row);
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
            (FieldKind::Note(render), _) => {
                frame.render_widget(
                    Paragraph::new(one_line(&render(form)).into_owned())
                        .wrap(Wrap { trim: true })
                        .style(s.accent),
                    value_area,
                );
            }
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
        let mut line = match &form.error {
            Some(error) => Line::from(Span::styled(error.clone(), s.error)),
            None => s.key_hints(&footer_hints(form), 2),
        };
        // Fields out of view, above or below: Tab gets to them.
        let more = match (shown.start > 0, shown.end < form.fields.len()) {
            (true, true) => "↕ ",
            (true, false) => "↑ ",
            (false, true) => "↓ ",
            (false, false) => "",
        };
        if !more.is_empty() {
            line.spans.insert(0, Span::styled(more, s.accent));
        }
        frame.render_widget(Paragraph::new(line), footer);
    }
}

#[cfg(test)]
mod tests {
    use super::window;

    #[test]
    fn the_focused_field_is_always_in_the_window() {
        let heights = [4, 2, 6, 4, 4, 4, 2, 3];
        for room in 0..40 {
            for focus in 0..heights.len() {
                let w = window(&heights, focus, room);
                assert!(w.contains(&focus), "room {room}, focus {focus}: {w:?}");
                let used: u16 = heights[w.clone()].iter().sum();
                assert!(used <= room || w.len() == 1, "room {room}: {w:?}");
            }
        }
        assert_eq!(window(&heights, 3, 100), 0..8);
    }
}
