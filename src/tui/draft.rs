//! A form left open when stridekit stopped (a signal, a hang-up, a closed
//! terminal, `Ctrl-C`) whose text could not be saved as it was, say with a
//! required field empty. Its text goes beside the session as
//! `NAME.toml.draft.txt`: a short TOML file a person can read, which the
//! next open offers to put back into the same form.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::app::{self, App};
use super::context::{Purpose, Say};
use super::form::{Form, Value};
use super::overlays::picker::PickerOverlay;
use super::overlays::{Overlay, Owner, Reply};
use super::picker::{PickItem, Picker};
use crate::core::files;
use crate::core::model::Phase;
use crate::core::text::{one_line, strip_controls};
use crate::core::time::Timestamp;

const PUT_BACK: &str = "put-back";
const LEAVE: &str = "leave";
const DELETE: &str = "delete";

/// What a draft file holds.
#[derive(Debug, Serialize, Deserialize)]
pub struct Draft {
    /// The form's title, to say which form it was.
    pub form: String,
    /// The phase whose screen opened the form.
    pub phase: Option<Phase>,
    /// What the form was for, as its screen wrote it; without one the
    /// text can only be read from the file.
    pub purpose: Option<toml::Value>,
    #[serde(default)]
    pub fields: Vec<KeptField>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct KeptField {
    pub label: String,
    pub key: String,
    pub value: toml::Value,
}

/// `NAME.toml.draft.txt`, then `NAME.toml.draft.2.txt` and so on: a new
/// draft never replaces one not yet dealt with.
fn numbered(session: &Path, n: usize) -> PathBuf {
    if n <= 1 {
        files::with_suffix(session, ".draft.txt")
    } else {
        files::with_suffix(session, &format!(".draft.{n}.txt"))
    }
}

/// Drafts are looked for among the first few names only.
const MOST_DRAFTS: usize = 100;

/// The files of draft names beside `session`, oldest first.
fn candidates(session: &Path) -> impl Iterator<Item = PathBuf> + '_ {
    (1..=MOST_DRAFTS)
        .map(|n| numbered(session, n))
        .filter(|p| std::fs::symlink_metadata(p).is_ok_and(|m| m.is_file()))
}

/// The oldest draft kept for `session` that reads as one (a hand-made
/// file of a draft's name does not hide the drafts after it), else the
/// first file of such a name.
pub fn existing(session: &Path) -> Option<PathBuf> {
    candidates(session)
        .find(|p| read(p).is_some())
        .or_else(|| candidates(session).next())
}

fn free_name(session: &Path) -> PathBuf {
    (1..=MOST_DRAFTS)
        .map(|n| numbered(session, n))
        .find(|p| std::fs::symlink_metadata(p).is_err())
        .unwrap_or_else(|| numbered(session, MOST_DRAFTS + 1))
}

fn value_to_toml(value: Value) -> Option<toml::Value> {
    match value {
        Value::Text(t) if !t.trim().is_empty() => Some(toml::Value::String(t)),
        Value::Number(Some(n)) => Some(toml::Value::Integer(n.into())),
        Value::Key(Some(k)) => Some(toml::Value::String(k)),
        Value::Keys(keys) if !keys.is_empty() => Some(toml::Value::Array(
            keys.into_iter().map(toml::Value::String).collect(),
        )),
        _ => None,
    }
}

/// `kept` read as the kind of value `like` is (the field as built now).
fn value_from_toml(kept: &toml::Value, like: &Value) -> Option<Value> {
    let text = |v: &toml::Value| v.as_str().map(|s| strip_controls(s).into_owned());
    Some(match like {
        Value::Text(_) => Value::Text(text(kept)?),
        Value::Number(_) => Value::Number(Some(u32::try_from(kept.as_integer()?).ok()?)),
        Value::Key(_) => Value::Key(Some(text(kept)?)),
        Value::Keys(_) => Value::Keys(kept.as_array()?.iter().filter_map(text).collect()),
    })
}

/// Writes `form` beside the session; returns where.
pub fn keep(session: &Path, form: &Form, owner: Owner, purpose: &Purpose) -> Option<PathBuf> {
    let draft = Draft {
        form: form.title.clone(),
        phase: match owner {
            Owner::Phase(p) => Some(p),
            _ => None,
        },
        purpose: purpose.kept().cloned(),
        fields: form
            .fields
            .iter()
            .filter_map(|f| {
                Some(KeptField {
                    label: f.label.to_string(),
                    key: f.key.to_string(),
                    value: value_to_toml(f.value())?,
                })
            })
            .collect(),
    };
    let body = toml::to_string(&draft).ok()?;
    let text = format!(
        "# Text from the form \"{}\", left open when stridekit stopped on {}.\n\
         # The next `stridekit open` of the session offers to put it back into the form.\n\n{body}",
        one_line(&form.title),
        Timestamp::now().human()
    );
    let path = free_name(session);
    match files::write_atomic(&path, text.as_bytes(), false) {
        Ok(()) => Some(path),
        // Nowhere beside the session (its folder is gone): kept anyway.
        Err(_) => crate::core::store::rescue(session, ".draft.txt", text.as_bytes()).ok(),
    }
}

