//! Phase 3, Brainstorm: "What can go wrong?" The STRIDE walk element by
//! element and category by category, with the catalog's questions and
//! candidate threats; free-text threats and quick capture; coverage marks;
//! the coverage matrix; every threat in one list; and triage, the catalog's
//! candidates one at a time for a developer working alone.
//!
//! What the screen works out from the session (the walk's order, each
//! cell's state) is kept until the document changes, so drawing a frame
//! and answering the hint bar cost no more than the rows on screen.
//!
//! One module per view: the walk, the matrix, the threat list, triage,
//! and the forms they open.

mod forms;
mod matrix;
mod threats;
mod triage;
mod walk_view;

use forms::{dismiss_form, move_form, not_applicable_form, threat_form};

use std::any::Any;
use std::cell::{Ref, RefCell};
use std::collections::HashMap;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, List, ListItem, ListState, Paragraph, TableState, Wrap};
use ratatui_textarea::TextArea;

use super::{MARKER, PhaseScreen, table_room};
use crate::core::catalog::{CandidateThreat, Catalogs, Kind};
use crate::core::coverage::{self, Cell};
use crate::core::ids::Id;
use crate::core::model::{Persona, Phase, Session, Statement, Threat};
use crate::core::stride::Category;
use crate::core::text::{fit, one_line, plural, wrap};
use crate::core::walk;
use crate::tui::action::Action;
use crate::tui::context::{Ctx, Offer, Purpose, Say, View};
use crate::tui::form::{Choice, Field, Form};
use crate::tui::keymap::Context;
use crate::tui::picker::PickItem;
use crate::tui::style::Styles;
use crate::tui::widgets::list::{self, Filter};
use crate::tui::widgets::table::{self, Column, Field as Cell2};

/// What the screen shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// The walk: an element, a category, its prompts and candidates.
    Walk,
    /// The coverage matrix: elements x categories.
    Matrix,
    /// Every threat of the session.
    Threats,
    /// The catalog's undecided candidates, one at a time.
    Triage,
}

/// Where the walk's keys act.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    Elements,
    Candidates,
    Threats,
}

impl Pane {
    const ALL: [Pane; 3] = [Pane::Elements, Pane::Candidates, Pane::Threats];

    fn index(self) -> usize {
        Pane::ALL.iter().position(|p| *p == self).unwrap_or(0)
    }
}

/// One element of the walk, as the screen keeps it between changes.
#[derive(Debug, Clone)]
pub struct Entry {
    pub id: Id,
    pub name: String,
    /// Catalog kinds: the element's own, and the boundary's for a flow
    /// that crosses one.
    pub kinds: Vec<String>,
    pub boundary: Option<Id>,
    pub crosses: bool,
    pub cells: [Cell; 6],
    /// Borrowed catalog threats another element of the scope offers.
    pub shown_elsewhere: Vec<String>,
}

impl Entry {
    /// The categories to walk through: those that apply, have threats or
    /// were marked (all six for an element of an unknown kind).
    pub(super) fn categories(&self) -> Vec<Category> {
        let some: Vec<Category> = Category::ALL
            .into_iter()
            .zip(self.cells)
            .filter(|(_, c)| *c != Cell::Inapplicable)
            .map(|(cat, _)| cat)
            .collect();
        if some.is_empty() {
            Category::ALL.to_vec()
        } else {
            some
        }
    }

    pub(super) fn cell(&self, category: Category) -> Cell {
        self.cells[category_index(category)]
    }

    fn kinds<'c>(&self, catalogs: &'c Catalogs) -> Vec<&'c Kind> {
        self.kinds.iter().filter_map(|k| catalogs.kind(k)).collect()
    }
}

pub(super) fn category_index(category: Category) -> usize {
    Category::ALL
        .iter()
        .position(|c| *c == category)
        .unwrap_or(0)
}

