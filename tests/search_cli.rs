//! `inbox-sync search` as a user runs it after a real sync, and the search index under
//! `kill -9`: a sync killed at any point never leaves the index and the messages apart.
use std::path::Path;
use std::process::{Command, Stdio};
// Only the kill -9 test (unix signals) waits and times.
#[cfg(unix)]
use std::time::{Duration, Instant};

use fake_gmail::{FakeConfig, FakeGmail};
#[cfg(unix)]
use inbox_sync_core::{Store, StoreOptions};
use serde_json::Value;

fn inbox_sync(data: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_inbox-sync"));
    cmd.arg("--data-dir")
        .arg(data)
        .env_remove("INBOX_SYNC_DATA_DIR")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd
}

fn sync(data: &Path, fake: &FakeGmail) -> Command {
    let mut cmd = inbox_sync(data);
    cmd.args(["sync", "--quota", "0", "--gmail-base-url"])
        .arg(fake.base_url());
    cmd
}

fn search(data: &Path, args: &[&str]) -> (i32, String, String) {
    let out = inbox_sync(data)
        .arg("search")
        .args(args)
        .output()
        .expect("inbox-sync search runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The index's own row count and FTS5's integrity check against the messages table.
#[cfg(unix)]
async fn index_matches_messages(data: &Path) -> (i64, i64) {
    let store = Store::open(&data.join("inbox-sync.sqlite3"), StoreOptions::default())
        .await
        .expect("open the database");
    let messages: i64 = sqlx::query_scalar("SELECT count(*) FROM messages")
        .fetch_one(store.pool())
        .await
        .unwrap();
    // The docsize table has one row per indexed message: the index itself, not its content.
    let indexed: i64 = sqlx::query_scalar("SELECT count(*) FROM messages_fts_docsize")
        .fetch_one(store.pool())
        .await
        .unwrap();
    sqlx::query("INSERT INTO messages_fts (messages_fts) VALUES ('integrity-check')")
        .execute(store.pool())
        .await
        .expect("FTS5's integrity check: the index holds exactly the messages' words");
    store.close().await;
    (messages, indexed)
}

/// After a sync, `search --json` returns exactly the messages with the label asked for, and
/// the words output says how many match (or that none do).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_from_the_command_line() {
    let fake = FakeGmail::start(FakeConfig::default().messages(200).seed(4))
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = sync(dir.path(), &fake).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "the sync succeeds");

    let mut want: Vec<String> = fake
        .truth()
        .into_iter()
        .filter(|m| m.label_ids.iter().any(|l| l == "Label_5"))
        .map(|m| m.id)
        .collect();
    want.sort();
    assert!(!want.is_empty(), "the mailbox has Travel mail");
    let (code, stdout, stderr) = search(dir.path(), &["label:travel", "--json", "--limit", "500"]);
    assert_eq!(code, 0, "search exits 0: {stderr}");
    let json: Value = serde_json::from_str(&stdout).expect("--json prints JSON");
    assert_eq!(
        json["total"],
        want.len(),
        "the total is the server's Travel count"
    );
    let mut got: Vec<String> = json["messages"]
        .as_array()
        .expect("a messages array")
        .iter()
        .map(|m| m["gmailId"].as_str().unwrap_or_default().to_string())
        .collect();
    got.sort();
    assert_eq!(got, want, "exactly the Travel messages");

    let (code, stdout, _) = search(dir.path(), &["label:travel", "--limit", "3"]);
    assert_eq!(code, 0);
    assert!(
        stdout.starts_with(&format!(
            "{} messages match; the newest 3 are shown.",
            want.len()
        )),
        "words say how many match: {stdout}"
    );
    assert_eq!(stdout.lines().count(), 4, "a line a message: {stdout}");
    let (code, stdout, _) = search(dir.path(), &["zzqxnotaword"]);
    assert_eq!((code, stdout.as_str()), (0, "No messages match.\n"));
}

/// A sync killed with SIGKILL three times mid-way, then finished: after every kill the index
/// holds exactly the stored messages, and at the end the server's mailbox.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_never_parts_the_index_from_the_messages() {
    let fake = FakeGmail::start(
        FakeConfig::default()
            .messages(600)
            .seed(8)
            .latency(Duration::from_millis(15)),
    )
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut last = 0;
    for round in 0..3 {
        let mut child = sync(dir.path(), &fake).spawn().expect("start the sync");
        // Kill once it has stored more than the last round left (a batch of 100 or so).
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            assert!(
                Instant::now() < deadline,
                "round {round}: the sync stores mail"
            );
            if let Ok(Some(status)) = child.try_wait() {
                panic!("round {round}: the sync finished ({status}) before it could be killed");
            }
            let (messages, _) = index_matches_messages(dir.path()).await;
            if messages > last {
                last = messages;
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        child.kill().expect("SIGKILL");
        let _ = child.wait();
        let (messages, indexed) = index_matches_messages(dir.path()).await;
        assert_eq!(
            indexed, messages,
            "round {round}: after kill -9 the index has one row per stored message"
        );
        assert!(
            messages < 600,
            "round {round}: killed mid-way ({messages} stored)"
        );
    }
    let out = sync(dir.path(), &fake).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "the resumed sync finishes");
    let (messages, indexed) = index_matches_messages(dir.path()).await;
    assert_eq!(
        (messages, indexed),
        (600, 600),
        "the whole mailbox, indexed once"
    );
}

/// A database from an older version is updated by the first command that opens it, which
/// says so on standard error while standard output stays the command's own (here JSON), and
/// keeps every message; the next command has nothing to update.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_older_database_is_updated_with_progress_on_the_command_line() {
    let fake = FakeGmail::start(FakeConfig::default().messages(200).seed(6))
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = sync(dir.path(), &fake).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "the sync succeeds");
    // Back to before migration 0008 (the inline images' table).
    let pool = sqlx::SqlitePool::connect(&format!(
        "sqlite://{}",
        dir.path().join("inbox-sync.sqlite3").display()
    ))
    .await
    .unwrap();
    for sql in [
        "DROP TABLE inline_images",
        "DELETE FROM _sqlx_migrations WHERE version = 8",
    ] {
        sqlx::query(sql).execute(&pool).await.expect(sql);
    }
    pool.close().await;

    let travel = fake
        .truth()
        .into_iter()
        .filter(|m| m.label_ids.iter().any(|l| l == "Label_5"))
        .count();
    let (code, stdout, stderr) = search(dir.path(), &["label:travel", "--json"]);
    assert_eq!(code, 0, "search exits 0: {stderr}");
    assert!(
        stderr.contains(
            "Updating the database for this version: making room for inline images (step 1 of 1)"
        ) && stderr.contains("Updated the database for this version (200 messages)."),
        "the update is told on standard error: {stderr}"
    );
    let json: Value = serde_json::from_str(&stdout).expect("standard output is the JSON alone");
    assert_eq!(json["total"], travel, "every message kept");
    let (code, _, stderr) = search(dir.path(), &["label:travel", "--json"]);
    assert_eq!(code, 0);
    assert!(
        !stderr.contains("Updat"),
        "nothing left to update: {stderr}"
    );
}
