//! Edits that keep a session consistent: deleting an element also removes
//! or clears everything that pointed at it, so the session always stays
//! valid (the TUI offers undo for the whole change).

use super::ids::{Id, IdKind};
use super::model::Session;
use super::text::plural;

/// What a delete took with it, for the status line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Removed {
    /// Ids removed along with the target (flows of a component, say).
    pub also_removed: Vec<Id>,
    /// How many references elsewhere were cleared.
    pub references_cleared: usize,
}

impl Removed {
    /// "and 2 flows, 3 references cleared", or empty.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if !self.also_removed.is_empty() {
            let ids: Vec<String> = self.also_removed.iter().map(Id::to_string).collect();
            parts.push(format!("with {}", ids.join(", ")));
        }
        if self.references_cleared > 0 {
            parts.push(format!(
                "{} cleared",
                plural(self.references_cleared, "reference", "references")
            ));
        }
        parts.join("; ")
    }
}

/// Deletes `id` and whatever depends on it. Returns `None` if no such
/// element exists.
pub fn delete(session: &mut Session, id: Id) -> Option<Removed> {
    let mut removed = Removed::default();
    let found = match id.kind {
        IdKind::Participant => remove(&mut session.participants, |x| x.id == id),
        IdKind::Asset => remove(&mut session.assets, |x| x.id == id),
        IdKind::Actor => remove(&mut session.actors, |x| x.id == id),
        IdKind::EntryPoint => remove(&mut session.entry_points, |x| x.id == id),
        IdKind::Boundary => remove(&mut session.boundaries, |x| x.id == id),
        IdKind::Component => remove(&mut session.components, |x| x.id == id),
        IdKind::Flow => remove(&mut session.flows, |x| x.id == id),
        IdKind::Assumption => remove(&mut session.assumptions, |x| x.id == id),
        IdKind::Threat => remove(&mut session.threats, |x| x.id == id),
        IdKind::Mitigation => remove(&mut session.mitigations, |x| x.id == id),
    };
    if !found {
        return None;
    }
    // A flow cannot exist without both ends.
    if matches!(id.kind, IdKind::Actor | IdKind::Component) {
        let flows: Vec<Id> = session
            .flows
            .iter()
            .filter(|f| f.from == id || f.to == id)
            .map(|f| f.id)
            .collect();
        for flow in flows {
            if let Some(more) = delete(session, flow) {
                removed.also_removed.push(flow);
                removed.also_removed.extend(more.also_removed);
                removed.references_cleared += more.references_cleared;
            }
        }
    }
    removed.references_cleared += clear_references(session, id);
    Some(removed)
}

fn remove<T>(items: &mut Vec<T>, is_target: impl Fn(&T) -> bool) -> bool {
    let before = items.len();
    items.retain(|x| !is_target(x));
    items.len() != before
}

/// Clears or drops every reference to `id`; returns how many.
fn clear_references(s: &mut Session, id: Id) -> usize {
    let mut n = 0;
    let mut clear = |slot: &mut Option<Id>| {
        if *slot == Some(id) {
            *slot = None;
            n += 1;
        }
    };
    clear(&mut s.facilitator);
    s.entry_points
        .iter_mut()
        .for_each(|e| clear(&mut e.component));
    s.boundaries.iter_mut().for_each(|b| clear(&mut b.parent));
    s.components.iter_mut().for_each(|c| clear(&mut c.boundary));
    let mut drop_from = |list: &mut Vec<Id>| {
        let before = list.len();
        list.retain(|x| *x != id);
        n += before - list.len();
    };
    s.flows.iter_mut().for_each(|f| drop_from(&mut f.assets));
    for a in &mut s.assumptions {
        drop_from(&mut a.threats);
        drop_from(&mut a.mitigations);
    }
    s.mitigations
        .iter_mut()
        .for_each(|m| drop_from(&mut m.threats));
    // Only threats that point at `id` are copied out of what undo shares.
    for t in &mut s.threats {
        let points = t.target == Some(id) || t.author == Some(id);
        if points || t.statement.assets.contains(&id) {
            let t = std::sync::Arc::make_mut(t);
            for slot in [&mut t.target, &mut t.author] {
                if *slot == Some(id) {
                    *slot = None;
                    n += 1;
                }
            }
            let before = t.statement.assets.len();
            t.statement.assets.retain(|x| *x != id);
            n += before - t.statement.assets.len();
        }
    }
    // A mitigation that addresses nothing any more goes too.
    s.mitigations.retain(|m| !m.threats.is_empty());
    let before = s.coverage.len();
    s.coverage.retain(|c| c.element != id);
    n += before - s.coverage.len();
    let before = s.dismissed.len();
    s.dismissed.retain(|d| d.element != id);
    n += before - s.dismissed.len();
    if s.voting.ballots.remove(&id).is_some() {
        n += 1;
    }
    for ballot in s.voting.ballots.values_mut() {
        if ballot.remove(&id).is_some() {
            n += 1;
        }
    }
    s.voting.ballots.retain(|_, b| !b.is_empty());
    let before = s.voting.order.len();
    s.voting.order.retain(|t| *t != id);
    n += before - s.voting.order.len();
    n += usize::from(s.voting.done.remove(&id));
    n += usize::from(s.voting.abstained.remove(&id));
    if s.voting.tally.remove(&id).is_some() {
        n += 1;
    }
    // The id another tool knew it by goes with it (not counted: nobody
    // sees it on screen).
    for ids in s.foreign_ids.values_mut() {
        ids.remove(&id);
    }
    s.foreign_ids.retain(|_, ids| !ids.is_empty());
    n
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::catalog::Catalogs;
    use crate::core::diag::Severity;
    use crate::core::store;
    use crate::core::validate::validate;

    fn demo() -> (Session, Catalogs) {
        let catalogs = Catalogs::builtin().unwrap();
        let s = store::load_text(std::path::Path::new("d"), crate::DEMO_SESSION, &catalogs)
            .unwrap()
            .session;
        (s, catalogs)
    }

    fn id(s: &str) -> Id {
        s.parse().unwrap()
    }

    #[test]
    fn deleting_a_component_takes_its_flows_and_clears_references() {
        let (mut s, catalogs) = demo();
        let removed = delete(&mut s, id("C2")).unwrap();
        // C2 had flows F3, F5, F7, F9 and F10.
        assert_eq!(
            removed.also_removed,
            ["F3", "F5", "F7", "F9", "F10"].map(id).to_vec()
        );
        assert!(s.component(id("C2")).is_none());
        assert!(s.threats.iter().all(|t| t.target != Some(id("C2"))));
        let errors = validate(&s, &catalogs)
            .into_iter()
            .filter(|i| i.severity == Severity::Error)
            .count();
        assert_eq!(errors, 0);
    }

    #[test]
    fn every_kind_of_element_can_go_and_the_session_stays_valid() {
        let (original, catalogs) = demo();
        let ids: Vec<Id> = original.all_ids().collect();
        for target in ids {
            let mut s = original.clone();
            assert!(delete(&mut s, target).is_some(), "{target}");
            let errors: Vec<_> = validate(&s, &catalogs)
                .into_iter()
                .filter(|i| i.severity == Severity::Error)
                .collect();
            assert!(errors.is_empty(), "deleting {target}: {errors:?}");
        }
    }

    #[test]
    fn deleting_nothing_changes_nothing() {
        let (mut s, _) = demo();
        let before = s.clone();
        assert_eq!(delete(&mut s, id("C99")), None);
        assert_eq!(s, before);
    }
}
