//! The share server's requests: the page, joining, a participant's board
//! and its live stream, and the requests that change the session (handed
//! to the event loop). Everything a participant sends is bounded and
//! checked here; what they may see is decided by the core.

use std::io::{Read, Write};
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde::Deserialize;
use serde_json::{Value, json};
use tiny_http::{Header, Method, Response, StatusCode};

use super::{
    Admission, Guest, Hub, Inbound, MAX_GUESTS, Request, normalize_code, page, random_token,
};
use crate::core::ids::Id;
use crate::core::participation::{self, MAX_NAME, MAX_NOTES, MAX_TITLE};

/// Largest request body read, in bytes: a threat's title and notes fit
/// many times over.
pub const MAX_BODY: usize = 16 * 1024;

/// Bodies up to this size tiny_http reads with the request's head.
const READ_WITH_THE_HEAD: usize = 1024;

/// How long a request waits for the facilitator's process to apply it.
const APPLY_TIMEOUT: Duration = Duration::from_secs(5);

/// A stream says it is alive this often, so proxies and phones keep it.
const KEEPALIVE: Duration = Duration::from_secs(15);

/// Streams at once, in all and per participant.
const MAX_STREAMS: usize = 256;
const MAX_STREAMS_PER_GUEST: usize = 4;

/// The cookie that carries a participant's token.
const COOKIE: &str = "stridekit";

pub(super) fn serve(hub: &Arc<Hub>, server: &tiny_http::Server, addr: SocketAddr) {
    while !hub.stopping() {
        if let Ok(Some(request)) = server.recv_timeout(Duration::from_millis(300)) {
            handle(hub, request, addr);
        }
    }
}

struct Reply {
    status: u16,
    content_type: &'static str,
    body: Vec<u8>,
    cookie: Option<String>,
}

impl Reply {
    fn json(status: u16, value: &Value) -> Reply {
        Reply {
            status,
            content_type: "application/json",
            body: value.to_string().into_bytes(),
            cookie: None,
        }
    }

    fn error(status: u16, message: &str) -> Reply {
        Reply::json(status, &json!({ "error": message }))
    }
}

fn asset(file: page::Asset) -> Reply {
    Reply {
        status: 200,
        content_type: file.content_type,
        body: file.body.as_bytes().to_vec(),
        cookie: None,
    }
}

fn header(name: &str, value: &str) -> Option<Header> {
    Header::from_bytes(name.as_bytes(), value.as_bytes()).ok()
}

fn respond(request: tiny_http::Request, reply: Reply) {
    let mut headers: Vec<Header> = [
        ("Content-Type", reply.content_type),
        ("Cache-Control", "no-store"),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "no-referrer"),
        ("X-Frame-Options", "DENY"),
        ("Content-Security-Policy", page::CSP),
    ]
    .into_iter()
    .filter_map(|(n, v)| header(n, v))
    .collect();
    if let Some(cookie) = &reply.cookie {
        headers.extend(header("Set-Cookie", cookie));
    }
    let mut response = Response::from_data(reply.body).with_status_code(StatusCode(reply.status));
    for h in headers {
        response.add_header(h);
    }
    // A client that went away is no concern of ours.
    let _ = request.respond(response);
}

/// Hands a request whose body tiny_http has not read yet to a thread of
/// its own. Reading such a body waits for every byte, and so does dropping
/// the request unread (tiny_http then skips the rest), with no timeout: a
/// body that never comes (a phone that lost its network mid-request, or
/// someone stalling on purpose) would hold a worker for good, and four of
/// them every participant, and stopping the share, which waits for the
/// workers. On its own thread it holds only that thread, as tiny_http's
/// thread for the connection is held already.
fn handle(hub: &Arc<Hub>, request: tiny_http::Request, addr: SocketAddr) {
    if body_is_read(&request) {
        answer(hub, request, addr);
        return;
    }
    let hub = Arc::clone(hub);
    // Should no thread start, the request is dropped with the closure,
    // on this thread: as before, and rarer than tiny_http itself failing
    // to start the thread of a connection.
    let _ = std::thread::Builder::new()
        .name("share-request".to_string())
        .spawn(move || answer(&hub, request, addr));
}

/// Whether tiny_http read the whole body with the head: it does for a
/// `Content-Length` of at most 1 KiB, unless the client asked to be told
/// to go on (`Expect`); a chunked or upgraded one it leaves to be read.
fn body_is_read(request: &tiny_http::Request) -> bool {
    let has = |name: &'static str| request.headers().iter().any(|h| h.field.equiv(name));
    let upgrade = request
        .headers()
        .iter()
        .filter(|h| h.field.equiv("Connection"))
        .any(|h| h.value.as_str().to_ascii_lowercase().contains("upgrade"));
    !has("Transfer-Encoding")
        && !has("Expect")
        && !upgrade
        && request
            .body_length()
            .is_none_or(|n| n <= READ_WITH_THE_HEAD)
}

