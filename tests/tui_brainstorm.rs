//! Brainstorm, the STRIDE walk: `update` for every action, the keystroke
//! budget the README promises, screen snapshots (`TestBackend` + insta) of
//! every view, and style assertions for the coverage states.

use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use ratatui::style::{Color as TermColor, Modifier};

use stridekit::core::catalog::Catalogs;
use stridekit::core::coverage::Cell;
use stridekit::core::diag::Severity;
use stridekit::core::ids::Id;
use stridekit::core::model::{CoverageStatus, MitigationStatus, Phase, Session, Template};
use stridekit::core::store;
use stridekit::core::stride::Category;
use stridekit::core::theme::{Color, Themes};
use stridekit::core::time::Timestamp;
use stridekit::core::validate::validate;
use stridekit::core::walk;
use stridekit::tui::action::Action;
use stridekit::tui::app::{self, App, SessionState};
use stridekit::tui::overlays::Overlay;
use stridekit::tui::screens::brainstorm::{BrainstormScreen, Mode, Pane};
use stridekit::tui::view;

static CATALOGS: LazyLock<Catalogs> =
    LazyLock::new(|| Catalogs::builtin().expect("built-in catalogs load"));

fn now() -> Timestamp {
    Timestamp::parse("2026-03-02T10:30:00Z").unwrap()
}

fn demo_session() -> Session {
    store::load_text(
        Path::new(stridekit::DEMO_FILE_NAME),
        stridekit::DEMO_SESSION,
        &CATALOGS,
    )
    .expect("the demo loads")
    .session
}

fn show(session: Session, read_only: Option<&str>) -> App {
    let mut app = App::new(
        CATALOGS.clone(),
        Themes::builtin().unwrap(),
        Some("dark"),
        false,
    );
    let mut state = SessionState::new(PathBuf::from("sessions/demo.toml"), session);
    if let Some(holder) = read_only {
        state = state.read_only(holder);
    }
    app.show_session(state);
    app.now = now();
    app.size = (120, 40);
    app
}

/// The demo, on Brainstorm.
fn demo_app() -> App {
    let mut session = demo_session();
    session.phase = Phase::Brainstorm;
    show(session, None)
}

fn session(app: &App) -> &Session {
    app.session().unwrap().session()
}

fn screen(app: &App) -> &BrainstormScreen {
    app.session().unwrap().screen::<BrainstormScreen>().unwrap()
}

fn status(app: &App) -> String {
    app.status
        .as_ref()
        .map(|s| s.text.clone())
        .unwrap_or_default()
}

fn id(s: &str) -> Id {
    s.parse().unwrap()
}

fn errors(s: &Session) -> Vec<String> {
    validate(s, &CATALOGS)
        .into_iter()
        .filter(|i| i.severity == Severity::Error)
        .map(|i| format!("{}: {}", i.path, i.message))
        .collect()
}

fn key_event(code: KeyCode, modifiers: KeyModifiers) -> Event {
    Event::Key(KeyEvent::new_with_kind(
        code,
        modifiers,
        KeyEventKind::Press,
    ))
}

/// Presses keys as a terminal sends them; returns how many.
struct Keys<'a> {
    app: &'a mut App,
    pressed: usize,
}

impl Keys<'_> {
    fn press(&mut self, code: KeyCode) -> &mut Self {
        let event = key_event(code, KeyModifiers::NONE);
        if let Some(action) = app::action_for(self.app, &event) {
            app::update(self.app, action, now());
        }
        self.pressed += 1;
        self
    }

    fn ch(&mut self, c: char) -> &mut Self {
        let modifiers = if c.is_ascii_uppercase() {
            KeyModifiers::SHIFT
        } else {
            KeyModifiers::NONE
        };
        let event = key_event(KeyCode::Char(c), modifiers);
        if let Some(action) = app::action_for(self.app, &event) {
            app::update(self.app, action, now());
        }
        self.pressed += 1;
        self
    }

    fn text(&mut self, text: &str) -> &mut Self {
        for c in text.chars() {
            self.ch(c);
        }
        self
    }
}

fn keys(app: &mut App) -> Keys<'_> {
    Keys { app, pressed: 0 }
}

fn act(app: &mut App, actions: &[Action]) {
    for a in actions {
        app::update(app, a.clone(), now());
    }
}

/// The screen's focused element and category.
fn focus(app: &App) -> (Id, Category) {
    let s = screen(app);
    (s.element.unwrap_or(id("U1")), s.category)
}

