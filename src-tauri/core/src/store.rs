//! Opening the SQLite database: WAL, busy timeout, migrations, and plain-words errors for
//! files that are not ours, read-only, locked, full, damaged or from a newer version.
//!
//! Two ways in: [`Store::open`] for a sync (read-write, migrated, checked for damage when
//! the check is cheap, holding the shared lock [`damage`](crate::damage) relies on) and
//! [`Store::open_read_only`] for `status` and `history`, which must work on read-only media.
use std::fs::File;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::SqlitePool;

use crate::damage::SetAside;
use crate::error::StoreError;
use crate::run::SyncRun;
use crate::upgrade::OnUpgrade;

/// What [`Store::open_repairing`] did with a damaged file.
#[derive(Debug, Clone)]
pub struct Repair {
    pub set_aside: SetAside,
    /// The runs that could be read from it, oldest first.
    pub runs: Vec<SyncRun>,
}

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// How the database is opened.
#[derive(Debug, Clone)]
pub struct StoreOptions {
    /// How long a write waits for another writer before giving up with `Locked`.
    pub lock_wait: Duration,
    pub max_connections: u32,
    /// Told how far the update of an existing database to this version has come.
    pub on_upgrade: Option<OnUpgrade>,
}

impl Default for StoreOptions {
    fn default() -> Self {
        Self {
            lock_wait: Duration::from_secs(10),
            max_connections: 4,
            on_upgrade: None,
        }
    }
}

/// An open, migrated database.
#[derive(Debug, Clone)]
pub struct Store {
    pool: SqlitePool,
    path: PathBuf,
    lock_wait: Duration,
    /// The shared hold on `<db>-holders.lock` a read-write store keeps until `close`, so the
    /// file is never set aside under a live sync (see [`crate::damage`]). `None` read-only.
    hold: Arc<Mutex<Option<File>>>,
}

/// WAL frames (4 KiB pages) after which a commit checkpoints: 32 MiB of WAL.
const WAL_AUTOCHECKPOINT_PAGES: u32 = 8_000;

/// Bytes of a statement journal kept in memory before it spills to a temporary file.
const STATEMENT_JOURNAL_IN_MEMORY: std::os::raw::c_int = 64 * 1024 * 1024;

/// Turns off SQLite's memory statistics for this process, once, before its first connection:
/// they take a global mutex on every allocation SQLite makes, a few per cent of a sync's CPU
/// (nothing here reads them). Without effect, harmlessly, once SQLite is initialised.
fn sqlite_without_memory_statistics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // SAFETY: SQLITE_CONFIG_MEMSTATUS takes one int. sqlite3_config is not thread-safe
        // against other SQLite calls, and this runs before this process opens any connection
        // (every connection this crate opens is opened after it); called later it returns
        // SQLITE_MISUSE and changes nothing.
        let off: std::os::raw::c_int = 0;
        let _ =
            unsafe { libsqlite3_sys::sqlite3_config(libsqlite3_sys::SQLITE_CONFIG_MEMSTATUS, off) };
        // Statement journals in memory up to STATEMENT_JOURNAL_IN_MEMORY, not in temporary
        // files: each batch's insert (its triggers: full-text index, label counts) kept a
        // statement journal that spilled to a temp file past SQLite's 64 KiB — 9 MB written a
        // batch of 100, 26 times the database's own size over a sync (strace: 87,225 pwrite
        // calls for 2,000 messages). `PRAGMA temp_store = memory` kept them in memory too,
        // but also every read's temporary tables and sorts: the bench's 50 searches at
        // 250,000, p95 in two pairs of runs in turn, 19.8 / 16.8 ms with it against 14.3 /
        // 16.6 ms with this instead (a slow hour; the sync's CPU the same, 285 against 287
        // µs a message at 25,000, and 157,000 writes against 219,000).
        // SAFETY: SQLITE_CONFIG_STMTJRNL_SPILL takes one int; as above.
        let _ = unsafe {
            libsqlite3_sys::sqlite3_config(
                libsqlite3_sys::SQLITE_CONFIG_STMTJRNL_SPILL,
                STATEMENT_JOURNAL_IN_MEMORY,
            )
        };
    });
}

