//! Brainstorm, Vote, Plan and Review, until their workshop screens come:
//! each shows what the session holds for it, so moving through the
//! phases with the timer already works. They offer no keys of their own.

use std::any::Any;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use super::{PhaseScreen, phase_question};
use crate::core::coverage;
use crate::core::index::SessionIndex;
use crate::core::model::{Phase, VotingMode};
use crate::core::scoring::rank;
use crate::core::text::{one_line, plural};
use crate::tui::action::Action;
use crate::tui::context::{Ctx, Offer, View};
use crate::tui::keymap::Context;
use crate::tui::widgets::list;
use crate::tui::widgets::table::{Column, Field as Cell, fitted};

pub struct Placeholder {
    phase: Phase,
}

impl Placeholder {
    pub fn new(phase: Phase) -> Placeholder {
        Placeholder { phase }
    }
}

impl PhaseScreen for Placeholder {
    fn phase(&self) -> Phase {
        self.phase
    }

    fn section(&self) -> Context {
        match self.phase {
            Phase::Brainstorm => Context::Brainstorm,
            Phase::Vote => Context::Vote,
            Phase::Plan => Context::Plan,
            _ => Context::Review,
        }
    }

    fn offer(&self, _action: &Action, _view: &View) -> Offer {
        Offer::Hidden
    }

    fn update(&mut self, _action: Action, _cx: &mut Ctx) {}

    fn draw(&self, frame: &mut Frame, area: Rect, view: &View) {
        draw(self.phase, frame, area, view);
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

fn draw(phase: Phase, frame: &mut Frame, area: Rect, view: &View) {
    let s = view.styles;
    let session = view.session;
    let [intro, body] = Layout::vertical([Constraint::Length(3), Constraint::Min(3)]).areas(area);
    let (done, total) = coverage::matrix(session, view.catalogs).progress();
    let threats = plural(session.threats.len(), "threat", "threats");
    let summary = match phase {
        Phase::Brainstorm => {
            format!("{threats} so far; {done} of {total} element-category pairs walked.")
        }
        Phase::Vote if session.voting.mode == VotingMode::Rating => {
            let rated = session
                .threats
                .iter()
                .filter(|t| t.risk().is_some())
                .count();
            format!("{threats}, {rated} rated for likelihood x impact.")
        }
        Phase::Vote => format!(
            "{threats}; {}; mode {}.",
            plural(session.voting.ballots.len(), "ballot", "ballots"),
            session.voting.mode.key()
        ),
        Phase::Plan => format!(
            "{} for {threats}.",
            plural(session.mitigations.len(), "mitigation", "mitigations")
        ),
        _ => format!("{done} of {total} element-category pairs walked."),
    };
    frame.render_widget(
        Paragraph::new(vec![
            Line::from(Span::styled(phase_question(phase), s.title)),
            Line::from(Span::styled(
                format!(
                    "{summary} The {} screen arrives in a later release; `stridekit report` shows everything now.",
                    phase.name()
                ),
                s.muted,
            )),
        ])
        .wrap(Wrap { trim: true })
        .style(s.base),
        intro,
    );
    let index = SessionIndex::new(session);
    let ranking = rank(session);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(s.border)
        .title(" Threats, ranked ");
    let height = usize::from(block.inner(body).height.saturating_sub(1));
    let rows: Vec<Vec<Cell>> = ranking[list::window(ranking.len(), 0, height)]
        .iter()
        .filter_map(|r| {
            let t = index.threat(r.threat)?;
            Some(vec![
                Cell::new(format!("{}{}", r.rank, if r.tied { "=" } else { "" })),
                Cell::styled(t.id.to_string(), s.muted),
                Cell::new(one_line(&t.title)),
                Cell::styled(t.category.letter().to_string(), s.stride(t.category)),
                Cell::new(r.dots.to_string()),
                Cell::styled(
                    r.risk.map(|x| x.to_string()).unwrap_or_default(),
                    r.band.map_or(s.muted, |b| s.risk(b)),
                ),
            ])
        })
        .collect();
    let columns = [
        Column::fixed("#", 4),
        Column::fixed("ID", 5),
        Column::name("Threat"),
        Column::fixed("", 1),
        Column::fixed("Dots", 4),
        Column::fixed("LxI", 3),
    ];
    let table = fitted(&columns, rows, body.width.saturating_sub(2), s.muted)
        .block(block)
        .style(s.base);
    frame.render_widget(table, body);
}
