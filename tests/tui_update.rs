//! `update` for every action: the TUI's behaviour without a terminal.

use std::path::PathBuf;

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use stridekit::core::catalog::Catalogs;
use stridekit::core::diag::Severity;
use stridekit::core::discovery::SessionEntry;
use stridekit::core::ids::Id;
use stridekit::core::model::{Phase, Session, Template};
use stridekit::core::store;
use stridekit::core::theme::Themes;
use stridekit::core::time::Timestamp;
use stridekit::core::timer;
use stridekit::core::validate::validate;
use stridekit::tui::action::Action;
use stridekit::tui::app::{App, Screen, SessionState, update};
use stridekit::tui::context::Effect;
use stridekit::tui::overlays::Overlay;
use stridekit::tui::screens::scope::{self, ScopeScreen};
use stridekit::tui::screens::setup::{self, SetupScreen};

fn t(s: i64) -> Timestamp {
    Timestamp::from_unix(1_800_000_000 + s)
}

fn app_with(session: Session) -> App {
    let mut app = App::new(
        Catalogs::builtin().unwrap(),
        Themes::builtin().unwrap(),
        Some("dark"),
        false,
    );
    app.show_session(SessionState::new(PathBuf::from("test.toml"), session));
    app
}

fn demo() -> Session {
    let catalogs = Catalogs::builtin().unwrap();
    store::load_text(
        std::path::Path::new("demo.toml"),
        stridekit::DEMO_SESSION,
        &catalogs,
    )
    .unwrap()
    .session
}

fn demo_app() -> App {
    app_with(demo())
}

fn home_app() -> App {
    App::new(
        Catalogs::builtin().unwrap(),
        Themes::builtin().unwrap(),
        None,
        false,
    )
}

fn session(app: &App) -> &Session {
    app.session().unwrap().session()
}

fn state(app: &App) -> &SessionState {
    app.session().unwrap()
}

fn scope_screen(app: &App) -> &ScopeScreen {
    state(app).screen::<ScopeScreen>().unwrap()
}

fn setup_screen(app: &App) -> &SetupScreen {
    state(app).screen::<SetupScreen>().unwrap()
}

fn help_scroll(app: &App) -> Option<usize> {
    match app.overlays.last() {
        Some(Overlay::Help(h)) => Some(h.scroll),
        _ => None,
    }
}

fn act(app: &mut App, actions: &[Action]) {
    for a in actions {
        update(app, a.clone(), t(0));
    }
}

fn typed(app: &mut App, text: &str) {
    for c in text.chars() {
        let key =
            KeyEvent::new_with_kind(KeyCode::Char(c), KeyModifiers::NONE, KeyEventKind::Press);
        update(app, Action::Input(key), t(0));
    }
}

fn id(s: &str) -> Id {
    s.parse().unwrap()
}

fn status(app: &App) -> String {
    app.status
        .as_ref()
        .map(|s| s.text.clone())
        .unwrap_or_default()
}

fn assert_valid(app: &App) {
    let catalogs = Catalogs::builtin().unwrap();
    let errors: Vec<_> = validate(session(app), &catalogs)
        .into_iter()
        .filter(|i| i.severity == Severity::Error)
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
}

#[test]
fn quit_and_resize() {
    let mut app = demo_app();
    act(&mut app, &[Action::Resize(120, 40)]);
    assert_eq!(app.size, (120, 40));
    act(&mut app, &[Action::Quit]);
    assert!(app.quit);
}

#[test]
fn back_leaves_the_session_and_quits_from_home() {
    let mut app = demo_app();
    act(
        &mut app,
        &[Action::GotoPhase(Phase::Scope), Action::ToggleTimer],
    );
    act(&mut app, &[Action::Back]);
    // The clock stops and the loop is asked to save and show home.
    assert_eq!(timer::running_phase(session(&app)), None);
    assert!(state(&app).is_dirty());
    assert_eq!(app.effects, [Effect::RefreshHome]);
    // On the home screen q quits (and says so in the hint bar).
    let mut home = home_app();
    let q = KeyEvent::new_with_kind(KeyCode::Char('q'), KeyModifiers::NONE, KeyEventKind::Press);
    let action = stridekit::tui::app::action_for(&home, &ratatui::crossterm::event::Event::Key(q));
    assert_eq!(action, Some(Action::Quit));
    act(&mut home, &[Action::Quit]);
    assert!(home.quit);
}

