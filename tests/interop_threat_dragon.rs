//! Threat Dragon import and export (issue 10): the small fixtures written
//! for these tests (a version 2 and a version 1 model) always run; the
//! real files in `../shared/samples/threat-dragon` run where that folder
//! exists (a user's clone has none: the tests say so and pass). Expected
//! counts are worked out from the JSON here, not by the importer.

mod common;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use proptest::prelude::*;
use serde_json::{Value, json};
use stridekit::core::catalog::Catalogs;
use stridekit::core::ids::Id;
use stridekit::core::interop::{self, Format, ImportError};
use stridekit::core::model::{MitigationStatus, Persona, Priority, Session, ThreatStatus};
use stridekit::core::store;
use stridekit::core::stride::Category;
use stridekit::core::time::Timestamp;

const FIXTURE_V2: &str = include_str!("fixtures/interop/small-v2.json");
const FIXTURE_V1: &str = include_str!("fixtures/interop/small-v1.json");

const DESCRIPTION_PLACEHOLDER: &str = "Provide a description for this threat";
const MITIGATION_PLACEHOLDER: &str =
    "Provide remediation for this threat or a reason if status is N/A";

static CATALOGS: LazyLock<Catalogs> = LazyLock::new(|| Catalogs::builtin().unwrap());

fn now() -> Timestamp {
    Timestamp::from_unix(1_800_000_000)
}

fn import(text: &str) -> interop::Imported {
    interop::import(text, None, "fallback title", now()).expect("imports")
}

/// The session as a file and back: what the importer built is valid.
fn valid(session: &Session) -> Session {
    let text = store::to_toml(session).unwrap();
    store::load_text(Path::new("imported.toml"), &text, &CATALOGS)
        .unwrap_or_else(|e| panic!("invalid session: {e:?}\n{text}"))
        .session
}

fn demo() -> Session {
    store::load_text(Path::new("demo.toml"), stridekit::DEMO_SESSION, &CATALOGS)
        .unwrap()
        .session
}

fn samples() -> Option<PathBuf> {
    common::samples("threat-dragon")
}

/// The models in the samples folder (not the schema).
fn sample_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let name = p.to_string_lossy();
            name.ends_with(".json") && !name.ends_with(".schema.json")
        })
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no models in {}", dir.display());
    files
}

fn reported_at(imported: &interop::Imported) -> BTreeSet<String> {
    imported.unmapped.iter().map(|u| u.at.clone()).collect()
}

fn what_at<'i>(imported: &'i interop::Imported, at: &str) -> Vec<&'i str> {
    imported
        .unmapped
        .iter()
        .filter(|u| u.at == at)
        .map(|u| u.what.as_str())
        .collect()
}

fn by_name(s: &Session, name: &str) -> Id {
    s.all_ids()
        .find(|id| s.name(*id) == Some(name))
        .unwrap_or_else(|| panic!("no element named {name}"))
}

