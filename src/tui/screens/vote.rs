//! Phase 4, Vote: "Which threats matter most?" Every mode the session file
//! knows: `open` (the facilitator enters each voter's dots), `hidden` (the
//! same, totals shown only when revealed), `secret` (pass the keyboard:
//! each voter sees only their own dots, and the next turn starts on a
//! blank screen), `tally` (counts typed in) and `rating` (likelihood and
//! impact, 1-5, with single keys). A bar chart of the ranking and a 5 x 5
//! heat map show where the room stands.

use std::any::Any;
use std::cell::{Ref, RefCell};

use ratatui::Frame;
use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, TableState, Wrap};

use super::{MARKER, PhaseScreen, table_room, voting_rules};
use crate::core::ids::Id;
use crate::core::model::{Participant, Phase, Session, VotingMode};
use crate::core::scoring::{self, DotLimit, Ranked, RiskBand};
use crate::core::text::{fit, one_line, plural};
use crate::tui::action::Action;
use crate::tui::context::{Ctx, Offer, Purpose, Say, View};
use crate::tui::form::Form;
use crate::tui::keymap::Context;
use crate::tui::widgets::list;
use crate::tui::widgets::table::{Column, Field as Cell, fitted};

/// Ratings run from 1 to 5.
const MAX_RATING: u8 = 5;

#[derive(Debug, Clone, Default)]
pub struct VoteScreen {
    /// Position in the threats shown (file order, or one heat-map cell).
    pub cursor: usize,
    /// The voter, by position among the participants.
    pub voter: usize,
    /// The rating being typed: 0 likelihood, 1 impact.
    pub column: usize,
    /// In a voting mode, digits rate instead of counting.
    pub rating: bool,
    /// A count being typed in a tally: the threat and the digits so far.
    pub typed: Option<(Id, u32)>,
    /// Secret ballot: the voter who has taken the keyboard. Until the
    /// current voter has, the screen is blank (see [`VoteScreen::handing_over`]).
    pub taken_by: Option<Id>,
    /// The heat map is shown instead of the list.
    pub heat: bool,
    /// The heat map's cursor: likelihood, impact.
    pub cell: (u8, u8),
    /// The list shows only the threats of this heat-map cell.
    pub cell_filter: Option<(u8, u8)>,
    /// The ranking for the chart, good while the session's change count
    /// stays the same.
    ranking: RefCell<(Option<u64>, Vec<Ranked>)>,
}

/// What a Vote form is for.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
enum Ask {
    Rules,
}

fn mode(s: &Session) -> VotingMode {
    s.voting.mode
}

/// Modes where each voter places dots.
fn per_voter(mode: VotingMode) -> bool {
    matches!(
        mode,
        VotingMode::Open | VotingMode::Hidden | VotingMode::Secret
    )
}

/// Whether totals may be shown now.
fn totals_visible(s: &Session) -> bool {
    match mode(s) {
        VotingMode::Hidden | VotingMode::Secret => s.voting.revealed,
        _ => true,
    }
}

/// `id` has voted or abstained.
fn has_voted(s: &Session, id: Id) -> bool {
    s.voting.done.contains(&id) || s.voting.abstained.contains(&id)
}

/// `id` takes part from their own device (`remote` is sorted).
fn is_remote(remote: &[Id], id: Id) -> bool {
    remote.binary_search(&id).is_ok()
}

/// Where everyone stands in a vote, when some vote on their own device:
/// "Voted: Ana, Kim · On their device: Bob · To vote here: Sam".
fn roster(s: &Session, remote: &[Id]) -> String {
    let mut groups: [(&str, Vec<String>); 4] = [
        ("Voted", Vec::new()),
        ("Voting on their device", Vec::new()),
        ("To vote here", Vec::new()),
        ("Abstained", Vec::new()),
    ];
    for p in &s.participants {
        let group = if s.voting.done.contains(&p.id) {
            0
        } else if s.voting.abstained.contains(&p.id) {
            3
        } else if is_remote(remote, p.id) {
            1
        } else {
            2
        };
        groups[group].1.push(one_line(&p.name).into_owned());
    }
    groups
        .iter()
        .filter(|(_, names)| !names.is_empty())
        .map(|(label, names)| format!("{label}: {}", names.join(", ")))
        .collect::<Vec<_>>()
        .join(" · ")
}

/// Everyone has voted or abstained.
fn all_voted(s: &Session) -> bool {
    s.participants
        .iter()
        .all(|p| s.voting.done.contains(&p.id) || s.voting.abstained.contains(&p.id))
}

/// The threats of one heat-map cell, or all, by position in the session.
/// All of them is a count, not a list: a frame of 10,000 threats should
/// not build one.
enum Shown {
    All(usize),
    Cell(Vec<usize>),
}

impl Shown {
    fn len(&self) -> usize {
        match self {
            Shown::All(n) => *n,
            Shown::Cell(v) => v.len(),
        }
    }

    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The session position of the `row`th threat shown.
    fn get(&self, row: usize) -> Option<usize> {
        match self {
            Shown::All(n) => (row < *n).then_some(row),
            Shown::Cell(v) => v.get(row).copied(),
        }
    }
}