#[test]
fn help_opens_and_cancel_closes_it() {
    let mut app = demo_app();
    app.size = (80, 24);
    act(&mut app, &[Action::GotoPhase(Phase::Scope), Action::Help]);
    assert_eq!(help_scroll(&app), Some(0));
    act(&mut app, &[Action::Down, Action::Down, Action::Up]);
    assert_eq!(help_scroll(&app), Some(1));
    // Scrolling stops at the last page instead of running into blank.
    act(&mut app, &[Action::Bottom]);
    let bottom = help_scroll(&app).unwrap();
    assert!(bottom > 1);
    act(&mut app, &[Action::Down, Action::PageDown]);
    assert_eq!(help_scroll(&app), Some(bottom));
    act(&mut app, &[Action::Top]);
    assert_eq!(help_scroll(&app), Some(0));
    act(&mut app, &[Action::Cancel]);
    assert!(app.overlays.is_empty());
    // Cancel with nothing open does nothing.
    act(&mut app, &[Action::Cancel]);
    assert!(app.overlays.is_empty() && !app.quit);
}

#[test]
fn phases_move_and_stop_at_the_ends() {
    let mut app = demo_app();
    act(
        &mut app,
        &[Action::GotoPhase(Phase::Setup), Action::PrevPhase],
    );
    assert_eq!(session(&app).phase, Phase::Setup);
    act(&mut app, &[Action::NextPhase, Action::NextPhase]);
    assert_eq!(session(&app).phase, Phase::Brainstorm);
    act(
        &mut app,
        &[Action::GotoPhase(Phase::Review), Action::NextPhase],
    );
    assert_eq!(session(&app).phase, Phase::Review);
    assert!(state(&app).is_dirty());
}

#[test]
fn a_running_clock_follows_the_phase() {
    let mut app = demo_app();
    update(&mut app, Action::GotoPhase(Phase::Scope), t(0));
    update(&mut app, Action::ToggleTimer, t(0));
    update(&mut app, Action::NextPhase, t(30));
    assert_eq!(timer::running_phase(session(&app)), Some(Phase::Brainstorm));
    let scope = timer::reading(session(&app), Phase::Scope, t(99));
    // 580 s from the demo plus the 30 s it ran here.
    assert_eq!(scope.elapsed_secs, 610);
}

#[test]
fn timer_toggles_extends_and_rings_once_at_zero() {
    let mut app = demo_app();
    update(&mut app, Action::GotoPhase(Phase::Vote), t(0));
    // Vote: 10 minutes planned, 9:00 spent in the demo.
    update(&mut app, Action::ToggleTimer, t(0));
    assert_eq!(timer::running_phase(session(&app)), Some(Phase::Vote));
    update(&mut app, Action::Tick, t(59));
    assert!(!app.ring_bell);
    update(&mut app, Action::Tick, t(60));
    assert!(app.ring_bell, "rings at zero");
    assert!(status(&app).contains("Time is up for Vote"));
    app.ring_bell = false;
    update(&mut app, Action::Tick, t(61));
    assert!(!app.ring_bell, "rings once");
    // Five more minutes, and it may ring again when they run out.
    update(&mut app, Action::ExtendTimer, t(62));
    assert_eq!(
        session(&app)
            .agenda_item(Phase::Vote)
            .unwrap()
            .added_minutes,
        5
    );
    update(&mut app, Action::Tick, t(360));
    assert!(app.ring_bell);
    update(&mut app, Action::ToggleTimer, t(400));
    assert_eq!(timer::running_phase(session(&app)), None);
}

#[test]
fn the_bell_can_be_turned_off() {
    let mut app = demo_app();
    app.bell_enabled = false;
    update(&mut app, Action::GotoPhase(Phase::Vote), t(0));
    update(&mut app, Action::ToggleTimer, t(0));
    update(&mut app, Action::Tick, t(100));
    assert!(!app.ring_bell);
    assert!(status(&app).contains("Time is up"));
}

#[test]
fn theme_cycles_and_is_remembered_in_the_session() {
    let mut app = demo_app();
    let first = app.styles.name.clone();
    act(&mut app, &[Action::CycleTheme]);
    assert_ne!(app.styles.name, first);
    assert_eq!(
        session(&app).theme.as_deref(),
        Some(app.styles.name.as_str())
    );
    assert!(state(&app).is_dirty());
}

#[test]
fn lists_move_within_bounds() {
    let mut app = demo_app();
    act(&mut app, &[Action::GotoPhase(Phase::Scope)]);
    // Components: 8 in the demo.
    act(&mut app, &[Action::Bottom]);
    assert_eq!(scope_screen(&app).cursor[4], 7);
    act(&mut app, &[Action::Down, Action::PageDown]);
    assert_eq!(scope_screen(&app).cursor[4], 7);
    act(&mut app, &[Action::Top, Action::Up, Action::PageUp]);
    assert_eq!(scope_screen(&app).cursor[4], 0);
    act(&mut app, &[Action::Down, Action::Down]);
    assert_eq!(scope_screen(&app).cursor[4], 2);
}

#[test]
fn panes_cycle_both_ways() {
    let mut app = demo_app();
    act(&mut app, &[Action::GotoPhase(Phase::Scope)]);
    assert_eq!(scope_screen(&app).pane, scope::Pane::Components);
    act(
        &mut app,
        &[Action::NextPane, Action::NextPane, Action::NextPane],
    );
    assert_eq!(scope_screen(&app).pane, scope::Pane::Assets);
    act(&mut app, &[Action::PrevPane]);
    assert_eq!(scope_screen(&app).pane, scope::Pane::Assumptions);
    act(
        &mut app,
        &[Action::GotoPhase(Phase::Setup), Action::NextPane],
    );
    assert_eq!(setup_screen(&app).pane, setup::Pane::Participants);
}

