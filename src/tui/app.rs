//! The TUI's state and the one function that changes it.
//!
//! [`update`] is pure: it reads an [`Action`] and the current time and
//! changes [`App`]. Anything that touches the outside world (opening or
//! creating a file) is queued as an [`Effect`] for the event loop, and
//! autosave happens in the loop whenever the document has changed.
//!
//! The app routes: keys to the overlay on top, to the session's own keys
//! (phases, timer, undo) or to the phase screen, which it knows only
//! through [`screens::registry`]; overlay results go back to whoever
//! opened the overlay.

use std::path::PathBuf;

use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use super::action::Action;
use super::context::{Ctx, Effect, Offer, Purpose, Request, Say, Shell, Status, View};
use super::document::Document;
use super::keymap::{self, Binding, Context};
use super::overlays::confirm::Confirm;
use super::overlays::form::FormOverlay;
use super::overlays::help::{Entry, Help};
use super::overlays::phases::PhaseMenu;
use super::overlays::picker::PickerOverlay;
use super::overlays::problems::Problems;
use super::overlays::{Outcome, Overlay, Owner, Reply};
use super::screens::home::HomeScreen;
use super::screens::{self, PhaseScreen, phase_question};
use super::style::Styles;
use crate::core::catalog::Catalogs;
use crate::core::model::{JiraSettings, Phase, Session};
use crate::core::store::SessionLock;
use crate::core::theme::{DEFAULT_THEME, Theme, Themes};
use crate::core::time::Timestamp;
use crate::core::timer;

/// The smallest terminal the screens are laid out for.
pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 18;

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
    /// Overlays screens asked for during the current action.
    requests: Vec<Request>,
    /// Jira export defaults from the user's config file.
    pub jira_defaults: JiraSettings,
}

impl Say for App {
    fn status_slot(&mut self) -> &mut Option<Status> {
        &mut self.status
    }
}

pub enum Screen {
    Home(HomeScreen),
    Session(Box<SessionState>),
}

/// An open session: its document, its lock, its screens and how saving
/// goes.
pub struct SessionState {
    pub path: PathBuf,
    pub doc: Document,
    /// Held while the session is open; dropping it releases the lock.
    pub lock: Option<SessionLock>,
    /// The phase screens, from the registry.
    pub screens: Vec<Box<dyn PhaseScreen>>,
    pub last_saved: Option<Timestamp>,
    pub save_error: Option<String>,
    /// Phases whose clock has already rung the bell.
    pub rung: Vec<Phase>,
    /// Said when the session is shown (a file with comments, say).
    pub notice: Option<String>,
    /// The file as last read or written (none for a session never on disk).
    pub disk: Option<crate::core::store::DiskStamp>,
    /// The file changed on disk under us: saving waits for the user's
    /// choice of version.
    pub conflict: bool,
    /// Read-only because another stridekit had it open, which has since
    /// closed it (said once).
    pub holder_left: bool,
    /// Participants' devices following the session, while it is shared.
    pub sharing: Option<super::share::Sharing>,
}

impl SessionState {
    /// A session shown without a lock (tests, or before locking).
    pub fn new(path: PathBuf, session: Session) -> SessionState {
        SessionState {
            path,
            doc: Document::new(session, None),
            lock: None,
            screens: screens::registry(),
            last_saved: None,
            save_error: None,
            rung: Vec::new(),
            notice: None,
            disk: None,
            conflict: false,
            holder_left: false,
            sharing: None,
        }
    }

    /// The same, read-only because `holder` is editing it.
    pub fn read_only(mut self, holder: impl Into<String>) -> SessionState {
        self.doc
            .set_read_only(Some(crate::core::store::ReadOnly::HeldBy(holder.into())));
        self
    }

    pub fn session(&self) -> &Session {
        self.doc.session()
    }

    pub fn is_dirty(&self) -> bool {
        self.doc.is_dirty()
    }

    /// The screen of the current phase.
    pub fn current(&self) -> Option<&dyn PhaseScreen> {
        let phase = self.session().phase;
        self.screens
            .iter()
            .find(|s| s.phase() == phase)
            .map(AsRef::as_ref)
    }

