//! Every key binding, in one table with a section per screen. Dispatch,
//! the `?` help overlay, the hint bar and the README's key map all read
//! this table, so they cannot disagree.
//!
//! The scheme, so that screens never fight over a key:
//! - lower-case letters, digits, `+`, `-` and Space belong to the screen
//!   (add a dot, rate 1-5, type a count), except the few every phase
//!   screen reserves: `q` home, `t` timer, `u` undo, `?` help;
//! - capitals and brackets act on the session: `[`/`]` previous/next
//!   phase, `P` the phase menu (then 1-6), `T` five more minutes, `C`
//!   colours;
//! - `Tab` moves between panes, `/` filters a list, `Enter` opens;
//! - modal layers (forms, pickers, filters being typed, questions, help)
//!   replace all of that with their own keys, and everything else typed
//!   there is text. `Ctrl-C` quits and `F1` shows help from anywhere.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::action::Action;
use crate::core::model::Phase;

/// Where a binding applies. Which contexts are active depends on what is
/// on screen; a modal layer replaces the screen's contexts with its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Context {
    /// Everywhere, even in forms.
    Always,
    /// Every screen (not inside a modal layer).
    Screen,
    /// Screens that show a list.
    List,
    /// Every phase screen of an open session.
    Session,
    Home,
    Setup,
    Scope,
    Brainstorm,
    /// Brainstorm's coverage matrix.
    Matrix,
    /// Brainstorm's list of every threat.
    Threats,
    /// Brainstorm's one-at-a-time run through the catalog's candidates.
    Triage,
    Vote,
    /// Vote's likelihood x impact heat map.
    HeatMap,
    /// A secret ballot between two voters: the screen is blank.
    Handover,
    Plan,
    Review,
    /// A list filter being typed.
    Filter,
    /// Quick capture: threat titles being typed.
    Capture,
    Form,
    Picker,
    Confirm,
    Help,
    /// The problems found in a file that would not open.
    Problems,
    /// The phase menu.
    Phases,
    /// Sharing: the join address and who is in.
    Share,
    /// `stridekit join`, during Brainstorm: a threat being typed.
    JoinBrainstorm,
    /// `stridekit join`, during Vote: one's own dots.
    JoinVote,
    /// `stridekit join`, waiting or between phases.
    JoinIdle,
}

impl Context {
    /// In the order the README and help list them.
    pub const ALL: [Context; 28] = [
        Context::Always,
        Context::Screen,
        Context::List,
        Context::Home,
        Context::Session,
        Context::Setup,
        Context::Scope,
        Context::Brainstorm,
        Context::Capture,
        Context::Matrix,
        Context::Threats,
        Context::Triage,
        Context::Vote,
        Context::HeatMap,
        Context::Handover,
        Context::Plan,
        Context::Review,
        Context::Filter,
        Context::Form,
        Context::Picker,
        Context::Confirm,
        Context::Phases,
        Context::Share,
        Context::Help,
        Context::Problems,
        Context::JoinBrainstorm,
        Context::JoinVote,
        Context::JoinIdle,
    ];

    /// The screens' own sections.
    pub const SCREENS: [Context; 12] = [
        Context::Home,
        Context::Setup,
        Context::Scope,
        Context::Brainstorm,
        Context::Matrix,
        Context::Threats,
        Context::Triage,
        Context::Vote,
        Context::HeatMap,
        Context::Handover,
        Context::Plan,
        Context::Review,
    ];

    /// Layers that take every key while they are open.
    pub const MODAL: [Context; 9] = [
        Context::Filter,
        Context::Capture,
        Context::Form,
        Context::Picker,
        Context::Confirm,
        Context::Phases,
        Context::Share,
        Context::Help,
        Context::Problems,
    ];

    /// The screens of `stridekit join`, each alone with `Always`.
    pub const JOIN: [Context; 3] = [
        Context::JoinBrainstorm,
        Context::JoinVote,
        Context::JoinIdle,
    ];

    /// The heading in the help overlay and the README.
    pub fn title(self) -> &'static str {
        match self {
            Context::Always => "Anywhere, even in forms",
            Context::Screen => "On every screen",
            Context::List => "In lists",
            Context::Session => "On every phase screen",
            Context::Home => "Home",
            Context::Setup => "Setup",
            Context::Scope => "Scope",
            Context::Brainstorm => "Brainstorm",
            Context::Matrix => "Brainstorm: coverage matrix (o)",
            Context::Threats => "Brainstorm: every threat (f)",
            Context::Triage => "Brainstorm: triage (r)",
            Context::Capture => "Brainstorm: quick capture (c)",
            Context::Vote => "Vote",
            Context::HeatMap => "Vote: heat map (m)",
            Context::Handover => "Vote: secret ballot, keyboard being passed",
            Context::Plan => "Plan",
            Context::Review => "Review",
            Context::Filter => "Typing a filter (after /)",
            Context::Form => "Forms",
            Context::Picker => "Pickers",
            Context::Confirm => "Questions",
            Context::Help => "Help",
            Context::Problems => "Problems in a file",
            Context::Phases => "Phase menu",
            Context::Share => "Sharing (S)",
            Context::JoinBrainstorm => "stridekit join: Brainstorm",
            Context::JoinVote => "stridekit join: Vote",
            Context::JoinIdle => "stridekit join: waiting or between phases",
        }
    }
}

