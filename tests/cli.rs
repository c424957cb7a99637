//! The command line, run as a process: every command and exit code.
//!
//! Each test runs in its own temporary directory with its own config and
//! data directories, so the developer's real files never leak in.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use stridekit::core::store::SessionLock;

struct Sandbox {
    dir: tempfile::TempDir,
}

impl Sandbox {
    fn new() -> Sandbox {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join("config")).unwrap();
        Sandbox { dir }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    fn write(&self, rel: &str, text: &str) -> PathBuf {
        let path = self.path(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, text).unwrap();
        path
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_stridekit"));
        cmd.args(args)
            .current_dir(self.dir.path())
            .env("STRIDEKIT_CONFIG_DIR", self.path("config"))
            .env("STRIDEKIT_DATA_DIR", self.path("data"))
            .env_remove("NO_COLOR");
        cmd
    }

    fn run(&self, args: &[&str]) -> Run {
        Run(self.command(args).output().unwrap())
    }

    fn run_with_stdin(&self, args: &[&str], stdin: &str) -> Run {
        let mut child = self
            .command(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(stdin.as_bytes())
            .unwrap();
        Run(child.wait_with_output().unwrap())
    }

    fn demo(&self) -> PathBuf {
        self.write("leejames-hr.toml", stridekit::DEMO_SESSION)
    }
}

struct Run(Output);

impl Run {
    fn code(&self) -> i32 {
        self.0.status.code().unwrap()
    }
    fn stdout(&self) -> String {
        String::from_utf8(self.0.stdout.clone()).unwrap()
    }
    fn stderr(&self) -> String {
        String::from_utf8(self.0.stderr.clone()).unwrap()
    }
    #[track_caller]
    fn expect(&self, code: i32) -> &Run {
        assert_eq!(
            self.code(),
            code,
            "stdout:\n{}\nstderr:\n{}",
            self.stdout(),
            self.stderr()
        );
        self
    }
}

fn golden(name: &str) -> String {
    fs::read_to_string(Path::new("tests/golden").join(name)).unwrap()
}

#[test]
fn help_and_usage_errors() {
    let s = Sandbox::new();
    let help = s.run(&["--help"]);
    help.expect(0);
    for command in [
        "new", "open", "demo", "export", "report", "validate", "suggest", "catalogs", "themes",
    ] {
        assert!(help.stdout().contains(command), "help lists {command}");
    }
    s.run(&["--version"]).expect(0);
    s.run(&["frobnicate"]).expect(2);
    s.run(&["export", "x.toml"]).expect(2);
    s.run(&["export", "x.toml", "--format", "xlsx"]).expect(2);
    s.run(&["validate"]).expect(2);
    s.run(&["new", "x", "--template", "long"]).expect(2);
}

#[test]
fn no_arguments_shows_the_home_text_and_sessions_here() {
    let s = Sandbox::new();
    s.write("sessions/a.toml", stridekit::DEMO_SESSION);
    let run = s.run(&[]);
    run.expect(0);
    assert!(run.stdout().contains("stridekit demo"));
    assert!(run.stdout().contains("LeeJames HR payslips"));
}

#[test]
fn new_creates_a_private_session_file_once() {
    let s = Sandbox::new();
    let run = s.run(&["new", "Payslip download"]);
    run.expect(0);
    assert!(run.stdout().contains("sessions/payslip-download.toml"));
    let path = s.path("sessions/payslip-download.toml");
    let text = fs::read_to_string(&path).unwrap();
    assert!(
        text.starts_with("schema = 1\ntitle = \"Payslip download\"\n"),
        "{text}"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    s.run(&["validate", "sessions/payslip-download.toml"])
        .expect(0);
    let again = s.run(&["new", "Payslip download"]);
    again.expect(1);
    assert!(
        again.stderr().contains("already exists"),
        "{}",
        again.stderr()
    );

    s.run(&["new", "Solo", "--template", "quick", "-o", "solo.toml"])
        .expect(0);
    let quick = fs::read_to_string(s.path("solo.toml")).unwrap();
    assert!(quick.contains("template = \"quick\""));
    assert!(quick.contains("mode = \"rating\""));
    s.run(&["new", "   "]).expect(1);
}

#[test]
fn demo_and_open_print_a_summary() {
    let s = Sandbox::new();
    let demo = s.run(&["demo"]);
    demo.expect(0);
    assert!(demo.stdout().contains("LeeJames HR payslips"));
    assert!(demo.stdout().contains("T5"));
    let path = s.demo();
    let open = s.run(&["open", path.to_str().unwrap()]);
    open.expect(0);
    assert!(open.stdout().contains("Top threats"));
    assert!(!open.stdout().contains("Read-only"));
}

#[test]
fn a_locked_session_opens_read_only_with_a_clear_message() {
    let s = Sandbox::new();
    let path = s.demo();
    let lock = SessionLock::acquire(&path).unwrap();
    let run = s.run(&["open", path.to_str().unwrap()]);
    run.expect(0);
    assert!(run.stdout().contains("Read-only"), "{}", run.stdout());
    assert!(
        run.stdout()
            .contains(&format!("pid {}", std::process::id()))
    );
    drop(lock);
    assert!(
        !s.run(&["open", path.to_str().unwrap()])
            .stdout()
            .contains("Read-only")
    );
}

#[test]
fn export_writes_each_format_to_stdout_or_a_file() {
    let s = Sandbox::new();
    s.demo();
    for (format, golden_name) in [
        ("jira-csv", "leejames-hr.jira.csv"),
        ("csv", "leejames-hr.csv"),
        ("markdown", "leejames-hr.md"),
        ("json", "leejames-hr.json"),
    ] {
        let run = s.run(&["export", "leejames-hr.toml", "--format", format]);
        run.expect(0);
        assert_eq!(run.stdout(), golden(golden_name), "{format}");
    }
    s.run(&[
        "export",
        "leejames-hr.toml",
        "-f",
        "csv",
        "-o",
        "out/backlog.csv",
    ])
    .expect(1); // the output directory does not exist
    s.run(&[
        "export",
        "leejames-hr.toml",
        "-f",
        "csv",
        "-o",
        "backlog.csv",
    ])
    .expect(0);
    assert_eq!(
        fs::read_to_string(s.path("backlog.csv")).unwrap(),
        golden("leejames-hr.csv")
    );
    let report = s.run(&["report", "leejames-hr.toml"]);
    report.expect(0);
    assert_eq!(report.stdout(), golden("leejames-hr.md"));
}

#[test]
fn export_reads_standard_input() {
    let s = Sandbox::new();
    let run = s.run_with_stdin(&["export", "-", "--format", "csv"], stridekit::DEMO_SESSION);
    run.expect(0);
    assert_eq!(run.stdout(), golden("leejames-hr.csv"));
}

#[test]
fn validate_lists_every_problem_and_exits_1() {
    let s = Sandbox::new();
    s.demo();
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/bad/sessions");
    let a = fixtures.join("dangling-references.toml");
    let b = fixtures.join("unknown-kind.toml");
    let run = s.run(&[
        "validate",
        "leejames-hr.toml",
        a.to_str().unwrap(),
        b.to_str().unwrap(),
    ]);
    run.expect(1);
    assert!(run.stdout().contains("leejames-hr.toml: ok"));
    let err = run.stderr();
    assert!(
        err.contains("error: facilitator: participant P9 does not exist"),
        "{err}"
    );
    assert!(
        err.contains("error: voting.tally.T8: threat T8 does not exist"),
        "{err}"
    );
    assert!(err.contains("did you mean `aws.lambda`?"), "{err}");
    assert!(err.contains("2 of 3 files invalid"), "{err}");
    s.run(&["validate", "leejames-hr.toml"]).expect(0);
    s.run(&["validate", "missing.toml"]).expect(1);
    let stdin = s.run_with_stdin(&["validate", "-"], "schema = 1\ntitle = \"x\"\n");
    stdin.expect(1);
    assert!(
        stdin
            .stderr()
            .contains("<stdin>:1:1: error: missing field `created`"),
        "{}",
        stdin.stderr()
    );
}

#[test]
fn commands_on_a_bad_session_exit_1_with_the_location() {
    let s = Sandbox::new();
    s.write("bad.toml", "schema = 1\ntitle = \"x\"\ncreated = \"2026-01-01T00:00:00Z\"\nupdated = \"2026-01-01T00:00:00Z\"\nbogus = 1\n");
    for args in [
        vec!["export", "bad.toml", "-f", "json"],
        vec!["report", "bad.toml"],
        vec!["suggest", "bad.toml"],
        vec!["open", "bad.toml"],
    ] {
        let run = s.run(&args);
        run.expect(1);
        assert!(
            run.stderr()
                .contains("bad.toml:5:1: error: bogus: unknown field `bogus`"),
            "{args:?}: {}",
            run.stderr()
        );
        assert!(run.stdout().is_empty(), "{args:?}");
    }
}

#[test]
fn suggest_writes_json_or_csv() {
    let s = Sandbox::new();
    s.demo();
    let json = s.run(&["suggest", "leejames-hr.toml"]);
    json.expect(0);
    let value: serde_json::Value = serde_json::from_str(&json.stdout()).unwrap();
    let total = value["suggestions"].as_u64().unwrap() as usize;
    assert!(total > 200, "{total}");
    let c5 = value["elements"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["id"] == "C5")
        .unwrap();
    assert!(
        c5["threats"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r == "aws.s3/public-bucket")
    );
    let csv = s.run(&["suggest", "leejames-hr.toml", "--format", "csv"]);
    csv.expect(0);
    let text = csv.stdout();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    assert_eq!(reader.records().count(), total);
}

/// The same card twice on one element, or on both ends of one flow, is
/// noise the room has to dismiss twice.
#[test]
fn suggest_shows_a_card_once_per_element_and_flow() {
    let s = Sandbox::new();
    s.demo();
    let json = s.run(&["suggest", "leejames-hr.toml"]);
    json.expect(0);
    let value: serde_json::Value = serde_json::from_str(&json.stdout()).unwrap();
    let threats = &value["threats"];
    let elements = value["elements"].as_array().unwrap();
    let mut offered = std::collections::HashMap::new();
    for e in elements {
        let refs: Vec<&str> = e["threats"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r.as_str().unwrap())
            .collect();
        let mut titles: Vec<&str> = refs
            .iter()
            .map(|r| threats[*r]["title"].as_str().unwrap())
            .collect();
        titles.sort_unstable();
        let before = titles.len();
        titles.dedup();
        assert_eq!(before, titles.len(), "{}: a title twice", e["id"]);
        offered.insert(e["id"].as_str().unwrap().to_string(), refs);
    }
    let session: toml::Value = toml::from_str(stridekit::DEMO_SESSION).unwrap();
    for flow in session["flows"].as_array().unwrap() {
        let (from, to) = (flow["from"].as_str().unwrap(), flow["to"].as_str().unwrap());
        let (Some(a), Some(b)) = (offered.get(from), offered.get(to)) else {
            continue;
        };
        let both: Vec<&&str> = a.iter().filter(|r| b.contains(r)).collect();
        assert!(both.is_empty(), "{from} and {to} both offer {both:?}");
    }
}

#[test]
fn catalogs_list_kinds_and_show_one() {
    let s = Sandbox::new();
    let all = s.run(&["catalogs"]);
    all.expect(0);
    for kind in ["generic.process", "aws.lambda", "aws.iam", "aws.secrets"] {
        assert!(all.stdout().contains(kind), "{kind}");
    }
    let one = s.run(&["catalogs", "aws.s3"]);
    one.expect(0);
    assert!(one.stdout().contains("shared responsibility: abstracted"));
    assert!(one.stdout().contains("[aws.s3/public-bucket]"));
    let aws = s.run(&["catalogs", "aws"]);
    aws.expect(0);
    assert!(!aws.stdout().contains("generic.process"));
    let typo = s.run(&["catalogs", "aws.lamda"]);
    typo.expect(1);
    assert!(typo.stderr().contains("Did you mean `aws.lambda`?"));
}

#[test]
fn user_catalogs_add_kinds_and_bad_ones_are_located() {
    let s = Sandbox::new();
    s.write(
        "catalogs/acme.toml",
        "id = \"acme\"\nname = \"ACME\"\n\n[[kinds]]\nid = \"ledger\"\nname = \"ACME ledger\"\nelement = \"data-store\"\n",
    );
    let list = s.run(&["catalogs"]);
    list.expect(0);
    assert!(list.stdout().contains("acme.ledger"));
    // A session may now use the kind.
    let session =
        stridekit::DEMO_SESSION.replace("kind = \"aws.dynamodb\"", "kind = \"acme.ledger\"");
    s.write("s.toml", &session);
    s.run(&["validate", "s.toml"]).expect(0);
    // Without the catalog the same session is invalid.
    let other = Sandbox::new();
    other.write("s.toml", &session);
    let run = other.run(&["validate", "s.toml"]);
    run.expect(1);
    assert!(run.stderr().contains("unknown catalog kind `acme.ledger`"));

    s.write(
        "config/catalogs/broken.toml",
        "id = \"x\"\n[[kinds]]\nid = \"y\"\nname = \"Y\"\nelement = \"pipe\"\n",
    );
    let run = s.run(&["catalogs"]);
    run.expect(1);
    assert!(
        run.stderr().contains(
            "config/catalogs/broken.toml:5:11: error: kinds[0].element: unknown variant `pipe`"
        ),
        "{}",
        run.stderr()
    );
}

#[test]
fn themes_are_listed_and_checked() {
    let s = Sandbox::new();
    let run = s.run(&["themes"]);
    run.expect(0);
    for name in ["dark", "light", "high-contrast", "colorblind"] {
        assert!(run.stdout().contains(name));
    }
    s.write(
        "themes/mine.toml",
        "name = \"mine\"\ndescription = \"Mine\"\n[colors]\naccent = \"#ff00ff\"\n",
    );
    assert!(s.run(&["themes"]).stdout().contains("mine"));
    s.run(&["--theme", "mine", "demo"]).expect(0);
    let typo = s.run(&["--theme", "drak", "demo"]);
    typo.expect(1);
    assert!(typo.stderr().contains("Did you mean `dark`?"));
    let no_color = s
        .command(&["themes"])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&no_color.stdout).contains("NO_COLOR is set"));
}

