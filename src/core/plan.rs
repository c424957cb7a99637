//! The moves of the Plan phase, without a terminal: mitigations written,
//! taken from the catalog, adopted, owned, taken off a threat; a threat's
//! status (with the reason accepted and transferred need); tied threats put
//! in order by hand; the backlog's cut line.

use std::collections::{HashMap, HashSet};

use super::catalog::{CandidateMitigation, CandidateThreat, Catalogs, Kind};
use super::coverage;
use super::ids::{Id, IdKind};
use super::model::{Mitigation, MitigationStatus, Session, ThreatStatus};
use super::scoring::Ranked;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    #[error("no mitigation ids are left")]
    NoIds,
    #[error("{0} is not in the session")]
    Unknown(Id),
    #[error("a mitigation needs some text")]
    NoText,
    #[error("{0} needs a reason: why it is not mitigated here")]
    ReasonNeeded(&'static str),
    #[error("{0} ties with no other threat")]
    NotTied(Id),
    #[error("{0} is already first among the threats it ties with")]
    First(Id),
    #[error("{0} is already last among the threats it ties with")]
    Last(Id),
}

/// A mitigation the catalog offers for a threat: for the kinds of the
/// element it is against, in its category.
pub struct Offered<'a> {
    pub kind: &'a Kind,
    pub threat: &'a CandidateThreat,
    pub mitigation: &'a CandidateMitigation,
    /// The session already has it (from the catalog), on these threats.
    pub in_session: Option<Id>,
    /// It is the catalog's answer to this very threat.
    pub own: bool,
}

/// Statuses that mean the mitigation is being done.
fn committed(status: MitigationStatus) -> bool {
    matches!(
        status,
        MitigationStatus::Planned | MitigationStatus::InProgress | MitigationStatus::Done
    )
}

/// An open threat with a mitigation being done is being mitigated.
fn advance_threats(session: &mut Session, threats: &[Id]) {
    for id in threats {
        if let Some(t) = session.threat_mut(*id)
            && t.status == ThreatStatus::Open
        {
            t.status = ThreatStatus::Mitigating;
        }
    }
}

/// What a threat in the backlog still lacks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gap {
    /// No mitigation planned, in progress or done.
    NoPlan,
    /// Planned, but nobody owns any of it.
    NoOwner,
}

impl Gap {
    pub fn describe(self) -> &'static str {
        match self {
            Gap::NoPlan => "no plan",
            Gap::NoOwner => "no owner",
        }
    }
}

/// What `threat` lacks to be dealt with: `None` once it has an owned
/// mitigation under way, or needs none (mitigated, accepted, transferred).
pub fn gap(session: &Session, threat: Id) -> Option<Gap> {
    let t = session.threat(threat)?;
    gap_of(
        t.status,
        session
            .mitigations
            .iter()
            .filter(|m| m.threats.contains(&threat)),
    )
}

/// The ranking with what the plan screens show of each threat, worked out
/// in one pass over the threats and one over the mitigations.
#[derive(Debug, Clone, Default)]
pub struct Overview {
    pub ranking: Vec<Ranked>,
    /// The first `backlog` of the ranking go to the backlog.
    pub backlog: usize,
    /// Per threat: positions in `session.mitigations` of those covering it.
    pub mitigations: HashMap<Id, Vec<usize>>,
    /// Per ranking row: what the threat lacks.
    pub gaps: Vec<Option<Gap>>,
}

impl Overview {
    pub fn new(session: &Session) -> Overview {
        let ranking = super::scoring::rank(session);
        let backlog = super::scoring::backlog(session, &ranking);
        let mut mitigations: HashMap<Id, Vec<usize>> = HashMap::new();
        for (i, m) in session.mitigations.iter().enumerate() {
            for t in &m.threats {
                let list = mitigations.entry(*t).or_default();
                // A threat listed twice in one mitigation counts once.
                if list.last() != Some(&i) {
                    list.push(i);
                }
            }
        }
        let status: HashMap<Id, ThreatStatus> =
            session.threats.iter().map(|t| (t.id, t.status)).collect();
        let gaps = ranking
            .iter()
            .map(|r| {
                let status = status.get(&r.threat).copied().unwrap_or_default();
                let covering = mitigations
                    .get(&r.threat)
                    .map_or(&[][..], Vec::as_slice)
                    .iter()
                    .filter_map(|i| session.mitigations.get(*i));
                gap_of(status, covering)
            })
            .collect();
        Overview {
            ranking,
            backlog,
            mitigations,
            gaps,
        }
    }

