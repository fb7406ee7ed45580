//! The lease against clocks that lie, with real processes: syncs whose wall clock is five
//! minutes ahead or behind (libfaketime) never take over a live run, while a frozen owner
//! (SIGSTOP) is still replaced once it has been silent past the threshold.
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use fake_gmail::{FakeConfig, FakeGmail};
use inbox_sync_core::{Store, StoreOptions};

/// The stale threshold every process in these tests runs with: short, so a wall-clock rule
/// fooled by a 5-minute skew would take over at once, and a frozen owner is replaced soon.
const STALE_AFTER: &str = "4";

fn sync_command(data: &Path, fake: &FakeGmail, faketime: Option<&str>) -> Command {
    let mut cmd = match faketime {
        // `-f +5m`: this process's wall clock runs five minutes off, from its start on.
        Some(offset) => {
            let mut c = Command::new("faketime");
            c.args(["-f", offset]).arg(env!("CARGO_BIN_EXE_inbox-sync"));
            c
        }
        None => Command::new(env!("CARGO_BIN_EXE_inbox-sync")),
    };
    cmd.arg("--data-dir")
        .arg(data)
        .args(["--stale-after", STALE_AFTER])
        .args([
            "sync",
            "--quota",
            "0",
            "--concurrency",
            "1",
            "--gmail-base-url",
        ])
        .arg(fake.base_url())
        .env_remove("INBOX_SYNC_DATA_DIR")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd
}

async fn query_i64(data: &Path, sql: &str) -> i64 {
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

async fn query_text(data: &Path, sql: &str) -> String {
    let store = Store::open(&data.join("inbox-sync.sqlite3"), StoreOptions::default())
        .await
        .expect("open the database");
    let s: Option<String> = sqlx::query_scalar(sql)
        .fetch_one(store.pool())
        .await
        .unwrap_or(None);
    store.close().await;
    s.unwrap_or_default()
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
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    false
}

/// Waits until `pid` holds the running run and has heartbeated at least once.
async fn wait_until_running(data: &Path, pid: u32) {
    let sql = format!(
        "SELECT count(*) FROM sync_runs WHERE status = 'running' AND owner_pid = {pid} \
         AND last_heartbeat_at > started_at"
    );
    let running = wait_for(Duration::from_secs(30), || {
        let (data, sql) = (data.to_owned(), sql.clone());
        async move { query_i64(&data, &sql).await == 1 }
    })
    .await;
    assert!(
        running,
        "the owner ({pid}) holds a running, heartbeating run"
    );
}

/// The wall-clock offset `faketime -f offset` gives a child, in seconds (proves the tool
/// works, so the skew tests cannot pass by not skewing at all).
fn faketime_offset(offset: &str) -> i64 {
    let read = |cmd: &mut Command| -> i64 {
        let out = cmd
            .output()
            .expect("run date (faketime is installed by xtask)");
        String::from_utf8_lossy(&out.stdout)
            .trim()
            .parse()
            .unwrap_or(0)
    };
    read(Command::new("faketime").args(["-f", offset, "date", "+%s"]))
        - read(Command::new("date").arg("+%s"))
}

/// Syncs started 5 minutes ahead and 5 minutes behind (monotonic clocks faked too, and not)
/// beside a live sync exit 3; the live run is never taken over and ends `success`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn skewed_newcomers_never_take_over_a_live_run() {
    let ahead = faketime_offset("+5m");
    assert!(
        (295..=305).contains(&ahead),
        "faketime skews by 5 min: {ahead} s"
    );
    let fake = FakeGmail::start(
        FakeConfig::default()
            .messages(300)
            .seed(12)
            .latency(Duration::from_millis(25)),
    )
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    let owner = sync_command(data, &fake, None).spawn().unwrap();
    wait_until_running(data, owner.id()).await;

    // Each skew twice: with libfaketime's default (every clock faked, the boot clock too)
    // and with the monotonic clocks left alone, as a stepped system clock would.
    for offset in ["+5m", "-5m"] {
        for dont_fake_monotonic in ["0", "1"] {
            let begun = Instant::now();
            let out = finish(
                sync_command(data, &fake, Some(offset))
                    .env("FAKETIME_DONT_FAKE_MONOTONIC", dont_fake_monotonic)
                    .env("DONT_FAKE_MONOTONIC", dont_fake_monotonic)
                    .spawn()
                    .unwrap(),
            );
            assert_eq!(
                out.status.code(),
                Some(3),
                "a newcomer {offset} (monotonic faked: {}) finds the run live: {}",
                dont_fake_monotonic == "0",
                stderr(&out)
            );
            assert!(
                stderr(&out).contains("already running"),
                "it says why: {}",
                stderr(&out)
            );
            assert!(
                begun.elapsed() < Duration::from_secs(10),
                "it refuses at once: {:?}",
                begun.elapsed()
            );
        }
    }
    let out = finish(owner);
    assert_eq!(
        out.status.code(),
        Some(0),
        "the live sync ends well: {}",
        stderr(&out)
    );
    assert_eq!(
        query_i64(data, "SELECT count(*) FROM sync_runs").await,
        1,
        "one run in the ledger: nobody took over"
    );
    assert_eq!(
        query_text(data, "SELECT status FROM sync_runs").await,
        "success",
        "the live run ended success"
    );
    assert_eq!(
        query_i64(data, "SELECT count(*) FROM messages").await,
        300,
        "the whole mailbox synced"
    );
}

