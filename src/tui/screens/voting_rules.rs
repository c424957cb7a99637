//! The voting rules (mode, dots per person, the cap), edited in Setup and
//! during the vote: never below what the ballots already hold.

use crate::core::model::{Session, VotingMode};
use crate::core::scoring;
use crate::tui::context::{Ctx, Say};
use crate::tui::form::{Choice, Field, Form};

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

/// The voting rules: mode, dots per person, the cap.
pub fn form(s: &Session) -> Form {
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

/// Saves the rules, refusing any below what the ballots already hold.
pub fn save(form: &Form, cx: &mut Ctx) -> Result<(), String> {
    let mode = form
        .key("mode")
        .and_then(|k| VotingMode::ALL.into_iter().find(|m| m.key() == k))
        .unwrap_or_default();
    let dots = form.number("dots");
    let cap = form.number("cap").unwrap_or(3).max(1);
    // Ballots already cast must stay within the cap.
    let most = cx
        .session()
        .voting
        .ballots
        .values()
        .flat_map(|b| b.values())
        .copied()
        .max()
        .unwrap_or(0);
    if cap < most {
        return Err(format!(
            "{most} dots are already on one threat; the cap must be at least {most}"
        ));
    }
    let spent = cx
        .session()
        .voting
        .ballots
        .keys()
        .map(|p| scoring::spent(cx.session(), *p))
        .max()
        .unwrap_or(0);
    if let Some(dots) = dots
        && dots < spent
    {
        return Err(format!(
            "someone has placed {spent} dots already; give each person at least {spent}"
        ));
    }
    cx.edit("voting rules", |s| {
        s.voting.mode = mode;
        s.voting.dots_per_person = dots;
        s.voting.cap_per_threat = cap;
    });
    cx.success("Voting rules saved");
    Ok(())
}
