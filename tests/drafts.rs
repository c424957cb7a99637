//! A form open when stridekit stops (issue 9, item 2): a valid one is
//! saved, an invalid one is kept as a draft beside the session that the
//! next open offers to put back into the same form; a quick-capture title
//! is entered. Nothing typed is lost, and no draft replaces another.

use std::fs;
use std::path::{Path, PathBuf};

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use stridekit::core::catalog::Catalogs;
use stridekit::core::model::{Phase, Session};
use stridekit::core::store;
use stridekit::core::theme::Themes;
use stridekit::core::time::Timestamp;
use stridekit::tui::action::Action;
use stridekit::tui::app::{self, App};
use stridekit::tui::form::Value;
use stridekit::tui::overlays::{Overlay, Owner, Reply};
use stridekit::tui::{draft, keep_what_is_typed, open_session};

fn now() -> Timestamp {
    Timestamp::now()
}

/// The demo, written to a fresh folder.
fn demo_file() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("demo.toml");
    fs::write(&path, stridekit::DEMO_SESSION).unwrap();
    (dir, path)
}

fn open(path: &Path) -> App {
    let catalogs = Catalogs::builtin().unwrap();
    let state = open_session(&catalogs, path).unwrap();
    let mut app = App::new(catalogs, Themes::builtin().unwrap(), None, false);
    app.size = (120, 40);
    app.show_session(state);
    app
}

fn act(app: &mut App, actions: &[Action]) {
    for a in actions {
        app::update(app, a.clone(), now());
    }
}

fn typed(app: &mut App, text: &str) {
    for c in text.chars() {
        let key =
            KeyEvent::new_with_kind(KeyCode::Char(c), KeyModifiers::NONE, KeyEventKind::Press);
        app::update(app, Action::Input(key), now());
    }
}

fn session(app: &App) -> &Session {
    app.session().unwrap().session()
}

fn status(app: &App) -> String {
    app.status
        .as_ref()
        .map(|s| s.text.clone())
        .unwrap_or_default()
}

fn top_form_title(app: &App) -> Option<String> {
    match app.overlays.last() {
        Some(Overlay::Form(f)) => Some(f.form.title.clone()),
        _ => None,
    }
}

fn draft_offered(app: &App) -> bool {
    app.overlays.iter().any(
        |o| matches!(o, Overlay::Picker(p) if matches!(p.reply, Reply::Owner(Owner::Draft, _))),
    )
}

/// Answers the draft question with `choice` (put-back, leave, delete).
fn answer(app: &mut App, choice: &str) {
    let Some(Overlay::Picker(picker)) = app.overlays.pop() else {
        panic!("the draft question is on top: {}", status(app));
    };
    let Reply::Owner(Owner::Draft, purpose) = picker.reply else {
        panic!("not the draft question");
    };
    draft::picked(app, &purpose, &[choice.to_string()]);
}

/// Scope, Components, `a`, a name typed: no kind, so it cannot be saved.
fn half_typed_component(app: &mut App) {
    act(app, &[Action::GotoPhase(Phase::Scope), Action::Add]);
    assert_eq!(top_form_title(app).as_deref(), Some("Add component"));
    typed(app, "Half-typed component");
}

/// stridekit stops with what is typed, then the app goes (and its lock).
fn stop(mut app: App) -> Option<PathBuf> {
    let kept = keep_what_is_typed(&mut app);
    stridekit::tui::autosave(&mut app);
    drop(app);
    kept
}

