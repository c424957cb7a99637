//! The STRIDE walk's coverage matrix: for every element the categories that
//! apply to it, and for each whether the team has been there.

use std::collections::{HashMap, HashSet};

use super::catalog::{ACTOR_KIND, BOUNDARY_KIND, Catalogs, FLOW_KIND, Kind, home_kind};
use super::ids::Id;
use super::model::{Component, CoverageStatus, Flow, Session};
use super::stride::Category;

/// The state of one element x category cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cell {
    /// The category does not apply to this kind of element.
    Inapplicable,
    /// Applies; nobody has looked yet.
    Todo,
    /// Discussed, no threat recorded.
    Visited,
    /// This many threats recorded.
    Threats(usize),
    /// The team decided it does not apply here.
    NotApplicable,
}

impl Cell {
    /// Whether the team has dealt with this cell.
    pub fn is_done(self) -> bool {
        matches!(self, Cell::Visited | Cell::Threats(_) | Cell::NotApplicable)
    }
}

/// One element of the walk and the catalog kinds that prompt for it.
#[derive(Debug, Clone)]
pub struct WalkElement<'a> {
    pub id: Id,
    pub name: &'a str,
    /// The element's own kind first; a flow that crosses a trust boundary
    /// also gets the boundary kind.
    pub kinds: Vec<&'a Kind>,
    /// The trust boundary a component sits in; `None` for actors, flows
    /// and components outside every boundary.
    pub boundary: Option<Id>,
    /// A flow whose ends sit in different trust boundaries.
    pub crosses: bool,
    /// References of borrowed threats this element does not offer because
    /// another element of the scope does: one of their home kind, or the
    /// other end of a flow reached earlier in the walk.
    pub shown_elsewhere: HashSet<&'a str>,
}

impl WalkElement<'_> {
    pub fn applies(&self, category: Category) -> bool {
        self.kinds.iter().any(|k| k.applies(category))
    }
}

/// Trust boundaries outermost first, each followed by those inside it, in
/// file order: the order the walk visits them.
pub fn boundary_order(session: &Session) -> Vec<Id> {
    let known: HashSet<Id> = session.boundaries.iter().map(|b| b.id).collect();
    let mut out = Vec::with_capacity(session.boundaries.len());
    let mut placed = HashSet::new();
    // Roots are boundaries without a (known) parent; a parent chain that
    // loops is placed after, in file order, rather than lost.
    let mut stack: Vec<Id> = session
        .boundaries
        .iter()
        .rev()
        .filter(|b| b.parent.is_none_or(|p| !known.contains(&p)))
        .map(|b| b.id)
        .collect();
    // Children by parent, in file order: one pass, not one per boundary.
    let mut children: HashMap<Id, Vec<Id>> = HashMap::new();
    for b in &session.boundaries {
        if let Some(p) = b.parent {
            children.entry(p).or_default().push(b.id);
        }
    }
    while let Some(id) = stack.pop() {
        if !placed.insert(id) {
            continue;
        }
        out.push(id);
        if let Some(kids) = children.get(&id) {
            stack.extend(kids.iter().rev());
        }
    }
    out.extend(
        session
            .boundaries
            .iter()
            .map(|b| b.id)
            .filter(|id| !placed.contains(id)),
    );
    out
}

/// The order of the STRIDE walk: actors, then the components outside any
/// trust boundary, then each boundary's components (outermost first), then
/// the data flows.
pub fn walk_elements<'a>(session: &'a Session, catalogs: &'a Catalogs) -> Vec<WalkElement<'a>> {
    let mut out =
        Vec::with_capacity(session.actors.len() + session.components.len() + session.flows.len());
    let one = |id: &str| catalogs.kind(id).into_iter().collect::<Vec<_>>();
    let actor_kinds = one(ACTOR_KIND);
    // Elements marked out of scope (kept from an import) are not walked.
    for a in session.actors.iter().filter(|a| a.out_of_scope.is_none()) {
        out.push(WalkElement {
            id: a.id,
            name: &a.name,
            kinds: actor_kinds.clone(),
            boundary: None,
            crosses: false,
            shown_elsewhere: HashSet::new(),
        });
    }
    let order = boundary_order(session);
    let rank: HashMap<Id, usize> = order.iter().enumerate().map(|(i, b)| (*b, i + 1)).collect();
    let mut components: Vec<&Component> = session
        .components
        .iter()
        .filter(|c| c.out_of_scope.is_none())
        .collect();
    // Stable: file order within a boundary.
    components.sort_by_key(|c| c.boundary.and_then(|b| rank.get(&b).copied()).unwrap_or(0));
    for c in components {
        out.push(WalkElement {
            id: c.id,
            name: &c.name,
            kinds: one(&c.kind),
            boundary: c.boundary.filter(|b| rank.contains_key(b)),
            crosses: false,
            shown_elsewhere: HashSet::new(),
        });
    }
    let flow_kinds = one(FLOW_KIND);
    let boundary_kind = catalogs.kind(BOUNDARY_KIND);
    let boundary_of: HashMap<Id, Option<Id>> = session
        .components
        .iter()
        .map(|c| (c.id, c.boundary))
        .collect();
    for f in session.flows.iter().filter(|f| f.out_of_scope.is_none()) {
        let mut kinds = flow_kinds.clone();
        let crosses = crosses_boundary(f, &boundary_of);
        if crosses && let Some(b) = boundary_kind {
            kinds.push(b);
        }
        out.push(WalkElement {
            id: f.id,
            name: &f.label,
            kinds,
            boundary: None,
            crosses,
            shown_elsewhere: HashSet::new(),
        });
    }
    hide_borrowed_duplicates(session, &mut out);
    out
}

