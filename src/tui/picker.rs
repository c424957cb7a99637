//! A filter-as-you-type list for choosing one item (a component's kind, a
//! flow's end) or marking several (the assets a flow carries).

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PickItem {
    pub key: String,
    pub label: String,
    /// Shown dimmed beside the label (a kind's id, an element's kind).
    pub detail: String,
    /// Lowercased words the filter matches, beyond label and detail.
    pub keywords: String,
}

impl PickItem {
    pub fn new(
        key: impl Into<String>,
        label: impl Into<String>,
        detail: impl Into<String>,
    ) -> PickItem {
        PickItem {
            key: key.into(),
            label: label.into(),
            detail: detail.into(),
            keywords: String::new(),
        }
    }

    pub fn with_keywords(mut self, keywords: &[String]) -> PickItem {
        self.keywords = keywords.join(" ").to_lowercase();
        self
    }

    /// Every word of the query appears in the label, detail, key or keywords.
    fn matches(&self, query: &str) -> bool {
        let haystack = format!(
            "{} {} {} {}",
            self.label.to_lowercase(),
            self.detail.to_lowercase(),
            self.key.to_lowercase(),
            self.keywords
        );
        query
            .to_lowercase()
            .split_whitespace()
            .all(|word| haystack.contains(word))
    }
}

#[derive(Debug, Clone)]
pub struct Picker {
    pub title: String,
    pub items: Vec<PickItem>,
    pub filter: String,
    /// Indices into `items` that match the filter.
    pub visible: Vec<usize>,
    /// Position in `visible`.
    pub cursor: usize,
    pub multi: bool,
    /// Marked keys (multi) or the current choice (single).
    pub marked: Vec<String>,
    /// Whether "none" is a valid single choice.
    pub allow_none: bool,
    /// The form field the result goes to.
    pub field: usize,
}

/// What the picker decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PickResult {
    Continue,
    Chosen(Vec<String>),
}

impl Picker {
    pub fn single(
        title: &str,
        items: Vec<PickItem>,
        current: Option<String>,
        allow_none: bool,
        field: usize,
    ) -> Picker {
        let mut items = items;
        if allow_none {
            // An explicit choice to clear the field.
            items.insert(0, PickItem::new("", "(none)", ""));
        }
        let mut p = Picker::build(
            title,
            items,
            current.into_iter().collect(),
            false,
            allow_none,
            field,
        );
        if let Some(current) = p.marked.first()
            && let Some(pos) = p.visible.iter().position(|&i| &p.items[i].key == current)
        {
            p.cursor = pos;
        }
        p
    }

    pub fn multi(title: &str, items: Vec<PickItem>, marked: Vec<String>, field: usize) -> Picker {
        Picker::build(title, items, marked, true, true, field)
    }

    fn build(
        title: &str,
        items: Vec<PickItem>,
        marked: Vec<String>,
        multi: bool,
        allow_none: bool,
        field: usize,
    ) -> Picker {
        let mut p = Picker {
            title: title.to_string(),
            items,
            filter: String::new(),
            visible: Vec::new(),
            cursor: 0,
            multi,
            marked,
            allow_none,
            field,
        };
        p.refilter();
        p
    }

    fn refilter(&mut self) {
        self.visible = self
            .items
            .iter()
            .enumerate()
            .filter(|(_, item)| item.matches(&self.filter))
            .map(|(i, _)| i)
            .collect();
        self.cursor = self.cursor.min(self.visible.len().saturating_sub(1));
    }

    pub fn current(&self) -> Option<&PickItem> {
        self.visible.get(self.cursor).map(|&i| &self.items[i])
    }

    pub fn is_marked(&self, item: &PickItem) -> bool {
        self.marked.contains(&item.key)
    }

    pub fn up(&mut self) {
        self.cursor = self.cursor.saturating_sub(1);
    }

    pub fn down(&mut self) {
        if self.cursor + 1 < self.visible.len() {
            self.cursor += 1;
        }
    }