#[test]
fn the_config_file_sets_jira_defaults_and_is_checked() {
    let s = Sandbox::new();
    s.demo();
    s.write("config/config.toml", "[jira]\nissue_type = \"Story\"\n");
    let run = s.run(&["export", "leejames-hr.toml", "-f", "jira-csv"]);
    run.expect(0);
    assert!(run.stdout().contains("\"Story\""));
    s.write("config/config.toml", "[jira]\nissue_typ = \"Story\"\n");
    let run = s.run(&["export", "leejames-hr.toml", "-f", "jira-csv"]);
    run.expect(1);
    assert!(
        run.stderr()
            .contains("config/config.toml:2:1: error: jira.issue_typ: unknown field"),
        "{}",
        run.stderr()
    );
}

#[test]
fn control_characters_from_files_never_reach_the_terminal() {
    let s = Sandbox::new();
    let session = stridekit::DEMO_SESSION.replace(
        "title = \"LeeJames HR payslips\"",
        "title = \"Evil \\u001b]0;pwned\\u0007\\u001b[2J title\"",
    );
    s.write("evil.toml", &session);
    let run = s.run(&["open", "evil.toml"]);
    run.expect(0);
    assert!(!run.stdout().contains('\u{1b}'));
    assert!(run.stdout().contains("Evil \u{241b}]0;pwned"));
    let bad = s.run(&["catalogs", "\u{1b}[31mred"]);
    bad.expect(1);
    assert!(!bad.stderr().contains('\u{1b}'));
}