#[test]
fn the_v2_fixture_maps_every_field_and_reports_the_rest() {
    let imported = import(FIXTURE_V2);
    assert_eq!(imported.format, Format::ThreatDragon);
    let s = valid(&imported.session);
    assert_eq!(s.title, "Payslip portal");
    assert_eq!(s.description, "Employees download payslips.");
    assert!(
        s.architecture
            .contains("\"Payslip download\" (STRIDE diagram): The main flow")
            && s.architecture.contains("\"Nightly batch\" (CIA diagram)"),
        "{}",
        s.architecture
    );
    // Owner, reviewer, contributors: participants; the owner facilitates.
    let people: Vec<(&str, Option<Persona>)> = s
        .participants
        .iter()
        .map(|p| (p.name.as_str(), p.persona))
        .collect();
    assert_eq!(
        people,
        [
            ("Robin Owner", None),
            ("Jordan Reviewer", Some(Persona::Appsec)),
            ("Casey Contributor", None)
        ]
    );
    assert_eq!(s.facilitator, Some(s.participants[0].id));

    // Elements, with their attributes as properties.
    let names = |it: Vec<(&str, &str)>| -> Vec<String> {
        it.into_iter().map(|(a, b)| format!("{a}:{b}")).collect()
    };
    assert_eq!(
        names(s.actors.iter().map(|a| (a.name.as_str(), "")).collect()),
        ["Employee:", "Administrator:"]
    );
    let employee = &s.actors[0];
    assert_eq!(employee.description, "Any member of staff");
    assert_eq!(employee.properties["providesAuthentication"], "true");
    assert_eq!(employee.out_of_scope, None);
    assert_eq!(
        names(
            s.components
                .iter()
                .map(|c| (c.name.as_str(), c.kind.as_str()))
                .collect()
        ),
        [
            "Payslip API:generic.process",
            "Payslip DB:generic.data-store",
            "Unnamed process 1:generic.process",
            "Batch job:generic.process"
        ]
    );
    let api = &s.components[0];
    assert_eq!(api.description, "REST API");
    assert_eq!(api.properties["privilegeLevel"], "service");
    assert_eq!(api.properties["isWebApplication"], "true");
    assert_eq!(api.properties["handlesCardPayment"], "false");
    let db = &s.components[1];
    assert_eq!(db.out_of_scope.as_deref(), Some("Run by the vendor"));
    assert_eq!(db.properties["storesCredentials"], "true");
    assert_eq!(db.properties["isEncrypted"], "true");

    // Boxes: the name drawn on it when data has none; nesting; the
    // innermost box holds a component; a curve holds nothing.
    let boundaries: Vec<&str> = s.boundaries.iter().map(|b| b.name.as_str()).collect();
    assert_eq!(
        boundaries,
        ["Corporate network", "Data tier", "Internet edge"]
    );
    let outer = by_name(&s, "Corporate network");
    let inner = by_name(&s, "Data tier");
    assert_eq!(s.boundaries[0].description, "Behind the VPN");
    assert_eq!(s.boundaries[0].parent, None);
    assert_eq!(s.boundaries[1].parent, Some(outer));
    assert_eq!(s.boundaries[2].parent, None);
    assert_eq!(api.boundary, Some(outer));
    assert_eq!(db.boundary, Some(inner));
    assert_eq!(s.components[2].boundary, Some(inner));
    assert_eq!(s.components[3].boundary, None, "another diagram");

    // Flows by their ends; the dangling one and the loop are not kept.
    let flows: Vec<(String, String, &str, &str)> = s
        .flows
        .iter()
        .map(|f| {
            (
                s.name(f.from).unwrap().to_string(),
                s.name(f.to).unwrap().to_string(),
                f.label.as_str(),
                f.protocol.as_str(),
            )
        })
        .collect();
    assert_eq!(
        flows,
        [
            (
                "Employee".to_string(),
                "Payslip API".to_string(),
                "Download payslip",
                "HTTPS"
            ),
            (
                "Payslip API".to_string(),
                "Payslip DB".to_string(),
                "Query",
                ""
            )
        ]
    );
    let download = &s.flows[0];
    assert_eq!(download.description, "Over the internet");
    assert_eq!(download.properties["isEncrypted"], "true");
    assert_eq!(download.properties["isPublicNetwork"], "true");
    assert!(!download.properties.contains_key("protocol"));
    assert_eq!(s.flows[1].out_of_scope.as_deref(), Some("A local socket"));

    // Threats in the file's order, numbers kept where free.
    let ids: Vec<String> = s.threats.iter().map(|t| t.id.to_string()).collect();
    assert_eq!(ids, ["T3", "T5", "T12", "T7", "T9", "T13", "T11"]);
    let t = |n: usize| &s.threats[n];
    assert_eq!(t(0).title, "Stolen password");
    assert_eq!(t(0).category, Category::Spoofing);
    assert_eq!(t(0).status, ThreatStatus::Open);
    assert_eq!(t(0).priority, Some(Priority::High));
    assert_eq!(t(0).notes, "Phished credentials");
    assert_eq!(t(0).properties["score"], "8");
    assert_eq!(t(0).target, Some(employee.id));
    assert_eq!(t(1).status, ThreatStatus::Mitigated);
    assert_eq!(t(1).priority, Some(Priority::Medium));
    assert!(!t(1).properties.contains_key("score"), "an empty score");
    // Odd values: read as something, kept, and said.
    assert_eq!(t(2).status, ThreatStatus::Open);
    assert_eq!(t(2).properties["status"], "Wip");
    assert_eq!(t(2).priority, None);
    assert_eq!(t(2).properties["severity"], "TBA");
    assert_eq!(t(2).notes, "", "the placeholder is not a description");
    assert_eq!(t(3).category, Category::InformationDisclosure);
    assert_eq!(t(3).properties["type"], "Linkability");
    assert_eq!(t(3).properties["modelType"], "LINDDUN");
    assert_eq!(t(3).status, ThreatStatus::NotApplicable);
    assert_eq!(t(3).target, Some(db.id));
    assert_eq!(t(4).status, ThreatStatus::NotApplicable, "NA");
    assert_eq!(t(4).priority, Some(Priority::High), "Critical");
    assert_eq!(t(4).target, Some(download.id));
    assert_eq!(t(5).title, "Orphan threat");
    assert_eq!(t(5).target, None, "its flow is not imported");
    assert_eq!(t(6).category, Category::DenialOfService, "CIA availability");
    assert_eq!(
        s.foreign_ids["threat-dragon"][&t(0).id],
        "th-1",
        "threat ids kept"
    );
    assert_eq!(s.foreign_ids["threat-dragon"][&db.id], "store-db");
    assert_eq!(s.foreign_ids["threat-dragon"][&inner], "box-inner");

    // One mitigation per mitigation text, done when the threat is.
    let mitigations: Vec<(&str, Vec<Id>, MitigationStatus)> = s
        .mitigations
        .iter()
        .map(|m| (m.text.as_str(), m.threats.clone(), m.status))
        .collect();
    assert_eq!(
        mitigations,
        [
            ("Require MFA", vec![t(0).id], MitigationStatus::Proposed),
            (
                "Check the caller owns the payslip",
                vec![t(1).id],
                MitigationStatus::Done
            ),
            (
                "TLS 1.2 or later",
                vec![t(4).id],
                MitigationStatus::Proposed
            ),
            ("Alert at 5am", vec![t(6).id], MitigationStatus::Proposed),
        ]
    );

    let cells = "detail.diagrams[0].cells";
    let reported = reported_at(&imported);
    let expected: BTreeSet<String> = [
        "extra".to_string(),
        "detail.contributors[1]".to_string(),
        "detail.diagrams".to_string(),
        cells.to_string(),
        "detail.diagrams[1].cells".to_string(),
        format!("{cells}[5]"),
        format!("{cells}[6]"),
        format!("{cells}[3].data.threats[1].status"),
        format!("{cells}[3].data.threats[1].severity"),
        format!("{cells}[3].data.threats[1].description"),
        format!("{cells}[3].data.threats[1].mitigation"),
        format!("{cells}[3].data.threats[1].number"),
        format!("{cells}[4].data.threats[0].type"),
        format!("{cells}[7].data.threats[0].severity"),
        format!("{cells}[9]"),
        format!("{cells}[9].data.threats"),
        format!("{cells}[10]"),
        format!("{cells}[11]"),
        format!("{cells}[11].shape"),
        format!("{cells}[12]"),
        format!("{cells}[13]"),
        "detail.diagrams[1].cells[0].data.threats[0].type".to_string(),
    ]
    .into_iter()
    .collect();
    assert_eq!(
        reported,
        expected,
        "{:#?}",
        imported
            .unmapped
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
    );
    let said = |at: &str, word: &str| {
        let what = what_at(&imported, at);
        assert!(
            what.iter().any(|w| w.contains(word)),
            "{at} should say {word}: {what:?}"
        );
    };
    said(&format!("{cells}[3].data.threats[1].severity"), "`TBA`");
    said(&format!("{cells}[3].data.threats[1].status"), "`Wip`");
    said(
        &format!("{cells}[7].data.threats[0].severity"),
        "`Critical`",
    );
    said(&format!("{cells}[11].shape"), "trust-broundary-curve");
    said(&format!("{cells}[5]"), "Unnamed process 1");
    said(&format!("{cells}[6]"), "Corporate network");
    said(&format!("{cells}[9]"), "not attached");
    said(&format!("{cells}[10]"), "to itself");
    said(&format!("{cells}[12]"), "Draft, do not share");
    said(&format!("{cells}[13]"), "cloud");
    said(&format!("{cells}[4].data.threats[0].type"), "Linkability");
}

