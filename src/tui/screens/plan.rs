//! Phase 5, Plan: "What are we going to do about it?" The ranking, top
//! first, with the cut line (the top N go to the backlog); per threat its
//! mitigations (adopted from the catalog's proposals, picked from the
//! catalog or written; one may cover several threats), their owners and
//! statuses, and the threat's own status.

use std::any::Any;
use std::cell::{Ref, RefCell};

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, TableState, Wrap};

use super::{MARKER, PhaseScreen, table_room};
use crate::core::ids::Id;
use crate::core::model::{Mitigation, MitigationStatus, Phase, Session, ThreatStatus};
use crate::core::plan::{self, Overview};
use crate::core::scoring::{self, Ranked};
use crate::core::text::{one_line, plural, width};
use crate::tui::action::Action;
use crate::tui::context::{Ctx, Offer, Purpose, Say, View};
use crate::tui::form::{Choice, Field, Form};
use crate::tui::keymap::Context;
use crate::tui::picker::{PickItem, Picker};
use crate::tui::widgets::list;
use crate::tui::widgets::table::{self, Column, Field as Cell, fitted};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Focus {
    #[default]
    Threats,
    Mitigations,
}

/// The ranking as last worked out, good while `changes` holds.
#[derive(Debug, Clone, Default)]
struct Ranking {
    changes: Option<u64>,
    overview: Overview,
}

#[derive(Debug, Clone, Default)]
pub struct PlanScreen {
    /// Position in the ranking.
    pub cursor: usize,
    pub focus: Focus,
    /// Position among the selected threat's mitigations.
    pub mitigation: usize,
    ranking: RefCell<Ranking>,
}

/// What a Plan form or picker is for.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
enum Ask {
    NewMitigation { threat: Id },
    EditMitigation { id: Id },
    ThreatStatus { threat: Id },
    MitigationStatus { id: Id },
    Owner { id: Id },
    OwnerByName { id: Id },
    Catalog { threat: Id },
    Link { threat: Id },
    Adopt,
}

/// Why the plan waits while the vote is secret.
const HIDDEN_VOTE: &str =
    "The vote is not revealed yet, and the ranking would give it away: reveal it in Vote (r)";

/// The owner picker's "someone who is not a participant" item.
const SOMEONE_ELSE: &str = "\u{1}someone-else";

fn committed(status: MitigationStatus) -> bool {
    matches!(
        status,
        MitigationStatus::Planned | MitigationStatus::InProgress | MitigationStatus::Done
    )
}

/// The mitigations covering `threat`, in file order.
fn mitigations_of(s: &Session, threat: Id) -> Vec<&Mitigation> {
    s.mitigations
        .iter()
        .filter(|m| m.threats.contains(&threat))
        .collect()
}

fn status_choices() -> Vec<Choice> {
    ThreatStatus::ALL
        .map(|st| {
            let label = match st {
                ThreatStatus::Open => "open: nothing decided yet",
                ThreatStatus::Mitigating => "mitigating: the work is planned or under way",
                ThreatStatus::Mitigated => "mitigated: done",
                ThreatStatus::Accepted => "accepted: we live with it (say why)",
                ThreatStatus::Transferred => "transferred: someone else carries it (say who)",
                ThreatStatus::NotApplicable => "not applicable: looked at, does not apply here",
            };
            Choice::new(st.key(), label)
        })
        .to_vec()
}

fn mitigation_status_choices() -> Vec<Choice> {
    MitigationStatus::ALL
        .map(|st| Choice::new(st.key(), st.key()))
        .to_vec()
}

fn threat_items(s: &Session) -> Vec<PickItem> {
    s.threats
        .iter()
        .map(|t| PickItem::new(t.id.to_string(), one_line(&t.title), t.id.to_string()))
        .collect()
}

fn ids(keys: &[String]) -> Vec<Id> {
    keys.iter().filter_map(|k| k.parse().ok()).collect()
}

/// The mitigation form: new (covering `threat`) or editing `m`.
fn mitigation_form(s: &Session, threat: Id, m: Option<&Mitigation>) -> Form {
    let title = match m {
        Some(m) => format!("Edit {}", m.id),
        None => format!("New mitigation for {threat}"),
    };
    let covers = m.map_or_else(
        || vec![threat.to_string()],
        |m| m.threats.iter().map(Id::to_string).collect(),
    );
    let owners: Vec<String> = s
        .participants
        .iter()
        .map(|p| one_line(&p.name).into_owned())
        .collect();
    let owner_label: &'static str = if owners.is_empty() {
        "Owner (who makes it happen)"
    } else {
        "Owner (a name; on the list, o picks a participant)"
    };
    Form::new(
        title,
        vec![
            Field::text("text", "What we will do", m.map_or("", |m| &m.text)).required(),
            Field::line("owner", owner_label, m.map_or("", |m| &m.owner)),
            Field::cycle(
                "status",
                "Status",
                mitigation_status_choices(),
                m.map_or(MitigationStatus::Planned.key(), |m| m.status.key()),
            ),
            Field::pick_many("threats", "Threats it covers", threat_items(s), covers),
        ],
    )
}

fn status_form(s: &Session, threat: Id) -> Form {
    let t = s.threat(threat);
    Form::new(
        format!("Status of {threat}"),
        vec![
            Field::cycle(
                "status",
                "Status",
                status_choices(),
                t.map_or("open", |t| t.status.key()),
            ),
            Field::line(
                "reason",
                "Reason (accepted: why we live with it; transferred: who carries it)",
                t.map_or("", |t| &t.status_reason),
            ),
        ],
    )
}

