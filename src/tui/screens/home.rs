//! The home screen: recent sessions, a new one, or the demo.

use std::path::{Path, PathBuf};

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use super::{cursor_table, table_room};
use crate::core::discovery::SessionEntry;
use crate::core::text::{one_line, plural};
use crate::tui::action::Action;
use crate::tui::context::{Effect, Offer, Purpose, Shell};
use crate::tui::form::{Choice, Field, Form};
use crate::tui::widgets::list::{self, Filter};
use crate::tui::widgets::table::{Column, Field as Cell, fitted};

#[derive(Debug, Clone, Default)]
pub struct HomeScreen {
    pub sessions: Vec<SessionEntry>,
    /// Position among the sessions the filter keeps.
    pub cursor: usize,
    /// Where sessions were looked for, for the empty-list message.
    pub searched: Vec<PathBuf>,
    pub filter: Filter,
}

/// What the filter matches of a session: its title and file.
fn entry_text(e: &SessionEntry) -> String {
    format!("{} {}", e.title, e.path.display())
}

/// The one form home opens.
struct NewSession;

impl HomeScreen {
    pub fn new(sessions: Vec<SessionEntry>, searched: Vec<PathBuf>) -> HomeScreen {
        HomeScreen {
            sessions,
            searched,
            ..HomeScreen::default()
        }
    }

    /// Sessions the filter keeps, by position.
    fn shown(&self) -> Vec<usize> {
        self.filter.keep(self.sessions.iter(), entry_text)
    }

    pub fn selected(&self) -> Option<&SessionEntry> {
        let i = *self.shown().get(self.cursor)?;
        self.sessions.get(i)
    }

    pub fn offer(&self, action: &Action) -> Offer {
        if self.filter.is_typing() {
            return Filter::typing_offer(action);
        }
        match action {
            a if list::is_movement(a) => Offer::Enabled,
            Action::Open => Offer::when(
                self.selected().is_some(),
                "No session here: n starts one, D opens the demo",
            ),
            Action::Filter => Offer::when(!self.sessions.is_empty(), "No sessions to filter"),
            Action::Cancel if self.filter.is_active() => Offer::Enabled,
            Action::NewSession | Action::OpenDemo | Action::Refresh | Action::Quit => {
                Offer::Enabled
            }
            _ => Offer::Hidden,
        }
    }

    pub fn update(&mut self, action: Action, shell: &mut Shell) {
        if self.filter.is_typing() {
            let sessions = &self.sessions;
            let count = |f: &Filter| f.keep(sessions.iter(), entry_text).len();
            self.filter
                .typing_update(action, &mut self.cursor, count, shell.page);
            return;
        }
        match action {
            a if list::is_movement(&a) => {
                let len = self.shown().len();
                list::move_cursor(&mut self.cursor, len, &a, shell.page);
            }
            Action::Filter => {
                self.filter.start();
                self.cursor = 0;
            }
            Action::Cancel => self.filter.clear(),
            Action::Open => {
                if let Some(entry) = self.selected() {
                    if entry.is_broken() {
                        let lines = entry.problems.iter().map(ToString::to_string).collect();
                        shell.show_problems(
                            format!("{} cannot be opened", relative(&entry.path)),
                            lines,
                        );
                    } else {
                        shell.effect(Effect::OpenSession(entry.path.clone()));
                    }
                }
            }
            Action::NewSession => shell.open_form(new_session_form(), Purpose::new(NewSession)),
            Action::OpenDemo => shell.effect(Effect::OpenDemo),
            Action::Refresh => shell.effect(Effect::RefreshHome),
            _ => {}
        }
    }

    /// Saves the new-session form.
    pub fn submit(&mut self, purpose: &Purpose, form: &Form, shell: &mut Shell) {
        if purpose.get::<NewSession>().is_none() {
            return;
        }
        let template = match form.key("template").as_deref() {
            Some("quick") => crate::core::model::Template::Quick,
            _ => crate::core::model::Template::Workshop,
        };
        let facilitator = Some(form.text("facilitator")).filter(|f| !f.is_empty());
        shell.effect(Effect::CreateSession {
            title: form.text("title"),
            template,
            facilitator,
        });
    }