fn shown_in(s: &Session, cell: Option<(u8, u8)>) -> Shown {
    match cell {
        None => Shown::All(s.threats.len()),
        Some((l, i)) => Shown::Cell(
            s.threats
                .iter()
                .enumerate()
                .filter(|(_, t)| t.likelihood == Some(l) && t.impact == Some(i))
                .map(|(n, _)| n)
                .collect(),
        ),
    }
}

impl VoteScreen {
    /// The ranking, worked out again only after the session changed.
    fn ranking(&self, view: &View) -> Ref<'_, Vec<Ranked>> {
        if self.ranking.borrow().0 != Some(view.changes) {
            *self.ranking.borrow_mut() = (Some(view.changes), scoring::rank(view.session));
        }
        Ref::map(self.ranking.borrow(), |r| &r.1)
    }

    /// A secret ballot shows nobody's dots until the voter whose turn it
    /// is has said they have the keyboard, and none once they are done.
    pub fn handing_over(&self, s: &Session) -> bool {
        if mode(s) != VotingMode::Secret || s.voting.revealed || s.participants.is_empty() {
            return false;
        }
        match self.voter(s) {
            Some(p) => {
                self.taken_by != Some(p.id)
                    || s.voting.done.contains(&p.id)
                    || s.voting.abstained.contains(&p.id)
            }
            None => false,
        }
    }

    fn rating_entry(&self, s: &Session) -> bool {
        mode(s) == VotingMode::Rating || self.rating
    }

    /// Threats shown, by position in the session.
    fn shown(&self, s: &Session) -> Shown {
        shown_in(s, self.cell_filter)
    }

    /// How many threats are shown.
    fn shown_len(&self, s: &Session) -> usize {
        self.shown(s).len()
    }

    fn selected(&self, s: &Session) -> Option<Id> {
        let shown = self.shown(s);
        let i = shown.get(self.cursor.min(shown.len().checked_sub(1)?))?;
        s.threats.get(i).map(|t| t.id)
    }

    fn voter<'s>(&self, s: &'s Session) -> Option<&'s Participant> {
        s.participants
            .get(self.voter.min(s.participants.len().saturating_sub(1)))
    }

    /// The next voter after the current one who has neither voted nor
    /// abstained, going round.
    /// Participants voting on their own device are skipped: the keyboard
    /// is for the people in the room.
    fn next_open_voter(&self, s: &Session, remote: &[Id]) -> Option<usize> {
        let n = s.participants.len();
        (1..=n)
            .map(|step| (self.voter + step) % n.max(1))
            .find(|&i| {
                s.participants
                    .get(i)
                    .is_some_and(|p| !has_voted(s, p.id) && !is_remote(remote, p.id))
            })
    }

    /// The current voter takes part from their own device.
    fn voter_is_remote(&self, s: &Session, remote: &[Id]) -> bool {
        self.voter(s).is_some_and(|p| is_remote(remote, p.id))
    }

    /// Why the voter cannot put a dot on (`more`) or take one off the
    /// threat: the budget spent, the cap reached, no dot there. In a
    /// tally, why the count cannot go lower.
    fn dot_refusal(&self, s: &Session, more: bool) -> Option<String> {
        let threat = self.selected(s)?;
        if mode(s) == VotingMode::Tally {
            let count = s.voting.tally.get(&threat).copied().unwrap_or(0);
            return (!more && count == 0).then(|| format!("{threat} has no votes to take off"));
        }
        let voter = self.voter(s)?;
        let name = one_line(&voter.name).into_owned();
        let here = scoring::dots_on(s, voter.id, threat);
        if !more {
            return (here == 0).then(|| format!("{name} has no dot on {threat}"));
        }
        match scoring::dot_limit(s, voter.id, threat, here.saturating_add(1))? {
            DotLimit::Budget(budget) => Some(format!(
                "{name} has placed all {}: - takes one back, s changes the rules",
                plural(budget, "dot", "dots")
            )),
            DotLimit::Cap(cap) => Some(format!(
                "At most {} on one threat",
                plural(cap, "dot", "dots")
            )),
        }
    }

    /// A dot more (`delta` 1) or less (-1) from the voter on the threat,
    /// within the budget and the cap.
    fn dot(&mut self, cx: &mut Ctx, delta: i32) {
        let s = cx.session();
        let (Some(threat), Some(voter)) = (self.selected(s), self.voter(s).map(|p| p.id)) else {
            return;
        };
        let name =
            one_line(&self.voter(s).map(|p| p.name.clone()).unwrap_or_default()).into_owned();
        let budget = scoring::budget(s);
        let here = scoring::dots_on(s, voter, threat);
        if delta > 0 {
            match scoring::dot_limit(s, voter, threat, here.saturating_add(1)) {
                Some(DotLimit::Budget(budget)) => {
                    cx.warn(format!(
                        "{name} has placed all {}; - takes one back",
                        plural(budget, "dot", "dots")
                    ));
                    return;
                }
                Some(DotLimit::Cap(cap)) => {
                    cx.warn(format!(
                        "At most {} on one threat",
                        plural(cap, "dot", "dots")
                    ));
                    return;
                }
                None => {}
            }
        } else if here == 0 {
            cx.info(format!("{name} has no dot on {threat}"));
            return;
        }
        let what = if delta > 0 { "dot on" } else { "dot off" };
        // A secret ballot's edits never say where the dot went: undo's
        // message is read by the next voter.
        let label = if mode(s) == VotingMode::Secret {
            format!("{name}'s ballot")
        } else {
            format!("{name}: {what} {threat}")
        };
        cx.edit(label, |s| {
            let ballot = s.voting.ballots.entry(voter).or_default();
            let dots = ballot.entry(threat).or_insert(0);
            *dots = if delta > 0 {
                dots.saturating_add(1)
            } else {
                dots.saturating_sub(1)
            };
            if *dots == 0 {
                ballot.remove(&threat);
            }
            s.voting.ballots.retain(|_, b| !b.is_empty());
        });
        let left = budget.saturating_sub(scoring::spent(cx.session(), voter));
        cx.info(format!("{name}: {} left", plural(left, "dot", "dots")));
    }

    /// The tally of the threat set to `count`.
    fn set_tally(cx: &mut Ctx, threat: Id, count: u32) {
        cx.edit(format!("tally {threat}"), |s| {
            if count == 0 {
                s.voting.tally.remove(&threat);
            } else {
                s.voting.tally.insert(threat, count);
            }
        });
    }

    /// A digit: a count in a tally, otherwise a rating.
    fn digit(&mut self, cx: &mut Ctx, d: u8) {
        let s = cx.session();
        let Some(threat) = self.selected(s) else {
            return;
        };
        if !self.rating_entry(s) {
            // Digits build the count: 1 then 2 is twelve.
            let so_far = match self.typed {
                Some((t, n)) if t == threat => n,
                _ => 0,
            };
            let count = so_far
                .saturating_mul(10)
                .saturating_add(u32::from(d))
                .min(99_999);
            self.typed = Some((threat, count));
            Self::set_tally(cx, threat, count);
            cx.info(format!("{threat}: {}", plural(count, "vote", "votes")));
            return;
        }
        if d > MAX_RATING {
            cx.warn("Ratings run from 1 to 5 (0 clears)");
            return;
        }
        let rating = (d > 0).then_some(d);
        let column = self.column;
        let which = if column == 0 { "likelihood" } else { "impact" };
        cx.edit(format!("{threat} {which}"), |s| {
            if let Some(t) = s.threat_mut(threat) {
                if column == 0 {
                    t.likelihood = rating;
                } else {
                    t.impact = rating;
                }
            }
        });
        let t = cx.session().threat(threat);
        let risk = t.and_then(|t| t.risk());
        match (column, risk) {
            // Likelihood typed: on to the impact.
            (0, _) if rating.is_some() => self.column = 1,
            // Impact typed: on to the next threat's likelihood.
            (1, _) if rating.is_some() => {
                self.column = 0;
                let len = self.shown_len(cx.session());
                list::move_cursor(&mut self.cursor, len, &Action::Down, 1);
            }
            _ => {}
        }
        match risk {
            Some(r) => cx.info(format!(
                "{threat}: risk {r} ({})",
                RiskBand::of(r).name().to_lowercase()
            )),
            None => cx.info(format!(
                "{threat}: {which} {}",
                rating.map_or("cleared".to_string(), |r| r.to_string())
            )),
        }
    }
}

