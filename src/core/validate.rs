//! Checks on a parsed session that the file syntax cannot express: ids in
//! the right section and unique, references that resolve, known catalog
//! kinds, ratings in range, a consistent agenda and vote.
//!
//! Errors make a file unusable; warnings (a thin scope, a ballot over budget,
//! a catalog reference that no longer resolves) are reported but never block.

use std::collections::{HashMap, HashSet};

use super::catalog::Catalogs;
use super::diag::{FieldPath, Issue};
use super::export::jira::check_settings;
use super::ids::{Id, IdKind};
use super::model::{
    CoverageStatus, MAX_ELAPSED_SECS, Phase, SCHEMA_VERSION, Session, ThreatStatus,
};
use super::scoring;

pub const RATING_RANGE: std::ops::RangeInclusive<u8> = 1..=5;

/// Longest timebox a phase may plan, in minutes: catches typos like 600.
pub const MAX_PHASE_MINUTES: u32 = 480;

pub fn validate(session: &Session, catalogs: &Catalogs) -> Vec<Issue> {
    let mut v = Validator {
        session,
        issues: Vec::new(),
        defined: HashSet::new(),
    };
    v.header();
    v.ids();
    v.references(catalogs);
    v.agenda();
    v.coverage();
    v.threats(catalogs);
    v.voting();
    v.issues
        .extend(check_settings(&session.jira, &FieldPath::from("jira")));
    v.scope_warnings();
    // Errors first; within a severity keep file order.
    v.issues.sort_by_key(|i| i.severity);
    v.issues
}

/// A list section: its name, the id kind it holds, and (id, text) per item.
type Section<'a> = (&'static str, IdKind, Vec<(Id, &'a str)>);

struct Validator<'a> {
    session: &'a Session,
    issues: Vec<Issue>,
    defined: HashSet<Id>,
}

