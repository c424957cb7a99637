//! Phase 6, Review: "Did we do a good job?" Coverage of the walk, threats
//! per category, minutes planned and spent, the backlog above the cut
//! line, the scope check's warnings and what is unfinished; `E` exports.

use std::any::Any;
use std::cell::{Ref, RefCell};

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use super::PhaseScreen;
use crate::core::model::{Phase, Session};
use crate::core::plan::Gap;
use crate::core::review::{self, Review};
use crate::core::stride::Category;
use crate::core::text::{fit, one_line, plural, width};
use crate::core::time::Timestamp;
use crate::tui::action::Action;
use crate::tui::context::{Ctx, Offer, View};
use crate::tui::keymap::Context;
use crate::tui::style::Styles;
use crate::tui::widgets::list;

/// The review as last worked out: good while the session and the second
/// on the clock (a running timer) stay the same.
#[derive(Debug, Clone, Default)]
struct Cached {
    key: Option<(u64, Timestamp)>,
    review: Option<Review>,
}

#[derive(Debug, Clone, Default)]
pub struct ReviewScreen {
    /// The first line shown.
    pub scroll: usize,
    cached: RefCell<Cached>,
}

impl ReviewScreen {
    fn review(&self, view: &View) -> Ref<'_, Review> {
        let key = Some((view.changes, view.now));
        if self.cached.borrow().key != key || self.cached.borrow().review.is_none() {
            *self.cached.borrow_mut() = Cached {
                key,
                review: Some(review::review(view.session, view.catalogs, view.now)),
            };
        }
        Ref::map(self.cached.borrow(), |c| {
            c.review
                .as_ref()
                .unwrap_or_else(|| unreachable!("filled above"))
        })
    }
}

impl PhaseScreen for ReviewScreen {
    fn phase(&self) -> Phase {
        Phase::Review
    }

    fn section(&self, _view: &View) -> Context {
        Context::Review
    }

    fn offer(&self, action: &Action, _view: &View) -> Offer {
        if list::is_movement(action) {
            Offer::Enabled
        } else {
            Offer::Hidden
        }
    }

    fn update(&mut self, action: Action, cx: &mut Ctx) {
        // The frame clamps the scroll to what there is to show.
        let page = cx.page.max(1);
        self.scroll = match action {
            Action::Up => self.scroll.saturating_sub(1),
            Action::Down => self.scroll.saturating_add(1),
            Action::PageUp => self.scroll.saturating_sub(page),
            Action::PageDown => self.scroll.saturating_add(page),
            Action::Top => 0,
            Action::Bottom => usize::MAX / 2,
            _ => self.scroll,
        };
    }

    fn clamp(&mut self, _view: &View) {
        self.scroll = 0;
    }

    fn header(&self, view: &View) -> Option<String> {
        let r = self.review(view);
        let open = unfinished_count(&r);
        Some(if open == 0 {
            "nothing unfinished".to_string()
        } else {
            format!("{} unfinished", open)
        })
    }

    fn draw(&self, frame: &mut Frame, area: Rect, view: &View) {
        let r = self.review(view);
        draw(self, frame, area, view, &r);
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

fn unfinished_count(r: &Review) -> usize {
    let (done, total) = r.coverage;
    r.unplanned.len() + r.never_looked_at().len() + usize::from(done < total)
}

fn heading(text: &str, st: &Styles) -> Line<'static> {
    Line::from(Span::styled(
        text.to_string(),
        st.title.add_modifier(Modifier::BOLD),
    ))
}

/// A bar of `width` cells, `filled` of `total` full.
fn bar(filled: usize, total: usize, room: usize) -> (String, String) {
    let full = (filled.saturating_mul(room))
        .checked_div(total)
        .unwrap_or(0)
        .min(room);
    ("█".repeat(full), "░".repeat(room - full))
}

fn clock(secs: u64) -> String {
    format!("{}:{:02}", secs / 60, secs % 60)
}

fn coverage_lines(r: &Review, st: &Styles) -> Vec<Line<'static>> {
    let (done, total) = r.coverage;
    let percent = (done * 100).checked_div(total).unwrap_or(100);
    let (full, empty) = bar(done, total, 20);
    let mut lines = vec![
        heading("Coverage of the walk", st),
        Line::from(vec![
            Span::styled(full, if done == total { st.success } else { st.accent }),
            Span::styled(empty, st.muted),
            Span::styled(
                format!(" {done} of {total} cells dealt with ({percent}%)"),
                st.base,
            ),
        ]),
        Line::from(""),
        Line::from(Span::styled(
            "   Category                threats  walked",
            st.muted,
        )),
    ];
    for (category, c) in Category::ALL.into_iter().zip(r.categories) {
        let (full, empty) = bar(c.done, c.cells, 8);
        let walked = if c.cells == 0 {
            Span::styled("does not apply", st.muted)
        } else {
            Span::styled(
                format!("{:>3}/{:<3}", c.done, c.cells),
                if c.done == 0 { st.warning } else { st.base },
            )
        };
        lines.push(Line::from(vec![
            Span::styled(format!(" {} ", category.letter()), st.stride(category)),
            Span::styled(format!("{:<22}", category.name()), st.base),
            Span::styled(format!("{:>7}  ", c.threats), st.base),
            walked,
            Span::raw(" "),
            Span::styled(full, st.stride(category)),
            Span::styled(empty, st.muted),
        ]));
    }
    lines
}