impl PhaseScreen for VoteScreen {
    fn phase(&self) -> Phase {
        Phase::Vote
    }

    fn section(&self, view: &View) -> Context {
        if self.handing_over(view.session) {
            Context::Handover
        } else if self.heat {
            Context::HeatMap
        } else {
            Context::Vote
        }
    }

    fn offer(&self, action: &Action, view: &View) -> Offer {
        let s = view.session;
        let m = mode(s);
        let editable = view.editable();
        let any = self.shown_len(s) > 0;
        let no_threats = || {
            if s.threats.is_empty() {
                "No threats to vote on: Brainstorm comes first".to_string()
            } else {
                "No threat in this cell: Esc shows them all".to_string()
            }
        };
        let needs_voters = || -> Option<Offer> {
            if per_voter(m) && s.participants.is_empty() {
                Some(Offer::Disabled(
                    "Nobody to vote: add participants in Setup, or choose tally or rating"
                        .to_string(),
                ))
            } else {
                None
            }
        };
        if self.handing_over(s) {
            let voted = all_voted(s);
            return match action {
                Action::Open if voted => {
                    Offer::Disabled("Everyone has voted: r reveals the totals".to_string())
                }
                Action::Open
                    if (self.voter_is_remote(s, view.remote)
                        || self.voter(s).is_some_and(|p| has_voted(s, p.id)))
                        && self.next_open_voter(s, view.remote).is_none() =>
                {
                    Offer::Disabled("The rest vote on their own devices".to_string())
                }
                Action::Open => Offer::Enabled,
                Action::Reveal => match editable {
                    Offer::Enabled => Offer::when(voted, "Not everyone has voted yet"),
                    other => other,
                },
                _ => Offer::Hidden,
            };
        }
        if self.heat {
            return match action {
                a if list::is_movement(a) => Offer::Enabled,
                Action::Left | Action::Right | Action::Open | Action::Cancel => Offer::Enabled,
                _ => Offer::Hidden,
            };
        }
        match action {
            a if list::is_movement(a) => Offer::Enabled,
            Action::More | Action::Less => {
                if self.rating_entry(s) {
                    return Offer::Hidden;
                }
                if let Some(refused) = needs_voters() {
                    return refused;
                }
                if m == VotingMode::Secret
                    && self.voter(s).is_some_and(|p| {
                        s.voting.done.contains(&p.id) || s.voting.abstained.contains(&p.id)
                    })
                {
                    return Offer::Disabled("Everyone has voted: r reveals the totals".to_string());
                }
                match editable {
                    Offer::Enabled if !any => Offer::Disabled(no_threats()),
                    Offer::Enabled => match self.dot_refusal(s, *action == Action::More) {
                        Some(why) => Offer::Disabled(why),
                        None => Offer::Enabled,
                    },
                    other => other,
                }
            }
            Action::Digit(_) => {
                if !self.rating_entry(s) && m != VotingMode::Tally {
                    return Offer::Hidden;
                }
                match editable {
                    Offer::Enabled => Offer::when(any, no_threats()),
                    other => other,
                }
            }
            Action::Left | Action::Right => {
                if self.rating_entry(s) {
                    Offer::Enabled
                } else {
                    Offer::Hidden
                }
            }
            Action::NextPane | Action::PrevPane => {
                if !per_voter(m) {
                    return Offer::Hidden;
                }
                if let Some(refused) = needs_voters() {
                    return refused;
                }
                if m == VotingMode::Secret {
                    Offer::Disabled("In a secret ballot the turn passes with Enter".to_string())
                } else {
                    Offer::Enabled
                }
            }
            Action::Open => {
                if !matches!(m, VotingMode::Secret | VotingMode::Hidden) {
                    return Offer::Hidden;
                }
                if let Some(refused) = needs_voters() {
                    return refused;
                }
                match editable {
                    Offer::Enabled => {
                        Offer::when(!all_voted(s), "Everyone has voted: r reveals the totals")
                    }
                    other => other,
                }
            }
            Action::Abstain => {
                if !per_voter(m) {
                    return Offer::Hidden;
                }
                if let Some(refused) = needs_voters() {
                    return refused;
                }
                match editable {
                    Offer::Enabled => Offer::when(!all_voted(s), "Everyone has voted or abstained"),
                    other => other,
                }
            }
            Action::Reveal => match m {
                VotingMode::Hidden => editable,
                VotingMode::Secret if !s.voting.revealed => match editable {
                    Offer::Enabled => {
                        let voted = s
                            .participants
                            .iter()
                            .filter(|p| {
                                s.voting.done.contains(&p.id) || s.voting.abstained.contains(&p.id)
                            })
                            .count();
                        Offer::when(
                            all_voted(s),
                            format!(
                                "Not everyone has voted: {voted} of {}",
                                s.participants.len()
                            ),
                        )
                    }
                    other => other,
                },
                VotingMode::Secret => editable,
                _ => Offer::Hidden,
            },
            Action::Rate => {
                if m == VotingMode::Rating {
                    Offer::Hidden
                } else {
                    Offer::Enabled
                }
            }
            Action::HeatMap => Offer::Enabled,
            Action::Rules => editable,
            Action::Cancel => {
                if self.cell_filter.is_some() || self.rating {
                    Offer::Enabled
                } else {
                    Offer::Hidden
                }
            }
            _ => Offer::Hidden,
        }
    }