impl PlanScreen {
    /// The ranking, worked out again only after the session changed.
    fn ranked(&self, s: &Session, changes: u64) -> Ref<'_, Vec<Ranked>> {
        Ref::map(self.overview(s, changes), |o| &o.ranking)
    }

    /// The ranking and each threat's mitigations, worked out again only
    /// after the session changed: a frame and the hint bar's questions
    /// look them up instead of searching the session.
    fn overview(&self, s: &Session, changes: u64) -> Ref<'_, Overview> {
        if self.ranking.borrow().changes != Some(changes) {
            *self.ranking.borrow_mut() = Ranking {
                changes: Some(changes),
                overview: Overview::new(s),
            };
        }
        Ref::map(self.ranking.borrow(), |r| &r.overview)
    }

    /// The mitigations covering `threat`, from the overview.
    fn covering<'s>(&self, s: &'s Session, changes: u64, threat: Id) -> Vec<&'s Mitigation> {
        self.overview(s, changes).mitigations_of(s, threat)
    }

    fn selected(&self, s: &Session, changes: u64) -> Option<Id> {
        let ranked = self.ranked(s, changes);
        ranked
            .get(self.cursor.min(ranked.len().saturating_sub(1)))
            .map(|r| r.threat)
    }

    /// The mitigation the keys act on: the one under the cursor in the
    /// mitigations pane, or a threat's only one.
    fn target_mitigation(&self, s: &Session, changes: u64) -> Option<Id> {
        let threat = self.selected(s, changes)?;
        let ms = self.covering(s, changes, threat);
        match self.focus {
            Focus::Mitigations => ms
                .get(self.mitigation.min(ms.len().saturating_sub(1)))
                .map(|m| m.id),
            Focus::Threats if ms.len() == 1 => ms.first().map(|m| m.id),
            Focus::Threats => None,
        }
    }

    fn needs_one(&self, s: &Session, changes: u64) -> Offer {
        let count = self
            .selected(s, changes)
            .map_or(0, |t| self.covering(s, changes, t).len());
        match (self.focus, count) {
            (_, 0) => Offer::Disabled(
                "No mitigation yet: a writes one, c picks one from the catalog".to_string(),
            ),
            (Focus::Threats, _) => Offer::Disabled(
                "This threat has several mitigations: Tab to them and pick one".to_string(),
            ),
            _ => Offer::Enabled,
        }
    }

    /// Puts the cursor on `threat` in the ranking.
    fn follow(&mut self, s: &Session, changes: u64, threat: Id) {
        let at = self
            .ranked(s, changes)
            .iter()
            .position(|r| r.threat == threat);
        if let Some(at) = at {
            self.cursor = at;
        }
    }

    fn open_owner_picker(cx: &mut Ctx, id: Id) {
        let s = cx.session();
        let current = s
            .mitigations
            .iter()
            .find(|m| m.id == id)
            .map(|m| m.owner.clone());
        let mut items: Vec<PickItem> = s
            .participants
            .iter()
            .map(|p| {
                PickItem::new(
                    p.name.clone(),
                    one_line(&p.name),
                    p.persona.map(|p| p.name()).unwrap_or_default(),
                )
            })
            .collect();
        items.push(PickItem::new(SOMEONE_ELSE, "Someone else: type a name", ""));
        let picker = Picker::single(&format!("Owner of {id}"), items, current, true);
        cx.open_picker(picker, Purpose::new(Ask::Owner { id }));
    }

    /// The session's mitigations not on `threat`, those on no threat
    /// first: an import can bring those, and they show nowhere else.
    fn open_link_picker(cx: &mut Ctx, threat: Id) {
        let s = cx.session();
        let (loose, linked): (Vec<&Mitigation>, Vec<&Mitigation>) = s
            .mitigations
            .iter()
            .filter(|m| !m.threats.contains(&threat))
            .partition(|m| m.threats.is_empty());
        let items: Vec<PickItem> = loose
            .into_iter()
            .chain(linked)
            .map(|m| {
                let on = if m.threats.is_empty() {
                    "on no threat".to_string()
                } else {
                    let mut on: Vec<String> = m.threats.iter().take(3).map(Id::to_string).collect();
                    if m.threats.len() > 3 {
                        on.push(format!("+{}", m.threats.len() - 3));
                    }
                    format!("on {}", on.join(" "))
                };
                // The id leads: the text is long and the detail is cut
                // first on a narrow terminal.
                PickItem::new(
                    m.id.to_string(),
                    format!("{} {}", m.id, one_line(&m.text)),
                    format!("{on} · {}", m.status.key()),
                )
            })
            .collect();
        if items.is_empty() {
            cx.info(format!(
                "Every mitigation in the session covers {threat} already"
            ));
            return;
        }
        let picker = Picker::multi(
            &format!("Mitigations to put on {threat}"),
            items,
            Vec::new(),
        );
        cx.open_picker(picker, Purpose::new(Ask::Link { threat }));
    }

    fn open_catalog_picker(cx: &mut Ctx, threat: Id) {
        let s = cx.session();
        let offers = plan::catalog_offers(s, cx.catalogs, threat);
        if offers.is_empty() {
            cx.info("The catalog has nothing for this threat's element and category: a writes a mitigation");
            return;
        }
        let items: Vec<PickItem> = offers
            .iter()
            .map(|o| {
                let here = o
                    .in_session
                    .and_then(|id| s.mitigations.iter().find(|m| m.id == id))
                    .is_some_and(|m| m.threats.contains(&threat));
                let mut detail = o.kind.name.clone();
                if here {
                    detail = format!("on this threat · {detail}");
                } else if o.in_session.is_some() {
                    detail = format!("shared · {detail}");
                } else if o.own {
                    detail = format!("for this threat · {detail}");
                }
                PickItem::new(
                    o.mitigation.reference.clone(),
                    format!(
                        "{}: {}",
                        o.mitigation.control.trim(),
                        o.mitigation.text.trim()
                    ),
                    detail,
                )
                .with_keywords(std::slice::from_ref(&o.threat.title))
            })
            .collect();
        let picker = Picker::multi(
            &format!("Catalog mitigations for {threat}"),
            items,
            Vec::new(),
        );
        cx.open_picker(picker, Purpose::new(Ask::Catalog { threat }));
    }
}