#[test]
fn an_invalid_form_is_kept_readable_and_put_back_at_the_next_open() {
    let (_dir, path) = demo_file();
    let mut app = open(&path);
    half_typed_component(&mut app);
    let kept = stop(app).expect("a draft is written");
    assert_eq!(kept, PathBuf::from(format!("{}.draft.txt", path.display())));
    let text = fs::read_to_string(&kept).unwrap();
    // A person can read it: which form, each field by its label.
    assert!(text.contains("\"Add component\""), "{text}");
    assert!(text.contains("label = \"Name\""), "{text}");
    assert!(text.contains("value = \"Half-typed component\""), "{text}");
    assert!(!fs::read_to_string(&path).unwrap().contains("Half-typed"));

    let mut app = open(&path);
    assert!(draft_offered(&app), "the next open offers it");
    assert!(
        status(&app).contains("demo.toml.draft.txt"),
        "{}",
        status(&app)
    );
    answer(&mut app, "put-back");
    assert_eq!(top_form_title(&app).as_deref(), Some("Add component"));
    let Some(Overlay::Form(open_form)) = app.overlays.last() else {
        unreachable!()
    };
    assert_eq!(open_form.form.text("name"), "Half-typed component");
    assert!(
        open_form.form.changed(),
        "a put-back form counts as changed"
    );
    assert!(!kept.exists(), "the text is in the form now, not in a file");
    assert!(
        status(&app).starts_with("Put back into"),
        "{}",
        status(&app)
    );

    // The form works as it did: the kind, then it saves.
    act(&mut app, &[Action::NextField, Action::Open]);
    typed(&mut app, "lambda");
    act(&mut app, &[Action::Open, Action::Submit]);
    assert!(app.overlays.is_empty(), "{}", status(&app));
    assert!(
        session(&app)
            .components
            .iter()
            .any(|c| c.name == "Half-typed component")
    );
}

#[test]
fn leaving_a_draft_keeps_it_and_asks_again_deleting_removes_it() {
    let (_dir, path) = demo_file();
    let mut app = open(&path);
    half_typed_component(&mut app);
    let kept = stop(app).unwrap();

    let mut app = open(&path);
    answer(&mut app, "leave");
    assert!(kept.exists());
    drop(app);

    let mut app = open(&path);
    assert!(draft_offered(&app), "asked again");
    answer(&mut app, "delete");
    assert!(!kept.exists());
    drop(app);
    assert!(!draft_offered(&open(&path)));
}

#[test]
fn a_second_draft_never_replaces_the_first() {
    let (_dir, path) = demo_file();
    let mut app = open(&path);
    half_typed_component(&mut app);
    let first = stop(app).unwrap();

    let mut app = open(&path);
    answer(&mut app, "leave");
    act(&mut app, &[Action::Add]);
    typed(&mut app, "Another one");
    let second = stop(app).unwrap();
    assert_ne!(first, second);
    assert!(
        fs::read_to_string(&first)
            .unwrap()
            .contains("Half-typed component")
    );
    assert!(fs::read_to_string(&second).unwrap().contains("Another one"));
}

#[test]
fn a_draft_about_something_since_deleted_stays_in_its_file() {
    let (_dir, path) = demo_file();
    let mut app = open(&path);
    // Edit C1 and empty its name: required, so the form cannot be saved.
    act(&mut app, &[Action::GotoPhase(Phase::Scope), Action::Edit]);
    let title = top_form_title(&app).unwrap();
    assert!(title.starts_with("Edit component C1"), "{title}");
    let Some(Overlay::Form(f)) = app.overlays.last_mut() else {
        unreachable!()
    };
    assert!(f.form.put_back("name", Value::Text(String::new())));
    assert!(f.form.put_back(
        "description",
        Value::Text("Notes typed before the name was cleared".into())
    ));
    let kept = stop(app).expect("an invalid edit is kept");

    // Meanwhile C1 goes (a teammate's change, pulled).
    let mut app = open(&path);
    answer(&mut app, "leave");
    let c1 = "C1".parse().unwrap();
    let state = app.session_mut().unwrap();
    state
        .doc
        .edit("delete C1", |s| stridekit::core::edit::delete(s, c1))
        .unwrap();
    stridekit::tui::autosave(&mut app);
    assert!(session(&app).component(c1).is_none());
    drop(app);

    let mut app = open(&path);
    answer(&mut app, "put-back");
    assert!(
        status(&app).contains("cannot be opened again"),
        "{}",
        status(&app)
    );
    assert!(kept.exists(), "the text stays where it can be read");
}

#[test]
fn a_read_only_session_does_not_offer_its_draft() {
    let (_dir, path) = demo_file();
    let mut app = open(&path);
    half_typed_component(&mut app);
    stop(app).unwrap();
    let _holder = open(&path);
    let viewer = open(&path);
    assert!(viewer.session().unwrap().doc.read_only().is_some());
    assert!(!draft_offered(&viewer));
}

