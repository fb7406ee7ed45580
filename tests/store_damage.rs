//! The database on bad media, through the real `inbox-sync` binary and real files: a file
//! with garbage over its middle is set aside (unchanged) and rebuilt from the fake Gmail, and
//! a database on a read-only mount still answers `status` and `history` while `sync` says
//! plainly that the folder is read-only.
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use fake_gmail::{FakeConfig, FakeGmail};
use inbox_sync_core::sync::MailStore;
use inbox_sync_core::{Ledger, LedgerConfig, Outcome, Store, StoreError, StoreOptions, Trigger};
use serde_json::Value;

const DB: &str = "inbox-sync.sqlite3";

fn inbox_sync(program: &Path, data: &Path, args: &[&str]) -> Output {
    Command::new(program)
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .env_remove("INBOX_SYNC_DATA_DIR")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .expect("run inbox-sync")
}

fn binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_inbox-sync"))
}

fn sync(data: &Path, fake: &FakeGmail) -> Output {
    inbox_sync(
        &binary(),
        data,
        &["sync", "--quota", "0", "--gmail-base-url", &fake.base_url()],
    )
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// `n` bytes from a seeded xorshift: random-looking, the same on every run.
fn garbage(n: usize, mut seed: u64) -> Vec<u8> {
    (0..n)
        .map(|_| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed >> 24) as u8
        })
        .collect()
}

/// The ids in the store equal the server's, each once, and the database is intact.
async fn assert_store_equals_server(data: &Path, fake: &FakeGmail) {
    let store = Store::open(&data.join(DB), StoreOptions::default())
        .await
        .expect("the rebuilt database opens for writing");
    let mut got: Vec<String> =
        sqlx::query_scalar("SELECT gmail_id FROM messages ORDER BY gmail_id")
            .fetch_all(store.pool())
            .await
            .unwrap();
    let mut want: Vec<String> = fake.truth().into_iter().map(|t| t.id).collect();
    want.sort();
    let stored = got.len();
    got.dedup();
    assert_eq!(stored, got.len(), "no message stored twice");
    assert_eq!(
        got, want,
        "the rebuilt store holds exactly the server's messages"
    );
    let integrity: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(integrity, "ok", "the rebuilt file passes integrity_check");
    store.close().await;
}

/// 4 KiB of random bytes over the middle of a synced database: the next sync sets the file
/// aside byte for byte, rebuilds exactly the server's mailbox, keeps the run history, and
/// `status` says what happened in plain words.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn garbage_in_the_middle_is_set_aside_and_rebuilt() {
    for seed in [7_u64, 8, 9] {
        let fake = FakeGmail::start(FakeConfig::default().messages(300).seed(seed))
            .await
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let first = sync(dir.path(), &fake);
        assert_eq!(
            first.status.code(),
            Some(0),
            "first sync: {}",
            text(&first.stderr)
        );

        let db = dir.path().join(DB);
        let mut bytes = std::fs::read(&db).unwrap();
        let middle = bytes.len() / 2;
        bytes[middle..middle + 4096].copy_from_slice(&garbage(4096, seed));
        std::fs::write(&db, &bytes).unwrap();

        let second = sync(dir.path(), &fake);
        let err = text(&second.stderr);
        assert_eq!(second.status.code(), Some(0), "the rebuild succeeds: {err}");
        assert!(
            err.contains("was damaged") && err.contains("set aside") && err.contains("[corrupt]"),
            "the user is told in plain words, with the tag: {err}"
        );

        let aside: Vec<PathBuf> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| {
                let name = p.file_name().unwrap().to_string_lossy().into_owned();
                name.starts_with("inbox-sync.sqlite3.damaged-")
                    && !name.ends_with("-wal")
                    && !name.ends_with("-shm")
            })
            .collect();
        assert_eq!(aside.len(), 1, "exactly one file set aside: {aside:?}");
        assert!(
            std::fs::read(&aside[0]).unwrap() == bytes,
            "the damaged file is kept byte for byte as it was found"
        );
        assert_store_equals_server(dir.path(), &fake).await;

        let status = inbox_sync(&binary(), dir.path(), &["status"]);
        let said = text(&status.stdout);
        assert_eq!(
            status.status.code(),
            Some(0),
            "status works: {}",
            text(&status.stderr)
        );
        assert!(
            said.contains("Damaged database repaired") && said.contains("rebuilt from Gmail"),
            "status says what happened: {said}"
        );
        assert!(
            said.contains(&aside[0].file_name().unwrap().to_string_lossy().into_owned()),
            "status names where the damaged file went: {said}"
        );

        let history = inbox_sync(&binary(), dir.path(), &["history", "--json"]);
        let runs: Vec<Value> = serde_json::from_slice(&history.stdout).expect("history as JSON");
        let tags: Vec<(i64, String, String)> = runs
            .iter()
            .map(|r| {
                (
                    r["id"].as_i64().unwrap(),
                    r["status"].as_str().unwrap().to_owned(),
                    r["errorTag"].as_str().unwrap_or("").to_owned(),
                )
            })
            .collect();
        assert_eq!(
            tags,
            vec![
                (3, "success".into(), String::new()),
                (2, "error".into(), "corrupt".into()),
                (1, "success".into(), String::new()),
            ],
            "the rebuild, the repair, and the first run kept from the damaged file"
        );
    }
}