    fn update(&mut self, action: Action, cx: &mut Ctx) {
        let m = mode(cx.session());
        if self.handing_over(cx.session()) && action == Action::Open {
            // The turn goes to the next voter still to vote.
            {
                let s = cx.session();
                if self.voter_is_remote(s, cx.remote)
                    || self.voter(s).is_some_and(|p| has_voted(s, p.id))
                {
                    match self.next_open_voter(s, cx.remote) {
                        Some(next) => self.voter = next,
                        None => {
                            cx.info("The rest vote on their own devices");
                            return;
                        }
                    }
                }
                self.taken_by = self.voter(s).map(|p| p.id);
                let name = self
                    .voter(cx.session())
                    .map(|p| one_line(&p.name).into_owned())
                    .unwrap_or_default();
                let left = self
                    .voter(cx.session())
                    .map(|p| {
                        scoring::budget(cx.session())
                            .saturating_sub(scoring::spent(cx.session(), p.id))
                    })
                    .unwrap_or(0);
                cx.info(format!(
                    "{name}'s turn: {} to place; Enter when done",
                    plural(left, "dot", "dots")
                ));
            }
            return;
        }
        if self.heat {
            let (l, i) = self.cell;
            match action {
                Action::Up | Action::PageUp | Action::Top => {
                    self.cell.0 = if action == Action::Up {
                        (l + 1).min(MAX_RATING)
                    } else {
                        MAX_RATING
                    };
                }
                Action::Down | Action::PageDown | Action::Bottom => {
                    self.cell.0 = if action == Action::Down {
                        l.saturating_sub(1).max(1)
                    } else {
                        1
                    };
                }
                Action::Left => self.cell.1 = i.saturating_sub(1).max(1),
                Action::Right => self.cell.1 = (i + 1).min(MAX_RATING),
                Action::Open => {
                    self.cell_filter = Some(self.cell);
                    self.heat = false;
                    self.cursor = 0;
                    let n = self.shown_len(cx.session());
                    cx.info(format!(
                        "Likelihood {l} x impact {i}: {}; Esc shows them all",
                        plural(n, "threat", "threats")
                    ));
                }
                Action::Cancel => self.heat = false,
                _ => {}
            }
            return;
        }
        let len = self.shown_len(cx.session());
        match action {
            a if list::is_movement(&a) => {
                list::move_cursor(&mut self.cursor, len, &a, cx.page);
                self.typed = None;
                self.column = 0;
            }
            Action::More | Action::Less => {
                let delta = if action == Action::More { 1 } else { -1 };
                if m == VotingMode::Tally {
                    let s = cx.session();
                    if let Some(threat) = self.selected(s) {
                        let now = s.voting.tally.get(&threat).copied().unwrap_or(0);
                        let count = if delta > 0 {
                            now.saturating_add(1)
                        } else {
                            now.saturating_sub(1)
                        };
                        self.typed = None;
                        Self::set_tally(cx, threat, count);
                        cx.info(format!("{threat}: {}", plural(count, "vote", "votes")));
                    }
                } else {
                    self.dot(cx, delta);
                }
            }
            Action::Digit(d) => self.digit(cx, d),
            Action::Left => self.column = 0,
            Action::Right => self.column = 1,
            Action::NextPane | Action::PrevPane => {
                let n = cx.session().participants.len().max(1);
                self.voter = list::cycle(self.voter.min(n - 1), n, &action);
                if let Some(p) = self.voter(cx.session()) {
                    let left = scoring::budget(cx.session())
                        .saturating_sub(scoring::spent(cx.session(), p.id));
                    let name = one_line(&p.name).into_owned();
                    cx.info(format!(
                        "{name} votes: {} left",
                        plural(left, "dot", "dots")
                    ));
                }
            }
            Action::Open | Action::Abstain => {
                let s = cx.session();
                let Some(p) = self
                    .voter(s)
                    .map(|p| (p.id, one_line(&p.name).into_owned()))
                else {
                    return;
                };
                let (voter, name) = p;
                let abstain = action == Action::Abstain;
                cx.edit(
                    if abstain {
                        format!("{name} abstains")
                    } else {
                        format!("{name} has voted")
                    },
                    |s| {
                        if abstain {
                            s.voting.abstained.insert(voter);
                            s.voting.done.remove(&voter);
                            s.voting.ballots.remove(&voter);
                        } else {
                            s.voting.done.insert(voter);
                            s.voting.abstained.remove(&voter);
                        }
                    },
                );
                match self.next_open_voter(cx.session(), cx.remote) {
                    Some(next) => {
                        self.voter = next;
                        let who = self
                            .voter(cx.session())
                            .map(|p| one_line(&p.name).into_owned())
                            .unwrap_or_default();
                        if m == VotingMode::Secret {
                            // The ballot is gone from the screen before
                            // the next person looks: they have not taken
                            // the keyboard yet.
                            cx.info(format!("Pass the keyboard to {who}"));
                        } else {
                            cx.info(format!("{name} done; {who} votes"));
                        }
                    }
                    None if all_voted(cx.session()) => {
                        cx.success("Everyone has voted: r reveals the totals")
                    }
                    None => cx.info(format!("{name} done; the rest vote on their own devices")),
                }
            }
            Action::Reveal => {
                let reveal = !cx.session().voting.revealed;
                cx.edit(if reveal { "reveal" } else { "hide" }, |s| {
                    s.voting.revealed = reveal;
                });
                cx.info(if reveal {
                    "Totals revealed"
                } else {
                    "Totals hidden again"
                });
            }
            Action::Rate => {
                self.rating = !self.rating;
                self.column = 0;
                cx.info(if self.rating {
                    "Digits rate now: likelihood then impact, 1-5; v goes back to votes"
                } else {
                    "Back to votes"
                });
            }
            Action::HeatMap => {
                self.heat = true;
                if self.cell == (0, 0) {
                    self.cell = (MAX_RATING, MAX_RATING);
                }
            }
            Action::Rules => {
                let form = voting_rules::form(cx.session());
                cx.open_form(form, Purpose::keepable(Ask::Rules));
            }
            Action::Cancel => {
                if self.cell_filter.take().is_none() {
                    self.rating = false;
                }
                self.cursor = 0;
            }
            _ => {}
        }
    }