fn cell(app: &App, element: Id, category: Category) -> Cell {
    let m = stridekit::core::coverage::matrix(session(app), &CATALOGS);
    let row = m.rows.iter().find(|(e, _)| e.id == element).unwrap();
    row.1[Category::ALL.iter().position(|c| *c == category).unwrap()]
}

/// Goes to `element` through the element list (Tab to it, then down).
fn go_to(app: &mut App, element: &str) {
    let target = id(element);
    let mut k = keys(app);
    k.press(KeyCode::BackTab); // Candidates -> Elements
    for _ in 0..40 {
        if k.app
            .session()
            .unwrap()
            .screen::<BrainstormScreen>()
            .unwrap()
            .element
            == Some(target)
        {
            break;
        }
        k.ch('j');
    }
    k.press(KeyCode::Tab); // back to Candidates
    assert_eq!(screen(app).element, Some(target), "reached {element}");
    assert_eq!(screen(app).pane, Pane::Candidates);
}

// ---------------------------------------------------------------- the budget

/// The keystroke budget of the README, measured through the real keymap.
#[test]
fn the_keystroke_budget_holds() {
    let mut app = demo_app();
    go_to(&mut app, "C5");

    // Accepting a candidate: 1 key.
    let before = session(&app).threats.len();
    let mut k = keys(&mut app);
    k.press(KeyCode::Enter);
    assert_eq!(k.pressed, 1);
    assert_eq!(session(&app).threats.len(), before + 1, "{}", status(&app));

    // A free-text threat: 1 key + the title + Enter.
    let title = "Presigned links logged in the CDN";
    let mut k = keys(&mut app);
    k.ch('a').text(title).press(KeyCode::Enter);
    assert_eq!(k.pressed, 1 + title.chars().count() + 1);
    assert!(app.overlays.is_empty(), "{}", status(&app));
    assert_eq!(session(&app).threats.last().unwrap().title, title);

    // Not applicable: 1 key + the reason + Enter.
    let (element, category) = focus(&app);
    let reason = "Objects are written once";
    act(&mut app, &[Action::Right]);
    let (_, next) = focus(&app);
    assert_ne!(next, category);
    let mut k = keys(&mut app);
    k.ch('x').text(reason).press(KeyCode::Enter);
    assert_eq!(k.pressed, 1 + reason.chars().count() + 1);
    let mark = session(&app)
        .coverage
        .iter()
        .find(|m| m.element == element && m.category == next)
        .cloned()
        .expect("marked");
    assert_eq!(
        (mark.status, mark.reason.as_str()),
        (CoverageStatus::NotApplicable, reason)
    );

    // The next uncovered cell: 1 key.
    let at = focus(&app);
    let mut k = keys(&mut app);
    k.ch('n');
    assert_eq!(k.pressed, 1);
    assert_ne!(focus(&app), at);
    let (e, c) = focus(&app);
    assert_eq!(cell(&app, e, c), Cell::Todo);
    assert!(
        errors(session(&app)).is_empty(),
        "{:?}",
        errors(session(&app))
    );
}

// ---------------------------------------------------------------- the walk

#[test]
fn accepting_a_candidate_brings_its_mitigations_and_marks_it_taken() {
    let mut app = demo_app();
    go_to(&mut app, "C5");
    let (element, category) = focus(&app);
    let before_m = session(&app).mitigations.len();
    act(&mut app, &[Action::Open]);
    let t = session(&app).threats.last().unwrap().clone();
    assert_eq!((t.target, t.category), (Some(element), category));
    let reference = t.catalog.clone().expect("a catalog reference");
    let candidate = walk::candidate(&CATALOGS, &reference).unwrap();
    assert_eq!(t.title, candidate.title);
    assert_eq!(walk::taken(session(&app), element, &reference), Some(t.id));
    let mitigations: Vec<_> = session(&app).mitigations_of(t.id).collect();
    assert_eq!(mitigations.len(), candidate.mitigations.len());
    assert!(
        mitigations
            .iter()
            .all(|m| m.status == MitigationStatus::Proposed)
    );
    assert!(session(&app).mitigations.len() >= before_m);
    assert!(
        status(&app).contains(&format!("Accepted as {}", t.id)),
        "{}",
        status(&app)
    );
    // The cursor moved on to a candidate nobody has taken yet, and the
    // taken one cannot be accepted twice.
    act(&mut app, &[Action::Up]);
    let count = session(&app).threats.len();
    act(&mut app, &[Action::Open]);
    assert_eq!(session(&app).threats.len(), count);
    assert!(
        status(&app).starts_with("Already taken as"),
        "{}",
        status(&app)
    );
    // One undo takes the threat and its mitigations back.
    act(&mut app, &[Action::Undo]);
    assert!(session(&app).threat(t.id).is_none());
    assert_eq!(session(&app).mitigations.len(), before_m);
    assert!(errors(session(&app)).is_empty());
}