    /// A phase screen as its own type (for tests).
    pub fn screen<T: PhaseScreen>(&self) -> Option<&T> {
        self.screens
            .iter()
            .find_map(|s| s.as_any().downcast_ref::<T>())
    }
}

impl App {
    pub fn new(catalogs: Catalogs, themes: Themes, theme: Option<&str>, no_color: bool) -> App {
        let mut app = App {
            catalogs,
            styles: Styles::new(&Theme::plain()),
            themes,
            no_color,
            bell_enabled: true,
            screen: Screen::Home(HomeScreen::default()),
            overlays: Vec::new(),
            status: None,
            size: (80, 24),
            quit: false,
            now: Timestamp::now(),
            ring_bell: false,
            effects: Vec::new(),
            requests: Vec::new(),
            jira_defaults: JiraSettings::default(),
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
        let now = state.session().updated;
        // Phases already over their time do not ring again on reopening.
        state.rung = Phase::ALL
            .into_iter()
            .filter(|p| {
                timer::reading(state.session(), *p, now).state == timer::TimerState::Overtime
            })
            .collect();
        if let Some(theme) = state.session().theme.clone() {
            self.set_theme(&theme);
        }
        let title = crate::core::text::one_line(&state.session().title).into_owned();
        match state.doc.read_only_reason() {
            Some(why) => {
                let message = why.notice(&title);
                self.warn(message);
            }
            None => match &state.notice {
                Some(notice) => self.warn(format!("Opened {title}: {notice}")),
                None => self.info(format!("Opened {title}; t starts the timer")),
            },
        }
        self.overlays.clear();
        self.screen = Screen::Session(Box::new(state));
        super::draft::offer(self);
    }

    /// The key contexts in force, most specific first.
    pub fn contexts(&self) -> Vec<Context> {
        if let Some(top) = self.overlays.last() {
            return keymap::modal_contexts(top.context());
        }
        match &self.screen {
            Screen::Home(home) if home.typing() => keymap::modal_contexts(Context::Filter),
            Screen::Home(_) => keymap::screen_contexts(Context::Home),
            Screen::Session(state) => match state.current() {
                Some(screen) => match screen.modal() {
                    Some(modal) => keymap::modal_contexts(modal),
                    None => keymap::screen_contexts(screen.section(&self.view(state))),
                },
                None => keymap::screen_contexts(Context::Session),
            },
        }
    }

    /// Whether the clock needs a tick every second: a clock runs, or a
    /// failed save waits to be retried.
    pub fn needs_tick(&self) -> bool {
        self.session()
            .is_some_and(|s| timer::running_phase(s.session()).is_some() || s.save_error.is_some())
    }

    /// The terminal is below the size the screens are laid out for.
    pub fn too_small(&self) -> bool {
        self.size.0 < MIN_WIDTH || self.size.1 < MIN_HEIGHT
    }

    /// What the screens of `state` read.
    pub fn view<'a>(&'a self, state: &'a SessionState) -> View<'a> {
        View {
            session: state.session(),
            read_only: state.doc.read_only(),
            catalogs: &self.catalogs,
            styles: &self.styles,
            now: self.now,
            changes: state.doc.changes(),
            remote: state.sharing.as_ref().map_or(&[], |s| s.remote.as_slice()),
        }
    }

    /// Whether `binding` does something right now: what the hint bar and
    /// help show, and what dispatch lets through.
    pub fn offer(&self, binding: &Binding) -> Offer {
        let action = &binding.action;
        if let Some(top) = self.overlays.last() {
            return match (top, action) {
                (Overlay::Picker(p), Action::Toggle) if !p.picker.multi => Offer::Hidden,
                _ => Offer::Enabled,
            };
        }
        match binding.context {
            Context::Always => Offer::Enabled,
            Context::Screen if *action != Action::Cancel => Offer::Enabled,
            _ => self.screen_offer(action),
        }
    }

    /// The offer of the screen (or the session's own keys) for `action`.
    fn screen_offer(&self, action: &Action) -> Offer {
        match &self.screen {
            Screen::Home(home) => home.offer(action),
            Screen::Session(state) => {
                let view = self.view(state);
                if let Some(offer) = session_offer(state, action) {
                    return offer;
                }
                state
                    .current()
                    .map_or(Offer::Hidden, |screen| screen.offer(action, &view))
            }
        }
    }
}

/// The offer of the keys every phase screen shares, or `None` for the
/// screen's own.
fn session_offer(state: &SessionState, action: &Action) -> Option<Offer> {
    let phase = state.session().phase;
    let editable = || match state.doc.refusal() {
        Some(refusal) => Offer::Disabled(refusal),
        None => Offer::Enabled,
    };
    Some(match action {
        Action::Back | Action::PhaseMenu | Action::GotoPhase(_) => Offer::Enabled,
        Action::NextPhase => Offer::when(phase != Phase::Review, "This is the last phase"),
        Action::PrevPhase => Offer::when(phase != Phase::Setup, "This is the first phase"),
        Action::ToggleTimer | Action::ExtendTimer => editable(),
        // Writing a file beside the session changes nothing in it: a
        // read-only session exports too.
        Action::Export => Offer::Enabled,
        // Participants' threats and votes are edits: a viewer cannot take them.
        Action::Share => editable(),
        Action::Undo => match state.doc.refusal() {
            Some(refusal) => Offer::Disabled(refusal),
            None => Offer::when(state.doc.can_undo(), "Nothing to undo"),
        },
        _ => return None,
    })
}

/// Turns a terminal event into an action, or nothing. Key releases (sent by
/// some terminals) are ignored, and so are keys while the screen is too
/// small to show what they would do (all but Ctrl-C).
/// A line feed (`Ctrl-J`) or carriage return (`Ctrl-M`) from the terminal
/// is Enter: a paste without bracketed paste, or a terminal that sends LF,
/// must not reach a text box as the editor's "delete to line start".
fn line_end_as_enter(key: KeyEvent) -> KeyEvent {
    match key.code {
        KeyCode::Char('j' | 'm') if key.modifiers == KeyModifiers::CONTROL => {
            KeyEvent::new_with_kind(KeyCode::Enter, KeyModifiers::NONE, key.kind)
        }
        _ => key,
    }
}

pub fn action_for(app: &App, event: &Event) -> Option<Action> {
    match event {
        Event::Key(key) if key.kind == KeyEventKind::Release => None,
        Event::Key(key) => {
            let key = &line_end_as_enter(*key);
            let contexts = app.contexts();
            let bound = keymap::lookup(&contexts, key).map(|b| b.action.clone());
            if app.too_small() {
                return bound.filter(|a| *a == Action::Quit);
            }
            bound.or_else(|| {
                let typing = matches!(contexts.first(), Some(Context::Filter | Context::Capture))
                    || app.overlays.last().is_some_and(Overlay::takes_text);
                let text = !key.modifiers.contains(KeyModifiers::ALT) || key.code == KeyCode::Enter;
                (typing && text).then_some(Action::Input(*key))
            })
        }
        Event::Paste(_) if app.too_small() => None,
        Event::Paste(text) => Some(Action::Paste(text.clone())),
        Event::Resize(w, h) => Some(Action::Resize(*w, *h)),
        Event::Mouse(_) if app.too_small() => None,
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
            open_help(app);
            return;
        }
        Action::CycleTheme => {
            cycle_theme(app);
            return;
        }
        _ => {}
    }
    if matches!(app.screen, Screen::Home(_)) {
        home_update(app, action);
    } else {
        session_update(app, action, now);
    }
}