    /// The mitigations covering `threat`, in file order.
    pub fn mitigations_of<'s>(&self, session: &'s Session, threat: Id) -> Vec<&'s Mitigation> {
        self.mitigations
            .get(&threat)
            .map_or(&[][..], Vec::as_slice)
            .iter()
            .filter_map(|i| session.mitigations.get(*i))
            .collect()
    }

    /// Threats above the cut line still lacking a plan or an owner.
    pub fn unplanned(&self) -> impl Iterator<Item = (Id, Gap)> + '_ {
        self.ranking[..self.backlog]
            .iter()
            .zip(&self.gaps)
            .filter_map(|(r, g)| g.map(|g| (r.threat, g)))
    }
}

fn gap_of<'m>(status: ThreatStatus, covering: impl Iterator<Item = &'m Mitigation>) -> Option<Gap> {
    if matches!(
        status,
        ThreatStatus::Accepted
            | ThreatStatus::Transferred
            | ThreatStatus::Mitigated
            | ThreatStatus::NotApplicable
    ) {
        return None;
    }
    let mut planned = covering.filter(|m| committed(m.status)).peekable();
    if planned.peek().is_none() {
        return Some(Gap::NoPlan);
    }
    if planned.all(|m| m.owner.trim().is_empty()) {
        Some(Gap::NoOwner)
    } else {
        None
    }
}

/// A new mitigation of `threats`. Returns its id.
pub fn add_mitigation(
    session: &mut Session,
    threats: &[Id],
    text: &str,
    owner: &str,
    status: MitigationStatus,
) -> Result<Id, PlanError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(PlanError::NoText);
    }
    let mut covered: Vec<Id> = Vec::with_capacity(threats.len());
    for id in threats {
        if session.threat(*id).is_none() {
            return Err(PlanError::Unknown(*id));
        }
        if !covered.contains(id) {
            covered.push(*id);
        }
    }
    let id = session
        .next_id(IdKind::Mitigation)
        .ok_or(PlanError::NoIds)?;
    session.mitigations.push(Mitigation {
        id,
        threats: covered.clone(),
        text: text.to_string(),
        catalog: None,
        owner: owner.trim().to_string(),
        status,
        notes: String::new(),
        tags: Vec::new(),
        properties: Default::default(),
    });
    if committed(status) {
        advance_threats(session, &covered);
    }
    Ok(id)
}

/// Changes a mitigation's text, owner, status and the threats it covers
/// (never none: an empty list keeps the old one).
pub fn update_mitigation(
    session: &mut Session,
    id: Id,
    text: &str,
    owner: &str,
    status: MitigationStatus,
    threats: &[Id],
) -> Result<(), PlanError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(PlanError::NoText);
    }
    if let Some(unknown) = threats.iter().find(|t| session.threat(**t).is_none()) {
        return Err(PlanError::Unknown(*unknown));
    }
    let m = session
        .mitigations
        .iter_mut()
        .find(|m| m.id == id)
        .ok_or(PlanError::Unknown(id))?;
    m.text = text.to_string();
    m.owner = owner.trim().to_string();
    m.status = status;
    if !threats.is_empty() {
        let mut covered = Vec::with_capacity(threats.len());
        for t in threats {
            if !covered.contains(t) {
                covered.push(*t);
            }
        }
        m.threats = covered;
    }
    let covered = m.threats.clone();
    if committed(status) {
        advance_threats(session, &covered);
    }
    Ok(())
}

/// Sets a mitigation's status; an open threat it covers becomes
/// `mitigating` when the mitigation is planned, in progress or done.
pub fn set_mitigation_status(
    session: &mut Session,
    id: Id,
    status: MitigationStatus,
) -> Result<(), PlanError> {
    let m = session
        .mitigations
        .iter_mut()
        .find(|m| m.id == id)
        .ok_or(PlanError::Unknown(id))?;
    m.status = status;
    let covered = m.threats.clone();
    if committed(status) {
        advance_threats(session, &covered);
    }
    Ok(())
}

/// Adopts a proposed (or rejected) mitigation: it is planned. Returns
/// false when it already was planned or further along.
pub fn adopt(session: &mut Session, id: Id) -> Result<bool, PlanError> {
    let status = session
        .mitigations
        .iter()
        .find(|m| m.id == id)
        .map(|m| m.status)
        .ok_or(PlanError::Unknown(id))?;
    if committed(status) {
        return Ok(false);
    }
    set_mitigation_status(session, id, MitigationStatus::Planned)?;
    Ok(true)
}

