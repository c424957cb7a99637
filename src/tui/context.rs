//! What a screen gets to work with: a read-only [`View`] to draw and to
//! say what it offers, and a narrow [`Ctx`] to act in. Neither is the
//! whole app: the session changes only through [`Ctx::edit`], overlays are
//! requested, not pushed, and the outside world is reached by effects.

use std::any::Any;
use std::fmt;
use std::ops::{Deref, DerefMut};
use std::path::PathBuf;
use std::rc::Rc;

use super::document::Document;
use super::form::Form;
use super::picker::Picker;
use super::style::Styles;
use crate::core::catalog::Catalogs;
use crate::core::ids::Id;
use crate::core::model::{Session, Template};
use crate::core::time::Timestamp;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusKind {
    Info,
    Success,
    Warning,
    Error,
}

/// The message on the bottom line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    pub kind: StatusKind,
    pub text: String,
}

/// Saying something on the status line: the app and what it lends to
/// screens speak alike.
pub trait Say {
    fn status_slot(&mut self) -> &mut Option<Status>;

    fn say(&mut self, kind: StatusKind, text: impl Into<String>) {
        *self.status_slot() = Some(Status {
            kind,
            text: text.into(),
        });
    }

    fn info(&mut self, text: impl Into<String>) {
        self.say(StatusKind::Info, text);
    }

    fn success(&mut self, text: impl Into<String>) {
        self.say(StatusKind::Success, text);
    }

    fn warn(&mut self, text: impl Into<String>) {
        self.say(StatusKind::Warning, text);
    }

    fn error(&mut self, text: impl Into<String>) {
        self.say(StatusKind::Error, text);
    }
}

/// Work for the event loop, which owns files and the terminal.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    OpenSession(PathBuf),
    CreateSession {
        title: String,
        template: Template,
        /// Added as the first participant, and made facilitator.
        facilitator: Option<String>,
    },
    OpenDemo,
    RefreshHome,
    /// Write an export (asking first if the file exists).
    Export(super::export::Export),
    /// Start sharing the open session, on `addr` or the default address.
    Share {
        addr: Option<String>,
    },
}

/// Whether a key does something here, now: the hint bar and `?` show
/// only what is enabled, and a disabled key says why instead of acting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Offer {
    Enabled,
    /// Shown in help as unavailable; pressing it shows the reason.
    Disabled(String),
    /// Means nothing here.
    Hidden,
}

impl Offer {
    pub fn is_enabled(&self) -> bool {
        *self == Offer::Enabled
    }

    /// Enabled when `condition` holds, otherwise disabled with `why`.
    pub fn when(condition: bool, why: impl Into<String>) -> Offer {
        if condition {
            Offer::Enabled
        } else {
            Offer::Disabled(why.into())
        }
    }
}

/// What an overlay's result is for, known only to whoever opened it (a
/// screen's own type: which pane, which item).
#[derive(Clone)]
pub struct Purpose {
    value: Rc<dyn Any>,
    /// The purpose written out, for a form that can be put back after
    /// stridekit stopped with it open (see `tui::draft`).
    kept: Option<Rc<toml::Value>>,
}

impl Purpose {
    pub fn new<T: Any>(value: T) -> Purpose {
        Purpose {
            value: Rc::new(value),
            kept: None,
        }
    }

    /// A purpose its owner can read back from a draft file
    /// ([`PhaseScreen::reopen`](super::screens::PhaseScreen::reopen)).
    pub fn keepable<T: Any + serde::Serialize>(value: T) -> Purpose {
        let kept = toml::Value::try_from(&value).ok().map(Rc::new);
        Purpose {
            value: Rc::new(value),
            kept,
        }
    }

    pub fn get<T: Any>(&self) -> Option<&T> {
        self.value.downcast_ref()
    }

    pub fn kept(&self) -> Option<&toml::Value> {
        self.kept.as_deref()
    }
}

impl fmt::Debug for Purpose {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Purpose(..)")
    }
}

/// An overlay a screen asked for; its result comes back to that screen
/// with the purpose.
#[derive(Debug)]
pub enum Request {
    Form(Form, Purpose),
    Picker(Picker, Purpose),
    Confirm(String, Purpose),
    /// A list of problems (a file that will not open), to read and close.
    Problems {
        title: String,
        lines: Vec<String>,
    },
}