/// The contexts in force on screen `section` (Home or a phase), most
/// specific first.
pub fn screen_contexts(section: Context) -> Vec<Context> {
    if section == Context::Home {
        vec![
            Context::Home,
            Context::List,
            Context::Screen,
            Context::Always,
        ]
    } else {
        vec![
            section,
            Context::Session,
            Context::List,
            Context::Screen,
            Context::Always,
        ]
    }
}

/// The contexts in force while modal layer `layer` is on top.
pub fn modal_contexts(layer: Context) -> Vec<Context> {
    vec![layer, Context::Always]
}

/// Every combination of contexts that can be in force together.
pub fn all_stacks() -> Vec<Vec<Context>> {
    Context::SCREENS
        .into_iter()
        .map(screen_contexts)
        .chain(Context::MODAL.into_iter().map(modal_contexts))
        .chain(Context::JOIN.into_iter().map(modal_contexts))
        .collect()
}

/// A key: a code and whether Ctrl must be held. For characters, Shift is
/// part of the character ('T' vs 't') and is otherwise ignored, since
/// terminals disagree on reporting it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key {
    pub code: KeyCode,
    pub ctrl: bool,
}

const fn ch(c: char) -> Key {
    Key {
        code: KeyCode::Char(c),
        ctrl: false,
    }
}

const fn ctrl(c: char) -> Key {
    Key {
        code: KeyCode::Char(c),
        ctrl: true,
    }
}

const fn code(code: KeyCode) -> Key {
    Key { code, ctrl: false }
}

impl Key {
    pub fn matches(&self, event: &KeyEvent) -> bool {
        let has_ctrl = event.modifiers.contains(KeyModifiers::CONTROL);
        if has_ctrl != self.ctrl || event.modifiers.contains(KeyModifiers::ALT) {
            return false;
        }
        match (self.code, event.code) {
            (KeyCode::Char(a), KeyCode::Char(b)) => {
                if self.ctrl {
                    a.eq_ignore_ascii_case(&b)
                } else {
                    a == b
                }
            }
            // Some terminals send Shift-Tab as Tab with Shift held.
            (KeyCode::BackTab, KeyCode::Tab) => event.modifiers.contains(KeyModifiers::SHIFT),
            (KeyCode::Tab, KeyCode::Tab) => !event.modifiers.contains(KeyModifiers::SHIFT),
            (a, b) => a == b,
        }
    }

    /// How the key is written in help and hints.
    pub fn label(&self) -> String {
        let base = match self.code {
            KeyCode::Char(' ') => "Space".to_string(),
            KeyCode::Char(c) => c.to_string(),
            KeyCode::Enter => "Enter".to_string(),
            KeyCode::Esc => "Esc".to_string(),
            KeyCode::Tab => "Tab".to_string(),
            KeyCode::BackTab => "Shift-Tab".to_string(),
            KeyCode::Up => "↑".to_string(),
            KeyCode::Down => "↓".to_string(),
            KeyCode::Left => "←".to_string(),
            KeyCode::Right => "→".to_string(),
            KeyCode::PageUp => "PgUp".to_string(),
            KeyCode::PageDown => "PgDn".to_string(),
            KeyCode::Home => "Home".to_string(),
            KeyCode::End => "End".to_string(),
            KeyCode::Backspace => "Backspace".to_string(),
            KeyCode::Delete => "Del".to_string(),
            KeyCode::F(n) => format!("F{n}"),
            other => format!("{other:?}"),
        };
        if self.ctrl {
            format!("Ctrl-{}", base.to_uppercase())
        } else {
            base
        }
    }
}

pub struct Binding {
    pub context: Context,
    pub keys: &'static [Key],
    pub action: Action,
    /// What it does, for help and the README.
    pub help: &'static str,
    /// A short label for the hint bar; `None` keeps it out of the bar.
    pub hint: Option<&'static str>,
    /// The hint bar's order: lower first, so the most important keys are
    /// the ones that fit at 80 columns.
    pub rank: u8,
}

const fn bind(
    context: Context,
    keys: &'static [Key],
    action: Action,
    help: &'static str,
) -> Binding {
    Binding {
        context,
        keys,
        action,
        help,
        hint: None,
        rank: u8::MAX,
    }
}

impl Binding {
    /// Shows the binding in the hint bar as `label`, at place `rank`.
    const fn hint(mut self, label: &'static str, rank: u8) -> Binding {
        self.hint = Some(label);
        self.rank = rank;
        self
    }
}

use Context::*;

