//! The moves of the STRIDE walk, without a terminal: what the catalog asks
//! about one element and category, turning a candidate into a threat (its
//! mitigations with it), marking cells looked at or not applicable,
//! dismissing candidates, and the queue a developer triages alone.

use std::collections::HashSet;

use super::catalog::{CandidateThreat, Catalogs, Kind};
use super::coverage::{Cell, Matrix, WalkElement};
use super::ids::{Id, IdKind};
use super::model::{
    CoverageMark, CoverageStatus, Dismissal, Mitigation, MitigationStatus, Session, Statement,
    Threat, ThreatStatus,
};
use super::stride::Category;
use super::time::Timestamp;

/// The catalog's questions and candidate threats for one cell, from every
/// kind of the element (a flow across a boundary has two), each once.
pub struct CellPrompts<'a> {
    pub prompts: Vec<&'a str>,
    pub candidates: Vec<&'a CandidateThreat>,
}

pub fn prompts<'a>(element: &WalkElement<'a>, category: Category) -> CellPrompts<'a> {
    prompts_of(&element.kinds, category, |r| {
        element.shown_elsewhere.contains(r)
    })
}

/// [`prompts`] for an element of catalog kinds `kinds`, leaving out the
/// candidates `elsewhere` says another element of the scope offers.
pub fn prompts_of<'a>(
    kinds: &[&'a Kind],
    category: Category,
    elsewhere: impl Fn(&str) -> bool,
) -> CellPrompts<'a> {
    let mut prompts: Vec<&str> = Vec::new();
    let mut candidates: Vec<&CandidateThreat> = Vec::new();
    for kind in kinds {
        for p in kind.prompts_for(category) {
            if !prompts.contains(&p.as_str()) {
                prompts.push(p);
            }
        }
        for t in kind.threats_for(category) {
            if !elsewhere(&t.reference) && !candidates.iter().any(|c| c.reference == t.reference) {
                candidates.push(t);
            }
        }
    }
    CellPrompts {
        prompts,
        candidates,
    }
}

/// The threat already taken from catalog threat `reference` on `element`.
pub fn taken(session: &Session, element: Id, reference: &str) -> Option<Id> {
    session
        .threats
        .iter()
        .find(|t| t.target == Some(element) && t.catalog.as_deref() == Some(reference))
        .map(|t| t.id)
}

