//! What a participant joining from their own device may see and do, without
//! a network or a terminal: the board they are shown (never another
//! person's ballot, never a hidden vote's totals), a threat added where the
//! facilitator is in the walk, and dots placed within the budget and cap.
//! The share server and the facilitator's screens both go through these
//! rules, so a rule holds however a request arrives.

use serde::{Deserialize, Serialize};

use super::ids::{Id, IdKind};
use super::model::{Participant, Phase, Session, VotingMode};
use super::scoring;
use super::stride::Category;
use super::text::{one_line, plural};
use super::time::Timestamp;
use super::walk;

/// Longest texts a participant may send, in characters.
pub const MAX_NAME: usize = 60;
pub const MAX_TITLE: usize = 300;
pub const MAX_NOTES: usize = 4000;

/// Where the facilitator is: the phase, and in Brainstorm the element and
/// category being walked, with the catalog's questions for it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stage {
    pub phase: Option<Phase>,
    pub focus: Option<Focus>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Focus {
    pub element: Id,
    pub element_name: String,
    pub category: Category,
    pub category_name: String,
    pub prompts: Vec<String>,
}

/// What one participant's page shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Board {
    pub title: String,
    pub phase: Option<Phase>,
    pub phase_name: String,
    pub me: Id,
    pub my_name: String,
    pub focus: Option<Focus>,
    /// The participant's own threats, newest last.
    pub my_threats: Vec<BoardThreat>,
    /// During Vote: what can be voted on and the participant's ballot.
    pub vote: Option<BoardVote>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BoardThreat {
    pub id: Id,
    pub title: String,
    pub category: Category,
    pub element: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BoardVote {
    pub mode: VotingMode,
    /// Whether the participant may place dots (open, hidden and secret
    /// votes; a tally or ratings are the facilitator's).
    pub ballots: bool,
    pub budget: u32,
    pub cap: u32,
    pub spent: u32,
    pub done: bool,
    pub revealed: bool,
    pub threats: Vec<VoteThreat>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VoteThreat {
    pub id: Id,
    pub title: String,
    pub category: Category,
    pub element: String,
    /// The participant's own dots.
    pub mine: u32,
    /// Everyone's dots, only where the vote shows them: an open vote, or a
    /// hidden or secret one after the reveal.
    pub total: Option<u32>,
}

/// Why a participant's request was refused, in words for their page.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Refusal(pub String);

fn refuse<T>(why: impl Into<String>) -> Result<T, Refusal> {
    Err(Refusal(why.into()))
}

/// Text a participant sent, made safe to keep: controls and bidi
/// overrides out (one line for a name or title), cut to `max` characters,
/// trimmed.
pub fn clean(text: &str, max: usize, multi_line: bool) -> String {
    let safe = if multi_line {
        super::text::multi_line(text)
    } else {
        one_line(text)
    };
    let cut: String = safe.chars().take(max).collect();
    cut.trim().to_string()
}

/// The board of participant `me`, or `None` when they are not (or no
/// longer) a participant of the session.
pub fn board(session: &Session, stage: &Stage, me: Id) -> Option<Board> {
    let person = session.participants.iter().find(|p| p.id == me)?;
    let element_name = |target: Option<Id>| {
        target
            .and_then(|t| session.element(t))
            .map(|e| e.name().to_string())
            .unwrap_or_default()
    };
    let my_threats = session
        .threats
        .iter()
        .filter(|t| t.author == Some(me))
        .map(|t| BoardThreat {
            id: t.id,
            title: t.title.clone(),
            category: t.category,
            element: element_name(t.target),
        })
        .collect();
    let vote = (stage.phase == Some(Phase::Vote)).then(|| {
        let voting = &session.voting;
        let shown = match voting.mode {
            VotingMode::Open | VotingMode::Tally => true,
            VotingMode::Hidden | VotingMode::Secret => voting.revealed,
            VotingMode::Rating => false,
        };
        let totals = shown.then(|| scoring::totals(session));
        let ballot = voting.ballots.get(&me);
        BoardVote {
            mode: voting.mode,
            ballots: takes_ballots(voting.mode),
            budget: scoring::budget(session),
            cap: voting.cap_per_threat,
            spent: scoring::spent(session, me),
            done: voting.done.contains(&me) || voting.abstained.contains(&me),
            revealed: voting.revealed,
            threats: session
                .threats
                .iter()
                .map(|t| VoteThreat {
                    id: t.id,
                    title: t.title.clone(),
                    category: t.category,
                    element: element_name(t.target),
                    mine: ballot.and_then(|b| b.get(&t.id)).copied().unwrap_or(0),
                    total: totals
                        .as_ref()
                        .map(|all| all.get(&t.id).copied().unwrap_or(0)),
                })
                .collect(),
        }
    });
    Some(Board {
        title: session.title.clone(),
        phase: stage.phase,
        phase_name: stage.phase.map_or("", Phase::name).to_string(),
        me,
        my_name: person.name.clone(),
        focus: stage.focus.clone(),
        my_threats,
        vote,
    })
}

fn takes_ballots(mode: VotingMode) -> bool {
    matches!(
        mode,
        VotingMode::Open | VotingMode::Hidden | VotingMode::Secret
    )
}

/// The participant named `name` (any letter case), added to the session
/// when there is none. Returns their id and whether they were added.
pub fn participant_named(session: &mut Session, name: &str) -> Result<(Id, bool), Refusal> {
    let name = clean(name, MAX_NAME, false);
    if name.is_empty() {
        return refuse("Give a name");
    }
    let lower = name.to_lowercase();
    if let Some(p) = session
        .participants
        .iter()
        .find(|p| p.name.trim().to_lowercase() == lower)
    {
        return Ok((p.id, false));
    }
    let Some(id) = session.next_id(IdKind::Participant) else {
        return refuse("The session has no participant ids left");
    };
    session.participants.push(Participant {
        id,
        name,
        persona: None,
    });
    Ok((id, true))
}

/// A threat from participant `author` on the element and category the
/// facilitator is walking. Returns its id.
pub fn add_threat(
    session: &mut Session,
    stage: &Stage,
    author: Id,
    title: &str,
    notes: &str,
    now: Timestamp,
) -> Result<Id, Refusal> {
    if stage.phase != Some(Phase::Brainstorm) {
        return refuse("Threats are added during Brainstorm");
    }
    let Some(focus) = &stage.focus else {
        return refuse("The facilitator is not on an element yet");
    };
    if session.element(focus.element).is_none() {
        return refuse("That element is no longer in the scope");
    }
    if !session.participants.iter().any(|p| p.id == author) {
        return refuse("You are no longer a participant of this session");
    }
    let title = clean(title, MAX_TITLE, false);
    if title.is_empty() {
        return refuse("Give the threat a title");
    }
    let notes = clean(notes, MAX_NOTES, true);
    let id = walk::add_threat(
        session,
        focus.element,
        focus.category,
        &title,
        Some(author),
        now,
    )
    .map_err(|e| Refusal(format!("The threat could not be added: {e}")))?;
    if !notes.is_empty()
        && let Some(threat) = session.threat_mut(id)
    {
        threat.notes = notes;
    }
    Ok(id)
}

/// Sets participant `voter`'s dots on `threat` to `dots`, within the
/// budget and the cap, while the vote is open to them.
pub fn set_dots(
    session: &mut Session,
    stage: &Stage,
    voter: Id,
    threat: Id,
    dots: u32,
) -> Result<(), Refusal> {
    check_can_vote(session, stage, voter)?;
    if session.threat(threat).is_none() {
        return refuse(format!("There is no threat {threat}"));
    }
    match scoring::dot_limit(session, voter, threat, dots) {
        Some(scoring::DotLimit::Cap(cap)) => {
            return refuse(format!(
                "At most {} on one threat",
                plural(cap, "dot", "dots")
            ));
        }
        Some(scoring::DotLimit::Budget(budget)) => {
            return refuse(format!(
                "You have {} in all; take one off another threat first",
                plural(budget, "dot", "dots")
            ));
        }
        None => {}
    }
    let ballot = session.voting.ballots.entry(voter).or_default();
    if dots == 0 {
        ballot.remove(&threat);
    } else {
        ballot.insert(threat, dots);
    }
    session.voting.ballots.retain(|_, b| !b.is_empty());
    Ok(())
}

/// Participant `voter` has finished voting (`true`) or takes it back.
pub fn set_done(
    session: &mut Session,
    stage: &Stage,
    voter: Id,
    done: bool,
) -> Result<(), Refusal> {
    check_can_vote(session, stage, voter)?;
    if done {
        session.voting.done.insert(voter);
    } else {
        session.voting.done.remove(&voter);
    }
    Ok(())
}

fn check_can_vote(session: &Session, stage: &Stage, voter: Id) -> Result<(), Refusal> {
    if stage.phase != Some(Phase::Vote) {
        return refuse("Voting has not started");
    }
    if !takes_ballots(session.voting.mode) {
        return refuse("This vote is counted by the facilitator");
    }
    if session.voting.revealed {
        return refuse("The votes have been revealed");
    }
    if !session.participants.iter().any(|p| p.id == voter) {
        return refuse("You are no longer a participant of this session");
    }
    if session.voting.abstained.contains(&voter) {
        return refuse("You abstained from this vote");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::model::Template;

    fn session() -> (Session, Stage, Id) {
        let now = Timestamp::from_unix(1_800_000_000);
        let mut s = Session::new("Payslips", Template::Workshop, now);
        let (me, added) = participant_named(&mut s, "Ana").unwrap();
        assert!(added);
        let component = s.next_id(IdKind::Component).unwrap();
        s.components.push(crate::core::model::Component {
            id: component,
            name: "Payslip API".into(),
            kind: "generic.process".into(),
            boundary: None,
            description: String::new(),
            out_of_scope: None,
            properties: Default::default(),
        });
        let stage = Stage {
            phase: Some(Phase::Brainstorm),
            focus: Some(Focus {
                element: component,
                element_name: "Payslip API".into(),
                category: Category::Tampering,
                category_name: "Tampering".into(),
                prompts: vec![],
            }),
        };
        (s, stage, me)
    }

    #[test]
    fn a_name_is_matched_in_any_case_and_cleaned() {
        let (mut s, _, me) = session();
        assert_eq!(participant_named(&mut s, "  ana ").unwrap(), (me, false));
        let (bob, added) = participant_named(&mut s, "Bob\u{1b}[31m\u{202e}").unwrap();
        assert!(added);
        let name = &s.participants.iter().find(|p| p.id == bob).unwrap().name;
        assert!(
            !name.contains('\u{1b}') && !name.contains('\u{202e}'),
            "{name:?}"
        );
        assert!(participant_named(&mut s, " \n ").is_err());
    }

    #[test]
    fn a_threat_lands_on_the_focus_with_its_author_and_bounded_text() {
        let (mut s, stage, me) = session();
        let long = "x".repeat(MAX_TITLE + 50);
        let id = add_threat(
            &mut s,
            &stage,
            me,
            &long,
            "line 1\nline 2",
            Timestamp::from_unix(0),
        )
        .unwrap();
        let t = s.threat(id).unwrap();
        assert_eq!(t.author, Some(me));
        assert_eq!(t.category, Category::Tampering);
        assert_eq!(t.title.chars().count(), MAX_TITLE);
        assert_eq!(t.notes, "line 1\nline 2");
        let vote = Stage {
            phase: Some(Phase::Vote),
            focus: None,
        };
        assert!(add_threat(&mut s, &vote, me, "t", "", Timestamp::from_unix(0)).is_err());
        assert!(add_threat(&mut s, &stage, me, "   ", "", Timestamp::from_unix(0)).is_err());
    }

    #[test]
    fn dots_keep_to_budget_and_cap_and_stay_secret_until_reveal() {
        let (mut s, stage, me) = session();
        let a = add_threat(&mut s, &stage, me, "a", "", Timestamp::from_unix(0)).unwrap();
        let b = add_threat(&mut s, &stage, me, "b", "", Timestamp::from_unix(0)).unwrap();
        let (bob, _) = participant_named(&mut s, "Bob").unwrap();
        s.voting.mode = VotingMode::Secret;
        s.voting.dots_per_person = Some(4);
        s.voting.cap_per_threat = 3;
        let vote = Stage {
            phase: Some(Phase::Vote),
            focus: None,
        };
        assert!(
            set_dots(&mut s, &stage, me, a, 1).is_err(),
            "not yet voting"
        );
        assert!(set_dots(&mut s, &vote, me, a, 4).is_err(), "over the cap");
        set_dots(&mut s, &vote, me, a, 3).unwrap();
        assert!(
            set_dots(&mut s, &vote, me, b, 2).is_err(),
            "over the budget"
        );
        set_dots(&mut s, &vote, me, b, 1).unwrap();
        set_dots(&mut s, &vote, bob, a, 2).unwrap();
        // Bob sees his own dots, never Ana's nor the totals.
        let board = board(&s, &vote, bob).unwrap();
        let on_a = &board.vote.as_ref().unwrap().threats[0];
        assert_eq!((on_a.mine, on_a.total), (2, None));
        s.voting.revealed = true;
        let board = super::board(&s, &vote, bob).unwrap();
        assert_eq!(board.vote.unwrap().threats[0].total, Some(5));
        assert!(set_dots(&mut s, &vote, bob, b, 1).is_err(), "revealed");
    }
}
