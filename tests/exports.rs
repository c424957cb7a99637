//! Exports of the demo session compared with the files in `tests/golden`,
//! and exports of hostile input checked for formula injection.
//!
//! After an intended change, regenerate the golden files with
//! `UPDATE_GOLDEN=1 cargo test --test exports` and review the diff.

use std::fs;
use std::path::Path;

use stridekit::core::catalog::Catalogs;
use stridekit::core::export::cell::is_dangerous;
use stridekit::core::export::{self, ExportContext, Format};
use stridekit::core::ids::IdKind;
use stridekit::core::model::{
    Component, JiraSettings, Mitigation, MitigationStatus, Session, Statement, Template, Threat,
    ThreatStatus,
};
use stridekit::core::store;
use stridekit::core::stride::Category;
use stridekit::core::suggest;
use stridekit::core::time::Timestamp;
use stridekit::{DEMO_FILE_NAME, DEMO_SESSION};

fn demo(catalogs: &Catalogs) -> Session {
    store::load_text(Path::new(DEMO_FILE_NAME), DEMO_SESSION, catalogs)
        .unwrap()
        .session
}

fn render(session: &Session, catalogs: &Catalogs, format: Format, jira: &JiraSettings) -> String {
    let ctx = ExportContext {
        session,
        catalogs,
        jira_defaults: jira,
        source_name: Some(DEMO_FILE_NAME),
    };
    let mut out = Vec::new();
    export::export(&ctx, format, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn demo_exports_match_the_golden_files() {
    let catalogs = Catalogs::builtin().unwrap();
    let session = demo(&catalogs);
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    let mut stale = Vec::new();
    for format in Format::ALL {
        let actual = render(&session, &catalogs, format, &JiraSettings::default());
        let path = Path::new("tests/golden").join(format!("leejames-hr.{}", format.extension()));
        if update {
            fs::write(&path, &actual).unwrap();
            continue;
        }
        let expected = fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("{}: {e} (run with UPDATE_GOLDEN=1)", path.display()));
        if actual != expected {
            stale.push(path.display().to_string());
        }
    }
    assert!(
        stale.is_empty(),
        "exports differ from {stale:?}; if the change is intended, run UPDATE_GOLDEN=1 cargo test --test exports"
    );
}

#[test]
fn jira_csv_follows_the_importer_rules() {
    let catalogs = Catalogs::builtin().unwrap();
    let session = demo(&catalogs);
    let text = render(
        &session,
        &catalogs,
        Format::JiraCsv,
        &JiraSettings::default(),
    );
    assert!(
        !text.starts_with('\u{feff}'),
        "no byte-order mark before Summary"
    );
    let mut reader = csv::ReaderBuilder::new().from_reader(text.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(
        &header[..4],
        ["Summary", "Description", "Issue Type", "Priority"]
    );
    assert!(header[4..].iter().all(|h| h == "Labels"));
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), session.threats.len());
    for row in &rows {
        assert_eq!(row.len(), header.len(), "every row has every column");
        assert!(row[0].chars().count() <= 255);
        for label in row.iter().skip(4).filter(|l| !l.is_empty()) {
            assert!(!label.contains(char::is_whitespace), "label {label:?}");
        }
        assert!(row[1].contains("STRIDE category:") && row[1].contains("Mitigations"));
    }
    // Ranked order: the top-voted threat first, with the rank tier's priority.
    assert!(rows[0][0].starts_with("T5: "));
    assert_eq!(&rows[0][3], "High");
}

