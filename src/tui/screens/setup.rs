//! Phase 1, Setup: the session's details, who is in the room, the agenda's
//! timeboxes and the voting rules.

use std::any::Any;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use super::{PhaseScreen, cursor_table, pane_list, table_room, voting_rules};
use crate::core::ids::{Id, IdKind};
use crate::core::model::{Participant, Persona, Phase, Session, VotingMode};
use crate::core::scoring;
use crate::core::text::{multi_line, one_line, plural};
use crate::core::timer;
use crate::tui::action::Action;
use crate::tui::context::{Ctx, Offer, Purpose, Say, View};
use crate::tui::form::{Choice, Field, Form};
use crate::tui::keymap::Context;
use crate::tui::picker::PickItem;
use crate::tui::widgets::list;
use crate::tui::widgets::table::{Column, Field as Cell, fitted};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    Details,
    Participants,
    Agenda,
    Voting,
}

impl Pane {
    pub const ALL: [Pane; 4] = [
        Pane::Details,
        Pane::Participants,
        Pane::Agenda,
        Pane::Voting,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Pane::Details => "Session",
            Pane::Participants => "Participants",
            Pane::Agenda => "Agenda",
            Pane::Voting => "Voting",
        }
    }

    fn index(self) -> usize {
        Pane::ALL.iter().position(|p| *p == self).unwrap_or(0)
    }

    fn len(self, s: &Session) -> usize {
        match self {
            Pane::Details => 3,
            Pane::Participants => s.participants.len(),
            Pane::Agenda => Phase::ALL.len(),
            Pane::Voting => 3,
        }
    }
}

#[derive(Debug, Clone)]
pub struct SetupScreen {
    pub pane: Pane,
    pub cursor: [usize; 4],
}

impl Default for SetupScreen {
    fn default() -> Self {
        SetupScreen {
            pane: Pane::Details,
            cursor: [0; 4],
        }
    }
}

/// What a Setup form edits.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Edit {
    Details,
    Participant { id: Option<Id> },
    Agenda(Phase),
    Voting,
}

impl SetupScreen {
    fn cursor(&self) -> usize {
        self.cursor[self.pane.index()]
    }

    fn participant<'s>(&self, s: &'s Session) -> Option<&'s Participant> {
        s.participants.get(self.cursor[Pane::Participants.index()])
    }

    /// The form Enter or `e` opens on the selected row.
    fn edit_form(&self, s: &Session) -> (Form, Edit) {
        match self.pane {
            Pane::Details => (details_form(s), Edit::Details),
            Pane::Participants => match self.participant(s) {
                Some(p) => (
                    participant_form(Some(p)),
                    Edit::Participant { id: Some(p.id) },
                ),
                None => (participant_form(None), Edit::Participant { id: None }),
            },
            Pane::Agenda => {
                let phase = Phase::ALL[self.cursor().min(Phase::ALL.len() - 1)];
                (agenda_form(s, phase), Edit::Agenda(phase))
            }
            Pane::Voting => (voting_rules::form(s), Edit::Voting),
        }
    }
}

impl PhaseScreen for SetupScreen {
    fn phase(&self) -> Phase {
        Phase::Setup
    }

    fn section(&self, _view: &View) -> Context {
        Context::Setup
    }

    fn offer(&self, action: &Action, view: &View) -> Offer {
        let s = view.session;
        let editable = view.editable();
        match action {
            Action::NextPane | Action::PrevPane => Offer::Enabled,
            a if list::is_movement(a) => Offer::Enabled,
            Action::Open | Action::Edit => match self.pane {
                Pane::Participants if s.participants.is_empty() => {
                    Offer::Disabled("Nobody yet: a adds a participant".to_string())
                }
                _ => editable,
            },
            Action::Add => match self.pane {
                Pane::Details | Pane::Participants => editable,
                Pane::Agenda => Offer::Disabled(
                    "The agenda always has the six phases; e changes a timebox".to_string(),
                ),
                Pane::Voting => Offer::Disabled("e changes the voting rules".to_string()),
            },
            Action::Delete => match self.pane {
                Pane::Participants if s.participants.is_empty() => {
                    Offer::Disabled("Nobody to delete".to_string())
                }
                Pane::Participants => editable,
                _ => Offer::Disabled("Only participants can be deleted here".to_string()),
            },
            _ => Offer::Hidden,
        }
    }