/// Rows a list moves on PgUp/PgDn at the current terminal height.
pub fn page_rows(size: (u16, u16)) -> usize {
    usize::from(size.1.saturating_sub(8)).max(1)
}

/// Runs `f` on the home screen with the shell, then opens the overlays it
/// asked for.
fn with_home<R>(app: &mut App, f: impl FnOnce(&mut HomeScreen, &mut Shell) -> R) -> Option<R> {
    let page = page_rows(app.size);
    let Screen::Home(home) = &mut app.screen else {
        return None;
    };
    let mut shell = Shell::new(
        &app.catalogs,
        app.now,
        page,
        &[],
        &mut app.status,
        &mut app.effects,
        &mut app.requests,
    );
    let result = f(home, &mut shell);
    open_requests(app, Owner::Home);
    Some(result)
}

/// Opens again, on the screen of `phase`, a form kept in a draft with
/// `purpose` (see `tui::draft`). True if the form is open.
pub fn reopen_form(app: &mut App, phase: Phase, purpose: &toml::Value) -> bool {
    with_screen(app, Some(phase), |screen, cx| screen.reopen(purpose, cx)).unwrap_or(false)
}

/// Text typed outside a form and not yet entered goes in (stridekit is
/// stopping).
pub fn keep_typed(app: &mut App) {
    if app.session().is_some_and(|s| s.doc.read_only().is_some()) {
        return;
    }
    let phases: Vec<Phase> = match app.session() {
        Some(s) => s.screens.iter().map(|screen| screen.phase()).collect(),
        None => return,
    };
    for phase in phases {
        with_screen(app, Some(phase), |screen, cx| screen.keep_typed(cx));
    }
}