/// Files up to this size get `PRAGMA quick_check` when opened for a sync
/// ([`Store::open_repairing`]), for `status`/`history` ([`Store::open_read_only`]) and after each
/// sync: measured 0.5 s warm (7 s from a cold cache) for 282 MB / 100,000 messages, so about
/// 60 ms warm here. Bigger files are checked after every tenth sync only.
pub const QUICK_CHECK_MAX_BYTES: u64 = 32 * 1024 * 1024;

impl Store {
    /// Opens (creating if needed) and migrates the database at `path`.
    /// Fails `Corrupt` (writing nothing) when the file is known or found to be damaged.
    pub async fn open(path: &Path, options: StoreOptions) -> Result<Self, StoreError> {
        check_is_sqlite(path)?;
        let hold = match crate::damage::hold_shared(path) {
            Ok(hold) => hold,
            Err(e) => return Err(explain_read_only(e, path)),
        };
        if let Some(reason) = crate::damage::known(path) {
            return Err(StoreError::Corrupt {
                path: path.to_owned(),
                reason,
            });
        }
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
            .foreign_keys(true)
            // A checkpoint copies every page written since the last one into the database; with
            // more frames between checkpoints, a page written by many batches is copied once.
            // (A bigger page cache saved CPU too, 280 → 237-258 µs a message at 250,000 with 8-16
            // MB, but its pages fill only in a big database: peak RSS 73 MB at 250,000 against
            // 55-58 MB at 25,000, beyond the 20 % the two may differ. SQLite's default it is.)
            .pragma("wal_autocheckpoint", WAL_AUTOCHECKPOINT_PAGES.to_string());
        sqlite_without_memory_statistics();
        let pool_options = SqlitePoolOptions::new()
            .max_connections(options.max_connections)
            .min_connections(0)
            .acquire_timeout(options.lock_wait + Duration::from_secs(5))
            // Checked when a connection comes back (so one stuck in a transaction is closed at
            // once and cannot sit in the pool holding the write lock) and again when handed out.
            .after_release(|conn, _| Box::pin(outside_transaction(conn)))
            .before_acquire(|conn, _| Box::pin(outside_transaction(conn)))
            // No ping on each acquire: a file has no far end to hang up, and the ping was one
            // more round trip to the connection's thread for every transaction (a broken
            // connection fails its first statement and is closed then).
            .test_before_acquire(false);
        let pool = connect_waiting(pool_options, connect, path, options.lock_wait)
            .await
            .map_err(|e| explain_read_only(e, path))?;
        let store = Self {
            pool,
            path: path.to_owned(),
            lock_wait: options.lock_wait,
            hold: Arc::new(Mutex::new(Some(hold))),
        };
        if let Err(e) = store.migrate(options.on_upgrade.as_ref()).await {
            store.close().await;
            return Err(explain_read_only(e, path));
        }
        Ok(store)
    }

    /// Opens for a sync like [`Store::open`], with a quick check when the file is small
    /// enough ([`QUICK_CHECK_MAX_BYTES`]); a damaged file is first set aside (under
    /// the rules of [`crate::damage`]) and a fresh one created; the runs still readable in
    /// the damaged file come back in the [`Repair`] for the caller to copy into the new
    /// ledger.
    pub async fn open_repairing(
        path: &Path,
        options: StoreOptions,
        now_ms: i64,
    ) -> Result<(Self, Option<Repair>), StoreError> {
        let opened = match Self::open(path, options.clone()).await {
            // The quick check where it is cheap, before a sync writes a byte.
            Ok(store) if store.size() <= QUICK_CHECK_MAX_BYTES => match store.quick_check().await {
                Ok(()) => Ok(store),
                Err(e) => {
                    store.close().await;
                    Err(e)
                }
            },
            other => other,
        };
        let reason = match opened {
            Err(StoreError::Corrupt { reason, .. }) => reason,
            other => return other.map(|store| (store, None)),
        };
        let set_aside = crate::damage::set_aside(path, &reason, now_ms)?;
        let runs = match Self::connect_read_only(&set_aside.path, &options, false).await {
            Ok(old) => {
                let runs = crate::ledger::readable_runs(&old.pool).await;
                old.pool.close().await;
                runs
            }
            Err(_) => Vec::new(),
        };
        // Reading the set-aside copy may itself have hit damage and noted it; that note is
        // about the copy, not about the fresh file at `path`.
        let store = Self::open(path, options).await?;
        Ok((store, Some(Repair { set_aside, runs })))
    }

