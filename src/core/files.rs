//! Reading TOML documents with located errors, and writing files atomically.

use std::fmt;
use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;

use super::diag::{Diagnostic, FieldPath, Severity, SourceText};

/// Larger files are refused before parsing: a session is kilobytes, and a
/// multi-gigabyte file pointed at by mistake must not exhaust memory.
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// Why a file could not be used.
///
/// The I/O reason is part of the message and deliberately not a `source()`:
/// `anyhow`'s `{:#}` prints every source after the message, so it would
/// appear twice.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("cannot read {}: {error}", path.display())]
    Io { path: PathBuf, error: io::Error },
    /// The file was read but its content is wrong; every problem is listed.
    #[error("{}", DiagnosticList(.0))]
    Invalid(Vec<Diagnostic>),
}

impl LoadError {
    pub fn io(path: &Path, error: io::Error) -> LoadError {
        LoadError::Io {
            path: path.to_path_buf(),
            error,
        }
    }

    /// The located problems, or none for an I/O failure.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        match self {
            LoadError::Invalid(d) => d,
            LoadError::Io { .. } => &[],
        }
    }
}

struct DiagnosticList<'a>(&'a [Diagnostic]);

impl fmt::Display for DiagnosticList<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{d}")?;
        }
        Ok(())
    }
}

/// Reads a text file of at most [`MAX_FILE_BYTES`].
pub fn read_text(path: &Path) -> Result<String, LoadError> {
    let file = File::open(path).map_err(|e| LoadError::io(path, e))?;
    let mut bytes = Vec::new();
    // `take` rather than trusting the size from metadata: the file may grow,
    // and special files report no size at all.
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| LoadError::io(path, e))?;
    text_from_bytes(path, bytes)
}

/// Checks size and encoding of file content read by other means.
pub fn text_from_bytes(path: &Path, bytes: Vec<u8>) -> Result<String, LoadError> {
    let whole_file = |message: String| {
        LoadError::Invalid(vec![Diagnostic {
            severity: Severity::Error,
            file: path.to_path_buf(),
            line: 1,
            column: 1,
            field: String::new(),
            message,
        }])
    };
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(whole_file(format!(
            "file is larger than the {} MiB limit",
            MAX_FILE_BYTES / (1024 * 1024)
        )));
    }
    String::from_utf8(bytes).map_err(|e| {
        let valid = e.utf8_error().valid_up_to();
        let text = String::from_utf8_lossy(&e.as_bytes()[..valid]).into_owned();
        let src = SourceText { path, text: &text };
        LoadError::Invalid(vec![src.diagnostic(
            Severity::Error,
            Some(valid..valid),
            String::new(),
            "file is not UTF-8 text".to_string(),
        )])
    })
}

/// Parses a TOML document into `T`, reporting syntax errors, unknown keys
/// and wrong types with their line, column and field.
pub fn parse_toml<T: DeserializeOwned>(path: &Path, text: &str) -> Result<T, LoadError> {
    let src = SourceText { path, text };
    let deserializer = toml::Deserializer::parse(text)
        .map_err(|e| LoadError::Invalid(vec![src.syntax_error(&e)]))?;
    if let Ok(value) = T::deserialize(deserializer) {
        return Ok(value);
    }
    // Tracking the field path costs about a fifth of the load time, so it
    // runs only to explain a failure, on a second pass.
    let deserializer = toml::Deserializer::parse(text)
        .map_err(|e| LoadError::Invalid(vec![src.syntax_error(&e)]))?;
    match serde_path_to_error::deserialize(deserializer) {
        Ok(value) => Ok(value),
        Err(e) => Err(LoadError::Invalid(type_errors::<T>(&src, &e))),
    }
}

/// At most this many type problems are reported from one file: past that,
/// the rest is likely the same mistake again.
const MAX_TYPE_ERRORS: usize = 100;

/// How much document the search for more type problems may read again in
/// all, and the fewest problems it looks for however big the file.
const RETRY_BYTES: usize = 64 * 1024 * 1024;
const MIN_TRIES: usize = 10;

/// Every type problem of a file, not just serde's first: each one found is
/// patched over in a copy of the document (the wrong value replaced by a
/// value of a type that fits, an unknown key dropped, a missing one
/// filled) and the document tried again, until it passes.
fn type_errors<T: DeserializeOwned>(
    src: &SourceText<'_>,
    first: &serde_path_to_error::Error<toml::de::Error>,
) -> Vec<Diagnostic> {
    let mut out = vec![src.serde_error(first)];
    let Ok(mut doc) = toml::from_str::<toml::Table>(src.text) else {
        return out;
    };
    let mut current = Problem::of(first);
    let mut seen = vec![current.clone()];
    let mut dropped = Dropped::default();
    // Each try reads the whole document again: a big file gets fewer.
    let mut budget = Budget {
        left: (RETRY_BYTES / src.text.len().max(1)).max(MIN_TRIES),
        spent: false,
    };
    while out.len() < MAX_TYPE_ERRORS {
        let Some(next) = patch::<T>(&mut doc, &current, &mut dropped, &mut budget) else {
            break;
        };
        // Compared where it is in the file, not in the patched copy: once
        // an item is left out, the next one takes its place in the copy.
        let original = Problem {
            path: dropped.original(&next.path),
            message: next.message.clone(),
        };
        if seen.contains(&original) {
            break;
        }
        out.push(src.diagnostic(
            Severity::Error,
            src.span_of(&original.field_path()),
            original.display_path(),
            original.message.clone(),
        ));
        seen.push(original);
        current = next;
    }
    out.sort_by_key(|d| (d.line, d.column));
    if budget.spent {
        out.push(src.diagnostic(
            Severity::Warning,
            None,
            String::new(),
            format!(
                "stopped looking after {} problems in a file this big: fix these and check again",
                out.len()
            ),
        ));
    }
    out
}

