//! Session files on disk: load with full validation, save atomically, and
//! lock so that two processes never edit one session.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use super::catalog::Catalogs;
use super::diag::{Diagnostic, SourceText};
use super::files::{self, LoadError};
use super::model::Session;
use super::time::Timestamp;
use super::validate::validate;

/// A session that loaded, with any warnings about it.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub session: Session,
    pub warnings: Vec<Diagnostic>,
}

/// Reads and validates a session file. Never writes to it.
pub fn load(path: &Path, catalogs: &Catalogs) -> Result<Loaded, LoadError> {
    let text = files::read_text(path)?;
    load_text(path, &text, catalogs)
}

/// Validates session text as if it were read from `path`.
pub fn load_text(path: &Path, text: &str, catalogs: &Catalogs) -> Result<Loaded, LoadError> {
    let session: Session = files::parse_toml(path, text)?;
    let issues = validate(&session, catalogs);
    let diagnostics = SourceText { path, text }.place(&issues);
    if diagnostics.iter().any(Diagnostic::is_error) {
        return Err(LoadError::Invalid(diagnostics));
    }
    Ok(Loaded {
        session,
        warnings: diagnostics,
    })
}

/// The session as TOML, in the canonical key order.
pub fn to_toml(session: &Session) -> Result<String, SaveError> {
    toml::to_string(session).map_err(|e| SaveError::Serialize(e.to_string()))
}

#[derive(Debug, thiserror::Error)]
pub enum SaveError {
    #[error("cannot write the session as TOML: {0}")]
    Serialize(String),
    // The reason is in the message, not a `source()`: see `LoadError`.
    #[error("cannot save {}: {error}", path.display())]
    Io { path: PathBuf, error: io::Error },
    #[error("{} is open read-only", path.display())]
    ReadOnly { path: PathBuf },
    #[error("{} changed on disk since stridekit read it; nothing was written over it", path.display())]
    ChangedOnDisk { path: PathBuf },
    #[error(
        "the session would be {:.1} MB, more than the {} MiB a session file may be (stridekit could not open it again); nothing was written: undo the last change",
        *.bytes as f64 / 1e6,
        files::MAX_FILE_BYTES / (1024 * 1024)
    )]
    TooLarge { bytes: usize },
}

/// The session as the text of its file, refused when it would be too big
/// to be read back: a file is never written that stridekit cannot open.
fn file_text(session: &Session) -> Result<String, SaveError> {
    let text = to_toml(session)?;
    if u64::try_from(text.len()).map_or(true, |n| n > files::MAX_FILE_BYTES) {
        return Err(SaveError::TooLarge { bytes: text.len() });
    }
    Ok(text)
}

/// What a session file held when we last read or wrote it: its content's
/// hash, with its size and modification time to skip reading it again
/// while they stay the same.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiskStamp {
    len: u64,
    modified: Option<std::time::SystemTime>,
    hash: u64,
}

fn content_hash(bytes: &[u8]) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    bytes.hash(&mut h);
    h.finish()
}

impl DiskStamp {
    /// The stamp of `path` as it is now, whose content is `bytes`.
    pub fn of(path: &Path, bytes: &[u8]) -> DiskStamp {
        let meta = fs::metadata(path).ok();
        DiskStamp {
            len: meta.as_ref().map_or(bytes.len() as u64, fs::Metadata::len),
            modified: meta.and_then(|m| m.modified().ok()),
            hash: content_hash(bytes),
        }
    }

    /// What is on disk now, if it differs from what this stamp knew
    /// (`Ok(None)`: the same). A file gone counts as changed, with no bytes.
    pub fn changed(&self, path: &Path) -> io::Result<Option<Vec<u8>>> {
        let meta = match fs::metadata(path) {
            Ok(m) => m,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Some(Vec::new())),
            Err(e) => return Err(e),
        };
        if meta.len() == self.len && meta.modified().ok() == self.modified {
            return Ok(None);
        }
        // Touched, perhaps not changed (a `touch`, a checkout of the
        // same content): the content decides.
        let bytes = fs::read(path)?;
        Ok((content_hash(&bytes) != self.hash).then_some(bytes))
    }
}

/// [`save`], unless the file changed on disk since `known` (a `git pull`,
/// an edit by hand): then nothing is written. Returns the new stamp.
pub fn save_checked(
    path: &Path,
    session: &Session,
    known: &DiskStamp,
) -> Result<DiskStamp, SaveError> {
    let io_error = |error| SaveError::Io {
        path: path.to_path_buf(),
        error,
    };
    if known.changed(path).map_err(io_error)?.is_some() {
        return Err(SaveError::ChangedOnDisk {
            path: path.to_path_buf(),
        });
    }
    let text = file_text(session)?;
    files::write_atomic(path, text.as_bytes(), true).map_err(io_error)?;
    Ok(DiskStamp::of(path, text.as_bytes()))
}