pub fn set_owner(session: &mut Session, id: Id, owner: &str) -> Result<(), PlanError> {
    let m = session
        .mitigations
        .iter_mut()
        .find(|m| m.id == id)
        .ok_or(PlanError::Unknown(id))?;
    m.owner = owner.trim().to_string();
    Ok(())
}

/// Takes mitigation `id` off `threat`. A mitigation left covering no
/// threat is removed. Returns whether it was removed.
pub fn unlink(session: &mut Session, id: Id, threat: Id) -> Result<bool, PlanError> {
    let m = session
        .mitigations
        .iter_mut()
        .find(|m| m.id == id)
        .ok_or(PlanError::Unknown(id))?;
    m.threats.retain(|t| *t != threat);
    if m.threats.is_empty() {
        session.mitigations.retain(|m| m.id != id);
        return Ok(true);
    }
    Ok(false)
}

/// Mitigations that address no threat. Imports bring them (an Open Threat
/// Model mitigation nothing points at); Plan offers them to link.
pub fn unlinked(session: &Session) -> impl Iterator<Item = &Mitigation> {
    session.mitigations.iter().filter(|m| m.threats.is_empty())
}

/// Makes each mitigation in `ids` cover `threat` too; one being done moves
/// an open `threat` to mitigating. Returns how many did not cover it yet.
pub fn link(session: &mut Session, ids: &[Id], threat: Id) -> Result<usize, PlanError> {
    if session.threat(threat).is_none() {
        return Err(PlanError::Unknown(threat));
    }
    if let Some(unknown) = ids
        .iter()
        .find(|id| !session.mitigations.iter().any(|m| m.id == **id))
    {
        return Err(PlanError::Unknown(*unknown));
    }
    let mut added = 0;
    let mut any_committed = false;
    for m in session
        .mitigations
        .iter_mut()
        .filter(|m| ids.contains(&m.id))
    {
        if !m.threats.contains(&threat) {
            m.threats.push(threat);
            added += 1;
        }
        any_committed |= committed(m.status);
    }
    if any_committed {
        advance_threats(session, &[threat]);
    }
    Ok(added)
}

/// Sets a threat's status. Accepted and transferred need a reason; other
/// statuses clear it.
pub fn set_status(
    session: &mut Session,
    threat: Id,
    status: ThreatStatus,
    reason: &str,
) -> Result<(), PlanError> {
    let reason = reason.trim();
    let needs_reason = matches!(status, ThreatStatus::Accepted | ThreatStatus::Transferred);
    if needs_reason && reason.is_empty() {
        return Err(PlanError::ReasonNeeded(status.key()));
    }
    let t = session
        .threat_mut(threat)
        .ok_or(PlanError::Unknown(threat))?;
    t.status = status;
    t.status_reason = if needs_reason {
        reason.to_string()
    } else {
        String::new()
    };
    Ok(())
}

/// The mitigations the catalog offers for `threat`: first those of the
/// candidate it came from, then every other candidate's for the kinds of
/// its element, in its category; each once.
pub fn catalog_offers<'a>(
    session: &'a Session,
    catalogs: &'a Catalogs,
    threat: Id,
) -> Vec<Offered<'a>> {
    let Some(t) = session.threat(threat) else {
        return Vec::new();
    };
    let in_session = |reference: &str| {
        session
            .mitigations
            .iter()
            .find(|m| m.catalog.as_deref() == Some(reference))
            .map(|m| m.id)
    };
    let mut out: Vec<Offered<'a>> = Vec::new();
    let mut seen: HashSet<&str> = HashSet::new();
    let mut push = |kind: &'a Kind, candidate: &'a CandidateThreat, own: bool| {
        for m in &candidate.mitigations {
            if seen.insert(m.reference.as_str()) {
                out.push(Offered {
                    kind,
                    threat: candidate,
                    mitigation: m,
                    in_session: in_session(&m.reference),
                    own,
                });
            }
        }
    };
    if let Some((kind, candidate)) = t.catalog.as_deref().and_then(|r| catalogs.threat(r)) {
        push(kind, candidate, true);
    }
    let kinds: Vec<&Kind> = t
        .target
        .and_then(|target| {
            coverage::walk_elements(session, catalogs)
                .into_iter()
                .find(|e| e.id == target)
        })
        .map(|e| e.kinds)
        .unwrap_or_default();
    for kind in kinds {
        for candidate in kind.threats_for(t.category) {
            push(kind, candidate, false);
        }
    }
    out
}

