//! The workshop TUI, on top of the core.
//!
//! Keys become [`action::Action`]s through the [`keymap`]; [`app::update`]
//! changes the state; [`view::draw`] renders it. This module owns the
//! impure parts: the terminal, the event loop, file effects and autosave.
//!
//! The loop takes every event that is waiting, applies them all, then
//! saves once and draws once: a paste or a fast typist's burst of a
//! hundred keys costs one save and one frame. Saves run on a writer
//! thread, so typing never waits for the disk.

pub mod action;
pub mod app;
pub mod conflict;
pub mod context;
pub mod document;
pub mod draft;
pub mod export;
pub mod form;
pub mod join;
pub mod keymap;
pub mod overlays;
pub mod picker;
pub mod screens;
pub mod share;
pub mod style;
pub mod terminal;
pub mod view;
pub mod widgets;

use std::io::{IsTerminal as _, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result};
use ratatui::crossterm::event::{self, Event};

use self::action::Action;
use self::app::{App, Screen, SessionState};
use self::context::{Effect, Say};
use self::screens::home::HomeScreen;
use crate::core::catalog::Catalogs;
use crate::core::discovery;
use crate::core::export::ExportContext;
use crate::core::files;
use crate::core::model::{Participant, Session, Template};
use crate::core::store::{self, Access, OpenSession};
use crate::core::text::one_line;
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
    /// Jira export defaults from the config file.
    pub jira: crate::core::model::JiraSettings,
    /// Share the opened session at once, on this address.
    pub share: Option<String>,
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
    app.jira_defaults = options.jira.clone();
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
    if let Some(addr) = &options.share {
        app.effects.push(Effect::Share {
            addr: Some(addr.clone()),
        });
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
    let (events, wake) = input_events();
    let mut saver = Saver::new(Some(wake));
    let result = event_loop(
        &mut guard.terminal,
        &mut app,
        &termination,
        &events,
        &mut saver,
    );
    let saved = finish(&mut app, &mut saver);
    drop(guard);
    result.and(saved)
}

/// What wakes the event loop.
pub enum Wake {
    Input(std::io::Result<Event>),
    /// A save finished on the writer thread.
    Saved,
    /// A participant's device asks something (see [`share`]).
    Share(crate::share::Inbound),
}

/// How often the open session's file is looked at for a change on disk.
const DISK_CHECK_EVERY: Duration = Duration::from_secs(2);