/// What a screen reads to draw itself and to say what it offers.
pub struct View<'a> {
    pub session: &'a Session,
    /// Who holds the edit lock, when read-only.
    pub read_only: Option<&'a str>,
    pub catalogs: &'a Catalogs,
    pub styles: &'a Styles,
    pub now: Timestamp,
    /// The document's change counter: what a screen caches from the
    /// session is good while this stays the same.
    pub changes: u64,
    /// Participants taking part from their own device (see `tui::share`).
    pub remote: &'a [Id],
}

impl View<'_> {
    /// Editing keys: enabled unless the session is read-only.
    pub fn editable(&self) -> Offer {
        match self.read_only {
            Some(refusal) => Offer::Disabled(refusal.to_string()),
            None => Offer::Enabled,
        }
    }
}

/// Everything but the session: messages, overlays to open, effects.
pub struct Shell<'a> {
    pub catalogs: &'a Catalogs,
    pub now: Timestamp,
    /// Rows PgUp/PgDn move at the current terminal height.
    pub page: usize,
    /// As [`View::remote`].
    pub remote: &'a [Id],
    status: &'a mut Option<Status>,
    effects: &'a mut Vec<Effect>,
    requests: &'a mut Vec<Request>,
}

impl<'a> Shell<'a> {
    /// For the app, which lends out its parts.
    pub(super) fn new(
        catalogs: &'a Catalogs,
        now: Timestamp,
        page: usize,
        remote: &'a [Id],
        status: &'a mut Option<Status>,
        effects: &'a mut Vec<Effect>,
        requests: &'a mut Vec<Request>,
    ) -> Shell<'a> {
        Shell {
            catalogs,
            now,
            page,
            remote,
            status,
            effects,
            requests,
        }
    }
}

impl Say for Shell<'_> {
    fn status_slot(&mut self) -> &mut Option<Status> {
        self.status
    }
}

impl Shell<'_> {
    pub fn effect(&mut self, effect: Effect) {
        self.effects.push(effect);
    }

    /// Opens `form`; saving it calls the screen's `submit` with `purpose`.
    pub fn open_form(&mut self, form: Form, purpose: Purpose) {
        self.requests.push(Request::Form(form, purpose));
    }

    /// Opens `picker`; the choice goes to the screen's `picked`.
    pub fn open_picker(&mut self, picker: Picker, purpose: Purpose) {
        self.requests.push(Request::Picker(picker, purpose));
    }

    /// Shows `lines` (problems found in a file) in a scrollable overlay.
    pub fn show_problems(&mut self, title: impl Into<String>, lines: Vec<String>) {
        self.requests.push(Request::Problems {
            title: title.into(),
            lines,
        });
    }

    /// Asks `question`; yes calls the screen's `confirmed`.
    pub fn confirm(&mut self, question: impl Into<String>, purpose: Purpose) {
        self.requests
            .push(Request::Confirm(question.into(), purpose));
    }
}

/// What a phase screen acts through: the shell, and the session behind
/// the edit funnel.
pub struct Ctx<'a> {
    shell: Shell<'a>,
    doc: &'a mut Document,
}

impl<'a> Ctx<'a> {
    pub(super) fn new(shell: Shell<'a>, doc: &'a mut Document) -> Ctx<'a> {
        Ctx { shell, doc }
    }
}

impl Ctx<'_> {
    pub fn session(&self) -> &Session {
        self.doc.session()
    }

    pub fn read_only(&self) -> Option<&str> {
        self.doc.read_only()
    }

    /// The document's change counter (see [`View::changes`]).
    pub fn changes(&self) -> u64 {
        self.doc.changes()
    }

    /// Changes the session, with an undo step named `what` and an
    /// autosave. When read-only, says why on the status line and returns
    /// `None`.
    pub fn edit<R>(
        &mut self,
        what: impl Into<String>,
        change: impl FnOnce(&mut Session) -> R,
    ) -> Option<R> {
        match self.doc.edit(what, change) {
            Ok(r) => Some(r),
            Err(refusal) => {
                self.shell.warn(refusal);
                None
            }
        }
    }
}

impl<'a> Deref for Ctx<'a> {
    type Target = Shell<'a>;

    fn deref(&self) -> &Shell<'a> {
        &self.shell
    }
}

impl DerefMut for Ctx<'_> {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.shell
    }
}