#[test]
fn adding_a_component_through_the_form_and_the_kind_picker() {
    let mut app = demo_app();
    act(&mut app, &[Action::GotoPhase(Phase::Scope), Action::Add]);
    assert!(
        matches!(app.overlays.last(), Some(Overlay::Form(f)) if f.purpose.get::<scope::Edit>() == Some(&scope::Edit { pane: scope::Pane::Components, id: None }))
    );
    typed(&mut app, "Payroll export");
    act(&mut app, &[Action::Open]); // Enter on a line field moves on
    act(&mut app, &[Action::Open]); // Enter on the kind field opens the picker
    assert!(matches!(app.overlays.last(), Some(Overlay::Picker(_))));
    typed(&mut app, "state machine");
    act(&mut app, &[Action::Open]);
    assert!(matches!(app.overlays.last(), Some(Overlay::Form(_))));
    act(&mut app, &[Action::Submit]);
    assert!(app.overlays.is_empty(), "{}", status(&app));
    let c9 = session(&app).component(id("C9")).unwrap();
    assert_eq!(
        (c9.name.as_str(), c9.kind.as_str()),
        ("Payroll export", "aws.step-functions")
    );
    assert_eq!(scope_screen(&app).cursor[4], 8, "the new item is selected");
    assert!(state(&app).is_dirty());
    assert_valid(&app);
}

#[test]
fn required_fields_keep_the_form_open() {
    let mut app = demo_app();
    act(
        &mut app,
        &[Action::GotoPhase(Phase::Scope), Action::Add, Action::Submit],
    );
    let Some(Overlay::Form(f)) = app.overlays.last() else {
        panic!("form closed");
    };
    assert_eq!(f.form.fields[0].error.as_deref(), Some("Name is required"));
    assert_eq!(session(&app).components.len(), 8);
}

#[test]
fn fields_move_with_tab_and_paste_never_submits() {
    let mut app = demo_app();
    act(&mut app, &[Action::GotoPhase(Phase::Scope), Action::Add]);
    act(
        &mut app,
        &[Action::NextField, Action::NextField, Action::NextField],
    );
    act(
        &mut app,
        &[Action::Paste("line one\r\nline two".to_string())],
    );
    act(
        &mut app,
        &[Action::PrevField, Action::PrevField, Action::PrevField],
    );
    let Some(Overlay::Form(f)) = app.overlays.last() else {
        panic!("form closed by paste");
    };
    assert_eq!(f.form.focus, 0);
    assert_eq!(f.form.text("description"), "line one\nline two");
}

#[test]
fn cancelling_a_changed_form_asks_first() {
    let mut app = demo_app();
    act(&mut app, &[Action::GotoPhase(Phase::Scope), Action::Add]);
    // Unchanged: Esc closes at once.
    act(&mut app, &[Action::Cancel]);
    assert!(app.overlays.is_empty());
    act(&mut app, &[Action::Add]);
    typed(&mut app, "x");
    act(&mut app, &[Action::Cancel]);
    assert!(matches!(app.overlays.last(), Some(Overlay::Confirm(_))));
    act(&mut app, &[Action::No]);
    assert!(matches!(app.overlays.last(), Some(Overlay::Form(_))));
    act(&mut app, &[Action::Cancel, Action::Yes]);
    assert!(app.overlays.is_empty());
    assert_eq!(session(&app).components.len(), 8);
}

#[test]
fn flows_pick_ends_and_mark_assets() {
    let mut app = demo_app();
    act(
        &mut app,
        &[
            Action::GotoPhase(Phase::Scope),
            Action::NextPane,
            Action::Add,
        ],
    );
    act(&mut app, &[Action::Open]);
    typed(&mut app, "staff functions");
    act(&mut app, &[Action::Open]);
    act(&mut app, &[Action::Open]);
    typed(&mut app, "logs");
    act(&mut app, &[Action::Open]);
    typed(&mut app, "Write audit log");
    act(&mut app, &[Action::NextField, Action::NextField]);
    act(&mut app, &[Action::Open]);
    act(&mut app, &[Action::Down, Action::Toggle, Action::Open]);
    act(&mut app, &[Action::Submit]);
    assert!(app.overlays.is_empty(), "{}", status(&app));
    let flow = session(&app).flows.last().unwrap().clone();
    assert_eq!((flow.from, flow.to), (id("C3"), id("C8")));
    assert_eq!(flow.assets, [id("A2")]);
    assert_valid(&app);
}