/// A frozen owner (SIGSTOP) is replaced after the stale threshold by a sync on the same
/// boot; woken, the old owner writes nothing and says it lost its lease.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn frozen_owner_is_replaced_after_the_threshold() {
    let fake = FakeGmail::start(
        FakeConfig::default()
            .messages(200)
            .seed(13)
            .latency(Duration::from_millis(25)),
    )
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    let owner = sync_command(data, &fake, None).spawn().unwrap();
    let owner_pid = owner.id();
    wait_until_running(data, owner_pid).await;
    let signal = |sig: &str| {
        let ok = Command::new("kill")
            .args([sig, &owner_pid.to_string()])
            .status()
            .expect("run kill")
            .success();
        assert!(ok, "kill {sig} {owner_pid}");
    };
    signal("-STOP");
    let stopped = Instant::now();

    // Newcomers refuse while the frozen owner is within the threshold, then one takes over.
    let mut refusals = 0;
    let taker = loop {
        assert!(
            stopped.elapsed() < Duration::from_secs(60),
            "a newcomer took over within 60 s"
        );
        let out = finish(sync_command(data, &fake, None).spawn().unwrap());
        match out.status.code() {
            Some(3) => refusals += 1,
            _ => break out,
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let waited = stopped.elapsed();
    assert_eq!(
        taker.status.code(),
        Some(0),
        "the taker syncs to the end: {}",
        stderr(&taker)
    );
    assert!(
        refusals > 0 && waited >= Duration::from_secs(4),
        "not before the threshold: {refusals} refusals, took over after {waited:?}"
    );
    let reason = query_text(
        data,
        &format!(
            "SELECT error_message FROM sync_runs WHERE owner_pid = {owner_pid} \
             AND status = 'aborted' AND error_tag = 'stale'"
        ),
    )
    .await;
    assert!(
        reason.contains("no heartbeat") && reason.contains("this machine"),
        "the takeover says what happened: {reason:?}"
    );

    signal("-CONT");
    let out = finish(owner);
    assert_ne!(
        out.status.code(),
        Some(0),
        "the woken owner does not claim success"
    );
    let said = stderr(&out);
    assert!(
        said.contains("leaseLost") || said.contains("leaseExpired"),
        "the woken owner says it lost its lease: {said}"
    );
    assert_eq!(
        query_i64(data, "SELECT count(*) FROM messages").await,
        200,
        "the mailbox is whole"
    );
    assert_eq!(
        query_i64(
            data,
            "SELECT count(*) FROM sync_runs WHERE status = 'success'"
        )
        .await,
        1,
        "only the taker succeeded"
    );
}
