//! Forms: a column of fields edited with `ratatui-textarea`.
//!
//! `Tab`/`Shift-Tab` move between fields, `Enter` on a one-line field moves
//! on (in a text box it starts a new line; on a list field it opens the
//! picker), `Ctrl-S` saves, `Esc` cancels. Pasted text goes into the focused
//! field and never submits.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui_textarea::{CursorMove, TextArea, WrapMode};

use super::picker::{PickItem, Picker};

/// One choice of a list field: a key stored in the session and a label.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    pub key: String,
    pub label: String,
}

impl Choice {
    pub fn new(key: impl Into<String>, label: impl Into<String>) -> Choice {
        Choice {
            key: key.into(),
            label: label.into(),
        }
    }
}

#[derive(Debug, Clone)]
pub enum FieldKind {
    /// One line of text.
    Line(TextArea<'static>),
    /// Several lines, wrapped.
    Text(TextArea<'static>),
    /// A whole number in a range; empty allowed when `optional`.
    Number {
        text: TextArea<'static>,
        min: u32,
        max: u32,
        optional: bool,
    },
    /// One of a few options, cycled in place with Space or the arrows.
    Cycle { options: Vec<Choice>, index: usize },
    /// One item of a long list, chosen in a filter-as-you-type picker.
    Pick {
        options: Vec<PickItem>,
        selected: Option<String>,
        allow_none: bool,
    },
    /// Several items of a list, marked in a picker.
    PickMany {
        options: Vec<PickItem>,
        selected: Vec<String>,
    },
    /// Text worked out from the other fields (a preview), not edited and
    /// never focused.
    Note(fn(&Form) -> String),
}

#[derive(Debug, Clone)]
pub struct Field {
    pub key: &'static str,
    pub label: &'static str,
    pub kind: FieldKind,
    pub required: bool,
    pub error: Option<String>,
}

/// A field's value as the form's owner reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Text(String),
    Number(Option<u32>),
    Key(Option<String>),
    Keys(Vec<String>),
}

fn text_area(text: &str, multi_line: bool) -> TextArea<'static> {
    let lines: Vec<String> = if multi_line {
        text.lines().map(str::to_string).collect()
    } else {
        vec![text.replace(['\n', '\r'], " ")]
    };
    let mut area = TextArea::new(if lines.is_empty() {
        vec![String::new()]
    } else {
        lines
    });
    if multi_line {
        area.set_wrap_mode(WrapMode::WordOrGlyph);
    }
    area.move_cursor(CursorMove::Bottom);
    area.move_cursor(CursorMove::End);
    area
}

impl Field {
    pub fn line(key: &'static str, label: &'static str, value: &str) -> Field {
        Field::of(key, label, FieldKind::Line(text_area(value, false)))
    }

    pub fn text(key: &'static str, label: &'static str, value: &str) -> Field {
        Field::of(key, label, FieldKind::Text(text_area(value, true)))
    }

    pub fn number(
        key: &'static str,
        label: &'static str,
        value: Option<u32>,
        range: (u32, u32),
        optional: bool,
    ) -> Field {
        let text = value.map(|v| v.to_string()).unwrap_or_default();
        Field::of(
            key,
            label,
            FieldKind::Number {
                text: text_area(&text, false),
                min: range.0,
                max: range.1,
                optional,
            },
        )
    }

    pub fn cycle(
        key: &'static str,
        label: &'static str,
        options: Vec<Choice>,
        current: &str,
    ) -> Field {
        let index = options.iter().position(|c| c.key == current).unwrap_or(0);
        Field::of(key, label, FieldKind::Cycle { options, index })
    }

    pub fn pick(
        key: &'static str,
        label: &'static str,
        options: Vec<PickItem>,
        selected: Option<String>,
        allow_none: bool,
    ) -> Field {
        Field::of(
            key,
            label,
            FieldKind::Pick {
                options,
                selected,
                allow_none,
            },
        )
    }

