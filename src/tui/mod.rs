//! The workshop TUI, on top of the core.
//!
//! Keys become [`action::Action`]s through the [`keymap`]; [`app::update`]
//! changes the state; [`view::draw`] renders it. This module owns the
//! impure parts: the terminal, the event loop, file effects and autosave.

pub mod action;
pub mod app;
pub mod form;
pub mod keymap;
pub mod overlays;
pub mod picker;
pub mod screens;
pub mod style;
pub mod terminal;
pub mod view;

use std::io::{IsTerminal as _, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result};
use ratatui::crossterm::event;

use self::action::Action;
use self::app::{App, Effect, Screen, SessionState};
use crate::core::catalog::Catalogs;
use crate::core::config;
use crate::core::model::{Session, Template};
use crate::core::store::{self, Access, OpenSession};
use crate::core::theme::Themes;
use crate::core::time::Timestamp;
use crate::core::timer;

/// What the TUI starts with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Launch {
    Home,
    Open(PathBuf),
    Demo,
}

#[derive(Debug, Clone, Default)]
pub struct Options {
    pub theme: Option<String>,
    pub no_color: bool,
    pub bell: bool,
}

/// Where sessions live: `./sessions`, then the user's data directory
/// (its `sessions` and the copy of the demo).
pub fn session_dirs() -> Vec<PathBuf> {
    let mut dirs = vec![PathBuf::from("sessions")];
    if let Some(data) = config::data_dir() {
        dirs.push(data.join("sessions"));
        dirs.push(data.join("demo"));
    }
    dirs
}

/// Builds the app and performs the launch, before the terminal is touched,
/// so a bad file is reported on a normal screen.
pub fn prepare(
    catalogs: Catalogs,
    themes: Themes,
    launch: &Launch,
    options: &Options,
) -> Result<App> {
    let mut app = App::new(catalogs, themes, options.theme.as_deref(), options.no_color);
    app.bell_enabled = options.bell;
    match launch {
        Launch::Home => app.effects.push(Effect::RefreshHome),
        Launch::Open(path) => {
            let state = open_session(&app.catalogs, path)?;
            app.show_session(state);
        }
        Launch::Demo => {
            let state = open_demo(&app.catalogs)?;
            app.show_session(state);
        }
    }
    if let Some(theme) = &options.theme {
        // The command line wins over the theme remembered in the session.
        app.set_theme(theme);
    }
    Ok(app)
}

/// Runs the TUI until the user quits or the terminal goes away.
pub fn run(mut app: App) -> Result<()> {
    let termination = terminal::termination_flag().context("cannot watch for signals")?;
    let mut guard = terminal::TerminalGuard::enter().context("cannot set up the terminal")?;
    let result = event_loop(&mut guard.terminal, &mut app, &termination);
    let saved = finish(&mut app);
    drop(guard);
    result.and(saved)
}

fn event_loop(
    terminal: &mut terminal::Term,
    app: &mut App,
    termination: &AtomicBool,
) -> Result<()> {
    let size = terminal.size()?;
    app.size = (size.width, size.height);
    app.now = Timestamp::now();
    let events = input_events();
    let mut redraw = true;
    let mut next_tick = Instant::now() + Duration::from_secs(1);
    loop {
        perform_effects(app);
        autosave(app);
        if app.quit || termination.load(Ordering::Relaxed) || terminal_gone() {
            return Ok(());
        }
        if redraw {
            terminal.draw(|frame| view::draw(frame, app))?;
            redraw = false;
            if app.ring_bell {
                app.ring_bell = false;
                let mut out = std::io::stdout();
                let _ = out.write_all(b"\x07");
                let _ = out.flush();
            }
        }
        // Wake for the clock's second, otherwise only often enough to
        // notice a signal or a closed terminal: nothing spins.
        let timeout = if app.needs_tick() {
            next_tick.saturating_duration_since(Instant::now())
        } else {
            Duration::from_millis(250)
        };
        match events.recv_timeout(timeout) {
            Ok(Ok(event)) => {
                if let Some(action) = app::action_for(app, &event) {
                    app::update(app, action, Timestamp::now());
                    redraw = true;
                }
            }
            Ok(Err(e)) => return Err(e.into()),
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => return Ok(()),
        }
        if app.needs_tick() && Instant::now() >= next_tick {
            app::update(app, Action::Tick, Timestamp::now());
            next_tick = Instant::now() + Duration::from_secs(1);
            redraw = true;
        }
    }
}

/// Terminal events, read on a thread of their own. Once the terminal is
/// closed, crossterm's reader loops forever on the end of its input
/// (crossterm-rs/crossterm#793) and never returns, not even from a poll
/// with a timeout; here it only spins in that thread until the process
/// exits, and the event loop stays free to notice and save.
fn input_events() -> mpsc::Receiver<std::io::Result<event::Event>> {
    let (sender, receiver) = mpsc::channel();
    std::thread::spawn(move || {
        loop {
            let result = event::read();
            let failed = result.is_err();
            if sender.send(result).is_err() || failed {
                return;
            }
        }
    });
    receiver
}

/// Whether the terminal went away (its window closed, the connection
/// dropped): a hung-up terminal no longer answers as one. SIGHUP usually
/// says so too, but not when the shell ignores or keeps it.
fn terminal_gone() -> bool {
    !std::io::stdin().is_terminal()
}

/// The last save, with the clock stopped. Errors are returned so they
/// can be printed once the terminal is back to normal.
fn finish(app: &mut App) -> Result<()> {
    let now = Timestamp::now();
    app::leave_session(app, now);
    autosave(app);
    match app.session() {
        Some(s) if s.dirty && s.read_only.is_none() => Err(anyhow::anyhow!(
            "the last changes to {} could not be saved: {}",
            s.path.display(),
            s.save_error.as_deref().unwrap_or("unknown error")
        )),
        _ => Ok(()),
    }
}

