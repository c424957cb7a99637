//! The walk: an element of the scope, one STRIDE category, what the
//! catalog asks and suggests there, and the threats captured on it.

use super::*;

impl BrainstormScreen {
    pub(super) fn walk_offer(&self, action: &Action, view: &View) -> Offer {
        if self.capture.is_some() {
            return match action {
                Action::Submit | Action::Cancel | Action::Input(_) | Action::Paste(_) => {
                    Offer::Enabled
                }
                _ => Offer::Hidden,
            };
        }
        if self.filter.is_typing() {
            return Filter::typing_offer(action);
        }
        let Some(here) = self.here_of(view) else {
            return match action {
                Action::Matrix | Action::ThreatList | Action::Triage => Offer::Enabled,
                Action::Add | Action::Capture | Action::NextCell | Action::Open => {
                    Offer::Disabled(NOTHING_TO_WALK.to_string())
                }
                _ => Offer::Hidden,
            };
        };
        let editable = view.editable();
        let on_threat = |offer: Offer| match offer {
            Offer::Enabled if here.threats.is_empty() => {
                Offer::Disabled(NO_THREAT_HERE.to_string())
            }
            other => other,
        };
        match action {
            Action::NextPane | Action::PrevPane => Offer::Enabled,
            a if list::is_movement(a) => Offer::Enabled,
            Action::Left | Action::Right => Offer::when(
                here.entry.categories().len() > 1,
                "Only one category applies to this element",
            ),
            Action::Open => match self.pane {
                Pane::Elements => Offer::Enabled,
                Pane::Threats => on_threat(editable),
                Pane::Candidates => match here.candidates.get(self.candidate) {
                    None => Offer::Disabled(
                        "The catalog has no candidate here: a adds a threat".to_string(),
                    ),
                    Some(_) => match here.taken.get(self.candidate).copied().flatten() {
                        Some(t) => Offer::Disabled(format!("Already taken as {t}")),
                        None => editable,
                    },
                },
            },
            Action::Add | Action::Capture | Action::NotApplicable | Action::Looked => editable,
            Action::NextCell | Action::Matrix | Action::ThreatList | Action::Triage => {
                Offer::Enabled
            }
            Action::Edit | Action::Delete | Action::Move => on_threat(editable),
            Action::Filter => Offer::Enabled,
            Action::Cancel if self.filter.is_active() => Offer::Enabled,
            _ => Offer::Hidden,
        }
    }

