//! Phase 1, Setup: the session's details, who is in the room, the agenda's
//! timeboxes and the voting rules.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table, Wrap};

use super::{cursor_table, pane_list};
use crate::core::edit;
use crate::core::ids::{Id, IdKind};
use crate::core::model::{Participant, Persona, Phase, Session, VotingMode};
use crate::core::scoring;
use crate::core::text::one_line;
use crate::core::time::Timestamp;
use crate::core::timer;
use crate::tui::action::Action;
use crate::tui::app::{self, App, Purpose, Screen};
use crate::tui::form::{Choice, Field, Form};
use crate::tui::picker::PickItem;

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
}

#[derive(Debug, Clone)]
pub struct SetupState {
    pub pane: Pane,
    pub cursor: [usize; 4],
}

impl Default for SetupState {
    fn default() -> Self {
        SetupState {
            pane: Pane::Details,
            cursor: [0; 4],
        }
    }
}

impl SetupState {
    fn len(&self, s: &Session) -> usize {
        match self.pane {
            Pane::Details => 3,
            Pane::Participants => s.participants.len(),
            Pane::Agenda => Phase::ALL.len(),
            Pane::Voting => 3,
        }
    }

    /// Keeps cursors inside their lists after a change.
    pub fn clamp(&mut self, s: &Session) {
        let pane = self.pane;
        for p in Pane::ALL {
            self.pane = p;
            let len = self.len(s);
            let c = &mut self.cursor[p.index()];
            *c = (*c).min(len.saturating_sub(1));
        }
        self.pane = pane;
    }
}

/// What a Setup form edits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Edit {
    Details,
    Participant(Option<Id>),
    Agenda(Phase),
    Voting,
}

fn persona_choices() -> Vec<Choice> {
    let mut v = vec![Choice::new("", "(none)")];
    v.extend(Persona::ALL.map(|p| Choice::new(p.key(), p.name())));
    v
}

fn voting_choices() -> Vec<Choice> {
    VotingMode::ALL
        .map(|m| {
            let label = match m {
                VotingMode::Open => "Open: the facilitator enters each person's dots",
                VotingMode::Hidden => "Hidden: dots entered per person, totals revealed at the end",
                VotingMode::Secret => "Secret: pass the keyboard, nobody sees other ballots",
                VotingMode::Tally => "Tally: the room votes by hand, totals typed in",
                VotingMode::Rating => "Rating: solo, likelihood x impact instead of votes",
            };
            Choice::new(m.key(), label)
        })
        .to_vec()
}

pub fn update(app: &mut App, action: Action) {
    let page = app::page_rows(app);
    let Screen::Session(state) = &mut app.screen else {
        return;
    };
    let setup = &mut state.setup;
    let s = &state.session;
    match action {
        Action::NextPane | Action::PrevPane => {
            setup.pane = Pane::ALL[app::cycle_pane(setup.pane.index(), Pane::ALL.len(), &action)];
        }
        Action::Up
        | Action::Down
        | Action::PageUp
        | Action::PageDown
        | Action::Top
        | Action::Bottom => {
            let len = setup.len(s);
            app::move_cursor(&mut setup.cursor[setup.pane.index()], len, &action, page);
        }
        Action::Add => match setup.pane {
            Pane::Participants | Pane::Details => {
                setup.pane = Pane::Participants;
                let form = participant_form(None);
                app::open_form(app, form, Purpose::Setup(Edit::Participant(None)));
            }
            Pane::Agenda => app.info("The agenda always has the six phases; e changes a timebox"),
            Pane::Voting => app.info("e changes the voting rules"),
        },
        Action::Open | Action::Edit => {
            let cursor = setup.cursor[setup.pane.index()];
            let (form, edit) = match setup.pane {
                Pane::Details => (details_form(s), Edit::Details),
                Pane::Participants => match s.participants.get(cursor) {
                    Some(p) => (participant_form(Some(p)), Edit::Participant(Some(p.id))),
                    None => (participant_form(None), Edit::Participant(None)),
                },
                Pane::Agenda => {
                    let phase = Phase::ALL[cursor.min(5)];
                    (agenda_form(s, phase), Edit::Agenda(phase))
                }
                Pane::Voting => (voting_form(s), Edit::Voting),
            };
            app::open_form(app, form, Purpose::Setup(edit));
        }
        Action::Delete => match setup.pane {
            Pane::Participants => {
                let Some(p) = s.participants.get(setup.cursor[1]) else {
                    return;
                };
                let (id, name) = (p.id, one_line(&p.name).into_owned());
                let removed = app::edit(app, format!("delete {name} ({id})"), |s| {
                    edit::delete(s, id)
                });
                if let Some(Some(removed)) = removed {
                    clamp(app);
                    let extra = removed.describe();
                    let extra = if extra.is_empty() {
                        String::new()
                    } else {
                        format!("; {extra}")
                    };
                    app.info(format!("Deleted {name} ({id}){extra}; u undoes"));
                }
            }
            _ => app.info("Only participants can be deleted here"),
        },
        _ => {}
    }
}

