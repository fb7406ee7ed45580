//! Bad databases get clear, typed errors and are never overwritten: not SQLite, read-only,
//! locked by another program, or written by a newer schema.
mod common;

#[cfg(unix)]
use std::os::unix::fs::PermissionsExt;
#[cfg(unix)]
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::time::{Duration, Instant};

use common::*;

/// Each non-empty file in `dir` with its length and a hash of its bytes. Empty files are left
/// out: SQLite may create an empty `-wal` beside a WAL database it merely opens.
fn snapshot(dir: &Path) -> Vec<(String, usize, u64)> {
    use std::hash::{Hash, Hasher};
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| {
            let e = e.unwrap();
            // A sidecar may vanish while SQLite closes the last connection.
            let bytes = std::fs::read(e.path()).ok()?;
            let name = e.file_name().to_string_lossy().into_owned();
            // The -shm file is SQLite's shared-memory index, rebuilt on open; it holds no data.
            if bytes.is_empty() || name.ends_with("-shm") {
                return None;
            }
            let mut h = std::collections::hash_map::DefaultHasher::new();
            bytes.hash(&mut h);
            Some((name, bytes.len(), h.finish()))
        })
        .collect();
    files.sort();
    files
}

fn start_error(cmd: &mut std::process::Command) -> serde_json::Value {
    let (lines, code) = probe_output(cmd);
    assert_eq!(code, 2, "the probe reports an error: {lines:?}");
    lines.into_iter().next().expect("an error line")
}

/// A file that is not SQLite is refused as such and left byte for byte as it was.
#[test]
fn not_a_database_is_refused_untouched() {
    let db = temp_db();
    std::fs::write(
        &db.path,
        b"Dear diary, today I synced no mail.\n".repeat(200),
    )
    .unwrap();
    let before = snapshot(db.dir.path());
    let err = start_error(probe(&db.path).arg("start"));
    assert_eq!(
        err["error"], "notADatabase",
        "typed as not a database: {err}"
    );
    assert!(
        err["message"]
            .as_str()
            .unwrap()
            .contains("not an Inbox Sync database"),
        "plain words: {err}"
    );
    assert_eq!(
        snapshot(db.dir.path()),
        before,
        "no byte written, no file added"
    );
}