/// Writes the session atomically, keeping the previous file as `NAME.bak`.
pub fn save(path: &Path, session: &Session) -> Result<(), SaveError> {
    let text = file_text(session)?;
    files::write_atomic(path, text.as_bytes(), true).map_err(|error| SaveError::Io {
        path: path.to_path_buf(),
        error,
    })
}

/// The most bytes of a title's slug in a file name.
const SLUG_BYTES: usize = 120;

/// `<title-slug>.toml`: at most [`SLUG_BYTES`] of slug, `session` if the
/// title has no letters or digits.
pub fn session_file_name(title: &str) -> String {
    let mut slug = String::new();
    // File systems limit a name to 255 bytes, not characters: the slug
    // keeps well under, leaving room for what goes beside it (`-2`,
    // `.toml.bak`, the lock and temp names, `-backlog.jira.csv`).
    for c in super::text::slug(title).chars() {
        if slug.len() + c.len_utf8() > SLUG_BYTES {
            break;
        }
        slug.push(c);
    }
    let slug = slug.trim_end_matches('-').to_string();
    let slug = if slug.is_empty() {
        "session".to_string()
    } else {
        slug
    };
    format!("{slug}.toml")
}

/// `DIR/<title-slug>.toml`, or `<slug>-2.toml` and so on when taken.
pub fn new_session_path(dir: &Path, title: &str) -> PathBuf {
    let name = session_file_name(title);
    let slug = name.trim_end_matches(".toml");
    let mut path = dir.join(&name);
    let mut n = 2;
    while path.exists() {
        path = dir.join(format!("{slug}-{n}.toml"));
        n += 1;
    }
    path
}

/// Writes a brand-new session file; fails if `path` already exists.
pub fn create(path: &Path, session: &Session) -> Result<(), SaveError> {
    let io_error = |error| SaveError::Io {
        path: path.to_path_buf(),
        error,
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        fs::create_dir_all(dir).map_err(io_error)?;
    }
    if path.exists() {
        return Err(io_error(io::Error::new(
            io::ErrorKind::AlreadyExists,
            "a file with this name already exists",
        )));
    }
    let text = file_text(session)?;
    files::write_atomic(path, text.as_bytes(), false).map_err(io_error)
}

#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error("{} is being edited by another stridekit ({holder}); open it read-only or close the other one", path.display())]
    Held { path: PathBuf, holder: String },
    #[error("{} is a symbolic link or not a plain file: stridekit never follows one for its lock; remove it and open the session again", lock.display())]
    NotAFile { lock: PathBuf },
    #[error("cannot lock {}: {error}", path.display())]
    Io { path: PathBuf, error: io::Error },
}

/// An exclusive claim on editing one session, held until dropped.
///
/// The lock is an OS file lock on a sidecar file `.NAME.toml.lock` (the
/// session file itself is replaced on every save, so it cannot carry the
/// lock). The OS drops the lock if the process dies, so a crash never leaves
/// a session stuck.
#[derive(Debug)]
pub struct SessionLock {
    file: File,
    path: PathBuf,
}

/// The last resort when nothing can be written beside a session (its
/// folder was deleted or renamed, the disk there is full): `contents` go to
/// `recovered/` in the data directory (or the temporary directory), named
/// after the file with the time, e.g. `recovered/s.toml.20261202T031005Z.mine`.
pub fn rescue(original: &Path, suffix: &str, contents: &[u8]) -> io::Result<PathBuf> {
    rescue_in(
        &recovered_dir(),
        original,
        suffix,
        contents,
        Timestamp::now(),
    )
}

/// Where [`rescue`] keeps what it saves.
pub fn recovered_dir() -> PathBuf {
    super::config::data_dir()
        .unwrap_or_else(std::env::temp_dir)
        .join("recovered")
}

/// [`rescue`] into `dir`, made if missing, stamped `now`; a name already
/// taken gets `.2`, `.3`, ... so nothing rescued earlier is replaced.
pub fn rescue_in(
    dir: &Path,
    original: &Path,
    suffix: &str,
    contents: &[u8],
    now: Timestamp,
) -> io::Result<PathBuf> {
    fs::create_dir_all(dir)?;
    let stamp = now.to_string().replace([':', '-'], "");
    let mut name = original.file_name().unwrap_or_default().to_owned();
    name.push(format!(".{stamp}{suffix}"));
    let mut path = dir.join(&name);
    let mut n = 2;
    while fs::symlink_metadata(&path).is_ok() {
        let mut numbered = name.clone();
        numbered.push(format!(".{n}"));
        path = dir.join(numbered);
        n += 1;
    }
    super::files::write_atomic(&path, contents, false)?;
    Ok(path)
}

/// `.NAME.toml.lock` beside `NAME.toml`.
pub fn lock_path(session_path: &Path) -> PathBuf {
    // Built from the name's bytes: two names that are not UTF-8 must not
    // share one lock.
    let mut name = std::ffi::OsString::from(".");
    name.push(session_path.file_name().unwrap_or_default());
    name.push(".lock");
    session_path.with_file_name(name)
}