fn clamp(app: &mut App) {
    if let Screen::Session(state) = &mut app.screen {
        state.setup.clamp(&state.session);
    }
}

fn details_form(s: &Session) -> Form {
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
    Form::new(
        "Session details",
        vec![
            Field::line("title", "Title", &s.title).required(),
            Field::text("description", "Feature or workload", &s.description),
            Field::pick(
                "facilitator",
                "Facilitator",
                people,
                s.facilitator.map(|f| f.to_string()),
                true,
            ),
        ],
    )
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

fn voting_form(s: &Session) -> Form {
    let v = &s.voting;
    Form::new(
        "Voting rules",
        vec![
            Field::cycle("mode", "Mode", voting_choices(), v.mode.key()),
            Field::number(
                "dots",
                "Dots per person (empty: a third of the threats)",
                v.dots_per_person,
                (1, 99),
                true,
            ),
            Field::number(
                "cap",
                "Most dots on one threat",
                Some(v.cap_per_threat),
                (1, 99),
                false,
            ),
        ],
    )
}

pub fn submit(app: &mut App, edit: &Edit, form: &Form, _now: Timestamp) -> Result<(), String> {
    match edit {
        Edit::Details => {
            let title = form.text("title");
            let description = form.text("description");
            let facilitator = form.key("facilitator").and_then(|k| k.parse().ok());
            app::edit(app, "edit session details", |s| {
                s.title = title;
                s.description = description;
                s.facilitator = facilitator;
            });
            app.success("Session details saved");
        }
        Edit::Participant(id) => {
            let name = form.text("name");
            let persona = form
                .key("persona")
                .and_then(|k| Persona::ALL.into_iter().find(|p| p.key() == k));
            let id = *id;
            let added = app::edit(app, format!("participant {name}"), |s| match id {
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
            match added {
                Some(Some(new_id)) => {
                    if let Screen::Session(state) = &mut app.screen
                        && let Some(pos) = state
                            .session
                            .participants
                            .iter()
                            .position(|p| p.id == new_id)
                    {
                        state.setup.cursor[1] = pos;
                    }
                    app.success(format!("Saved {} ({new_id})", one_line(&name)));
                }
                Some(None) => return Err("no participant ids are left".to_string()),
                None => {}
            }
        }
        Edit::Agenda(phase) => {
            let minutes = form.number("minutes").unwrap_or(0);
            let phase = *phase;
            app::edit(app, format!("{} timebox", phase.name()), |s| {
                timer::entry(s, phase).minutes = minutes;
            });
            app.success(format!("{} planned for {minutes} min", phase.name()));
        }
        Edit::Voting => {
            let mode = form
                .key("mode")
                .and_then(|k| VotingMode::ALL.into_iter().find(|m| m.key() == k))
                .unwrap_or_default();
            let dots = form.number("dots");
            let cap = form.number("cap").unwrap_or(3).max(1);
            // Ballots already cast must stay within the cap.
            let most = app.session().map_or(0, |st| {
                let ballots = st.session.voting.ballots.values();
                ballots.flat_map(|b| b.values()).copied().max().unwrap_or(0)
            });
            if cap < most {
                return Err(format!(
                    "{most} dots are already on one threat; the cap must be at least {most}"
                ));
            }
            app::edit(app, "voting rules", |s| {
                s.voting.mode = mode;
                s.voting.dots_per_person = dots;
                s.voting.cap_per_threat = cap;
            });
            app.success("Voting rules saved");
        }
    }
    Ok(())
}

fn minutes(secs: u64) -> String {
    format!("{}:{:02}", secs / 60, secs % 60)
}

pub fn view(frame: &mut Frame, area: Rect, app: &App, state: &crate::tui::app::SessionState) {
    let s = &app.styles;
    let session = &state.session;
    let setup = &state.setup;
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
    pane_list(frame, left, app, "Setup", &panes, setup.pane.index());

    let cursor = setup.cursor[setup.pane.index()];
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
            let rows = vec![
                Row::new(vec![
                    Cell::from("Title"),
                    Cell::from(one_line(&session.title).into_owned()),
                ]),
                Row::new(vec![
                    Cell::from("Feature"),
                    Cell::from(if session.description.is_empty() {
                        "(what are we working on?)".to_string()
                    } else {
                        one_line(&session.description).into_owned()
                    }),
                ]),
                Row::new(vec![Cell::from("Facilitator"), Cell::from(facilitator)]),
            ];
            let [top, bottom] =
                Layout::vertical([Constraint::Length(5), Constraint::Min(0)]).areas(right);
            let table = Table::new(rows, [Constraint::Length(12), Constraint::Fill(1)]);
            cursor_table(frame, top, app, table, block, cursor);
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
                    crate::core::text::multi_line(&session.description)
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
            let rows = session.participants.iter().map(|p| {
                let facilitator = if session.facilitator == Some(p.id) {
                    "facilitator"
                } else {
                    ""
                };
                Row::new(vec![
                    Cell::from(p.id.to_string()).style(s.muted),
                    Cell::from(one_line(&p.name).into_owned()),
                    Cell::from(p.persona.map(Persona::name).unwrap_or("")),
                    Cell::from(facilitator).style(s.muted),
                ])
            });
            let table = Table::new(
                rows,
                [
                    Constraint::Length(4),
                    Constraint::Fill(2),
                    Constraint::Length(11),
                    Constraint::Length(11),
                ],
            )
            .header(Row::new(["ID", "Name", "Persona", ""]).style(s.muted));
            cursor_table(frame, right, app, table, block, cursor);
        }
        Pane::Agenda => {
            let now = app.now;
            let rows = Phase::ALL.iter().map(|&phase| {
                let item = session.agenda_item(phase);
                let planned = item.map_or(0, |a| a.minutes);
                let added = item.map_or(0, |a| a.added_minutes);
                let reading = timer::reading(session, phase, now);
                Row::new(vec![
                    Cell::from(format!("{} {}", phase.index() + 1, phase.name())),
                    Cell::from(format!("{planned} min")),
                    Cell::from(if added > 0 {
                        format!("+{added}")
                    } else {
                        String::new()
                    }),
                    Cell::from(minutes(reading.elapsed_secs)),
                    Cell::from(if reading.running { "running" } else { "" }).style(s.accent),
                ])
            });
            let total: u32 = session.agenda.iter().map(|a| a.minutes).sum();
            let added: u32 = session.agenda.iter().map(|a| a.added_minutes).sum();
            let table = Table::new(
                rows,
                [
                    Constraint::Length(14),
                    Constraint::Length(9),
                    Constraint::Length(6),
                    Constraint::Length(8),
                    Constraint::Fill(1),
                ],
            )
            .header(Row::new(["Phase", "Planned", "Added", "Spent", ""]).style(s.muted))
            .footer(
                Row::new(vec![
                    Cell::from("Total"),
                    Cell::from(format!("{total} min")),
                    Cell::from(if added > 0 {
                        format!("+{added}")
                    } else {
                        String::new()
                    }),
                ])
                .style(s.muted),
            );
            cursor_table(frame, right, app, table, block, cursor);
        }
        Pane::Voting => {
            let v = &session.voting;
            let dots = match v.dots_per_person {
                Some(n) => n.to_string(),
                None => format!(
                    "{} (a third of {} threats)",
                    scoring::budget(session),
                    session.threats.len()
                ),
            };
            let rows = vec![
                Row::new(vec![Cell::from("Mode"), Cell::from(v.mode.key())]),
                Row::new(vec![Cell::from("Dots per person"), Cell::from(dots)]),
                Row::new(vec![
                    Cell::from("Most per threat"),
                    Cell::from(v.cap_per_threat.to_string()),
                ]),
            ];
            let table = Table::new(rows, [Constraint::Length(16), Constraint::Fill(1)]);
            cursor_table(frame, right, app, table, block, cursor);
        }
    }
}