    /// Text worked out from the form by `render`, e.g. a live preview.
    pub fn note(key: &'static str, label: &'static str, render: fn(&Form) -> String) -> Field {
        Field::of(key, label, FieldKind::Note(render))
    }

    pub fn pick_many(
        key: &'static str,
        label: &'static str,
        options: Vec<PickItem>,
        selected: Vec<String>,
    ) -> Field {
        Field::of(key, label, FieldKind::PickMany { options, selected })
    }

    fn of(key: &'static str, label: &'static str, kind: FieldKind) -> Field {
        Field {
            key,
            label,
            kind,
            required: false,
            error: None,
        }
    }

    /// Marks the field as one that must not be left empty.
    pub fn required(mut self) -> Field {
        self.required = true;
        self
    }

    pub fn value(&self) -> Value {
        match &self.kind {
            FieldKind::Line(t) => Value::Text(t.lines().join(" ").trim().to_string()),
            FieldKind::Text(t) => Value::Text(t.lines().join("\n").trim().to_string()),
            FieldKind::Number { text, .. } => {
                Value::Number(text.lines().join("").trim().parse().ok())
            }
            FieldKind::Cycle { options, index } => {
                Value::Key(options.get(*index).map(|c| c.key.clone()))
            }
            FieldKind::Pick { selected, .. } => Value::Key(selected.clone()),
            FieldKind::PickMany { selected, .. } => Value::Keys(selected.clone()),
            FieldKind::Note(_) => Value::Text(String::new()),
        }
    }

    /// The field's value as it should be shown when not being edited.
    pub fn display(&self) -> String {
        let label_of = |options: &[PickItem], key: &str| {
            options
                .iter()
                .find(|o| o.key == key)
                .map_or_else(|| key.to_string(), |o| o.label.clone())
        };
        match &self.kind {
            FieldKind::Line(t) | FieldKind::Text(t) | FieldKind::Number { text: t, .. } => {
                t.lines().join("\n")
            }
            FieldKind::Cycle { options, index } => options
                .get(*index)
                .map(|c| c.label.clone())
                .unwrap_or_default(),
            FieldKind::Pick {
                options, selected, ..
            } => selected
                .as_deref()
                .map(|k| label_of(options, k))
                .unwrap_or_else(|| "(none)".to_string()),
            FieldKind::PickMany { options, selected } => {
                if selected.is_empty() {
                    "(none)".to_string()
                } else {
                    selected
                        .iter()
                        .map(|k| label_of(options, k))
                        .collect::<Vec<_>>()
                        .join(", ")
                }
            }
            // Drawn from the whole form by the overlay.
            FieldKind::Note(_) => String::new(),
        }
    }

    /// Whether the focus can land here.
    pub fn is_focusable(&self) -> bool {
        !matches!(self.kind, FieldKind::Note(_))
    }

    pub fn is_multi_line(&self) -> bool {
        matches!(self.kind, FieldKind::Text(_))
    }

    pub fn text_area(&self) -> Option<&TextArea<'static>> {
        match &self.kind {
            FieldKind::Line(t) | FieldKind::Text(t) | FieldKind::Number { text: t, .. } => Some(t),
            _ => None,
        }
    }

    /// Checks the value; sets and returns the error.
    fn check(&mut self) -> bool {
        self.error = match (&self.kind, self.value()) {
            (_, Value::Text(t)) if self.required && t.is_empty() => {
                Some(format!("{} is required", self.label))
            }
            (
                FieldKind::Number {
                    min, max, optional, ..
                },
                Value::Number(n),
            ) => match n {
                None if !optional || !self.raw_text().trim().is_empty() => {
                    Some(format!("enter a whole number from {min} to {max}"))
                }
                Some(n) if n < *min || n > *max => {
                    Some(format!("enter a whole number from {min} to {max}"))
                }
                _ => None,
            },
            (_, Value::Key(None)) if self.required => {
                Some("required: Enter opens the list".to_string())
            }
            _ => None,
        };
        self.error.is_none()
    }

    fn raw_text(&self) -> String {
        self.text_area()
            .map(|t| t.lines().join(""))
            .unwrap_or_default()
    }
}

