//! `inbox-sync sync` as a user runs it, against the fake Gmail over real HTTP: exit codes,
//! two processes started together, SIGKILL at ten points then resuming, Ctrl-C, auth errors.
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use fake_gmail::{FakeConfig, FakeGmail, OAuthClient};
use inbox_sync_core::{Store, StoreOptions};
use serde_json::Value;

fn sync_command(data: &Path, fake: &FakeGmail, extra: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_inbox-sync"));
    cmd.arg("--data-dir")
        .arg(data)
        .args(["sync", "--quota", "0", "--gmail-base-url"])
        .arg(fake.base_url())
        .args(extra)
        .env_remove("INBOX_SYNC_DATA_DIR")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd
}

/// One integer from the data directory's database, read on a fresh connection.
async fn count(data: &Path, sql: &str) -> i64 {
    let store = Store::open(&data.join("inbox-sync.sqlite3"), StoreOptions::default())
        .await
        .expect("open the database");
    let n: i64 = sqlx::query_scalar(sql)
        .fetch_one(store.pool())
        .await
        .unwrap_or(0);
    store.close().await;
    n
}

fn finish(child: Child) -> Output {
    child.wait_with_output().expect("wait for inbox-sync")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Polls an async condition until it holds or the deadline passes.
async fn wait_for<F, Fut>(deadline: Duration, mut cond: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let end = Instant::now() + deadline;
    while Instant::now() < end {
        if cond().await {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    false
}

/// The ids in the store equal the server's, each once, and the database is intact.
async fn assert_store_equals_server(data: &Path, fake: &FakeGmail) {
    let store = Store::open(&data.join("inbox-sync.sqlite3"), StoreOptions::default())
        .await
        .unwrap();
    let mut got: Vec<String> =
        sqlx::query_scalar("SELECT gmail_id FROM messages ORDER BY gmail_id")
            .fetch_all(store.pool())
            .await
            .unwrap();
    let mut want: Vec<String> = fake.truth().into_iter().map(|t| t.id).collect();
    want.sort();
    let before_dedup = got.len();
    got.dedup();
    assert_eq!(before_dedup, got.len(), "no message stored twice");
    assert_eq!(got, want, "the store holds exactly the server's messages");
    let integrity: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(integrity, "ok", "PRAGMA integrity_check");
    store.close().await;
}

/// A sync prints its finished run with --json and exits 0.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_json_prints_the_finished_run() {
    let fake = FakeGmail::start(FakeConfig::default().messages(120).seed(1))
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = finish(
        sync_command(dir.path(), &fake, &["--json"])
            .spawn()
            .unwrap(),
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "exit 0; stderr: {}",
        stderr(&out)
    );
    let run: Value = serde_json::from_slice(&out.stdout).expect("stdout is the run as JSON");
    assert_eq!(run["status"], "success", "the run succeeded");
    assert_eq!(run["trigger"], "cli", "started from the command line");
    assert_eq!(run["kind"], "full", "a first sync is full");
    assert_eq!(
        run["progress"]["insertedEmails"], 120,
        "all messages inserted"
    );
    assert_store_equals_server(dir.path(), &fake).await;
}

/// Two `inbox-sync sync` started together on one data directory: one syncs, the other exits
/// 3 at once naming the running run.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_syncs_started_together_run_once() {
    let fake = FakeGmail::start(
        FakeConfig::default()
            .messages(300)
            .seed(2)
            .latency(Duration::from_millis(10)),
    )
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let a = sync_command(dir.path(), &fake, &["--concurrency", "2"])
        .spawn()
        .unwrap();
    let b = sync_command(dir.path(), &fake, &["--concurrency", "2"])
        .spawn()
        .unwrap();
    let begun = Instant::now();
    let (a, b) = tokio::join!(
        tokio::task::spawn_blocking(move || (finish(a), begun.elapsed())),
        tokio::task::spawn_blocking(move || (finish(b), begun.elapsed()))
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    let mut codes = [a.0.status.code(), b.0.status.code()];
    codes.sort();
    assert_eq!(
        codes,
        [Some(0), Some(3)],
        "one syncs, one refuses: {} / {}",
        stderr(&a.0),
        stderr(&b.0)
    );
    let (winner, loser) = if a.0.status.code() == Some(0) {
        (a, b)
    } else {
        (b, a)
    };
    assert!(
        stderr(&loser.0).contains("already running"),
        "the refusal says why: {}",
        stderr(&loser.0)
    );
    assert!(
        loser.1 < winner.1,
        "the refused one exits first ({:?} vs {:?})",
        loser.1,
        winner.1
    );
    assert!(loser.1 < Duration::from_secs(3), "at once: {:?}", loser.1);
    assert_eq!(
        count(dir.path(), "SELECT count(*) FROM sync_runs").await,
        1,
        "one run in the ledger"
    );
    assert_store_equals_server(dir.path(), &fake).await;
}

/// `inbox-sync sync` killed with SIGKILL at ten points; each next run takes over at once,
/// resumes from the checkpoint, and the end result is the server's mailbox, intact.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_at_ten_points_then_resume() {
    // More than the last kill point plus what the sync fetches ahead of what it has stored
    // (the batch being written and the one filled beside it: 200 messages), so a run killed
    // there cannot have finished first.
    const TOTAL: i64 = 1_200;
    let fake = FakeGmail::start(
        FakeConfig::default()
            .messages(TOTAL as usize)
            .seed(9)
            .latency(Duration::from_millis(3)),
    )
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_owned();
    // Kill when this many messages are stored (0: as soon as the run exists).
    let points = [0, 1, 40, 100, 180, 260, 350, 450, 600, 750];
    for (i, &at) in points.iter().enumerate() {
        let child = sync_command(&data, &fake, &["--concurrency", "4"])
            .spawn()
            .unwrap();
        // The new process holds the running run (not the one just killed) and has stored enough.
        let mine = format!(
            "SELECT count(*) FROM sync_runs WHERE status = 'running' AND owner_pid = {}",
            child.id()
        );
        // Once enough is stored the fake stops answering, so the run cannot finish before it
        // is seen (see TOTAL).
        let reached = wait_for(Duration::from_secs(60), || {
            let (data, mine, fake) = (data.clone(), mine.clone(), fake.handle());
            async move {
                if count(&data, "SELECT count(*) FROM messages").await < at {
                    return false;
                }
                fake.set_hang(true);
                count(&data, &mine).await == 1
            }
        })
        .await;
        assert!(
            reached,
            "kill point {i}: {at} messages stored while running"
        );
        let mut child = child;
        child.kill().expect("SIGKILL");
        let status = child.wait().unwrap();
        assert_eq!(
            status.code(),
            None,
            "point {i}: killed by a signal, not exited"
        );
        fake.set_hang(false);
    }
    let begun = Instant::now();
    let out = finish(sync_command(&data, &fake, &["--json"]).spawn().unwrap());
    assert_eq!(
        out.status.code(),
        Some(0),
        "the final run completes: {}",
        stderr(&out)
    );
    assert!(
        begun.elapsed() < Duration::from_secs(60),
        "without waiting for a stale threshold"
    );
    assert_store_equals_server(&data, &fake).await;
    let aborted = count(
        &data,
        "SELECT count(*) FROM sync_runs WHERE status = 'aborted' AND error_tag = 'stale'",
    )
    .await;
    assert_eq!(aborted, 10, "each killed run was replaced as stale");
    let gets = fake.counts().messages_get as i64;
    // A kill loses at most the batch in progress plus the requests in flight.
    assert!(
        gets <= TOTAL + 10 * (100 + 4),
        "resumed from checkpoints, not from scratch: {gets} gets"
    );
}

/// Ctrl-C (SIGINT) stops the sync: exit 130, the run aborted/cancelled, progress kept.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ctrl_c_cancels_cleanly() {
    let fake = FakeGmail::start(
        FakeConfig::default()
            .messages(400)
            .seed(4)
            .latency(Duration::from_millis(20)),
    )
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_owned();
    let child = sync_command(&data, &fake, &["--concurrency", "2"])
        .spawn()
        .unwrap();
    let started = wait_for(Duration::from_secs(30), || {
        let data = data.clone();
        async move { count(&data, "SELECT count(*) FROM messages").await >= 20 }
    })
    .await;
    assert!(started, "the sync got going");
    let rc = unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    assert_eq!(rc, 0, "SIGINT delivered");
    let signalled = Instant::now();
    let out = finish(child);
    assert!(
        signalled.elapsed() < Duration::from_secs(2),
        "stopped promptly: {:?}",
        signalled.elapsed()
    );
    assert_eq!(
        out.status.code(),
        Some(130),
        "exit 130; stderr: {}",
        stderr(&out)
    );
    let cancelled = count(
        &data,
        "SELECT count(*) FROM sync_runs WHERE status = 'aborted' AND error_tag = 'cancelled'",
    )
    .await;
    assert_eq!(cancelled, 1, "the run is recorded as cancelled");
    assert!(
        count(&data, "SELECT count(*) FROM messages").await >= 20,
        "what was stored is kept"
    );
}

/// A refused refresh token ends the run `error`/`auth` and says so on stderr with exit 1.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revoked_refresh_token_is_an_auth_error() {
    let oauth = OAuthClient {
        refresh_token: "a-token-the-app-does-not-have".into(),
        ..OAuthClient::default()
    };
    let fake = FakeGmail::start(FakeConfig::default().messages(50).oauth(oauth))
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = finish(
        sync_command(dir.path(), &fake, &["--json"])
            .spawn()
            .unwrap(),
    );
    assert_eq!(out.status.code(), Some(1), "exit 1");
    let err = stderr(&out);
    assert!(err.contains("[auth]"), "the stable tag is shown: {err}");
    assert!(err.contains("sign in again"), "plain words: {err}");
    assert!(
        !err.contains("a-token-the-app-does-not-have"),
        "no secret in the output"
    );
    let run: Value = serde_json::from_slice(&out.stdout).expect("the run as JSON");
    assert_eq!(
        (run["status"].as_str(), run["errorTag"].as_str()),
        (Some("error"), Some("auth")),
        "recorded as error/auth"
    );
}
