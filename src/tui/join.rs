//! `stridekit join`: a participant's terminal for a shared session. It
//! shows what the facilitator is on and lets the participant add threats
//! there (Brainstorm) and place their own dots (Vote). The facilitator's
//! stridekit holds the session; this screen only shows what the server
//! streams and sends requests, each on a thread of its own so typing never
//! waits for the network.
//!
//! As in the workshop screens: keys become actions through the one
//! keymap table, [`update`] changes the state and returns the requests to
//! send, [`draw`] only reads the state.

use std::collections::BTreeMap;
use std::sync::atomic::Ordering;
use std::sync::mpsc::{self, Sender};
use std::time::Duration;

use anyhow::{Context as _, Result};
use ratatui::Frame;
use ratatui::crossterm::event::{self, Event, KeyEventKind};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, List, ListItem, ListState, Paragraph, Wrap};
use ratatui_textarea::TextArea;

use super::action::Action;
use super::keymap::{self, Context};
use super::style::Styles;
use crate::core::ids::Id;
use crate::core::model::Phase;
use crate::core::participation::{Board, BoardVote, MAX_TITLE, VoteThreat};
use crate::core::text::{fit, one_line, plural};
use crate::core::theme::Theme;
use crate::share::client::{Client, Standing};

/// What wakes the join screen.
#[derive(Debug)]
pub enum JoinEvent {
    Input(Event),
    Standing(Standing),
    /// The stream ended, with why if it failed.
    Ended(Option<String>),
    /// A request's answer: the server's word, or its refusal.
    Answer(Result<String, String>),
}

/// A request to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Send {
    AddThreat(String),
    SetDots(Id, u32),
    Done(bool),
    Leave,
}

pub struct JoinApp {
    pub url: String,
    /// `None` until the server has said where the participant stands.
    pub standing: Option<Standing>,
    pub input: TextArea<'static>,
    /// The selected threat in Vote.
    pub cursor: usize,
    pub message: Option<(String, bool)>,
    pub quit: bool,
    /// Dots asked for and not yet seen on a board from the server, by
    /// threat: keys pressed quickly count from these, not from a board
    /// that is a request behind.
    pub pending_dots: BTreeMap<Id, u32>,
}

impl JoinApp {
    pub fn new(url: &str) -> JoinApp {
        JoinApp {
            url: url.to_string(),
            standing: None,
            input: TextArea::default(),
            cursor: 0,
            message: None,
            quit: false,
            pending_dots: BTreeMap::new(),
        }
    }

    /// The participant's dots on `threat` as they will be once the
    /// requests sent have landed.
    pub fn mine(&self, threat: &VoteThreat) -> u32 {
        self.pending_dots
            .get(&threat.id)
            .copied()
            .unwrap_or(threat.mine)
    }

    /// Dots spent, counting the requests still on their way.
    pub fn spent(&self, vote: &BoardVote) -> u32 {
        vote.threats.iter().fold(vote.spent, |spent, t| {
            (spent + self.mine(t)).saturating_sub(t.mine)
        })
    }

    fn board(&self) -> Option<&Board> {
        match &self.standing {
            Some(Standing::In(board)) => Some(board),
            _ => None,
        }
    }

    /// The keymap section in force.
    pub fn context(&self) -> Context {
        match self.board() {
            Some(b) if b.phase == Some(Phase::Brainstorm) && b.focus.is_some() => {
                Context::JoinBrainstorm
            }
            Some(b) if b.vote.as_ref().is_some_and(|v| v.ballots && !v.revealed) => {
                Context::JoinVote
            }
            _ => Context::JoinIdle,
        }
    }
}

