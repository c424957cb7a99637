//! Hostile text from session files, catalogs and file names, drawn on a
//! real terminal emulator (vt100): nothing may act on the terminal or move
//! what is drawn after it. Issue 9, item 11.

use std::cell::RefCell;
use std::io::Write;
use std::num::NonZeroU16;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::LazyLock;

use ratatui::backend::CrosstermBackend;
use ratatui::layout::Rect;
use ratatui::{Terminal, TerminalOptions, Viewport};

use stridekit::core::catalog::Catalogs;
use stridekit::core::model::{Phase, Session};
use stridekit::core::store;
use stridekit::core::theme::Themes;
use stridekit::core::time::Timestamp;
use stridekit::tui::app::{App, SessionState};
use stridekit::tui::view;

static CATALOGS: LazyLock<Catalogs> = LazyLock::new(|| Catalogs::builtin().unwrap());

/// Characters that draw nothing, end a line in some programs, or reorder
/// what follows.
const INVISIBLE: [char; 20] = [
    '\u{200B}', '\u{200C}', '\u{200D}', '\u{200E}', '\u{200F}', '\u{2028}', '\u{2029}', '\u{2060}',
    '\u{2061}', '\u{2062}', '\u{2063}', '\u{2064}', '\u{FEFF}', '\u{202A}', '\u{202B}', '\u{202C}',
    '\u{202D}', '\u{202E}', '\u{2066}', '\u{2069}',
];

/// What ratatui writes, kept where the test can read it.
#[derive(Clone, Default)]
struct Shared(Rc<RefCell<Vec<u8>>>);