#[test]
fn a_rating_session_summary_speaks_of_ratings_with_plurals_right() {
    use stridekit::core::ids::IdKind;
    use stridekit::core::model::{Asset, Classification, Session, Template, Threat, ThreatStatus};
    use stridekit::core::stride::Category;
    use stridekit::core::time::Timestamp;

    let s = Sandbox::new();
    let now = Timestamp::from_unix(1_700_000_000);
    let mut session = Session::new("Solo review", Template::Quick, now);
    let a = session.next_id(IdKind::Asset).unwrap();
    session.assets.push(Asset {
        id: a,
        name: "Payslips".into(),
        classification: Classification::Confidential,
        description: String::new(),
    });
    for (title, rating) in [("Forged cookie", Some((4, 3))), ("Unrated idea", None)] {
        let id = session.next_id(IdKind::Threat).unwrap();
        session.threats.push(
            Threat {
                id,
                title: title.into(),
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
                statement: Default::default(),
                also: Vec::new(),
                priority: None,
                tags: Vec::new(),
                properties: Default::default(),
            }
            .into(),
        );
    }
    let path = s.path("solo.toml");
    stridekit::core::store::create(&path, &session).unwrap();
    let run = s.run(&["open", "solo.toml"]);
    run.expect(0);
    let out = run.stdout();
    assert!(
        out.contains(
            "Scope: 1 asset, 0 actors, 0 entry points, 0 boundaries, 0 components, 0 flows\n"
        ),
        "{out}"
    );
    assert!(
        out.contains(
            "Threats: 2 (0 with mitigations, 1 rated for likelihood x impact); 0 participants\n"
        ),
        "{out}"
    );
    assert!(
        out.contains("    1  T1   Forged cookie  (4 x 3 = 12, high)\n"),
        "{out}"
    );
    assert!(
        out.contains("    2  T2   Unrated idea  (not rated)\n"),
        "{out}"
    );
    for word in ["dot", "ballot", "vote"] {
        assert!(!out.contains(word), "{word} in:\n{out}");
    }
}