fn event_loop(
    terminal: &mut terminal::Term,
    app: &mut App,
    termination: &AtomicBool,
    events: &Receiver<Wake>,
    saver: &mut Saver,
) -> Result<()> {
    let size = terminal.size()?;
    app.size = (size.width, size.height);
    app.now = Timestamp::now();
    let mut redraw = true;
    let mut next_tick = Instant::now() + Duration::from_secs(1);
    let mut next_disk_check = Instant::now() + DISK_CHECK_EVERY;
    loop {
        perform_effects(app, saver);
        // Participants see each change and each move of the facilitator.
        redraw |= share::publish_spaced(app, share::PUBLISH_SPACING);
        saver.start(app);
        if app.quit || termination.load(Ordering::Relaxed) || terminal_gone() {
            return Ok(());
        }
        if redraw {
            terminal.draw(|frame| view::draw(frame, app))?;
            redraw = false;
            #[cfg(debug_assertions)]
            panic_if_asked();
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
        // While sharing, a change held back by the publish spacing goes
        // out on the next wake.
        let timeout = if app.session().is_some_and(|s| s.sharing.is_some()) {
            timeout.min(share::PUBLISH_SPACING)
        } else {
            timeout
        };
        let first = match events.recv_timeout(timeout) {
            Ok(wake) => Some(wake),
            Err(mpsc::RecvTimeoutError::Timeout) => None,
            Err(mpsc::RecvTimeoutError::Disconnected) => return Ok(()),
        };
        // Everything already waiting is applied before the next save and
        // the next frame.
        for wake in first
            .into_iter()
            .chain(std::iter::from_fn(|| events.try_recv().ok()))
        {
            match wake {
                Wake::Input(Ok(event)) => redraw |= apply_event(app, &event, saver),
                Wake::Input(Err(e)) => return Err(e.into()),
                Wake::Saved => redraw = true,
                Wake::Share(inbound) => {
                    share::inbound(app, inbound, Timestamp::now());
                    redraw = true;
                }
            }
            if app.quit {
                break;
            }
        }
        redraw |= saver.poll(app);
        if Instant::now() >= next_disk_check {
            // A change on disk is noticed between saves too.
            // What it finds is said (a question, a message, a viewer's
            // copy read again): any of those needs a frame.
            let before = (app.overlays.len(), app.status.clone());
            conflict::check(app);
            redraw |= (app.overlays.len(), app.status.clone()) != before;
            next_disk_check = Instant::now() + DISK_CHECK_EVERY;
        }
        if app.needs_tick() && Instant::now() >= next_tick {
            app::update(app, Action::Tick, Timestamp::now());
            next_tick = Instant::now() + Duration::from_secs(1);
            redraw = true;
        }
    }
}

/// Applies one terminal event: its action, then at once any files it
/// asked to open (so the keys after it reach the screen it opened).
/// Returns whether the screen needs drawing again.
pub fn apply_event(app: &mut App, event: &Event, saver: &mut Saver) -> bool {
    let Some(action) = app::action_for(app, event) else {
        return false;
    };
    app::update(app, action, Timestamp::now());
    if !app.effects.is_empty() {
        perform_effects(app, saver);
    }
    true
}

/// Terminal events, read on a thread of their own. Once the terminal is
/// closed, crossterm's reader loops forever on the end of its input
/// (crossterm-rs/crossterm#793) and never returns, not even from a poll
/// with a timeout; here it only spins in that thread until the process
/// exits, and the event loop stays free to notice and save. The sender is
/// shared with the writer thread, whose saves wake the loop too.
fn input_events() -> (Receiver<Wake>, Sender<Wake>) {
    let (sender, receiver) = mpsc::channel();
    let input = sender.clone();
    std::thread::spawn(move || {
        loop {
            let result = event::read();
            let failed = result.is_err();
            if input.send(Wake::Input(result)).is_err() || failed {
                return;
            }
        }
    });
    (receiver, sender)
}

/// Whether the controlling terminal has gone away: once the other end of
/// the pseudo-terminal is closed, stdin no longer answers as one. SIGHUP
/// usually says so too, but not when the shell ignores or keeps it.
fn terminal_gone() -> bool {
    !std::io::stdin().is_terminal()
}

/// Debug builds only (the release binary has no such switch): the
/// end-to-end tests check that a panic gives the terminal back.
#[cfg(debug_assertions)]
fn panic_if_asked() {
    if std::env::var_os("STRIDEKIT_TEST_PANIC").is_some() {
        panic!("STRIDEKIT_TEST_PANIC is set");
    }
}

/// The last save, with the clock stopped. Errors are returned so they
/// can be printed once the terminal is back to normal.
fn finish(app: &mut App, saver: &mut Saver) -> Result<()> {
    saver.wait(app);
    let draft = keep_what_is_typed(app);
    let now = Timestamp::now();
    app::leave_session(app, now);
    autosave(app);
    if let Some(draft) = draft {
        eprintln!(
            "stridekit: a form was open with text that could not be saved as it was; it is kept in {}",
            one_line(&draft.display().to_string())
        );
    }
    if let Some(mine) = conflict::keep_aside(app) {
        return Err(anyhow::anyhow!(
            "the session changed on disk and you did not choose a version: yours is kept as {}, the file is as the other program left it",
            one_line(&mine.display().to_string())
        ));
    }
    match app.session() {
        Some(s) if s.is_dirty() => {
            let why = unsaved_because(s);
            // Nothing is lost: the session goes where it can be written.
            let kept = store::to_toml(s.session())
                .ok()
                .and_then(|text| store::rescue(&s.path, ".unsaved.toml", text.as_bytes()).ok());
            let path = one_line(&s.path.display().to_string()).into_owned();
            Err(match kept {
                Some(kept) => anyhow::anyhow!(
                    "the last changes to {path} could not be saved ({why}); the whole session is kept in {}",
                    one_line(&kept.display().to_string())
                ),
                None => anyhow::anyhow!(
                    "the last changes to {path} could not be saved ({why}), nor kept anywhere else"
                ),
            })
        }
        _ => Ok(()),
    }
}

/// Why an open session has changes not on disk.
fn unsaved_because(s: &SessionState) -> String {
    match (&s.save_error, s.conflict) {
        (Some(e), _) => e.clone(),
        (None, true) => "the file changed or went away on disk".to_string(),
        (None, false) => "saving did not finish".to_string(),
    }
}

/// What is typed at exit (a signal, a hang-up, a closed terminal,
/// `Ctrl-C`): a quick-capture title goes in as Enter would put it; a form
/// left open with changes is submitted when it is valid, so what was typed
/// is saved with the session, otherwise its text is kept beside the session
/// as `NAME.toml.draft.txt`, which the next open offers to put back.
/// Returns the draft's path when one was written.
pub fn keep_what_is_typed(app: &mut App) -> Option<PathBuf> {
    app::keep_typed(app);
    let at = app
        .overlays
        .iter()
        .rposition(|o| matches!(o, overlays::Overlay::Form(_)))?;
    // A picker or question over the form goes: the form is what holds text.
    app.overlays.truncate(at + 1);
    let overlays::Overlay::Form(open) = app.overlays.last()? else {
        return None;
    };
    if !open.form.changed() {
        return None;
    }
    let (form, owner, purpose) = (open.form.clone(), open.owner, open.purpose.clone());
    if form.clone().check() {
        app::update(app, Action::Submit, Timestamp::now());
        let still_open = app
            .overlays
            .iter()
            .any(|o| matches!(o, overlays::Overlay::Form(f) if f.form.title == form.title));
        if !still_open {
            return None;
        }
    }
    let session_path = app.session()?.path.clone();
    draft::keep(&session_path, &form, owner, &purpose)
}

/// A save handed to the writer thread.
struct SaveJob {
    path: PathBuf,
    session: Session,
    changes: u64,
    stamped: Timestamp,
    /// The file as we last knew it: a save over a change is refused.
    known: Option<store::DiskStamp>,
}

/// A save the writer thread finished.
struct SaveDone {
    path: PathBuf,
    changes: u64,
    stamped: Timestamp,
    result: Result<Option<store::DiskStamp>, store::SaveError>,
}

/// A save with the check for a change on disk when the file is known.
fn save_job(
    path: &Path,
    session: &Session,
    known: Option<&store::DiskStamp>,
) -> Result<Option<store::DiskStamp>, store::SaveError> {
    match known {
        Some(known) => store::save_checked(path, session, known).map(Some),
        None => store::save(path, session).map(|()| None),
    }
}

/// Saves sessions on a thread of its own, one at a time, so that the
/// event loop never waits for the disk; a failed save is retried a
/// second later, keeping the work in memory meanwhile.
pub struct Saver {
    jobs: Sender<SaveJob>,
    done: Receiver<SaveDone>,
    in_flight: bool,
    retry_at: Option<Instant>,
    /// Saves started, for tests and benchmarks.
    pub started: usize,
    /// Wakes the event loop (the share server hands requests through it).
    wake: Option<Sender<Wake>>,
}

impl Saver {
    /// A writer thread; `wake` (if given) is told when a save finishes.
    pub fn new(wake: Option<Sender<Wake>>) -> Saver {
        let loop_wake = wake.clone();
        let (jobs, job_queue) = mpsc::channel::<SaveJob>();
        let (finished, done) = mpsc::channel();
        std::thread::spawn(move || {
            for job in job_queue {
                let result = save_job(&job.path, &job.session, job.known.as_ref());
                let report = SaveDone {
                    path: job.path,
                    changes: job.changes,
                    stamped: job.stamped,
                    result,
                };
                if finished.send(report).is_err() {
                    return;
                }
                if let Some(wake) = &wake {
                    let _ = wake.send(Wake::Saved);
                }
            }
        });
        Saver {
            jobs,
            done,
            in_flight: false,
            retry_at: None,
            started: 0,
            wake: loop_wake,
        }
    }

    /// Hands the session to the writer if it changed since the last save,
    /// none is under way and no failed save waits for its retry. Returns
    /// whether a save started.
    pub fn start(&mut self, app: &mut App) -> bool {
        if self.in_flight || self.retry_at.is_some_and(|t| Instant::now() < t) {
            return false;
        }
        let Some(state) = app.session_mut() else {
            return false;
        };
        if !state.is_dirty() {
            return false;
        }
        if state.conflict {
            // Nothing is written until the user says which version wins.
            return false;
        }
        let stamped = Timestamp::now();
        let changes = state.doc.changes();
        let session = state.doc.for_saving(stamped).clone();
        let job = SaveJob {
            path: state.path.clone(),
            session,
            changes,
            stamped,
            known: state.disk.clone(),
        };
        if self.jobs.send(job).is_err() {
            return false;
        }
        self.in_flight = true;
        self.started += 1;
        true
    }

    /// Takes in a finished save, if there is one. Returns whether the
    /// screen needs drawing again.
    pub fn poll(&mut self, app: &mut App) -> bool {
        match self.done.try_recv() {
            Ok(done) => {
                self.finished(app, done);
                true
            }
            Err(_) => false,
        }
    }

    /// Waits for the save under way, if any (before closing a session).
    pub fn wait(&mut self, app: &mut App) {
        if self.in_flight
            && let Ok(done) = self.done.recv()
        {
            self.finished(app, done);
        }
        self.in_flight = false;
    }

    fn finished(&mut self, app: &mut App, done: SaveDone) {
        self.in_flight = false;
        let Screen::Session(state) = &mut app.screen else {
            return;
        };
        if state.path != done.path {
            return;
        }
        match done.result {
            Ok(disk) => {
                self.retry_at = None;
                state.doc.saved(done.changes);
                state.last_saved = Some(done.stamped);
                if disk.is_some() {
                    state.disk = disk;
                }
                if state.save_error.take().is_some() {
                    app.success("Saved again; nothing was lost");
                }
            }
            Err(store::SaveError::ChangedOnDisk { .. }) => {
                state.conflict = true;
                conflict::ask(app);
            }
            Err(e) => {
                let message = e.to_string();
                self.retry_at = Some(Instant::now() + Duration::from_secs(1));
                if state.save_error.as_deref() != Some(message.as_str()) {
                    state.save_error = Some(message.clone());
                    app.error(format!(
                        "{message}; your work is kept and saving is retried"
                    ));
                }
            }
        }
    }
}

/// Saves the session now, on this thread, if it changed. A failure keeps
/// the work in memory and says so on the status line.
pub fn autosave(app: &mut App) {
    let Screen::Session(state) = &mut app.screen else {
        return;
    };
    if !state.is_dirty() {
        return;
    }
    if state.conflict {
        return;
    }
    let now = Timestamp::now();
    let changes = state.doc.changes();
    let known = state.disk.clone();
    match save_job(&state.path, state.doc.for_saving(now), known.as_ref()) {
        Ok(disk) => {
            state.doc.saved(changes);
            state.last_saved = Some(now);
            if disk.is_some() {
                state.disk = disk;
            }
            if state.save_error.take().is_some() {
                app.success("Saved again; nothing was lost");
            }
        }
        Err(store::SaveError::ChangedOnDisk { .. }) => {
            state.conflict = true;
            conflict::ask(app);
        }
        Err(e) => {
            let message = e.to_string();
            if state.save_error.as_deref() != Some(message.as_str()) {
                state.save_error = Some(message.clone());
                app.error(format!(
                    "{message}; your work is kept and saving is retried"
                ));
            }
        }
    }
}

fn perform_effects(app: &mut App, saver: &mut Saver) {
    let effects = std::mem::take(&mut app.effects);
    for effect in effects {
        match effect {
            Effect::OpenSession(path) => match open_session(&app.catalogs, &path) {
                Ok(state) => {
                    if close_session(app, saver) {
                        app.show_session(state);
                    }
                }
                Err(e) => show_open_error(app, &path, &e),
            },
            Effect::OpenDemo => match open_demo(&app.catalogs) {
                Ok(state) => {
                    if close_session(app, saver) {
                        app.show_session(state);
                    }
                }
                Err(e) => app.error(format!("{e:#}")),
            },
            Effect::CreateSession {
                title,
                template,
                facilitator,
            } => match create_session(&app.catalogs, &title, template, facilitator) {
                Ok(state) => {
                    if close_session(app, saver) {
                        app.show_session(state);
                    }
                }
                Err(e) => app.error(format!("{e:#}")),
            },
            Effect::Export(export) => write_export(app, export),
            Effect::Share { addr } => {
                let wake = saver.wake.clone();
                let deliver = move |inbound| {
                    wake.as_ref()
                        .is_some_and(|w| w.send(Wake::Share(inbound)).is_ok())
                };
                if let Err(e) = share::start(app, addr.as_deref(), deliver) {
                    // The overlay opened for it would only say "not sharing".
                    if matches!(app.overlays.last(), Some(overlays::Overlay::Share(_))) {
                        app.overlays.pop();
                    }
                    app.error(e);
                }
            }
            Effect::RefreshHome => {
                if !close_session(app, saver) {
                    continue;
                }
                let dirs = discovery::session_dirs();
                let sessions = discovery::scan(&dirs, &app.catalogs);
                let previous = match &mut app.screen {
                    Screen::Home(h) => std::mem::take(h),
                    Screen::Session(_) => HomeScreen::default(),
                };
                let mut home = HomeScreen::new(sessions, dirs);
                home.filter = previous.filter;
                home.cursor = previous.cursor.min(home.sessions.len().saturating_sub(1));
                app.screen = Screen::Home(home);
            }
        }
    }
}

/// Writes an export beside the session: never over the session itself,
/// never through a symbolic link, never over a file without asking, and
/// atomically, so a failed write leaves the old file whole.
fn write_export(app: &mut App, export: export::Export) {
    let Some(state) = app.session() else {
        return;
    };
    let shown = one_line(&export.path.display().to_string()).into_owned();
    match std::fs::symlink_metadata(&export.path) {
        Ok(meta) if meta.file_type().is_symlink() => {
            app.error(format!(
                "{shown} is a symbolic link; exports never write through one: choose another name"
            ));
            return;
        }
        Ok(meta) if meta.is_dir() => {
            app.error(format!("{shown} is a folder: name a file"));
            return;
        }
        Ok(_) if !export.overwrite => {
            export::ask_overwrite(app, export);
            return;
        }
        _ => {}
    }
    let mut session = state.session().clone();
    session.jira = export.jira.clone();
    let source_name = state
        .path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned());
    let ctx = ExportContext {
        session: &session,
        catalogs: &app.catalogs,
        jira_defaults: &app.jira_defaults,
        source_name: source_name.as_deref(),
    };
    let mut buffer = Vec::new();
    let written = crate::core::export::export(&ctx, export.format, &mut buffer).and_then(|()| {
        files::write_output(&export.path, &buffer, &[&state.path]).map_err(std::io::Error::other)
    });
    match written {
        Ok(()) => {
            let mut message = export::written_message(&session, &export, &app.jira_defaults);
            // Another tool's format may not hold everything: say so.
            if let crate::core::export::Format::Interop(to) = export.format {
                let notes = crate::core::interop::export(&session, to).notes;
                if let Some(first) = notes.first() {
                    message.push_str("; ");
                    message.push_str(&one_line(first));
                    if notes.len() > 1 {
                        message.push_str(&format!(
                            " (and {} more: `stridekit export` lists them)",
                            notes.len() - 1
                        ));
                    }
                }
            }
            app.success(message);
        }
        // The message names the file and the reason already.
        Err(e) => {
            let text = e.to_string();
            let mut chars = text.chars();
            let text = chars
                .next()
                .map_or(String::new(), |c| c.to_uppercase().chain(chars).collect());
            app.error(text);
        }
    }
}