impl PhaseScreen for PlanScreen {
    fn phase(&self) -> Phase {
        Phase::Plan
    }

    fn section(&self, _view: &View) -> Context {
        Context::Plan
    }

    fn offer(&self, action: &Action, view: &View) -> Offer {
        let s = view.session;
        let changes = view.changes;
        let editable = view.editable();
        let Some(threat) = self.selected(s, changes) else {
            return match action {
                a if list::is_movement(a) => Offer::Enabled,
                Action::Open | Action::Add | Action::More | Action::Less => Offer::Disabled(
                    "No threats to plan: Brainstorm captures them (P then 3)".to_string(),
                ),
                _ => Offer::Hidden,
            };
        };
        if scoring::votes_hidden(s) {
            return match action {
                a if list::is_movement(a) => Offer::Hidden,
                Action::NextPane | Action::PrevPane | Action::Cancel => Offer::Hidden,
                _ => Offer::Disabled(HIDDEN_VOTE.to_string()),
            };
        }
        let edit = |offer: Offer| match editable.clone() {
            Offer::Enabled => offer,
            refused => refused,
        };
        match action {
            a if list::is_movement(a) => Offer::Enabled,
            Action::NextPane | Action::PrevPane | Action::Open => Offer::Enabled,
            Action::Cancel => match self.focus {
                Focus::Mitigations => Offer::Enabled,
                Focus::Threats => Offer::Hidden,
            },
            Action::Add | Action::FromCatalog | Action::Status => editable,
            Action::Link => edit(if s.mitigations.is_empty() {
                Offer::Disabled(
                    "No mitigation in the session yet: a writes one, c picks from the catalog"
                        .to_string(),
                )
            } else {
                Offer::when(
                    s.mitigations.iter().any(|m| !m.threats.contains(&threat)),
                    format!("Every mitigation in the session covers {threat} already"),
                )
            }),
            Action::Adopt => edit(match self.focus {
                Focus::Threats => Offer::when(
                    self.covering(s, changes, threat)
                        .iter()
                        .any(|m| !committed(m.status)),
                    "Nothing proposed to adopt: c picks from the catalog, a writes one",
                ),
                Focus::Mitigations => match self.target_mitigation(s, changes) {
                    Some(id) => Offer::when(
                        s.mitigations
                            .iter()
                            .find(|m| m.id == id)
                            .is_some_and(|m| !committed(m.status)),
                        "Already adopted: s changes its status",
                    ),
                    None => Offer::Disabled("No mitigation yet: a writes one".to_string()),
                },
            }),
            Action::Owner | Action::Edit => edit(self.needs_one(s, changes)),
            Action::Delete => edit(match self.focus {
                Focus::Mitigations => self.needs_one(s, changes),
                Focus::Threats => Offer::Hidden,
            }),
            Action::More => edit(Offer::when(
                s.cut_line.is_some(),
                "Every threat is in the backlog already",
            )),
            Action::Less => edit(Offer::when(
                s.cut_line != Some(0),
                "The backlog is empty already: + brings one back",
            )),
            Action::TieUp | Action::TieDown => {
                if self.focus != Focus::Threats {
                    return Offer::Hidden;
                }
                let tied = plan::tie_group(&self.ranked(s, changes), threat).len() > 1;
                edit(Offer::when(
                    tied,
                    format!("{threat} ties with no other threat: its place is decided"),
                ))
            }
            _ => Offer::Hidden,
        }
    }