#[test]
fn a_voting_session_summary_counts_dots_and_ballots() {
    let s = Sandbox::new();
    s.demo();
    let run = s.run(&["open", "leejames-hr.toml"]);
    run.expect(0);
    let out = run.stdout();
    assert!(
        out.contains(
            "Threats: 12 (11 with mitigations); 5 participants, 5 ballots, 4 dots per person\n"
        ),
        "{out}"
    );
    assert!(out.contains("  (4 dots, "), "{out}");
}

#[test]
fn a_missing_input_is_named_once_with_one_reason() {
    let s = Sandbox::new();
    // The reason as this OS words it, so the whole message can be compared.
    let enoent = fs::metadata(s.path("missing.toml")).unwrap_err();
    let expected = format!("stridekit: cannot read missing.toml: {enoent}\n");
    for args in [
        vec!["export", "missing.toml", "--format", "csv"],
        vec!["report", "missing.toml"],
        vec!["suggest", "missing.toml"],
        vec!["open", "missing.toml"],
    ] {
        let run = s.run(&args);
        run.expect(1);
        assert_eq!(run.stderr(), expected, "{args:?}");
        assert!(run.stdout().is_empty(), "{args:?}");
    }
    let run = s.run(&["validate", "missing.toml"]);
    run.expect(1);
    assert_eq!(
        run.stderr(),
        format!("cannot read missing.toml: {enoent}\n1 of 1 file invalid\n")
    );
    // `open` looked before locking: no lock file is left beside it.
    let names: Vec<_> = fs::read_dir(s.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(names, ["config"]);
}

#[test]
fn output_errors_name_the_path_the_user_gave() {
    let s = Sandbox::new();
    s.demo();
    let listing = |s: &Sandbox| -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(s.dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        names
    };
    let before = listing(&s);
    let export_to = |out: &str| s.run(&["export", "leejames-hr.toml", "-f", "csv", "-o", out]);

    // A missing output directory.
    let enoent = fs::File::create(s.path("out/backlog.csv")).unwrap_err();
    let run = export_to("out/backlog.csv");
    run.expect(1);
    assert_eq!(
        run.stderr(),
        format!("stridekit: cannot write out/backlog.csv: {enoent}\n")
    );

    // An output that cannot be written whoever runs the test (root
    // included): its directory is a regular file.
    let enotdir = fs::File::create(s.path("leejames-hr.toml/x.csv")).unwrap_err();
    let run = export_to("leejames-hr.toml/x.csv");
    run.expect(1);
    assert_eq!(
        run.stderr(),
        format!("stridekit: cannot write leejames-hr.toml/x.csv: {enotdir}\n")
    );

    // An output that is a directory is refused before anything is
    // written: no temporary file is named or left behind.
    fs::create_dir(s.path("outdir")).unwrap();
    let run = export_to("outdir");
    run.expect(1);
    assert_eq!(run.stderr(), "stridekit: outdir is a folder: name a file\n");
    fs::remove_dir(s.path("outdir")).unwrap();

    // A read-only directory, where the OS enforces it (not for root).
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let ro = s.path("ro");
        fs::create_dir(&ro).unwrap();
        fs::set_permissions(&ro, fs::Permissions::from_mode(0o555)).unwrap();
        match fs::File::create(ro.join("probe")) {
            Err(denied) => {
                let run = export_to("ro/x.csv");
                run.expect(1);
                assert_eq!(
                    run.stderr(),
                    format!("stridekit: cannot write ro/x.csv: {denied}\n")
                );
            }
            Ok(_) => fs::remove_file(ro.join("probe")).unwrap(),
        }
        fs::set_permissions(&ro, fs::Permissions::from_mode(0o755)).unwrap();
        fs::remove_dir(&ro).unwrap();
    }
    assert_eq!(listing(&s), before, "no temporary file is left behind");
}

