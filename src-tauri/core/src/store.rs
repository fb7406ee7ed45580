//! Opening the SQLite database: WAL, busy timeout, migrations, and plain-words errors for
//! files that are not ours, read-only, locked, full or from a newer version.
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::SqlitePool;

use crate::error::StoreError;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// How the database is opened.
#[derive(Debug, Clone)]
pub struct StoreOptions {
    /// How long a write waits for another writer before giving up with `Locked`.
    pub lock_wait: Duration,
    pub max_connections: u32,
}

impl Default for StoreOptions {
    fn default() -> Self {
        Self {
            lock_wait: Duration::from_secs(10),
            max_connections: 4,
        }
    }
}

/// An open, migrated database.
#[derive(Debug, Clone)]
pub struct Store {
    pool: SqlitePool,
    path: PathBuf,
    lock_wait: Duration,
}

const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";

impl Store {
    /// Opens (creating if needed) and migrates the database at `path`.
    pub async fn open(path: &Path, options: StoreOptions) -> Result<Self, StoreError> {
        check_is_sqlite(path)?;
        let path_str = path.to_string_lossy().into_owned();
        let connect = SqliteConnectOptions::from_str(&format!("sqlite://{path_str}"))
            .map_err(|e| StoreError::CannotOpen {
                path: path.to_owned(),
                reason: e.to_string(),
            })?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(options.lock_wait.min(Duration::from_secs(5)))
            .foreign_keys(true);
        let pool = SqlitePoolOptions::new()
            .max_connections(options.max_connections)
            .min_connections(0)
            .acquire_timeout(options.lock_wait + Duration::from_secs(5))
            .connect_with(connect)
            .await
            .map_err(|e| StoreError::classify(e, path))?;
        let store = Self {
            pool,
            path: path.to_owned(),
            lock_wait: options.lock_wait,
        };
        store.migrate().await?;
        Ok(store)
    }

    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn lock_wait(&self) -> Duration {
        self.lock_wait
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// Applies missing migrations. Refuses a database written by a newer schema before
    /// touching it, and serialises concurrent first opens (several processes at once) with a
    /// lock file, because sqlx does not lock SQLite migrations itself.
    async fn migrate(&self) -> Result<(), StoreError> {
        let known = MIGRATOR.iter().map(|m| m.version).max().unwrap_or(0);
        let applied = self.applied_versions().await?;
        if let Some(&found) = applied.iter().max() {
            if found > known {
                return Err(StoreError::NewerSchema {
                    path: self.path.clone(),
                    found,
                    known,
                });
            }
        }
        if MIGRATOR.iter().all(|m| applied.contains(&m.version)) {
            return Ok(());
        }
        let lock_path = self.path.with_extension("sqlite3-migrate.lock");
        let lock = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(|e| StoreError::from_io(e, &self.path))?;
        let lock = tokio::task::spawn_blocking(move || lock.lock().map(|_| lock))
            .await
            .map_err(|e| StoreError::Internal(e.to_string()))?
            .map_err(|e| StoreError::from_io(e, &self.path))?;
        let result = MIGRATOR.run(&self.pool).await;
        drop(lock);
        result.map_err(|e| match e {
            sqlx::migrate::MigrateError::Execute(e) => StoreError::classify(e, &self.path),
            sqlx::migrate::MigrateError::VersionMissing(found) => StoreError::NewerSchema {
                path: self.path.clone(),
                found,
                known,
            },
            other => StoreError::Migration(other.to_string()),
        })
    }

    async fn applied_versions(&self) -> Result<Vec<i64>, StoreError> {
        let has_table: Option<i64> = sqlx::query_scalar(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'",
        )
        .fetch_optional(&self.pool)
        .await
        .map_err(|e| StoreError::classify(e, &self.path))?;
        if has_table.is_none() {
            return Ok(Vec::new());
        }
        sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success = 1")
            .fetch_all(&self.pool)
            .await
            .map_err(|e| StoreError::classify(e, &self.path))
    }
}

/// A non-empty file that does not start with SQLite's header is someone else's: refuse it
/// before SQLite (or WAL setup) can write a byte.
fn check_is_sqlite(path: &Path) -> Result<(), StoreError> {
    use std::io::Read;
    let mut file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(StoreError::from_io(e, path)),
    };
    let mut header = [0u8; 16];
    let mut read = 0;
    while read < header.len() {
        match file.read(&mut header[read..]) {
            Ok(0) => break,
            Ok(n) => read += n,
            Err(e) => return Err(StoreError::from_io(e, path)),
        }
    }
    if read == 0 || &header == SQLITE_MAGIC {
        Ok(())
    } else {
        Err(StoreError::NotADatabase {
            path: path.to_owned(),
        })
    }
}
