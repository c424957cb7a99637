//! A filter-as-you-type list for choosing one item (a component's kind, a
//! flow's end) or marking several (the assets a flow carries).

use nucleo_matcher::pattern::{Atom, AtomKind, CaseMatching, Normalization};
use nucleo_matcher::{Config, Matcher, Utf32Str};
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
}

/// Ranks items against a typed query with a fuzzy matcher (nucleo, the
/// one behind helix's pickers): each word of the query must match the
/// label or the key fuzzily, or appear in the detail or keywords. A match
/// on the label counts twice, so typing "api" puts "Amazon API Gateway"
/// above an item that only lists "api" among its keywords.
struct Ranker {
    matcher: Matcher,
    words: Vec<(Atom, String)>,
    buf: Vec<char>,
}

impl Ranker {
    fn new(query: &str) -> Ranker {
        let words = query
            .split_whitespace()
            .map(|w| {
                let atom = Atom::new(
                    w,
                    CaseMatching::Ignore,
                    Normalization::Smart,
                    AtomKind::Fuzzy,
                    false,
                );
                (atom, w.to_lowercase())
            })
            .collect();
        Ranker {
            matcher: Matcher::new(Config::DEFAULT),
            words,
            buf: Vec::new(),
        }
    }

    fn fuzzy(&mut self, atom: &Atom, text: &str) -> Option<u32> {
        atom.score(Utf32Str::new(text, &mut self.buf), &mut self.matcher)
            .map(u32::from)
    }

    /// The item's score, or `None` when some word matches nowhere.
    fn score(&mut self, item: &PickItem) -> Option<u32> {
        let words = std::mem::take(&mut self.words);
        let mut total = 0u32;
        let mut all = true;
        for (atom, word) in &words {
            let label = self.fuzzy(atom, &item.label).map(|s| s.saturating_mul(2));
            let key = self.fuzzy(atom, &item.key);
            let listed = (item.detail.to_lowercase().contains(word.as_str())
                || item.keywords.contains(word.as_str()))
            .then_some(1);
            match label.max(key).max(listed) {
                Some(s) => total = total.saturating_add(s),
                None => {
                    all = false;
                    break;
                }
            }
        }
        self.words = words;
        all.then_some(total)
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
        );
        if let Some(current) = p.marked.first()
            && let Some(pos) = p.visible.iter().position(|&i| &p.items[i].key == current)
        {
            p.cursor = pos;
        }
        p
    }

    pub fn multi(title: &str, items: Vec<PickItem>, marked: Vec<String>) -> Picker {
        Picker::build(title, items, marked, true, true)
    }

    fn build(
        title: &str,
        items: Vec<PickItem>,
        marked: Vec<String>,
        multi: bool,
        allow_none: bool,
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
        };
        p.refilter();
        p
    }

    /// The items that match the filter, best first (in list order while
    /// the filter is empty, and among equals).
    fn refilter(&mut self) {
        if self.filter.trim().is_empty() {
            self.visible = (0..self.items.len()).collect();
        } else {
            let mut ranker = Ranker::new(&self.filter);
            let mut scored: Vec<(u32, usize)> = self
                .items
                .iter()
                .enumerate()
                .filter_map(|(i, item)| ranker.score(item).map(|s| (s, i)))
                .collect();
            scored.sort_by_key(|(score, i)| (std::cmp::Reverse(*score), *i));
            self.visible = scored.into_iter().map(|(_, i)| i).collect();
        }
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
            // A changed filter puts the cursor on the best match.
            KeyCode::Char(c) if !c.is_control() => {
                self.filter.push(c);
                self.refilter();
                self.cursor = 0;
            }
            KeyCode::Backspace => {
                self.filter.pop();
                self.refilter();
                self.cursor = 0;
            }
            _ => {}
        }
    }

    pub fn paste(&mut self, text: &str) {
        self.filter
            .extend(text.chars().map(|c| if c.is_control() { ' ' } else { c }));
        self.refilter();
        self.cursor = 0;
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
        let mut p = Picker::single("Kind", items(), None, false);
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
    fn the_best_match_comes_first() {
        let items = vec![
            PickItem::new("generic.process", "Process / service", "process")
                .with_keywords(&["api".to_string(), "service".to_string()]),
            PickItem::new("aws.s3", "Amazon S3", "data-store"),
            PickItem::new("aws.api-gateway", "Amazon API Gateway", "process"),
        ];
        let mut p = Picker::single("Kind", items, None, false);
        typed(&mut p, "api");
        let order: Vec<&str> = p.visible.iter().map(|&i| p.items[i].key.as_str()).collect();
        assert_eq!(order, ["aws.api-gateway", "generic.process"]);
        // A typo-ish abbreviation still finds it.
        p.filter.clear();
        typed(&mut p, "apigw");
        assert_eq!(p.current().unwrap().key, "aws.api-gateway");
    }

    #[test]
    fn starts_on_the_current_choice() {
        let p = Picker::single("Kind", items(), Some("generic.process".into()), false);
        assert_eq!(p.current().unwrap().key, "generic.process");
    }

    #[test]
    fn multi_keeps_list_order() {
        let mut p = Picker::multi("Assets", items(), Vec::new());
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
