//! Problems found in files, located by file, line, column and field.
//!
//! Checks on parsed data report a [`FieldPath`] (`threats[3].likelihood`);
//! [`SourceText::locate`] turns it into a line and column by walking the TOML
//! document's spans. Locating costs a second parse, so it only happens when
//! there is something to report.

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

use toml::de::{DeTable, DeValue};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
}

/// A path to a field inside a document: `threats[3].statement.assets[0]`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FieldPath(Vec<Segment>);

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Key(String),
    Index(usize),
}

impl FieldPath {
    pub fn root() -> FieldPath {
        FieldPath(Vec::new())
    }

    pub fn key(mut self, key: impl Into<String>) -> FieldPath {
        self.0.push(Segment::Key(key.into()));
        self
    }

    pub fn index(mut self, index: usize) -> FieldPath {
        self.0.push(Segment::Index(index));
        self
    }

    /// Shorthand for `FieldPath::root().key(section).index(index)`.
    pub fn item(section: &str, index: usize) -> FieldPath {
        FieldPath::root().key(section).index(index)
    }

    pub fn is_root(&self) -> bool {
        self.0.is_empty()
    }
}

/// Builds a path from a literal such as `"voting.cap_per_threat"`.
impl From<&str> for FieldPath {
    fn from(dotted: &str) -> FieldPath {
        dotted
            .split('.')
            .filter(|k| !k.is_empty())
            .fold(FieldPath::root(), |p, k| p.key(k))
    }
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, segment) in self.0.iter().enumerate() {
            match segment {
                Segment::Index(n) => write!(f, "[{n}]")?,
                Segment::Key(k) => {
                    if i > 0 {
                        f.write_str(".")?;
                    }
                    let bare = !k.is_empty()
                        && k.chars()
                            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
                    if bare {
                        f.write_str(k)?;
                    } else {
                        write!(f, "{k:?}")?;
                    }
                }
            }
        }
        Ok(())
    }
}

/// A problem found by a check, before it is placed in a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    pub severity: Severity,
    pub path: FieldPath,
    pub message: String,
}

impl Issue {
    pub fn error(path: FieldPath, message: impl Into<String>) -> Issue {
        Issue {
            severity: Severity::Error,
            path,
            message: message.into(),
        }
    }

    pub fn warning(path: FieldPath, message: impl Into<String>) -> Issue {
        Issue {
            severity: Severity::Warning,
            path,
            message: message.into(),
        }
    }
}

/// A problem placed in a file: what `validate` prints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub file: PathBuf,
    /// 1-based.
    pub line: usize,
    /// 1-based, in characters.
    pub column: usize,
    /// The field, e.g. `threats[3].likelihood`; empty for the whole file.
    pub field: String,
    pub message: String,
}

impl Diagnostic {
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let severity = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(
            f,
            "{}:{}:{}: {severity}: ",
            self.file.display(),
            self.line,
            self.column
        )?;
        if !self.field.is_empty() {
            write!(f, "{}: ", self.field)?;
        }
        f.write_str(&self.message)
    }
}

/// The text of a file being checked, for turning spans and paths into lines.
pub struct SourceText<'a> {
    pub path: &'a Path,
    pub text: &'a str,
}

