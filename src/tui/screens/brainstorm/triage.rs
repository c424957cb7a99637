//! Triage: every catalog candidate of the scope not yet decided, one at a
//! time, to accept, dismiss or accept and edit.

use super::*;

impl BrainstormScreen {
    pub(super) fn triage_update(&mut self, action: Action, cx: &mut Ctx) {
        let queue = self.queue(cx.session(), cx.catalogs, cx.changes());
        list::clamp(&mut self.triage, queue.len());
        let current = queue.get(self.triage).cloned();
        match action {
            Action::Up => self.triage = self.triage.saturating_sub(1),
            Action::Down => self.triage = (self.triage + 1).min(queue.len().saturating_sub(1)),
            Action::Cancel => self.mode = Mode::Walk,
            Action::Open | Action::Edit => {
                let Some((element, category, reference)) = current else {
                    return;
                };
                self.focus(element, category);
                if let Some(id) =
                    self.accept_candidate(element, &reference, cx, action == Action::Edit)
                {
                    let left = self.queue(cx.session(), cx.catalogs, cx.changes()).len();
                    cx.success(format!(
                        "Accepted as {id}; {} left; u undoes",
                        plural(left, "candidate", "candidates")
                    ));
                }
            }
            Action::Dismiss => {
                let Some((element, _, reference)) = current else {
                    return;
                };
                let form = dismiss_form(cx.catalogs, &reference);
                cx.open_form(form, Purpose::keepable(Ask::Dismiss { element, reference }));
            }
            _ => {}
        }
    }
}

impl BrainstormScreen {
    pub(super) fn draw_triage(&self, frame: &mut Frame, area: Rect, view: &View) {
        let s = view.styles;
        let session = view.session;
        let queue = self.queue(session, view.catalogs, view.changes);
        let position = self.triage.min(queue.len().saturating_sub(1));
        let title = if queue.is_empty() {
            " Triage: every candidate is decided ".to_string()
        } else {
            format!(
                " Triage: {} of {} left ",
                position + 1,
                plural(queue.len(), "candidate", "candidates")
            )
        };
        let block = boxed(s, title, true);
        let Some(current) = queue.get(position) else {
            frame.render_widget(
                Paragraph::new(vec![
                    Line::from("Nothing left to decide: every catalog candidate of the scope is taken or dismissed."),
                    Line::from(""),
                    Line::from(Span::styled("Esc goes back to the walk; ] moves on to the vote.", s.muted)),
                ])
                .wrap(Wrap { trim: true })
                .block(block)
                .style(s.base),
                area,
            );
            return;
        };
        let (element, category, reference) = current;
        let Some(c) = walk::candidate(view.catalogs, reference) else {
            return;
        };
        let width = usize::from(area.width.saturating_sub(4));
        let mut lines: Vec<Line> = vec![
            Line::from(vec![
                Span::styled(
                    format!("{} ", category.name()),
                    s.stride(*category).add_modifier(Modifier::BOLD),
                ),
                Span::styled(
                    format!("on {}", one_line(&session.describe(*element))),
                    s.muted,
                ),
            ]),
            Line::from(""),
        ];
        for part in wrap(&one_line(&c.title), width) {
            lines.push(Line::from(Span::styled(
                part,
                s.title.add_modifier(Modifier::BOLD),
            )));
        }
        if !c.description.trim().is_empty() {
            lines.push(Line::from(""));
            for part in wrap(&one_line(&c.description), width) {
                lines.push(Line::from(part));
            }
        }
        let who = format!("{} {}", c.source.trim(), c.prerequisites.trim());
        let hints = [
            ("Who", who.trim()),
            ("Can", c.action.trim()),
            ("Leads to", c.impact.trim()),
        ];
        for (label, text) in hints {
            if !text.is_empty() {
                lines.push(Line::from(vec![
                    Span::styled(format!("{label}: "), s.muted),
                    Span::raw(one_line(text).into_owned()),
                ]));
            }
        }
        if !c.mitigations.is_empty() {
            lines.push(Line::from(""));
            lines.push(Line::from(Span::styled(
                format!(
                    "Comes with {}:",
                    plural(c.mitigations.len(), "mitigation", "mitigations")
                ),
                s.muted,
            )));
            for m in &c.mitigations {
                let text = format!("• {}: {}", m.control, m.text);
                for (i, part) in wrap(&one_line(&text), width.saturating_sub(2))
                    .into_iter()
                    .enumerate()
                {
                    let indent = if i == 0 { "" } else { "  " };
                    lines.push(Line::from(format!("{indent}{part}")));
                }
            }
        }
        frame.render_widget(Paragraph::new(lines).block(block).style(s.base), area);
    }
}