    pub(super) fn walk_update(&mut self, action: Action, cx: &mut Ctx) {
        if self.capture.is_some() {
            self.capture_update(action, cx);
            return;
        }
        if self.filter.is_typing() {
            let catalogs = cx.catalogs;
            let walk = self.walk(cx.session(), catalogs, cx.changes());
            let count = |f: &Filter| shown_by(f, &walk, catalogs).len();
            let ids: Vec<Id> = self
                .shown(&walk, catalogs)
                .into_iter()
                .filter_map(|r| walk.entries.get(r).map(|e| e.id))
                .collect();
            let mut position = self
                .element
                .and_then(|e| ids.iter().position(|x| *x == e))
                .unwrap_or(0);
            let mut filter = self.filter.clone();
            filter.typing_update(action, &mut position, count, cx.page);
            drop(walk);
            self.filter = filter;
            let ids = self.shown_ids(cx.session(), catalogs, cx.changes());
            if let Some(id) = ids.get(position).copied()
                && Some(id) != self.element
            {
                let category = self.category;
                self.focus(id, category);
            }
            return;
        }
        let Some(here) = self.here_in(cx) else {
            match action {
                Action::Matrix => self.mode = Mode::Matrix,
                Action::ThreatList => self.mode = Mode::Threats,
                Action::Triage => self.mode = Mode::Triage,
                _ => {}
            }
            return;
        };
        let (element, category) = (here.entry.id, here.category);
        match action {
            Action::NextPane | Action::PrevPane => {
                self.pane = Pane::ALL[list::cycle(self.pane.index(), Pane::ALL.len(), &action)];
            }
            a if list::is_movement(&a) => match self.pane {
                Pane::Elements => {
                    let ids = self.shown_ids(cx.session(), cx.catalogs, cx.changes());
                    let mut position = ids.iter().position(|x| *x == element).unwrap_or(0);
                    list::move_cursor(&mut position, ids.len(), &a, cx.page);
                    if let Some(id) = ids.get(position).copied()
                        && id != element
                    {
                        self.focus(id, category);
                    }
                }
                Pane::Candidates => {
                    list::move_cursor(&mut self.candidate, here.candidates.len(), &a, cx.page);
                }
                Pane::Threats => {
                    list::move_cursor(&mut self.threat, here.threats.len(), &a, cx.page);
                }
            },
            Action::Left | Action::Right => {
                let categories = here.entry.categories();
                let at = categories.iter().position(|c| *c == category).unwrap_or(0);
                let n = categories.len();
                let next = if action == Action::Right {
                    (at + 1) % n
                } else {
                    (at + n - 1) % n
                };
                self.focus(element, categories[next]);
            }
            Action::Open => match self.pane {
                Pane::Elements => self.pane = Pane::Candidates,
                Pane::Candidates => self.accept(&here, cx, false),
                Pane::Threats => self.edit_threat(&here, cx),
            },
            Action::Edit => self.edit_threat(&here, cx),
            Action::Add => {
                let author = self.author(cx.session());
                let form = threat_form(cx.session(), None, author, element, category);
                cx.open_form(
                    form,
                    Purpose::keepable(Ask::Threat {
                        id: None,
                        element,
                        category,
                    }),
                );
            }
            Action::Capture => {
                let mut input = TextArea::default();
                input.set_placeholder_text("a threat title, then Enter");
                self.capture = Some(input);
                let name = describe_cell(cx.session(), element, category);
                cx.info(format!(
                    "Capturing on {name}: Enter adds each title, Esc stops"
                ));
            }
            Action::Delete => {
                if let Some(id) = self.selected_threat(&here)
                    && list::delete(cx, id)
                {
                    self.threat = self.threat.saturating_sub(1);
                }
            }
            Action::Move => {
                if let Some(id) = self.selected_threat(&here) {
                    let walk = self.walk(cx.session(), cx.catalogs, cx.changes());
                    let form = move_form(&walk, cx.catalogs, id, element, category);
                    drop(walk);
                    cx.open_form(form, Purpose::new(Ask::Move { id }));
                }
            }
            Action::NotApplicable => {
                let form = not_applicable_form(cx.session(), element, category);
                cx.open_form(
                    form,
                    Purpose::keepable(Ask::NotApplicable { element, category }),
                );
            }
            Action::Looked => {
                let name = describe_cell(cx.session(), element, category);
                let cell = here.entry.cell(category);
                if cell == Cell::Visited {
                    cx.edit(format!("{name} not looked at"), |s| {
                        walk::unmark(s, element, category);
                    });
                    cx.info(format!("{name}: mark cleared"));
                } else {
                    cx.edit(format!("{name} looked at"), |s| {
                        walk::unmark(s, element, category);
                        walk::visit(s, element, category);
                    });
                    cx.info(format!("{name}: looked at, no threat; n goes on"));
                }
            }
            Action::NextCell => self.next_cell(&here, cx),
            Action::Matrix => {
                self.mode = Mode::Matrix;
                self.cell = (here.row, category_index(category));
            }
            Action::ThreatList => self.mode = Mode::Threats,
            Action::Triage => {
                self.mode = Mode::Triage;
                self.triage = 0;
            }
            Action::Filter => {
                self.filter.start();
                self.pane = Pane::Elements;
            }
            Action::Cancel => self.filter.clear(),
            _ => {}
        }
    }

    /// Takes the highlighted candidate as a threat; with `edit`, opens it.
    pub(super) fn accept(&mut self, here: &Here, cx: &mut Ctx, edit: bool) {
        let Some(candidate) = here.candidates.get(self.candidate) else {
            return;
        };
        let element = here.entry.id;
        let reference = candidate.reference.clone();
        self.accept_candidate(element, &reference, cx, edit);
        // On to the next candidate nobody has taken.
        let next = here
            .candidates
            .iter()
            .enumerate()
            .skip(self.candidate + 1)
            .find(|(_, c)| walk::taken(cx.session(), element, &c.reference).is_none())
            .map(|(i, _)| i);
        if let Some(next) = next {
            self.candidate = next;
        }
    }

    /// Accepts catalog threat `reference` on `element`. Returns its id.
    pub(super) fn accept_candidate(
        &mut self,
        element: Id,
        reference: &str,
        cx: &mut Ctx,
        edit: bool,
    ) -> Option<Id> {
        let catalogs: &Catalogs = cx.catalogs;
        let candidate = walk::candidate(catalogs, reference)?;
        let author = self.author(cx.session());
        let now = cx.now;
        let result = cx.edit(format!("accept {reference}"), |s| {
            walk::accept(s, element, candidate, author, now)
        })?;
        match result {
            Ok(id) => {
                let mitigations = cx
                    .session()
                    .mitigations
                    .iter()
                    .filter(|m| m.threats.contains(&id))
                    .count();
                self.focus_threat(cx.session(), id);
                cx.success(format!(
                    "Accepted as {id} with {}; e edits it, u undoes",
                    plural(mitigations, "mitigation", "mitigations")
                ));
                if edit && let Some(threat) = cx.session().threat(id) {
                    let form = threat_form(
                        cx.session(),
                        Some(threat),
                        threat.author,
                        element,
                        threat.category,
                    );
                    let category = threat.category;
                    cx.open_form(
                        form,
                        Purpose::keepable(Ask::Threat {
                            id: Some(id),
                            element,
                            category,
                        }),
                    );
                }
                Some(id)
            }
            Err(e) => {
                cx.warn(e.to_string());
                None
            }
        }
    }

