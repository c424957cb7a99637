//! Sharing, on the facilitator's side: starting and stopping the server,
//! publishing where the facilitator is, and applying what participants
//! send. A participant's request is applied here, in the event loop,
//! through the document's edit funnel like a key: undoable, autosaved,
//! refused when read-only.

use crate::core::ids::Id;
use crate::core::model::Phase;
use crate::core::participation::{self, Stage};
use crate::core::text::one_line;
use crate::share::{Admission, GuestView, Inbound, Request, Share, qr};
use crate::tui::app::App;
use crate::tui::context::Say;

/// A running share and what the screens show of it.
pub struct Sharing {
    pub share: Share,
    pub url: String,
    pub code: String,
    /// The join URL (with the code) as QR modules, when it fits one.
    pub qr: Option<Vec<Vec<bool>>>,
    /// Everyone who joined or asked to, as of the last look.
    pub guests: Vec<GuestView>,
    /// The session's participants let in from a device: they vote there,
    /// so the Vote screen never hands them the keyboard.
    pub remote: Vec<Id>,
}

impl Sharing {
    /// The URL with the code in it, as the QR code holds it: the page
    /// fills the code in.
    pub fn join_url(&self) -> String {
        format!("{}#code={}", self.url, self.code.replace('-', ""))
    }

    pub fn waiting(&self) -> usize {
        self.guests
            .iter()
            .filter(|g| g.admission == Admission::Waiting)
            .count()
    }
}

/// Starts sharing the open session on `addr` (`127.0.0.1:8787` when
/// `None`); `deliver` hands participants' requests to the event loop.
pub fn start(
    app: &mut App,
    addr: Option<&str>,
    deliver: impl Fn(Inbound) -> bool + Send + Sync + 'static,
) -> Result<(), String> {
    let Some(state) = app.session() else {
        return Err("Open a session to share it".to_string());
    };
    if state.sharing.is_some() {
        return Ok(());
    }
    if let Some(refusal) = state.doc.read_only() {
        return Err(format!("Cannot share: {refusal}"));
    }
    let share = Share::start(addr.unwrap_or(crate::share::DEFAULT_ADDR), deliver)
        .map_err(|e| format!("Cannot share: {e}"))?;
    let url = share.url();
    let code = share.code();
    let mut sharing = Sharing {
        share,
        url,
        code,
        qr: None,
        guests: Vec::new(),
        remote: Vec::new(),
    };
    sharing.qr = qr::modules(&sharing.join_url());
    let message = format!("Sharing at {} with code {}", sharing.url, sharing.code);
    if let Some(state) = app.session_mut() {
        state.sharing = Some(sharing);
    }
    publish(app);
    app.info(message);
    Ok(())
}

/// Stops sharing: every participant's page says so, their tokens end.
pub fn stop(app: &mut App) {
    let stopped = app
        .session_mut()
        .and_then(|state| state.sharing.take())
        .is_some();
    if stopped {
        app.info("Sharing stopped");
    }
}

/// Where the facilitator is, for participants' pages.
pub fn stage(app: &App) -> Stage {
    let Some(state) = app.session() else {
        return Stage::default();
    };
    let phase = state.session().phase;
    let focus = if phase == Phase::Brainstorm {
        state
            .current()
            .and_then(|screen| screen.participant_focus(&app.view(state)))
    } else {
        None
    };
    Stage {
        phase: Some(phase),
        focus,
    }
}

/// Publishes the session and the stage when either changed, and takes a
/// fresh look at the guests. Returns whether the guests changed (the
/// screen shows them).
pub fn publish(app: &mut App) -> bool {
    publish_spaced(app, std::time::Duration::ZERO)
}

/// How often the event loop sends participants a change of the session
/// alone (a move of the facilitator goes at once).
pub const PUBLISH_SPACING: std::time::Duration = std::time::Duration::from_millis(100);

/// [`publish`] as the event loop does it: changes at most every
/// `spacing` (see [`Share::publish_spaced`]).
pub fn publish_spaced(app: &mut App, spacing: std::time::Duration) -> bool {
    let stage = stage(app);
    let Some(state) = app.session_mut() else {
        return false;
    };
    let changes = state.doc.changes();
    let Some(sharing) = state.sharing.as_mut() else {
        return false;
    };
    sharing
        .share
        .publish_spaced(state.doc.session(), changes, stage, spacing);
    let guests = sharing.share.guests();
    let changed = guests != sharing.guests;
    if changed {
        sharing.remote = remote_participants(&guests);
        sharing.guests = guests;
    }
    changed
}