fn answer(hub: &Arc<Hub>, mut request: tiny_http::Request, addr: SocketAddr) {
    if !host_allowed(&request, addr) {
        respond(request, Reply::error(421, "Unknown host name"));
        return;
    }
    let path = request.url().split('?').next().unwrap_or("").to_string();
    let method = request.method().clone();
    let reply = match (&method, path.as_str()) {
        (Method::Get, "/") => Some(asset(page::INDEX)),
        (Method::Get, "/app.js") => Some(asset(page::APP_JS)),
        (Method::Get, "/style.css") => Some(asset(page::STYLE)),
        (Method::Get, "/api/events") => {
            events(hub, request);
            return;
        }
        (Method::Get, "/api/board") => Some(board(hub, &request)),
        (Method::Post, _) if path.starts_with("/api/") => None,
        _ => Some(Reply::error(404, "Not found")),
    };
    if let Some(reply) = reply {
        respond(request, reply);
        return;
    }
    // Posts: JSON only (a cross-site form cannot send it without asking
    // first, and we never answer that question), and bounded.
    let body = match read_body(&mut request) {
        Ok(body) => body,
        Err(reply) => {
            respond(request, reply);
            return;
        }
    };
    // A body that came late, on its own thread, may find sharing over.
    if hub.stopping() {
        respond(request, Reply::error(503, "Sharing has stopped"));
        return;
    }
    let from = request.remote_addr().map(|a| a.ip());
    let reply = match path.as_str() {
        "/api/join" => join(hub, &body, from),
        "/api/roster" => roster(hub, &body, from),
        "/api/threats" | "/api/dots" | "/api/done" => act(hub, &request, &path, &body),
        "/api/leave" => leave(hub, &request),
        _ => Reply::error(404, "Not found"),
    };
    respond(request, reply);
}

/// Only the names the server is reached by: a web page elsewhere that
/// points its own name at 127.0.0.1 (DNS rebinding) is refused.
fn host_allowed(request: &tiny_http::Request, addr: SocketAddr) -> bool {
    if addr.ip().is_unspecified() {
        return true;
    }
    let Some(host) = request
        .headers()
        .iter()
        .find(|h| h.field.equiv("Host"))
        .map(|h| h.value.as_str().to_ascii_lowercase())
    else {
        return false;
    };
    let port = addr.port();
    host == addr.to_string()
        || (addr.ip().is_loopback()
            && (host == format!("localhost:{port}") || host == format!("127.0.0.1:{port}")))
}

fn read_body(request: &mut tiny_http::Request) -> Result<Value, Reply> {
    let json_type = request
        .headers()
        .iter()
        .find(|h| h.field.equiv("Content-Type"))
        .is_some_and(|h| {
            h.value
                .as_str()
                .to_ascii_lowercase()
                .starts_with("application/json")
        });
    if !json_type {
        return Err(Reply::error(415, "Send JSON"));
    }
    if request.body_length().is_some_and(|n| n > MAX_BODY) {
        return Err(Reply::error(413, "Too long"));
    }
    let mut bytes = Vec::new();
    let limit = u64::try_from(MAX_BODY)
        .unwrap_or(u64::MAX)
        .saturating_add(1);
    if request
        .as_reader()
        .take(limit)
        .read_to_end(&mut bytes)
        .is_err()
    {
        return Err(Reply::error(400, "The request could not be read"));
    }
    if bytes.len() > MAX_BODY {
        return Err(Reply::error(413, "Too long"));
    }
    if bytes.is_empty() {
        return Ok(json!({}));
    }
    serde_json::from_slice(&bytes).map_err(|_| Reply::error(400, "Not valid JSON"))
}

/// The token a request carries: the cookie the page got, or a bearer
/// token from `stridekit join`.
fn token(request: &tiny_http::Request) -> Option<String> {
    for h in request.headers() {
        if h.field.equiv("Authorization") {
            if let Some(t) = h.value.as_str().strip_prefix("Bearer ") {
                return Some(t.trim().to_string());
            }
        } else if h.field.equiv("Cookie") {
            for part in h.value.as_str().split(';') {
                if let Some((name, value)) = part.trim().split_once('=')
                    && name == COOKIE
                {
                    return Some(value.to_string());
                }
            }
        }
    }
    None
}