#[test]
fn categories_and_panes_move_with_their_keys() {
    let mut app = demo_app();
    let (element, first) = focus(&app);
    act(&mut app, &[Action::Right]);
    let (_, second) = focus(&app);
    assert_ne!(first, second);
    act(&mut app, &[Action::Left]);
    assert_eq!(focus(&app), (element, first));
    // Categories that rarely apply are skipped: an actor has S and R.
    act(&mut app, &[Action::Right, Action::Right]);
    assert_eq!(focus(&app).1, first, "wraps round S and R");
    assert_eq!(screen(&app).pane, Pane::Candidates);
    act(&mut app, &[Action::NextPane]);
    assert_eq!(screen(&app).pane, Pane::Threats);
    act(&mut app, &[Action::NextPane]);
    assert_eq!(screen(&app).pane, Pane::Elements);
    act(&mut app, &[Action::Down]);
    assert_eq!(screen(&app).element, Some(id("U2")));
    act(&mut app, &[Action::Bottom]);
    assert_eq!(screen(&app).element, Some(id("F10")));
    // Enter on an element goes to its candidates.
    act(&mut app, &[Action::Open]);
    assert_eq!(screen(&app).pane, Pane::Candidates);
}

#[test]
fn next_marks_the_cell_looked_at_and_scrolling_does_not() {
    let mut app = demo_app();
    go_to(&mut app, "C3");
    let (element, category) = focus(&app);
    assert_eq!(cell(&app, element, category), Cell::Todo);
    // Moving around marks nothing.
    act(
        &mut app,
        &[Action::Down, Action::Up, Action::Right, Action::Left],
    );
    assert_eq!(cell(&app, element, category), Cell::Todo);
    act(&mut app, &[Action::NextCell]);
    assert_eq!(cell(&app, element, category), Cell::Visited);
    let (e, c) = focus(&app);
    assert_eq!(cell(&app, e, c), Cell::Todo, "lands on a cell to do");
    assert!(status(&app).contains("left"), "{}", status(&app));
    // v toggles the mark.
    act(&mut app, &[Action::Looked]);
    assert_eq!(cell(&app, e, c), Cell::Visited);
    act(&mut app, &[Action::Looked]);
    assert_eq!(cell(&app, e, c), Cell::Todo);
}

#[test]
fn next_goes_all_the_way_round_and_says_when_everything_is_covered() {
    let mut session = Session::new("Tiny", Template::Quick, now());
    session.phase = Phase::Brainstorm;
    session.actors.push(stridekit::core::model::Actor {
        id: id("U1"),
        name: "User".into(),
        description: String::new(),
        out_of_scope: None,
        properties: Default::default(),
    });
    let mut app = show(session, None);
    // An actor is asked S and R: two cells.
    act(&mut app, &[Action::NextCell, Action::NextCell]);
    act(&mut app, &[Action::NextCell]);
    assert!(
        status(&app).contains("Every cell is covered"),
        "{}",
        status(&app)
    );
    assert_eq!(cell(&app, id("U1"), Category::Spoofing), Cell::Visited);
    assert_eq!(cell(&app, id("U1"), Category::Repudiation), Cell::Visited);
}