/// How many more times the document may be tried.
struct Budget {
    left: usize,
    spent: bool,
}

/// Items taken out of lists while patching, so later problems can be
/// reported at their place in the file: each list's path (as in the file)
/// and the item's index there.
#[derive(Debug, Default)]
struct Dropped(Vec<(Vec<Step>, usize)>);

impl Dropped {
    /// `path` in the patched copy, as a path in the file.
    fn original(&self, path: &[Step]) -> Vec<Step> {
        let mut out: Vec<Step> = Vec::with_capacity(path.len());
        for step in path {
            match step {
                Step::Index(i) => {
                    let mut gone: Vec<usize> = self
                        .0
                        .iter()
                        .filter(|(list, _)| *list == out)
                        .map(|(_, at)| *at)
                        .collect();
                    gone.sort_unstable();
                    let mut at = *i;
                    for g in gone {
                        if g <= at {
                            at = at.saturating_add(1);
                        }
                    }
                    out.push(Step::Index(at));
                }
                key => out.push(key.clone()),
            }
        }
        out
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Step {
    Key(String),
    Index(usize),
}

/// One deserialization error: where, and what serde said.
#[derive(Debug, Clone, PartialEq)]
struct Problem {
    path: Vec<Step>,
    message: String,
}

impl Problem {
    fn of(e: &serde_path_to_error::Error<toml::de::Error>) -> Problem {
        use serde_path_to_error::Segment as S;
        let path = e
            .path()
            .iter()
            .filter_map(|segment| match segment {
                S::Seq { index } => Some(Step::Index(*index)),
                S::Map { key } => Some(Step::Key(key.clone())),
                S::Enum { variant } => Some(Step::Key(variant.clone())),
                S::Unknown => None,
            })
            .collect();
        Problem {
            path,
            message: e.inner().message().to_string(),
        }
    }

    fn field_path(&self) -> FieldPath {
        self.path
            .iter()
            .fold(FieldPath::root(), |p, step| match step {
                Step::Key(k) => p.key(k.clone()),
                Step::Index(i) => p.index(*i),
            })
    }

    fn display_path(&self) -> String {
        if self.path.is_empty() {
            String::new()
        } else {
            self.field_path().to_string()
        }
    }

    /// The name in backquotes after `prefix`: serde's "missing field `x`".
    fn named(&self, prefix: &str) -> Option<String> {
        let rest = self.message.strip_prefix(prefix)?.strip_prefix('`')?;
        Some(rest.split('`').next()?.to_string())
    }
}

fn value_at<'a>(doc: &'a mut toml::Table, path: &[Step]) -> Option<&'a mut toml::Value> {
    let (first, rest) = path.split_first()?;
    let Step::Key(k) = first else { return None };
    let mut value = doc.get_mut(k)?;
    for step in rest {
        value = match (step, value) {
            (Step::Key(k), toml::Value::Table(t)) => t.get_mut(k)?,
            (Step::Index(i), toml::Value::Array(a)) => a.get_mut(*i)?,
            _ => return None,
        };
    }
    Some(value)
}

fn table_at<'a>(doc: &'a mut toml::Table, path: &[Step]) -> Option<&'a mut toml::Table> {
    if path.is_empty() {
        return Some(doc);
    }
    match value_at(doc, path)? {
        toml::Value::Table(t) => Some(t),
        _ => None,
    }
}

/// Values to stand in for a wrong one: what serde's message says it
/// expected (the first of "expected one of `a`, `b`", the example after
/// "such as"), then a value of every TOML type.
fn stand_ins(message: &str) -> Vec<toml::Value> {
    let mut out = Vec::new();
    if let Some((_, expected)) = message.split_once("expected") {
        if let Some(word) = expected.split('`').nth(1) {
            out.push(toml::Value::String(word.to_string()));
        }
        // The example ends the message: "an element id such as C3", "an
        // RFC 3339 date-time such as \"2026-03-04T09:30:00Z\"".
        if let Some((_, example)) = expected.split_once("such as ") {
            out.push(toml::Value::String(
                example.trim().trim_matches('"').to_string(),
            ));
        }
    }
    out.extend([
        toml::Value::String(String::new()),
        toml::Value::Integer(1),
        toml::Value::Boolean(false),
        toml::Value::Array(Vec::new()),
        toml::Value::Table(toml::Table::new()),
        toml::Value::Float(1.0),
    ]);
    if let Ok(d) = "2000-01-01T00:00:00Z".parse::<toml::value::Datetime>() {
        out.push(toml::Value::Datetime(d));
    }
    out
}