    /// Whether opening the database at `path` will update it from an older version: migrations
    /// that read every message and take tens of seconds on a big mailbox, so a window shows
    /// their progress. A missing or empty file is not: made new, it migrates in milliseconds.
    /// Anything unreadable is `false` here and said by the open itself.
    pub async fn needs_upgrade(path: &Path) -> bool {
        if std::fs::metadata(path).map_or(true, |m| m.len() == 0) {
            return false;
        }
        let options = StoreOptions::default();
        let Ok(store) = Self::connect_read_only(path, &options, false).await else {
            return false;
        };
        let applied = store.applied_versions().await;
        store.pool.close().await;
        applied.is_ok_and(|applied| MIGRATOR.iter().any(|m| !applied.contains(&m.version)))
    }

    /// Opens an existing database for reading only, as `status` and `history` do: it works
    /// on read-only media, even with no `-wal`/`-shm` beside the file (then `immutable=1`,
    /// since SQLite cannot create the `-shm` that WAL readers need). Never migrates; a
    /// database older than this version (or not yet migrated at all) is opened read-write
    /// instead, to be migrated.
    /// A missing file is created read-write, as before.
    pub async fn open_read_only(path: &Path, options: StoreOptions) -> Result<Self, StoreError> {
        if !path.exists() {
            return Self::open(path, options).await;
        }
        check_is_sqlite(path)?;
        if let Some(reason) = crate::damage::known(path) {
            return Err(StoreError::Corrupt {
                path: path.to_owned(),
                reason,
            });
        }
        let store = match Self::connect_read_only(path, &options, false).await {
            Ok(store) => store,
            Err(StoreError::CannotOpen { .. } | StoreError::ReadOnly { .. }) => {
                Self::connect_read_only(path, &options, true).await?
            }
            Err(e) => return Err(e),
        };
        // Damage is said plainly here too (cheaply: small files only), never "all fine".
        if store.size() <= QUICK_CHECK_MAX_BYTES {
            if let Err(e) = store.quick_check().await {
                store.close().await;
                return Err(e);
            }
        }
        let known = MIGRATOR.iter().map(|m| m.version).max().unwrap_or(0);
        let applied = match store.applied_versions().await {
            Ok(applied) => applied,
            Err(e) => {
                store.close().await;
                return Err(e);
            }
        };
        // No migrations at all is a file another process has just made and not yet migrated
        // (a first `status` beside a first sync): it is opened to be migrated too, waiting
        // for the other's migration, never read as a mailbox without tables.
        if applied.iter().max().is_none_or(|&v| v < known) {
            store.close().await;
            return Self::open(path, options).await;
        }
        Ok(store)
    }