/// Adds catalog mitigation `reference` to `threat`, planned: the session's
/// copy when it has one (that mitigation then covers this threat too),
/// otherwise a new one. Returns its id and whether it already covered
/// another threat.
pub fn take_from_catalog(
    session: &mut Session,
    catalogs: &Catalogs,
    threat: Id,
    reference: &str,
) -> Result<(Id, bool), PlanError> {
    if session.threat(threat).is_none() {
        return Err(PlanError::Unknown(threat));
    }
    if let Some(existing) = session
        .mitigations
        .iter_mut()
        .find(|m| m.catalog.as_deref() == Some(reference))
    {
        // Shared: it already covers another threat (taking one proposed
        // on this threat only adopts it).
        let shared = existing.threats.iter().any(|&t| t != threat);
        if !existing.threats.contains(&threat) {
            existing.threats.push(threat);
        }
        let id = existing.id;
        adopt(session, id)?;
        return Ok((id, shared));
    }
    let Some((_, m)) = catalogs.mitigation(reference) else {
        return Err(PlanError::NoText);
    };
    let id = add_mitigation(
        session,
        &[threat],
        &format!("{}: {}", m.control.trim(), m.text.trim()),
        "",
        MitigationStatus::Planned,
    )?;
    if let Some(added) = session.mitigations.iter_mut().find(|x| x.id == id) {
        added.catalog = Some(reference.to_string());
    }
    Ok((id, false))
}

/// The threats `threat` ties with in `ranking` (itself included), in
/// ranking order: the same dots and risk.
pub fn tie_group(ranking: &[Ranked], threat: Id) -> Vec<Id> {
    let Some(me) = ranking.iter().find(|r| r.threat == threat) else {
        return Vec::new();
    };
    ranking
        .iter()
        .filter(|r| r.dots == me.dots && r.risk == me.risk)
        .map(|r| r.threat)
        .collect()
}

/// Moves `threat` one place up (or down) among the threats it ties with,
/// writing the whole group's order into `voting.order` so it is kept.
pub fn move_in_tie(
    session: &mut Session,
    ranking: &[Ranked],
    threat: Id,
    up: bool,
) -> Result<(), PlanError> {
    let mut group = tie_group(ranking, threat);
    if group.len() < 2 {
        return Err(PlanError::NotTied(threat));
    }
    let Some(at) = group.iter().position(|t| *t == threat) else {
        return Err(PlanError::NotTied(threat));
    };
    let to = if up {
        at.checked_sub(1).ok_or(PlanError::First(threat))?
    } else {
        let to = at + 1;
        if to >= group.len() {
            return Err(PlanError::Last(threat));
        }
        to
    };
    group.swap(at, to);
    // The group takes the place of its first member already in the order,
    // or goes to the end; the order of other groups is untouched.
    let order = &mut session.voting.order;
    let place = order
        .iter()
        .position(|t| group.contains(t))
        .unwrap_or(order.len());
    let before: Vec<Id> = order[..place]
        .iter()
        .filter(|t| !group.contains(t))
        .copied()
        .collect();
    let after: Vec<Id> = order[place..]
        .iter()
        .filter(|t| !group.contains(t))
        .copied()
        .collect();
    *order = before.into_iter().chain(group).chain(after).collect();
    Ok(())
}