const ENTER: Key = code(KeyCode::Enter);
const ESC: Key = code(KeyCode::Esc);
const TAB: Key = code(KeyCode::Tab);
const BACKTAB: Key = code(KeyCode::BackTab);
const DOWN: Key = code(KeyCode::Down);
const UP: Key = code(KeyCode::Up);
const PGDN: Key = code(KeyCode::PageDown);
const PGUP: Key = code(KeyCode::PageUp);
const HOME: Key = code(KeyCode::Home);
const END: Key = code(KeyCode::End);
const F1: Key = code(KeyCode::F(1));
const LEFT: Key = code(KeyCode::Left);
const RIGHT: Key = code(KeyCode::Right);

pub static KEYMAP: &[Binding] = &[
    // Anywhere.
    bind(
        Always,
        &[ctrl('c')],
        Action::Quit,
        "Quit (the session is saved)",
    ),
    bind(
        Always,
        &[F1],
        Action::Help,
        "Show the keys of what is on screen (forms too)",
    ),
    // Screens.
    bind(
        Screen,
        &[ch('?')],
        Action::Help,
        "Show the keys of this screen",
    )
    .hint("help", 18),
    bind(Screen, &[ESC], Action::Cancel, "Clear the list's filter"),
    bind(Screen, &[ch('C')], Action::CycleTheme, "Next colour theme"),
    // Lists.
    bind(List, &[ch('j'), DOWN], Action::Down, "Move down"),
    bind(List, &[ch('k'), UP], Action::Up, "Move up"),
    bind(List, &[PGDN], Action::PageDown, "Page down"),
    bind(List, &[PGUP], Action::PageUp, "Page up"),
    bind(List, &[ch('g'), HOME], Action::Top, "First item"),
    bind(List, &[ch('G'), END], Action::Bottom, "Last item"),
    bind(
        List,
        &[ENTER],
        Action::Open,
        "Open or edit the selected item",
    ),
    bind(
        List,
        &[ch('/')],
        Action::Filter,
        "Filter the list by words (Enter keeps it, Esc clears it)",
    )
    .hint("filter", 30),
    // Home.
    bind(Home, &[ENTER], Action::Open, "Open the selected session").hint("open", 1),
    bind(
        Home,
        &[ch('n')],
        Action::NewSession,
        "New session (title, template, your name)",
    )
    .hint("new", 2),
    bind(Home, &[ch('D')], Action::OpenDemo, "Open the demo session").hint("demo", 3),
    bind(Home, &[ch('r')], Action::Refresh, "Look for sessions again"),
    bind(Home, &[ch('q')], Action::Quit, "Quit").hint("quit", 50),
    // Every phase screen.
    bind(
        Session,
        &[ch(']')],
        Action::NextPhase,
        "Next phase (a running clock moves with you)",
    )
    .hint("next phase", 10),
    bind(Session, &[ch('[')], Action::PrevPhase, "Previous phase"),
    bind(
        Session,
        &[ch('P')],
        Action::PhaseMenu,
        "Go to a phase: the agenda, then 1-6",
    )
    .hint("phases", 45),
    bind(
        Session,
        &[ch('t')],
        Action::ToggleTimer,
        "Start or pause the phase timer",
    )
    .hint("timer", 15),
    bind(
        Session,
        &[ch('T')],
        Action::ExtendTimer,
        "Add 5 minutes to this phase",
    ),
    bind(Session, &[TAB], Action::NextPane, "Next pane").hint("pane", 20),
    bind(Session, &[BACKTAB], Action::PrevPane, "Previous pane"),
    bind(Session, &[ch('u')], Action::Undo, "Undo the last change").hint("undo", 25),
    bind(
        Session,
        &[ch('q')],
        Action::Back,
        "Back to the home screen (everything is saved)",
    )
    .hint("home", 50),
    bind(
        Session,
        &[ch('E')],
        Action::Export,
        "Export the session: Jira CSV, CSV, Markdown or JSON, to a file beside it",
    )
    .hint("export", 52),
    bind(
        Session,
        &[ch('S')],
        Action::Share,
        "Share with participants' devices: start, or see the join address and who is in",
    )
    .hint("share", 53),
    // Setup.
    bind(
        Setup,
        &[ch('a')],
        Action::Add,
        "Add a participant (name and persona)",
    )
    .hint("add", 1),
    bind(
        Setup,
        &[ch('e')],
        Action::Edit,
        "Edit the details, a participant, a timebox or the voting rules",
    )
    .hint("edit", 2),
    bind(
        Setup,
        &[ch('d')],
        Action::Delete,
        "Delete the selected participant (u undoes)",
    )
    .hint("delete", 3),
    // Scope.
    bind(
        Scope,
        &[ch('a')],
        Action::Add,
        "Add an asset, actor, entry point, boundary, component, flow or assumption to this pane",
    )
    .hint("add", 1),
    bind(Scope, &[ch('e')], Action::Edit, "Edit the selected item").hint("edit", 2),
    bind(
        Scope,
        &[ch('d')],
        Action::Delete,
        "Delete the selected item and what depends on it (u undoes)",
    )
    .hint("delete", 3),
    // Brainstorm: the walk.
    bind(
        Brainstorm,
        &[ENTER],
        Action::Open,
        "Accept the highlighted candidate as a threat (with its mitigations); on a threat, edit it",
    )
    .hint("accept", 1),
    bind(
        Brainstorm,
        &[ch('a')],
        Action::Add,
        "New threat on this element and category (Enter on the title saves)",
    )
    .hint("new", 2),
    bind(
        Brainstorm,
        &[ch('c')],
        Action::Capture,
        "Quick capture: type a title, Enter, the next title, Esc to stop",
    )
    .hint("capture", 4),
    bind(
        Brainstorm,
        &[ch('n')],
        Action::NextCell,
        "Next element x category not yet covered (marks this one looked at)",
    )
    .hint("next", 3),
    bind(
        Brainstorm,
        &[ch('x')],
        Action::NotApplicable,
        "Not applicable here: say why, then Enter",
    )
    .hint("n/a", 5),
    bind(
        Brainstorm,
        &[ch('v')],
        Action::Looked,
        "Looked at, no threat (again: clear the mark)",
    ),
    bind(
        Brainstorm,
        &[ch('h'), LEFT],
        Action::Left,
        "Previous STRIDE category",
    ),
    bind(
        Brainstorm,
        &[ch('l'), RIGHT],
        Action::Right,
        "Next STRIDE category",
    ),
    bind(
        Brainstorm,
        &[ch('e')],
        Action::Edit,
        "Edit the selected threat",
    ),
    bind(
        Brainstorm,
        &[ch('d')],
        Action::Delete,
        "Delete the selected threat (u undoes)",
    ),
    bind(
        Brainstorm,
        &[ch('m')],
        Action::Move,
        "Move the selected threat to another element or category",
    ),
    bind(
        Brainstorm,
        &[ch('o')],
        Action::Matrix,
        "The coverage matrix",
    )
    .hint("matrix", 41),
    bind(
        Brainstorm,
        &[ch('f')],
        Action::ThreatList,
        "Every threat of the session, to find one",
    )
    .hint("threats", 42),
    bind(
        Brainstorm,
        &[ch('r')],
        Action::Triage,
        "Triage: every catalog candidate not yet decided, one at a time",
    )
    .hint("triage", 43),
    // Brainstorm: the coverage matrix.
    bind(Matrix, &[ch('h'), LEFT], Action::Left, "Cell to the left"),
    bind(
        Matrix,
        &[ch('l'), RIGHT],
        Action::Right,
        "Cell to the right",
    ),
    bind(
        Matrix,
        &[ENTER],
        Action::Open,
        "Go to this cell in the walk",
    )
    .hint("go", 1),
    bind(
        Matrix,
        &[ch('n')],
        Action::NextCell,
        "Next cell not yet covered",
    )
    .hint("next", 2),
    bind(Matrix, &[ESC, ch('o')], Action::Cancel, "Back to the walk").hint("back", 3),
    // Brainstorm: every threat.
    bind(
        Threats,
        &[ENTER],
        Action::Open,
        "Go to the threat in the walk",
    )
    .hint("go", 1),
    bind(
        Threats,
        &[ch('e')],
        Action::Edit,
        "Edit the selected threat",
    )
    .hint("edit", 2),
    bind(
        Threats,
        &[ch('d')],
        Action::Delete,
        "Delete the selected threat (u undoes)",
    )
    .hint("delete", 3),
    bind(Threats, &[ESC, ch('f')], Action::Cancel, "Back to the walk").hint("back", 5),
    // Brainstorm: triage.
    bind(
        Triage,
        &[ENTER, ch('y')],
        Action::Open,
        "Accept this candidate as a threat",
    )
    .hint("accept", 1),
    bind(
        Triage,
        &[ch('x')],
        Action::Dismiss,
        "Dismiss it: not a threat here (an optional reason, then Enter)",
    )
    .hint("dismiss", 2),
    bind(
        Triage,
        &[ch('e')],
        Action::Edit,
        "Accept it and edit the threat",
    )
    .hint("edit", 3),
    bind(Triage, &[ESC, ch('r')], Action::Cancel, "Back to the walk").hint("back", 5),
    // Brainstorm: quick capture, every other key is text.
    bind(
        Capture,
        &[ENTER],
        Action::Submit,
        "Add the threat, ready for the next title",
    )
    .hint("add", 1),
    bind(Capture, &[ESC], Action::Cancel, "Stop capturing").hint("stop", 2),
    // Vote.
    bind(
        Vote,
        &[ch('+')],
        Action::More,
        "A dot more from the voter on this threat (tally: one more vote)",
    )
    .hint("dot on", 1),
    bind(
        Vote,
        &[ch('-')],
        Action::Less,
        "A dot less (tally: one vote less)",
    )
    .hint("dot off", 2),
    bind(
        Vote,
        &[TAB],
        Action::NextPane,
        "Next voter (secret: the next turn is handed over with Enter)",
    )
    .hint("voter", 3),
    bind(Vote, &[BACKTAB], Action::PrevPane, "Previous voter"),
    bind(
        Vote,
        &[ENTER],
        Action::Open,
        "This voter is done: on to the next (secret: hand the keyboard over)",
    )
    .hint("done", 4),
    bind(Vote, &[ch('a')], Action::Abstain, "The voter abstains"),
    bind(
        Vote,
        &[ch('r')],
        Action::Reveal,
        "Reveal the totals (hidden and secret modes); again: hide them",
    )
    .hint("reveal", 5),
    bind(
        Vote,
        &[ch('v')],
        Action::Rate,
        "Digits rate likelihood and impact, 1-5 (again: back to votes)",
    )
    .hint("rate", 30),
    bind(
        Vote,
        &[ch('h'), LEFT],
        Action::Left,
        "Type the likelihood (when rating)",
    ),
    bind(
        Vote,
        &[ch('l'), RIGHT],
        Action::Right,
        "Type the impact (when rating)",
    ),
    bind(
        Vote,
        &[ch('0')],
        Action::Digit(0),
        "Type 0: a count, or clear a rating",
    ),
    bind(
        Vote,
        &[ch('1')],
        Action::Digit(1),
        "Type 1 (a count, or a rating of 1)",
    ),
    bind(Vote, &[ch('2')], Action::Digit(2), "Type 2"),
    bind(Vote, &[ch('3')], Action::Digit(3), "Type 3"),
    bind(Vote, &[ch('4')], Action::Digit(4), "Type 4"),
    bind(
        Vote,
        &[ch('5')],
        Action::Digit(5),
        "Type 5 (the highest rating)",
    ),
    bind(Vote, &[ch('6')], Action::Digit(6), "Type 6 (counts only)"),
    bind(Vote, &[ch('7')], Action::Digit(7), "Type 7 (counts only)"),
    bind(Vote, &[ch('8')], Action::Digit(8), "Type 8 (counts only)"),
    bind(Vote, &[ch('9')], Action::Digit(9), "Type 9 (counts only)"),
    bind(
        Vote,
        &[ch('m')],
        Action::HeatMap,
        "The likelihood x impact heat map",
    )
    .hint("heat map", 41),
    bind(
        Vote,
        &[ch('s')],
        Action::Rules,
        "The voting rules: dots per person, the cap (never below dots placed)",
    ),
    // Vote: the heat map.
    bind(HeatMap, &[ch('h'), LEFT], Action::Left, "Cell to the left"),
    bind(
        HeatMap,
        &[ch('l'), RIGHT],
        Action::Right,
        "Cell to the right",
    ),
    bind(
        HeatMap,
        &[ENTER],
        Action::Open,
        "List the threats of this cell",
    )
    .hint("list cell", 1),
    bind(HeatMap, &[ESC, ch('m')], Action::Cancel, "Back to the list").hint("back", 2),
    // Vote: a secret ballot between voters.
    bind(
        Handover,
        &[ENTER],
        Action::Open,
        "The next voter has the keyboard: show their ballot",
    )
    .hint("I have it", 1),
    bind(
        Handover,
        &[ch('r')],
        Action::Reveal,
        "Reveal the totals, once everyone has voted or abstained",
    )
    .hint("reveal", 2),
    // Plan.
    bind(
        Plan,
        &[ENTER],
        Action::Open,
        "The threat's mitigations; on a mitigation, edit it",
    )
    .hint("open", 1),
    bind(
        Plan,
        &[ch('a')],
        Action::Add,
        "New mitigation for the threat: free text, owner, status, other threats it covers",
    )
    .hint("new", 2),
    bind(
        Plan,
        &[ch('y')],
        Action::Adopt,
        "Adopt the selected proposed mitigation (planned)",
    )
    .hint("adopt", 3),
    bind(
        Plan,
        &[ch('c')],
        Action::FromCatalog,
        "A mitigation from the catalog for this threat's element and category",
    )
    .hint("catalog", 5),
    bind(
        Plan,
        &[ch('l')],
        Action::Link,
        "Put a mitigation already in the session on this threat too (those on no threat first)",
    ),
    bind(
        Plan,
        &[ch('o')],
        Action::Owner,
        "Owner of the mitigation: a participant, or type a name",
    )
    .hint("owner", 22),
    bind(
        Plan,
        &[ch('s')],
        Action::Status,
        "Status: of the threat (accepted and transferred need a reason), or of the mitigation",
    )
    .hint("status", 4),
    bind(
        Plan,
        &[ch('e')],
        Action::Edit,
        "Edit the selected mitigation",
    ),
    bind(
        Plan,
        &[ch('d')],
        Action::Delete,
        "Take the mitigation off this threat (u undoes)",
    ),
    bind(
        Plan,
        &[ch('+')],
        Action::More,
        "Move the cut line down: one threat more in the backlog",
    )
    .hint("cut line", 23),
    bind(
        Plan,
        &[ch('-')],
        Action::Less,
        "Move the cut line up: one threat less in the backlog",
    )
    .hint("cut line", 23),
    bind(
        Plan,
        &[ch('<')],
        Action::TieUp,
        "Move the threat up among those it ties with",
    ),
    bind(
        Plan,
        &[ch('>')],
        Action::TieDown,
        "Move the threat down among those it ties with",
    ),
    // Review.
    bind(
        Review,
        &[ch('E')],
        Action::Export,
        "Export the session: Jira CSV, CSV, Markdown or JSON, to a file beside it",
    )
    .hint("export", 1),
    // A filter being typed: every other key is text.
    bind(
        Filter,
        &[ENTER],
        Action::Open,
        "Keep the filter, back to the list",
    )
    .hint("keep", 1),
    bind(Filter, &[ESC], Action::Cancel, "Clear the filter").hint("clear", 2),
    bind(Filter, &[DOWN], Action::Down, "Move down the filtered list"),
    bind(Filter, &[UP], Action::Up, "Move up the filtered list"),
    // Forms: every other key types into the focused field.
    bind(Form, &[TAB], Action::NextField, "Next field").hint("next field", 1),
    bind(Form, &[BACKTAB], Action::PrevField, "Previous field"),
    bind(
        Form,
        &[ENTER],
        Action::Open,
        "Next field (on the last one, save); in a text box, a new line; on a list field, pick",
    ),
    bind(Form, &[ctrl('s')], Action::Submit, "Save the form").hint("save", 2),
    bind(
        Form,
        &[ESC],
        Action::Cancel,
        "Cancel (asks first if anything changed)",
    )
    .hint("cancel", 3),
    bind(Form, &[F1], Action::Help, "The keys of forms").hint("keys", 4),
    // Pickers: typing filters the list.
    bind(Picker, &[DOWN], Action::Down, "Move down"),
    bind(Picker, &[UP], Action::Up, "Move up"),
    bind(Picker, &[PGDN], Action::PageDown, "Page down"),
    bind(Picker, &[PGUP], Action::PageUp, "Page up"),
    bind(Picker, &[ENTER], Action::Open, "Choose").hint("choose", 1),
    bind(
        Picker,
        &[TAB],
        Action::Toggle,
        "Mark or unmark (lists that take several)",
    )
    .hint("mark", 2),
    bind(Picker, &[ESC], Action::Cancel, "Cancel").hint("cancel", 3),
    // Questions.
    bind(Confirm, &[ch('y'), ENTER], Action::Yes, "Yes").hint("yes", 1),
    bind(Confirm, &[ch('n'), ESC], Action::No, "No").hint("no", 2),
    // The phase menu.
    bind(
        Phases,
        &[ch('1')],
        Action::GotoPhase(Phase::Setup),
        "Phase 1: Setup",
    ),
    bind(
        Phases,
        &[ch('2')],
        Action::GotoPhase(Phase::Scope),
        "Phase 2: Scope",
    ),
    bind(
        Phases,
        &[ch('3')],
        Action::GotoPhase(Phase::Brainstorm),
        "Phase 3: Brainstorm",
    ),
    bind(
        Phases,
        &[ch('4')],
        Action::GotoPhase(Phase::Vote),
        "Phase 4: Vote",
    ),
    bind(
        Phases,
        &[ch('5')],
        Action::GotoPhase(Phase::Plan),
        "Phase 5: Plan",
    ),
    bind(
        Phases,
        &[ch('6')],
        Action::GotoPhase(Phase::Review),
        "Phase 6: Review",
    ),
    bind(Phases, &[ch('j'), DOWN], Action::Down, "Move down"),
    bind(Phases, &[ch('k'), UP], Action::Up, "Move up"),
    bind(Phases, &[ENTER], Action::Open, "Go to the selected phase").hint("go", 1),
    bind(Phases, &[ESC, ch('q'), ch('P')], Action::Cancel, "Close").hint("close", 2),
    // Sharing.
    bind(Share, &[ch('j'), DOWN], Action::Down, "Next person"),
    bind(Share, &[ch('k'), UP], Action::Up, "Previous person"),
    bind(
        Share,
        &[ch('a'), ENTER],
        Action::Add,
        "Let the selected person in (as the participant of that name, added if new)",
    )
    .hint("let in", 1),
    bind(
        Share,
        &[ch('A')],
        Action::AdmitAll,
        "Let everyone waiting in",
    )
    .hint("all in", 2),
    bind(
        Share,
        &[ch('x'), ch('d')],
        Action::Delete,
        "Remove the selected person: their page stops working",
    )
    .hint("remove", 3),
    bind(
        Share,
        &[ch('s')],
        Action::StopSharing,
        "Stop sharing: every page stops",
    )
    .hint("stop", 4),
    bind(
        Share,
        &[ESC, ch('q'), ch('S')],
        Action::Cancel,
        "Close (sharing goes on)",
    )
    .hint("close", 5),
    // stridekit join.
    bind(
        JoinBrainstorm,
        &[ENTER],
        Action::Submit,
        "Add the threat typed here, on the element and category the facilitator is on",
    )
    .hint("add", 1),
    bind(
        JoinBrainstorm,
        &[ESC],
        Action::Cancel,
        "Clear what is typed",
    )
    .hint("clear", 2),
    bind(JoinVote, &[ch('j'), DOWN], Action::Down, "Next threat"),
    bind(JoinVote, &[ch('k'), UP], Action::Up, "Previous threat"),
    bind(
        JoinVote,
        &[ch('+'), ch('l'), RIGHT],
        Action::More,
        "One of your dots more on the selected threat",
    )
    .hint("dot", 1),
    bind(
        JoinVote,
        &[ch('-'), ch('h'), LEFT],
        Action::Less,
        "One of your dots off the selected threat",
    )
    .hint("take off", 2),
    bind(
        JoinVote,
        &[ch('d')],
        Action::Toggle,
        "Say you have voted (again: not yet)",
    )
    .hint("done", 3),
    bind(JoinVote, &[ch('q')], Action::Quit, "Leave the session").hint("leave", 9),
    bind(JoinIdle, &[ch('q')], Action::Quit, "Leave the session").hint("leave", 9),
    // Help.
    bind(Help, &[ESC, ch('?'), ch('q')], Action::Cancel, "Close help").hint("close", 1),
    bind(Help, &[ch('j'), DOWN], Action::Down, "Scroll down"),
    bind(Help, &[ch('k'), UP], Action::Up, "Scroll up"),
    bind(Help, &[PGDN, ch(' ')], Action::PageDown, "Page down"),
    bind(Help, &[PGUP], Action::PageUp, "Page up"),
    bind(Help, &[ch('g'), HOME], Action::Top, "Top"),
    bind(Help, &[ch('G'), END], Action::Bottom, "Bottom"),
    // Problems in a file.
    bind(Problems, &[ESC, ch('q'), ENTER], Action::Cancel, "Close").hint("close", 1),
    bind(Problems, &[ch('j'), DOWN], Action::Down, "Scroll down"),
    bind(Problems, &[ch('k'), UP], Action::Up, "Scroll up"),
    bind(Problems, &[PGDN, ch(' ')], Action::PageDown, "Page down"),
    bind(Problems, &[PGUP], Action::PageUp, "Page up"),
    bind(Problems, &[ch('g'), HOME], Action::Top, "Top"),
    bind(Problems, &[ch('G'), END], Action::Bottom, "Bottom"),
];