    pub fn page(&mut self, down: bool, rows: usize) {
        for _ in 0..rows.max(1) {
            if down {
                self.down();
            } else {
                self.up();
            }
        }
    }

    /// Marks or unmarks the current item (multi pickers).
    pub fn toggle(&mut self) {
        if !self.multi {
            return;
        }
        let Some(key) = self.current().map(|i| i.key.clone()) else {
            return;
        };
        if let Some(pos) = self.marked.iter().position(|k| *k == key) {
            self.marked.remove(pos);
        } else {
            self.marked.push(key);
        }
    }

    /// Enter: the current item (single) or the marked set (multi; the
    /// current item alone if nothing is marked).
    pub fn choose(&self) -> PickResult {
        if self.multi {
            if self.marked.is_empty() {
                return PickResult::Chosen(
                    self.current().map(|i| i.key.clone()).into_iter().collect(),
                );
            }
            // Keep the list's order, not the order of marking.
            let chosen = self
                .items
                .iter()
                .filter(|i| self.marked.contains(&i.key))
                .map(|i| i.key.clone())
                .collect();
            return PickResult::Chosen(chosen);
        }
        match self.current() {
            Some(item) => PickResult::Chosen(vec![item.key.clone()]),
            None if self.allow_none => PickResult::Chosen(Vec::new()),
            None => PickResult::Continue,
        }
    }

    /// Typing edits the filter.
    pub fn input(&mut self, key: KeyEvent) {
        if key.modifiers.contains(KeyModifiers::CONTROL) {
            if key.code == KeyCode::Char('u') {
                self.filter.clear();
                self.refilter();
            }
            return;
        }
        match key.code {
            KeyCode::Char(c) => {
                self.filter.push(c);
                self.refilter();
            }
            KeyCode::Backspace => {
                self.filter.pop();
                self.refilter();
            }
            _ => {}
        }
    }

    pub fn paste(&mut self, text: &str) {
        self.filter.push_str(&text.replace(['\n', '\r'], " "));
        self.refilter();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::crossterm::event::KeyEventKind;

    fn items() -> Vec<PickItem> {
        vec![
            PickItem::new("aws.lambda", "AWS Lambda", "process")
                .with_keywords(&["function".to_string(), "serverless".to_string()]),
            PickItem::new("aws.s3", "Amazon S3", "data-store"),
            PickItem::new("generic.process", "Process / service", "process"),
        ]
    }

    fn typed(p: &mut Picker, text: &str) {
        for c in text.chars() {
            p.input(KeyEvent::new_with_kind(
                KeyCode::Char(c),
                KeyModifiers::NONE,
                KeyEventKind::Press,
            ));
        }
    }

    #[test]
    fn filters_on_every_word_including_keywords() {
        let mut p = Picker::single("Kind", items(), None, false, 0);
        assert_eq!(p.visible.len(), 3);
        typed(&mut p, "serverless");
        assert_eq!(p.choose(), PickResult::Chosen(vec!["aws.lambda".into()]));
        p.filter.clear();
        typed(&mut p, "proc aws");
        assert_eq!(p.current().unwrap().key, "aws.lambda");
        typed(&mut p, "zzz");
        assert_eq!(p.current(), None);
        assert_eq!(p.choose(), PickResult::Continue);
    }

    #[test]
    fn starts_on_the_current_choice() {
        let p = Picker::single("Kind", items(), Some("generic.process".into()), false, 0);
        assert_eq!(p.current().unwrap().key, "generic.process");
    }

    #[test]
    fn multi_keeps_list_order() {
        let mut p = Picker::multi("Assets", items(), Vec::new(), 0);
        p.down();
        p.down();
        p.toggle();
        p.up();
        p.up();
        p.toggle();
        assert_eq!(
            p.choose(),
            PickResult::Chosen(vec!["aws.lambda".into(), "generic.process".into()])
        );
    }
}