#[test]
fn a_flow_to_itself_is_refused_in_the_form() {
    let mut app = demo_app();
    act(
        &mut app,
        &[
            Action::GotoPhase(Phase::Scope),
            Action::NextPane,
            Action::Add,
        ],
    );
    for _ in 0..2 {
        act(&mut app, &[Action::Open]);
        typed(&mut app, "payslip api");
        act(&mut app, &[Action::Open]);
    }
    typed(&mut app, "Loop");
    act(&mut app, &[Action::Submit]);
    let Some(Overlay::Form(f)) = app.overlays.last() else {
        panic!("form closed");
    };
    assert_eq!(
        f.form.error.as_deref(),
        Some("a flow needs two different ends")
    );
}

#[test]
fn editing_opens_the_form_with_the_current_values() {
    let mut app = demo_app();
    act(
        &mut app,
        &[Action::GotoPhase(Phase::Scope), Action::Down, Action::Edit],
    );
    let Some(Overlay::Form(f)) = app.overlays.last() else {
        panic!("no form");
    };
    assert_eq!(f.form.text("name"), "Payslip functions");
    assert_eq!(f.form.key("kind").as_deref(), Some("aws.lambda"));
    typed(&mut app, " v2");
    act(&mut app, &[Action::Submit]);
    assert_eq!(
        session(&app).component(id("C2")).unwrap().name,
        "Payslip functions v2"
    );
    // Enter opens the same form.
    act(&mut app, &[Action::Open]);
    assert!(matches!(app.overlays.last(), Some(Overlay::Form(_))));
}

#[test]
fn delete_cascades_and_undo_restores_everything_but_time() {
    let mut app = demo_app();
    act(&mut app, &[Action::GotoPhase(Phase::Scope), Action::Down]);
    update(&mut app, Action::ToggleTimer, t(0));
    let before = session(&app).clone();
    update(&mut app, Action::Delete, t(10));
    assert!(session(&app).component(id("C2")).is_none());
    assert_eq!(session(&app).flows.len(), 5, "C2's five flows went with it");
    assert!(status(&app).contains("u undoes"), "{}", status(&app));
    assert_valid(&app);
    update(&mut app, Action::Undo, t(20));
    let after = session(&app);
    assert_eq!(after.components, before.components);
    assert_eq!(after.flows, before.flows);
    assert_eq!(after.threats, before.threats);
    // The clock kept running through the undo.
    assert_eq!(timer::running_phase(after), Some(Phase::Scope));
    update(&mut app, Action::Undo, t(30));
    assert_eq!(status(&app), "Nothing to undo");
}

#[test]
fn setup_edits_details_participants_agenda_and_voting() {
    let mut app = demo_app();
    act(&mut app, &[Action::GotoPhase(Phase::Setup), Action::Edit]);
    typed(&mut app, " (v2)");
    act(&mut app, &[Action::Submit]);
    assert_eq!(session(&app).title, "LeeJames HR payslips (v2)");

    act(&mut app, &[Action::NextPane, Action::Add]);
    typed(&mut app, "Priya");
    act(&mut app, &[Action::NextField]);
    let key = KeyEvent::new_with_kind(KeyCode::Char(' '), KeyModifiers::NONE, KeyEventKind::Press);
    update(&mut app, Action::Input(key), t(0));
    act(&mut app, &[Action::Submit]);
    let p6 = session(&app).participant(id("P6")).unwrap();
    assert_eq!(p6.name, "Priya");
    assert_eq!(p6.persona.map(|p| p.key()), Some("business"));
    assert_eq!(setup_screen(&app).cursor[1], 5);

    act(&mut app, &[Action::NextPane, Action::Down, Action::Edit]);
    let backspace =
        KeyEvent::new_with_kind(KeyCode::Backspace, KeyModifiers::NONE, KeyEventKind::Press);
    update(&mut app, Action::Input(backspace), t(0));
    typed(&mut app, "2");
    act(&mut app, &[Action::Submit]);
    assert_eq!(session(&app).agenda_item(Phase::Scope).unwrap().minutes, 2);

    act(
        &mut app,
        &[Action::NextPane, Action::Edit, Action::NextField],
    );
    typed(&mut app, "5");
    act(&mut app, &[Action::Submit]);
    assert_eq!(session(&app).voting.dots_per_person, Some(5));
    assert_valid(&app);
}

#[test]
fn deleting_a_participant_clears_their_ballot_and_authorship() {
    let mut app = demo_app();
    act(
        &mut app,
        &[
            Action::GotoPhase(Phase::Setup),
            Action::NextPane,
            Action::Delete,
        ],
    );
    assert!(session(&app).participant(id("P1")).is_none());
    assert_eq!(session(&app).facilitator, None);
    assert!(!session(&app).voting.ballots.contains_key(&id("P1")));
    assert_valid(&app);
}

