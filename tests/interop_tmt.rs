//! Microsoft Threat Modeling Tool import (issue 10): the small `.tm7`
//! fixture written for these tests always runs; the real models in
//! `../shared/samples/ms-tmt` run where that folder exists (a user's clone
//! has none: the tests say so and pass). Expected counts are worked out
//! from the XML here, with roxmltree directly, not by the importer.

mod common;

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::LazyLock;
use std::time::{Duration, Instant};

use proptest::prelude::*;
use stridekit::core::catalog::Catalogs;
use stridekit::core::ids::Id;
use stridekit::core::interop::{self, Format, ImportError};
use stridekit::core::model::{MitigationStatus, Persona, Priority, Session, ThreatStatus};
use stridekit::core::store;
use stridekit::core::stride::Category;
use stridekit::core::time::Timestamp;

const FIXTURE: &str = include_str!("fixtures/interop/small.tm7");

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

fn samples() -> Option<PathBuf> {
    common::samples("ms-tmt")
}

fn sample_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "tm7"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no models in {}", dir.display());
    files
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

fn foreign(s: &Session, id: Id) -> Option<&str> {
    s.foreign_ids
        .get("tmt")
        .and_then(|m| m.get(&id))
        .map(String::as_str)
}

#[test]
fn the_fixture_maps_every_field_and_reports_the_rest() {
    let imported = import(FIXTURE);
    assert_eq!(imported.format, Format::Tmt);
    let s = valid(&imported.session);
    assert_eq!(s.title, "Fixture shop");
    assert_eq!(s.description, "A small web shop.");
    assert!(
        s.architecture
            .contains("Threat Modeling Tool diagram \"Shop context\"")
            && s.architecture
                .contains("Note 1 (ada, 2024-01-02T03:04:05): Level 0 DFD"),
        "{}",
        s.architecture
    );
    let people: Vec<(&str, Option<Persona>)> = s
        .participants
        .iter()
        .map(|p| (p.name.as_str(), p.persona))
        .collect();
    assert_eq!(
        people,
        [
            ("Ada", None),
            ("Grace", Some(Persona::Appsec)),
            ("Linus", None)
        ]
    );
    assert_eq!(s.facilitator, Some(s.participants[0].id));
    let assumptions: Vec<&str> = s.assumptions.iter().map(|a| a.text.as_str()).collect();
    assert_eq!(
        assumptions,
        ["The network is hostile", "Admins are trusted"]
    );

    // Stencils.
    let names: Vec<&str> = s.components.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["Web & API", "Unnamed data store 1"]);
    let web = &s.components[0];
    assert_eq!(web.kind, "generic.process");
    assert_eq!(web.out_of_scope, None);
    assert_eq!(web.properties["Hosting"], "Azure");
    assert_eq!(web.properties["Sanitizes Input"], "true");
    assert!(
        !web.properties.contains_key("Out Of Scope"),
        "read as the mark"
    );
    assert_eq!(web.properties["tmt.type"], "Web Application");
    assert_eq!(web.properties["tmt.type-id"], "SE.P.TMCore.WebApp");
    assert!(!web.properties.contains_key("Language"));
    assert!(!web.properties.contains_key("Name"));
    assert_eq!(
        foreign(&s, web.id),
        Some("e0000000-0000-4000-8000-000000000001")
    );
    let store_c = &s.components[1];
    assert_eq!(store_c.kind, "generic.data-store");
    assert_eq!(store_c.out_of_scope.as_deref(), Some("Run by the vendor"));
    assert_eq!(store_c.properties["tmt.type"], "Database");
    assert_eq!(s.actors.len(), 1);
    assert_eq!(s.actors[0].name, "Shopper");

    // Boundaries: boxes hold what is drawn inside them, the innermost wins.
    let boundaries: Vec<(&str, Option<Id>)> = s
        .boundaries
        .iter()
        .map(|b| (b.name.as_str(), b.parent))
        .collect();
    let corp = by_name(&s, "Corporate network");
    assert_eq!(
        boundaries,
        [
            ("Corporate network", None),
            ("Database zone", Some(corp)),
            ("Nowhere box", None),
            ("Internet edge", None),
        ]
    );
    assert_eq!(web.boundary, Some(corp));
    assert_eq!(store_c.boundary, Some(by_name(&s, "Database zone")));

    // Connectors.
    let flows: Vec<(&str, Id, Id)> = s
        .flows
        .iter()
        .map(|f| (f.label.as_str(), f.from, f.to))
        .collect();
    assert_eq!(
        flows,
        [
            ("Orders (HTTPS)", s.actors[0].id, web.id),
            ("SQL", web.id, store_c.id)
        ]
    );
    assert_eq!(s.flows[0].properties["Dataflow Order"], "1");
    assert_eq!(s.flows[0].properties["tmt.type-id"], "SE.DF.TMCore.Request");

    // Threats: ids kept where free, in the file's order.
    let ids: Vec<String> = s.threats.iter().map(|t| t.id.to_string()).collect();
    assert_eq!(ids, ["T7", "T8", "T9"]);
    let t7 = &s.threats[0];
    assert_eq!(t7.title, "Spoofing the shopper");
    assert_eq!(t7.category, Category::Spoofing);
    assert_eq!(t7.status, ThreatStatus::Mitigated);
    assert_eq!(t7.priority, Some(Priority::High));
    assert_eq!(t7.target, Some(s.flows[0].id));
    assert_eq!(t7.notes, "Someone may pose as the shopper.");
    assert_eq!(t7.properties["SDLPhase"], "Design");
    assert_eq!(t7.properties["tmt.threat-type"], "TH1");
    assert!(!t7.properties.contains_key("tmt.state"));
    assert!(!t7.properties.contains_key("tmt.priority"));
    assert_eq!(foreign(&s, t7.id), Some("7"));
    let t8 = &s.threats[1];
    assert_eq!(t8.title, "Coupon abuse");
    assert_eq!(t8.category, Category::ElevationOfPrivilege, "A: Abuse");
    assert_eq!(t8.properties["tmt.category"], "Abuse");
    assert_eq!(t8.status, ThreatStatus::NotApplicable);
    assert_eq!(t8.status_reason, "Coupons are not offered.");
    assert_eq!(t8.priority, Some(Priority::High));
    assert_eq!(t8.properties["tmt.priority"], "highest");
    assert_eq!(
        t8.properties["Severity"], "Medium",
        "labelled by the template"
    );
    assert_eq!(t8.target, Some(s.flows[1].id));
    let t9 = &s.threats[2];
    assert_eq!(t9.title, "Odd one");
    assert_eq!(t9.status, ThreatStatus::Open);
    assert_eq!(t9.properties["tmt.state"], "NeedsInvestigation");
    assert_eq!(t9.priority, None);
    assert_eq!(t9.properties["tmt.priority"], "Urgent");
    assert_eq!(t9.category, Category::Tampering);
    assert_eq!(t9.properties["tmt.category"], "Lateral Movement");
    assert_eq!(t9.target, None);
    assert_eq!(foreign(&s, t9.id), Some("7"));

    // Possible mitigations: one mitigation each, done when mitigated.
    let mitigations: Vec<(&str, &[Id], MitigationStatus)> = s
        .mitigations
        .iter()
        .map(|m| (m.text.as_str(), m.threats.as_slice(), m.status))
        .collect();
    assert_eq!(
        mitigations,
        [
            (
                "Use strong authentication.",
                &[t7.id][..],
                MitigationStatus::Done
            ),
            (
                "Limit one coupon per order.",
                &[t8.id][..],
                MitigationStatus::Proposed
            ),
        ]
    );

    // The rest is reported, each where it is.
    let d = "DrawingSurfaceList[0]";
    let expect = [
        (
            format!("{d}.Borders[0].Properties[5]"),
            "selected index `9`",
        ),
        (
            format!("{d}.Borders[2]"),
            "no name; named \"Unnamed data store 1\"",
        ),
        (
            format!("{d}.Borders[5]"),
            "without a usable position and size",
        ),
        (
            format!("{d}.Borders[6]"),
            "free-text annotation (`Remember the CDN`)",
        ),
        (format!("{d}.Borders[7]"), "unknown element type `GE.X`"),
        (format!("{d}.Lines[2]"), "TargetGuid is not attached"),
        (format!("{d}.Lines[3]"), "trust boundary line"),
        (d.to_string(), "positions, sizes"),
        (
            "ThreatInstances[1].Priority".to_string(),
            "`highest` is read as high",
        ),
        (
            "ThreatInstances[1].UserThreatCategory".to_string(),
            "nearest, Elevation of privilege",
        ),
        (
            "ThreatInstances[2].State".to_string(),
            "`NeedsInvestigation` is read as open",
        ),
        (
            "ThreatInstances[2].Priority".to_string(),
            "unknown priority `Urgent`",
        ),
        (
            "ThreatInstances[2].UserThreatCategory".to_string(),
            "`Lateral Movement` is not one",
        ),
        (
            "ThreatInstances[2].FlowGuid".to_string(),
            "not an imported data flow",
        ),
        ("ThreatInstances[2].Id".to_string(), "id 7 cannot be kept"),
        ("ThreatInstances".to_string(), "who changed each threat"),
        ("KnowledgeBase".to_string(), "\"Fixture Template\" 1.0"),
        ("MetaInformation.ExternalDependencies".to_string(), "`None`"),
        (
            "MetaInformation.Contributors".to_string(),
            "Ada is already a participant",
        ),
    ];
    for (at, what) in &expect {
        let found = what_at(&imported, at);
        assert!(
            found.iter().any(|w| w.contains(what)),
            "{at}: wanted `{what}`, got {found:?}\nall: {:#?}",
            imported.unmapped
        );
    }
    // Nothing else: every note is one of those.
    let known: BTreeSet<&str> = expect.iter().map(|(at, _)| at.as_str()).collect();
    let other: Vec<String> = imported
        .unmapped
        .iter()
        .filter(|u| !known.contains(u.at.as_str()))
        .map(|u| u.to_string())
        .collect();
    assert!(other.is_empty(), "unexpected notes: {other:#?}");
    assert!(
        imported.summary().contains("3 threats"),
        "{}",
        imported.summary()
    );
}

