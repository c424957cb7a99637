//! Threat Composer threat packs and mitigation packs as stridekit catalog
//! files (issue 10, part 3): the small fixtures written for these tests
//! always run; the real packs in `../shared/samples/threat-composer` run
//! where that folder exists (the tests say so and pass otherwise).
//! Expected counts are worked out from the JSON here, not by the importer.

mod common;

use std::collections::{BTreeSet, HashSet};
use std::path::PathBuf;

use serde_json::Value;
use stridekit::core::catalog::Catalogs;
use stridekit::core::interop::{self, ImportError, threat_pack};
use stridekit::core::stride::{Category, ElementType};
use stridekit::core::time::Timestamp;

const THREAT_PACK: &str = include_str!("fixtures/interop/small.threatpack.json");
const MITIGATION_PACK: &str = include_str!("fixtures/interop/small.mitigationpack.json");

/// Writes `text` as `catalogs/NAME.toml` in a new folder and loads that
/// folder as `stridekit` does: the file must load over the built-ins.
fn load(name: &str, text: &str) -> (tempfile::TempDir, Catalogs) {
    let dir = tempfile::tempdir().unwrap();
    let catalogs = dir.path().join("catalogs");
    std::fs::create_dir_all(&catalogs).unwrap();
    std::fs::write(catalogs.join(format!("{name}.toml")), text).unwrap();
    let loaded = Catalogs::load(&[catalogs])
        .unwrap_or_else(|e| panic!("the catalog does not load: {e:?}\n{text}"));
    (dir, loaded)
}

fn unmapped(made: &threat_pack::PackCatalog) -> Vec<String> {
    made.unmapped.iter().map(ToString::to_string).collect()
}

#[test]
fn a_threat_pack_with_its_mitigation_pack_becomes_a_catalog_that_loads() {
    let made = threat_pack::to_catalog(THREAT_PACK, Some(MITIGATION_PACK), "small").unwrap();
    assert_eq!(made.id, "payslippack");
    assert_eq!((made.threats, made.mitigations, made.links), (2, 3, 4));
    let (_dir, catalogs) = load(&made.id, &made.text);
    let info = catalogs
        .catalogs
        .iter()
        .find(|c| c.id == "payslippack")
        .unwrap();
    assert_eq!(info.name, "Payslip \"portal\" pack");
    assert_eq!(
        info.description,
        "Threats of a payslip portal.\nSecond line with ''' and \"\"\" and \\ in it."
    );
    let kind = catalogs.kind("payslippack.payslippack").unwrap();
    assert_eq!(kind.element, ElementType::Process);
    assert_eq!(kind.categories, Category::ALL);
    // Tags once each, whatever their case.
    assert_eq!(kind.keywords, ["Access", "OWASP A01"]);
    assert!(kind.matches("owasp"));
    assert_eq!(kind.threats.len(), 2);

    let read = &kind.threats[0];
    assert_eq!(read.id, "read-another-employee-s-payslip");
    assert_eq!(read.category, Category::InformationDisclosure);
    assert!(
        read.title
            .starts_with("An internal actor with a valid session can read")
    );
    assert_eq!(read.source, "internal actor");
    assert_eq!(read.prerequisites, "with a valid session");
    assert_eq!(read.action, "read another employee's payslip");
    assert_eq!(read.impact, "exposure of salaries");
    assert_eq!(read.goals, ["confidentiality"]);
    assert_eq!(
        read.description,
        "Seen in the last pen test.\n[docs](https://example.com)\n\nImpacted assets: payslips; salary data."
    );
    let controls: Vec<(&str, &str, &str)> = read
        .mitigations
        .iter()
        .map(|m| (m.id.as_str(), m.control.as_str(), m.text.as_str()))
        .collect();
    assert_eq!(
        controls,
        [
            (
                "authorise-every-payslip-read",
                "Authorise every payslip read",
                "Check the owner on every read."
            ),
            (
                "log-payslip-reads",
                "Log payslip reads",
                "Log payslip reads"
            ),
        ]
    );
    assert_eq!(
        read.mitigations[0].reference,
        "payslippack.payslippack/read-another-employee-s-payslip/authorise-every-payslip-read"
    );

    // No statement: rendered from the grammar; no STRIDE: from the goal.
    let flood = &kind.threats[1];
    assert_eq!(flood.id, "flood-the-login-endpoint");
    assert_eq!(flood.category, Category::DenialOfService);
    assert_eq!(
        flood.title,
        "An external threat actor can flood the \"login\" endpoint, which leads to an outage, resulting in reduced availability"
    );
    // The mitigation pack's body for the link the threat pack lacks.
    let ids: Vec<&str> = flood.mitigations.iter().map(|m| m.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "authorise-every-payslip-read",
            "rate-limit-the-login-endpoint"
        ]
    );
    assert_eq!(flood.mitigations[1].text, "Per-IP limits at the edge.");

    let u = unmapped(&made);
    for expected in [
        "generatedBy: not a Threat Composer pack field stridekit knows",
        "threats[0].metadata.STRIDE: also Spoofing: a catalog threat has one category; filed under Information disclosure",
        "threats[1].metadata: no STRIDE category; filed under Denial of service",
        "threats[2]: not an object; skipped",
        "threats[*].metadata.Priority: a catalog threat has no priority; not kept (2 of them)",
        "threats[*].status: a catalog threat has no status; not kept (2 of them)",
        "threats[*].futureField: not a Threat Composer field a catalog keeps (1 of them)",
        "mitigationLinks[5]: mitigation ffffffff-0000-4000-8000-000000000000 is in neither pack; link skipped",
        "mitigationLinks: links to 0f0b6c8e-0000-4000-8000-00000000dead, which is not a threat of the pack; skipped",
        "mitigations: `Never linked` is linked to no threat of the pack; a catalog mitigation belongs to a threat; not kept",
        "mitigations[*].status: a catalog mitigation has no status; not kept (3 of them)",
        "--mitigations: mitigations[*].tags: a catalog mitigation has no tags; not kept (1 of them)",
        "id: `PayslipPack` is not a catalog id; the catalog is called `payslippack`",
    ] {
        assert!(
            u.iter().any(|x| x == expected),
            "missing {expected:?} in {u:#?}"
        );
    }
}