/// The guest a request's token names, as (id, admission).
fn who(hub: &Hub, request: &tiny_http::Request) -> Option<(u32, Admission)> {
    let token = token(request)?;
    let state = hub.lock();
    state.guest_by_token(&token).map(|g| (g.id, g.admission))
}

#[derive(Deserialize)]
struct JoinBody {
    #[serde(default)]
    code: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    participant: Option<String>,
}

/// Checks a join code, counting a wrong one against the address.
fn code_ok(hub: &Hub, typed: &str, from: Option<std::net::IpAddr>) -> Result<(), Reply> {
    let from = from.unwrap_or(std::net::IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED));
    let now = Instant::now();
    let mut state = hub.lock();
    if !state.may_try_code(from, now) {
        return Err(Reply::error(429, "Too many wrong codes: wait a minute"));
    }
    if normalize_code(typed) != state.code {
        state.failed_joins.push_back((now, from));
        return Err(Reply::error(403, "That is not the join code"));
    }
    Ok(())
}

fn join(hub: &Hub, body: &Value, from: Option<std::net::IpAddr>) -> Reply {
    let Ok(body) = JoinBody::deserialize(body)
        .map_err(|_| ())
        .and_then(|b| if body.is_object() { Ok(b) } else { Err(()) })
    else {
        return Reply::error(400, "Give the code and your name");
    };
    if let Err(reply) = code_ok(hub, &body.code, from) {
        return reply;
    }
    let name = participation::clean(&body.name, MAX_NAME, false);
    if name.is_empty() {
        return Reply::error(400, "Give your name");
    }
    let Ok(token) = random_token() else {
        return Reply::error(503, "No token could be made");
    };
    let wants = body
        .participant
        .as_deref()
        .and_then(|p| p.parse::<Id>().ok());
    let guest = {
        let mut state = hub.lock();
        if state.guests.len() >= MAX_GUESTS {
            return Reply::error(503, "The session is full");
        }
        let id = state.next_guest;
        state.next_guest = state.next_guest.saturating_add(1);
        state.guests.push(Guest {
            id,
            token: token.clone(),
            name: name.clone(),
            wants,
            admission: Admission::Waiting,
            connected: 0,
        });
        hub.bump(&mut state);
        id
    };
    (hub.deliver)(Inbound::Knock { guest, name });
    let mut reply = Reply::json(200, &json!({ "state": "waiting", "token": token }));
    reply.cookie = Some(format!(
        "{COOKIE}={token}; HttpOnly; SameSite=Strict; Path=/"
    ));
    reply
}

/// The session's participants, to pick oneself from: only with the code.
fn roster(hub: &Hub, body: &Value, from: Option<std::net::IpAddr>) -> Reply {
    let code = body.get("code").and_then(Value::as_str).unwrap_or("");
    if let Err(reply) = code_ok(hub, code, from) {
        return reply;
    }
    let published = hub.lock().published.clone();
    let people: Vec<Value> = published
        .map(|p| {
            p.session
                .participants
                .iter()
                .map(|person| json!({ "id": person.id, "name": person.name }))
                .collect()
        })
        .unwrap_or_default();
    Reply::json(200, &json!({ "participants": people }))
}

/// What the page shows the guest now, as JSON.
fn board_value(hub: &Hub, guest: u32) -> Value {
    let (admission, name, published) = {
        let state = hub.lock();
        let Some(g) = state.guests.iter().find(|g| g.id == guest) else {
            return json!({ "state": "removed" });
        };
        (g.admission, g.name.clone(), state.published.clone())
    };
    match admission {
        Admission::Waiting => json!({ "state": "waiting", "name": name }),
        Admission::Removed => json!({ "state": "removed" }),
        Admission::In(me) => {
            let board = published
                .as_ref()
                .and_then(|p| participation::board(&p.session, &p.stage, me));
            match board {
                Some(board) => json!({ "state": "in", "board": board }),
                // Not (or no longer) in the copy published: the facilitator
                // decides, by letting them in again or removing them.
                None => json!({ "state": "waiting", "name": name }),
            }
        }
    }
}

fn board(hub: &Hub, request: &tiny_http::Request) -> Reply {
    match who(hub, request) {
        None => Reply::error(401, "Join first"),
        Some((_, Admission::Removed)) => Reply::json(403, &json!({ "state": "removed" })),
        Some((guest, _)) => Reply::json(200, &board_value(hub, guest)),
    }
}