#[test]
fn xml_is_detected_without_from_and_read_with_it() {
    assert_eq!(interop::detect(FIXTURE), Some(Format::Tmt));
    let with_bom = format!("\u{feff}<?xml version=\"1.0\" encoding=\"utf-8\"?>\n{FIXTURE}");
    assert_eq!(interop::detect(&with_bom), Some(Format::Tmt));
    assert_eq!(import(&with_bom).session.threats.len(), 3);
    let named = interop::import(FIXTURE, Some(Format::Tmt), "x", now()).unwrap();
    assert_eq!(named.session.components.len(), 2);
    assert_eq!(Format::parse("tmt"), Some(Format::Tmt));
    assert_eq!(Format::Tmt.name(), "Threat Modeling Tool");
    assert_eq!(Format::Tmt.extension(), "tm7");
    // Other XML is not a model; other tools' files are not XML.
    let other = "<KnowledgeBase><Manifest/></KnowledgeBase>";
    assert_eq!(interop::detect(other), None);
    assert!(matches!(
        interop::import(other, None, "x", now()),
        Err(ImportError::NotTheFormat(_))
    ));
    assert!(matches!(
        interop::import(other, Some(Format::Tmt), "x", now()),
        Err(ImportError::NotTheFormat(m)) if m.contains("<KnowledgeBase>")
    ));
    assert!(matches!(
        interop::import("{\"a\": 1}", Some(Format::Tmt), "x", now()),
        Err(ImportError::Syntax {
            line: 1,
            column: 1,
            ..
        })
    ));
    // An empty model: the file's name is the title.
    let empty = interop::import("<ThreatModel/>", None, "payments", now()).unwrap();
    assert_eq!(empty.session.title, "payments");
    assert_eq!(empty.summary(), "nothing");
    valid(&empty.session);
}