impl SessionLock {
    pub fn acquire(session_path: &Path) -> Result<SessionLock, LockError> {
        let path = lock_path(session_path);
        let io_error = |error| LockError::Io {
            path: session_path.to_path_buf(),
            error,
        };
        // Another process may delete the lock file between our open and our
        // lock; then we hold a lock on a file nobody else will see. Retry
        // until the locked file is the one at the path.
        let not_a_file = || LockError::NotAFile { lock: path.clone() };
        for _ in 0..10 {
            let mut file = match open_lock_file(&path) {
                Ok(file) => file,
                Err(e) if is_link_refusal(&e) => return Err(not_a_file()),
                Err(e) => return Err(io_error(e)),
            };
            // A FIFO or device in its place is no lock file either.
            if !file.metadata().is_ok_and(|m| m.is_file()) {
                return Err(not_a_file());
            }
            match file.try_lock() {
                Ok(()) => {
                    if !is_same_file(&file, &path) {
                        continue;
                    }
                    let holder = format!(
                        "pid {} on {} since {}",
                        std::process::id(),
                        host_name(),
                        Timestamp::now().human()
                    );
                    let written = file
                        .set_len(0)
                        .and_then(|()| file.write_all(holder.as_bytes()));
                    if let Err(e) = written {
                        // A full disk: leave no empty lock file behind.
                        let _ = fs::remove_file(&path);
                        return Err(io_error(e));
                    }
                    return Ok(SessionLock { file, path });
                }
                Err(fs::TryLockError::WouldBlock) => {
                    let mut holder = String::new();
                    let _ = file.take(200).read_to_string(&mut holder);
                    let holder = holder.trim();
                    return Err(LockError::Held {
                        path: session_path.to_path_buf(),
                        holder: if holder.is_empty() {
                            "unknown process".to_string()
                        } else {
                            holder.to_string()
                        },
                    });
                }
                Err(fs::TryLockError::Error(e)) => return Err(io_error(e)),
            }
        }
        Err(io_error(io::Error::other("the lock file keeps changing")))
    }
}

impl Drop for SessionLock {
    fn drop(&mut self) {
        // Remove while still holding the lock; a process that opened the old
        // file meanwhile notices it is no longer at the path and retries.
        let _ = fs::remove_file(&self.path);
        let _ = self.file.unlock();
    }
}

fn open_lock_file(path: &Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // Never through a link: one committed to a repository could point
        // the lock's truncate and write at any file of the user's.
        options.mode(0o600).custom_flags(libc::O_NOFOLLOW);
    }
    #[cfg(not(unix))]
    super::non_unix::refuse_link(path)?;
    options.open(path)
}

/// The error `open` gives for a symbolic link with `O_NOFOLLOW`.
#[cfg(unix)]
fn is_link_refusal(e: &io::Error) -> bool {
    e.raw_os_error() == Some(libc::ELOOP)
}

#[cfg(not(unix))]
use super::non_unix::is_link_refusal;

#[cfg(unix)]
fn is_same_file(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), fs::metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
use super::non_unix::is_same_file;

fn host_name() -> String {
    fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .or_else(|| std::env::var("COMPUTERNAME").ok())
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "this machine".to_string())
}

