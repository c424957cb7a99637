//! The session file changed on disk under an open session (a `git pull`,
//! an edit by hand): saving stops, and the user chooses which version
//! wins. Nothing is lost either way: the other version is kept beside the
//! file, as `NAME.toml.mine` or `NAME.toml.theirs`.

use std::path::{Path, PathBuf};

use super::app::{App, Screen};
use super::context::{Purpose, Say};
use super::document::Document;
use super::overlays::picker::PickerOverlay;
use super::overlays::{Overlay, Owner, Reply};
use super::picker::{PickItem, Picker};
use crate::core::files;
use crate::core::store::{self, DiskStamp};
use crate::core::text::one_line;

const RELOAD: &str = "reload";
const KEEP: &str = "keep";

use crate::core::text::shown_path as shown;

/// `NAME.toml.SUFFIX`, or `NAME.toml.SUFFIX.2` and so on when taken, so an
/// earlier kept version is never written over.
fn beside(path: &Path, suffix: &str) -> PathBuf {
    let base = files::with_suffix(path, &format!(".{suffix}"));
    let mut candidate = base.clone();
    let mut n = 2;
    while std::fs::symlink_metadata(&candidate).is_ok() {
        candidate = files::with_suffix(&base, &format!(".{n}"));
        n += 1;
    }
    candidate
}

/// Looks at the file now and then: a change found marks the conflict and
/// asks. The question comes back while it is unanswered.
pub fn check(app: &mut App) {
    let Screen::Session(state) = &mut app.screen else {
        return;
    };
    if state.doc.read_only().is_some() {
        // Nothing of ours to save: the holder's saves are no conflict,
        // they are what a viewer wants to see.
        follow(app);
        return;
    }
    if !state.conflict {
        let Some(known) = &state.disk else {
            return;
        };
        match known.changed(&state.path) {
            Ok(Some(_)) => state.conflict = true,
            _ => return,
        }
    }
    if app.overlays.is_empty() {
        ask(app);
    }
}

/// A read-only viewer shows the file as it is now: each save by the
/// holder (or a `git pull`) is read again, and the end of the holder's
/// edit is said, since opening again would then allow editing.
fn follow(app: &mut App) {
    let catalogs = app.catalogs.clone();
    let Screen::Session(state) = &mut app.screen else {
        return;
    };
    let path = state.path.clone();
    let held = matches!(
        state.doc.read_only_reason(),
        Some(store::ReadOnly::HeldBy(_))
    );
    if held && !state.holder_left && std::fs::symlink_metadata(store::lock_path(&path)).is_err() {
        state.holder_left = true;
        app.info(format!(
            "{} is no longer open elsewhere: open it again to edit it",
            file_name(&path)
        ));
        return;
    }
    let Some(known) = &state.disk else {
        return;
    };
    let Ok(Some(bytes)) = known.changed(&path) else {
        return;
    };
    if bytes.is_empty() {
        // Gone, or being replaced: looked at again at the next check.
        return;
    }
    let stamp = DiskStamp::of(&path, &bytes);
    let loaded = files::text_from_bytes(&path, bytes)
        .and_then(|text| store::load_text(&path, &text, &catalogs));
    match loaded {
        Ok(loaded) => {
            let why = state.doc.read_only_reason().cloned();
            state.doc = Document::new(loaded.session, None);
            state.doc.set_read_only(why);
            state.disk = Some(stamp);
            app.info(format!(
                "{} changed on disk: showing it as it is now",
                file_name(&path)
            ));
            super::app::clamp_screens(app);
        }
        Err(_) => {
            // Half-written by hand, say: keep showing the last good
            // version, and do not ask again until it changes once more.
            state.disk = Some(stamp);
            app.warn(format!(
                "{} changed on disk and is not a valid session now: showing it as it was",
                file_name(&path)
            ));
        }
    }
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| one_line(&n.to_string_lossy()).into_owned())
        .unwrap_or_default()
}