#[test]
fn jira_mapping_comes_from_config_then_session() {
    let catalogs = Catalogs::builtin().unwrap();
    let mut session = demo(&catalogs);
    let config: JiraSettings = toml::from_str(
        "issue_type = \"Story\"\nlabels = [\"Threat Model\", \"team payroll\"]\npriority_by = \"risk\"\n[risk_priority]\ncritical = \"Blocker\"\n",
    )
    .unwrap();
    let first_row = |text: &str| -> Vec<String> {
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let record = reader.records().next().unwrap().unwrap();
        record.iter().map(String::from).collect()
    };
    let row = first_row(&render(&session, &catalogs, Format::JiraCsv, &config));
    assert_eq!(
        row[2..6],
        ["Story", "Blocker", "threat-model", "team-payroll"]
    );
    session.jira.issue_type = Some("Bug".to_string());
    let row = first_row(&render(&session, &catalogs, Format::JiraCsv, &config));
    assert_eq!(row[2..4], ["Bug", "Blocker"]);
}

/// A session whose every free-text field is a spreadsheet formula.
fn hostile_session(catalogs: &Catalogs) -> Session {
    const PAYLOADS: [&str; 21] = [
        "=HYPERLINK(\"http://evil.example\",\"click\")",
        "+1+cmd|' /C calc'!A0",
        "-2+3",
        "@SUM(1+1)*cmd|' /C calc'!A0",
        "\t=1+2",
        "\r=1+2",
        "\n=1+2",
        "=1+2\";=1+2",
        "a,=b\u{1b}[31m",
        // Issue 9, item 10: blanks a spreadsheet may skip before the
        // formula, fullwidth formula characters, C1 and bidi controls.
        " =1+2",
        "\u{a0}=1+2",
        "\u{3000}=1+2",
        "\u{200b}=1+2",
        "\u{feff}=1+2",
        "\u{ff1d}1+2",
        "\u{ff0b}1+2",
        "\u{ff0d}1+2",
        "\u{ff20}SUM(1+1)",
        "\u{9b}=1+2",
        "\u{202e}=1+2",
        "x\u{9b}31m\u{202e}\u{2066}\u{2028}\u{200d}y",
    ];
    let now = Timestamp::from_unix(1_700_000_000);
    let mut s = Session::new(PAYLOADS[0], Template::Workshop, now);
    s.jira.issue_type = Some("-Task".to_string());
    s.jira.labels = Some(vec!["=evil label".to_string()]);
    let c1 = s.next_id(IdKind::Component).unwrap();
    s.components.push(Component {
        id: c1,
        name: PAYLOADS[3].to_string(),
        kind: "aws.lambda".to_string(),
        boundary: None,
        description: PAYLOADS[1].to_string(),
        out_of_scope: None,
        properties: Default::default(),
    });
    for (i, payload) in PAYLOADS.iter().enumerate() {
        let id = s.next_id(IdKind::Threat).unwrap();
        s.threats.push(
            Threat {
                id,
                title: payload.to_string(),
                category: Category::ALL[i % 6],
                target: Some(c1),
                author: None,
                status: ThreatStatus::Open,
                status_reason: String::new(),
                likelihood: Some(3),
                impact: Some(3),
                catalog: None,
                notes: payload.to_string(),
                created: now,
                statement: Statement {
                    source: payload.to_string(),
                    ..Statement::default()
                },
                also: Vec::new(),
                priority: None,
                tags: Vec::new(),
                properties: Default::default(),
            }
            .into(),
        );
        let m = s.next_id(IdKind::Mitigation).unwrap();
        s.mitigations.push(Mitigation {
            id: m,
            threats: vec![id],
            text: payload.to_string(),
            catalog: None,
            owner: payload.to_string(),
            status: MitigationStatus::Proposed,
            notes: String::new(),
            tags: Vec::new(),
            properties: Default::default(),
        });
    }
    assert!(
        stridekit::core::validate::validate(&s, catalogs)
            .iter()
            .all(|i| i.severity != stridekit::core::diag::Severity::Error)
    );
    s
}