/// A file that would not open: every problem in an overlay, the first on
/// the status line.
fn show_open_error(app: &mut App, path: &Path, error: &OpenFailure) {
    app.error(error.to_string());
    let lines = match error {
        OpenFailure::Invalid(diagnostics) => diagnostics.iter().map(ToString::to_string).collect(),
        OpenFailure::Other(message) => vec![message.clone()],
    };
    app.overlays.push(overlays::Overlay::Problems(
        overlays::problems::Problems::new(format!("{} cannot be opened", path.display()), lines),
    ));
}

/// Saves and closes the open session (releasing its lock). Returns false,
/// keeping it open, if it could not be saved.
fn close_session(app: &mut App, saver: &mut Saver) -> bool {
    if app.session().is_none() {
        return true;
    }
    saver.wait(app);
    app::leave_session(app, Timestamp::now());
    autosave(app);
    if let Some(s) = app.session().filter(|s| s.is_dirty()) {
        // The save error the status line showed is gone by now, so the
        // reason, and the ways out, are spelled out where they stay (the
        // box makes each line safe to show).
        let name = draft::shown_name(&s.path);
        let kept_in = store::recovered_dir().display().to_string();
        app.overlays.push(overlays::Overlay::Problems(
            overlays::problems::Problems::new(
                format!("{name} is not closed: it could not be saved"),
                vec![
                    unsaved_because(s),
                    if s.conflict {
                        "Nothing is lost: the session stays open here until you choose which version to keep."
                    } else {
                        "Nothing is lost: the session stays open here and saving is retried."
                    }
                    .into(),
                    format!(
                        "Ctrl-C quits anyway: your version is then kept beside the file, or where nothing can be written there, in {kept_in}."
                    ),
                ],
            )
            .with_footer("Once it is saved, q goes back to the home screen."),
        ));
        app.error("Not closed: the session could not be saved");
        return false;
    }
    let title = app
        .session()
        .map(|s| crate::core::text::one_line(&s.session().title).into_owned())
        .unwrap_or_default();
    app.screen = Screen::Home(HomeScreen::default());
    app.info(format!("Closed {title}; everything is saved"));
    true
}

