//! Vote, Plan, Review and the export overlay: `update` for every voting
//! rule (budget, cap, rules never below the dots placed, hidden until
//! revealed, the secret hand-over, abstaining, tally, rating, ties and
//! their order by hand), the plan's moves, screen snapshots (`TestBackend`
//! and insta) with style assertions, and the export dialog up to the
//! effect the event loop writes.

use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use ratatui::style::{Color as TermColor, Modifier};

use stridekit::core::catalog::Catalogs;
use stridekit::core::diag::Severity;
use stridekit::core::export::Format;
use stridekit::core::ids::Id;
use stridekit::core::model::{
    Mitigation, MitigationStatus, Phase, PriorityBy, Session, Template, ThreatStatus, VotingMode,
};
use stridekit::core::scoring;
use stridekit::core::store;
use stridekit::core::theme::{Color, Themes};
use stridekit::core::time::Timestamp;
use stridekit::core::validate::validate;
use stridekit::tui::app::{self, App, SessionState};
use stridekit::tui::context::Effect;
use stridekit::tui::overlays::Overlay;
use stridekit::tui::screens::plan::{Focus, PlanScreen};
use stridekit::tui::screens::vote::VoteScreen;
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

/// The demo on Vote with its ballots cleared: 12 threats, 5 people,
/// 3 dots each, at most 2 on a threat, in `mode`.
fn vote_app(mode: VotingMode) -> App {
    let mut s = demo_session();
    s.phase = Phase::Vote;
    s.voting.mode = mode;
    s.voting.ballots.clear();
    s.voting.tally.clear();
    s.voting.dots_per_person = Some(3);
    s.voting.cap_per_threat = 2;
    show(s, None)
}

fn plan_app() -> App {
    let mut s = demo_session();
    s.phase = Phase::Plan;
    show(s, None)
}

fn session(app: &App) -> &Session {
    app.session().unwrap().session()
}

fn vote(app: &App) -> &VoteScreen {
    app.session().unwrap().screen::<VoteScreen>().unwrap()
}

