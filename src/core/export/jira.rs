//! CSV for Jira's importer: Summary, Description, Issue Type, Priority and
//! one `Labels` column per label.
//!
//! Jira's rules: a header row with `Summary` is required; multi-value fields
//! repeat their column; labels cannot contain spaces; cells with commas,
//! quotes or newlines are quoted with `""` for a literal quote; no BOM (it
//! would become part of the first header name).

use std::io::{self, Write};

use super::ExportContext;
use super::cell::CsvFlavor;
use crate::core::diag::{FieldPath, Issue};
use crate::core::index::SessionIndex;
use crate::core::model::{JiraSettings, PriorityBy, RankTier, VotingMode};
use crate::core::scoring::{Ranked, RiskBand, rank};

pub const DEFAULT_ISSUE_TYPE: &str = "Task";
pub const DEFAULT_LABEL: &str = "threat-model";
/// Jira rejects longer summaries.
pub const MAX_SUMMARY_CHARS: usize = 255;

/// The keys `risk_priority` accepts: the four bands and `unrated`.
pub const RISK_KEYS: [&str; 5] = ["critical", "high", "medium", "low", "unrated"];

/// The mapping after merging defaults, the config file and the session.
#[derive(Debug, Clone, PartialEq)]
pub struct JiraMapping {
    pub issue_type: String,
    pub labels: Vec<String>,
    pub priority_by: PriorityBy,
    /// Priority per key of [`RISK_KEYS`].
    pub risk_priority: [String; 5],
    pub rank_priority: Vec<RankTier>,
    pub rank_default: String,
    /// Only the threats above the cut line.
    pub only_backlog: bool,
}

impl JiraMapping {
    /// Session settings win over config settings, field by field; anything
    /// neither sets takes the default. Without an explicit `priority_by`,
    /// a session that voted is prioritised by rank, a rated one by risk.
    pub fn resolve(
        session: &JiraSettings,
        config: &JiraSettings,
        mode: VotingMode,
        any_votes: bool,
    ) -> JiraMapping {
        let pick = |f: fn(&JiraSettings) -> Option<&String>, default: &str| {
            f(session)
                .or_else(|| f(config))
                .cloned()
                .unwrap_or_else(|| default.to_string())
        };
        let risk = |key: &str, default: &str| {
            session
                .risk_priority
                .get(key)
                .or_else(|| config.risk_priority.get(key))
                .cloned()
                .unwrap_or_else(|| default.to_string())
        };
        let voted = mode != VotingMode::Rating && any_votes;
        JiraMapping {
            issue_type: pick(|s| s.issue_type.as_ref(), DEFAULT_ISSUE_TYPE),
            labels: session
                .labels
                .clone()
                .or_else(|| config.labels.clone())
                .unwrap_or_else(|| vec![DEFAULT_LABEL.to_string()]),
            priority_by: session
                .priority_by
                .or(config.priority_by)
                .unwrap_or(if voted {
                    PriorityBy::Rank
                } else {
                    PriorityBy::Risk
                }),
            risk_priority: [
                risk("critical", "Highest"),
                risk("high", "High"),
                risk("medium", "Medium"),
                risk("low", "Low"),
                risk("unrated", "Medium"),
            ],
            rank_priority: session
                .rank_priority
                .clone()
                .or_else(|| config.rank_priority.clone())
                .unwrap_or_else(|| {
                    vec![
                        RankTier {
                            up_to: 3,
                            priority: "High".to_string(),
                        },
                        RankTier {
                            up_to: 10,
                            priority: "Medium".to_string(),
                        },
                    ]
                }),
            rank_default: pick(|s| s.rank_default.as_ref(), "Low"),
            only_backlog: session
                .only_backlog
                .or(config.only_backlog)
                .unwrap_or(false),
        }
    }

