//! Every key binding, in one table. Dispatch, the `?` help overlay and the
//! hint bar all read this table, so they cannot disagree.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::action::Action;
use crate::core::model::Phase;

/// Where a binding applies. The active contexts depend on what is on
/// screen; a modal overlay replaces the screen's contexts with its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    /// Everywhere, even in forms.
    Always,
    /// Every screen (not inside an overlay).
    Screen,
    /// Screens that show a list.
    List,
    /// Inside a session.
    Session,
    Home,
    Setup,
    Scope,
    Form,
    Picker,
    Confirm,
    Help,
}

impl Context {
    /// The heading in the help overlay.
    pub fn title(self) -> &'static str {
        match self {
            Context::Always | Context::Screen => "Anywhere",
            Context::List => "Lists",
            Context::Session => "Session",
            Context::Home => "Home",
            Context::Setup => "Setup",
            Context::Scope => "Scope",
            Context::Form => "Forms",
            Context::Picker => "Pickers",
            Context::Confirm => "Questions",
            Context::Help => "Help",
        }
    }
}

/// A key: a code and the modifiers that must be held. For characters,
/// Shift is part of the character ('T' vs 't') and is otherwise ignored,
/// since terminals disagree on reporting it.
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
    /// What it does, for the help overlay.
    pub help: &'static str,
    /// A short label for the hint bar; `None` keeps it out of the bar.
    pub hint: Option<&'static str>,
}

const fn bind(
    context: Context,
    keys: &'static [Key],
    action: Action,
    help: &'static str,
    hint: Option<&'static str>,
) -> Binding {
    Binding {
        context,
        keys,
        action,
        help,
        hint,
    }
}

use Context::*;

pub static KEYMAP: &[Binding] = &[
    bind(
        Always,
        &[ctrl('c')],
        Action::Quit,
        "Quit (the session is saved)",
        None,
    ),
    // Screens.
    bind(
        Screen,
        &[ch('?')],
        Action::Help,
        "Show the keys of this screen",
        Some("help"),
    ),
    bind(
        Screen,
        &[ch('q')],
        Action::Back,
        "Back to the home screen, or quit from it",
        Some("back"),
    ),
    bind(
        Screen,
        &[code(KeyCode::Esc)],
        Action::Cancel,
        "Close or cancel",
        None,
    ),
    bind(
        Screen,
        &[ch('T')],
        Action::CycleTheme,
        "Next colour theme",
        None,
    ),
    // Lists.
    bind(
        List,
        &[ch('j'), code(KeyCode::Down)],
        Action::Down,
        "Move down",
        None,
    ),
    bind(
        List,
        &[ch('k'), code(KeyCode::Up)],
        Action::Up,
        "Move up",
        None,
    ),
    bind(
        List,
        &[code(KeyCode::PageDown)],
        Action::PageDown,
        "Page down",
        None,
    ),
    bind(
        List,
        &[code(KeyCode::PageUp)],
        Action::PageUp,
        "Page up",
        None,
    ),
    bind(
        List,
        &[ch('g'), code(KeyCode::Home)],
        Action::Top,
        "First item",
        None,
    ),
    bind(
        List,
        &[ch('G'), code(KeyCode::End)],
        Action::Bottom,
        "Last item",
        None,
    ),
    bind(
        List,
        &[code(KeyCode::Enter)],
        Action::Open,
        "Open or edit the selected item",
        Some("open"),
    ),
    // Home.
    bind(
        Home,
        &[ch('n')],
        Action::NewSession,
        "New session (title and template)",
        Some("new"),
    ),
    bind(
        Home,
        &[ch('D')],
        Action::OpenDemo,
        "Open the demo session",
        Some("demo"),
    ),
    bind(
        Home,
        &[ch('r')],
        Action::Refresh,
        "Look for sessions again",
        None,
    ),
    // Any session screen.
    bind(
        Session,
        &[code(KeyCode::Tab)],
        Action::NextPane,
        "Next pane",
        Some("pane"),
    ),
    bind(
        Session,
        &[code(KeyCode::BackTab)],
        Action::PrevPane,
        "Previous pane",
        None,
    ),
    bind(
        Session,
        &[ch(']')],
        Action::NextPhase,
        "Next phase",
        Some("phase"),
    ),
    bind(
        Session,
        &[ch('[')],
        Action::PrevPhase,
        "Previous phase",
        None,
    ),
    bind(
        Session,
        &[ch('1')],
        Action::GotoPhase(Phase::Setup),
        "Phase 1: Setup",
        None,
    ),
    bind(
        Session,
        &[ch('2')],
        Action::GotoPhase(Phase::Scope),
        "Phase 2: Scope",
        None,
    ),
    bind(
        Session,
        &[ch('3')],
        Action::GotoPhase(Phase::Brainstorm),
        "Phase 3: Brainstorm",
        None,
    ),
    bind(
        Session,
        &[ch('4')],
        Action::GotoPhase(Phase::Vote),
        "Phase 4: Vote",
        None,
    ),
    bind(
        Session,
        &[ch('5')],
        Action::GotoPhase(Phase::Plan),
        "Phase 5: Plan",
        None,
    ),
    bind(
        Session,
        &[ch('6')],
        Action::GotoPhase(Phase::Review),
        "Phase 6: Review",
        None,
    ),
    bind(
        Session,
        &[ch('a')],
        Action::Add,
        "Add an item to this pane",
        Some("add"),
    ),
    bind(
        Session,
        &[ch('e')],
        Action::Edit,
        "Edit the selected item",
        Some("edit"),
    ),
    bind(
        Session,
        &[ch('d')],
        Action::Delete,
        "Delete the selected item (u undoes)",
        Some("delete"),
    ),
    bind(
        Session,
        &[ch('u')],
        Action::Undo,
        "Undo the last change",
        Some("undo"),
    ),
    bind(
        Session,
        &[ch('t')],
        Action::ToggleTimer,
        "Start or pause the phase timer",
        Some("timer"),
    ),
    bind(
        Session,
        &[ch('+')],
        Action::ExtendTimer,
        "Add 5 minutes to this phase",
        None,
    ),
    // Forms: every other key types into the focused field.
    bind(
        Form,
        &[code(KeyCode::Tab)],
        Action::NextField,
        "Next field",
        Some("next field"),
    ),
    bind(
        Form,
        &[code(KeyCode::BackTab)],
        Action::PrevField,
        "Previous field",
        None,
    ),
    bind(
        Form,
        &[code(KeyCode::Enter)],
        Action::Open,
        "Next field; in a text box, a new line; on a list field, pick",
        None,
    ),
    bind(
        Form,
        &[ctrl('s')],
        Action::Submit,
        "Save the form",
        Some("save"),
    ),
    bind(
        Form,
        &[code(KeyCode::Esc)],
        Action::Cancel,
        "Cancel (asks first if anything changed)",
        Some("cancel"),
    ),
    // Pickers: typing filters the list.
    bind(
        Picker,
        &[code(KeyCode::Down)],
        Action::Down,
        "Move down",
        None,
    ),
    bind(Picker, &[code(KeyCode::Up)], Action::Up, "Move up", None),
    bind(
        Picker,
        &[code(KeyCode::PageDown)],
        Action::PageDown,
        "Page down",
        None,
    ),
    bind(
        Picker,
        &[code(KeyCode::PageUp)],
        Action::PageUp,
        "Page up",
        None,
    ),
    bind(
        Picker,
        &[code(KeyCode::Enter)],
        Action::Open,
        "Choose",
        Some("choose"),
    ),
    bind(
        Picker,
        &[code(KeyCode::Tab)],
        Action::Toggle,
        "Mark or unmark (lists that take several)",
        Some("mark"),
    ),
    bind(
        Picker,
        &[code(KeyCode::Esc)],
        Action::Cancel,
        "Cancel",
        Some("cancel"),
    ),
    // Questions.
    bind(
        Confirm,
        &[ch('y'), code(KeyCode::Enter)],
        Action::Yes,
        "Yes",
        Some("yes"),
    ),
    bind(
        Confirm,
        &[ch('n'), code(KeyCode::Esc)],
        Action::No,
        "No",
        Some("no"),
    ),
    // Help.
    bind(
        Help,
        &[code(KeyCode::Esc), ch('?'), ch('q')],
        Action::Cancel,
        "Close help",
        Some("close"),
    ),
    bind(
        Help,
        &[ch('j'), code(KeyCode::Down)],
        Action::Down,
        "Scroll down",
        None,
    ),
    bind(
        Help,
        &[ch('k'), code(KeyCode::Up)],
        Action::Up,
        "Scroll up",
        None,
    ),
];