    /// Puts the threats-here cursor on `id`, keeping the walk's cell.
    pub(super) fn focus_threat(&mut self, session: &Session, id: Id) {
        if let Some(t) = session.threat(id) {
            let here: Vec<Id> = session
                .threats
                .iter()
                .filter(|x| x.target == t.target && x.category == t.category)
                .map(|x| x.id)
                .collect();
            self.threat = here.iter().position(|x| *x == id).unwrap_or(0);
        }
    }

    pub(super) fn edit_threat(&mut self, here: &Here, cx: &mut Ctx) {
        let Some(id) = self.selected_threat(here) else {
            return;
        };
        let Some(threat) = cx.session().threat(id) else {
            return;
        };
        let form = threat_form(
            cx.session(),
            Some(threat),
            threat.author,
            here.entry.id,
            here.category,
        );
        cx.open_form(
            form,
            Purpose::keepable(Ask::Threat {
                id: Some(id),
                element: here.entry.id,
                category: here.category,
            }),
        );
    }

    pub(super) fn save_threat(
        &mut self,
        id: Option<Id>,
        element: Id,
        category: Category,
        form: &Form,
        cx: &mut Ctx,
    ) -> Result<(), String> {
        let title = form.text("title");
        let author = form.key("author").and_then(|k| k.parse::<Id>().ok());
        let notes = form.text("notes");
        let statement = Statement {
            source: form.text("source"),
            prerequisites: form.text("prerequisites"),
            action: form.text("action"),
            impact: form.text("impact"),
            assets: form
                .keys("assets")
                .iter()
                .filter_map(|k| k.parse().ok())
                .collect(),
            goals: Vec::new(),
        };
        let now = cx.now;
        let what = if id.is_some() {
            "edit threat"
        } else {
            "add threat"
        };
        let saved = cx.edit(format!("{what} {}", one_line(&title)), |s| {
            let id = match id {
                Some(id) => id,
                None => walk::add_threat(s, element, category, &title, author, now)
                    .map_err(|e| e.to_string())?,
            };
            if let Some(t) = s.threat_mut(id) {
                t.title = title.clone();
                t.author = author;
                t.notes = notes;
                // The form does not show the goals: they stay as they were.
                let goals = std::mem::take(&mut t.statement.goals);
                t.statement = Statement { goals, ..statement };
            }
            Ok::<Id, String>(id)
        });
        match saved {
            Some(Ok(saved)) => {
                self.last_author = author;
                if id.is_none() {
                    self.focus(element, category);
                }
                self.focus_threat(cx.session(), saved);
                let verb = if id.is_some() { "Saved" } else { "Added" };
                cx.success(format!("{verb} {saved}: {}", one_line(&title)));
                Ok(())
            }
            Some(Err(e)) => Err(e),
            None => Ok(()),
        }
    }

    /// Marks this cell looked at (if nobody had) and goes to the next one
    /// nobody has dealt with.
    pub(super) fn next_cell(&mut self, here: &Here, cx: &mut Ctx) {
        let (element, category) = (here.entry.id, here.category);
        if here.entry.cell(category) == Cell::Todo && cx.read_only().is_none() {
            let name = describe_cell(cx.session(), element, category);
            cx.edit(format!("{name} looked at"), |s| {
                walk::visit(s, element, category)
            });
        }
        let walk = self.walk(cx.session(), cx.catalogs, cx.changes());
        let next = walk.next_todo(here.row, category_index(category));
        let (done, total) = walk.progress();
        let target = next.and_then(|(r, c)| walk.entries.get(r).map(|e| (e.id, Category::ALL[c])));
        drop(walk);
        match target {
            Some((id, cat)) => {
                self.focus(id, cat);
                self.pane = Pane::Candidates;
                let left = total - done;
                let name = describe_cell(cx.session(), id, cat);
                cx.info(format!("{name} ({} left)", plural(left, "cell", "cells")));
            }
            None => cx.success("Every cell is covered: ] moves on to the vote"),
        }
    }