#[test]
fn a_free_text_threat_through_the_editor_with_its_statement() {
    let mut app = demo_app();
    go_to(&mut app, "C5");
    let (element, category) = focus(&app);
    act(&mut app, &[Action::Add]);
    let Some(Overlay::Form(f)) = app.overlays.last() else {
        panic!("no editor");
    };
    // The facilitator is the author until someone else is chosen.
    assert_eq!(f.form.key("author").as_deref(), Some("P1"));
    let mut k = keys(&mut app);
    k.text("Old payslips stay readable forever");
    k.press(KeyCode::Tab)
        .press(KeyCode::Tab)
        .press(KeyCode::Tab);
    k.text("former employee");
    k.press(KeyCode::Tab).text("with a saved link");
    k.press(KeyCode::Tab).text("download last year's payslips");
    k.press(KeyCode::Tab).text("salary disclosure");
    let Some(Overlay::Form(f)) = app.overlays.last() else {
        panic!("no editor");
    };
    let preview = f.form.fields.iter().find(|f| f.key == "preview").unwrap();
    let stridekit::tui::form::FieldKind::Note(render) = preview.kind else {
        panic!("the preview is a note");
    };
    assert_eq!(
        render(&f.form),
        "A former employee with a saved link can download last year's payslips, which leads to salary disclosure."
    );
    act(&mut app, &[Action::Submit]);
    assert!(app.overlays.is_empty(), "{}", status(&app));
    let t = session(&app).threats.last().unwrap().clone();
    assert_eq!(t.title, "Old payslips stay readable forever");
    assert_eq!((t.target, t.category), (Some(element), category));
    assert_eq!(t.statement.source, "former employee");
    assert_eq!(t.statement.impact, "salary disclosure");
    assert_eq!(t.author, Some(id("P1")));
    assert!(errors(session(&app)).is_empty());

    // Edit (e) changes it; move (m) takes it elsewhere; delete (d) and undo.
    act(&mut app, &[Action::NextPane]);
    assert_eq!(screen(&app).pane, Pane::Threats);
    act(&mut app, &[Action::Bottom, Action::Edit]);
    let Some(Overlay::Form(f)) = app.overlays.last() else {
        panic!("no editor");
    };
    assert_eq!(f.form.text("title"), t.title);
    keys(&mut app).text(" (v2)").press(KeyCode::Enter);
    assert_eq!(
        session(&app).threat(t.id).unwrap().title,
        format!("{} (v2)", t.title)
    );

    act(&mut app, &[Action::Move]);
    let Some(Overlay::Form(_)) = app.overlays.last() else {
        panic!("no move form");
    };
    // Tab to the category, one step on, save.
    keys(&mut app).press(KeyCode::Tab).ch(' ');
    act(&mut app, &[Action::Submit]);
    let moved = session(&app).threat(t.id).unwrap();
    assert_eq!(moved.target, Some(element));
    assert_ne!(moved.category, category);
    assert!(
        status(&app).starts_with(&format!("Moved {}", t.id)),
        "{}",
        status(&app)
    );
    assert_eq!(
        focus(&app),
        (element, moved.category),
        "the walk follows it"
    );

    act(&mut app, &[Action::Bottom, Action::Delete]);
    assert!(session(&app).threat(t.id).is_none());
    assert!(status(&app).contains("u undoes"));
    act(&mut app, &[Action::Undo]);
    assert!(session(&app).threat(t.id).is_some());
}

#[test]
fn the_last_author_is_preselected() {
    let mut app = demo_app();
    go_to(&mut app, "C5");
    act(&mut app, &[Action::Add]);
    keys(&mut app)
        .text("First")
        .press(KeyCode::Tab)
        .press(KeyCode::Enter);
    // The author picker: Sam.
    keys(&mut app).text("sam").press(KeyCode::Enter);
    act(&mut app, &[Action::Submit]);
    let first = session(&app).threats.last().unwrap().clone();
    assert_eq!(session(&app).name(first.author.unwrap()), Some("Sam"));
    act(&mut app, &[Action::Add]);
    let Some(Overlay::Form(f)) = app.overlays.last() else {
        panic!("no editor");
    };
    assert_eq!(f.form.key("author"), first.author.map(|a| a.to_string()));
}