/// Removes what a save killed half-way leaves beside `session_path`: the
/// temporary `.NAME.toml.XXXXXX.tmp` and the backup's staging
/// `NAME.toml.bak.tmp`. Only while holding the lock, when no save of ours
/// can be under way; only names of our own making.
fn remove_stale_temps(session_path: &Path) {
    let Some(name) = session_path.file_name().and_then(|n| n.to_str()) else {
        return;
    };
    let dir = files::folder_of(session_path);
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let temp_prefix = format!(".{name}.");
    let staging = format!("{name}.bak.tmp");
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let Some(file) = file_name.to_str() else {
            continue;
        };
        let ours = file == staging
            || file
                .strip_prefix(&temp_prefix)
                .and_then(|rest| rest.strip_suffix(".tmp"))
                .is_some_and(|random| {
                    random.len() == 6 && random.chars().all(|c| c.is_ascii_alphanumeric())
                });
        let plain = entry
            .file_type()
            .is_ok_and(|t| t.is_file() || t.is_symlink());
        if ours && plain {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// Why a session opened read-only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadOnly {
    /// Another stridekit holds the lock: the lock file's text (neutralise
    /// it before showing: anyone who can write beside the session can put
    /// anything in it).
    HeldBy(String),
    /// We may not write here: why, as a phrase ("the file is read-only").
    CannotWrite(String),
}

impl ReadOnly {
    /// The message when the session opens.
    pub fn notice(&self, title: &str) -> String {
        match self {
            // The holder first: a narrow status line cuts the title, not
            // the pid that says who to ask.
            ReadOnly::HeldBy(holder) => format!(
                "Read-only: {} is editing {title}",
                super::text::one_line(holder)
            ),
            ReadOnly::CannotWrite(why) => format!("Read-only: {title} cannot be saved: {why}"),
        }
    }

    /// Why a change is refused, short enough for the status line. The
    /// lock's "since ..." is left to [`ReadOnly::notice`].
    pub fn refusal(&self) -> String {
        match self {
            ReadOnly::HeldBy(holder) => {
                let holder = super::text::one_line(holder);
                let who = holder.split(" since ").next().unwrap_or(&holder);
                format!("Read-only: {who} is editing this session")
            }
            ReadOnly::CannotWrite(why) => format!("Read-only: {why}"),
        }
    }
}

/// The line of the first comment in TOML `text`, if it has one: `#`
/// outside every kind of string.
pub fn first_comment_line(text: &str) -> Option<usize> {
    let mut line = 1;
    let mut chars = text.chars().peekable();
    // The string being read: its quote, whether it spans lines, and
    // whether backslash escapes apply.
    let mut open: Option<(char, bool)> = None;
    while let Some(c) = chars.next() {
        if c == '\n' {
            line += 1;
        }
        match open {
            None => match c {
                '#' => return Some(line),
                '"' | '\'' => {
                    let mut n = 1;
                    while n < 3 && chars.peek() == Some(&c) {
                        chars.next();
                        n += 1;
                    }
                    match n {
                        3 => open = Some((c, true)),
                        2 => {} // an empty string
                        _ => open = Some((c, false)),
                    }
                }
                _ => {}
            },
            Some((quote, multi)) => {
                if c == '\\' && quote == '"' {
                    if chars.next() == Some('\n') {
                        line += 1;
                    }
                } else if c == quote {
                    if !multi {
                        open = None;
                    } else if chars.peek() == Some(&quote) {
                        chars.next();
                        if chars.peek() == Some(&quote) {
                            chars.next();
                            open = None;
                        }
                    }
                } else if c == '\n' && !multi {
                    // A newline ends a one-line string (an error, but not
                    // ours to report here).
                    open = None;
                }
            }
        }
    }
    None
}

/// How a session was opened.
#[derive(Debug)]
pub enum Access {
    /// We hold the lock and may save.
    ReadWrite(SessionLock),
    /// Saving is refused, and why.
    ReadOnly(ReadOnly),
}

/// What is said when a file with comments is opened for editing: saving
/// rewrites it from the data, and comments are not data.
pub const COMMENTS_NOT_KEPT: &str = "the file has comments, which are not kept when stridekit saves it: keep notes in the description or a threat's notes";

fn comments_warning(path: &Path, text: &str) -> Option<Diagnostic> {
    let line = first_comment_line(text)?;
    Some(Diagnostic {
        severity: crate::core::diag::Severity::Warning,
        file: path.to_path_buf(),
        line,
        column: 1,
        field: String::new(),
        message: COMMENTS_NOT_KEPT.to_string(),
    })
}

/// Why we could not write beside `path` at all, if that is so: a file
/// whose permissions forbid writing, a symbolic link (saves go to a file
/// itself, never through a link), a lock that cannot be made.
fn cannot_write(path: &Path, lock: Option<&LockError>) -> Option<String> {
    if fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
        return Some(
            "it is a symbolic link, and stridekit saves only to a file itself: open the file it points to"
                .to_string(),
        );
    }
    if fs::metadata(path).is_ok_and(|m| m.permissions().readonly()) {
        return Some("the file is read-only (its permissions forbid writing)".to_string());
    }
    match lock {
        Some(LockError::Io { error, .. }) if error.kind() == io::ErrorKind::PermissionDenied => {
            Some(
                "its folder is read-only, so neither a lock nor a save can be written there"
                    .to_string(),
            )
        }
        Some(LockError::Io { error, .. }) if error.kind() == io::ErrorKind::ReadOnlyFilesystem => {
            Some("it is on a read-only file system".to_string())
        }
        Some(LockError::Io { error, .. }) => Some(format!("its lock cannot be written ({error})")),
        _ => None,
    }
}

/// A session opened for a workshop: the data, where it lives, and whether
/// we may write it.
#[derive(Debug)]
pub struct OpenSession {
    pub path: PathBuf,
    pub session: Session,
    pub warnings: Vec<Diagnostic>,
    pub access: Access,
    /// The file as read, to notice a change on disk before saving.
    pub disk: Option<DiskStamp>,
}