/// The participants admitted from a device, each once.
fn remote_participants(guests: &[GuestView]) -> Vec<Id> {
    let mut ids: Vec<Id> = guests
        .iter()
        .filter_map(|g| match g.admission {
            Admission::In(id) => Some(id),
            _ => None,
        })
        .collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// Applies what the server handed over.
pub fn inbound(app: &mut App, inbound: Inbound, now: crate::core::time::Timestamp) {
    match inbound {
        Inbound::Knock { name, .. } => {
            app.info(format!("{} asks to join: S lets them in", one_line(&name)));
        }
        Inbound::Act {
            guest,
            participant,
            request,
            reply,
        } => {
            let result = act(app, guest, participant, request, now);
            // The participant's page may have gone; nothing to do then.
            let _ = reply.send(result);
        }
    }
}

fn act(
    app: &mut App,
    guest: u32,
    participant: Id,
    request: Request,
    now: crate::core::time::Timestamp,
) -> Result<String, String> {
    let stage = stage(app);
    let Some(state) = app.session_mut() else {
        return Err("The session is closed".to_string());
    };
    // A removed guest's request that was already on its way.
    let admitted = state
        .sharing
        .as_ref()
        .is_some_and(|s| s.share.admission(guest) == Some(Admission::In(participant)));
    if !admitted {
        return Err("You are not in this session".to_string());
    }
    let name = state
        .session()
        .participants
        .iter()
        .find(|p| p.id == participant)
        .map(|p| one_line(&p.name).into_owned())
        .unwrap_or_else(|| participant.to_string());
    let secret = matches!(
        state.session().voting.mode,
        crate::core::model::VotingMode::Secret | crate::core::model::VotingMode::Hidden
    );
    let (label, result) = match request {
        Request::AddThreat { title, notes } => {
            let result = state
                .doc
                .edit(format!("{name}'s threat (from their device)"), |s| {
                    participation::add_threat(s, &stage, participant, &title, &notes, now)
                });
            let label = match &result {
                Ok(Ok(id)) => format!("{name} added {id} from their device (u undoes it)"),
                _ => String::new(),
            };
            (label, result.map(|r| r.map(|id| format!("Added {id}"))))
        }
        Request::SetDots { threat, dots } => {
            // A hidden vote's undo step never says where the dots went.
            let label = if secret {
                format!("{name}'s ballot")
            } else {
                format!("{name}: {dots} on {threat}")
            };
            let result = state.doc.edit(label.clone(), |s| {
                participation::set_dots(s, &stage, participant, threat, dots)
            });
            (label, result.map(|r| r.map(|()| String::new())))
        }
        Request::Done(done) => {
            let label = if done {
                format!("{name} has voted")
            } else {
                format!("{name} is voting again")
            };
            let result = state.doc.edit(label.clone(), |s| {
                participation::set_done(s, &stage, participant, done)
            });
            (label, result.map(|r| r.map(|()| String::new())))
        }
    };
    match result {
        Err(read_only) => Err(read_only),
        Ok(Err(refusal)) => Err(refusal.0),
        Ok(Ok(done)) => {
            app.info(label);
            Ok(done)
        }
    }
}

/// Lets a waiting guest in: as the participant they picked, else the
/// participant of their name (added to the session when there is none,
/// an undoable edit).
pub fn admit(app: &mut App, guest: u32) {
    let Some(state) = app.session_mut() else {
        return;
    };
    let Some(sharing) = state.sharing.as_ref() else {
        return;
    };
    let Some(view) = sharing.guests.iter().find(|g| g.guest == guest).cloned() else {
        return;
    };
    let wanted = sharing
        .share
        .wanted(guest)
        .filter(|id| state.session().participants.iter().any(|p| p.id == *id));
    let participant = match wanted {
        Some(id) => Ok(Ok((id, false))),
        None => state
            .doc
            .edit(format!("{} joins", one_line(&view.name)), |s| {
                participation::participant_named(s, &view.name)
            }),
    };
    match participant {
        Ok(Ok((id, _))) => {
            // The session with them in it goes out before they are let
            // in, so their first board finds them.
            publish(app);
            if let Some(sharing) = app.session().and_then(|s| s.sharing.as_ref()) {
                sharing.share.admit(guest, id);
            }
            publish(app);
            app.info(format!("{} is in", one_line(&view.name)));
        }
        Ok(Err(refusal)) => app.warn(refusal.0),
        Err(read_only) => app.warn(read_only),
    }
}

/// Lets in everyone who is waiting.
pub fn admit_all(app: &mut App) {
    let waiting: Vec<u32> = app
        .session()
        .and_then(|s| s.sharing.as_ref())
        .map(|s| {
            s.guests
                .iter()
                .filter(|g| g.admission == Admission::Waiting)
                .map(|g| g.guest)
                .collect()
        })
        .unwrap_or_default();
    for guest in waiting {
        admit(app, guest);
    }
}

/// Removes a guest: their token stops working.
pub fn remove(app: &mut App, guest: u32) {
    let Some(sharing) = app.session().and_then(|s| s.sharing.as_ref()) else {
        return;
    };
    let name = sharing
        .guests
        .iter()
        .find(|g| g.guest == guest)
        .map(|g| one_line(&g.name).into_owned())
        .unwrap_or_default();
    sharing.share.remove(guest);
    publish(app);
    app.info(format!("{name} removed"));
}