#[test]
fn quick_capture_takes_title_after_title() {
    let mut app = demo_app();
    go_to(&mut app, "C4");
    let (element, category) = focus(&app);
    let before = session(&app).threats.len();
    let mut k = keys(&mut app);
    k.ch('c');
    // While capturing, letters are text: d deletes nothing, q leaves nothing.
    k.text("Backups deleted by a rogue admin")
        .press(KeyCode::Enter);
    k.text("Table dropped by a bad migration")
        .press(KeyCode::Enter);
    k.press(KeyCode::Enter); // an empty title adds nothing
    k.press(KeyCode::Esc);
    let added: Vec<_> = session(&app).threats[before..].to_vec();
    assert_eq!(
        added.iter().map(|t| t.title.as_str()).collect::<Vec<_>>(),
        [
            "Backups deleted by a rogue admin",
            "Table dropped by a bad migration"
        ]
    );
    assert!(
        added
            .iter()
            .all(|t| t.target == Some(element) && t.category == category)
    );
    assert!(screen(&app).capture.is_none());
    // A pasted list: one threat a line; the last line waits for Enter.
    act(
        &mut app,
        &[
            Action::Capture,
            Action::Paste("One\r\nTwo\nThree".to_string()),
        ],
    );
    let titles: Vec<String> = session(&app).threats[before + 2..]
        .iter()
        .map(|t| t.title.clone())
        .collect();
    assert_eq!(titles, ["One", "Two"]);
    act(&mut app, &[Action::Submit, Action::Cancel]);
    assert_eq!(session(&app).threats.last().unwrap().title, "Three");
    assert!(errors(session(&app)).is_empty());
}

#[test]
fn the_element_list_filters_by_name_and_kind() {
    let mut app = demo_app();
    keys(&mut app).ch('/').text("s3");
    assert_eq!(screen(&app).pane, Pane::Elements);
    assert_eq!(
        screen(&app).element,
        Some(id("C5")),
        "the bucket is an S3 kind"
    );
    keys(&mut app).press(KeyCode::Enter).press(KeyCode::Esc);
    assert!(!screen(&app).filter.is_active());
}

#[test]
fn a_read_only_session_refuses_every_capture_at_the_key() {
    let mut session = demo_session();
    session.phase = Phase::Brainstorm;
    let mut app = show(session, Some("kim"));
    let before = self::session(&app).clone();
    for action in [
        Action::Open,
        Action::Add,
        Action::Capture,
        Action::NotApplicable,
        Action::Looked,
    ] {
        app.status = None;
        act(&mut app, std::slice::from_ref(&action));
        assert!(app.overlays.is_empty(), "{action:?} opened something");
        assert!(screen(&app).capture.is_none());
        assert!(
            status(&app).starts_with("Read-only"),
            "{action:?}: {}",
            status(&app)
        );
    }
    // Moving on still works, and marks nothing.
    act(&mut app, &[Action::NextCell]);
    assert_eq!(self::session(&app), &before);
}

// ---------------------------------------------------------------- the views

#[test]
fn the_matrix_moves_by_cell_and_jumps_into_the_walk() {
    let mut app = demo_app();
    act(&mut app, &[Action::Matrix]);
    assert_eq!(screen(&app).mode, Mode::Matrix);
    act(
        &mut app,
        &[Action::Down, Action::Down, Action::Right, Action::Right],
    );
    assert_eq!(screen(&app).cell, (2, 2));
    act(&mut app, &[Action::NextCell]);
    let (row, col) = screen(&app).cell;
    let m = stridekit::core::coverage::matrix(session(&app), &CATALOGS);
    assert_eq!(m.rows[row].1[col], Cell::Todo);
    let target = m.rows[row].0.id;
    act(&mut app, &[Action::Open]);
    assert_eq!(screen(&app).mode, Mode::Walk);
    assert_eq!(focus(&app), (target, Category::ALL[col]));
    act(&mut app, &[Action::Matrix, Action::Cancel]);
    assert_eq!(screen(&app).mode, Mode::Walk);
}

#[test]
fn the_threat_list_filters_and_jumps_to_a_threat() {
    let mut app = demo_app();
    act(&mut app, &[Action::ThreatList]);
    assert_eq!(screen(&app).mode, Mode::Threats);
    // By element and by author at once.
    keys(&mut app)
        .ch('/')
        .text("bucket leon")
        .press(KeyCode::Enter);
    let text = render_text(&mut app, 120, 40);
    assert!(text.contains("T7"), "{text}");
    assert!(!text.contains("T5 "), "{text}");
    act(&mut app, &[Action::Open]);
    assert_eq!(screen(&app).mode, Mode::Walk);
    assert_eq!(focus(&app), (id("C5"), Category::Repudiation));
    assert_eq!(screen(&app).pane, Pane::Threats);
    // Edit and delete from the list too.
    act(
        &mut app,
        &[
            Action::ThreatList,
            Action::Cancel,
            Action::Top,
            Action::Delete,
        ],
    );
    assert!(session(&app).threat(id("T1")).is_none());
    act(&mut app, &[Action::Undo]);
    assert!(session(&app).threat(id("T1")).is_some());
}

