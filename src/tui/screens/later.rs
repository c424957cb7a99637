//! Brainstorm, Vote, Plan and Review. Their workshop screens come next;
//! until then each shows what the session holds for it, so moving through
//! the phases with the timer already works.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table, Wrap};

use crate::core::coverage;
use crate::core::index::SessionIndex;
use crate::core::model::Phase;
use crate::core::scoring::rank;
use crate::core::text::one_line;
use crate::tui::app::{App, SessionState, phase_question};

pub fn view(frame: &mut Frame, area: Rect, app: &App, state: &SessionState) {
    let s = &app.styles;
    let session = &state.session;
    let phase = session.phase;
    let [intro, body] = Layout::vertical([Constraint::Length(3), Constraint::Min(3)]).areas(area);
    let (done, total) = coverage::matrix(session, &app.catalogs).progress();
    let summary = match phase {
        Phase::Brainstorm => format!(
            "{} threats so far; {done} of {total} element-category pairs walked.",
            session.threats.len()
        ),
        Phase::Vote => format!(
            "{} threats; {} ballots; mode {}.",
            session.threats.len(),
            session.voting.ballots.len(),
            session.voting.mode.key()
        ),
        Phase::Plan => format!(
            "{} mitigations for {} threats.",
            session.mitigations.len(),
            session.threats.len()
        ),
        _ => format!("{done} of {total} element-category pairs walked."),
    };
    frame.render_widget(
        Paragraph::new(vec![
            Line::from(Span::styled(phase_question(phase), s.title)),
            Line::from(Span::styled(
                format!("{summary} The {} screen arrives in a later release; `stridekit report` shows everything now.", phase.name()),
                s.muted,
            )),
        ])
        .wrap(Wrap { trim: true })
        .style(s.base),
        intro,
    );
    let index = SessionIndex::new(session);
    let rows: Vec<Row> = rank(session)
        .iter()
        .filter_map(|r| {
            let t = index.threat(r.threat)?;
            Some(Row::new(vec![
                Cell::from(format!("{}{}", r.rank, if r.tied { "=" } else { "" })),
                Cell::from(t.id.to_string()).style(s.muted),
                Cell::from(one_line(&t.title).into_owned()),
                Cell::from(t.category.letter().to_string()).style(s.stride(t.category)),
                Cell::from(r.dots.to_string()),
                Cell::from(r.risk.map(|x| x.to_string()).unwrap_or_default())
                    .style(r.band.map_or(s.muted, |b| s.risk(b))),
            ]))
        })
        .collect();
    let table = Table::new(
        rows,
        [
            Constraint::Length(4),
            Constraint::Length(5),
            Constraint::Fill(1),
            Constraint::Length(3),
            Constraint::Length(4),
            Constraint::Length(4),
        ],
    )
    .header(Row::new(["#", "ID", "Threat", "", "Dots", "LxI"]).style(s.muted))
    .block(
        Block::default()
            .borders(Borders::ALL)
            .border_style(s.border)
            .title(" Threats, ranked "),
    )
    .style(s.base);
    frame.render_widget(table, body);
}