/// The action bound to `event` in the first of `contexts` that binds it.
pub fn lookup(contexts: &[Context], event: &KeyEvent) -> Option<Action> {
    contexts.iter().find_map(|context| {
        KEYMAP
            .iter()
            .filter(|b| b.context == *context)
            .find(|b| b.keys.iter().any(|k| k.matches(event)))
            .map(|b| b.action.clone())
    })
}

/// Bindings of `contexts` in table order, for help and hints.
pub fn bindings<'a>(contexts: &'a [Context]) -> impl Iterator<Item = &'static Binding> + 'a {
    KEYMAP.iter().filter(|b| contexts.contains(&b.context))
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

/// The whole key map as a Markdown table, for the README (a test keeps the
/// README's copy identical).
pub fn markdown_table() -> String {
    let mut out = String::from("| where | keys | what it does |\n|---|---|---|\n");
    for b in KEYMAP {
        let keys = keys_label(b).replace('|', "\\|");
        out.push_str(&format!(
            "| {} | `{}` | {} |\n",
            b.context.title(),
            keys,
            b.help
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::crossterm::event::KeyEventKind;

    fn key(code: KeyCode, modifiers: KeyModifiers) -> KeyEvent {
        KeyEvent::new_with_kind(code, modifiers, KeyEventKind::Press)
    }

    #[test]
    fn finds_the_most_specific_binding_first() {
        let enter = key(KeyCode::Enter, KeyModifiers::NONE);
        assert_eq!(lookup(&[Form, Always], &enter), Some(Action::Open));
        let q = key(KeyCode::Char('q'), KeyModifiers::NONE);
        // In a form, q is text, not "back".
        assert_eq!(lookup(&[Form, Always], &q), None);
        assert_eq!(
            lookup(&[Scope, Session, List, Screen, Always], &q),
            Some(Action::Back)
        );
    }

    #[test]
    fn shift_is_part_of_characters_and_ctrl_is_not_ignored() {
        let big_t = key(KeyCode::Char('T'), KeyModifiers::SHIFT);
        assert_eq!(lookup(&[Screen], &big_t), Some(Action::CycleTheme));
        let ctrl_c = key(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(lookup(&[Form, Always], &ctrl_c), Some(Action::Quit));
        let plain_c = key(KeyCode::Char('c'), KeyModifiers::NONE);
        assert_eq!(lookup(&[Always], &plain_c), None);
        let shift_tab = key(KeyCode::Tab, KeyModifiers::SHIFT);
        assert_eq!(lookup(&[Session], &shift_tab), Some(Action::PrevPane));
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
    fn every_binding_explains_itself() {
        for b in KEYMAP {
            assert!(!b.help.is_empty() && !b.keys.is_empty());
        }
    }
}