/// Runs `f` on the screen of `phase` (the current one if `None`) with a
/// context, then opens the overlays it asked for.
fn with_screen<R>(
    app: &mut App,
    phase: Option<Phase>,
    f: impl FnOnce(&mut dyn PhaseScreen, &mut Ctx) -> R,
) -> Option<R> {
    let page = page_rows(app.size);
    let Screen::Session(state) = &mut app.screen else {
        return None;
    };
    let phase = phase.unwrap_or(state.doc.session().phase);
    let SessionState {
        doc,
        screens,
        sharing,
        ..
    } = &mut **state;
    let screen = screens.iter_mut().find(|s| s.phase() == phase)?;
    let shell = Shell::new(
        &app.catalogs,
        app.now,
        page,
        sharing.as_ref().map_or(&[], |s| s.remote.as_slice()),
        &mut app.status,
        &mut app.effects,
        &mut app.requests,
    );
    let mut cx = Ctx::new(shell, doc);
    let result = f(screen.as_mut(), &mut cx);
    open_requests(app, Owner::Phase(phase));
    Some(result)
}

/// Opens the overlays asked for, answering to `owner`.
fn open_requests(app: &mut App, owner: Owner) {
    for request in std::mem::take(&mut app.requests) {
        let overlay = match request {
            Request::Form(form, purpose) => Overlay::Form(FormOverlay {
                form,
                owner,
                purpose,
            }),
            Request::Picker(picker, purpose) => Overlay::Picker(PickerOverlay {
                picker,
                reply: Reply::Owner(owner, purpose),
            }),
            Request::Confirm(question, purpose) => Overlay::Confirm(Confirm {
                question,
                reply: Reply::Owner(owner, purpose),
            }),
            Request::Problems { title, lines } => Overlay::Problems(Problems::new(title, lines)),
        };
        app.overlays.push(overlay);
    }
}

fn home_update(app: &mut App, action: Action) {
    let offer = match &app.screen {
        Screen::Home(home) => home.offer(&action),
        Screen::Session(_) => return,
    };
    match offer {
        Offer::Enabled if action == Action::Quit => app.quit = true,
        Offer::Enabled => {
            with_home(app, |home, shell| home.update(action, shell));
        }
        Offer::Disabled(why) => app.info(why),
        Offer::Hidden => {}
    }
}

fn session_update(app: &mut App, action: Action, now: Timestamp) {
    let Some(state) = app.session() else {
        return;
    };
    let typing = state.current().is_some_and(|s| s.modal().is_some());
    let offer = if typing {
        None
    } else {
        session_offer(state, &action)
    };
    match offer {
        Some(Offer::Enabled) => session_action(app, action, now),
        Some(Offer::Disabled(why)) => app.warn(why),
        Some(Offer::Hidden) => {}
        None => {
            let view = app.view(state);
            let offer = state
                .current()
                .map_or(Offer::Hidden, |screen| screen.offer(&action, &view));
            match offer {
                Offer::Enabled => {
                    with_screen(app, None, |screen, cx| screen.update(action, cx));
                }
                Offer::Disabled(why) => app.warn(why),
                Offer::Hidden => {}
            }
        }
    }
}

