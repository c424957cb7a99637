//! The session: everything a workshop produces, phase by phase.
//!
//! Field order here is the key order in session files, so keep related fields
//! together and add new ones at the end of their struct. Empty lists, empty
//! strings and absent options are not written, so a small change in the
//! workshop gives a small diff in git.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::ids::{Id, IdKind};
use super::stride::Category;
use super::time::Timestamp;

/// The only schema this version reads and writes.
pub const SCHEMA_VERSION: u32 = 1;

fn is_empty(s: &str) -> bool {
    s.is_empty()
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Session {
    pub schema: u32,
    pub title: String,
    /// The feature or workload being modelled ("What are we working on?").
    #[serde(default, skip_serializing_if = "is_empty")]
    pub description: String,
    #[serde(default)]
    pub template: Template,
    /// The participant running the session.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub facilitator: Option<Id>,
    /// The phase the workshop is in.
    #[serde(default)]
    pub phase: Phase,
    /// The theme last chosen for this session, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub theme: Option<String>,
    /// The backlog's cut line: the first this many threats of the ranking
    /// become work items.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cut_line: Option<u32>,
    pub created: Timestamp,
    pub updated: Timestamp,
    /// The last number issued per id prefix, so deleted ids are never reused.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub last_ids: BTreeMap<String, u32>,

    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub participants: Vec<Participant>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub agenda: Vec<AgendaItem>,

    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub assets: Vec<Asset>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub actors: Vec<Actor>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub entry_points: Vec<EntryPoint>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub boundaries: Vec<Boundary>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub components: Vec<Component>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub flows: Vec<Flow>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub assumptions: Vec<Assumption>,

    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub coverage: Vec<CoverageMark>,
    /// Catalog candidates the team decided against, never offered again.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dismissed: Vec<Dismissal>,
    /// Shared, so copying the session (an undo step, a save handed to the
    /// writer) copies ten thousand threats as pointers; changing one copies
    /// only that one (`Arc::make_mut`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub threats: Vec<Arc<Threat>>,
    #[serde(default, skip_serializing_if = "Voting::is_default")]
    pub voting: Voting,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mitigations: Vec<Mitigation>,

    /// Export settings that travel with the session (Jira mapping).
    #[serde(default, skip_serializing_if = "JiraSettings::is_empty")]
    pub jira: JiraSettings,

    /// Prose about the architecture, beside the scope lists (Threat
    /// Composer's architecture description).
    #[serde(default, skip_serializing_if = "is_empty")]
    pub architecture: String,
    /// Prose about the data flows (Threat Composer's data-flow description).
    #[serde(default, skip_serializing_if = "is_empty")]
    pub dataflow: String,
    /// The ids another tool gave our items, per format (`threat-composer`,
    /// `threat-dragon`, `otm`, `tmt`), kept from an import so an export
    /// back to that format uses them again: `[foreign_ids.otm] C1 = "web"`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub foreign_ids: BTreeMap<String, BTreeMap<Id, String>>,
}

/// The agenda a new session starts from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Template {
    /// A 60 minute team workshop with dot voting.
    #[default]
    Workshop,
    /// A 20 minute solo model, rating likelihood and impact instead of voting.
    Quick,
}

impl Template {
    pub fn key(self) -> &'static str {
        match self {
            Template::Workshop => "workshop",
            Template::Quick => "quick",
        }
    }

    /// Planned minutes per phase, in phase order.
    pub fn timeboxes(self) -> [u32; 6] {
        match self {
            // About 10 on scope, 35-45 brainstorming, 10-15 voting, 5 to plan and export.
            Template::Workshop => [2, 8, 35, 10, 3, 2],
            Template::Quick => [1, 3, 10, 3, 2, 1],
        }
    }
}

/// The phases of a session, in order.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum Phase {
    #[default]
    Setup,
    Scope,
    Brainstorm,
    Vote,
    Plan,
    Review,
}

