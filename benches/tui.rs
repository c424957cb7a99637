//! Benchmarks of the workshop TUI: drawing a frame of a big session, and
//! launching `stridekit demo` until its first frame is on screen.
//!
//! ```text
//! cargo bench --bench tui                # everything
//! cargo bench --bench tui -- render      # frames only
//! cargo bench --bench tui -- launch      # the launch only
//! cargo bench --bench tui -- burst       # a burst of keys, then one save
//! cargo bench --bench tui -- brainstorm  # the walk, matrix, threat list, capture
//! cargo bench --bench tui -- vote        # the ranking, vote, plan and review frames
//! ```
//!
//! A burst is 100 key events applied as the event loop applies what is
//! waiting at once, on a session of 1,000 components and 10,000 threats:
//! each key's action (and any edit, with its undo step), then one save
//! handed to the writer thread. Saves are counted: a burst must start
//! exactly one. The time is the event loop's; the writer's (`save/...`) is
//! spent on its own thread while typing goes on.
//!
//! Frames are drawn on a `TestBackend` built once per benchmark, so a
//! timed iteration is one whole `terminal.draw`: the view builds its
//! widgets, ratatui renders them into a buffer and diffs it against the
//! previous one. Targets: under 1 ms for the 200x50 frame of a session
//! of 1,000 components.
//!
//! The launch runs the release binary (`stridekit demo`) in an 80x24
//! pseudo-terminal, with its data and config directories in a temporary
//! directory, and stops the clock when the session's title is on the
//! parsed screen; target: under 20 ms. `launch/pty-echo-baseline` times the
//! same for `/bin/echo`, the part of that figure that is the harness's.

use std::hint::black_box;
use std::io::Read;
use std::num::NonZeroU16;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use portable_pty::{CommandBuilder, PtySize, native_pty_system};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use stridekit::core::catalog::Catalogs;
use stridekit::core::ids::IdKind;
use stridekit::core::model::{Participant, Phase, VotingMode};
use stridekit::core::scoring;
use stridekit::core::theme::Themes;
use stridekit::core::time::Timestamp;
use stridekit::core::{store, synth};
use stridekit::tui::action::Action;
use stridekit::tui::app::{self, App, SessionState};
use stridekit::tui::view;

const SEED: u64 = 1;

/// A synthetic session of `components` components and as many threats,
/// open on the Scope screen (the Components pane focused) of a terminal
/// `width` x `height`.
fn scope_app(components: usize, width: u16, height: u16) -> App {
    let catalogs = Catalogs::builtin().expect("built-in catalogs load");
    let session = synth::session(components, components, SEED, &catalogs);
    let themes = Themes::builtin().expect("built-in themes load");
    let mut app = App::new(catalogs, themes, None, false);
    app.show_session(SessionState::new(PathBuf::from("synth.toml"), session));
    let now = Timestamp::now();
    app::update(&mut app, Action::Resize(width, height), now);
    app::update(&mut app, Action::GotoPhase(Phase::Scope), now);
    app
}

/// Times one full draw per iteration; the terminal is built once and has
/// drawn the same frame before timing starts.
fn bench_draw(c: &mut Criterion, name: &str, app: &App) {
    let (width, height) = app.size;
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("test terminal");
    terminal.draw(|f| view::draw(f, app)).expect("first draw");
    c.bench_function(name, |b| {
        b.iter(|| {
            let frame = terminal.draw(|f| view::draw(f, app)).expect("draw");
            black_box(frame.area);
        });
    });
}

fn render(c: &mut Criterion) {
    let app = scope_app(1_000, 200, 50);
    bench_draw(c, "render/scope-1000-components-200x50", &app);

    let app = scope_app(1_000, 80, 24);
    bench_draw(c, "render/scope-1000-components-80x24", &app);

    // The cursor on the last row: the table scrolled to its end.
    let mut app = scope_app(1_000, 200, 50);
    app::update(&mut app, Action::Bottom, Timestamp::now());
    bench_draw(c, "render/scope-1000-components-200x50-bottom", &app);

    let mut app = scope_app(1_000, 200, 50);
    app::update(&mut app, Action::NextPane, Timestamp::now());
    bench_draw(c, "render/scope-1000-flows-200x50", &app);
}

