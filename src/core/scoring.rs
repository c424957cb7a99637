//! Dot budgets, risk bands and the ranking of threats.

use std::collections::HashMap;

use serde::Serialize;

use super::ids::Id;
use super::model::Session;

/// Dots per person when the session does not set a number: about a third of
/// the threats (the N/3 rule), at least 1, at most 20.
pub fn default_budget(threat_count: usize) -> u32 {
    u32::try_from(threat_count / 3)
        .unwrap_or(u32::MAX)
        .clamp(1, 20)
}

/// Dots each participant may spend in this session.
pub fn budget(session: &Session) -> u32 {
    session
        .voting
        .dots_per_person
        .unwrap_or_else(|| default_budget(session.threats.len()))
}

/// Dots `participant` has placed (saturating: a file may hold any counts).
pub fn spent(session: &Session, participant: Id) -> u32 {
    session
        .voting
        .ballots
        .get(&participant)
        .map_or(0, |ballot| {
            ballot
                .values()
                .fold(0, |sum, &dots| sum.saturating_add(dots))
        })
}

/// The dots `voter` has on `threat`.
pub fn dots_on(session: &Session, voter: Id, threat: Id) -> u32 {
    session
        .voting
        .ballots
        .get(&voter)
        .and_then(|b| b.get(&threat))
        .copied()
        .unwrap_or(0)
}

/// Why a voter may not hold a number of dots on a threat.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DotLimit {
    /// Their dots in all would pass the budget (the budget).
    Budget(u32),
    /// More than the most one threat may get (the cap).
    Cap(u32),
}

/// The rule a vote holds, wherever the dot comes from (the facilitator's
/// keys or a participant's device): `voter` may hold `dots` on `threat`
/// unless that takes them past the budget or the threat past the cap.
/// Fewer dots than they hold now is always allowed, so a file with counts
/// over the rules can be put right.
pub fn dot_limit(session: &Session, voter: Id, threat: Id, dots: u32) -> Option<DotLimit> {
    let here = dots_on(session, voter, threat);
    if dots <= here {
        return None;
    }
    let budget = budget(session);
    let others = spent(session, voter).saturating_sub(here);
    if others.saturating_add(dots) > budget {
        return Some(DotLimit::Budget(budget));
    }
    let cap = session.voting.cap_per_threat;
    (dots > cap).then_some(DotLimit::Cap(cap))
}

/// Bands of likelihood x impact on a 5 x 5 matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RiskBand {
    Low,
    Medium,
    High,
    Critical,
}

impl RiskBand {
    pub const ALL: [RiskBand; 4] = [
        RiskBand::Low,
        RiskBand::Medium,
        RiskBand::High,
        RiskBand::Critical,
    ];

    /// 1-4 low, 5-9 medium, 10-16 high, 17-25 critical.
    pub fn of(risk: u8) -> RiskBand {
        match risk {
            0..=4 => RiskBand::Low,
            5..=9 => RiskBand::Medium,
            10..=16 => RiskBand::High,
            _ => RiskBand::Critical,
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            RiskBand::Low => "low",
            RiskBand::Medium => "medium",
            RiskBand::High => "high",
            RiskBand::Critical => "critical",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            RiskBand::Low => "Low",
            RiskBand::Medium => "Medium",
            RiskBand::High => "High",
            RiskBand::Critical => "Critical",
        }
    }
}

/// One threat's place in the ranking.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Ranked {
    pub threat: Id,
    /// 1-based. Tied threats share a rank (1, 2, 2, 4).
    pub rank: usize,
    pub dots: u32,
    /// Likelihood x impact, when both are rated.
    pub risk: Option<u8>,
    pub band: Option<RiskBand>,
    /// True when another threat has the same dots and risk, so only age
    /// decided their order: the facilitator should look at these.
    pub tied: bool,
}