impl SourceText<'_> {
    /// 1-based line and character column of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = floor_char_boundary(self.text, offset.min(self.text.len()));
        let before = &self.text[..offset];
        let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before[line_start..].chars().count() + 1;
        (line, column)
    }

    pub fn diagnostic(
        &self,
        severity: Severity,
        span: Option<Range<usize>>,
        field: String,
        message: String,
    ) -> Diagnostic {
        let (line, column) = self.line_col(span.map_or(0, |s| s.start));
        Diagnostic {
            severity,
            file: self.path.to_path_buf(),
            line,
            column,
            field,
            message,
        }
    }

    /// Line and column of each offset, in one pass over the text: a file
    /// with many problems costs what it is long, not that times their
    /// number (a line's column would otherwise be counted from its start
    /// for each problem on it).
    fn line_cols(&self, offsets: &[usize]) -> Vec<(usize, usize)> {
        let mut order: Vec<usize> = (0..offsets.len()).collect();
        order.sort_by_key(|&i| offsets[i]);
        let mut out = vec![(1, 1); offsets.len()];
        let (mut line, mut column) = (1usize, 1usize);
        let mut chars = self.text.char_indices().peekable();
        for i in order {
            let target = floor_char_boundary(self.text, offsets[i].min(self.text.len()));
            while let Some(&(pos, c)) = chars.peek() {
                if pos >= target {
                    break;
                }
                if c == '\n' {
                    line += 1;
                    column = 1;
                } else {
                    column += 1;
                }
                chars.next();
            }
            out[i] = (line, column);
        }
        out
    }

    /// The span of `path` in the file (its deepest part that exists).
    pub fn span_of(&self, path: &FieldPath) -> Option<Range<usize>> {
        let (root, _) = DeTable::parse_recoverable(self.text);
        locate(root.get_ref(), path)
    }

    /// Places check results in the file.
    pub fn place(&self, issues: &[Issue]) -> Vec<Diagnostic> {
        if issues.is_empty() {
            return Vec::new();
        }
        let (root, _) = DeTable::parse_recoverable(self.text);
        let spans: Vec<usize> = issues
            .iter()
            .map(|issue| locate(root.get_ref(), &issue.path).map_or(0, |s| s.start))
            .collect();
        let positions = self.line_cols(&spans);
        let mut placed: Vec<Diagnostic> = issues
            .iter()
            .zip(positions)
            .map(|(issue, (line, column))| Diagnostic {
                severity: issue.severity,
                file: self.path.to_path_buf(),
                line,
                column,
                field: issue.path.to_string(),
                message: issue.message.clone(),
            })
            .collect();
        // Errors first, each group in file order.
        placed.sort_by_key(|d| (d.severity, d.line, d.column));
        placed
    }

    /// Turns a deserialization error into a diagnostic, with the field path
    /// that serde reached.
    pub fn serde_error(&self, error: &serde_path_to_error::Error<toml::de::Error>) -> Diagnostic {
        let field = error.path().to_string();
        let field = if field == "." { String::new() } else { field };
        self.diagnostic(
            Severity::Error,
            error.inner().span(),
            field,
            error.inner().message().to_string(),
        )
    }

    /// Turns a TOML syntax error into a diagnostic. Two of the parser's
    /// errors say too little: a duplicate key gets the key's full name,
    /// and the recursion limit (which comes without a place) points at
    /// the line whose key is nested deepest.
    pub fn syntax_error(&self, error: &toml::de::Error) -> Diagnostic {
        let message = error.message();
        let mut span = error.span();
        if span.is_none() && message.contains("recursion") {
            span = deepest_key(self.text).map(|at| at..at);
        }
        let field = match &span {
            Some(s) if message.contains("duplicate key") => key_path_at(self.text, s.start),
            _ => String::new(),
        };
        self.diagnostic(
            Severity::Error,
            span,
            field,
            format!("invalid TOML: {message}"),
        )
    }
}

/// The dotted name of a table header's content or a key's, ignoring dots
/// inside quotes.
fn key_parts(key: &str) -> Vec<String> {
    let mut parts = vec![String::new()];
    let mut quote: Option<char> = None;
    for c in key.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (None, '"' | '\'') => quote = Some(c),
            (None, '.') => parts.push(String::new()),
            (_, c) => {
                if let Some(last) = parts.last_mut() {
                    last.push(c);
                }
            }
        }
    }
    parts.iter().map(|p| p.trim().to_string()).collect()
}

/// The header's name on a `[table]` or `[[array]]` line.
fn header_name(line: &str) -> Option<&str> {
    let inner = line.trim().strip_prefix('[')?;
    let inner = inner.strip_prefix('[').unwrap_or(inner);
    Some(inner.split(']').next()?.trim())
}

/// The full name (`voting.mode`) of the key or header at `offset`.
fn key_path_at(text: &str, offset: usize) -> String {
    let offset = floor_char_boundary(text, offset.min(text.len()));
    let start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line = text[start..].lines().next().unwrap_or("");
    if let Some(header) = header_name(line) {
        return key_parts(header).join(".");
    }
    let key = key_parts(line.split('=').next().unwrap_or(""));
    let table = text[..start]
        .lines()
        .rev()
        .find_map(header_name)
        .map(key_parts)
        .unwrap_or_default();
    table
        .into_iter()
        .chain(key)
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(".")
}

