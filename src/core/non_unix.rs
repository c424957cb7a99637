//! Fallbacks for systems without unix file metadata (device and inode
//! numbers, file types for streams, `O_NOFOLLOW`). Kept apart so the unix
//! code beside its tests is what mutation testing examines: this module is
//! not built on unix, so no test there can check it.

use std::fs::{self, File};
use std::io;
use std::path::Path;

/// Without file types for terminals and pipes, nothing counts as a stream.
pub fn is_stream(_meta: &fs::Metadata) -> bool {
    false
}

/// Without inode numbers: whether `other` exists at all, the cautious
/// answer for "is this our input?".
pub fn same_file(_meta: &fs::Metadata, other: &Path) -> bool {
    other.exists()
}

/// Whether the lock `file` opened is the one at `path`.
pub fn is_same_file(_file: &File, path: &Path) -> bool {
    path.exists()
}

/// Refuses a lock file that is a symbolic link, as `O_NOFOLLOW` does.
pub fn refuse_link(path: &Path) -> io::Result<()> {
    if fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
        return Err(io::Error::other("the lock file is a symbolic link"));
    }
    Ok(())
}

/// The error [`refuse_link`] gives.
pub fn is_link_refusal(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::Other
}
