//! Every threat of the session in one list, filtered by words that match
//! its title, element, category or author.

use super::*;

impl BrainstormScreen {
    pub(super) fn threats_update(&mut self, action: Action, cx: &mut Ctx) {
        if self.list_filter.is_typing() {
            let session = cx.session();
            let count = |f: &Filter| {
                f.keep(session.threats.iter(), |t| threat_text(session, t))
                    .len()
            };
            self.list_filter
                .typing_update(action, &mut self.listed, count, cx.page);
            return;
        }
        let listed = self.listed_threats(cx.session());
        let selected = listed
            .get(self.listed)
            .and_then(|&i| cx.session().threats.get(i))
            .map(|t| t.id);
        match action {
            a if list::is_movement(&a) => {
                list::move_cursor(&mut self.listed, listed.len(), &a, cx.page)
            }
            Action::Filter => {
                self.list_filter.start();
                self.listed = 0;
            }
            Action::Cancel if self.list_filter.is_active() => self.list_filter.clear(),
            Action::Cancel => self.mode = Mode::Walk,
            Action::Open => {
                let target = selected
                    .and_then(|id| cx.session().threat(id))
                    .and_then(|t| Some((t.id, t.target?, t.category)));
                match target {
                    Some((id, element, category)) => {
                        self.focus(element, category);
                        self.focus_threat(cx.session(), id);
                        self.pane = Pane::Threats;
                        self.mode = Mode::Walk;
                    }
                    None => cx.info("This threat is on no element: e edits it"),
                }
            }
            Action::Edit => {
                if let Some(t) = selected.and_then(|id| cx.session().threat(id)) {
                    let (id, category) = (t.id, t.category);
                    let Some(element) = t.target else {
                        cx.info("This threat is on no element; m in the walk moves one");
                        return;
                    };
                    let form = threat_form(cx.session(), Some(t), t.author, element, category);
                    cx.open_form(
                        form,
                        Purpose::keepable(Ask::Threat {
                            id: Some(id),
                            element,
                            category,
                        }),
                    );
                }
            }
            Action::Delete => {
                if let Some(id) = selected
                    && list::delete(cx, id)
                {
                    let len = self.listed_count(cx.session());
                    list::clamp(&mut self.listed, len);
                }
            }
            _ => {}
        }
    }
}

impl BrainstormScreen {
    pub(super) fn draw_threats(&self, frame: &mut Frame, area: Rect, view: &View) {
        let s = view.styles;
        let session = view.session;
        let listed = self.listed_threats(session);
        let mut title = vec![Span::styled(
            format!(" Every threat ({}) ", session.threats.len()),
            s.title,
        )];
        if self.list_filter.is_typing() || self.list_filter.is_active() {
            let caret = if self.list_filter.is_typing() {
                "▏"
            } else {
                ""
            };
            title.push(Span::styled(
                format!("/{}{caret} ", one_line(self.list_filter.text())),
                s.accent,
            ));
            title.push(Span::styled(format!("{} shown ", listed.len()), s.muted));
        }
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(s.border_focus)
            .title(Line::from(title));
        if listed.is_empty() {
            let text = if session.threats.is_empty() {
                "No threats yet: Esc goes back to the walk."
            } else {
                "Nothing matches the filter: Esc clears it."
            };
            frame.render_widget(Paragraph::new(text).block(block).style(s.base), area);
            return;
        }
        let height = usize::from(block.inner(area).height.saturating_sub(1));
        let cursor = self.listed.min(listed.len() - 1);
        let window = list::window(listed.len(), cursor, height);
        let rows: Vec<Vec<Cell2>> = listed[window.clone()]
            .iter()
            .filter_map(|&i| session.threats.get(i))
            .map(|t| {
                vec![
                    Cell2::styled(t.id.to_string(), s.muted),
                    Cell2::new(one_line(&t.title)),
                    Cell2::styled(t.category.letter().to_string(), s.stride(t.category)),
                    Cell2::new(one_line(
                        t.target.and_then(|e| session.name(e)).unwrap_or("(none)"),
                    )),
                    Cell2::styled(
                        one_line(t.author.and_then(|a| session.name(a)).unwrap_or("")),
                        s.muted,
                    ),
                ]
            })
            .collect();
        let columns = [
            Column::fixed("ID", 5),
            Column::name("Threat"),
            Column::fixed("", 1),
            Column::extra("Element"),
            Column::extra("Raised by"),
        ];
        let table = table::fitted(&columns, rows, table_room(area), s.muted)
            .block(block)
            .row_highlight_style(s.selection())
            .highlight_symbol(MARKER)
            .style(s.base);
        frame.render_stateful_widget(
            table,
            area,
            &mut TableState::default().with_selected(Some(cursor - window.start)),
        );
    }
}