fn assert_no_dangerous_cells(name: &str, text: &str) {
    assert!(
        !text.contains('\u{1b}'),
        "{name}: raw escape character in output"
    );
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut cells = 0;
    for record in reader.records() {
        for cell in record.unwrap().iter() {
            cells += 1;
            assert!(!is_dangerous(cell), "{name}: dangerous cell {cell:?}");
        }
    }
    assert!(cells > 20, "{name}: parsed only {cells} cells");
}

#[test]
fn no_csv_cell_can_start_a_formula() {
    let catalogs = Catalogs::builtin().unwrap();
    let session = hostile_session(&catalogs);
    for format in [Format::Csv, Format::JiraCsv] {
        let text = render(&session, &catalogs, format, &JiraSettings::default());
        assert_no_dangerous_cells(format.key(), &text);
    }
    let suggestions = suggest::suggestions(&session, &catalogs);
    let mut out = Vec::new();
    suggest::write_csv(&mut out, &suggestions).unwrap();
    assert_no_dangerous_cells("suggest csv", &String::from_utf8(out).unwrap());
}

#[test]
fn jira_summaries_keep_the_title_readable() {
    let catalogs = Catalogs::builtin().unwrap();
    let session = hostile_session(&catalogs);
    let text = render(
        &session,
        &catalogs,
        Format::JiraCsv,
        &JiraSettings::default(),
    );
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let summaries: Vec<String> = reader
        .records()
        .map(|r| r.unwrap()[0].to_string())
        .collect();
    // The id prefix makes the summary safe without an apostrophe that Jira
    // would import literally.
    assert!(summaries.contains(&"T3: -2+3".to_string()), "{summaries:?}");
    assert!(summaries.iter().all(|s| !s.starts_with('\'')));
}

#[test]
fn markdown_and_json_neutralise_hostile_text() {
    let catalogs = Catalogs::builtin().unwrap();
    let mut session = hostile_session(&catalogs);
    std::sync::Arc::make_mut(&mut session.threats[0]).title =
        "<img src=x onerror=alert(1)> | broken".to_string();
    let md = render(
        &session,
        &catalogs,
        Format::Markdown,
        &JiraSettings::default(),
    );
    assert!(!md.contains("<img"));
    assert!(!md.contains('\u{1b}'));
    assert!(md.contains("&lt;img src=x onerror=alert(1)&gt; \\| broken"));
    let json = render(&session, &catalogs, Format::Json, &JiraSettings::default());
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(
        value["session"]["threats"][0]["title"],
        session.threats[0].title
    );
    assert!(!json.contains('\u{1b}'), "JSON escapes control characters");
    // Issue 9, item 10: C1 controls, bidi controls, line separators and
    // invisible characters are escaped too, and the data is the same.
    for c in [
        '\u{9b}', '\u{202e}', '\u{2066}', '\u{2028}', '\u{200d}', '\u{200b}', '\u{feff}',
    ] {
        assert!(!json.contains(c), "raw U+{:04X} in the JSON", c as u32);
    }
    assert!(json.contains("x\\u009b31m\\u202e\\u2066\\u2028\\u200dy"));
    let back: Session =
        serde_json::from_value(value["session"].clone()).expect("the session reads back");
    assert_eq!(back.threats, session.threats);
    assert_eq!(back.mitigations, session.mitigations);
}

#[test]
fn json_holds_the_whole_session_and_the_ranking() {
    let catalogs = Catalogs::builtin().unwrap();
    let session = demo(&catalogs);
    let json = render(&session, &catalogs, Format::Json, &JiraSettings::default());
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(value["format"], "stridekit-session");
    assert_eq!(value["session"]["title"], "LeeJames HR payslips");
    assert_eq!(value["session"]["threats"].as_array().unwrap().len(), 12);
    assert_eq!(value["computed"]["ranking"][0]["threat"], "T5");
    assert_eq!(value["computed"]["dots_per_person"], 4);
}