    fn clamp(&mut self, view: &View) {
        let len = self.shown_len(view.session);
        list::clamp(&mut self.cursor, len);
        list::clamp(&mut self.voter, view.session.participants.len());
    }

    fn reopen(&mut self, purpose: &toml::Value, cx: &mut Ctx) -> bool {
        if purpose.clone().try_into::<Ask>() != Ok(Ask::Rules) {
            return false;
        }
        let form = voting_rules::form(cx.session());
        cx.open_form(form, Purpose::keepable(Ask::Rules));
        true
    }

    fn submit(&mut self, purpose: &Purpose, form: &Form, cx: &mut Ctx) -> Result<(), String> {
        match purpose.get::<Ask>() {
            Some(Ask::Rules) => voting_rules::save(form, cx),
            None => Ok(()),
        }
    }

    fn header(&self, view: &View) -> Option<String> {
        let s = view.session;
        match mode(s) {
            VotingMode::Rating => {
                let rated = s.threats.iter().filter(|t| t.risk().is_some()).count();
                Some(format!("rated {rated} of {}", s.threats.len()))
            }
            VotingMode::Tally => None,
            _ => {
                let voted = s
                    .participants
                    .iter()
                    .filter(|p| s.voting.done.contains(&p.id) || s.voting.abstained.contains(&p.id))
                    .count();
                Some(format!("voted {voted} of {}", s.participants.len()))
            }
        }
    }