impl OpenSession {
    /// Opens for editing, or read-only when another process is editing it.
    pub fn open(path: &Path, catalogs: &Catalogs) -> Result<OpenSession, OpenError> {
        exists(path)?;
        // Where we may not write, the session still opens, read-only, and
        // says why (a read-only folder, a 0444 file, a link).
        let access = match cannot_write(path, None) {
            Some(why) => Access::ReadOnly(ReadOnly::CannotWrite(why)),
            None => match SessionLock::acquire(path) {
                Ok(lock) => {
                    remove_stale_temps(path);
                    Access::ReadWrite(lock)
                }
                Err(LockError::Held { holder, .. }) => Access::ReadOnly(ReadOnly::HeldBy(holder)),
                Err(e @ LockError::NotAFile { .. }) => return Err(OpenError::Lock(e)),
                Err(e) => match cannot_write(path, Some(&e)) {
                    Some(why) => Access::ReadOnly(ReadOnly::CannotWrite(why)),
                    None => return Err(OpenError::Lock(e)),
                },
            },
        };
        let text = files::read_text(path)?;
        let loaded = load_text(path, &text, catalogs)?;
        let mut warnings = loaded.warnings;
        if matches!(access, Access::ReadWrite(_)) {
            warnings.extend(comments_warning(path, &text));
        }
        Ok(OpenSession {
            path: path.to_path_buf(),
            session: loaded.session,
            warnings,
            access,
            disk: Some(DiskStamp::of(path, text.as_bytes())),
        })
    }

    /// Opens for editing; fails with [`LockError::Held`] if someone else is.
    pub fn open_exclusive(path: &Path, catalogs: &Catalogs) -> Result<OpenSession, OpenError> {
        exists(path)?;
        let lock = SessionLock::acquire(path)?;
        remove_stale_temps(path);
        let text = files::read_text(path)?;
        let loaded = load_text(path, &text, catalogs)?;
        Ok(OpenSession {
            path: path.to_path_buf(),
            session: loaded.session,
            warnings: loaded.warnings,
            access: Access::ReadWrite(lock),
            disk: Some(DiskStamp::of(path, text.as_bytes())),
        })
    }

    pub fn is_read_only(&self) -> bool {
        matches!(self.access, Access::ReadOnly(_))
    }

    /// Stamps `updated` and writes the session atomically.
    pub fn save(&mut self) -> Result<(), SaveError> {
        if self.is_read_only() {
            return Err(SaveError::ReadOnly {
                path: self.path.clone(),
            });
        }
        self.session.updated = Timestamp::now().max(self.session.created);
        match &self.disk {
            Some(known) => {
                self.disk = Some(save_checked(&self.path, &self.session, known)?);
                Ok(())
            }
            None => save(&self.path, &self.session),
        }
    }
}

/// A missing file is reported as one ("cannot read"), before a lock file
/// is made beside it or a missing directory reads as "cannot lock".
fn exists(path: &Path) -> Result<(), LoadError> {
    fs::metadata(path)
        .map(|_| ())
        .map_err(|e| LoadError::io(path, e))
}

