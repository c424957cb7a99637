//! Phase 2, Scope: "What are we working on?" Assets, actors, entry points,
//! trust boundaries, components, data flows and assumptions, with a check
//! of the minimum useful scope that warns and never blocks.

use std::any::Any;
use std::collections::HashSet;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Table, TableState, Wrap};

use super::{MARKER, PhaseScreen, pane_list, table_room};
use crate::core::catalog::Catalogs;
use crate::core::ids::{Id, IdKind};
use crate::core::model::{
    Actor, Asset, Assumption, Boundary, Classification, Component, EntryPoint, Flow, Phase, Session,
};
use crate::core::stride::Category;
use crate::core::text::one_line;
use crate::core::text::wrap;
use crate::core::validate::scope_gaps;
use crate::tui::action::Action;
use crate::tui::context::{Ctx, Offer, Purpose, Say, View};
use crate::tui::form::{Choice, Field, Form};
use crate::tui::keymap::Context;
use crate::tui::picker::PickItem;
use crate::tui::widgets::list::{self, Filter};
use crate::tui::widgets::table::{self, Column, Field as Cell};

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
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

    fn id_kind(self) -> IdKind {
        match self {
            Pane::Assets => IdKind::Asset,
            Pane::Actors => IdKind::Actor,
            Pane::EntryPoints => IdKind::EntryPoint,
            Pane::Boundaries => IdKind::Boundary,
            Pane::Components => IdKind::Component,
            Pane::Flows => IdKind::Flow,
            Pane::Assumptions => IdKind::Assumption,
        }
    }

    fn index(self) -> usize {
        Pane::ALL.iter().position(|p| *p == self).unwrap_or(0)
    }

    /// The id of item `i` of the pane.
    fn id_at(self, s: &Session, i: usize) -> Option<Id> {
        match self {
            Pane::Assets => s.assets.get(i).map(|x| x.id),
            Pane::Actors => s.actors.get(i).map(|x| x.id),
            Pane::EntryPoints => s.entry_points.get(i).map(|x| x.id),
            Pane::Boundaries => s.boundaries.get(i).map(|x| x.id),
            Pane::Components => s.components.get(i).map(|x| x.id),
            Pane::Flows => s.flows.get(i).map(|x| x.id),
            Pane::Assumptions => s.assumptions.get(i).map(|x| x.id),
        }
    }

    pub fn len(self, s: &Session) -> usize {
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

    fn columns(self) -> Vec<Column> {
        const ID: Column = Column::fixed("ID", 4);
        match self {
            Pane::Assets => vec![ID, Column::name("Asset"), Column::extra("Class")],
            Pane::Actors => vec![ID, Column::name("Actor"), Column::extra("Description")],
            Pane::EntryPoints => vec![ID, Column::name("Entry point"), Column::extra("Component")],
            Pane::Boundaries => vec![ID, Column::name("Boundary"), Column::extra("Inside")],
            Pane::Components => vec![
                ID,
                Column::name("Component"),
                Column::extra("Kind"),
                Column::extra("Boundary"),
            ],
            Pane::Flows => vec![
                ID,
                Column::name("From"),
                Column::name("To"),
                Column::extra("Label"),
            ],
            Pane::Assumptions => vec![ID, Column::name("Assumption")],
        }
    }

    /// The cells of item `i`, one line each and neutralised.
    fn cells(self, s: &Session, catalogs: &Catalogs, muted: Style, i: usize) -> Vec<Cell> {
        let id = |id: Id| Cell::styled(id.to_string(), muted);
        let text = |t: &str| Cell::new(one_line(t));
        let name = |x: Id| Cell::new(one_line(s.name(x).unwrap_or_default()));
        let named = |x: Option<Id>| x.map(&name).unwrap_or_else(|| Cell::new(""));
        match self {
            Pane::Assets => s
                .assets
                .get(i)
                .map(|a| vec![id(a.id), text(&a.name), Cell::new(a.classification.key())]),
            Pane::Actors => s.actors.get(i).map(|a| {
                vec![
                    id(a.id),
                    text(&a.name),
                    Cell::styled(one_line(&a.description), muted),
                ]
            }),
            Pane::EntryPoints => s
                .entry_points
                .get(i)
                .map(|e| vec![id(e.id), text(&e.name), named(e.component)]),
            Pane::Boundaries => s
                .boundaries
                .get(i)
                .map(|b| vec![id(b.id), text(&b.name), named(b.parent)]),
            Pane::Components => s.components.get(i).map(|c| {
                let kind = catalogs
                    .kind(&c.kind)
                    .map_or(c.kind.as_str(), |k| k.name.as_str());
                let mut boundary = named(c.boundary);
                boundary.style = muted;
                vec![id(c.id), text(&c.name), text(kind), boundary]
            }),
            Pane::Flows => s
                .flows
                .get(i)
                .map(|f| vec![id(f.id), name(f.from), name(f.to), text(&f.label)]),
            Pane::Assumptions => s.assumptions.get(i).map(|a| vec![id(a.id), text(&a.text)]),
        }
        .unwrap_or_default()
    }
}

