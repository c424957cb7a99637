//! A session file changed on disk under an open session (issue 9, item 1):
//! nothing is written over the change, saving stops and says so, and
//! either choice keeps both versions.

use std::fs;
use std::path::Path;

use stridekit::core::catalog::Catalogs;
use stridekit::core::model::{Session, Template};
use stridekit::core::store;
use stridekit::core::theme::Themes;
use stridekit::core::time::Timestamp;
use stridekit::tui::app::{App, Screen};
use stridekit::tui::overlays::{Overlay, Owner, Reply};
use stridekit::tui::{autosave, conflict, open_session};

fn app_with(path: &Path) -> App {
    let catalogs = Catalogs::builtin().unwrap();
    let state = open_session(&catalogs, path).unwrap();
    let mut app = App::new(catalogs, Themes::builtin().unwrap(), None, false);
    app.show_session(state);
    app
}

fn rename_session(app: &mut App, title: &str) {
    let Screen::Session(state) = &mut app.screen else {
        panic!("a session is open");
    };
    let title = title.to_string();
    state
        .doc
        .edit("retitle", |s| {
            s.title = title;
            Ok::<(), String>(())
        })
        .unwrap()
        .unwrap();
}

fn conflict_asked(app: &App) -> bool {
    app.overlays.iter().any(
        |o| matches!(o, Overlay::Picker(p) if matches!(p.reply, Reply::Owner(Owner::Conflict, _))),
    )
}

fn setup() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.toml");
    store::create(
        &path,
        &Session::new("Original", Template::Workshop, Timestamp::now()),
    )
    .unwrap();
    (dir, path)
}

/// What `sed -i` or a `git pull` does: a new file with other content.
fn change_on_disk(path: &Path) {
    let text = fs::read_to_string(path).unwrap();
    let changed = text.replace("title = \"Original\"", "title = \"Theirs\"");
    assert_ne!(text, changed);
    fs::write(path.with_extension("new"), changed).unwrap();
    fs::rename(path.with_extension("new"), path).unwrap();
}

#[test]
fn a_change_on_disk_is_never_saved_over_and_keep_mine_keeps_theirs() {
    let (dir, path) = setup();
    let mut app = app_with(&path);
    change_on_disk(&path);
    rename_session(&mut app, "Mine");
    autosave(&mut app);
    autosave(&mut app);
    // Neither save went through: the file and its backup are theirs.
    assert!(fs::read_to_string(&path).unwrap().contains("Theirs"));
    assert!(!dir.path().join("s.toml.bak").exists());
    assert!(conflict_asked(&app), "the choice is asked");
    assert!(
        app.status
            .as_ref()
            .unwrap()
            .text
            .contains("changed on disk")
    );
    conflict::picked(&mut app, &["keep".to_string()]);
    let theirs = fs::read_to_string(dir.path().join("s.toml.theirs")).unwrap();
    assert!(theirs.contains("Theirs"));
    autosave(&mut app);
    assert!(
        fs::read_to_string(&path)
            .unwrap()
            .contains("title = \"Mine\"")
    );
}

#[test]
fn reload_takes_the_disk_version_and_keeps_mine_beside_it() {
    let (dir, path) = setup();
    let mut app = app_with(&path);
    rename_session(&mut app, "Mine");
    change_on_disk(&path);
    conflict::check(&mut app);
    assert!(conflict_asked(&app), "noticed between saves");
    conflict::picked(&mut app, &["reload".to_string()]);
    assert_eq!(app.session().unwrap().session().title, "Theirs");
    let mine = fs::read_to_string(dir.path().join("s.toml.mine")).unwrap();
    assert!(mine.contains("title = \"Mine\""));
    // Saving goes on from the reloaded version.
    rename_session(&mut app, "Next");
    autosave(&mut app);
    assert!(
        fs::read_to_string(&path)
            .unwrap()
            .contains("title = \"Next\"")
    );
}

#[test]
fn a_touch_without_a_change_is_no_conflict() {
    let (_dir, path) = setup();
    let mut app = app_with(&path);
    let text = fs::read(&path).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(20));
    fs::write(&path, &text).unwrap();
    conflict::check(&mut app);
    assert!(!conflict_asked(&app));
    rename_session(&mut app, "Mine");
    autosave(&mut app);
    assert!(
        fs::read_to_string(&path)
            .unwrap()
            .contains("title = \"Mine\"")
    );
}

/// A read-only viewer (the session is open elsewhere) shows each save of
/// the holder, keeps showing the last good version when the file is broken
/// for a moment, says when the holder has closed it, and never writes.
#[test]
fn a_read_only_viewer_follows_the_holders_saves() {
    let (_dir, path) = setup();
    let mut holder = app_with(&path);
    let mut viewer = app_with(&path);
    assert!(viewer.session().unwrap().doc.read_only().is_some());

    rename_session(&mut holder, "Saved by the holder");
    autosave(&mut holder);
    conflict::check(&mut viewer);
    assert_eq!(
        viewer.session().unwrap().session().title,
        "Saved by the holder"
    );
    assert!(!conflict_asked(&viewer), "a viewer is never asked");
    assert!(viewer.session().unwrap().doc.read_only().is_some());

    // Broken for a moment (a hand edit half-way): the last good version
    // stays on screen.
    let good = fs::read_to_string(&path).unwrap();
    fs::write(&path, "title = [unclosed").unwrap();
    conflict::check(&mut viewer);
    assert_eq!(
        viewer.session().unwrap().session().title,
        "Saved by the holder"
    );
    assert!(
        viewer
            .status
            .as_ref()
            .unwrap()
            .text
            .contains("not a valid session")
    );
    fs::write(&path, &good).unwrap();

    drop(holder);
    conflict::check(&mut viewer);
    assert!(
        viewer
            .status
            .as_ref()
            .unwrap()
            .text
            .contains("no longer open elsewhere"),
        "{:?}",
        viewer.status
    );
    autosave(&mut viewer);
    assert_eq!(fs::read_to_string(&path).unwrap(), good, "the viewer wrote");
}