/// A session of 1,000 components and 10,000 threats on Brainstorm, on a
/// component with threats, after `actions`.
fn brainstorm_app(actions: &[Action]) -> App {
    let catalogs = Catalogs::builtin().expect("built-in catalogs load");
    let session = synth::session(1_000, 10_000, SEED, &catalogs);
    let themes = Themes::builtin().expect("built-in themes load");
    let mut app = App::new(catalogs, themes, None, false);
    app.show_session(SessionState::new(PathBuf::from("synth.toml"), session));
    let now = Timestamp::now();
    app::update(&mut app, Action::Resize(200, 50), now);
    app::update(&mut app, Action::GotoPhase(Phase::Brainstorm), now);
    for action in actions {
        app::update(&mut app, action.clone(), now);
    }
    app
}

fn brainstorm(c: &mut Criterion) {
    // The walk on the first component, its threats listed.
    let app = brainstorm_app(&[Action::NextPane, Action::Down, Action::Down]);
    bench_draw(
        c,
        "brainstorm/walk-1000-components-10000-threats-200x50",
        &app,
    );
    let app = brainstorm_app(&[Action::Matrix, Action::PageDown]);
    bench_draw(
        c,
        "brainstorm/matrix-1000-components-10000-threats-200x50",
        &app,
    );
    let app = brainstorm_app(&[Action::ThreatList, Action::PageDown]);
    bench_draw(
        c,
        "brainstorm/threats-1000-components-10000-threats-200x50",
        &app,
    );

    // Quick capture: one keystroke of a title, applied and drawn, as the
    // event loop does.
    let mut app = brainstorm_app(&[Action::Capture]);
    let mut terminal = Terminal::new(TestBackend::new(200, 50)).expect("test terminal");
    terminal.draw(|f| view::draw(f, &app)).expect("first draw");
    let mut saver = stridekit::tui::Saver::new(None);
    let letter = key(KeyCode::Char('x'), KeyModifiers::NONE);
    let backspace = key(KeyCode::Backspace, KeyModifiers::NONE);
    let mut typed = 0u64;
    c.bench_function("brainstorm/capture-keystroke-10000-threats-200x50", |b| {
        b.iter(|| {
            // Type and rub out in turn, so the title stays short.
            let event = if typed.is_multiple_of(2) {
                &letter
            } else {
                &backspace
            };
            typed += 1;
            stridekit::tui::apply_event(&mut app, event, &mut saver);
            let frame = terminal.draw(|f| view::draw(f, &app)).expect("draw");
            black_box(frame.area);
        });
    });
    // A pasted list of 1,000 titles: one edit, however long the list
    // (each line was an edit of its own, quadratic in the list), then
    // undone.
    let list: String = (0..1_000).map(|i| format!("Pasted threat {i}\n")).collect();
    let paste = Event::Paste(list);
    c.bench_function(
        "brainstorm/capture-paste-1000-titles-10000-threats-200x50",
        |b| {
            b.iter(|| {
                stridekit::tui::apply_event(&mut app, &paste, &mut saver);
                let frame = terminal.draw(|f| view::draw(f, &app)).expect("draw");
                black_box(frame.area);
                // Taken back at once, so every paste meets the same session.
                app::update(&mut app, Action::Undo, Timestamp::now());
            });
        },
    );
    // Enter: the title becomes a threat (an edit with its undo step).
    let enter = key(KeyCode::Enter, KeyModifiers::NONE);
    c.bench_function("brainstorm/capture-enter-10000-threats-200x50", |b| {
        b.iter(|| {
            stridekit::tui::apply_event(&mut app, &letter, &mut saver);
            stridekit::tui::apply_event(&mut app, &enter, &mut saver);
            let frame = terminal.draw(|f| view::draw(f, &app)).expect("draw");
            black_box(frame.area);
        });
    });
}