/// A read-only database (file and folder without write permission) gets a clear error and
/// is not changed. Runs the probe as an unprivileged user when the test runs as root,
/// because root ignores permission bits.
#[cfg(unix)]
#[test]
fn read_only_database_is_refused_untouched() {
    let db = temp_db();
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let store = open_store(&db.path).await;
        sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(store.pool())
            .await
            .unwrap();
        store.close().await;
    });
    std::fs::set_permissions(&db.path, std::fs::Permissions::from_mode(0o444)).unwrap();
    std::fs::set_permissions(db.dir.path(), std::fs::Permissions::from_mode(0o555)).unwrap();
    let before = snapshot(db.dir.path());
    let mut cmd = probe(&db.path);
    // Kept until the probe has run: the copy of it that the unprivileged user runs.
    let mut _shelf = None;
    if unsafe { libc::geteuid() } == 0 {
        // The checkout may sit in a private home folder (mode 0700) that user cannot enter,
        // so it runs a copy of the probe from a folder anyone can read.
        let shelf = tempfile::tempdir().unwrap();
        std::fs::set_permissions(shelf.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        let copy = shelf.path().join("ledger-probe");
        std::fs::copy(env!("CARGO_BIN_EXE_ledger-probe"), &copy).expect("copy the probe");
        cmd = std::process::Command::new(&copy);
        cmd.arg("--db").arg(&db.path).uid(65534).gid(65534);
        _shelf = Some(shelf);
    }
    cmd.arg("start");
    let err = start_error(&mut cmd);
    std::fs::set_permissions(db.dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    assert_eq!(err["error"], "readOnly", "typed as read-only: {err}");
    assert!(
        err["message"].as_str().unwrap().contains("read-only"),
        "plain words: {err}"
    );
    assert_eq!(snapshot(db.dir.path()), before, "nothing changed on disk");
}

/// A database held under an exclusive lock by another program: the start waits its lock
/// budget, then fails as `locked` (never a raw SQLITE_BUSY); once released, starts work.
#[test]
fn locked_database_fails_clearly_then_recovers() {
    let db = temp_db();
    let locker = Probe::spawn(probe(&db.path).arg("lock"));
    locker.wait_for("locked", Duration::from_secs(20));
    let begun = Instant::now();
    let err = start_error(probe(&db.path).args(["--lock-wait-ms", "800", "start"]));
    let waited = begun.elapsed();
    assert_eq!(err["error"], "locked", "typed as locked: {err}");
    assert!(
        err["message"]
            .as_str()
            .unwrap()
            .contains("locked by another program"),
        "plain words: {err}"
    );
    assert!(
        !err["message"].as_str().unwrap().contains("SQLITE"),
        "no raw SQLite code: {err}"
    );
    assert!(
        waited >= Duration::from_millis(700),
        "it waited its budget first: {waited:?}"
    );
    drop(locker);
    let (lines, code) = probe_output(probe(&db.path).arg("start"));
    assert_eq!(
        code, 0,
        "after the lock is released the start goes through: {lines:?}"
    );
    assert_eq!(lines[0]["started"], true, "and starts a run");
}

/// A database from a newer schema version is refused before anything is written.
#[test]
fn newer_schema_is_refused_untouched() {
    let db = temp_db();
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let store = open_store(&db.path).await;
        sqlx::query(
            "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
             VALUES (99990101000000, 'from the future', 1, x'00', 1)",
        )
        .execute(store.pool())
        .await
        .unwrap();
        sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)").execute(store.pool()).await.unwrap();
        store.close().await;
    });
    let before = snapshot(db.dir.path());
    let err = start_error(probe(&db.path).arg("start"));
    assert_eq!(
        err["error"], "newerSchema",
        "typed as a newer schema: {err}"
    );
    assert!(
        err["message"].as_str().unwrap().contains("newer version"),
        "plain words: {err}"
    );
    assert_eq!(snapshot(db.dir.path()), before, "nothing changed on disk");
}

/// A new database file another opener is still making (its first write open, the file not
/// yet in WAL): SQLite fails the turn to WAL at once there, without its busy wait, so the
/// open waits on its own — its lock budget, then `locked` with the time it really waited, or
/// the file once the other opener is done.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_file_another_opener_is_still_writing_is_waited_for() {
    use inbox_sync_core::{Store, StoreError, StoreOptions};
    use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode};
    use sqlx::ConnectOptions;

    let db = temp_db();
    let mut maker = SqliteConnectOptions::new()
        .filename(&db.path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Delete)
        .connect()
        .await
        .unwrap();
    for sql in [
        "CREATE TABLE made_first (x)",
        "BEGIN IMMEDIATE",
        "INSERT INTO made_first VALUES (1)",
    ] {
        sqlx::query(sql).execute(&mut maker).await.unwrap();
    }

    let budget = Duration::from_millis(400);
    let begun = Instant::now();
    let opened = Store::open(
        &db.path,
        StoreOptions {
            lock_wait: budget,
            ..StoreOptions::default()
        },
    )
    .await;
    let waited = begun.elapsed();
    match opened {
        Err(StoreError::Locked { waited: said, .. }) => {
            assert!(waited >= budget, "it waited its budget first: {waited:?}");
            assert!(said >= budget, "and says how long: {said:?}");
        }
        other => panic!("locked while the other opener writes: {other:?}"),
    }

    let opening = tokio::spawn({
        let path = db.path.clone();
        async move { Store::open(&path, StoreOptions::default()).await }
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(
        !opening.is_finished(),
        "still waiting while the other opener writes: {:?}",
        opening.await
    );
    sqlx::query("COMMIT").execute(&mut maker).await.unwrap();
    let store = opening
        .await
        .unwrap()
        .expect("opened once the other opener is done");
    let kept: i64 = sqlx::query_scalar("SELECT count(*) FROM made_first")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(kept, 1, "the other opener's row is kept");
    store.close().await;
}