/// The team's decision against catalog threat `reference` on `element`.
pub fn dismissal<'s>(session: &'s Session, element: Id, reference: &str) -> Option<&'s Dismissal> {
    session
        .dismissed
        .iter()
        .find(|d| d.element == element && d.catalog == reference)
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WalkError {
    #[error("already taken as {0}")]
    Taken(Id),
    #[error("no {0} ids are left")]
    NoIds(&'static str),
}

/// A new threat on `element` and `category`, written by `author`. Returns
/// its id.
pub fn add_threat(
    session: &mut Session,
    element: Id,
    category: Category,
    title: &str,
    author: Option<Id>,
    now: Timestamp,
) -> Result<Id, WalkError> {
    let ids = add_threats(session, element, category, &[title], author, now)?;
    ids.first().copied().ok_or(WalkError::NoIds("threat"))
}

/// New threats on `element` and `category`, one per title (a pasted
/// list): ids are issued in one pass, so a list of thousands costs no more
/// per title than one. Returns their ids.
pub fn add_threats(
    session: &mut Session,
    element: Id,
    category: Category,
    titles: &[&str],
    author: Option<Id>,
    now: Timestamp,
) -> Result<Vec<Id>, WalkError> {
    let Some(first) = session.next_id(IdKind::Threat) else {
        return Err(WalkError::NoIds("threat"));
    };
    let mut ids = Vec::with_capacity(titles.len());
    for (n, title) in titles.iter().enumerate() {
        let number = u32::try_from(n)
            .ok()
            .and_then(|n| first.number.checked_add(n))
            .ok_or(WalkError::NoIds("threat"))?;
        let id = Id::new(IdKind::Threat, number);
        ids.push(id);
        session.threats.push(std::sync::Arc::new(new_threat(
            id,
            title,
            category,
            element,
            author,
            now,
            session.created,
        )));
    }
    if let Some(last) = ids.last() {
        session
            .last_ids
            .insert(IdKind::Threat.prefix().to_string(), last.number);
    }
    Ok(ids)
}

fn new_threat(
    id: Id,
    title: &str,
    category: Category,
    element: Id,
    author: Option<Id>,
    now: Timestamp,
    created: Timestamp,
) -> Threat {
    Threat {
        id,
        title: title.trim().to_string(),
        category,
        target: Some(element),
        author,
        status: ThreatStatus::Open,
        status_reason: String::new(),
        likelihood: None,
        impact: None,
        catalog: None,
        notes: String::new(),
        created: now.max(created),
        statement: Statement::default(),
        also: Vec::new(),
        priority: None,
        tags: Vec::new(),
        properties: Default::default(),
    }
}

/// Takes catalog threat `candidate` as a threat on `element`: its title,
/// category and reference, its description as notes, its statement hints,
/// and each of its mitigations as a proposed mitigation (one the session
/// already has from the catalog also covers the new threat). A dismissal
/// of it is withdrawn. Returns the threat's id.
pub fn accept(
    session: &mut Session,
    element: Id,
    candidate: &CandidateThreat,
    author: Option<Id>,
    now: Timestamp,
) -> Result<Id, WalkError> {
    if let Some(existing) = taken(session, element, &candidate.reference) {
        return Err(WalkError::Taken(existing));
    }
    let id = add_threat(
        session,
        element,
        candidate.category,
        &candidate.title,
        author,
        now,
    )?;
    if let Some(threat) = session.threat_mut(id) {
        threat.catalog = Some(candidate.reference.clone());
        threat.notes = candidate.description.trim().to_string();
        threat.statement = Statement {
            source: candidate.source.trim().to_string(),
            prerequisites: candidate.prerequisites.trim().to_string(),
            action: candidate.action.trim().to_string(),
            impact: candidate.impact.trim().to_string(),
            assets: Vec::new(),
            goals: candidate
                .goals
                .iter()
                .map(|g| g.trim().to_string())
                .filter(|g| !g.is_empty())
                .collect(),
        };
    }
    for m in &candidate.mitigations {
        let shared = session
            .mitigations
            .iter_mut()
            .find(|x| x.catalog.as_deref() == Some(m.reference.as_str()));
        match shared {
            Some(existing) => {
                if !existing.threats.contains(&id) {
                    existing.threats.push(id);
                }
            }
            None => {
                let mid = session
                    .next_id(IdKind::Mitigation)
                    .ok_or(WalkError::NoIds("mitigation"))?;
                session.mitigations.push(Mitigation {
                    id: mid,
                    threats: vec![id],
                    text: format!("{}: {}", m.control.trim(), m.text.trim()),
                    catalog: Some(m.reference.clone()),
                    owner: String::new(),
                    status: MitigationStatus::Proposed,
                    notes: String::new(),
                    tags: Vec::new(),
                    properties: Default::default(),
                });
            }
        }
    }
    session
        .dismissed
        .retain(|d| !(d.element == element && d.catalog == candidate.reference));
    Ok(id)
}

/// Records that catalog threat `reference` does not apply to `element`.
pub fn dismiss(session: &mut Session, element: Id, reference: &str, reason: &str) {
    let reason = reason.trim().to_string();
    match session
        .dismissed
        .iter_mut()
        .find(|d| d.element == element && d.catalog == reference)
    {
        Some(d) => d.reason = reason,
        None => session.dismissed.push(Dismissal {
            element,
            catalog: reference.to_string(),
            reason,
        }),
    }
}

/// Marks a cell looked at, unless the team already decided about it.
pub fn visit(session: &mut Session, element: Id, category: Category) {
    if !session
        .coverage
        .iter()
        .any(|m| m.element == element && m.category == category)
    {
        session.coverage.push(CoverageMark {
            element,
            category,
            status: CoverageStatus::Visited,
            reason: String::new(),
        });
    }
}

/// Marks a cell not applicable here, for `reason` (which must be given).
pub fn not_applicable(session: &mut Session, element: Id, category: Category, reason: &str) {
    let reason = reason.trim().to_string();
    match session
        .coverage
        .iter_mut()
        .find(|m| m.element == element && m.category == category)
    {
        Some(m) => {
            m.status = CoverageStatus::NotApplicable;
            m.reason = reason;
        }
        None => session.coverage.push(CoverageMark {
            element,
            category,
            status: CoverageStatus::NotApplicable,
            reason,
        }),
    }
}

/// Removes the team's mark on a cell.
pub fn unmark(session: &mut Session, element: Id, category: Category) {
    session
        .coverage
        .retain(|m| !(m.element == element && m.category == category));
}

/// The next cell after (`row`, `col`) in walk order that nobody has dealt
/// with, going round to the start; `None` when every cell is done.
pub fn next_todo(matrix: &Matrix<'_>, row: usize, col: usize) -> Option<(usize, usize)> {
    let width = Category::ALL.len();
    let total = matrix.rows.len() * width;
    if total == 0 {
        return None;
    }
    let start = (row.min(matrix.rows.len() - 1) * width + col.min(width - 1)) % total;
    (1..=total)
        .map(|step| (start + step) % total)
        .map(|i| (i / width, i % width))
        .find(|&(r, c)| matrix.rows[r].1[c] == Cell::Todo)
}

/// A catalog candidate not yet decided, for triage.
#[derive(Debug, Clone, PartialEq)]
pub struct Undecided<'a> {
    pub element: Id,
    pub category: Category,
    pub candidate: &'a CandidateThreat,
}