/// The walk worked out from the session, good while `changes` holds.
#[derive(Debug, Default)]
pub(super) struct Walk {
    pub(super) changes: Option<u64>,
    pub(super) entries: Vec<Entry>,
    /// The threats of each element and category, in file order.
    by_cell: HashMap<(Id, Category), Vec<Id>>,
    /// The threat taken from each catalog threat, by element.
    taken: HashMap<(Id, String), Id>,
    /// Triage's queue, worked out when first needed.
    queue: Option<Vec<(Id, Category, String)>>,
    /// (cells dealt with, cells that apply), for the header of every frame.
    progress: (usize, usize),
}

impl Walk {
    pub(super) fn build(session: &Session, catalogs: &Catalogs, changes: u64) -> Walk {
        let matrix = coverage::matrix(session, catalogs);
        let entries = matrix
            .rows
            .iter()
            .map(|(e, cells)| Entry {
                id: e.id,
                name: e.name.to_string(),
                kinds: e.kinds.iter().map(|k| k.id.clone()).collect(),
                boundary: e.boundary,
                crosses: e.crosses,
                cells: *cells,
                shown_elsewhere: e.shown_elsewhere.iter().map(|r| r.to_string()).collect(),
            })
            .collect();
        let mut by_cell: HashMap<(Id, Category), Vec<Id>> = HashMap::new();
        let mut taken = HashMap::new();
        for t in &session.threats {
            let Some(target) = t.target else { continue };
            by_cell.entry((target, t.category)).or_default().push(t.id);
            if let Some(reference) = &t.catalog {
                taken.entry((target, reference.clone())).or_insert(t.id);
            }
        }
        Walk {
            changes: Some(changes),
            progress: matrix.progress(),
            entries,
            by_cell,
            taken,
            queue: None,
        }
    }

    /// The threat taken from catalog threat `reference` on `element`.
    pub(super) fn taken(&self, element: Id, reference: &str) -> Option<Id> {
        self.taken.get(&(element, reference.to_string())).copied()
    }

    /// (cells dealt with, cells that apply).
    pub(super) fn progress(&self) -> (usize, usize) {
        self.progress
    }

    pub(super) fn position(&self, id: Option<Id>) -> Option<usize> {
        match id {
            Some(id) => self.entries.iter().position(|e| e.id == id),
            None => None,
        }
        .or_else(|| (!self.entries.is_empty()).then_some(0))
    }

    /// The next cell after `row`, `col` nobody has dealt with, round the
    /// walk.
    pub(super) fn next_todo(&self, row: usize, col: usize) -> Option<(usize, usize)> {
        let width = Category::ALL.len();
        let total = self.entries.len() * width;
        if total == 0 {
            return None;
        }
        let start = row.min(self.entries.len() - 1) * width + col.min(width - 1);
        (1..=total)
            .map(|step| (start + step) % total)
            .map(|i| (i / width, i % width))
            .find(|&(r, c)| self.entries[r].cells[c] == Cell::Todo)
    }
}

/// The focused cell of the walk, with what the catalog says about it.
pub(super) struct Here<'c> {
    pub(super) entry: Entry,
    pub(super) row: usize,
    pub(super) category: Category,
    pub(super) prompts: Vec<&'c str>,
    pub(super) candidates: Vec<&'c CandidateThreat>,
    /// For each candidate, the threat taken from it here, if any.
    pub(super) taken: Vec<Option<Id>>,
    /// Threats on this element and category, in file order.
    pub(super) threats: Vec<Id>,
}

pub struct BrainstormScreen {
    pub mode: Mode,
    pub pane: Pane,
    /// The focused element (the first of the walk when `None`).
    pub element: Option<Id>,
    pub category: Category,
    pub candidate: usize,
    pub threat: usize,
    /// Filters the walk's element list.
    pub filter: Filter,
    /// Quick capture: the title being typed.
    pub capture: Option<TextArea<'static>>,
    /// Preselected as the author of the next threat.
    pub last_author: Option<Id>,
    /// The matrix cursor: walk row, category.
    pub cell: (usize, usize),
    /// The threat list's cursor and filter.
    pub listed: usize,
    pub list_filter: Filter,
    /// Position in the triage queue.
    pub triage: usize,
    walk: RefCell<Walk>,
}