/// The choice, over whatever is on screen.
pub fn ask(app: &mut App) {
    let Some(state) = app.session() else {
        return;
    };
    let name = state
        .path
        .file_name()
        .map(|n| one_line(&n.to_string_lossy()).into_owned())
        .unwrap_or_default();
    let already = app.overlays.iter().any(
        |o| matches!(o, Overlay::Picker(p) if matches!(p.reply, Reply::Owner(Owner::Conflict, _))),
    );
    app.error(format!(
        "{name} changed on disk since it was opened: saving has stopped until you choose a version"
    ));
    if already {
        return;
    }
    let items = vec![
        PickItem::new(
            RELOAD,
            "Reload it from disk",
            format!("yours is kept beside it as {name}.mine"),
        ),
        PickItem::new(
            KEEP,
            "Keep yours and save it",
            format!("the disk's is kept beside it as {name}.theirs"),
        ),
    ];
    let picker = Picker::single(&format!("{name} changed on disk"), items, None, false);
    app.overlays.push(Overlay::Picker(PickerOverlay {
        picker,
        reply: Reply::Owner(Owner::Conflict, Purpose::new(())),
    }));
}

/// The user's choice.
pub fn picked(app: &mut App, keys: &[String]) {
    match keys.first().map(String::as_str) {
        Some(RELOAD) => reload(app),
        Some(KEEP) => keep_mine(app),
        _ => {}
    }
}

/// Ours goes beside the file; the file's content becomes the session.
fn reload(app: &mut App) {
    let catalogs = app.catalogs.clone();
    let Screen::Session(state) = &mut app.screen else {
        return;
    };
    let path = state.path.clone();
    let text = match files::read_text(&path) {
        Ok(text) => text,
        Err(e) => {
            let message = format!("Cannot reload: {e}; yours is kept in memory");
            app.error(message);
            return;
        }
    };
    let loaded = match store::load_text(&path, &text, &catalogs) {
        Ok(loaded) => loaded,
        Err(e) => {
            let first = e
                .diagnostics()
                .first()
                .map_or(e.to_string(), ToString::to_string);
            app.error(format!(
                "Cannot reload: the file on disk is not a valid session ({}); choose again",
                one_line(&first)
            ));
            return;
        }
    };
    let mine = beside(&path, "mine");
    let ours = match store::to_toml(state.doc.session()) {
        Ok(t) => t,
        Err(e) => {
            app.error(format!("Cannot keep yours: {e}"));
            return;
        }
    };
    if let Err(e) = files::write_atomic(&mine, ours.as_bytes(), false) {
        app.error(format!(
            "Cannot keep yours as {}: {e}; nothing reloaded",
            shown(&mine)
        ));
        return;
    }
    state.doc = Document::new(loaded.session, None);
    state.disk = Some(DiskStamp::of(&path, text.as_bytes()));
    state.conflict = false;
    state.save_error = None;
    app.success(format!(
        "Reloaded from disk; your version is kept as {}",
        shown(&mine)
    ));
    super::app::clamp_screens(app);
}

/// The file's content goes beside it; ours is saved over it next.
fn keep_mine(app: &mut App) {
    let Screen::Session(state) = &mut app.screen else {
        return;
    };
    let path = state.path.clone();
    let theirs = beside(&path, "theirs");
    let bytes = std::fs::read(&path).unwrap_or_default();
    if !bytes.is_empty()
        && let Err(e) = files::write_atomic(&theirs, &bytes, false)
    {
        app.error(format!(
            "Cannot keep the disk's version as {}: {e}; nothing written",
            shown(&theirs)
        ));
        return;
    }
    // A file deleted under us has no version to protect: the next save
    // writes it anew (a stamp of "no file" would count as a change forever).
    state.disk = std::fs::symlink_metadata(&path)
        .is_ok()
        .then(|| DiskStamp::of(&path, &bytes));
    state.conflict = false;
    state.doc.touch();
    app.success(format!(
        "Keeping yours; the version on disk is kept as {}",
        shown(&theirs)
    ));
}

/// At exit with the choice unmade: ours is written beside the file, never
/// over it. Returns where, if anything was kept.
pub fn keep_aside(app: &mut App) -> Option<PathBuf> {
    let Screen::Session(state) = &mut app.screen else {
        return None;
    };
    if !state.conflict || !state.is_dirty() {
        return None;
    }
    let mine = beside(&state.path, "mine");
    let text = store::to_toml(state.doc.session()).ok()?;
    match files::write_atomic(&mine, text.as_bytes(), true) {
        Ok(()) => Some(mine),
        // Its folder is gone (renamed, deleted): kept where it can be.
        Err(_) => store::rescue(&state.path, ".mine", text.as_bytes()).ok(),
    }
}