    fn draw(&self, frame: &mut Frame, area: Rect, view: &View) {
        draw(self, frame, area, view);
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// The line above the list: the mode, the voter and what they have left.
fn banner(screen: &VoteScreen, view: &View) -> Line<'static> {
    let s = view.session;
    let st = view.styles;
    let budget = scoring::budget(s);
    let cap = s.voting.cap_per_threat;
    let key = |k: &str| Span::styled(k.to_string(), st.hint_key);
    let text = |t: String| Span::styled(t, st.base);
    if screen.rating_entry(s) {
        let column = if screen.column == 0 {
            "likelihood"
        } else {
            "impact"
        };
        return Line::from(vec![
            text("Rating ".to_string()),
            Span::styled(column.to_string(), st.accent.add_modifier(Modifier::BOLD)),
            text(": ".to_string()),
            key("1-5"),
            text(" rates, ".to_string()),
            key("0"),
            text(" clears, ".to_string()),
            key("←→"),
            text(" likelihood or impact; risk = L x I".to_string()),
        ]);
    }
    match mode(s) {
        VotingMode::Tally => Line::from(vec![
            text("Tally: the room votes by hand; type each threat's count (".to_string()),
            key("0-9"),
            text(", ".to_string()),
            key("+ -"),
            text(").".to_string()),
        ]),
        m => {
            let Some(voter) = screen.voter(s) else {
                return Line::from(Span::styled(
                    "Nobody to vote yet: add participants in Setup, or choose tally or rating (s).",
                    st.warning,
                ));
            };
            let left = budget.saturating_sub(scoring::spent(s, voter.id));
            let state = if s.voting.done.contains(&voter.id) {
                " (done)"
            } else if s.voting.abstained.contains(&voter.id) {
                " (abstained)"
            } else {
                ""
            };
            let kind = match m {
                VotingMode::Open => "Open vote",
                VotingMode::Hidden if s.voting.revealed => "Hidden vote, revealed",
                VotingMode::Hidden => "Hidden vote",
                VotingMode::Secret if s.voting.revealed => "Secret ballot, revealed",
                _ => "Secret ballot",
            };
            Line::from(vec![
                text(format!("{kind} · ")),
                Span::styled(
                    format!("{}{state}", one_line(&voter.name)),
                    st.accent.add_modifier(Modifier::BOLD),
                ),
                text(format!(
                    ": {left} of {} left, at most {cap} on a threat",
                    plural(budget, "dot", "dots"),
                )),
            ])
        }
    }
}

fn draw(screen: &VoteScreen, frame: &mut Frame, area: Rect, view: &View) {
    let s = view.session;
    let st = view.styles;
    if screen.handing_over(s) {
        let name = |p: &Participant| one_line(&p.name).into_owned();
        let bold = st.title.add_modifier(Modifier::BOLD);
        let key = |k: &str| Span::styled(k.to_string(), st.hint_key);
        let text = |t: String| Span::styled(t, st.base);
        // Whom the keyboard goes to: the current voter, unless they vote
        // on their own device or have voted.
        let current = screen
            .voter(s)
            .filter(|p| !has_voted(s, p.id) && !is_remote(view.remote, p.id));
        let next = current.or_else(|| {
            screen
                .next_open_voter(s, view.remote)
                .and_then(|i| s.participants.get(i))
        });
        let mut lines = if all_voted(s) {
            vec![
                Line::from(Span::styled("Everyone has voted.", bold)),
                Line::from(""),
                Line::from(vec![
                    key("r"),
                    text(" reveals the totals to the room.".into()),
                ]),
            ]
        } else {
            let mut lines = Vec::new();
            if current.is_none()
                && let Some(p) = screen.voter(s).filter(|p| is_remote(view.remote, p.id))
                && !has_voted(s, p.id)
            {
                lines.push(Line::from(Span::styled(
                    format!("{} votes on their own device.", name(p)),
                    bold,
                )));
            }
            match next {
                Some(p) => {
                    lines.push(Line::from(Span::styled(
                        format!("Pass the keyboard to {}.", name(p)),
                        bold,
                    )));
                    lines.push(Line::from(""));
                    lines.push(Line::from(vec![
                        key("Enter"),
                        text(format!(" when {} has it.", name(p))),
                    ]));
                }
                None => {
                    lines.push(Line::from(Span::styled(
                        "The rest vote on their own devices.",
                        bold,
                    )));
                    lines.push(Line::from(""));
                    lines.push(Line::from(vec![
                        key("r"),
                        text(" reveals the totals once everyone has voted.".into()),
                    ]));
                }
            }
            lines
        };
        if !view.remote.is_empty() {
            lines.push(Line::from(""));
            lines.push(Line::from(Span::styled(roster(s, view.remote), st.muted)));
        }
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(st.border_focus)
            .title(Span::styled(" Secret ballot ", st.title));
        let inner = block.inner(area);
        frame.render_widget(block, area);
        // Rows the lines take once wrapped (about: wrapping at words can
        // take a row more, which the centring absorbs).
        let columns = usize::from(inner.width.max(1));
        let rows: usize = lines
            .iter()
            .map(|l| l.width().div_ceil(columns).max(1))
            .sum();
        let height = u16::try_from(rows + 1).unwrap_or(u16::MAX);
        let paragraph = Paragraph::new(lines)
            .alignment(Alignment::Center)
            .wrap(Wrap { trim: true });
        let [_, middle, _] = Layout::vertical([
            Constraint::Fill(1),
            Constraint::Length(height),
            Constraint::Fill(1),
        ])
        .areas(inner);
        frame.render_widget(paragraph, middle);
        return;
    }
    let shows_roster = per_voter(mode(s)) && !view.remote.is_empty();
    let [top, roster_row, body] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(u16::from(shows_roster)),
        Constraint::Min(3),
    ])
    .areas(area);
    frame.render_widget(Paragraph::new(banner(screen, view)).style(st.base), top);
    if shows_roster {
        frame.render_widget(
            Paragraph::new(fit(&roster(s, view.remote), usize::from(area.width)).into_owned())
                .style(st.muted),
            roster_row,
        );
    }
    let wide = body.width >= 110;
    let (main, side) = if wide {
        let [a, b] = Layout::horizontal([Constraint::Fill(3), Constraint::Fill(2)]).areas(body);
        (a, Some(b))
    } else {
        (body, None)
    };
    if screen.heat {
        draw_heat(screen, frame, main, view);
    } else {
        draw_list(screen, frame, main, view, screen.cell_filter);
    }
    if let Some(side) = side {
        if screen.heat {
            // A preview of the cell under the cursor.
            draw_list(screen, frame, side, view, Some(screen.cell));
        } else {
            draw_chart(screen, frame, side, view);
        }
    }
}