impl Write for Shared {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn demo_with_title(title: &str) -> Session {
    let mut session = store::load_text(
        Path::new(stridekit::DEMO_FILE_NAME),
        stridekit::DEMO_SESSION,
        &CATALOGS,
    )
    .unwrap()
    .session;
    session.title = title.to_string();
    session
}

/// The screen a terminal shows after the app draws `session` once: the
/// bytes ratatui writes, fed to a terminal emulator.
fn terminal_screen(session: Session, width: u16, height: u16) -> vt100::Screen {
    terminal_screen_held(session, None, width, height)
}

/// The same, read-only because `holder` (the lock file's text) holds it.
fn terminal_screen_held(
    session: Session,
    holder: Option<&str>,
    width: u16,
    height: u16,
) -> vt100::Screen {
    let mut app = App::new(
        CATALOGS.clone(),
        Themes::builtin().unwrap(),
        Some("dark"),
        true,
    );
    let mut state = SessionState::new(PathBuf::from("sessions/demo.toml"), session);
    if let Some(holder) = holder {
        state = state.read_only(holder);
    }
    app.show_session(state);
    app.now = Timestamp::parse("2026-03-02T10:30:00Z").unwrap();
    app.size = (width, height);
    let bytes = Shared::default();
    let backend = CrosstermBackend::new(bytes.clone());
    let options = TerminalOptions {
        viewport: Viewport::Fixed(Rect::new(0, 0, width, height)),
    };
    let mut terminal = Terminal::with_options(backend, options).unwrap();
    terminal.draw(|frame| view::draw(frame, &app)).unwrap();
    drop(terminal);
    let mut parser = vt100::Parser::new(
        NonZeroU16::new(height).unwrap(),
        NonZeroU16::new(width).unwrap(),
        0,
    );
    // vt100 drops U+FFFD (its parser's mark for bad UTF-8), which a real
    // terminal shows in one column, as `?`.
    let bytes = String::from_utf8(bytes.0.take())
        .unwrap()
        .replace('\u{FFFD}', "?");
    parser.process(bytes.as_bytes());
    parser.screen().clone()
}

fn row(screen: &vt100::Screen, row: u16) -> String {
    let (_, width) = screen.size();
    screen.contents_between(row, 0, row, width.get())
}

#[test]
fn invisible_characters_in_a_title_leave_the_header_in_place() {
    let plain = terminal_screen(demo_with_title("LeeJames HR payslips"), 80, 24);
    let header = row(&plain, 0);
    // What follows the title: the Review phase's note and its clock.
    let tail = header.split("payslips").nth(1).unwrap().trim().to_string();
    assert!(tail.ends_with("00:25 paused"), "{header:?}");
    for c in INVISIBLE {
        let title = format!("LeeJames{c} HR{c}{c} payslips");
        let screen = terminal_screen(demo_with_title(&title), 80, 24);
        let shown = row(&screen, 0);
        assert!(
            shown.trim_end().ends_with(&tail),
            "U+{:04X}: {shown:?}",
            c as u32
        );
        assert_eq!(
            shown.chars().count(),
            header.chars().count(),
            "U+{:04X}: {shown:?}",
            c as u32
        );
        // The phase bar below is where it was.
        assert_eq!(row(&screen, 1), row(&plain, 1), "U+{:04X}", c as u32);
    }
}

#[test]
fn escape_sequences_in_a_title_do_not_act_on_the_terminal() {
    let title = "Evil \u{1b}]52;c;cHduZWQ=\u{7}\u{1b}[2J\u{1b}[31m\u{9b}1;1H title";
    let screen = terminal_screen(demo_with_title(title), 80, 24);
    let header = row(&screen, 0);
    assert!(
        header.contains("Evil ␛]52;c;cHduZWQ=␇␛[2J␛[31m?1;1H"),
        "{header:?}"
    );
    assert!(header.trim_end().ends_with("00:25 paused"), "{header:?}");
}

/// `session` with `payload` spliced into the middle of every piece of
/// free text that has any: names, descriptions, labels, titles, notes, statements,
/// mitigations, owners, reasons.
fn poison(session: &mut Session, payload: &str) {
    // Empty fields stay empty, so the documents compared have one shape.
    let spike = |text: &mut String| {
        if text.is_empty() {
            return;
        }
        let middle = text.char_indices().nth(text.chars().count() / 2);
        let at = middle.map_or(text.len(), |(i, _)| i);
        text.insert_str(at, payload);
    };
    spike(&mut session.title);
    spike(&mut session.description);
    for p in &mut session.participants {
        spike(&mut p.name);
    }
    for a in &mut session.assets {
        spike(&mut a.name);
        spike(&mut a.description);
    }
    for a in &mut session.actors {
        spike(&mut a.name);
        spike(&mut a.description);
    }
    for e in &mut session.entry_points {
        spike(&mut e.name);
        spike(&mut e.description);
    }
    for b in &mut session.boundaries {
        spike(&mut b.name);
        spike(&mut b.description);
    }
    for c in &mut session.components {
        spike(&mut c.name);
        spike(&mut c.description);
    }
    for f in &mut session.flows {
        spike(&mut f.label);
        spike(&mut f.protocol);
    }
    for a in &mut session.assumptions {
        spike(&mut a.text);
    }
    for c in &mut session.coverage {
        spike(&mut c.reason);
    }
    for t in &mut session.threats {
        let t = std::sync::Arc::make_mut(t);
        spike(&mut t.title);
        spike(&mut t.notes);
        spike(&mut t.status_reason);
        spike(&mut t.statement.source);
        spike(&mut t.statement.action);
        spike(&mut t.statement.impact);
    }
    for m in &mut session.mitigations {
        spike(&mut m.text);
        spike(&mut m.owner);
    }
}

#[test]
fn no_screen_draws_an_invisible_character_or_shifts_a_border() {
    let payload: String = INVISIBLE.iter().collect::<String>() + "\u{1b}[2J\u{9b}";
    for phase in Phase::ALL {
        let mut plain = demo_with_title("LeeJames HR payslips");
        plain.phase = phase;
        let mut hostile = plain.clone();
        poison(&mut hostile, &payload);
        let plain = terminal_screen(plain, 80, 24);
        let hostile = terminal_screen(hostile, 80, 24);
        let text = hostile.contents();
        let found: Vec<String> = text
            .chars()
            .filter(|c| INVISIBLE.contains(c) || c.is_control() && *c != '\n')
            .map(|c| format!("U+{:04X}", c as u32))
            .collect();
        assert!(found.is_empty(), "{phase:?}: {found:?} drawn\n{text}");
        for r in 0..24 {
            // Pane borders sit where the layout put them, whatever the text.
            let right = |s: &vt100::Screen| s.cell(r, 79).map(|c| c.contents().to_string());
            assert_eq!(right(&hostile), right(&plain), "{phase:?} row {r}\n{text}");
            assert!(row(&hostile, r).chars().count() <= 80, "{phase:?} row {r}");
        }
    }
}

/// Everything that attacks Markdown, HTML, Mermaid or a terminal at once.
const MARKDOWN_PAYLOAD: &str = concat!(
    " \u{1b}[2J\u{1b}]52;c;cHduZWQ=\u{7}\u{9b}31m",
    "<img src=x onerror=alert(1)> &lt;script&gt; ",
    "[link](http://evil.example) ![img](http://evil.example/t.png) [ref][1] ",
    "`code` *em* _em_ ~~gone~~ $x$ #tag | cell \\| \\",
    "\n```\nfenced\n~~~\n",
    "\n# heading\n- item\n+ item\n1. item\n2) item\n    code\n> quote\n---\n===\n| a | b |\n",
    "\u{202e}\u{200b}\u{200d}\u{2028}\u{2029}\u{feff}\u{2066}",
    "%%{init: {'securityLevel':'loose'}}%% \"quoted\" #35; -->|edge| ",
    "\r\n\r\n\t<br>\n\n",
    "See https://evil.example/reset and WWW.evil.example or help@evil.example, cc @someone ",
);

/// Counts of every Markdown token that could change a document's
/// structure: characters not escaped by a backslash, and the block each
/// line starts. Hostile text spliced into every field must leave these as
/// they were.
fn structure(md: &str) -> std::collections::BTreeMap<String, usize> {
    let mut counts = std::collections::BTreeMap::new();
    let mut add = |key: String| *counts.entry(key).or_insert(0) += 1;
    let mut in_mermaid = false;
    for line in md.lines() {
        if line.starts_with("```") {
            in_mermaid = line == "```mermaid";
        }
        // Inside a quoted Mermaid label brackets and emphasis are text, but
        // quotes end it and `%%` starts a directive.
        let special = if in_mermaid {
            "`<>|#%\""
        } else {
            "[]`<>|*_~$#"
        };
        // Line breaks as `<br>` are ours, as are Mermaid's entities and
        // tags; what is left is what the text added.
        let mut line = line.replace("<br>", "");
        if in_mermaid {
            line = line.replace("<br/><small>", "").replace("</small>", "");
            for entity in [
                "#quot;", "#lt;", "#gt;", "#35;", "#amp;", "#96;", "#124;", "#37;",
            ] {
                line = line.replace(entity, "");
            }
        }
        let line = line.as_str();
        let mut backslashes = 0;
        // Inside a code span (ours) nothing is markup.
        let mut in_code = false;
        for (i, c) in line.char_indices() {
            let escaped = backslashes % 2 == 1 && !in_code;
            backslashes = if c == '\\' { backslashes + 1 } else { 0 };
            if escaped {
                continue;
            }
            if c == '`' && !in_mermaid {
                in_code = !in_code;
            } else if in_code {
                continue;
            }
            if special.contains(c) {
                add(format!("char {c}"));
            }
            if c == '&'
                && !["&lt;", "&gt;", "&amp;"]
                    .iter()
                    .any(|e| line[i..].starts_with(e))
            {
                add("raw &".to_string());
            }
        }
        let trimmed = line.trim_start();
        let digits = trimmed.bytes().take_while(u8::is_ascii_digit).count();
        let start = if line.starts_with("    ") {
            "indented code"
        } else if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            "fence"
        } else if trimmed.starts_with('#') {
            "heading"
        } else if trimmed.starts_with(['-', '+', '*']) {
            "list or rule"
        } else if digits > 0 && trimmed[digits..].starts_with(['.', ')']) {
            "ordered list"
        } else if trimmed.starts_with(['>', '<', '|', '=']) {
            "quote, html, table or setext"
        } else {
            "text"
        };
        if start != "text" {
            add(format!("line {start}"));
        }
    }
    counts
}

