//! Phase timers: pure operations on a session's agenda.
//!
//! Each phase counts down from its timebox; past zero it counts overtime.
//! At most one phase's clock runs. Elapsed time is stored, so a session
//! closed and reopened continues from where its clock stopped; a paused or
//! closed session accumulates nothing.

use super::model::{AgendaItem, MAX_ELAPSED_SECS, Phase, Session};
use super::time::Timestamp;

/// The fraction of the timebox, at the end, shown in the warning colour.
pub const WARNING_FRACTION: f64 = 0.2;

/// Minutes `+` adds.
pub const EXTEND_MINUTES: u32 = 5;

/// What the clock shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimerState {
    /// Counting down, more than the warning fraction left.
    Normal,
    /// Counting down, in the last fifth.
    Warning,
    /// Past the timebox, counting up.
    Overtime,
}

/// A phase clock at one instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reading {
    pub phase: Phase,
    pub running: bool,
    pub elapsed_secs: u64,
    pub timebox_secs: u64,
    pub state: TimerState,
}

impl Reading {
    /// Seconds left (positive) or over (negative).
    pub fn remaining_secs(&self) -> i64 {
        i64::try_from(self.timebox_secs).unwrap_or(i64::MAX)
            - i64::try_from(self.elapsed_secs).unwrap_or(i64::MAX)
    }

    /// `12:34` counting down, `+01:05` in overtime.
    pub fn display(&self) -> String {
        let remaining = self.remaining_secs();
        let (sign, secs) = if remaining >= 0 {
            ("", remaining.unsigned_abs())
        } else {
            ("+", remaining.unsigned_abs())
        };
        let hours = secs / 3600;
        if hours > 0 {
            format!("{sign}{hours}:{:02}:{:02}", (secs % 3600) / 60, secs % 60)
        } else {
            format!("{sign}{:02}:{:02}", secs / 60, secs % 60)
        }
    }
}

/// The agenda entry of `phase`, created with the template's timebox if the
/// session has none.
pub fn entry(session: &mut Session, phase: Phase) -> &mut AgendaItem {
    // Sessions from files always have all six; one built in memory without an
    // agenda gets the entry on first use.
    if let Some(i) = session.agenda.iter().position(|a| a.phase == phase) {
        return &mut session.agenda[i];
    }
    let at = session
        .agenda
        .iter()
        .position(|a| a.phase > phase)
        .unwrap_or(session.agenda.len());
    session.agenda.insert(
        at,
        AgendaItem {
            phase,
            minutes: session.template.timeboxes()[phase.index()],
            added_minutes: 0,
            elapsed_secs: 0,
            running_since: None,
        },
    );
    &mut session.agenda[at]
}

/// The clock of `phase` at `now`.
pub fn reading(session: &Session, phase: Phase, now: Timestamp) -> Reading {
    let (elapsed, timebox, running) = match session.agenda_item(phase) {
        Some(item) => (
            item.elapsed_at(now),
            item.timebox_secs(),
            item.running_since.is_some(),
        ),
        None => (
            0,
            u64::from(session.template.timeboxes()[phase.index()]) * 60,
            false,
        ),
    };
    let state = if elapsed > timebox {
        TimerState::Overtime
    } else if (timebox - elapsed) as f64 <= timebox as f64 * WARNING_FRACTION && timebox > 0 {
        TimerState::Warning
    } else if timebox == 0 {
        TimerState::Overtime
    } else {
        TimerState::Normal
    };
    Reading {
        phase,
        running,
        elapsed_secs: elapsed,
        timebox_secs: timebox,
        state,
    }
}

/// The phase whose clock is running, if any.
pub fn running_phase(session: &Session) -> Option<Phase> {
    session
        .agenda
        .iter()
        .find(|a| a.running_since.is_some())
        .map(|a| a.phase)
}

/// Stops every running clock, banking its time.
pub fn pause_all(session: &mut Session, now: Timestamp) {
    for item in &mut session.agenda {
        if let Some(since) = item.running_since.take() {
            item.elapsed_secs = item
                .elapsed_secs
                .saturating_add(now.seconds_since(since))
                .min(MAX_ELAPSED_SECS);
        }
    }
}

/// Starts `phase`'s clock (stopping any other).
pub fn start(session: &mut Session, phase: Phase, now: Timestamp) {
    pause_all(session, now);
    entry(session, phase).running_since = Some(now);
}

/// Pauses the current phase's clock if it runs, starts it otherwise.
/// Returns whether it now runs.
pub fn toggle(session: &mut Session, now: Timestamp) -> bool {
    let phase = session.phase;
    if running_phase(session) == Some(phase) {
        pause_all(session, now);
        false
    } else {
        start(session, phase, now);
        true
    }
}

/// Adds [`EXTEND_MINUTES`] to the current phase's timebox.
pub fn extend(session: &mut Session) {
    let phase = session.phase;
    let item = entry(session, phase);
    item.added_minutes = item.added_minutes.saturating_add(EXTEND_MINUTES);
}

/// Moves the session to `phase`. Never blocked by the clock: a running
/// clock moves along to the new phase, a paused one stays paused.
pub fn move_to(session: &mut Session, phase: Phase, now: Timestamp) {
    let was_running = running_phase(session).is_some();
    pause_all(session, now);
    session.phase = phase;
    if was_running {
        start(session, phase, now);
    }
}