fn plan(app: &App) -> &PlanScreen {
    app.session().unwrap().screen::<PlanScreen>().unwrap()
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

fn press(app: &mut App, code: KeyCode) {
    let modifiers = match code {
        KeyCode::Char(c) if c.is_ascii_uppercase() => KeyModifiers::SHIFT,
        _ => KeyModifiers::NONE,
    };
    let event = Event::Key(KeyEvent::new_with_kind(
        code,
        modifiers,
        KeyEventKind::Press,
    ));
    if let Some(action) = app::action_for(app, &event) {
        app::update(app, action, now());
    }
}

/// Types `text`, one key per character, through the keymap.
fn keys(app: &mut App, text: &str) {
    for c in text.chars() {
        press(app, KeyCode::Char(c));
    }
}

fn ctrl_s(app: &mut App) {
    let event = Event::Key(KeyEvent::new_with_kind(
        KeyCode::Char('s'),
        KeyModifiers::CONTROL,
        KeyEventKind::Press,
    ));
    if let Some(action) = app::action_for(app, &event) {
        app::update(app, action, now());
    }
}

fn dots(app: &App, voter: &str, threat: &str) -> u32 {
    session(app)
        .voting
        .ballots
        .get(&id(voter))
        .and_then(|b| b.get(&id(threat)))
        .copied()
        .unwrap_or(0)
}

fn form_error(app: &App) -> Option<String> {
    match app.overlays.last() {
        Some(Overlay::Form(f)) => f.form.error.clone(),
        _ => None,
    }
}

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

fn rgb(role: &str) -> TermColor {
    let themes = Themes::builtin().unwrap();
    match themes.get("dark").unwrap().color(role) {
        Color::Rgb(r, g, b) => TermColor::Rgb(r, g, b),
        other => panic!("{role} is {other:?}"),
    }
}

/// The buffer position of the first `needle` on a line containing `row`.
fn find(buffer: &Buffer, row: &str, needle: &str) -> (u16, u16) {
    let text = text_of(buffer);
    let (y, line) = text
        .lines()
        .enumerate()
        .find(|(_, l)| l.contains(row))
        .unwrap_or_else(|| panic!("no line with {row:?} in\n{text}"));
    let line = &line[1..];
    let at = line
        .find(needle)
        .unwrap_or_else(|| panic!("no {needle:?} in {line:?}"));
    let x = line[..at].chars().count();
    (u16::try_from(x).unwrap(), u16::try_from(y).unwrap())
}

// ---------------------------------------------------------------- voting rules

#[test]
fn dots_stay_within_the_budget_and_the_cap() {
    let mut app = vote_app(VotingMode::Open);
    // Kim, on T1: two dots, then the cap.
    keys(&mut app, "++");
    assert_eq!(dots(&app, "P1", "T1"), 2);
    keys(&mut app, "+");
    assert_eq!(dots(&app, "P1", "T1"), 2, "the cap holds");
    assert!(status(&app).contains("At most 2"), "{}", status(&app));
    // The third dot on T2, then the budget is spent.
    keys(&mut app, "j+");
    assert_eq!(dots(&app, "P1", "T2"), 1);
    keys(&mut app, "j+");
    assert_eq!(dots(&app, "P1", "T3"), 0, "the budget holds");
    assert!(
        status(&app).contains("placed all 3 dots"),
        "{}",
        status(&app)
    );
    // A dot taken back frees one.
    keys(&mut app, "k-j+");
    assert_eq!((dots(&app, "P1", "T2"), dots(&app, "P1", "T3")), (0, 1));
    // Tab: the next voter has a budget of their own.
    press(&mut app, KeyCode::Tab);
    keys(&mut app, "+");
    assert_eq!(dots(&app, "P2", "T3"), 1);
    assert_eq!(scoring::spent(session(&app), id("P1")), 3);
    // Every step undoes.
    keys(&mut app, "u");
    assert_eq!(dots(&app, "P2", "T3"), 0);
    assert!(
        errors(session(&app)).is_empty(),
        "{:?}",
        errors(session(&app))
    );
}

#[test]
fn the_rules_change_during_the_vote_but_never_below_the_dots_placed() {
    let mut app = vote_app(VotingMode::Open);
    keys(&mut app, "++j+");
    keys(&mut app, "s");
    assert!(matches!(app.overlays.last(), Some(Overlay::Form(_))));
    // Dots per person: 2 is below the 3 Kim placed.
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Backspace);
    keys(&mut app, "2");
    ctrl_s(&mut app);
    let error = form_error(&app).expect("refused");
    assert!(error.contains("at least 3"), "{error}");
    // The cap: 1 is below the 2 dots on T1.
    press(&mut app, KeyCode::Backspace);
    keys(&mut app, "5");
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Backspace);
    keys(&mut app, "1");
    ctrl_s(&mut app);
    let error = form_error(&app).expect("refused");
    assert!(error.contains("at least 2"), "{error}");
    press(&mut app, KeyCode::Backspace);
    keys(&mut app, "3");
    ctrl_s(&mut app);
    assert!(app.overlays.is_empty(), "{:?}", form_error(&app));
    let v = &session(&app).voting;
    assert_eq!((v.dots_per_person, v.cap_per_threat), (Some(5), 3));
    // More dots now fit.
    keys(&mut app, "j+");
    assert_eq!(dots(&app, "P1", "T3"), 1);
}

#[test]
fn hidden_totals_stay_hidden_until_revealed() {
    let mut app = vote_app(VotingMode::Hidden);
    keys(&mut app, "+");
    press(&mut app, KeyCode::Enter); // Kim is done; Doug votes.
    assert_eq!(vote(&app).voter, 1);
    assert!(session(&app).voting.done.contains(&id("P1")));
    keys(&mut app, "++");
    let text = render_text(&mut app, 120, 40);
    assert!(text.contains("Totals stay hidden"), "{text}");
    let t1 = text.lines().find(|l| l.contains("T1 ")).unwrap();
    assert!(t1.contains(" ? "), "T1's total hidden: {t1}");
    assert!(t1.contains("●●"), "Doug's own dots show: {t1}");
    // The plan would give the ranking away.
    keys(&mut app, "]");
    assert!(render_text(&mut app, 80, 24).contains("not revealed yet"));
    keys(&mut app, "a");
    assert!(app.overlays.is_empty());
    assert!(
        status(&app).contains("reveal it in Vote"),
        "{}",
        status(&app)
    );
    keys(&mut app, "[");
    snap_both("vote_hidden", &mut app);
    keys(&mut app, "r");
    assert!(session(&app).voting.revealed);
    let text = render_text(&mut app, 120, 40);
    let t1 = text.lines().find(|l| l.contains("T1 ")).unwrap();
    assert!(t1.contains(" 3 "), "T1's total shows: {t1}");
    assert!(text.contains("Ranking"), "{text}");
    snap_both("vote_hidden_revealed", &mut app);
    // The revealed total is drawn in the dot colour (off the cursor row).
    keys(&mut app, "j");
    let buffer = render(&mut app, 120, 40);
    let (x, y) = find(&buffer, "T1    Home", " 3 ");
    assert_eq!(buffer[(x + 1, y)].fg, rgb("vote.dot"));
}