    fn update(&mut self, action: Action, cx: &mut Ctx) {
        let page = cx.page;
        let s = cx.session();
        match action {
            Action::NextPane | Action::PrevPane => {
                self.pane = Pane::ALL[list::cycle(self.pane.index(), Pane::ALL.len(), &action)];
            }
            a if list::is_movement(&a) => {
                let len = self.pane.len(s);
                list::move_cursor(&mut self.cursor[self.pane.index()], len, &a, page);
            }
            Action::Add => {
                self.pane = Pane::Participants;
                cx.open_form(
                    participant_form(None),
                    Purpose::keepable(Edit::Participant { id: None }),
                );
            }
            Action::Open | Action::Edit => {
                let (form, edit) = self.edit_form(s);
                cx.open_form(form, Purpose::keepable(edit));
            }
            Action::Delete => {
                if let Some(id) = self.participant(s).map(|p| p.id)
                    && list::delete(cx, id)
                {
                    let len = cx.session().participants.len();
                    list::clamp(&mut self.cursor[Pane::Participants.index()], len);
                }
            }
            _ => {}
        }
    }

    fn clamp(&mut self, view: &View) {
        for p in Pane::ALL {
            list::clamp(&mut self.cursor[p.index()], p.len(view.session));
        }
    }

    fn reopen(&mut self, purpose: &toml::Value, cx: &mut Ctx) -> bool {
        let Ok(edit) = purpose.clone().try_into::<Edit>() else {
            return false;
        };
        let s = cx.session();
        let form = match &edit {
            Edit::Details => details_form(s),
            Edit::Participant { id } => {
                if !super::still_there(s, *id) {
                    return false;
                }
                self.pane = Pane::Participants;
                participant_form(id.and_then(|id| s.participant(id)))
            }
            Edit::Agenda(phase) => agenda_form(s, *phase),
            Edit::Voting => voting_rules::form(s),
        };
        cx.open_form(form, Purpose::keepable(edit));
        true
    }

    fn submit(&mut self, purpose: &Purpose, form: &Form, cx: &mut Ctx) -> Result<(), String> {
        let Some(edit) = purpose.get::<Edit>() else {
            return Ok(());
        };
        match edit {
            Edit::Details => submit_details(form, cx),
            Edit::Participant { id } => {
                let new_id = submit_participant(*id, form, cx)?;
                if let Some(pos) = cx
                    .session()
                    .participants
                    .iter()
                    .position(|p| Some(p.id) == new_id)
                {
                    self.cursor[Pane::Participants.index()] = pos;
                }
                Ok(())
            }
            Edit::Agenda(phase) => {
                let minutes = form.number("minutes").unwrap_or(0);
                let phase = *phase;
                cx.edit(format!("{} timebox", phase.name()), |s| {
                    timer::entry(s, phase).minutes = minutes;
                });
                cx.success(format!("{} planned for {minutes} min", phase.name()));
                Ok(())
            }
            Edit::Voting => voting_rules::save(form, cx),
        }
    }