/// The keys every phase screen shares; already offered.
fn session_action(app: &mut App, action: Action, now: Timestamp) {
    match action {
        Action::Back => {
            leave_session(app, now);
            app.effects.push(Effect::RefreshHome);
        }
        Action::NextPhase | Action::PrevPhase => {
            let Some(state) = app.session() else { return };
            let current = state.session().phase.index();
            let last = Phase::ALL.len() - 1;
            let target = if action == Action::NextPhase {
                Phase::ALL[(current + 1).min(last)]
            } else {
                Phase::ALL[current.saturating_sub(1)]
            };
            goto_phase(app, target, now);
        }
        Action::GotoPhase(target) => goto_phase(app, target, now),
        Action::PhaseMenu => {
            let Some(state) = app.session() else { return };
            let session = state.session();
            let lines = Phase::ALL
                .iter()
                .map(|&phase| {
                    let planned = session
                        .agenda_item(phase)
                        .map_or(0, |a| a.minutes + a.added_minutes);
                    let reading = timer::reading(session, phase, now);
                    let spent = reading.elapsed_secs;
                    format!(
                        "{} {:<11} {planned:>3} min  {:>3}:{:02} spent",
                        phase.index() + 1,
                        phase.name(),
                        spent / 60,
                        spent % 60
                    )
                })
                .collect();
            let menu = PhaseMenu::new(session.phase, lines);
            app.overlays.push(Overlay::Phases(menu));
        }
        Action::ToggleTimer => {
            let Some(state) = app.session_mut() else {
                return;
            };
            let running = state.doc.adjust(|s| timer::toggle(s, now));
            let phase = state.session().phase.name();
            let message = if running {
                format!("{phase} timer running")
            } else {
                format!("{phase} timer paused")
            };
            app.info(message);
        }
        Action::ExtendTimer => {
            let Some(state) = app.session_mut() else {
                return;
            };
            state.doc.adjust(timer::extend);
            let phase = state.session().phase;
            state.rung.retain(|p| *p != phase);
            app.info(format!(
                "{} extended by {} minutes",
                phase.name(),
                timer::EXTEND_MINUTES
            ));
        }
        Action::Undo => undo(app),
        Action::Export => super::export::start(app),
        Action::Share => {
            let sharing = app.session().is_some_and(|s| s.sharing.is_some());
            if !sharing {
                app.effects.push(Effect::Share { addr: None });
            }
            app.overlays.push(Overlay::Share(
                super::overlays::share::ShareOverlay::default(),
            ));
        }
        _ => {}
    }
}

fn goto_phase(app: &mut App, target: Phase, now: Timestamp) {
    let Some(state) = app.session_mut() else {
        return;
    };
    if target == state.session().phase {
        return;
    }
    state.doc.adjust(|s| timer::move_to(s, target, now));
    // The screen arrived at catches up with what changed elsewhere.
    clamp_screens(app);
    app.info(format!(
        "{}. {}",
        target.index() + 1,
        phase_question(target)
    ));
}

fn cycle_theme(app: &mut App) {
    let next = app
        .themes
        .next_after(&app.styles.name)
        .map(|t| t.name.clone());
    if let Some(name) = next {
        app.set_theme(&name);
        if let Some(state) = app.session_mut() {
            // The choice is remembered with the session (not undoable).
            state.doc.adjust(|s| s.theme = Some(name.clone()));
        }
        app.info(format!("Theme: {name}"));
    }
}

fn tick(app: &mut App, now: Timestamp) {
    let bell_enabled = app.bell_enabled;
    let Some(state) = app.session_mut() else {
        return;
    };
    let Some(phase) = timer::running_phase(state.session()) else {
        return;
    };
    let reading = timer::reading(state.session(), phase, now);
    if reading.elapsed_secs >= reading.timebox_secs && !state.rung.contains(&phase) {
        state.rung.push(phase);
        app.ring_bell = bell_enabled;
        app.warn(format!(
            "Time is up for {}: T adds 5 minutes, ] moves on",
            phase.name()
        ));
    }
}

/// Stops the clock and hands the session back to the loop for a last save.
pub fn leave_session(app: &mut App, now: Timestamp) {
    if let Some(state) = app.session_mut()
        && state.doc.read_only().is_none()
        && timer::running_phase(state.session()).is_some()
    {
        state.doc.adjust(|s| timer::pause_all(s, now));
    }
    app.overlays.clear();
}