fn markdown(session: &Session, source: &str) -> String {
    let jira = stridekit::core::model::JiraSettings::default();
    let ctx = stridekit::core::export::ExportContext {
        session,
        catalogs: &CATALOGS,
        jira_defaults: &jira,
        source_name: Some(source),
    };
    let mut out = Vec::new();
    stridekit::core::export::export(&ctx, stridekit::core::export::Format::Markdown, &mut out)
        .unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn hostile_text_cannot_change_the_markdown_report() {
    // Issue 9, item 8.
    let plain = demo_with_title("LeeJames HR payslips");
    let mut hostile = plain.clone();
    poison(&mut hostile, MARKDOWN_PAYLOAD);
    let before = markdown(&plain, "leejames-hr.toml");
    let after = markdown(
        &hostile,
        "leejames\u{1b}[2J`\n\n<img src=x onerror=alert(1)>\u{202e}.toml",
    );
    let (was, is) = (structure(&before), structure(&after));
    for key in was.keys().chain(is.keys()) {
        assert_eq!(is.get(key), was.get(key), "{key}\n{after}");
    }
    let found: Vec<String> = after
        .chars()
        .filter(|c| INVISIBLE.contains(c) || c.is_control() && *c != '\n')
        .map(|c| format!("U+{:04X}", c as u32))
        .collect();
    assert!(found.is_empty(), "{found:?} in the report");
    // A code span shows `<img ...>` as text; nowhere else is it raw.
    assert!(
        after.contains(
            "Written by stridekit from `leejames[2J'  <img src=x onerror=alert(1)>.toml`."
        )
    );
    assert_eq!(after.matches("<img").count(), 1);
    // What was escaped still reads as the text it was.
    assert!(
        after.contains("\\[link\\](http\\://evil.example) !\\[img\\](http\\://evil.example/t.png)")
    );
    assert!(after.contains("&lt;img src=x onerror=alert(1)&gt; &amp;lt;script&amp;gt;"));
    assert!(
        after.contains("%%{init"),
        "no Mermaid directive survives, but the text does"
    );
}

#[test]
fn a_hostile_lock_holder_is_drawn_as_text() {
    // Issue 9, item 9, on the workshop screens: the read-only header and
    // the refusals that name the holder.
    let holder =
        "pid 1 \u{1b}]52;c;cHduZWQ=\u{7}\u{1b}[2J\u{202e}\u{200d}\u{2028} on evil since now";
    for phase in Phase::ALL {
        let mut session = demo_with_title("LeeJames HR payslips");
        session.phase = phase;
        let screen = terminal_screen_held(session, Some(holder), 80, 24);
        let text = screen.contents();
        let found: Vec<String> = text
            .chars()
            .filter(|c| INVISIBLE.contains(c) || c.is_control() && *c != '\n')
            .map(|c| format!("U+{:04X}", c as u32))
            .collect();
        assert!(found.is_empty(), "{phase:?}: {found:?} drawn\n{text}");
        assert!(
            text.contains("Read-only: pid 1 ␛]52;c;"),
            "{phase:?}\n{text}"
        );
        for r in 0..24 {
            assert!(
                row(&screen, r).chars().count() <= 80,
                "{phase:?} row {r}\n{text}"
            );
        }
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

    /// Any text at all, spliced into every field, leaves the report's
    /// structure as it was and puts nothing in it that acts on a terminal.
    #[test]
    fn no_text_changes_the_markdown_report(
        payload in proptest::collection::vec(
            proptest::prop_oneof![
                proptest::sample::select(
                    "[]()!`*_~#$|\\<>&%\"'-+=.):0123456789 \t\r\n\u{b}\u{c}\u{85}\u{1b}\u{7}\u{9b}\u{7f}\u{a0}\u{2028}\u{2029}\u{200b}\u{200d}\u{202e}\u{2066}\u{feff}"
                        .chars()
                        .collect::<Vec<char>>()
                ),
                proptest::prelude::any::<char>(),
            ],
            0..40,
        )
    ) {
        let payload: String = payload.into_iter().collect();
        let plain = demo_with_title("LeeJames HR payslips");
        let mut hostile = plain.clone();
        poison(&mut hostile, &payload);
        let after = markdown(&hostile, "leejames-hr.toml");
        proptest::prop_assert_eq!(
            structure(&after),
            structure(&markdown(&plain, "leejames-hr.toml")),
            "{:?}", payload
        );
        proptest::prop_assert!(
            !after.chars().any(|c| INVISIBLE.contains(&c) || c.is_control() && c != '\n'),
            "{:?}", payload
        );
    }
}

/// The report rendered by a GitHub-flavoured Markdown renderer (comrak,
/// with autolinks, tables, strikethrough, task lists and footnotes on):
/// hostile text in every field makes no link, image, raw HTML or mention
/// (found in the attack pass after issue 9: bare URLs, `www.` names and
/// e-mail addresses became links).
#[test]
fn hostile_text_renders_as_text_in_github_flavoured_markdown() {
    let mut hostile = demo_with_title("LeeJames HR payslips");
    poison(&mut hostile, MARKDOWN_PAYLOAD);
    let md = markdown(&hostile, "leejames-hr.toml");
    let mut options = comrak::Options::default();
    options.extension.autolink = true;
    options.extension.table = true;
    options.extension.strikethrough = true;
    options.extension.tasklist = true;
    options.extension.footnotes = true;
    let html = comrak::markdown_to_html(&md, &options);
    let plain = comrak::markdown_to_html(
        &markdown(&demo_with_title("LeeJames HR payslips"), "leejames-hr.toml"),
        &options,
    );
    for tag in [
        "<a ",
        "<img",
        "<script",
        "<del>",
        "<input",
        "<pre",
        "<blockquote",
        "<code",
    ] {
        assert_eq!(
            html.matches(tag).count(),
            plain.matches(tag).count(),
            "{tag} made by hostile text"
        );
    }
    assert!(!html.contains("href=\"http"), "a link to the outside");
    assert!(!html.contains("mailto:"));
    // The text is all there, as text.
    assert!(html.contains("https://evil.example/reset"));
    assert!(html.contains("help@evil.example"));
}