#[test]
fn catalogs_show_each_kinds_categories_within_80_columns() {
    let s = Sandbox::new();
    s.write(
        "catalogs/acme.toml",
        "id = \"acme\"\nname = \"ACME\"\n\n[[kinds]]\nid = \"ledger\"\nname = \"ACME ledger, the one book of record for every payment we make\"\nelement = \"data-store\"\ncategories = [\"tampering\", \"repudiation\"]\n",
    );
    let run = s.run(&["catalogs"]);
    run.expect(0);
    let out = run.stdout();
    let line = |kind: &str| -> String {
        out.lines()
            .find(|l| l.trim_start().starts_with(&format!("{kind} ")))
            .unwrap_or_else(|| panic!("no line for {kind} in:\n{out}"))
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    // A data store walked through all six is marked wider than its default.
    assert_eq!(line("aws.s3"), "aws.s3 store STRIDE+ 17 Amazon S3");
    assert_eq!(
        line("generic.data-store"),
        "generic.data-store store ·TRID· 12 Data store"
    );
    assert_eq!(
        line("aws.lambda"),
        "aws.lambda process STRIDE 20 AWS Lambda"
    );
    assert_eq!(
        line("generic.external-entity"),
        "generic.external-entity entity S·R··· 6 External entity (person…"
    );
    assert!(line("acme.ledger").starts_with("acme.ledger store ·TR···- 0 ACME ledger"));
    assert!(line("acme.ledger").ends_with('…'));
    assert!(out.contains("kind "), "a header names the columns:\n{out}");
    assert!(out.contains("widen (+) or narrow (-)"));
    assert!(out.contains("store ·TRID·"));
    for l in out.lines() {
        // The source paths of user catalogs are never cut; kinds fit.
        if !l.contains(" — ") {
            assert!(
                l.chars().count() <= 80,
                "{} columns: {l}",
                l.chars().count()
            );
        }
    }

    let one = s.run(&["catalogs", "aws.s3"]);
    one.expect(0);
    assert!(
        one.stdout()
            .contains("  STRIDE: STRIDE, wider than the data-store default ·TRID·\n"),
        "{}",
        one.stdout()
    );
    let ledger = s.run(&["catalogs", "acme.ledger"]);
    assert!(
        ledger
            .stdout()
            .contains("  STRIDE: ·TR···, narrower than the data-store default ·TRID·\n"),
        "{}",
        ledger.stdout()
    );
}

#[test]
fn the_home_text_lists_the_sessions_the_home_screen_will() {
    let s = Sandbox::new();
    s.write("sessions/a.toml", stridekit::DEMO_SESSION);
    s.write(
        "data/sessions/b.toml",
        "schema = 1\ntitle = \"Newer\"\nupdated = \"2027-01-01T00:00:00Z\"\ncreated = \"2027-01-01T00:00:00Z\"\n",
    );
    s.write("data/demo/leejames-hr.toml", stridekit::DEMO_SESSION);
    s.write(
        "sessions/typo.toml",
        &stridekit::DEMO_SESSION
            .replacen("kind = \"aws.lambda\"", "kind = \"aws.lamda\"", 1)
            .replace("facilitator = \"P1\"", "facilitator = \"P9\""),
    );
    s.write("sessions/broken.toml", "title = ");
    let run = s.run(&[]);
    run.expect(0);
    let out = run.stdout();
    let listed: Vec<String> = out
        .lines()
        .skip_while(|l| !l.starts_with("Sessions"))
        .skip(1)
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect();
    let data = s.path("data");
    let data = data.display();
    assert_eq!(
        listed,
        [
            format!("{data}/sessions/b.toml Newer"),
            format!("{data}/demo/leejames-hr.toml LeeJames HR payslips"),
            "sessions/a.toml LeeJames HR payslips".to_string(),
            "sessions/broken.toml broken (broken: 1 error)".to_string(),
            "sessions/typo.toml LeeJames HR payslips (broken: 2 errors)".to_string(),
        ],
        "{out}"
    );
}

/// Output that could act on a terminal: any control character but a line
/// break, or an invisible or bidi character.
fn terminal_hazards(text: &str) -> Vec<String> {
    text.chars()
        .filter(|&c| {
            (c.is_control() && c != '\n')
                || matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2028}' | '\u{2029}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
        })
        .map(|c| format!("U+{:04X}", c as u32))
        .collect()
}

