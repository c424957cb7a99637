//! The share server over loopback, with the facilitator's real app on the
//! other side: joining, wrong codes, removed participants, hostile bodies,
//! threats from many participants at once, and secret votes with the
//! budget and cap held by the server.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::LazyLock;
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

use ratatui::crossterm::event::{Event, KeyCode, KeyEvent};
use serde_json::{Value, json};
use stridekit::core::catalog::Catalogs;
use stridekit::core::model::{Phase, Session, VotingMode};
use stridekit::core::store;
use stridekit::core::theme::Themes;
use stridekit::core::time::Timestamp;
use stridekit::share::Inbound;
use stridekit::tui::action::Action;
use stridekit::tui::app::{self, App, SessionState};
use stridekit::tui::share;

static CATALOGS: LazyLock<Catalogs> =
    LazyLock::new(|| Catalogs::builtin().expect("built-in catalogs load"));

fn demo_session() -> Session {
    store::load_text(
        Path::new(stridekit::DEMO_FILE_NAME),
        stridekit::DEMO_SESSION,
        &CATALOGS,
    )
    .expect("the demo loads")
    .session
}

/// The facilitator: the app, and the requests the server hands it.
struct Facilitator {
    app: App,
    inbound: Receiver<Inbound>,
    addr: SocketAddr,
    code: String,
}

impl Facilitator {
    fn new(phase: Phase, configure: impl FnOnce(&mut Session)) -> Facilitator {
        let mut session = demo_session();
        session.phase = phase;
        configure(&mut session);
        let mut app = App::new(
            CATALOGS.clone(),
            Themes::builtin().expect("themes"),
            Some("dark"),
            false,
        );
        app.show_session(SessionState::new(
            PathBuf::from("sessions/demo.toml"),
            session,
        ));
        app.overlays.clear();
        let (send, inbound) = mpsc::channel();
        // Port 0: each test gets a free port of its own.
        share::start(&mut app, Some("127.0.0.1:0"), move |i| send.send(i).is_ok())
            .expect("sharing starts");
        let sharing = app.session().and_then(|s| s.sharing.as_ref()).unwrap();
        let addr = sharing.share.addr();
        let code = sharing.code.clone();
        Facilitator {
            app,
            inbound,
            addr,
            code,
        }
    }

    /// Handles what arrives (as the event loop does) until `done` holds.
    fn pump_until(&mut self, what: &str, mut done: impl FnMut(&mut App) -> bool) {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            share::publish(&mut self.app);
            if done(&mut self.app) {
                return;
            }
            assert!(Instant::now() < deadline, "timed out waiting for {what}");
            if let Ok(inbound) = self.inbound.recv_timeout(Duration::from_millis(20)) {
                share::inbound(&mut self.app, inbound, Timestamp::now());
            }
        }
    }

    /// Handles requests while `work` runs on other threads.
    fn serve_while<T: Send>(&mut self, work: impl FnOnce() -> T + Send) -> T {
        std::thread::scope(|scope| {
            let handle = scope.spawn(work);
            self.pump_until("the participants", |_| handle.is_finished());
            handle.join().expect("the participants' thread")
        })
    }

    fn session(&self) -> &Session {
        self.app.session().unwrap().session()
    }

    fn admit_all(&mut self) {
        self.pump_until("guests", |app| {
            app.session()
                .and_then(|s| s.sharing.as_ref())
                .is_some_and(|s| s.waiting() > 0)
        });
        share::admit_all(&mut self.app);
    }
}

struct Answer {
    status: u16,
    body: Value,
    cookie: Option<String>,
}

/// One HTTP/1.1 request over a fresh connection.
fn http(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Answer {
    let mut stream = TcpStream::connect(addr).expect("connects");
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let mut request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).unwrap();
    stream.write_all(body).unwrap();
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw);
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let cookie = head
        .lines()
        .find_map(|l| l.strip_prefix("Set-Cookie: "))
        .map(|c| c.split(';').next().unwrap_or("").to_string());
    Answer {
        status,
        body: serde_json::from_str(body).unwrap_or(Value::Null),
        cookie,
    }
}

fn post(addr: SocketAddr, path: &str, token: Option<&str>, body: &Value) -> Answer {
    let bearer = token.map(|t| format!("Bearer {t}"));
    let mut headers = vec![("Content-Type", "application/json")];
    if let Some(b) = &bearer {
        headers.push(("Authorization", b));
    }
    http(addr, "POST", path, &headers, body.to_string().as_bytes())
}

