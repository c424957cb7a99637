//! The vocabulary of the TUI: every input becomes one of these, and only
//! [`super::app::update`] acts on them.

use ratatui::crossterm::event::KeyEvent;

use crate::core::model::Phase;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    // Leaving.
    /// Leave the session for the home screen.
    Back,
    /// Leave the program (the session is saved).
    Quit,
    /// Close the overlay, clear the filter, or cancel the current edit.
    Cancel,
    /// Show the keys of what is on screen.
    Help,

    // Moving.
    NextPane,
    PrevPane,
    NextPhase,
    PrevPhase,
    GotoPhase(Phase),
    /// The agenda as a menu of phases.
    PhaseMenu,
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
    /// Start typing a filter for the list.
    Filter,
    /// Save a form (Ctrl-S).
    Submit,
    NextField,
    PrevField,
    /// Mark an item in a multi-select.
    Toggle,
    Yes,
    No,
    /// A key typed into a text field or a filter.
    Input(KeyEvent),
    /// Text pasted by the terminal (bracketed paste).
    Paste(String),

    // Brainstorm.
    /// Quick capture: titles typed one after another.
    Capture,
    /// Mark the cell not applicable here (with a reason).
    NotApplicable,
    /// Mark the cell looked at, with no threat (or clear the mark).
    Looked,
    /// The next element x category nobody has dealt with.
    NextCell,
    /// The coverage matrix.
    Matrix,
    /// Every threat of the session, to find one.
    ThreatList,
    /// Every undecided catalog candidate, one at a time.
    Triage,
    /// Move the threat to another element or category.
    Move,
    /// Decide against a catalog candidate (with an optional reason).
    Dismiss,

    // Vote and Plan.
    /// `+`: a dot more, a count higher, the cut line lower.
    More,
    /// `-`: a dot less, a count lower, the cut line higher.
    Less,
    /// A digit typed on a screen that takes numbers (a count, a rating).
    Digit(u8),
    /// Show hidden or secret totals (again: hide them).
    Reveal,
    /// The voter will not vote.
    Abstain,
    /// The likelihood x impact heat map.
    HeatMap,
    /// Digits rate likelihood and impact instead of counting votes.
    Rate,
    /// The voting rules (dots per person, cap), during the vote.
    Rules,
    /// Move the threat up (or down) among threats it ties with.
    TieUp,
    TieDown,
    /// The threat's status (open, mitigating, ... with a reason).
    Status,
    /// Adopt the proposed mitigation.
    Adopt,
    /// A mitigation from the catalog.
    FromCatalog,
    /// Put a mitigation already in the session on this threat too.
    Link,
    /// Who owns the mitigation.
    Owner,
    /// Export the session (Jira CSV, CSV, Markdown, JSON).
    Export,

    // Sharing with participants' devices.
    /// Start sharing, or show who is in.
    Share,
    /// Let everyone waiting in.
    AdmitAll,
    StopSharing,
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