impl Default for BrainstormScreen {
    fn default() -> Self {
        BrainstormScreen {
            mode: Mode::Walk,
            pane: Pane::Candidates,
            element: None,
            category: Category::Spoofing,
            candidate: 0,
            threat: 0,
            filter: Filter::default(),
            capture: None,
            last_author: None,
            cell: (0, 0),
            listed: 0,
            list_filter: Filter::default(),
            triage: 0,
            walk: RefCell::new(Walk::default()),
        }
    }
}

/// What a Brainstorm form or question is for.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(super) enum Ask {
    /// A threat, new (`id` `None`) or edited, on an element and category.
    Threat {
        id: Option<Id>,
        element: Id,
        category: Category,
    },
    NotApplicable {
        element: Id,
        category: Category,
    },
    Dismiss {
        element: Id,
        reference: String,
    },
    Move {
        id: Id,
    },
}

impl BrainstormScreen {
    pub(super) fn walk(
        &self,
        session: &Session,
        catalogs: &Catalogs,
        changes: u64,
    ) -> Ref<'_, Walk> {
        if self.walk.borrow().changes != Some(changes) {
            let fresh = Walk::build(session, catalogs, changes);
            *self.walk.borrow_mut() = fresh;
        }
        self.walk.borrow()
    }

    /// The focused cell and what the catalog asks about it.
    fn here<'c>(
        &self,
        session: &Session,
        catalogs: &'c Catalogs,
        changes: u64,
    ) -> Option<Here<'c>> {
        let walk = self.walk(session, catalogs, changes);
        let row = walk.position(self.element)?;
        let entry = walk.entries.get(row)?.clone();
        let categories = entry.categories();
        let category = if categories.contains(&self.category) {
            self.category
        } else {
            categories[0]
        };
        let kinds = entry.kinds(catalogs);
        let cell = walk::prompts_of(&kinds, category, |r| {
            entry.shown_elsewhere.iter().any(|s| s == r)
        });
        let threats = walk
            .by_cell
            .get(&(entry.id, category))
            .cloned()
            .unwrap_or_default();
        let taken = cell
            .candidates
            .iter()
            .map(|c| walk.taken(entry.id, &c.reference))
            .collect();
        Some(Here {
            entry,
            row,
            category,
            prompts: cell.prompts,
            candidates: cell.candidates,
            taken,
            threats,
        })
    }

    fn here_in<'a>(&self, cx: &Ctx<'a>) -> Option<Here<'a>> {
        let catalogs: &'a Catalogs = cx.catalogs;
        self.here(cx.session(), catalogs, cx.changes())
    }

    fn here_of<'v>(&self, view: &'v View) -> Option<Here<'v>> {
        self.here(view.session, view.catalogs, view.changes)
    }

    /// Moves the focus to `element` and `category`, from the start of its
    /// candidates and threats.
    pub(super) fn focus(&mut self, element: Id, category: Category) {
        self.element = Some(element);
        self.category = category;
        self.candidate = 0;
        self.threat = 0;
    }

    /// Walk rows the element filter keeps.
    pub(super) fn shown(&self, walk: &Walk, catalogs: &Catalogs) -> Vec<usize> {
        shown_by(&self.filter, walk, catalogs)
    }

    /// The ids of the elements the filter keeps, in walk order.
    pub(super) fn shown_ids(
        &self,
        session: &Session,
        catalogs: &Catalogs,
        changes: u64,
    ) -> Vec<Id> {
        let walk = self.walk(session, catalogs, changes);
        self.shown(&walk, catalogs)
            .into_iter()
            .filter_map(|r| walk.entries.get(r).map(|e| e.id))
            .collect()
    }

    /// Threats the list filter keeps, by position in the session, in file
    /// order.
    pub(super) fn listed_threats(&self, session: &Session) -> Vec<usize> {
        self.list_filter
            .keep(session.threats.iter(), |t| threat_text(session, t))
    }

    /// Threats the list shows: all of them, unless filtered.
    pub(super) fn listed_count(&self, session: &Session) -> usize {
        if self.list_filter.is_active() {
            self.listed_threats(session).len()
        } else {
            session.threats.len()
        }
    }

    /// The candidates triage has left, in walk order: element, category
    /// and catalog reference. Worked out once per change of the session.
    pub(super) fn queue(
        &self,
        session: &Session,
        catalogs: &Catalogs,
        changes: u64,
    ) -> Vec<(Id, Category, String)> {
        drop(self.walk(session, catalogs, changes));
        if self.walk.borrow().queue.is_none() {
            let elements = coverage::walk_elements(session, catalogs);
            let queue = walk::undecided(session, &elements)
                .into_iter()
                .map(|u| (u.element, u.category, u.candidate.reference.clone()))
                .collect();
            self.walk.borrow_mut().queue = Some(queue);
        }
        self.walk.borrow().queue.clone().unwrap_or_default()
    }

    /// Whether triage has anything left.
    fn queue_is_empty(&self, session: &Session, catalogs: &Catalogs, changes: u64) -> bool {
        drop(self.walk(session, catalogs, changes));
        if let Some(q) = &self.walk.borrow().queue {
            return q.is_empty();
        }
        self.queue(session, catalogs, changes).is_empty()
    }

    /// The author a new threat starts with: the last one used, else the
    /// facilitator.
    pub(super) fn author(&self, session: &Session) -> Option<Id> {
        self.last_author
            .filter(|a| session.participant(*a).is_some())
            .or(session.facilitator)
    }

    pub(super) fn selected_threat(&self, here: &Here) -> Option<Id> {
        here.threats
            .get(self.threat.min(here.threats.len().saturating_sub(1)))
            .copied()
    }
}

