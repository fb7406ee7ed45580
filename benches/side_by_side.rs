//! Side by side: our `inbox-sync sync` against two Gmail clients no one here wrote — lieer
//! (`gmi pull`) and a full sync with Google's own Python client (`tests/peers/`) — on the same
//! fake mailbox, with the same latency and quota, one after the other in one run; prints the
//! times and the ratios (peer time / our time). A benchmark, not a test:
//!
//!     cargo bench --bench side_by_side
//!
//! Each client starts from nothing against a fresh fake with the same seed, so each sees the
//! same 2,000 messages. Conditions: Gmail's per-user quota (250 units/s) with 100 ms added to
//! every request, and no latency with no quota. Needs what `cargo xtask deps` installs
//! (notmuch, python3-notmuch2, python3-venv) and PyPI for the peers' virtualenv.
#[path = "../tests/peers/mod.rs"]
mod peers;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use fake_gmail::{FakeConfig, FakeGmail};

const MESSAGES: usize = 2_000;
const SEED: u64 = 2026;
const DEADLINE: Duration = Duration::from_secs(1_800);

struct Condition {
    name: &'static str,
    latency: Duration,
    quota: Option<u32>,
}

struct Timed {
    client: &'static str,
    seconds: f64,
    stored: usize,
}

fn main() {
    let conditions = [
        Condition {
            name: "2,000 messages, 100 ms latency, 250 units/s",
            latency: Duration::from_millis(100),
            quota: Some(250),
        },
        Condition {
            name: "2,000 messages, no latency, no quota",
            latency: Duration::ZERO,
            quota: None,
        },
    ];
    let python = peers::python().unwrap_or_else(|why| panic!("{why}"));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime for the fake");
    let mut tables = Vec::new();
    for condition in &conditions {
        let mut rows = Vec::new();
        for client in ["inbox-sync", "lieer", "google-client"] {
            let row = runtime.block_on(measure(client, condition, &python));
            eprintln!(
                "{}: {}: {:.1} s, {} messages",
                condition.name, row.client, row.seconds, row.stored
            );
            rows.push(row);
        }
        tables.push((condition, rows));
    }
    println!();
    println!("| condition | inbox-sync | lieer (gmi pull) | Google client full sync | lieer / ours | Google client / ours |");
    println!("|---|---|---|---|---|---|");
    for (condition, rows) in &tables {
        let ours = rows[0].seconds;
        println!(
            "| {} | {:.1} s | {:.1} s | {:.1} s | {:.1}x | {:.1}x |",
            condition.name,
            ours,
            rows[1].seconds,
            rows[2].seconds,
            rows[1].seconds / ours,
            rows[2].seconds / ours
        );
    }
}

/// Messages in the database our sync wrote, read on a connection of its own.
async fn stored_by_us(data: &Path) -> usize {
    let store = inbox_sync_core::Store::open(
        &data.join("inbox-sync.sqlite3"),
        inbox_sync_core::StoreOptions::default(),
    )
    .await
    .expect("our sync left a database");
    let n: i64 = sqlx::query_scalar("SELECT count(*) FROM messages")
        .fetch_one(store.pool())
        .await
        .expect("its messages can be counted");
    store.close().await;
    n as usize
}

async fn measure(client: &'static str, condition: &Condition, python: &Path) -> Timed {
    let mut config = FakeConfig::default()
        .messages(MESSAGES)
        .seed(SEED)
        .latency(condition.latency);
    if let Some(quota) = condition.quota {
        config = config.quota(quota);
    }
    let fake = FakeGmail::start(config)
        .await
        .expect("the fake binds a loopback port");
    let token = fake.issue_access_token();
    let dir = tempfile::tempdir().expect("a scratch folder");
    let (seconds, stored) = tokio::task::block_in_place(|| match client {
        "inbox-sync" => {
            let quota = condition.quota.unwrap_or(0).to_string();
            let ran = peers::run(
                Command::new(env!("CARGO_BIN_EXE_inbox-sync"))
                    .arg("--data-dir")
                    .arg(dir.path())
                    .args(["sync", "--quota", &quota, "--gmail-base-url"])
                    .arg(fake.base_url())
                    .env_remove("INBOX_SYNC_DATA_DIR"),
                DEADLINE,
            )
            .unwrap_or_else(|why| panic!("{why}"));
            assert!(ran.success, "inbox-sync sync failed:\n{}", ran.shown());
            (ran.elapsed.as_secs_f64(), None)
        }
        "lieer" => {
            let lieer = peers::Lieer::init(python, &fake, &token, dir.path())
                .unwrap_or_else(|why| panic!("{why}"));
            let ran = lieer
                .pull(&fake, DEADLINE)
                .unwrap_or_else(|why| panic!("{why}"));
            assert!(ran.success, "gmi pull failed:\n{}", ran.shown());
            (ran.elapsed.as_secs_f64(), Some(lieer.stored()))
        }
        _ => {
            let out = dir.path().join("mail");
            let ran = peers::google_full_sync(python, &fake, &token, &out, DEADLINE)
                .unwrap_or_else(|why| panic!("{why}"));
            assert!(
                ran.success,
                "the Google-client full sync failed:\n{}",
                ran.shown()
            );
            (ran.elapsed.as_secs_f64(), Some(peers::count_files(&out)))
        }
    });
    let stored = match stored {
        Some(n) => n,
        None => stored_by_us(dir.path()).await,
    };
    assert_eq!(stored, MESSAGES, "{client} fetched every message");
    fake.shutdown().await;
    Timed {
        client,
        seconds,
        stored,
    }
}