/// The binding of `event` in the first of `contexts` that binds it.
pub fn lookup(contexts: &[Context], event: &KeyEvent) -> Option<&'static Binding> {
    contexts.iter().find_map(|context| {
        KEYMAP
            .iter()
            .filter(|b| b.context == *context)
            .find(|b| b.keys.iter().any(|k| k.matches(event)))
    })
}

/// Bindings of `context` in table order.
pub fn bindings(context: Context) -> impl Iterator<Item = &'static Binding> {
    KEYMAP.iter().filter(move |b| b.context == context)
}

/// "j/↓" for a binding's keys.
pub fn keys_label(binding: &Binding) -> String {
    binding
        .keys
        .iter()
        .map(Key::label)
        .collect::<Vec<_>>()
        .join("/")
}

/// Pairs of bindings that give one key two different actions in contexts
/// that are in force together, except the pairs in `allowed` (a key, the
/// context that wins and the one it hides).
pub fn clashes(
    table: &[Binding],
    stacks: &[Vec<Context>],
    allowed: &[(Key, Context, Context)],
) -> Vec<String> {
    let mut found = Vec::new();
    for stack in stacks {
        for (i, a) in table.iter().enumerate() {
            for b in &table[i + 1..] {
                let (Some(ia), Some(ib)) = (
                    stack.iter().position(|c| *c == a.context),
                    stack.iter().position(|c| *c == b.context),
                ) else {
                    continue;
                };
                if a.action == b.action {
                    continue;
                }
                let (winner, loser) = if ia <= ib { (a, b) } else { (b, a) };
                for key in a.keys.iter().filter(|k| b.keys.contains(k)) {
                    if allowed.contains(&(*key, winner.context, loser.context)) {
                        continue;
                    }
                    let line = format!(
                        "{} is {:?} in {:?} and {:?} in {:?}",
                        key.label(),
                        winner.action,
                        winner.context,
                        loser.action,
                        loser.context
                    );
                    if !found.contains(&line) {
                        found.push(line);
                    }
                }
            }
        }
    }
    found
}

