//! Latency of the ledger's operations on a file database in WAL mode: p50 and p99 of
//! `start`, `heartbeat`, `finish`, `getActive` and `getLatest`. Run with `cargo bench -p
//! inbox-sync-core --bench ledger`; prints figures, asserts nothing.
use std::time::{Duration, Instant};

use inbox_sync_core::{Ledger, LedgerConfig, Outcome, RunProgress, Store, StoreOptions, Trigger};

const ROUNDS: usize = 2_000;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index]
}

fn report(name: &str, mut samples: Vec<Duration>) {
    samples.sort();
    println!(
        "{name:<10} p50 {:>8.3} ms   p99 {:>8.3} ms   max {:>8.3} ms   (n = {})",
        percentile(&samples, 0.50).as_secs_f64() * 1e3,
        percentile(&samples, 0.99).as_secs_f64() * 1e3,
        samples.last().unwrap().as_secs_f64() * 1e3,
        samples.len()
    );
}

async fn timed<T, F: std::future::Future<Output = T>>(samples: &mut Vec<Duration>, f: F) -> T {
    let begun = Instant::now();
    let value = f.await;
    samples.push(begun.elapsed());
    value
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` passes nothing and expects a
    // quick exit, so run the full measurement only when asked to bench.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::open(&dir.path().join("bench.sqlite3"), StoreOptions::default())
            .await
            .expect("store");
        let ledger = Ledger::new(store, LedgerConfig::default());
        let (mut start, mut heartbeat, mut finish, mut active, mut latest) =
            (vec![], vec![], vec![], vec![], vec![]);
        let mut progress = RunProgress::default();
        for round in 0..ROUNDS {
            let run = timed(&mut start, ledger.start(Trigger::Cli))
                .await
                .expect("start");
            assert!(run.started, "each round starts after the previous finished");
            for _ in 0..5 {
                progress.progress.fetched_emails += 1;
                timed(&mut heartbeat, ledger.heartbeat(run.run_id, &progress))
                    .await
                    .expect("heartbeat");
                timed(&mut active, ledger.get_active())
                    .await
                    .expect("getActive");
                timed(&mut latest, ledger.get_latest())
                    .await
                    .expect("getLatest");
            }
            timed(
                &mut finish,
                ledger.finish(run.run_id, &Outcome::Success, &progress),
            )
            .await
            .expect("finish");
            if round == 0 {
                // The first round pays for page cache and statement preparation.
                for v in [
                    &mut start,
                    &mut heartbeat,
                    &mut finish,
                    &mut active,
                    &mut latest,
                ] {
                    v.clear();
                }
            }
        }
        println!("ledger on a WAL file database, {ROUNDS} runs (5 heartbeats each):");
        report("start", start);
        report("heartbeat", heartbeat);
        report("finish", finish);
        report("getActive", active);
        report("getLatest", latest);
    });
}