/// Why a session would not open.
#[derive(Debug)]
pub enum OpenFailure {
    /// Every problem found in the file.
    Invalid(Vec<crate::core::diag::Diagnostic>),
    Other(String),
}

impl std::fmt::Display for OpenFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OpenFailure::Invalid(d) if d.len() == 1 => write!(f, "{}", d[0]),
            OpenFailure::Invalid(d) => match d.first() {
                Some(first) => write!(f, "{first} (and {} more)", d.len() - 1),
                None => f.write_str("the file is not a session"),
            },
            OpenFailure::Other(message) => f.write_str(message),
        }
    }
}

impl std::error::Error for OpenFailure {}

impl From<store::OpenError> for OpenFailure {
    fn from(e: store::OpenError) -> OpenFailure {
        match &e {
            store::OpenError::Load(load) if !load.diagnostics().is_empty() => {
                OpenFailure::Invalid(load.diagnostics().to_vec())
            }
            _ => OpenFailure::Other(e.to_string()),
        }
    }
}

fn state_of(opened: OpenSession) -> SessionState {
    let notice = opened
        .warnings
        .iter()
        .find(|w| w.message == store::COMMENTS_NOT_KEPT)
        .map(|w| format!("{} (line {})", w.message, w.line));
    let notice = match draft::existing(&opened.path) {
        // An editable session asks what to do with it (`draft::offer`).
        Some(draft) if matches!(opened.access, Access::ReadOnly(_)) => Some(format!(
            "text from a form left open last time is kept in {}",
            draft
                .file_name()
                .map(|n| one_line(&n.to_string_lossy()).into_owned())
                .unwrap_or_default()
        )),
        _ => notice,
    };
    let (read_only, lock) = match opened.access {
        Access::ReadWrite(lock) => (None, Some(lock)),
        Access::ReadOnly(why) => (Some(why), None),
    };
    let mut session = opened.session;
    let mut settled = false;
    if read_only.is_none() && timer::running_phase(&session).is_some() {
        // A clock left running by a crash: stop it as of the last save,
        // and record that in the file.
        timer::settle_after_load(&mut session);
        settled = true;
    }
    let mut state = SessionState::new(opened.path, session);
    state.doc.set_read_only(read_only);
    state.notice = notice;
    state.disk = opened.disk;
    if settled {
        state.doc.touch();
    }
    state.lock = lock;
    state
}