fn time_lines(r: &Review, st: &Styles) -> Vec<Line<'static>> {
    let mut lines = vec![heading("Time", st)];
    if r.time.is_empty() {
        lines.push(Line::from(Span::styled(
            "No agenda: the session has no timers.",
            st.muted,
        )));
        return lines;
    }
    lines.push(Line::from(Span::styled(
        "   Phase        planned  added   actual",
        st.muted,
    )));
    let (mut planned, mut added, mut actual) = (0u64, 0u64, 0u64);
    for t in &r.time {
        planned = planned.saturating_add(t.planned_secs);
        added = added.saturating_add(t.added_secs);
        actual = actual.saturating_add(t.actual_secs);
        lines.push(time_line(
            &format!("{} {}", t.phase.index() + 1, t.phase.name()),
            t.planned_secs,
            t.added_secs,
            t.actual_secs,
            st,
        ));
    }
    lines.push(time_line("  Total", planned, added, actual, st));
    lines
}

fn time_line(name: &str, planned: u64, added: u64, actual: u64, st: &Styles) -> Line<'static> {
    let budget = planned.saturating_add(added);
    let over = actual > budget;
    let added = if added > 0 {
        format!("+{}", clock(added))
    } else {
        String::new()
    };
    let difference = if over {
        format!(" +{} over", clock(actual - budget))
    } else {
        String::new()
    };
    Line::from(vec![
        Span::styled(format!("   {name:<12}"), st.base),
        Span::styled(format!("{:>7}", clock(planned)), st.base),
        Span::styled(format!("{added:>7}"), st.muted),
        Span::styled(
            format!("{:>9}", clock(actual)),
            if over { st.warning } else { st.base },
        ),
        Span::styled(difference, st.warning),
    ])
}

/// The most threats a list on the review shows; Plan has them all.
const LISTED: usize = 30;

fn backlog_lines(r: &Review, s: &Session, st: &Styles) -> Vec<Line<'static>> {
    let o = &r.overview;
    let mut lines = vec![heading(
        &format!("The backlog: the top {} of {}", o.backlog, o.ranking.len()),
        st,
    )];
    if o.ranking.is_empty() {
        lines.push(Line::from(Span::styled(
            "No threats: Brainstorm captures them.",
            st.muted,
        )));
        return lines;
    }
    if crate::core::scoring::votes_hidden(s) {
        lines.push(Line::from(Span::styled(
            "The vote is not revealed yet: reveal it in Vote (r).",
            st.warning,
        )));
        return lines;
    }
    for (ranked, gap) in o.ranking[..o.backlog].iter().zip(&o.gaps).take(LISTED) {
        let Some(t) = s.threat(ranked.threat) else {
            continue;
        };
        let gap = *gap;
        let owners: Vec<String> = {
            let mut owners: Vec<String> = Vec::new();
            for m in o.mitigations_of(s, t.id) {
                let owner = one_line(m.owner.trim()).into_owned();
                if !owner.is_empty() && !owners.contains(&owner) {
                    owners.push(owner);
                }
            }
            owners
        };
        let (plan, style) = match gap {
            Some(g) => (g.describe().to_string(), st.warning),
            None if owners.is_empty() => (t.status.key().to_string(), st.success),
            None => (owners.join(", "), st.success),
        };
        lines.push(Line::from(vec![
            Span::styled(
                format!("{:>3}{} ", ranked.rank, if ranked.tied { "=" } else { " " }),
                st.muted,
            ),
            Span::styled(format!("{:<4} ", t.id.to_string()), st.muted),
            Span::styled(t.category.letter().to_string(), st.stride(t.category)),
            Span::raw(" "),
            Span::styled(format!("{:<12} ", fit(&plan, 12)), style),
            Span::styled(one_line(&t.title).into_owned(), st.base),
        ]));
    }
    if o.backlog > LISTED {
        lines.push(Line::from(Span::styled(
            format!("  … and {} more: Plan lists them all", o.backlog - LISTED),
            st.muted,
        )));
    }
    lines
}