#[test]
fn suggest_covers_every_element_and_applicable_category() {
    let catalogs = Catalogs::builtin().unwrap();
    let session = demo(&catalogs);
    let suggestions = suggest::suggestions(&session, &catalogs);
    let of = |id: &str| {
        suggestions
            .iter()
            .find(|e| e.element.id.to_string() == id)
            .unwrap()
    };
    for c in &session.components {
        let kind = catalogs.kind(&c.kind).unwrap();
        let here = of(&c.id.to_string());
        // Its own threats, and the borrowed ones no other element offers.
        let borrowed = kind
            .borrowed
            .iter()
            .filter(|t| !here.element.shown_elsewhere.contains(t.reference.as_str()))
            .count();
        assert_eq!(
            here.threats.len(),
            kind.threats.len() + borrowed,
            "{}",
            c.id
        );
    }
    // Flows that cross a trust boundary also get the boundary's threats.
    assert!(
        of("F1")
            .threats
            .iter()
            .any(|(k, _)| k.id == "generic.trust-boundary")
    );
    assert!(
        of("F3")
            .threats
            .iter()
            .all(|(k, _)| k.id == "generic.data-flow")
    );
    // Categories come in STRIDE order within an element.
    let order: Vec<usize> = of("C2")
        .threats
        .iter()
        .map(|(_, t)| Category::ALL.iter().position(|c| *c == t.category).unwrap())
        .collect();
    assert!(order.windows(2).all(|w| w[0] <= w[1]), "{order:?}");

    let mut out = Vec::new();
    suggest::write_json(&mut out, &suggestions).unwrap();
    let value: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(value["format"], "stridekit-suggestions");
    let elements = value["elements"].as_array().unwrap();
    assert_eq!(elements.len(), suggestions.len());
    let total: usize = suggestions.iter().map(|e| e.threats.len()).sum();
    assert_eq!(value["suggestions"], total);
    let mut listed = 0;
    for element in elements {
        for reference in element["threats"].as_array().unwrap() {
            listed += 1;
            let threat = &value["threats"][reference.as_str().unwrap()];
            assert!(threat["title"].is_string(), "{reference} has no entry");
            assert!(threat["mitigations"][0]["control"].is_string());
        }
    }
    assert_eq!(listed, total);
    let c5 = elements.iter().find(|e| e["id"] == "C5").unwrap();
    assert_eq!(c5["kinds"][0], "aws.s3");
    assert!(
        c5["threats"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r == "aws.s3/public-bucket")
    );
}

/// A quick-template (rating mode) session: three threats, two of them rated.
fn quick_session() -> Session {
    let now = Timestamp::from_unix(1_700_000_000);
    let mut s = Session::new("Solo review", Template::Quick, now);
    for (title, rating) in [
        ("Forged session cookie", Some((4, 3))),
        ("Log tampering", Some((2, 2))),
        ("Unrated idea", None),
    ] {
        let id = s.next_id(IdKind::Threat).unwrap();
        s.threats.push(
            Threat {
                id,
                title: title.to_string(),
                category: Category::Spoofing,
                target: None,
                author: None,
                status: ThreatStatus::Open,
                status_reason: String::new(),
                likelihood: rating.map(|r: (u8, u8)| r.0),
                impact: rating.map(|r| r.1),
                catalog: None,
                notes: String::new(),
                created: now,
                statement: Statement::default(),
                also: Vec::new(),
                priority: None,
                tags: Vec::new(),
                properties: Default::default(),
            }
            .into(),
        );
    }
    s
}

