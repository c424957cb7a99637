//! Drawing: a function of the app state alone.

use ratatui::Frame;
use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};

use super::app::{App, MIN_HEIGHT, MIN_WIDTH, Screen, SessionState, StatusKind};
use super::keymap::{self, Context};
use super::overlays;
use super::screens::{home, later, scope, setup};
use crate::core::model::Phase;
use crate::core::text::one_line;
use crate::core::timer::{self, TimerState};

pub fn draw(frame: &mut Frame, app: &App) {
    let area = frame.area();
    frame.render_widget(Block::default().style(app.styles.base), area);
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        too_small(frame, area, app);
        return;
    }
    match &app.screen {
        Screen::Home(home_state) => {
            let [body, hints, status] = Layout::vertical([
                Constraint::Min(3),
                Constraint::Length(1),
                Constraint::Length(1),
            ])
            .areas(area);
            home::view(
                frame,
                body.inner(ratatui::layout::Margin::new(1, 0)),
                app,
                home_state,
            );
            hint_bar(frame, hints, app);
            status_line(frame, status, app, None);
        }
        Screen::Session(state) => {
            let [header, body, hints, status] = Layout::vertical([
                Constraint::Length(2),
                Constraint::Min(3),
                Constraint::Length(1),
                Constraint::Length(1),
            ])
            .areas(area);
            session_header(frame, header, app, state);
            match state.session.phase {
                Phase::Setup => setup::view(frame, body, app, state),
                Phase::Scope => scope::view(frame, body, app, state),
                _ => later::view(frame, body, app, state),
            }
            hint_bar(frame, hints, app);
            status_line(frame, status, app, Some(state));
        }
    }
    overlays::draw(frame, area, app);
}

fn too_small(frame: &mut Frame, area: Rect, app: &App) {
    let text = format!(
        "Please enlarge the terminal (need {MIN_WIDTH}x{MIN_HEIGHT}, have {}x{})",
        area.width, area.height
    );
    let y = area.height / 2;
    let line = Rect::new(area.x, area.y + y, area.width, 1.min(area.height));
    frame.render_widget(
        Paragraph::new(text)
            .alignment(Alignment::Center)
            .style(app.styles.warning)
            .wrap(Wrap { trim: true }),
        if area.height >= 3 {
            Rect::new(
                area.x,
                area.y + y.saturating_sub(1),
                area.width,
                3.min(area.height - y.saturating_sub(1)),
            )
        } else {
            line
        },
    );
}

/// Line 1: title, read-only flag and timer. Line 2: the phase bar.
fn session_header(frame: &mut Frame, area: Rect, app: &App, state: &SessionState) {
    let s = &app.styles;
    let [top, bar] = Layout::vertical([Constraint::Length(1), Constraint::Length(1)]).areas(area);
    let session = &state.session;
    let reading = timer::reading(session, session.phase, app.now);
    let (clock_style, clock_label) = if !reading.running {
        (s.timer_paused, format!("⏸ {} paused", reading.display()))
    } else {
        match reading.state {
            TimerState::Normal => (s.timer_normal, format!("▶ {}", reading.display())),
            TimerState::Warning => (s.timer_warning, format!("▶ {} left", reading.display())),
            TimerState::Overtime => (s.timer_overtime, format!("▶ {} over", reading.display())),
        }
    };
    let clock = format!(" {clock_label} ");
    let read_only = if state.read_only.is_some() {
        " READ-ONLY "
    } else {
        ""
    };
    let clock_width = clock.chars().count() as u16;
    let ro_width = read_only.chars().count() as u16;
    let title_width = area.width.saturating_sub(clock_width + ro_width);
    let [title_area, ro_area, clock_area] = Layout::horizontal([
        Constraint::Length(title_width),
        Constraint::Length(ro_width),
        Constraint::Length(clock_width),
    ])
    .areas(top);
    frame.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled(" stridekit · ", s.header),
            Span::styled(
                one_line(&session.title).into_owned(),
                s.header.patch(s.title),
            ),
        ]))
        .style(s.header),
        title_area,
    );
    frame.render_widget(
        Paragraph::new(read_only).style(
            s.error
                .patch(Style::new().add_modifier(ratatui::style::Modifier::REVERSED)),
        ),
        ro_area,
    );
    frame.render_widget(Paragraph::new(clock).style(clock_style), clock_area);

    // Six phases take 65 columns with two spaces between them, 59 with one.
    let gap = if bar.width >= 65 { "  " } else { " " };
    let mut spans = vec![Span::raw(" ")];
    for phase in Phase::ALL {
        let style = if phase == session.phase {
            s.phase_current
        } else if phase < session.phase {
            s.phase_done
        } else {
            s.phase_todo
        };
        let marker = if phase == session.phase { "▸" } else { " " };
        spans.push(Span::styled(
            format!("{marker}{} {}", phase.index() + 1, phase.name()),
            style,
        ));
        spans.push(Span::raw(gap));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)).style(s.base), bar);
}

