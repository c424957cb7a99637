//! The TUI's state and the one function that changes it.
//!
//! [`update`] is pure: it reads an [`Action`] and the current time and
//! changes [`App`]. Anything that touches the outside world (opening or
//! creating a file) is queued as an [`Effect`] for the event loop, and
//! autosave happens in the loop whenever the session is marked dirty.

use std::path::PathBuf;

use ratatui::crossterm::event::{Event, KeyEventKind};

use super::action::Action;
use super::form::{Form, FormEvent};
use super::keymap::{self, Context};
use super::picker::{PickResult, Picker};
use super::screens::{home, scope, setup};
use super::style::Styles;
use crate::core::catalog::Catalogs;
use crate::core::model::{Phase, Session, Template};
use crate::core::store::SessionLock;
use crate::core::theme::{DEFAULT_THEME, Theme, Themes};
use crate::core::time::Timestamp;
use crate::core::timer;

/// The smallest terminal the screens are laid out for.
pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 18;

/// Undo keeps this many steps.
const UNDO_DEPTH: usize = 100;

pub struct App {
    pub catalogs: Catalogs,
    pub themes: Themes,
    pub styles: Styles,
    pub no_color: bool,
    pub bell_enabled: bool,
    pub screen: Screen,
    /// Modal layers over the screen; the last one gets the keys.
    pub overlays: Vec<Overlay>,
    pub status: Option<Status>,
    pub size: (u16, u16),
    pub quit: bool,
    /// The time of the latest action: views read the clock from here, so
    /// rendering is a function of the state alone.
    pub now: Timestamp,
    /// Ring the terminal bell at the next draw.
    pub ring_bell: bool,
    /// Work for the event loop.
    pub effects: Vec<Effect>,
}

pub enum Screen {
    Home(home::HomeState),
    Session(Box<SessionState>),
}

/// An open session and everything the screens remember about it.
pub struct SessionState {
    pub path: PathBuf,
    pub session: Session,
    /// Who holds the edit lock, when we could only open read-only.
    pub read_only: Option<String>,
    /// Held while the session is open; dropping it releases the lock.
    pub lock: Option<SessionLock>,
    pub setup: setup::SetupState,
    pub scope: scope::ScopeState,
    pub undo: Vec<UndoStep>,
    /// Changed since the last successful save.
    pub dirty: bool,
    pub last_saved: Option<Timestamp>,
    pub save_error: Option<String>,
    /// Phases whose clock has already rung the bell.
    pub rung: Vec<Phase>,
}

impl SessionState {
    /// A session shown without a lock (tests, or before locking).
    pub fn new(path: PathBuf, session: Session) -> SessionState {
        SessionState {
            path,
            session,
            read_only: None,
            lock: None,
            setup: setup::SetupState::default(),
            scope: scope::ScopeState::default(),
            undo: Vec::new(),
            dirty: false,
            last_saved: None,
            save_error: None,
            rung: Vec::new(),
        }
    }
}

pub struct UndoStep {
    pub before: Session,
    pub what: String,
}

pub enum Overlay {
    Help { scroll: u16 },
    Confirm(Confirm),
    Form(FormOverlay),
    Picker(Picker),
}

pub struct FormOverlay {
    pub form: Form,
    pub purpose: Purpose,
}

/// What a form is for, and so what saving it does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Purpose {
    NewSession,
    Setup(setup::Edit),
    Scope(scope::Edit),
}