#[test]
fn rating_sessions_speak_of_ratings_not_dots() {
    let catalogs = Catalogs::builtin().unwrap();
    let session = quick_session();
    let jira = JiraSettings::default();
    let md = render(&session, &catalogs, Format::Markdown, &jira);
    assert!(
        md.contains(
            "Ranked by likelihood x impact, then age. Rating mode: 2 of 3 threats rated.\n"
        ),
        "{md}"
    );
    assert!(md.contains("| Rank | ID | Threat | L x I | Status | Mitigations |"));
    assert!(md.contains("| 1 | T1 | Forged session cookie | 4 x 3 = 12 (high) | open |  |"));
    assert!(md.contains("3 threats found: 3 spoofing."));
    let backlog = &md[md.find("## 3.").unwrap()..md.find("## 4.").unwrap()];
    for word in ["dot", "vote", "ballot", "Dots"] {
        assert!(!backlog.contains(word), "{word} in:\n{backlog}");
    }

    let text = render(&session, &catalogs, Format::JiraCsv, &jira);
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let descriptions: Vec<String> = reader
        .records()
        .map(|r| r.unwrap()[1].to_string())
        .collect();
    assert_eq!(descriptions.len(), 3);
    assert!(
        descriptions[0].contains("\nRank: 1 of 3\n"),
        "{}",
        descriptions[0]
    );
    assert!(descriptions[0].contains("Risk: likelihood 4 x impact 3 = 12 (high)"));
    for d in &descriptions {
        assert!(!d.contains("Votes") && !d.contains("dot"), "{d}");
    }
}

#[test]
fn counts_of_one_are_singular() {
    let catalogs = Catalogs::builtin().unwrap();
    let mut session = quick_session();
    session.threats.truncate(1);
    session.voting.mode = stridekit::core::model::VotingMode::Open;
    let p = session.next_id(IdKind::Participant).unwrap();
    session
        .voting
        .ballots
        .entry(p)
        .or_default()
        .insert(session.threats[0].id, 1);
    let jira = JiraSettings::default();
    let md = render(&session, &catalogs, Format::Markdown, &jira);
    assert!(md.contains("1 threat found: 1 spoofing."), "{md}");
    assert!(
        md.contains("Voting: open mode, 1 dot per person, at most 3 per threat, 1 ballot.\n"),
        "{md}"
    );
    let text = render(&session, &catalogs, Format::JiraCsv, &jira);
    assert!(text.contains("Votes: 1 dot (rank 1 of 1)"), "{text}");
}

/// With `only_backlog`, the Jira CSV holds the threats above the cut line,
/// in ranking order; a tie the facilitator ordered follows that order.
#[test]
fn jira_export_can_hold_only_the_backlog() {
    let catalogs = Catalogs::builtin().unwrap();
    let mut session = demo(&catalogs);
    let ranking = stridekit::core::scoring::rank(&session);
    session.cut_line = Some(3);
    session.jira.only_backlog = Some(true);
    let csv = render(
        &session,
        &catalogs,
        Format::JiraCsv,
        &JiraSettings::default(),
    );
    let rows = |text: &str| -> Vec<String> {
        csv::Reader::from_reader(text.as_bytes())
            .records()
            .map(|r| r.unwrap()[0].to_string())
            .collect()
    };
    let summaries = rows(&csv);
    let expected: Vec<String> = ranking[..3]
        .iter()
        .map(|r| {
            let t = session.threat(r.threat).unwrap();
            format!("{}: {}", t.id, t.title)
        })
        .collect();
    assert_eq!(summaries, expected);
    // The config can ask the same; the session's own setting wins.
    session.jira.only_backlog = None;
    let config = JiraSettings {
        only_backlog: Some(true),
        ..JiraSettings::default()
    };
    assert_eq!(
        rows(&render(&session, &catalogs, Format::JiraCsv, &config)).len(),
        3
    );
    session.jira.only_backlog = Some(false);
    assert_eq!(
        rows(&render(&session, &catalogs, Format::JiraCsv, &config)).len(),
        session.threats.len()
    );
}

