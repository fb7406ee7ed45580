//! A damaged database: how damage is remembered once found, and how the damaged file is set
//! aside (renamed, never deleted) so a fresh one can be rebuilt from Gmail.
//!
//! One path, whoever finds the damage — the quick check at open, `SQLITE_CORRUPT` or
//! `SQLITE_NOTADB` from any statement (every sqlx error goes through
//! [`StoreError::classify`](crate::StoreError::classify)), the quick check after a sync:
//! [`note`] records it in this process and in a marker file beside the database
//! (`<db>.damage-note`). From then on the ledger opens no write transaction on that file (so no
//! run row is ever written into it), and the next open of the mailbox sets it aside and starts
//! a fresh file, into which the readable ledger history is copied.
//!
//! # The lease while a file is set aside
//!
//! A sync that holds a live lease has its database open for writing. Every read-write
//! [`Store`](crate::Store) holds a *shared* lock on `<db>-holders.lock` (an OS file lock,
//! released by the kernel when the process dies, even by `kill -9`) for as long as it is
//! open. [`set_aside`] renames the file only under an *exclusive* lock on it, taken without
//! waiting: if any other process has the database open — a live sync among them — the rename
//! is refused and the damage stays recorded in the marker. That process's next ledger write
//! sees the marker and fails `corrupt` instead of writing, so its sync ends and it closes the
//! file; whoever opens the mailbox next sets the file aside. So a file is set aside only when
//! no process on this host can still be running a sync in it, and the fresh file starts with
//! no running row: two running syncs, one in the old inode and one in the new, cannot happen.
//! (Across hosts sharing the folder over a network file system, OS locks are only as good as
//! that file system's; the ledger's lease is too.)
use std::collections::HashSet;
use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::error::StoreError;

/// Databases found damaged in this process (the marker file may not be writable), by path
/// and file identity: once another process has set the file aside, the fresh file at the
/// same path is not damaged.
static KNOWN: Mutex<Option<HashSet<(PathBuf, u64)>>> = Mutex::new(None);

/// The file's identity: its inode on Unix (0 where there is none to read).
fn identity(db: &Path) -> u64 {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        std::fs::metadata(db).map_or(0, |m| m.ino())
    }
    #[cfg(not(unix))]
    {
        let _ = db;
        0
    }
}

/// The marker beside `db` that says it was found damaged, and why.
pub fn marker_path(db: &Path) -> PathBuf {
    sidecar(db, ".damage-note")
}

/// The lock file every read-write opener holds shared.
pub fn holders_lock_path(db: &Path) -> PathBuf {
    sidecar(db, "-holders.lock")
}

fn sidecar(db: &Path, suffix: &str) -> PathBuf {
    let mut name = db.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// Records that `db` is damaged: in this process, and in the marker file when it can be
/// written (a read-only folder keeps it in this process only).
pub fn note(db: &Path, reason: &str) {
    if let Ok(mut known) = KNOWN.lock() {
        known
            .get_or_insert_with(HashSet::new)
            .insert((db.to_owned(), identity(db)));
    }
    let marker = marker_path(db);
    if !marker.exists() {
        let _ = std::fs::write(&marker, reason.as_bytes());
    }
}

/// Why `db` is known to be damaged, if it is.
pub fn known(db: &Path) -> Option<String> {
    if let Ok(text) = std::fs::read_to_string(marker_path(db)) {
        return Some(if text.trim().is_empty() {
            "it was found damaged earlier".into()
        } else {
            text.trim().to_owned()
        });
    }
    let in_process = KNOWN.lock().ok().is_some_and(|k| {
        k.as_ref()
            .is_some_and(|set| set.contains(&(db.to_owned(), identity(db))))
    });
    in_process.then(|| "it was found damaged earlier".into())
}

fn forget(db: &Path) {
    if let Ok(mut known) = KNOWN.lock() {
        if let Some(set) = known.as_mut() {
            set.retain(|(path, _)| path != db);
        }
    }
    let _ = std::fs::remove_file(marker_path(db));
}

/// The shared hold every read-write opener of `db` keeps while it is open.
pub(crate) fn hold_shared(db: &Path) -> Result<File, StoreError> {
    let file = open_lock(db)?;
    file.lock_shared().map_err(|e| StoreError::from_io(e, db))?;
    Ok(file)
}

fn open_lock(db: &Path) -> Result<File, StoreError> {
    OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(holders_lock_path(db))
        .map_err(|e| StoreError::from_io(e, db))
}

/// Where a damaged file went.
#[derive(Debug, Clone)]
pub struct SetAside {
    /// The damaged database under its new name (its `-wal`, if any, beside it as `<name>-wal`).
    pub path: PathBuf,
    /// Why it was found damaged, in SQLite's or the check's words.
    pub reason: String,
}

/// Renames the damaged `db` (and its `-wal`/`-shm`) to `<db>.damaged-<time>`, so SQLite can
/// still open the set-aside copy as one database. Refused (`Corrupt`, nothing renamed) while
/// any other process has `db` open — see the module's note on the lease.
pub fn set_aside(db: &Path, reason: &str, now_ms: i64) -> Result<SetAside, StoreError> {
    let lock = open_lock(db)?;
    match lock.try_lock() {
        Ok(()) => {}
        Err(std::fs::TryLockError::WouldBlock) => {
            return Err(StoreError::Corrupt {
                path: db.to_owned(),
                reason: format!(
                    "{reason}; another Inbox Sync process has it open, so it is set aside and \
                     rebuilt once that process lets go of it"
                ),
            })
        }
        Err(std::fs::TryLockError::Error(e)) => return Err(StoreError::from_io(e, db)),
    }
    let stamp = stamp(now_ms);
    let mut target = sidecar(db, &format!(".damaged-{stamp}"));
    let mut n = 1;
    while target.exists() {
        n += 1;
        target = sidecar(db, &format!(".damaged-{stamp}-{n}"));
    }
    if db.exists() {
        // The main file last: were this interrupted, the -wal is never left behind with a
        // main file it does not belong to.
        for suffix in ["-wal", "-shm"] {
            let from = sidecar(db, suffix);
            // SQLite deletes the -wal and -shm when the last connection closes, which may
            // still be happening on a worker thread: one gone in between has nothing to keep.
            match std::fs::rename(&from, sidecar(&target, suffix)) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(StoreError::from_io(e, db)),
            }
        }
        std::fs::rename(db, &target).map_err(|e| StoreError::from_io(e, db))?;
    }
    forget(db);
    drop(lock);
    Ok(SetAside {
        path: target,
        reason: reason.to_owned(),
    })
}

/// `YYYYMMDD-HHMMSS` (UTC) for a file name.
fn stamp(now_ms: i64) -> String {
    let secs = now_ms.div_euclid(1000);
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}{m:02}{d:02}-{:02}{:02}{:02}",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Days since 1970-01-01 to a (year, month, day) date (Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

#[cfg(test)]
mod tests {
    /// File-name stamps are the UTC date and time.
    #[test]
    fn stamps_are_utc_dates() {
        assert_eq!(super::stamp(0), "19700101-000000");
        assert_eq!(super::stamp(1_795_860_000_000), "20261128-100000");
    }
}