/// Applies one event; returns what to send to the server.
pub fn update(app: &mut JoinApp, event: JoinEvent) -> Vec<Send> {
    match event {
        JoinEvent::Standing(standing) => {
            if standing == Standing::Removed {
                app.message = Some((
                    "The facilitator removed you, or the session closed".into(),
                    true,
                ));
            }
            app.standing = Some(standing);
            // A board that shows a request landed ends its wait.
            if let Some(vote) = app.board().and_then(|b| b.vote.clone()) {
                app.pending_dots
                    .retain(|id, dots| vote.threats.iter().any(|t| t.id == *id && t.mine != *dots));
            } else {
                app.pending_dots.clear();
            }
            if let Some(n) = app
                .board()
                .and_then(|b| b.vote.as_ref())
                .map(|v| v.threats.len())
            {
                app.cursor = app.cursor.min(n.saturating_sub(1));
            }
            Vec::new()
        }
        JoinEvent::Ended(why) => {
            app.message = Some((
                why.unwrap_or_else(|| "The facilitator stopped sharing".to_string()),
                true,
            ));
            if app.standing != Some(Standing::Removed) {
                app.standing = Some(Standing::Removed);
            }
            Vec::new()
        }
        JoinEvent::Answer(Ok(word)) => {
            app.message = (!word.is_empty()).then_some((word, false));
            Vec::new()
        }
        JoinEvent::Answer(Err(refusal)) => {
            // The board that comes with a refusal is the truth again.
            app.pending_dots.clear();
            app.message = Some((refusal, true));
            Vec::new()
        }
        JoinEvent::Input(Event::Key(key)) if key.kind != KeyEventKind::Release => {
            let context = app.context();
            match keymap::lookup(&[context, Context::Always], &key) {
                Some(binding) => act(app, &binding.action),
                None if context == Context::JoinBrainstorm => {
                    app.input.input(key);
                    Vec::new()
                }
                None => Vec::new(),
            }
        }
        JoinEvent::Input(Event::Paste(text)) if app.context() == Context::JoinBrainstorm => {
            // One line: a pasted list becomes one title with spaces.
            app.input.insert_str(one_line(&text));
            Vec::new()
        }
        JoinEvent::Input(_) => Vec::new(),
    }
}

fn act(app: &mut JoinApp, action: &Action) -> Vec<Send> {
    match action {
        Action::Quit => {
            app.quit = true;
            vec![Send::Leave]
        }
        Action::Submit => {
            let title = app.input.lines().join(" ").trim().to_string();
            if title.is_empty() {
                app.message = Some(("Type a threat first".into(), true));
                return Vec::new();
            }
            let title: String = title.chars().take(MAX_TITLE).collect();
            app.input = TextArea::default();
            vec![Send::AddThreat(title)]
        }
        Action::Cancel => {
            app.input = TextArea::default();
            Vec::new()
        }
        Action::Down | Action::Up => {
            let n = app
                .board()
                .and_then(|b| b.vote.as_ref())
                .map_or(0, |v| v.threats.len());
            app.cursor = if *action == Action::Down {
                (app.cursor + 1).min(n.saturating_sub(1))
            } else {
                app.cursor.saturating_sub(1)
            };
            Vec::new()
        }
        Action::More | Action::Less => {
            let Some(vote) = app.board().and_then(|b| b.vote.as_ref()) else {
                return Vec::new();
            };
            let Some(t) = vote.threats.get(app.cursor) else {
                return Vec::new();
            };
            let mine = app.mine(t);
            let dots = if *action == Action::More {
                mine.saturating_add(1)
            } else if mine == 0 {
                return Vec::new();
            } else {
                mine - 1
            };
            let id = t.id;
            // Shown at once; the server holds the budget and the cap, and
            // says no (then its board puts the screen right).
            app.pending_dots.insert(id, dots);
            vec![Send::SetDots(id, dots)]
        }
        Action::Toggle => {
            let done = app
                .board()
                .and_then(|b| b.vote.as_ref())
                .is_some_and(|v| v.done);
            vec![Send::Done(!done)]
        }
        _ => Vec::new(),
    }
}