    fn update(&mut self, action: Action, cx: &mut Ctx) {
        let changes = cx.changes();
        let Some(threat) = self.selected(cx.session(), changes) else {
            if list::is_movement(&action) {
                self.cursor = 0;
            }
            return;
        };
        let count = self.ranked(cx.session(), changes).len();
        let ms = mitigations_of(cx.session(), threat).len();
        match action {
            a if list::is_movement(&a) => match self.focus {
                Focus::Threats => {
                    list::move_cursor(&mut self.cursor, count, &a, cx.page);
                    self.mitigation = 0;
                }
                Focus::Mitigations => list::move_cursor(&mut self.mitigation, ms, &a, cx.page),
            },
            Action::NextPane | Action::PrevPane => {
                self.focus = match self.focus {
                    Focus::Threats => Focus::Mitigations,
                    Focus::Mitigations => Focus::Threats,
                };
            }
            Action::Cancel => self.focus = Focus::Threats,
            Action::Open => match self.focus {
                Focus::Threats => {
                    self.focus = Focus::Mitigations;
                    if ms == 0 {
                        cx.info("No mitigation yet: a writes one, c picks from the catalog");
                    }
                }
                Focus::Mitigations => match self.target_mitigation(cx.session(), changes) {
                    Some(id) => {
                        let form = {
                            let s = cx.session();
                            mitigation_form(s, threat, s.mitigations.iter().find(|m| m.id == id))
                        };
                        cx.open_form(form, Purpose::keepable(Ask::EditMitigation { id }));
                    }
                    None => {
                        let form = mitigation_form(cx.session(), threat, None);
                        cx.open_form(form, Purpose::keepable(Ask::NewMitigation { threat }));
                    }
                },
            },
            Action::Add => {
                let form = mitigation_form(cx.session(), threat, None);
                cx.open_form(form, Purpose::keepable(Ask::NewMitigation { threat }));
            }
            Action::Edit => {
                if let Some(id) = self.target_mitigation(cx.session(), changes) {
                    let form = {
                        let s = cx.session();
                        mitigation_form(s, threat, s.mitigations.iter().find(|m| m.id == id))
                    };
                    cx.open_form(form, Purpose::keepable(Ask::EditMitigation { id }));
                }
            }
            Action::Adopt => {
                let proposed: Vec<(Id, String)> = mitigations_of(cx.session(), threat)
                    .iter()
                    .filter(|m| !committed(m.status))
                    .map(|m| (m.id, m.text.clone()))
                    .collect();
                let chosen = match self.focus {
                    Focus::Mitigations => self.target_mitigation(cx.session(), changes),
                    Focus::Threats if proposed.len() == 1 => proposed.first().map(|p| p.0),
                    Focus::Threats => {
                        let items = proposed
                            .iter()
                            .map(|(id, text)| {
                                PickItem::new(id.to_string(), one_line(text), id.to_string())
                            })
                            .collect();
                        let picker =
                            Picker::multi(&format!("Adopt for {threat}"), items, Vec::new());
                        cx.open_picker(picker, Purpose::new(Ask::Adopt));
                        None
                    }
                };
                if let Some(id) = chosen {
                    adopt(cx, &[id]);
                }
            }
            Action::FromCatalog => Self::open_catalog_picker(cx, threat),
            Action::Link => Self::open_link_picker(cx, threat),
            Action::Owner => {
                if let Some(id) = self.target_mitigation(cx.session(), changes) {
                    Self::open_owner_picker(cx, id);
                }
            }
            Action::Status => match (self.focus, self.target_mitigation(cx.session(), changes)) {
                (Focus::Mitigations, Some(id)) => {
                    let current = cx
                        .session()
                        .mitigations
                        .iter()
                        .find(|m| m.id == id)
                        .map_or("proposed", |m| m.status.key());
                    let form = Form::new(
                        format!("Status of {id}"),
                        vec![Field::cycle(
                            "status",
                            "Status",
                            mitigation_status_choices(),
                            current,
                        )],
                    )
                    .enter_saves();
                    cx.open_form(form, Purpose::new(Ask::MitigationStatus { id }));
                }
                _ => {
                    let form = status_form(cx.session(), threat);
                    cx.open_form(form, Purpose::new(Ask::ThreatStatus { threat }));
                }
            },
            Action::Delete => {
                if let Some(id) = self.target_mitigation(cx.session(), changes) {
                    let removed = cx.edit(format!("take {id} off {threat}"), |s| {
                        plan::unlink(s, id, threat)
                    });
                    match removed {
                        Some(Ok(true)) => {
                            cx.info(format!("{id} removed (it covered only {threat}); u undoes"))
                        }
                        Some(Ok(false)) => cx.info(format!(
                            "{id} taken off {threat}; it still covers others; u undoes"
                        )),
                        Some(Err(e)) => cx.warn(e.to_string()),
                        None => {}
                    }
                    let left = mitigations_of(cx.session(), threat).len();
                    list::clamp(&mut self.mitigation, left);
                    if left == 0 {
                        self.focus = Focus::Threats;
                    }
                }
            }
            Action::More | Action::Less => {
                let more = action == Action::More;
                let line = cx.edit(
                    if more {
                        "cut line lower"
                    } else {
                        "cut line higher"
                    },
                    |s| plan::move_cut_line(s, count, more),
                );
                match line {
                    Some(Some(n)) => cx.info(format!(
                        "The top {n} go to the backlog ({} left out)",
                        count.saturating_sub(usize::try_from(n).unwrap_or(0))
                    )),
                    Some(None) => cx.info(format!("All {count} threats go to the backlog")),
                    None => {}
                }
            }
            Action::TieUp | Action::TieDown => {
                let up = action == Action::TieUp;
                let ranked = self.ranked(cx.session(), changes).clone();
                let moved = cx.edit(format!("order of {threat} among ties"), |s| {
                    plan::move_in_tie(s, &ranked, threat, up)
                });
                match moved {
                    Some(Ok(())) => {
                        let changes = cx.changes();
                        self.follow(cx.session(), changes, threat);
                        cx.info(format!(
                            "{threat} moved {} among its ties; the order is kept",
                            if up { "up" } else { "down" }
                        ));
                    }
                    Some(Err(e)) => cx.warn(e.to_string()),
                    None => {}
                }
            }
            _ => {}
        }
    }

    fn clamp(&mut self, view: &View) {
        let len = self.ranked(view.session, view.changes).len();
        list::clamp(&mut self.cursor, len);
        let ms = self
            .selected(view.session, view.changes)
            .map_or(0, |t| mitigations_of(view.session, t).len());
        list::clamp(&mut self.mitigation, ms);
    }

