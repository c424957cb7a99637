//! Sharing a session with participants' own devices: a small HTTP server
//! in the facilitator's process, which stays the one writer of the
//! session.
//!
//! The server never touches the session. It keeps who has joined (the
//! [`Hub`]) and the latest copy of the session the facilitator published;
//! what a participant asks to change goes to the event loop as an
//! [`Inbound`], is applied there through the same edit funnel as a key
//! (undo, autosave, the read-only rules), and the answer comes back on a
//! channel. What a participant sees is worked out from the published copy
//! by [`crate::core::participation::board`], which never shows another
//! person's ballot.

pub mod client;
mod http;
mod page;
pub mod qr;

use std::collections::{HashMap, VecDeque};
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::core::ids::Id;
use crate::core::model::Session;
use crate::core::participation::Stage;

/// Where sharing listens unless told otherwise: loopback only.
pub const DEFAULT_ADDR: &str = "127.0.0.1:8787";

/// Letters of a join code: no 0/O, 1/I/L, so it can be read out loud.
const CODE_ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";
const CODE_LENGTH: usize = 6;

/// Wrong join codes allowed per address, and in all, per minute: with a
/// 6-letter code of 31 letters (887 million codes) and the facilitator
/// admitting each person, guessing is out of reach.
const FAILED_JOINS_PER_ADDRESS: usize = 5;
const FAILED_JOINS_IN_ALL: usize = 30;
const FAILED_JOIN_WINDOW: Duration = Duration::from_secs(60);

/// People who may wait or be in at once.
pub const MAX_GUESTS: usize = 200;

/// A participant's request, applied by the event loop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    AddThreat { title: String, notes: String },
    SetDots { threat: Id, dots: u32 },
    Done(bool),
}

/// What the server hands the event loop.
#[derive(Debug)]
pub enum Inbound {
    /// Someone asks to join: the facilitator admits or removes them.
    Knock { guest: u32, name: String },
    /// An admitted participant's request. `reply` takes the refusal to
    /// show them, if any.
    Act {
        guest: u32,
        participant: Id,
        request: Request,
        reply: mpsc::Sender<Result<String, String>>,
    },
}

/// Where a guest stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    Waiting,
    In(Id),
    Removed,
}

/// One person who joined (or asked to), as the facilitator sees them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GuestView {
    pub guest: u32,
    pub name: String,
    pub admission: Admission,
    /// Pages or terminals following the session now.
    pub connected: usize,
}

struct Guest {
    id: u32,
    token: String,
    name: String,
    /// The participant picked on the join page, admitted as that one.
    wants: Option<Id>,
    admission: Admission,
    connected: usize,
}

/// The latest copy of the session the facilitator published.
#[derive(Clone)]
pub struct Published {
    pub session: Arc<Session>,
    pub stage: Stage,
}

struct State {
    code: String,
    guests: Vec<Guest>,
    next_guest: u32,
    published: Option<Published>,
    /// Bumped at every publish and every change of a guest: streams wake.
    version: u64,
    failed_joins: VecDeque<(Instant, IpAddr)>,
}

/// Shared by the server's threads and the facilitator's handle.
pub struct Hub {
    state: Mutex<State>,
    changed: Condvar,
    stopping: AtomicBool,
    deliver: Box<dyn Fn(Inbound) -> bool + Send + Sync>,
}

impl Hub {
    fn lock(&self) -> MutexGuard<'_, State> {
        // A thread that panicked while holding the lock left the state as
        // it was between two whole changes: go on with it.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn bump(&self, state: &mut State) {
        state.version = state.version.wrapping_add(1);
        self.changed.notify_all();
    }

    fn stopping(&self) -> bool {
        self.stopping.load(Ordering::Relaxed)
    }
}

/// Why sharing could not start.
#[derive(Debug, thiserror::Error)]
pub enum ShareError {
    #[error("cannot listen on {addr}: {reason}")]
    Listen { addr: String, reason: String },
    #[error("no random numbers from the operating system: {0}")]
    Random(String),
}