#[track_caller]
fn assert_harmless(what: &str, run: &Run) {
    for (stream, text) in [("stdout", run.stdout()), ("stderr", run.stderr())] {
        let found = terminal_hazards(&text);
        assert!(found.is_empty(), "{what} {stream}: {found:?}\n{text}");
    }
}

#[test]
fn file_names_and_lock_holders_are_neutralised_wherever_printed() {
    // Issue 9, item 9: names with an OSC 52 clipboard write, a screen
    // clear, a C1 CSI, a bidi override and a zero-width joiner.
    let evil = "\u{1b}]52;c;cHduZWQ=\u{7}\u{1b}[2J\u{9b}31m\u{202e}\u{200d}";
    let s = Sandbox::new();
    let good = format!("sessions/good{evil}.toml");
    let bad = format!("sessions/bad{evil}.toml");
    s.write(&good, stridekit::DEMO_SESSION);
    s.write(&bad, &format!("{}\ntitle = 1\n", stridekit::DEMO_SESSION));

    let run = s.run(&["validate", &good, &bad]);
    run.expect(1);
    assert_harmless("validate", &run);
    assert!(
        run.stdout()
            .contains("good␛]52;c;cHduZWQ=␇␛[2J�31m�.toml: ok")
    );
    assert!(
        run.stderr()
            .contains("bad␛]52;c;cHduZWQ=␇␛[2J�31m�.toml: 1 error found")
    );

    let run = s.run(&[]);
    run.expect(0);
    assert_harmless("home listing", &run);
    assert!(run.stdout().contains("sessions/good␛]52"));

    let run = s.run(&["report", &good]);
    run.expect(0);
    assert_harmless("report", &run);
    assert!(
        run.stdout()
            .contains("Written by stridekit from `good]52;c;cHduZWQ=[2J31m.toml`.")
    );

    let run = s.run(&["new", "Evil", "-o", &format!("sessions/new{evil}.toml")]);
    run.expect(0);
    assert_harmless("new", &run);

    // A lock file whose holder text is hostile, held by this process.
    let lock_path = stridekit::core::store::lock_path(&s.path(&good));
    let lock = fs::File::create(&lock_path).unwrap();
    (&lock)
        .write_all(format!("pid 1 {evil} on evil").as_bytes())
        .unwrap();
    lock.lock().unwrap();
    let run = s.run(&["open", &good]);
    run.expect(0);
    assert_harmless("open read-only", &run);
    assert!(
        run.stdout()
            .contains("Read-only: pid 1 ␛]52;c;cHduZWQ=␇␛[2J�31m� on evil is editing"),
        "{}",
        run.stdout()
    );
    drop(lock);

    s.write(
        &format!("catalogs/acme{evil}.toml"),
        "id = \"acme\"\nname = \"ACME\"\n\n[[kinds]]\nid = \"ledger\"\nname = \"ACME ledger\"\nelement = \"data-store\"\n",
    );
    for args in [
        &["catalogs"][..],
        &["catalogs", "acme"],
        &["catalogs", "acme.ledger"],
    ] {
        let run = s.run(args);
        run.expect(0);
        assert_harmless(&args.join(" "), &run);
        assert!(
            run.stdout().contains("catalogs/acme␛]52"),
            "{}",
            run.stdout()
        );
    }
    s.write(
        &format!("catalogs/broken{evil}.toml"),
        "id = \"x\"\n[[kinds]]\nid = \"y\"\nname = \"Y\"\nelement = \"pipe\"\n",
    );
    let run = s.run(&["catalogs"]);
    run.expect(1);
    assert_harmless("catalogs, broken", &run);
    fs::remove_file(s.path(&format!("catalogs/broken{evil}.toml"))).unwrap();

    s.write(
        &format!("themes/mine{evil}.toml"),
        "name = \"mine\"\ndescription = \"Mine\"\n[colors]\naccent = \"#ff00ff\"\n",
    );
    let run = s.run(&["themes"]);
    run.expect(0);
    assert_harmless("themes", &run);
    assert!(run.stdout().contains("themes/mine␛]52"));

    let run = s.run(&[
        "export",
        &good,
        "-f",
        "csv",
        "-o",
        &format!("missing/out{evil}.csv"),
    ]);
    run.expect(1);
    assert_harmless("export to a bad path", &run);
}