/// Walk rows `filter` keeps: it matches ids, names and kinds.
pub(super) fn shown_by(filter: &Filter, walk: &Walk, catalogs: &Catalogs) -> Vec<usize> {
    filter.keep(walk.entries.iter(), |e| {
        let kinds: Vec<&str> = e
            .kinds
            .iter()
            .map(|k| catalogs.kind(k).map_or(k.as_str(), |k| k.name.as_str()))
            .collect();
        format!("{} {} {}", e.id, e.name, kinds.join(" "))
    })
}

/// What the threat list's filter matches: title, element, category, author.
pub(super) fn threat_text(session: &Session, t: &Threat) -> String {
    let target = t.target.and_then(|e| session.name(e)).unwrap_or_default();
    let author = t.author.and_then(|a| session.name(a)).unwrap_or_default();
    format!(
        "{} {} {} {} {}",
        t.id,
        t.title,
        target,
        t.category.name(),
        author
    )
}

pub(super) const NOTHING_TO_WALK: &str =
    "Nothing to walk yet: add actors, components and flows in Scope";
pub(super) const NO_THREAT_HERE: &str = "No threat here yet: a adds one";

impl PhaseScreen for BrainstormScreen {
    fn phase(&self) -> Phase {
        Phase::Brainstorm
    }

    fn section(&self, _view: &View) -> Context {
        match self.mode {
            Mode::Walk => Context::Brainstorm,
            Mode::Matrix => Context::Matrix,
            Mode::Threats => Context::Threats,
            Mode::Triage => Context::Triage,
        }
    }

    fn modal(&self) -> Option<Context> {
        match self.mode {
            Mode::Walk if self.capture.is_some() => Some(Context::Capture),
            Mode::Walk if self.filter.is_typing() => Some(Context::Filter),
            Mode::Threats if self.list_filter.is_typing() => Some(Context::Filter),
            _ => None,
        }
    }