    fn reopen(&mut self, purpose: &toml::Value, cx: &mut Ctx) -> bool {
        let Ok(ask) = purpose.clone().try_into::<Ask>() else {
            return false;
        };
        let s = cx.session();
        let form = match &ask {
            Ask::NewMitigation { threat } if s.threat(*threat).is_some() => {
                mitigation_form(s, *threat, None)
            }
            Ask::EditMitigation { id } => {
                let Some(m) = s.mitigations.iter().find(|m| m.id == *id) else {
                    return false;
                };
                let Some(threat) = m.threats.first().copied() else {
                    return false;
                };
                mitigation_form(s, threat, Some(m))
            }
            _ => return false,
        };
        cx.open_form(form, Purpose::keepable(ask));
        true
    }

    fn submit(&mut self, purpose: &Purpose, form: &Form, cx: &mut Ctx) -> Result<(), String> {
        let Some(ask) = purpose.get::<Ask>() else {
            return Ok(());
        };
        let mstatus = |form: &Form| {
            form.key("status")
                .and_then(|k| MitigationStatus::ALL.into_iter().find(|s| s.key() == k))
                .unwrap_or_default()
        };
        match ask.clone() {
            Ask::NewMitigation { threat } => {
                let covers = ids(&form.keys("threats"));
                let covers = if covers.is_empty() {
                    vec![threat]
                } else {
                    covers
                };
                let (text, owner, status) = (form.text("text"), form.text("owner"), mstatus(form));
                let made = cx
                    .edit(format!("new mitigation for {threat}"), |s| {
                        plan::add_mitigation(s, &covers, &text, &owner, status)
                    })
                    .transpose()
                    .map_err(|e| e.to_string())?;
                if let Some(id) = made {
                    let n = mitigations_of(cx.session(), threat).len();
                    self.focus = Focus::Mitigations;
                    self.mitigation = mitigations_of(cx.session(), threat)
                        .iter()
                        .position(|m| m.id == id)
                        .unwrap_or(n.saturating_sub(1));
                    let mut list: Vec<String> = covers.iter().take(4).map(Id::to_string).collect();
                    if covers.len() > 4 {
                        list.push(format!("{} more", covers.len() - 4));
                    }
                    cx.success(format!("{id} added, covering {}", list.join(", ")));
                }
                Ok(())
            }
            Ask::EditMitigation { id } => {
                let covers = ids(&form.keys("threats"));
                if covers.is_empty() {
                    return Err("it must cover a threat: d takes it off this one".to_string());
                }
                let (text, owner, status) = (form.text("text"), form.text("owner"), mstatus(form));
                cx.edit(format!("edit {id}"), |s| {
                    plan::update_mitigation(s, id, &text, &owner, status, &covers)
                })
                .transpose()
                .map_err(|e| e.to_string())?;
                let changes = cx.changes();
                let left = self
                    .selected(cx.session(), changes)
                    .map_or(0, |t| mitigations_of(cx.session(), t).len());
                list::clamp(&mut self.mitigation, left);
                cx.success(format!("{id} saved"));
                Ok(())
            }
            Ask::ThreatStatus { threat } => {
                let status = form
                    .key("status")
                    .and_then(|k| ThreatStatus::ALL.into_iter().find(|s| s.key() == k))
                    .unwrap_or_default();
                let reason = form.text("reason");
                cx.edit(format!("status of {threat}"), |s| {
                    plan::set_status(s, threat, status, &reason)
                })
                .transpose()
                .map_err(|e| e.to_string())?;
                cx.success(format!("{threat} is {}", status.key()));
                Ok(())
            }
            Ask::MitigationStatus { id } => {
                let status = mstatus(form);
                cx.edit(format!("status of {id}"), |s| {
                    plan::set_mitigation_status(s, id, status)
                })
                .transpose()
                .map_err(|e| e.to_string())?;
                cx.success(format!("{id} is {}", status.key()));
                Ok(())
            }
            Ask::OwnerByName { id } => {
                let owner = form.text("owner");
                set_owner(cx, id, &owner);
                Ok(())
            }
            Ask::Owner { .. } | Ask::Catalog { .. } | Ask::Link { .. } | Ask::Adopt => Ok(()),
        }
    }

