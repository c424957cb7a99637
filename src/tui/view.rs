//! Drawing: a function of the app state alone.

use ratatui::Frame;
use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};

use super::app::{App, MIN_HEIGHT, MIN_WIDTH, Screen, SessionState};
use super::context::StatusKind;
use super::keymap;
use super::screens::home;
use crate::core::model::Phase;
use crate::core::text::one_line;
use crate::core::text::{fit, width};
use crate::core::timer::{self, TimerState};

pub fn draw(frame: &mut Frame, app: &App) {
    let area = frame.area();
    frame.render_widget(Block::default().style(app.styles.base), area);
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        too_small(frame, area, app);
        return;
    }
    match &app.screen {
        Screen::Home(home_screen) => {
            let [body, hints, status] = Layout::vertical([
                Constraint::Min(3),
                Constraint::Length(1),
                Constraint::Length(1),
            ])
            .areas(area);
            home::draw(
                frame,
                body.inner(ratatui::layout::Margin::new(1, 0)),
                &app.styles,
                home_screen,
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
            let view = app.view(state);
            if let Some(screen) = state.current() {
                screen.draw(frame, body, &view);
            }
            hint_bar(frame, hints, app);
            status_line(frame, status, app, Some(state));
        }
    }
    for overlay in &app.overlays {
        let sharing = app.session().and_then(|s| s.sharing.as_ref());
        overlay.draw(frame, area, &app.styles, sharing);
    }
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
    let session = state.session();
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
    let read_only = if state.doc.read_only().is_some() {
        " READ-ONLY "
    } else {
        ""
    };
    // The screen's own note (Brainstorm's coverage), in the warning colour
    // once the phase runs over: a hint, never a block.
    let view = app.view(state);
    let note = state
        .current()
        .and_then(|screen| screen.header(&view))
        .map(|n| format!(" {n} "))
        .unwrap_or_default();
    let note_style = if reading.state == TimerState::Overtime {
        s.header.patch(s.warning)
    } else {
        s.header
    };
    let clock_width = width(&clock) as u16;
    let ro_width = width(read_only) as u16;
    let title_width = area.width.saturating_sub(clock_width + ro_width);
    // The note gives way to the title on a narrow screen.
    let note_width = (width(&note) as u16).min(title_width.saturating_sub(30));
    let title_width = title_width - note_width;
    let [title_area, note_area, ro_area, clock_area] = Layout::horizontal([
        Constraint::Length(title_width),
        Constraint::Length(note_width),
        Constraint::Length(ro_width),
        Constraint::Length(clock_width),
    ])
    .areas(top);
    frame.render_widget(
        Paragraph::new(fit(&note, usize::from(note_width)).into_owned()).style(note_style),
        note_area,
    );
    let prefix = " stridekit · ";
    let room = usize::from(title_width).saturating_sub(width(prefix) + 1);
    frame.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled(prefix, s.header),
            Span::styled(
                fit(&one_line(&session.title), room).into_owned(),
                s.header_title,
            ),
        ]))
        .style(s.header),
        title_area,
    );
    frame.render_widget(
        Paragraph::new(read_only)
            .style(s.error.patch(Style::new().add_modifier(Modifier::REVERSED))),
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

/// The bindings the hint bar shows in `room` columns, most important
/// first: every binding of the contexts in force that has a hint and
/// works right now, as many as fit.
pub fn hinted(app: &App, room: usize) -> Vec<&'static keymap::Binding> {
    let contexts = app.contexts();
    let mut candidates: Vec<&keymap::Binding> = contexts
        .iter()
        .flat_map(|c| keymap::bindings(*c))
        .filter(|b| b.hint.is_some() && app.offer(b).is_enabled())
        .filter(|b| !shadowed(&contexts, b))
        .collect();
    candidates.sort_by_key(|b| b.rank);
    let mut out: Vec<&'static keymap::Binding> = Vec::new();
    let mut used = 0usize;
    for b in candidates {
        // The same action under two contexts shows once.
        if out.iter().any(|o| o.hint == b.hint) {
            continue;
        }
        let len = width(&hint_key(b)) + b.hint.map_or(0, width) + 3;
        if used + len > room {
            continue;
        }
        used += len;
        out.push(b);
    }
    out
}

/// Whether the binding's first key belongs to a more specific context in
/// force (the Vote screen's Tab picks the voter, not the pane).
fn shadowed(contexts: &[keymap::Context], binding: &keymap::Binding) -> bool {
    let Some(key) = binding.keys.first() else {
        return false;
    };
    contexts
        .iter()
        .take_while(|c| **c != binding.context)
        .flat_map(|c| keymap::bindings(*c))
        .any(|other| other.keys.contains(key))
}

/// The key a hint names: a binding's first.
fn hint_key(b: &keymap::Binding) -> String {
    b.keys.first().map(keymap::Key::label).unwrap_or_default()
}

fn hint_bar(frame: &mut Frame, area: Rect, app: &App) {
    let s = &app.styles;
    // A form knows better than the key map what Enter does on its field.
    if let Some(crate::tui::overlays::Overlay::Form(f)) = app.overlays.last() {
        let mut line = s.key_hints(&crate::tui::overlays::form::footer_hints(&f.form), 2);
        line.spans.insert(0, Span::raw(" "));
        frame.render_widget(Paragraph::new(line).style(s.base), area);
        return;
    }
    let mut spans = Vec::new();
    for b in hinted(app, usize::from(area.width)) {
        spans.push(Span::styled(format!(" {}", hint_key(b)), s.hint_key));
        spans.push(Span::styled(
            format!(" {} ", b.hint.unwrap_or_default()),
            s.hint_text,
        ));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)).style(s.base), area);
}

fn status_line(frame: &mut Frame, area: Rect, app: &App, state: Option<&SessionState>) {
    let s = &app.styles;
    let right = match state {
        Some(st) if st.doc.read_only().is_some() => "read-only".to_string(),
        Some(st) if st.conflict => "NOT SAVED: changed on disk".to_string(),
        Some(st) => match (&st.save_error, st.last_saved) {
            (Some(_), _) => "NOT SAVED, retrying".to_string(),
            (None, Some(t)) if !st.is_dirty() => format!("saved {}", clock_time(t)),
            (None, _) if st.is_dirty() => "saving…".to_string(),
            _ => "saved".to_string(),
        },
        None => String::new(),
    };
    let right_style = match state {
        Some(st) if st.save_error.is_some() || st.conflict => s.error,
        _ => s.muted,
    };
    // A blank column on each side, so a long message never runs into it.
    let right = format!("{right} ");
    let right_width = width(&right) as u16 + 1;
    let [left_area, right_area] =
        Layout::horizontal([Constraint::Min(1), Constraint::Length(right_width)]).areas(area);
    if let Some(status) = &app.status {
        let style = match status.kind {
            StatusKind::Info => s.base,
            StatusKind::Success => s.success,
            StatusKind::Warning => s.warning,
            StatusKind::Error => s.error,
        };
        let room = usize::from(left_area.width).saturating_sub(1);
        frame.render_widget(
            Paragraph::new(format!(" {}", fit(&one_line(&status.text), room))).style(style),
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