pub fn draw(frame: &mut Frame, app: &JoinApp, styles: &Styles) {
    let area = frame.area();
    frame.render_widget(Block::default().style(styles.base), area);
    let [header, body, hints, status] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(3),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area);
    let title = match app.board() {
        Some(b) => format!(
            " stridekit join · {} · {}{}",
            one_line(&b.title),
            one_line(&b.my_name),
            if b.phase_name.is_empty() {
                String::new()
            } else {
                format!(" · {}", b.phase_name)
            }
        ),
        None => format!(" stridekit join · {}", one_line(&app.url)),
    };
    frame.render_widget(
        Paragraph::new(fit(&title, usize::from(area.width)).into_owned())
            .style(styles.header_title),
        header,
    );
    match (&app.standing, app.context()) {
        (None, _) => centred_text(frame, body, styles, "Connecting…"),
        (Some(Standing::Waiting { name }), _) => centred_text(
            frame,
            body,
            styles,
            &format!(
                "You asked to join as {}. The facilitator lets you in from their screen.",
                one_line(name)
            ),
        ),
        (Some(Standing::Removed), _) => centred_text(
            frame,
            body,
            styles,
            "You are not in the session any more. Run stridekit join again to ask back in.",
        ),
        (Some(Standing::In(board)), Context::JoinBrainstorm) => {
            brainstorm(frame, body, styles, app, board)
        }
        (Some(Standing::In(board)), _) if board.vote.is_some() => {
            vote(frame, body, styles, app, board)
        }
        (Some(Standing::In(board)), _) => {
            let text = if board.phase == Some(Phase::Brainstorm) {
                "The facilitator is choosing the next element."
            } else {
                "Nothing to do here in this phase: follow the shared screen."
            };
            let [top, rest] =
                Layout::vertical([Constraint::Length(3), Constraint::Min(1)]).areas(body);
            centred_text(frame, top, styles, text);
            my_threats(frame, rest, styles, board);
        }
    }
    let mut spans = Vec::new();
    let mut bindings: Vec<_> = keymap::bindings(app.context())
        .chain(keymap::bindings(Context::Always).filter(|b| b.action == Action::Quit))
        .filter(|b| b.hint.is_some() || b.action == Action::Quit)
        .collect();
    bindings.sort_by_key(|b| b.rank);
    for b in bindings {
        let key = b.keys.first().map(keymap::Key::label).unwrap_or_default();
        spans.push(Span::styled(format!(" {key}"), styles.hint_key));
        spans.push(Span::styled(
            format!(" {} ", b.hint.unwrap_or("quit")),
            styles.hint_text,
        ));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), hints);
    if let Some((text, error)) = &app.message {
        let style = if *error { styles.error } else { styles.success };
        frame.render_widget(
            Paragraph::new(
                fit(&format!(" {}", one_line(text)), usize::from(area.width)).into_owned(),
            )
            .style(style),
            status,
        );
    }
}

fn centred_text(frame: &mut Frame, area: Rect, styles: &Styles, text: &str) {
    frame.render_widget(
        Paragraph::new(text.to_string())
            .wrap(Wrap { trim: true })
            .style(styles.base)
            .block(
                Block::default()
                    .borders(Borders::ALL)
                    .border_style(styles.border),
            ),
        area,
    );
}

fn boxed<'a>(styles: &Styles, title: String) -> Block<'a> {
    Block::default()
        .borders(Borders::ALL)
        .border_style(styles.border)
        .title(Span::styled(format!(" {title} "), styles.title))
}

fn brainstorm(frame: &mut Frame, area: Rect, styles: &Styles, app: &JoinApp, board: &Board) {
    let Some(focus) = &board.focus else {
        return;
    };
    let prompts: Vec<Line> = focus
        .prompts
        .iter()
        .map(|p| Line::from(format!("? {}", one_line(p))))
        .collect();
    let prompt_rows = u16::try_from(prompts.len().min(6))
        .unwrap_or(6)
        .saturating_mul(2);
    let [now, input, mine] = Layout::vertical([
        Constraint::Length(prompt_rows.saturating_add(2).min(area.height / 2)),
        Constraint::Length(3),
        Constraint::Min(3),
    ])
    .areas(area);
    frame.render_widget(
        Paragraph::new(prompts)
            .wrap(Wrap { trim: true })
            .style(styles.muted)
            .block(boxed(
                styles,
                format!(
                    "Now: {} · {}",
                    one_line(&focus.element_name),
                    one_line(&focus.category_name)
                ),
            )),
        now,
    );
    let mut text = app.input.clone();
    text.set_block(
        boxed(styles, "A threat here (Enter adds it)".to_string())
            .border_style(styles.border_focus),
    );
    text.set_cursor_line_style(Style::default());
    frame.render_widget(&text, input);
    my_threats(frame, mine, styles, board);
}

fn my_threats(frame: &mut Frame, area: Rect, styles: &Styles, board: &Board) {
    let items: Vec<ListItem> = board
        .my_threats
        .iter()
        .rev()
        .map(|t| {
            let on = if t.element.is_empty() {
                String::new()
            } else {
                format!("  on {}", one_line(&t.element))
            };
            ListItem::new(Line::from(vec![
                Span::styled(format!("{} ", t.id), styles.muted),
                Span::styled(one_line(&t.title).into_owned(), styles.base),
                Span::styled(on, styles.muted),
            ]))
        })
        .collect();
    let title = format!("Your threats ({})", board.my_threats.len());
    frame.render_widget(List::new(items).block(boxed(styles, title)), area);
}

