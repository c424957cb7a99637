//! Sharing (`S`): the address and join code to read out, the QR code of
//! the address, and the people who joined, to let in or remove.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, List, ListItem, ListState, Paragraph, Wrap};

use super::{Outcome, boxed, centered};
use crate::core::text::{fit, one_line, plural};
use crate::share::Admission;
use crate::tui::action::Action;
use crate::tui::share::Sharing;
use crate::tui::style::Styles;

#[derive(Debug, Clone, Default)]
pub struct ShareOverlay {
    pub cursor: usize,
}

/// What the share overlay asks the app to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ShareOutcome {
    Admit(u32),
    AdmitAll,
    Remove(u32),
    Stop,
}

impl ShareOverlay {
    pub fn update(&mut self, action: &Action, sharing: Option<&Sharing>) -> Outcome {
        let guests = sharing.map_or(&[][..], |s| s.guests.as_slice());
        let last = guests.len().saturating_sub(1);
        self.cursor = self.cursor.min(last);
        let selected = guests.get(self.cursor).map(|g| g.guest);
        match action {
            Action::Down => {
                self.cursor = (self.cursor + 1).min(last);
                Outcome::Stay
            }
            Action::Up => {
                self.cursor = self.cursor.saturating_sub(1);
                Outcome::Stay
            }
            Action::Add | Action::Open => {
                selected.map_or(Outcome::Stay, |g| Outcome::Share(ShareOutcome::Admit(g)))
            }
            Action::AdmitAll => Outcome::Share(ShareOutcome::AdmitAll),
            Action::Delete => {
                selected.map_or(Outcome::Stay, |g| Outcome::Share(ShareOutcome::Remove(g)))
            }
            Action::StopSharing => Outcome::Share(ShareOutcome::Stop),
            Action::Cancel => Outcome::Close,
            Action::Help => Outcome::Help,
            _ => Outcome::Stay,
        }
    }

    pub fn draw(&self, frame: &mut Frame, area: Rect, styles: &Styles, sharing: Option<&Sharing>) {
        let rect = centered(area, 100, 30);
        frame.render_widget(Clear, rect);
        let block = boxed(styles, "Sharing with participants' devices");
        let inner = block.inner(rect);
        frame.render_widget(block, rect);
        let Some(sharing) = sharing else {
            frame.render_widget(Paragraph::new("Not sharing").style(styles.base), inner);
            return;
        };
        // The QR code beside the text when both fit, otherwise the text.
        let qr = sharing.qr.as_ref().filter(|rows| {
            let side = u16::try_from(rows.len()).unwrap_or(u16::MAX);
            side.saturating_add(34) <= inner.width && side.div_ceil(2) <= inner.height
        });
        let (text_area, qr_area) = match qr {
            Some(rows) => {
                let side = u16::try_from(rows.len()).unwrap_or(u16::MAX);
                let [text, code] =
                    Layout::horizontal([Constraint::Min(30), Constraint::Length(side)])
                        .areas(inner);
                (text, Some((code, rows)))
            }
            None => (inner, None),
        };
        self.draw_text(frame, text_area, styles, sharing);
        if let Some((code_area, rows)) = qr_area {
            frame.render_widget(Paragraph::new(qr_lines(rows)), code_area);
        }
    }

    fn draw_text(&self, frame: &mut Frame, area: Rect, styles: &Styles, sharing: &Sharing) {
        let width = usize::from(area.width);
        let head = vec![
            Line::from(vec![
                Span::styled("Open ", styles.muted),
                Span::styled(
                    fit(&sharing.url, width.saturating_sub(5)).into_owned(),
                    styles.title,
                ),
            ]),
            Line::from(vec![
                Span::styled("Code ", styles.muted),
                Span::styled(sharing.code.clone(), styles.title),
            ]),
            Line::from(Span::styled(
                "Participants open it on a phone or laptop (or scan the QR code) and type the code; in a terminal: stridekit join URL --code CODE --as NAME",
                styles.muted,
            )),
            Line::from(""),
            Line::from(people_line(sharing)),
        ];
        let head_height = u16::try_from(head.len()).unwrap_or(u16::MAX);
        let [top, list_area] = Layout::vertical([
            Constraint::Length(head_height.saturating_add(1)),
            Constraint::Min(1),
        ])
        .areas(area);
        frame.render_widget(
            Paragraph::new(head)
                .wrap(Wrap { trim: true })
                .style(styles.base),
            top,
        );
        let items: Vec<ListItem> = sharing
            .guests
            .iter()
            .map(|g| {
                let (state, style) = match g.admission {
                    Admission::Waiting => ("waiting".to_string(), styles.warning),
                    Admission::In(id) => (
                        if g.connected > 0 {
                            format!("in as {id}")
                        } else {
                            format!("in as {id}, page closed")
                        },
                        styles.base,
                    ),
                    Admission::Removed => ("removed".to_string(), styles.muted),
                };
                let name = fit(&one_line(&g.name), 24).into_owned();
                ListItem::new(Line::from(vec![
                    Span::styled(format!("{name:<24} "), styles.base),
                    Span::styled(state, style),
                ]))
            })
            .collect();
        let list = List::new(items)
            .highlight_style(styles.selection())
            .highlight_symbol("› ")
            .style(styles.base);
        frame.render_stateful_widget(
            list,
            list_area,
            &mut ListState::default().with_selected(Some(self.cursor)),
        );
    }
}

fn people_line(sharing: &Sharing) -> String {
    let waiting = sharing.waiting();
    let inside = sharing
        .guests
        .iter()
        .filter(|g| matches!(g.admission, Admission::In(_)))
        .count();
    match (sharing.guests.is_empty(), waiting) {
        (true, _) => "Nobody has joined yet".to_string(),
        (false, 0) => format!("{} in", plural(inside, "person", "people")),
        (false, w) => format!(
            "{} in, {} waiting: a lets the selected one in",
            plural(inside, "person", "people"),
            w
        ),
    }
}

/// Two rows of modules per line: the upper half block in the upper
/// module's colour on the lower one's. Always black on white, whatever the
/// theme, so phones can read it.
fn qr_lines(rows: &[Vec<bool>]) -> Vec<Line<'static>> {
    let colour = |dark: bool| if dark { Color::Black } else { Color::White };
    rows.chunks(2)
        .filter_map(|pair| {
            let upper = pair.first()?;
            let lower = pair.get(1);
            Some(Line::from(
                upper
                    .iter()
                    .enumerate()
                    .map(|(x, &top)| {
                        let bottom = lower.and_then(|r| r.get(x)).copied().unwrap_or(false);
                        Span::styled("▀", Style::new().fg(colour(top)).bg(colour(bottom)))
                    })
                    .collect::<Vec<_>>(),
            ))
        })
        .collect()
}