/// One card per threat where the scope can hold it once: a threat a kind
/// borrows (an IAM role's leaked keys, offered on the table it reads too)
/// is walked on an element of its home kind when the scope has one, and
/// otherwise once per pair of elements joined by a flow, on the end the
/// walk reaches first.
fn hide_borrowed_duplicates<'a>(session: &Session, elements: &mut [WalkElement<'a>]) {
    let homes: HashSet<&str> = elements
        .iter()
        .flat_map(|e| e.kinds.iter().map(|k| k.id.as_str()))
        .collect();
    let mut offered: Vec<HashSet<&'a str>> = Vec::with_capacity(elements.len());
    for e in elements.iter_mut() {
        let mut here = HashSet::new();
        for kind in &e.kinds {
            for t in &kind.borrowed {
                if homes.contains(home_kind(&t.reference)) {
                    e.shown_elsewhere.insert(t.reference.as_str());
                } else {
                    here.insert(t.reference.as_str());
                }
            }
        }
        offered.push(here);
    }
    let position: HashMap<Id, usize> = elements
        .iter()
        .enumerate()
        .map(|(i, e)| (e.id, i))
        .collect();
    for f in session.flows.iter().filter(|f| f.out_of_scope.is_none()) {
        let (Some(&a), Some(&b)) = (position.get(&f.from), position.get(&f.to)) else {
            continue;
        };
        let (first, second) = (a.min(b), a.max(b));
        if first == second {
            continue;
        }
        let both: Vec<&'a str> = offered[first]
            .intersection(&offered[second])
            .copied()
            .collect();
        for r in both {
            offered[second].remove(r);
            elements[second].shown_elsewhere.insert(r);
        }
    }
}

/// Whether a flow's ends sit in different trust boundaries (actors sit
/// outside every boundary).
pub fn crosses_boundary(flow: &Flow, boundary_of: &HashMap<Id, Option<Id>>) -> bool {
    let side = |id: &Id| boundary_of.get(id).copied().flatten();
    side(&flow.from) != side(&flow.to)
}

/// The matrix: one row per walk element, one cell per STRIDE category.
pub struct Matrix<'a> {
    pub rows: Vec<(WalkElement<'a>, [Cell; 6])>,
}

impl Matrix<'_> {
    /// (cells dealt with, cells that apply).
    pub fn progress(&self) -> (usize, usize) {
        let cells = self.rows.iter().flat_map(|(_, cells)| cells.iter());
        cells.fold((0, 0), |(done, total), c| match c {
            Cell::Inapplicable => (done, total),
            c if c.is_done() => (done + 1, total + 1),
            _ => (done, total + 1),
        })
    }
}

pub fn matrix<'a>(session: &'a Session, catalogs: &'a Catalogs) -> Matrix<'a> {
    // One entry per element, a slot per category: one hash per threat and
    // one lookup per element, however many threats there are.
    let mut threats: HashMap<Id, [usize; 6]> = HashMap::new();
    for t in &session.threats {
        if let Some(target) = t.target {
            threats.entry(target).or_default()[t.category.index()] += 1;
        }
    }
    let mut marks: HashMap<Id, [Option<CoverageStatus>; 6]> = HashMap::new();
    for m in &session.coverage {
        marks.entry(m.element).or_default()[m.category.index()] = Some(m.status);
    }
    let rows = walk_elements(session, catalogs)
        .into_iter()
        .map(|element| {
            let counts = threats.get(&element.id).copied().unwrap_or_default();
            let marked = marks.get(&element.id).copied().unwrap_or_default();
            let cells = Category::ALL.map(|category| {
                let i = category.index();
                match (counts[i], marked[i]) {
                    // Threats recorded against a cell count even where the
                    // catalog says the category rarely applies.
                    (n, _) if n > 0 => Cell::Threats(n),
                    (_, Some(CoverageStatus::NotApplicable)) => Cell::NotApplicable,
                    (_, Some(CoverageStatus::Visited)) => Cell::Visited,
                    _ if element.applies(category) => Cell::Todo,
                    _ => Cell::Inapplicable,
                }
            });
            (element, cells)
        })
        .collect();
    Matrix { rows }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::ids::IdKind;
    use crate::core::model::{Boundary, Template};
    use crate::core::time::Timestamp;

    fn boundary(n: u32, parent: Option<u32>) -> Boundary {
        Boundary {
            id: Id::new(IdKind::Boundary, n),
            name: format!("B{n}"),
            parent: parent.map(|p| Id::new(IdKind::Boundary, p)),
            description: String::new(),
            properties: Default::default(),
        }
    }

    #[test]
    fn boundaries_are_walked_outermost_first_and_none_is_lost() {
        let mut s = Session::new("t", Template::Workshop, Timestamp::from_unix(0));
        // B3 inside B1, B2 inside B3; B4 and B5 inside each other (a loop).
        s.boundaries = vec![
            boundary(2, Some(3)),
            boundary(1, None),
            boundary(3, Some(1)),
            boundary(4, Some(5)),
            boundary(5, Some(4)),
        ];
        let order: Vec<String> = boundary_order(&s).iter().map(Id::to_string).collect();
        assert_eq!(order, ["B1", "B3", "B2", "B4", "B5"]);
    }
}