#[test]
fn a_secret_ballot_hands_the_keyboard_over_and_shows_no_one_else_s_dots() {
    let mut app = vote_app(VotingMode::Secret);
    let mut s = session(&app).clone();
    s.participants.truncate(2);
    for t in &mut s.threats {
        std::sync::Arc::make_mut(t).author = None;
    }
    app = show(s, None);
    // Nobody has the keyboard yet: a blank screen.
    let text = render_text(&mut app, 80, 24);
    assert!(text.contains("Pass the keyboard to Kim"), "{text}");
    keys(&mut app, "+");
    assert!(session(&app).voting.ballots.is_empty(), "keys do nothing");
    press(&mut app, KeyCode::Enter);
    keys(&mut app, "++j+");
    assert_eq!(dots(&app, "P1", "T1"), 2);
    // Undo's message would be read by the next voter: it names no threat.
    assert!(!status(&app).contains("T2"), "{}", status(&app));
    press(&mut app, KeyCode::Enter); // Kim is done.
    let text = render_text(&mut app, 80, 24);
    assert!(text.contains("Pass the keyboard to Doug"), "{text}");
    assert!(!text.contains('●'), "Kim's ballot is gone: {text}");
    snap_both("vote_secret_handover", &mut app);
    press(&mut app, KeyCode::Enter);
    let text = render_text(&mut app, 120, 40);
    assert!(text.contains("Doug"), "{text}");
    assert!(
        !text.contains('●'),
        "nothing of Kim's shows to Doug: {text}"
    );
    assert!(text.contains("Totals stay hidden"), "{text}");
    // Tab would show another ballot: the turn passes with Enter only.
    press(&mut app, KeyCode::Tab);
    assert_eq!(vote(&app).voter, 1);
    // Not everyone has voted: no reveal.
    keys(&mut app, "r");
    assert!(!session(&app).voting.revealed);
    assert!(status(&app).contains("1 of 2"), "{}", status(&app));
    // Doug abstains: everyone is through, the screen is blank again.
    keys(&mut app, "a");
    assert!(session(&app).voting.abstained.contains(&id("P2")));
    let text = render_text(&mut app, 80, 24);
    assert!(text.contains("Everyone has voted"), "{text}");
    assert!(!text.contains('●'), "{text}");
    keys(&mut app, "r");
    assert!(session(&app).voting.revealed);
    let text = render_text(&mut app, 120, 40);
    let t1 = text.lines().find(|l| l.contains("T1 ")).unwrap();
    assert!(t1.contains(" 2 "), "{t1}");
    assert!(
        errors(session(&app)).is_empty(),
        "{:?}",
        errors(session(&app))
    );
}

#[test]
fn an_abstaining_voter_gives_back_their_dots() {
    let mut app = vote_app(VotingMode::Open);
    keys(&mut app, "++");
    keys(&mut app, "a");
    let v = &session(&app).voting;
    assert!(v.abstained.contains(&id("P1")));
    assert!(!v.ballots.contains_key(&id("P1")));
    assert_eq!(vote(&app).voter, 1, "on to the next voter");
}

#[test]
fn a_tally_is_typed_in_as_counts() {
    let mut app = vote_app(VotingMode::Tally);
    keys(&mut app, "12");
    assert_eq!(session(&app).voting.tally.get(&id("T1")), Some(&12));
    keys(&mut app, "+");
    assert_eq!(session(&app).voting.tally.get(&id("T1")), Some(&13));
    keys(&mut app, "j4");
    assert_eq!(session(&app).voting.tally.get(&id("T2")), Some(&4));
    // Back on T1 a new count starts afresh.
    keys(&mut app, "k7");
    assert_eq!(session(&app).voting.tally.get(&id("T1")), Some(&7));
    keys(&mut app, "-------");
    assert_eq!(session(&app).voting.tally.get(&id("T1")), None);
    keys(&mut app, "-");
    assert!(status(&app).contains("no votes"), "{}", status(&app));
    let r = scoring::rank(session(&app));
    assert_eq!(r[0].threat, id("T2"));
    snap_both("vote_tally", &mut app);
}

