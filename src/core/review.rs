//! Phase 6, Review: "Did we do a good job?" What the session shows about
//! itself: coverage of the walk, threats per category, time planned and
//! spent, the backlog above the cut line and what is unfinished.

use super::catalog::Catalogs;
use super::coverage::{self, Cell};
use super::ids::Id;
use super::model::{Phase, Session};
use super::plan::{Gap, Overview};
use super::stride::Category;
use super::time::Timestamp;
use super::validate::scope_gaps;
use super::walk;

/// One STRIDE category across the walk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CategoryReview {
    pub threats: usize,
    /// Cells of this category that apply to some element.
    pub cells: usize,
    /// Of those, the ones dealt with.
    pub done: usize,
}

/// Time planned and spent on one phase.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PhaseTime {
    pub phase: Phase,
    pub planned_secs: u64,
    /// Minutes added during the session, in seconds.
    pub added_secs: u64,
    pub actual_secs: u64,
}

impl PhaseTime {
    /// Spent beyond the plan and what was added.
    pub fn over(&self) -> bool {
        self.actual_secs > self.planned_secs.saturating_add(self.added_secs)
    }
}

#[derive(Debug, Clone)]
pub struct Review {
    /// Cells dealt with, cells that apply.
    pub coverage: (usize, usize),
    /// In [`Category::ALL`] order.
    pub categories: [CategoryReview; 6],
    pub time: Vec<PhaseTime>,
    /// The ranking, the backlog and each threat's mitigations.
    pub overview: Overview,
    /// Threats above the cut line still lacking a plan or an owner.
    pub unplanned: Vec<(Id, Gap)>,
    pub scope_gaps: Vec<String>,
    /// Catalog candidates neither taken nor dismissed.
    pub undecided: usize,
    /// Threats without likelihood and impact.
    pub unrated: usize,
}

impl Review {
    /// Categories that apply somewhere but were never looked at.
    pub fn never_looked_at(&self) -> Vec<Category> {
        Category::ALL
            .into_iter()
            .zip(self.categories)
            .filter(|(_, c)| c.cells > 0 && c.done == 0)
            .map(|(category, _)| category)
            .collect()
    }

    /// Nothing left to do: every cell walked, every backlog threat owned.
    pub fn is_finished(&self) -> bool {
        self.coverage.0 == self.coverage.1 && self.unplanned.is_empty()
    }
}

/// The review of `session`, timers counted up to `now`.
pub fn review(session: &Session, catalogs: &Catalogs, now: Timestamp) -> Review {
    let matrix = coverage::matrix(session, catalogs);
    let mut categories = [CategoryReview::default(); 6];
    for (_, cells) in &matrix.rows {
        for (slot, cell) in categories.iter_mut().zip(cells) {
            if *cell != Cell::Inapplicable {
                slot.cells += 1;
                if cell.is_done() {
                    slot.done += 1;
                }
            }
        }
    }
    for t in &session.threats {
        if let Some(slot) = categories.get_mut(t.category.index()) {
            slot.threats += 1;
        }
    }
    let time = Phase::ALL
        .iter()
        .filter_map(|p| session.agenda_item(*p))
        .map(|item| PhaseTime {
            phase: item.phase,
            planned_secs: u64::from(item.minutes) * 60,
            added_secs: u64::from(item.added_minutes) * 60,
            actual_secs: item.elapsed_at(now),
        })
        .collect();
    let overview = Overview::new(session);
    let unplanned = overview.unplanned().collect();
    let elements: Vec<_> = matrix.rows.iter().map(|(e, _)| e.clone()).collect();
    Review {
        coverage: matrix.progress(),
        categories,
        time,
        overview,
        unplanned,
        scope_gaps: scope_gaps(session),
        undecided: walk::undecided(session, &elements).len(),
        unrated: session
            .threats
            .iter()
            .filter(|t| t.risk().is_none())
            .count(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::model::{MitigationStatus, Template};
    use crate::core::plan;
    use crate::core::store;

    #[test]
    fn the_demo_review_adds_up() {
        let catalogs = Catalogs::builtin().unwrap();
        let loaded = store::load_text(
            std::path::Path::new("demo.toml"),
            crate::DEMO_SESSION,
            &catalogs,
        )
        .unwrap();
        let s = loaded.session;
        let r = review(&s, &catalogs, s.updated);
        let threats: usize = r.categories.iter().map(|c| c.threats).sum();
        assert_eq!(threats, s.threats.len());
        assert_eq!(r.overview.ranking.len(), s.threats.len());
        assert_eq!(r.time.len(), s.agenda.len());
        let (done, total) = r.coverage;
        let cells: usize = r.categories.iter().map(|c| c.cells).sum();
        let walked: usize = r.categories.iter().map(|c| c.done).sum();
        assert_eq!((walked, cells), (done, total));
    }

    #[test]
    fn backlog_threats_without_an_owned_plan_are_unfinished() {
        let catalogs = Catalogs::builtin().unwrap();
        let mut s = Session::new("t", Template::Quick, Timestamp::from_unix(0));
        let element = Id::new(crate::core::ids::IdKind::Component, 1);
        for title in ["a", "b", "c"] {
            let now = s.created;
            walk::add_threat(&mut s, element, Category::Tampering, title, None, now).unwrap();
        }
        let t = |n| Id::new(crate::core::ids::IdKind::Threat, n);
        plan::add_mitigation(&mut s, &[t(1)], "fix", "", MitigationStatus::Planned).unwrap();
        plan::add_mitigation(&mut s, &[t(2)], "fix", "Kim", MitigationStatus::Planned).unwrap();
        s.cut_line = Some(2);
        let r = review(&s, &catalogs, s.created);
        assert_eq!(r.overview.backlog, 2);
        assert_eq!(r.unplanned, vec![(t(1), Gap::NoOwner)]);
        s.cut_line = None;
        let r = review(&s, &catalogs, s.created);
        assert_eq!(r.unplanned, vec![(t(1), Gap::NoOwner), (t(3), Gap::NoPlan)]);
        assert!(!r.is_finished());
    }
}
