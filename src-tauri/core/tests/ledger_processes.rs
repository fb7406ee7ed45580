//! The ledger across real OS processes: racing starts, kill -9, and a paused zombie owner.
// Signals (SIGKILL, SIGSTOP) are unix's; on Windows this file is left out.
#![cfg(unix)]
mod common;

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::*;
use serde_json::Value;

/// `(id, status, started_at, finished_at, error_tag)` of a ledger row.
type RunRow = (i64, String, i64, Option<i64>, Option<String>);

/// 8 processes × 200 starts on one file, runs finishing and going stale meanwhile: never two
/// running rows, no "database is locked" reaches a caller, and each started run is one row.
#[test]
fn eight_processes_racing_start_never_run_twice() {
    let db = temp_db();
    // Create the schema first so the racers all see it (they would also cope without).
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async { open_store(&db.path).await.close().await });

    // A watcher samples the running-row count the whole time.
    let stop = Arc::new(AtomicBool::new(false));
    let max_running = Arc::new(AtomicI64::new(0));
    let samples = Arc::new(AtomicI64::new(0));
    let watcher = {
        let (stop, max_running, samples, path) = (
            stop.clone(),
            max_running.clone(),
            samples.clone(),
            db.path.clone(),
        );
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let store = open_store(&path).await;
                while !stop.load(Ordering::SeqCst) {
                    let n: i64 = sqlx::query_scalar(
                        "SELECT count(*) FROM sync_runs WHERE status = 'running'",
                    )
                    .fetch_one(store.pool())
                    .await
                    .expect("watcher read");
                    max_running.fetch_max(n, Ordering::SeqCst);
                    samples.fetch_add(1, Ordering::SeqCst);
                }
                store.close().await;
            })
        })
    };

    let started = Instant::now();
    let racers: Vec<_> = (0..8)
        .map(|i| {
            let mut cmd = probe(&db.path);
            // A tiny stale threshold so abandoned runs go stale and get taken over mid-race.
            cmd.args(["--stale-ms", "3", "race", "--iterations", "200", "--seed"])
                .arg((i + 1).to_string());
            cmd.stdout(std::process::Stdio::piped())
                .spawn()
                .expect("spawn racer")
        })
        .collect();
    let outputs: Vec<_> = racers
        .into_iter()
        .map(|c| c.wait_with_output().expect("racer output"))
        .collect();
    let elapsed = started.elapsed();
    stop.store(true, Ordering::SeqCst);
    watcher.join().unwrap();

    let mut started_ids = Vec::new();
    let mut refused = 0;
    let mut late = Vec::new();
    for (i, out) in outputs.iter().enumerate() {
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "racer {i} exited {:?}; its last lines: {}",
            out.status,
            text.lines().rev().take(3).collect::<Vec<_>>().join(" | ")
        );
        assert!(!text.contains("\"error\""), "no error reached racer {i}");
        for line in text.lines() {
            let v: Value = serde_json::from_str(line).expect("JSON line");
            if let Some(start) = v.get("start") {
                if start["started"].as_bool().unwrap() {
                    started_ids.push(start["runId"].as_i64().unwrap());
                } else {
                    refused += 1;
                    assert_eq!(start["reason"], "alreadyRunning", "the only refusal reason");
                }
            }
            if v.get("lateFinish").is_some() {
                late.push((
                    v["lateFinish"].as_i64().unwrap(),
                    v["ok"].as_bool().unwrap(),
                ));
            }
        }
    }
    assert_eq!(
        started_ids.len() + refused,
        1600,
        "every one of the 1600 starts answered"
    );
    let distinct: HashSet<i64> = started_ids.iter().copied().collect();
    assert_eq!(
        distinct.len(),
        started_ids.len(),
        "no run id was handed out twice"
    );

    let rows = rt.block_on(async {
        let store = open_store(&db.path).await;
        let rows: Vec<RunRow> = sqlx::query_as(
            "SELECT id, status, started_at, finished_at, error_tag FROM sync_runs ORDER BY id",
        )
        .fetch_all(store.pool())
        .await
        .unwrap();
        store.close().await;
        rows
    });
    let row_ids: HashSet<i64> = rows.iter().map(|r| r.0).collect();
    assert_eq!(
        row_ids, distinct,
        "every started run is exactly one row, and every row was started"
    );
    assert!(
        max_running.load(Ordering::SeqCst) <= 1,
        "the watcher never saw two running rows"
    );
    assert!(
        samples.load(Ordering::SeqCst) > 10,
        "the watcher sampled throughout"
    );
    // Intervals never overlap: each run ended before (or as) the next one began.
    for pair in rows.windows(2) {
        let (prev, next) = (&pair[0], &pair[1]);
        let ended = prev.3.expect("every earlier run is finished");
        assert!(
            ended <= next.2,
            "run {} ended at {ended} after run {} began at {}",
            prev.0,
            next.0,
            next.2
        );
    }
    let by_id: HashMap<i64, &str> = rows.iter().map(|r| (r.0, r.1.as_str())).collect();
    for (id, ok) in &late {
        let status = by_id[id];
        if *ok {
            assert_eq!(
                status, "success",
                "a late finish that went through recorded success"
            );
        } else {
            assert_eq!(
                status, "aborted",
                "a refused late finish means the run was taken over"
            );
        }
    }
    let taken_over = rows
        .iter()
        .filter(|r| r.4.as_deref() == Some("stale"))
        .count();
    assert!(taken_over > 0, "the race included stale takeovers");
    eprintln!(
        "race: {} starts in {elapsed:?}, {} started, {refused} refused, {taken_over} stale takeovers",
        started_ids.len() + refused,
        started_ids.len()
    );
}