    fn draw(&self, frame: &mut Frame, area: Rect, view: &View) {
        draw(self, frame, area, view);
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

fn persona_choices() -> Vec<Choice> {
    let mut v = vec![Choice::new("", "(none)")];
    v.extend(Persona::ALL.map(|p| Choice::new(p.key(), p.name())));
    v
}

/// With nobody in the room yet, the facilitator is typed in and becomes
/// the first participant, rather than chosen from an empty list.
fn details_form(s: &Session) -> Form {
    let facilitator = if s.participants.is_empty() {
        Field::line(
            "facilitator_name",
            "Facilitator (your name; added as the first participant)",
            "",
        )
    } else {
        let people: Vec<PickItem> = s
            .participants
            .iter()
            .map(|p| {
                PickItem::new(
                    p.id.to_string(),
                    p.name.clone(),
                    p.persona.map(Persona::name).unwrap_or_default(),
                )
            })
            .collect();
        Field::pick(
            "facilitator",
            "Facilitator",
            people,
            s.facilitator.map(|f| f.to_string()),
            true,
        )
    };
    Form::new(
        "Session details",
        vec![
            Field::line("title", "Title", &s.title).required(),
            Field::text("description", "Feature or workload", &s.description),
            facilitator,
        ],
    )
}

fn submit_details(form: &Form, cx: &mut Ctx) -> Result<(), String> {
    let title = form.text("title");
    let description = form.text("description");
    let picked = form.key("facilitator").and_then(|k| k.parse::<Id>().ok());
    let typed = form.text("facilitator_name");
    let result = cx.edit("edit session details", |s| -> Result<(), String> {
        s.title = title;
        s.description = description;
        if typed.is_empty() {
            s.facilitator = picked;
        } else {
            let id = s
                .next_id(IdKind::Participant)
                .ok_or("no participant ids are left")?;
            s.participants.push(Participant {
                id,
                name: typed.clone(),
                persona: None,
            });
            s.facilitator = Some(id);
        }
        Ok(())
    });
    if let Some(result) = result {
        result?;
        cx.success("Session details saved");
    }
    Ok(())
}

fn participant_form(p: Option<&Participant>) -> Form {
    Form::new(
        if p.is_some() {
            "Edit participant"
        } else {
            "Add participant"
        },
        vec![
            Field::line("name", "Name", p.map_or("", |p| &p.name)).required(),
            Field::cycle(
                "persona",
                "Persona",
                persona_choices(),
                p.and_then(|p| p.persona).map_or("", Persona::key),
            ),
        ],
    )
}

/// Saves a participant form; returns the participant's id.
fn submit_participant(id: Option<Id>, form: &Form, cx: &mut Ctx) -> Result<Option<Id>, String> {
    let name = form.text("name");
    let persona = form
        .key("persona")
        .and_then(|k| Persona::ALL.into_iter().find(|p| p.key() == k));
    let saved = cx.edit(format!("participant {name}"), |s| match id {
        Some(id) => {
            if let Some(p) = s.participants.iter_mut().find(|p| p.id == id) {
                p.name = name.clone();
                p.persona = persona;
            }
            Some(id)
        }
        None => {
            let id = s.next_id(IdKind::Participant)?;
            s.participants.push(Participant {
                id,
                name: name.clone(),
                persona,
            });
            Some(id)
        }
    });
    match saved {
        Some(Some(new_id)) => {
            cx.success(format!("Saved {} ({new_id})", one_line(&name)));
            Ok(Some(new_id))
        }
        Some(None) => Err("no participant ids are left".to_string()),
        None => Ok(None),
    }
}

fn agenda_form(s: &Session, phase: Phase) -> Form {
    let minutes = s.agenda_item(phase).map(|a| a.minutes);
    Form::new(
        format!("{} timebox", phase.name()),
        vec![Field::number(
            "minutes",
            "Planned minutes",
            minutes,
            (0, crate::core::validate::MAX_PHASE_MINUTES),
            false,
        )],
    )
}

fn minutes(secs: u64) -> String {
    format!("{}:{:02}", secs / 60, secs % 60)
}

fn draw(setup: &SetupScreen, frame: &mut Frame, area: Rect, view: &View) {
    let s = view.styles;
    let session = view.session;
    let [left, right] =
        Layout::horizontal([Constraint::Length(20), Constraint::Min(30)]).areas(area);
    let counts = [
        String::new(),
        session.participants.len().to_string(),
        format!(
            "{} min",
            session
                .agenda
                .iter()
                .map(|a| a.minutes + a.added_minutes)
                .sum::<u32>()
        ),
        session.voting.mode.key().to_string(),
    ];
    let panes: Vec<(String, String)> = Pane::ALL
        .iter()
        .zip(counts)
        .map(|(p, c)| (p.title().to_string(), c))
        .collect();
    pane_list(frame, left, s, "Setup", &panes, setup.pane.index());

    let cursor = setup.cursor();
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(s.border_focus)
        .title(Span::styled(format!(" {} ", setup.pane.title()), s.title));
    match setup.pane {
        Pane::Details => {
            let facilitator = session
                .facilitator
                .and_then(|f| session.participant(f))
                .map_or("(not set)".to_string(), |p| one_line(&p.name).into_owned());
            let feature = if session.description.is_empty() {
                "(what are we working on?)".to_string()
            } else {
                one_line(&session.description).into_owned()
            };
            let rows = vec![
                vec![Cell::new("Title"), Cell::new(one_line(&session.title))],
                vec![Cell::new("Feature"), Cell::new(feature)],
                vec![Cell::new("Facilitator"), Cell::new(facilitator)],
            ];
            let [top, bottom] =
                Layout::vertical([Constraint::Length(5), Constraint::Min(0)]).areas(right);
            let columns = [Column::fixed("", 12), Column::name("")];
            let table = fitted(&columns, rows, table_room(top), s.muted);
            cursor_table(frame, top, s, table, block, cursor);
            if bottom.height > 2 {
                let text: Vec<Line> = if session.description.trim().is_empty() {
                    vec![
                        Line::from("What are we working on? Describe the feature or change."),
                        Line::from(Span::styled(
                            "Enter or e edits the session details.",
                            s.muted,
                        )),
                    ]
                } else {
                    multi_line(&session.description)
                        .lines()
                        .map(|l| Line::from(l.to_string()))
                        .collect()
                };
                frame.render_widget(
                    Paragraph::new(text)
                        .wrap(Wrap { trim: false })
                        .style(s.base)
                        .block(
                            Block::default()
                                .borders(Borders::ALL)
                                .border_style(s.border)
                                .title(" Feature "),
                        ),
                    bottom,
                );
            }
        }
        Pane::Participants => {
            if session.participants.is_empty() {
                frame.render_widget(
                    Paragraph::new(vec![
                        Line::from("Nobody yet."),
                        Line::from(Span::styled(
                            "a adds a participant: business, developer, adversary, defender, AppSec SME.",
                            s.muted,
                        )),
                    ])
                    .wrap(Wrap { trim: false })
                    .block(block)
                    .style(s.base),
                    right,
                );
                return;
            }
            let rows = session
                .participants
                .iter()
                .map(|p| {
                    let facilitator = if session.facilitator == Some(p.id) {
                        "facilitator"
                    } else {
                        ""
                    };
                    vec![
                        Cell::styled(p.id.to_string(), s.muted),
                        Cell::new(one_line(&p.name)),
                        Cell::new(p.persona.map(Persona::name).unwrap_or("")),
                        Cell::styled(facilitator, s.muted),
                    ]
                })
                .collect();
            let columns = [
                Column::fixed("ID", 4),
                Column::name("Name"),
                Column::extra("Persona"),
                Column::extra("").min(11),
            ];
            let table = fitted(&columns, rows, table_room(right), s.muted);
            cursor_table(frame, right, s, table, block, cursor);
        }
        Pane::Agenda => {
            let now = view.now;
            let rows = Phase::ALL
                .iter()
                .map(|&phase| {
                    let item = session.agenda_item(phase);
                    let planned = item.map_or(0, |a| a.minutes);
                    let added = item.map_or(0, |a| a.added_minutes);
                    let reading = timer::reading(session, phase, now);
                    vec![
                        Cell::new(format!("{} {}", phase.index() + 1, phase.name())),
                        Cell::new(format!("{planned} min")),
                        Cell::new(if added > 0 {
                            format!("+{added}")
                        } else {
                            String::new()
                        }),
                        Cell::new(minutes(reading.elapsed_secs)),
                        Cell::styled(if reading.running { "running" } else { "" }, s.accent),
                    ]
                })
                .collect();
            let total: u32 = session.agenda.iter().map(|a| a.minutes).sum();
            let added: u32 = session.agenda.iter().map(|a| a.added_minutes).sum();
            let columns = [
                Column::fixed("Phase", 13),
                Column::fixed("Planned", 8),
                Column::fixed("Added", 5),
                Column::fixed("Spent", 7),
                Column::extra(""),
            ];
            let table = fitted(&columns, rows, table_room(right), s.muted).footer(
                ratatui::widgets::Row::new(vec![
                    "Total".to_string(),
                    format!("{total} min"),
                    if added > 0 {
                        format!("+{added}")
                    } else {
                        String::new()
                    },
                ])
                .style(s.muted),
            );
            cursor_table(frame, right, s, table, block, cursor);
        }
        Pane::Voting => {
            let v = &session.voting;
            let rows = if v.mode == VotingMode::Rating {
                // Rating sessions never speak of dots.
                let rated = session
                    .threats
                    .iter()
                    .filter(|t| t.risk().is_some())
                    .count();
                vec![
                    vec![
                        Cell::new("Mode"),
                        Cell::new("rating: likelihood x impact, 1-5 each"),
                    ],
                    vec![
                        Cell::new("Rated"),
                        Cell::new(format!(
                            "{rated} of {}",
                            plural(session.threats.len(), "threat", "threats")
                        )),
                    ],
                    vec![
                        Cell::new("Dots"),
                        Cell::styled("not used when rating", s.muted),
                    ],
                ]
            } else {
                let dots = match v.dots_per_person {
                    Some(n) => n.to_string(),
                    None => format!(
                        "{} (a third of {})",
                        scoring::budget(session),
                        plural(session.threats.len(), "threat", "threats")
                    ),
                };
                vec![
                    vec![Cell::new("Mode"), Cell::new(v.mode.key())],
                    vec![Cell::new("Dots per person"), Cell::new(dots)],
                    vec![
                        Cell::new("Most per threat"),
                        Cell::new(v.cap_per_threat.to_string()),
                    ],
                ]
            };
            let columns = [Column::fixed("", 16), Column::name("")];
            let table = fitted(&columns, rows, table_room(right), s.muted);
            cursor_table(frame, right, s, table, block, cursor);
        }
    }
}