#[test]
fn ratings_take_single_keys_and_any_session_can_rate() {
    let mut s = demo_session();
    s.phase = Phase::Vote;
    s.template = Template::Quick;
    s.voting.mode = VotingMode::Rating;
    for t in &mut s.threats {
        let t = std::sync::Arc::make_mut(t);
        t.likelihood = None;
        t.impact = None;
    }
    let mut app = show(s, None);
    keys(&mut app, "45");
    let t1 = session(&app).threat(id("T1")).unwrap();
    assert_eq!(
        (t1.likelihood, t1.impact, t1.risk()),
        (Some(4), Some(5), Some(20))
    );
    assert_eq!(vote(&app).cursor, 1, "on to the next threat");
    assert!(status(&app).contains("risk 20"), "{}", status(&app));
    keys(&mut app, "6");
    assert!(status(&app).contains("1 to 5"), "{}", status(&app));
    keys(&mut app, "3l2");
    let t2 = session(&app).threat(id("T2")).unwrap();
    assert_eq!((t2.likelihood, t2.impact), (Some(3), Some(2)));
    keys(&mut app, "kk0");
    assert_eq!(session(&app).threat(id("T1")).unwrap().likelihood, None);
    snap_both("vote_rating", &mut app);
    // A voting session rates after v.
    let mut app = vote_app(VotingMode::Open);
    keys(&mut app, "v21");
    let t1 = session(&app).threat(id("T1")).unwrap();
    assert_eq!((t1.likelihood, t1.impact), (Some(2), Some(1)));
    keys(&mut app, "v+");
    assert_eq!(dots(&app, "P1", "T2"), 1, "v went back to dots");
}

#[test]
fn the_heat_map_counts_each_cell_and_lists_its_threats() {
    let mut app = vote_app(VotingMode::Open);
    keys(&mut app, "m");
    let text = render_text(&mut app, 120, 40);
    assert!(text.contains("Heat map"), "{text}");
    snap_both("vote_heat_map", &mut app);
    // The cursor starts on 5 x 5: the critical corner.
    let buffer = render(&mut app, 120, 40);
    let (x, y) = find(&buffer, "│            5 ", "1");
    let cell = &buffer[(x + 1, y)];
    assert!(cell.modifier.contains(Modifier::REVERSED));
    assert_eq!(cell.fg, rgb("risk.critical"));
    // 4 x 4 has T8 and T9.
    keys(&mut app, "jh");
    assert_eq!(vote(&app).cell, (4, 4));
    press(&mut app, KeyCode::Enter);
    assert_eq!(vote(&app).cell_filter, Some((4, 4)));
    let text = render_text(&mut app, 80, 24);
    assert!(text.contains("T8 ") && text.contains("T9 "), "{text}");
    assert!(!text.contains("T1 "), "{text}");
    press(&mut app, KeyCode::Esc);
    assert_eq!(vote(&app).cell_filter, None);
}

#[test]
fn open_vote_on_screen() {
    let mut app = vote_app(VotingMode::Open);
    keys(&mut app, "+j++");
    snap_both("vote_open", &mut app);
    let buffer = render(&mut app, 80, 24);
    let (x, y) = find(&buffer, "T1    Home", "●");
    assert_eq!(buffer[(x, y)].fg, rgb("vote.dot"));
}

// ---------------------------------------------------------------- ranking

/// A session where every threat ties (no votes, no ratings).
fn tied_app() -> App {
    let mut s = demo_session();
    s.phase = Phase::Plan;
    s.voting.ballots.clear();
    for t in &mut s.threats {
        let t = std::sync::Arc::make_mut(t);
        t.likelihood = None;
        t.impact = None;
    }
    show(s, None)
}