#[cfg(unix)]
/// A read-only view of a folder: a read-only bind mount when this process may mount (root
/// with CAP_SYS_ADMIN), else the folder's write bits removed and the binary run as `nobody`.
struct ReadOnly {
    dir: PathBuf,
    mounted: bool,
    /// Kept until the end: a copy of the binary that `nobody` can run.
    shelf: Option<tempfile::TempDir>,
}

#[cfg(unix)]
impl ReadOnly {
    fn make(dir: &Path) -> Self {
        let mounted = Command::new("mount")
            .args(["--bind"])
            .arg(dir)
            .arg(dir)
            .status()
            .is_ok_and(|s| s.success());
        if mounted {
            let ro = Command::new("mount")
                .args(["-o", "remount,bind,ro"])
                .arg(dir)
                .status()
                .is_ok_and(|s| s.success());
            if ro {
                return Self {
                    dir: dir.to_owned(),
                    mounted: true,
                    shelf: None,
                };
            }
            let _ = Command::new("umount").arg(dir).status();
        }
        Self::unprivileged(dir)
    }

    fn unprivileged(dir: &Path) -> Self {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path, m| std::fs::set_permissions(p, std::fs::Permissions::from_mode(m));
        mode(dir.parent().unwrap(), 0o755).unwrap();
        for entry in std::fs::read_dir(dir).unwrap() {
            mode(&entry.unwrap().path(), 0o444).unwrap();
        }
        mode(dir, 0o555).unwrap();
        let mut shelf = None;
        if unsafe { libc::geteuid() } == 0 {
            let s = tempfile::tempdir().unwrap();
            mode(s.path(), 0o755).unwrap();
            std::fs::copy(binary(), s.path().join("inbox-sync")).expect("copy the binary");
            shelf = Some(s);
        }
        Self {
            dir: dir.to_owned(),
            mounted: false,
            shelf,
        }
    }

    fn run(&self, args: &[&str]) -> Output {
        match &self.shelf {
            None => inbox_sync(&binary(), &self.dir, args),
            Some(shelf) => {
                use std::os::unix::process::CommandExt;
                Command::new(shelf.path().join("inbox-sync"))
                    .arg("--data-dir")
                    .arg(&self.dir)
                    .args(args)
                    .env_remove("INBOX_SYNC_DATA_DIR")
                    .env("HOME", shelf.path())
                    .uid(65534)
                    .gid(65534)
                    .output()
                    .expect("run inbox-sync as nobody")
            }
        }
    }
}

#[cfg(unix)]
impl Drop for ReadOnly {
    fn drop(&mut self) {
        if self.mounted {
            let _ = Command::new("umount").arg(&self.dir).status();
        } else {
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                let _ = std::fs::set_permissions(&self.dir, std::fs::Permissions::from_mode(0o755));
            }
        }
    }
}