    pub(super) fn capture_update(&mut self, action: Action, cx: &mut Ctx) {
        match action {
            Action::Cancel => {
                self.capture = None;
                cx.info("Capture stopped");
            }
            Action::Input(key) => {
                if let Some(input) = self.capture.as_mut() {
                    input.input(key);
                }
            }
            Action::Paste(text) => {
                // A pasted list: every line but the last is a title of its
                // own; the last stays to be finished.
                let text = text.replace("\r\n", "\n").replace('\r', "\n");
                let mut lines: Vec<&str> = text.split('\n').collect();
                let last = lines.pop().unwrap_or_default();
                if let Some((first, rest)) = lines.split_first() {
                    // The first line finishes what was typed before it.
                    if let Some(input) = self.capture.as_mut() {
                        input.insert_str(*first);
                    }
                    let typed = self
                        .capture
                        .as_ref()
                        .map(|i| i.lines().join(" "))
                        .unwrap_or_default();
                    let mut titles = vec![typed.as_str()];
                    titles.extend(rest.iter().copied());
                    self.capture_titles(&titles, cx);
                }
                if let Some(input) = self.capture.as_mut() {
                    input.insert_str(last);
                }
            }
            Action::Submit => self.capture_title(cx),
            _ => {}
        }
    }

    /// Adds a pasted list of titles as threats here, in one edit (one undo
    /// step) however long the list, and clears the input.
    fn capture_titles(&mut self, titles: &[&str], cx: &mut Ctx) {
        let titles: Vec<&str> = titles
            .iter()
            .map(|t| t.trim())
            .filter(|t| !t.is_empty())
            .collect();
        let Some(here) = self.here_in(cx) else {
            return;
        };
        let (element, category) = (here.entry.id, here.category);
        let author = self.author(cx.session());
        let now = cx.now;
        let what = format!("capture {}", plural(titles.len(), "threat", "threats"));
        let added = cx.edit(what, |s| {
            walk::add_threats(s, element, category, &titles, author, now)
        });
        let mut input = TextArea::default();
        input.set_placeholder_text("the next title, or Esc");
        self.capture = Some(input);
        match added {
            Some(Ok(ids)) => {
                if let Some(last) = ids.last() {
                    self.focus_threat(cx.session(), *last);
                }
                let span = match (ids.first(), ids.last()) {
                    (Some(a), Some(b)) if a != b => format!("{a} to {b}"),
                    (Some(a), _) => a.to_string(),
                    _ => String::new(),
                };
                cx.success(format!(
                    "Added {} ({span}); u undoes them at once; the next title, or Esc",
                    plural(ids.len(), "threat", "threats")
                ));
            }
            Some(Err(e)) => cx.warn(e.to_string()),
            None => self.capture = None,
        }
    }

    /// Adds the title being captured as a threat and clears the input.
    pub(super) fn capture_title(&mut self, cx: &mut Ctx) {
        let Some(title) = self.capture.as_ref().map(|i| i.lines().join(" ")) else {
            return;
        };
        let title = title.trim().to_string();
        if title.is_empty() {
            return;
        }
        let Some(here) = self.here_in(cx) else {
            return;
        };
        let (element, category) = (here.entry.id, here.category);
        let author = self.author(cx.session());
        let now = cx.now;
        let added = cx.edit(format!("capture {}", one_line(&title)), |s| {
            walk::add_threat(s, element, category, &title, author, now)
        });
        match added {
            Some(Ok(id)) => {
                self.capture = Some({
                    let mut input = TextArea::default();
                    input.set_placeholder_text("the next title, or Esc");
                    input
                });
                self.focus_threat(cx.session(), id);
                cx.success(format!(
                    "Added {id}: {}; the next title, or Esc",
                    one_line(&title)
                ));
            }
            Some(Err(e)) => cx.warn(e.to_string()),
            None => self.capture = None,
        }
    }
}