    fn picked(&mut self, purpose: &Purpose, keys: Vec<String>, cx: &mut Ctx) {
        match purpose.get::<Ask>().cloned() {
            Some(Ask::Owner { id }) => match keys.first().map(String::as_str) {
                Some(SOMEONE_ELSE) => {
                    let current = cx
                        .session()
                        .mitigations
                        .iter()
                        .find(|m| m.id == id)
                        .map(|m| m.owner.clone())
                        .unwrap_or_default();
                    let form = Form::new(
                        format!("Owner of {id}"),
                        vec![Field::line("owner", "Owner: a name, a team", &current)],
                    )
                    .enter_saves();
                    cx.open_form(form, Purpose::new(Ask::OwnerByName { id }));
                }
                Some(name) => set_owner(cx, id, name),
                None => set_owner(cx, id, ""),
            },
            Some(Ask::Catalog { threat }) => {
                if keys.is_empty() {
                    cx.info("Nothing picked: Space marks a mitigation, Enter takes the marked");
                    return;
                }
                let catalogs = cx.catalogs;
                let taken = cx.edit(format!("catalog mitigations for {threat}"), |s| {
                    keys.iter()
                        .map(|k| plan::take_from_catalog(s, catalogs, threat, k))
                        .collect::<Result<Vec<_>, _>>()
                });
                match taken {
                    Some(Ok(taken)) => {
                        let shared = taken.iter().filter(|(_, shared)| *shared).count();
                        let mut text = format!(
                            "{} planned for {threat}",
                            plural(taken.len(), "mitigation", "mitigations")
                        );
                        if shared > 0 {
                            text.push_str(&format!(" ({shared} shared with other threats)"));
                        }
                        self.focus = Focus::Mitigations;
                        cx.success(text);
                    }
                    Some(Err(e)) => cx.warn(e.to_string()),
                    None => {}
                }
            }
            Some(Ask::Link { threat }) => {
                let chosen = ids(&keys);
                if chosen.is_empty() {
                    cx.info("Nothing picked: Space marks a mitigation, Enter takes the marked");
                    return;
                }
                let label = id_list(&chosen);
                let linked = cx.edit(format!("put {label} on {threat}"), |s| {
                    plan::link(s, &chosen, threat)
                });
                match linked {
                    Some(Ok(_)) => {
                        let changes = cx.changes();
                        self.follow(cx.session(), changes, threat);
                        self.focus = Focus::Mitigations;
                        self.mitigation = mitigations_of(cx.session(), threat)
                            .iter()
                            .position(|m| chosen.contains(&m.id))
                            .unwrap_or(0);
                        let verb = if chosen.len() == 1 { "covers" } else { "cover" };
                        cx.success(format!("{label} {verb} {threat} now; u undoes"));
                    }
                    Some(Err(e)) => cx.warn(e.to_string()),
                    None => {}
                }
            }
            Some(Ask::Adopt) => adopt(cx, &ids(&keys)),
            _ => {}
        }
    }

    fn header(&self, view: &View) -> Option<String> {
        let s = view.session;
        if scoring::votes_hidden(s) {
            return Some("vote not revealed".to_string());
        }
        let ranked = self.ranked(s, view.changes);
        let top = scoring::backlog(s, &ranked);
        Some(format!("backlog {top} of {}", ranked.len()))
    }