#[test]
fn ties_show_as_ties_and_are_ordered_by_hand() {
    let mut app = tied_app();
    let text = render_text(&mut app, 120, 40);
    assert!(text.contains("1="), "{text}");
    let first = scoring::rank(session(&app))[0].threat;
    press(&mut app, KeyCode::Char('>'));
    let ranking = scoring::rank(session(&app));
    assert_eq!(ranking[1].threat, first, "moved down one");
    assert_eq!(plan(&app).cursor, 1, "the cursor follows it");
    assert_eq!(session(&app).voting.order.len(), ranking.len());
    assert!(!ranking[0].tied && !ranking[1].tied, "put in order by hand");
    press(&mut app, KeyCode::Char('<'));
    assert_eq!(scoring::rank(session(&app))[0].threat, first);
    press(&mut app, KeyCode::Char('<'));
    assert!(status(&app).contains("already first"), "{}", status(&app));
    // A threat with its own number of dots ties with nobody.
    let mut app = plan_app();
    press(&mut app, KeyCode::Char('>'));
    assert!(
        status(&app).contains("ties with no other"),
        "{}",
        status(&app)
    );
}

// ---------------------------------------------------------------- plan

fn to_threat(app: &mut App, threat: &str) {
    let at = scoring::rank(session(app))
        .iter()
        .position(|r| r.threat == id(threat))
        .unwrap();
    keys(app, "g");
    for _ in 0..at {
        keys(app, "j");
    }
    assert_eq!(plan(app).cursor, at);
}

#[test]
fn a_proposed_mitigation_is_adopted_with_one_key_and_given_an_owner() {
    let mut app = plan_app();
    to_threat(&mut app, "T7");
    keys(&mut app, "y");
    let m7 = session(&app)
        .mitigations
        .iter()
        .find(|m| m.id == id("M7"))
        .unwrap();
    assert_eq!(m7.status, MitigationStatus::Planned);
    assert_eq!(
        session(&app).threat(id("T7")).unwrap().status,
        ThreatStatus::Mitigating
    );
    // T7 has more than one mitigation: o asks which.
    keys(&mut app, "o");
    assert!(status(&app).contains("Tab to them"), "{}", status(&app));
    press(&mut app, KeyCode::Tab);
    let at = session(&app)
        .mitigations_of(id("T7"))
        .position(|m| m.id == id("M7"))
        .unwrap();
    for _ in 0..at {
        keys(&mut app, "j");
    }
    // o: a participant from the list.
    keys(&mut app, "o");
    assert!(matches!(app.overlays.last(), Some(Overlay::Picker(_))));
    keys(&mut app, "Sam");
    press(&mut app, KeyCode::Enter);
    let m7 = session(&app)
        .mitigations
        .iter()
        .find(|m| m.id == id("M7"))
        .unwrap();
    assert_eq!(m7.owner, "Sam");
    // Or anyone, typed.
    keys(&mut app, "o");
    keys(&mut app, "someone");
    press(&mut app, KeyCode::Enter);
    assert!(matches!(app.overlays.last(), Some(Overlay::Form(_))));
    press(&mut app, KeyCode::Backspace);
    for _ in 0..3 {
        press(&mut app, KeyCode::Backspace);
    }
    keys(&mut app, "Platform team");
    press(&mut app, KeyCode::Enter);
    let m7 = session(&app)
        .mitigations
        .iter()
        .find(|m| m.id == id("M7"))
        .unwrap();
    assert_eq!(m7.owner, "Platform team");
    assert!(
        errors(session(&app)).is_empty(),
        "{:?}",
        errors(session(&app))
    );
}

#[test]
fn a_written_mitigation_can_cover_several_threats() {
    let mut app = plan_app();
    to_threat(&mut app, "T11");
    let before = session(&app).mitigations.len();
    keys(&mut app, "a");
    keys(&mut app, "Rate-limit the API with a usage plan");
    press(&mut app, KeyCode::Tab);
    keys(&mut app, "Doug");
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Enter); // the threats picker
    keys(&mut app, "forwarded");
    press(&mut app, KeyCode::Char(' '));
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Enter);
    ctrl_s(&mut app);
    assert!(app.overlays.is_empty(), "{:?}", form_error(&app));
    assert_eq!(session(&app).mitigations.len(), before + 1);
    let m = session(&app).mitigations.last().unwrap();
    assert_eq!(m.owner, "Doug");
    assert_eq!(m.status, MitigationStatus::Planned);
    assert!(m.threats.contains(&id("T11")), "{:?}", m.threats);
    assert_eq!(plan(&app).focus, Focus::Mitigations);
    snap_both("plan_mitigations", &mut app);
}