#[test]
fn a_read_only_session_refuses_every_change() {
    let state = SessionState::new(PathBuf::from("x.toml"), demo()).read_only("pid 1 on elsewhere");
    let mut app = App::new(
        Catalogs::builtin().unwrap(),
        Themes::builtin().unwrap(),
        None,
        false,
    );
    app.show_session(state);
    assert!(status(&app).contains("Read-only"));
    let before = session(&app).clone();
    act(&mut app, &[Action::ToggleTimer, Action::ExtendTimer]);
    act(&mut app, &[Action::GotoPhase(Phase::Scope), Action::Delete]);
    assert!(status(&app).starts_with("Read-only"), "{}", status(&app));
    act(&mut app, &[Action::Undo]);
    let after = session(&app);
    assert_eq!(after.components, before.components);
    assert_eq!(after.agenda, before.agenda);
}

#[test]
fn home_opens_sessions_the_demo_and_the_new_session_form() {
    let mut app = home_app();
    if let Screen::Home(home) = &mut app.screen {
        home.sessions = vec![SessionEntry {
            path: PathBuf::from("sessions/a.toml"),
            title: "A".into(),
            updated: None,
            phase: Phase::Scope,
            threats: 0,
            problems: Vec::new(),
        }];
    }
    act(&mut app, &[Action::Down, Action::Open]);
    assert_eq!(
        app.effects,
        [Effect::OpenSession(PathBuf::from("sessions/a.toml"))]
    );
    app.effects.clear();
    act(&mut app, &[Action::OpenDemo, Action::Refresh]);
    assert_eq!(app.effects, [Effect::OpenDemo, Effect::RefreshHome]);
    app.effects.clear();
    act(&mut app, &[Action::NewSession]);
    typed(&mut app, "Checkout");
    act(&mut app, &[Action::NextField]);
    let space =
        KeyEvent::new_with_kind(KeyCode::Char(' '), KeyModifiers::NONE, KeyEventKind::Press);
    update(&mut app, Action::Input(space), t(0));
    act(&mut app, &[Action::Submit]);
    assert_eq!(
        app.effects,
        [Effect::CreateSession {
            title: "Checkout".into(),
            template: Template::Quick,
            facilitator: None,
        }]
    );
}

#[test]
fn an_empty_session_adds_its_first_items() {
    let mut app = app_with(Session::new("Empty", Template::Quick, t(0)));
    act(
        &mut app,
        &[
            Action::GotoPhase(Phase::Scope),
            Action::NextPane,
            Action::Add,
        ],
    );
    assert!(app.overlays.is_empty());
    assert!(status(&app).contains("A flow needs two ends"));
    act(&mut app, &[Action::Edit, Action::Delete]);
    assert!(status(&app).contains("No data flow yet"));
    act(&mut app, &[Action::PrevPane, Action::Add]);
    typed(&mut app, "API");
    act(&mut app, &[Action::Open, Action::Open]);
    typed(&mut app, "generic.process");
    act(&mut app, &[Action::Open, Action::Submit]);
    assert_eq!(session(&app).components.len(), 1);
    assert_eq!(session(&app).components[0].id, id("C1"));
}

#[test]
fn a_failed_save_keeps_the_work_and_is_retried() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("not-yet");
    let mut app = App::new(
        Catalogs::builtin().unwrap(),
        Themes::builtin().unwrap(),
        None,
        false,
    );
    app.show_session(SessionState::new(missing.join("s.toml"), demo()));
    act(&mut app, &[Action::GotoPhase(Phase::Scope), Action::Delete]);
    stridekit::tui::autosave(&mut app);
    let s = state(&app);
    assert!(s.is_dirty(), "still unsaved");
    assert!(s.save_error.is_some());
    assert!(
        status(&app).contains("your work is kept"),
        "{}",
        status(&app)
    );
    assert!(
        session(&app).component(id("C1")).is_none(),
        "the change stays in memory"
    );
    // The directory appears (a disk remounted, say): the next attempt saves.
    std::fs::create_dir_all(&missing).unwrap();
    stridekit::tui::autosave(&mut app);
    let s = state(&app);
    assert!(!s.is_dirty() && s.save_error.is_none() && s.last_saved.is_some());
    assert!(status(&app).contains("nothing was lost"));
    let saved = store::load(&missing.join("s.toml"), &Catalogs::builtin().unwrap()).unwrap();
    assert!(saved.session.component(id("C1")).is_none());
}

#[test]
fn a_letter_on_a_list_field_opens_its_picker_with_that_letter() {
    let mut app = demo_app();
    act(&mut app, &[Action::GotoPhase(Phase::Scope), Action::Add]);
    typed(&mut app, "Signer");
    act(&mut app, &[Action::NextField]);
    typed(&mut app, "lamb");
    let Some(Overlay::Picker(p)) = app.overlays.last() else {
        panic!("no picker");
    };
    assert_eq!(p.picker.filter, "lamb", "no letter was lost");
    assert_eq!(p.picker.current().unwrap().key, "aws.lambda");
}