#[test]
fn without_the_mitigation_pack_a_missing_mitigation_is_reported() {
    let made = threat_pack::to_catalog(THREAT_PACK, None, "small").unwrap();
    assert_eq!((made.threats, made.mitigations, made.links), (2, 2, 3));
    let u = unmapped(&made);
    assert!(
        u.iter().any(|x| x == "mitigationLinks[3]: mitigation bbbbbbbb-0000-4000-8000-000000000009 is in neither pack; link skipped"),
        "{u:#?}"
    );
    load(&made.id, &made.text);
}

#[test]
fn a_mitigation_pack_alone_and_other_files_are_refused_with_a_reason() {
    let alone = threat_pack::to_catalog(MITIGATION_PACK, None, "m").unwrap_err();
    assert!(alone.to_string().contains("--mitigations"), "{alone}");
    let session = include_str!("fixtures/interop/small.tc.json");
    assert!(matches!(
        threat_pack::to_catalog(session, None, "s"),
        Err(ImportError::NotTheFormat(_))
    ));
    let wrong = threat_pack::to_catalog(THREAT_PACK, Some(THREAT_PACK), "s").unwrap_err();
    assert!(wrong.to_string().starts_with("--mitigations:"), "{wrong}");
    let broken = threat_pack::to_catalog("{\n \"type\": \"threat-pack\",,\n}", None, "b");
    assert!(
        matches!(broken, Err(ImportError::Syntax { line: 2, .. })),
        "{broken:?}"
    );
    // A session import of a pack says how to read it instead.
    let e = interop::import(THREAT_PACK, None, "p", Timestamp::from_unix(0)).unwrap_err();
    assert!(e.to_string().contains("--as-catalog"), "{e}");
}

