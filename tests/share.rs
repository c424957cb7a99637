//! The share server over loopback, with the facilitator's real app on the
//! other side: joining, wrong codes, removed participants, hostile bodies,
//! threats from many participants at once, and secret votes with the
//! budget and cap held by the server.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

use ratatui::crossterm::event::{Event, KeyCode, KeyEvent};
use serde_json::{Value, json};
use stridekit::core::model::{Phase, Session, VotingMode};
use stridekit::core::store;
use stridekit::core::theme::Themes;
use stridekit::core::time::Timestamp;
use stridekit::share::Inbound;
use stridekit::tui::action::Action;
use stridekit::tui::app::{self, App, SessionState};
use stridekit::tui::share;

/// The browser test and the load test each take both cores for a while;
/// run at once, each would starve the other past its deadlines.
static HEAVY: std::sync::Mutex<()> = std::sync::Mutex::new(());

mod common;
use common::browser::Browser;
use common::{CATALOGS, demo_session};

/// A secret vote of `dots` dots each, nobody's ballot in yet.
fn secret_vote(dots: u32) -> impl FnOnce(&mut Session) {
    move |s| {
        s.voting.mode = VotingMode::Secret;
        s.voting.dots_per_person = Some(dots);
        s.voting.ballots.clear();
        s.voting.done.clear();
        s.voting.abstained.clear();
        s.voting.revealed = false;
    }
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

    /// Lets everyone in once `n` people wait.
    fn admit_waiting(&mut self, n: usize) {
        self.pump_until("guests", |app| {
            app.session()
                .and_then(|s| s.sharing.as_ref())
                .is_some_and(|s| s.waiting() == n)
        });
        share::admit_all(&mut self.app);
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

/// The row of threat `id` in a board answer's vote.
fn vote_row(answer: &Value, id: &str) -> Value {
    answer["board"]["vote"]["threats"]
        .as_array()
        .and_then(|rows| rows.iter().find(|t| t["id"] == id))
        .cloned()
        .unwrap_or_else(|| panic!("no {id} in the vote: {answer}"))
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

/// A request that promises a body and never sends it: from a phone whose
/// Wi-Fi dropped mid-request, or from someone stalling the server on
/// purpose. Over 1 KiB, so tiny_http leaves the body to whoever answers.
fn stalled(addr: SocketAddr, method: &str, path: &str) -> TcpStream {
    let mut stream = TcpStream::connect(addr).expect("connects");
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n{{\"code\":"
    )
    .unwrap();
    stream.flush().unwrap();
    stream
}

#[test]
fn a_body_that_never_arrives_holds_up_nobody_else() {
    let mut f = Facilitator::new(Phase::Brainstorm, |_| {});
    // More than the server has threads answering requests, to each kind
    // of answer: a post read, a page, a path that is not there.
    let mut held: Vec<TcpStream> = (0..6)
        .map(|_| stalled(f.addr, "POST", "/api/join"))
        .collect();
    held.extend((0..3).map(|_| stalled(f.addr, "GET", "/")));
    held.extend((0..3).map(|_| stalled(f.addr, "POST", "/nowhere")));
    std::thread::sleep(Duration::from_millis(300));
    let page = http(f.addr, "GET", "/", &[], b"");
    assert_eq!(page.status, 200, "the page while requests stall");
    let token = join(f.addr, &f.code, "Ana");
    f.admit_all();
    assert_eq!(get(f.addr, "/api/board", &token).status, 200);

    // A body that arrives in the end is answered.
    let mut late = stalled(f.addr, "POST", "/api/roster");
    std::thread::sleep(Duration::from_millis(100));
    late.set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    write!(
        late,
        "\"{}\"}}{}",
        f.code,
        " ".repeat(5000 - 10 - f.code.len())
    )
    .unwrap();
    let mut answer = String::new();
    let _ = late.read_to_string(&mut answer);
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.contains("\"participants\""), "{answer}");

    // Stopping the share does not wait for the stalled ones either (it
    // used to hang the facilitator's terminal until they gave up).
    let sharing = f
        .app
        .session_mut()
        .and_then(|s| s.sharing.take())
        .expect("sharing");
    let (done, stopped) = mpsc::channel();
    std::thread::spawn(move || {
        drop(sharing);
        let _ = done.send(());
    });
    assert!(
        stopped.recv_timeout(Duration::from_secs(20)).is_ok(),
        "stopping the share waited for the stalled requests"
    );
    drop(held);
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
        secret_vote(3)(s);
        s.voting.cap_per_threat = 2;
    });
    let ana = join(f.addr, &f.code, "Ana");
    let bob = join(f.addr, &f.code, "Bob");
    f.admit_waiting(2);
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
    let t1 = vote_row(&bob_board, "T1");
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
    let t1 = vote_row(&revealed, "T1");
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

#[test]
fn terminal_clients_join_add_threats_and_vote_in_secret_until_the_reveal() {
    use stridekit::share::client::{Client, Standing};
    let mut f = Facilitator::new(Phase::Brainstorm, secret_vote(2));
    let url = format!("http://{}/#code={}", f.addr, f.code.replace('-', ""));
    let (base, code) = stridekit::share::client::parse_url(&url);
    let code = code.expect("the code in the address");
    let ana = Client::join(&base, &code, "Ana").expect("Ana joins");
    let bob = Client::join(&base, &code, "Bob").expect("Bob joins");
    assert!(matches!(
        Client::join(&base, "WRONG1", "Eve"),
        Err(stridekit::share::client::ClientError::Refused(_))
    ));
    assert!(matches!(ana.standing(), Ok(Standing::Waiting { .. })));
    // Ana follows the stream on a thread of her own, as `stridekit join` does.
    let (seen, boards) = mpsc::channel();
    let follower = ana.clone();
    std::thread::spawn(move || follower.follow(|s| seen.send(s).is_ok()));
    f.admit_waiting(2);
    share::publish(&mut f.app);
    let in_board = |boards: &Receiver<Standing>| loop {
        match boards.recv_timeout(Duration::from_secs(10)) {
            Ok(Standing::In(board)) => return board,
            Ok(_) => continue,
            Err(e) => panic!("no board came: {e}"),
        }
    };
    let board = in_board(&boards);
    assert_eq!(board.my_name, "Ana");
    assert_eq!(
        board.focus.as_ref().map(|f| f.element.to_string()),
        Some("U1".into())
    );

    let (a, b) = (ana.clone(), bob.clone());
    let added = f.serve_while(move || {
        (
            a.add_threat("Token replay from a second device", ""),
            b.add_threat("Bob's threat", ""),
        )
    });
    assert_eq!(
        added.0.unwrap(),
        format!("Added T{}", demo_session().threats.len() + 1)
    );
    assert!(added.1.is_ok());

    f.app
        .session_mut()
        .unwrap()
        .doc
        .adjust(|s| s.phase = Phase::Vote);
    share::publish(&mut f.app);
    let (a, b) = (ana.clone(), bob.clone());
    let t1: stridekit::core::ids::Id = "T1".parse().unwrap();
    let votes = f.serve_while(move || {
        vec![
            a.set_dots(t1, 2).is_ok(),
            a.set_dots("T2".parse().unwrap(), 1).is_ok(), // over the budget
            b.set_dots(t1, 1).is_ok(),
            b.set_done(true).is_ok(),
        ]
    });
    assert_eq!(votes, [true, false, true, true]);
    let Standing::In(bobs) = bob.standing().unwrap() else {
        panic!("Bob is in");
    };
    let vote = bobs.vote.expect("a vote");
    assert!(vote.done);
    assert!(vote.threats.iter().all(|t| t.total.is_none()), "secret");
    assert_eq!(vote.threats[0].mine, 1);

    f.app
        .session_mut()
        .unwrap()
        .doc
        .edit("reveal", |s| s.voting.revealed = true)
        .unwrap();
    share::publish(&mut f.app);
    let revealed = loop {
        let board = in_board(&boards);
        if board.vote.as_ref().is_some_and(|v| v.revealed) {
            break board;
        }
    };
    assert_eq!(revealed.vote.unwrap().threats[0].total, Some(3));
    // Leaving ends the participant's part.
    ana.leave().unwrap();
    assert_eq!(ana.standing().unwrap(), Standing::Removed);
}

#[test]
fn in_a_real_browser_a_participant_joins_adds_a_threat_and_votes() {
    let _alone = HEAVY.lock().unwrap_or_else(|e| e.into_inner());
    for (width, height, name) in [(390, 844, "phone"), (1280, 800, "laptop")] {
        let Some(browser) = Browser::start(width, height) else {
            return;
        };
        let mut f = Facilitator::new(Phase::Brainstorm, secret_vote(3));
        let url = format!("http://{}/#code={}", f.addr, f.code.replace('-', ""));
        let title = format!("Session cookie stolen on a shared {name}");
        let (done_joining, joined) = mpsc::channel();
        let (go_on, go) = mpsc::channel::<()>();
        let (shot, shots) = mpsc::channel();
        std::thread::scope(|scope| {
            let (browser, url, title) = (&browser, &url, &title);
            let (done_joining, go, shot) = (done_joining.clone(), go, shot.clone());
            let page = scope.spawn(move || {
                browser.go(url);
                browser.wait("the join form", "return !document.getElementById('join').hidden");
                shot.send(browser.screenshot(&format!("{name}-join"))).unwrap();
                browser.type_into("#name", "Ana");
                browser.click("#join-form button[type=submit]");
                browser.wait("the waiting note", "return !document.getElementById('waiting').hidden");
                done_joining.send(()).unwrap();
                browser.wait("Brainstorm", "return !document.getElementById('brainstorm').hidden");
                browser.type_into("#threat-title", title);
                browser.click("#threat-form button[type=submit]");
                browser.wait(
                    "the threat in her list",
                    "return document.getElementById('my-threats').innerText.includes('Session cookie')",
                );
                shot.send(browser.screenshot(&format!("{name}-brainstorm"))).unwrap();
                done_joining.send(()).unwrap();
                go.recv().unwrap();
                browser.wait("the vote", "return !document.getElementById('vote').hidden");
                // Two quick taps on +, the second before any answer: two dots.
                browser.script(
                    "const more = () => document.querySelector('#vote-list li:first-child button:last-child');\
                     more().click(); more().click(); return true;",
                );
                browser.wait(
                    "her dots",
                    "return document.querySelector('#vote-list li:first-child .dots').innerText === '2'",
                );
                shot.send(browser.screenshot(&format!("{name}-vote"))).unwrap();
            });
            f.pump_until("Ana to knock", |app| {
                app.session()
                    .and_then(|s| s.sharing.as_ref())
                    .is_some_and(|s| s.waiting() == 1)
            });
            joined.recv().unwrap();
            share::admit_all(&mut f.app);
            // Until her threat is in and her page has been photographed.
            let mut photographed = false;
            f.pump_until("Ana's threat", |app| {
                photographed |= joined.try_recv().is_ok();
                photographed
                    && app
                        .session()
                        .is_some_and(|s| s.session().threats.iter().any(|t| &t.title == title))
            });
            f.app
                .session_mut()
                .unwrap()
                .doc
                .adjust(|s| s.phase = Phase::Vote);
            go_on.send(()).unwrap();
            f.pump_until("the page", |_| page.is_finished());
            page.join().expect("the page's steps");
        });
        // The page shows the taps at once; the session has them once the
        // requests land, in order.
        let first = f.session().threats[0].id;
        f.pump_until("her two dots", |app| {
            app.session().is_some_and(|s| {
                s.session()
                    .voting
                    .ballots
                    .values()
                    .any(|b| b.get(&first) == Some(&2))
            })
        });
        let session = f.session();
        let ana = session
            .participants
            .iter()
            .find(|p| p.name == "Ana")
            .unwrap()
            .id;
        assert_eq!(
            session
                .threats
                .iter()
                .find(|t| t.title == title)
                .unwrap()
                .author,
            Some(ana)
        );
        assert_eq!(session.voting.ballots[&ana][&first], 2);
        for path in shots.try_iter() {
            eprintln!("screenshot: {}", path.display());
        }
    }
}

/// Milliseconds at the `q` quantile of `sorted`.
fn quantile(sorted: &[Duration], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let at = ((sorted.len() - 1) as f64 * q).round() as usize;
    sorted[at.min(sorted.len() - 1)].as_secs_f64() * 1000.0
}

/// 50 participants following the board, each adding 20 threats and then
/// placing 10 dots, on loopback. Bounded: 1,500 requests and a deadline.
/// Prints how long a request takes to be applied by the facilitator (and
/// answered), and what drawing the facilitator's screen costs meanwhile;
/// it asserts only that everything landed once (figures, not timings).
#[test]
fn fifty_participants_under_load_every_action_lands_once() {
    let _alone = HEAVY.lock().unwrap_or_else(|e| e.into_inner());
    use stridekit::share::client::Client;
    const PEOPLE: usize = 50;
    const THREATS_EACH: usize = 20;
    const DOTS_EACH: usize = 10;
    let mut f = Facilitator::new(Phase::Brainstorm, |s| {
        s.voting.mode = VotingMode::Hidden;
        s.voting.dots_per_person = Some(u32::try_from(DOTS_EACH).unwrap());
        s.voting.cap_per_threat = 1;
        s.voting.ballots.clear();
        s.voting.revealed = false;
    });
    let base = format!("http://{}", f.addr);
    let clients: Vec<Client> = (0..PEOPLE)
        .map(|n| Client::join(&base, &f.code, &format!("Participant {n}")).expect("joins"))
        .collect();
    f.pump_until("everyone to knock", |app| {
        app.session()
            .and_then(|s| s.sharing.as_ref())
            .is_some_and(|s| s.waiting() == PEOPLE)
    });
    share::admit_all(&mut f.app);
    share::publish(&mut f.app);
    // Everyone follows the board, as a page or `stridekit join` does.
    for client in &clients {
        let client = client.clone();
        std::thread::spawn(move || client.follow(|_| true));
    }
    let before = f.session().threats.len();
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(120, 40)).unwrap();
    let mut frames: Vec<Duration> = Vec::new();
    let mut draw = |app: &App, frames: &mut Vec<Duration>| {
        let start = Instant::now();
        terminal
            .draw(|frame| stridekit::tui::view::draw(frame, app))
            .unwrap();
        frames.push(start.elapsed());
    };
    // The frame alone, with nobody sending anything.
    let mut quiet = Vec::new();
    for _ in 0..50 {
        draw(&f.app, &mut quiet);
    }
    let run = |f: &mut Facilitator,
               frames: &mut Vec<Duration>,
               draw: &mut dyn FnMut(&App, &mut Vec<Duration>),
               work: &(dyn Fn(usize, &Client) -> Vec<Duration> + Sync)|
     -> Vec<Duration> {
        let deadline = Instant::now() + Duration::from_secs(300);
        std::thread::scope(|scope| {
            let handles: Vec<_> = clients
                .iter()
                .enumerate()
                .map(|(n, c)| scope.spawn(move || work(n, c)))
                .collect();
            while !handles.iter().all(|h| h.is_finished()) {
                assert!(Instant::now() < deadline, "the load did not finish in time");
                // As the event loop: all that waits, then one publish and one frame.
                if let Ok(first) = f.inbound.recv_timeout(Duration::from_millis(5)) {
                    let now = Timestamp::now();
                    share::inbound(&mut f.app, first, now);
                    while let Ok(next) = f.inbound.try_recv() {
                        share::inbound(&mut f.app, next, now);
                    }
                }
                share::publish_spaced(&mut f.app, share::PUBLISH_SPACING);
                draw(&f.app, frames);
            }
            handles
                .into_iter()
                .flat_map(|h| h.join().expect("a participant"))
                .collect()
        })
    };
    let threats = |n: usize, c: &Client| -> Vec<Duration> {
        (0..THREATS_EACH)
            .map(|k| {
                let start = Instant::now();
                c.add_threat(&format!("Load threat {k} of participant {n}"), "")
                    .expect("the threat is taken");
                start.elapsed()
            })
            .collect()
    };
    let mut latencies = run(&mut f, &mut frames, &mut draw, &threats);
    let session = f.session();
    assert_eq!(session.threats.len(), before + PEOPLE * THREATS_EACH);
    for n in 0..PEOPLE {
        for k in 0..THREATS_EACH {
            let title = format!("Load threat {k} of participant {n}");
            assert_eq!(
                session.threats.iter().filter(|t| t.title == title).count(),
                1
            );
        }
    }
    let ids: Vec<_> = session.threats.iter().map(|t| t.id).collect();
    f.app
        .session_mut()
        .unwrap()
        .doc
        .adjust(|s| s.phase = Phase::Vote);
    let votes = |n: usize, c: &Client| -> Vec<Duration> {
        (0..DOTS_EACH)
            .map(|k| {
                let threat = ids[(n * DOTS_EACH + k) % ids.len()];
                let start = Instant::now();
                c.set_dots(threat, 1).expect("the dot is taken");
                start.elapsed()
            })
            .collect()
    };
    latencies.extend(run(&mut f, &mut frames, &mut draw, &votes));
    let session = f.session();
    assert_eq!(session.voting.ballots.len(), PEOPLE);
    assert!(
        session
            .voting
            .ballots
            .values()
            .all(|b| b.values().sum::<u32>() == u32::try_from(DOTS_EACH).unwrap())
    );
    latencies.sort();
    frames.sort();
    quiet.sort();
    eprintln!(
        "load: {} requests from {PEOPLE} participants (each following the stream); \
         applied and answered in p50 {:.1} ms, p95 {:.1} ms, max {:.1} ms; \
         facilitator frame (120x40) p50 {:.2} ms, p95 {:.2} ms under load, \
         {:.2} ms quiet; {} frames",
        latencies.len(),
        quantile(&latencies, 0.5),
        quantile(&latencies, 0.95),
        quantile(&latencies, 1.0),
        quantile(&frames, 0.5),
        quantile(&frames, 0.95),
        quantile(&quiet, 0.5),
        frames.len()
    );
}

/// The facilitator's screen as text, one row per line.
fn screen_text(app: &mut App, width: u16, height: u16) -> (String, ratatui::buffer::Buffer) {
    app.size = (width, height);
    let mut terminal =
        ratatui::Terminal::new(ratatui::backend::TestBackend::new(width, height)).unwrap();
    terminal
        .draw(|frame| stridekit::tui::view::draw(frame, app))
        .unwrap();
    let buffer = terminal.backend().buffer().clone();
    let text = buffer
        .content
        .chunks(usize::from(width))
        .map(|row| row.iter().map(|c| c.symbol()).collect::<String>())
        .collect::<Vec<_>>()
        .join("\n");
    (text, buffer)
}

fn press(app: &mut App, code: KeyCode) {
    let event = Event::Key(KeyEvent::from(code));
    if let Some(action) = app::action_for(app, &event) {
        app::update(app, action, Timestamp::now());
    }
}

#[test]
fn the_secret_ballot_hands_the_keyboard_only_to_the_room_and_shows_who_voted() {
    let mut f = Facilitator::new(Phase::Vote, secret_vote(2));
    // Kim (first in the session) and Doug vote from their devices.
    let kim = join(f.addr, &f.code, "kim");
    let doug = join(f.addr, &f.code, "Doug");
    f.admit_waiting(2);
    share::publish(&mut f.app);

    let (text, buffer) = screen_text(&mut f.app, 80, 24);
    insta::assert_snapshot!("secret_ballot_with_remote_voters_80x24", text);
    assert!(text.contains("Kim votes on their own device."), "{text}");
    assert!(text.contains("Pass the keyboard to Sam."), "{text}");
    let roster = "Voting on their device: Kim, Doug · To vote here: Sam, Hannah, Leon";
    assert!(text.contains(roster), "{text}");
    // The roster is quieter than the instruction.
    let row = text.lines().position(|l| l.contains(roster)).unwrap();
    let col = text.lines().nth(row).unwrap().find("Voting").unwrap();
    let muted = f.app.styles.muted;
    let cell = &buffer[(u16::try_from(col).unwrap(), u16::try_from(row).unwrap())];
    assert_eq!(cell.fg, muted.fg.unwrap_or_default());

    // Enter gives the keyboard to Sam, not to Kim.
    press(&mut f.app, KeyCode::Enter);
    let (text, _) = screen_text(&mut f.app, 80, 24);
    assert!(text.contains("Secret ballot · Sam"), "{text}");
    assert!(text.contains(roster), "{text}");

    // Kim votes and is done on her phone; the room sees that, not her dots.
    let addr = f.addr;
    let answers = f.serve_while(|| {
        [
            post(
                addr,
                "/api/dots",
                Some(&kim),
                &json!({ "threat": "T1", "dots": 2 }),
            )
            .status,
            post(addr, "/api/done", Some(&kim), &json!({ "done": true })).status,
        ]
    });
    assert_eq!(answers, [200, 200]);
    let (text, _) = screen_text(&mut f.app, 80, 24);
    assert!(
        text.contains("Voted: Kim · Voting on their device: Doug · To vote here: Sam"),
        "{text}"
    );

    // Sam, Hannah and Leon vote here; then only Doug is left, on his device.
    for _ in 0..3 {
        press(&mut f.app, KeyCode::Enter); // done
        press(&mut f.app, KeyCode::Enter); // the next one has the keyboard
    }
    let (text, _) = screen_text(&mut f.app, 80, 24);
    assert!(
        text.contains("The rest vote on their own devices."),
        "{text}"
    );
    assert!(!text.contains("Pass the keyboard"), "{text}");
    let s = f.session();
    assert_eq!(s.voting.done.len(), 4, "{:?}", s.voting.done);

    let answer =
        f.serve_while(|| post(addr, "/api/done", Some(&doug), &json!({ "done": true })).status);
    assert_eq!(answer, 200);
    let (text, _) = screen_text(&mut f.app, 80, 24);
    assert!(text.contains("Everyone has voted."), "{text}");
    press(&mut f.app, KeyCode::Char('r'));
    assert!(f.session().voting.revealed);
}
