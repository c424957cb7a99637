//! The home screen: recent sessions, a new one, or the demo.

use std::path::{Path, PathBuf};

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table};
use serde::Deserialize;

use crate::core::files;
use crate::core::model::Phase;
use crate::core::text::one_line;
use crate::core::time::Timestamp;
use crate::tui::action::Action;
use crate::tui::app::{self, App, Effect, Purpose, Screen};
use crate::tui::form::{Choice, Field, Form};

/// A session file found on disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionEntry {
    pub path: PathBuf,
    pub title: String,
    pub updated: Option<Timestamp>,
    pub phase: Phase,
    pub threats: usize,
    /// Set when the file could not be read as a session.
    pub problem: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct HomeState {
    pub sessions: Vec<SessionEntry>,
    pub cursor: usize,
    /// Where sessions were looked for, for the empty-list message.
    pub searched: Vec<PathBuf>,
}

/// Reads the headline facts of every `*.toml` in `dirs`, newest first.
/// Files that are not sessions are listed with their problem, not hidden.
pub fn scan(dirs: &[PathBuf]) -> Vec<SessionEntry> {
    #[derive(Deserialize)]
    struct Headline {
        title: String,
        #[serde(default)]
        phase: Phase,
        updated: Option<crate::core::time::Timestamp>,
        #[serde(default)]
        threats: Vec<serde::de::IgnoredAny>,
    }
    let paths = crate::core::catalog::toml_files_in(dirs).unwrap_or_default();
    let mut entries: Vec<SessionEntry> = paths
        .into_iter()
        .map(|path| {
            let parsed = files::read_text(&path)
                .map_err(|e| e.to_string())
                .and_then(|text| {
                    toml::from_str::<Headline>(&text).map_err(|e| e.message().to_string())
                });
            match parsed {
                Ok(h) => SessionEntry {
                    title: h.title,
                    updated: h.updated,
                    phase: h.phase,
                    threats: h.threats.len(),
                    problem: None,
                    path,
                },
                Err(problem) => SessionEntry {
                    title: path
                        .file_stem()
                        .map(|s| s.to_string_lossy().into_owned())
                        .unwrap_or_default(),
                    updated: None,
                    phase: Phase::Setup,
                    threats: 0,
                    problem: Some(problem),
                    path,
                },
            }
        })
        .collect();
    entries.sort_by(|a, b| b.updated.cmp(&a.updated).then(a.path.cmp(&b.path)));
    entries
}

pub fn update(app: &mut App, action: Action) {
    let page = app::page_rows(app);
    let Screen::Home(home) = &mut app.screen else {
        return;
    };
    match action {
        Action::Up
        | Action::Down
        | Action::PageUp
        | Action::PageDown
        | Action::Top
        | Action::Bottom => app::move_cursor(&mut home.cursor, home.sessions.len(), &action, page),
        Action::Open => {
            if let Some(entry) = home.sessions.get(home.cursor) {
                app.effects.push(Effect::OpenSession(entry.path.clone()));
            }
        }
        Action::NewSession => {
            let form = Form::new(
                "New session",
                vec![
                    Field::line("title", "Title", "").required(),
                    Field::cycle(
                        "template",
                        "Template",
                        vec![
                            Choice::new("workshop", "Workshop: 60 min, team, dot voting"),
                            Choice::new("quick", "Quick: 20 min, solo, rate likelihood x impact"),
                        ],
                        "workshop",
                    ),
                ],
            );
            app::open_form(app, form, Purpose::NewSession);
        }
        Action::OpenDemo => app.effects.push(Effect::OpenDemo),
        Action::Refresh => app.effects.push(Effect::RefreshHome),
        Action::Back => app.quit = true,
        _ => {}
    }
}

fn relative(path: &Path) -> String {
    std::env::current_dir()
        .ok()
        .and_then(|cwd| path.strip_prefix(cwd).ok().map(Path::to_path_buf))
        .unwrap_or_else(|| path.to_path_buf())
        .display()
        .to_string()
}

pub fn view(frame: &mut Frame, area: Rect, app: &App, home: &HomeState) {
    let s = &app.styles;
    let [intro, list] = Layout::vertical([Constraint::Length(4), Constraint::Min(3)]).areas(area);
    let text = vec![
        Line::from(Span::styled("stridekit", s.title)),
        Line::from(Span::styled(
            "STRIDE threat-modeling workshops: scope, walk, vote, plan, export.",
            s.muted,
        )),
        s.key_hints(
            &[
                ("n", "new session"),
                ("D", "the demo"),
                ("Enter", "open"),
                ("?", "all keys"),
            ],
            3,
        ),
    ];
    frame.render_widget(Paragraph::new(text).style(s.base), intro);

    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(s.border_focus)
        .title(Span::styled(" Sessions ", s.title));
    if home.sessions.is_empty() {
        let searched: Vec<String> = home.searched.iter().map(|p| relative(p)).collect();
        let message = vec![
            Line::from("No sessions yet."),
            Line::from(Span::styled(
                format!("Looked in: {}", searched.join(", ")),
                s.muted,
            )),
            Line::from(""),
            Line::from("Press n to start one, or D to open the demo."),
        ];
        frame.render_widget(Paragraph::new(message).block(block).style(s.base), list);
        return;
    }
    let rows = home.sessions.iter().map(|e| {
        let updated = e.updated.map(|t| t.human()).unwrap_or_default();
        let (phase, threats) = match &e.problem {
            Some(_) => ("unreadable".to_string(), String::new()),
            None => (
                format!("{} {}", e.phase.index() + 1, e.phase.name()),
                e.threats.to_string(),
            ),
        };
        Row::new(vec![
            Cell::from(one_line(&e.title).into_owned()),
            Cell::from(phase),
            Cell::from(threats),
            Cell::from(updated),
            Cell::from(one_line(&relative(&e.path)).into_owned()).style(s.muted),
        ])
    });
    let table = Table::new(
        rows,
        [
            Constraint::Fill(3),
            Constraint::Length(14),
            Constraint::Length(7),
            Constraint::Length(20),
            Constraint::Fill(2),
        ],
    )
    .header(
        Row::new(["Title", "Phase", "Threats", "Updated", "File"])
            .style(s.muted.add_modifier(Modifier::BOLD)),
    );
    super::cursor_table(frame, list, app, table, block, home.cursor);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scan_lists_sessions_newest_first_and_flags_broken_files() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("demo.toml"), crate::DEMO_SESSION).unwrap();
        std::fs::write(
            dir.path().join("new.toml"),
            "schema = 1\ntitle = \"Newer\"\nupdated = \"2027-01-01T00:00:00Z\"\ncreated = \"2027-01-01T00:00:00Z\"\n",
        )
        .unwrap();
        std::fs::write(dir.path().join("broken.toml"), "title = ").unwrap();
        let entries = scan(&[dir.path().to_path_buf()]);
        let titles: Vec<&str> = entries.iter().map(|e| e.title.as_str()).collect();
        assert_eq!(titles, ["Newer", "LeeJames HR payslips", "broken"]);
        assert_eq!(entries[1].threats, 12);
        assert_eq!(entries[1].phase, Phase::Review);
        assert!(entries[2].problem.is_some());
    }
}