/// The facilitator's handle on a running share. Dropping it stops the
/// server and ends every participant's stream.
pub struct Share {
    hub: Arc<Hub>,
    server: Arc<tiny_http::Server>,
    workers: Vec<JoinHandle<()>>,
    addr: SocketAddr,
    /// What the last publish held, so an unchanged state is not sent again.
    last: Option<(u64, Stage)>,
    /// When the last publish went out, to space them under load.
    last_at: Option<Instant>,
}

/// Threads answering requests; a stream holds a thread of its own.
const WORKERS: usize = 4;

impl Share {
    /// Starts the server on `addr`. `deliver` hands an [`Inbound`] to the
    /// event loop (false once the loop is gone).
    pub fn start(
        addr: &str,
        deliver: impl Fn(Inbound) -> bool + Send + Sync + 'static,
    ) -> Result<Share, ShareError> {
        let listen_error = |reason: String| ShareError::Listen {
            addr: addr.to_string(),
            reason,
        };
        let server = tiny_http::Server::http(addr).map_err(|e| listen_error(e.to_string()))?;
        let addr = server
            .server_addr()
            .to_ip()
            .ok_or_else(|| listen_error("not an IP address".to_string()))?;
        let code = random_code()?;
        let hub = Arc::new(Hub {
            state: Mutex::new(State {
                code,
                guests: Vec::new(),
                next_guest: 1,
                published: None,
                version: 0,
                failed_joins: VecDeque::new(),
            }),
            changed: Condvar::new(),
            stopping: AtomicBool::new(false),
            deliver: Box::new(deliver),
        });
        let server = Arc::new(server);
        let workers = (0..WORKERS)
            .map(|_| {
                let (hub, server) = (Arc::clone(&hub), Arc::clone(&server));
                std::thread::spawn(move || http::serve(&hub, &server, addr))
            })
            .collect();
        Ok(Share {
            hub,
            server,
            workers,
            addr,
            last: None,
            last_at: None,
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The address participants open. A server on every address
    /// (`0.0.0.0`) is shown with this machine's name for it, which the
    /// facilitator reads out or replaces.
    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    /// The join code, as `ABC-DEF`.
    pub fn code(&self) -> String {
        let code = self.hub.lock().code.clone();
        let (a, b) = code.split_at(CODE_LENGTH / 2);
        format!("{a}-{b}")
    }

    /// Publishes the session and where the facilitator is, when either
    /// changed since the last publish (`changes` is the document's
    /// change counter).
    pub fn publish(&mut self, session: &Session, changes: u64, stage: Stage) {
        self.publish_spaced(session, changes, stage, Duration::ZERO);
    }

    /// [`Share::publish`], but a change of the session alone waits until
    /// `spacing` has passed since the last publish (a move of the
    /// facilitator goes at once): under a burst of participants' requests
    /// the session is copied and every page's board worked out once per
    /// `spacing`, not once per request. The caller publishes again later.
    pub fn publish_spaced(
        &mut self,
        session: &Session,
        changes: u64,
        stage: Stage,
        spacing: Duration,
    ) {
        let now = (changes, stage);
        if self.last.as_ref() == Some(&now) {
            return;
        }
        let same_stage = self.last.as_ref().is_some_and(|(_, s)| *s == now.1);
        if same_stage && self.last_at.is_some_and(|at| at.elapsed() < spacing) {
            return;
        }
        self.last_at = Some(Instant::now());
        let published = Published {
            session: Arc::new(session.clone()),
            stage: now.1.clone(),
        };
        self.last = Some(now);
        let mut state = self.hub.lock();
        state.published = Some(published);
        self.hub.bump(&mut state);
    }

    /// Everyone who joined or asked to, in the order they came.
    pub fn guests(&self) -> Vec<GuestView> {
        self.hub
            .lock()
            .guests
            .iter()
            .map(|g| GuestView {
                guest: g.id,
                name: g.name.clone(),
                admission: g.admission,
                connected: g.connected,
            })
            .collect()
    }

    /// Where one guest stands now (not the last look the screen took).
    pub fn admission(&self, guest: u32) -> Option<Admission> {
        self.hub
            .lock()
            .guests
            .iter()
            .find(|g| g.id == guest)
            .map(|g| g.admission)
    }

    /// The participant a waiting guest picked on the join page, if any.
    pub fn wanted(&self, guest: u32) -> Option<Id> {
        self.hub
            .lock()
            .guests
            .iter()
            .find(|g| g.id == guest)
            .and_then(|g| g.wants)
    }

    /// Lets a guest in as `participant`.
    pub fn admit(&self, guest: u32, participant: Id) {
        self.set_admission(guest, Admission::In(participant));
    }

    /// Removes a guest: their token stops working at once and their
    /// streams end.
    pub fn remove(&self, guest: u32) {
        self.set_admission(guest, Admission::Removed);
    }

    fn set_admission(&self, guest: u32, admission: Admission) {
        let mut state = self.hub.lock();
        if let Some(g) = state.guests.iter_mut().find(|g| g.id == guest) {
            g.admission = admission;
        }
        self.hub.bump(&mut state);
    }
}

impl Drop for Share {
    fn drop(&mut self) {
        self.hub.stopping.store(true, Ordering::Relaxed);
        {
            let mut state = self.hub.lock();
            self.hub.bump(&mut state);
        }
        for _ in &self.workers {
            self.server.unblock();
        }
        for worker in self.workers.drain(..) {
            let _ = worker.join();
        }
    }
}

/// `n` bytes from the operating system's random source.
fn random_bytes<const N: usize>() -> Result<[u8; N], ShareError> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).map_err(|e| ShareError::Random(e.to_string()))?;
    Ok(bytes)
}

fn random_code() -> Result<String, ShareError> {
    // Rejection sampling keeps every letter equally likely.
    let mut code = String::with_capacity(CODE_LENGTH);
    let limit = 256 - 256 % CODE_ALPHABET.len();
    while code.len() < CODE_LENGTH {
        for byte in random_bytes::<16>()? {
            if usize::from(byte) < limit && code.len() < CODE_LENGTH {
                code.push(char::from(
                    CODE_ALPHABET[usize::from(byte) % CODE_ALPHABET.len()],
                ));
            }
        }
    }
    Ok(code)
}

/// A participant's token: 128 random bits, in hex.
fn random_token() -> Result<String, ShareError> {
    Ok(random_bytes::<16>()?
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

/// A typed code as the one given out: letter case, spaces and dashes do
/// not matter.
fn normalize_code(typed: &str) -> String {
    typed
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

impl State {
    /// Whether `from` may try another code now.
    fn may_try_code(&mut self, from: IpAddr, now: Instant) -> bool {
        while self
            .failed_joins
            .front()
            .is_some_and(|(at, _)| now.duration_since(*at) > FAILED_JOIN_WINDOW)
        {
            self.failed_joins.pop_front();
        }
        self.failed_joins.len() < FAILED_JOINS_IN_ALL
            && self.failed_joins.iter().filter(|(_, a)| *a == from).count()
                < FAILED_JOINS_PER_ADDRESS
    }

    fn guest_by_token(&self, token: &str) -> Option<&Guest> {
        self.guests.iter().find(|g| g.token == token)
    }

    fn guest_mut(&mut self, id: u32) -> Option<&mut Guest> {
        self.guests.iter_mut().find(|g| g.id == id)
    }
}

/// Counts of guests, for tests and the status line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub waiting: usize,
    pub admitted: usize,
}

impl Share {
    pub fn counts(&self) -> Counts {
        let state = self.hub.lock();
        let mut counts = Counts::default();
        for g in &state.guests {
            match g.admission {
                Admission::Waiting => counts.waiting += 1,
                Admission::In(_) => counts.admitted += 1,
                Admission::Removed => {}
            }
        }
        counts
    }
}

/// Guests by participant, to say who has voted: participant id to name.
pub fn admitted(guests: &[GuestView]) -> HashMap<Id, &str> {
    guests
        .iter()
        .filter_map(|g| match g.admission {
            Admission::In(p) => Some((p, g.name.as_str())),
            _ => None,
        })
        .collect()
}