/// What a key did to the form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormEvent {
    /// Nothing to do outside the form.
    None,
    /// Save the form.
    Submit,
    /// Open the picker of field `field` over the form; `typed` is the
    /// key that opened it, which starts its filter.
    OpenPicker {
        field: usize,
        typed: Option<KeyEvent>,
    },
}

#[derive(Debug, Clone)]
pub struct Form {
    pub title: String,
    pub fields: Vec<Field>,
    pub focus: usize,
    /// A message for the whole form (a failed save).
    pub error: Option<String>,
    /// Enter on a one-line field saves the form (short forms, where the
    /// first line is all that is needed).
    pub enter_saves: bool,
    /// What saving does, for the footer ("save", "export").
    pub verb: &'static str,
    initial: Vec<Value>,
}

impl Form {
    pub fn new(title: impl Into<String>, fields: Vec<Field>) -> Form {
        let initial = fields.iter().map(Field::value).collect();
        let mut form = Form {
            title: title.into(),
            fields,
            focus: 0,
            error: None,
            enter_saves: false,
            verb: "save",
            initial,
        };
        if !form.fields.first().is_some_and(Field::is_focusable) {
            form.next_field();
        }
        form
    }

    /// Makes Enter on a one-line field save the form.
    pub fn enter_saves(mut self) -> Form {
        self.enter_saves = true;
        self
    }

    /// Names what saving the form does, in its footer.
    pub fn verb(mut self, verb: &'static str) -> Form {
        self.verb = verb;
        self
    }

    /// The focus is on the last field that takes one.
    pub fn on_last_field(&self) -> bool {
        self.fields.iter().rposition(Field::is_focusable) == Some(self.focus)
    }

    /// Enter would save the form now (see [`Form::enter`]).
    pub fn enter_submits(&self) -> bool {
        (self.enter_saves || self.on_last_field())
            && matches!(
                self.fields.get(self.focus).map(|f| &f.kind),
                Some(FieldKind::Line(_) | FieldKind::Number { .. } | FieldKind::Cycle { .. })
            )
    }

    /// Puts the focus on field `key`.
    pub fn focus_on(mut self, key: &str) -> Form {
        if let Some(i) = self
            .fields
            .iter()
            .position(|f| f.key == key && f.is_focusable())
        {
            self.focus = i;
        }
        self
    }

    /// The labels of the items chosen in list field `key`.
    pub fn labels(&self, key: &str) -> Vec<String> {
        let Some(field) = self.fields.iter().find(|f| f.key == key) else {
            return Vec::new();
        };
        let label = |options: &[PickItem], k: &str| {
            options
                .iter()
                .find(|o| o.key == k)
                .map_or_else(|| k.to_string(), |o| o.label.clone())
        };
        match &field.kind {
            FieldKind::Pick {
                options,
                selected: Some(k),
                ..
            } => vec![label(options, k)],
            FieldKind::PickMany { options, selected } => {
                selected.iter().map(|k| label(options, k)).collect()
            }
            _ => Vec::new(),
        }
    }

    pub fn changed(&self) -> bool {
        self.fields.iter().map(Field::value).collect::<Vec<_>>() != self.initial
    }

    pub fn value(&self, key: &str) -> Value {
        self.fields
            .iter()
            .find(|f| f.key == key)
            .map_or(Value::Text(String::new()), Field::value)
    }

    pub fn text(&self, key: &str) -> String {
        match self.value(key) {
            Value::Text(t) => t,
            _ => String::new(),
        }
    }

    pub fn number(&self, key: &str) -> Option<u32> {
        match self.value(key) {
            Value::Number(n) => n,
            _ => None,
        }
    }