#[test]
fn an_accepted_threat_carries_its_reason_into_every_export() {
    let catalogs = Catalogs::builtin().unwrap();
    let mut session = demo(&catalogs);
    let t = std::sync::Arc::make_mut(session.threats.first_mut().unwrap());
    t.status = ThreatStatus::Accepted;
    t.status_reason = "Cognito replaces the login in *March*".to_string();
    let id = t.id;
    let jira = render(
        &session,
        &catalogs,
        Format::JiraCsv,
        &JiraSettings::default(),
    );
    assert!(
        jira.contains("Status: accepted (Cognito replaces the login in *March*)"),
        "{jira}"
    );
    let csv = render(&session, &catalogs, Format::Csv, &JiraSettings::default());
    let mut rows = csv::Reader::from_reader(csv.as_bytes());
    let header = rows.headers().unwrap().clone();
    let at = header.iter().position(|h| h == "Status reason").unwrap();
    let row = rows
        .records()
        .map(Result::unwrap)
        .find(|r| r.get(1) == Some(id.to_string().as_str()))
        .unwrap();
    assert_eq!(&row[at], "Cognito replaces the login in *March*");
    assert_eq!(&row[at - 1], "accepted");
    let md = render(
        &session,
        &catalogs,
        Format::Markdown,
        &JiraSettings::default(),
    );
    assert!(
        md.contains("- Status: accepted (Cognito replaces the login in"),
        "{md}"
    );
}

/// `soffice`, if LibreOffice is installed.
fn soffice() -> Option<&'static str> {
    ["soffice", "libreoffice"].into_iter().find(|bin| {
        std::process::Command::new(bin)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    })
}