    /// The Jira priority for a ranked threat.
    pub fn priority(&self, ranked: &Ranked) -> &str {
        match self.priority_by {
            PriorityBy::Risk => {
                let index = match ranked.band {
                    Some(RiskBand::Critical) => 0,
                    Some(RiskBand::High) => 1,
                    Some(RiskBand::Medium) => 2,
                    Some(RiskBand::Low) => 3,
                    None => 4,
                };
                &self.risk_priority[index]
            }
            PriorityBy::Rank => {
                if ranked.dots == 0 {
                    return &self.rank_default;
                }
                self.rank_priority
                    .iter()
                    .find(|tier| ranked.rank <= tier.up_to as usize)
                    .map_or(&self.rank_default, |tier| &tier.priority)
            }
        }
    }
}

/// Checks Jira settings from a session or config file, under `at`.
pub fn check_settings(settings: &JiraSettings, at: &FieldPath) -> Vec<Issue> {
    let mut issues = Vec::new();
    let non_empty = |value: &str, path: FieldPath, issues: &mut Vec<Issue>| {
        if value.trim().is_empty() {
            issues.push(Issue::error(path, "must not be empty"));
        }
    };
    if let Some(t) = &settings.issue_type {
        non_empty(t, at.clone().key("issue_type"), &mut issues);
    }
    for (key, priority) in &settings.risk_priority {
        let path = at.clone().key("risk_priority").key(key.as_str());
        if !RISK_KEYS.contains(&key.as_str()) {
            issues.push(Issue::error(
                path,
                format!("unknown risk band `{key}` (use {})", RISK_KEYS.join(", ")),
            ));
        } else {
            non_empty(priority, path, &mut issues);
        }
    }
    if let Some(tiers) = &settings.rank_priority {
        let mut previous = 0;
        for (i, tier) in tiers.iter().enumerate() {
            let path = at.clone().key("rank_priority").index(i);
            if tier.up_to <= previous {
                issues.push(Issue::error(
                    path.clone().key("up_to"),
                    format!("tiers must grow: {} after {previous}", tier.up_to),
                ));
            }
            previous = tier.up_to;
            non_empty(&tier.priority, path.key("priority"), &mut issues);
        }
    }
    if let Some(labels) = &settings.labels {
        for (i, label) in labels.iter().enumerate() {
            if label_slug(label).is_empty() {
                issues.push(Issue::error(
                    at.clone().key("labels").index(i),
                    format!("`{label}` has no letters or digits to make a label from"),
                ));
            }
        }
    }
    issues
}

/// A Jira label from free text: lowercase, spaces and punctuation become
/// `-`, never starting with a dash (Jira labels cannot contain spaces).
pub fn label_slug(text: &str) -> String {
    crate::core::text::slug(text)
}

pub fn write(ctx: &ExportContext<'_>, out: &mut dyn Write) -> io::Result<()> {
    let session = ctx.session;
    let ranking = rank(session);
    let index = SessionIndex::new(session);
    let any_votes = ranking.iter().any(|r| r.dots > 0);
    let mapping = JiraMapping::resolve(
        &session.jira,
        ctx.jira_defaults,
        session.voting.mode,
        any_votes,
    );
    // The backlog only, when asked: the ranking above the cut line.
    let shown = if mapping.only_backlog {
        &ranking[..super::super::scoring::backlog(session, &ranking)]
    } else {
        &ranking[..]
    };
    let rows: Vec<(String, String, &str, Vec<String>)> = shown
        .iter()
        .filter_map(|r| {
            let threat = index.threat(r.threat)?;
            let mut labels: Vec<String> = mapping
                .labels
                .iter()
                .map(|l| label_slug(l))
                .filter(|l| !l.is_empty())
                .collect();
            labels.push(format!("stride-{}", threat.category.key()));
            if let Some(band) = r.band {
                labels.push(format!("risk-{}", band.key()));
            }
            labels.dedup();
            let summary = truncate_chars(
                &format!("{}: {}", threat.id, one_line(&threat.title)),
                MAX_SUMMARY_CHARS,
            );
            let description = super::describe_threat(ctx, &index, threat, r, ranking.len());
            Some((summary, description, mapping.priority(r), labels))
        })
        .collect();
    let label_columns = rows.iter().map(|r| r.3.len()).max().unwrap_or(0);

    let mut w = CsvFlavor::Jira.writer(out);
    let mut header = vec!["Summary", "Description", "Issue Type", "Priority"];
    header.extend(std::iter::repeat_n("Labels", label_columns));
    w.row(header)?;
    for (summary, description, priority, labels) in &rows {
        let mut cells = vec![
            summary.as_str(),
            description.as_str(),
            mapping.issue_type.as_str(),
            priority,
        ];
        // Jira needs every row to have every column, empty or not.
        cells.extend((0..label_columns).map(|i| labels.get(i).map_or("", String::as_str)));
        w.row(cells)?;
    }
    w.finish()
}