    pub fn key(&self, key: &str) -> Option<String> {
        match self.value(key) {
            Value::Key(k) => k,
            _ => None,
        }
    }

    pub fn keys(&self, key: &str) -> Vec<String> {
        match self.value(key) {
            Value::Keys(k) => k,
            _ => Vec::new(),
        }
    }

    /// Checks every field; on failure focuses the first bad one.
    pub fn check(&mut self) -> bool {
        let mut first_bad = None;
        for (i, f) in self.fields.iter_mut().enumerate() {
            if !f.check() && first_bad.is_none() {
                first_bad = Some(i);
            }
        }
        if let Some(i) = first_bad {
            self.focus = i;
        }
        first_bad.is_none()
    }

    pub fn focused(&self) -> Option<&Field> {
        self.fields.get(self.focus)
    }

    fn focused_mut(&mut self) -> Option<&mut Field> {
        self.fields.get_mut(self.focus)
    }

    /// The next focusable field, wrapping around (notes are skipped).
    pub fn next_field(&mut self) {
        self.step_focus(1);
    }

    pub fn prev_field(&mut self) {
        self.step_focus(self.fields.len().saturating_sub(1));
    }

    fn step_focus(&mut self, by: usize) {
        let n = self.fields.len();
        for _ in 0..n {
            self.focus = (self.focus + by) % n.max(1);
            if self.fields.get(self.focus).is_some_and(Field::is_focusable) {
                return;
            }
        }
    }

    /// Enter: a new line in a text box, the picker on a list field, the
    /// next field otherwise (or the save, in a form where Enter saves, and
    /// on the last field, where going round to the first would have the
    /// next keys typed over what was just written).
    pub fn enter(&mut self) -> FormEvent {
        let focus = self.focus;
        let saves = self.enter_saves || self.on_last_field();
        match self.focused_mut().map(|f| &mut f.kind) {
            Some(FieldKind::Line(_) | FieldKind::Number { .. } | FieldKind::Cycle { .. })
                if saves =>
            {
                FormEvent::Submit
            }
            Some(FieldKind::Text(t)) => {
                t.insert_newline();
                FormEvent::None
            }
            Some(FieldKind::Pick { .. } | FieldKind::PickMany { .. }) => FormEvent::OpenPicker {
                field: focus,
                typed: None,
            },
            _ => {
                self.next_field();
                FormEvent::None
            }
        }
    }

    /// A typed key, for the focused field.
    pub fn input(&mut self, key: KeyEvent) -> FormEvent {
        let focus = self.focus;
        let Some(field) = self.focused_mut() else {
            return FormEvent::None;
        };
        field.error = None;
        match &mut field.kind {
            FieldKind::Line(t) | FieldKind::Text(t) => {
                t.input(key);
            }
            FieldKind::Number { text, .. } => {
                let is_text = matches!(key.code, KeyCode::Char(_))
                    && !key.modifiers.contains(KeyModifiers::CONTROL);
                // Only digits are typed into a number; editing keys pass.
                if !is_text || matches!(key.code, KeyCode::Char(c) if c.is_ascii_digit()) {
                    text.input(key);
                }
            }
            FieldKind::Cycle { options, index } => {
                let n = options.len().max(1);
                match key.code {
                    KeyCode::Char(' ' | 'l') | KeyCode::Right => *index = (*index + 1) % n,
                    KeyCode::Char('h') | KeyCode::Left => *index = (*index + n - 1) % n,
                    _ => {}
                }
            }
            FieldKind::Pick {
                selected,
                allow_none,
                ..
            } => match key.code {
                KeyCode::Backspace | KeyCode::Delete if *allow_none => *selected = None,
                KeyCode::Char(_) => {
                    return FormEvent::OpenPicker {
                        field: focus,
                        typed: Some(key),
                    };
                }
                _ => {}
            },
            FieldKind::PickMany { selected, .. } => match key.code {
                KeyCode::Backspace | KeyCode::Delete => selected.clear(),
                KeyCode::Char(_) => {
                    return FormEvent::OpenPicker {
                        field: focus,
                        typed: Some(key),
                    };
                }
                _ => {}
            },
            FieldKind::Note(_) => {}
        }
        FormEvent::None
    }