impl BrainstormScreen {
    pub(super) fn draw_walk(&self, frame: &mut Frame, area: Rect, view: &View) {
        let s = view.styles;
        // Wide screens give the room to the cell and its detail.
        let left_width = if area.width >= 110 {
            32
        } else {
            (area.width / 3).clamp(24, 40)
        };
        let [left, right] =
            Layout::horizontal([Constraint::Length(left_width), Constraint::Min(30)]).areas(area);
        self.draw_elements(frame, left, view);
        let Some(here) = self.here_of(view) else {
            frame.render_widget(
                Paragraph::new(vec![
                    Line::from("Nothing to walk yet."),
                    Line::from(""),
                    Line::from(Span::styled(
                        "The walk goes through every actor, component and data flow of the scope: P then 2 goes to Scope.",
                        s.muted,
                    )),
                ])
                .wrap(Wrap { trim: true })
                .block(boxed(s, " What can go wrong? ".to_string(), true))
                .style(s.base),
                right,
            );
            return;
        };
        let capture_height = if self.capture.is_some() { 3 } else { 0 };
        let [context, categories, body, capture] = Layout::vertical([
            Constraint::Length(4),
            Constraint::Length(1),
            Constraint::Min(4),
            Constraint::Length(capture_height),
        ])
        .areas(right);
        self.draw_context(frame, context, view, &here);
        self.draw_categories(frame, categories, view, &here);
        // Wide screens show the highlighted candidate (or the selected
        // threat) in full beside the lists.
        if body.width >= 84 {
            let [cell, detail] =
                Layout::horizontal([Constraint::Fill(3), Constraint::Fill(2)]).areas(body);
            self.draw_cell(frame, cell, view, &here);
            self.draw_detail(frame, detail, view, &here);
        } else {
            self.draw_cell(frame, body, view, &here);
        }
        if let Some(input) = &self.capture {
            let block = boxed(
                s,
                format!(
                    " Capture on {} (Enter adds, Esc stops) ",
                    describe_cell(view.session, here.entry.id, here.category)
                ),
                true,
            );
            let inner = block.inner(capture);
            frame.render_widget(block, capture);
            let mut input = input.clone();
            input.set_style(s.base);
            input.set_cursor_line_style(Style::default());
            frame.render_widget(&input, inner);
        }
    }

    /// The highlighted candidate in full (what it is, who, the mitigations
    /// that come with it), or the selected threat when the threats have
    /// the focus.
    pub(super) fn draw_detail(&self, frame: &mut Frame, area: Rect, view: &View, here: &Here) {
        let s = view.styles;
        let width = usize::from(area.width.saturating_sub(2));
        let mut lines: Vec<Line> = Vec::new();
        let paragraph = |lines: &mut Vec<Line>, text: &str, style: Style| {
            for part in wrap(&one_line(text), width) {
                lines.push(Line::from(Span::styled(part, style)));
            }
        };
        let title = if self.pane == Pane::Threats {
            let threat = self
                .selected_threat(here)
                .and_then(|id| view.session.threat(id));
            match threat {
                Some(t) => {
                    paragraph(&mut lines, &t.title, s.base.add_modifier(Modifier::BOLD));
                    if !t.statement.is_empty() {
                        lines.push(Line::from(""));
                        let sentence =
                            walk::sentence(&t.statement, &t.title, |a| view.session.name(a));
                        paragraph(&mut lines, &sentence, s.accent);
                    }
                    if !t.notes.trim().is_empty() {
                        lines.push(Line::from(""));
                        paragraph(&mut lines, &t.notes, s.base);
                    }
                    let mitigations: Vec<_> = view.session.mitigations_of(t.id).collect();
                    if !mitigations.is_empty() {
                        lines.push(Line::from(""));
                        for m in mitigations {
                            paragraph(&mut lines, &format!("• {}", m.text), s.muted);
                        }
                    }
                    format!(" {} ", t.id)
                }
                None => " Threat ".to_string(),
            }
        } else {
            match here.candidates.get(self.candidate) {
                Some(c) => {
                    paragraph(&mut lines, &c.title, s.base.add_modifier(Modifier::BOLD));
                    if !c.description.trim().is_empty() {
                        lines.push(Line::from(""));
                        paragraph(&mut lines, &c.description, s.base);
                    }
                    if !c.mitigations.is_empty() {
                        lines.push(Line::from(""));
                        for m in &c.mitigations {
                            paragraph(&mut lines, &format!("• {}: {}", m.control, m.text), s.muted);
                        }
                    }
                    " Candidate ".to_string()
                }
                None => " Candidate ".to_string(),
            }
        };
        frame.render_widget(
            Paragraph::new(lines)
                .style(s.base)
                .block(boxed(s, title, false)),
            area,
        );
    }

