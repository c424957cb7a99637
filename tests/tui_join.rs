//! `stridekit join`'s screen: keys in, requests out, and what it shows at
//! 80x24, from boards the core builds for a participant of the demo.

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent};

use stridekit::core::ids::Id;
use stridekit::core::model::{Phase, Session, VotingMode};
use stridekit::core::participation::{self, Focus, Stage};
use stridekit::core::stride::Category;
use stridekit::core::theme::Themes;
use stridekit::share::client::Standing;
use stridekit::tui::join::{self, JoinApp, JoinEvent, Send};
use stridekit::tui::style::Styles;

mod common;
use common::demo_session as demo;

fn styles() -> Styles {
    let themes = Themes::builtin().unwrap();
    Styles::new(themes.get("dark").unwrap())
}

/// The first participant's board with the facilitator at `stage`.
fn standing(session: &Session, stage: &Stage) -> Standing {
    let me = session.participants[0].id;
    Standing::In(Box::new(
        participation::board(session, stage, me).expect("a participant's board"),
    ))
}

fn brainstorm_stage() -> Stage {
    Stage {
        phase: Some(Phase::Brainstorm),
        focus: Some(Focus {
            element: "C1".parse().unwrap(),
            element_name: "Payslip API".into(),
            category: Category::Tampering,
            category_name: "Tampering".into(),
            prompts: vec![
                "If I wanted to change a payslip on its way, where would I start?".into(),
                "What would customers notice first if this data were altered?".into(),
            ],
        }),
    }
}

fn key(app: &mut JoinApp, code: KeyCode) -> Vec<Send> {
    join::update(app, JoinEvent::Input(Event::Key(KeyEvent::from(code))))
}

fn typed(app: &mut JoinApp, text: &str) {
    for c in text.chars() {
        assert!(key(app, KeyCode::Char(c)).is_empty());
    }
}

fn render(app: &JoinApp) -> Buffer {
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
    let styles = styles();
    terminal
        .draw(|frame| join::draw(frame, app, &styles))
        .unwrap();
    terminal.backend().buffer().clone()
}