impl Phase {
    pub const ALL: [Phase; 6] = [
        Phase::Setup,
        Phase::Scope,
        Phase::Brainstorm,
        Phase::Vote,
        Phase::Plan,
        Phase::Review,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Phase::Setup => "setup",
            Phase::Scope => "scope",
            Phase::Brainstorm => "brainstorm",
            Phase::Vote => "vote",
            Phase::Plan => "plan",
            Phase::Review => "review",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Phase::Setup => "Setup",
            Phase::Scope => "Scope",
            Phase::Brainstorm => "Brainstorm",
            Phase::Vote => "Vote",
            Phase::Plan => "Plan",
            Phase::Review => "Review",
        }
    }

    pub fn index(self) -> usize {
        Phase::ALL.iter().position(|p| *p == self).unwrap_or(0)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Persona {
    Business,
    Developer,
    Adversary,
    Defender,
    Appsec,
}

impl Persona {
    pub const ALL: [Persona; 5] = [
        Persona::Business,
        Persona::Developer,
        Persona::Adversary,
        Persona::Defender,
        Persona::Appsec,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Persona::Business => "business",
            Persona::Developer => "developer",
            Persona::Adversary => "adversary",
            Persona::Defender => "defender",
            Persona::Appsec => "appsec",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Persona::Business => "Business",
            Persona::Developer => "Developer",
            Persona::Adversary => "Adversary",
            Persona::Defender => "Defender",
            Persona::Appsec => "AppSec SME",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Participant {
    pub id: Id,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub persona: Option<Persona>,
}

/// The most seconds a phase clock holds: a TOML integer is a signed 64-bit
/// number, so more could not be written as one.
pub const MAX_ELAPSED_SECS: u64 = i64::MAX as u64;

/// One phase's timebox and its timer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgendaItem {
    pub phase: Phase,
    /// Planned minutes.
    pub minutes: u32,
    /// Minutes added during the session (`+`), kept apart from the plan so
    /// the review can compare planned and actual time.
    #[serde(default, skip_serializing_if = "is_zero_u32")]
    pub added_minutes: u32,
    /// Seconds the timer ran before `running_since` (or in total when stopped).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub elapsed_secs: u64,
    /// Set while the timer runs. A closed or paused session has none, so it
    /// accumulates no time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub running_since: Option<Timestamp>,
}

fn is_zero_u32(n: &u32) -> bool {
    *n == 0
}

impl AgendaItem {
    /// The timebox in seconds, including added minutes.
    pub fn timebox_secs(&self) -> u64 {
        u64::from(self.minutes.saturating_add(self.added_minutes)) * 60
    }

    /// Seconds spent so far, counting a running timer up to `now`; never
    /// more than [`MAX_ELAPSED_SECS`].
    pub fn elapsed_at(&self, now: Timestamp) -> u64 {
        let running = self
            .running_since
            .map_or(0, |since| now.seconds_since(since));
        self.elapsed_secs
            .saturating_add(running)
            .min(MAX_ELAPSED_SECS)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Classification {
    Public,
    Internal,
    Confidential,
    Restricted,
}

impl Classification {
    pub const ALL: [Classification; 4] = [
        Classification::Public,
        Classification::Internal,
        Classification::Confidential,
        Classification::Restricted,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Classification::Public => "public",
            Classification::Internal => "internal",
            Classification::Confidential => "confidential",
            Classification::Restricted => "restricted",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Asset {
    pub id: Id,
    pub name: String,
    pub classification: Classification,
    #[serde(default, skip_serializing_if = "is_empty")]
    pub description: String,
}

/// A person, role or outside system that interacts with the feature. In the
/// STRIDE walk an actor is an external entity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Actor {
    pub id: Id,
    pub name: String,
    #[serde(default, skip_serializing_if = "is_empty")]
    pub description: String,
    /// Out of scope, and why (an empty reason is allowed): kept from a
    /// tool that marks elements so; the walk skips it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub out_of_scope: Option<String>,
    /// Other tools' attributes of the element (`isEncrypted = "true"`),
    /// kept for a round trip.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub properties: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EntryPoint {
    pub id: Id,
    pub name: String,
    /// The component that exposes it, if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub component: Option<Id>,
    #[serde(default, skip_serializing_if = "is_empty")]
    pub description: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Boundary {
    pub id: Id,
    pub name: String,
    /// The boundary this one sits inside (an account around a VPC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<Id>,
    #[serde(default, skip_serializing_if = "is_empty")]
    pub description: String,
    /// Other tools' attributes of the boundary, kept for a round trip.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub properties: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Component {
    pub id: Id,
    pub name: String,
    /// A catalog kind such as `aws.lambda` or `generic.data-store`.
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub boundary: Option<Id>,
    #[serde(default, skip_serializing_if = "is_empty")]
    pub description: String,
    /// Out of scope, and why (an empty reason is allowed): kept from a
    /// tool that marks elements so; the walk skips it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub out_of_scope: Option<String>,
    /// Other tools' attributes of the element (`isEncrypted = "true"`),
    /// kept for a round trip.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub properties: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Flow {
    pub id: Id,
    /// An actor or component.
    pub from: Id,
    /// An actor or component.
    pub to: Id,
    pub label: String,
    #[serde(default, skip_serializing_if = "is_empty")]
    pub protocol: String,
    /// Assets carried by the flow.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub assets: Vec<Id>,
    #[serde(default, skip_serializing_if = "is_empty")]
    pub description: String,
    /// Out of scope, and why (an empty reason is allowed): kept from a
    /// tool that marks elements so; the walk skips it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub out_of_scope: Option<String>,
    /// Other tools' attributes of the element (`isEncrypted = "true"`),
    /// kept for a round trip.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub properties: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Assumption {
    pub id: Id,
    pub text: String,
    #[serde(default, skip_serializing_if = "is_empty")]
    pub notes: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// The threats it bears on (Threat Composer links assumptions).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub threats: Vec<Id>,
    /// The mitigations it bears on.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mitigations: Vec<Id>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CoverageStatus {
    /// The team discussed this element and category.
    Visited,
    /// The team decided the category does not apply here (with a reason).
    NotApplicable,
}

/// One cell of the STRIDE walk's coverage matrix (element x category).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CoverageMark {
    pub element: Id,
    pub category: Category,
    pub status: CoverageStatus,
    #[serde(default, skip_serializing_if = "is_empty")]
    pub reason: String,
}

/// A catalog candidate threat the team decided does not apply to an
/// element: remembered so triage and the walk do not offer it again.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Dismissal {
    /// The actor, component or flow.
    pub element: Id,
    /// The catalog threat: `aws.s3/public-bucket`.
    pub catalog: String,
    #[serde(default, skip_serializing_if = "is_empty")]
    pub reason: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ThreatStatus {
    #[default]
    Open,
    Mitigating,
    Mitigated,
    Accepted,
    Transferred,
    /// Looked at and found not to apply (Threat Dragon's `NA`, Threat
    /// Composer's "not useful", the Threat Modeling Tool's
    /// `NotApplicable`): kept, out of the backlog.
    NotApplicable,
}

impl ThreatStatus {
    pub const ALL: [ThreatStatus; 6] = [
        ThreatStatus::Open,
        ThreatStatus::Mitigating,
        ThreatStatus::Mitigated,
        ThreatStatus::Accepted,
        ThreatStatus::Transferred,
        ThreatStatus::NotApplicable,
    ];

    pub fn key(self) -> &'static str {
        match self {
            ThreatStatus::Open => "open",
            ThreatStatus::Mitigating => "mitigating",
            ThreatStatus::Mitigated => "mitigated",
            ThreatStatus::Accepted => "accepted",
            ThreatStatus::Transferred => "transferred",
            ThreatStatus::NotApplicable => "not-applicable",
        }
    }
}

/// A threat written in Threat Composer's grammar: "A <source> <prerequisites>
/// can <action>, which leads to <impact>, negatively impacting <assets>."
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Statement {
    #[serde(default, skip_serializing_if = "is_empty")]
    pub source: String,
    #[serde(default, skip_serializing_if = "is_empty")]
    pub prerequisites: String,
    #[serde(default, skip_serializing_if = "is_empty")]
    pub action: String,
    #[serde(default, skip_serializing_if = "is_empty")]
    pub impact: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub assets: Vec<Id>,
    /// The security goals it harms ("confidentiality", "integrity").
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub goals: Vec<String>,
}

impl Statement {
    pub fn is_empty(&self) -> bool {
        self.source.is_empty()
            && self.prerequisites.is_empty()
            && self.action.is_empty()
            && self.impact.is_empty()
            && self.assets.is_empty()
            && self.goals.is_empty()
    }
}

/// A priority another tool gave a threat (Threat Composer's priority,
/// Threat Dragon's severity); the ranking comes from votes and ratings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Priority {
    Low,
    Medium,
    High,
}

impl Priority {
    pub fn key(self) -> &'static str {
        match self {
            Priority::Low => "low",
            Priority::Medium => "medium",
            Priority::High => "high",
        }
    }
}

// Eq lets comparing two sessions skip threats they share (`Arc`'s
// equality looks at the pointer first for `Eq` types).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Threat {
    pub id: Id,
    pub title: String,
    pub category: Category,
    /// The actor, component or flow the threat is against.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<Id>,
    /// The participant who raised it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<Id>,
    #[serde(default)]
    pub status: ThreatStatus,
    /// Why an accepted or transferred threat is not mitigated here.
    #[serde(default, skip_serializing_if = "is_empty")]
    pub status_reason: String,
    /// 1 (rare) to 5 (almost certain).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub likelihood: Option<u8>,
    /// 1 (negligible) to 5 (severe).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub impact: Option<u8>,
    /// The catalog threat it came from: `aws.s3/public-bucket`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub catalog: Option<String>,
    #[serde(default, skip_serializing_if = "is_empty")]
    pub notes: String,
    pub created: Timestamp,
    #[serde(default, skip_serializing_if = "Statement::is_empty")]
    pub statement: Statement,
    /// STRIDE categories besides `category` (a threat may be several).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub also: Vec<Category>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<Priority>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// Other tools' fields of the threat (a score), kept for a round trip.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub properties: BTreeMap<String, String>,
}

impl Threat {
    /// Likelihood x impact, when both are rated.
    pub fn risk(&self) -> Option<u8> {
        Some(self.likelihood?.saturating_mul(self.impact?))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum VotingMode {
    /// The facilitator enters each participant's dots; counts show as entered.
    #[default]
    Open,
    /// Dots are entered per participant but totals stay hidden until revealed.
    Hidden,
    /// Participants take the keyboard in turn; nobody sees other ballots.
    Secret,
    /// The room votes by hand and the facilitator types each threat's total.
    Tally,
    /// Solo: no votes; rank by likelihood x impact.
    Rating,
}

impl VotingMode {
    pub const ALL: [VotingMode; 5] = [
        VotingMode::Open,
        VotingMode::Hidden,
        VotingMode::Secret,
        VotingMode::Tally,
        VotingMode::Rating,
    ];

    pub fn key(self) -> &'static str {
        match self {
            VotingMode::Open => "open",
            VotingMode::Hidden => "hidden",
            VotingMode::Secret => "secret",
            VotingMode::Tally => "tally",
            VotingMode::Rating => "rating",
        }
    }
}

fn default_cap() -> u32 {
    3
}

fn is_default_cap(n: &u32) -> bool {
    *n == default_cap()
}

fn is_false(b: &bool) -> bool {
    !*b
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Voting {
    #[serde(default)]
    pub mode: VotingMode,
    /// Dots per participant; when absent, about a third of the threats.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dots_per_person: Option<u32>,
    #[serde(default = "default_cap", skip_serializing_if = "is_default_cap")]
    pub cap_per_threat: u32,
    /// Whether hidden or secret results have been revealed.
    #[serde(default, skip_serializing_if = "is_false")]
    pub revealed: bool,
    /// Dots per participant per threat.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub ballots: BTreeMap<Id, BTreeMap<Id, u32>>,
    /// Counted totals per threat, entered by the facilitator.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tally: BTreeMap<Id, u32>,
    /// Threats the facilitator put in order by hand where the vote tied:
    /// between two threats of equal dots and risk, the one listed first
    /// ranks higher.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub order: Vec<Id>,
    /// Participants who have finished voting (hidden and secret modes).
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub done: BTreeSet<Id>,
    /// Participants who chose not to vote.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub abstained: BTreeSet<Id>,
}

impl Default for Voting {
    fn default() -> Self {
        Voting {
            mode: VotingMode::default(),
            dots_per_person: None,
            cap_per_threat: default_cap(),
            revealed: false,
            ballots: BTreeMap::new(),
            tally: BTreeMap::new(),
            order: Vec::new(),
            done: BTreeSet::new(),
            abstained: BTreeSet::new(),
        }
    }
}

impl Voting {
    fn is_default(&self) -> bool {
        *self == Voting::default()
    }

    /// All dots on one threat: every ballot plus the counted tally
    /// (saturating: a file may hold any counts).
    pub fn dots_for(&self, threat: Id) -> u32 {
        let balloted = self
            .ballots
            .values()
            .filter_map(|ballot| ballot.get(&threat))
            .fold(0u32, |sum, &dots| sum.saturating_add(dots));
        balloted.saturating_add(self.tally.get(&threat).copied().unwrap_or(0))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MitigationStatus {
    #[default]
    Proposed,
    Planned,
    InProgress,
    Done,
    Rejected,
}

impl MitigationStatus {
    pub const ALL: [MitigationStatus; 5] = [
        MitigationStatus::Proposed,
        MitigationStatus::Planned,
        MitigationStatus::InProgress,
        MitigationStatus::Done,
        MitigationStatus::Rejected,
    ];

    pub fn key(self) -> &'static str {
        match self {
            MitigationStatus::Proposed => "proposed",
            MitigationStatus::Planned => "planned",
            MitigationStatus::InProgress => "in-progress",
            MitigationStatus::Done => "done",
            MitigationStatus::Rejected => "rejected",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mitigation {
    pub id: Id,
    /// The threats it addresses (one control often covers several).
    pub threats: Vec<Id>,
    pub text: String,
    /// The catalog mitigation it came from: `aws.s3/public-bucket/block-public-access`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub catalog: Option<String>,
    #[serde(default, skip_serializing_if = "is_empty")]
    pub owner: String,
    #[serde(default)]
    pub status: MitigationStatus,
    #[serde(default, skip_serializing_if = "is_empty")]
    pub notes: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// Other tools' fields of the mitigation, kept for a round trip.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub properties: BTreeMap<String, String>,
}

/// How threats map onto Jira issues. Every field is optional: absent fields
/// come from the user's config file, then from built-in defaults.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JiraSettings {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issue_type: Option<String>,
    /// Labels on every issue, besides the per-threat ones.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labels: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority_by: Option<PriorityBy>,
    /// Priority per risk band (`priority_by = "risk"`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub risk_priority: BTreeMap<String, String>,
    /// Priority per rank tier (`priority_by = "rank"`), best ranks first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rank_priority: Option<Vec<RankTier>>,
    /// Priority of threats ranked below every tier, or with no dots.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rank_default: Option<String>,
    /// Export only the threats above the session's cut line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub only_backlog: Option<bool>,
}

impl JiraSettings {
    pub fn is_empty(&self) -> bool {
        *self == JiraSettings::default()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PriorityBy {
    /// By the vote ranking.
    Rank,
    /// By the likelihood x impact band.
    Risk,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RankTier {
    /// Ranks 1 to `up_to` (after earlier tiers) get `priority`.
    pub up_to: u32,
    pub priority: String,
}

/// Anything a threat can target or a flow can connect, looked up by id.
#[derive(Debug, Clone, Copy)]
pub enum ElementRef<'a> {
    Actor(&'a Actor),
    Component(&'a Component),
    Flow(&'a Flow),
}

impl<'a> ElementRef<'a> {
    pub fn id(&self) -> Id {
        match self {
            ElementRef::Actor(a) => a.id,
            ElementRef::Component(c) => c.id,
            ElementRef::Flow(f) => f.id,
        }
    }

    pub fn name(&self) -> &'a str {
        match *self {
            ElementRef::Actor(a) => &a.name,
            ElementRef::Component(c) => &c.name,
            ElementRef::Flow(f) => &f.label,
        }
    }
}

impl Session {
    /// A new, empty session laid out by `template`.
    pub fn new(title: &str, template: Template, now: Timestamp) -> Session {
        let agenda = Phase::ALL
            .iter()
            .zip(template.timeboxes())
            .map(|(&phase, minutes)| AgendaItem {
                phase,
                minutes,
                added_minutes: 0,
                elapsed_secs: 0,
                running_since: None,
            })
            .collect();
        let voting = Voting {
            mode: match template {
                Template::Workshop => VotingMode::Open,
                Template::Quick => VotingMode::Rating,
            },
            ..Voting::default()
        };
        Session {
            schema: SCHEMA_VERSION,
            title: title.trim().to_string(),
            description: String::new(),
            template,
            facilitator: None,
            phase: Phase::Setup,
            theme: None,
            cut_line: None,
            created: now,
            updated: now,
            last_ids: BTreeMap::new(),
            participants: Vec::new(),
            agenda,
            assets: Vec::new(),
            actors: Vec::new(),
            entry_points: Vec::new(),
            boundaries: Vec::new(),
            components: Vec::new(),
            flows: Vec::new(),
            assumptions: Vec::new(),
            coverage: Vec::new(),
            dismissed: Vec::new(),
            threats: Vec::new(),
            voting,
            mitigations: Vec::new(),
            jira: JiraSettings::default(),
            architecture: String::new(),
            dataflow: String::new(),
            foreign_ids: BTreeMap::new(),
        }
    }

    /// Every id in use, in file order.
    pub fn all_ids(&self) -> impl Iterator<Item = Id> + '_ {
        let p = self.participants.iter().map(|x| x.id);
        let a = self.assets.iter().map(|x| x.id);
        let u = self.actors.iter().map(|x| x.id);
        let e = self.entry_points.iter().map(|x| x.id);
        let b = self.boundaries.iter().map(|x| x.id);
        let c = self.components.iter().map(|x| x.id);
        let f = self.flows.iter().map(|x| x.id);
        let s = self.assumptions.iter().map(|x| x.id);
        let t = self.threats.iter().map(|x| x.id);
        let m = self.mitigations.iter().map(|x| x.id);
        p.chain(a)
            .chain(u)
            .chain(e)
            .chain(b)
            .chain(c)
            .chain(f)
            .chain(s)
            .chain(t)
            .chain(m)
    }

    /// Issues the next never-used id of `kind` and records it. `None` only
    /// once all four billion numbers of the prefix have been issued: an id
    /// is never handed out twice.
    pub fn next_id(&mut self, kind: IdKind) -> Option<Id> {
        let in_use = self
            .all_ids()
            .filter(|id| id.kind == kind)
            .map(|id| id.number)
            .max()
            .unwrap_or(0);
        let recorded = self.last_ids.get(kind.prefix()).copied().unwrap_or(0);
        let number = in_use.max(recorded).checked_add(1)?;
        self.last_ids.insert(kind.prefix().to_string(), number);
        Some(Id::new(kind, number))
    }

    /// Records, for each kind, the highest id `before` held where this
    /// session no longer holds it: a file that never recorded its ids (the
    /// demo, a hand-written one) must not hand out a deleted id again.
    pub fn remember_ids_of(&mut self, before: &Session) {
        let highest = |session: &Session| {
            let mut highest: BTreeMap<IdKind, u32> = BTreeMap::new();
            for id in session.all_ids() {
                let n = highest.entry(id.kind).or_insert(0);
                *n = (*n).max(id.number);
            }
            highest
        };
        let now = highest(self);
        for (kind, number) in highest(before) {
            let recorded = self.last_ids.get(kind.prefix()).copied().unwrap_or(0);
            let still = now.get(&kind).copied().unwrap_or(0);
            if number > recorded && number > still {
                self.last_ids.insert(kind.prefix().to_string(), number);
            }
        }
    }

    /// Every item of `kind` with its name (a flow's label, a threat's
    /// title): the one place that knows which field names what.
    /// Assumptions and mitigations are text, not names, and have none.
    pub fn names(&self, kind: IdKind) -> Box<dyn Iterator<Item = (Id, &str)> + '_> {
        fn of<'s, T>(
            items: &'s [T],
            name: impl Fn(&'s T) -> (Id, &'s str) + 's,
        ) -> Box<dyn Iterator<Item = (Id, &'s str)> + 's> {
            Box::new(items.iter().map(name))
        }
        match kind {
            IdKind::Participant => of(&self.participants, |x| (x.id, x.name.as_str())),
            IdKind::Asset => of(&self.assets, |x| (x.id, x.name.as_str())),
            IdKind::Actor => of(&self.actors, |x| (x.id, x.name.as_str())),
            IdKind::EntryPoint => of(&self.entry_points, |x| (x.id, x.name.as_str())),
            IdKind::Boundary => of(&self.boundaries, |x| (x.id, x.name.as_str())),
            IdKind::Component => of(&self.components, |x| (x.id, x.name.as_str())),
            IdKind::Flow => of(&self.flows, |x| (x.id, x.label.as_str())),
            IdKind::Threat => of(&self.threats, |x| (x.id, x.title.as_str())),
            IdKind::Assumption | IdKind::Mitigation => Box::new(std::iter::empty()),
        }
    }

    /// The name of anything with an id (see [`Session::names`]). Scans
    /// one list: for many lookups, build a
    /// [`SessionIndex`](super::index::SessionIndex).
    pub fn name(&self, id: Id) -> Option<&str> {
        self.names(id.kind).find(|(i, _)| *i == id).map(|(_, n)| n)
    }

    /// "Payslip API (C1)", or the bare id for an unknown one.
    pub fn describe(&self, id: Id) -> String {
        match self.name(id) {
            Some(name) => format!("{name} ({id})"),
            None => id.to_string(),
        }
    }

    pub fn participant(&self, id: Id) -> Option<&Participant> {
        self.participants.iter().find(|p| p.id == id)
    }

    pub fn asset(&self, id: Id) -> Option<&Asset> {
        self.assets.iter().find(|a| a.id == id)
    }

    pub fn boundary(&self, id: Id) -> Option<&Boundary> {
        self.boundaries.iter().find(|b| b.id == id)
    }

    pub fn component(&self, id: Id) -> Option<&Component> {
        self.components.iter().find(|c| c.id == id)
    }

    pub fn threat(&self, id: Id) -> Option<&Threat> {
        self.threat_position(id)
            .and_then(|i| self.threats.get(i))
            .map(AsRef::as_ref)
    }

    /// Threat `id`, to change (copied first if an undo step shares it).
    pub fn threat_mut(&mut self, id: Id) -> Option<&mut Threat> {
        let i = self.threat_position(id)?;
        self.threats.get_mut(i).map(Arc::make_mut)
    }

    /// Where threat `id` is in the list. Threats are numbered as they are
    /// added, so T7 is usually the seventh: that place is tried first, and
    /// the list searched only when it holds another.
    fn threat_position(&self, id: Id) -> Option<usize> {
        let guess = usize::try_from(id.number).ok()?.checked_sub(1)?;
        if self.threats.get(guess).is_some_and(|t| t.id == id) {
            return Some(guess);
        }
        self.threats.iter().position(|t| t.id == id)
    }

    /// An actor, component or flow.
    pub fn element(&self, id: Id) -> Option<ElementRef<'_>> {
        match id.kind {
            IdKind::Actor => self
                .actors
                .iter()
                .find(|a| a.id == id)
                .map(ElementRef::Actor),
            IdKind::Component => self.component(id).map(ElementRef::Component),
            IdKind::Flow => self.flows.iter().find(|f| f.id == id).map(ElementRef::Flow),
            _ => None,
        }
    }

    /// The agenda entry of `phase`, if the agenda has one.
    pub fn agenda_item(&self, phase: Phase) -> Option<&AgendaItem> {
        self.agenda.iter().find(|item| item.phase == phase)
    }

    /// Mitigations that address `threat`.
    pub fn mitigations_of(&self, threat: Id) -> impl Iterator<Item = &Mitigation> {
        self.mitigations
            .iter()
            .filter(move |m| m.threats.contains(&threat))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_fill_their_timeboxes() {
        assert_eq!(Template::Workshop.timeboxes().iter().sum::<u32>(), 60);
        assert_eq!(Template::Quick.timeboxes().iter().sum::<u32>(), 20);
        let s = Session::new("x", Template::Quick, Timestamp::from_unix(0));
        assert_eq!(s.agenda.len(), 6);
        assert_eq!(s.voting.mode, VotingMode::Rating);
    }

    #[test]
    fn ids_are_never_reused() {
        let mut s = Session::new("x", Template::Workshop, Timestamp::from_unix(0));
        let t1 = s.next_id(IdKind::Threat).unwrap();
        let t2 = s.next_id(IdKind::Threat).unwrap();
        assert_eq!((t1.to_string(), t2.to_string()), ("T1".into(), "T2".into()));
        // Nothing holds T2 any more, yet the next threat is T3.
        assert_eq!(s.next_id(IdKind::Threat).unwrap().to_string(), "T3");
        assert_eq!(s.next_id(IdKind::Component).unwrap().to_string(), "C1");
        // At the end of the number space there is no next id, never a repeat.
        s.last_ids.insert("T".to_string(), u32::MAX);
        assert_eq!(s.next_id(IdKind::Threat), None);
    }

    #[test]
    fn timer_counts_a_running_phase_up_to_now() {
        let item = AgendaItem {
            phase: Phase::Scope,
            minutes: 10,
            added_minutes: 5,
            elapsed_secs: 100,
            running_since: Some(Timestamp::from_unix(1_000)),
        };
        assert_eq!(item.timebox_secs(), 900);
        assert_eq!(item.elapsed_at(Timestamp::from_unix(1_050)), 150);
        // A clock that stepped backwards never makes time negative.
        assert_eq!(item.elapsed_at(Timestamp::from_unix(10)), 100);
    }
}