    pub(super) fn draw_elements(&self, frame: &mut Frame, area: Rect, view: &View) {
        let s = view.styles;
        let walk = self.walk(view.session, view.catalogs, view.changes);
        let shown = self.shown(&walk, view.catalogs);
        let focused_row = walk.position(self.element);
        let mut title = vec![Span::styled(" Walk ", s.title)];
        if self.filter.is_typing() || self.filter.is_active() {
            let caret = if self.filter.is_typing() { "▏" } else { "" };
            title.push(Span::styled(
                format!("/{}{caret} ", one_line(self.filter.text())),
                s.accent,
            ));
        }
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(if self.pane == Pane::Elements {
                s.border_focus
            } else {
                s.border
            })
            .title(Line::from(title));
        // Rows: a heading where the group changes, then the elements. Only
        // the rows in view are written out, so a frame costs the same for
        // ten elements or thousands.
        #[derive(Clone, Copy, PartialEq)]
        enum Group {
            Outside,
            Boundary(Id),
            Flows,
        }
        let group_of = |e: &Entry| match (e.id.kind, e.boundary) {
            (crate::core::ids::IdKind::Flow, _) => Group::Flows,
            (_, Some(b)) => Group::Boundary(b),
            _ => Group::Outside,
        };
        let mut rows: Vec<Result<usize, Group>> = Vec::with_capacity(shown.len() + 8);
        let mut group = None;
        for &r in &shown {
            let Some(e) = walk.entries.get(r) else {
                continue;
            };
            let g = group_of(e);
            if group != Some(g) {
                rows.push(Err(g));
                group = Some(g);
            }
            rows.push(Ok(r));
        }
        let selected = rows
            .iter()
            .position(|r| r.ok().is_some() && r.ok() == focused_row);
        let height = usize::from(block.inner(area).height);
        let window = list::window(rows.len(), selected.unwrap_or(0), height);
        let selected_in_window = selected.map(|i| i.saturating_sub(window.start));
        let inner_width = usize::from(area.width.saturating_sub(3));
        let items: Vec<ListItem> = rows[window]
            .iter()
            .map(|row| match *row {
                Err(g) => {
                    let heading = match g {
                        Group::Flows => "Data flows",
                        Group::Boundary(b) => view.session.name(b).unwrap_or("Boundary"),
                        Group::Outside => "Outside every boundary",
                    };
                    ListItem::new(Line::from(Span::styled(
                        fit(&one_line(heading), inner_width).into_owned(),
                        s.muted.add_modifier(Modifier::BOLD),
                    )))
                }
                Ok(r) => {
                    let Some(e) = walk.entries.get(r) else {
                        return ListItem::new("");
                    };
                    let applicable = e.cells.iter().filter(|c| **c != Cell::Inapplicable);
                    let total = applicable.clone().count();
                    let done = applicable.filter(|c| c.is_done()).count();
                    let count = format!("{done}/{total}");
                    let marker = if e.crosses { "⇄ " } else { "" };
                    let name = format!("{marker}{} {}", e.id, one_line(&e.name));
                    let room = inner_width.saturating_sub(count.len() + 2);
                    let name = fit(&name, room).into_owned();
                    let gap = inner_width
                        .saturating_sub(crate::core::text::width(&name) + count.len() + 1);
                    let count_style = if done == total { s.success } else { s.muted };
                    ListItem::new(Line::from(vec![
                        Span::raw(format!(" {name}")),
                        Span::raw(" ".repeat(gap)),
                        Span::styled(count, count_style),
                    ]))
                }
            })
            .collect();
        let highlight = if self.pane == Pane::Elements {
            s.selection()
        } else {
            s.base.add_modifier(Modifier::BOLD)
        };
        let list = List::new(items)
            .block(block)
            .highlight_style(highlight)
            .highlight_symbol("›")
            .style(s.base);
        frame.render_stateful_widget(
            list,
            area,
            &mut ListState::default().with_selected(selected_in_window),
        );
    }