/// Saves the session if it changed. A failure keeps the work in memory,
/// says so on the status line, and is retried on the next tick.
pub fn autosave(app: &mut App) {
    let Screen::Session(s) = &mut app.screen else {
        return;
    };
    if !s.dirty || s.read_only.is_some() {
        return;
    }
    let now = Timestamp::now();
    s.session.updated = now.max(s.session.created);
    match store::save(&s.path, &s.session) {
        Ok(()) => {
            s.dirty = false;
            s.last_saved = Some(now);
            if s.save_error.take().is_some() {
                app.success("Saved again; nothing was lost");
            }
        }
        Err(e) => {
            let message = e.to_string();
            if s.save_error.as_deref() != Some(message.as_str()) {
                s.save_error = Some(message.clone());
                app.error(format!(
                    "{message}; your work is kept and saving is retried"
                ));
            }
        }
    }
}

fn perform_effects(app: &mut App) {
    let effects = std::mem::take(&mut app.effects);
    for effect in effects {
        match effect {
            Effect::OpenSession(path) => match open_session(&app.catalogs, &path) {
                Ok(state) => {
                    close_session(app);
                    app.show_session(state);
                }
                Err(e) => app.error(format!("{e:#}")),
            },
            Effect::OpenDemo => match open_demo(&app.catalogs) {
                Ok(state) => {
                    close_session(app);
                    app.show_session(state);
                }
                Err(e) => app.error(format!("{e:#}")),
            },
            Effect::CreateSession { title, template } => {
                match create_session(&app.catalogs, &title, template) {
                    Ok(state) => {
                        close_session(app);
                        app.show_session(state);
                    }
                    Err(e) => app.error(format!("{e:#}")),
                }
            }
            Effect::RefreshHome => {
                if !close_session(app) {
                    continue;
                }
                let dirs = session_dirs();
                let sessions = screens::home::scan(&dirs);
                let cursor = match &app.screen {
                    Screen::Home(h) => h.cursor,
                    Screen::Session(_) => 0,
                };
                app.screen = Screen::Home(screens::home::HomeState {
                    cursor: cursor.min(sessions.len().saturating_sub(1)),
                    sessions,
                    searched: dirs,
                });
            }
        }
    }
}

/// Saves and closes the open session (releasing its lock). Returns false,
/// keeping it open, if it could not be saved.
fn close_session(app: &mut App) -> bool {
    if app.session().is_none() {
        return true;
    }
    app::leave_session(app, Timestamp::now());
    autosave(app);
    if app
        .session()
        .is_some_and(|s| s.dirty && s.read_only.is_none())
    {
        app.error("Not closed: the session could not be saved (see above)");
        return false;
    }
    let title = app
        .session()
        .map(|s| crate::core::text::one_line(&s.session.title).into_owned())
        .unwrap_or_default();
    app.screen = Screen::Home(screens::home::HomeState::default());
    app.info(format!("Closed {title}; everything is saved"));
    true
}

fn state_of(opened: OpenSession) -> SessionState {
    let (read_only, lock) = match opened.access {
        Access::ReadWrite(lock) => (None, Some(lock)),
        Access::ReadOnly { holder } => (Some(holder), None),
    };
    let mut session = opened.session;
    let mut dirty = false;
    if read_only.is_none() && timer::running_phase(&session).is_some() {
        // A clock left running by a crash: stop it as of the last save,
        // and record that in the file.
        timer::settle_after_load(&mut session);
        dirty = true;
    }
    let mut state = SessionState::new(opened.path, session);
    state.read_only = read_only;
    state.lock = lock;
    state.dirty = dirty;
    state
}

pub fn open_session(catalogs: &Catalogs, path: &Path) -> Result<SessionState> {
    let opened = OpenSession::open(path, catalogs).map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(state_of(opened))
}

/// A fresh copy of the demo in the data directory, so it can be edited
/// and saved like any session; every `demo` starts over.
pub fn open_demo(catalogs: &Catalogs) -> Result<SessionState> {
    let dir = config::data_dir()
        .map(|d| d.join("demo"))
        .unwrap_or_else(|| std::env::temp_dir().join("stridekit-demo"));
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let path = dir.join(crate::DEMO_FILE_NAME);
    match store::SessionLock::acquire(&path) {
        Ok(lock) => {
            // The copy is rewritten by every `demo`, so it is not worth an
            // fsync; edits to it are saved (and synced) like any session's.
            let text = crate::DEMO_SESSION;
            crate::core::files::write_atomic_unsynced(&path, text.as_bytes())
                .with_context(|| format!("cannot write {}", path.display()))?;
            // Opened from the text just written, under the lock just taken.
            let loaded =
                store::load_text(&path, text, catalogs).map_err(|e| anyhow::anyhow!("{e}"))?;
            Ok(state_of(OpenSession {
                path,
                session: loaded.session,
                warnings: loaded.warnings,
                access: Access::ReadWrite(lock),
            }))
        }
        // Someone has the demo open: show theirs, read-only.
        Err(store::LockError::Held { .. }) => open_session(catalogs, &path),
        Err(e) => Err(e.into()),
    }
}

fn create_session(catalogs: &Catalogs, title: &str, template: Template) -> Result<SessionState> {
    let dir = PathBuf::from("sessions");
    let path = store::new_session_path(&dir, title);
    let session = Session::new(title, template, Timestamp::now());
    store::create(&path, &session)?;
    open_session(catalogs, &path)
}