#[test]
fn catalog_mitigations_are_picked_and_shared() {
    let mut app = plan_app();
    to_threat(&mut app, "T11");
    keys(&mut app, "c");
    let Some(Overlay::Picker(p)) = app.overlays.last() else {
        panic!("a picker");
    };
    assert!(!p.picker.items.is_empty());
    let first = p.picker.items[0].key.clone();
    press(&mut app, KeyCode::Tab); // mark the first
    press(&mut app, KeyCode::Enter);
    let m = session(&app)
        .mitigations
        .iter()
        .find(|m| m.catalog.as_deref() == Some(first.as_str()))
        .expect("taken from the catalog")
        .clone();
    assert!(m.threats.contains(&id("T11")));
    assert_eq!(m.status, MitigationStatus::Planned);
    // d takes it off again (the only threat: it goes), u undoes.
    keys(&mut app, "d");
    assert!(!session(&app).mitigations.iter().any(|x| x.id == m.id));
    keys(&mut app, "u");
    assert!(session(&app).mitigations.iter().any(|x| x.id == m.id));
}

/// A mitigation on no threat (imports bring them) is named on the banner
/// and put on a threat with l; u takes it off again.
#[test]
fn a_mitigation_on_no_threat_is_shown_and_put_on_a_threat() {
    let mut s = demo_session();
    s.phase = Phase::Plan;
    s.mitigations.push(Mitigation {
        id: id("M90"),
        threats: Vec::new(),
        text: "Rotate the payslip signing key".to_string(),
        catalog: None,
        owner: String::new(),
        status: MitigationStatus::Planned,
        notes: String::new(),
        tags: Vec::new(),
        properties: Default::default(),
    });
    let mut app = show(s, None);
    let long = "1 mitigation on no threat: press l";
    let wide = render(&mut app, 120, 40);
    let (x, y) = find(&wide, "go to the backlog", long);
    assert_eq!(wide[(x, y)].fg, rgb("warning"));
    // At 80 columns the short form, still on the banner line.
    let narrow = render_text(&mut app, 80, 24);
    let banner = narrow
        .lines()
        .find(|l| l.contains("go to the backlog"))
        .unwrap();
    assert!(banner.contains("· 1 unlinked (l)"), "{banner}");

    to_threat(&mut app, "T11");
    assert_eq!(
        session(&app).threat(id("T11")).unwrap().status,
        ThreatStatus::Open
    );
    keys(&mut app, "l");
    let Some(Overlay::Picker(p)) = app.overlays.last() else {
        panic!("a picker: {}", status(&app));
    };
    assert_eq!(p.picker.items[0].key, "M90", "the loose one comes first");
    assert!(
        p.picker.items[0].detail.contains("on no threat"),
        "{}",
        p.picker.items[0].detail
    );
    // Those on other threats follow, none already on T11.
    assert!(p.picker.items.len() > 1);
    assert!(p.picker.items.iter().all(|i| {
        !session(&app)
            .mitigations_of(id("T11"))
            .any(|m| m.id.to_string() == i.key)
    }));
    press(&mut app, KeyCode::Tab); // mark the first
    press(&mut app, KeyCode::Enter);
    assert!(app.overlays.is_empty());
    let m90 = session(&app)
        .mitigations
        .iter()
        .find(|m| m.id == id("M90"))
        .unwrap();
    assert_eq!(m90.threats, vec![id("T11")]);
    assert_eq!(status(&app), "M90 covers T11 now; u undoes");
    assert_eq!(
        session(&app).threat(id("T11")).unwrap().status,
        ThreatStatus::Mitigating,
        "a planned mitigation puts it under way"
    );
    assert_eq!(plan(&app).focus, Focus::Mitigations);
    let text = render_text(&mut app, 120, 40);
    assert!(!text.contains("on no threat"), "{text}");
    assert!(text.contains("› M90  Rotate the"), "{text}");

    keys(&mut app, "u");
    assert!(
        session(&app)
            .mitigations
            .iter()
            .any(|m| m.id == id("M90") && m.threats.is_empty())
    );
    assert!(
        errors(session(&app)).is_empty(),
        "{:?}",
        errors(session(&app))
    );

    // With no mitigation in the session, l says what to do instead.
    let mut s = demo_session();
    s.phase = Phase::Plan;
    s.mitigations.clear();
    let mut app = show(s, None);
    keys(&mut app, "l");
    assert!(app.overlays.is_empty());
    assert!(
        status(&app).contains("No mitigation in the session yet"),
        "{}",
        status(&app)
    );
    // Read-only, it is refused.
    let mut s = demo_session();
    s.phase = Phase::Plan;
    let mut app = show(s, Some("pid 4242 on laptop"));
    keys(&mut app, "l");
    assert!(app.overlays.is_empty());
    assert!(status(&app).contains("Read-only"), "{}", status(&app));
}