/// A session of 1,000 components and 10,000 threats voted on by 8
/// people, on `phase` at 200x50, in `mode`, totals revealed.
fn vote_app(phase: Phase, mode: VotingMode) -> App {
    let catalogs = Catalogs::builtin().expect("built-in catalogs load");
    let mut session = synth::session(1_000, 10_000, SEED, &catalogs);
    // The generator seats 4 to 6; the benchmark wants 8, each with a
    // ballot of the default budget spread over the threats.
    while session.participants.len() < 8 {
        let Some(id) = session.next_id(IdKind::Participant) else {
            break;
        };
        session.participants.push(Participant {
            id,
            name: format!("Voter {id}"),
            persona: None,
        });
    }
    let budget = scoring::budget(&session);
    let threats: Vec<_> = session.threats.iter().map(|t| t.id).collect();
    for (n, p) in session.participants.iter().enumerate() {
        let ballot = session.voting.ballots.entry(p.id).or_default();
        ballot.clear();
        for k in 0..budget as usize {
            let at = (n * 7919 + k * 104_729) % threats.len();
            ballot.insert(threats[at], 1);
        }
    }
    session.voting.mode = mode;
    session.voting.revealed = true;
    let themes = Themes::builtin().expect("built-in themes load");
    let mut app = App::new(catalogs, themes, None, false);
    app.show_session(SessionState::new(PathBuf::from("synth.toml"), session));
    let now = Timestamp::now();
    app::update(&mut app, Action::Resize(200, 50), now);
    app::update(&mut app, Action::GotoPhase(phase), now);
    app
}

fn vote(c: &mut Criterion) {
    let app = vote_app(Phase::Vote, VotingMode::Open);
    let session = app.session().expect("a session").session().clone();
    c.bench_function("vote/rank-10000-threats-8-voters", |b| {
        b.iter(|| black_box(scoring::rank(black_box(&session)).len()));
    });
    bench_draw(c, "vote/frame-10000-threats-8-voters-200x50", &app);
    let mut app = vote_app(Phase::Vote, VotingMode::Open);
    app::update(&mut app, Action::HeatMap, Timestamp::now());
    bench_draw(c, "vote/heat-map-10000-threats-200x50", &app);
    let app = vote_app(Phase::Plan, VotingMode::Open);
    bench_draw(c, "vote/plan-frame-10000-threats-200x50", &app);
    let app = vote_app(Phase::Review, VotingMode::Open);
    bench_draw(c, "vote/review-frame-10000-threats-200x50", &app);

    // A dot placed and taken back, drawn each time: the edit, its undo
    // step and the ranking worked out again.
    let mut app = vote_app(Phase::Vote, VotingMode::Open);
    let mut terminal = Terminal::new(TestBackend::new(200, 50)).expect("test terminal");
    terminal.draw(|f| view::draw(f, &app)).expect("first draw");
    let mut saver = stridekit::tui::Saver::new(None);
    // The first voter gets room for one more dot.
    app::update(&mut app, Action::Bottom, Timestamp::now());
    let more = key(KeyCode::Char('+'), KeyModifiers::NONE);
    let less = key(KeyCode::Char('-'), KeyModifiers::NONE);
    stridekit::tui::apply_event(&mut app, &less, &mut saver);
    let mut pressed = 0u64;
    c.bench_function("vote/dot-keystroke-10000-threats-200x50", |b| {
        b.iter(|| {
            let event = if pressed.is_multiple_of(2) {
                &more
            } else {
                &less
            };
            pressed += 1;
            stridekit::tui::apply_event(&mut app, event, &mut saver);
            let frame = terminal.draw(|f| view::draw(f, &app)).expect("draw");
            black_box(frame.area);
        });
    });
}

/// The release binary, as built for this benchmark.
fn key(code: KeyCode, modifiers: KeyModifiers) -> Event {
    Event::Key(KeyEvent::new_with_kind(
        code,
        modifiers,
        KeyEventKind::Press,
    ))
}