    async fn connect_read_only(
        path: &Path,
        options: &StoreOptions,
        immutable: bool,
    ) -> Result<Self, StoreError> {
        sqlite_without_memory_statistics();
        let connect = SqliteConnectOptions::new()
            .filename(path)
            .read_only(true)
            .immutable(immutable)
            .busy_timeout(options.lock_wait.min(Duration::from_secs(5)));
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
            hold: Arc::new(Mutex::new(None)),
        };
        // The pool connects lazily per statement; make the open fail here, not later.
        if let Err(e) = sqlx::query("SELECT count(*) FROM sqlite_master")
            .execute(&store.pool)
            .await
        {
            store.pool.close().await;
            return Err(StoreError::classify(e, path));
        }
        Ok(store)
    }

    /// The database file's size in bytes (0 when it cannot be read).
    pub fn size(&self) -> u64 {
        std::fs::metadata(&self.path).map_or(0, |m| m.len())
    }

    /// `PRAGMA quick_check`: `Corrupt` (and the damage recorded) unless SQLite says `ok`.
    ///
    /// It runs on a connection of its own, opened for it and closed after. A pooled one may
    /// have searched the index before another connection (or process) merged its segments:
    /// SQLite's FTS5 (3.46, the one sqlx bundles) checks its index from the structure it
    /// cached then, without reading it again as a search does, and the segments merged away
    /// read as "malformed inverted index" in a sound file (which was then set aside and
    /// rebuilt from Gmail). A fresh connection reads the structure afresh.
    pub async fn quick_check(&self) -> Result<(), StoreError> {
        use sqlx::{ConnectOptions, Connection};
        let mut conn = self
            .pool
            .connect_options()
            .connect()
            .await
            .map_err(|e| self.failed(e))?;
        let rows: Result<Vec<String>, _> = sqlx::query_scalar("PRAGMA quick_check(5)")
            .fetch_all(&mut conn)
            .await;
        let _ = conn.close().await;
        let rows = rows.map_err(|e| self.failed(e))?;
        if rows.len() == 1 && rows[0] == "ok" {
            return Ok(());
        }
        let reason = format!("SQLite's quick check found: {}", rows.join("; "));
        crate::damage::note(&self.path, &reason);
        Err(StoreError::Corrupt {
            path: self.path.clone(),
            reason,
        })
    }

    /// The quick check after a sync: every time for a small file, every tenth run for a
    /// bigger one (`run_id` picks which).
    pub async fn check_after_sync(&self, run_id: i64) -> Result<(), StoreError> {
        if self.size() <= QUICK_CHECK_MAX_BYTES || run_id % 10 == 0 {
            self.quick_check().await
        } else {
            Ok(())
        }
    }

    /// What a sqlx error from this database means for the user (damage is recorded).
    pub fn failed(&self, e: sqlx::Error) -> StoreError {
        StoreError::classify(e, &self.path)
    }

    /// Why this database is known to be damaged, if it is.
    pub fn damage(&self) -> Option<String> {
        crate::damage::known(&self.path)
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

    /// Closes the pool and lets go of the shared hold, so the file may be set aside.
    pub async fn close(&self) {
        self.pool.close().await;
        if let Ok(mut hold) = self.hold.lock() {
            hold.take();
        }
    }

    /// [`Store::close`] for the end of a sync or of the app, leaving the file whole.
    ///
    /// SQLite folds the WAL back into the file and deletes it when the last connection
    /// closes, and a file whole without its `-wal` is what read-only media, copies and the
    /// damage check need. But a connection that was just used goes back to the pool on a
    /// spawned task, and the process could exit before its thread closed it, leaving the WAL
    /// behind (seen in about one exit in three after the check that follows a sync). So a
    /// sound read-write store first checkpoints passively (never waiting on another process's
    /// sync) on a connection it closes itself, awaited, which also lets earlier returns land.
    pub async fn close_checkpointed(&self) {
        let writable = self.hold.lock().is_ok_and(|h| h.is_some());
        if writable && self.damage().is_none() && !self.pool.is_closed() {
            if let Ok(mut conn) = self.pool.acquire().await {
                let _ = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
                    .execute(&mut *conn)
                    .await;
                let _ = conn.close().await;
            }
        }
        self.close().await;
    }

    /// Applies missing migrations. Refuses a database written by a newer schema before
    /// touching it, and serialises concurrent first opens (several processes at once) with a
    /// lock file, because sqlx does not lock SQLite migrations itself.
    async fn migrate(&self, on_upgrade: Option<&OnUpgrade>) -> Result<(), StoreError> {
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
        // A new file is made, not updated: nothing to tell.
        let on_upgrade = on_upgrade.filter(|_| !applied.is_empty());
        let lock = match lock.try_lock() {
            Ok(()) => lock,
            Err(std::fs::TryLockError::WouldBlock) => {
                // Another process (a second window process, the command line) is updating it.
                if let Some(on_upgrade) = on_upgrade {
                    on_upgrade.tell(&crate::upgrade::Upgrade::waiting(&self.path));
                }
                tokio::task::spawn_blocking(move || lock.lock().map(|_| lock))
                    .await
                    .map_err(|e| StoreError::Internal(e.to_string()))?
                    .map_err(|e| StoreError::from_io(e, &self.path))?
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(StoreError::from_io(e, &self.path)),
        };
        // What is pending is read again under the lock: another process may have applied it.
        let applied = self.applied_versions().await?;
        let pending: Vec<i64> = MIGRATOR
            .iter()
            .map(|m| m.version)
            .filter(|v| !applied.contains(v))
            .collect();
        let result =
            crate::upgrade::run(&self.pool, &MIGRATOR, &pending, &self.path, on_upgrade).await;
        drop(lock);
        result.map_err(|e| match e {
            sqlx::migrate::MigrateError::Execute(e)
            | sqlx::migrate::MigrateError::ExecuteMigration(e, _) => {
                StoreError::classify(e, &self.path)
            }
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

/// Connects the pool, waiting up to `lock_wait` for other openers. SQLite's busy handler does
/// not cover one step of a first open: turning a new file to WAL begins as a read and then
/// takes the write lock, and SQLite fails that upgrade at once, without waiting, while another
/// connection writes the file (two processes making the same new database at once, e.g. a
/// first `status` beside a first sync). So a busy connect is tried again, as the ledger's
/// writes are ([`wait_if_busy`]).
async fn connect_waiting(
    pool_options: SqlitePoolOptions,
    connect: SqliteConnectOptions,
    path: &Path,
    lock_wait: Duration,
) -> Result<SqlitePool, StoreError> {
    let deadline = Instant::now() + lock_wait;
    loop {
        match pool_options.clone().connect_with(connect.clone()).await {
            Ok(pool) => return Ok(pool),
            Err(e) => {
                wait_if_busy(StoreError::classify(e, path), path, deadline, lock_wait).await?
            }
        }
    }
}

/// On contention (`err` busy) before `deadline`, waits a little and returns `Ok` to try again;
/// otherwise returns the error, past the deadline as `Locked` with the budget waited.
pub(crate) async fn wait_if_busy(
    err: StoreError,
    path: &Path,
    deadline: Instant,
    lock_wait: Duration,
) -> Result<(), StoreError> {
    if !err.is_busy() {
        return Err(err);
    }
    let now = Instant::now();
    if now >= deadline {
        return Err(StoreError::Locked {
            path: path.to_owned(),
            waited: lock_wait,
        });
    }
    // Spread retries so several processes do not wake in step.
    let spread = u64::from(std::process::id() % 7) + 1;
    tokio::time::sleep(Duration::from_millis(spread).min(deadline - now)).await;
    Ok(())
}

/// A read-only or unopenable database whose folder cannot be written is said to be in a
/// read-only folder: "unable to open database file" tells a user nothing.
fn explain_read_only(err: StoreError, path: &Path) -> StoreError {
    if !matches!(
        err,
        StoreError::ReadOnly { .. } | StoreError::CannotOpen { .. }
    ) {
        return err;
    }
    let folder = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let probe = folder.join(format!(".inbox-sync-write-probe-{}", std::process::id()));
    let made = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&probe);
    if made.is_ok() {
        let _ = std::fs::remove_file(&probe);
    }
    match made {
        Err(e)
            if matches!(
                e.kind(),
                std::io::ErrorKind::ReadOnlyFilesystem | std::io::ErrorKind::PermissionDenied
            ) =>
        {
            StoreError::ReadOnlyFolder {
                folder: folder.to_owned(),
            }
        }
        _ => err,
    }
}

/// A non-empty file that does not start with SQLite's header is someone else's: refuse it
/// before SQLite (or WAL setup) can write a byte.
fn check_is_sqlite(path: &Path) -> Result<(), StoreError> {
    match crate::header::has_sqlite_magic(path) {
        Ok(None | Some(true)) => Ok(()),
        Ok(Some(false)) => Err(StoreError::NotADatabase {
            path: path.to_owned(),
        }),
        Err(e) => Err(StoreError::from_io(e, path)),
    }
}

/// Whether a pooled connection is fit to hand out: not still inside a transaction. A dropped
/// transaction's rollback is queued on the connection's worker, so one round trip (a ping)
/// lets it finish first; a connection still in a transaction after that is closed, never
/// reused. Under load, one run ending right after a cancel once met such a connection and
/// failed "begin_with at non-zero transaction depth" instead of recording its end.
async fn outside_transaction(conn: &mut sqlx::SqliteConnection) -> Result<bool, sqlx::Error> {
    use sqlx::{Connection, TransactionManager};
    type Manager = sqlx::sqlite::SqliteTransactionManager;
    if Manager::get_transaction_depth(conn) == 0 {
        return Ok(true);
    }
    conn.ping().await?;
    let clean = Manager::get_transaction_depth(conn) == 0;
    if !clean {
        tracing::warn!("a pooled SQLite connection was still inside a transaction; closing it");
    }
    Ok(clean)
}