/// Titles are single-line in Jira; newlines and tabs become spaces.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn truncate_chars(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut cut: String = text.chars().take(max - 1).collect();
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_have_no_spaces_and_start_safely() {
        assert_eq!(label_slug("Threat Model 2026"), "threat-model-2026");
        assert_eq!(label_slug("  -=cmd|' /C calc'!A0"), "cmd-c-calc-a0");
        assert_eq!(label_slug("Ünïcode ok"), "ünïcode-ok");
        assert_eq!(label_slug("!!!"), "");
    }

    fn ranked(rank: usize, dots: u32, band: Option<RiskBand>) -> Ranked {
        Ranked {
            threat: "T1".parse().unwrap(),
            rank,
            dots,
            risk: None,
            band,
            tied: false,
        }
    }

    fn mapping(settings: &JiraSettings, by: PriorityBy) -> JiraMapping {
        let mut m =
            JiraMapping::resolve(settings, &JiraSettings::default(), VotingMode::Open, true);
        m.priority_by = by;
        m
    }

    #[test]
    fn rank_tiers_hold_at_their_boundaries_and_the_rest_get_the_default() {
        let m = mapping(&JiraSettings::default(), PriorityBy::Rank);
        // Up to 3 High, up to 10 Medium, then Low: the edges on both sides.
        let at = |rank| m.priority(&ranked(rank, 1, None)).to_string();
        assert_eq!(
            [at(1), at(3), at(4), at(10), at(11)],
            ["High", "High", "Medium", "Medium", "Low"]
        );
        // A threat nobody voted for gets the default, whatever its rank.
        assert_eq!(m.priority(&ranked(1, 0, None)), "Low");
        let own = JiraSettings {
            rank_default: Some("Lowest".into()),
            ..Default::default()
        };
        let m = mapping(&own, PriorityBy::Rank);
        assert_eq!(m.priority(&ranked(11, 1, None)), "Lowest");
        assert_eq!(m.priority(&ranked(2, 0, None)), "Lowest");
    }

    #[test]
    fn risk_bands_map_to_priorities_and_unrated_has_its_own() {
        let m = mapping(&JiraSettings::default(), PriorityBy::Risk);
        let of = |band| m.priority(&ranked(1, 0, band)).to_string();
        assert_eq!(
            [
                of(Some(RiskBand::Critical)),
                of(Some(RiskBand::High)),
                of(Some(RiskBand::Medium)),
                of(Some(RiskBand::Low)),
                of(None),
            ],
            ["Highest", "High", "Medium", "Low", "Medium"]
        );
        let own = JiraSettings {
            risk_priority: [("unrated".to_string(), "Lowest".to_string())].into(),
            ..Default::default()
        };
        let m = mapping(&own, PriorityBy::Risk);
        assert_eq!(m.priority(&ranked(1, 0, None)), "Lowest");
        assert_eq!(m.priority(&ranked(1, 0, Some(RiskBand::Low))), "Low");
    }

    /// The demo exported without its votes, or with one dot from P1 on
    /// every threat, as (priority, the row's `risk-` label) per row in rank
    /// order.
    fn demo_priorities(one_dot_each: bool) -> Vec<(String, String)> {
        let catalogs = crate::core::catalog::Catalogs::builtin().unwrap();
        let mut session = crate::core::store::load_text(
            std::path::Path::new("d"),
            crate::DEMO_SESSION,
            &catalogs,
        )
        .unwrap()
        .session;
        session.voting.ballots.clear();
        if one_dot_each {
            let dots = session.threats.iter().map(|t| (t.id, 1)).collect();
            session.voting.ballots.insert("P1".parse().unwrap(), dots);
            // Put in order by hand, so no two share a rank.
            session.voting.order = session.threats.iter().map(|t| t.id).collect();
        }
        let ctx = ExportContext {
            session: &session,
            catalogs: &catalogs,
            jira_defaults: &JiraSettings::default(),
            source_name: None,
        };
        let mut out = Vec::new();
        write(&ctx, &mut out).unwrap();
        let mut reader = csv::Reader::from_reader(out.as_slice());
        reader
            .records()
            .map(|row| {
                let row = row.unwrap();
                let risk = row.iter().skip(4).find(|c| c.starts_with("risk-"));
                (row[3].to_string(), risk.unwrap_or("").to_string())
            })
            .collect()
    }

    /// A session set to vote whose vote has not happened yet is prioritised
    /// by risk, not given the "no votes" default on every row.
    #[test]
    fn a_session_with_no_votes_yet_takes_priorities_from_risk() {
        let rows = demo_priorities(false);
        assert!(rows.len() > 10);
        let by_risk = |label: &str| match label {
            "risk-critical" => "Highest",
            "risk-high" => "High",
            "risk-medium" => "Medium",
            "risk-low" => "Low",
            _ => "Medium",
        };
        for (priority, risk) in &rows {
            assert_eq!(priority, by_risk(risk), "{risk}");
        }
        assert!(rows.iter().any(|(p, _)| p == "Highest"), "{rows:?}");
    }

    /// Once every threat has a dot the vote decides: the top three High,
    /// the next seven Medium, the rest Low, whatever their risk.
    #[test]
    fn a_session_where_every_threat_was_voted_for_takes_priorities_from_rank() {
        let rows = demo_priorities(true);
        assert!(rows.len() > 10);
        for (i, (priority, _)) in rows.iter().enumerate() {
            let expected = match i + 1 {
                1..=3 => "High",
                4..=10 => "Medium",
                _ => "Low",
            };
            assert_eq!(priority, expected, "rank {}", i + 1);
        }
    }

    #[test]
    fn summaries_are_capped() {
        let long = "x".repeat(400);
        let s = truncate_chars(&long, MAX_SUMMARY_CHARS);
        assert_eq!(s.chars().count(), MAX_SUMMARY_CHARS);
        assert!(s.ends_with('…'));
    }

    #[test]
    fn settings_merge_session_over_config_over_defaults() {
        let session = JiraSettings {
            issue_type: Some("Bug".into()),
            ..Default::default()
        };
        let mut config = JiraSettings {
            issue_type: Some("Story".into()),
            labels: Some(vec!["sec".into()]),
            ..Default::default()
        };
        config.risk_priority.insert("high".into(), "Major".into());
        let m = JiraMapping::resolve(&session, &config, VotingMode::Open, false);
        assert_eq!(m.issue_type, "Bug");
        assert_eq!(m.labels, ["sec"]);
        assert_eq!(m.risk_priority[1], "Major");
        assert_eq!(m.risk_priority[0], "Highest");
        assert_eq!(m.priority_by, PriorityBy::Risk);
        let m = JiraMapping::resolve(&session, &config, VotingMode::Open, true);
        assert_eq!(m.priority_by, PriorityBy::Rank);
    }

    #[test]
    fn bad_settings_are_located() {
        let mut s = JiraSettings::default();
        s.risk_priority.insert("severe".into(), "High".into());
        s.rank_priority = Some(vec![
            RankTier {
                up_to: 5,
                priority: "High".into(),
            },
            RankTier {
                up_to: 5,
                priority: "".into(),
            },
        ]);
        let issues = check_settings(&s, &FieldPath::from("jira"));
        let paths: Vec<String> = issues.iter().map(|i| i.path.to_string()).collect();
        assert_eq!(
            paths,
            [
                "jira.risk_priority.severe",
                "jira.rank_priority[1].up_to",
                "jira.rank_priority[1].priority"
            ]
        );
    }
}
