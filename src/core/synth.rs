//! Synthetic sessions for benchmarks and load tests.
//!
//! [`session`] builds a valid, realistic-looking workshop of any size from a
//! seed: the same arguments always give the same session, so measurements
//! and bug reports can be reproduced. It uses its own tiny PRNG so the crate
//! needs no random-number dependency.
//!
//! Ids are issued directly rather than through [`Session::next_id`], which
//! scans every id in the session: at 10,000 threats that would be quadratic.

use std::collections::BTreeMap;

use super::catalog::{ACTOR_KIND, Catalogs, FLOW_KIND, Kind};
use super::ids::{Id, IdKind};
use super::model::{
    Actor, Asset, Assumption, Boundary, Classification, Component, CoverageMark, CoverageStatus,
    EntryPoint, Flow, Mitigation, MitigationStatus, Participant, Persona, Phase, Session,
    Statement, Template, Threat, ThreatStatus,
};
use super::scoring;
use super::stride::Category;
use super::time::Timestamp;

/// 2026-03-02T09:00:00Z: a fixed start keeps output independent of the clock.
const START_UNIX: i64 = 1_772_442_000;

/// Kinds most real serverless designs are made of; other kinds still appear.
const COMMON_KINDS: [&str; 6] = [
    "aws.lambda",
    "aws.api-gateway",
    "aws.dynamodb",
    "aws.s3",
    "generic.process",
    "generic.data-store",
];