fn vote(frame: &mut Frame, area: Rect, styles: &Styles, app: &JoinApp, board: &Board) {
    let Some(vote) = &board.vote else {
        return;
    };
    let left = vote.budget.saturating_sub(app.spent(vote));
    let title = if !vote.ballots {
        "Vote: the facilitator counts this one".to_string()
    } else if vote.revealed {
        "Vote: revealed".to_string()
    } else {
        format!(
            "Vote: {} of {} left, at most {} on one threat{}",
            plural(left, "dot", "dots"),
            vote.budget,
            vote.cap,
            if vote.done { " · you are done" } else { "" }
        )
    };
    // Borders, the selection mark, the id, and room for the dots and the
    // total: the title takes the rest.
    let width = usize::from(area.width).saturating_sub(29);
    let items: Vec<ListItem> = vote
        .threats
        .iter()
        .map(|t| {
            let dots = "●".repeat(usize::try_from(app.mine(t).min(20)).unwrap_or(0));
            let total = t
                .total
                .map(|n| format!(" ({n} in all)"))
                .unwrap_or_default();
            ListItem::new(Line::from(vec![
                Span::styled(format!("{:<5}", t.id.to_string()), styles.muted),
                Span::styled(
                    format!("{:<width$}", fit(&one_line(&t.title), width)),
                    styles.base,
                ),
                Span::styled(format!(" {dots}{total}"), styles.accent),
            ]))
        })
        .collect();
    let list = List::new(items)
        .block(boxed(styles, title))
        .highlight_style(styles.selection())
        .highlight_symbol("› ");
    frame.render_stateful_widget(
        list,
        area,
        &mut ListState::default().with_selected(Some(app.cursor)),
    );
}

/// Joins the session at `url` and runs the screen until the participant
/// leaves or the session goes away.
pub fn run(url: &str, code: &str, name: &str, theme: Option<&Theme>, no_color: bool) -> Result<()> {
    let client = Client::join(url, code, name).context("cannot join")?;
    let mut styles_theme = theme.cloned().unwrap_or_else(Theme::plain);
    if no_color {
        styles_theme = styles_theme.without_color();
    }
    let styles = Styles::new(&styles_theme);
    let termination = super::terminal::termination_flag().context("cannot watch for signals")?;
    let mut guard =
        super::terminal::TerminalGuard::enter().context("cannot set up the terminal")?;
    let (events, receiver) = mpsc::channel();
    spawn_input(events.clone());
    spawn_follow(client.clone(), events.clone());
    let requests = spawn_sender(client.clone(), events.clone());
    let mut app = JoinApp::new(client.base());
    loop {
        guard.terminal.draw(|frame| draw(frame, &app, &styles))?;
        if app.quit || termination.load(Ordering::Relaxed) {
            break;
        }
        let Ok(first) = receiver.recv_timeout(Duration::from_millis(250)) else {
            continue;
        };
        for event in std::iter::once(first).chain(std::iter::from_fn(|| receiver.try_recv().ok())) {
            for request in update(&mut app, event) {
                // Leaving is sent before the screen goes: the sender
                // thread would die with it.
                if request == Send::Leave {
                    let _ = client.leave();
                } else {
                    let _ = requests.send(request);
                }
            }
        }
    }
    drop(guard);
    Ok(())
}

fn spawn_input(events: Sender<JoinEvent>) {
    std::thread::spawn(move || {
        while let Ok(event) = event::read() {
            if events.send(JoinEvent::Input(event)).is_err() {
                return;
            }
        }
    });
}

fn spawn_follow(client: Client, events: Sender<JoinEvent>) {
    std::thread::spawn(move || {
        let sink = events.clone();
        let result = client.follow(|standing| sink.send(JoinEvent::Standing(standing)).is_ok());
        let _ = events.send(JoinEvent::Ended(result.err().map(|e| e.to_string())));
    });
}

/// Sends requests one at a time, in the order they were made: two quick
/// presses of `+` must land as 1 then 2, never 2 then 1.
fn spawn_sender(client: Client, events: Sender<JoinEvent>) -> Sender<Send> {
    let (requests, queue) = mpsc::channel::<Send>();
    std::thread::spawn(move || {
        for request in queue {
            let result = match request {
                Send::AddThreat(title) => client.add_threat(&title, ""),
                Send::SetDots(threat, dots) => {
                    client.set_dots(threat, dots).map(|()| String::new())
                }
                Send::Done(done) => client.set_done(done).map(|()| String::new()),
                Send::Leave => client.leave().map(|()| String::new()),
            };
            let refused = result.is_err();
            if events
                .send(JoinEvent::Answer(result.map_err(|e| e.to_string())))
                .is_err()
            {
                return;
            }
            // A refusal changes nothing on the server, so no board follows
            // it: fetch one to put the screen right.
            if refused
                && let Ok(standing) = client.standing()
                && events.send(JoinEvent::Standing(standing)).is_err()
            {
                return;
            }
        }
    });
    requests
}