#[test]
fn hostile_texts_stay_text_and_ids_stay_slugs() {
    let pack = serde_json::json!({
        "schema": 1, "type": "threat-pack", "id": "中文 \"]\n[x]",
        "name": "x\"\"\"\n[[kinds]]\nid = \"evil\"",
        "threats": [
            {"id": "a", "statement": "'''\"\"\"\\\u{7f}\n[kinds]", "threatAction": "!!!",
             "metadata": [{"key": "STRIDE", "value": "E"}]},
            {"id": "b", "statement": "'''\"\"\"\\\u{7f}\n[kinds]", "threatAction": "!!!"},
        ],
        "mitigationLinks": [{"mitigationId": "m", "linkedId": "a"}, {"mitigationId": "m", "linkedId": "a"}],
        "mitigations": [{"id": "m", "content": "", "metadata": [{"key": "Comments", "value": "x".repeat(200)}]}],
    });
    let made = threat_pack::to_catalog(&pack.to_string(), None, "fallback name").unwrap();
    assert_eq!(made.id, "x");
    let (_dir, catalogs) = load("hostile", &made.text);
    let kind = catalogs.kind("x.x").unwrap();
    assert_eq!(kind.name, "x\"\"\"\n[[kinds]]\nid = \"evil\"");
    let ids: Vec<&str> = kind.threats.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(ids, ["kinds", "kinds-2"]);
    assert_eq!(kind.threats[0].title, "'''\"\"\"\\\u{7f}\n[kinds]");
    assert_eq!(kind.threats[0].category, Category::ElevationOfPrivilege);
    // A link given twice is one mitigation; no content: named from its text.
    assert_eq!(kind.threats[0].mitigations.len(), 1);
    assert_eq!(
        kind.threats[0].mitigations[0].control,
        format!("{}…", "x".repeat(60))
    );
    assert!(catalogs.kind("x.evil").is_none());
}

fn samples() -> Option<PathBuf> {
    common::samples("threat-composer")
}

#[test]
fn the_sample_packs_become_catalogs_with_their_counts() {
    let Some(dir) = samples() else {
        return;
    };
    let read = |name: &str| std::fs::read_to_string(dir.join(name)).unwrap();
    let threats_text = read("threatPack-GenAIChatbot.generated.json");
    let mitigations_text = read("mitigationPack-GenAIChatbot.generated.json");
    let pack: Value = serde_json::from_str(&threats_text).unwrap();
    let m_pack: Value = serde_json::from_str(&mitigations_text).unwrap();

    // Expected, from the JSON: threats, linked pairs (threat, mitigation)
    // whose both ends exist, and the mitigations those links use.
    let threat_ids: HashSet<&str> = pack["threats"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap())
        .collect();
    let mitigation_ids: HashSet<&str> = pack["mitigations"]
        .as_array()
        .unwrap()
        .iter()
        .chain(m_pack["mitigations"].as_array().unwrap())
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    let pairs: BTreeSet<(&str, &str)> = pack["mitigationLinks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["linkedId"].as_str().unwrap(),
                l["mitigationId"].as_str().unwrap(),
            )
        })
        .filter(|(t, m)| threat_ids.contains(t) && mitigation_ids.contains(m))
        .collect();
    let used: HashSet<&str> = pairs.iter().map(|(_, m)| *m).collect();
    let multi_stride = pack["threats"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            t["metadata"]
                .as_array()
                .unwrap()
                .iter()
                .find(|m| m["key"] == "STRIDE")
                .map_or(0, |m| {
                    m["value"].as_array().unwrap().len().saturating_sub(1)
                })
        })
        .sum::<usize>();

    for extra in [None, Some(mitigations_text.as_str())] {
        let made = threat_pack::to_catalog(&threats_text, extra, "GenAIChatbot").unwrap();
        assert_eq!(made.id, "genaichatbot");
        assert_eq!(made.threats, threat_ids.len());
        assert_eq!(made.links, pairs.len());
        assert_eq!(made.mitigations, used.len());
        let (_dir, catalogs) = load(&made.id, &made.text);
        let kind = catalogs.kind("genaichatbot.genaichatbot").unwrap();
        assert_eq!(kind.threats.len(), threat_ids.len());
        let links: usize = kind.threats.iter().map(|t| t.mitigations.len()).sum();
        assert_eq!(links, pairs.len());
        assert!(kind.keywords.iter().any(|k| k == "LLM01 Prompt Injection"));
        // Each extra STRIDE letter is told, with priorities and statuses.
        let u = unmapped(&made);
        let also = u.iter().filter(|x| x.contains(": also ")).count();
        assert_eq!(also, multi_stride, "{u:#?}");
        assert!(
            u.iter()
                .any(|x| x.starts_with("threats[*].metadata.Priority:")),
            "{u:#?}"
        );
    }
}