#[cfg(unix)]
/// A synced database on read-only media, with and without its -wal/-shm beside it: `status`
/// and `history` print the runs, `sync` fails saying the folder is read-only (tag
/// `readOnly`), and no file in the folder changes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_only_media_status_history_work_and_sync_says_so() {
    let fake = FakeGmail::start(FakeConfig::default().messages(60).seed(3))
        .await
        .unwrap();
    for keep_sidecars in [false, true] {
        let parent = tempfile::tempdir().unwrap();
        let data = parent.path().join("data");
        std::fs::create_dir(&data).unwrap();
        for _ in 0..2 {
            let out = sync(&data, &fake);
            assert_eq!(out.status.code(), Some(0), "sync: {}", text(&out.stderr));
        }
        for suffix in ["-wal", "-shm"] {
            let side = data.join(format!("{DB}{suffix}"));
            if keep_sidecars {
                // As a crashed process leaves them: both present.
                if !side.exists() {
                    std::fs::write(&side, b"").unwrap();
                }
            } else {
                let _ = std::fs::remove_file(&side);
            }
        }
        let before = std::fs::read(data.join(DB)).unwrap();
        let ro = ReadOnly::make(&data);
        let how = if ro.mounted {
            "read-only bind mount"
        } else {
            "unwritable folder, run as nobody"
        };

        let status = ro.run(&["status"]);
        let said = text(&status.stdout);
        assert_eq!(
            status.status.code(),
            Some(0),
            "status works ({how}, sidecars {keep_sidecars}): {}",
            text(&status.stderr)
        );
        assert!(
            said.contains("Latest sync #2: success"),
            "status reports the latest run ({how}): {said}"
        );

        let history = ro.run(&["history"]);
        let table = text(&history.stdout);
        assert_eq!(
            history.status.code(),
            Some(0),
            "history works ({how}): {}",
            text(&history.stderr)
        );
        assert_eq!(
            table.lines().filter(|l| l.contains("success")).count(),
            2,
            "history lists both runs ({how}): {table}"
        );

        let synced = ro.run(&["sync", "--quota", "0", "--gmail-base-url", &fake.base_url()]);
        let err = text(&synced.stderr);
        assert_eq!(synced.status.code(), Some(1), "sync fails ({how}): {err}");
        assert!(
            err.contains("is read-only") && err.contains("[readOnly]"),
            "sync says plainly the folder is read-only ({how}): {err}"
        );
        assert!(
            !err.contains("unable to open database file") && !err.contains("cannotOpen"),
            "not SQLite's words ({how}): {err}"
        );
        drop(ro);
        assert!(
            std::fs::read(data.join(DB)).unwrap() == before,
            "the database was not changed ({how})"
        );
    }
}

/// Damage found while another process holds a live lease in the file: the newcomer refuses
/// (exit 1, `corrupt`) and renames nothing, so no second sync can start in a fresh file
/// beside the live one, and it writes no byte into the damaged file; once the holder lets go,
/// the next sync sets the file aside and rebuilds, ending the old run as `corrupt`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn damage_under_a_live_lease_is_left_to_its_holder() {
    let fake = FakeGmail::start(FakeConfig::default().messages(200).seed(11))
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let first = sync(dir.path(), &fake);
    assert_eq!(
        first.status.code(),
        Some(0),
        "first sync: {}",
        text(&first.stderr)
    );
    let db = dir.path().join(DB);

    // This test process plays the live owner: the database open for writing, a running run.
    let store = Store::open(&db, StoreOptions::default()).await.unwrap();
    let ledger = Ledger::new(store.clone(), LedgerConfig::default());
    let live = ledger.start(Trigger::Button).await.unwrap();
    assert!(live.started, "the holder's run is running");
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(store.pool())
        .await
        .unwrap();

    let mut bytes = std::fs::read(&db).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle..middle + 4096].copy_from_slice(&garbage(4096, 11));
    std::fs::write(&db, &bytes).unwrap();

    let refused = sync(dir.path(), &fake);
    let err = text(&refused.stderr);
    assert_eq!(
        refused.status.code(),
        Some(1),
        "the newcomer refuses: {err}"
    );
    assert!(
        err.contains("[corrupt]") && err.contains("another Inbox Sync process has it open"),
        "it says why it does not rebuild now: {err}"
    );
    assert!(
        std::fs::read(&db).unwrap() == bytes,
        "the damaged file is still in place, not a byte written into it"
    );
    assert!(
        ledger
            .heartbeat(live.run_id, &Default::default())
            .await
            .is_err(),
        "the holder's own ledger writes now refuse the damaged file"
    );
    store.close().await;

    let rebuilt = sync(dir.path(), &fake);
    assert_eq!(
        rebuilt.status.code(),
        Some(0),
        "the rebuild: {}",
        text(&rebuilt.stderr)
    );
    assert_store_equals_server(dir.path(), &fake).await;
    let history = inbox_sync(&binary(), dir.path(), &["history", "--json"]);
    let runs: Vec<Value> = serde_json::from_slice(&history.stdout).expect("history as JSON");
    assert!(
        runs.iter().all(|r| r["status"] != "running"),
        "nothing is left running: {runs:?}"
    );
    let old = runs.iter().find(|r| r["id"] == live.run_id);
    if let Some(old) = old {
        assert_eq!(
            (old["status"].as_str(), old["errorTag"].as_str()),
            (Some("error"), Some("corrupt")),
            "the holder's run, read back from the damaged file, ended with the damage"
        );
    }
}