#[test]
fn accepted_and_transferred_need_a_reason() {
    let mut app = plan_app();
    to_threat(&mut app, "T8");
    keys(&mut app, "s");
    // open -> mitigating -> mitigated -> accepted
    keys(&mut app, "   ");
    ctrl_s(&mut app);
    let error = form_error(&app).expect("refused");
    assert!(error.contains("needs a reason"), "{error}");
    press(&mut app, KeyCode::Tab);
    keys(&mut app, "Logs stay inside the account");
    ctrl_s(&mut app);
    assert!(app.overlays.is_empty(), "{:?}", form_error(&app));
    let t8 = session(&app).threat(id("T8")).unwrap();
    assert_eq!(t8.status, ThreatStatus::Accepted);
    assert_eq!(t8.status_reason, "Logs stay inside the account");
}

#[test]
fn the_cut_line_moves_with_a_key_and_is_kept() {
    let mut app = plan_app();
    let n = session(&app).threats.len();
    keys(&mut app, "---");
    assert_eq!(session(&app).cut_line, Some(u32::try_from(n - 3).unwrap()));
    let text = render_text(&mut app, 120, 40);
    assert!(
        text.contains(&format!("cut line (top {})", n - 3)),
        "{text}"
    );
    snap_both("plan", &mut app);
    // Style: the cut line in the accent colour; a threat below it muted.
    let buffer = render(&mut app, 120, 40);
    let (x, y) = find(&buffer, "cut line", "cut line");
    assert_eq!(buffer[(x, y)].fg, rgb("accent"));
    keys(&mut app, "+++");
    assert_eq!(session(&app).cut_line, None, "back to every threat");
    keys(&mut app, "+");
    assert!(status(&app).contains("Every threat"), "{}", status(&app));
}

#[test]
fn backlog_threats_without_a_plan_are_flagged() {
    let mut app = plan_app();
    let buffer = render(&mut app, 120, 40);
    let (x, y) = find(&buffer, "T11 ", "no plan");
    assert_eq!(buffer[(x, y)].fg, rgb("warning"));
}

// ---------------------------------------------------------------- review

#[test]
fn the_review_shows_coverage_time_backlog_and_what_is_unfinished() {
    let mut s = demo_session();
    s.cut_line = Some(10);
    s.phase = Phase::Review;
    let mut app = show(s, None);
    let text = render_text(&mut app, 120, 40);
    for part in [
        "Coverage of the walk",
        "Spoofing",
        "Time",
        "Brainstorm",
        "The backlog: the top 10 of 12",
        "Unfinished",
        "T11 no mitigation planned",
        "Scope check",
    ] {
        assert!(text.contains(part), "{part}: {text}");
    }
    assert!(
        !text.contains("T7 no mitigation"),
        "below the cut line: {text}"
    );
    snap_both("review", &mut app);
    // Overtime shows in the warning colour.
    let buffer = render(&mut app, 120, 40);
    let (x, y) = find(&buffer, "1 Setup        ", "over");
    assert_eq!(buffer[(x, y)].fg, rgb("warning"));
    // At 80 columns everything is one column that scrolls.
    let top = render_text(&mut app, 80, 24);
    assert!(
        top.contains("more lines (j, PgDn)"),
        "says there is more: {top}"
    );
    keys(&mut app, "G");
    let bottom = render_text(&mut app, 80, 24);
    assert_ne!(top, bottom);
    assert!(bottom.contains("Total"), "{bottom}");
    assert!(bottom.contains("k, PgUp: back up"), "{bottom}");
    let buffer = render(&mut app, 80, 24);
    let (x, y) = find(&buffer, "back up", "back up");
    assert_eq!(buffer[(x, y)].fg, rgb("muted"));
}

// ---------------------------------------------------------------- export