/// A session read from a file may carry a clock that was running when its
/// process died. It is stopped as of the last save: time after that was not
/// spent in the workshop.
pub fn settle_after_load(session: &mut Session) {
    let updated = session.updated;
    pause_all(session, updated);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::model::Template;

    fn at(s: i64) -> Timestamp {
        Timestamp::from_unix(s)
    }

    fn session() -> Session {
        let mut s = Session::new("t", Template::Workshop, at(0));
        s.phase = Phase::Scope; // 8 minutes
        s
    }

    #[test]
    fn counts_down_warns_then_counts_overtime() {
        let mut s = session();
        start(&mut s, Phase::Scope, at(0));
        let r = reading(&s, Phase::Scope, at(60));
        assert_eq!(
            (r.state, r.display().as_str()),
            (TimerState::Normal, "07:00")
        );
        // The last fifth of 8 minutes is 96 seconds.
        let r = reading(&s, Phase::Scope, at(480 - 96));
        assert_eq!(r.state, TimerState::Warning);
        let r = reading(&s, Phase::Scope, at(480));
        assert_eq!(
            (r.state, r.display().as_str()),
            (TimerState::Warning, "00:00")
        );
        let r = reading(&s, Phase::Scope, at(545));
        assert_eq!(
            (r.state, r.display().as_str()),
            (TimerState::Overtime, "+01:05")
        );
    }

    #[test]
    fn pause_banks_time_and_resume_continues() {
        let mut s = session();
        assert!(toggle(&mut s, at(100)));
        assert!(!toggle(&mut s, at(160)));
        // Paused: nothing accumulates.
        assert_eq!(reading(&s, Phase::Scope, at(10_000)).elapsed_secs, 60);
        assert!(toggle(&mut s, at(20_000)));
        assert_eq!(reading(&s, Phase::Scope, at(20_030)).elapsed_secs, 90);
    }

    #[test]
    fn extending_adds_five_minutes_to_the_current_phase() {
        let mut s = session();
        extend(&mut s);
        let r = reading(&s, Phase::Scope, at(0));
        assert_eq!(r.timebox_secs, 13 * 60);
        assert_eq!(s.agenda_item(Phase::Scope).unwrap().minutes, 8);
    }

    #[test]
    fn moving_phase_carries_a_running_clock_and_leaves_a_paused_one() {
        let mut s = session();
        start(&mut s, Phase::Scope, at(0));
        move_to(&mut s, Phase::Brainstorm, at(30));
        assert_eq!(running_phase(&s), Some(Phase::Brainstorm));
        assert_eq!(reading(&s, Phase::Scope, at(999)).elapsed_secs, 30);
        pause_all(&mut s, at(40));
        move_to(&mut s, Phase::Vote, at(50));
        assert_eq!(running_phase(&s), None);
        assert_eq!(s.phase, Phase::Vote);
    }

    #[test]
    fn a_clock_left_running_by_a_crash_stops_at_the_last_save() {
        let mut s = session();
        start(&mut s, Phase::Scope, at(0));
        s.updated = at(120);
        settle_after_load(&mut s);
        assert_eq!(running_phase(&s), None);
        assert_eq!(reading(&s, Phase::Scope, at(5_000)).elapsed_secs, 120);
    }

    #[test]
    fn a_phase_missing_from_a_partial_agenda_is_added_in_phase_order() {
        let mut s = session();
        s.agenda
            .retain(|a| matches!(a.phase, Phase::Setup | Phase::Vote | Phase::Review));
        entry(&mut s, Phase::Brainstorm);
        entry(&mut s, Phase::Plan);
        entry(&mut s, Phase::Scope);
        let order: Vec<Phase> = s.agenda.iter().map(|a| a.phase).collect();
        assert_eq!(order, Phase::ALL.to_vec());
        // The new entry takes the template's timebox, with nothing spent.
        let plan = s.agenda_item(Phase::Plan).unwrap();
        assert_eq!((plan.minutes, plan.elapsed_secs), (3, 0));
    }

    #[test]
    fn a_phase_without_an_agenda_item_reads_the_template_timebox() {
        let mut s = session();
        s.agenda.clear();
        let r = reading(&s, Phase::Brainstorm, at(1_000));
        // Workshop brainstorm: 35 minutes, not started.
        assert_eq!(
            (r.timebox_secs, r.elapsed_secs, r.running, r.state),
            (35 * 60, 0, false, TimerState::Normal)
        );
        assert_eq!(r.display(), "35:00");
    }

    #[test]
    fn a_phase_with_no_time_is_over_from_the_start() {
        let mut s = session();
        entry(&mut s, Phase::Scope).minutes = 0;
        let r = reading(&s, Phase::Scope, at(0));
        assert_eq!(
            (r.state, r.display().as_str()),
            (TimerState::Overtime, "00:00")
        );
    }

    #[test]
    fn long_overtime_shows_hours() {
        let mut s = session();
        start(&mut s, Phase::Scope, at(0));
        assert_eq!(
            reading(&s, Phase::Scope, at(480 + 3_725)).display(),
            "+1:02:05"
        );
    }
}
