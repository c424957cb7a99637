//! Modal layers drawn over the screen, one module each: help, the phase
//! menu, problems in a file, questions, forms and pickers. Each owns its
//! state and keys and answers with an [`Outcome`]; the app gives results
//! back to whoever opened the overlay.

pub mod confirm;
pub mod form;
pub mod help;
pub mod phases;
pub mod picker;
pub mod problems;
pub mod share;

use ratatui::Frame;
use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::Rect;
use ratatui::text::Span;
use ratatui::widgets::{Block, Borders};

use super::context::Purpose;
use super::keymap::Context;
use super::style::Styles;
use crate::core::model::Phase;

/// Who opened an overlay, and so gets its result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner {
    Home,
    Phase(Phase),
    /// The export dialog (`E`), which belongs to no one screen.
    Export,
    /// The question of which version wins when the file changed on disk.
    Conflict,
    /// What to do with a draft kept from a form left open last time.
    Draft,
}

/// Where an overlay's answer goes.
#[derive(Debug, Clone)]
pub enum Reply {
    /// Into field `usize` of the form under the picker.
    Field(usize),
    /// Close the form under the question without saving.
    DiscardForm,
    /// To the screen (or home) that asked, with its purpose.
    Owner(Owner, Purpose),
}

pub enum Overlay {
    Help(help::Help),
    Phases(phases::PhaseMenu),
    Problems(problems::Problems),
    Confirm(confirm::Confirm),
    Form(form::FormOverlay),
    Picker(picker::PickerOverlay),
    Share(share::ShareOverlay),
}

impl Overlay {
    /// The keymap section in force while this overlay is on top.
    pub fn context(&self) -> Context {
        match self {
            Overlay::Help(_) => Context::Help,
            Overlay::Phases(_) => Context::Phases,
            Overlay::Problems(_) => Context::Problems,
            Overlay::Confirm(_) => Context::Confirm,
            Overlay::Form(_) => Context::Form,
            Overlay::Picker(_) => Context::Picker,
            Overlay::Share(_) => Context::Share,
        }
    }

    /// Whether unbound keys are typed into it.
    pub fn takes_text(&self) -> bool {
        matches!(self, Overlay::Form(_) | Overlay::Picker(_))
    }

    /// Draws the overlay; `sharing` is what the share overlay shows.
    pub fn draw(
        &self,
        frame: &mut Frame,
        area: Rect,
        styles: &Styles,
        sharing: Option<&crate::tui::share::Sharing>,
    ) {
        match self {
            Overlay::Share(s) => s.draw(frame, area, styles, sharing),
            Overlay::Help(h) => h.draw(frame, area, styles),
            Overlay::Phases(p) => p.draw(frame, area, styles),
            Overlay::Problems(p) => p.draw(frame, area, styles),
            Overlay::Confirm(c) => c.draw(frame, area, styles),
            Overlay::Form(f) => f.draw(frame, area, styles),
            Overlay::Picker(p) => p.draw(frame, area, styles),
        }
    }
}

/// What an action did to the overlay on top, for the app to carry out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Still open; nothing else to do.
    Stay,
    /// Close it.
    Close,
    /// A form asks to be saved.
    Submit,
    /// A changed form asks to be cancelled: ask first.
    AskDiscard,
    /// A form asks for the picker of field `field`, its filter started
    /// with the key that opened it.
    OpenPicker {
        field: usize,
        typed: Option<KeyEvent>,
    },
    /// A picker's choice.
    Picked(Vec<String>),
    /// A question answered yes.
    Yes,
    /// The phase menu's choice.
    Goto(Phase),
    /// Help over this overlay.
    Help,
    /// The share overlay's choice.
    Share(share::ShareOutcome),
}

/// A rectangle of at most `width` x `height`, centred in `area`.
pub(super) fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(area.width.saturating_sub(2)).max(1);
    let h = height.min(area.height.saturating_sub(2)).max(1);
    Rect::new(
        area.x + (area.width.saturating_sub(w)) / 2,
        area.y + (area.height.saturating_sub(h)) / 2,
        w,
        h,
    )
}

pub(super) fn boxed<'a>(styles: &Styles, title: &str) -> Block<'a> {
    Block::default()
        .borders(Borders::ALL)
        .border_style(styles.border_focus)
        .title(Span::styled(format!(" {title} "), styles.title))
        .style(styles.base)
}

/// Lines in a box that scrolls (help, problems): moves `scroll` by
/// `action` within the `lines` laid out in `rect`.
pub(super) fn scroll_box(
    scroll: &mut usize,
    rect: Rect,
    lines: usize,
    action: &super::action::Action,
) {
    let shown = usize::from(rect.height.saturating_sub(2));
    *scroll = self::scroll(*scroll, lines, shown, action);
}

/// Draws the lines of a scrolling box from `scroll` on, titled `title`
/// when everything fits and `scrolling` when it does not.
pub(super) fn draw_box(
    frame: &mut Frame,
    rect: Rect,
    lines: Vec<ratatui::text::Line<'static>>,
    scroll: usize,
    (title, scrolling): (&str, &str),
    styles: &Styles,
) {
    let shown = usize::from(rect.height.saturating_sub(2));
    let title = if lines.len() > shown {
        scrolling
    } else {
        title
    };
    frame.render_widget(ratatui::widgets::Clear, rect);
    let visible: Vec<_> = lines.into_iter().skip(scroll).take(shown).collect();
    frame.render_widget(
        ratatui::widgets::Paragraph::new(visible).block(boxed(styles, title)),
        rect,
    );
}

/// A scroll position within `total` lines of which `shown` fit, moved by
/// one action.
pub(super) fn scroll(
    current: usize,
    total: usize,
    shown: usize,
    action: &super::action::Action,
) -> usize {
    use super::action::Action;
    let last = total.saturating_sub(shown);
    let page = shown.saturating_sub(1).max(1);
    let next = match action {
        Action::Down => current.saturating_add(1),
        Action::Up => current.saturating_sub(1),
        Action::PageDown => current.saturating_add(page),
        Action::PageUp => current.saturating_sub(page),
        Action::Top => 0,
        Action::Bottom => last,
        _ => current,
    };
    next.min(last)
}
