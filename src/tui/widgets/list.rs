//! What every list on every screen does alike: the cursor and paging, the
//! rows in view, a `/` filter, deleting the selected item with undo, and
//! elements as picker items.

use std::ops::Range;

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::core::catalog::Catalogs;
use crate::core::edit::{self, Removed};
use crate::core::ids::{Id, IdKind};
use crate::core::model::Session;
use crate::core::text::one_line;
use crate::tui::action::Action;
use crate::tui::context::{Ctx, Offer, Say};
use crate::tui::picker::PickItem;

/// Whether `action` moves a list cursor.
pub fn is_movement(action: &Action) -> bool {
    matches!(
        action,
        Action::Up
            | Action::Down
            | Action::PageUp
            | Action::PageDown
            | Action::Top
            | Action::Bottom
    )
}

/// Moves a list cursor by one action, clamped to `len` items; `page` is
/// how far PgUp/PgDn go.
pub fn move_cursor(cursor: &mut usize, len: usize, action: &Action, page: usize) {
    if len == 0 {
        *cursor = 0;
        return;
    }
    let last = len - 1;
    *cursor = match action {
        Action::Up => cursor.saturating_sub(1),
        Action::Down => cursor.saturating_add(1).min(last),
        Action::PageUp => cursor.saturating_sub(page.max(1)),
        Action::PageDown => cursor.saturating_add(page.max(1)).min(last),
        Action::Top => 0,
        Action::Bottom => last,
        _ => (*cursor).min(last),
    };
}

/// Keeps a cursor inside a list of `len` items (after a delete or undo).
pub fn clamp(cursor: &mut usize, len: usize) {
    *cursor = (*cursor).min(len.saturating_sub(1));
}

/// The pane after (NextPane) or before (PrevPane) pane `current` of
/// `count`, wrapping around.
pub fn cycle(current: usize, count: usize, action: &Action) -> usize {
    let count = count.max(1);
    if *action == Action::PrevPane {
        (current + count - 1) % count
    } else {
        (current + 1) % count
    }
}

/// The rows of a `len`-row table that ratatui shows in `height` lines with
/// the cursor on row `cursor`, for a table drawn with a fresh
/// `TableState` (offset 0), as every frame here is: the first `height`
/// rows, or the `height` rows ending at the cursor once it is below them.
/// Only these are built, so a frame costs the same for ten items or ten
/// thousand. Never empty when `len` is not: with no room at all it is the
/// cursor's row, so the table still has a selection.
pub fn window(len: usize, cursor: usize, height: usize) -> Range<usize> {
    if len == 0 {
        return 0..0;
    }
    let cursor = cursor.min(len - 1);
    let height = height.max(1);
    let start = (cursor + 1).saturating_sub(height);
    start..(start + height).min(len)
}

/// A filter typed after `/`: while typing, letters are text, not keys;
/// Enter keeps it, Esc clears it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    text: String,
    typing: bool,
}

impl Filter {
    pub fn start(&mut self) {
        self.typing = true;
    }

    /// Letters go into the filter.
    pub fn is_typing(&self) -> bool {
        self.typing
    }