pub fn open_session(catalogs: &Catalogs, path: &Path) -> Result<SessionState, OpenFailure> {
    let opened = OpenSession::open(path, catalogs)?;
    Ok(state_of(opened))
}

/// A fresh copy of the demo in the data directory, so it can be edited
/// and saved like any session; every `demo` starts over.
pub fn open_demo(catalogs: &Catalogs) -> Result<SessionState> {
    let dir = crate::core::config::data_dir()
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
            let disk = Some(store::DiskStamp::of(&path, text.as_bytes()));
            Ok(state_of(OpenSession {
                path,
                session: loaded.session,
                warnings: loaded.warnings,
                access: Access::ReadWrite(lock),
                disk,
            }))
        }
        // Someone has the demo open: show theirs, read-only.
        Err(store::LockError::Held { .. }) => {
            open_session(catalogs, &path).map_err(|e| anyhow::anyhow!("{e}"))
        }
        Err(e) => Err(e.into()),
    }
}

fn create_session(
    catalogs: &Catalogs,
    title: &str,
    template: Template,
    facilitator: Option<String>,
) -> Result<SessionState> {
    let dir = PathBuf::from("sessions");
    let path = store::new_session_path(&dir, title);
    let mut session = Session::new(title, template, Timestamp::now());
    if let Some(name) = facilitator
        && let Some(id) = session.next_id(crate::core::ids::IdKind::Participant)
    {
        session.participants.push(Participant {
            id,
            name,
            persona: None,
        });
        session.facilitator = Some(id);
    }
    store::create(&path, &session)?;
    open_session(catalogs, &path).map_err(|e| anyhow::anyhow!("{e}"))
}