#[test]
fn a_read_only_session_refuses_edits_at_the_key() {
    let state = SessionState::new(PathBuf::from("x.toml"), demo()).read_only("kim");
    let mut app = home_app();
    app.show_session(state);
    act(&mut app, &[Action::GotoPhase(Phase::Scope)]);
    for action in [Action::Add, Action::Edit, Action::Open, Action::Delete] {
        app.status = None;
        act(&mut app, std::slice::from_ref(&action));
        assert!(app.overlays.is_empty(), "{action:?} opened a form");
        assert_eq!(
            status(&app),
            "Read-only: kim is editing this session",
            "{action:?}"
        );
    }
    act(&mut app, &[Action::GotoPhase(Phase::Setup), Action::Edit]);
    assert!(app.overlays.is_empty());
}

#[test]
fn with_nobody_yet_the_facilitator_is_typed_and_joins_the_room() {
    let mut app = app_with(Session::new("Checkout", Template::Workshop, t(0)));
    act(&mut app, &[Action::Edit]);
    let Some(Overlay::Form(f)) = app.overlays.last() else {
        panic!("no form");
    };
    assert!(
        f.form.fields.iter().all(|f| f.key != "facilitator"),
        "no list of nobody to choose from"
    );
    act(&mut app, &[Action::NextField, Action::NextField]);
    typed(&mut app, "Kim");
    act(&mut app, &[Action::Submit]);
    assert!(app.overlays.is_empty(), "{}", status(&app));
    let s = session(&app);
    assert_eq!(s.participants.len(), 1);
    assert_eq!(s.participants[0].name, "Kim");
    assert_eq!(s.facilitator, Some(s.participants[0].id));
    // One undo takes both back.
    act(&mut app, &[Action::Undo]);
    assert!(session(&app).participants.is_empty());
    assert_eq!(session(&app).facilitator, None);
}

#[test]
fn a_required_list_field_says_how_to_fill_it() {
    let mut app = demo_app();
    act(
        &mut app,
        &[
            Action::GotoPhase(Phase::Scope),
            Action::NextPane,
            Action::Add,
            Action::Submit,
        ],
    );
    let Some(Overlay::Form(f)) = app.overlays.last() else {
        panic!("form closed");
    };
    let error = f.form.fields[0].error.as_deref().unwrap_or_default();
    assert_eq!(error, "required: Enter opens the list");
}

#[test]
fn the_phase_menu_jumps_with_a_digit() {
    let mut app = demo_app();
    act(&mut app, &[Action::PhaseMenu]);
    assert!(matches!(app.overlays.last(), Some(Overlay::Phases(_))));
    act(&mut app, &[Action::GotoPhase(Phase::Scope)]);
    assert!(app.overlays.is_empty());
    assert_eq!(session(&app).phase, Phase::Scope);
    act(&mut app, &[Action::PhaseMenu, Action::Up, Action::Open]);
    assert_eq!(session(&app).phase, Phase::Setup);
}

/// A burst of keys applied as the event loop applies them costs one save,
/// written by the writer thread; the file then holds every change.
#[test]
fn a_burst_of_keys_costs_one_save() {
    use ratatui::crossterm::event::Event;
    use stridekit::tui::{Saver, apply_event};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.toml");
    store::create(&path, &demo()).unwrap();
    let mut app = home_app();
    app.show_session(SessionState::new(path.clone(), demo()));
    let mut saver = Saver::new(None);
    let key = |c: char| {
        Event::Key(KeyEvent::new_with_kind(
            KeyCode::Char(c),
            KeyModifiers::NONE,
            KeyEventKind::Press,
        ))
    };
    // To Setup's participants, then three people added, 40-odd keys.
    let mut events = vec![key('P'), key('1'), key('a')];
    for name in ["Ana", "Bo", "Cy"] {
        events.extend(name.chars().map(key));
        events.push(Event::Key(KeyEvent::new_with_kind(
            KeyCode::Char('s'),
            KeyModifiers::CONTROL,
            KeyEventKind::Press,
        )));
        events.push(key('a'));
    }
    for event in &events {
        apply_event(&mut app, event, &mut saver);
    }
    assert!(state(&app).is_dirty());
    assert!(saver.start(&mut app), "one save for the burst");
    assert!(
        !saver.start(&mut app),
        "not a second while one is under way"
    );
    saver.wait(&mut app);
    assert_eq!(saver.started, 1);
    assert!(!state(&app).is_dirty(), "{}", status(&app));
    let saved = store::load(&path, &Catalogs::builtin().unwrap())
        .unwrap()
        .session;
    let names: Vec<&str> = saved.participants.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names[names.len() - 3..], ["Ana", "Bo", "Cy"]);
    // Nothing changed since: nothing more to save.
    assert!(!saver.start(&mut app));
}

/// A screen that asks: a picker on `a`, a question on `d`; its answers
/// change the session so the test can see them arrive.
struct Asker;

impl stridekit::tui::screens::PhaseScreen for Asker {
    fn phase(&self) -> Phase {
        Phase::Brainstorm
    }