/// The cut line one threat lower (`more`: one more in the backlog) or
/// higher, within the ranking of `count` threats. The line at the bottom
/// is no line: every threat, including those added later, is in.
pub fn move_cut_line(session: &mut Session, count: usize, more: bool) -> Option<u32> {
    let count = u32::try_from(count).unwrap_or(u32::MAX);
    let now = session.cut_line.unwrap_or(count).min(count);
    let next = if more {
        now.saturating_add(1).min(count)
    } else {
        now.saturating_sub(1)
    };
    session.cut_line = (next < count).then_some(next);
    session.cut_line
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::model::Template;
    use crate::core::scoring;
    use crate::core::stride::Category;
    use crate::core::time::Timestamp;
    use crate::core::walk;

    fn session(threats: usize) -> Session {
        let mut s = Session::new("t", Template::Workshop, Timestamp::from_unix(0));
        for i in 0..threats {
            walk::add_threat(
                &mut s,
                Id::new(IdKind::Component, 1),
                Category::Spoofing,
                &format!("threat {i}"),
                None,
                Timestamp::from_unix(i64::try_from(i).unwrap_or(0)),
            )
            .unwrap();
        }
        s
    }

    fn t(n: u32) -> Id {
        Id::new(IdKind::Threat, n)
    }

    #[test]
    fn a_planned_mitigation_puts_open_threats_under_mitigation() {
        let mut s = session(2);
        let m = add_mitigation(
            &mut s,
            &[t(1), t(2), t(1)],
            " MFA ",
            " Kim ",
            MitigationStatus::Planned,
        )
        .unwrap();
        let made = s.mitigations.iter().find(|x| x.id == m).unwrap();
        assert_eq!(made.threats, vec![t(1), t(2)]);
        assert_eq!(made.owner, "Kim");
        assert_eq!(s.threat(t(2)).unwrap().status, ThreatStatus::Mitigating);
        assert_eq!(
            add_mitigation(&mut s, &[t(9)], "x", "", MitigationStatus::Proposed),
            Err(PlanError::Unknown(t(9)))
        );
        assert_eq!(
            add_mitigation(&mut s, &[t(1)], "  ", "", MitigationStatus::Proposed),
            Err(PlanError::NoText)
        );
    }

    fn loose(id: u32, status: MitigationStatus) -> Mitigation {
        Mitigation {
            id: Id::new(IdKind::Mitigation, id),
            threats: Vec::new(),
            text: format!("imported control {id}"),
            catalog: None,
            owner: String::new(),
            status,
            notes: String::new(),
            tags: Vec::new(),
            properties: Default::default(),
        }
    }

    #[test]
    fn linking_puts_a_mitigation_on_a_threat_once() {
        let mut s = session(3);
        s.mitigations.push(loose(7, MitigationStatus::Proposed));
        s.mitigations.push(loose(8, MitigationStatus::Done));
        let on_t1 = add_mitigation(&mut s, &[t(1)], "MFA", "", MitigationStatus::Proposed).unwrap();
        let m7 = Id::new(IdKind::Mitigation, 7);
        let m8 = Id::new(IdKind::Mitigation, 8);
        let loose_ids = |s: &Session| unlinked(s).map(|m| m.id).collect::<Vec<_>>();
        assert_eq!(loose_ids(&s), vec![m7, m8]);

        // A proposed one leaves the threat open.
        assert_eq!(link(&mut s, &[m7, on_t1], t(2)), Ok(2));
        assert_eq!(loose_ids(&s), vec![m8]);
        assert_eq!(s.mitigations[0].threats, vec![t(2)]);
        assert_eq!(s.mitigations[2].threats, vec![t(1), t(2)]);
        assert_eq!(s.threat(t(2)).unwrap().status, ThreatStatus::Open);
        // Linking again adds nothing.
        assert_eq!(link(&mut s, &[m7], t(2)), Ok(0));
        assert_eq!(s.mitigations[0].threats, vec![t(2)]);

        // One that is done puts the threat under mitigation.
        assert_eq!(link(&mut s, &[m8], t(3)), Ok(1));
        assert_eq!(s.threat(t(3)).unwrap().status, ThreatStatus::Mitigating);
        assert_eq!(loose_ids(&s), Vec::<Id>::new());

        // Unknown ids change nothing.
        let before = s.clone();
        assert_eq!(link(&mut s, &[m7], t(9)), Err(PlanError::Unknown(t(9))));
        let m99 = Id::new(IdKind::Mitigation, 99);
        assert_eq!(link(&mut s, &[m7, m99], t(1)), Err(PlanError::Unknown(m99)));
        assert_eq!(s, before);
    }

    #[test]
    fn a_proposed_mitigation_leaves_the_threat_open_until_adopted() {
        let mut s = session(1);
        let m = add_mitigation(&mut s, &[t(1)], "WAF", "", MitigationStatus::Proposed).unwrap();
        assert_eq!(s.threat(t(1)).unwrap().status, ThreatStatus::Open);
        assert_eq!(adopt(&mut s, m), Ok(true));
        assert_eq!(s.threat(t(1)).unwrap().status, ThreatStatus::Mitigating);
        assert_eq!(adopt(&mut s, m), Ok(false));
    }

    #[test]
    fn accepted_and_transferred_need_a_reason_and_others_clear_it() {
        let mut s = session(1);
        assert_eq!(
            set_status(&mut s, t(1), ThreatStatus::Accepted, " "),
            Err(PlanError::ReasonNeeded("accepted"))
        );
        set_status(&mut s, t(1), ThreatStatus::Transferred, "insurer").unwrap();
        assert_eq!(s.threat(t(1)).unwrap().status_reason, "insurer");
        set_status(&mut s, t(1), ThreatStatus::Mitigated, "ignored").unwrap();
        assert_eq!(s.threat(t(1)).unwrap().status_reason, "");
    }

    #[test]
    fn unlinking_the_last_threat_removes_the_mitigation() {
        let mut s = session(2);
        let m = add_mitigation(&mut s, &[t(1), t(2)], "x", "", MitigationStatus::Proposed).unwrap();
        assert_eq!(unlink(&mut s, m, t(1)), Ok(false));
        assert_eq!(unlink(&mut s, m, t(2)), Ok(true));
        assert!(s.mitigations.is_empty());
    }

    #[test]
    fn tied_threats_move_by_hand_and_keep_their_order() {
        // Four threats, no votes, no ratings: all tie.
        let mut s = session(4);
        let ranking = scoring::rank(&s);
        assert_eq!(tie_group(&ranking, t(3)), vec![t(1), t(2), t(3), t(4)]);
        move_in_tie(&mut s, &ranking, t(3), true).unwrap();
        assert_eq!(s.voting.order, vec![t(1), t(3), t(2), t(4)]);
        let ranking = scoring::rank(&s);
        let order: Vec<Id> = ranking.iter().map(|r| r.threat).collect();
        assert_eq!(order, vec![t(1), t(3), t(2), t(4)]);
        assert!(ranking.iter().all(|r| !r.tied), "ordered by hand: no ties");
        assert_eq!(
            move_in_tie(&mut s, &ranking, t(1), true),
            Err(PlanError::First(t(1)))
        );
        assert_eq!(
            move_in_tie(&mut s, &ranking, t(4), false),
            Err(PlanError::Last(t(4)))
        );
        // A vote breaks the tie: the threat leaves the group.
        let p = Id::new(IdKind::Participant, 1);
        s.voting.ballots.entry(p).or_default().insert(t(4), 1);
        let ranking = scoring::rank(&s);
        assert_eq!(
            move_in_tie(&mut s, &ranking, t(4), true),
            Err(PlanError::NotTied(t(4)))
        );
    }

    #[test]
    fn the_cut_line_moves_within_the_ranking_and_vanishes_at_the_bottom() {
        let mut s = session(3);
        assert_eq!(move_cut_line(&mut s, 3, false), Some(2));
        assert_eq!(move_cut_line(&mut s, 3, false), Some(1));
        assert_eq!(move_cut_line(&mut s, 3, false), Some(0));
        assert_eq!(move_cut_line(&mut s, 3, false), Some(0));
        assert_eq!(move_cut_line(&mut s, 3, true), Some(1));
        assert_eq!(move_cut_line(&mut s, 3, true), Some(2));
        assert_eq!(move_cut_line(&mut s, 3, true), None);
        assert_eq!(move_cut_line(&mut s, 3, true), None);
    }

    #[test]
    fn catalog_mitigations_are_shared_by_reference() {
        let catalogs = Catalogs::builtin().unwrap();
        let kind = catalogs.kind("aws.s3").unwrap();
        let candidate = &kind.threats[0];
        let reference = candidate.mitigations[0].reference.clone();
        let mut s = session(2);
        let (first, shared) = take_from_catalog(&mut s, &catalogs, t(1), &reference).unwrap();
        assert!(!shared);
        let (second, shared) = take_from_catalog(&mut s, &catalogs, t(2), &reference).unwrap();
        assert!(shared);
        assert_eq!(first, second);
        let m = s.mitigations.iter().find(|m| m.id == first).unwrap();
        assert_eq!(m.threats, vec![t(1), t(2)]);
        assert_eq!(m.status, MitigationStatus::Planned);
        assert_eq!(m.catalog.as_deref(), Some(reference.as_str()));
        // Taken again where it is already: adopted, not "shared".
        let (_, shared) = take_from_catalog(&mut s, &catalogs, t(2), &reference).unwrap();
        assert!(shared, "still covers T1 too");
        let mut alone = session(2);
        take_from_catalog(&mut alone, &catalogs, t(1), &reference).unwrap();
        let (_, shared) = take_from_catalog(&mut alone, &catalogs, t(1), &reference).unwrap();
        assert!(!shared);
    }
}