    /// Pasted text goes into the focused text field, never anywhere else.
    pub fn paste(&mut self, text: &str) {
        let Some(field) = self.focused_mut() else {
            return;
        };
        // Terminals send CR for line breaks inside a paste.
        let text = text.replace("\r\n", "\n").replace('\r', "\n");
        match &mut field.kind {
            FieldKind::Text(t) => {
                t.insert_str(&text);
            }
            FieldKind::Line(t) => {
                t.insert_str(text.replace('\n', " "));
            }
            FieldKind::Number { text: t, .. } => {
                let digits: String = text.chars().filter(char::is_ascii_digit).collect();
                t.insert_str(digits);
            }
            _ => {}
        }
    }

    /// The picker for field `index`, seeded with its current value.
    pub fn picker(&self, index: usize) -> Option<Picker> {
        let field = self.fields.get(index)?;
        match &field.kind {
            FieldKind::Pick {
                options,
                selected,
                allow_none,
            } => Some(Picker::single(
                field.label,
                options.clone(),
                selected.clone(),
                *allow_none,
            )),
            FieldKind::PickMany { options, selected } => Some(Picker::multi(
                field.label,
                options.clone(),
                selected.clone(),
            )),
            _ => None,
        }
    }

    /// Puts `value` back into field `key` (a draft kept when stridekit
    /// stopped): text as it was; a list choice only if it is still offered.
    /// Returns whether the field took it.
    pub fn put_back(&mut self, key: &str, value: Value) -> bool {
        let Some(field) = self.fields.iter_mut().find(|f| f.key == key) else {
            return false;
        };
        match (&mut field.kind, value) {
            (FieldKind::Line(t), Value::Text(text)) => *t = text_area(&text, false),
            (FieldKind::Text(t), Value::Text(text)) => *t = text_area(&text, true),
            (FieldKind::Number { text, .. }, Value::Number(n)) => {
                *text = text_area(&n.map(|n| n.to_string()).unwrap_or_default(), false);
            }
            (FieldKind::Cycle { options, index }, Value::Key(Some(k))) => {
                match options.iter().position(|c| c.key == k) {
                    Some(i) => *index = i,
                    None => return false,
                }
            }
            (
                FieldKind::Pick {
                    options,
                    selected,
                    allow_none,
                },
                Value::Key(k),
            ) => match k {
                Some(k) if options.iter().any(|o| o.key == k) => *selected = Some(k),
                None if *allow_none => *selected = None,
                _ => return false,
            },
            (FieldKind::PickMany { options, selected }, Value::Keys(keys)) => {
                *selected = keys
                    .into_iter()
                    .filter(|k| options.iter().any(|o| o.key == *k))
                    .collect();
            }
            _ => return false,
        }
        true
    }

