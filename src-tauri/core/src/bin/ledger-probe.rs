//! A small process that drives the ledger from outside, so tests can race real OS processes,
//! kill them, pause them and hold locks. Not part of the app; prints one JSON object a line.
use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Parser, Subcommand};
use inbox_sync_core::{
    ErrorTag, Leased, Ledger, LedgerConfig, LedgerError, Outcome, Owner, ProcessLiveness,
    RunFailure, RunProgress, Store, StoreOptions, SystemClock, Trigger,
};
use serde_json::json;
use std::sync::Arc;
use tokio_util::sync::CancellationToken;

#[derive(Parser)]
struct Args {
    #[arg(long)]
    db: PathBuf,
    #[arg(long, default_value_t = 60_000)]
    stale_ms: u64,
    #[arg(long, default_value_t = 5_000)]
    heartbeat_ms: u64,
    #[arg(long, default_value_t = 45_000)]
    self_fence_ms: u64,
    #[arg(long, default_value_t = 10_000)]
    lock_wait_ms: u64,
    /// Record runs under this host name instead of the real one (a "foreign host").
    #[arg(long)]
    host: Option<String>,
    /// Open as `status` and `history` do ([`Store::open_read_only`]).
    #[arg(long)]
    read_only: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// One `start`, printed.
    Start,
    /// `start` in a tight loop; started runs are finished, failed or abandoned at random.
    Race {
        #[arg(long)]
        iterations: u32,
        #[arg(long)]
        seed: u64,
    },
    /// Start a leased run and keep writing fenced rows to `probe_effects` until the lease ends.
    Hold {
        #[arg(long, default_value_t = 20)]
        write_every_ms: u64,
    },
    /// Hold an exclusive lock on the database until killed.
    Lock,
    /// Read the ledger once and close cleanly, as the last user of a file would (SQLite
    /// then checkpoints and deletes the `-wal` and `-shm` if no other process has it open).
    Touch,
}

fn emit(value: serde_json::Value) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{value}");
    let _ = out.flush();
}

fn fail(e: &LedgerError) -> ! {
    emit(json!({"error": e.code(), "message": e.to_string()}));
    std::process::exit(2)
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let args = Args::parse();
    let options = StoreOptions {
        lock_wait: Duration::from_millis(args.lock_wait_ms),
        ..StoreOptions::default()
    };
    let opened = if args.read_only {
        Store::open_read_only(&args.db, options).await
    } else {
        Store::open(&args.db, options).await
    };
    let store = match opened {
        Ok(s) => s,
        Err(e) => fail(&e.into()),
    };
    let config = LedgerConfig {
        stale_after: Duration::from_millis(args.stale_ms),
        heartbeat_every: Duration::from_millis(args.heartbeat_ms),
        self_fence_after: Duration::from_millis(args.self_fence_ms),
    };
    let mut owner = Owner::current();
    if let Some(host) = args.host {
        owner.host = host;
    }
    let ledger = Ledger::with_parts(
        store.clone(),
        config,
        Arc::new(SystemClock),
        Arc::new(ProcessLiveness::new()),
        owner,
    );
    match args.command {
        Command::Start => match ledger.start(Trigger::Cli).await {
            Ok(r) => emit(serde_json::to_value(r).unwrap()),
            Err(e) => fail(&e),
        },
        Command::Race { iterations, seed } => race(&ledger, iterations, seed).await,
        Command::Hold { write_every_ms } => hold(&ledger, &store, write_every_ms).await,
        Command::Lock => {
            let mut conn = store.pool().acquire().await.expect("connection");
            sqlx::query("BEGIN EXCLUSIVE")
                .execute(&mut *conn)
                .await
                .expect("exclusive lock");
            emit(json!({"locked": true}));
            std::future::pending::<()>().await;
        }
        Command::Touch => {
            match ledger.history(1, None).await {
                Ok(runs) => emit(json!({"runs": runs.len()})),
                Err(e) => fail(&e),
            }
            store.close_checkpointed().await;
        }
    }
}

/// xorshift64*: a deterministic choice per seed without a dependency.
struct Dice(u64);

impl Dice {
    fn roll(&mut self, sides: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) % sides
    }
}

async fn race(ledger: &Ledger, iterations: u32, seed: u64) {
    let mut dice = Dice(seed.max(1));
    let mut abandoned = Vec::new();
    for _ in 0..iterations {
        let result = ledger
            .start(Trigger::Cli)
            .await
            .unwrap_or_else(|e| fail(&e));
        emit(json!({"start": result}));
        if !result.started {
            continue;
        }
        let id = result.run_id;
        let progress = RunProgress::default();
        let ended = match dice.roll(6) {
            0..=2 => ledger.finish(id, &Outcome::Success, &progress).await,
            3 => match ledger.heartbeat(id, &progress).await {
                Ok(()) => {
                    let failed = Outcome::Error {
                        name: "ProbeError".into(),
                        message: "made up".into(),
                        tag: ErrorTag::Internal,
                    };
                    ledger.finish(id, &failed, &progress).await
                }
                Err(e) => Err(e),
            },
            _ => {
                abandoned.push(id);
                Ok(())
            }
        };
        match ended {
            Ok(()) => {}
            // A finish can lose only when the run was already replaced as stale.
            Err(LedgerError::LeaseLost { run_id }) => emit(json!({"lostEarly": run_id})),
            Err(e) => fail(&e),
        }
    }
    for id in abandoned {
        match ledger
            .finish(id, &Outcome::Success, &RunProgress::default())
            .await
        {
            Ok(()) => emit(json!({"lateFinish": id, "ok": true})),
            Err(LedgerError::LeaseLost { .. }) => emit(json!({"lateFinish": id, "ok": false})),
            Err(e) => fail(&e),
        }
    }
}

async fn hold(ledger: &Ledger, store: &Store, write_every_ms: u64) {
    sqlx::query(
        "CREATE TABLE IF NOT EXISTS probe_effects (run_id INTEGER NOT NULL, n INTEGER NOT NULL)",
    )
    .execute(store.pool())
    .await
    .expect("probe table");
    let result = ledger
        .run_leased(Trigger::Cli, CancellationToken::new(), |lease| async move {
            emit(json!({"runId": lease.run_id()}));
            let mut n = 0i64;
            loop {
                let mut tx = lease.begin_write().await.map_err(probe_failure)?;
                sqlx::query("INSERT INTO probe_effects (run_id, n) VALUES (?, ?)")
                    .bind(lease.run_id())
                    .bind(n)
                    .execute(&mut *tx)
                    .await
                    .map_err(|e| RunFailure::new("Db", e.to_string(), ErrorTag::Storage))?;
                tx.commit()
                    .await
                    .map_err(|e| RunFailure::new("Db", e.to_string(), ErrorTag::Storage))?;
                n += 1;
                lease.update_progress(|p| p.progress.processed_emails = n);
                tokio::time::sleep(Duration::from_millis(write_every_ms)).await;
            }
            #[allow(unreachable_code)]
            Ok::<(), RunFailure>(())
        })
        .await;
    match result {
        Ok(Leased::AlreadyRunning { run_id }) => {
            emit(json!({"alreadyRunning": run_id}));
            std::process::exit(3)
        }
        Ok(Leased::Ran(report)) => {
            emit(
                json!({"end": report.status().as_str(), "lost": report.lost.map(|l| format!("{l:?}"))}),
            );
            std::process::exit(if report.lost.is_some() { 4 } else { 0 })
        }
        Err(e) => fail(&e),
    }
}

fn probe_failure(e: LedgerError) -> RunFailure {
    RunFailure::new("Ledger", e.to_string(), e.tag())
}
