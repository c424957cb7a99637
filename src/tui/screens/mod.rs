//! One module per screen. A phase screen owns its state, its update, its
//! drawing and the keys it offers; the app knows the screens only through
//! [`registry`] and the [`PhaseScreen`] trait, and a screen knows nothing
//! of the app: it reads a [`View`] and acts through a [`Ctx`].
//!
//! Adding a phase screen: its module here, one line in [`registry`], and
//! its section in the keymap.

pub mod brainstorm;
pub mod home;
pub mod plan;
pub mod review;
pub mod scope;
pub mod setup;
pub mod vote;
pub mod voting_rules;

use std::any::Any;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, List, ListItem, ListState, Table, TableState};

use super::action::Action;
use super::context::{Ctx, Offer, Purpose, View};
use super::form::Form;
use super::keymap::Context;
use super::style::Styles;
use crate::core::ids::Id;
use crate::core::model::{Phase, Session};
use crate::core::text::{fit, width};

/// A workshop phase's screen.
pub trait PhaseScreen: Any {
    fn phase(&self) -> Phase;

    /// Its section of the keymap, which may depend on what it shows (a
    /// sub-view, a hand-over).
    fn section(&self, view: &View) -> Context;

    /// Whether `action` (bound in its section or in the list keys) works
    /// here now. Only enabled actions reach [`PhaseScreen::update`].
    fn offer(&self, action: &Action, view: &View) -> Offer;

    fn update(&mut self, action: Action, cx: &mut Ctx);

    fn draw(&self, frame: &mut Frame, area: Rect, view: &View);

    /// Keeps cursors inside their lists after the session changed under
    /// the screen (an undo).
    fn clamp(&mut self, _view: &View) {}

    /// Saves a form the screen opened; an error keeps the form open.
    fn submit(&mut self, _purpose: &Purpose, _form: &Form, _cx: &mut Ctx) -> Result<(), String> {
        Ok(())
    }

    /// Opens again a form this screen opened with a
    /// [`Purpose::keepable`], from that purpose as a draft file kept it
    /// (stridekit stopped with the form open). False when the purpose is
    /// not one of this screen's or what it was about is gone.
    fn reopen(&mut self, _purpose: &toml::Value, _cx: &mut Ctx) -> bool {
        false
    }

    /// stridekit is stopping: text typed but not yet entered outside a
    /// form (quick capture) is entered now, as Enter would.
    fn keep_typed(&mut self, _cx: &mut Ctx) {}

    /// Takes the choice of a picker the screen opened.
    fn picked(&mut self, _purpose: &Purpose, _keys: Vec<String>, _cx: &mut Ctx) {}

    /// A question the screen asked was answered yes.
    fn confirmed(&mut self, _purpose: &Purpose, _cx: &mut Ctx) {}

    /// The modal layer the screen is in, when text is being typed into it
    /// (a filter, quick capture): its keys replace the screen's, and every
    /// other key is text.
    fn modal(&self) -> Option<Context> {
        None
    }

    /// A note for the header beside the clock (Brainstorm's coverage).
    fn header(&self, _view: &View) -> Option<String> {
        None
    }

    /// For tests: the screen as its own type.
    /// Where a participant's device should be in this screen: the
    /// element and category being walked, with the catalog's questions.
    fn participant_focus(&self, _view: &View) -> Option<crate::core::participation::Focus> {
        None
    }

    fn as_any(&self) -> &dyn Any;
}

/// Whether `id` (from a draft) still names something in the session.
pub fn still_there(session: &Session, id: Option<Id>) -> bool {
    id.is_none_or(|id| session.all_ids().any(|i| i == id))
}

/// Every phase screen, in phase order: the one list of them.
pub fn registry() -> Vec<Box<dyn PhaseScreen>> {
    vec![
        Box::new(setup::SetupScreen::default()),
        Box::new(scope::ScopeScreen::default()),
        Box::new(brainstorm::BrainstormScreen::default()),
        Box::new(vote::VoteScreen::default()),
        Box::new(plan::PlanScreen::default()),
        Box::new(review::ReviewScreen::default()),
    ]
}

/// The question a phase answers, for the status line.
pub fn phase_question(phase: Phase) -> &'static str {
    match phase {
        Phase::Setup => "Setup: who is here, and how long each part takes",
        Phase::Scope => "Scope: what are we working on?",
        Phase::Brainstorm => "Brainstorm: what can go wrong?",
        Phase::Vote => "Vote: which threats matter most?",
        Phase::Plan => "Plan: what are we going to do about it?",
        Phase::Review => "Review: did we do a good job?",
    }
}

/// The left-hand column of a phase screen: its panes with item counts, the
/// focused one highlighted (Tab moves on).
pub fn pane_list(
    frame: &mut Frame,
    area: Rect,
    styles: &Styles,
    title: &str,
    panes: &[(String, String)],
    focused: usize,
) {
    let s = styles;
    // Inside the borders, after the one-column selection marker, with a
    // blank column before the right border.
    let room = usize::from(area.width.saturating_sub(4));
    let items: Vec<ListItem> = panes
        .iter()
        .map(|(name, count)| {
            let name = fit(name, room.saturating_sub(width(count) + 1));
            let gap = room.saturating_sub(width(&name) + width(count));
            ListItem::new(Line::from(vec![
                Span::raw(name.into_owned()),
                Span::raw(" ".repeat(gap.max(1))),
                Span::styled(count.clone(), s.muted),
            ]))
        })
        .collect();
    let list = List::new(items)
        .block(
            Block::default()
                .borders(Borders::ALL)
                .border_style(s.border)
                .title(Span::styled(format!(" {title} "), s.title)),
        )
        .highlight_style(s.selection())
        .highlight_symbol("›")
        .style(s.base);
    frame.render_stateful_widget(
        list,
        area,
        &mut ListState::default().with_selected(Some(focused)),
    );
}

/// The selection marker of list tables.
pub const MARKER: &str = "› ";

/// Draws `table` in `block` as a list with a cursor on row `cursor`: the
/// selection style and marker every list screen shares.
pub fn cursor_table(
    frame: &mut Frame,
    area: Rect,
    styles: &Styles,
    table: Table<'_>,
    block: Block<'_>,
    cursor: usize,
) {
    let table = table
        .row_highlight_style(styles.selection())
        .highlight_symbol(MARKER)
        .block(block)
        .style(styles.base);
    frame.render_stateful_widget(
        table,
        area,
        &mut TableState::default().with_selected(Some(cursor)),
    );
}

/// The columns a table has for its cells inside a bordered `area`, after
/// the selection marker.
pub fn table_room(area: Rect) -> u16 {
    area.width
        .saturating_sub(2)
        .saturating_sub(width(MARKER) as u16)
}