fn undo(app: &mut App) {
    let Some(state) = app.session_mut() else {
        return;
    };
    match state.doc.undo() {
        Ok(what) => {
            clamp_screens(app);
            app.info(format!("Undid: {what}"));
        }
        Err(why) => app.info(why),
    }
}

/// Keeps every screen's cursors inside its lists.
pub fn clamp_screens(app: &mut App) {
    let Screen::Session(state) = &mut app.screen else {
        return;
    };
    let SessionState {
        doc,
        screens,
        sharing,
        ..
    } = &mut **state;
    let view = View {
        session: doc.session(),
        read_only: doc.read_only(),
        catalogs: &app.catalogs,
        styles: &app.styles,
        now: app.now,
        changes: doc.changes(),
        remote: sharing.as_ref().map_or(&[], |s| s.remote.as_slice()),
    };
    for screen in screens.iter_mut() {
        screen.clamp(&view);
    }
}

/// Help for what is on screen: the keys of the layer on top first, then
/// the rest in force under it, each said to be unavailable when it is.
fn open_help(app: &mut App) {
    let contexts = app.contexts();
    let mut entries = Vec::new();
    // A key listed once: the first context that binds it wins, as in dispatch.
    let mut listed: Vec<(keymap::Key, Action)> = Vec::new();
    for context in &contexts {
        let mut keys = Vec::new();
        for binding in keymap::bindings(*context) {
            let fresh: Vec<keymap::Key> = binding
                .keys
                .iter()
                .filter(|k| !listed.iter().any(|(key, _)| key == *k))
                .copied()
                .collect();
            if fresh.is_empty() {
                continue;
            }
            let unavailable = match app.offer(binding) {
                Offer::Enabled => None,
                Offer::Disabled(why) => Some(why),
                Offer::Hidden => continue,
            };
            listed.extend(fresh.iter().map(|k| (*k, binding.action.clone())));
            keys.push(Entry::Key {
                keys: fresh
                    .iter()
                    .map(keymap::Key::label)
                    .collect::<Vec<_>>()
                    .join("/"),
                help: binding.help.to_string(),
                unavailable,
            });
        }
        if !keys.is_empty() {
            entries.push(Entry::Heading(context.title().to_string()));
            entries.extend(keys);
        }
    }
    let note = match contexts.first() {
        Some(Context::Form) => Some("Every other key types into the field with the cursor."),
        Some(Context::Picker | Context::Filter) => Some("Every other key types into the filter."),
        _ if app.session().is_some() => Some("Every change is saved at once; u undoes it."),
        _ => None,
    };
    if let Some(note) = note {
        entries.push(Entry::Note(note.to_string()));
    }
    app.overlays.push(Overlay::Help(Help::new(entries)));
}