    fn draw(&self, frame: &mut Frame, area: Rect, view: &View) {
        draw(self, frame, area, view);
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// `M1, M4`.
fn id_list(ids: &[Id]) -> String {
    ids.iter().map(Id::to_string).collect::<Vec<_>>().join(", ")
}

fn adopt(cx: &mut Ctx, chosen: &[Id]) {
    if chosen.is_empty() {
        cx.info("Nothing picked: Space marks a mitigation, Enter adopts the marked");
        return;
    }
    let label = id_list(chosen);
    let done = cx.edit(format!("adopt {label}"), |s| {
        chosen
            .iter()
            .map(|id| plan::adopt(s, *id))
            .collect::<Result<Vec<_>, _>>()
    });
    match done {
        Some(Ok(_)) => cx.success(format!("{label} adopted: planned; o gives an owner")),
        Some(Err(e)) => cx.warn(e.to_string()),
        None => {}
    }
}

fn set_owner(cx: &mut Ctx, id: Id, owner: &str) {
    let owner = owner.trim().to_string();
    let done = cx.edit(format!("owner of {id}"), |s| plan::set_owner(s, id, &owner));
    match done {
        Some(Ok(())) if owner.is_empty() => cx.info(format!("{id} has no owner")),
        Some(Ok(())) => cx.success(format!("{id} is {}'s", one_line(&owner))),
        Some(Err(e)) => cx.warn(e.to_string()),
        None => {}
    }
}

fn draw(screen: &PlanScreen, frame: &mut Frame, area: Rect, view: &View) {
    let s = view.session;
    let st = view.styles;
    if scoring::votes_hidden(s) {
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(st.border)
            .title(Span::styled(" Ranking ", st.title));
        frame.render_widget(
            Paragraph::new(vec![
                Line::from(Span::styled(
                    "The vote is not revealed yet.",
                    st.title.add_modifier(Modifier::BOLD),
                )),
                Line::from(""),
                Line::from(Span::styled(
                    "The ranking would give the totals away. Reveal them in Vote (P then 4, r), then plan.",
                    st.base,
                )),
            ])
            .wrap(Wrap { trim: true })
            .block(block)
            .style(st.base),
            area,
        );
        return;
    }
    let overview = screen.overview(s, view.changes);
    let ranked = &overview.ranking;
    let cut = overview.backlog;
    let [top, body] = Layout::vertical([Constraint::Length(1), Constraint::Min(3)]).areas(area);
    let unplanned = overview.unplanned().count();
    let loose = plan::unlinked(s).count();
    let lead = format!("The top {cut} of {} go to the backlog", ranked.len());
    // Each warning in a long form and a short one: the long forms while
    // they fit, the mitigations on no threat shortened first.
    let warning = |count: usize, long: String, short: String| (count > 0).then_some((long, short));
    let unplanned_text = warning(
        unplanned,
        format!(
            " · {} without a plan or owner",
            plural(unplanned, "threat", "threats")
        ),
        format!(" · {unplanned} without plan or owner"),
    );
    let loose_text = warning(
        loose,
        format!(
            " · {} on no threat: press l",
            plural(loose, "mitigation", "mitigations")
        ),
        format!(" · {loose} unlinked (l)"),
    );
    let room = usize::from(top.width);
    let pick = |long_first: bool, long_second: bool| {
        let first = unplanned_text
            .as_ref()
            .map(|(l, s)| if long_first { l } else { s });
        let second = loose_text
            .as_ref()
            .map(|(l, s)| if long_second { l } else { s });
        (first.cloned(), second.cloned())
    };
    let fits = |(a, b): &(Option<String>, Option<String>)| {
        width(&lead) + a.as_deref().map_or(0, width) + b.as_deref().map_or(0, width) <= room
    };
    let (first, second) = [pick(true, true), pick(true, false), pick(false, true)]
        .into_iter()
        .find(fits)
        .unwrap_or_else(|| pick(false, false));
    let mut banner = vec![Span::styled(lead, st.base.add_modifier(Modifier::BOLD))];
    for text in [first, second].into_iter().flatten() {
        banner.push(Span::styled(text, st.warning));
    }
    let how = " · ranked by dots, then risk, then age";
    let used: usize = banner.iter().map(|s| width(&s.content)).sum();
    if used + width(how) <= usize::from(top.width) {
        banner.push(Span::styled(how, st.muted));
    }
    frame.render_widget(Paragraph::new(Line::from(banner)).style(st.base), top);
    let wide = body.width >= 110;
    let (list_area, detail_area) = if wide {
        let [a, b] = Layout::horizontal([Constraint::Fill(3), Constraint::Fill(2)]).areas(body);
        (a, b)
    } else {
        let detail = if body.height >= 28 { 11 } else { 8 };
        let [a, b] = Layout::vertical([Constraint::Min(5), Constraint::Length(detail)]).areas(body);
        (a, b)
    };
    draw_ranking(screen, frame, list_area, view, &overview);
    let selected = ranked
        .get(screen.cursor.min(ranked.len().saturating_sub(1)))
        .map(|r| r.threat);
    draw_detail(screen, frame, detail_area, view, &overview, selected);
}

fn draw_ranking(
    screen: &PlanScreen,
    frame: &mut Frame,
    area: Rect,
    view: &View,
    overview: &Overview,
) {
    let ranked = &overview.ranking;
    let cut = overview.backlog;
    let s = view.session;
    let st = view.styles;
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(if screen.focus == Focus::Threats {
            st.border_focus
        } else {
            st.border
        })
        .title(Span::styled(" Ranking ", st.title));
    if ranked.is_empty() {
        frame.render_widget(
            Paragraph::new("No threats yet: Brainstorm captures them (P then 3).")
                .block(block)
                .style(st.base),
            area,
        );
        return;
    }
    // The cut line is a row of its own after the first `cut` threats.
    let cursor = screen.cursor.min(ranked.len() - 1);
    let row_of = |i: usize| if i >= cut { i + 1 } else { i };
    let total = ranked.len() + 1;
    let height = usize::from(block.inner(area).height.saturating_sub(1));
    let window = list::window(total, row_of(cursor), height);
    let line_style = st.accent.add_modifier(Modifier::BOLD);
    let rows: Vec<Vec<Cell>> = window
        .clone()
        .map(|row| {
            if row == cut {
                let text = if cut == ranked.len() {
                    format!("── cut line (all {cut})")
                } else {
                    format!("── cut line (top {cut})")
                };
                // Drawn once the column widths are known: see below.
                return vec![Cell::styled(text, line_style)];
            }
            let i = if row > cut { row - 1 } else { row };
            let Some(r) = ranked.get(i) else {
                return Vec::new();
            };
            let Some(t) = s.threat(r.threat) else {
                return Vec::new();
            };
            let above = i < cut;
            let mut title_style = st.base;
            if !above {
                title_style = st.muted;
            }
            let gap = overview.gaps.get(i).copied().flatten();
            let plan = match gap.map(plan::Gap::describe) {
                Some(what) if above => Cell::styled(what, st.warning),
                Some(what) => Cell::styled(what, st.muted),
                None => {
                    let mut owners: Vec<String> = Vec::new();
                    for m in overview.mitigations_of(s, t.id) {
                        let owner = one_line(m.owner.trim()).into_owned();
                        if committed(m.status) && !owner.is_empty() && !owners.contains(&owner) {
                            owners.push(owner);
                        }
                    }
                    Cell::styled(
                        if owners.is_empty() {
                            t.status.key().to_string()
                        } else {
                            owners.join(", ")
                        },
                        st.success,
                    )
                }
            };
            vec![
                Cell::styled(
                    format!("{}{}", r.rank, if r.tied { "=" } else { "" }),
                    if r.tied { st.warning } else { st.muted },
                ),
                Cell::styled(t.id.to_string(), st.muted),
                Cell::styled(one_line(&t.title), title_style),
                Cell::styled(t.category.letter().to_string(), st.stride(t.category)),
                Cell::styled(r.dots.to_string(), st.role("vote.dot")),
                Cell::styled(
                    r.risk.map_or(String::new(), |v| v.to_string()),
                    r.band.map_or(st.muted, |b| st.risk(b)),
                ),
                Cell::styled(t.status.key(), st.base),
                plan,
            ]
        })
        .filter(|row| !row.is_empty())
        .collect();
    let columns = [
        Column::fixed("Rank", 4),
        Column::fixed("ID", 5),
        Column::name("Threat"),
        Column::fixed("", 1),
        Column::fixed("Dots", 4),
        Column::fixed("LxI", 3),
        Column::fixed("Status", 11),
        Column::extra("Plan").min(8),
    ];
    // The cut line is a rule across every column, its label in the
    // threat's: widths come from the threats' rows alone.
    let mut rows = rows;
    let cut_row = (window.contains(&cut)).then(|| cut - window.start);
    let label = cut_row
        .and_then(|at| rows.get(at))
        .and_then(|r| r.first())
        .map(|c| c.text.clone())
        .unwrap_or_default();
    let measured: Vec<Vec<Cell>> = rows
        .iter()
        .enumerate()
        .filter(|(i, _)| Some(*i) != cut_row)
        .map(|(_, r)| r.clone())
        .collect();
    let widths = table::widths(&columns, &measured, table_room(area));
    if let Some(row) = cut_row.and_then(|at| rows.get_mut(at)) {
        *row = widths
            .iter()
            .enumerate()
            .map(|(i, &w)| {
                let w = usize::from(w);
                let text = if i == 2 {
                    let room = w.saturating_sub(width(&label) + 1);
                    format!("{label} {}", "─".repeat(room))
                } else {
                    "─".repeat(w)
                };
                Cell::styled(text, line_style)
            })
            .collect();
    }
    let table = table::with_widths(&columns, rows, &widths, st.muted)
        .block(block)
        .row_highlight_style(if screen.focus == Focus::Threats {
            st.selection()
        } else {
            st.selection().remove_modifier(Modifier::REVERSED)
        })
        .highlight_symbol(MARKER)
        .style(st.base);
    let selected = row_of(cursor).saturating_sub(window.start);
    frame.render_stateful_widget(
        table,
        area,
        &mut TableState::default().with_selected(Some(selected)),
    );
}

fn draw_detail(
    screen: &PlanScreen,
    frame: &mut Frame,
    area: Rect,
    view: &View,
    overview: &Overview,
    threat: Option<Id>,
) {
    let s = view.session;
    let st = view.styles;
    let focused = screen.focus == Focus::Mitigations;
    let Some(t) = threat.and_then(|id| s.threat(id)) else {
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(st.border)
            .title(Span::styled(" Mitigations ", st.title));
        frame.render_widget(Block::default().style(st.base), area);
        frame.render_widget(block, area);
        return;
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(if focused { st.border_focus } else { st.border })
        .title(Line::from(vec![Span::styled(
            format!(" Mitigations of {} ", t.id),
            st.title,
        )]));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let element = t
        .target
        .and_then(|e| s.name(e))
        .map_or("no element".to_string(), |n| one_line(n).into_owned());
    let mut status = vec![
        Span::styled(
            t.status.key().to_string(),
            st.accent.add_modifier(Modifier::BOLD),
        ),
        Span::styled(format!(" · on {element}"), st.muted),
    ];
    if !t.status_reason.trim().is_empty() {
        status.push(Span::styled(
            format!(" · {}", one_line(&t.status_reason)),
            st.base,
        ));
    }
    let [head, rest] = Layout::vertical([Constraint::Length(2), Constraint::Min(1)]).areas(inner);
    frame.render_widget(
        Paragraph::new(vec![
            Line::from(Span::styled(
                one_line(&t.title).into_owned(),
                st.base.add_modifier(Modifier::BOLD),
            )),
            Line::from(status),
        ])
        .wrap(Wrap { trim: true })
        .style(st.base),
        head,
    );
    let ms = overview.mitigations_of(s, t.id);
    if ms.is_empty() {
        let mut hint = vec![
            Span::styled("No mitigation yet. ", st.warning),
            Span::styled("a", st.hint_key),
            Span::styled(" writes one, ", st.muted),
            Span::styled("c", st.hint_key),
            Span::styled(" picks from the catalog", st.muted),
        ];
        if s.mitigations.is_empty() {
            hint.push(Span::styled(".", st.muted));
        } else {
            hint.extend([
                Span::styled(", ", st.muted),
                Span::styled("l", st.hint_key),
                Span::styled(" takes one already in the session.", st.muted),
            ]);
        }
        frame.render_widget(
            Paragraph::new(vec![Line::from(hint)])
                .wrap(Wrap { trim: true })
                .style(st.base),
            rest,
        );
        return;
    }
    let cursor = screen.mitigation.min(ms.len() - 1);
    let height = usize::from(rest.height.saturating_sub(1));
    let window = list::window(ms.len(), cursor, height);
    let rows: Vec<Vec<Cell>> = ms[window.clone()]
        .iter()
        .map(|m| {
            let others: Vec<String> = m
                .threats
                .iter()
                .filter(|x| **x != t.id)
                .map(Id::to_string)
                .collect();
            let status_style = match m.status {
                MitigationStatus::Proposed => st.muted,
                MitigationStatus::Rejected => st.muted.add_modifier(Modifier::CROSSED_OUT),
                MitigationStatus::Done => st.success,
                _ => st.base,
            };
            vec![
                Cell::styled(m.id.to_string(), st.muted),
                Cell::new(one_line(&m.text)),
                Cell::styled(m.status.key(), status_style),
                Cell::styled(
                    if m.owner.trim().is_empty() {
                        "(no owner)".to_string()
                    } else {
                        one_line(&m.owner).into_owned()
                    },
                    if m.owner.trim().is_empty() && committed(m.status) {
                        st.warning
                    } else {
                        st.base
                    },
                ),
                Cell::styled(others.join(" "), st.muted),
            ]
        })
        .collect();
    let columns = [
        Column::fixed("ID", 4),
        Column::name("Mitigation"),
        Column::fixed("Status", 11),
        Column::extra("Owner"),
        Column::extra("Also on"),
    ];
    let room = rest.width.saturating_sub(width(MARKER) as u16);
    let table = fitted(&columns, rows, room, st.muted)
        .row_highlight_style(if focused { st.selection() } else { st.base })
        .highlight_symbol(if focused { MARKER } else { "  " })
        .style(st.base);
    frame.render_stateful_widget(
        table,
        rest,
        &mut TableState::default().with_selected(Some(cursor - window.start)),
    );
}