/// Every threat, best first: most dots, then highest likelihood x impact,
/// then the facilitator's order for threats that tie on both (the
/// session's `voting.order`), then oldest (earliest created, then lowest
/// id).
pub fn rank(session: &Session) -> Vec<Ranked> {
    let totals = totals(session);
    let position: HashMap<Id, usize> = session
        .voting
        .order
        .iter()
        .enumerate()
        .map(|(i, id)| (*id, i))
        .collect();
    // What decides the order, worked out once per threat: most dots, then
    // highest risk, then by hand (placed before not placed), then oldest,
    // then lowest id. Ids are unique, so the order is total.
    let mut rows: Vec<Row> = session
        .threats
        .iter()
        .map(|t| Row {
            dots: totals.get(&t.id).copied().unwrap_or(0),
            risk: t.risk(),
            by_hand: position.get(&t.id).copied(),
            created: t.created,
            id: t.id,
        })
        .collect();
    rows.sort_unstable_by(|a, b| {
        b.dots
            .cmp(&a.dots)
            .then(b.risk.cmp(&a.risk))
            .then(
                a.by_hand
                    .unwrap_or(usize::MAX)
                    .cmp(&b.by_hand.unwrap_or(usize::MAX)),
            )
            .then(a.created.cmp(&b.created))
            .then(a.id.cmp(&b.id))
    });
    // Two neighbours tie when dots and risk are equal and the facilitator
    // has not put both in order.
    let ties = |a: &Row, b: &Row| {
        a.dots == b.dots && a.risk == b.risk && !(a.by_hand.is_some() && b.by_hand.is_some())
    };
    let mut ranked: Vec<Ranked> = Vec::with_capacity(rows.len());
    for (i, row) in rows.iter().enumerate() {
        let same_as_previous = i > 0 && ties(&rows[i - 1], row);
        let rank = if same_as_previous {
            ranked[i - 1].rank
        } else {
            i + 1
        };
        let same_as_next = rows.get(i + 1).is_some_and(|next| ties(row, next));
        ranked.push(Ranked {
            threat: row.id,
            rank,
            dots: row.dots,
            risk: row.risk,
            band: row.risk.map(RiskBand::of),
            tied: same_as_previous || same_as_next,
        });
    }
    ranked
}

/// One threat as the ranking compares it.
struct Row {
    dots: u32,
    risk: Option<u8>,
    by_hand: Option<usize>,
    created: super::time::Timestamp,
    id: Id,
}

/// Dots per threat: every ballot's, plus the tally. One pass over the
/// ballots, however many threats there are.
pub fn totals(session: &Session) -> HashMap<Id, u32> {
    let mut totals: HashMap<Id, u32> = HashMap::with_capacity(session.threats.len());
    for ballot in session.voting.ballots.values() {
        for (threat, dots) in ballot {
            let total = totals.entry(*threat).or_insert(0);
            *total = total.saturating_add(*dots);
        }
    }
    for (threat, count) in &session.voting.tally {
        let total = totals.entry(*threat).or_insert(0);
        *total = total.saturating_add(*count);
    }
    totals
}

/// Whether the vote's totals are still secret: a hidden or secret vote
/// with ballots, not yet revealed. The ranking would give them away.
pub fn votes_hidden(session: &Session) -> bool {
    use super::model::VotingMode;
    matches!(session.voting.mode, VotingMode::Hidden | VotingMode::Secret)
        && !session.voting.revealed
        && session.voting.ballots.values().any(|b| !b.is_empty())
}