/// Keys deliberately shadowed: none today. A new entry needs a reason.
pub const ALLOWED_CLASHES: &[(Key, Context, Context)] = &[];

/// The whole key map as Markdown, a table per screen, for the README (a
/// test keeps the README's copy identical).
pub fn markdown() -> String {
    let mut out = String::new();
    for context in Context::ALL {
        out.push_str(&format!("#### {}\n\n", context.title()));
        let rows: Vec<&Binding> = bindings(context).collect();
        if rows.is_empty() {
            out.push_str(
                "No keys of its own yet: the screen shows the ranked threats, and the keys of every phase screen work.\n\n",
            );
            continue;
        }
        out.push_str("| keys | what it does |\n|---|---|\n");
        for b in rows {
            let keys = keys_label(b).replace('|', "\\|");
            out.push_str(&format!("| `{keys}` | {} |\n", b.help));
        }
        out.push('\n');
    }
    out.trim_end().to_string() + "\n"
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::crossterm::event::KeyEventKind;

    fn key(code: KeyCode, modifiers: KeyModifiers) -> KeyEvent {
        KeyEvent::new_with_kind(code, modifiers, KeyEventKind::Press)
    }

    fn action(contexts: &[Context], event: &KeyEvent) -> Option<Action> {
        lookup(contexts, event).map(|b| b.action.clone())
    }

    #[test]
    fn finds_the_most_specific_binding_first() {
        let enter = key(KeyCode::Enter, KeyModifiers::NONE);
        assert_eq!(action(&modal_contexts(Form), &enter), Some(Action::Open));
        let q = key(KeyCode::Char('q'), KeyModifiers::NONE);
        // In a form, q is text, not "back".
        assert_eq!(action(&modal_contexts(Form), &q), None);
        assert_eq!(action(&screen_contexts(Scope), &q), Some(Action::Back));
        // On the home screen q quits, and says so.
        assert_eq!(action(&screen_contexts(Home), &q), Some(Action::Quit));
    }

    #[test]
    fn shift_is_part_of_characters_and_ctrl_is_not_ignored() {
        let big_t = key(KeyCode::Char('T'), KeyModifiers::SHIFT);
        assert_eq!(
            action(&screen_contexts(Setup), &big_t),
            Some(Action::ExtendTimer)
        );
        let ctrl_c = key(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(action(&modal_contexts(Form), &ctrl_c), Some(Action::Quit));
        let plain_c = key(KeyCode::Char('c'), KeyModifiers::NONE);
        assert_eq!(action(&[Always], &plain_c), None);
        let shift_tab = key(KeyCode::Tab, KeyModifiers::SHIFT);
        assert_eq!(action(&[Session], &shift_tab), Some(Action::PrevPane));
        let f1 = key(KeyCode::F(1), KeyModifiers::NONE);
        assert_eq!(action(&modal_contexts(Form), &f1), Some(Action::Help));
    }

    #[test]
    fn no_key_is_bound_twice_in_one_context() {
        for (i, a) in KEYMAP.iter().enumerate() {
            for b in &KEYMAP[i + 1..] {
                if a.context != b.context {
                    continue;
                }
                for ka in a.keys {
                    assert!(
                        !b.keys.contains(ka),
                        "{:?} bound twice in {:?}",
                        ka,
                        a.context
                    );
                }
            }
        }
    }

    #[test]
    fn no_key_means_two_things_where_both_are_in_force() {
        let found = clashes(KEYMAP, &all_stacks(), ALLOWED_CLASHES);
        assert!(found.is_empty(), "{found:#?}");
    }

    #[test]
    fn the_clash_check_finds_a_clash_and_honours_the_allow_list() {
        const PLUS: &[Key] = &[ch('+')];
        const X: &[Key] = &[ch('x')];
        let table = [
            bind(Session, PLUS, Action::ExtendTimer, "More time"),
            bind(Vote, PLUS, Action::Add, "Add a dot"),
            bind(Scope, X, Action::Add, "x"),
            bind(Setup, X, Action::Edit, "x, never on screen with Scope"),
        ];
        let found = clashes(&table, &all_stacks(), &[]);
        assert_eq!(found, ["+ is Add in Vote and ExtendTimer in Session"]);
        let allowed = [(ch('+'), Vote, Session)];
        assert!(clashes(&table, &all_stacks(), &allowed).is_empty());
    }

    #[test]
    fn every_binding_explains_itself() {
        for b in KEYMAP {
            assert!(!b.help.is_empty() && !b.keys.is_empty());
        }
    }

    #[test]
    fn digits_and_plus_are_left_to_the_screens() {
        for c in ['1', '2', '3', '4', '5', '+', '-'] {
            let event = key(KeyCode::Char(c), KeyModifiers::NONE);
            for section in Context::SCREENS {
                let taken = lookup(&screen_contexts(section), &event).map(|b| b.context);
                assert!(
                    taken.is_none() || taken == Some(section),
                    "{c} is taken by {taken:?} on {section:?}"
                );
            }
        }
    }
}