    /// The element as the room needs it without a diagram: its kind, its
    /// boundary, and what flows in and out.
    pub(super) fn draw_context(&self, frame: &mut Frame, area: Rect, view: &View, here: &Here) {
        let s = view.styles;
        let session = view.session;
        let id = here.entry.id;
        let kind = here
            .entry
            .kinds
            .first()
            .map(|k| view.catalogs.kind(k).map_or(k.clone(), |k| k.name.clone()))
            .unwrap_or_default();
        let mut about = vec![kind];
        match here.entry.boundary {
            Some(b) => about.push(format!("in {}", session.name(b).unwrap_or("?"))),
            None if id.kind == crate::core::ids::IdKind::Flow => {}
            None => about.push("outside every boundary".to_string()),
        }
        if here.entry.crosses {
            about.push("crosses a trust boundary".to_string());
        }
        let title = format!(
            " {} ({}) · {} ",
            one_line(&here.entry.name),
            id,
            about.join(" · ")
        );
        let room = usize::from(area.width.saturating_sub(4));
        let flow_line = |f: &crate::core::model::Flow, arrow: &str, other: Id| -> String {
            let mut text = format!("{arrow} {} {}", f.id, session.name(other).unwrap_or("?"));
            if !f.protocol.is_empty() {
                text.push_str(&format!(" ({})", f.protocol));
            }
            if !f.assets.is_empty() {
                let names: Vec<&str> = f.assets.iter().filter_map(|a| session.name(*a)).collect();
                text.push_str(&format!(": {}", names.join(", ")));
            }
            text
        };
        let lines: Vec<String> = if id.kind == crate::core::ids::IdKind::Flow {
            match session.flows.iter().find(|f| f.id == id) {
                Some(f) => {
                    let mut first =
                        format!("{} → {}", session.describe(f.from), session.describe(f.to));
                    if !f.protocol.is_empty() {
                        first.push_str(&format!(" over {}", f.protocol));
                    }
                    let names: Vec<&str> =
                        f.assets.iter().filter_map(|a| session.name(*a)).collect();
                    let second = if names.is_empty() {
                        "carries no listed asset".to_string()
                    } else {
                        format!("carries {}", names.join(", "))
                    };
                    vec![first, second]
                }
                None => Vec::new(),
            }
        } else {
            // Only as much as fits the strip's width is written out: an
            // element with hundreds of flows costs no more than one.
            let line = |arrow: &str, ends: &dyn Fn(&crate::core::model::Flow) -> Option<Id>| {
                let mut text = String::new();
                for (f, other) in session.flows.iter().filter_map(|f| Some((f, ends(f)?))) {
                    if crate::core::text::width(&text) > room {
                        break;
                    }
                    if !text.is_empty() {
                        text.push_str("; ");
                    }
                    text.push_str(&flow_line(f, arrow, other));
                }
                text
            };
            let ins = line("←", &|f| (f.to == id).then_some(f.from));
            let outs = line("→", &|f| (f.from == id).then_some(f.to));
            let join = |v: String, none: &str| {
                if v.is_empty() { none.to_string() } else { v }
            };
            vec![
                join(ins, "← nothing flows in"),
                join(outs, "→ nothing flows out"),
            ]
        };
        let text: Vec<Line> = lines
            .iter()
            .map(|l| Line::from(fit(&one_line(l), room).into_owned()))
            .collect();
        frame.render_widget(
            Paragraph::new(text).style(s.base).block(boxed(
                s,
                fit(&title, usize::from(area.width.saturating_sub(2))).into_owned(),
                false,
            )),
            area,
        );
    }

    pub(super) fn draw_categories(&self, frame: &mut Frame, area: Rect, view: &View, here: &Here) {
        let s = view.styles;
        let mut spans = vec![Span::raw(" ")];
        let walkable = here.entry.categories();
        for category in Category::ALL {
            let cell = here.entry.cell(category);
            let current = category == here.category;
            let label = if current {
                format!("{} {}", symbol(cell), category.name())
            } else {
                format!("{} {}", symbol(cell), category.letter())
            };
            let style = if current {
                s.stride(category)
                    .add_modifier(Modifier::BOLD | Modifier::REVERSED)
            } else if walkable.contains(&category) {
                s.stride(category)
            } else {
                s.muted
            };
            spans.push(Span::styled(format!(" {label} "), style));
            spans.push(Span::raw(" "));
        }
        frame.render_widget(Paragraph::new(Line::from(spans)).style(s.base), area);
    }