/// Every candidate of the whole scope neither taken nor dismissed, in walk
/// order: element by element, category by category.
pub fn undecided<'a>(session: &Session, elements: &[WalkElement<'a>]) -> Vec<Undecided<'a>> {
    let taken: HashSet<(Id, &str)> = session
        .threats
        .iter()
        .filter_map(|t| Some((t.target?, t.catalog.as_deref()?)))
        .collect();
    let dismissed: HashSet<(Id, &str)> = session
        .dismissed
        .iter()
        .map(|d| (d.element, d.catalog.as_str()))
        .collect();
    let mut out = Vec::new();
    for element in elements {
        for category in Category::ALL {
            for candidate in prompts(element, category).candidates {
                let key = (element.id, candidate.reference.as_str());
                if !taken.contains(&key) && !dismissed.contains(&key) {
                    out.push(Undecided {
                        element: element.id,
                        category,
                        candidate,
                    });
                }
            }
        }
    }
    out
}

/// "A <source> <prerequisites> can <action>, which leads to <impact>,
/// negatively impacting <assets>." (Threat Composer's grammar), with
/// `name` naming assets. Without an action (catalog candidates give a
/// source and an impact but no action, and a title is a clause, not
/// something one "can"), the title leads: "<title>, exploited by a
/// <source> <prerequisites>, which leads to <impact>, ...".
pub fn sentence<'n>(
    statement: &Statement,
    title: &str,
    name: impl Fn(Id) -> Option<&'n str>,
) -> String {
    let s = statement;
    let source = s.source.trim();
    let who = |capital: bool| {
        let article = match (
            source.starts_with(['a', 'e', 'i', 'o', 'u', 'A', 'E', 'I', 'O', 'U']),
            capital,
        ) {
            (true, true) => "An",
            (true, false) => "an",
            (false, true) => "A",
            (false, false) => "a",
        };
        let mut who = format!("{article} {source}");
        if !s.prerequisites.trim().is_empty() {
            who.push(' ');
            who.push_str(s.prerequisites.trim());
        }
        who
    };
    let action = s.action.trim();
    let mut out = if !action.is_empty() {
        let subject = if source.is_empty() {
            match s.prerequisites.trim() {
                "" => "Someone".to_string(),
                p => format!("Someone {p}"),
            }
        } else {
            who(true)
        };
        format!("{subject} can {action}")
    } else {
        let mut out = title.trim().trim_end_matches('.').to_string();
        if !source.is_empty() {
            out.push_str(", exploited by ");
            out.push_str(&who(false));
        }
        out
    };
    if !s.impact.trim().is_empty() {
        out.push_str(", which leads to ");
        out.push_str(s.impact.trim());
    }
    if !s.assets.is_empty() {
        let names: Vec<String> = s
            .assets
            .iter()
            .map(|a| name(*a).map_or_else(|| a.to_string(), str::to_string))
            .collect();
        out.push_str(", negatively impacting ");
        out.push_str(&names.join(", "));
    }
    out.push('.');
    out
}