#[test]
fn the_v1_fixture_maps_every_field() {
    let imported = import(FIXTURE_V1);
    assert_eq!(imported.format, Format::ThreatDragon);
    let s = valid(&imported.session);
    assert_eq!(s.title, "Web shop");
    assert_eq!(s.description, "A shop with a database.");
    let people: Vec<&str> = s.participants.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(people, ["Sam Owner", "Pat", "Alex"]);
    assert_eq!(s.actors.len(), 1);
    assert_eq!(s.actors[0].name, "Browser");
    let kinds: Vec<(&str, &str)> = s
        .components
        .iter()
        .map(|c| (c.name.as_str(), c.kind.as_str()))
        .collect();
    assert_eq!(
        kinds,
        [
            ("Web app", "generic.process"),
            ("Orders", "generic.data-store")
        ]
    );
    assert_eq!(s.components[0].properties["privilegeLevel"], "limited");
    assert_eq!(
        s.components[0].properties.len(),
        1,
        "{:?}",
        s.components[0].properties
    );
    assert_eq!(s.components[1].properties["isALog"], "true");
    assert_eq!(
        s.components[1].out_of_scope.as_deref(),
        Some("Managed service")
    );
    let labels: Vec<(&str, &str)> = s
        .flows
        .iter()
        .map(|f| (f.label.as_str(), f.protocol.as_str()))
        .collect();
    assert_eq!(labels, [("Order", "HTTP"), ("Save order", "")]);
    assert_eq!(s.flows[0].properties["isPublicNetwork"], "true");
    assert_eq!(s.flows[0].properties["isEncrypted"], "false");
    assert_eq!(s.boundaries.len(), 1);
    assert_eq!(s.boundaries[0].name, "Unnamed trust boundary 1");
    let threats: Vec<(&str, Category, ThreatStatus, Option<Priority>)> = s
        .threats
        .iter()
        .map(|t| (t.title.as_str(), t.category, t.status, t.priority))
        .collect();
    assert_eq!(
        threats,
        [
            (
                "Session hijack",
                Category::Spoofing,
                ThreatStatus::Open,
                Some(Priority::High)
            ),
            (
                "Verbose errors",
                Category::InformationDisclosure,
                ThreatStatus::Mitigated,
                Some(Priority::Low)
            ),
        ]
    );
    assert_eq!(s.threats[0].target, Some(s.actors[0].id));
    assert_eq!(s.mitigations.len(), 2);
    assert_eq!(s.mitigations[1].status, MitigationStatus::Done);
    // v1 threats have no ids: nothing recorded for them.
    assert!(!s.foreign_ids["threat-dragon"].contains_key(&s.threats[0].id));
    assert_eq!(s.foreign_ids["threat-dragon"][&s.flows[0].id], "f1");
    let reported = reported_at(&imported);
    let cells = "detail.diagrams[0].diagramJson.cells";
    let expected: BTreeSet<String> = [
        cells.to_string(),
        format!("{cells}[5]"),
        format!("{cells}[5]"),
    ]
    .into_iter()
    .collect();
    assert_eq!(reported, expected, "{:#?}", imported.unmapped);
}