/// `csv` converted by LibreOffice Calc to a flat ODS document, importing it
/// as strictly as Calc can: quoted fields are not forced to text, special
/// numbers are detected, spaces trimmed and formulas evaluated.
fn calc_import(soffice: &str, dir: &Path, name: &str, csv: &str) -> String {
    let input = dir.join(format!("{name}.csv"));
    fs::write(&input, csv).unwrap();
    let profile = format!("file://{}", dir.join("profile").display());
    let out = std::process::Command::new(soffice)
        .arg(format!("-env:UserInstallation={profile}"))
        .args([
            "--headless",
            "--infilter=CSV:44,34,76,1,,1033,false,true,false,false,true,-1,true",
            "--convert-to",
            "fods",
            "--outdir",
        ])
        .arg(dir)
        .arg(&input)
        .output()
        .unwrap();
    let converted = dir.join(format!("{name}.fods"));
    fs::read_to_string(&converted).unwrap_or_else(|e| {
        panic!(
            "{}: {e}\n{}{}",
            converted.display(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

#[test]
fn libreoffice_evaluates_no_cell_of_a_hostile_export() {
    // Issue 9, item 10, in a real spreadsheet. LibreOffice is not on CI.
    let Some(soffice) = soffice() else {
        eprintln!("skipped: LibreOffice (soffice) is not installed");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    // The check can see a formula: a raw one is evaluated.
    let control = calc_import(soffice, dir.path(), "control", "a\r\n=1+2\r\n");
    assert!(
        control.contains("table:formula"),
        "Calc evaluated no formula:\n{control}"
    );

    let catalogs = Catalogs::builtin().unwrap();
    let session = hostile_session(&catalogs);
    let mut suggested = Vec::new();
    suggest::write_csv(&mut suggested, &suggest::suggestions(&session, &catalogs)).unwrap();
    let files = [
        (
            "csv",
            render(&session, &catalogs, Format::Csv, &JiraSettings::default()),
        ),
        (
            "jira",
            render(
                &session,
                &catalogs,
                Format::JiraCsv,
                &JiraSettings::default(),
            ),
        ),
        ("suggest", String::from_utf8(suggested).unwrap()),
    ];
    for (name, csv) in files {
        let sheet = calc_import(soffice, dir.path(), name, &csv);
        assert!(
            !sheet.contains("table:formula"),
            "{name}: Calc evaluated a cell:\n{sheet}"
        );
        if name == "csv" {
            // What the README says: the apostrophe shows.
            assert!(sheet.contains("&apos;=HYPERLINK("), "{sheet}");
            assert!(sheet.contains("&apos;\u{ff1d}1+2"), "{sheet}");
        }
    }
}

#[test]
fn elapsed_time_near_the_limit_does_not_overflow_the_report() {
    // Issue 9, item 15: the total of u64::MAX seconds per phase overflowed
    // (a panic in debug builds, a wrong total in release).
    let catalogs = Catalogs::builtin().unwrap();
    let mut session = demo(&catalogs);
    for item in &mut session.agenda {
        item.elapsed_secs = u64::MAX;
        item.running_since = None;
    }
    for format in Format::ALL {
        let text = render(&session, &catalogs, format, &JiraSettings::default());
        assert!(!text.is_empty(), "{format:?}");
    }
    let review = stridekit::core::review::review(&session, &catalogs, session.updated);
    // A clock holds at most what a TOML integer can (a file could not say more).
    let most = stridekit::core::model::MAX_ELAPSED_SECS;
    assert!(review.time.iter().all(|t| t.actual_secs == most));
}

/// Jira refuses a summary over 255 characters, so the whole import fails:
/// a long title is cut to exactly 255 (characters, not bytes), marked.
#[test]
fn a_long_title_gives_a_jira_summary_of_at_most_255_characters() {
    let catalogs = Catalogs::builtin().unwrap();
    let mut session = demo(&catalogs);
    let long = "Tokens leak through é-mail previews and ".repeat(10);
    assert!(long.chars().count() > 300);
    let id = session.threats[0].id;
    std::sync::Arc::make_mut(&mut session.threats[0]).title = long.clone();
    let text = render(
        &session,
        &catalogs,
        Format::JiraCsv,
        &JiraSettings::default(),
    );
    let mut reader = csv::ReaderBuilder::new().from_reader(text.as_bytes());
    let summary = reader
        .records()
        .map(Result::unwrap)
        .map(|r| r[0].to_string())
        .find(|s| s.starts_with(&format!("{id}: ")))
        .expect("the threat's row");
    assert_eq!(summary.chars().count(), 255, "{summary}");
    assert!(summary.ends_with('…'), "{summary}");
    let kept = summary
        .trim_start_matches(&format!("{id}: "))
        .trim_end_matches('…');
    assert!(long.starts_with(kept), "the start of the title is kept");
}

/// A mitigation that addresses no threat (Open Threat Model files have
/// them) is in the report, not only in the JSON.
#[test]
fn the_report_lists_mitigations_on_no_threat() {
    let catalogs = Catalogs::builtin().unwrap();
    let mut session = demo(&catalogs);
    let id = stridekit::core::ids::Id::new(IdKind::Mitigation, 90);
    session.mitigations.push(Mitigation {
        id,
        threats: Vec::new(),
        text: "Rotate the *signing* key | yearly".to_string(),
        catalog: None,
        owner: "Platform team".to_string(),
        status: MitigationStatus::Planned,
        notes: String::new(),
        tags: Vec::new(),
        properties: Default::default(),
    });
    let md = render(
        &session,
        &catalogs,
        Format::Markdown,
        &JiraSettings::default(),
    );
    let section = md
        .find("### Mitigations on no threat\n\n")
        .unwrap_or_else(|| panic!("no section for it: {md}"));
    assert!(
        section < md.find("\n## 4. ").unwrap(),
        "it belongs to the plan: {md}"
    );
    assert!(
        md[section..].contains(
            "\n- **M90** Rotate the \\*signing\\* key \\| yearly _(planned, owner Platform team)_\n"
        ),
        "{}",
        &md[section..]
    );
    // The demo as shipped has none, and no such heading.
    let shipped = render(
        &demo(&catalogs),
        &catalogs,
        Format::Markdown,
        &JiraSettings::default(),
    );
    assert!(!shipped.contains("on no threat"));
}