/// Tries the document as `T`: `Ok(None)` when it passes, `Err` when the
/// budget is spent.
fn retry<T: DeserializeOwned>(
    doc: &toml::Table,
    budget: &mut Budget,
) -> Result<Option<Problem>, ()> {
    if budget.left == 0 {
        budget.spent = true;
        return Err(());
    }
    budget.left -= 1;
    Ok(
        match serde_path_to_error::deserialize::<_, T>(toml::Value::Table(doc.clone())) {
            Ok(_) => None,
            Err(e) => Some(Problem::of(&e)),
        },
    )
}

/// Patches `problem` over in `doc` and returns the next problem, if any.
/// `None` also when nothing makes it go away (the search stops there).
fn patch<T: DeserializeOwned>(
    doc: &mut toml::Table,
    problem: &Problem,
    dropped: &mut Dropped,
    budget: &mut Budget,
) -> Option<Problem> {
    // A patch works when the document gets past this problem's place.
    let moved_on = |next: &Option<Problem>| next.as_ref().is_none_or(|n| n.path != problem.path);
    if let Some(key) = problem.named("unknown field ") {
        let path = match problem.path.last() {
            Some(Step::Key(k)) if *k == key => &problem.path[..problem.path.len() - 1],
            _ => &problem.path[..],
        };
        table_at(doc, path)?.remove(&key)?;
        return retry::<T>(doc, budget).ok()?;
    }
    if let Some(key) = problem.named("missing field ") {
        for stand_in in stand_ins(&problem.message) {
            let mut copy = doc.clone();
            table_at(&mut copy, &problem.path)?.insert(key.clone(), stand_in);
            let next = retry::<T>(&copy, budget).ok()?;
            let filled = next.as_ref().is_none_or(|n| {
                n.path.len() <= problem.path.len()
                    || n.path[..=problem.path.len()]
                        != problem
                            .path
                            .iter()
                            .cloned()
                            .chain([Step::Key(key.clone())])
                            .collect::<Vec<_>>()[..]
            });
            if filled {
                *doc = copy;
                return next;
            }
        }
        return None;
    }
    for stand_in in stand_ins(&problem.message) {
        let mut copy = doc.clone();
        *value_at(&mut copy, &problem.path)? = stand_in;
        let next = retry::<T>(&copy, budget).ok()?;
        if moved_on(&next) {
            *doc = copy;
            return next;
        }
    }
    // Nothing of any type fits (an id, an enum): drop the whole item of
    // the list it is in, so the rest of the file is still looked at.
    let at = problem
        .path
        .iter()
        .rposition(|s| matches!(s, Step::Index(_)))?;
    let Step::Index(i) = problem.path[at] else {
        return None;
    };
    match value_at(doc, &problem.path[..at])? {
        toml::Value::Array(items) if i < items.len() => {
            items.remove(i);
        }
        _ => return None,
    }
    let in_file = dropped.original(&problem.path[..=at]);
    if let Some((Step::Index(original), list)) = in_file.split_last().map(|(l, r)| (l.clone(), r)) {
        dropped.0.push((list.to_vec(), original));
    }
    retry::<T>(doc, budget).ok()?
}

/// Why an output file (`-o`, an export) was not written.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error("{} is a symbolic link: stridekit never writes through one; name the file itself", shown(.0))]
    Symlink(PathBuf),
    #[error("{} is a folder: name a file", shown(.0))]
    Directory(PathBuf),
    #[error("{} is not a regular file, a terminal or a pipe: refusing to write to it", shown(.0))]
    Special(PathBuf),
    #[error("{} is the session being read: refusing to write over it; choose another name", shown(.0))]
    OwnInput(PathBuf),
    #[error("{} is a session's lock file: writing it would let a second stridekit edit the session at once; choose another name", shown(.0))]
    LockFile(PathBuf),
    #[error("cannot write {}: {error}", shown(.path))]
    Io { path: PathBuf, error: io::Error },
}

use super::text::shown_path as shown;