#[test]
fn broken_json_is_an_error_with_line_and_column() {
    let broken = "{\n  \"version\": \"2.3.0\",\n  \"detail\": {\"diagrams\": [,]}\n}";
    match interop::import(broken, None, "x", now()) {
        Err(ImportError::Syntax { line, column, .. }) => assert_eq!((line, column), (3, 27)),
        other => panic!("{other:?}"),
    }
    match interop::import(broken, Some(Format::ThreatDragon), "x", now()) {
        Err(ImportError::Syntax { line, column, .. }) => assert_eq!((line, column), (3, 27)),
        other => panic!("{other:?}"),
    }
    match interop::import("[1, 2]", Some(Format::ThreatDragon), "x", now()) {
        Err(ImportError::NotTheFormat(why)) => assert!(why.contains("object"), "{why}"),
        other => panic!("{other:?}"),
    }
    // Wrong shapes everywhere: warnings, no panic, a valid session.
    let odd = r#"{"version": 2, "summary": [], "detail": {"contributors": 3, "reviewer": 5,
        "diagrams": [7, {"cells": {"a": 1}}, {"cells": [1, {"shape": 4, "data": 5},
        {"shape": "actor", "data": {"name": ["x"], "threats": [3, {"number": -1, "title": 5,
        "severity": null, "status": {}}], "outOfScope": "yes"}, "position": {"x": 1e308, "y": "2"},
        "size": {"width": -5, "height": 10}},
        {"shape": "trust-boundary-box", "id": "b", "position": {"x": 0, "y": 0},
         "size": {"width": 1e300, "height": 1e300}, "data": {"name": "Big"}},
        {"shape": "process", "id": "p", "position": {"x": 5, "y": 5}, "size": {"width": 1, "height": 1}},
        {"shape": "flow", "id": "f", "source": {"cell": "p"}, "target": {"cell": "b"}, "data": {}},
        {"shape": "flow", "source": "p", "target": {"cell": ["p"]}}]}]}}"#;
    let imported = interop::import(odd, Some(Format::ThreatDragon), "odd", now()).unwrap();
    let s = valid(&imported.session);
    assert_eq!(s.title, "odd");
    assert_eq!((s.actors.len(), s.components.len()), (1, 1));
    assert_eq!(s.components[0].boundary, None, "a box too big is no box");
    assert!(s.flows.is_empty(), "a flow to a boundary is no flow");
    assert!(imported.unmapped.len() >= 10, "{:#?}", imported.unmapped);
}

// ------------------------------------------------------------- samples

/// What a cell is, worked out here from its shape (or, for a shape Threat
/// Dragon does not have, its type), independently of the importer.
fn class_of(cell: &Value) -> &'static str {
    let by_type = |t: Option<&str>| match t {
        Some("tm.Actor") => "actor",
        Some("tm.Process") => "process",
        Some("tm.Store") => "store",
        Some("tm.Flow") => "flow",
        Some("tm.Boundary") | Some("tm.BoundaryBox") => "boundary",
        Some("tm.Text") => "text",
        _ => "other",
    };
    match cell["shape"].as_str() {
        Some("actor") => "actor",
        Some("process") => "process",
        Some("store") => "store",
        Some("flow") => "flow",
        Some("trust-boundary-box" | "trust-boundary-curve") => "boundary",
        Some("td-text-block") => "text",
        Some(_) => by_type(cell["data"]["type"].as_str()),
        None => by_type(cell["type"].as_str()),
    }
}

