//! Fixtures shared by the core's integration tests: temporary databases, ledgers with
//! injected time and owners, the probe process, and waiting on a condition with a deadline.
#![allow(dead_code)]

pub mod sync;

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use inbox_sync_core::{
    Ledger, LedgerConfig, ManualClock, Owner, OwnerLiveness, Store, StoreOptions,
};

pub struct TempDb {
    pub dir: tempfile::TempDir,
    pub path: PathBuf,
}

pub fn temp_db() -> TempDb {
    let dir = tempfile::Builder::new()
        .prefix("inbox-sync-test")
        .tempdir()
        .expect("temp dir");
    let path = dir.path().join("inbox-sync.sqlite3");
    TempDb { dir, path }
}

pub async fn open_store(path: &Path) -> Store {
    Store::open(path, StoreOptions::default())
        .await
        .expect("open store")
}

/// Owners declared dead by the test (a stand-in for "the OS says this pid is gone" when the
/// owners are invented; the real OS check has its own process tests).
#[derive(Default, Clone)]
pub struct DeclaredDead(Arc<Mutex<HashSet<u32>>>);

impl DeclaredDead {
    pub fn kill(&self, pid: u32) {
        self.0.lock().unwrap().insert(pid);
    }
}

impl OwnerLiveness for DeclaredDead {
    fn is_dead(&self, owner: &Owner) -> bool {
        self.0.lock().unwrap().contains(&owner.pid)
    }
}

pub fn fake_owner(pid: u32) -> Owner {
    Owner {
        host: "test-host".into(),
        pid,
        started_at: Some(1_000),
    }
}

pub fn config(stale_ms: u64) -> LedgerConfig {
    LedgerConfig {
        stale_after: Duration::from_millis(stale_ms),
        heartbeat_every: Duration::from_millis(stale_ms / 12 + 1),
        self_fence_after: Duration::from_millis(stale_ms * 3 / 4),
    }
}

/// A ledger for an invented owner `pid`, on a manual clock and declared-dead liveness.
pub fn ledger_for(
    store: &Store,
    pid: u32,
    clock: &ManualClock,
    dead: &DeclaredDead,
    stale_ms: u64,
) -> Ledger {
    Ledger::with_parts(
        store.clone(),
        config(stale_ms),
        Arc::new(clock.clone()),
        Arc::new(dead.clone()),
        fake_owner(pid),
    )
}

/// Polls `cond` until it holds or `deadline` passes; returns whether it held.
pub fn wait_until(deadline: Duration, mut cond: impl FnMut() -> bool) -> bool {
    let end = Instant::now() + deadline;
    loop {
        if cond() {
            return true;
        }
        if Instant::now() >= end {
            return false;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

pub fn probe(db: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ledger-probe"));
    cmd.arg("--db").arg(db);
    cmd
}

/// Runs the probe to completion and returns its stdout lines parsed as JSON, and its code.
pub fn probe_output(cmd: &mut Command) -> (Vec<serde_json::Value>, i32) {
    let out = cmd.stderr(Stdio::inherit()).output().expect("run probe");
    let lines = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|_| panic!("probe printed non-JSON: {l}")))
        .collect();
    (lines, out.status.code().unwrap_or(-1))
}

/// A child whose stdout lines are read on a thread; kills the child when dropped.
pub struct Probe {
    pub child: Child,
    pub lines: Arc<Mutex<Vec<serde_json::Value>>>,
}

impl Probe {
    pub fn spawn(cmd: &mut Command) -> Self {
        use std::io::BufRead;
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn probe");
        let stdout = child.stdout.take().unwrap();
        let lines = Arc::new(Mutex::new(Vec::new()));
        let sink = lines.clone();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stdout)
                .lines()
                .map_while(Result::ok)
            {
                if let Ok(v) = serde_json::from_str(&line) {
                    sink.lock().unwrap().push(v);
                }
            }
        });
        Self { child, lines }
    }

    /// Waits for the first printed line with `key` and returns its value.
    pub fn wait_for(&self, key: &str, deadline: Duration) -> serde_json::Value {
        let mut found = None;
        let ok = wait_until(deadline, || {
            found = self
                .lines
                .lock()
                .unwrap()
                .iter()
                .find_map(|l| l.get(key).cloned());
            found.is_some()
        });
        assert!(ok, "probe did not print {key:?} within {deadline:?}");
        found.unwrap()
    }

    pub fn pid(&self) -> i32 {
        self.child.id() as i32
    }

    #[cfg(unix)]
    pub fn signal(&self, signal: i32) {
        let rc = unsafe { libc::kill(self.pid(), signal) };
        assert_eq!(rc, 0, "signal {signal} reaches the probe");
    }

    /// Waits for the child to exit within `deadline`; returns its exit code.
    pub fn wait_exit(&mut self, deadline: Duration) -> Option<i32> {
        let end = Instant::now() + deadline;
        loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                return Some(status.code().unwrap_or(-1));
            }
            if Instant::now() >= end {
                return None;
            }
            std::thread::sleep(Duration::from_millis(2));
        }
    }
}

impl Drop for Probe {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Reads one integer with plain SQL on a fresh connection (no ledger involved).
pub async fn scalar(path: &Path, sql: &str) -> i64 {
    let store = open_store(path).await;
    let v: i64 = sqlx::query_scalar(sql)
        .fetch_one(store.pool())
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
    store.close().await;
    v
}