    /// Takes a picker's result into field `index`.
    pub fn set_picked(&mut self, index: usize, keys: Vec<String>) {
        let Some(field) = self.fields.get_mut(index) else {
            return;
        };
        field.error = None;
        match &mut field.kind {
            FieldKind::Pick { selected, .. } => {
                *selected = keys.into_iter().next().filter(|k| !k.is_empty());
            }
            FieldKind::PickMany { selected, .. } => *selected = keys,
            _ => {}
        }
        // Move on, as Enter does, unless this was the last field.
        if index == self.focus && index + 1 < self.fields.len() {
            self.next_field();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::crossterm::event::KeyEventKind;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new_with_kind(code, KeyModifiers::NONE, KeyEventKind::Press)
    }

    fn type_text(form: &mut Form, text: &str) {
        for c in text.chars() {
            form.input(key(KeyCode::Char(c)));
        }
    }

    fn form() -> Form {
        Form::new(
            "Component",
            vec![
                Field::line("name", "Name", "").required(),
                Field::text("description", "Description", ""),
                Field::number("minutes", "Minutes", Some(8), (0, 480), false),
                Field::cycle(
                    "class",
                    "Classification",
                    vec![
                        Choice::new("public", "Public"),
                        Choice::new("internal", "Internal"),
                    ],
                    "internal",
                ),
                Field::pick(
                    "kind",
                    "Kind",
                    vec![PickItem::new("aws.s3", "Amazon S3", "")],
                    None,
                    false,
                )
                .required(),
            ],
        )
    }

    #[test]
    fn typing_enter_and_tab_move_through_fields() {
        let mut f = form();
        type_text(&mut f, "Payslip API");
        assert_eq!(f.enter(), FormEvent::None);
        assert_eq!(f.focus, 1);
        type_text(&mut f, "line one");
        f.enter();
        type_text(&mut f, "line two");
        assert_eq!(f.text("description"), "line one\nline two");
        f.next_field();
        f.input(key(KeyCode::Backspace));
        type_text(&mut f, "x5");
        assert_eq!(f.number("minutes"), Some(5));
        f.next_field();
        f.input(key(KeyCode::Char(' ')));
        assert_eq!(f.key("class").as_deref(), Some("public"));
        f.next_field();
        assert_eq!(
            f.enter(),
            FormEvent::OpenPicker {
                field: 4,
                typed: None
            }
        );
        // A letter on a list field opens the picker with that letter.
        let a = key(KeyCode::Char('a'));
        assert_eq!(
            f.input(a),
            FormEvent::OpenPicker {
                field: 4,
                typed: Some(a)
            }
        );
        assert!(f.changed());
    }

    #[test]
    fn enter_on_the_last_field_saves_instead_of_going_round() {
        // Going round would put the next keys into the first field.
        let mut f = Form::new(
            "Participant",
            vec![
                Field::line("name", "Name", "").required(),
                Field::cycle(
                    "persona",
                    "Persona",
                    vec![Choice::new("", "(none)"), Choice::new("dev", "Developer")],
                    "",
                ),
            ],
        );
        type_text(&mut f, "Ben");
        assert_eq!(f.enter(), FormEvent::None);
        assert!(f.on_last_field());
        assert_eq!(f.enter(), FormEvent::Submit);
        // A text box keeps Enter for its lines, last or not.
        let mut f = Form::new("Notes", vec![Field::text("notes", "Notes", "")]);
        type_text(&mut f, "one");
        assert_eq!(f.enter(), FormEvent::None);
        type_text(&mut f, "two");
        assert_eq!(f.text("notes"), "one\ntwo");
    }

    #[test]
    fn required_fields_block_the_save_and_take_the_focus() {
        let mut f = form();
        f.focus = 3;
        assert!(!f.check());
        assert_eq!(f.focus, 0);
        assert_eq!(f.fields[0].error.as_deref(), Some("Name is required"));
        type_text(&mut f, "x");
        f.set_picked(4, vec!["aws.s3".to_string()]);
        assert!(f.check());
    }

    #[test]
    fn pasting_lines_into_a_line_field_joins_them() {
        let mut f = form();
        f.paste("a\r\nb\rc");
        assert_eq!(f.text("name"), "a b c");
        f.next_field();
        f.paste("one\r\ntwo");
        assert_eq!(f.text("description"), "one\ntwo");
        // Paste never moves on or submits.
        assert_eq!(f.focus, 1);
    }

    #[test]
    fn out_of_range_numbers_are_refused() {
        let mut f = form();
        f.focus = 2;
        type_text(&mut f, "999");
        assert!(!f.check());
        assert_eq!(f.focus, 0); // name is also missing and comes first
        assert!(f.fields[2].error.is_some());
    }
}