/// The session file deleted while open: "keep yours" writes it again
/// (it used to ask the same question for ever).
#[test]
fn keeping_mine_after_the_file_was_deleted_saves_it_again() {
    let (_dir, path) = setup();
    let mut app = app_with(&path);
    fs::remove_file(&path).unwrap();
    conflict::check(&mut app);
    assert!(conflict_asked(&app));
    conflict::picked(&mut app, &["keep".to_string()]);
    rename_session(&mut app, "Mine");
    autosave(&mut app);
    assert!(
        fs::read_to_string(&path)
            .unwrap()
            .contains("title = \"Mine\"")
    );
    conflict::check(&mut app);
    assert!(
        !app.session().unwrap().conflict,
        "no conflict once it is written again"
    );
}

/// Each autosave keeps the version it replaces as `NAME.bak`: a bad edit
/// saved a moment ago can still be read back from the one before.
#[test]
fn autosave_keeps_the_previous_version_as_bak() {
    let (dir, path) = setup();
    let original = fs::read(&path).unwrap();
    let mut app = app_with(&path);
    rename_session(&mut app, "First edit");
    autosave(&mut app);
    let bak = dir.path().join("s.toml.bak");
    assert_eq!(fs::read(&bak).unwrap(), original);
    let first = fs::read(&path).unwrap();
    assert!(String::from_utf8_lossy(&first).contains("First edit"));
    rename_session(&mut app, "Second edit");
    autosave(&mut app);
    assert_eq!(
        fs::read(&bak).unwrap(),
        first,
        "the .bak moves on with each save"
    );
    assert!(fs::read_to_string(&path).unwrap().contains("Second edit"));
    // Only the session and its backup: no temporary file.
    let mut names: Vec<_> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| !n.ends_with(".lock"))
        .collect();
    names.sort();
    assert_eq!(names, ["s.toml", "s.toml.bak"]);
}

/// `q` on a session whose folder went away: it is not closed (closing
/// would lose the edit), and a box says why, that nothing is lost, and how
/// to quit anyway; the status line's save error is gone by then, so the box
/// must say it itself. First the question which version to keep is open,
/// then, with "keep yours" chosen, the write fails.
#[test]
fn closing_a_session_that_cannot_be_saved_keeps_it_open_and_says_why() {
    use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
    use stridekit::tui::{Saver, apply_event};
    let (dir, path) = setup();
    let mut app = app_with(&path);
    let mut saver = Saver::new(None);
    rename_session(&mut app, "Edited before the move");
    fs::remove_dir_all(dir.path()).unwrap();
    let key = |code| {
        Event::Key(KeyEvent::new_with_kind(
            code,
            KeyModifiers::NONE,
            KeyEventKind::Press,
        ))
    };
    let close_fails = |app: &mut App, saver: &mut Saver| -> Vec<String> {
        apply_event(app, &key(KeyCode::Char('q')), saver);
        assert!(
            matches!(app.screen, Screen::Session(_)),
            "still open: closing would lose the edit"
        );
        assert!(app.session().unwrap().is_dirty());
        let Some(Overlay::Problems(problems)) = app.overlays.last() else {
            panic!("a box says why");
        };
        assert_eq!(
            problems.title,
            "s.toml is not closed: it could not be saved"
        );
        let kept_in = store::recovered_dir().display().to_string();
        assert!(
            problems.lines[2].starts_with("Ctrl-C quits anyway")
                && problems.lines[2].contains(&kept_in),
            "{:?}",
            problems.lines
        );
        problems.lines.clone()
    };

    let lines = close_fails(&mut app, &mut saver);
    assert_eq!(lines[0], "the file changed or went away on disk");
    assert!(lines[1].ends_with("until you choose which version to keep."));
    // The question stays under the box.
    assert!(conflict_asked(&app));
    // On an 80x24 terminal the whole box is readable.
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(80, 24)).unwrap();
    terminal
        .draw(|frame| stridekit::tui::view::draw(frame, &app))
        .unwrap();
    let text: String = terminal
        .backend()
        .buffer()
        .content
        .iter()
        .map(|c| c.symbol())
        .collect();
    assert!(
        !text.contains("Fix the file"),
        "not a file's problems:\n{text}"
    );
    for shown in [
        "s.toml is not closed",
        "Nothing is lost",
        "Ctrl-C quits anyway",
        "Once it is saved, q goes back to the home screen.",
    ] {
        assert!(text.contains(shown), "{shown} not on screen:\n{text}");
    }

    // With the box closed, "keep yours" is chosen, and its write fails.
    app.overlays.clear();
    conflict::picked(&mut app, &["keep".to_string()]);
    autosave(&mut app);
    let lines = close_fails(&mut app, &mut saver);
    assert!(lines[0].contains("No such file or directory"), "{lines:?}");
    assert!(lines[1].ends_with("and saving is retried."), "{lines:?}");
}