/// The demo-sized structure at workshop scale: 1,000 components and
/// 10,000 threats, on the Scope screen, saved in `dir`.
fn big_app(dir: &Path) -> App {
    let catalogs = Catalogs::builtin().expect("built-in catalogs load");
    let session = synth::session(1_000, 10_000, SEED, &catalogs);
    let themes = Themes::builtin().expect("built-in themes load");
    let mut app = App::new(catalogs, themes, None, false);
    let path = dir.join("big.toml");
    store::save(&path, &session).expect("save the session");
    app.show_session(SessionState::new(path, session));
    let now = Timestamp::now();
    app::update(&mut app, Action::Resize(120, 40), now);
    app::update(&mut app, Action::GotoPhase(Phase::Scope), now);
    app
}

/// Applies `events` as one batch and hands the result to the writer;
/// returns how many saves the batch started.
fn burst(app: &mut App, saver: &mut stridekit::tui::Saver, events: &[Event]) -> usize {
    let before = saver.started;
    for event in events {
        stridekit::tui::apply_event(app, event, saver);
    }
    saver.start(app);
    saver.started - before
}

fn bursts(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temporary directory");
    let mut app = big_app(dir.path());
    let mut saver = stridekit::tui::Saver::new(None);
    let none = KeyModifiers::NONE;
    let mut group = c.benchmark_group("burst");
    group.sample_size(10);

    // Typing, on the Assumptions pane: `a` opens the form, 98 characters
    // of text, Ctrl-S saves it.
    for _ in 0..2 {
        stridekit::tui::apply_event(&mut app, &key(KeyCode::Tab, none), &mut saver);
    }
    let mut typing = vec![key(KeyCode::Char('a'), none)];
    typing.extend(
        "Payslip export worker "
            .chars()
            .cycle()
            .take(98)
            .map(|ch| key(KeyCode::Char(ch), none)),
    );
    typing.push(key(KeyCode::Char('s'), KeyModifiers::CONTROL));
    assert_eq!(typing.len(), 100);
    let saves = burst(&mut app, &mut saver, &typing);
    saver.wait(&mut app);
    assert_eq!(saves, 1, "a burst of typing costs one save");
    eprintln!("burst/type: 100 keys, {saves} save");
    group.bench_function("type-100-keys-10000-threats", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let start = Instant::now();
                let saves = burst(&mut app, &mut saver, &typing);
                total += start.elapsed();
                assert_eq!(saves, 1);
                saver.wait(&mut app);
            }
            total
        });
    });

    // Editing: 50 deletes of an assumption, each undone, so every key
    // changes the session (with an undo step) and it ends as it began.
    let mut edits = Vec::new();
    for _ in 0..50 {
        edits.push(key(KeyCode::Char('d'), none));
        edits.push(key(KeyCode::Char('u'), none));
    }
    let saves = burst(&mut app, &mut saver, &edits);
    saver.wait(&mut app);
    assert_eq!(saves, 1, "a burst of edits costs one save");
    eprintln!("burst/edit: 100 keys, {saves} save");
    group.bench_function("edit-100-keys-10000-threats", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let start = Instant::now();
                let saves = burst(&mut app, &mut saver, &edits);
                total += start.elapsed();
                assert_eq!(saves, 1);
                saver.wait(&mut app);
            }
            total
        });
    });
    group.finish();

    // What the writer thread does with each save, off the event loop.
    let session = app.session().expect("open").session().clone();
    let path = dir.path().join("writer.toml");
    c.bench_function("save/writer-10000-threats", |b| {
        b.iter(|| store::save(&path, black_box(&session)).expect("save"));
    });
}

fn stridekit_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_stridekit"))
}

const DEMO_TITLE: &str = "LeeJames HR payslips";
const PTY_ROWS: NonZeroU16 = NonZeroU16::new(24).unwrap();
const PTY_COLS: NonZeroU16 = NonZeroU16::new(80).unwrap();
const LAUNCH_TIMEOUT: Duration = Duration::from_secs(10);