    pub fn typing(&self) -> bool {
        self.filter.is_typing()
    }
}

fn new_session_form() -> Form {
    Form::new(
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
            Field::line(
                "facilitator",
                "Your name (the facilitator; more people are added in Setup)",
                "",
            ),
        ],
    )
}

/// A path as the user would type it: relative to the working directory,
/// or with the home directory as `~`.
fn relative(path: &Path) -> String {
    if let Ok(cwd) = std::env::current_dir()
        && let Ok(rel) = path.strip_prefix(cwd)
    {
        return rel.display().to_string();
    }
    if let Some(home) = directories::BaseDirs::new().map(|b| b.home_dir().to_path_buf())
        && let Ok(rel) = path.strip_prefix(&home)
    {
        return format!("~/{}", rel.display());
    }
    path.display().to_string()
}

pub fn draw(frame: &mut Frame, area: Rect, styles: &crate::tui::style::Styles, home: &HomeScreen) {
    let s = styles;
    let [intro, list_area] =
        Layout::vertical([Constraint::Length(4), Constraint::Min(3)]).areas(area);
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

    let shown = home.shown();
    let mut title = vec![Span::styled(" Sessions ", s.title)];
    if home.filter.is_typing() || home.filter.is_active() {
        let caret = if home.filter.is_typing() { "▏" } else { "" };
        title.push(Span::styled(
            format!("/{}{caret} ", one_line(home.filter.text())),
            s.accent,
        ));
        title.push(Span::styled(
            format!("{} of {} ", shown.len(), home.sessions.len()),
            s.muted,
        ));
    }
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(s.border_focus)
        .title(Line::from(title));
    if shown.is_empty() {
        let message = if home.sessions.is_empty() {
            let searched: Vec<String> = home.searched.iter().map(|p| relative(p)).collect();
            vec![
                Line::from("No sessions yet."),
                Line::from(Span::styled(
                    format!("Looked in: {}", searched.join(", ")),
                    s.muted,
                )),
                Line::from(""),
                Line::from("Press n to start one, or D to open the demo."),
            ]
        } else {
            vec![Line::from("No session matches the filter: Esc clears it.")]
        };
        frame.render_widget(
            Paragraph::new(message).block(block).style(s.base),
            list_area,
        );
        return;
    }
    let height = usize::from(block.inner(list_area).height.saturating_sub(1));
    let window = list::window(shown.len(), home.cursor, height);
    let rows = shown[window.clone()]
        .iter()
        .filter_map(|&i| home.sessions.get(i))
        .map(|e| {
            // The column's heading says UTC once.
            let updated = e
                .updated
                .map(|t| t.human().trim_end_matches(" UTC").to_string())
                .unwrap_or_default();
            let path = Cell::styled(one_line(&relative(&e.path)), s.muted);
            if e.is_broken() {
                vec![
                    Cell::new(one_line(&e.title)),
                    Cell::styled("✗ broken", s.error),
                    Cell::styled(plural(e.error_count(), "error", "errors"), s.error),
                    Cell::new(""),
                    path,
                ]
            } else {
                vec![
                    Cell::new(one_line(&e.title)),
                    Cell::new(format!("{} {}", e.phase.index() + 1, e.phase.name())),
                    Cell::new(e.threats.to_string()),
                    Cell::new(updated),
                    path,
                ]
            }
        })
        .collect();
    let columns = [
        Column::name("Title"),
        Column::fixed("Phase", 12),
        Column::fixed("Threats", 8),
        Column::fixed("Updated (UTC)", 16),
        Column::extra("File").keep_end().min(12),
    ];
    let table = fitted(
        &columns,
        rows,
        table_room(list_area),
        s.muted.add_modifier(Modifier::BOLD),
    );
    let selected = home.cursor.min(window.end.saturating_sub(1)) - window.start;
    cursor_table(frame, list_area, s, table, block, selected);
}