fn hold(db: &common::TempDb, extra: &[&str]) -> Probe {
    let mut cmd = probe(&db.path);
    cmd.args(extra).arg("hold");
    Probe::spawn(&mut cmd)
}

fn start_once(db: &common::TempDb, extra: &[&str]) -> Value {
    let mut cmd = probe(&db.path);
    cmd.args(extra).arg("start");
    let (lines, code) = probe_output(&mut cmd);
    assert_eq!(code, 0, "start succeeds as a call: {lines:?}");
    lines.into_iter().next().expect("start prints its result")
}

/// kill -9 of the owner on this host: the next start succeeds at once, no stale wait.
#[test]
fn killed_owner_on_this_host_is_replaced_at_once() {
    let db = temp_db();
    let mut owner = hold(&db, &["--stale-ms", "60000", "--heartbeat-ms", "5000"]);
    let run_id = owner
        .wait_for("runId", Duration::from_secs(20))
        .as_i64()
        .unwrap();
    let refused = start_once(&db, &["--stale-ms", "60000"]);
    assert_eq!(refused["started"], false, "a live owner blocks the start");

    owner.signal(libc::SIGKILL);
    assert!(
        owner.wait_exit(Duration::from_secs(5)).is_some(),
        "the owner died"
    );
    let begun = Instant::now();
    let taken = start_once(&db, &["--stale-ms", "60000"]);
    assert_eq!(
        taken["started"], true,
        "the dead owner's run is replaced: {taken}"
    );
    assert!(
        begun.elapsed() < Duration::from_secs(5),
        "with no wait for the 60 s threshold"
    );
    let rt = tokio::runtime::Runtime::new().unwrap();
    let tag = rt.block_on(scalar(
        &db.path,
        &format!("SELECT count(*) FROM sync_runs WHERE id = {run_id} AND status = 'aborted' AND error_tag = 'stale'"),
    ));
    assert_eq!(tag, 1, "the killed run is marked aborted/stale");
}

