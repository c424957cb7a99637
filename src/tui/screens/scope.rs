//! Phase 2, Scope: "What are we working on?" Assets, actors, entry points,
//! trust boundaries, components, data flows and assumptions, with a check
//! of the minimum useful scope that warns and never blocks.

use std::collections::HashSet;
use std::ops::Range;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table, TableState, Wrap};

use super::pane_list;
use crate::core::catalog::Catalogs;
use crate::core::edit;
use crate::core::ids::{Id, IdKind};
use crate::core::model::{
    Actor, Asset, Assumption, Boundary, Classification, Component, EntryPoint, Flow, Session,
};
use crate::core::text::one_line;
use crate::core::time::Timestamp;
use crate::core::validate::scope_gaps;
use crate::tui::action::Action;
use crate::tui::app::{self, App, Purpose, Screen, SessionState};
use crate::tui::form::{Choice, Field, Form};
use crate::tui::picker::PickItem;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    Assets,
    Actors,
    EntryPoints,
    Boundaries,
    Components,
    Flows,
    Assumptions,
}

impl Pane {
    pub const ALL: [Pane; 7] = [
        Pane::Assets,
        Pane::Actors,
        Pane::EntryPoints,
        Pane::Boundaries,
        Pane::Components,
        Pane::Flows,
        Pane::Assumptions,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Pane::Assets => "Assets",
            Pane::Actors => "Actors",
            Pane::EntryPoints => "Entry points",
            Pane::Boundaries => "Boundaries",
            Pane::Components => "Components",
            Pane::Flows => "Data flows",
            Pane::Assumptions => "Assumptions",
        }
    }

    fn noun(self) -> &'static str {
        match self {
            Pane::Assets => "asset",
            Pane::Actors => "actor",
            Pane::EntryPoints => "entry point",
            Pane::Boundaries => "trust boundary",
            Pane::Components => "component",
            Pane::Flows => "data flow",
            Pane::Assumptions => "assumption",
        }
    }

    fn index(self) -> usize {
        Pane::ALL.iter().position(|p| *p == self).unwrap_or(0)
    }

    fn ids(self, s: &Session) -> Vec<Id> {
        match self {
            Pane::Assets => s.assets.iter().map(|x| x.id).collect(),
            Pane::Actors => s.actors.iter().map(|x| x.id).collect(),
            Pane::EntryPoints => s.entry_points.iter().map(|x| x.id).collect(),
            Pane::Boundaries => s.boundaries.iter().map(|x| x.id).collect(),
            Pane::Components => s.components.iter().map(|x| x.id).collect(),
            Pane::Flows => s.flows.iter().map(|x| x.id).collect(),
            Pane::Assumptions => s.assumptions.iter().map(|x| x.id).collect(),
        }
    }

    fn len(self, s: &Session) -> usize {
        match self {
            Pane::Assets => s.assets.len(),
            Pane::Actors => s.actors.len(),
            Pane::EntryPoints => s.entry_points.len(),
            Pane::Boundaries => s.boundaries.len(),
            Pane::Components => s.components.len(),
            Pane::Flows => s.flows.len(),
            Pane::Assumptions => s.assumptions.len(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct ScopeState {
    pub pane: Pane,
    pub cursor: [usize; 7],
}

impl Default for ScopeState {
    fn default() -> Self {
        ScopeState {
            pane: Pane::Components,
            cursor: [0; 7],
        }
    }
}

impl ScopeState {
    pub fn clamp(&mut self, s: &Session) {
        for p in Pane::ALL {
            let c = &mut self.cursor[p.index()];
            *c = (*c).min(p.len(s).saturating_sub(1));
        }
    }

    fn selected(&self, s: &Session) -> Option<Id> {
        let i = self.cursor[self.pane.index()];
        match self.pane {
            Pane::Assets => s.assets.get(i).map(|x| x.id),
            Pane::Actors => s.actors.get(i).map(|x| x.id),
            Pane::EntryPoints => s.entry_points.get(i).map(|x| x.id),
            Pane::Boundaries => s.boundaries.get(i).map(|x| x.id),
            Pane::Components => s.components.get(i).map(|x| x.id),
            Pane::Flows => s.flows.get(i).map(|x| x.id),
            Pane::Assumptions => s.assumptions.get(i).map(|x| x.id),
        }
    }

    /// Puts the cursor on `id` in its pane.
    fn select(&mut self, s: &Session, id: Id) {
        if let Some(pane) = Pane::ALL.into_iter().find(|p| p.ids(s).contains(&id)) {
            self.pane = pane;
            if let Some(pos) = pane.ids(s).iter().position(|x| *x == id) {
                self.cursor[pane.index()] = pos;
            }
        }
    }
}

/// What a Scope form edits: the pane and, for an edit, the item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    pub pane: Pane,
    pub id: Option<Id>,
}

pub fn update(app: &mut App, action: Action) {
    let page = app::page_rows(app);
    let Screen::Session(state) = &mut app.screen else {
        return;
    };
    let scope = &mut state.scope;
    let s = &state.session;
    match action {
        Action::NextPane | Action::PrevPane => {
            scope.pane = Pane::ALL[app::cycle_pane(scope.pane.index(), Pane::ALL.len(), &action)];
        }
        Action::Up
        | Action::Down
        | Action::PageUp
        | Action::PageDown
        | Action::Top
        | Action::Bottom => {
            let len = scope.pane.len(s);
            app::move_cursor(&mut scope.cursor[scope.pane.index()], len, &action, page);
        }
        Action::Add => {
            let pane = scope.pane;
            if pane == Pane::Flows && s.actors.len() + s.components.len() < 2 {
                app.warn("A flow needs two ends: add actors or components first");
                return;
            }
            let form = form_for(pane, None, s, &app.catalogs);
            app::open_form(app, form, Purpose::Scope(Edit { pane, id: None }));
        }
        Action::Open | Action::Edit => {
            let pane = scope.pane;
            match scope.selected(s) {
                Some(id) => {
                    let form = form_for(pane, Some(id), s, &app.catalogs);
                    app::open_form(app, form, Purpose::Scope(Edit { pane, id: Some(id) }));
                }
                None => app.info(format!("No {} yet: a adds one", pane.noun())),
            }
        }
        Action::Delete => {
            let Some(id) = scope.selected(s) else {
                return;
            };
            let label = crate::core::index::SessionIndex::new(s).describe(id);
            let label = one_line(&label).into_owned();
            let removed = app::edit(app, format!("delete {label}"), |s| edit::delete(s, id));
            if let Some(Some(removed)) = removed {
                if let Screen::Session(state) = &mut app.screen {
                    state.scope.clamp(&state.session);
                }
                let extra = removed.describe();
                let extra = if extra.is_empty() {
                    String::new()
                } else {
                    format!(" {extra};")
                };
                app.info(format!("Deleted {label}{extra} u undoes"));
            }
        }
        _ => {}
    }
}

fn classification_choices() -> Vec<Choice> {
    Classification::ALL
        .map(|c| Choice::new(c.key(), c.key()))
        .to_vec()
}

/// Actors and components, the ends a flow can have.
fn endpoints(s: &Session, catalogs: &Catalogs) -> Vec<PickItem> {
    let actors = s
        .actors
        .iter()
        .map(|a| PickItem::new(a.id.to_string(), format!("{} ({})", a.name, a.id), "actor"));
    let components = s.components.iter().map(|c| {
        let kind = catalogs
            .kind(&c.kind)
            .map_or(c.kind.as_str(), |k| k.name.as_str());
        PickItem::new(c.id.to_string(), format!("{} ({})", c.name, c.id), kind)
    });
    actors.chain(components).collect()
}

fn kind_items(catalogs: &Catalogs) -> Vec<PickItem> {
    catalogs
        .component_kinds()
        .map(|k| {
            PickItem::new(k.id.clone(), k.name.clone(), k.id.clone()).with_keywords(&k.keywords)
        })
        .collect()
}

/// Boundaries that can contain `id` (not itself, nor any inside it).
fn boundary_items(s: &Session, except: Option<Id>) -> Vec<PickItem> {
    let mut inside: HashSet<Id> = except.into_iter().collect();
    // Grow the set of descendants until it stops changing.
    loop {
        let before = inside.len();
        for b in &s.boundaries {
            if b.parent.is_some_and(|p| inside.contains(&p)) {
                inside.insert(b.id);
            }
        }
        if inside.len() == before {
            break;
        }
    }
    s.boundaries
        .iter()
        .filter(|b| !inside.contains(&b.id))
        .map(|b| PickItem::new(b.id.to_string(), format!("{} ({})", b.name, b.id), ""))
        .collect()
}

fn form_for(pane: Pane, id: Option<Id>, s: &Session, catalogs: &Catalogs) -> Form {
    let verb = if id.is_some() { "Edit" } else { "Add" };
    let title = match id {
        Some(id) => format!("{verb} {} {id}", pane.noun()),
        None => format!("{verb} {}", pane.noun()),
    };
    let key = |x: Option<Id>| x.map(|i| i.to_string());
    let fields = match pane {
        Pane::Assets => {
            let a = id.and_then(|id| s.assets.iter().find(|x| x.id == id));
            vec![
                Field::line("name", "Name", a.map_or("", |a| &a.name)).required(),
                Field::cycle(
                    "classification",
                    "Classification",
                    classification_choices(),
                    a.map_or("confidential", |a| a.classification.key()),
                ),
                Field::text(
                    "description",
                    "Description",
                    a.map_or("", |a| &a.description),
                ),
            ]
        }
        Pane::Actors => {
            let a = id.and_then(|id| s.actors.iter().find(|x| x.id == id));
            vec![
                Field::line("name", "Name", a.map_or("", |a| &a.name)).required(),
                Field::text(
                    "description",
                    "Description",
                    a.map_or("", |a| &a.description),
                ),
            ]
        }
        Pane::EntryPoints => {
            let e = id.and_then(|id| s.entry_points.iter().find(|x| x.id == id));
            let components = s
                .components
                .iter()
                .map(|c| {
                    PickItem::new(
                        c.id.to_string(),
                        format!("{} ({})", c.name, c.id),
                        c.kind.clone(),
                    )
                })
                .collect();
            vec![
                Field::line("name", "Name", e.map_or("", |e| &e.name)).required(),
                Field::pick(
                    "component",
                    "Component",
                    components,
                    e.and_then(|e| key(e.component)),
                    true,
                ),
                Field::text(
                    "description",
                    "Description",
                    e.map_or("", |e| &e.description),
                ),
            ]
        }
        Pane::Boundaries => {
            let b = id.and_then(|id| s.boundaries.iter().find(|x| x.id == id));
            vec![
                Field::line("name", "Name", b.map_or("", |b| &b.name)).required(),
                Field::pick(
                    "parent",
                    "Inside",
                    boundary_items(s, id),
                    b.and_then(|b| key(b.parent)),
                    true,
                ),
                Field::text(
                    "description",
                    "Description",
                    b.map_or("", |b| &b.description),
                ),
            ]
        }
        Pane::Components => {
            let c = id.and_then(|id| s.components.iter().find(|x| x.id == id));
            vec![
                Field::line("name", "Name", c.map_or("", |c| &c.name)).required(),
                Field::pick(
                    "kind",
                    "Kind",
                    kind_items(catalogs),
                    c.map(|c| c.kind.clone()),
                    false,
                )
                .required(),
                Field::pick(
                    "boundary",
                    "Trust boundary",
                    boundary_items(s, None),
                    c.and_then(|c| key(c.boundary)),
                    true,
                ),
                Field::text(
                    "description",
                    "Description",
                    c.map_or("", |c| &c.description),
                ),
            ]
        }
        Pane::Flows => {
            let f = id.and_then(|id| s.flows.iter().find(|x| x.id == id));
            let assets = s
                .assets
                .iter()
                .map(|a| {
                    PickItem::new(
                        a.id.to_string(),
                        format!("{} ({})", a.name, a.id),
                        a.classification.key(),
                    )
                })
                .collect();
            vec![
                Field::pick(
                    "from",
                    "From",
                    endpoints(s, catalogs),
                    f.map(|f| f.from.to_string()),
                    false,
                )
                .required(),
                Field::pick(
                    "to",
                    "To",
                    endpoints(s, catalogs),
                    f.map(|f| f.to.to_string()),
                    false,
                )
                .required(),
                Field::line("label", "Label", f.map_or("", |f| &f.label)).required(),
                Field::line("protocol", "Protocol", f.map_or("", |f| &f.protocol)),
                Field::pick_many(
                    "assets",
                    "Assets carried",
                    assets,
                    f.map_or(Vec::new(), |f| f.assets.iter().map(Id::to_string).collect()),
                ),
            ]
        }
        Pane::Assumptions => {
            let a = id.and_then(|id| s.assumptions.iter().find(|x| x.id == id));
            vec![Field::text("text", "Assumption", a.map_or("", |a| &a.text)).required()]
        }
    };
    Form::new(title, fields)
}

fn parse_id(text: Option<String>) -> Option<Id> {
    text.and_then(|t| t.parse().ok())
}

pub fn submit(app: &mut App, edit: &Edit, form: &Form, _now: Timestamp) -> Result<(), String> {
    let pane = edit.pane;
    let existing = edit.id;
    if pane == Pane::Flows {
        let from = parse_id(form.key("from"));
        let to = parse_id(form.key("to"));
        if from.is_some() && from == to {
            return Err("a flow needs two different ends".to_string());
        }
    }
    let id_kind = match pane {
        Pane::Assets => IdKind::Asset,
        Pane::Actors => IdKind::Actor,
        Pane::EntryPoints => IdKind::EntryPoint,
        Pane::Boundaries => IdKind::Boundary,
        Pane::Components => IdKind::Component,
        Pane::Flows => IdKind::Flow,
        Pane::Assumptions => IdKind::Assumption,
    };
    let name = match pane {
        Pane::Flows => form.text("label"),
        Pane::Assumptions => form.text("text"),
        _ => form.text("name"),
    };
    let what = format!(
        "{} {}",
        if existing.is_some() { "edit" } else { "add" },
        pane.noun()
    );
    let result = app::edit(app, what, |s| -> Result<Id, String> {
        let id = match existing {
            Some(id) => id,
            None => s
                .next_id(id_kind)
                .ok_or_else(|| format!("no {} ids are left", pane.noun()))?,
        };
        apply(s, pane, id, existing.is_none(), form);
        Ok(id)
    });
    match result {
        Some(Ok(id)) => {
            if let Screen::Session(state) = &mut app.screen {
                state.scope.select(&state.session, id);
            }
            let verb = if existing.is_some() { "Saved" } else { "Added" };
            app.success(format!("{verb} {} ({id})", one_line(&name)));
            Ok(())
        }
        Some(Err(message)) => Err(message),
        None => Ok(()),
    }
}

/// Writes the form's values into item `id` of `pane`, adding it if new.
fn apply(s: &mut Session, pane: Pane, id: Id, new: bool, form: &Form) {
    let text = |k: &str| form.text(k);
    let pick = |k: &str| parse_id(form.key(k));
    match pane {
        Pane::Assets => {
            let classification = form
                .key("classification")
                .and_then(|k| Classification::ALL.into_iter().find(|c| c.key() == k))
                .unwrap_or(Classification::Confidential);
            let item = Asset {
                id,
                name: text("name"),
                classification,
                description: text("description"),
            };
            upsert(&mut s.assets, item, new, |x| x.id);
        }
        Pane::Actors => {
            let item = Actor {
                id,
                name: text("name"),
                description: text("description"),
            };
            upsert(&mut s.actors, item, new, |x| x.id);
        }
        Pane::EntryPoints => {
            let item = EntryPoint {
                id,
                name: text("name"),
                component: pick("component"),
                description: text("description"),
            };
            upsert(&mut s.entry_points, item, new, |x| x.id);
        }
        Pane::Boundaries => {
            let item = Boundary {
                id,
                name: text("name"),
                parent: pick("parent").filter(|p| *p != id),
                description: text("description"),
            };
            upsert(&mut s.boundaries, item, new, |x| x.id);
        }
        Pane::Components => {
            let item = Component {
                id,
                name: text("name"),
                kind: form.key("kind").unwrap_or_default(),
                boundary: pick("boundary"),
                description: text("description"),
            };
            upsert(&mut s.components, item, new, |x| x.id);
        }
        Pane::Flows => {
            let (Some(from), Some(to)) = (pick("from"), pick("to")) else {
                return;
            };
            let item = Flow {
                id,
                from,
                to,
                label: text("label"),
                protocol: text("protocol"),
                assets: form
                    .keys("assets")
                    .into_iter()
                    .filter_map(|k| k.parse().ok())
                    .collect(),
            };
            upsert(&mut s.flows, item, new, |x| x.id);
        }
        Pane::Assumptions => {
            let item = Assumption {
                id,
                text: text("text"),
            };
            upsert(&mut s.assumptions, item, new, |x| x.id);
        }
    }
}

fn upsert<T>(items: &mut Vec<T>, item: T, new: bool, id_of: impl Fn(&T) -> Id) {
    let id = id_of(&item);
    match items.iter_mut().find(|x| id_of(x) == id) {
        Some(slot) if !new => *slot = item,
        _ => items.push(item),
    }
}

pub fn view(frame: &mut Frame, area: Rect, app: &App, state: &SessionState) {
    let s = &app.styles;
    let session = &state.session;
    let scope = &state.scope;
    let wide = area.width >= 110;
    let [left, main] =
        Layout::horizontal([Constraint::Length(22), Constraint::Min(30)]).areas(area);
    // The minimum useful scope: it warns, it never blocks. Every gap
    // shows: the box grows to hold them wrapped, keeping the seven panes
    // (nine rows) in view, and keeps only their headlines when space is short.
    let gaps = scope_gaps(session);
    let inner_width = left.width.saturating_sub(2);
    let room = left.height.saturating_sub(9 + 2);
    let rows =
        |texts: &[String]| -> u16 { texts.iter().map(|t| wrapped_rows(t, inner_width)).sum() };
    let mut texts: Vec<String> = gaps.iter().map(|g| format!("! {g}")).collect();
    if rows(&texts) > room {
        texts = gaps
            .iter()
            .map(|g| {
                let head = g.split(" (").next().unwrap_or(g);
                format!("! {}", head.split("; ").next().unwrap_or(head))
            })
            .collect();
    }
    let check_height = if gaps.is_empty() {
        3
    } else {
        (rows(&texts) + 2).min(room + 2).max(3)
    };
    let [panes_area, check_area] =
        Layout::vertical([Constraint::Min(4), Constraint::Length(check_height)]).areas(left);
    let panes: Vec<(String, String)> = Pane::ALL
        .iter()
        .map(|p| (p.title().to_string(), p.len(session).to_string()))
        .collect();
    pane_list(frame, panes_area, app, "Scope", &panes, scope.pane.index());

    let check: Vec<Line> = if gaps.is_empty() {
        vec![Line::from(Span::styled("✓ enough to walk", s.success))]
    } else {
        texts
            .into_iter()
            .map(|t| Line::from(Span::styled(t, s.warning)))
            .collect()
    };
    frame.render_widget(
        Paragraph::new(check)
            .wrap(Wrap { trim: true })
            .style(s.base)
            .block(
                Block::default()
                    .borders(Borders::ALL)
                    .border_style(s.border)
                    .title(" Scope check "),
            ),
        check_area,
    );

    let (list_area, detail_area) = if wide {
        let [l, d] = Layout::horizontal([Constraint::Fill(3), Constraint::Fill(2)]).areas(main);
        (l, Some(d))
    } else {
        (main, None)
    };
    let cursor = scope.cursor[scope.pane.index()];
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(s.border_focus)
        .title(Span::styled(format!(" {} ", scope.pane.title()), s.title));
    if scope.pane.len(session) == 0 {
        let hint = match scope.pane {
            Pane::Assets => "What is worth protecting? Data, credentials, money, reputation.",
            Pane::Actors => "Who or what uses the feature from outside: people, partner systems.",
            Pane::EntryPoints => "Where does input come in? APIs, queues, uploads, consoles.",
            Pane::Boundaries => "Where does trust change? An account, a VPC, a device.",
            Pane::Components => {
                "The parts of the feature, each of a catalog kind (aws.lambda, ...)."
            }
            Pane::Flows => "What moves between actors and components, and over what.",
            Pane::Assumptions => "What are we taking for granted?",
        };
        frame.render_widget(
            Paragraph::new(vec![
                Line::from(format!("No {} yet. a adds one.", scope.pane.noun())),
                Line::from(""),
                Line::from(Span::styled(hint, s.muted)),
            ])
            .wrap(Wrap { trim: false })
            .block(block)
            .style(s.base),
            list_area,
        );
    } else {
        // Only the rows on screen are built: a frame costs the same for ten
        // items or ten thousand. The header takes one line of the inside.
        let height = usize::from(block.inner(list_area).height.saturating_sub(1));
        let rows = visible_rows(scope.pane.len(session), cursor, height);
        let selected = cursor.min(rows.end - 1) - rows.start;
        let table = list_table(app, session, scope.pane, rows).block(block);
        frame.render_stateful_widget(
            table,
            list_area,
            &mut TableState::default().with_selected(Some(selected)),
        );
    }
    if let Some(detail_area) = detail_area {
        detail(frame, detail_area, app, session, scope.selected(session));
    }
}

/// Rows `text` takes when word-wrapped to `width` columns.
fn wrapped_rows(text: &str, width: u16) -> u16 {
    let width = usize::from(width.max(1));
    let (mut rows, mut col) = (1u16, 0usize);
    for word in text.split_whitespace() {
        let w = word.chars().count();
        if col > 0 && col + 1 + w > width {
            rows += 1;
            col = 0;
        }
        col += if col > 0 { 1 + w } else { w };
        while col > width {
            rows += 1;
            col -= width;
        }
    }
    rows
}

/// The rows of a `len`-row table that ratatui shows in `height` lines with
/// the cursor on row `cursor`, for a table drawn with a fresh
/// [`TableState`] (offset 0), as every frame here is: the first `height`
/// rows, or the `height` rows ending at the cursor once it is below them.
/// Never empty when `len` is not: with no room at all it is the cursor's
/// row, so the table still has a selection and lays out its columns alike.
/// A window too tall would still draw the same (ratatui scrolls within it
/// to the cursor); one too short would not, which the tests check.
fn visible_rows(len: usize, cursor: usize, height: usize) -> Range<usize> {
    if len == 0 {
        return 0..0;
    }
    let cursor = cursor.min(len - 1);
    let height = height.max(1);
    let start = (cursor + 1).saturating_sub(height);
    start..(start + height).min(len)
}

/// The table of `pane`, with the rows `rows` only (see [`visible_rows`]).
fn list_table<'a>(app: &'a App, s: &'a Session, pane: Pane, rows: Range<usize>) -> Table<'a> {
    let st = &app.styles;
    let name_of = |id: Id| -> String {
        s.element(id)
            .map(|e| e.name().to_string())
            .or_else(|| s.boundary(id).map(|b| b.name.clone()))
            .or_else(|| s.asset(id).map(|a| a.name.clone()))
            .unwrap_or_else(|| id.to_string())
    };
    let id_cell = |id: Id| Cell::from(id.to_string()).style(st.muted);
    let text = |t: &str| Cell::from(one_line(t).into_owned());
    let (header, widths, rows): (Vec<&str>, Vec<Constraint>, Vec<Row>) = match pane {
        Pane::Assets => (
            vec!["ID", "Asset", "Class"],
            vec![
                Constraint::Length(4),
                Constraint::Fill(1),
                Constraint::Length(12),
            ],
            s.assets[rows.clone()]
                .iter()
                .map(|a| {
                    Row::new(vec![
                        id_cell(a.id),
                        text(&a.name),
                        Cell::from(a.classification.key()),
                    ])
                })
                .collect(),
        ),
        Pane::Actors => (
            vec!["ID", "Actor", "Description"],
            vec![
                Constraint::Length(4),
                Constraint::Fill(1),
                Constraint::Fill(2),
            ],
            s.actors[rows.clone()]
                .iter()
                .map(|a| {
                    Row::new(vec![
                        id_cell(a.id),
                        text(&a.name),
                        text(&a.description).style(st.muted),
                    ])
                })
                .collect(),
        ),
        Pane::EntryPoints => (
            vec!["ID", "Entry point", "Component"],
            vec![
                Constraint::Length(4),
                Constraint::Fill(2),
                Constraint::Fill(1),
            ],
            s.entry_points[rows.clone()]
                .iter()
                .map(|e| {
                    let c = e.component.map(&name_of).unwrap_or_default();
                    Row::new(vec![id_cell(e.id), text(&e.name), text(&c)])
                })
                .collect(),
        ),
        Pane::Boundaries => (
            vec!["ID", "Boundary", "Inside"],
            vec![
                Constraint::Length(4),
                Constraint::Fill(2),
                Constraint::Fill(1),
            ],
            s.boundaries[rows.clone()]
                .iter()
                .map(|b| {
                    let p = b.parent.map(&name_of).unwrap_or_default();
                    Row::new(vec![id_cell(b.id), text(&b.name), text(&p)])
                })
                .collect(),
        ),
        Pane::Components => (
            vec!["ID", "Component", "Kind", "Boundary"],
            vec![
                Constraint::Length(4),
                Constraint::Fill(2),
                Constraint::Fill(2),
                Constraint::Fill(1),
            ],
            s.components[rows.clone()]
                .iter()
                .map(|c| {
                    let kind = app
                        .catalogs
                        .kind(&c.kind)
                        .map_or(c.kind.clone(), |k| k.name.clone());
                    let b = c.boundary.map(&name_of).unwrap_or_default();
                    Row::new(vec![
                        id_cell(c.id),
                        text(&c.name),
                        text(&kind),
                        text(&b).style(st.muted),
                    ])
                })
                .collect(),
        ),
        Pane::Flows => (
            vec!["ID", "From", "To", "Label"],
            vec![
                Constraint::Length(4),
                Constraint::Fill(1),
                Constraint::Fill(1),
                Constraint::Fill(2),
            ],
            s.flows[rows.clone()]
                .iter()
                .map(|f| {
                    Row::new(vec![
                        id_cell(f.id),
                        text(&name_of(f.from)),
                        text(&name_of(f.to)),
                        text(&f.label),
                    ])
                })
                .collect(),
        ),
        Pane::Assumptions => (
            vec!["ID", "Assumption"],
            vec![Constraint::Length(4), Constraint::Fill(1)],
            s.assumptions[rows.clone()]
                .iter()
                .map(|a| Row::new(vec![id_cell(a.id), text(&a.text)]))
                .collect(),
        ),
    };
    Table::new(rows, widths)
        .header(Row::new(header).style(st.muted))
        .row_highlight_style(st.selection())
        .highlight_symbol("› ")
        .style(st.base)
}

/// The selected item in full, on wide screens.
fn detail(frame: &mut Frame, area: Rect, app: &App, s: &Session, id: Option<Id>) {
    let st = &app.styles;
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(st.border)
        .title(" Details ");
    let Some(id) = id else {
        frame.render_widget(Paragraph::new("").block(block).style(st.base), area);
        return;
    };
    let mut lines: Vec<Line> = Vec::new();
    let mut push = |label: &str, value: String| {
        if !value.is_empty() {
            lines.push(Line::from(vec![
                Span::styled(format!("{label}: "), st.muted),
                Span::raw(crate::core::text::one_line(&value).into_owned()),
            ]));
        }
    };
    push("Id", id.to_string());
    match id.kind {
        IdKind::Component => {
            if let Some(c) = s.component(id) {
                push("Name", c.name.clone());
                match app.catalogs.kind(&c.kind) {
                    Some(k) => {
                        push("Kind", format!("{} ({})", k.name, k.id));
                        let letters: String = crate::core::stride::Category::ALL
                            .iter()
                            .map(|cat| if k.applies(*cat) { cat.letter() } else { '·' })
                            .collect();
                        push("STRIDE", letters);
                        if let Some(r) = k.responsibility {
                            push("Shared responsibility", r.key().to_string());
                        }
                    }
                    None => push("Kind", c.kind.clone()),
                }
                push(
                    "Boundary",
                    c.boundary.map(|b| describe(s, b)).unwrap_or_default(),
                );
                push("Description", c.description.clone());
                let flows = s
                    .flows
                    .iter()
                    .filter(|f| f.from == id || f.to == id)
                    .count();
                push("Flows", flows.to_string());
            }
        }
        IdKind::Flow => {
            if let Some(f) = s.flows.iter().find(|f| f.id == id) {
                push("From", describe(s, f.from));
                push("To", describe(s, f.to));
                push("Label", f.label.clone());
                push("Protocol", f.protocol.clone());
                let assets: Vec<String> = f.assets.iter().map(|a| describe(s, *a)).collect();
                push("Assets", assets.join(", "));
            }
        }
        _ => {
            push("Name", name_of(s, id).unwrap_or_default().to_string());
            let description = match id.kind {
                IdKind::Asset => s
                    .asset(id)
                    .map(|a| format!("{} — {}", a.classification.key(), a.description)),
                IdKind::Actor => s
                    .actors
                    .iter()
                    .find(|a| a.id == id)
                    .map(|a| a.description.clone()),
                IdKind::EntryPoint => s
                    .entry_points
                    .iter()
                    .find(|e| e.id == id)
                    .map(|e| e.description.clone()),
                IdKind::Boundary => s.boundary(id).map(|b| b.description.clone()),
                IdKind::Assumption => s
                    .assumptions
                    .iter()
                    .find(|a| a.id == id)
                    .map(|a| a.text.clone()),
                _ => None,
            };
            push("About", description.unwrap_or_default());
        }
    }
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(block)
            .style(st.base),
        area,
    );
}

/// The name (or label, or title) of anything with an id, as
/// [`SessionIndex::name`](crate::core::index::SessionIndex::name) gives it.
/// A frame asks for a handful, so one scan each beats building an index of
/// the whole session every frame.
fn name_of(s: &Session, id: Id) -> Option<&str> {
    match id.kind {
        IdKind::Participant => s
            .participants
            .iter()
            .find(|x| x.id == id)
            .map(|x| x.name.as_str()),
        IdKind::Asset => s.asset(id).map(|x| x.name.as_str()),
        IdKind::Actor => s
            .actors
            .iter()
            .find(|x| x.id == id)
            .map(|x| x.name.as_str()),
        IdKind::EntryPoint => s
            .entry_points
            .iter()
            .find(|x| x.id == id)
            .map(|x| x.name.as_str()),
        IdKind::Boundary => s.boundary(id).map(|x| x.name.as_str()),
        IdKind::Component => s.component(id).map(|x| x.name.as_str()),
        IdKind::Flow => s
            .flows
            .iter()
            .find(|x| x.id == id)
            .map(|x| x.label.as_str()),
        IdKind::Threat => s.threat(id).map(|x| x.title.as_str()),
        IdKind::Assumption | IdKind::Mitigation => None,
    }
}

/// "Payslip API (C1)", or the bare id for an unknown one.
fn describe(s: &Session, id: Id) -> String {
    match name_of(s, id) {
        Some(name) => format!("{name} ({id})"),
        None => id.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use ratatui::buffer::Buffer;
    use ratatui::widgets::StatefulWidget;

    use super::*;
    use crate::core::synth;
    use crate::core::theme::Themes;

    fn app() -> App {
        App::new(
            Catalogs::builtin().unwrap(),
            Themes::builtin().unwrap(),
            None,
            false,
        )
    }

    fn block() -> Block<'static> {
        Block::default().borders(Borders::ALL).title(" Components ")
    }

    /// Renders `table` with the cursor on `selected`, as `view` does.
    fn render(table: Table, area: Rect, selected: usize) -> Buffer {
        let mut buf = Buffer::empty(area);
        let mut state = TableState::default().with_selected(Some(selected));
        StatefulWidget::render(table.block(block()), area, &mut buf, &mut state);
        buf
    }

    #[test]
    fn visible_rows_draw_exactly_what_the_whole_table_draws() {
        let app = app();
        let s = synth::session(40, 10, 1, &app.catalogs);
        assert!(Pane::Components.len(&s) > 15 && Pane::Flows.len(&s) > 15);
        for pane in Pane::ALL {
            let len = pane.len(&s);
            if len == 0 {
                continue;
            }
            for height in 0..16u16 {
                let area = Rect::new(0, 0, 70, height);
                let inside = usize::from(block().inner(area).height.saturating_sub(1));
                let cursors = [0, 1, inside.saturating_sub(1), inside, inside + 1, len / 2];
                let cursors = cursors.into_iter().chain([len.saturating_sub(2), len - 1]);
                for cursor in cursors.map(|c| c.min(len - 1)) {
                    let whole = render(list_table(&app, &s, pane, 0..len), area, cursor);
                    let rows = visible_rows(len, cursor, inside);
                    assert!(rows.contains(&cursor), "{rows:?} lacks {cursor}");
                    let selected = cursor - rows.start;
                    let part = render(list_table(&app, &s, pane, rows), area, selected);
                    assert_eq!(part, whole, "{pane:?}, height {height}, cursor {cursor}");
                }
            }
        }
    }

    #[test]
    fn visible_rows_examples() {
        assert_eq!(visible_rows(0, 0, 10), 0..0);
        assert_eq!(visible_rows(5, 0, 10), 0..5);
        assert_eq!(visible_rows(5, 9, 3), 2..5);
        assert_eq!(visible_rows(100, 50, 0), 50..51);
    }

    #[test]
    fn details_name_things_as_the_session_index_does() {
        let app = app();
        let s = synth::session(30, 30, 2, &app.catalogs);
        let index = crate::core::index::SessionIndex::new(&s);
        let ids = s
            .participants
            .iter()
            .map(|x| x.id)
            .chain(s.assets.iter().map(|x| x.id))
            .chain(s.actors.iter().map(|x| x.id))
            .chain(s.entry_points.iter().map(|x| x.id))
            .chain(s.boundaries.iter().map(|x| x.id))
            .chain(s.components.iter().map(|x| x.id))
            .chain(s.flows.iter().map(|x| x.id))
            .chain(s.assumptions.iter().map(|x| x.id))
            .chain(s.threats.iter().map(|x| x.id))
            .chain(s.mitigations.iter().map(|x| x.id));
        for id in ids {
            assert_eq!(name_of(&s, id), index.name(id), "{id}");
            assert_eq!(describe(&s, id), index.describe(id), "{id}");
        }
    }
}