impl Validator<'_> {
    fn error(&mut self, path: FieldPath, message: impl Into<String>) {
        self.issues.push(Issue::error(path, message));
    }

    fn warning(&mut self, path: FieldPath, message: impl Into<String>) {
        self.issues.push(Issue::warning(path, message));
    }

    fn header(&mut self) {
        let s = self.session;
        if s.schema != SCHEMA_VERSION {
            self.error(
                FieldPath::from("schema"),
                format!(
                    "unsupported schema {}; this stridekit reads schema {SCHEMA_VERSION}",
                    s.schema
                ),
            );
        }
        if s.title.trim().is_empty() {
            self.error(FieldPath::from("title"), "title is empty");
        }
        if s.updated < s.created {
            self.error(
                FieldPath::from("updated"),
                format!("updated ({}) is before created ({})", s.updated, s.created),
            );
        }
        for prefix in s.last_ids.keys() {
            if !IdKind::ALL.iter().any(|k| k.prefix() == prefix) {
                self.error(
                    FieldPath::from("last_ids").key(prefix.as_str()),
                    format!("`{prefix}` is not an id prefix"),
                );
            }
        }
    }

    /// Every id sits in its own section, once.
    fn ids(&mut self) {
        let s = self.session;
        let sections: [Section<'_>; 10] = [
            (
                "participants",
                IdKind::Participant,
                s.participants
                    .iter()
                    .map(|x| (x.id, x.name.as_str()))
                    .collect(),
            ),
            (
                "assets",
                IdKind::Asset,
                s.assets.iter().map(|x| (x.id, x.name.as_str())).collect(),
            ),
            (
                "actors",
                IdKind::Actor,
                s.actors.iter().map(|x| (x.id, x.name.as_str())).collect(),
            ),
            (
                "entry_points",
                IdKind::EntryPoint,
                s.entry_points
                    .iter()
                    .map(|x| (x.id, x.name.as_str()))
                    .collect(),
            ),
            (
                "boundaries",
                IdKind::Boundary,
                s.boundaries
                    .iter()
                    .map(|x| (x.id, x.name.as_str()))
                    .collect(),
            ),
            (
                "components",
                IdKind::Component,
                s.components
                    .iter()
                    .map(|x| (x.id, x.name.as_str()))
                    .collect(),
            ),
            (
                "flows",
                IdKind::Flow,
                s.flows.iter().map(|x| (x.id, x.label.as_str())).collect(),
            ),
            (
                "assumptions",
                IdKind::Assumption,
                s.assumptions
                    .iter()
                    .map(|x| (x.id, x.text.as_str()))
                    .collect(),
            ),
            (
                "threats",
                IdKind::Threat,
                s.threats.iter().map(|x| (x.id, x.title.as_str())).collect(),
            ),
            (
                "mitigations",
                IdKind::Mitigation,
                s.mitigations
                    .iter()
                    .map(|x| (x.id, x.text.as_str()))
                    .collect(),
            ),
        ];
        for (section, kind, items) in sections {
            let mut first_at: HashMap<Id, usize> = HashMap::new();
            for (i, (id, text)) in items.into_iter().enumerate() {
                let at = || FieldPath::item(section, i);
                if id.kind != kind {
                    self.error(
                        at().key("id"),
                        format!(
                            "{id} is not {} id (those start with {})",
                            with_article(kind.noun()),
                            kind.prefix()
                        ),
                    );
                }
                if id.number == 0 {
                    // `T0` does not parse, so the session could not be read back.
                    self.error(
                        at().key("id"),
                        format!("{id} is not an id: numbers start at 1"),
                    );
                }
                if let Some(first) = first_at.get(&id) {
                    self.error(
                        at().key("id"),
                        format!("duplicate id {id} (also {section}[{first}])"),
                    );
                } else {
                    first_at.insert(id, i);
                }
                self.defined.insert(id);
                if text.trim().is_empty() {
                    let field = match section {
                        "flows" => "label",
                        "assumptions" | "mitigations" => "text",
                        "threats" => "title",
                        _ => "name",
                    };
                    self.error(at().key(field), format!("{field} is empty"));
                }
            }
        }
    }

    /// `id` at `path` must name an existing element of one of `kinds`.
    fn reference(&mut self, path: impl FnOnce() -> FieldPath, id: Id, kinds: &[IdKind]) {
        if !kinds.contains(&id.kind) {
            let wanted: Vec<&str> = kinds.iter().map(|k| k.noun()).collect();
            self.error(
                path(),
                format!(
                    "{id} is {}, expected {}",
                    with_article(id.kind.noun()),
                    wanted.join(" or ")
                ),
            );
        } else if !self.defined.contains(&id) {
            self.error(path(), format!("{} {id} does not exist", id.kind.noun()));
        }
    }

    fn references(&mut self, catalogs: &Catalogs) {
        let s = self.session;
        if let Some(f) = s.facilitator {
            self.reference(|| FieldPath::from("facilitator"), f, &[IdKind::Participant]);
        }
        for (i, e) in s.entry_points.iter().enumerate() {
            if let Some(c) = e.component {
                self.reference(
                    || FieldPath::item("entry_points", i).key("component"),
                    c,
                    &[IdKind::Component],
                );
            }
        }
        for (i, b) in s.boundaries.iter().enumerate() {
            if let Some(p) = b.parent {
                self.reference(
                    || FieldPath::item("boundaries", i).key("parent"),
                    p,
                    &[IdKind::Boundary],
                );
            }
        }
        self.boundary_cycles();
        self.assumption_links();
        for (i, c) in s.components.iter().enumerate() {
            let at = || FieldPath::item("components", i);
            if let Some(b) = c.boundary {
                self.reference(|| at().key("boundary"), b, &[IdKind::Boundary]);
            }
            match catalogs.kind(&c.kind) {
                None => {
                    let hint = suggestion(&c.kind, catalogs.kind_ids())
                        .map(|s| format!("; did you mean `{s}`?"))
                        .unwrap_or_else(|| {
                            "; run `stridekit catalogs` to list kinds, or add a catalog in ./catalogs"
                                .to_string()
                        });
                    self.error(
                        at().key("kind"),
                        format!("unknown catalog kind `{}`{hint}", c.kind),
                    );
                }
                Some(kind) if !kind.is_component_kind() => {
                    self.error(
                        at().key("kind"),
                        format!(
                            "`{}` describes a {}, not a component",
                            c.kind,
                            kind.element.key()
                        ),
                    );
                }
                Some(_) => {}
            }
        }
        let endpoints = [IdKind::Actor, IdKind::Component];
        for (i, f) in s.flows.iter().enumerate() {
            let at = || FieldPath::item("flows", i);
            self.reference(|| at().key("from"), f.from, &endpoints);
            self.reference(|| at().key("to"), f.to, &endpoints);
            if f.from == f.to {
                self.error(
                    at().key("to"),
                    format!("flow goes from {} to itself", f.from),
                );
            }
            for (j, a) in f.assets.iter().enumerate() {
                self.reference(|| at().key("assets").index(j), *a, &[IdKind::Asset]);
            }
        }
        for (i, m) in s.mitigations.iter().enumerate() {
            let at = || FieldPath::item("mitigations", i);
            if m.threats.is_empty() {
                // A warning: imported files (Threat Composer) hold
                // mitigations linked to nothing yet, and must load.
                self.warning(at().key("threats"), "the mitigation addresses no threat");
            }
            for (j, t) in m.threats.iter().enumerate() {
                self.reference(|| at().key("threats").index(j), *t, &[IdKind::Threat]);
            }
            if let Some(r) = &m.catalog
                && catalogs.mitigation(r).is_none()
            {
                self.warning(
                    at().key("catalog"),
                    format!("catalog mitigation `{r}` is not in the loaded catalogs"),
                );
            }
        }
    }

    fn assumption_links(&mut self) {
        let s = self.session;
        for (i, a) in s.assumptions.iter().enumerate() {
            let at = || FieldPath::item("assumptions", i);
            for (j, t) in a.threats.iter().enumerate() {
                self.reference(|| at().key("threats").index(j), *t, &[IdKind::Threat]);
            }
            for (j, m) in a.mitigations.iter().enumerate() {
                self.reference(
                    || at().key("mitigations").index(j),
                    *m,
                    &[IdKind::Mitigation],
                );
            }
        }
    }

    /// Each boundary on a cycle of parents is an error, found in one walk
    /// of the parent chains (each boundary is visited once: deep nesting
    /// in a large file stays linear).
    fn boundary_cycles(&mut self) {
        let s = self.session;
        let index: HashMap<Id, usize> = s
            .boundaries
            .iter()
            .enumerate()
            .map(|(i, b)| (b.id, i))
            .collect();
        let parent_of = |i: usize| s.boundaries[i].parent.and_then(|p| index.get(&p).copied());
        #[derive(Clone, Copy, PartialEq)]
        enum Seen {
            No,
            OnPath,
            Done,
        }
        let mut seen = vec![Seen::No; s.boundaries.len()];
        let mut on_cycle = Vec::new();
        for start in 0..s.boundaries.len() {
            let mut path = Vec::new();
            let mut at = Some(start);
            while let Some(i) = at {
                match seen[i] {
                    Seen::Done => break,
                    Seen::OnPath => {
                        // The path from `i` on goes round.
                        if let Some(from) = path.iter().position(|&p| p == i) {
                            on_cycle.extend(path[from..].iter().map(|&p| (p, i)));
                        }
                        break;
                    }
                    Seen::No => {
                        seen[i] = Seen::OnPath;
                        path.push(i);
                        at = parent_of(i);
                    }
                }
            }
            for p in path {
                seen[p] = Seen::Done;
            }
        }
        on_cycle.sort_unstable();
        for (i, through) in on_cycle {
            let b = &s.boundaries[i];
            let p = s.boundaries[through].id;
            self.error(
                FieldPath::item("boundaries", i).key("parent"),
                format!("boundary {} is inside itself (cycle through {p})", b.id),
            );
        }
    }

    fn agenda(&mut self) {
        let s = self.session;
        let mut seen: HashMap<Phase, usize> = HashMap::new();
        let mut running = 0;
        for (i, item) in s.agenda.iter().enumerate() {
            let at = || FieldPath::item("agenda", i);
            if let Some(first) = seen.insert(item.phase, i) {
                self.error(
                    at().key("phase"),
                    format!(
                        "phase {} is already planned at agenda[{first}]",
                        item.phase.key()
                    ),
                );
            }
            if item.minutes > MAX_PHASE_MINUTES {
                self.error(
                    at().key("minutes"),
                    format!(
                        "{} minutes is more than the {MAX_PHASE_MINUTES} a phase may plan",
                        item.minutes
                    ),
                );
            }
            if item.elapsed_secs > MAX_ELAPSED_SECS {
                self.error(
                    at().key("elapsed_secs"),
                    format!(
                        "{} seconds is more than a TOML integer holds ({MAX_ELAPSED_SECS})",
                        item.elapsed_secs
                    ),
                );
            }
            if item.running_since.is_some() {
                running += 1;
                if running > 1 {
                    self.error(
                        at().key("running_since"),
                        "only one phase timer can run at a time",
                    );
                }
            }
        }
        let in_order = s.agenda.windows(2).all(|w| w[0].phase < w[1].phase);
        if !in_order && seen.len() == s.agenda.len() {
            self.error(
                FieldPath::from("agenda"),
                "agenda phases must be in order: setup, scope, brainstorm, vote, plan, review",
            );
        }
        let missing: Vec<&str> = Phase::ALL
            .iter()
            .filter(|p| !seen.contains_key(p))
            .map(|p| p.key())
            .collect();
        if !s.agenda.is_empty() && !missing.is_empty() {
            self.error(
                FieldPath::from("agenda"),
                format!("agenda has no entry for {}", missing.join(", ")),
            );
        }
    }

    fn coverage(&mut self) {
        let s = self.session;
        let mut seen = HashMap::new();
        for (i, mark) in s.coverage.iter().enumerate() {
            let at = || FieldPath::item("coverage", i);
            self.reference(
                || at().key("element"),
                mark.element,
                &[IdKind::Actor, IdKind::Component, IdKind::Flow],
            );
            if let Some(first) = seen.insert((mark.element, mark.category), i) {
                self.error(
                    at().key("category"),
                    format!(
                        "{} / {} is already marked at coverage[{first}]",
                        mark.element,
                        mark.category.key()
                    ),
                );
            }
            if mark.status == CoverageStatus::NotApplicable && mark.reason.trim().is_empty() {
                self.error(at().key("reason"), "say why the category does not apply");
            }
        }
        let mut seen = HashMap::new();
        for (i, d) in s.dismissed.iter().enumerate() {
            let at = || FieldPath::item("dismissed", i);
            self.reference(
                || at().key("element"),
                d.element,
                &[IdKind::Actor, IdKind::Component, IdKind::Flow],
            );
            if d.catalog.trim().is_empty() {
                self.error(at().key("catalog"), "name the catalog threat dismissed");
            }
            if let Some(first) = seen.insert((d.element, d.catalog.as_str()), i) {
                self.error(
                    at().key("catalog"),
                    format!(
                        "{} / {} is already dismissed at dismissed[{first}]",
                        d.element, d.catalog
                    ),
                );
            }
        }
    }

    fn threats(&mut self, catalogs: &Catalogs) {
        let s = self.session;
        for (i, t) in s.threats.iter().enumerate() {
            let at = || FieldPath::item("threats", i);
            let unmitigated =
                matches!(t.status, ThreatStatus::Accepted | ThreatStatus::Transferred);
            if unmitigated && t.status_reason.trim().is_empty() {
                // A warning: the TUI asks for the reason; an older file may
                // not have one, and must still load.
                self.warning(
                    at().key("status_reason"),
                    format!("say why {} is {}", t.id, t.status.key()),
                );
            }
            if let Some(target) = t.target {
                self.reference(
                    || at().key("target"),
                    target,
                    &[IdKind::Actor, IdKind::Component, IdKind::Flow],
                );
            }
            if let Some(author) = t.author {
                self.reference(|| at().key("author"), author, &[IdKind::Participant]);
            }
            for (field, value) in [("likelihood", t.likelihood), ("impact", t.impact)] {
                if let Some(v) = value
                    && !RATING_RANGE.contains(&v)
                {
                    self.error(
                        at().key(field),
                        format!("{field} {v} is out of range; use 1 to 5"),
                    );
                }
            }
            if let Some(r) = &t.catalog
                && catalogs.threat(r).is_none()
            {
                self.warning(
                    at().key("catalog"),
                    format!("catalog threat `{r}` is not in the loaded catalogs"),
                );
            }
            for (j, a) in t.statement.assets.iter().enumerate() {
                self.reference(
                    || at().key("statement").key("assets").index(j),
                    *a,
                    &[IdKind::Asset],
                );
            }
            if t.created < s.created {
                self.warning(
                    at().key("created"),
                    format!("created before the session ({})", s.created),
                );
            }
        }
    }

    fn voting(&mut self) {
        let s = self.session;
        let v = &s.voting;
        if v.cap_per_threat == 0 {
            self.error(
                FieldPath::from("voting.cap_per_threat"),
                "cap must be at least 1",
            );
        }
        if v.dots_per_person == Some(0) {
            self.error(
                FieldPath::from("voting.dots_per_person"),
                "dots per person must be at least 1",
            );
        }
        let budget = scoring::budget(s);
        for (participant, ballot) in &v.ballots {
            let at = || FieldPath::from("voting.ballots").key(participant.to_string());
            self.reference(at, *participant, &[IdKind::Participant]);
            for (threat, dots) in ballot {
                let at = || at().key(threat.to_string());
                self.reference(at, *threat, &[IdKind::Threat]);
                if *dots > v.cap_per_threat {
                    self.error(
                        at(),
                        format!("{dots} dots on one threat; the cap is {}", v.cap_per_threat),
                    );
                }
            }
            let total = scoring::spent(s, *participant);
            if total > budget {
                // A warning: deleting threats after the vote lowers the
                // default budget, and that must not make the file unloadable.
                self.warning(
                    at(),
                    format!("{participant} placed {total} dots; the budget is {budget}"),
                );
            }
        }
        for threat in v.tally.keys() {
            let at = || FieldPath::from("voting.tally").key(threat.to_string());
            self.reference(at, *threat, &[IdKind::Threat]);
        }
        let mut seen = HashSet::new();
        for (i, threat) in v.order.iter().enumerate() {
            let at = || FieldPath::from("voting.order").index(i);
            self.reference(at, *threat, &[IdKind::Threat]);
            if !seen.insert(*threat) {
                self.error(at(), format!("{threat} is listed twice"));
            }
        }
        for (list, ids) in [("voting.done", &v.done), ("voting.abstained", &v.abstained)] {
            for (i, p) in ids.iter().enumerate() {
                let at = || FieldPath::from(list).index(i);
                self.reference(at, *p, &[IdKind::Participant]);
            }
        }
    }

    /// The minimum useful scope: an asset, an entry point, and two
    /// components with a flow between them.
    fn scope_warnings(&mut self) {
        for gap in scope_gaps(self.session) {
            self.warning(FieldPath::root(), format!("scope: {gap}"));
        }
    }
}