fn draw_list(
    screen: &VoteScreen,
    frame: &mut Frame,
    area: Rect,
    view: &View,
    cell: Option<(u8, u8)>,
) {
    let s = view.session;
    let st = view.styles;
    let m = mode(s);
    let shown = shown_in(s, cell);
    let visible = totals_visible(s);
    let voter = if per_voter(m) { screen.voter(s) } else { None };
    let mut title = vec![Span::styled(" Threats ", st.title)];
    if let Some((l, i)) = cell {
        let back = if screen.heat { "" } else { " (Esc: all)" };
        title.push(Span::styled(
            format!("likelihood {l} x impact {i}{back} "),
            st.accent,
        ));
    }
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(if screen.heat {
            st.border
        } else {
            st.border_focus
        })
        .title(Line::from(title));
    if shown.is_empty() {
        let text = if s.threats.is_empty() {
            "No threats yet: Brainstorm captures them (P then 3)."
        } else if screen.heat {
            "No threat in this cell."
        } else {
            "No threat in this cell: Esc shows them all."
        };
        frame.render_widget(Paragraph::new(text).block(block).style(st.base), area);
        return;
    }
    // The preview beside the heat map has no cursor of its own.
    let cursor = if screen.heat {
        0
    } else {
        screen.cursor.min(shown.len() - 1)
    };
    let height = usize::from(block.inner(area).height.saturating_sub(1));
    let window = list::window(shown.len(), cursor, height);
    let rating_entry = screen.rating_entry(s);
    let rows: Vec<Vec<Cell>> = window
        .clone()
        .filter_map(|row| {
            shown
                .get(row)
                .and_then(|n| s.threats.get(n))
                .map(|t| (row, t))
        })
        .map(|(row, t)| {
            let total = s.voting.dots_for(t.id);
            let dots = if visible {
                Cell::styled(total.to_string(), st.role("vote.dot"))
            } else {
                Cell::styled("?", st.muted)
            };
            let mine = voter
                .and_then(|p| s.voting.ballots.get(&p.id))
                .and_then(|b| b.get(&t.id))
                .copied()
                .unwrap_or(0);
            let rate = |value: Option<u8>, col: usize| {
                let text = value.map_or("·".to_string(), |v| v.to_string());
                let mut style = st.base;
                if rating_entry && row == cursor && col == screen.column {
                    style = style.add_modifier(Modifier::REVERSED | Modifier::BOLD);
                }
                Cell::styled(text, style)
            };
            let risk = t.risk();
            vec![
                Cell::styled(t.id.to_string(), st.muted),
                Cell::new(one_line(&t.title)),
                Cell::styled(t.category.letter().to_string(), st.stride(t.category)),
                dots,
                Cell::styled(
                    if voter.is_some() {
                        "●".repeat(usize::try_from(mine).unwrap_or(0).min(9))
                    } else {
                        String::new()
                    },
                    st.role("vote.dot"),
                ),
                rate(t.likelihood, 0),
                rate(t.impact, 1),
                Cell::styled(
                    risk.map_or(String::new(), |r| r.to_string()),
                    risk.map_or(st.muted, |r| st.risk(RiskBand::of(r))),
                ),
            ]
        })
        .collect();
    let mine_header: &'static str = if voter.is_some() { "Mine" } else { "" };
    let mut columns = vec![
        Column::fixed("ID", 5),
        Column::name("Threat"),
        Column::fixed("", 1),
        Column::fixed("Dots", 4),
        Column::fixed(mine_header, 4),
        Column::fixed("L", 1),
        Column::fixed("I", 1),
        Column::fixed("LxI", 3),
    ];
    let mut rows = rows;
    if m == VotingMode::Rating {
        // A rating session has no votes: the dot columns would stay empty.
        columns.drain(3..5);
        for row in &mut rows {
            row.drain(3..5);
        }
    }
    let table = fitted(&columns, rows, table_room(area), st.muted)
        .block(block)
        .row_highlight_style(st.selection())
        .highlight_symbol(MARKER)
        .style(st.base);
    let selected = (!screen.heat).then_some(cursor - window.start);
    frame.render_stateful_widget(
        table,
        area,
        &mut TableState::default().with_selected(selected),
    );
}

