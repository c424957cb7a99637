//! Reading TOML documents with located errors, and writing files atomically.

use std::fmt;
use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;

use super::diag::{Diagnostic, Severity, SourceText};

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
        Err(e) => Err(LoadError::Invalid(vec![src.serde_error(&e)])),
    }
}

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

fn replace(path: &Path, contents: &[u8], backup: bool, durable: bool) -> io::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
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

/// Makes `NAME.bak` a copy of the current `NAME` before it is replaced.
fn keep_backup(path: &Path) -> io::Result<()> {
    let mut bak = path.as_os_str().to_owned();
    bak.push(".bak");
    let bak = PathBuf::from(bak);
    // A hard link costs nothing; copying is the fallback on file systems
    // without links. Either way the link/copy goes to a temporary name first
    // so `.bak` is always a whole file.
    let staging = bak.with_extension("bak.tmp");
    let _ = fs::remove_file(&staging);
    if fs::hard_link(path, &staging).is_err() {
        fs::copy(path, &staging)?;
    }
    fs::rename(&staging, &bak)
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
