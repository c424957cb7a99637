//! The open session's content and the one funnel every change goes
//! through: refused when read-only, recorded for undo, and counted so the
//! event loop knows what to save.

use crate::core::model::{AgendaItem, Session};
use crate::core::store::ReadOnly;

/// Undo keeps this many steps.
pub const UNDO_DEPTH: usize = 100;

pub struct UndoStep {
    pub before: Session,
    pub what: String,
}

pub struct Document {
    session: Session,
    /// Why we could only open read-only, and the refusal it makes.
    read_only: Option<(ReadOnly, String)>,
    undo: Vec<UndoStep>,
    /// Bumped by every change; `saved` is the change on disk.
    changes: u64,
    saved: u64,
}

impl Document {
    pub fn new(session: Session, read_only: Option<ReadOnly>) -> Document {
        Document {
            session,
            read_only: read_only.map(|r| {
                let refusal = r.refusal();
                (r, refusal)
            }),
            undo: Vec::new(),
            changes: 0,
            saved: 0,
        }
    }

    pub fn session(&self) -> &Session {
        &self.session
    }

    /// The refusal of any change, when read-only.
    pub fn read_only(&self) -> Option<&str> {
        self.read_only.as_ref().map(|(_, refusal)| refusal.as_str())
    }

    /// Why the session is read-only.
    pub fn read_only_reason(&self) -> Option<&ReadOnly> {
        self.read_only.as_ref().map(|(why, _)| why)
    }

    pub fn set_read_only(&mut self, why: Option<ReadOnly>) {
        self.read_only = why.map(|r| {
            let refusal = r.refusal();
            (r, refusal)
        });
    }

    /// The message for a refused change.
    pub fn refusal(&self) -> Option<String> {
        self.read_only().map(str::to_string)
    }

    /// Changes the content through `change`, recording an undo step named
    /// `what`. Refused, with the reason, when read-only.
    pub fn edit<R>(
        &mut self,
        what: impl Into<String>,
        change: impl FnOnce(&mut Session) -> R,
    ) -> Result<R, String> {
        if let Some(refusal) = self.refusal() {
            return Err(refusal);
        }
        let before = self.session.clone();
        let result = change(&mut self.session);
        if self.session != before {
            self.session.remember_ids_of(&before);
            self.undo.push(UndoStep {
                before,
                what: what.into(),
            });
            if self.undo.len() > UNDO_DEPTH {
                self.undo.remove(0);
            }
            self.changed();
        }
        Ok(result)
    }

    /// Changes what is not content and not undone: the clocks, the phase,
    /// the theme. Kept in memory when read-only (a viewer moves between
    /// phases too), but never saved then.
    pub fn adjust<R>(&mut self, change: impl FnOnce(&mut Session) -> R) -> R {
        let result = change(&mut self.session);
        self.changed();
        result
    }

    /// How many edits undo can take back.
    pub fn undo_depth(&self) -> usize {
        self.undo.len()
    }

    pub fn can_undo(&self) -> bool {
        self.read_only.is_none() && !self.undo.is_empty()
    }

    /// Restores the content before the last edit, keeping time: the
    /// clocks, the phase, the theme and the ids issued stay as they are.
    /// Returns what was undone, or why nothing was.
    pub fn undo(&mut self) -> Result<String, String> {
        if let Some(refusal) = self.refusal() {
            return Err(refusal);
        }
        let Some(step) = self.undo.pop() else {
            return Err("Nothing to undo".to_string());
        };
        let mut restored = step.before;
        restored.agenda = restore_timers(restored.agenda, &self.session.agenda);
        restored.phase = self.session.phase;
        restored.theme = self.session.theme.clone();
        // Ids are never issued twice, even those of undone additions.
        restored.last_ids = self.session.last_ids.clone();
        self.session = restored;
        self.changed();
        Ok(step.what)
    }

    fn changed(&mut self) {
        self.changes = self.changes.wrapping_add(1);
    }

    /// Marks the content as changed since the last save (a clock settled
    /// after loading, say).
    pub fn touch(&mut self) {
        self.changed();
    }

    /// Changed since the last save (never, when read-only).
    pub fn is_dirty(&self) -> bool {
        self.read_only.is_none() && self.changes != self.saved
    }