#[test]
fn a_file_of_that_name_that_is_not_a_draft_is_left_alone() {
    let (_dir, path) = demo_file();
    let junk = PathBuf::from(format!("{}.draft.txt", path.display()));
    fs::write(&junk, "\u{1b}]52;c;AAAA\u{7} not TOML [[[").unwrap();
    let app = open(&path);
    assert!(!draft_offered(&app));
    assert!(status(&app).contains("not a draft"), "{}", status(&app));
    assert!(!status(&app).contains('\u{1b}'));
    drop(app);
    assert!(junk.exists());
}

#[test]
fn a_threat_form_and_the_voting_rules_come_back_too() {
    let (_dir, path) = demo_file();
    // Brainstorm: a new threat with notes but no title.
    let mut app = open(&path);
    act(
        &mut app,
        &[Action::GotoPhase(Phase::Brainstorm), Action::Add],
    );
    let title = top_form_title(&app).unwrap();
    act(&mut app, &[Action::NextField, Action::NextField]);
    typed(&mut app, "Notes without a title");
    let kept = stop(app).expect("kept");
    let mut app = open(&path);
    answer(&mut app, "put-back");
    assert_eq!(top_form_title(&app), Some(title), "{}", status(&app));
    let Some(Overlay::Form(f)) = app.overlays.last() else {
        unreachable!()
    };
    assert_eq!(f.form.text("notes"), "Notes without a title");
    assert!(!kept.exists());
    drop(app);

    // Vote: the rules form with the budget emptied.
    let mut app = open(&path);
    act(&mut app, &[Action::GotoPhase(Phase::Vote), Action::Rules]);
    let title = top_form_title(&app).expect("the rules form");
    let Some(Overlay::Form(f)) = app.overlays.last_mut() else {
        unreachable!()
    };
    // The cap may not be empty; the mode was changed too.
    assert!(f.form.put_back("cap", Value::Number(None)));
    assert!(f.form.put_back("mode", Value::Key(Some("secret".into()))));
    stop(app).expect("kept");
    let mut app = open(&path);
    answer(&mut app, "put-back");
    assert_eq!(top_form_title(&app), Some(title), "{}", status(&app));
    let Some(Overlay::Form(f)) = app.overlays.last() else {
        unreachable!()
    };
    assert_eq!(f.form.value("mode"), Value::Key(Some("secret".into())));
}

#[test]
fn a_quick_capture_title_is_entered_when_stridekit_stops() {
    let (_dir, path) = demo_file();
    let mut app = open(&path);
    act(
        &mut app,
        &[Action::GotoPhase(Phase::Brainstorm), Action::Capture],
    );
    typed(&mut app, "Captured as the window closed");
    assert!(stop(app).is_none(), "nothing to keep aside");
    let saved = store::load_text(
        &path,
        &fs::read_to_string(&path).unwrap(),
        &Catalogs::builtin().unwrap(),
    )
    .unwrap()
    .session;
    assert!(
        saved
            .threats
            .iter()
            .any(|t| t.title == "Captured as the window closed")
    );
}

/// A folder name that is not UTF-8 is kept byte for byte: the draft goes
/// beside the session, not to a mangled path that does not exist.
#[cfg(unix)]
#[test]
fn a_draft_beside_a_session_in_a_folder_not_named_in_utf8() {
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join(std::ffi::OsStr::from_bytes(b"L\xe9gal"));
    fs::create_dir(&folder).unwrap();
    let path = folder.join("s.toml");
    fs::write(&path, stridekit::DEMO_SESSION).unwrap();
    let mut app = open(&path);
    half_typed_component(&mut app);
    let kept = stop(app).expect("a draft is written");
    assert_eq!(kept.parent(), Some(folder.as_path()));
    assert!(kept.exists());
    assert!(draft_offered(&open(&path)));
}

/// A hand-made file with a draft's name does not hide the drafts after it.
#[test]
fn a_file_named_like_a_draft_does_not_hide_the_real_one() {
    let (_dir, path) = demo_file();
    let junk = PathBuf::from(format!("{}.draft.txt", path.display()));
    fs::write(&junk, "notes = 'mine'\n").unwrap();
    let mut app = open(&path);
    half_typed_component(&mut app);
    let kept = stop(app).unwrap();
    assert_ne!(kept, junk, "the hand-made file is not written over");
    let mut app = open(&path);
    assert!(draft_offered(&app), "{}", status(&app));
    answer(&mut app, "put-back");
    assert_eq!(top_form_title(&app).as_deref(), Some("Add component"));
    assert!(junk.exists());
}