/// kill -9 of an owner on another host: its pid means nothing here, so the start waits for
/// the stale threshold, then succeeds.
#[test]
fn killed_owner_on_a_foreign_host_is_replaced_after_the_threshold() {
    let db = temp_db();
    let stale = ["--stale-ms", "1500"];
    let mut owner = hold(
        &db,
        &[
            "--stale-ms",
            "1500",
            "--heartbeat-ms",
            "100",
            "--host",
            "elsewhere.invalid",
        ],
    );
    owner.wait_for("runId", Duration::from_secs(20));
    owner.signal(libc::SIGKILL);
    assert!(
        owner.wait_exit(Duration::from_secs(5)).is_some(),
        "the owner died"
    );
    let killed_at = Instant::now();

    let early = start_once(&db, &stale);
    assert_eq!(
        early["started"], false,
        "a foreign owner is not provably dead: {early}"
    );
    let mut taken = Value::Null;
    let ok = wait_until(Duration::from_secs(10), || {
        taken = start_once(&db, &stale);
        taken["started"] == true
    });
    assert!(ok, "the run is replaced once stale");
    let waited = killed_at.elapsed();
    assert!(
        waited >= Duration::from_millis(1300),
        "not before the 1.5 s threshold (less the last heartbeat's age): {waited:?}"
    );
    assert!(
        waited < Duration::from_millis(4000),
        "soon after it: {waited:?}"
    );
}

/// A paused owner (SIGSTOP) past the threshold is replaced; once resumed (SIGCONT) it writes
/// nothing more and exits within one heartbeat interval. Both ways of noticing are checked:
/// self-fencing (deadline passed) and the fenced write/heartbeat finding the run taken.
#[test]
fn paused_zombie_owner_writes_nothing_after_takeover() {
    // self-fence shorter than stale (the default proportions), then one far longer so only the
    // database fence can stop it.
    for self_fence in ["750", "600000"] {
        let db = temp_db();
        let heartbeat = Duration::from_millis(500);
        let mut zombie = hold(
            &db,
            &[
                "--stale-ms",
                "1000",
                "--heartbeat-ms",
                "500",
                "--self-fence-ms",
                self_fence,
            ],
        );
        let old = zombie
            .wait_for("runId", Duration::from_secs(20))
            .as_i64()
            .unwrap();
        let rt = tokio::runtime::Runtime::new().unwrap();
        let effects = |run: i64| {
            rt.block_on(scalar(
                &db.path,
                &format!("SELECT count(*) FROM probe_effects WHERE run_id = {run}"),
            ))
        };
        assert!(
            wait_until(Duration::from_secs(5), || effects(old) > 3),
            "the owner writes while it holds the lease"
        );
        zombie.signal(libc::SIGSTOP);
        let paused_at = Instant::now();
        // The pid is alive (stopped), so only the stale threshold lets a start through.
        let mut taken = Value::Null;
        assert!(
            wait_until(Duration::from_secs(10), || {
                taken = start_once(&db, &["--stale-ms", "1000"]);
                taken["started"] == true
            }),
            "the paused owner's run is taken over once stale"
        );
        assert!(
            paused_at.elapsed() >= Duration::from_millis(500),
            "not before it went silent"
        );
        let new = taken["runId"].as_i64().unwrap();
        let frozen = effects(old);
        let snapshot = |rt: &tokio::runtime::Runtime| {
            rt.block_on(async {
                let store = open_store(&db.path).await;
                let rows: Vec<(i64, String, i64, i64)> = sqlx::query_as(
                    "SELECT id, status, last_heartbeat_at, processed_emails FROM sync_runs ORDER BY id",
                )
                .fetch_all(store.pool())
                .await
                .unwrap();
                store.close().await;
                rows
            })
        };
        let before = snapshot(&rt);

        zombie.signal(libc::SIGCONT);
        let resumed = Instant::now();
        let code = zombie.wait_exit(Duration::from_secs(5));
        let stopped_after = resumed.elapsed();
        assert_eq!(
            code,
            Some(4),
            "the zombie reports its lost lease (self-fence {self_fence})"
        );
        assert!(
            stopped_after <= heartbeat,
            "it stops within one heartbeat interval: {stopped_after:?} (self-fence {self_fence})"
        );
        assert_eq!(
            effects(old),
            frozen,
            "not one more fenced write (self-fence {self_fence})"
        );
        assert_eq!(effects(new), 0, "nothing written under the new run's name");
        assert_eq!(
            snapshot(&rt),
            before,
            "neither run's row changed after the resume"
        );
        let status: Vec<(i64, String)> = before.iter().map(|r| (r.0, r.1.clone())).collect();
        assert_eq!(
            status,
            vec![(old, "aborted".to_string()), (new, "running".to_string())],
            "the zombie's run is aborted, the taker's is running"
        );
        eprintln!("zombie (self-fence {self_fence} ms) stopped {stopped_after:?} after SIGCONT");
    }
}