#[test]
fn triage_accepts_dismisses_and_remembers() {
    let mut app = demo_app();
    act(&mut app, &[Action::Triage]);
    assert_eq!(screen(&app).mode, Mode::Triage);
    let scope = session(&app).clone();
    let elements = stridekit::core::coverage::walk_elements(&scope, &CATALOGS);
    let queue = walk::undecided(&scope, &elements);
    let left = queue.len();
    let (first, second, third) = (queue[0].clone(), queue[1].clone(), queue[2].clone());

    // Accept: it becomes a threat.
    act(&mut app, &[Action::Open]);
    assert!(walk::taken(session(&app), first.element, &first.candidate.reference).is_some());
    assert!(
        status(&app).contains(&format!("{} candidates left", left - 1)),
        "{}",
        status(&app)
    );

    // Dismiss with a reason: remembered, never offered again.
    act(&mut app, &[Action::Dismiss]);
    keys(&mut app)
        .text("Users sign in through the company SSO")
        .press(KeyCode::Enter);
    let d = walk::dismissal(session(&app), second.element, &second.candidate.reference)
        .expect("dismissed")
        .clone();
    assert_eq!(d.reason, "Users sign in through the company SSO");
    let scope = session(&app).clone();
    let elements = stridekit::core::coverage::walk_elements(&scope, &CATALOGS);
    assert_eq!(walk::undecided(&scope, &elements).len(), left - 2);

    // Accept and edit: the editor opens on the new threat.
    act(&mut app, &[Action::Edit]);
    let Some(Overlay::Form(f)) = app.overlays.last() else {
        panic!("no editor");
    };
    assert_eq!(f.form.text("title"), third.candidate.title);
    act(&mut app, &[Action::Cancel]);
    // Undo brings the dismissed candidate back, one step at a time.
    act(&mut app, &[Action::Undo, Action::Undo]);
    assert!(walk::dismissal(session(&app), second.element, &second.candidate.reference).is_none());
    assert!(errors(session(&app)).is_empty());
}

#[test]
fn a_scope_with_nothing_to_walk_says_where_to_go() {
    let mut session = Session::new("Empty", Template::Workshop, now());
    session.phase = Phase::Brainstorm;
    let mut app = show(session, None);
    act(&mut app, &[Action::Add]);
    assert!(status(&app).contains("Scope"), "{}", status(&app));
    assert!(app.overlays.is_empty());
    let text = render_text(&mut app, 80, 24);
    assert!(text.contains("Nothing to walk yet"), "{text}");
    insta::assert_snapshot!("brainstorm_empty_80x24", text);
}

// ---------------------------------------------------------------- screens

fn render(app: &mut App, width: u16, height: u16) -> Buffer {
    app.size = (width, height);
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|frame| view::draw(frame, app)).unwrap();
    terminal.backend().buffer().clone()
}

/// One quoted line per row; cells under a wide character are skipped.
fn text_of(buffer: &Buffer) -> String {
    let width = usize::from(buffer.area.width);
    let mut out = String::new();
    for row in buffer.content.chunks(width) {
        let mut line = String::new();
        let mut skip = 0usize;
        for cell in row {
            if skip == 0 {
                line.push_str(cell.symbol());
            }
            use ratatui::buffer::CellWidth;
            skip = skip.max(usize::from(cell.cell_width())).saturating_sub(1);
        }
        out.push('"');
        out.push_str(&line);
        out.push_str("\"\n");
    }
    out
}

fn render_text(app: &mut App, width: u16, height: u16) -> String {
    text_of(&render(app, width, height))
}

fn snap_both(name: &str, app: &mut App) {
    insta::assert_snapshot!(format!("{name}_80x24"), render_text(app, 80, 24));
    insta::assert_snapshot!(format!("{name}_120x40"), render_text(app, 120, 40));
}

#[test]
fn the_walk_with_its_prompts_and_context() {
    let mut app = demo_app();
    go_to(&mut app, "C5");
    snap_both("brainstorm_walk", &mut app);
    let text = render_text(&mut app, 80, 24);
    assert!(text.contains("Payslip bucket (C5)"), "{text}");
    assert!(text.contains("Amazon S3"), "{text}");
    assert!(text.contains("F7"), "the flows in and out: {text}");
    assert!(text.contains("covered"), "coverage in the header: {text}");
}