    fn section(&self, _view: &stridekit::tui::context::View) -> stridekit::tui::keymap::Context {
        stridekit::tui::keymap::Context::Brainstorm
    }

    fn offer(
        &self,
        action: &Action,
        _view: &stridekit::tui::context::View,
    ) -> stridekit::tui::context::Offer {
        use stridekit::tui::context::Offer;
        match action {
            Action::Add | Action::Delete => Offer::Enabled,
            _ => Offer::Hidden,
        }
    }

    fn update(&mut self, action: Action, cx: &mut stridekit::tui::context::Ctx) {
        use stridekit::tui::context::Purpose;
        use stridekit::tui::picker::{PickItem, Picker};
        match action {
            Action::Add => {
                let items = vec![
                    PickItem::new("first", "First", ""),
                    PickItem::new("second", "Second", ""),
                ];
                cx.open_picker(
                    Picker::single("Pick", items, None, false),
                    Purpose::new("title"),
                );
            }
            Action::Delete => cx.confirm("Really?", Purpose::new(7u32)),
            _ => {}
        }
    }

    fn picked(
        &mut self,
        purpose: &stridekit::tui::context::Purpose,
        keys: Vec<String>,
        cx: &mut stridekit::tui::context::Ctx,
    ) {
        if purpose.get::<&str>() == Some(&"title") {
            cx.edit("pick a title", |s| s.title = keys.join(","));
        }
    }

    fn confirmed(
        &mut self,
        purpose: &stridekit::tui::context::Purpose,
        cx: &mut stridekit::tui::context::Ctx,
    ) {
        if purpose.get::<u32>() == Some(&7) {
            cx.edit("confirm", |s| s.description = "confirmed".to_string());
        }
    }