/// What the scope lacks for a useful model; empty when it is enough.
pub fn scope_gaps(session: &Session) -> Vec<String> {
    let mut gaps = Vec::new();
    if session.assets.is_empty() {
        gaps.push("no asset yet (what is worth protecting?)".to_string());
    }
    if session.entry_points.is_empty() {
        gaps.push("no entry point yet (where does input come in?)".to_string());
    }
    if session.components.len() < 2 {
        let have = match session.components.len() {
            0 => "no component yet".to_string(),
            n => super::text::plural(n, "component", "components"),
        };
        gaps.push(format!("{have}; model at least two"));
    }
    let component_ids: HashSet<Id> = session.components.iter().map(|c| c.id).collect();
    let connected = session
        .flows
        .iter()
        .any(|f| component_ids.contains(&f.from) && component_ids.contains(&f.to));
    if session.components.len() >= 2 && !connected {
        gaps.push("no data flow between two components".to_string());
    }
    gaps
}

/// "an asset", "a component".
fn with_article(noun: &str) -> String {
    let article = if noun.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    format!("{article} {noun}")
}

/// The closest known name to `wanted`, if it is close enough to be a typo.
pub fn suggestion<'a>(wanted: &str, known: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let wanted_lower = wanted.to_lowercase();
    known
        .map(|k| (strsim::levenshtein(&wanted_lower, &k.to_lowercase()), k))
        .filter(|(d, k)| *d <= (k.len() / 3).max(2))
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_number_zero_is_an_error() {
        use crate::core::model::{Participant, Template};
        use crate::core::time::Timestamp;
        let catalogs = Catalogs::builtin().unwrap();
        let mut s = Session::new("t", Template::Quick, Timestamp::from_unix(0));
        s.participants.push(Participant {
            id: Id::new(IdKind::Participant, 0),
            name: "Kim".into(),
            persona: None,
        });
        let issues = validate(&s, &catalogs);
        assert_eq!(issues[0].path.to_string(), "participants[0].id");
        assert_eq!(issues[0].message, "P0 is not an id: numbers start at 1");
        assert_eq!(issues[0].severity, crate::core::diag::Severity::Error);
    }

    #[test]
    fn the_scope_check_wants_a_flow_between_two_components() {
        let catalogs = Catalogs::builtin().unwrap();
        let demo = crate::core::store::load_text(
            std::path::Path::new("demo.toml"),
            crate::DEMO_SESSION,
            &catalogs,
        )
        .unwrap()
        .session;
        assert_eq!(scope_gaps(&demo), Vec::<String>::new());
        let components: HashSet<Id> = demo.components.iter().map(|c| c.id).collect();
        let between = |f: &crate::core::model::Flow| {
            components.contains(&f.from) && components.contains(&f.to)
        };
        // Only the flows from and to people are left.
        let mut s = demo.clone();
        s.flows.retain(|f| !between(f));
        assert!(!s.flows.is_empty());
        assert_eq!(scope_gaps(&s), ["no data flow between two components"]);
        // One flow between two components is enough.
        let one = demo.flows.iter().find(|f| between(f)).unwrap().clone();
        s.flows.push(one);
        assert_eq!(scope_gaps(&s), Vec::<String>::new());
        // With one component there is nothing to connect: the count says it.
        s.components.truncate(1);
        s.flows.clear();
        assert_eq!(scope_gaps(&s), ["1 component; model at least two"]);
    }

    #[test]
    fn a_clock_beyond_what_toml_holds_is_an_error() {
        use crate::core::model::Template;
        use crate::core::time::Timestamp;
        let catalogs = Catalogs::builtin().unwrap();
        let mut s = Session::new("t", Template::Quick, Timestamp::from_unix(0));
        let errors = |s: &Session| -> Vec<String> {
            validate(s, &catalogs)
                .into_iter()
                .filter(|i| i.severity == crate::core::diag::Severity::Error)
                .map(|i| i.path.to_string())
                .collect()
        };
        s.agenda[0].elapsed_secs = MAX_ELAPSED_SECS;
        assert_eq!(errors(&s), Vec::<String>::new());
        s.agenda[0].elapsed_secs = MAX_ELAPSED_SECS + 1;
        assert_eq!(errors(&s), ["agenda[0].elapsed_secs"]);
    }

    #[test]
    fn suggests_close_kinds_only() {
        let known = ["aws.lambda", "aws.s3", "generic.process"];
        assert_eq!(
            suggestion("aws.lamda", known.into_iter()),
            Some("aws.lambda")
        );
        assert_eq!(suggestion("gcp.cloud-run", known.into_iter()), None);
        // Case does not count; the closest of several wins; the distance
        // allowed grows with the name (a third of it, at least 2).
        assert_eq!(suggestion("AWS.S3", known.into_iter()), Some("aws.s3"));
        assert_eq!(suggestion("aws.s", known.into_iter()), Some("aws.s3"));
        assert_eq!(
            suggestion("generic.procss", known.into_iter()),
            Some("generic.process")
        );
        assert_eq!(suggestion("process", known.into_iter()), None);
        assert_eq!(suggestion("aws.lambda-edge", known.into_iter()), None);
        // Distances count characters, not bytes.
        assert_eq!(
            suggestion("日本.lambda", ["ab.lambda"].into_iter()),
            Some("ab.lambda")
        );
    }
}
