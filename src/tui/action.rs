//! The vocabulary of the TUI: every input becomes one of these, and only
//! [`super::app::update`] acts on them.

use ratatui::crossterm::event::KeyEvent;

use crate::core::model::Phase;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    // Leaving.
    /// Leave the screen (home from a session) or the program (from home).
    Back,
    /// Leave the program from anywhere.
    Quit,
    /// Close the overlay or cancel the current edit.
    Cancel,
    Help,

    // Moving.
    NextPane,
    PrevPane,
    NextPhase,
    PrevPhase,
    GotoPhase(Phase),
    Up,
    Down,
    Left,
    Right,
    PageUp,
    PageDown,
    Top,
    Bottom,

    // Editing.
    Open,
    Add,
    Edit,
    Delete,
    Undo,
    /// Save a form (Ctrl-S).
    Submit,
    NextField,
    PrevField,
    /// Space: flip a choice, mark an item in a multi-select.
    Toggle,
    Yes,
    No,
    /// A key typed into a text field or a filter.
    Input(KeyEvent),
    /// Text pasted by the terminal (bracketed paste).
    Paste(String),

    // Session.
    ToggleTimer,
    ExtendTimer,
    CycleTheme,

    // Home.
    NewSession,
    OpenDemo,
    Refresh,

    // From the event loop.
    /// One second passed while a clock runs.
    Tick,
    Resize(u16, u16),
}