/// `SQLITE_CORRUPT` met in the middle of work (here: reading the mail while a run holds the
/// lease, on a file with its `messages` table's root page overwritten): from that moment the
/// ledger writes nothing into the file — the run cannot even finish there — and the next
/// sync sets it aside unchanged and rebuilds, keeping the run as `error` / `corrupt`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn corruption_met_mid_run_stops_every_write() {
    let fake = FakeGmail::start(FakeConfig::default().messages(300).seed(12))
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let first = sync(dir.path(), &fake);
    assert_eq!(
        first.status.code(),
        Some(0),
        "first sync: {}",
        text(&first.stderr)
    );
    let db = dir.path().join(DB);

    let store = Store::open(&db, StoreOptions::default()).await.unwrap();
    let (root, page_size): (i64, i64) = (
        sqlx::query_scalar("SELECT rootpage FROM sqlite_master WHERE name = 'messages'")
            .fetch_one(store.pool())
            .await
            .unwrap(),
        sqlx::query_scalar("PRAGMA page_size")
            .fetch_one(store.pool())
            .await
            .unwrap(),
    );
    let ledger = Ledger::new(store.clone(), LedgerConfig::default());
    let run = ledger.start(Trigger::Button).await.unwrap();
    assert!(run.started, "a run holds the lease");
    let some_id = MailStore::new(store.clone()).ids().await.unwrap().remove(0);
    // Closed and opened again below, so no connection serves the page from its cache; the
    // run row folded into the file first (`close` alone may leave it in the -wal when a
    // connection is still on its way back to the pool, and the next close would then write
    // it into the file read below).
    store.close_checkpointed().await;
    let mut bytes = std::fs::read(&db).unwrap();
    let at = ((root - 1) * page_size) as usize;
    bytes[at..at + page_size as usize].copy_from_slice(&garbage(page_size as usize, 12));
    std::fs::write(&db, &bytes).unwrap();
    let store = Store::open(&db, StoreOptions::default()).await.unwrap();
    let ledger = Ledger::new(store.clone(), LedgerConfig::default());

    // A row is found through the table's root page, which is now garbage.
    let read = MailStore::new(store.clone()).message(&some_id).await;
    assert!(
        matches!(read, Err(StoreError::Corrupt { .. })),
        "reading the mail meets the damage as `corrupt`: {read:?}"
    );
    let finished = ledger
        .finish(run.run_id, &Outcome::Success, &Default::default())
        .await;
    assert_eq!(
        finished.as_ref().map_err(|e| e.code()).err(),
        Some("corrupt"),
        "the run cannot be finished in the damaged file"
    );
    store.close().await;
    assert!(
        std::fs::read(&db).unwrap() == bytes,
        "not a byte was written after the damage was met"
    );

    let rebuilt = sync(dir.path(), &fake);
    assert_eq!(
        rebuilt.status.code(),
        Some(0),
        "the rebuild: {}",
        text(&rebuilt.stderr)
    );
    assert_store_equals_server(dir.path(), &fake).await;
    let history = inbox_sync(&binary(), dir.path(), &["history", "--json"]);
    let runs: Vec<Value> = serde_json::from_slice(&history.stdout).expect("history as JSON");
    let old = runs
        .iter()
        .find(|r| r["id"] == run.run_id)
        .expect("the interrupted run was read back from the damaged file");
    assert_eq!(
        (old["status"].as_str(), old["errorTag"].as_str()),
        (Some("error"), Some("corrupt")),
        "it ended with the damage: {old}"
    );
}