    fn offer(&self, action: &Action, view: &View) -> Offer {
        match self.mode {
            Mode::Walk => self.walk_offer(action, view),
            Mode::Matrix => match action {
                a if list::is_movement(a) => Offer::Enabled,
                Action::Left | Action::Right | Action::Open | Action::Cancel => Offer::Enabled,
                Action::NextCell => Offer::Enabled,
                _ => Offer::Hidden,
            },
            Mode::Threats => {
                if self.list_filter.is_typing() {
                    return Filter::typing_offer(action);
                }
                let any = self.listed_count(view.session) > 0;
                let none = if view.session.threats.is_empty() {
                    "No threats yet"
                } else {
                    "Nothing matches the filter: Esc clears it"
                };
                match action {
                    a if list::is_movement(a) => Offer::Enabled,
                    Action::Cancel | Action::Filter => Offer::Enabled,
                    Action::Open => Offer::when(any, none),
                    Action::Edit | Action::Delete => match view.editable() {
                        Offer::Enabled => Offer::when(any, none),
                        other => other,
                    },
                    _ => Offer::Hidden,
                }
            }
            Mode::Triage => {
                let left = !self.queue_is_empty(view.session, view.catalogs, view.changes);
                match action {
                    Action::Up | Action::Down => Offer::Enabled,
                    Action::Cancel => Offer::Enabled,
                    Action::Open | Action::Dismiss | Action::Edit => match view.editable() {
                        Offer::Enabled => Offer::when(left, "Every candidate is decided"),
                        other => other,
                    },
                    _ => Offer::Hidden,
                }
            }
        }
    }

    fn update(&mut self, action: Action, cx: &mut Ctx) {
        match self.mode {
            Mode::Walk => self.walk_update(action, cx),
            Mode::Matrix => self.matrix_update(action, cx),
            Mode::Threats => self.threats_update(action, cx),
            Mode::Triage => self.triage_update(action, cx),
        }
    }

    fn clamp(&mut self, view: &View) {
        // From the session alone: working out the walk waits until it is
        // looked at.
        let s = view.session;
        if self.element.is_some_and(|e| s.element(e).is_none()) {
            self.element = None;
        }
        let rows = s.actors.len() + s.components.len() + s.flows.len();
        list::clamp(&mut self.cell.0, rows);
        let listed = self.listed_count(s);
        list::clamp(&mut self.listed, listed);
    }

    fn reopen(&mut self, purpose: &toml::Value, cx: &mut Ctx) -> bool {
        let Ok(ask) = purpose.clone().try_into::<Ask>() else {
            return false;
        };
        let s = cx.session();
        let form = match &ask {
            Ask::Threat {
                id,
                element,
                category,
            } => {
                if !super::still_there(s, *id) || s.element(*element).is_none() {
                    return false;
                }
                let threat = id.and_then(|id| s.threat(id));
                let author = threat.map_or_else(|| self.author(s), |t| t.author);
                self.focus(*element, *category);
                threat_form(s, threat, author, *element, *category)
            }
            Ask::NotApplicable { element, category } => {
                if s.element(*element).is_none() {
                    return false;
                }
                self.focus(*element, *category);
                not_applicable_form(s, *element, *category)
            }
            Ask::Dismiss { element, reference } => {
                if s.element(*element).is_none() {
                    return false;
                }
                dismiss_form(cx.catalogs, reference)
            }
            Ask::Move { .. } => return false,
        };
        cx.open_form(form, Purpose::keepable(ask));
        true
    }

    fn keep_typed(&mut self, cx: &mut Ctx) {
        if self.capture.is_some() {
            self.capture_title(cx);
            self.capture = None;
        }
    }