/// The catalog threat `reference` names, from any kind.
pub fn candidate<'a>(catalogs: &'a Catalogs, reference: &str) -> Option<&'a CandidateThreat> {
    let (kind, _) = reference.rsplit_once('/')?;
    catalogs
        .kind(kind)?
        .threats
        .iter()
        .find(|t| t.reference == reference)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::coverage::{matrix, walk_elements};
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

    fn candidates_on(elements: &[WalkElement<'_>], element: &str) -> Vec<String> {
        let e = elements.iter().find(|e| e.id == id(element)).unwrap();
        Category::ALL
            .iter()
            .flat_map(|c| prompts(e, *c).candidates)
            .map(|t| t.reference.clone())
            .collect()
    }

    #[test]
    fn a_borrowed_threat_is_walked_once_where_the_scope_holds_it() {
        let (mut s, catalogs) = demo();
        let role = "aws.iam/shared-lambda-role";
        let wide = "aws.iam/wildcard-workload-role";
        // The demo models the functions' role (C6): the role's threats are
        // walked there, not again on the functions and stores.
        let elements = walk_elements(&s, &catalogs);
        assert!(candidates_on(&elements, "C6").contains(&role.to_string()));
        for e in ["C2", "C3", "C4", "C5"] {
            let here = candidates_on(&elements, e);
            assert!(
                !here.iter().any(|r| r == role || r == wide),
                "{e}: {here:?}"
            );
        }
        // Without it, each pair joined by a flow gets the card once, on the
        // end the walk reaches first (the functions before the stores).
        s.components.retain(|c| c.kind != "aws.iam");
        let elements = walk_elements(&s, &catalogs);
        assert!(candidates_on(&elements, "C2").contains(&wide.to_string()));
        assert!(candidates_on(&elements, "C3").contains(&wide.to_string()));
        for e in ["C4", "C5"] {
            assert!(
                !candidates_on(&elements, e).contains(&wide.to_string()),
                "{e}"
            );
        }
        // A borrowed threat keeps its home's reference when taken.
        let (kind, t) = catalogs.threat(wide).unwrap();
        assert_eq!(kind.id, "aws.iam");
        assert!(
            catalogs
                .kind("aws.s3")
                .unwrap()
                .threats_for(t.category)
                .any(|x| x.reference == wide)
        );
    }

    fn errors(s: &Session, catalogs: &Catalogs) -> Vec<String> {
        validate(s, catalogs)
            .into_iter()
            .filter(|i| i.severity == Severity::Error)
            .map(|i| format!("{}: {}", i.path, i.message))
            .collect()
    }

    #[test]
    fn accepting_a_candidate_brings_its_mitigations_and_refuses_twice() {
        let (mut s, catalogs) = demo();
        let bucket = id("C5");
        let now = s.updated;
        let scope = s.clone();
        let elements = walk_elements(&scope, &catalogs);
        let element = elements.iter().find(|e| e.id == bucket).unwrap();
        let cell = prompts(element, Category::Tampering);
        assert!(!cell.prompts.is_empty());
        let candidate = cell
            .candidates
            .iter()
            .find(|c| taken(&s, bucket, &c.reference).is_none())
            .copied()
            .unwrap();
        let before = s.mitigations.len();
        let t = accept(&mut s, bucket, candidate, None, now).unwrap();
        let threat = s.threat(t).unwrap();
        assert_eq!(threat.title, candidate.title);
        assert_eq!(
            threat.catalog.as_deref(),
            Some(candidate.reference.as_str())
        );
        assert_eq!(threat.target, Some(bucket));
        let added = s
            .mitigations
            .iter()
            .filter(|m| m.threats.contains(&t))
            .count();
        assert_eq!(added, candidate.mitigations.len());
        assert!(s.mitigations.len() <= before + candidate.mitigations.len());
        assert!(
            s.mitigations
                .iter()
                .filter(|m| m.threats.contains(&t))
                .all(|m| m.status == MitigationStatus::Proposed)
        );
        assert_eq!(
            accept(&mut s, bucket, candidate, None, now),
            Err(WalkError::Taken(t))
        );
        assert!(
            errors(&s, &catalogs).is_empty(),
            "{:?}",
            errors(&s, &catalogs)
        );
    }

    #[test]
    fn a_mitigation_from_the_catalog_covers_every_threat_it_answers() {
        let (mut s, catalogs) = demo();
        s.mitigations.clear();
        let now = s.updated;
        let scope = s.clone();
        let elements = walk_elements(&scope, &catalogs);
        // The same catalog threat on two Lambda components shares its
        // mitigations.
        let (c2, c3) = (id("C2"), id("C3"));
        let candidate = prompts(
            elements.iter().find(|e| e.id == c2).unwrap(),
            Category::Spoofing,
        )
        .candidates
        .into_iter()
        .find(|c| {
            !c.mitigations.is_empty()
                && taken(&s, c2, &c.reference).is_none()
                && taken(&s, c3, &c.reference).is_none()
        })
        .unwrap();
        let a = accept(&mut s, c2, candidate, None, now).unwrap();
        let b = accept(&mut s, c3, candidate, None, now).unwrap();
        assert_eq!(s.mitigations.len(), candidate.mitigations.len());
        assert!(s.mitigations.iter().all(|m| m.threats == [a, b]));
    }

    #[test]
    fn dismissed_and_taken_candidates_leave_the_queue() {
        let (mut s, catalogs) = demo();
        let now = s.updated;
        let scope = s.clone();
        let elements = walk_elements(&scope, &catalogs);
        let queue = undecided(&s, &elements);
        assert!(!queue.is_empty());
        let first = queue[0].clone();
        let second = queue[1].clone();
        dismiss(
            &mut s,
            first.element,
            &first.candidate.reference,
            " not here ",
        );
        assert_eq!(
            dismissal(&s, first.element, &first.candidate.reference).map(|d| d.reason.as_str()),
            Some("not here")
        );
        accept(&mut s, second.element, second.candidate, None, now).unwrap();
        let after = undecided(&s, &elements);
        assert_eq!(after.len(), queue.len() - 2);
        assert!(!after.contains(&first) && !after.contains(&second));
        // Accepting a dismissed candidate withdraws the dismissal.
        accept(&mut s, first.element, first.candidate, None, now).unwrap();
        assert!(dismissal(&s, first.element, &first.candidate.reference).is_none());
        assert!(
            errors(&s, &catalogs).is_empty(),
            "{:?}",
            errors(&s, &catalogs)
        );
    }

    #[test]
    fn next_todo_goes_round_the_walk_in_order() {
        let (mut s, catalogs) = demo();
        let scope = s.clone();
        let m = matrix(&scope, &catalogs);
        let (r, c) = next_todo(&m, 0, 0).unwrap();
        assert_eq!(m.rows[r].1[c], Cell::Todo);
        // Marking every cell leaves nothing to do.
        let cells: Vec<(Id, Category)> = m
            .rows
            .iter()
            .flat_map(|(e, cells)| {
                Category::ALL
                    .iter()
                    .zip(cells)
                    .filter(|(_, c)| **c == Cell::Todo)
                    .map(|(cat, _)| (e.id, *cat))
                    .collect::<Vec<_>>()
            })
            .collect();
        for (e, cat) in cells {
            visit(&mut s, e, cat);
        }
        assert_eq!(next_todo(&matrix(&s, &catalogs), 0, 0), None);
    }

    #[test]
    fn marks_are_one_per_cell_and_not_applicable_wins() {
        let (mut s, catalogs) = demo();
        let f1 = id("F1");
        visit(&mut s, f1, Category::Tampering);
        visit(&mut s, f1, Category::Tampering);
        not_applicable(&mut s, f1, Category::Tampering, "TLS everywhere");
        visit(&mut s, f1, Category::Tampering);
        let marks: Vec<_> = s
            .coverage
            .iter()
            .filter(|m| m.element == f1 && m.category == Category::Tampering)
            .collect();
        assert_eq!(marks.len(), 1);
        assert_eq!(marks[0].status, CoverageStatus::NotApplicable);
        assert_eq!(marks[0].reason, "TLS everywhere");
        unmark(&mut s, f1, Category::Tampering);
        assert!(
            !s.coverage
                .iter()
                .any(|m| m.element == f1 && m.category == Category::Tampering)
        );
        assert!(errors(&s, &catalogs).is_empty());
    }

    #[test]
    fn sentences_follow_the_grammar() {
        let st = Statement {
            source: "external threat actor".into(),
            prerequisites: "who guesses a key".into(),
            action: String::new(),
            impact: "disclosure of salaries".into(),
            assets: vec![id("A1"), id("A9")],
            goals: Vec::new(),
        };
        let named = |a: Id| (a == id("A1")).then_some("Payslips");
        let with_action = Statement {
            action: "download payslips".into(),
            ..st.clone()
        };
        assert_eq!(
            sentence(&with_action, "Payslips leak", named),
            "An external threat actor who guesses a key can download payslips, which leads to disclosure of salaries, negatively impacting Payslips, A9."
        );
        // Without an action the title leads (a catalog candidate's case).
        assert_eq!(
            sentence(&st, "Payslip keys can be guessed", named),
            "Payslip keys can be guessed, exploited by an external threat actor who guesses a key, which leads to disclosure of salaries, negatively impacting Payslips, A9."
        );
        assert_eq!(
            sentence(&Statement::default(), "Keys leak.", |_| None),
            "Keys leak."
        );
        let no_source = Statement {
            action: "read the bucket".into(),
            ..Statement::default()
        };
        assert_eq!(
            sentence(&no_source, "x", |_| None),
            "Someone can read the bucket."
        );
    }

    #[test]
    fn candidates_are_found_by_reference() {
        let (_, catalogs) = demo();
        let kind = catalogs.kind("aws.s3").unwrap();
        let t = &kind.threats[0];
        assert_eq!(
            candidate(&catalogs, &t.reference).map(|c| &c.title),
            Some(&t.title)
        );
        assert!(candidate(&catalogs, "aws.s3/nope").is_none());
        assert!(candidate(&catalogs, "nonsense").is_none());
    }
}