/// The diagrams' cells, each with its path in the file.
fn cells_of(doc: &Value) -> Vec<(String, usize, &Value)> {
    let mut out = Vec::new();
    for (d, diagram) in doc["detail"]["diagrams"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
    {
        let (list, at) = if diagram.get("cells").is_some() {
            (&diagram["cells"], format!("detail.diagrams[{d}].cells"))
        } else {
            (
                &diagram["diagramJson"]["cells"],
                format!("detail.diagrams[{d}].diagramJson.cells"),
            )
        };
        for (i, cell) in list.as_array().into_iter().flatten().enumerate() {
            out.push((format!("{at}[{i}]"), d, cell));
        }
    }
    out
}

fn threats_in(cell: &Value) -> Vec<&Value> {
    let list = if cell.get("data").is_some() {
        &cell["data"]["threats"]
    } else {
        &cell["threats"]
    };
    list.as_array().into_iter().flatten().collect()
}

fn is_real_mitigation(threat: &Value) -> bool {
    threat["mitigation"]
        .as_str()
        .is_some_and(|m| !m.trim().is_empty() && m.trim() != MITIGATION_PLACEHOLDER)
}

/// Flows whose two ends are different actors, processes or stores of
/// their diagram, by cell path.
fn connected_flows(doc: &Value) -> BTreeSet<String> {
    let cells = cells_of(doc);
    let class: HashMap<(usize, String), &str> = cells
        .iter()
        .filter_map(|(_, d, c)| {
            c["id"]
                .as_str()
                .map(|id| ((*d, id.to_string()), class_of(c)))
        })
        .collect();
    let end = |v: &Value| {
        v.get("cell")
            .or_else(|| v.get("id"))
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    cells
        .iter()
        .filter(|(_, d, c)| {
            if class_of(c) != "flow" {
                return false;
            }
            let (Some(from), Some(to)) = (end(&c["source"]), end(&c["target"])) else {
                return false;
            };
            let node = |id: &String| {
                matches!(
                    class.get(&(*d, id.clone())),
                    Some(&"actor" | &"process" | &"store")
                )
            };
            from != to && node(&from) && node(&to)
        })
        .map(|(at, _, _)| at.clone())
        .collect()
}

#[test]
fn imports_of_the_samples_match_their_counts() {
    let Some(dir) = samples() else {
        return;
    };
    for path in sample_files(&dir) {
        let text = std::fs::read_to_string(&path).unwrap();
        let doc: Value = serde_json::from_str(&text).unwrap();
        let imported = import(&text);
        assert_eq!(imported.format, Format::ThreatDragon);
        let s = valid(&imported.session);
        let name = path.display();
        let cells = cells_of(&doc);
        let count = |class: &str| {
            cells
                .iter()
                .filter(|(_, _, c)| class_of(c) == class)
                .count()
        };
        let kind = |k: &str| s.components.iter().filter(|c| c.kind == k).count();
        assert_eq!(s.actors.len(), count("actor"), "{name} actors");
        assert_eq!(
            kind("generic.process"),
            count("process"),
            "{name} processes"
        );
        assert_eq!(kind("generic.data-store"), count("store"), "{name} stores");
        assert_eq!(s.boundaries.len(), count("boundary"), "{name} boundaries");
        assert_eq!(s.flows.len(), connected_flows(&doc).len(), "{name} flows");
        let threats: Vec<&Value> = cells.iter().flat_map(|(_, _, c)| threats_in(c)).collect();
        assert_eq!(s.threats.len(), threats.len(), "{name} threats");
        let mitigations = threats.iter().filter(|t| is_real_mitigation(t)).count();
        assert_eq!(s.mitigations.len(), mitigations, "{name} mitigations");
        assert_eq!(
            s.title,
            doc["summary"]["title"].as_str().unwrap(),
            "{name} title"
        );
        eprintln!(
            "{}: {}; {} not mapped",
            path.file_name().unwrap().to_string_lossy(),
            imported.summary(),
            imported.unmapped.len()
        );
        for u in &imported.unmapped {
            eprintln!("  {u}");
        }
    }
}

/// Every cell is either an element of the session (its id kept) or
/// reported as left out, and every odd value of a threat is reported.
fn nothing_goes_unreported(doc: &Value, imported: &interop::Imported, name: &str) {
    let s = &imported.session;
    let kept: BTreeSet<&str> = s
        .foreign_ids
        .get("threat-dragon")
        .map(|m| m.values().map(String::as_str).collect())
        .unwrap_or_default();
    let flows = connected_flows(doc);
    let reported = reported_at(imported);
    for (at, _, cell) in cells_of(doc) {
        let id = cell["id"].as_str().unwrap_or("");
        let class = class_of(cell);
        let mapped = match class {
            "actor" | "process" | "store" | "boundary" => true,
            "flow" => flows.contains(&at),
            _ => false,
        };
        if mapped {
            assert!(kept.contains(id), "{name}: {at} ({class}) has no element");
        } else {
            assert!(
                reported.contains(&at),
                "{name}: {at} ({class}) left out silently"
            );
        }
        if let Some(shape) = cell["shape"].as_str()
            && ![
                "actor",
                "process",
                "store",
                "flow",
                "trust-boundary-box",
                "trust-boundary-curve",
                "td-text-block",
            ]
            .contains(&shape)
        {
            assert!(
                reported.contains(&format!("{at}.shape")) || reported.contains(&at),
                "{name}: {at}: shape {shape} not reported"
            );
        }
        let threats_at = if cell.get("data").is_some() {
            format!("{at}.data.threats")
        } else {
            format!("{at}.threats")
        };
        for (j, t) in threats_in(cell).iter().enumerate() {
            let here = format!("{threats_at}[{j}]");
            // Read without a word: these values, in any letter case.
            let odd = |field: &str, known: &[&str]| {
                let value = t[field].as_str().unwrap_or("");
                if !known.iter().any(|k| k.eq_ignore_ascii_case(value)) {
                    assert!(
                        reported.contains(&format!("{here}.{field}")),
                        "{name}: {here}.{field} `{value}` not reported"
                    );
                }
            };
            odd("severity", &["High", "Medium", "Low"]);
            odd(
                "status",
                &[
                    "Open",
                    "Mitigated",
                    "NA",
                    "NotApplicable",
                    "Accepted",
                    "Transferred",
                ],
            );
            odd(
                "type",
                &[
                    "Spoofing",
                    "Tampering",
                    "Repudiation",
                    "Information disclosure",
                    "Denial of service",
                    "Elevation of privilege",
                ],
            );
            if t["mitigation"].as_str().map(str::trim) == Some(MITIGATION_PLACEHOLDER) {
                assert!(reported.contains(&format!("{here}.mitigation")));
            }
        }
    }
}

#[test]
fn nothing_in_the_samples_or_fixtures_goes_unreported() {
    for (name, text) in [("small-v2", FIXTURE_V2), ("small-v1", FIXTURE_V1)] {
        let doc: Value = serde_json::from_str(text).unwrap();
        nothing_goes_unreported(&doc, &import(text), name);
    }
    let Some(dir) = samples() else {
        return;
    };
    for path in sample_files(&dir) {
        let text = std::fs::read_to_string(&path).unwrap();
        let doc: Value = serde_json::from_str(&text).unwrap();
        nothing_goes_unreported(&doc, &import(&text), &path.display().to_string());
    }
}

// ---------------------------------------------------------- round trips

/// What a session says, by names rather than ids: elements by name and
/// type, flows by their ends, threats by what Threat Dragon holds.
fn by_names(s: &Session) -> BTreeMap<&'static str, Vec<String>> {
    let name = |id: Id| s.name(id).unwrap_or("?").to_string();
    let mut out: BTreeMap<&'static str, Vec<String>> = BTreeMap::new();
    let mut put = |k: &'static str, v: String| out.entry(k).or_default().push(v);
    for a in &s.actors {
        put(
            "actors",
            format!(
                "{} | {:?} | {:?} | {}",
                a.name, a.out_of_scope, a.properties, a.description
            ),
        );
    }
    for c in &s.components {
        put(
            "components",
            format!(
                "{} | {} | {:?} | {:?} | {} | in {:?}",
                c.name,
                c.kind,
                c.out_of_scope,
                c.properties,
                c.description,
                c.boundary.map(name)
            ),
        );
    }
    for b in &s.boundaries {
        put(
            "boundaries",
            format!(
                "{} | {:?} | {} | in {:?}",
                b.name,
                b.properties,
                b.description,
                b.parent.map(name)
            ),
        );
    }
    for f in &s.flows {
        put(
            "flows",
            format!(
                "{} -> {}: {} | {} | {:?} | {:?} | {}",
                name(f.from),
                name(f.to),
                f.label,
                f.protocol,
                f.out_of_scope,
                f.properties,
                f.description
            ),
        );
    }
    for t in &s.threats {
        let mitigations: Vec<(&str, MitigationStatus)> = s
            .mitigations_of(t.id)
            .map(|m| (m.text.as_str(), m.status))
            .collect();
        put(
            "threats",
            format!(
                "{} | {:?} | {:?} | {:?} | {} | {:?} | {:?} | on {:?}",
                t.title,
                t.category,
                t.status,
                t.priority,
                t.notes,
                t.properties,
                mitigations,
                t.target.map(name)
            ),
        );
    }
    for p in &s.participants {
        put("participants", format!("{} | {:?}", p.name, p.persona));
    }
    put("title", s.title.clone());
    put("description", s.description.clone());
    for list in out.values_mut() {
        list.sort();
    }
    out
}

fn through_threat_dragon(s: &Session) -> (Session, interop::Exported) {
    let exported = interop::export(s, Format::ThreatDragon);
    let back = valid(&import(&exported.text).session);
    (back, exported)
}

/// The threats of a Threat Dragon file by id, with what Threat Dragon
/// shows of them (its placeholders are no text).
fn td_threats(doc: &Value) -> BTreeMap<String, Value> {
    let mut out = BTreeMap::new();
    for (_, _, cell) in cells_of(doc) {
        for t in threats_in(cell) {
            let Some(id) = t["id"].as_str() else {
                continue;
            };
            let text = |k: &str, placeholder: &str| {
                let v = t[k].as_str().unwrap_or("");
                if v.trim() == placeholder { "" } else { v }.to_string()
            };
            // Two spellings of one status.
            let status = match t["status"].as_str() {
                Some("NA" | "N/A") => json!("NotApplicable"),
                _ => t["status"].clone(),
            };
            out.insert(
                id.to_string(),
                json!({
                    "title": t["title"], "type": t["type"], "status": status,
                    "severity": t["severity"], "score": t["score"].as_str().unwrap_or(""),
                    "description": text("description", DESCRIPTION_PLACEHOLDER),
                    "mitigation": text("mitigation", MITIGATION_PLACEHOLDER),
                    "modelType": t["modelType"].as_str().unwrap_or("STRIDE"),
                }),
            );
        }
    }
    out
}

fn round_trip_keeps_everything(text: &str, name: &str) {
    let first = valid(&import(text).session);
    let (second, exported) = through_threat_dragon(&first);
    assert_eq!(by_names(&second), by_names(&first), "{name}");
    // Threat Dragon's own ids are used again.
    let doc: Value = serde_json::from_str(text).unwrap();
    let back: Value = serde_json::from_str(&exported.text).unwrap();
    let (before, after) = (td_threats(&doc), td_threats(&back));
    for (id, threat) in &before {
        assert_eq!(after.get(id), Some(threat), "{name}: threat {id}");
    }
    let cell_ids = |d: &Value| -> BTreeSet<String> {
        cells_of(d)
            .iter()
            .filter(|(_, _, c)| matches!(class_of(c), "actor" | "process" | "store" | "boundary"))
            .filter_map(|(_, _, c)| c["id"].as_str().map(str::to_string))
            .collect()
    };
    assert!(
        cell_ids(&doc).is_subset(&cell_ids(&back)),
        "{name}: cell ids kept"
    );
    // And a second export is the first.
    assert_eq!(
        interop::export(&second, Format::ThreatDragon).text,
        exported.text,
        "{name}: a second round"
    );
}

#[test]
fn a_round_trip_through_stridekit_keeps_the_fixtures_and_samples() {
    round_trip_keeps_everything(FIXTURE_V2, "small-v2");
    round_trip_keeps_everything(FIXTURE_V1, "small-v1");
    let Some(dir) = samples() else {
        return;
    };
    for path in sample_files(&dir) {
        let text = std::fs::read_to_string(&path).unwrap();
        round_trip_keeps_everything(&text, &path.display().to_string());
    }
}

#[test]
fn a_session_read_back_from_its_export_keeps_what_threat_dragon_holds() {
    let demo = demo();
    let first = interop::export(&demo, Format::ThreatDragon);
    assert_eq!(
        first,
        interop::export(&demo, Format::ThreatDragon),
        "stable"
    );
    let (back, _) = through_threat_dragon(&demo);
    let names = |s: &Session| -> Vec<(String, bool)> {
        s.components
            .iter()
            .map(|c| (c.name.clone(), c.kind == "generic.data-store"))
            .collect()
    };
    let stores = ["aws.dynamodb", "aws.s3", "aws.secrets", "aws.cloudtrail"];
    let expected: Vec<(String, bool)> = demo
        .components
        .iter()
        .map(|c| (c.name.clone(), stores.contains(&c.kind.as_str())))
        .collect();
    assert_eq!(names(&back), expected);
    let actors = |s: &Session| s.actors.iter().map(|a| a.name.clone()).collect::<Vec<_>>();
    assert_eq!(actors(&back), actors(&demo));
    let boundaries = |s: &Session| {
        s.boundaries
            .iter()
            .map(|b| {
                (
                    b.name.clone(),
                    b.parent.and_then(|p| s.name(p)).map(str::to_string),
                )
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(
        boundaries(&back),
        boundaries(&demo),
        "nesting from the layout"
    );
    let placed = |s: &Session| {
        s.components
            .iter()
            .map(|c| c.boundary.and_then(|b| s.name(b)).map(str::to_string))
            .collect::<Vec<_>>()
    };
    assert_eq!(placed(&back), placed(&demo), "containment from the layout");
    let flows = |s: &Session| {
        s.flows
            .iter()
            .map(|f| {
                (
                    s.name(f.from).unwrap().to_string(),
                    s.name(f.to).unwrap().to_string(),
                    f.label.clone(),
                    f.protocol.clone(),
                )
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(flows(&back), flows(&demo));
    assert_eq!(back.threats.len(), demo.threats.len());
    for a in &demo.threats {
        let b = back.threat(a.id).expect("numbers kept");
        assert_eq!(
            (&a.title, a.category, &a.notes),
            (&b.title, b.category, &b.notes)
        );
        let status = match a.status {
            ThreatStatus::Mitigating => ThreatStatus::Open,
            s => s,
        };
        assert_eq!(status, b.status, "{}", a.id);
        assert_eq!(a.priority, b.priority);
        assert_eq!(
            a.target.and_then(|t| demo.name(t)),
            b.target.and_then(|t| back.name(t))
        );
        let texts = |s: &Session, id: Id| {
            s.mitigations_of(id)
                .map(|m| m.text.clone())
                .collect::<Vec<_>>()
                .join("\n\n")
        };
        assert_eq!(texts(&demo, a.id), texts(&back, b.id));
    }
    assert_eq!(
        back.facilitator
            .and_then(|f| back.participant(f))
            .map(|p| &p.name),
        demo.facilitator
            .and_then(|f| demo.participant(f))
            .map(|p| &p.name)
    );
    assert!(
        first.notes.iter().any(|n| n.contains("assets")),
        "{:?}",
        first.notes
    );
}

// ---------------------------------------------------------------- export

fn validator(dir: &Path) -> jsonschema::Validator {
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("threat-dragon-v2.schema.json")).unwrap(),
    )
    .unwrap();
    jsonschema::validator_for(&schema).expect("the schema compiles")
}

fn assert_schema_valid(validator: &jsonschema::Validator, text: &str, what: &str) {
    let doc: Value = serde_json::from_str(text).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&doc)
        .take(10)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{what}:\n{}", errors.join("\n"));
}

fn generated(seed: u64) -> Session {
    stridekit::core::synth::session(12, 60, seed, &CATALOGS)
}

#[test]
fn exports_are_valid_against_threat_dragons_schema() {
    let Some(dir) = samples() else {
        return;
    };
    let validator = validator(&dir);
    let demo = demo();
    assert_schema_valid(
        &validator,
        &interop::export(&demo, Format::ThreatDragon).text,
        "the demo",
    );
    for seed in 0..3 {
        assert_schema_valid(
            &validator,
            &interop::export(&generated(seed), Format::ThreatDragon).text,
            &format!("generated session {seed}"),
        );
    }
    let mut files: Vec<(String, String)> = vec![
        ("small-v2".into(), FIXTURE_V2.into()),
        ("small-v1".into(), FIXTURE_V1.into()),
    ];
    for path in sample_files(&dir) {
        files.push((
            path.display().to_string(),
            std::fs::read_to_string(&path).unwrap(),
        ));
    }
    for (name, text) in files {
        let s = valid(&import(&text).session);
        assert_schema_valid(
            &validator,
            &interop::export(&s, Format::ThreatDragon).text,
            &name,
        );
    }
}

/// A drawn cell: shape, x, y, width, height.
type Drawn = (String, f64, f64, f64, f64);

/// Cells of an export by id.
fn boxes_of(doc: &Value) -> HashMap<String, Drawn> {
    cells_of(doc)
        .iter()
        .filter(|(_, _, c)| c.get("position").is_some())
        .map(|(_, _, c)| {
            let n = |v: &Value| v.as_f64().unwrap();
            (
                c["id"].as_str().unwrap().to_string(),
                (
                    c["shape"].as_str().unwrap().to_string(),
                    n(&c["position"]["x"]),
                    n(&c["position"]["y"]),
                    n(&c["size"]["width"]),
                    n(&c["size"]["height"]),
                ),
            )
        })
        .collect()
}

#[test]
fn the_export_lays_the_diagram_out_readably() {
    for session in [demo(), generated(1), generated(2)] {
        let exported = interop::export(&session, Format::ThreatDragon);
        let doc: Value = serde_json::from_str(&exported.text).unwrap();
        let cells = boxes_of(&doc);
        let inside = |inner: &str, outer: &str| {
            let (_, x, y, w, h) = &cells[inner];
            let (_, ox, oy, ow, oh) = &cells[outer];
            x >= ox && y >= oy && x + w <= ox + ow && y + h <= oy + oh
        };
        // Nodes never overlap one another.
        let nodes: Vec<(&String, &Drawn)> = cells
            .iter()
            .filter(|(_, c)| c.0 != "trust-boundary-box")
            .collect();
        for (i, (a, ca)) in nodes.iter().enumerate() {
            for (b, cb) in &nodes[i + 1..] {
                let apart = ca.1 + ca.3 <= cb.1
                    || cb.1 + cb.3 <= ca.1
                    || ca.2 + ca.4 <= cb.2
                    || cb.2 + cb.4 <= ca.2;
                assert!(apart, "{a} and {b} overlap");
            }
        }
        // Through the ids the export gave, read back from the file.
        let back = valid(&import(&exported.text).session);
        let ids = &back.foreign_ids["threat-dragon"];
        let cell = |id: Id| ids[&id].as_str();
        for c in &back.components {
            for b in &back.boundaries {
                let holds = inside(cell(c.id), cell(b.id));
                // In its boundary and its ancestors' boxes only.
                let mut chain = Vec::new();
                let mut at = c.boundary;
                while let Some(x) = at {
                    chain.push(x);
                    at = back.boundary(x).and_then(|y| y.parent);
                }
                assert_eq!(holds, chain.contains(&b.id), "{} in {}", c.name, b.name);
            }
        }
        for b in &back.boundaries {
            if let Some(p) = b.parent {
                assert!(inside(cell(b.id), cell(p)), "{} in its parent", b.name);
            }
        }
        // Actors on the left of every box.
        let left = back
            .boundaries
            .iter()
            .map(|b| cells[cell(b.id)].1)
            .fold(f64::INFINITY, f64::min);
        for a in &back.actors {
            let (_, x, _, w, _) = &cells[cell(a.id)];
            assert!(x + w < left, "{} on the left", a.name);
        }
        // The same elements as the session (a component of an external
        // entity kind is drawn as an actor, and comes back as one).
        let entities = session
            .components
            .iter()
            .filter(|c| c.kind.ends_with(".external-entity"))
            .count();
        assert_eq!(back.components.len(), session.components.len() - entities);
        assert_eq!(back.actors.len(), session.actors.len() + entities);
        assert_eq!(back.boundaries.len(), session.boundaries.len());
        assert_eq!(back.flows.len(), session.flows.len());
        assert_eq!(back.threats.len(), session.threats.len());
    }
}

#[test]
fn threats_without_a_target_and_lossy_fields_are_said() {
    let s = generated(0);
    let loose = s.threats.iter().filter(|t| t.target.is_none()).count();
    assert!(loose > 0, "the generator makes some");
    let (back, exported) = through_threat_dragon(&s);
    assert_eq!(
        back.threats.iter().filter(|t| t.target.is_none()).count(),
        loose
    );
    assert!(
        exported
            .notes
            .iter()
            .any(|n| n.contains("without a target")),
        "{:?}",
        exported.notes
    );
    assert!(exported.notes.iter().any(|n| n.contains("likelihood")));
}

// ------------------------------------------------------------ proptest

/// Keys and strings a Threat Dragon file has, so arbitrary JSON reaches
/// the importer's corners.
const WORDS: &[&str] = &[
    "version",
    "summary",
    "detail",
    "diagrams",
    "cells",
    "diagramJson",
    "shape",
    "data",
    "type",
    "name",
    "id",
    "source",
    "target",
    "cell",
    "position",
    "size",
    "x",
    "y",
    "width",
    "height",
    "threats",
    "status",
    "severity",
    "number",
    "title",
    "mitigation",
    "description",
    "modelType",
    "outOfScope",
    "reasonOutOfScope",
    "actor",
    "process",
    "store",
    "flow",
    "trust-boundary-box",
    "trust-boundary-curve",
    "td-text-block",
    "tm.Actor",
    "tm.Process",
    "tm.Store",
    "tm.Flow",
    "tm.Boundary",
    "tm.BoundaryBox",
    "Open",
    "Mitigated",
    "NA",
    "High",
    "TBA",
    "Spoofing",
    "Linkability",
    "owner",
    "reviewer",
    "contributors",
    "protocol",
    "a",
    "b",
    "",
];

fn arbitrary_json() -> impl proptest::strategy::Strategy<Value = Value> {
    common::arbitrary_json(WORDS, WORDS)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn arbitrary_json_never_panics(cells in proptest::collection::vec(arbitrary_json(), 0..6),
                                   top in arbitrary_json(), v1 in any::<bool>()) {
        let diagram = if v1 {
            json!({"diagramJson": {"cells": cells}})
        } else {
            json!({"cells": cells})
        };
        let doc = json!({"version": "2.3.0", "summary": top, "detail": {"diagrams": [diagram]}});
        for text in [doc.to_string(), top.to_string()] {
            for format in [None, Some(Format::ThreatDragon)] {
                if let Ok(imported) = interop::import(&text, format, "prop", now()) {
                    let s = valid(&imported.session);
                    let exported = interop::export(&s, Format::ThreatDragon);
                    let again = import(&exported.text);
                    valid(&again.session);
                }
            }
        }
    }
}