fn text(buffer: &Buffer) -> String {
    let area = buffer.area;
    (0..area.height)
        .map(|y| {
            (0..area.width)
                .map(|x| buffer[(x, y)].symbol())
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn waiting_then_let_in_during_brainstorm_a_typed_threat_is_sent() {
    let mut app = JoinApp::new("http://127.0.0.1:8787");
    join::update(
        &mut app,
        JoinEvent::Standing(Standing::Waiting { name: "Ana".into() }),
    );
    let screen = text(&render(&app));
    assert!(screen.contains("You asked to join as Ana"), "{screen}");
    assert!(screen.contains("q leave"));

    let session = demo();
    join::update(
        &mut app,
        JoinEvent::Standing(standing(&session, &brainstorm_stage())),
    );
    // q is text here, not "leave".
    typed(&mut app, "Replayed payslip request");
    assert_eq!(
        key(&mut app, KeyCode::Enter),
        [Send::AddThreat("Replayed payslip request".into())]
    );
    assert!(
        key(&mut app, KeyCode::Enter).is_empty(),
        "nothing typed: nothing sent"
    );
    typed(&mut app, "half a thought");
    join::update(&mut app, JoinEvent::Answer(Ok("Added T13".into())));
    let buffer = render(&app);
    insta::assert_snapshot!("join_brainstorm_80x24", text(&buffer));
    let screen = text(&buffer);
    assert!(screen.contains("Now: Payslip API · Tampering"));
    assert!(screen.contains("│half a thought"));
    // The server's word in the success colour, a refusal in the error one.
    let styles = styles();
    let last = buffer.area.height - 1;
    assert_eq!(buffer[(1, last)].fg, styles.success.fg.unwrap());
    join::update(
        &mut app,
        JoinEvent::Answer(Err("The facilitator moved on".into())),
    );
    let buffer = render(&app);
    assert_eq!(buffer[(1, last)].fg, styles.error.fg.unwrap());
    assert_eq!(key(&mut app, KeyCode::Esc), []);
    assert!(
        !text(&render(&app)).contains("half a thought"),
        "Esc clears"
    );
}

#[test]
fn during_a_secret_vote_keys_ask_for_dots_and_the_totals_stay_hidden() {
    let mut session = demo();
    session.voting.mode = VotingMode::Secret;
    session.voting.revealed = false;
    session.voting.dots_per_person = Some(4);
    let me = session.participants[0].id;
    let other = session.participants[1].id;
    let t2: Id = "T2".parse().unwrap();
    session.voting.ballots.clear();
    session.voting.ballots.entry(me).or_default().insert(t2, 2);
    session
        .voting
        .ballots
        .entry(other)
        .or_default()
        .insert(t2, 3);
    let stage = Stage {
        phase: Some(Phase::Vote),
        focus: None,
    };
    let mut app = JoinApp::new("http://127.0.0.1:8787");
    join::update(&mut app, JoinEvent::Standing(standing(&session, &stage)));
    assert_eq!(key(&mut app, KeyCode::Char('j')), []);
    // Each press counts from the one before, not from a board that is a
    // request behind.
    assert_eq!(key(&mut app, KeyCode::Char('+')), [Send::SetDots(t2, 3)]);
    assert_eq!(key(&mut app, KeyCode::Char('+')), [Send::SetDots(t2, 4)]);
    assert!(text(&render(&app)).contains("0 dots of 4 left"));
    // The server says no (the cap): its board is the truth again.
    join::update(
        &mut app,
        JoinEvent::Answer(Err("At most 3 dots on one threat".into())),
    );
    join::update(&mut app, JoinEvent::Standing(standing(&session, &stage)));
    assert!(text(&render(&app)).contains("2 dots of 4 left"));
    assert_eq!(key(&mut app, KeyCode::Char('-')), [Send::SetDots(t2, 1)]);
    // A board from before the request leaves it waiting; the one that
    // shows it ends the wait.
    join::update(&mut app, JoinEvent::Standing(standing(&session, &stage)));
    assert!(text(&render(&app)).contains("3 dots of 4 left"));
    assert_eq!(key(&mut app, KeyCode::Char('+')), [Send::SetDots(t2, 2)]);
    join::update(&mut app, JoinEvent::Standing(standing(&session, &stage)));
    assert!(app.pending_dots.is_empty());
    assert_eq!(key(&mut app, KeyCode::Char('d')), [Send::Done(true)]);
    assert_eq!(key(&mut app, KeyCode::Char('k')), []);
    // No dot of mine on T1: nothing to take off.
    assert_eq!(key(&mut app, KeyCode::Char('-')), []);
    key(&mut app, KeyCode::Char('j'));
    let buffer = render(&app);
    insta::assert_snapshot!("join_vote_secret_80x24", text(&buffer));
    let screen = text(&buffer);
    assert!(screen.contains("2 dots of 4 left"), "{screen}");
    assert!(!screen.contains("in all"), "no totals before the reveal");
    // The selected row is highlighted.
    let row = (0..24)
        .find(|&y| {
            text(&buffer)
                .lines()
                .nth(y)
                .is_some_and(|l| l.contains("› T2"))
        })
        .expect("T2 selected");
    let styles = styles();
    let x = u16::try_from(
        text(&buffer)
            .lines()
            .nth(row)
            .unwrap()
            .chars()
            .position(|c| c == '›')
            .unwrap(),
    )
    .unwrap();
    let selected = buffer[(x + 3, u16::try_from(row).unwrap())].bg;
    assert_eq!(Some(selected), styles.selection().bg);
    assert_eq!(key(&mut app, KeyCode::Char('q')), [Send::Leave]);
    assert!(app.quit);
}