/// The ranking by dots as bars, ties marked, top first.
fn draw_chart(screen: &VoteScreen, frame: &mut Frame, area: Rect, view: &View) {
    let s = view.session;
    let st = view.styles;
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(st.border)
        .title(Span::styled(" Ranking ", st.title));
    if !totals_visible(s) {
        frame.render_widget(
            Paragraph::new(vec![
                Line::from("Totals stay hidden until they are revealed (r)."),
                Line::from(""),
                Line::from(Span::styled(
                    "Each voter sees only their own dots meanwhile.",
                    st.muted,
                )),
            ])
            .wrap(Wrap { trim: true })
            .block(block)
            .style(st.base),
            area,
        );
        return;
    }
    let ranking = screen.ranking(view);
    let inner = block.inner(area);
    let height = usize::from(inner.height);
    let most = ranking.iter().map(|r| r.dots).max().unwrap_or(0).max(1);
    let width = usize::from(inner.width);
    let rating = mode(s) == VotingMode::Rating;
    let lines: Vec<Line> = ranking
        .iter()
        .take(height)
        .filter_map(|r| s.threat(r.threat).map(|t| (r, t)))
        .map(|(r, t)| {
            let rank = format!("{:>3}{}", r.rank, if r.tied { "=" } else { " " });
            let (value, shown) = if rating {
                (u32::from(r.risk.unwrap_or(0)), 25)
            } else {
                (r.dots, most)
            };
            let label = format!(" {} {}", t.id, one_line(&t.title));
            let bar_room = (width / 3).max(4);
            let bar_len = usize::try_from(value)
                .unwrap_or(0)
                .saturating_mul(bar_room)
                .checked_div(usize::try_from(shown).unwrap_or(1).max(1))
                .unwrap_or(0);
            let count = format!(" {value}");
            let text_room = width.saturating_sub(rank.len() + bar_room + count.len());
            Line::from(vec![
                Span::styled(rank, st.muted),
                Span::styled(
                    format!("{:<bar_room$}", "█".repeat(bar_len)),
                    r.band.map_or(st.role("vote.dot"), |b| st.risk(b)),
                ),
                Span::styled(count, st.base.add_modifier(Modifier::BOLD)),
                Span::styled(fit(&label, text_room).into_owned(), st.base),
            ])
        })
        .collect();
    // One line per row, each cut to fit already: a Paragraph would reflow
    // them grapheme by grapheme on every frame.
    frame.render_widget(block.style(st.base), area);
    for (line, y) in lines.into_iter().zip(inner.y..inner.bottom()) {
        frame.render_widget(
            line,
            Rect {
                y,
                height: 1,
                ..inner
            },
        );
    }
}

/// Likelihood (rows, 5 at the top) x impact (columns), a count per cell,
/// coloured by risk band.
fn draw_heat(screen: &VoteScreen, frame: &mut Frame, area: Rect, view: &View) {
    let s = view.session;
    let st = view.styles;
    let mut counts = [[0usize; 5]; 5];
    let mut unrated = 0;
    for t in &s.threats {
        match (t.likelihood, t.impact) {
            (Some(l @ 1..=5), Some(i @ 1..=5)) => {
                counts[usize::from(l - 1)][usize::from(i - 1)] += 1;
            }
            _ => unrated += 1,
        }
    }
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(st.border_focus)
        .title(Span::styled(
            format!(" Heat map: likelihood x impact ({} not rated) ", unrated),
            st.title,
        ));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let cell_width = (inner.width.saturating_sub(14) / 5).clamp(5, 12);
    let mut lines = vec![Line::from("")];
    for l in (1..=MAX_RATING).rev() {
        let mut spans = vec![Span::styled(
            format!("{:>11} {l} ", if l == 3 { "likelihood" } else { "" }),
            st.muted,
        )];
        for i in 1..=MAX_RATING {
            let n = counts[usize::from(l - 1)][usize::from(i - 1)];
            let band = RiskBand::of(l * i);
            let mut style = st.risk(band);
            if n > 0 {
                style = style.add_modifier(Modifier::BOLD);
            }
            if screen.cell == (l, i) {
                style = style.add_modifier(Modifier::REVERSED);
            }
            let text = if n > 0 {
                n.to_string()
            } else {
                "·".to_string()
            };
            let w = usize::from(cell_width);
            spans.push(Span::styled(format!("{text:^w$}"), style));
        }
        lines.push(Line::from(spans));
        lines.push(Line::from(""));
    }
    let w = usize::from(cell_width);
    let mut axis = vec![Span::styled(format!("{:>13} ", ""), st.muted)];
    for i in 1..=MAX_RATING {
        axis.push(Span::styled(format!("{i:^w$}"), st.muted));
    }
    lines.push(Line::from(axis));
    lines.push(Line::from(Span::styled(
        format!("{:>13} {:^width$}", "", "impact", width = w * 5),
        st.muted,
    )));
    frame.render_widget(Paragraph::new(lines).style(st.base), inner);
}