fn unfinished_lines(r: &Review, s: &Session, st: &Styles) -> Vec<Line<'static>> {
    let mut lines = vec![heading("Unfinished", st)];
    let item = |text: String, style: Style| {
        Line::from(vec![Span::styled(" • ", style), Span::styled(text, style)])
    };
    // Which threats are in the backlog would give a secret vote away.
    let unplanned: &[(crate::core::ids::Id, Gap)] = if crate::core::scoring::votes_hidden(s) {
        &[]
    } else {
        &r.unplanned
    };
    for (id, gap) in unplanned.iter().take(LISTED) {
        let title = s
            .threat(*id)
            .map_or(String::new(), |t| one_line(&t.title).into_owned());
        let what = match gap {
            Gap::NoPlan => "no mitigation planned",
            Gap::NoOwner => "nobody owns its mitigation",
        };
        lines.push(item(format!("{id} {what} (Plan): {title}"), st.warning));
    }
    if unplanned.len() > LISTED {
        lines.push(item(
            format!(
                "… and {} more backlog threats without an owned plan (Plan)",
                unplanned.len() - LISTED
            ),
            st.warning,
        ));
    }
    for category in r.never_looked_at() {
        lines.push(item(
            format!("{} was never looked at (Brainstorm)", category.name()),
            st.warning,
        ));
    }
    let (done, total) = r.coverage;
    if done < total {
        lines.push(item(
            format!(
                "{} of the walk not dealt with (Brainstorm)",
                plural(total - done, "cell", "cells")
            ),
            st.warning,
        ));
    }
    if lines.len() == 1 {
        lines.push(Line::from(Span::styled(
            " Nothing: every cell walked, every backlog threat planned and owned.",
            st.success,
        )));
    }
    // Not counted as unfinished (the header's count): a quick session
    // rarely rates everything or decides every candidate.
    if r.undecided > 0 || r.unrated > 0 {
        lines.push(Line::from(""));
        lines.push(heading("Worth a look if there is time", st));
    }
    if r.undecided > 0 {
        lines.push(item(
            format!(
                "{} from the catalog neither taken nor dismissed (Brainstorm, r)",
                plural(r.undecided, "candidate", "candidates")
            ),
            st.muted,
        ));
    }
    if r.unrated > 0 {
        lines.push(item(
            format!(
                "{} without likelihood and impact (Vote, v)",
                plural(r.unrated, "threat", "threats")
            ),
            st.muted,
        ));
    }
    lines.push(Line::from(""));
    lines.push(heading("Scope check", st));
    if r.scope_gaps.is_empty() {
        lines.push(Line::from(Span::styled(
            " The scope has assets, entry points and connected components.",
            st.success,
        )));
    }
    for gap in &r.scope_gaps {
        lines.push(item(gap.clone(), st.warning));
    }
    lines
}

/// `lines` cut to `room` columns each, span by span.
fn cut(lines: Vec<Line<'static>>, room: usize) -> Vec<Line<'static>> {
    lines
        .into_iter()
        .map(|line| {
            let mut used = 0;
            let spans: Vec<Span<'static>> = line
                .spans
                .into_iter()
                .filter_map(|span| {
                    let left = room.saturating_sub(used);
                    if left == 0 {
                        return None;
                    }
                    let text = fit(&span.content, left).into_owned();
                    used += width(&text);
                    Some(Span::styled(text, span.style))
                })
                .collect();
            Line::from(spans)
        })
        .collect()
}

fn draw(screen: &ReviewScreen, frame: &mut Frame, area: Rect, view: &View, r: &Review) {
    let s = view.session;
    let st = view.styles;
    let mut left = coverage_lines(r, st);
    left.push(Line::from(""));
    left.extend(time_lines(r, st));
    let mut right = backlog_lines(r, s, st);
    right.push(Line::from(""));
    right.extend(unfinished_lines(r, s, st));
    let block = |title: &str| {
        Block::default()
            .borders(Borders::ALL)
            .border_style(st.border)
            .title(Span::styled(format!(" {title} "), st.title))
    };
    let columns: Vec<(Rect, Vec<Line<'static>>)> = if area.width >= 110 {
        let [a, b] = Layout::horizontal([Constraint::Fill(1), Constraint::Fill(1)]).areas(area);
        vec![(a, left), (b, right)]
    } else {
        let mut all = right;
        all.push(Line::from(""));
        all.extend(left);
        vec![(area, all)]
    };
    let tallest = columns.iter().map(|(_, l)| l.len()).max().unwrap_or(0);
    let height = usize::from(area.height.saturating_sub(2));
    let scroll = screen.scroll.min(tallest.saturating_sub(height));
    let below = tallest.saturating_sub(scroll + height);
    let last = columns.len().saturating_sub(1);
    for (i, (rect, lines)) in columns.into_iter().enumerate() {
        let title = match i {
            0 if area.width >= 110 => "How we did",
            _ if area.width >= 110 => "What we decided",
            _ => "Review",
        };
        let mut b = block(title);
        // The screen is taller than the terminal more often than not: say
        // so, and how to see the rest.
        if i == last && (below > 0 || scroll > 0) {
            let text = if below > 0 {
                format!(" ↓ {} (j, PgDn) ", plural(below, "more line", "more lines"))
            } else {
                " ↑ k, PgUp: back up ".to_string()
            };
            b = b.title_bottom(Line::from(Span::styled(text, st.muted)).right_aligned());
        }
        let room = usize::from(b.inner(rect).width);
        let shown: Vec<Line<'static>> = cut(lines, room).into_iter().skip(scroll).collect();
        frame.render_widget(Paragraph::new(shown).block(b).style(st.base), rect);
    }
}