fn act(hub: &Hub, request: &tiny_http::Request, path: &str, body: &Value) -> Reply {
    let participant = match who(hub, request) {
        None => return Reply::error(401, "Join first"),
        Some((_, Admission::Waiting)) => {
            return Reply::error(403, "The facilitator has not let you in yet");
        }
        Some((_, Admission::Removed)) => return Reply::error(403, "You were removed"),
        Some((guest, Admission::In(p))) => (guest, p),
    };
    let text = |key: &str, max: usize| -> Option<String> {
        match body.get(key) {
            None | Some(Value::Null) => Some(String::new()),
            Some(Value::String(s)) if s.chars().count() <= max => Some(s.clone()),
            _ => None,
        }
    };
    let parsed = match path {
        "/api/threats" => text("title", MAX_TITLE)
            .zip(text("notes", MAX_NOTES))
            .map(|(title, notes)| Request::AddThreat { title, notes }),
        "/api/dots" => {
            let threat = body
                .get("threat")
                .and_then(Value::as_str)
                .and_then(|t| t.parse::<Id>().ok());
            let dots = body
                .get("dots")
                .and_then(Value::as_u64)
                .and_then(|d| u32::try_from(d).ok());
            threat
                .zip(dots)
                .map(|(threat, dots)| Request::SetDots { threat, dots })
        }
        _ => Some(Request::Done(
            body.get("done").and_then(Value::as_bool).unwrap_or(true),
        )),
    };
    let Some(parsed) = parsed else {
        return Reply::error(400, "That request does not say what to do, or is too long");
    };
    let (reply, answer) = mpsc::channel();
    let delivered = (hub.deliver)(Inbound::Act {
        guest: participant.0,
        participant: participant.1,
        request: parsed,
        reply,
    });
    if !delivered {
        return Reply::error(503, "The session is closing");
    }
    match answer.recv_timeout(APPLY_TIMEOUT) {
        Ok(Ok(done)) => Reply::json(200, &json!({ "ok": done })),
        Ok(Err(refusal)) => Reply::error(409, &refusal),
        Err(_) => Reply::error(503, "The facilitator's stridekit did not answer"),
    }
}

fn leave(hub: &Hub, request: &tiny_http::Request) -> Reply {
    let Some((guest, _)) = who(hub, request) else {
        return Reply::error(401, "Join first");
    };
    let mut state = hub.lock();
    if let Some(g) = state.guest_mut(guest) {
        g.admission = Admission::Removed;
    }
    hub.bump(&mut state);
    Reply::json(200, &json!({ "state": "removed" }))
}

/// A server-sent event stream of the guest's board: one event at once,
/// then one each time it changes, until they are removed or sharing stops.
fn events(hub: &Arc<Hub>, request: tiny_http::Request) {
    let Some((guest, admission)) = who(hub, &request) else {
        respond(request, Reply::error(401, "Join first"));
        return;
    };
    if admission == Admission::Removed {
        respond(request, Reply::json(403, &json!({ "state": "removed" })));
        return;
    }
    {
        let mut state = hub.lock();
        let streams: usize = state.guests.iter().map(|g| g.connected).sum();
        let Some(g) = state.guest_mut(guest) else {
            drop(state);
            respond(request, Reply::error(401, "Join first"));
            return;
        };
        if streams >= MAX_STREAMS || g.connected >= MAX_STREAMS_PER_GUEST {
            drop(state);
            respond(request, Reply::error(503, "Too many open pages"));
            return;
        }
        g.connected += 1;
        hub.bump(&mut state);
    }
    let hub = Arc::clone(hub);
    std::thread::spawn(move || {
        let mut out = request.into_writer();
        let _ = stream(&hub, guest, &mut out);
        let mut state = hub.lock();
        if let Some(g) = state.guest_mut(guest) {
            g.connected = g.connected.saturating_sub(1);
        }
        hub.bump(&mut state);
    });
}

fn stream(hub: &Hub, guest: u32, out: &mut dyn Write) -> std::io::Result<()> {
    out.write_all(
        b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\n\
          X-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n",
    )?;
    out.flush()?;
    let mut sent: Option<String> = None;
    loop {
        let version = hub.lock().version;
        let value = board_value(hub, guest);
        let text = value.to_string();
        if sent.as_deref() != Some(&text) {
            // JSON has no raw newline, so one `data:` line holds it.
            out.write_all(format!("data: {text}\n\n").as_bytes())?;
            out.flush()?;
            sent = Some(text);
        }
        if hub.stopping() || value.get("state").and_then(Value::as_str) == Some("removed") {
            return Ok(());
        }
        let state = hub.lock();
        let (state, timeout) = hub
            .changed
            .wait_timeout_while(state, KEEPALIVE, |s| {
                s.version == version && !hub.stopping()
            })
            .unwrap_or_else(|e| e.into_inner());
        drop(state);
        if timeout.timed_out() {
            out.write_all(b": still here\n\n")?;
            out.flush()?;
        }
    }
}