/// A second `Store` opened on a file this process already has open must leave the first
/// one's SQLite locks alone. POSIX drops all of a process's locks on a file when any of its
/// descriptors of that file is closed; a header check that opened and closed the file did
/// exactly that, so another process's clean close believed it was the last user and deleted
/// the `-wal` and `-shm` under the live store (seen as `disk I/O error` and "database disk
/// image is malformed" in the race above, about one run in 25 under load).
#[test]
fn a_second_open_in_one_process_keeps_the_first_stores_locks() {
    let db = temp_db();
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let first = open_store(&db.path).await;
        sqlx::query("CREATE TABLE probe_rows (n INTEGER NOT NULL)")
            .execute(first.pool())
            .await
            .unwrap();
        sqlx::query("INSERT INTO probe_rows VALUES (1)")
            .execute(first.pool())
            .await
            .unwrap();
        let shm = db.path.with_extension("sqlite3-shm");
        let wal = db.path.with_extension("sqlite3-wal");
        assert!(
            shm.exists() && wal.exists(),
            "the live store has its -wal and -shm"
        );

        // The same file opened again in this process (the app does this: the window's store
        // and a sync's store), then closed.
        open_store(&db.path).await.close().await;

        // Another process reads and closes cleanly; it must see it is not the last user.
        let (lines, code) = probe_output(probe(&db.path).arg("touch"));
        assert_eq!(code, 0, "the other process ran: {lines:?}");
        assert!(
            shm.exists() && wal.exists(),
            "another process's clean close deleted the -wal/-shm of a store still open here"
        );

        sqlx::query("INSERT INTO probe_rows VALUES (2)")
            .execute(first.pool())
            .await
            .expect("the first store still writes");
        let rows: i64 = sqlx::query_scalar("SELECT count(*) FROM probe_rows")
            .fetch_one(first.pool())
            .await
            .expect("the first store still reads");
        assert_eq!(rows, 2);
        first.close().await;
    });
}

/// Processes opening one file that does not exist yet, all at once (a window, the command
/// line and `status` on a first run): every one opens it. Turning a new file to WAL takes an
/// exclusive lock for which SQLite runs no busy handler, so without a retry of its own the
/// loser of that race failed "locked" at once. Twenty rounds of seven, three of which open
/// to read only, as `status` does (creating the file too when it is missing).
#[test]
fn processes_opening_a_new_file_at_once_all_open_it() {
    for round in 0..20 {
        let db = temp_db();
        let openers: Vec<_> = (0..7)
            .map(|i| {
                let mut cmd = probe(&db.path);
                if i % 2 == 1 {
                    cmd.arg("--read-only");
                }
                cmd.arg("touch")
                    .stdout(std::process::Stdio::piped())
                    .stderr(std::process::Stdio::piped());
                cmd.spawn().expect("spawn probe")
            })
            .collect();
        for opener in openers {
            let out = opener.wait_with_output().expect("probe output");
            assert!(
                out.status.success(),
                "round {round}: an opener failed: {}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
}