fn get(addr: SocketAddr, path: &str, token: &str) -> Answer {
    let bearer = format!("Bearer {token}");
    http(addr, "GET", path, &[("Authorization", &bearer)], b"")
}

fn join(addr: SocketAddr, code: &str, name: &str) -> String {
    let answer = post(
        addr,
        "/api/join",
        None,
        &json!({ "code": code, "name": name }),
    );
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert!(answer.cookie.is_some_and(|c| c.starts_with("stridekit=")));
    answer.body["token"].as_str().expect("a token").to_string()
}

#[test]
fn the_page_is_served_with_a_strict_policy_and_unknown_hosts_are_refused() {
    let f = Facilitator::new(Phase::Brainstorm, |_| {});
    let page = http(f.addr, "GET", "/", &[], b"");
    assert_eq!(page.status, 200);
    let mut stream = TcpStream::connect(f.addr).unwrap();
    write!(
        stream,
        "GET / HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut text = String::new();
    let _ = stream.read_to_string(&mut text);
    assert!(text.starts_with("HTTP/1.1 421"), "{text}");
    let mut stream = TcpStream::connect(f.addr).unwrap();
    write!(
        stream,
        "GET /app.js HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
        f.addr
    )
    .unwrap();
    let mut text = String::new();
    let _ = stream.read_to_string(&mut text);
    assert!(text.contains("Content-Security-Policy: default-src 'none'; script-src 'self'"));
    assert!(text.contains("textContent"), "the page's script");
    assert!(!text.contains("innerHTML"), "no text goes in as HTML");
}

#[test]
fn a_wrong_code_is_refused_and_guessing_is_rate_limited() {
    let f = Facilitator::new(Phase::Brainstorm, |_| {});
    let mut statuses = Vec::new();
    for _ in 0..7 {
        let answer = post(
            f.addr,
            "/api/join",
            None,
            &json!({ "code": "AAAAAA", "name": "Eve" }),
        );
        statuses.push(answer.status);
    }
    assert_eq!(statuses, [403, 403, 403, 403, 403, 429, 429]);
    // Nobody knocked, and the real code from the same address is refused
    // too until the minute is over.
    assert!(f.inbound.try_recv().is_err());
    let answer = post(
        f.addr,
        "/api/join",
        None,
        &json!({ "code": f.code, "name": "Eve" }),
    );
    assert_eq!(answer.status, 429);
}

#[test]
fn a_guest_waits_until_let_in_and_a_removed_one_is_locked_out() {
    let mut f = Facilitator::new(Phase::Brainstorm, |_| {});
    // Letter case and the dash do not matter.
    let token = join(f.addr, &f.code.to_lowercase().replace('-', " "), "Ana");
    let board = get(f.addr, "/api/board", &token);
    assert_eq!(board.body["state"], "waiting");
    let early = post(
        f.addr,
        "/api/threats",
        Some(&token),
        &json!({ "title": "x" }),
    );
    assert_eq!(early.status, 403);
    f.admit_all();
    let board = get(f.addr, "/api/board", &token);
    assert_eq!(board.body["state"], "in", "{}", board.body);
    assert_eq!(board.body["board"]["focus"]["element"], "U1");
    assert!(
        !board.body["board"]["focus"]["prompts"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    // Ana is a new participant of the session, an undoable edit.
    let ana = f
        .session()
        .participants
        .iter()
        .find(|p| p.name == "Ana")
        .map(|p| p.id)
        .expect("Ana joined the session");

    let addr = f.addr;
    let added = f.serve_while(|| {
        post(
            addr,
            "/api/threats",
            Some(&token),
            &json!({ "title": "Replayed session cookie", "notes": "from the pentest" }),
        )
    });
    assert_eq!(added.status, 200, "{}", added.body);
    let threat = f
        .session()
        .threats
        .iter()
        .find(|t| t.title == "Replayed session cookie")
        .expect("the threat landed");
    assert_eq!(threat.author, Some(ana));
    assert_eq!(threat.notes, "from the pentest");
    app::update(&mut f.app, Action::Undo, Timestamp::now());
    assert!(
        !f.session()
            .threats
            .iter()
            .any(|t| t.title == "Replayed session cookie"),
        "undone like any edit"
    );

    let guest = f.app.session().unwrap().sharing.as_ref().unwrap().guests[0].guest;
    share::remove(&mut f.app, guest);
    assert_eq!(get(f.addr, "/api/board", &token).status, 403);
    let late = post(
        f.addr,
        "/api/threats",
        Some(&token),
        &json!({ "title": "x" }),
    );
    assert_eq!(late.status, 403);
    assert_eq!(get(f.addr, "/api/board", "not-a-token").status, 401);
}

#[test]
fn oversized_malformed_and_mistyped_bodies_are_refused() {
    let mut f = Facilitator::new(Phase::Brainstorm, |_| {});
    let token = join(f.addr, &f.code, "Ana");
    f.admit_all();
    let bearer = format!("Bearer {token}");
    let json_headers = [
        ("Content-Type", "application/json"),
        ("Authorization", &bearer),
    ];
    let huge = format!("{{\"title\":\"{}\"}}", "x".repeat(20_000));
    let answer = http(
        f.addr,
        "POST",
        "/api/threats",
        &json_headers,
        huge.as_bytes(),
    );
    assert_eq!(answer.status, 413);
    let answer = http(
        f.addr,
        "POST",
        "/api/threats",
        &json_headers,
        b"{\"title\":",
    );
    assert_eq!(answer.status, 400);
    let form = [
        ("Content-Type", "application/x-www-form-urlencoded"),
        ("Authorization", &bearer),
    ];
    let answer = http(f.addr, "POST", "/api/threats", &form, b"title=x");
    assert_eq!(answer.status, 415);
    let long_title = "y".repeat(400);
    let answer = post(
        f.addr,
        "/api/threats",
        Some(&token),
        &json!({ "title": long_title }),
    );
    assert_eq!(answer.status, 400, "{}", answer.body);
    let answer = post(f.addr, "/api/dots", Some(&token), &json!({ "threat": 7 }));
    assert_eq!(answer.status, 400);
    let answer = post(f.addr, "/api/join", None, &json!(["not", "an", "object"]));
    assert_eq!(answer.status, 400);
    assert_eq!(f.session().threats.len(), demo_session().threats.len());
}

#[test]
fn eight_participants_add_threats_at_once_and_each_lands_once() {
    let mut f = Facilitator::new(Phase::Brainstorm, |_| {});
    let tokens: Vec<String> = (1..=8)
        .map(|n| join(f.addr, &f.code, &format!("Person {n}")))
        .collect();
    f.pump_until("eight guests", |app| {
        app.session()
            .and_then(|s| s.sharing.as_ref())
            .is_some_and(|s| s.waiting() == 8)
    });
    share::admit_all(&mut f.app);
    let addr = f.addr;
    let before = f.session().threats.len();
    // The facilitator edits too: a threat of their own by the walk's keys.
    let mut failures = 0;
    std::thread::scope(|scope| {
        let handles: Vec<_> = tokens
            .iter()
            .enumerate()
            .map(|(n, token)| {
                scope.spawn(move || {
                    (0..5)
                        .map(|k| {
                            post(
                                addr,
                                "/api/threats",
                                Some(token),
                                &json!({ "title": format!("Threat {k} of person {}", n + 1) }),
                            )
                            .status
                        })
                        .filter(|s| *s != 200)
                        .count()
                })
            })
            .collect();
        let mut typed = false;
        f.pump_until("the participants", |app| {
            if !typed {
                // The facilitator adds a threat of their own meanwhile.
                typed = true;
                for c in "aThe facilitator's own".chars() {
                    let key = KeyEvent::from(KeyCode::Char(c));
                    if let Some(action) = app::action_for(app, &Event::Key(key)) {
                        app::update(app, action, Timestamp::now());
                    }
                }
                app::update(app, Action::Submit, Timestamp::now());
            }
            handles.iter().all(|h| h.is_finished())
        });
        failures = handles.into_iter().map(|h| h.join().unwrap()).sum();
    });
    assert_eq!(failures, 0);
    let session = f.session();
    assert_eq!(session.threats.len(), before + 41);
    assert!(
        session
            .threats
            .iter()
            .any(|t| t.title == "The facilitator's own")
    );
    for n in 1..=8 {
        for k in 0..5 {
            let title = format!("Threat {k} of person {n}");
            assert_eq!(
                session.threats.iter().filter(|t| t.title == title).count(),
                1,
                "{title}"
            );
        }
    }
    let mut ids: Vec<_> = session.threats.iter().map(|t| t.id).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), session.threats.len(), "no id twice");
    let text = store::to_toml(session).unwrap();
    store::load_text(Path::new("s.toml"), &text, &CATALOGS).expect("the session stays valid");
}

#[test]
fn secret_votes_stay_hidden_until_revealed_and_the_server_holds_budget_and_cap() {
    let mut f = Facilitator::new(Phase::Vote, |s| {
        s.voting.mode = VotingMode::Secret;
        s.voting.dots_per_person = Some(3);
        s.voting.cap_per_threat = 2;
        s.voting.ballots.clear();
        s.voting.done.clear();
        s.voting.revealed = false;
    });
    let ana = join(f.addr, &f.code, "Ana");
    let bob = join(f.addr, &f.code, "Bob");
    f.pump_until("two guests", |app| {
        app.session()
            .and_then(|s| s.sharing.as_ref())
            .is_some_and(|s| s.waiting() == 2)
    });
    share::admit_all(&mut f.app);
    let addr = f.addr;
    let answers = f.serve_while(|| {
        vec![
            post(
                addr,
                "/api/dots",
                Some(&ana),
                &json!({ "threat": "T1", "dots": 3 }),
            )
            .status,
            post(
                addr,
                "/api/dots",
                Some(&ana),
                &json!({ "threat": "T1", "dots": 2 }),
            )
            .status,
            post(
                addr,
                "/api/dots",
                Some(&ana),
                &json!({ "threat": "T2", "dots": 2 }),
            )
            .status,
            post(
                addr,
                "/api/dots",
                Some(&ana),
                &json!({ "threat": "T2", "dots": 1 }),
            )
            .status,
            post(
                addr,
                "/api/dots",
                Some(&bob),
                &json!({ "threat": "T1", "dots": 1 }),
            )
            .status,
            post(addr, "/api/done", Some(&bob), &json!({ "done": true })).status,
        ]
    });
    // Over the cap, then over the budget: refused by the server.
    assert_eq!(answers, [409, 200, 409, 200, 200, 200]);
    let bob_board = get(addr, "/api/board", &bob).body;
    let t1 = bob_board["board"]["vote"]["threats"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == "T1")
        .unwrap()
        .clone();
    assert_eq!(t1["mine"], 1);
    assert_eq!(t1["total"], Value::Null, "no totals before the reveal");
    assert_eq!(bob_board["board"]["vote"]["done"], true);
    let raw = get(addr, "/api/board", &bob).body.to_string();
    assert!(!raw.contains("\"mine\":2"), "Ana's dots never reach Bob");

    f.app
        .session_mut()
        .unwrap()
        .doc
        .edit("reveal", |s| s.voting.revealed = true)
        .unwrap();
    share::publish(&mut f.app);
    let revealed = get(addr, "/api/board", &bob).body;
    let t1 = revealed["board"]["vote"]["threats"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == "T1")
        .unwrap()
        .clone();
    assert_eq!(t1["total"], 3);
    let late = f.serve_while(|| {
        post(
            addr,
            "/api/dots",
            Some(&bob),
            &json!({ "threat": "T2", "dots": 1 }),
        )
        .status
    });
    assert_eq!(late, 409, "no votes after the reveal");
}

#[test]
fn a_stream_sends_the_board_at_once_and_again_when_the_facilitator_moves() {
    let mut f = Facilitator::new(Phase::Brainstorm, |_| {});
    let token = join(f.addr, &f.code, "Ana");
    f.admit_all();
    share::publish(&mut f.app);
    let mut stream = TcpStream::connect(f.addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let request = format!(
        "GET /api/events HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {token}\r\n\
         Connection: close\r\n\r\n",
        f.addr
    );
    stream.write_all(request.as_bytes()).unwrap();
    let read_until = |stream: &mut TcpStream, end: &[u8]| -> String {
        let mut got = Vec::new();
        let mut byte = [0u8; 1];
        while !got.ends_with(end) {
            match stream.read(&mut byte) {
                Ok(1) => got.push(byte[0]),
                other => panic!(
                    "the stream ended ({other:?}): {}",
                    String::from_utf8_lossy(&got)
                ),
            }
        }
        String::from_utf8_lossy(&got).into_owned()
    };
    let read_event = |stream: &mut TcpStream| read_until(stream, b"\n\n");
    let first = read_until(&mut stream, b"\r\n\r\n");
    assert!(first.starts_with("HTTP/1.1 200"), "{first}");
    assert!(first.contains("text/event-stream"));
    let board = read_event(&mut stream);
    assert!(board.contains("\"element\":\"U1\""), "{board}");
    // The facilitator moves to the next cell of the walk.
    app::update(&mut f.app, Action::NextCell, Timestamp::now());
    share::publish(&mut f.app);
    let moved = read_event(&mut stream);
    assert!(moved.starts_with("data: "), "{moved}");
    assert!(!moved.contains("\"category\":\"spoofing\""), "{moved}");
    // Stopping sharing ends the stream.
    share::stop(&mut f.app);
    let mut rest = Vec::new();
    let _ = stream.read_to_end(&mut rest);
}
