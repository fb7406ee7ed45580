//! The core's errors, named for what went wrong in the user's terms. Each has a stable `code`
//! the UI and the command line branch on; messages never carry SQL text or secrets.
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::words::ErrorTag;

/// What can go wrong with the database file itself.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{} is not an Inbox Sync database (not a SQLite file); it was left untouched", path.display())]
    NotADatabase { path: PathBuf },
    #[error("the database {} is read-only; Inbox Sync needs to write to it (check the file's and its folder's permissions)", path.display())]
    ReadOnly { path: PathBuf },
    #[error("the folder {} is read-only (a read-only disk or mount, or no permission to write there), so Inbox Sync cannot sync into it; `status` and `history` still read it — make the folder writable or choose another with --data-dir", folder.display())]
    ReadOnlyFolder { folder: PathBuf },
    /// `waited` is zero where the time is not known (SQLite's own busy wait ran out): the
    /// message then says no time rather than a wrong one.
    #[error("the database {} is locked by another program{}", path.display(), stayed_locked(*waited))]
    Locked { path: PathBuf, waited: Duration },
    #[error("the database {} was written by a newer version of Inbox Sync (schema {found}, this version knows up to {known}); it was left untouched — update Inbox Sync", path.display())]
    NewerSchema {
        path: PathBuf,
        found: i64,
        known: i64,
    },
    #[error("the disk holding {} is full; free some space and try again", path.display())]
    DiskFull { path: PathBuf },
    #[error("the database {} is damaged ({reason}); the next sync sets it aside (it is never deleted) and rebuilds the mail from Gmail", path.display())]
    Corrupt { path: PathBuf, reason: String },
    #[error("cannot open the database {}: {reason}", path.display())]
    CannotOpen { path: PathBuf, reason: String },
    #[error("the database schema could not be updated: {0}")]
    Migration(String),
    #[error("database error: {0}")]
    Sqlite(String),
    #[error("internal error: {0}")]
    Internal(String),
}

impl StoreError {
    /// A stable code for the UI and scripts.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotADatabase { .. } => "notADatabase",
            Self::ReadOnly { .. } | Self::ReadOnlyFolder { .. } => "readOnly",
            Self::Locked { .. } => "locked",
            Self::NewerSchema { .. } => "newerSchema",
            Self::DiskFull { .. } => "diskFull",
            Self::Corrupt { .. } => "corrupt",
            Self::CannotOpen { .. } => "cannotOpen",
            Self::Migration(_) => "migration",
            Self::Sqlite(_) => "storage",
            Self::Internal(_) => "internal",
        }
    }

    /// The tag a sync that failed on this records.
    pub fn tag(&self) -> ErrorTag {
        match self {
            Self::DiskFull { .. } => ErrorTag::DiskFull,
            Self::Corrupt { .. } => ErrorTag::Corrupt,
            Self::ReadOnly { .. } | Self::ReadOnlyFolder { .. } => ErrorTag::ReadOnly,
            _ => ErrorTag::Storage,
        }
    }

    /// True for contention that goes away by waiting.
    pub fn is_busy(&self) -> bool {
        matches!(self, Self::Locked { .. })
    }

    /// Maps a sqlx error to what it means for the user, by SQLite's primary result code.
    /// Damage (`SQLITE_CORRUPT`, or `SQLITE_NOTADB` on a file with SQLite's header) is
    /// recorded here, the one funnel every database error passes ([`crate::damage`]).
    pub fn classify(err: sqlx::Error, path: &Path) -> Self {
        let classified = Self::classify_only(err, path);
        if let Self::Corrupt { reason, .. } = &classified {
            crate::damage::note(path, reason);
        }
        classified
    }

    fn classify_only(err: sqlx::Error, path: &Path) -> Self {
        let path = path.to_owned();
        match err {
            sqlx::Error::Database(db) => {
                let code: i32 = db.code().and_then(|c| c.parse().ok()).unwrap_or(1);
                let message = db.message().to_owned();
                match code & 0xff {
                    5 | 6 => Self::Locked {
                        path,
                        waited: Duration::ZERO,
                    },
                    8 => Self::ReadOnly { path },
                    13 => Self::DiskFull { path },
                    11 => Self::Corrupt {
                        path,
                        reason: message,
                    },
                    26 if has_sqlite_header(&path) => Self::Corrupt {
                        path,
                        reason: message,
                    },
                    26 => Self::NotADatabase { path },
                    14 | 23 => Self::CannotOpen {
                        path,
                        reason: message,
                    },
                    _ => Self::Sqlite(message),
                }
            }
            sqlx::Error::Io(e) => Self::from_io(e, &path),
            sqlx::Error::PoolTimedOut => Self::Locked {
                path,
                waited: Duration::ZERO,
            },
            other => Self::Sqlite(other.to_string()),
        }
    }

    pub fn from_io(err: std::io::Error, path: &Path) -> Self {
        let path = path.to_owned();
        // By kind, not errno: the same on every OS (Windows' codes are not errno values).
        use std::io::ErrorKind;
        match err.kind() {
            ErrorKind::ReadOnlyFilesystem | ErrorKind::PermissionDenied => Self::ReadOnly { path },
            ErrorKind::StorageFull => Self::DiskFull { path },
            _ => Self::CannotOpen {
                path,
                reason: err.to_string(),
            },
        }
    }
}

fn stayed_locked(waited: Duration) -> String {
    if waited.is_zero() {
        String::new()
    } else {
        format!(" and stayed locked for {} ms", waited.as_millis())
    }
}

/// True when the file starts with SQLite's header: SQLite calling it "not a database" then
/// means damage, not someone else's file.
fn has_sqlite_header(path: &Path) -> bool {
    matches!(crate::header::has_sqlite_magic(path), Ok(Some(true)))
}

/// What the ledger reports besides storage trouble.
#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    /// The run was taken over (or finished) by someone else: the caller must stop and write
    /// nothing more.
    #[error("sync run #{run_id} lost its lease: another sync took over, so this one stopped")]
    LeaseLost { run_id: i64 },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl LedgerError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::LeaseLost { .. } => "leaseLost",
            Self::Store(e) => e.code(),
        }
    }

    /// The tag a sync that failed on this records.
    pub fn tag(&self) -> ErrorTag {
        match self {
            Self::LeaseLost { .. } => ErrorTag::LeaseLost,
            Self::Store(e) => e.tag(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `locked` says the time waited when it is known, and no time (never "0 ms") when not.
    #[test]
    fn locked_says_the_wait_only_when_known() {
        let path = PathBuf::from("/data/inbox-sync.sqlite3");
        let known = StoreError::Locked {
            path: path.clone(),
            waited: Duration::from_millis(1_500),
        }
        .to_string();
        assert!(
            known.ends_with("is locked by another program and stayed locked for 1500 ms"),
            "{known}"
        );
        let unknown = StoreError::Locked {
            path,
            waited: Duration::ZERO,
        }
        .to_string();
        assert!(
            unknown.ends_with("is locked by another program"),
            "{unknown}"
        );
    }
}