#[derive(Debug, Clone)]
pub struct ScopeScreen {
    pub pane: Pane,
    /// Per pane, the position in the pane's shown (filtered) items.
    pub cursor: [usize; 7],
    /// The `/` filter of the focused pane; moving to another pane clears it.
    pub filter: Filter,
}

impl Default for ScopeScreen {
    fn default() -> Self {
        ScopeScreen {
            pane: Pane::Components,
            cursor: [0; 7],
            filter: Filter::default(),
        }
    }
}

/// The items of `pane` that `filter` keeps, by position.
fn shown_by(filter: &Filter, pane: Pane, s: &Session, catalogs: &Catalogs) -> Vec<usize> {
    let len = pane.len(s);
    if !filter.is_active() {
        return (0..len).collect();
    }
    (0..len)
        .filter(|&i| {
            let cells = pane.cells(s, catalogs, Style::new(), i);
            let text: Vec<&str> = cells.iter().map(|c| c.text.as_str()).collect();
            filter.matches(&text.join(" "))
        })
        .collect()
}

/// What a Scope form edits: the pane and, for an edit, the item.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Edit {
    pub pane: Pane,
    pub id: Option<Id>,
}

impl ScopeScreen {
    /// The items of the focused pane the filter keeps, by position.
    fn shown(&self, s: &Session, catalogs: &Catalogs) -> Vec<usize> {
        shown_by(&self.filter, self.pane, s, catalogs)
    }

    /// Puts the cursor on `id` in its pane, clearing a filter that hides it.
    fn select(&mut self, s: &Session, id: Id) {
        let Some(pane) = Pane::ALL.into_iter().find(|p| p.id_kind() == id.kind) else {
            return;
        };
        if pane != self.pane {
            self.filter.clear();
        }
        self.pane = pane;
        if let Some(pos) = (0..pane.len(s)).position(|i| pane.id_at(s, i) == Some(id)) {
            self.filter.clear();
            self.cursor[pane.index()] = pos;
        }
    }

    fn count(&self, view: &View) -> usize {
        self.shown(view.session, view.catalogs).len()
    }

    fn nothing_here(&self) -> String {
        if self.filter.is_active() {
            "Nothing matches the filter: Esc clears it".to_string()
        } else {
            format!("No {} yet: a adds one", self.pane.noun())
        }
    }
}

impl PhaseScreen for ScopeScreen {
    fn phase(&self) -> Phase {
        Phase::Scope
    }

    fn section(&self, _view: &View) -> Context {
        Context::Scope
    }