fn exports(app: &App) -> Vec<stridekit::tui::export::Export> {
    app.effects
        .iter()
        .filter_map(|e| match e {
            Effect::Export(x) => Some(x.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn the_export_overlay_proposes_a_file_and_keeps_the_jira_options() {
    let mut app = plan_app();
    keys(&mut app, "-");
    keys(&mut app, "E");
    let Some(Overlay::Picker(p)) = app.overlays.last() else {
        panic!("the format picker");
    };
    let keys_offered: Vec<&str> = p.picker.items.iter().map(|i| i.key.as_str()).collect();
    assert_eq!(
        keys_offered,
        [
            "jira-csv",
            "csv",
            "markdown",
            "json",
            "threat-composer",
            "threat-dragon",
            "otm"
        ]
    );
    snap_both("export_formats", &mut app);
    press(&mut app, KeyCode::Enter);
    let text = render_text(&mut app, 120, 40);
    assert!(text.contains("demo-backlog.jira.csv"), "{text}");
    assert!(text.contains("above the cut line"), "{text}");
    snap_both("export_jira_form", &mut app);
    // Labels and the priority, then Enter saves.
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Tab);
    for _ in 0.."threat-model".len() {
        press(&mut app, KeyCode::Backspace);
    }
    keys(&mut app, "security, payslips");
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Char(' '));
    press(&mut app, KeyCode::Enter);
    assert!(app.overlays.is_empty(), "{:?}", form_error(&app));
    let jira = &session(&app).jira;
    assert_eq!(
        jira.labels.as_deref(),
        Some(&["security".to_string(), "payslips".to_string()][..])
    );
    assert_eq!(jira.priority_by, Some(PriorityBy::Risk));
    assert_eq!(jira.only_backlog, Some(true));
    let out = exports(&app);
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].format, Format::JiraCsv);
    assert_eq!(out[0].path, PathBuf::from("sessions/demo-backlog.jira.csv"));
    assert!(!out[0].overwrite);
    // Undo takes the options back like any edit.
    keys(&mut app, "u");
    assert_eq!(session(&app).jira.labels, None);
}

#[test]
fn the_export_never_writes_over_a_session_file() {
    let mut app = plan_app();
    keys(&mut app, "E");
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Enter); // CSV
    for _ in 0.."demo-backlog.csv".len() {
        press(&mut app, KeyCode::Backspace);
    }
    keys(&mut app, "demo.toml");
    press(&mut app, KeyCode::Enter);
    let error = form_error(&app).expect("refused");
    assert!(error.contains("session"), "{error}");
    assert!(exports(&app).is_empty());
}

#[test]
fn a_read_only_session_refuses_votes_and_plans_but_exports() {
    let mut s = demo_session();
    s.phase = Phase::Vote;
    let mut app = show(s, Some("pid 7 on laptop"));
    let before = session(&app).voting.clone();
    keys(&mut app, "+");
    assert_eq!(session(&app).voting, before);
    assert!(status(&app).contains("Read-only"), "{}", status(&app));
    keys(&mut app, "]a");
    assert!(app.overlays.is_empty());
    assert!(status(&app).contains("Read-only"), "{}", status(&app));
    keys(&mut app, "E");
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Enter);
    assert_eq!(exports(&app).len(), 1, "{}", status(&app));
    assert!(status(&app).contains("not kept") || session(&app).jira == demo_session().jira);
}

#[test]
fn every_screen_draws_at_every_size() {
    for (phase, mode) in [
        (Phase::Vote, VotingMode::Open),
        (Phase::Vote, VotingMode::Secret),
        (Phase::Vote, VotingMode::Rating),
        (Phase::Plan, VotingMode::Open),
        (Phase::Review, VotingMode::Open),
    ] {
        let mut s = demo_session();
        s.phase = phase;
        s.voting.mode = mode;
        let mut app = show(s, None);
        for (w, h) in [(60, 18), (80, 24), (120, 40), (200, 50), (30, 10)] {
            render(&mut app, w, h);
        }
        // An empty session too.
        let mut s = Session::new("Empty", Template::Workshop, now());
        s.phase = phase;
        s.voting.mode = mode;
        let mut app = show(s, None);
        for key in ["+", "a", "m", "j", "y", "E"] {
            keys(&mut app, key);
            render(&mut app, 80, 24);
            press(&mut app, KeyCode::Esc);
        }
    }
}