#[test]
fn the_editor_with_its_sentence() {
    let mut app = demo_app();
    go_to(&mut app, "C5");
    act(&mut app, &[Action::Add]);
    keys(&mut app).text("Old links keep working 🔗 古い");
    for _ in 0..7 {
        keys(&mut app).press(KeyCode::Tab);
    }
    snap_both("brainstorm_editor", &mut app);
    assert!(render_text(&mut app, 120, 40).contains("Old links keep working 🔗 古い."));
}

#[test]
fn quick_capture_on_screen() {
    let mut app = demo_app();
    go_to(&mut app, "C4");
    keys(&mut app)
        .ch('c')
        .text("Backups deleted")
        .press(KeyCode::Enter)
        .text("Half a tit");
    snap_both("brainstorm_capture", &mut app);
}

#[test]
fn triage_on_screen() {
    let mut app = demo_app();
    act(&mut app, &[Action::Triage]);
    snap_both("brainstorm_triage", &mut app);
}

#[test]
fn the_threat_list_on_screen() {
    let mut app = demo_app();
    act(&mut app, &[Action::ThreatList, Action::Down]);
    snap_both("brainstorm_threats", &mut app);
}

/// The matrix: every state has its own symbol (readable without colour)
/// and the theme's colour for it.
#[test]
fn the_matrix_shows_every_state_by_symbol_and_colour() {
    let mut session = demo_session();
    session.phase = Phase::Brainstorm;
    let mut app = show(session, None);
    act(&mut app, &[Action::Matrix]);
    snap_both("brainstorm_matrix", &mut app);

    let themes = Themes::builtin().unwrap();
    let theme = themes.get("dark").unwrap();
    let rgb = |role: &str| match theme.color(role) {
        Color::Rgb(r, g, b) => TermColor::Rgb(r, g, b),
        other => panic!("{role} is {other:?}"),
    };
    let buffer = render(&mut app, 120, 40);
    let text = text_of(&buffer);
    // Row of C6 Shared execution role: S ○, D – (not applicable), E 1.
    let (y, line) = text
        .lines()
        .enumerate()
        .find(|(_, l)| l.contains("C6 Shared execution role"))
        .expect("the C6 row");
    let chars: Vec<char> = line.chars().collect();
    let find = |symbol: char| -> u16 {
        let x = chars.iter().position(|c| *c == symbol).expect("the symbol") - 1;
        u16::try_from(x).unwrap()
    };
    let y = u16::try_from(y).unwrap();
    assert_eq!(buffer[(find('○'), y)].fg, rgb("coverage.todo"));
    assert_eq!(buffer[(find('–'), y)].fg, rgb("coverage.not-applicable"));
    let threats = &buffer[(find('1'), y)];
    assert_eq!(threats.fg, rgb("coverage.threats"));
    assert!(threats.modifier.contains(Modifier::BOLD));
    let (vy, visited) = text
        .lines()
        .enumerate()
        .find(|(_, l)| l.contains("U2 HR support staff"))
        .expect("the U2 row");
    let vx = visited
        .chars()
        .position(|c| c == '✓')
        .expect("a looked-at cell")
        - 1;
    let cell = &buffer[(u16::try_from(vx).unwrap(), u16::try_from(vy).unwrap())];
    assert_eq!(cell.fg, rgb("coverage.visited"));
    // The cursor's cell is reversed, so it shows without colour.
    let (cy, cursor) = text
        .lines()
        .enumerate()
        .find(|(_, l)| l.contains("› U1"))
        .expect("the cursor row");
    let cx = cursor.chars().collect::<Vec<_>>();
    let first_cell = cx.iter().skip(20).position(|c| !c.is_whitespace()).unwrap() + 20 - 1;
    let cell = &buffer[(
        u16::try_from(first_cell).unwrap(),
        u16::try_from(cy).unwrap(),
    )];
    assert!(cell.modifier.contains(Modifier::REVERSED), "{:?}", cell);
}

/// Everything still draws at the smallest size and below it.
#[test]
fn every_view_fits_every_size() {
    for action in [
        None,
        Some(Action::Matrix),
        Some(Action::ThreatList),
        Some(Action::Triage),
        Some(Action::Capture),
        Some(Action::Add),
    ] {
        let mut app = demo_app();
        if let Some(a) = action.clone() {
            act(&mut app, &[a]);
        }
        for (w, h) in [(60, 18), (61, 19), (80, 24), (200, 50), (1, 1), (59, 17)] {
            render(&mut app, w, h);
        }
    }
}