    fn offer(&self, action: &Action, view: &View) -> Offer {
        let s = view.session;
        if self.filter.is_typing() {
            return Filter::typing_offer(action);
        }
        match action {
            Action::NextPane | Action::PrevPane => Offer::Enabled,
            a if list::is_movement(a) => Offer::Enabled,
            Action::Add => match view.editable() {
                Offer::Enabled
                    if self.pane == Pane::Flows && s.actors.len() + s.components.len() < 2 =>
                {
                    Offer::Disabled(
                        "A flow needs two ends: add actors or components first".to_string(),
                    )
                }
                other => other,
            },
            Action::Open | Action::Edit | Action::Delete => {
                if self.count(view) == 0 {
                    Offer::Disabled(self.nothing_here())
                } else {
                    view.editable()
                }
            }
            Action::Filter => Offer::when(self.pane.len(s) > 0, self.nothing_here()),
            Action::Cancel => {
                if self.filter.is_active() {
                    Offer::Enabled
                } else {
                    Offer::Hidden
                }
            }
            _ => Offer::Hidden,
        }
    }

    fn update(&mut self, action: Action, cx: &mut Ctx) {
        let page = cx.page;
        let pane = self.pane;
        if self.filter.is_typing() {
            let (s, catalogs) = (cx.session(), cx.catalogs);
            let count = |f: &Filter| shown_by(f, pane, s, catalogs).len();
            let cursor = &mut self.cursor[pane.index()];
            self.filter.typing_update(action, cursor, count, page);
            return;
        }
        match action {
            Action::NextPane | Action::PrevPane => {
                self.filter.clear();
                self.pane = Pane::ALL[list::cycle(pane.index(), Pane::ALL.len(), &action)];
            }
            a if list::is_movement(&a) => {
                let len = self.shown_in(cx).len();
                list::move_cursor(&mut self.cursor[pane.index()], len, &a, page);
            }
            Action::Filter => {
                self.filter.start();
                self.cursor[pane.index()] = 0;
            }
            Action::Cancel => self.filter.clear(),
            Action::Add => {
                let form = form_for(pane, None, cx.session(), cx.catalogs);
                cx.open_form(form, Purpose::keepable(Edit { pane, id: None }));
            }
            Action::Open | Action::Edit => {
                if let Some(id) = self.selected_in(cx) {
                    let form = form_for(pane, Some(id), cx.session(), cx.catalogs);
                    cx.open_form(form, Purpose::keepable(Edit { pane, id: Some(id) }));
                }
            }
            Action::Delete => {
                if let Some(id) = self.selected_in(cx)
                    && list::delete(cx, id)
                {
                    let len = self.shown_in(cx).len();
                    list::clamp(&mut self.cursor[pane.index()], len);
                }
            }
            _ => {}
        }
    }

    fn clamp(&mut self, view: &View) {
        for p in Pane::ALL {
            list::clamp(&mut self.cursor[p.index()], p.len(view.session));
        }
        let shown = self.shown(view.session, view.catalogs).len();
        list::clamp(&mut self.cursor[self.pane.index()], shown);
    }

    fn reopen(&mut self, purpose: &toml::Value, cx: &mut Ctx) -> bool {
        let Ok(edit) = purpose.clone().try_into::<Edit>() else {
            return false;
        };
        if !super::still_there(cx.session(), edit.id) {
            return false;
        }
        self.pane = edit.pane;
        let form = form_for(edit.pane, edit.id, cx.session(), cx.catalogs);
        cx.open_form(form, Purpose::keepable(edit));
        true
    }

    fn submit(&mut self, purpose: &Purpose, form: &Form, cx: &mut Ctx) -> Result<(), String> {
        let Some(edit) = purpose.get::<Edit>().cloned() else {
            return Ok(());
        };
        let id = submit(&edit, form, cx)?;
        if let Some(id) = id {
            self.select(cx.session(), id);
        }
        Ok(())
    }

    fn modal(&self) -> Option<Context> {
        self.filter.is_typing().then_some(Context::Filter)
    }