    /// The change counter, to tell a save which change it holds.
    pub fn changes(&self) -> u64 {
        self.changes
    }

    /// Records that the content as of change `changes` is on disk.
    pub fn saved(&mut self, changes: u64) {
        self.saved = changes;
    }

    /// The session to write, stamped with the time of the save. Not a
    /// change: `updated` only says when it was written.
    pub fn for_saving(&mut self, now: crate::core::time::Timestamp) -> &Session {
        self.session.updated = now.max(self.session.created);
        &self.session
    }
}

fn restore_timers(mut restored: Vec<AgendaItem>, current: &[AgendaItem]) -> Vec<AgendaItem> {
    for item in &mut restored {
        if let Some(now) = current.iter().find(|c| c.phase == item.phase) {
            item.elapsed_secs = now.elapsed_secs;
            item.running_since = now.running_since;
            item.added_minutes = now.added_minutes;
        }
    }
    restored
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::ids::IdKind;
    use crate::core::model::{Phase, Template};
    use crate::core::time::Timestamp;

    fn doc() -> Document {
        Document::new(
            Session::new("t", Template::Workshop, Timestamp::from_unix(0)),
            None,
        )
    }

    #[test]
    fn edits_are_undone_in_order_and_keep_ids_and_time() {
        let mut d = doc();
        assert!(!d.is_dirty());
        d.edit("title", |s| s.title = "one".into()).unwrap();
        d.edit("title", |s| s.title = "two".into()).unwrap();
        d.edit("participant", |s| s.next_id(IdKind::Participant))
            .unwrap();
        d.adjust(|s| s.phase = Phase::Vote);
        assert!(d.is_dirty());
        assert_eq!(d.undo().unwrap(), "participant");
        assert_eq!(d.undo().unwrap(), "title");
        assert_eq!(d.session().title, "one");
        assert_eq!(d.session().phase, Phase::Vote, "time is not undone");
        assert_eq!(d.session().last_ids.get("P"), Some(&1));
        assert_eq!(d.undo().unwrap(), "title");
        assert_eq!(d.undo().unwrap_err(), "Nothing to undo");
    }

    #[test]
    fn an_edit_that_changes_nothing_leaves_no_step() {
        let mut d = doc();
        d.edit("nothing", |_| ()).unwrap();
        assert!(!d.can_undo() && !d.is_dirty());
    }

    #[test]
    fn read_only_refuses_and_never_needs_saving() {
        let mut d = Document::new(
            Session::new("t", Template::Workshop, Timestamp::from_unix(0)),
            Some(ReadOnly::HeldBy("pid 7 on host".into())),
        );
        let refused = d.edit("title", |s| s.title = "x".into()).unwrap_err();
        assert!(refused.contains("pid 7 on host"), "{refused}");
        d.adjust(|s| s.phase = Phase::Scope);
        assert!(!d.is_dirty());
        assert!(d.undo().is_err());
    }

    #[test]
    fn an_undo_step_shares_the_threats_an_edit_did_not_touch() {
        let catalogs = crate::core::catalog::Catalogs::builtin().unwrap();
        let session = crate::core::store::load_text(
            std::path::Path::new("d"),
            crate::DEMO_SESSION,
            &catalogs,
        )
        .unwrap()
        .session;
        let mut d = Document::new(session, None);
        let first = d.session().threats[0].id;
        d.edit("retitle", |s| {
            if let Some(t) = s.threat_mut(first) {
                t.title = "changed".into();
            }
        })
        .unwrap();
        let before = &d.undo[0].before;
        let now = d.session();
        assert!(!std::sync::Arc::ptr_eq(&before.threats[0], &now.threats[0]));
        for (a, b) in before.threats.iter().zip(&now.threats).skip(1) {
            assert!(std::sync::Arc::ptr_eq(a, b), "{} was copied", a.id);
        }
    }

    #[test]
    fn saving_an_older_change_leaves_the_newer_one_dirty() {
        let mut d = doc();
        d.edit("a", |s| s.title = "a".into()).unwrap();
        let first = d.changes();
        d.edit("b", |s| s.title = "b".into()).unwrap();
        d.saved(first);
        assert!(d.is_dirty());
        d.saved(d.changes());
        assert!(!d.is_dirty());
    }
}