    pub(super) fn draw_cell(&self, frame: &mut Frame, area: Rect, view: &View, here: &Here) {
        let s = view.styles;
        let session = view.session;
        let inner_width = usize::from(area.width.saturating_sub(4));
        // The questions, large: bold, each wrapped, a blank line between.
        let mut prompt_lines: Vec<Line> = Vec::new();
        for (i, p) in here.prompts.iter().enumerate() {
            if i > 0 && area.height > 16 {
                prompt_lines.push(Line::from(""));
            }
            for (j, part) in wrap(&one_line(p), inner_width.saturating_sub(2))
                .into_iter()
                .enumerate()
            {
                let lead = if j == 0 { "? " } else { "  " };
                prompt_lines.push(Line::from(Span::styled(
                    format!("{lead}{part}"),
                    s.base.add_modifier(Modifier::BOLD),
                )));
            }
        }
        if prompt_lines.is_empty() {
            prompt_lines.push(Line::from(Span::styled(
                "The catalog asks nothing here: what could go wrong?",
                s.muted,
            )));
        }
        // The questions get up to half the room; the candidates and the
        // threats here keep at least a row each.
        let prompts_height = u16::try_from(prompt_lines.len())
            .unwrap_or(u16::MAX)
            .saturating_add(2)
            .min(area.height / 2)
            .min(area.height.saturating_sub(6))
            .max(3);
        let [prompts_area, candidates_area, threats_area] = Layout::vertical([
            Constraint::Length(prompts_height),
            Constraint::Min(3),
            Constraint::Min(3),
        ])
        .areas(area);
        let cell = here.entry.cell(here.category);
        let state = match cell {
            Cell::Todo => "not yet looked at".to_string(),
            Cell::Visited => "looked at, no threat".to_string(),
            Cell::NotApplicable => {
                let reason = session
                    .coverage
                    .iter()
                    .find(|m| m.element == here.entry.id && m.category == here.category)
                    .map(|m| m.reason.clone())
                    .unwrap_or_default();
                format!("not applicable: {}", one_line(&reason))
            }
            Cell::Threats(n) => plural(n, "threat", "threats"),
            Cell::Inapplicable => "rarely applies to this kind".to_string(),
        };
        let title = format!(" {} — {} ", here.category.name(), state);
        frame.render_widget(
            Paragraph::new(prompt_lines).style(s.base).block(boxed(
                s,
                fit(&title, usize::from(area.width.saturating_sub(2))).into_owned(),
                false,
            )),
            prompts_area,
        );

        // Candidates: taken ones marked, dismissed ones greyed with why.
        let rows: Vec<ListItem> = here
            .candidates
            .iter()
            .zip(&here.taken)
            .map(|(c, taken)| {
                let taken = *taken;
                let dismissed = walk::dismissal(session, here.entry.id, &c.reference);
                let (mark, style, extra) = match (taken, dismissed) {
                    (Some(t), _) => (format!("✓ {t} "), s.muted, String::new()),
                    (None, Some(d)) if !d.reason.is_empty() => (
                        "✗ ".to_string(),
                        s.muted,
                        format!(" (dismissed: {})", d.reason),
                    ),
                    (None, Some(_)) => ("✗ ".to_string(), s.muted, " (dismissed)".to_string()),
                    (None, None) => (
                        "○ ".to_string(),
                        s.base,
                        format!(
                            "  · {}",
                            plural(c.mitigations.len(), "mitigation", "mitigations")
                        ),
                    ),
                };
                let text = format!("{mark}{}{extra}", one_line(&c.title));
                ListItem::new(Line::from(Span::styled(
                    fit(&text, inner_width).into_owned(),
                    style,
                )))
            })
            .collect();
        let candidates_title = format!(" Candidates from the catalog ({}) ", here.candidates.len());
        let focused = self.pane == Pane::Candidates;
        let highlight = if focused {
            s.selection()
        } else {
            s.base.add_modifier(Modifier::BOLD)
        };
        if rows.is_empty() {
            frame.render_widget(
                Paragraph::new(Span::styled(
                    "None for this category: a adds your own.",
                    s.muted,
                ))
                .block(boxed(s, candidates_title, focused)),
                candidates_area,
            );
        } else {
            let selected = self.candidate.min(rows.len() - 1);
            let height = usize::from(candidates_area.height.saturating_sub(2));
            let window = list::window(rows.len(), selected, height);
            let start = window.start;
            let rows: Vec<ListItem> = rows.into_iter().skip(start).take(window.len()).collect();
            frame.render_stateful_widget(
                List::new(rows)
                    .block(boxed(s, candidates_title, focused))
                    .highlight_style(highlight)
                    .highlight_symbol(MARKER)
                    .style(s.base),
                candidates_area,
                &mut ListState::default().with_selected(Some(selected - start)),
            );
        }

        // The threats on this cell.
        let focused = self.pane == Pane::Threats;
        let title = format!(" Threats here ({}) ", here.threats.len());
        if here.threats.is_empty() {
            frame.render_widget(
                Paragraph::new(Span::styled(
                    "None yet: Enter takes a candidate, a writes one, c captures several.",
                    s.muted,
                ))
                .wrap(Wrap { trim: true })
                .block(boxed(s, title, focused)),
                threats_area,
            );
            return;
        }
        let selected = self.threat.min(here.threats.len() - 1);
        let height = usize::from(threats_area.height.saturating_sub(2));
        let window = list::window(here.threats.len(), selected, height);
        let items: Vec<ListItem> = here.threats[window.clone()]
            .iter()
            .filter_map(|id| session.threat(*id))
            .map(|t| {
                let author = t
                    .author
                    .and_then(|a| session.name(a))
                    .map(|a| format!("  ({})", one_line(a)))
                    .unwrap_or_default();
                let text = format!("{} {}{author}", t.id, one_line(&t.title));
                ListItem::new(fit(&text, inner_width).into_owned())
            })
            .collect();
        let highlight = if focused {
            s.selection()
        } else {
            s.base.add_modifier(Modifier::BOLD)
        };
        frame.render_stateful_widget(
            List::new(items)
                .block(boxed(s, title, focused))
                .highlight_style(highlight)
                .highlight_symbol(MARKER)
                .style(s.base),
            threats_area,
            &mut ListState::default().with_selected(Some(selected - window.start)),
        );
    }
}