    fn submit(&mut self, purpose: &Purpose, form: &Form, cx: &mut Ctx) -> Result<(), String> {
        let Some(request) = purpose.get::<Ask>().cloned() else {
            return Ok(());
        };
        match request {
            Ask::Threat {
                id,
                element,
                category,
            } => self.save_threat(id, element, category, form, cx),
            Ask::NotApplicable { element, category } => {
                let reason = form.text("reason");
                let name = describe_cell(cx.session(), element, category);
                if cx
                    .edit(format!("{name} not applicable"), |s| {
                        walk::not_applicable(s, element, category, &reason)
                    })
                    .is_some()
                {
                    cx.success(format!("{name}: not applicable ({reason}); n goes on"));
                }
                Ok(())
            }
            Ask::Dismiss { element, reference } => {
                let reason = form.text("reason");
                if cx
                    .edit(format!("dismiss {reference}"), |s| {
                        walk::dismiss(s, element, &reference, &reason)
                    })
                    .is_some()
                {
                    let left = self.queue(cx.session(), cx.catalogs, cx.changes()).len();
                    cx.info(format!(
                        "Dismissed; {} left; u undoes",
                        plural(left, "candidate", "candidates")
                    ));
                }
                Ok(())
            }
            Ask::Move { id } => {
                let element = form.key("element").and_then(|k| k.parse::<Id>().ok());
                let category = form.key("category").and_then(|k| Category::parse(&k));
                let (Some(element), Some(category)) = (element, category) else {
                    return Err("choose an element and a category".to_string());
                };
                if cx
                    .edit(format!("move {id}"), |s| {
                        if let Some(t) = s.threat_mut(id) {
                            t.target = Some(element);
                            t.category = category;
                        }
                    })
                    .is_some()
                {
                    self.focus(element, category);
                    self.pane = Pane::Threats;
                    let to = describe_cell(cx.session(), element, category);
                    cx.success(format!("Moved {id} to {to}"));
                }
                Ok(())
            }
        }
    }

    fn header(&self, view: &View) -> Option<String> {
        let walk = self.walk(view.session, view.catalogs, view.changes);
        let (done, total) = walk.progress();
        if total == 0 {
            return None;
        }
        let percent = done * 100 / total;
        let left = total - done;
        Some(if left == 0 {
            "covered 100%".to_string()
        } else {
            format!(
                "covered {percent}% · {} left",
                plural(left, "cell", "cells")
            )
        })
    }

    fn draw(&self, frame: &mut Frame, area: Rect, view: &View) {
        match self.mode {
            Mode::Walk => self.draw_walk(frame, area, view),
            Mode::Matrix => self.draw_matrix(frame, area, view),
            Mode::Threats => self.draw_threats(frame, area, view),
            Mode::Triage => self.draw_triage(frame, area, view),
        }
    }

    fn participant_focus(&self, view: &View) -> Option<crate::core::participation::Focus> {
        let here = self.here_of(view)?;
        Some(crate::core::participation::Focus {
            element: here.entry.id,
            element_name: here.entry.name.clone(),
            category: here.category,
            category_name: here.category.name().to_string(),
            prompts: here.prompts.iter().map(|p| p.to_string()).collect(),
        })
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// The symbol of a coverage cell: readable without colour.
pub fn symbol(cell: Cell) -> String {
    match cell {
        Cell::Inapplicable => "·".to_string(),
        Cell::Todo => "○".to_string(),
        Cell::Visited => "✓".to_string(),
        Cell::NotApplicable => "–".to_string(),
        Cell::Threats(n) if n > 9 => "9+".to_string(),
        Cell::Threats(n) => n.to_string(),
    }
}

/// The theme's style for a coverage cell.
pub fn cell_style(styles: &Styles, cell: Cell) -> Style {
    match cell {
        Cell::Inapplicable => styles.muted,
        Cell::Todo => styles.role("coverage.todo"),
        Cell::Visited => styles.role("coverage.visited"),
        Cell::NotApplicable => styles.role("coverage.not-applicable"),
        Cell::Threats(_) => styles.role("coverage.threats").add_modifier(Modifier::BOLD),
    }
}

pub(super) fn boxed<'a>(styles: &Styles, title: String, focused: bool) -> Block<'a> {
    Block::default()
        .borders(Borders::ALL)
        .border_style(if focused {
            styles.border_focus
        } else {
            styles.border
        })
        .title(Span::styled(title, styles.title))
}

/// "Payslip bucket (C5) · Tampering".
pub(super) fn describe_cell(session: &Session, element: Id, category: Category) -> String {
    format!(
        "{} · {}",
        one_line(&session.describe(element)),
        category.name()
    )
}