    fn draw(
        &self,
        _frame: &mut ratatui::Frame,
        _area: ratatui::layout::Rect,
        _view: &stridekit::tui::context::View,
    ) {
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

#[test]
fn pickers_and_questions_answer_the_screen_that_asked() {
    let mut state = SessionState::new(PathBuf::from("test.toml"), demo());
    let slot = state
        .screens
        .iter()
        .position(|s| s.phase() == Phase::Brainstorm)
        .unwrap();
    state.screens[slot] = Box::new(Asker);
    let mut app = home_app();
    app.show_session(state);
    act(
        &mut app,
        &[Action::GotoPhase(Phase::Brainstorm), Action::Add],
    );
    assert!(matches!(app.overlays.last(), Some(Overlay::Picker(_))));
    act(&mut app, &[Action::Down, Action::Open]);
    assert!(app.overlays.is_empty());
    assert_eq!(session(&app).title, "second");
    // No: nothing happens; yes: the screen hears of it.
    act(&mut app, &[Action::Delete, Action::No]);
    assert!(app.overlays.is_empty());
    assert_ne!(session(&app).description, "confirmed");
    act(&mut app, &[Action::Delete, Action::Yes]);
    assert_eq!(session(&app).description, "confirmed");
    // Both went through the edit funnel: two undo steps.
    act(&mut app, &[Action::Undo, Action::Undo]);
    assert_eq!(session(&app).title, "LeeJames HR payslips");
}

/// A line feed from the terminal (`Ctrl-J`: a paste without bracketed
/// paste, or a terminal that sends LF) is Enter: a new line in a text box,
/// never the editor's "delete to line start".
#[test]
fn a_line_feed_is_enter_not_a_deletion() {
    let mut app = demo_app();
    act(
        &mut app,
        &[
            Action::GotoPhase(Phase::Scope),
            Action::NextPane,
            Action::NextPane,
            Action::Add,
        ],
    );
    assert!(
        matches!(app.overlays.last(), Some(Overlay::Form(f)) if f.form.title == "Add assumption")
    );
    typed(&mut app, "Admins use managed laptops");
    for c in ['j', 'm'] {
        let line_end = ratatui::crossterm::event::Event::Key(KeyEvent::new_with_kind(
            KeyCode::Char(c),
            KeyModifiers::CONTROL,
            KeyEventKind::Press,
        ));
        let action = stridekit::tui::app::action_for(&app, &line_end).unwrap();
        update(&mut app, action, t(0));
    }
    typed(&mut app, "with disk encryption");
    act(&mut app, &[Action::Submit]);
    assert!(app.overlays.is_empty(), "{}", status(&app));
    let texts: Vec<&str> = session(&app)
        .assumptions
        .iter()
        .map(|a| a.text.as_str())
        .collect();
    assert!(
        texts.contains(&"Admins use managed laptops\n\nwith disk encryption"),
        "{texts:?}"
    );
}

/// Adds a component named `name` of a plain kind through the Scope form.
fn add_component(app: &mut App, name: &str) {
    act(app, &[Action::GotoPhase(Phase::Scope), Action::Add]);
    typed(app, name);
    act(app, &[Action::Open, Action::Open]);
    typed(app, "state machine");
    act(app, &[Action::Open, Action::Submit]);
    assert!(app.overlays.is_empty(), "{}", status(app));
}

fn component_ids(app: &App) -> Vec<String> {
    session(app)
        .components
        .iter()
        .map(|c| c.id.to_string())
        .collect()
}

#[test]
fn an_id_is_never_issued_twice_after_undo_or_delete() {
    let mut app = demo_app();
    assert_eq!(component_ids(&app).last().map(String::as_str), Some("C8"));
    // Add, undo the add, add again: the undone C9 is not given out again.
    add_component(&mut app, "Payroll export");
    assert!(session(&app).component(id("C9")).is_some());
    update(&mut app, Action::Undo, t(1));
    assert!(session(&app).component(id("C9")).is_none());
    add_component(&mut app, "Payroll export again");
    assert!(session(&app).component(id("C9")).is_none(), "C9 reused");
    assert_eq!(
        session(&app).component(id("C10")).map(|c| c.name.as_str()),
        Some("Payroll export again")
    );
    // Delete the newest, add: not C10 again either.
    act(&mut app, &[Action::Bottom, Action::Delete]);
    assert!(session(&app).component(id("C10")).is_none());
    add_component(&mut app, "Third");
    assert_eq!(
        session(&app).component(id("C11")).map(|c| c.name.as_str()),
        Some("Third")
    );
    assert_valid(&app);
}

#[test]
fn undo_goes_back_several_steps_and_undoes_edits_as_well_as_additions() {
    let mut app = demo_app();
    let original = session(&app).clone();
    // An edit: rename C2.
    act(
        &mut app,
        &[Action::GotoPhase(Phase::Scope), Action::Down, Action::Edit],
    );
    typed(&mut app, " v2");
    act(&mut app, &[Action::Submit]);
    let renamed = session(&app).clone();
    assert_eq!(
        renamed.component(id("C2")).unwrap().name,
        "Payslip functions v2"
    );
    // Then an addition and a deletion.
    add_component(&mut app, "Payroll export");
    let added = session(&app).clone();
    act(&mut app, &[Action::Top, Action::Delete]);
    assert!(session(&app).component(id("C1")).is_none());

    update(&mut app, Action::Undo, t(1));
    assert_eq!(
        session(&app).components,
        added.components,
        "the delete undone"
    );
    assert_eq!(session(&app).flows, added.flows);
    update(&mut app, Action::Undo, t(2));
    assert_eq!(
        session(&app).components,
        renamed.components,
        "the add undone"
    );
    update(&mut app, Action::Undo, t(3));
    assert_eq!(
        session(&app).components,
        original.components,
        "the rename undone"
    );
    assert_eq!(session(&app).threats, original.threats);
    update(&mut app, Action::Undo, t(4));
    assert_eq!(status(&app), "Nothing to undo");
}

#[test]
fn a_clock_left_running_by_a_crash_is_stopped_as_of_the_last_save() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("crashed.toml");
    // Saved an hour ago with the Scope clock running for the minute
    // before that save; then the process died.
    let now = Timestamp::now();
    let saved_at = Timestamp::from_unix(now.unix() - 3600);
    let mut s = demo();
    s.phase = Phase::Scope;
    timer::pause_all(&mut s, saved_at);
    let before = s
        .agenda
        .iter()
        .find(|a| a.phase == Phase::Scope)
        .unwrap()
        .elapsed_secs;
    timer::start(
        &mut s,
        Phase::Scope,
        Timestamp::from_unix(saved_at.unix() - 60),
    );
    s.updated = saved_at;
    std::fs::write(&path, store::to_toml(&s).unwrap()).unwrap();

    let catalogs = Catalogs::builtin().unwrap();
    let state = stridekit::tui::open_session(&catalogs, &path).unwrap();
    let reading = timer::reading(state.session(), Phase::Scope, Timestamp::now());
    assert!(!reading.running, "the clock stands after reopening");
    assert_eq!(
        reading.elapsed_secs,
        before + 60,
        "the minute before the save counts; the hour after it does not"
    );
    assert!(state.is_dirty(), "the stopped clock is saved");
}

/// The demo, like a hand-written file, records no ids: deleting its last
/// component and adding one must not give the deleted id out again (found
/// by the random-key property).
#[test]
fn deleting_the_newest_item_of_a_file_that_records_no_ids_never_reuses_it() {
    let mut app = demo_app();
    assert!(session(&app).last_ids.is_empty());
    act(
        &mut app,
        &[
            Action::GotoPhase(Phase::Scope),
            Action::Bottom,
            Action::Delete,
        ],
    );
    assert!(session(&app).component(id("C8")).is_none());
    add_component(&mut app, "Payroll export");
    assert!(
        session(&app).component(id("C8")).is_none(),
        "C8 given out again"
    );
    assert_eq!(
        session(&app).component(id("C9")).map(|c| c.name.as_str()),
        Some("Payroll export")
    );
}