/// Spawns `stridekit demo` in a fresh pseudo-terminal and returns the time
/// until the demo's title is on the parsed screen.
fn launch_once(bin: &Path, home: &tempfile::TempDir) -> Duration {
    launch_until_title(bin, &["demo"], home)
}

/// Spawns `program args` in a fresh pseudo-terminal and returns the time
/// until [`DEMO_TITLE`] is on the parsed screen. The process is then ended
/// (outside the timing) and waited for, so the next launch finds the demo
/// unlocked. Panics, with the screen so far, if the title takes more than
/// [`LAUNCH_TIMEOUT`].
fn launch_until_title(program: &Path, args: &[&str], home: &tempfile::TempDir) -> Duration {
    let pty = native_pty_system()
        .openpty(PtySize {
            rows: PTY_ROWS.get(),
            cols: PTY_COLS.get(),
            pixel_width: 0,
            pixel_height: 0,
        })
        .expect("open a pseudo-terminal");
    let mut cmd = CommandBuilder::new(program);
    cmd.args(args);
    cmd.cwd(home.path());
    cmd.env("STRIDEKIT_DATA_DIR", home.path().join("data"));
    cmd.env("STRIDEKIT_CONFIG_DIR", home.path().join("config"));
    cmd.env("TERM", "xterm-256color");
    cmd.env_remove("NO_COLOR");
    // A thread reads the terminal, so a program that never draws fails the
    // benchmark instead of hanging it.
    let mut reader = pty.master.try_clone_reader().expect("pty reader");
    let (tx, rx) = mpsc::channel::<Vec<u8>>();
    let reading = thread::spawn(move || {
        let mut buf = [0u8; 16 * 1024];
        while let Ok(n) = reader.read(&mut buf) {
            if n == 0 || tx.send(buf[..n].to_vec()).is_err() {
                break;
            }
        }
    });
    let mut parser = vt100::Parser::new(PTY_ROWS, PTY_COLS, 0);

    let start = Instant::now();
    let mut child = pty
        .slave
        .spawn_command(cmd)
        .unwrap_or_else(|e| panic!("spawn {}: {e}", program.display()));
    loop {
        let waited = start.elapsed();
        let Some(left) = LAUNCH_TIMEOUT.checked_sub(waited) else {
            panic!("no title after {waited:?}:\n{}", parser.screen().contents());
        };
        match rx.recv_timeout(left) {
            Ok(bytes) => parser.process(&bytes),
            Err(RecvTimeoutError::Timeout) => continue,
            Err(RecvTimeoutError::Disconnected) => panic!(
                "{} closed the terminal before its title:\n{}",
                program.display(),
                parser.screen().contents()
            ),
        }
        if parser.screen().contents().contains(DEMO_TITLE) {
            break;
        }
    }
    let elapsed = start.elapsed();

    // The program may have exited already; either way it is reaped.
    let _ = child.kill();
    child.wait().expect("wait for the program");
    drop(rx);
    drop(pty);
    let _ = reading.join();
    elapsed
}

fn launch(c: &mut Criterion) {
    let bin = stridekit_bin();
    let home = tempfile::tempdir().expect("temporary directory");
    // One launch first: it creates the data directory, and it fails here,
    // with a message, if the binary does not start.
    launch_once(&bin, &home);
    let mut group = c.benchmark_group("launch");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(5));
    group.bench_function("demo-first-frame", |b| {
        b.iter_custom(|iters| (0..iters).map(|_| launch_once(&bin, &home)).sum());
    });
    // The floor under that figure: the same terminal, spawn and screen
    // parsing for a program that only prints the title.
    let echo = Path::new("/bin/echo");
    if echo.exists() {
        group.bench_function("pty-echo-baseline", |b| {
            b.iter_custom(|iters| {
                (0..iters)
                    .map(|_| launch_until_title(echo, &[DEMO_TITLE], &home))
                    .sum()
            });
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    targets = render, brainstorm, vote, bursts, launch
}
criterion_main!(benches);
