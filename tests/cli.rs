//! The `inbox-sync` command line: `status` and `history`, in JSON and in words, on real data
//! directories, with `--data-dir`, `INBOX_SYNC_DATA_DIR` and `--stale-after`.
use std::path::Path;
use std::process::{Command, Output};
use std::sync::Arc;

use inbox_sync_core::{
    Clock, ErrorTag, Ledger, LedgerConfig, ManualClock, Outcome, Owner, Phase, ProcessLiveness,
    RunProgress, Store, StoreOptions, SystemClock, Trigger,
};
use serde_json::Value;

fn inbox_sync(data_dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_inbox-sync"))
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .env_remove("INBOX_SYNC_DATA_DIR")
        .output()
        .expect("run inbox-sync")
}

fn stdout_json(out: &Output) -> Value {
    assert!(
        out.status.success(),
        "exit 0 expected; stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("stdout is JSON")
}

/// A ledger on `dir`'s database whose runs belong to a host that is not this one, with its
/// clock set `behind_ms` in the past.
async fn foreign_ledger(dir: &Path, behind_ms: i64) -> Ledger {
    let store = Store::open(&dir.join("inbox-sync.sqlite3"), StoreOptions::default())
        .await
        .unwrap();
    let clock = ManualClock::new(SystemClock.now_ms() - behind_ms);
    let owner = Owner {
        host: "another-laptop.invalid".into(),
        pid: 4242,
        started_at: None,
    };
    Ledger::with_parts(
        store,
        LedgerConfig::default(),
        Arc::new(clock),
        Arc::new(ProcessLiveness::new()),
        owner,
    )
}

/// On a new data directory, status says nothing ran, in words and as `{active:null,latest:null}`.
#[test]
fn status_on_a_new_data_directory() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("fresh");
    let json = stdout_json(&inbox_sync(&data, &["status", "--json"]));
    assert_eq!(
        json,
        serde_json::json!({"active": null, "latest": null}),
        "nothing ran yet"
    );
    let words = inbox_sync(&data, &["status"]);
    let text = String::from_utf8_lossy(&words.stdout);
    assert!(text.contains("No sync is running."), "plain words: {text}");
    assert!(text.contains("No sync has run yet."), "plain words: {text}");
    assert!(
        data.join("inbox-sync.sqlite3").exists(),
        "the database is created in the data directory"
    );
}

/// status and history report runs written by another process, with the agreed JSON shape.
#[tokio::test]
async fn status_and_history_report_runs() {
    let dir = tempfile::tempdir().unwrap();
    let ledger = foreign_ledger(dir.path(), 0).await;
    let failed = ledger.start(Trigger::Tray).await.unwrap().run_id;
    let outcome = Outcome::Error {
        name: "GmailError".into(),
        message: "Gmail answered 500".into(),
        tag: ErrorTag::Gmail,
    };
    ledger
        .finish(failed, &outcome, &RunProgress::default())
        .await
        .unwrap();
    let running = ledger.start(Trigger::Cli).await.unwrap().run_id;
    let mut progress = RunProgress::default();
    progress.progress.fetched_emails = 120;
    progress.phase = Some(Phase::Fetching);
    progress.total_estimate = Some(500);
    ledger.heartbeat(running, &progress).await.unwrap();

    let status = stdout_json(&inbox_sync(dir.path(), &["status", "--json"]));
    assert_eq!(status["active"]["id"], running, "the running run is active");
    assert_eq!(status["active"]["isStale"], false, "freshly heartbeaten");
    assert_eq!(
        status["active"]["progress"]["fetchedEmails"], 120,
        "progress is nested camelCase"
    );
    assert_eq!(status["active"]["totalEstimate"], 500, "estimate reported");
    assert_eq!(
        status["latest"]["id"], running,
        "the newest run is the running one"
    );

    let words = inbox_sync(dir.path(), &["status"]);
    let text = String::from_utf8_lossy(&words.stdout);
    assert!(
        text.contains(&format!("Sync #{running} in progress (fetching")),
        "in words: {text}"
    );

    let history = stdout_json(&inbox_sync(dir.path(), &["history", "--json"]));
    let ids: Vec<i64> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, vec![running, failed], "newest first");
    assert_eq!(history[1]["errorTag"], "gmail", "the failure's tag");
    assert_eq!(history[1]["trigger"], "tray", "the trigger");
    let limited = stdout_json(&inbox_sync(
        dir.path(),
        &["history", "--limit", "1", "--json"],
    ));
    assert_eq!(limited.as_array().unwrap().len(), 1, "--limit is honoured");
    let table = String::from_utf8_lossy(&inbox_sync(dir.path(), &["history"]).stdout).to_string();
    assert!(
        table.contains("gmail: Gmail answered 500"),
        "the table shows the error: {table}"
    );
}

/// `--stale-after` decides when a silent run counts as stale.
#[tokio::test]
async fn stale_after_sets_the_threshold() {
    let dir = tempfile::tempdir().unwrap();
    // The run's last heartbeat is 120 s old.
    let ledger = foreign_ledger(dir.path(), 120_000).await;
    ledger.start(Trigger::Launch).await.unwrap();
    let default = stdout_json(&inbox_sync(dir.path(), &["status", "--json"]));
    assert_eq!(
        default["active"]["isStale"], true,
        "120 s silent is stale at the 60 s default"
    );
    let patient = stdout_json(&inbox_sync(
        dir.path(),
        &["--stale-after", "600", "status", "--json"],
    ));
    assert_eq!(
        patient["active"]["isStale"], false,
        "but not with a 600 s threshold"
    );
    let text = String::from_utf8_lossy(&inbox_sync(dir.path(), &["status"]).stdout).to_string();
    assert!(
        text.contains("the next sync replaces it"),
        "words explain what happens next: {text}"
    );
}

/// `INBOX_SYNC_DATA_DIR` picks the data directory when `--data-dir` is absent.
#[test]
fn data_dir_from_environment() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_inbox-sync"))
        .args(["status", "--json"])
        .env("INBOX_SYNC_DATA_DIR", dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "status works from the environment's directory"
    );
    assert!(
        dir.path().join("inbox-sync.sqlite3").exists(),
        "and uses it"
    );
}

/// A file that is not a database: exit 1, a plain message with its code, file untouched.
#[test]
fn bad_database_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("inbox-sync.sqlite3");
    std::fs::write(&db, "not a database at all").unwrap();
    let out = inbox_sync(dir.path(), &["status"]);
    assert_eq!(out.status.code(), Some(1), "exit code 1 on error");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("is not an Inbox Sync database"),
        "plain words: {err}"
    );
    assert!(
        err.contains("[notADatabase]"),
        "with the stable code: {err}"
    );
    assert!(!err.contains("panicked"), "no panic: {err}");
    assert_eq!(
        std::fs::read_to_string(&db).unwrap(),
        "not a database at all",
        "file untouched"
    );
}

/// Without a display the window cannot open: the app says so in words and exits 1, instead
/// of GTK's panic ("Failed to initialize gtk backend").
#[cfg(target_os = "linux")]
#[test]
fn the_window_without_a_display_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_inbox-sync"))
        .arg("--data-dir")
        .arg(dir.path())
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .env_remove("INBOX_SYNC_DATA_DIR")
        .output()
        .expect("run inbox-sync");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "stderr: {stderr}");
    assert!(stderr.contains("no graphical display"), "stderr: {stderr}");
    assert!(stderr.contains("inbox-sync sync"), "stderr: {stderr}");
    assert!(!stderr.contains("panicked"), "stderr: {stderr}");
}