/// The threats above the cut line: the first `cut_line` of the ranking (all
/// of them when the session sets none).
pub fn backlog(session: &Session, ranking: &[Ranked]) -> usize {
    session
        .cut_line
        .map_or(ranking.len(), |n| usize::try_from(n).unwrap_or(usize::MAX))
        .min(ranking.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::ids::IdKind;
    use crate::core::model::{Template, Threat, ThreatStatus};
    use crate::core::stride::Category;
    use crate::core::time::Timestamp;

    /// (dots, (likelihood, impact), created) per threat.
    type Spec = (u32, Option<(u8, u8)>, i64);

    fn session_with(threats: &[Spec]) -> Session {
        let mut s = Session::new("t", Template::Workshop, Timestamp::from_unix(0));
        let p = s.next_id(IdKind::Participant).unwrap();
        for (dots, rating, created) in threats {
            let id = s.next_id(IdKind::Threat).unwrap();
            s.threats.push(
                Threat {
                    id,
                    title: format!("threat {id}"),
                    category: Category::Spoofing,
                    target: None,
                    author: None,
                    status: ThreatStatus::Open,
                    status_reason: String::new(),
                    likelihood: rating.map(|r| r.0),
                    impact: rating.map(|r| r.1),
                    catalog: None,
                    notes: String::new(),
                    created: Timestamp::from_unix(*created),
                    statement: Default::default(),
                    also: Vec::new(),
                    priority: None,
                    tags: Vec::new(),
                    properties: Default::default(),
                }
                .into(),
            );
            if *dots > 0 {
                s.voting.ballots.entry(p).or_default().insert(id, *dots);
            }
        }
        s
    }

    #[test]
    fn totals_are_secret_in_a_hidden_or_secret_vote_with_dots_until_revealed() {
        use crate::core::model::VotingMode;
        let mut s = session_with(&[(2, None, 0), (0, None, 0)]);
        let hidden = |s: &Session, mode| {
            let mut s = s.clone();
            s.voting.mode = mode;
            votes_hidden(&s)
        };
        assert!(!hidden(&s, VotingMode::Open));
        assert!(hidden(&s, VotingMode::Hidden));
        assert!(hidden(&s, VotingMode::Secret));
        s.voting.revealed = true;
        assert!(!hidden(&s, VotingMode::Hidden));
        s.voting.revealed = false;
        // Only empty ballots: nothing to give away.
        for ballot in s.voting.ballots.values_mut() {
            ballot.clear();
        }
        assert!(!hidden(&s, VotingMode::Secret));
    }

    #[test]
    fn dots_stay_within_the_budget_and_the_cap_and_can_always_come_off() {
        // P1 holds 2 dots on T1 and 1 on T2; budget 4, cap 2.
        let mut s = session_with(&[(2, None, 0), (1, None, 0), (0, None, 0)]);
        s.voting.dots_per_person = Some(4);
        s.voting.cap_per_threat = 2;
        let p = *s.voting.ballots.keys().next().unwrap();
        let [t1, t2, t3] = [0, 1, 2].map(|i| s.threats[i].id);
        assert_eq!(dot_limit(&s, p, t2, 2), None);
        assert_eq!(dot_limit(&s, p, t1, 3), Some(DotLimit::Cap(2)));
        assert_eq!(dot_limit(&s, p, t3, 1), None, "the fourth dot");
        assert_eq!(dot_limit(&s, p, t3, 2), Some(DotLimit::Budget(4)));
        // Over both: the budget is what the voter can act on first.
        s.voting.cap_per_threat = 1;
        assert_eq!(dot_limit(&s, p, t3, 2), Some(DotLimit::Budget(4)));
        // A file over the rules: taking dots off is always allowed.
        s.voting.dots_per_person = Some(1);
        assert_eq!(dot_limit(&s, p, t1, 1), None);
        assert_eq!(dot_limit(&s, p, t1, 0), None);
        assert_eq!(dot_limit(&s, p, t1, 2), None, "no more than held");
    }

    #[test]
    fn the_facilitator_orders_a_tie_by_hand() {
        // T1 and T2 tie (2 dots, no risk); T3 below them.
        let mut s = session_with(&[(2, None, 10), (2, None, 20), (1, None, 5)]);
        let ids: Vec<Id> = s.threats.iter().map(|t| t.id).collect();
        let order = |s: &Session| {
            rank(s)
                .iter()
                .map(|r| (r.threat, r.rank, r.tied))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            order(&s),
            [(ids[0], 1, true), (ids[1], 1, true), (ids[2], 3, false)]
        );
        // T2 first, by hand: no longer a tie, and the newer one leads.
        s.voting.order = vec![ids[1], ids[0]];
        assert_eq!(
            order(&s),
            [(ids[1], 1, false), (ids[0], 2, false), (ids[2], 3, false)]
        );
        // An order only counts within a tie: T3 stays below.
        s.voting.order = vec![ids[2], ids[1], ids[0]];
        assert_eq!(order(&s)[2].0, ids[2]);
        // One placed by hand leads those that are not; those stay tied.
        let mut s = session_with(&[(1, None, 1), (1, None, 2), (1, None, 3)]);
        let ids: Vec<Id> = s.threats.iter().map(|t| t.id).collect();
        s.voting.order = vec![ids[2]];
        assert_eq!(
            order(&s),
            [(ids[2], 1, true), (ids[0], 1, true), (ids[1], 1, true)]
        );
    }

    #[test]
    fn the_backlog_is_the_ranking_above_the_cut_line() {
        let mut s = session_with(&[(2, None, 10), (2, None, 20), (1, None, 5)]);
        let r = rank(&s);
        assert_eq!(backlog(&s, &r), 3);
        s.cut_line = Some(2);
        assert_eq!(backlog(&s, &r), 2);
        s.cut_line = Some(99);
        assert_eq!(backlog(&s, &r), 3);
    }

    #[test]
    fn budget_is_a_third_clamped() {
        assert_eq!(default_budget(0), 1);
        assert_eq!(default_budget(2), 1);
        assert_eq!(default_budget(9), 3);
        assert_eq!(default_budget(10), 3);
        assert_eq!(default_budget(100), 20);
    }

    #[test]
    fn bands_cover_the_matrix() {
        assert_eq!(RiskBand::of(4), RiskBand::Low);
        assert_eq!(RiskBand::of(5), RiskBand::Medium);
        assert_eq!(RiskBand::of(9), RiskBand::Medium);
        assert_eq!(RiskBand::of(10), RiskBand::High);
        assert_eq!(RiskBand::of(16), RiskBand::High);
        assert_eq!(RiskBand::of(20), RiskBand::Critical);
        assert_eq!(RiskBand::of(25), RiskBand::Critical);
        // The keys name theme colours and Jira labels; the names are shown.
        assert_eq!(
            RiskBand::ALL.map(RiskBand::key),
            ["low", "medium", "high", "critical"]
        );
        assert_eq!(
            RiskBand::ALL.map(RiskBand::name),
            ["Low", "Medium", "High", "Critical"]
        );
    }

    #[test]
    fn ranks_by_dots_then_risk_then_age_and_reports_ties() {
        // T1: 2 dots, risk 4, old. T2: 3 dots. T3: 2 dots, risk 12.
        // T4: 2 dots, risk 4, newer than T1 -> tied with T1.
        let s = session_with(&[
            (2, Some((2, 2)), 10),
            (3, None, 20),
            (2, Some((3, 4)), 30),
            (2, Some((4, 1)), 40),
        ]);
        let r = rank(&s);
        let order: Vec<String> = r.iter().map(|x| x.threat.to_string()).collect();
        assert_eq!(order, ["T2", "T3", "T1", "T4"]);
        let ranks: Vec<usize> = r.iter().map(|x| x.rank).collect();
        assert_eq!(ranks, [1, 2, 3, 3]);
        let ties: Vec<bool> = r.iter().map(|x| x.tied).collect();
        assert_eq!(ties, [false, false, true, true]);
        assert_eq!(r[1].band, Some(RiskBand::High));
    }

    #[test]
    fn huge_ballots_saturate_instead_of_overflowing() {
        // Dots up to a cap of u32::MAX are valid; their sums used to
        // overflow (a panic in debug builds, a wrong total in release).
        let mut s = session_with(&[(u32::MAX, None, 0), (u32::MAX, None, 0)]);
        s.voting.cap_per_threat = u32::MAX;
        let p = *s.voting.ballots.keys().next().unwrap();
        s.participants.push(crate::core::model::Participant {
            id: p,
            name: "p".into(),
            persona: None,
        });
        let other = s.next_id(IdKind::Participant).unwrap();
        let t1 = s.threats[0].id;
        s.voting.ballots.entry(other).or_default().insert(t1, 1);
        s.voting.tally.insert(t1, u32::MAX);
        assert_eq!(spent(&s, p), u32::MAX);
        assert_eq!(s.voting.dots_for(t1), u32::MAX);
        assert_eq!(rank(&s)[0].dots, u32::MAX);
        let catalogs = crate::core::catalog::Catalogs::builtin().unwrap();
        let issues = crate::core::validate::validate(&s, &catalogs);
        assert!(
            issues
                .iter()
                .any(|i| i.message.contains("placed 4294967295 dots"))
        );
    }

    #[test]
    fn unrated_threats_rank_below_rated_ones_with_equal_dots() {
        let s = session_with(&[(0, None, 1), (0, Some((1, 1)), 2)]);
        let order: Vec<String> = rank(&s).iter().map(|x| x.threat.to_string()).collect();
        assert_eq!(order, ["T2", "T1"]);
    }
}