/// Reads a draft file; `None` if it is not one (a hand-made file of that
/// name is left alone).
pub fn read(path: &Path) -> Option<Draft> {
    let text = files::read_text(path).ok()?;
    toml::from_str(&text).ok()
}

/// A session's file name, safe to show.
pub(crate) fn shown_name(path: &Path) -> String {
    path.file_name()
        .map(|n| one_line(&n.to_string_lossy()).into_owned())
        .unwrap_or_default()
}

/// After a session opens for editing: the oldest draft, if one is kept,
/// with the choice of what to do with it.
pub fn offer(app: &mut App) {
    let Some(state) = app.session() else {
        return;
    };
    if state.doc.read_only().is_some() {
        return;
    }
    let Some(path) = existing(&state.path) else {
        return;
    };
    let name = shown_name(&path);
    let Some(draft) = read(&path) else {
        app.warn(format!(
            "{name} is beside the session but is not a draft stridekit can read; it is left as it is"
        ));
        return;
    };
    let form = one_line(&draft.form).into_owned();
    let mut items = Vec::new();
    if draft.purpose.is_some() && draft.phase.is_some() {
        items.push(PickItem::new(
            PUT_BACK,
            "Put it back into the form",
            "the form opens with what was typed".to_string(),
        ));
    }
    items.push(PickItem::new(
        LEAVE,
        "Leave it for now",
        format!("kept in {name}; asked again next time"),
    ));
    items.push(PickItem::new(
        DELETE,
        "Delete it",
        format!("{name} is removed"),
    ));
    let picker = Picker::single(&format!("A form was left open: {form}"), items, None, false);
    app.warn(format!(
        "Kept from when stridekit last stopped: text typed into \"{form}\" ({name})"
    ));
    app.overlays.push(Overlay::Picker(PickerOverlay {
        picker,
        reply: Reply::Owner(Owner::Draft, Purpose::new(path)),
    }));
}

/// The user's choice for the draft at `path`.
pub fn picked(app: &mut App, purpose: &Purpose, keys: &[String]) {
    let Some(path) = purpose.get::<PathBuf>().cloned() else {
        return;
    };
    let name = shown_name(&path);
    match keys.first().map(String::as_str) {
        Some(PUT_BACK) => put_back(app, &path),
        Some(DELETE) => match std::fs::remove_file(&path) {
            Ok(()) => app.info(format!("Deleted {name}")),
            Err(e) => app.error(format!("Cannot delete {name}: {e}")),
        },
        _ => app.info(format!("The draft stays in {name}")),
    }
}

fn put_back(app: &mut App, path: &Path) {
    let name = shown_name(path);
    let (Some(draft), true) = (read(path), app.session().is_some()) else {
        return;
    };
    let (Some(phase), Some(purpose)) = (draft.phase, &draft.purpose) else {
        return;
    };
    let before = app.overlays.len();
    if !app::reopen_form(app, phase, purpose) {
        app.warn(format!(
            "The form cannot be opened again (what it was about is gone); the text stays in {name}"
        ));
        return;
    }
    if app.overlays.len() <= before {
        return;
    }
    let Some(Overlay::Form(open)) = app.overlays.last_mut() else {
        return;
    };
    let mut missed = Vec::new();
    for field in &draft.fields {
        let like = open.form.value(&field.key);
        let taken =
            value_from_toml(&field.value, &like).is_some_and(|v| open.form.put_back(&field.key, v));
        if !taken {
            missed.push(one_line(&field.label).into_owned());
        }
    }
    // The text is in the form now (should stridekit stop again, the form
    // is kept again); a field that did not take its text keeps the file.
    let removed = missed.is_empty() && std::fs::remove_file(path).is_ok();
    let mut message = format!("Put back into \"{}\"", one_line(&draft.form));
    if !missed.is_empty() {
        message.push_str(&format!("; not taken: {} (see {name})", missed.join(", ")));
    } else if !removed {
        message.push_str(&format!("; {name} could not be removed"));
    }
    app.info(message);
}