    fn draw(&self, frame: &mut Frame, area: Rect, view: &View) {
        draw(self, frame, area, view);
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

impl ScopeScreen {
    fn shown_in(&self, cx: &Ctx) -> Vec<usize> {
        self.shown(cx.session(), cx.catalogs)
    }

    fn selected_in(&self, cx: &Ctx) -> Option<Id> {
        let shown = self.shown_in(cx);
        let i = *shown.get(self.cursor[self.pane.index()])?;
        self.pane.id_at(cx.session(), i)
    }
}

fn classification_choices() -> Vec<Choice> {
    Classification::ALL
        .map(|c| Choice::new(c.key(), c.key()))
        .to_vec()
}

/// Actors and components, the ends a flow can have.
fn endpoints(s: &Session, catalogs: &Catalogs) -> Vec<PickItem> {
    let actors = s.actors.iter().map(|a| a.id);
    let components = s.components.iter().map(|c| c.id);
    actors
        .chain(components)
        .filter_map(|id| list::element_item(s, catalogs, id))
        .collect()
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
                .filter_map(|c| list::element_item(s, catalogs, c.id))
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

/// Saves a Scope form; returns the id of the item saved.
fn submit(edit: &Edit, form: &Form, cx: &mut Ctx) -> Result<Option<Id>, String> {
    let pane = edit.pane;
    let existing = edit.id;
    if pane == Pane::Flows {
        let from = parse_id(form.key("from"));
        let to = parse_id(form.key("to"));
        if from.is_some() && from == to {
            return Err("a flow needs two different ends".to_string());
        }
    }
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
    let result = cx.edit(what, |s| -> Result<Id, String> {
        let id = match existing {
            Some(id) => id,
            None => s
                .next_id(pane.id_kind())
                .ok_or_else(|| format!("no {} ids are left", pane.noun()))?,
        };
        apply(s, pane, id, existing.is_none(), form);
        Ok(id)
    });
    match result {
        Some(Ok(id)) => {
            let verb = if existing.is_some() { "Saved" } else { "Added" };
            cx.success(format!("{verb} {} ({id})", one_line(&name)));
            Ok(Some(id))
        }
        Some(Err(message)) => Err(message),
        None => Ok(None),
    }
}

/// Writes the form's values into item `id` of `pane`, adding it if new.
///
/// Only what the form shows is written: an edited item keeps the rest
/// (tags, properties, out-of-scope marks kept from an import).
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
            let old = s.actors.iter().find(|x| x.id == id).filter(|_| !new);
            let item = Actor {
                id,
                name: text("name"),
                description: text("description"),
                out_of_scope: old.and_then(|o| o.out_of_scope.clone()),
                properties: old.map(|o| o.properties.clone()).unwrap_or_default(),
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
            let old = s.boundaries.iter().find(|x| x.id == id).filter(|_| !new);
            let item = Boundary {
                id,
                name: text("name"),
                parent: pick("parent").filter(|p| *p != id),
                description: text("description"),
                properties: old.map(|o| o.properties.clone()).unwrap_or_default(),
            };
            upsert(&mut s.boundaries, item, new, |x| x.id);
        }
        Pane::Components => {
            let old = s.components.iter().find(|x| x.id == id).filter(|_| !new);
            let item = Component {
                id,
                name: text("name"),
                kind: form.key("kind").unwrap_or_default(),
                boundary: pick("boundary"),
                description: text("description"),
                out_of_scope: old.and_then(|o| o.out_of_scope.clone()),
                properties: old.map(|o| o.properties.clone()).unwrap_or_default(),
            };
            upsert(&mut s.components, item, new, |x| x.id);
        }
        Pane::Flows => {
            let (Some(from), Some(to)) = (pick("from"), pick("to")) else {
                return;
            };
            let old = s.flows.iter().find(|x| x.id == id).filter(|_| !new);
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
                description: old.map(|o| o.description.clone()).unwrap_or_default(),
                out_of_scope: old.and_then(|o| o.out_of_scope.clone()),
                properties: old.map(|o| o.properties.clone()).unwrap_or_default(),
            };
            upsert(&mut s.flows, item, new, |x| x.id);
        }
        Pane::Assumptions => {
            let old = s.assumptions.iter().find(|x| x.id == id).filter(|_| !new);
            let item = Assumption {
                id,
                text: text("text"),
                notes: old.map(|o| o.notes.clone()).unwrap_or_default(),
                tags: old.map(|o| o.tags.clone()).unwrap_or_default(),
                threats: old.map(|o| o.threats.clone()).unwrap_or_default(),
                mitigations: old.map(|o| o.mitigations.clone()).unwrap_or_default(),
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

fn draw(scope: &ScopeScreen, frame: &mut Frame, area: Rect, view: &View) {
    let s = view.styles;
    let session = view.session;
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
    pane_list(frame, panes_area, s, "Scope", &panes, scope.pane.index());

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
    let shown = scope.shown(session, view.catalogs);
    let cursor = scope.cursor[scope.pane.index()];
    let mut title = vec![Span::styled(format!(" {} ", scope.pane.title()), s.title)];
    if scope.filter.is_typing() || scope.filter.is_active() {
        let caret = if scope.filter.is_typing() { "▏" } else { "" };
        title.push(Span::styled(
            format!("/{}{caret} ", one_line(scope.filter.text())),
            s.accent,
        ));
        title.push(Span::styled(
            format!("{} of {} ", shown.len(), scope.pane.len(session)),
            s.muted,
        ));
    }
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(s.border_focus)
        .title(Line::from(title));
    if shown.is_empty() {
        let lines = if scope.filter.is_active() {
            vec![Line::from(scope.nothing_here())]
        } else {
            let hint = match scope.pane {
                Pane::Assets => "What is worth protecting? Data, credentials, money, reputation.",
                Pane::Actors => {
                    "Who or what uses the feature from outside: people, partner systems."
                }
                Pane::EntryPoints => "Where does input come in? APIs, queues, uploads, consoles.",
                Pane::Boundaries => "Where does trust change? An account, a VPC, a device.",
                Pane::Components => {
                    "The parts of the feature, each of a catalog kind (aws.lambda, ...)."
                }
                Pane::Flows => "What moves between actors and components, and over what.",
                Pane::Assumptions => "What are we taking for granted?",
            };
            vec![
                Line::from(format!("No {} yet. a adds one.", scope.pane.noun())),
                Line::from(""),
                Line::from(Span::styled(hint, s.muted)),
            ]
        };
        frame.render_widget(
            Paragraph::new(lines)
                .wrap(Wrap { trim: false })
                .block(block)
                .style(s.base),
            list_area,
        );
    } else {
        // Only the rows on screen are built: a frame costs the same for ten
        // items or ten thousand. The header takes one line of the inside.
        let height = usize::from(block.inner(list_area).height.saturating_sub(1));
        let rows = list::window(shown.len(), cursor, height);
        let selected = cursor.min(rows.end - 1) - rows.start;
        let table = list_table(view, scope.pane, &shown[rows], table_room(list_area)).block(block);
        frame.render_stateful_widget(
            table,
            list_area,
            &mut TableState::default().with_selected(Some(selected)),
        );
    }
    if let Some(detail_area) = detail_area {
        let id = shown
            .get(cursor)
            .and_then(|&i| scope.pane.id_at(session, i));
        detail(frame, detail_area, view, id);
    }
}

/// Rows `text` takes when word-wrapped to `width` columns.
fn wrapped_rows(text: &str, width_cols: u16) -> u16 {
    u16::try_from(wrap(text, usize::from(width_cols)).len().max(1)).unwrap_or(u16::MAX)
}

/// The table of `pane` for the items at positions `items` (the rows in
/// view), its columns fitted to those rows in `available` columns.
fn list_table<'a>(view: &View, pane: Pane, items: &[usize], available: u16) -> Table<'a> {
    let rows = pane_rows(view, pane, items);
    let widths = table::widths(&pane.columns(), &rows, available);
    rows_table(view, pane, rows, &widths)
}

fn pane_rows(view: &View, pane: Pane, items: &[usize]) -> Vec<Vec<Cell>> {
    items
        .iter()
        .map(|&i| pane.cells(view.session, view.catalogs, view.styles.muted, i))
        .collect()
}

fn rows_table<'a>(view: &View, pane: Pane, rows: Vec<Vec<Cell>>, widths: &[u16]) -> Table<'a> {
    let st = view.styles;
    table::with_widths(&pane.columns(), rows, widths, st.muted)
        .row_highlight_style(st.selection())
        .highlight_symbol(MARKER)
        .style(st.base)
}

/// The selected item in full, on wide screens.
fn detail(frame: &mut Frame, area: Rect, view: &View, id: Option<Id>) {
    let st = view.styles;
    let s = view.session;
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
                Span::raw(one_line(&value).into_owned()),
            ]));
        }
    };
    push("Id", id.to_string());
    match id.kind {
        IdKind::Component => {
            if let Some(c) = s.component(id) {
                push("Name", c.name.clone());
                match view.catalogs.kind(&c.kind) {
                    Some(k) => {
                        push("Kind", format!("{} ({})", k.name, k.id));
                        let letters: String = Category::ALL
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
                    c.boundary.map(|b| s.describe(b)).unwrap_or_default(),
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
                push("From", s.describe(f.from));
                push("To", s.describe(f.to));
                push("Label", f.label.clone());
                push("Protocol", f.protocol.clone());
                let assets: Vec<String> = f.assets.iter().map(|a| s.describe(*a)).collect();
                push("Assets", assets.join(", "));
            }
        }
        _ => {
            push("Name", s.name(id).unwrap_or_default().to_string());
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

#[cfg(test)]
mod tests {
    use ratatui::buffer::Buffer;
    use ratatui::widgets::StatefulWidget;

    use super::*;
    use crate::core::synth;
    use crate::core::theme::Theme;
    use crate::tui::style::Styles;

    fn block() -> Block<'static> {
        Block::default().borders(Borders::ALL).title(" Components ")
    }

    /// Renders `table` with the cursor on `selected`, as `draw` does.
    fn render(table: Table, area: Rect, selected: usize) -> Buffer {
        let mut buf = Buffer::empty(area);
        let mut state = TableState::default().with_selected(Some(selected));
        StatefulWidget::render(table.block(block()), area, &mut buf, &mut state);
        buf
    }

    #[test]
    fn the_rows_in_view_draw_exactly_what_the_whole_table_draws() {
        let catalogs = Catalogs::builtin().unwrap();
        let styles = Styles::new(&Theme::plain());
        let s = synth::session(40, 10, 1, &catalogs);
        let view = View {
            session: &s,
            read_only: None,
            catalogs: &catalogs,
            styles: &styles,
            now: s.updated,
            changes: 0,
            remote: &[],
        };
        assert!(Pane::Components.len(&s) > 15 && Pane::Flows.len(&s) > 15);
        for pane in Pane::ALL {
            let len = pane.len(&s);
            if len == 0 {
                continue;
            }
            let all: Vec<usize> = (0..len).collect();
            for height in 0..16u16 {
                let area = Rect::new(0, 0, 70, height);
                let inside = usize::from(block().inner(area).height.saturating_sub(1));
                let cursors = [0, 1, inside.saturating_sub(1), inside, inside + 1, len / 2];
                let cursors = cursors.into_iter().chain([len.saturating_sub(2), len - 1]);
                for cursor in cursors.map(|c| c.min(len - 1)) {
                    let rows = list::window(len, cursor, inside);
                    assert!(rows.contains(&cursor), "{rows:?} lacks {cursor}");
                    // Both with the columns the rows in view fit.
                    let part_rows = pane_rows(&view, pane, &all[rows.clone()]);
                    let widths = table::widths(&pane.columns(), &part_rows, 64);
                    let whole = rows_table(&view, pane, pane_rows(&view, pane, &all), &widths);
                    let whole = render(whole, area, cursor);
                    let selected = cursor - rows.start;
                    let part = render(rows_table(&view, pane, part_rows, &widths), area, selected);
                    assert_eq!(part, whole, "{pane:?}, height {height}, cursor {cursor}");
                }
            }
        }
    }

    #[test]
    fn wrapped_rows_count_display_columns() {
        assert_eq!(wrapped_rows("one two three", 7), 2);
        // Six columns, not three characters.
        assert_eq!(wrapped_rows("支払い 支払い", 6), 2);
        assert_eq!(wrapped_rows("", 5), 1);
    }
}