/// The main keys of the current screen, from the keymap.
fn hint_bar(frame: &mut Frame, area: Rect, app: &App) {
    let s = &app.styles;
    let contexts = app.contexts();
    let mut spans = Vec::new();
    let mut width = 0usize;
    let max = usize::from(area.width);
    let single_picker = matches!(
        app.overlays.last(),
        Some(super::app::Overlay::Picker(p)) if !p.multi
    );
    for b in keymap::bindings(&contexts) {
        let Some(hint) = b.hint else { continue };
        if single_picker && b.action == super::action::Action::Toggle {
            continue;
        }
        let key = b.keys.first().map(keymap::Key::label).unwrap_or_default();
        let len = key.chars().count() + hint.chars().count() + 3;
        if width + len > max {
            break;
        }
        width += len;
        spans.push(Span::styled(format!(" {key}"), s.hint_key));
        spans.push(Span::styled(format!(" {hint} "), s.hint_text));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)).style(s.base), area);
}

fn status_line(frame: &mut Frame, area: Rect, app: &App, state: Option<&SessionState>) {
    let s = &app.styles;
    let right = match state {
        Some(st) if st.read_only.is_some() => "read-only".to_string(),
        Some(st) => match (&st.save_error, st.last_saved) {
            (Some(_), _) => "NOT SAVED, retrying".to_string(),
            (None, Some(t)) if !st.dirty => format!("saved {}", clock_time(t)),
            (None, _) if st.dirty => "saving…".to_string(),
            _ => "saved".to_string(),
        },
        None => String::new(),
    };
    let right_style = match state {
        Some(st) if st.save_error.is_some() => s.error,
        _ => s.muted,
    };
    // A blank column on each side, so a long message never runs into it.
    let right = format!("{right} ");
    let right_width = right.chars().count() as u16 + 1;
    let [left_area, right_area] =
        Layout::horizontal([Constraint::Min(1), Constraint::Length(right_width)]).areas(area);
    if let Some(status) = &app.status {
        let style = match status.kind {
            StatusKind::Info => s.base,
            StatusKind::Success => s.success,
            StatusKind::Warning => s.warning,
            StatusKind::Error => s.error,
        };
        frame.render_widget(
            Paragraph::new(format!(" {}", one_line(&status.text))).style(style),
            left_area,
        );
    }
    frame.render_widget(
        Paragraph::new(right)
            .alignment(Alignment::Right)
            .style(right_style),
        right_area,
    );
}

fn clock_time(t: crate::core::time::Timestamp) -> String {
    let secs = t.unix().rem_euclid(86_400);
    format!(
        "{:02}:{:02}:{:02} UTC",
        secs / 3600,
        (secs % 3600) / 60,
        secs % 60
    )
}

/// Help text for the contexts of the screen under the overlay.
pub fn help_lines(app: &App) -> Vec<Line<'static>> {
    let s = &app.styles;
    let contexts = app.screen_contexts();
    let mut lines = Vec::new();
    let mut last: Option<&str> = None;
    for context in &contexts {
        for b in keymap::bindings(std::slice::from_ref(context)) {
            let title = b.context.title();
            if last != Some(title) {
                if last.is_some() {
                    lines.push(Line::from(""));
                }
                lines.push(Line::from(Span::styled(title.to_string(), s.title)));
                last = Some(title);
            }
            lines.push(Line::from(vec![
                Span::styled(format!("  {:<16}", keymap::keys_label(b)), s.hint_key),
                Span::raw(b.help.to_string()),
            ]));
        }
    }
    if contexts.contains(&Context::Session) {
        lines.push(Line::from(""));
        lines.push(Line::from(Span::styled(
            "Every change is saved at once; u undoes it.",
            s.muted,
        )));
    }
    lines
}