#[test]
fn a_closed_pipe_ends_a_command_quietly() {
    let s = Sandbox::new();
    for args in [&["catalogs"][..], &["demo"], &["catalogs", "aws.s3"]] {
        let mut child = s
            .command(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Closed before the command writes (or its output fits the pipe's
        // buffer, and then nothing is wrong either).
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert_eq!(out.status.code(), Some(0), "{args:?}: {stderr}");
    }
}

#[test]
fn an_output_that_is_the_input_session_is_refused() {
    // Issue 9, item 3: `-o` naming the session wrote CSV over it.
    let s = Sandbox::new();
    s.demo();
    let before = fs::read(s.path("leejames-hr.toml")).unwrap();
    for target in ["leejames-hr.toml", "./leejames-hr.toml"] {
        let run = s.run(&["export", "leejames-hr.toml", "-f", "csv", "-o", target]);
        run.expect(1);
        assert!(
            run.stderr().contains("is the session being read"),
            "{}",
            run.stderr()
        );
    }
    // A hard link to it is the same file too.
    fs::hard_link(s.path("leejames-hr.toml"), s.path("alias.toml")).unwrap();
    s.run(&["report", "leejames-hr.toml", "-o", "alias.toml"])
        .expect(1);
    assert_eq!(fs::read(s.path("leejames-hr.toml")).unwrap(), before);
    assert!(!s.path("leejames-hr.toml.bak").exists());
}

#[cfg(unix)]
#[test]
fn outputs_go_to_streams_but_never_through_links_or_onto_special_files() {
    // Issue 9, item 7.
    use std::os::unix::fs::FileTypeExt;
    let s = Sandbox::new();
    s.demo();
    // `-o -` is standard output, not a file named `-`.
    let run = s.run(&["export", "leejames-hr.toml", "-f", "csv", "-o", "-"]);
    run.expect(0);
    assert!(run.stdout().starts_with("Rank,"), "{}", run.stdout());
    assert!(!s.path("-").exists());
    // A character device is written, not replaced.
    s.run(&["export", "leejames-hr.toml", "-f", "csv", "-o", "/dev/null"])
        .expect(0);
    assert!(
        fs::symlink_metadata("/dev/null")
            .map(|m| m.file_type().is_char_device())
            .unwrap_or(false)
    );
    // A FIFO is written to directly.
    let fifo = s.path("pipe");
    let made = Command::new("mkfifo").arg(&fifo).status();
    if made.is_ok_and(|st| st.success()) {
        let reader = {
            let fifo = fifo.clone();
            std::thread::spawn(move || fs::read_to_string(fifo).unwrap())
        };
        s.run(&["export", "leejames-hr.toml", "-f", "csv", "-o", "pipe"])
            .expect(0);
        assert!(reader.join().unwrap().starts_with("Rank,"));
        assert!(fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo());
    } else {
        println!("skipped the FIFO case: mkfifo is not available");
    }
    // A link to a file is not followed, nor replaced.
    let target = s.write("precious.txt", "keep me");
    std::os::unix::fs::symlink(&target, s.path("link.csv")).unwrap();
    let run = s.run(&["export", "leejames-hr.toml", "-f", "csv", "-o", "link.csv"]);
    run.expect(1);
    assert!(run.stderr().contains("symbolic link"), "{}", run.stderr());
    assert_eq!(fs::read_to_string(&target).unwrap(), "keep me");
    assert!(
        fs::symlink_metadata(s.path("link.csv"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
    // A folder is refused.
    fs::create_dir(s.path("out")).unwrap();
    let run = s.run(&["export", "leejames-hr.toml", "-f", "csv", "-o", "out"]);
    run.expect(1);
    assert!(run.stderr().contains("is a folder"), "{}", run.stderr());
}

#[test]
fn an_output_onto_a_lock_file_is_refused() {
    // Found in the attack pass after issue 9: replacing the lock file let
    // a second stridekit open the session read-write beside the first.
    let s = Sandbox::new();
    s.demo();
    let lock = stridekit::core::store::SessionLock::acquire(&s.path("leejames-hr.toml")).unwrap();
    for target in [".leejames-hr.toml.lock", ".other.toml.lock"] {
        let run = s.run(&["export", "leejames-hr.toml", "-f", "csv", "-o", target]);
        run.expect(1);
        assert!(run.stderr().contains("lock file"), "{}", run.stderr());
    }
    assert!(!s.path(".other.toml.lock").exists());
    drop(lock);
}

#[cfg(unix)]
#[test]
fn a_fifo_in_place_of_the_config_file_does_not_hang() {
    let s = Sandbox::new();
    s.demo();
    let fifo = s.path("config/config.toml");
    let c = std::ffi::CString::new(fifo.as_os_str().as_encoded_bytes()).unwrap();
    // SAFETY: a valid C string; mkfifo only creates a file.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    // Without the fix this waits for a writer forever (the test would
    // time out); a FIFO is no config file.
    s.run(&["report", "leejames-hr.toml", "-o", "r.md"])
        .expect(0);
}

#[test]
fn import_writes_a_session_reports_what_did_not_map_and_never_overwrites() {
    let s = Sandbox::new();
    let fixture = s.write(
        "small.tc.json",
        include_str!("fixtures/interop/small.tc.json"),
    );
    let run = s.run(&["import", fixture.to_str().unwrap()]);
    run.expect(0);
    let out = run.stdout();
    assert!(out.contains("into sessions/payslip-portal.toml"), "{out}");
    assert!(out.contains("2 threats, 2 mitigations"), "{out}");
    assert!(out.contains("Not mapped (8 items):"), "{out}");
    assert!(out.contains("threats[1].severity"), "{out}");
    s.run(&["validate", "sessions/payslip-portal.toml"])
        .expect(0);
    // Never over an existing file.
    let again = s.run(&["import", "small.tc.json"]);
    again.expect(1);
    // Broken JSON: the file, line and column.
    s.write(
        "broken.tc.json",
        "{\n  \"schema\": 1,\n  \"threats\": [,]\n}",
    );
    let broken = s.run(&["import", "broken.tc.json", "-o", "b.toml"]);
    broken.expect(1);
    assert!(
        broken.stderr().contains("broken.tc.json:3:15:"),
        "{}",
        broken.stderr()
    );
    // And an export the other way, to a file.
    s.run(&[
        "export",
        "sessions/payslip-portal.toml",
        "-f",
        "threat-composer",
        "-o",
        "back.tc.json",
    ])
    .expect(0);
    assert!(
        fs::read_to_string(s.path("back.tc.json"))
            .unwrap()
            .contains("\"schema\": 1")
    );
}

#[test]
fn import_as_catalog_writes_a_catalog_that_lists_and_never_overwrites() {
    let s = Sandbox::new();
    s.write(
        "pack.json",
        include_str!("fixtures/interop/small.threatpack.json"),
    );
    s.write(
        "mpack.json",
        include_str!("fixtures/interop/small.mitigationpack.json"),
    );
    let run = s.run(&[
        "import",
        "pack.json",
        "--as-catalog",
        "--mitigations",
        "mpack.json",
    ]);
    run.expect(0);
    let out = run.stdout();
    assert!(out.contains("into catalogs/payslippack.toml"), "{out}");
    assert!(
        out.contains(
            "1 kind `payslippack.payslippack`, 2 candidate threats, 3 mitigations (4 links)"
        ),
        "{out}"
    );
    assert!(out.contains("Not mapped ("), "{out}");
    assert!(out.contains("threats[2]: not an object; skipped"), "{out}");
    assert!(out.contains("stridekit catalogs payslippack"), "{out}");
    // Listed (with its warnings: a pack has no prompts), and its kind shown.
    let list = s.run(&["catalogs"]);
    list.expect(0);
    assert!(list.stdout().contains("payslippack"), "{}", list.stdout());
    let kind = s.run(&["catalogs", "payslippack.payslippack"]);
    kind.expect(0);
    assert!(
        kind.stdout().contains("Rate-limit the login endpoint"),
        "{}",
        kind.stdout()
    );
    // Never over an existing file, default name or -o.
    let again = s.run(&["import", "pack.json", "--as-catalog"]);
    again.expect(1);
    assert!(
        again.stderr().contains("already exists"),
        "{}",
        again.stderr()
    );
    s.write("catalogs/taken.toml", "id = \"taken\"\n");
    s.run(&[
        "import",
        "pack.json",
        "--as-catalog",
        "-o",
        "catalogs/taken.toml",
    ])
    .expect(1);
    assert_eq!(
        fs::read_to_string(s.path("catalogs/taken.toml")).unwrap(),
        "id = \"taken\"\n"
    );
    // A mitigation pack alone, and a pack read as a session: told how.
    let alone = s.run(&["import", "mpack.json", "--as-catalog", "-o", "m.toml"]);
    alone.expect(1);
    assert!(
        alone
            .stderr()
            .contains("mpack.json: a mitigation pack has no threats")
            && alone.stderr().contains("--mitigations"),
        "{}",
        alone.stderr()
    );
    let session = s.run(&["import", "pack.json", "-o", "p.toml"]);
    session.expect(1);
    assert!(
        session.stderr().contains("--as-catalog"),
        "{}",
        session.stderr()
    );
    // --mitigations needs --as-catalog; --from does not go with it.
    s.run(&["import", "pack.json", "--mitigations", "mpack.json"])
        .expect(2);
    s.run(&["import", "pack.json", "--as-catalog", "--from", "otm"])
        .expect(2);
}