    /// Something is filtered out.
    pub fn is_active(&self) -> bool {
        !self.text.trim().is_empty()
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    /// Stops typing, keeping the filter.
    pub fn accept(&mut self) {
        self.typing = false;
    }

    pub fn clear(&mut self) {
        *self = Filter::default();
    }

    /// A typed key; true if the text changed.
    pub fn input(&mut self, key: KeyEvent) -> bool {
        if key.modifiers.contains(KeyModifiers::CONTROL) {
            if key.code == KeyCode::Char('u') && !self.text.is_empty() {
                self.text.clear();
                return true;
            }
            return false;
        }
        match key.code {
            KeyCode::Char(c) if !c.is_control() => {
                self.text.push(c);
                true
            }
            KeyCode::Backspace => self.text.pop().is_some(),
            _ => false,
        }
    }

    pub fn paste(&mut self, text: &str) {
        self.text
            .extend(text.chars().map(|c| if c.is_control() { ' ' } else { c }));
    }

    /// Every word of the filter appears in `haystack`, ignoring case.
    pub fn matches(&self, haystack: &str) -> bool {
        let haystack = haystack.to_lowercase();
        self.text
            .to_lowercase()
            .split_whitespace()
            .all(|word| haystack.contains(word))
    }

    /// What works while the filter is being typed: its own keys and text.
    pub fn typing_offer(action: &Action) -> Offer {
        match action {
            Action::Open | Action::Cancel | Action::Up | Action::Down => Offer::Enabled,
            Action::Input(_) | Action::Paste(_) => Offer::Enabled,
            _ => Offer::Hidden,
        }
    }

    /// A key while typing: Enter keeps the filter, Esc clears it, text
    /// changes it (and puts the `cursor` back on the first match), arrows
    /// move in what it keeps; `shown` counts the matches.
    pub fn typing_update(
        &mut self,
        action: Action,
        cursor: &mut usize,
        shown: impl Fn(&Filter) -> usize,
        page: usize,
    ) {
        match action {
            Action::Open => self.accept(),
            Action::Cancel => self.clear(),
            Action::Input(key) if self.input(key) => *cursor = 0,
            Action::Paste(text) => {
                self.paste(&text);
                *cursor = 0;
            }
            Action::Up | Action::Down => move_cursor(cursor, shown(self), &action, page),
            _ => {}
        }
    }

    /// The positions of `items` that match, in order.
    pub fn keep<'a, T>(
        &self,
        items: impl IntoIterator<Item = &'a T>,
        text: impl Fn(&T) -> String,
    ) -> Vec<usize>
    where
        T: 'a,
    {
        items
            .into_iter()
            .enumerate()
            .filter(|(_, item)| !self.is_active() || self.matches(&text(item)))
            .map(|(i, _)| i)
            .collect()
    }
}

/// "Deleted Payslip API (C1); with F1, F2; u undoes".
pub fn deleted_message(label: &str, removed: &Removed) -> String {
    let extra = removed.describe();
    if extra.is_empty() {
        format!("Deleted {label}; u undoes")
    } else {
        format!("Deleted {label}; {extra}; u undoes")
    }
}

/// Deletes `id` and what depends on it, through the edit funnel, and says
/// so on the status line. True if something was deleted.
pub fn delete(cx: &mut Ctx, id: Id) -> bool {
    let label = one_line(&cx.session().describe(id)).into_owned();
    match cx.edit(format!("delete {label}"), |s| edit::delete(s, id)) {
        Some(Some(removed)) => {
            cx.info(deleted_message(&label, &removed));
            true
        }
        _ => false,
    }
}

/// An actor or component as a picker item: "Payslip API (C1)", with the
/// kind beside it.
pub fn element_item(s: &Session, catalogs: &Catalogs, id: Id) -> Option<PickItem> {
    let name = s.name(id)?;
    let detail = match id.kind {
        IdKind::Actor => "actor".to_string(),
        IdKind::Component => s
            .component(id)
            .map(|c| {
                catalogs
                    .kind(&c.kind)
                    .map_or(c.kind.clone(), |k| k.name.clone())
            })
            .unwrap_or_default(),
        _ => String::new(),
    };
    Some(PickItem::new(
        id.to_string(),
        format!("{name} ({id})"),
        detail,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_examples() {
        assert_eq!(window(0, 0, 10), 0..0);
        assert_eq!(window(5, 0, 10), 0..5);
        assert_eq!(window(5, 9, 3), 2..5);
        assert_eq!(window(100, 50, 0), 50..51);
    }

    #[test]
    fn cursors_stay_in_bounds() {
        let mut c = 0;
        move_cursor(&mut c, 3, &Action::Up, 10);
        assert_eq!(c, 0);
        move_cursor(&mut c, 3, &Action::PageDown, 10);
        assert_eq!(c, 2);
        move_cursor(&mut c, 0, &Action::Down, 10);
        assert_eq!(c, 0);
        let mut c = 7;
        clamp(&mut c, 3);
        assert_eq!(c, 2);
        assert_eq!(cycle(0, 4, &Action::PrevPane), 3);
        assert_eq!(cycle(3, 4, &Action::NextPane), 0);
    }

    #[test]
    fn filters_match_every_word_ignoring_case() {
        let mut f = Filter::default();
        f.paste("pay LAMBDA");
        assert!(f.matches("Payslip functions AWS Lambda"));
        assert!(!f.matches("Payslip bucket"));
        let names = ["Payslip API", "Staff functions", "payslip bucket"];
        let mut f = Filter::default();
        f.paste("payslip");
        assert_eq!(f.keep(names.iter(), |s| s.to_string()), [0, 2]);
        f.clear();
        assert_eq!(f.keep(names.iter(), |s| s.to_string()), [0, 1, 2]);
    }
}