/// Writes an output the user named: a new or regular file atomically
/// (never one of `inputs`, the files being read, nor their backups), a terminal or a pipe
/// directly (`-o /dev/stdout`, a FIFO), and nothing else: not through a
/// symbolic link to a file, not a folder or another special file.
pub fn write_output(path: &Path, contents: &[u8], inputs: &[&Path]) -> Result<(), OutputError> {
    let io_error = |error| OutputError::Io {
        path: path.to_path_buf(),
        error,
    };
    if is_lock_name(path) {
        return Err(OutputError::LockFile(path.to_path_buf()));
    }
    match fs::symlink_metadata(path) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(io_error(e)),
        Ok(meta) => {
            let kind = meta.file_type();
            if kind.is_symlink() {
                // A link to a terminal or pipe (/dev/stdout, /dev/fd/1)
                // names a stream, which is what writing "there" means.
                return match fs::metadata(path) {
                    Ok(target) if is_stream(&target) => {
                        write_stream(path, contents).map_err(io_error)
                    }
                    _ => Err(OutputError::Symlink(path.to_path_buf())),
                };
            }
            if kind.is_dir() {
                return Err(OutputError::Directory(path.to_path_buf()));
            }
            if is_stream(&meta) {
                return write_stream(path, contents).map_err(io_error);
            }
            if !kind.is_file() {
                return Err(OutputError::Special(path.to_path_buf()));
            }
            if inputs
                .iter()
                .any(|input| same_file(&meta, input) || same_file(&meta, &backup_path(input)))
            {
                return Err(OutputError::OwnInput(path.to_path_buf()));
            }
        }
    }
    write_atomic(path, contents, false).map_err(io_error)
}

/// `.NAME.toml.lock`: the name of a session's lock (see `store::lock_path`).
fn is_lock_name(path: &Path) -> bool {
    path.file_name().is_some_and(|n| {
        let n = n.as_encoded_bytes();
        n.starts_with(b".") && n.ends_with(b".lock")
    })
}

#[cfg(unix)]
fn is_stream(meta: &fs::Metadata) -> bool {
    use std::os::unix::fs::FileTypeExt;
    let kind = meta.file_type();
    kind.is_char_device() || kind.is_fifo()
}

#[cfg(not(unix))]
use super::non_unix::is_stream;

fn write_stream(path: &Path, contents: &[u8]) -> io::Result<()> {
    let mut file = fs::OpenOptions::new().write(true).open(path)?;
    file.write_all(contents)?;
    file.flush()
}

/// Whether `meta` (of a file found) is the file at `other`.
#[cfg(unix)]
fn same_file(meta: &fs::Metadata, other: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    fs::metadata(other).is_ok_and(|o| o.dev() == meta.dev() && o.ino() == meta.ino())
}

#[cfg(not(unix))]
use super::non_unix::same_file;

/// Writes `contents` to `path` so that readers see the old file or the new
/// one, never a mix: a temporary file in the same directory is written,
/// flushed to disk, then renamed over the target. New files get mode 0600
/// (sessions can hold unreleased designs); existing files keep their mode.
///
/// With `backup`, the replaced version stays beside it as `NAME.bak`.
///
/// An error says why, never where: it does not name the temporary file
/// (a name the user never gave), so the caller names `path`.
pub fn write_atomic(path: &Path, contents: &[u8], backup: bool) -> io::Result<()> {
    replace(path, contents, backup, true)
}

/// [`write_atomic`] without waiting for the disk (no backup, no fsync):
/// readers still see the old file or the new one, but a crash soon after
/// may lose the new content. Only for copies that are written again at
/// every use, like the demo session each `demo` starts from; the fsyncs
/// would be most of the time to the demo's first frame on a busy disk.
pub fn write_atomic_unsynced(path: &Path, contents: &[u8]) -> io::Result<()> {
    replace(path, contents, false, false)
}

/// The folder `path` is in: `.` for a bare name, whose parent is empty
/// (an empty path can be neither listed nor synced).
pub fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

fn replace(path: &Path, contents: &[u8], backup: bool, durable: bool) -> io::Result<()> {
    let dir = folder_of(path);
    let file_name = path
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "path has no file name"))?;
    // `make_in` with our own open rather than `tempfile_in`: tempfile's
    // errors for the file it opens and writes name the temporary path.
    let mut temp = tempfile::Builder::new()
        .prefix(&format!(".{}.", file_name.to_string_lossy()))
        .suffix(".tmp")
        .make_in(dir, create_private)?;
    temp.as_file_mut().write_all(contents)?;
    let existing = fs::metadata(path).ok();
    if let Some(meta) = &existing {
        // tempfile creates 0600; keep whatever the user chose for this file.
        temp.as_file().set_permissions(meta.permissions())?;
    }
    if durable {
        temp.as_file().sync_all()?;
    }
    if backup && existing.is_some() {
        keep_backup(path)?;
    }
    temp.persist(path).map_err(|e| e.error)?;
    if durable {
        sync_dir(dir);
    }
    Ok(())
}

/// A new file only its owner can read (0600 where modes exist), as tempfile
/// would create it.
fn create_private(path: &Path) -> io::Result<File> {
    let mut options = fs::OpenOptions::new();
    options.read(true).write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)
}

/// `NAME.bak`, where a save keeps the version it replaces.
pub fn backup_path(path: &Path) -> PathBuf {
    with_suffix(path, ".bak")
}

