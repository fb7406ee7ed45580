//! Reading a database file's first bytes without breaking SQLite's locks.
//!
//! On POSIX systems the locks SQLite takes (`fcntl` record locks) belong to the *process*,
//! and closing **any** descriptor of the file releases all of them — even one opened and
//! closed by other code in another thread ("How To Corrupt An SQLite Database File", §2.2).
//! A header check that opened and closed the database while another [`Store`] of the same
//! process had it open silently dropped that store's locks: another process then believed
//! it was the last user, checkpointed, and deleted the `-wal` and `-shm` under the live
//! connections — `disk I/O error` and "database disk image is malformed" in
//! `ledger_processes`, about one run in 25 under load.
//!
//! So on Unix a descriptor opened here is never closed: one per file (device and inode) is
//! kept for the life of the process and read with `pread`, as SQLite itself keeps
//! descriptors it cannot safely close. A process opens a handful of databases, so this is
//! a handful of descriptors. Windows locks belong to the handle that took them, so there a
//! plain open, read and close is safe.
//!
//! [`Store`]: crate::Store
use std::io;
use std::path::Path;

/// The 16 bytes every SQLite database starts with.
const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";

/// Whether the file at `path` starts with SQLite's header; `None` when there is no file or
/// it is empty (SQLite makes a new database there).
pub(crate) fn has_sqlite_magic(path: &Path) -> io::Result<Option<bool>> {
    let mut bytes = [0u8; 16];
    match read_into(path, &mut bytes) {
        Ok(0) => Ok(None),
        Ok(_) => Ok(Some(&bytes == SQLITE_MAGIC)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

#[cfg(unix)]
fn read_into(path: &Path, bytes: &mut [u8]) -> io::Result<usize> {
    use std::collections::HashMap;
    use std::fs::File;
    use std::os::unix::fs::{FileExt, MetadataExt};
    use std::sync::{Arc, Mutex};

    /// Descriptors kept open by (device, inode); never closed (see the module's note).
    type Kept = HashMap<(u64, u64), Arc<File>>;
    static KEPT: Mutex<Option<Kept>> = Mutex::new(None);

    let meta = std::fs::metadata(path)?;
    let key = (meta.dev(), meta.ino());
    let cached = KEPT
        .lock()
        .ok()
        .and_then(|kept| kept.as_ref().and_then(|m| m.get(&key).cloned()));
    let file = match cached {
        Some(file) => file,
        None => {
            let opened = File::open(path)?;
            let meta = opened.metadata()?;
            let mut kept = KEPT.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            let map = kept.get_or_insert_with(HashMap::new);
            match map.get(&(meta.dev(), meta.ino())) {
                // Another thread kept one meanwhile: this one must not be closed either.
                Some(existing) => {
                    let existing = existing.clone();
                    std::mem::forget(opened);
                    existing
                }
                None => {
                    let file = Arc::new(opened);
                    map.insert((meta.dev(), meta.ino()), file.clone());
                    file
                }
            }
        }
    };
    let mut read = 0;
    while read < bytes.len() {
        match file.read_at(&mut bytes[read..], read as u64) {
            Ok(0) => break,
            Ok(n) => read += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(read)
}

#[cfg(not(unix))]
fn read_into(path: &Path, bytes: &mut [u8]) -> io::Result<usize> {
    use std::io::Read;
    let mut file = std::fs::File::open(path)?;
    let mut read = 0;
    while read < bytes.len() {
        match file.read(&mut bytes[read..]) {
            Ok(0) => break,
            Ok(n) => read += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(read)
}