#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error(transparent)]
    Lock(#[from] LockError),
    #[error(transparent)]
    Load(#[from] LoadError),
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::model::Template;

    /// A rescue made in a folder that is not there yet, then twice more in
    /// the same second: three files, none replacing another, each holding
    /// what it was given.
    #[test]
    fn rescues_are_named_after_the_file_and_time_and_never_replace_each_other() {
        let dir = tempfile::tempdir().unwrap();
        let recovered = dir.path().join("data/recovered");
        let now = Timestamp::parse("2026-12-02T03:10:05Z").unwrap();
        let original = Path::new("/gone/s.toml");
        let kept: Vec<PathBuf> = ["first", "second", "third"]
            .iter()
            .map(|text| rescue_in(&recovered, original, ".mine", text.as_bytes(), now).unwrap())
            .collect();
        let names: Vec<String> = kept
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            names,
            [
                "s.toml.20261202T031005Z.mine",
                "s.toml.20261202T031005Z.mine.2",
                "s.toml.20261202T031005Z.mine.3",
            ]
        );
        for (path, text) in kept.iter().zip(["first", "second", "third"]) {
            assert_eq!(path.parent(), Some(recovered.as_path()));
            assert_eq!(fs::read_to_string(path).unwrap(), text);
        }
        // Only the three: no temporary file left beside them.
        assert_eq!(fs::read_dir(&recovered).unwrap().count(), 3);
    }

    #[test]
    fn rescues_go_to_the_data_directory_or_else_the_temporary_one() {
        let expected = crate::core::config::data_dir()
            .unwrap_or_else(std::env::temp_dir)
            .join("recovered");
        assert_eq!(recovered_dir(), expected);
    }

    /// Where the folder cannot be made (a file is in the way), the rescue
    /// says so instead of claiming a path.
    #[test]
    fn a_rescue_that_cannot_make_its_folder_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let blocker = dir.path().join("recovered");
        fs::write(&blocker, "a file").unwrap();
        let now = Timestamp::from_unix(0);
        assert!(rescue_in(&blocker, Path::new("s.toml"), ".mine", b"x", now).is_err());
        assert_eq!(fs::read_to_string(&blocker).unwrap(), "a file");
    }

    #[test]
    fn a_session_of_exactly_the_size_limit_is_saved_and_one_byte_more_is_not() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.toml");
        let mut session = Session::new("t", Template::Quick, Timestamp::from_unix(0));
        let base = to_toml(&session).unwrap().len();
        let limit = usize::try_from(files::MAX_FILE_BYTES).unwrap();
        // "t" grows by one byte of file per letter (no escaping).
        session.title = "t".repeat(limit - base + 1);
        assert_eq!(to_toml(&session).unwrap().len(), limit);
        save(&path, &session).unwrap();
        assert_eq!(
            std::fs::metadata(&path).unwrap().len(),
            files::MAX_FILE_BYTES
        );
        session.title.push('t');
        let err = save(&path, &session).unwrap_err();
        assert!(matches!(err, SaveError::TooLarge { .. }), "{err}");
        assert!(err.to_string().contains("16.8 MB"), "{err}");
        assert_eq!(
            std::fs::metadata(&path).unwrap().len(),
            files::MAX_FILE_BYTES
        );
    }

    #[test]
    fn the_disk_stamp_sees_a_change_by_content_size_or_removal() {
        use std::time::{Duration, SystemTime};
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.toml");
        std::fs::write(&path, "title = \"a\"\n").unwrap();
        let stamp = DiskStamp::of(&path, b"title = \"a\"\n");
        let then = std::fs::metadata(&path).unwrap().modified().unwrap();
        let set_time = |at: SystemTime| {
            let file = std::fs::File::options().write(true).open(&path).unwrap();
            file.set_modified(at).unwrap();
        };
        assert_eq!(stamp.changed(&path).unwrap(), None);
        // Touched, same content: not a change.
        set_time(then + Duration::from_secs(60));
        assert_eq!(stamp.changed(&path).unwrap(), None);
        // Same size, new content and time.
        std::fs::write(&path, "title = \"b\"\n").unwrap();
        assert_eq!(
            stamp.changed(&path).unwrap().as_deref(),
            Some(&b"title = \"b\"\n"[..])
        );
        // New size, with the old time put back.
        std::fs::write(&path, "title = \"bb\"\n").unwrap();
        set_time(then);
        assert!(stamp.changed(&path).unwrap().is_some());
        // Gone: changed, with no bytes.
        std::fs::remove_file(&path).unwrap();
        assert_eq!(stamp.changed(&path).unwrap(), Some(Vec::new()));
        // A path that cannot be looked at is an error, not a change.
        std::fs::write(dir.path().join("file"), "x").unwrap();
        assert!(
            stamp
                .changed(&dir.path().join("file").join("s.toml"))
                .is_err()
        );
    }

    #[test]
    fn file_names_take_a_slug_of_at_most_120_bytes_and_count_on_when_taken() {
        let name = session_file_name(&"a".repeat(200));
        assert_eq!(name, format!("{}.toml", "a".repeat(120)));
        assert_eq!(session_file_name("Payroll: v2!"), "payroll-v2.toml");
        assert_eq!(session_file_name("!!!"), "session.toml");
        let dir = tempfile::tempdir().unwrap();
        let new = || new_session_path(dir.path(), "T");
        assert_eq!(new(), dir.path().join("t.toml"));
        std::fs::write(dir.path().join("t.toml"), "").unwrap();
        std::fs::write(dir.path().join("t-2.toml"), "").unwrap();
        assert_eq!(new(), dir.path().join("t-3.toml"));
    }

    #[test]
    fn the_lock_names_its_holder_and_a_lock_that_cannot_be_made_is_an_io_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.toml");
        let lock = SessionLock::acquire(&path).unwrap();
        let holder = std::fs::read_to_string(lock_path(&path)).unwrap();
        let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
            .map(|h| h.trim().to_string())
            .unwrap_or_else(|_| "this machine".to_string());
        let expected = format!("pid {} on {host} since ", std::process::id());
        assert!(holder.starts_with(&expected), "{holder:?} vs {expected:?}");
        drop(lock);
        assert!(!lock_path(&path).exists());
        // No folder: an I/O error, not "a link or not a plain file".
        let missing = dir.path().join("gone").join("s.toml");
        let err = SessionLock::acquire(&missing).unwrap_err();
        assert!(matches!(err, LockError::Io { .. }), "{err}");
    }

    #[cfg(unix)]
    #[test]
    fn a_lock_is_the_file_at_its_path_only() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a"), dir.path().join("b"));
        std::fs::write(&a, "").unwrap();
        std::fs::write(&b, "").unwrap();
        let file = File::open(&a).unwrap();
        assert!(is_same_file(&file, &a));
        assert!(!is_same_file(&file, &b));
        assert!(!is_same_file(&file, &dir.path().join("c")));
    }

    #[cfg(unix)]
    #[test]
    fn the_lock_is_never_opened_through_a_link() {
        // Issue 9, item 6: a committed `.s.toml.lock` link truncated its
        // target; a dangling one created a file.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.toml");
        let catalogs = Catalogs::builtin().unwrap();
        create(&path, &Session::new("t", Template::Quick, Timestamp::now())).unwrap();
        let victim = dir.path().join("victim.txt");
        std::fs::write(&victim, "precious").unwrap();
        std::os::unix::fs::symlink(&victim, lock_path(&path)).unwrap();
        let err = OpenSession::open(&path, &catalogs).unwrap_err();
        assert!(err.to_string().contains("never follows"), "{err}");
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
        std::fs::remove_file(lock_path(&path)).unwrap();
        let nowhere = dir.path().join("nowhere.txt");
        std::os::unix::fs::symlink(&nowhere, lock_path(&path)).unwrap();
        assert!(OpenSession::open(&path, &catalogs).is_err());
        assert!(!nowhere.exists(), "a dangling link made its target");
    }

    #[cfg(unix)]
    #[test]
    fn where_we_may_not_write_the_session_opens_read_only_and_says_why() {
        // Issue 9, item 12: a 0444 file was opened read-write and rewritten;
        // a read-only folder would not open at all.
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.toml");
        let catalogs = Catalogs::builtin().unwrap();
        create(&path, &Session::new("t", Template::Quick, Timestamp::now())).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444)).unwrap();
        let mut opened = OpenSession::open(&path, &catalogs).unwrap();
        let Access::ReadOnly(ReadOnly::CannotWrite(why)) = &opened.access else {
            panic!("a 0444 file opens read-only");
        };
        assert!(why.contains("read-only"), "{why}");
        assert!(matches!(opened.save(), Err(SaveError::ReadOnly { .. })));
        assert!(!lock_path(&path).exists());
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        drop(opened);

        // A link to the session: read-only, saves never go through it.
        let link = dir.path().join("link.toml");
        std::os::unix::fs::symlink(&path, &link).unwrap();
        let opened = OpenSession::open(&link, &catalogs).unwrap();
        assert!(opened.is_read_only());
        drop(opened);

        // A read-only folder: the OS enforces it for everyone but root.
        let folder = dir.path().join("ro");
        std::fs::create_dir(&folder).unwrap();
        let inside = folder.join("s.toml");
        create(
            &inside,
            &Session::new("t", Template::Quick, Timestamp::now()),
        )
        .unwrap();
        std::fs::set_permissions(&folder, std::fs::Permissions::from_mode(0o555)).unwrap();
        if std::fs::write(folder.join("probe"), "x").is_ok() {
            println!("skipped the read-only folder case: this user (root?) can write there anyway");
        } else {
            let opened = OpenSession::open(&inside, &catalogs).unwrap();
            let Access::ReadOnly(ReadOnly::CannotWrite(why)) = &opened.access else {
                panic!("a read-only folder opens read-only");
            };
            assert!(why.contains("folder"), "{why}");
        }
        std::fs::set_permissions(&folder, std::fs::Permissions::from_mode(0o755)).unwrap();
    }

    #[test]
    fn why_a_lock_could_not_be_written_is_said_by_its_error() {
        // Root writes into read-only folders, so the errors are made here.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.toml");
        std::fs::write(&path, "").unwrap();
        let failed = |kind| LockError::Io {
            path: path.clone(),
            error: io::Error::new(kind, "refused"),
        };
        let why = |lock: &LockError| cannot_write(&path, Some(lock)).unwrap_or_default();
        assert!(
            why(&failed(io::ErrorKind::PermissionDenied)).starts_with("its folder is read-only")
        );
        assert_eq!(
            why(&failed(io::ErrorKind::ReadOnlyFilesystem)),
            "it is on a read-only file system"
        );
        assert_eq!(
            why(&failed(io::ErrorKind::StorageFull)),
            "its lock cannot be written (refused)"
        );
        let held = LockError::Held {
            path: path.clone(),
            holder: "pid 1".into(),
        };
        assert_eq!(cannot_write(&path, Some(&held)), None);
        assert_eq!(cannot_write(&path, None), None);
    }

    #[test]
    fn comments_are_found_outside_strings_and_said_at_an_open_for_editing() {
        // Issue 9, item 5: comments vanished at the first save unannounced.
        assert_eq!(first_comment_line("a = 1\n# note\n"), Some(2));
        assert_eq!(first_comment_line("a = \"x # y\"\nb = 'c # d'\n"), None);
        assert_eq!(
            first_comment_line("a = \"\"\"\n# in\n\"\"\"\nb = 1 # end\n"),
            Some(4)
        );
        assert_eq!(first_comment_line("a = '''\n# in\n'''\n"), None);
        assert_eq!(
            first_comment_line("a = \"q\\\" # still in\" # out\n"),
            Some(1)
        );
        assert_eq!(first_comment_line("a = \"\" # after empty\n"), Some(1));
        // A multi-line string whose text starts with a quote.
        assert_eq!(
            first_comment_line("a = \"\"\"\"x\" # in\"\"\"\n# c\n"),
            Some(2)
        );
        // No escapes in a literal string: its backslash ends nothing.
        assert_eq!(first_comment_line("a = 'x\\' # c\n"), Some(1));
        // An escaped line end still counts as a line.
        assert_eq!(first_comment_line("a = \"\"\"x\\\ny\"\"\"\n# c\n"), Some(3));
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.toml");
        let catalogs = Catalogs::builtin().unwrap();
        create(&path, &Session::new("t", Template::Quick, Timestamp::now())).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, format!("# Reviewed by Kim\n{text}")).unwrap();
        let opened = OpenSession::open(&path, &catalogs).unwrap();
        let warning = opened
            .warnings
            .iter()
            .find(|w| w.message == COMMENTS_NOT_KEPT)
            .expect("the comment is announced");
        assert_eq!(warning.line, 1);
    }

    #[test]
    fn stale_temporary_files_of_ours_are_removed_at_the_next_open() {
        // Issue 9, item 4: a kill during a save leaves them behind.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.toml");
        let catalogs = Catalogs::builtin().unwrap();
        create(&path, &Session::new("t", Template::Quick, Timestamp::now())).unwrap();
        let stale = [".s.toml.a1B2c3.tmp", "s.toml.bak.tmp"];
        let kept = [
            ".s.toml.notours.tmp",
            ".other.toml.a1B2c3.tmp",
            "s.toml.bak",
        ];
        for name in stale.iter().chain(&kept) {
            std::fs::write(dir.path().join(name), "x").unwrap();
        }
        let opened = OpenSession::open(&path, &catalogs).unwrap();
        for name in stale {
            assert!(!dir.path().join(name).exists(), "{name} is left");
        }
        for name in kept {
            assert!(dir.path().join(name).exists(), "{name} was removed");
        }
        drop(opened);
    }

    #[test]
    fn a_long_title_in_four_byte_characters_still_makes_a_file() {
        // Issue 9, item 16: the slug was cut by characters, not bytes.
        let title = "𝔗𝔥𝔯𝔢𝔞𝔱 ".repeat(40);
        let name = session_file_name(&title);
        assert!(name.len() <= SLUG_BYTES + ".toml".len(), "{}", name.len());
        assert!(!name.starts_with('-') && !name.contains("-.toml"));
        let dir = tempfile::tempdir().unwrap();
        let path = new_session_path(dir.path(), &title);
        create(&path, &Session::new("t", Template::Quick, Timestamp::now())).unwrap();
        // Room for the backup, lock and temp files beside it.
        let lock = dir.path().join(format!(".{name}.lock.XXXXXX.tmp"));
        std::fs::write(&lock, "x").unwrap();
    }

    #[test]
    fn second_opener_is_refused_then_read_only() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.toml");
        let catalogs = Catalogs::builtin().unwrap();
        create(&path, &Session::new("t", Template::Quick, Timestamp::now())).unwrap();

        let mut first = OpenSession::open(&path, &catalogs).unwrap();
        assert!(!first.is_read_only());
        let err = OpenSession::open_exclusive(&path, &catalogs).unwrap_err();
        let message = err.to_string();
        assert!(
            message.contains("being edited by another stridekit"),
            "{message}"
        );
        assert!(
            message.contains(&format!("pid {}", std::process::id())),
            "{message}"
        );

        let mut second = OpenSession::open(&path, &catalogs).unwrap();
        assert!(second.is_read_only());
        assert!(matches!(second.save(), Err(SaveError::ReadOnly { .. })));
        first.save().unwrap();

        drop(first);
        assert!(!lock_path(&path).exists());
        assert!(OpenSession::open_exclusive(&path, &catalogs).is_ok());
    }

    #[test]
    fn create_refuses_to_overwrite() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("new/s.toml");
        let s = Session::new("t", Template::Workshop, Timestamp::now());
        create(&path, &s).unwrap();
        assert!(create(&path, &s).is_err());
    }

    #[test]
    fn opening_a_missing_file_says_so_and_leaves_no_lock() {
        let dir = tempfile::tempdir().unwrap();
        let catalogs = Catalogs::builtin().unwrap();
        let path = dir.path().join("gone.toml");
        let err = OpenSession::open(&path, &catalogs).unwrap_err();
        assert!(
            err.to_string()
                .starts_with(&format!("cannot read {}: ", path.display())),
            "{err}"
        );
        assert!(!lock_path(&path).exists());
        let deeper = dir.path().join("no/dir/s.toml");
        let err = OpenSession::open_exclusive(&deeper, &catalogs).unwrap_err();
        assert!(err.to_string().starts_with("cannot read "), "{err}");
    }
}