/// `path` with `suffix` added to its name, byte for byte: a name that is
/// not UTF-8 stays the same name (formatting it would mangle it).
pub fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// Makes `NAME.bak` a copy of the current `NAME` before it is replaced.
fn keep_backup(path: &Path) -> io::Result<()> {
    let bak = backup_path(path);
    // A hard link costs nothing; copying is the fallback on file systems
    // without links. Either way the link/copy goes to a temporary name first
    // so `.bak` is always a whole file.
    let staging = bak.with_extension("bak.tmp");
    let _ = fs::remove_file(&staging);
    if fs::hard_link(path, &staging).is_err()
        && let Err(e) = fs::copy(path, &staging)
    {
        let _ = fs::remove_file(&staging);
        return Err(e);
    }
    fs::rename(&staging, &bak).inspect_err(|_| {
        // Nothing half-done is left beside the session.
        let _ = fs::remove_file(&staging);
    })
}

/// Makes the rename itself durable. Best effort: not every platform or file
/// system can sync a directory, and the data is already safe in the file.
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problems_after_a_dropped_item_keep_their_place_in_the_file() {
        let key = |k: &str| Step::Key(k.to_string());
        let mut dropped = Dropped::default();
        // threats[1] and then (in the copy) threats[2], i.e. the file's
        // threats[3], were taken out.
        dropped.0.push((vec![key("threats")], 1));
        dropped.0.push((vec![key("threats")], 3));
        let at = |i| dropped.original(&[key("threats"), Step::Index(i), key("title")]);
        assert_eq!(at(0)[1], Step::Index(0));
        assert_eq!(at(1)[1], Step::Index(2));
        assert_eq!(at(2)[1], Step::Index(4));
        // Other lists are not shifted.
        assert_eq!(
            dropped.original(&[key("flows"), Step::Index(1)])[1],
            Step::Index(1)
        );
    }

    #[test]
    fn every_type_problem_is_found_in_one_pass() {
        #[derive(Debug, serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        #[allow(dead_code)]
        struct Item {
            name: String,
            count: u8,
            #[serde(default)]
            on: bool,
        }
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct Doc {
            items: Vec<Item>,
        }
        let text = "[[items]]\nname = 1\ncount = \"x\"\nextra = 0\n[[items]]\ncount = 2\non = 3\n";
        let Err(LoadError::Invalid(d)) = parse_toml::<Doc>(Path::new("d.toml"), text) else {
            panic!("the document is wrong");
        };
        let found: Vec<String> = d
            .iter()
            .map(|d| format!("{}:{} {}", d.line, d.field, d.message))
            .collect();
        assert_eq!(found.len(), 5, "{found:#?}");
        assert!(
            found[0].starts_with("2:items[0].name invalid type"),
            "{found:#?}"
        );
        assert!(
            found[3].starts_with("5:items[1] missing field `name`"),
            "{found:#?}"
        );
        assert!(
            found[4].starts_with("7:items[1].on invalid type"),
            "{found:#?}"
        );
    }

    #[test]
    fn every_problem_is_listed_on_its_own_line() {
        let text = "[[items]]\ncount = \"x\"\n[[items]]\ncount = \"y\"\n";
        let err = parse_toml::<Counts>(Path::new("d.toml"), text).unwrap_err();
        assert_eq!(err.diagnostics().len(), 2);
        let shown = err.to_string();
        let lines: Vec<&str> = shown.lines().collect();
        assert_eq!(lines.len(), 2, "{shown}");
        assert!(
            lines[0].starts_with("d.toml:2:9: error: items[0].count"),
            "{shown}"
        );
        assert!(
            lines[1].starts_with("d.toml:4:9: error: items[1].count"),
            "{shown}"
        );
        // An I/O failure has no located problems.
        let err = read_text(Path::new("no/such.toml")).unwrap_err();
        assert!(err.diagnostics().is_empty());
    }

    #[test]
    fn a_wrong_id_or_time_is_patched_with_the_example_so_the_rest_of_its_item_is_checked() {
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct Item {
            id: crate::core::ids::Id,
            at: crate::core::time::Timestamp,
            count: u8,
        }
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct Doc {
            items: Vec<Item>,
        }
        let text = "[[items]]\nid = 5\nat = \"noon\"\ncount = \"x\"\n";
        let err = parse_toml::<Doc>(Path::new("d.toml"), text).unwrap_err();
        let fields: Vec<&str> = err.diagnostics().iter().map(|d| d.field.as_str()).collect();
        assert_eq!(
            fields,
            ["items[0].id", "items[0].at", "items[0].count"],
            "{err}"
        );
        let ids = stand_ins("invalid type: integer `5`, expected an element id such as C3");
        assert_eq!(ids[0], toml::Value::String("C3".into()));
        let times = stand_ins("expected an RFC 3339 date-time such as \"2026-03-04T09:30:00Z\"");
        assert_eq!(times[0], toml::Value::String("2026-03-04T09:30:00Z".into()));
    }

    /// Found problems as `field message-start`, in file order.
    fn found<T: DeserializeOwned + fmt::Debug>(text: &str) -> Vec<String> {
        let err = parse_toml::<T>(Path::new("d.toml"), text).unwrap_err();
        err.diagnostics()
            .iter()
            .map(|d| {
                let clause = d.message.split([':', ',']).next().unwrap_or_default();
                format!("{} {clause}", d.field)
            })
            .collect()
    }

    #[test]
    fn an_unknown_key_in_a_table_is_dropped_and_the_table_checked_on() {
        #[derive(Debug, serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        #[allow(dead_code)]
        struct Meta {
            name: String,
            size: u8,
        }
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct Doc {
            meta: Meta,
        }
        let text = "[meta]\nname = \"a\"\nextra = 1\nsize = \"x\"\n";
        assert_eq!(
            found::<Doc>(text),
            ["meta.extra unknown field `extra`", "meta.size invalid type"]
        );
    }

    #[test]
    fn a_missing_key_is_filled_and_later_items_are_checked() {
        let text = "[[items]]\n[[items]]\ncount = \"x\"\n";
        assert_eq!(
            found::<Counts>(text),
            [
                "items[0] missing field `count`",
                "items[1].count invalid type"
            ]
        );
    }

    #[test]
    fn an_item_no_value_fits_is_left_out_and_the_next_items_are_checked() {
        /// Refuses every value, like an id or a name no stand-in matches.
        #[derive(Debug)]
        struct Refused;
        impl<'de> serde::Deserialize<'de> for Refused {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let _ = toml::Value::deserialize(d)?;
                Err(serde::de::Error::custom("nothing fits"))
            }
        }
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct Item {
            kind: Refused,
        }
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct Doc {
            items: Vec<Item>,
            count: Vec<Count>,
        }
        let text = "[[items]]\nkind = 1\n[[items]]\nkind = 2\n[[count]]\ncount = \"x\"\n";
        assert_eq!(
            found::<Doc>(text),
            [
                "items[0].kind nothing fits",
                "items[1].kind nothing fits",
                "count[0].count invalid type"
            ]
        );
    }

    #[cfg(unix)]
    #[test]
    fn an_output_is_a_new_or_plain_file_or_a_stream_and_nothing_else() {
        use std::os::unix::fs::symlink;
        let dir = tempfile::tempdir().unwrap();
        let at = |name: &str| dir.path().join(name);
        let write = |path: &Path, inputs: &[&Path]| write_output(path, b"new", inputs);
        let kind = |r: Result<(), OutputError>| match r {
            Ok(()) => "written",
            Err(OutputError::Symlink(_)) => "link",
            Err(OutputError::Directory(_)) => "folder",
            Err(OutputError::Special(_)) => "special",
            Err(OutputError::OwnInput(_)) => "own input",
            Err(OutputError::LockFile(_)) => "lock",
            Err(OutputError::Io { .. }) => "io",
        };
        // New and plain files.
        assert_eq!(kind(write(&at("new.csv"), &[])), "written");
        assert_eq!(fs::read(at("new.csv")).unwrap(), b"new");
        fs::write(at("old.csv"), "old").unwrap();
        fs::write(at("s.toml"), "session").unwrap();
        assert_eq!(kind(write(&at("old.csv"), &[&at("s.toml")])), "written");
        assert_eq!(fs::read(at("old.csv")).unwrap(), b"new");
        // Streams, named or through a link.
        assert_eq!(kind(write(Path::new("/dev/null"), &[])), "written");
        symlink("/dev/null", at("null")).unwrap();
        assert_eq!(kind(write(&at("null"), &[])), "written");
        // A pipe gets the contents (a reader waits at its other end).
        let fifo = at("fifo");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if made.is_ok_and(|s| s.success()) {
            let (sent, received) = std::sync::mpsc::channel();
            let reader = fifo.clone();
            std::thread::spawn(move || sent.send(fs::read(reader).unwrap()));
            assert_eq!(kind(write(&fifo, &[])), "written");
            let got = received.recv_timeout(std::time::Duration::from_secs(10));
            assert_eq!(got.as_deref(), Ok(&b"new"[..]));
        }
        // Never through a link to a file.
        fs::write(at("target.csv"), "kept").unwrap();
        symlink(at("target.csv"), at("link.csv")).unwrap();
        assert_eq!(kind(write(&at("link.csv"), &[])), "link");
        assert_eq!(fs::read(at("target.csv")).unwrap(), b"kept");
        // Folders and other special files.
        fs::create_dir(at("folder")).unwrap();
        assert_eq!(kind(write(&at("folder"), &[])), "folder");
        let _socket = std::os::unix::net::UnixListener::bind(at("socket")).unwrap();
        assert_eq!(kind(write(&at("socket"), &[])), "special");
        // Never the session being read, nor its backup.
        assert_eq!(kind(write(&at("s.toml"), &[&at("s.toml")])), "own input");
        fs::write(at("s.toml.bak"), "backup").unwrap();
        assert_eq!(
            kind(write(&at("s.toml.bak"), &[&at("s.toml")])),
            "own input"
        );
        assert_eq!(fs::read(at("s.toml")).unwrap(), b"session");
        assert_eq!(fs::read(at("s.toml.bak")).unwrap(), b"backup");
        // Never a lock file; other dotted or .lock names are fine.
        assert_eq!(kind(write(&at(".s.toml.lock"), &[])), "lock");
        assert!(!at(".s.toml.lock").exists());
        assert_eq!(kind(write(&at("s.lock"), &[])), "written");
        assert_eq!(kind(write(&at(".hidden.csv"), &[])), "written");
    }

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Counts {
        items: Vec<Count>,
    }

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Count {
        count: u8,
    }

    /// A document of `padding` bytes of comment and then `bad` items whose
    /// count is text: one type problem each.
    fn counts_with_problems(padding: usize, bad: usize) -> String {
        let mut text = format!("#{}\n", "x".repeat(padding));
        for _ in 0..bad {
            text.push_str("[[items]]\ncount = \"x\"\n");
        }
        text
    }

    fn problems_in(text: &str) -> (usize, Vec<String>) {
        let err = parse_toml::<Counts>(Path::new("d.toml"), text).unwrap_err();
        let errors = err
            .diagnostics()
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count();
        let warnings = err
            .diagnostics()
            .iter()
            .filter(|d| d.severity == Severity::Warning)
            .map(|d| d.message.clone())
            .collect();
        (errors, warnings)
    }

    #[test]
    fn at_most_a_hundred_type_problems_are_listed() {
        let (errors, warnings) = problems_in(&counts_with_problems(0, 150));
        assert_eq!((errors, warnings.len()), (100, 0));
    }

    #[test]
    fn a_megabyte_file_is_searched_for_all_its_problems() {
        // 64 MiB of retries over a 1 MB file is some 64 tries: enough for
        // 20 problems at two tries each.
        let (errors, warnings) = problems_in(&counts_with_problems(1_000_000, 20));
        assert_eq!((errors, warnings), (20, Vec::<String>::new()));
    }

    #[test]
    fn a_huge_file_stops_the_search_early_and_says_so() {
        // 64 MiB of retries over 2 MiB is 31 tries, fewer than the 40 that
        // 20 problems take.
        let (errors, warnings) = problems_in(&counts_with_problems(2 * 1024 * 1024, 20));
        assert!(errors < 20, "{errors}");
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(
            warnings[0].starts_with("stopped looking after"),
            "{warnings:?}"
        );
    }

    #[test]
    fn a_file_of_exactly_the_size_limit_is_read_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("limit.toml");
        let limit = usize::try_from(MAX_FILE_BYTES).unwrap();
        fs::write(&path, vec![b'#'; limit]).unwrap();
        assert_eq!(read_text(&path).unwrap().len(), limit);
        // One byte more is refused, not cut short.
        fs::write(&path, vec![b'#'; limit + 1]).unwrap();
        let err = read_text(&path).unwrap_err();
        assert!(err.to_string().contains("16 MiB limit"), "{err}");
    }

    fn file_names(dir: &Path) -> Vec<String> {
        fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect()
    }

    #[test]
    fn atomic_write_keeps_a_backup_and_mode() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.toml");
        write_atomic(&path, b"one", true).unwrap();
        assert!(!dir.path().join("s.toml.bak").exists());
        write_atomic(&path, b"two", true).unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"two");
        assert_eq!(fs::read(dir.path().join("s.toml.bak")).unwrap(), b"one");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
            fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
            write_atomic(&path, b"three", true).unwrap();
            let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o644);
        }
        // No temporary files left behind.
        let names = file_names(dir.path());
        assert_eq!(names.len(), 2, "{names:?}");
    }

    /// Set in the child process [`a_failed_write_leaves_the_original_and_no_temporary_file`]
    /// starts: the file size limit is in force there.
    const SIZE_LIMITED: &str = "STRIDEKIT_TEST_FILE_SIZE_LIMITED";

    #[test]
    fn a_failed_write_leaves_the_original_and_no_temporary_file() {
        let Some(dir) = std::env::var_os(SIZE_LIMITED) else {
            // Run this test again in a child limited to 4 KiB files (as a
            // full disk or a quota would stop a write), ignoring SIGXFSZ
            // so the write fails with an error instead of killing it.
            #[cfg(unix)]
            {
                use std::os::unix::process::CommandExt;
                let dir = tempfile::tempdir().unwrap();
                fs::write(dir.path().join("s.toml"), b"the original").unwrap();
                let mut child = std::process::Command::new(std::env::current_exe().unwrap());
                child
                    .args([
                        "--exact",
                        "core::files::tests::a_failed_write_leaves_the_original_and_no_temporary_file",
                        "--test-threads=1",
                    ])
                    .env(SIZE_LIMITED, dir.path());
                // SAFETY: setrlimit and signal are async-signal-safe.
                unsafe {
                    child.pre_exec(|| {
                        let limit = libc::rlimit {
                            rlim_cur: 4096,
                            rlim_max: 4096,
                        };
                        if libc::setrlimit(libc::RLIMIT_FSIZE, &limit) != 0 {
                            return Err(io::Error::last_os_error());
                        }
                        libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
                        Ok(())
                    });
                }
                let out = child.output().unwrap();
                let stdout = String::from_utf8_lossy(&out.stdout);
                assert!(
                    out.status.success() && stdout.contains("1 passed"),
                    "the limited run failed: {stdout}{}",
                    String::from_utf8_lossy(&out.stderr)
                );
            }
            return;
        };
        let dir = Path::new(&dir);
        let path = dir.join("s.toml");
        for backup in [true, false] {
            let err = write_atomic(&path, &vec![b'#'; 64 * 1024], backup).unwrap_err();
            assert!(
                err.to_string().contains("too large") || err.raw_os_error() == Some(libc::EFBIG),
                "{err}"
            );
            assert_eq!(fs::read(&path).unwrap(), b"the original");
            let names = file_names(dir);
            assert!(
                names.iter().all(|n| n == "s.toml" || n == "s.toml.bak"),
                "{names:?}"
            );
        }
    }

    #[test]
    fn a_failed_rename_leaves_the_original_and_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.toml");
        fs::write(&path, b"the original").unwrap();
        // The backup cannot be renamed into place: a directory has its name.
        let bak = dir.path().join("s.toml.bak");
        fs::create_dir(&bak).unwrap();
        fs::write(bak.join("keep"), b"x").unwrap();
        assert!(write_atomic(&path, b"new", true).is_err());
        assert_eq!(fs::read(&path).unwrap(), b"the original");
        let mut names = file_names(dir.path());
        names.sort();
        assert_eq!(names, ["s.toml", "s.toml.bak"]);
        // The session itself cannot be replaced: a directory in its place.
        let taken = dir.path().join("t.toml");
        fs::create_dir(&taken).unwrap();
        fs::write(taken.join("keep"), b"x").unwrap();
        assert!(write_atomic(&taken, b"new", false).is_err());
        assert_eq!(fs::read(taken.join("keep")).unwrap(), b"x");
        let mut names = file_names(dir.path());
        names.sort();
        assert_eq!(names, ["s.toml", "s.toml.bak", "t.toml"]);
    }

    #[test]
    fn a_bare_name_is_in_the_working_folder() {
        assert_eq!(folder_of(Path::new("s.toml")), Path::new("."));
        assert_eq!(folder_of(Path::new("a/s.toml")), Path::new("a"));
        assert_eq!(folder_of(Path::new("/s.toml")), Path::new("/"));
    }

    #[test]
    fn the_temporary_file_is_made_beside_the_target_so_the_rename_stays_on_its_file_system() {
        // /dev/shm is another file system than the working directory: a
        // temporary file made there would fail to rename.
        let shm = Path::new("/dev/shm");
        if !shm.is_dir() {
            eprintln!("SKIPPED: no /dev/shm on this machine");
            return;
        }
        let dir = tempfile::tempdir_in(shm).unwrap();
        let path = dir.path().join("s.toml");
        write_atomic(&path, b"one", true).unwrap();
        write_atomic(&path, b"two", true).unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"two");
        assert_eq!(fs::read(backup_path(&path)).unwrap(), b"one");
    }

    #[test]
    fn unsynced_write_replaces_whole_and_keeps_mode() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("demo.toml");
        write_atomic_unsynced(&path, b"one").unwrap();
        write_atomic_unsynced(&path, b"two").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"two");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
        // Neither a backup nor temporary files.
        let names = file_names(dir.path());
        assert_eq!(names, ["demo.toml"]);
    }

    #[test]
    fn refuses_huge_and_binary_files() {
        let p = Path::new("big.toml");
        let big = vec![b'#'; MAX_FILE_BYTES as usize + 1];
        let err = text_from_bytes(p, big).unwrap_err();
        assert!(err.to_string().contains("16 MiB"), "{err}");
        let err = text_from_bytes(p, b"a = 1\nb = \"\xff\"".to_vec()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "big.toml:2:6: error: file is not UTF-8 text"
        );
    }

    #[test]
    fn write_errors_do_not_name_the_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("missing").join("x.csv");
        let err = write_atomic(&missing, b"x", false).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::NotFound);
        assert!(!err.to_string().contains(".tmp"), "{err}");
        // A file where a directory should be: the write fails at creation.
        let file = dir.path().join("file");
        fs::write(&file, "x").unwrap();
        let err = write_atomic(&file.join("x.csv"), b"x", false).unwrap_err();
        assert!(!err.to_string().contains(".tmp"), "{err}");
        // A directory where the file should be: the write fails at the
        // rename, and the temporary file is removed.
        let target = dir.path().join("sub");
        fs::create_dir(&target).unwrap();
        let err = write_atomic(&target, b"x", false).unwrap_err();
        assert!(!err.to_string().contains(".tmp"), "{err}");
        let names = file_names(dir.path());
        assert_eq!(names.len(), 2, "{names:?}");
    }

    #[test]
    fn read_errors_name_the_path_once() {
        let err = read_text(Path::new("no/such.toml")).unwrap_err();
        let message = err.to_string();
        assert!(
            message.starts_with("cannot read no/such.toml: "),
            "{message}"
        );
        assert!(std::error::Error::source(&err).is_none());
    }
}