fn overlay_update(app: &mut App, action: Action, now: Timestamp) {
    let size = app.size;
    let Some(top) = app.overlays.last_mut() else {
        return;
    };
    let outcome = match top {
        Overlay::Help(help) => help.update(&action, size, &app.styles),
        Overlay::Problems(problems) => problems.update(&action, size, &app.styles),
        Overlay::Phases(menu) => menu.update(&action),
        Overlay::Confirm(confirm) => confirm.update(&action),
        Overlay::Form(form) => form.update(action),
        Overlay::Picker(picker) => picker.update(action),
        Overlay::Share(overlay) => {
            let sharing = match &app.screen {
                Screen::Session(state) => state.sharing.as_ref(),
                Screen::Home(_) => None,
            };
            overlay.update(&action, sharing)
        }
    };
    match outcome {
        Outcome::Stay => {}
        Outcome::Close => {
            app.overlays.pop();
        }
        Outcome::Help => {
            // Help over help would only repeat itself.
            if !matches!(app.overlays.last(), Some(Overlay::Help(_))) {
                open_help(app);
            }
        }
        Outcome::AskDiscard => app.overlays.push(Overlay::Confirm(Confirm {
            question: "Discard your changes?".to_string(),
            reply: Reply::DiscardForm,
        })),
        Outcome::OpenPicker { field, typed } => {
            let Some(Overlay::Form(overlay)) = app.overlays.last() else {
                return;
            };
            if let Some(mut picker) = overlay.form.picker(field) {
                // The letter that opened the picker starts its filter.
                if let Some(key) = typed {
                    picker.input(key);
                }
                app.overlays.push(Overlay::Picker(PickerOverlay {
                    picker,
                    reply: Reply::Field(field),
                }));
            }
        }
        Outcome::Picked(keys) => {
            let Some(Overlay::Picker(picker)) = app.overlays.pop() else {
                return;
            };
            match picker.reply {
                Reply::Field(field) => {
                    if let Some(Overlay::Form(f)) = app.overlays.last_mut() {
                        f.form.set_picked(field, keys);
                    }
                }
                Reply::Owner(Owner::Phase(phase), purpose) => {
                    with_screen(app, Some(phase), |screen, cx| {
                        screen.picked(&purpose, keys, cx);
                    });
                }
                Reply::Owner(Owner::Export, purpose) => {
                    super::export::picked(app, &purpose, keys);
                }
                Reply::Owner(Owner::Conflict, _) => super::conflict::picked(app, &keys),
                Reply::Owner(Owner::Draft, purpose) => super::draft::picked(app, &purpose, &keys),
                Reply::Owner(Owner::Home, _) | Reply::DiscardForm => {}
            }
        }
        Outcome::Yes => {
            let Some(Overlay::Confirm(confirm)) = app.overlays.pop() else {
                return;
            };
            match confirm.reply {
                Reply::DiscardForm => {
                    if matches!(app.overlays.last(), Some(Overlay::Form(_))) {
                        app.overlays.pop();
                    }
                    app.info("Discarded");
                }
                Reply::Owner(Owner::Phase(phase), purpose) => {
                    with_screen(app, Some(phase), |screen, cx| {
                        screen.confirmed(&purpose, cx);
                    });
                }
                Reply::Owner(Owner::Export, purpose) => {
                    super::export::confirmed(app, &purpose);
                }
                Reply::Owner(Owner::Home | Owner::Conflict | Owner::Draft, _) | Reply::Field(_) => {
                }
            }
        }
        Outcome::Share(choice) => {
            use super::overlays::share::ShareOutcome;
            match choice {
                ShareOutcome::Admit(guest) => super::share::admit(app, guest),
                ShareOutcome::AdmitAll => super::share::admit_all(app),
                ShareOutcome::Remove(guest) => super::share::remove(app, guest),
                ShareOutcome::Stop => {
                    app.overlays.pop();
                    super::share::stop(app);
                }
            }
        }
        Outcome::Goto(phase) => {
            app.overlays.pop();
            goto_phase(app, phase, now);
        }
        Outcome::Submit => submit_form(app),
    }
}

/// Saves the top form through its owner; on success closes it.
fn submit_form(app: &mut App) {
    let Some(Overlay::Form(overlay)) = app.overlays.last_mut() else {
        return;
    };
    if !overlay.form.check() {
        return;
    }
    let form = overlay.form.clone();
    let owner = overlay.owner;
    let purpose: Purpose = overlay.purpose.clone();
    // The form stays on top while its owner saves it, so overlays the
    // owner opens land above it; it is then removed from under them.
    let position = app.overlays.len() - 1;
    let result = match owner {
        Owner::Home => with_home(app, |home, shell| {
            home.submit(&purpose, &form, shell);
            Ok(())
        }),
        Owner::Phase(phase) => with_screen(app, Some(phase), |screen, cx| {
            screen.submit(&purpose, &form, cx)
        }),
        Owner::Export => Some(super::export::submit(app, &purpose, &form)),
        Owner::Conflict | Owner::Draft => None,
    }
    .unwrap_or(Ok(()));
    match result {
        Ok(()) => {
            if matches!(app.overlays.get(position), Some(Overlay::Form(_))) {
                app.overlays.remove(position);
            }
        }
        Err(message) => {
            if let Some(Overlay::Form(overlay)) = app.overlays.get_mut(position) {
                overlay.form.error = Some(message);
            }
        }
    }
}