/// splitmix64: tiny, fast and statistically fine for test data.
struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n`; 0 when `n` is 0 so callers never divide by zero.
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            return 0;
        }
        // The modulo bias is irrelevant for test data.
        (self.next_u64() % n as u64) as usize
    }

    /// A number in `lo..=hi`.
    fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi.saturating_sub(lo) + 1)
    }

    /// True with probability `percent` / 100.
    fn chance(&mut self, percent: u64) -> bool {
        self.next_u64() % 100 < percent
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        items.get(self.below(items.len()))
    }

    fn word(&mut self, items: &[&'static str]) -> &'static str {
        self.pick(items).copied().unwrap_or("")
    }

    fn rating(&mut self) -> u8 {
        // 1..=5 always fits in u8.
        (1 + self.below(5)) as u8
    }
}

const PEOPLE: [&str; 8] = [
    "Kim", "Doug", "Sam", "Hannah", "Leon", "Zoë", "José", "Aiko",
];

const ACTOR_NAMES: [(&str, &str); 8] = [
    (
        "Employee",
        "Staff from a browser or phone, over the internet.",
    ),
    (
        "HR support staff",
        "Internal team who correct employee records.",
    ),
    (
        "Payroll provider",
        "Partner system that sends monthly payslips.",
    ),
    (
        "Auditor",
        "External auditor with read-only access once a year.",
    ),
    ("Anonymous visitor", "Anyone on the internet."),
    (
        "Partner system",
        "A B2B integration calling our API with a key.",
    ),
    (
        "On-call engineer",
        "Operations staff with break-glass access.",
    ),
    (
        "Mobile app user",
        "Customers using the iOS and Android apps.",
    ),
];

const DOMAINS: [&str; 14] = [
    "Payslip",
    "Billing",
    "Order",
    "Identity",
    "Search",
    "Report",
    "Notification",
    "Audit",
    "Inventory",
    "Checkout",
    "Profile",
    "Export",
    "Onboarding",
    "Ledger",
];

const ASSET_NAMES: [&str; 10] = [
    "Payslips",
    "Employee records",
    "Access tokens",
    "API keys",
    "Bank details",
    "Audit trail",
    "Customer orders",
    "Session cookies",
    "Encryption keys",
    "Données personnelles",
];

const BOUNDARY_NAMES: [&str; 6] = [
    "Production AWS account",
    "Data tier",
    "Private VPC",
    "Partner network",
    "Corporate network",
    "Shared services account",
];

const PROTOCOLS: [&str; 7] = [
    "HTTPS",
    "AWS SDK over HTTPS",
    "Lambda proxy integration",
    "gRPC (mTLS)",
    "SQS",
    "CloudWatch Logs",
    "SFTP",
];

const VERBS: [&str; 10] = [
    "Read", "Write", "Invoke", "Sync", "Publish", "Fetch", "Upload", "Stream", "Query", "Notify",
];

/// Title templates; `{}` is the target's name. Some carry punctuation and
/// non-ASCII text so exports are measured on awkward input too.
const TITLES: [&str; 16] = [
    "Attacker replays a stolen token against {}",
    "Unvalidated input lets callers tamper with {}",
    "No audit record of who changed {}",
    "{} leaks personal data in error messages",
    "Request flood exhausts {} (no throttling)",
    "Over-broad IAM role lets {} reach every table",
    "\"Temporary\" debug endpoint left open on {}",
    "{}: secrets committed to the repository, e.g. API keys",
    "Cross-tenant read via guessable IDs in {}",
    "Logs of {} can be deleted by the same role that writes them",
    "Données exposées : {} renvoie trop de champs",
    "Ünicode normalisation bypasses the allow-list in {}",
    "{} trusts the X-Forwarded-For header; spoofed client IPs",
    "Denial of wallet — unbounded retries on {}",
    "承認なしで {} を呼び出せる",
    "=SUM(1,2) pasted into {} ends up in a spreadsheet cell",
];

const SOURCES: [&str; 5] = [
    "external threat actor",
    "malicious insider",
    "compromised partner system",
    "internal user",
    "automated bot",
];

const PREREQUISITES: [&str; 5] = [
    "with a valid but low-privilege account",
    "who can reach the public endpoint",
    "with read access to the code repository",
    "who has stolen a session token",
    "",
];

const ACTIONS: [&str; 5] = [
    "read other customers' records",
    "modify data in transit",
    "deny having made a change",
    "exhaust the service's capacity",
    "run code with the function's role",
];

const IMPACTS: [&str; 5] = [
    "disclosure of personal data",
    "fraudulent payments",
    "an outage of the payslip service",
    "loss of audit evidence",
    "regulatory fines",
];

const NOTES: [&str; 5] = [
    "Raised during the walk; needs a second opinion.",
    "Seen in last year's pen test.\nRetest after the fix.",
    "Depends on the WAF rules, which nobody owns yet.",
    "Business says this would make the news — treat as high.",
    "Duplicate of an older ticket? Check with the platform team.",
];

const MITIGATIONS: [&str; 10] = [
    "Require IAM authorization and a resource policy limited to known callers.",
    "Validate every request against a JSON schema before it reaches the function.",
    "Turn on access logging to a separate, write-once log archive account.",
    "Add usage plans and stage throttling; alarm on 429 rates.",
    "Move secrets to Secrets Manager and rotate them every 30 days.",
    "Scope the execution role to the one table and bucket it needs.",
    "Encrypt with a customer-managed KMS key; deny unencrypted transport.",
    "Derive the caller's identity from the authorizer context, never the payload.",
    "Enable point-in-time recovery and deletion protection.",
    "Escape cells that start with =, +, - or @ in every CSV export.",
];

const ASSUMPTIONS: [&str; 5] = [
    "Account-wide guardrails (SCPs, GuardDuty) are run by the platform team.",
    "The identity provider enforces MFA for every staff account.",
    "Payroll itself is out of scope; only the copy into the bucket is modelled.",
    "TLS terminates at the edge; internal hops use AWS-signed requests.",
    "Backups are tested quarterly by the database team.",
];

/// What flows and threats can point at, with what the generator needs to
/// know about each.
struct Element<'c> {
    id: Id,
    name: String,
    /// The catalog kind that suggests threats for it, if any.
    kind: Option<&'c Kind>,
}

/// A deterministic, valid session with `components` components and
/// `threats` threats, built from `seed` with the kinds of `catalogs`.
pub fn session(components: usize, threats: usize, seed: u64, catalogs: &Catalogs) -> Session {
    let mut rng = Rng(seed);
    let start = Timestamp::from_unix(START_UNIX);
    let mut s = Session::new(
        &format!("Synthetic workshop: {components} components, {threats} threats (seed {seed})"),
        Template::Workshop,
        start,
    );
    s.description = "Generated by stridekit::core::synth for benchmarks. A serverless system \
                     of APIs, functions, tables and buckets spread over several accounts."
        .to_string();
    s.phase = Phase::Review;
    // Every phase ran for about its planned time.
    for item in &mut s.agenda {
        let planned = u64::from(item.minutes) * 60;
        item.elapsed_secs = planned.saturating_sub(30) + rng.below(90) as u64;
    }

    participants(&mut s, &mut rng);
    assets(&mut s, &mut rng, components);
    let actors = actors(&mut s, &mut rng, catalogs);
    boundaries(&mut s, &mut rng, components);
    let comps = components_of(&mut s, &mut rng, components, catalogs);
    entry_points(&mut s, &mut rng, components);
    let flows = flows(&mut s, &mut rng, &actors, &comps, catalogs);
    assumptions(&mut s, &mut rng, components);

    let elements: Vec<Element<'_>> = actors.into_iter().chain(comps).chain(flows).collect();
    coverage(&mut s, &mut rng, &elements);
    threats_of(&mut s, &mut rng, threats, &elements);
    votes(&mut s, &mut rng);
    mitigations(&mut s, &mut rng, catalogs);

    let last = s.threats.last().map_or(start, |t| t.created);
    s.updated = Timestamp::from_unix(last.unix() + 600);
    for kind in IdKind::ALL {
        let count = s.all_ids().filter(|id| id.kind == kind).count();
        if let Ok(count) = u32::try_from(count)
            && count > 0
        {
            s.last_ids.insert(kind.prefix().to_string(), count);
        }
    }
    s
}

/// The `n`th id of `kind`, 1-based like [`Session::next_id`].
fn id(kind: IdKind, index: usize) -> Id {
    Id::new(kind, u32::try_from(index + 1).unwrap_or(u32::MAX))
}

fn participants(s: &mut Session, rng: &mut Rng) {
    let count = rng.range(4, 6);
    let offset = rng.below(PEOPLE.len());
    for i in 0..count {
        let name = PEOPLE
            .get((offset + i) % PEOPLE.len())
            .copied()
            .unwrap_or("Someone");
        // Most people play a persona; occasionally one joins without.
        let persona = if i > 0 && rng.chance(15) {
            None
        } else {
            Persona::ALL.get(i % Persona::ALL.len()).copied()
        };
        s.participants.push(Participant {
            id: id(IdKind::Participant, i),
            name: name.to_string(),
            persona,
        });
    }
    s.facilitator = s.participants.first().map(|p| p.id);
}

fn assets(s: &mut Session, rng: &mut Rng, components: usize) {
    const CLASSES: [Classification; 6] = [
        Classification::Restricted,
        Classification::Confidential,
        Classification::Confidential,
        Classification::Internal,
        Classification::Internal,
        Classification::Public,
    ];
    for i in 0..(components / 10).max(1) {
        let base = ASSET_NAMES
            .get(i % ASSET_NAMES.len())
            .copied()
            .unwrap_or("Data");
        let name = if i < ASSET_NAMES.len() {
            base.to_string()
        } else {
            format!("{base} ({})", i / ASSET_NAMES.len() + 1)
        };
        let classification = rng
            .pick(&CLASSES)
            .copied()
            .unwrap_or(Classification::Internal);
        s.assets.push(Asset {
            id: id(IdKind::Asset, i),
            name,
            classification,
            description: if rng.chance(60) {
                format!("Held by the {} domain.", rng.word(&DOMAINS))
            } else {
                String::new()
            },
        });
    }
}

fn actors<'c>(s: &mut Session, rng: &mut Rng, catalogs: &'c Catalogs) -> Vec<Element<'c>> {
    // At least two, so a flow always has two distinct ends.
    let count = rng.range(3, 6);
    let kind = catalogs.kind(ACTOR_KIND);
    let mut out = Vec::with_capacity(count);
    for i in 0..count {
        let (name, description) = ACTOR_NAMES
            .get(i % ACTOR_NAMES.len())
            .copied()
            .unwrap_or(("Someone", ""));
        let actor = Actor {
            id: id(IdKind::Actor, i),
            name: name.to_string(),
            description: description.to_string(),
            out_of_scope: None,
            properties: Default::default(),
        };
        out.push(Element {
            id: actor.id,
            name: actor.name.clone(),
            kind,
        });
        s.actors.push(actor);
    }
    out
}

fn boundaries(s: &mut Session, rng: &mut Rng, components: usize) {
    let count = (components / 25).max(2);
    for i in 0..count {
        // Parents are always earlier boundaries, so nesting never cycles.
        let parent = if i > 0 && rng.chance(40) {
            Some(id(IdKind::Boundary, rng.below(i)))
        } else {
            None
        };
        let base = BOUNDARY_NAMES
            .get(i % BOUNDARY_NAMES.len())
            .copied()
            .unwrap_or("Zone");
        let name = if i < BOUNDARY_NAMES.len() {
            base.to_string()
        } else {
            format!("{base} {}", i / BOUNDARY_NAMES.len() + 1)
        };
        s.boundaries.push(Boundary {
            id: id(IdKind::Boundary, i),
            name,
            parent,
            description: String::new(),
            properties: Default::default(),
        });
    }
}

/// A short noun for a component of `kind`, so names read naturally.
fn noun(kind: &str) -> &str {
    match kind {
        "aws.lambda" => "function",
        "aws.api-gateway" => "API",
        "aws.dynamodb" => "table",
        "aws.s3" => "bucket",
        "generic.process" => "service",
        "generic.data-store" => "store",
        "generic.client" => "web app",
        "aws.secrets" => "configuration",
        "aws.eks" => "cluster",
        "aws.ec2" => "instance",
        other => other.rsplit('.').next().unwrap_or(other),
    }
}

fn components_of<'c>(
    s: &mut Session,
    rng: &mut Rng,
    count: usize,
    catalogs: &'c Catalogs,
) -> Vec<Element<'c>> {
    // Common kinds weigh six times as much as the rest.
    let mut weighted: Vec<&Kind> = Vec::new();
    for kind in catalogs.component_kinds() {
        let weight = if COMMON_KINDS.contains(&kind.id.as_str()) {
            6
        } else {
            1
        };
        weighted.extend(std::iter::repeat_n(kind, weight));
    }
    let boundary_count = s.boundaries.len();
    let mut out = Vec::with_capacity(count);
    for i in 0..count {
        let kind = rng.pick(&weighted).copied();
        let kind_id = kind.map_or("generic.process", |k| k.id.as_str());
        let name = format!("{} {} {}", rng.word(&DOMAINS), noun(kind_id), i + 1);
        // A few components sit outside every boundary (SaaS, the internet).
        let boundary = if rng.chance(5) {
            None
        } else {
            Some(id(IdKind::Boundary, rng.below(boundary_count)))
        };
        let component = Component {
            id: id(IdKind::Component, i),
            name,
            kind: kind_id.to_string(),
            boundary,
            description: if rng.chance(40) {
                format!("Owned by the {} team.", rng.word(&DOMAINS).to_lowercase())
            } else {
                String::new()
            },
            out_of_scope: None,
            properties: Default::default(),
        };
        out.push(Element {
            id: component.id,
            name: component.name.clone(),
            kind,
        });
        s.components.push(component);
    }
    out
}

fn entry_points(s: &mut Session, rng: &mut Rng, components: usize) {
    let apis: Vec<Id> = s
        .components
        .iter()
        .filter(|c| c.kind == "aws.api-gateway")
        .map(|c| c.id)
        .collect();
    for i in 0..(components / 20).max(1) {
        let component = match rng.pick(&apis) {
            Some(&api) => Some(api),
            None => rng.pick(&s.components).map(|c| c.id),
        };
        let component_at = component
            .and_then(|c| (c.number as usize).checked_sub(1))
            .and_then(|i| s.components.get(i));
        let name = match component_at {
            Some(c) => format!("{} (route group {})", c.name, i + 1),
            None => format!("Public endpoint {}", i + 1),
        };
        s.entry_points.push(EntryPoint {
            id: id(IdKind::EntryPoint, i),
            name,
            component,
            description: if rng.chance(50) {
                format!("GET and POST /{}/{{id}}", rng.word(&DOMAINS).to_lowercase())
            } else {
                String::new()
            },
        });
    }
}

fn flows<'c>(
    s: &mut Session,
    rng: &mut Rng,
    actors: &[Element<'_>],
    comps: &[Element<'_>],
    catalogs: &'c Catalogs,
) -> Vec<Element<'c>> {
    let ends: Vec<(Id, &str)> = actors
        .iter()
        .chain(comps)
        .map(|e| (e.id, e.name.as_str()))
        .collect();
    let count = if comps.is_empty() {
        actors.len()
    } else {
        comps.len() * 3 / 2
    };
    let kind = catalogs.kind(FLOW_KIND);
    let mut out = Vec::with_capacity(count);
    for _ in 0..count {
        // Mostly component to nearby component, like layers of a design;
        // some flows come in from actors.
        let from = if comps.is_empty() || rng.chance(15) {
            rng.below(actors.len())
        } else {
            actors.len() + rng.below(comps.len())
        };
        let mut to = if comps.is_empty() {
            rng.below(ends.len())
        } else {
            // A component a few places further on; actors talk to any.
            let base = from
                .checked_sub(actors.len())
                .unwrap_or_else(|| rng.below(comps.len()));
            actors.len() + (base + rng.range(1, 5)) % comps.len()
        };
        if to == from {
            to = (from + 1) % ends.len();
        }
        let (Some(&(from_id, _)), Some(&(to_id, to_name))) = (ends.get(from), ends.get(to)) else {
            continue;
        };
        if from_id == to_id {
            continue;
        }
        let mut assets = Vec::new();
        for _ in 0..rng.below(3) {
            let a = id(IdKind::Asset, rng.below(s.assets.len()));
            if !assets.contains(&a) {
                assets.push(a);
            }
        }
        let flow = Flow {
            id: id(IdKind::Flow, s.flows.len()),
            from: from_id,
            to: to_id,
            label: format!("{} {}", rng.word(&VERBS), to_name.to_lowercase()),
            protocol: rng.word(&PROTOCOLS).to_string(),
            assets,
            description: String::new(),
            out_of_scope: None,
            properties: Default::default(),
        };
        out.push(Element {
            id: flow.id,
            name: flow.label.clone(),
            kind,
        });
        s.flows.push(flow);
    }
    out
}

fn assumptions(s: &mut Session, rng: &mut Rng, components: usize) {
    for i in 0..rng.range(2, 4) + components / 100 {
        let text = ASSUMPTIONS
            .get(i % ASSUMPTIONS.len())
            .copied()
            .unwrap_or("Nothing else.");
        s.assumptions.push(Assumption {
            id: id(IdKind::Assumption, i),
            text: text.to_string(),
            notes: String::new(),
            tags: Vec::new(),
            threats: Vec::new(),
            mitigations: Vec::new(),
        });
    }
}

fn coverage(s: &mut Session, rng: &mut Rng, elements: &[Element<'_>]) {
    if elements.is_empty() {
        return;
    }
    let count = (3 + elements.len() / 100).min(elements.len());
    let step = elements.len() / count;
    // Distinct elements, so no element x category pair is marked twice.
    for e in elements.iter().step_by(step.max(1)).take(count) {
        let category = rng
            .pick(&Category::ALL)
            .copied()
            .unwrap_or(Category::Spoofing);
        let (status, reason) = if rng.chance(30) {
            (
                CoverageStatus::NotApplicable,
                "Covered by the platform team's guardrails.".to_string(),
            )
        } else {
            (CoverageStatus::Visited, String::new())
        };
        s.coverage.push(CoverageMark {
            element: e.id,
            category,
            status,
            reason,
        });
    }
}

fn threats_of(s: &mut Session, rng: &mut Rng, count: usize, elements: &[Element<'_>]) {
    let mut created = s.created.unix() + 300;
    s.threats.reserve(count);
    for i in 0..count {
        created += rng.range(5, 90) as i64;
        let target = if rng.chance(95) {
            rng.pick(elements)
        } else {
            None
        };
        let target_name = target.map_or("the system", |e| e.name.as_str());
        let mut title = rng.word(&TITLES).replace("{}", target_name);
        let mut category = rng
            .pick(&Category::ALL)
            .copied()
            .unwrap_or(Category::Tampering);
        // About a third come from the catalog, as accepted suggestions do.
        let mut catalog = None;
        if let Some(kind) = target.and_then(|e| e.kind)
            && rng.chance(35)
            && let Some(candidate) = rng.pick(&kind.threats)
        {
            catalog = Some(kind.threat_ref(candidate).to_string());
            category = candidate.category;
            title = candidate.title.clone();
        }
        let rated = rng.chance(85);
        let statement = if rng.chance(25) {
            statement(s, rng)
        } else {
            Statement::default()
        };
        s.threats.push(std::sync::Arc::new(Threat {
            id: id(IdKind::Threat, i),
            title,
            category,
            target: target.map(|e| e.id),
            author: if rng.chance(90) {
                rng.pick(&s.participants).map(|p| p.id)
            } else {
                None
            },
            status: ThreatStatus::Open,
            status_reason: String::new(),
            likelihood: rated.then(|| rng.rating()),
            impact: rated.then(|| rng.rating()),
            catalog,
            notes: if rng.chance(20) {
                rng.word(&NOTES).to_string()
            } else {
                String::new()
            },
            created: Timestamp::from_unix(created),
            statement,
            also: Vec::new(),
            priority: None,
            tags: Vec::new(),
            properties: Default::default(),
        }));
    }
}

fn statement(s: &Session, rng: &mut Rng) -> Statement {
    let mut assets = Vec::new();
    for _ in 0..rng.below(3) {
        let a = id(IdKind::Asset, rng.below(s.assets.len()));
        if !assets.contains(&a) {
            assets.push(a);
        }
    }
    Statement {
        source: rng.word(&SOURCES).to_string(),
        prerequisites: rng.word(&PREREQUISITES).to_string(),
        action: rng.word(&ACTIONS).to_string(),
        impact: rng.word(&IMPACTS).to_string(),
        assets,
        goals: Vec::new(),
    }
}

/// Ballots within budget and cap, clustered on a few favourite threats the
/// way real rooms vote.
fn votes(s: &mut Session, rng: &mut Rng) {
    let n = s.threats.len();
    if n == 0 {
        return;
    }
    let budget = scoring::budget(s) as usize;
    let cap = s.voting.cap_per_threat;
    let favourites: Vec<usize> = (0..n.min(12)).map(|_| rng.below(n)).collect();
    let people: Vec<Id> = s.participants.iter().map(|p| p.id).collect();
    for person in people {
        let spend = rng.range(budget.div_ceil(2), budget);
        let mut ballot: BTreeMap<Id, u32> = BTreeMap::new();
        let mut placed = 0;
        // Bounded tries: with few threats the cap may leave nowhere to vote.
        for _ in 0..spend * 8 {
            if placed == spend {
                break;
            }
            let index = if rng.chance(50) {
                rng.pick(&favourites).copied().unwrap_or(0)
            } else {
                rng.below(n)
            };
            let dots = ballot.entry(id(IdKind::Threat, index)).or_insert(0);
            if *dots < cap {
                *dots += 1;
                placed += 1;
            }
        }
        ballot.retain(|_, dots| *dots > 0);
        if !ballot.is_empty() {
            s.voting.ballots.insert(person, ballot);
        }
    }
}

/// Mitigations for about 60% of threats, some covering several at once.
fn mitigations(s: &mut Session, rng: &mut Rng, catalogs: &Catalogs) {
    const STATUSES: [MitigationStatus; 6] = [
        MitigationStatus::Proposed,
        MitigationStatus::Planned,
        MitigationStatus::Planned,
        MitigationStatus::InProgress,
        MitigationStatus::Done,
        MitigationStatus::Rejected,
    ];
    let addressed: Vec<usize> = (0..s.threats.len()).filter(|_| rng.chance(60)).collect();
    let owners: Vec<String> = s.participants.iter().map(|p| p.name.clone()).collect();
    let mut at = 0;
    while at < addressed.len() {
        let take = match rng.below(10) {
            0 => 3,
            1 | 2 => 2,
            _ => 1,
        }
        .min(addressed.len() - at);
        let group = addressed.get(at..at + take).unwrap_or(&[]);
        at += take;
        let threat_ids: Vec<Id> = group.iter().map(|&i| id(IdKind::Threat, i)).collect();
        let status = rng
            .pick(&STATUSES)
            .copied()
            .unwrap_or(MitigationStatus::Proposed);
        // Use the catalog's own mitigation when the threat came from one.
        let first = group.first().and_then(|&i| s.threats.get(i));
        let from_catalog = first
            .and_then(|t| t.catalog.as_deref())
            .and_then(|r| catalogs.threat(r))
            .and_then(|(kind, candidate)| {
                let m = candidate.mitigations.first()?;
                Some((
                    kind.mitigation_ref(candidate, m).to_string(),
                    m.text.clone(),
                ))
            });
        let (catalog, text) = match from_catalog {
            Some((reference, text)) if rng.chance(70) => (Some(reference), text),
            _ => (None, rng.word(&MITIGATIONS).to_string()),
        };
        let owner = if rng.chance(85) {
            rng.pick(&owners).cloned().unwrap_or_default()
        } else {
            String::new()
        };
        let threat_status = match status {
            MitigationStatus::Done => ThreatStatus::Mitigated,
            MitigationStatus::Rejected => ThreatStatus::Accepted,
            MitigationStatus::Proposed => ThreatStatus::Open,
            MitigationStatus::Planned | MitigationStatus::InProgress => ThreatStatus::Mitigating,
        };
        for &i in group {
            if let Some(t) = s.threats.get_mut(i) {
                let t = std::sync::Arc::make_mut(t);
                t.status = threat_status;
                if threat_status == ThreatStatus::Accepted {
                    t.status_reason = "The mitigation was rejected; the risk is accepted.".into();
                }
            }
        }
        s.mitigations.push(Mitigation {
            id: id(IdKind::Mitigation, s.mitigations.len()),
            threats: threat_ids,
            text,
            catalog,
            owner,
            status,
            notes: String::new(),
            tags: Vec::new(),
            properties: Default::default(),
        });
    }
    // A few unaddressed threats are accepted or handed to another team.
    for t in &mut s.threats {
        if t.status == ThreatStatus::Open && rng.chance(5) {
            let t = std::sync::Arc::make_mut(t);
            (t.status, t.status_reason) = if rng.chance(50) {
                (
                    ThreatStatus::Accepted,
                    "Low impact; revisit next quarter.".into(),
                )
            } else {
                (
                    ThreatStatus::Transferred,
                    "Owned by the platform team.".into(),
                )
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::core::store;

    /// Generates, writes and reloads a session; returns the load's warnings.
    fn round_trip(components: usize, threats: usize) -> Vec<crate::core::diag::Diagnostic> {
        let catalogs = Catalogs::builtin().unwrap();
        let s = session(components, threats, 7, &catalogs);
        assert_eq!(s.components.len(), components);
        assert_eq!(s.threats.len(), threats);
        let text = store::to_toml(&s).unwrap();
        let loaded = store::load_text(Path::new("synth.toml"), &text, &catalogs)
            .unwrap_or_else(|e| panic!("({components}, {threats}) is invalid:\n{e}"));
        assert_eq!(loaded.session, s);
        loaded.warnings
    }

    fn check(components: usize, threats: usize) {
        // A realistic scope leaves the scope and budget checks nothing to say.
        let warnings = round_trip(components, threats);
        assert!(warnings.is_empty(), "{warnings:#?}");
    }

    #[test]
    fn small_sessions_validate() {
        check(10, 10);
    }

    #[test]
    fn medium_sessions_validate() {
        check(100, 100);
    }

    #[test]
    fn large_sessions_validate() {
        check(1000, 1500);
    }

    #[test]
    fn degenerate_sizes_validate() {
        // Too small for a useful scope, so warnings are expected, not errors.
        for (components, threats) in [(0, 0), (1, 1), (2, 0), (0, 5), (3, 1)] {
            round_trip(components, threats);
        }
    }

    #[test]
    fn same_seed_same_session() {
        let catalogs = Catalogs::builtin().unwrap();
        let a = session(100, 100, 42, &catalogs);
        let b = session(100, 100, 42, &catalogs);
        assert_eq!(a, b);
        assert_eq!(store::to_toml(&a).unwrap(), store::to_toml(&b).unwrap());
        assert_ne!(a, session(100, 100, 43, &catalogs));
    }

    #[test]
    fn has_the_promised_mix() {
        let catalogs = Catalogs::builtin().unwrap();
        let s = session(1000, 1000, 1, &catalogs);
        assert!(s.boundaries.iter().any(|b| b.parent.is_some()));
        assert!(s.components.iter().any(|c| c.boundary.is_none()));
        assert!(s.threats.iter().any(|t| t.catalog.is_some()));
        assert!(s.threats.iter().any(|t| !t.statement.is_empty()));
        assert!(s.threats.iter().any(|t| !t.title.is_ascii()));
        assert!(s.mitigations.iter().any(|m| m.threats.len() > 1));
        let addressed = s
            .threats
            .iter()
            .filter(|t| s.mitigations_of(t.id).next().is_some())
            .count();
        assert!((500..700).contains(&addressed), "{addressed}");
        let budget = scoring::budget(&s);
        for p in &s.participants {
            assert!(scoring::spent(&s, p.id) <= budget);
        }
        let created: Vec<_> = s.threats.iter().map(|t| t.created).collect();
        assert!(created.windows(2).all(|w| w[0] < w[1]));
    }
}