#[test]
fn broken_xml_gives_its_line_and_column() {
    let text = "<ThreatModel>\n  <Notes>\n    <Note></Nope>\n</ThreatModel>";
    for format in [None, Some(Format::Tmt)] {
        match interop::import(text, format, "x", now()) {
            Err(ImportError::Syntax {
                line,
                column,
                message,
            }) => {
                assert_eq!((line, column), (3, 11), "{message}");
                assert!(message.contains("Nope"), "{message}");
            }
            other => panic!("{other:?}"),
        }
    }
    // A file cut short.
    let cut = &FIXTURE[..FIXTURE.len() / 2];
    match interop::import(cut, None, "x", now()) {
        Err(ImportError::Syntax { line, column, .. }) => assert!(line >= 1 && column >= 1),
        other => panic!("{other:?}"),
    }
}

#[test]
fn an_encoding_other_than_utf8_is_refused() {
    let text = "<?xml version=\"1.0\" encoding=\"utf-16\"?><ThreatModel/>";
    match interop::import(text, None, "x", now()) {
        Err(ImportError::NotTheFormat(m)) => assert!(m.contains("utf-16"), "{m}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn an_entity_bomb_is_refused_quickly() {
    let mut bomb = String::from("<?xml version=\"1.0\"?>\n<!DOCTYPE ThreatModel [\n");
    bomb.push_str("<!ENTITY l0 \"laugh\">\n");
    for i in 1..10 {
        let prev = format!("&l{};", i - 1);
        bomb.push_str(&format!("<!ENTITY l{i} \"{}\">\n", prev.repeat(10)));
    }
    bomb.push_str(
        "]>\n<ThreatModel><Notes><Note><Message>&l9;</Message></Note></Notes></ThreatModel>",
    );
    let start = Instant::now();
    for format in [None, Some(Format::Tmt)] {
        match interop::import(&bomb, format, "x", now()) {
            Err(ImportError::Syntax { message, .. }) => {
                assert!(message.contains("DTD"), "{message}")
            }
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(interop::detect(&bomb), None);
    assert!(
        start.elapsed() < Duration::from_secs(1),
        "{:?}",
        start.elapsed()
    );
}

#[test]
fn tmt_is_import_only() {
    use stridekit::core::export;
    assert!(!Format::Tmt.writes());
    assert!(
        !export::Format::ALL.contains(&export::Format::Interop(Format::Tmt)),
        "never offered as an export"
    );
    for f in export::Format::ALL {
        if let export::Format::Interop(f) = f {
            assert!(f.writes(), "{f:?}");
        }
    }
    let session = import(FIXTURE).session;
    let exported = interop::export(&session, Format::Tmt);
    assert!(exported.text.is_empty());
    assert_eq!(exported.notes.len(), 1);
    assert!(
        exported.notes[0].contains("does not write"),
        "{:?}",
        exported.notes
    );
}

// ---------------------------------------------------------------- samples

fn local(n: roxmltree::Node<'_, '_>) -> String {
    n.tag_name().name().to_string()
}

fn kid<'a, 'i>(n: roxmltree::Node<'a, 'i>, name: &str) -> Option<roxmltree::Node<'a, 'i>> {
    n.children().find(|c| c.is_element() && local(*c) == name)
}

fn kid_text(n: roxmltree::Node<'_, '_>, name: &str) -> String {
    kid(n, name)
        .and_then(|c| c.text())
        .unwrap_or("")
        .trim()
        .to_string()
}

/// What the test itself makes of a stencil: its SDL generic type, or for
/// a custom template's type, its drawn shape.
fn sdl_kind(v: roxmltree::Node<'_, '_>) -> &'static str {
    let generic = kid_text(v, "GenericTypeId");
    let shape = v
        .attributes()
        .find(|a| a.name() == "type")
        .map(|a| a.value().to_string())
        .unwrap_or_default();
    match generic.as_str() {
        "GE.P" => "process",
        "GE.EI" => "interactor",
        "GE.DS" => "store",
        "GE.DF" => "connector",
        "GE.TB.B" => "box",
        "GE.TB.L" => "line",
        "GE.A" => "annotation",
        g if g.starts_with("GE.") => "unknown",
        _ => match shape.as_str() {
            "StencilEllipse" => "process",
            "StencilRectangle" => "interactor",
            "StencilParallelLines" => "store",
            "Connector" => "connector",
            "BorderBoundary" => "box",
            "LineBoundary" => "line",
            _ => "unknown",
        },
    }
}

#[derive(Debug, Default, PartialEq, Eq)]
struct Counts {
    processes: usize,
    interactors: usize,
    stores: usize,
    connectors: usize,
    boxes: usize,
    lines: usize,
    threats: usize,
}

/// The counts the README gives, by file.
fn readme_counts(file: &str) -> Option<Counts> {
    Some(match file {
        "MTMT_example.tm7" => Counts {
            processes: 1,
            interactors: 1,
            stores: 2,
            connectors: 6,
            boxes: 2,
            lines: 0,
            threats: 43,
        },
        "test_model.tm7" => Counts {
            processes: 1,
            interactors: 4,
            stores: 0,
            connectors: 8,
            boxes: 4,
            lines: 0,
            threats: 10,
        },
        _ => return None,
    })
}

#[test]
fn every_sample_imports_with_the_counts_of_its_xml() {
    let Some(dir) = samples() else {
        return;
    };
    for path in sample_files(&dir) {
        let file = path.file_name().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&path).unwrap();
        let doc = roxmltree::Document::parse(&text).unwrap();
        let root = doc.root_element();

        // Counted from the XML: stencils by kind, connectors whose both
        // ends are distinct stencils that are imported, threats.
        let mut want = Counts::default();
        let mut kinds: HashMap<String, &str> = HashMap::new();
        let mut items = Vec::new();
        for (d, surface) in kid(root, "DrawingSurfaceList")
            .unwrap()
            .children()
            .filter(|c| c.is_element())
            .enumerate()
        {
            for part in ["Borders", "Lines"] {
                let Some(list) = kid(surface, part) else {
                    continue;
                };
                for (i, entry) in list.children().filter(|c| c.is_element()).enumerate() {
                    let v = kid(entry, "Value").unwrap();
                    let kind = sdl_kind(v);
                    kinds.insert(kid_text(v, "Guid"), kind);
                    items.push((format!("DrawingSurfaceList[{d}].{part}[{i}]"), v, kind));
                }
            }
        }
        for (_, v, kind) in &items {
            match *kind {
                "process" => want.processes += 1,
                "interactor" => want.interactors += 1,
                "store" => want.stores += 1,
                "box" => want.boxes += 1,
                "line" => want.lines += 1,
                "connector" => {
                    let (from, to) = (kid_text(*v, "SourceGuid"), kid_text(*v, "TargetGuid"));
                    let end = |g: &str| {
                        matches!(
                            kinds.get(g).copied(),
                            Some("process" | "interactor" | "store")
                        )
                    };
                    if end(&from) && end(&to) && from != to {
                        want.connectors += 1;
                    }
                }
                _ => {}
            }
        }
        let threat_list = kid(root, "ThreatInstances").unwrap();
        want.threats = threat_list.children().filter(|c| c.is_element()).count();

        let imported =
            interop::import(&text, None, "sample", now()).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(imported.format, Format::Tmt, "{file}");
        let s = valid(&imported.session);
        let kind_count = |k: &str| s.components.iter().filter(|c| c.kind == k).count();
        let got = Counts {
            processes: kind_count("generic.process"),
            interactors: s.actors.len(),
            stores: kind_count("generic.data-store"),
            connectors: s.flows.len(),
            boxes: s
                .boundaries
                .iter()
                .filter(|b| {
                    let id = b.id;
                    items.iter().any(|(_, v, k)| {
                        *k == "box" && foreign(&s, id) == Some(kid_text(*v, "Guid").as_str())
                    })
                })
                .count(),
            lines: s.boundaries.len() - items.iter().filter(|(_, _, k)| *k == "box").count(),
            threats: s.threats.len(),
        };
        assert_eq!(got, want, "{file}: imported vs counted from the XML");
        if let Some(stated) = readme_counts(&file) {
            assert_eq!(got, stated, "{file}: imported vs the samples' README");
        }
        if file == "SDL_all_components.tm7" {
            let stencils = want.processes + want.interactors + want.stores;
            assert_eq!(
                stencils + items.iter().filter(|(_, _, k)| *k == "annotation").count(),
                25,
                "{file}: the README's 25 stencils"
            );
            assert_eq!(want.boxes, 2);
            assert_eq!(want.threats, 0);
        }

        // Every stencil and connector is mapped (its GUID is a foreign id)
        // or reported where it is.
        let known: HashSet<&str> = s
            .foreign_ids
            .get("tmt")
            .map(|m| m.values().map(String::as_str).collect())
            .unwrap_or_default();
        let reported: HashSet<&str> = imported.unmapped.iter().map(|u| u.at.as_str()).collect();
        for (at, v, kind) in &items {
            let guid = kid_text(*v, "Guid");
            assert!(
                known.contains(guid.as_str()) || reported.contains(at.as_str()),
                "{file}: {at} ({kind}) neither mapped nor reported"
            );
        }
        // Every threat on an imported connector targets its flow.
        let flow_ids: HashMap<&str, Id> = s
            .flows
            .iter()
            .filter_map(|f| foreign(&s, f.id).map(|g| (g, f.id)))
            .collect();
        for (i, entry) in threat_list
            .children()
            .filter(|c| c.is_element())
            .enumerate()
        {
            let v = kid(entry, "Value").unwrap();
            let flow = kid_text(v, "FlowGuid");
            let threat = &s.threats[i];
            assert_eq!(
                threat.target,
                flow_ids.get(flow.as_str()).copied(),
                "{file}: threat {i}"
            );
            assert_eq!(foreign(&s, threat.id), Some(kid_text(v, "Id").as_str()));
        }
        eprintln!(
            "{file}: {:?}; {} unmapped: {:#?}",
            got,
            imported.unmapped.len(),
            imported
                .unmapped
                .iter()
                .map(|u| u.to_string())
                .collect::<Vec<_>>()
        );
    }
}

// ---------------------------------------------------------------- proptest

const TAGS: [&str; 30] = [
    "ThreatModel",
    "DrawingSurfaceList",
    "DrawingSurfaceModel",
    "Borders",
    "Lines",
    "KeyValueOfguidanyType",
    "Key",
    "Value",
    "GenericTypeId",
    "Guid",
    "TypeId",
    "Properties",
    "anyType",
    "DisplayName",
    "SelectedIndex",
    "string",
    "Left",
    "Top",
    "Width",
    "Height",
    "SourceGuid",
    "TargetGuid",
    "ThreatInstances",
    "State",
    "Priority",
    "FlowGuid",
    "Id",
    "MetaInformation",
    "KnowledgeBase",
    "ElementType",
];

const TEXTS: [&str; 22] = [
    "",
    "GE.P",
    "GE.EI",
    "GE.DS",
    "GE.DF",
    "GE.TB.B",
    "GE.TB.L",
    "GE.A",
    "g1",
    "g2",
    "Name",
    "Out Of Scope",
    "true",
    "NaN",
    "1e400",
    "-5",
    "0",
    "99999999999999999999",
    "highest",
    "NotApplicable",
    "A",
    "&amp;&lt;",
];

const TYPES: [&str; 8] = [
    "StencilEllipse",
    "StencilRectangle",
    "StencilParallelLines",
    "BorderBoundary",
    "LineBoundary",
    "Connector",
    "b:ListDisplayAttribute",
    "b:StringDisplayAttribute",
];

fn element() -> impl Strategy<Value = String> {
    let leaf = (
        0..TAGS.len(),
        0..TEXTS.len(),
        proptest::option::of(0..TYPES.len()),
    )
        .prop_map(|(t, x, ty)| {
            let attr = ty.map_or(String::new(), |ty| format!(" i:type=\"{}\"", TYPES[ty]));
            format!("<{0}{attr}>{1}</{0}>", TAGS[t], TEXTS[x])
        });
    leaf.prop_recursive(5, 48, 6, |inner| {
        (
            0..TAGS.len(),
            proptest::option::of(0..TYPES.len()),
            proptest::collection::vec(inner, 0..6),
        )
            .prop_map(|(t, ty, kids)| {
                let attr = ty.map_or(String::new(), |ty| format!(" i:type=\"{}\"", TYPES[ty]));
                format!("<{0}{attr}>{1}</{0}>", TAGS[t], kids.concat())
            })
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn arbitrary_small_xml_never_panics(
        kids in proptest::collection::vec(element(), 0..5),
        cut in 0usize..4000,
    ) {
        let doc = format!(
            "<ThreatModel xmlns:i=\"http://www.w3.org/2001/XMLSchema-instance\" \
             xmlns:b=\"urn:b\">{}</ThreatModel>",
            kids.concat()
        );
        let cut_at = cut.min(FIXTURE.len());
        let cut_fixture = FIXTURE.get(..cut_at).unwrap_or(FIXTURE);
        for text in [doc.as_str(), cut_fixture] {
            for format in [None, Some(Format::Tmt)] {
                if let Ok(imported) = interop::import(text, format, "prop", now()) {
                    valid(&imported.session);
                }
            }
        }
    }
}