/// The start of the line whose key or header has the most dotted parts.
fn deepest_key(text: &str) -> Option<usize> {
    let mut best: Option<(usize, usize)> = None;
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        let key = header_name(line).unwrap_or_else(|| line.split('=').next().unwrap_or(""));
        let depth = key_parts(key).len();
        if best.is_none_or(|(d, _)| depth > d) {
            best = Some((depth, at));
        }
        at += line.len();
    }
    best.map(|(_, at)| at)
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while offset > 0 && !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// The span of the deepest part of `path` that exists in the document.
fn locate(root: &DeTable<'_>, path: &FieldPath) -> Option<Range<usize>> {
    let mut segments = path.0.iter();
    let first = match segments.next()? {
        Segment::Key(k) => root.get(k.as_str())?,
        Segment::Index(_) => return None,
    };
    let mut span = first.span();
    let mut value: &DeValue<'_> = first.get_ref();
    for segment in segments {
        let next = match segment {
            Segment::Key(k) => value.get(k.as_str()),
            Segment::Index(i) => value.get(*i),
        };
        match next {
            Some(next) => {
                span = next.span();
                value = next.get_ref();
            }
            None => break,
        }
    }
    Some(span)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problems_are_placed_where_line_col_puts_them() {
        // Issue 9, item 13: placing is one pass, and must agree with
        // counting from the start for each.
        let text =
            "title = \"é\"\n[[flows]]\nid = \"F1\"\nfrom = \"C9\"\n[[flows]]\nto = \"日本\"\n";
        let src = SourceText {
            path: Path::new("s.toml"),
            text,
        };
        let offsets: Vec<usize> = vec![40, 0, 13, 1000, 7, 9, 55];
        let expected: Vec<(usize, usize)> = offsets.iter().map(|&o| src.line_col(o)).collect();
        assert_eq!(src.line_cols(&offsets), expected);
        let issues = vec![
            Issue::error(FieldPath::item("flows", 1).key("to"), "b"),
            Issue::error(FieldPath::item("flows", 0).key("from"), "a"),
        ];
        let placed = src.place(&issues);
        assert_eq!((placed[0].line, placed[0].column), (4, 8));
        assert_eq!((placed[1].line, placed[1].column), (6, 6));
    }

    #[test]
    fn paths_print_like_the_file() {
        let p = FieldPath::item("threats", 3)
            .key("statement")
            .key("assets")
            .index(0);
        assert_eq!(p.to_string(), "threats[3].statement.assets[0]");
        assert_eq!(
            FieldPath::from("voting.ballots").key("P 1").to_string(),
            "voting.ballots.\"P 1\""
        );
    }

    #[test]
    fn locates_nested_fields() {
        let text =
            "schema = 1\n\n[[threats]]\nid = \"T1\"\n\n[[threats]]\nid = \"T2\"\nlikelihood = 9\n";
        let src = SourceText {
            path: Path::new("x.toml"),
            text,
        };
        let issue = Issue::error(FieldPath::item("threats", 1).key("likelihood"), "too big");
        let d = &src.place(&[issue])[0];
        assert_eq!((d.line, d.column), (8, 14));
        assert_eq!(
            d.to_string(),
            "x.toml:8:14: error: threats[1].likelihood: too big"
        );
    }

    #[test]
    fn missing_fields_point_at_their_table() {
        let text = "schema = 1\n[[threats]]\nid = \"T1\"\n";
        let src = SourceText {
            path: Path::new("x.toml"),
            text,
        };
        let d = &src.place(&[Issue::error(FieldPath::item("threats", 0).key("nope"), "m")])[0];
        assert_eq!(d.line, 2);
    }

    #[test]
    fn columns_count_characters_not_bytes() {
        let src = SourceText {
            path: Path::new("x"),
            text: "t = \"日本\" x",
        };
        assert_eq!(src.line_col(13), (1, 10));
    }
}
