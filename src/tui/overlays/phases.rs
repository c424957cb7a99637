//! The phase menu (`P`): the agenda at a glance, and a jump to any phase
//! with its digit.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::widgets::{Clear, List, ListItem, ListState};

use super::{Outcome, boxed, centered};
use crate::core::model::Phase;
use crate::tui::action::Action;
use crate::tui::style::Styles;

#[derive(Debug, Clone)]
pub struct PhaseMenu {
    pub cursor: usize,
    /// One line per phase: "3 Brainstorm   35 min  12:40 spent".
    pub lines: Vec<String>,
}

impl PhaseMenu {
    pub fn new(current: Phase, lines: Vec<String>) -> PhaseMenu {
        PhaseMenu {
            cursor: current.index(),
            lines,
        }
    }

    pub fn update(&mut self, action: &Action) -> Outcome {
        let last = Phase::ALL.len() - 1;
        match action {
            Action::GotoPhase(p) => Outcome::Goto(*p),
            Action::Open => Outcome::Goto(Phase::ALL[self.cursor.min(last)]),
            Action::Down => {
                self.cursor = (self.cursor + 1).min(last);
                Outcome::Stay
            }
            Action::Up => {
                self.cursor = self.cursor.saturating_sub(1);
                Outcome::Stay
            }
            Action::Cancel => Outcome::Close,
            Action::Help => Outcome::Help,
            _ => Outcome::Stay,
        }
    }

    pub fn draw(&self, frame: &mut Frame, area: Rect, styles: &Styles) {
        let rect = centered(area, 52, 10);
        frame.render_widget(Clear, rect);
        let items: Vec<ListItem> = self
            .lines
            .iter()
            .map(|l| ListItem::new(l.clone()))
            .collect();
        let list = List::new(items)
            .block(boxed(styles, "Go to phase (1-6, or Enter)"))
            .highlight_style(styles.selection())
            .highlight_symbol("› ")
            .style(styles.base);
        frame.render_stateful_widget(
            list,
            rect,
            &mut ListState::default().with_selected(Some(self.cursor)),
        );
    }
}