pub struct Confirm {
    pub question: String,
    pub on_yes: OnYes,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OnYes {
    /// Close the form under the question without saving.
    DiscardForm,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    OpenSession(PathBuf),
    CreateSession { title: String, template: Template },
    OpenDemo,
    RefreshHome,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusKind {
    Info,
    Success,
    Warning,
    Error,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    pub kind: StatusKind,
    pub text: String,
}

impl App {
    pub fn new(catalogs: Catalogs, themes: Themes, theme: Option<&str>, no_color: bool) -> App {
        let mut app = App {
            catalogs,
            styles: Styles::new(&Theme::plain()),
            themes,
            no_color,
            bell_enabled: true,
            screen: Screen::Home(home::HomeState::default()),
            overlays: Vec::new(),
            status: None,
            size: (80, 24),
            quit: false,
            now: Timestamp::now(),
            ring_bell: false,
            effects: Vec::new(),
        };
        app.set_theme(theme.unwrap_or(DEFAULT_THEME));
        app
    }

    /// Switches to the theme `name` (the default if unknown).
    pub fn set_theme(&mut self, name: &str) {
        let theme = self
            .themes
            .get(name)
            .or_else(|| self.themes.get(DEFAULT_THEME))
            .cloned();
        if let Some(theme) = theme {
            let theme = if self.no_color {
                theme.without_color()
            } else {
                theme
            };
            self.styles = Styles::new(&theme);
        }
    }

    pub fn info(&mut self, text: impl Into<String>) {
        self.status = Some(Status {
            kind: StatusKind::Info,
            text: text.into(),
        });
    }

    pub fn success(&mut self, text: impl Into<String>) {
        self.status = Some(Status {
            kind: StatusKind::Success,
            text: text.into(),
        });
    }

    pub fn warn(&mut self, text: impl Into<String>) {
        self.status = Some(Status {
            kind: StatusKind::Warning,
            text: text.into(),
        });
    }

    pub fn error(&mut self, text: impl Into<String>) {
        self.status = Some(Status {
            kind: StatusKind::Error,
            text: text.into(),
        });
    }

    pub fn session(&self) -> Option<&SessionState> {
        match &self.screen {
            Screen::Session(s) => Some(s),
            Screen::Home(_) => None,
        }
    }

    pub fn session_mut(&mut self) -> Option<&mut SessionState> {
        match &mut self.screen {
            Screen::Session(s) => Some(s),
            Screen::Home(_) => None,
        }
    }

    /// Shows an opened session, ready for the workshop.
    pub fn show_session(&mut self, mut state: SessionState) {
        let now = state.session.updated;
        // Phases already over their time do not ring again on reopening.
        state.rung = Phase::ALL
            .into_iter()
            .filter(|p| {
                timer::reading(&state.session, *p, now).state == timer::TimerState::Overtime
            })
            .collect();
        if let Some(theme) = state.session.theme.clone() {
            self.set_theme(&theme);
        }
        let title = crate::core::text::one_line(&state.session.title).into_owned();
        match &state.read_only {
            Some(holder) => self.warn(format!("Read-only: {title} is being edited by {holder}")),
            None => self.info(format!("Opened {title}; t starts the phase timer")),
        }
        self.overlays.clear();
        self.screen = Screen::Session(Box::new(state));
    }

    /// The key contexts in force, most specific first.
    pub fn contexts(&self) -> Vec<Context> {
        match self.overlays.last() {
            Some(Overlay::Help { .. }) => vec![Context::Help, Context::Always],
            Some(Overlay::Confirm(_)) => vec![Context::Confirm, Context::Always],
            Some(Overlay::Form(_)) => vec![Context::Form, Context::Always],
            Some(Overlay::Picker(_)) => vec![Context::Picker, Context::Always],
            None => match &self.screen {
                Screen::Home(_) => vec![
                    Context::Home,
                    Context::List,
                    Context::Screen,
                    Context::Always,
                ],
                Screen::Session(s) => {
                    let mut v = Vec::with_capacity(5);
                    match s.session.phase {
                        Phase::Setup => v.push(Context::Setup),
                        Phase::Scope => v.push(Context::Scope),
                        _ => {}
                    }
                    v.extend([
                        Context::Session,
                        Context::List,
                        Context::Screen,
                        Context::Always,
                    ]);
                    v
                }
            },
        }
    }

    /// The contexts of the screen under any overlays, for the help text.
    pub fn screen_contexts(&self) -> Vec<Context> {
        let mut v = match &self.screen {
            Screen::Home(_) => vec![Context::Home],
            Screen::Session(s) => {
                let mut v = Vec::new();
                match s.session.phase {
                    Phase::Setup => v.push(Context::Setup),
                    Phase::Scope => v.push(Context::Scope),
                    _ => {}
                }
                v.push(Context::Session);
                v
            }
        };
        v.extend([
            Context::List,
            Context::Screen,
            Context::Always,
            Context::Form,
            Context::Picker,
        ]);
        v
    }

    /// Whether the clock needs a tick every second.
    pub fn needs_tick(&self) -> bool {
        self.session().is_some_and(|s| {
            timer::running_phase(&s.session).is_some() || (s.dirty && s.read_only.is_none())
        })
    }
}

/// Turns a terminal event into an action, or nothing. Key releases (sent by
/// some terminals) are ignored.
pub fn action_for(app: &App, event: &Event) -> Option<Action> {
    match event {
        Event::Key(key) if key.kind == KeyEventKind::Release => None,
        Event::Key(key) => {
            let contexts = app.contexts();
            keymap::lookup(&contexts, key).or_else(|| match app.overlays.last() {
                Some(Overlay::Form(_) | Overlay::Picker(_)) => Some(Action::Input(*key)),
                _ => None,
            })
        }
        Event::Paste(text) => Some(Action::Paste(text.clone())),
        Event::Resize(w, h) => Some(Action::Resize(*w, *h)),
        Event::Mouse(mouse) => {
            use ratatui::crossterm::event::MouseEventKind;
            match mouse.kind {
                MouseEventKind::ScrollDown => Some(Action::Down),
                MouseEventKind::ScrollUp => Some(Action::Up),
                _ => None,
            }
        }
        _ => None,
    }
}

/// Applies one action.
pub fn update(app: &mut App, action: Action, now: Timestamp) {
    app.now = now;
    match action {
        Action::Quit => {
            app.quit = true;
            return;
        }
        Action::Resize(w, h) => {
            app.size = (w, h);
            return;
        }
        Action::Tick => {
            tick(app, now);
            return;
        }
        _ => {}
    }
    if !app.overlays.is_empty() {
        overlay_update(app, action, now);
        return;
    }
    match action {
        Action::Help => {
            app.overlays.push(Overlay::Help { scroll: 0 });
            return;
        }
        Action::CycleTheme => {
            cycle_theme(app);
            return;
        }
        _ => {}
    }
    if matches!(app.screen, Screen::Home(_)) {
        home::update(app, action);
    } else {
        session_update(app, action, now);
    }
}

fn cycle_theme(app: &mut App) {
    let next = app
        .themes
        .next_after(&app.styles.name)
        .map(|t| t.name.clone());
    if let Some(name) = next {
        app.set_theme(&name);
        if let Some(s) = app.session_mut() {
            // The choice is remembered with the session (not undoable).
            s.session.theme = Some(name.clone());
            s.dirty = true;
        }
        app.info(format!("Theme: {name}"));
    }
}

fn tick(app: &mut App, now: Timestamp) {
    let bell_enabled = app.bell_enabled;
    let Some(s) = app.session_mut() else {
        return;
    };
    let Some(phase) = timer::running_phase(&s.session) else {
        return;
    };
    let reading = timer::reading(&s.session, phase, now);
    if reading.elapsed_secs >= reading.timebox_secs && !s.rung.contains(&phase) {
        s.rung.push(phase);
        let name = phase.name();
        app.ring_bell = bell_enabled;
        app.warn(format!(
            "Time is up for {name}: + adds 5 minutes, ] moves on"
        ));
    }
}

fn session_update(app: &mut App, action: Action, now: Timestamp) {
    let Screen::Session(s) = &mut app.screen else {
        return;
    };
    match action {
        Action::Back => {
            leave_session(app, now);
            app.effects.push(Effect::RefreshHome);
        }
        Action::Cancel => {}
        Action::NextPhase | Action::PrevPhase | Action::GotoPhase(_) => {
            let current = s.session.phase.index();
            let target = match action {
                Action::NextPhase => Phase::ALL[(current + 1).min(5)],
                Action::PrevPhase => Phase::ALL[current.saturating_sub(1)],
                Action::GotoPhase(p) => p,
                _ => s.session.phase,
            };
            if target != s.session.phase {
                timer::move_to(&mut s.session, target, now);
                s.dirty = true;
                app.info(format!(
                    "{}. {}",
                    target.index() + 1,
                    phase_question(target)
                ));
            }
        }
        Action::ToggleTimer => {
            if s.read_only.is_some() {
                app.warn("Read-only: the timer cannot change");
                return;
            }
            let running = timer::toggle(&mut s.session, now);
            s.dirty = true;
            let phase = s.session.phase.name();
            if running {
                app.info(format!("{phase} timer running"));
            } else {
                app.info(format!("{phase} timer paused"));
            }
        }
        Action::ExtendTimer => {
            if s.read_only.is_some() {
                app.warn("Read-only: the timer cannot change");
                return;
            }
            timer::extend(&mut s.session);
            let phase = s.session.phase;
            s.rung.retain(|p| *p != phase);
            s.dirty = true;
            app.info(format!(
                "{} extended by {} minutes",
                phase.name(),
                timer::EXTEND_MINUTES
            ));
        }
        Action::Undo => undo(app, now),
        other => match s.session.phase {
            Phase::Setup => setup::update(app, other),
            Phase::Scope => scope::update(app, other),
            _ => {}
        },
    }
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

/// Stops the clock and hands the session back to the loop for a last save.
pub fn leave_session(app: &mut App, now: Timestamp) {
    if let Screen::Session(s) = &mut app.screen
        && s.read_only.is_none()
        && timer::running_phase(&s.session).is_some()
    {
        timer::pause_all(&mut s.session, now);
        s.dirty = true;
    }
    app.overlays.clear();
}

/// Changes the session through `change`, recording an undo step. Refused
/// (with a message) when the session is read-only. Returns what `change`
/// returned.
pub fn edit<R>(
    app: &mut App,
    what: impl Into<String>,
    change: impl FnOnce(&mut Session) -> R,
) -> Option<R> {
    let Screen::Session(s) = &mut app.screen else {
        return None;
    };
    if let Some(holder) = &s.read_only {
        let message = format!("Read-only: {holder} is editing this session");
        app.warn(message);
        return None;
    }
    let before = s.session.clone();
    let result = change(&mut s.session);
    if s.session != before {
        s.undo.push(UndoStep {
            before,
            what: what.into(),
        });
        if s.undo.len() > UNDO_DEPTH {
            s.undo.remove(0);
        }
        s.dirty = true;
    }
    Some(result)
}

fn undo(app: &mut App, _now: Timestamp) {
    let Screen::Session(s) = &mut app.screen else {
        return;
    };
    if s.read_only.is_some() {
        app.warn("Read-only: nothing to undo");
        return;
    }
    let Some(step) = s.undo.pop() else {
        app.info("Nothing to undo");
        return;
    };
    let mut restored = step.before;
    // Undo restores content, never time: the clocks and the phase stay.
    restored.agenda = restore_timers(restored.agenda, &s.session.agenda);
    restored.phase = s.session.phase;
    restored.theme = s.session.theme.clone();
    restored.last_ids = s.session.last_ids.clone();
    s.session = restored;
    s.dirty = true;
    s.setup.clamp(&s.session);
    s.scope.clamp(&s.session);
    app.info(format!("Undid: {}", step.what));
}

fn restore_timers(
    mut restored: Vec<crate::core::model::AgendaItem>,
    current: &[crate::core::model::AgendaItem],
) -> Vec<crate::core::model::AgendaItem> {
    for item in &mut restored {
        if let Some(now) = current.iter().find(|c| c.phase == item.phase) {
            item.elapsed_secs = now.elapsed_secs;
            item.running_since = now.running_since;
            item.added_minutes = now.added_minutes;
        }
    }
    restored
}

fn overlay_update(app: &mut App, action: Action, now: Timestamp) {
    let Some(top) = app.overlays.last_mut() else {
        return;
    };
    match top {
        Overlay::Help { scroll } => match action {
            Action::Cancel | Action::Help | Action::Back => {
                app.overlays.pop();
            }
            Action::Down => *scroll = scroll.saturating_add(1),
            Action::Up => *scroll = scroll.saturating_sub(1),
            _ => {}
        },
        Overlay::Confirm(confirm) => match action {
            Action::Yes => {
                let on_yes = confirm.on_yes.clone();
                app.overlays.pop();
                match on_yes {
                    OnYes::DiscardForm => {
                        app.overlays.pop();
                        app.info("Discarded");
                    }
                }
            }
            Action::No | Action::Cancel => {
                app.overlays.pop();
            }
            _ => {}
        },
        Overlay::Picker(picker) => match action {
            Action::Up => picker.up(),
            Action::Down => picker.down(),
            Action::PageUp => picker.page(false, 10),
            Action::PageDown => picker.page(true, 10),
            Action::Toggle => picker.toggle(),
            Action::Input(key) => picker.input(key),
            Action::Paste(text) => picker.paste(&text),
            Action::Cancel => {
                app.overlays.pop();
            }
            Action::Open => match picker.choose() {
                PickResult::Chosen(keys) => {
                    let field = picker.field;
                    app.overlays.pop();
                    if let Some(Overlay::Form(f)) = app.overlays.last_mut() {
                        f.form.set_picked(field, keys);
                    }
                }
                PickResult::Continue => {}
            },
            _ => {}
        },
        Overlay::Form(overlay) => {
            let event = match action {
                Action::NextField => {
                    overlay.form.next_field();
                    FormEvent::None
                }
                Action::PrevField => {
                    overlay.form.prev_field();
                    FormEvent::None
                }
                Action::Open => overlay.form.enter(),
                Action::Input(key) => overlay.form.input(key),
                Action::Paste(text) => {
                    overlay.form.paste(&text);
                    FormEvent::None
                }
                Action::Cancel => {
                    if overlay.form.changed() {
                        app.overlays.push(Overlay::Confirm(Confirm {
                            question: "Discard your changes?".to_string(),
                            on_yes: OnYes::DiscardForm,
                        }));
                    } else {
                        app.overlays.pop();
                    }
                    return;
                }
                Action::Submit => {
                    submit_form(app, now);
                    return;
                }
                _ => FormEvent::None,
            };
            if let FormEvent::OpenPicker(field) = event
                && let Some(picker) = overlay.form.picker(field)
            {
                app.overlays.push(Overlay::Picker(picker));
            }
        }
    }
}

/// Saves the top form through its purpose; on success closes it.
fn submit_form(app: &mut App, now: Timestamp) {
    let Some(Overlay::Form(overlay)) = app.overlays.last_mut() else {
        return;
    };
    if !overlay.form.check() {
        return;
    }
    let purpose = overlay.purpose.clone();
    let form = overlay.form.clone();
    let result = match purpose {
        Purpose::NewSession => {
            let title = form.text("title");
            let template = match form.key("template").as_deref() {
                Some("quick") => Template::Quick,
                _ => Template::Workshop,
            };
            app.effects.push(Effect::CreateSession { title, template });
            Ok(())
        }
        Purpose::Setup(edit) => setup::submit(app, &edit, &form, now),
        Purpose::Scope(edit) => scope::submit(app, &edit, &form, now),
    };
    match result {
        Ok(()) => {
            // The form is the top overlay unless the submit opened another.
            if let Some(pos) = app
                .overlays
                .iter()
                .rposition(|o| matches!(o, Overlay::Form(_)))
            {
                app.overlays.remove(pos);
            }
        }
        Err(message) => {
            if let Some(Overlay::Form(overlay)) = app.overlays.last_mut() {
                overlay.form.error = Some(message);
            }
        }
    }
}

/// Opens a form over the current screen.
pub fn open_form(app: &mut App, form: Form, purpose: Purpose) {
    app.overlays
        .push(Overlay::Form(FormOverlay { form, purpose }));
}

/// The pane after (NextPane) or before (PrevPane) pane `current` of
/// `count`, wrapping around.
pub fn cycle_pane(current: usize, count: usize, action: &Action) -> usize {
    let count = count.max(1);
    if *action == Action::PrevPane {
        (current + count - 1) % count
    } else {
        (current + 1) % count
    }
}

/// Moves a list cursor by one action, clamped to `len` items.
pub fn move_cursor(cursor: &mut usize, len: usize, action: &Action, page: usize) {
    if len == 0 {
        *cursor = 0;
        return;
    }
    let last = len - 1;
    *cursor = match action {
        Action::Up => cursor.saturating_sub(1),
        Action::Down => (*cursor + 1).min(last),
        Action::PageUp => cursor.saturating_sub(page.max(1)),
        Action::PageDown => (*cursor + page.max(1)).min(last),
        Action::Top => 0,
        Action::Bottom => last,
        _ => (*cursor).min(last),
    };
}

/// Rows a list shows at the current terminal height, for paging.
pub fn page_rows(app: &App) -> usize {
    usize::from(app.size.1.saturating_sub(8)).max(1)
}
